//! 产业链招商: chains and their links, coverage and gaps (强 / 弱 / 缺), targeting over the
//! enterprise registry, target lists with assignment and one-step conversion to a lead,
//! conversion figures per chain and link, and the 招商地图's counts.
//!
//! Who sees a chain: 管理员 and 领导; its chief (链长); anyone whose jurisdiction holds the
//! chain office (链办). Anyone else gets 404, as for a chain that does not exist. Who works
//! it (edits links, generates, assigns, converts): those among them who are 管理员, 领导,
//! 招商人 or its chief.

use crate::audit::Tx;
use crate::leads::LeadInput;
use crate::{Actor, App, Error, Result};
use fenglai_chains::target::{self, Candidate, KeyRegion, LinkCriteria, Score};
use fenglai_chains::{ClassRules, Strength, Tier};
use fenglai_domain::{Role, Stage};
use fenglai_store::chains::{self as store, Chain, Edge, Link, PipelineLead, Target, TargetList};
use fenglai_store::{org, Conn, Scope};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Settings keys: the class rules (JSON), the key regions (JSON) and the city's region
/// prefix (its enterprises are local, never targets).
pub const RULES_KEY: &str = "chain_class_rules";
pub const REGIONS_KEY: &str = "chain_key_regions";
pub const HOME_KEY: &str = "chain_home_region";

/// The most targets one ranking returns.
pub const MAX_LIMIT: i64 = 1000;

#[derive(Debug, Clone)]
pub struct ChainInput {
    pub name: String,
    pub description: Option<String>,
    /// 链长: a user with the 领导 role
    pub chief_user_id: Option<i64>,
    /// 链办: the unit that runs the chain (default: the caller's unit)
    pub office_unit_id: Option<i64>,
    /// the name of a shipped template to take the links from (only when creating)
    pub template: Option<String>,
}

#[derive(Debug, Clone)]
pub struct LinkInput {
    pub name: String,
    /// upstream / midstream / downstream (or 上游 / 中游 / 下游)
    pub tier: String,
    /// GB/T 4754 codes: 4-digit 小类 or 3-digit 中类, separated by commas or 、
    pub codes: String,
    /// business-scope keywords, separated by commas or 、
    pub keywords: Option<String>,
    /// the links of the same chain this one supplies
    pub next: Option<Vec<i64>>,
}

/// What a ranking looks for.
#[derive(Debug, Clone, Default)]
pub struct RankQuery {
    /// key regions by name, separated by commas (e.g. 长三角,京津冀); empty: anywhere
    pub regions: Option<String>,
    /// only companies with one of these flags: 上市, 世界500强, 中国500强, 央企
    pub flags: Option<String>,
    /// how many (default 200, at most 1000)
    pub limit: Option<String>,
    /// a name for a saved list (when generating)
    pub name: Option<String>,
}

/// What a saved target list is generated from.
#[derive(Debug, Clone, Default)]
pub struct GenerateInput {
    /// key regions by name, separated by commas (e.g. 长三角,京津冀); empty: anywhere
    pub regions: Option<String>,
    /// only companies with one of these flags: 上市, 世界500强, 中国500强, 央企
    pub flags: Option<String>,
    /// how many (default 200, at most 1000)
    pub limit: Option<i64>,
    /// the list's name (default: chain · link 目标名单 date)
    pub name: Option<String>,
}

impl From<&GenerateInput> for RankQuery {
    fn from(g: &GenerateInput) -> RankQuery {
        RankQuery {
            regions: g.regions.clone(),
            flags: g.flags.clone(),
            limit: g.limit.map(|l| l.to_string()),
            name: g.name.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AssignInput {
    /// a 招商人
    pub user_id: Option<i64>,
    /// a unit, e.g. a stationed office (驻外招商联络处)
    pub unit_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChainSettings {
    pub class_rules: ClassRulesDto,
    pub key_regions: Vec<KeyRegionDto>,
    /// the city's GB/T 2260 prefix, e.g. 3411: its enterprises are local, never targets
    pub home_region: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClassRulesDto {
    pub strong_min_enterprises: i64,
    pub strong_min_output_yuan: i64,
    pub weak_min_enterprises: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct KeyRegionDto {
    pub name: String,
    /// two-digit provinces (32) or ISO countries (JP)
    pub prefixes: Vec<String>,
}

/// targets → leads → projects → started → producing
#[derive(Debug, Clone, Copy, Default)]
pub struct Figures {
    /// companies on the link's target lists
    pub targets: i64,
    /// leads tied to the link
    pub leads: i64,
    /// of them admitted into projects
    pub projects: i64,
    /// of them started (开工) or further, not dropped
    pub started: i64,
    /// of them in production (投产 / 达产)
    pub producing: i64,
}

impl Figures {
    fn add(&mut self, o: &Figures) {
        self.targets += o.targets;
        self.leads += o.leads;
        self.projects += o.projects;
        self.started += o.started;
        self.producing += o.producing;
    }
}

#[derive(Debug, Clone)]
pub struct LinkView {
    pub link: Link,
    pub tier_label: String,
    pub codes: Vec<String>,
    pub keywords: Vec<String>,
    /// the links this one supplies
    pub next: Vec<i64>,
    /// local enterprises in the link
    pub enterprises: i64,
    /// their yearly output plus producing projects' expected output, yuan
    pub output_yuan: i64,
    pub tax_yuan: i64,
    /// pipeline leads serving the link (not dropped)
    pub pipeline: i64,
    pub producing: i64,
    /// strong, weak, missing
    pub class: String,
    /// 强 / 弱 / 缺
    pub class_label: String,
    /// 延链 / 强链 / 补链
    pub task: String,
    pub reason: String,
    /// 缺 by enterprises alone, filled by a producing project
    pub gap_filled: bool,
    pub figures: Figures,
    /// the pipeline leads serving the link
    pub leads: Vec<PipelineLead>,
}

#[derive(Debug, Clone)]
pub struct ChainView {
    pub chain: Chain,
    pub links: Vec<LinkView>,
    pub edges: Vec<Edge>,
    pub figures: Figures,
    pub lists: Vec<TargetList>,
    /// whether the caller may edit and work the chain
    pub may_work: bool,
}

#[derive(Debug, Clone)]
pub struct ScorePart {
    pub label: String,
    pub points: i64,
}

/// A company ranked for a link, with its score explained.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub enterprise_id: i64,
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub industry_code: String,
    pub flags: Vec<String>,
    pub capital_yuan: i64,
    pub fit: i64,
    pub priority: bool,
    pub score: i64,
    pub parts: Vec<ScorePart>,
}

#[derive(Debug, Clone)]
pub struct ListView {
    pub list: TargetList,
    pub chain: Chain,
    pub link: Link,
    pub targets: Vec<TargetView>,
}

#[derive(Debug, Clone)]
pub struct TargetView {
    pub target: Target,
    pub flags: Vec<String>,
    pub parts: Vec<ScorePart>,
}

fn may_see(actor: &Actor, c: &Chain) -> bool {
    if c.chief_user_id == Some(actor.id()) {
        return true;
    }
    match &actor.scope {
        Scope::All => true,
        Scope::Subtree(p) => c.office_path.starts_with(p.as_str()),
        Scope::Reporter(_) => false,
    }
}

fn may_work(actor: &Actor, c: &Chain) -> bool {
    may_see(actor, c)
        && (c.chief_user_id == Some(actor.id())
            || matches!(actor.role, Role::Admin | Role::Leader | Role::Promoter))
}

async fn chain_for(c: &mut Conn, actor: &Actor, id: i64) -> Result<Chain> {
    let chain = store::chain(c, id).await?.ok_or(Error::NotFound)?;
    if !may_see(actor, &chain) {
        return Err(Error::NotFound);
    }
    Ok(chain)
}

async fn workable(c: &mut Conn, actor: &Actor, id: i64) -> Result<Chain> {
    let chain = chain_for(c, actor, id).await?;
    actor.require(may_work(actor, &chain), "管理该产业链")?;
    Ok(chain)
}

async fn link_for(c: &mut Conn, actor: &Actor, link_id: i64) -> Result<(Chain, Link)> {
    let link = store::link(c, link_id).await?.ok_or(Error::NotFound)?;
    let chain = chain_for(c, actor, link.chain_id).await?;
    Ok((chain, link))
}

/// The settings, with defaults where none are set.
pub async fn settings_in(c: &mut Conn) -> Result<(ClassRules, Vec<KeyRegion>, Option<String>)> {
    let rules = org::setting(c, RULES_KEY)
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default();
    let regions = org::setting(c, REGIONS_KEY)
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_else(target::default_key_regions);
    let home = org::setting(c, HOME_KEY).await?.filter(|s| !s.is_empty());
    Ok((rules, regions, home))
}

pub async fn settings(app: &App) -> Result<ChainSettings> {
    let mut c = app.db.acquire().await?;
    let (r, k, home) = settings_in(&mut c).await?;
    Ok(ChainSettings {
        class_rules: ClassRulesDto {
            strong_min_enterprises: r.strong_min_enterprises,
            strong_min_output_yuan: r.strong_min_output_yuan,
            weak_min_enterprises: r.weak_min_enterprises,
        },
        key_regions: k
            .into_iter()
            .map(|k| KeyRegionDto {
                name: k.name,
                prefixes: k.prefixes,
            })
            .collect(),
        home_region: home,
    })
}

/// Sets the class rules, key regions and home region (管理员 or 领导).
pub async fn set_settings(app: &App, actor: &Actor, s: &ChainSettings) -> Result<ChainSettings> {
    actor.require(
        matches!(actor.role, Role::Admin | Role::Leader),
        "设置产业链规则",
    )?;
    let rules = ClassRules {
        strong_min_enterprises: s.class_rules.strong_min_enterprises,
        strong_min_output_yuan: s.class_rules.strong_min_output_yuan,
        weak_min_enterprises: s.class_rules.weak_min_enterprises,
    };
    rules
        .check()
        .map_err(|m| Error::invalid("class_rules", m))?;
    let regions: Vec<KeyRegion> = s
        .key_regions
        .iter()
        .map(|k| KeyRegion {
            name: k.name.trim().chars().filter(|c| !c.is_control()).collect(),
            prefixes: k.prefixes.iter().map(|p| p.trim().to_string()).collect(),
        })
        .collect();
    target::check_key_regions(&regions).map_err(|m| Error::invalid("key_regions", m))?;
    let home = s
        .home_region
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty());
    if let Some(h) = home {
        if !(2..=6).contains(&h.len()) || !h.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid(
                "home_region",
                format!("本地区域“{h}”不对：应为 2 至 6 位行政区划代码前缀，如 3411"),
            ));
        }
    }
    let mut tx = Tx::begin(app).await?;
    org::set_setting(
        tx.conn(),
        RULES_KEY,
        &serde_json::to_string(&rules).unwrap_or_default(),
    )
    .await?;
    org::set_setting(
        tx.conn(),
        REGIONS_KEY,
        &serde_json::to_string(&regions).unwrap_or_default(),
    )
    .await?;
    org::set_setting(tx.conn(), HOME_KEY, home.unwrap_or("")).await?;
    tx.record::<(), _>(Some(actor), "chain_settings", 0, "update", None, Some(s))
        .await?;
    tx.commit().await?;
    settings(app).await
}

/// The chains the caller sees.
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<Chain>> {
    let mut c = app.db.acquire().await?;
    Ok(store::chains(&mut c)
        .await?
        .into_iter()
        .filter(|ch| may_see(actor, ch))
        .collect())
}

/// The shipped templates.
pub fn templates() -> Vec<fenglai_chains::Template> {
    fenglai_chains::templates()
}

/// Text typed into a form: no control characters but line breaks and tabs.
fn plain(field: &str, what: &str, s: &str) -> Result<()> {
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::invalid(field, format!("{what}含有不可见的控制字符")));
    }
    Ok(())
}

async fn check_chain(c: &mut Conn, actor: &Actor, input: &ChainInput) -> Result<store::NewChain> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "请填写产业链名称"));
    }
    plain("name", "产业链名称", name)?;
    plain(
        "description",
        "说明",
        input.description.as_deref().unwrap_or(""),
    )?;
    if name.chars().count() > 40 {
        return Err(Error::invalid("name", "产业链名称最多 40 字"));
    }
    let office = input.office_unit_id.unwrap_or(actor.user.unit_id);
    let unit = org::unit(c, office)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| Error::invalid("office_unit_id", "链办单位不存在"))?;
    let in_scope = match &actor.scope {
        Scope::All => true,
        Scope::Subtree(p) => unit.path.starts_with(p.as_str()),
        Scope::Reporter(_) => false,
    };
    if !in_scope {
        return Err(Error::invalid(
            "office_unit_id",
            "链办单位须在本人管辖范围内",
        ));
    }
    if let Some(chief) = input.chief_user_id {
        let u = org::user(c, chief)
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| Error::invalid("chief_user_id", "链长用户不存在"))?;
        if u.role != Role::Leader {
            return Err(Error::invalid("chief_user_id", "链长须为“领导”角色的用户"));
        }
    }
    Ok(store::NewChain {
        name: name.to_string(),
        description: input
            .description
            .as_deref()
            .unwrap_or("")
            .trim()
            .to_string(),
        chief_user_id: input.chief_user_id,
        office_unit_id: office,
        template: None,
    })
}

fn conflict_name(e: Error, what: &str) -> Error {
    match e {
        Error::Conflict(_) => Error::invalid("name", format!("{what}已存在")),
        other => other,
    }
}

/// Creates a chain, from a shipped template's links and edges when one is named
/// (管理员, 领导, 招商人).
pub async fn create(app: &App, actor: &Actor, input: &ChainInput) -> Result<ChainView> {
    actor.require(
        matches!(actor.role, Role::Admin | Role::Leader | Role::Promoter),
        "新建产业链",
    )?;
    let tpl = match input
        .template
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(t) => Some(
            templates()
                .into_iter()
                .find(|x| x.name == t)
                .ok_or_else(|| {
                    let names: Vec<String> = templates().into_iter().map(|x| x.name).collect();
                    Error::invalid(
                        "template",
                        format!("模板“{t}”不存在，可选：{}", names.join("、")),
                    )
                })?,
        ),
        None => None,
    };
    let mut tx = Tx::begin(app).await?;
    let mut new = check_chain(tx.conn(), actor, input).await?;
    new.template = tpl.as_ref().map(|t| t.name.clone());
    if new.description.is_empty() {
        new.description = tpl
            .as_ref()
            .map(|t| t.description.clone())
            .unwrap_or_default();
    }
    let id = store::insert_chain(tx.conn(), &new)
        .await
        .map_err(|e| conflict_name(e.into(), "同名产业链"))?;
    if let Some(t) = &tpl {
        let edges = t.edges().map_err(|m| Error::invalid("template", m))?;
        let mut ids = Vec::new();
        for l in &t.links {
            let lid = store::insert_link(
                tx.conn(),
                id,
                &store::NewLink {
                    name: l.name.clone(),
                    tier: l.tier.as_str().into(),
                    codes: l.codes.join(","),
                    keywords: l.keywords.join(","),
                },
            )
            .await?;
            ids.push(lid);
        }
        for (i, _) in t.links.iter().enumerate() {
            let to: Vec<i64> = edges
                .iter()
                .filter(|(a, _)| *a == i)
                .map(|(_, b)| ids[*b])
                .collect();
            if !to.is_empty() {
                store::set_edges(tx.conn(), id, ids[i], &to).await?;
            }
        }
    }
    let chain = store::chain(tx.conn(), id).await?.ok_or(Error::NotFound)?;
    tx.record::<(), _>(Some(actor), "chain", id, "create", None, Some(&chain))
        .await?;
    tx.commit().await?;
    get(app, actor, id).await
}

/// Edits a chain's name, description, chief and office.
pub async fn update(app: &App, actor: &Actor, id: i64, input: &ChainInput) -> Result<ChainView> {
    let mut tx = Tx::begin(app).await?;
    let before = workable(tx.conn(), actor, id).await?;
    let new = check_chain(tx.conn(), actor, input).await?;
    store::update_chain(tx.conn(), id, &new)
        .await
        .map_err(|e| conflict_name(e.into(), "同名产业链"))?;
    let after = store::chain(tx.conn(), id).await?.ok_or(Error::NotFound)?;
    tx.record(
        Some(actor),
        "chain",
        id,
        "update",
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    get(app, actor, id).await
}

fn check_link(input: &LinkInput) -> Result<store::NewLink> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "请填写环节名称"));
    }
    plain("name", "环节名称", name)?;
    plain(
        "keywords",
        "关键词",
        input.keywords.as_deref().unwrap_or(""),
    )?;
    if name.chars().count() > 30 {
        return Err(Error::invalid("name", "环节名称最多 30 字"));
    }
    let tier = Tier::parse(&input.tier).map_err(|m| Error::invalid("tier", m))?;
    let codes =
        fenglai_chains::parse_codes(&input.codes).map_err(|m| Error::invalid("codes", m))?;
    let keywords = fenglai_chains::parse_keywords(input.keywords.as_deref().unwrap_or(""))
        .map_err(|m| Error::invalid("keywords", m))?;
    Ok(store::NewLink {
        name: name.to_string(),
        tier: tier.as_str().into(),
        codes: codes.join(","),
        keywords: keywords.join(","),
    })
}

/// Checks that `next` are links of the chain and keep it free of cycles.
async fn check_next(c: &mut Conn, chain_id: i64, from: i64, next: &[i64]) -> Result<()> {
    let links = store::links(c, chain_id).await?;
    let pos: HashMap<i64, usize> = links.iter().enumerate().map(|(i, l)| (l.id, i)).collect();
    let mut edges: Vec<(usize, usize)> = store::edges(c, chain_id)
        .await?
        .into_iter()
        .filter(|e| e.from_link_id != from)
        .filter_map(|e| Some((*pos.get(&e.from_link_id)?, *pos.get(&e.to_link_id)?)))
        .collect();
    for n in next {
        let j = *pos
            .get(n)
            .ok_or_else(|| Error::invalid("next", format!("下游环节 {n} 不属于本产业链")))?;
        edges.push((pos[&from], j));
    }
    if !fenglai_chains::is_dag(links.len(), &edges) {
        return Err(Error::invalid("next", "上下游关系成环，请检查下游环节"));
    }
    Ok(())
}

pub async fn add_link(app: &App, actor: &Actor, chain_id: i64, input: &LinkInput) -> Result<Link> {
    let new = check_link(input)?;
    let mut tx = Tx::begin(app).await?;
    workable(tx.conn(), actor, chain_id).await?;
    let id = store::insert_link(tx.conn(), chain_id, &new)
        .await
        .map_err(|e| conflict_name(e.into(), "同名环节"))?;
    if let Some(next) = &input.next {
        check_next(tx.conn(), chain_id, id, next).await?;
        store::set_edges(tx.conn(), chain_id, id, next).await?;
    }
    let link = store::link(tx.conn(), id).await?.ok_or(Error::NotFound)?;
    tx.record::<(), _>(Some(actor), "chain_link", id, "create", None, Some(&link))
        .await?;
    tx.commit().await?;
    Ok(link)
}

pub async fn edit_link(app: &App, actor: &Actor, link_id: i64, input: &LinkInput) -> Result<Link> {
    let mut tx = Tx::begin(app).await?;
    let (chain, before) = link_for(tx.conn(), actor, link_id).await?;
    actor.require(may_work(actor, &chain), "管理该产业链")?;
    let new = check_link(input)?;
    store::update_link(tx.conn(), link_id, &new)
        .await
        .map_err(|e| conflict_name(e.into(), "同名环节"))?;
    if let Some(next) = &input.next {
        check_next(tx.conn(), chain.id, link_id, next).await?;
        store::set_edges(tx.conn(), chain.id, link_id, next).await?;
    }
    let after = store::link(tx.conn(), link_id)
        .await?
        .ok_or(Error::NotFound)?;
    tx.record(
        Some(actor),
        "chain_link",
        link_id,
        "update",
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn code_sets(codes: &[String]) -> (Vec<String>, Vec<String>) {
    codes.iter().cloned().partition(|c| c.len() == 4)
}

const STARTED: &[Stage] = &[
    Stage::Started,
    Stage::Completed,
    Stage::Producing,
    Stage::AtCapacity,
];

fn stage_in(l: &PipelineLead, set: &[Stage]) -> bool {
    l.stage.is_some_and(|s| set.contains(&s))
}

/// A chain with every link classed, its local strength, pipeline and conversion figures.
pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<ChainView> {
    let mut c = app.db.acquire().await?;
    let chain = chain_for(&mut c, actor, id).await?;
    let links = store::links(&mut c, id).await?;
    let edges = store::edges(&mut c, id).await?;
    let (rules, _, home) = settings_in(&mut c).await?;
    let local = match &home {
        Some(h) => store::local_enterprises(&mut c, h).await?,
        None => Vec::new(),
    };
    let all_codes: Vec<String> = links.iter().flat_map(|l| split(&l.codes)).collect();
    let (codes, classes) = code_sets(&all_codes);
    let ids: Vec<i64> = links.iter().map(|l| l.id).collect();
    let pipeline = store::pipeline(&mut c, &ids, &codes, &classes, &actor.scope).await?;
    let targeted: HashMap<i64, i64> = store::targeted_per_link(&mut c, id)
        .await?
        .into_iter()
        .collect();
    let lists = store::lists_of_chain(&mut c, id).await?;
    let own: HashSet<i64> = ids.iter().copied().collect();
    let mut total = Figures::default();
    let mut views = Vec::new();
    for l in links {
        let lc = split(&l.codes);
        let kw = split(&l.keywords);
        let mut s = Strength::default();
        for e in &local {
            if fenglai_chains::belongs(&lc, &kw, &e.industry_code, &e.scope) {
                s.enterprises += 1;
                s.output_yuan += e.output_yuan.unwrap_or(0);
                s.tax_yuan += e.tax_yuan.unwrap_or(0);
            }
        }
        let serving: Vec<PipelineLead> = pipeline
            .iter()
            .filter(|p| match p.chain_link_id {
                Some(x) if own.contains(&x) => x == l.id,
                _ => fenglai_chains::belongs(
                    &lc,
                    &kw,
                    p.industry_code.as_deref().unwrap_or(""),
                    p.description.as_deref().unwrap_or(""),
                ),
            })
            .filter(|p| p.stage != Some(Stage::Dropped))
            .cloned()
            .collect();
        s.pipeline = serving.len() as i64;
        for p in serving
            .iter()
            .filter(|p| stage_in(p, &[Stage::Producing, Stage::AtCapacity]))
        {
            s.producing += 1;
            s.output_yuan += p.expected_output_yuan.map_or(0, |y| y.0);
            s.tax_yuan += p.expected_tax_yuan.map_or(0, |y| y.0);
        }
        let cl = fenglai_chains::classify(&s, &rules);
        let tied: Vec<&PipelineLead> = pipeline
            .iter()
            .filter(|p| p.chain_link_id == Some(l.id))
            .collect();
        let figures = Figures {
            targets: targeted.get(&l.id).copied().unwrap_or(0),
            leads: tied.len() as i64,
            projects: tied.iter().filter(|p| p.project_id.is_some()).count() as i64,
            started: tied.iter().filter(|p| stage_in(p, STARTED)).count() as i64,
            producing: tied
                .iter()
                .filter(|p| stage_in(p, &[Stage::Producing, Stage::AtCapacity]))
                .count() as i64,
        };
        total.add(&figures);
        let tier = Tier::parse(&l.tier).map(|t| t.label()).unwrap_or("");
        views.push(LinkView {
            tier_label: tier.into(),
            next: edges
                .iter()
                .filter(|e| e.from_link_id == l.id)
                .map(|e| e.to_link_id)
                .collect(),
            codes: lc,
            keywords: kw,
            enterprises: s.enterprises,
            output_yuan: s.output_yuan,
            tax_yuan: s.tax_yuan,
            pipeline: s.pipeline,
            producing: s.producing,
            class: cl.class.as_str().into(),
            class_label: cl.class.label().into(),
            task: cl.class.task().into(),
            reason: cl.reason,
            gap_filled: cl.gap_filled,
            figures,
            leads: serving,
            link: l,
        });
    }
    views.sort_by_key(|v| (Tier::parse(&v.link.tier).ok(), v.link.position));
    Ok(ChainView {
        may_work: may_work(actor, &chain),
        chain,
        links: views,
        edges,
        figures: total,
        lists,
    })
}

/// What a ranking's query parses to.
struct Parsed {
    regions: Vec<KeyRegion>,
    flags: i64,
    limit: usize,
}

fn parse_query(q: &RankQuery, known: &[KeyRegion]) -> Result<Parsed> {
    let mut regions = Vec::new();
    for name in q
        .regions
        .as_deref()
        .unwrap_or("")
        .split([',', '，', '、'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let r = known.iter().find(|k| k.name == name).ok_or_else(|| {
            let names: Vec<&str> = known.iter().map(|k| k.name.as_str()).collect();
            Error::invalid(
                "regions",
                format!("重点区域“{name}”不存在，可选：{}", names.join("、")),
            )
        })?;
        regions.push(r.clone());
    }
    let flags = target::parse_flags(q.flags.as_deref().unwrap_or(""))
        .map_err(|m| Error::invalid("flags", m))?;
    let raw = q.limit.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let limit = match raw {
        None => 200,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                Error::invalid(
                    "limit",
                    format!("数量“{s}”不对：应为 1 至 {MAX_LIMIT} 的整数"),
                )
            })?,
    };
    Ok(Parsed {
        regions,
        flags,
        limit: limit as usize,
    })
}

async fn rank_in(c: &mut Conn, link: &Link, q: &RankQuery) -> Result<Vec<Ranked>> {
    let (_, known, home) = settings_in(c).await?;
    let p = parse_query(q, &known)?;
    let crit = LinkCriteria {
        codes: split(&link.codes),
        keywords: split(&link.keywords),
    };
    let (codes, classes) = code_sets(&crit.codes);
    let mut provinces: Vec<String> = p.regions.iter().flat_map(|r| r.prefixes.clone()).collect();
    provinces.sort();
    provinces.dedup();
    let rows = store::candidates(
        c,
        &store::CandidateFilter {
            codes,
            classes,
            provinces,
            flags_mask: p.flags,
            home_prefix: home,
        },
    )
    .await?;
    let scored: Vec<(Score, store::Enterprise)> = rows
        .into_iter()
        .filter_map(|e| {
            let cand = Candidate {
                industry_code: e.industry_code.clone(),
                region_code: e.region_code.clone(),
                scope: e.scope.clone(),
                flags: e.flags,
                capital_yuan: e.capital_yuan,
                new_branches: e.new_branches,
                financing_rounds: e.financing_rounds,
            };
            target::score(&crit, &cand, &known).map(|s| (s, e))
        })
        .collect();
    Ok(target::top(scored, p.limit)
        .into_iter()
        .map(|(s, e)| Ranked {
            enterprise_id: e.id,
            uscc: e.uscc,
            name: e.name,
            region_code: e.region_code,
            industry_code: e.industry_code,
            flags: target::flag_labels(e.flags)
                .into_iter()
                .map(String::from)
                .collect(),
            capital_yuan: e.capital_yuan,
            fit: s.fit,
            priority: s.priority,
            score: s.total,
            parts: s
                .parts
                .into_iter()
                .map(|p| ScorePart {
                    label: p.label,
                    points: p.points,
                })
                .collect(),
        })
        .collect())
}

/// Ranks the registry's companies outside the city for a link, best first, each score
/// explained; companies already in the pipeline are left out.
pub async fn rank(app: &App, actor: &Actor, link_id: i64, q: &RankQuery) -> Result<Vec<Ranked>> {
    let mut c = app.db.acquire().await?;
    let (chain, link) = link_for(&mut c, actor, link_id).await?;
    actor.require(may_work(actor, &chain), "为该产业链生成目标")?;
    rank_in(&mut c, &link, q).await
}

/// Ranks and saves the result as a target list.
pub async fn generate(app: &App, actor: &Actor, link_id: i64, q: &RankQuery) -> Result<ListView> {
    let name = q.name.as_deref().map(str::trim).unwrap_or("");
    plain("name", "名单名称", name)?;
    if name.chars().count() > 60 {
        return Err(Error::invalid("name", "名单名称最多 60 字"));
    }
    let ranked = rank(app, actor, link_id, q).await?;
    if ranked.is_empty() {
        return Err(Error::invalid(
            "regions",
            "没有符合条件的目标企业：请放宽区域或标签条件，或先导入企业库",
        ));
    }
    let mut tx = Tx::begin(app).await?;
    let (chain, link) = link_for(tx.conn(), actor, link_id).await?;
    let name = if name.is_empty() {
        format!("{}·{} 目标名单 {}", chain.name, link.name, crate::today())
    } else {
        name.to_string()
    };
    let filters = serde_json::json!({"regions": q.regions, "flags": q.flags, "limit": q.limit});
    let list_id = store::insert_list(
        tx.conn(),
        chain.id,
        link.id,
        &name,
        &filters.to_string(),
        actor.id(),
    )
    .await?;
    let list = store::list(tx.conn(), list_id)
        .await?
        .ok_or(Error::NotFound)?;
    let rows: Vec<store::NewTarget> = ranked
        .iter()
        .enumerate()
        .map(|(i, r)| store::NewTarget {
            enterprise_id: r.enterprise_id,
            rank: i as i64 + 1,
            uscc: r.uscc.clone(),
            name: r.name.clone(),
            region_code: r.region_code.clone(),
            industry_code: r.industry_code.clone(),
            flags: target::parse_flags(&r.flags.join("|")).unwrap_or(0),
            capital_yuan: r.capital_yuan,
            score: r.score,
            explanation: serde_json::to_string(
                &r.parts
                    .iter()
                    .map(|p| target::Part {
                        label: p.label.clone(),
                        points: p.points,
                    })
                    .collect::<Vec<_>>(),
            )
            .unwrap_or_default(),
        })
        .collect();
    store::insert_targets(tx.conn(), &list, &rows).await?;
    let note = serde_json::json!({"list": list, "targets": rows.len()});
    tx.record::<(), _>(
        Some(actor),
        "target_list",
        list_id,
        "create",
        None,
        Some(&note),
    )
    .await?;
    tx.commit().await?;
    target_list(app, actor, list_id).await
}

fn target_view(t: Target) -> TargetView {
    let parts: Vec<target::Part> = serde_json::from_str(&t.explanation).unwrap_or_default();
    TargetView {
        flags: target::flag_labels(t.flags)
            .into_iter()
            .map(String::from)
            .collect(),
        parts: parts
            .into_iter()
            .map(|p| ScorePart {
                label: p.label,
                points: p.points,
            })
            .collect(),
        target: t,
    }
}

pub async fn target_list(app: &App, actor: &Actor, id: i64) -> Result<ListView> {
    let mut c = app.db.acquire().await?;
    let list = store::list(&mut c, id).await?.ok_or(Error::NotFound)?;
    let (chain, link) = link_for(&mut c, actor, list.link_id).await?;
    let targets = store::targets_of_list(&mut c, id)
        .await?
        .into_iter()
        .map(target_view)
        .collect();
    Ok(ListView {
        list,
        chain,
        link,
        targets,
    })
}

async fn target_for(c: &mut Conn, actor: &Actor, id: i64) -> Result<(Chain, Link, Target)> {
    let t = store::target(c, id).await?.ok_or(Error::NotFound)?;
    let (chain, link) = link_for(c, actor, t.link_id).await?;
    Ok((chain, link, t))
}

/// The chain a link belongs to, if the actor may see it (out of reach: not found).
pub async fn chain_of_link(app: &App, actor: &Actor, link_id: i64) -> Result<i64> {
    let mut c = app.db.acquire().await?;
    Ok(link_for(&mut c, actor, link_id).await?.0.id)
}

/// The target list a target is on, if the actor may see it (out of reach: not found).
pub async fn list_of_target(app: &App, actor: &Actor, id: i64) -> Result<i64> {
    let mut c = app.db.acquire().await?;
    Ok(target_for(&mut c, actor, id).await?.2.list_id)
}

/// Assigns a target to a 招商人 or a unit (a stationed office), or both.
pub async fn assign(app: &App, actor: &Actor, id: i64, input: &AssignInput) -> Result<TargetView> {
    let mut tx = Tx::begin(app).await?;
    let (chain, _, before) = target_for(tx.conn(), actor, id).await?;
    actor.require(may_work(actor, &chain), "指派该产业链的目标")?;
    if input.user_id.is_none() && input.unit_id.is_none() {
        return Err(Error::invalid("user_id", "请选择指派给的招商人或单位"));
    }
    if let Some(u) = input.user_id {
        let user = org::user(tx.conn(), u)
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| Error::invalid("user_id", "招商人不存在"))?;
        if user.role != Role::Promoter {
            return Err(Error::invalid("user_id", "只能指派给“招商人”角色的用户"));
        }
    }
    if let Some(u) = input.unit_id {
        org::unit(tx.conn(), u)
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| Error::invalid("unit_id", "单位不存在"))?;
    }
    store::assign_target(tx.conn(), id, input.user_id, input.unit_id).await?;
    let after = store::target(tx.conn(), id).await?.ok_or(Error::NotFound)?;
    tx.record(
        Some(actor),
        "target",
        id,
        "assign",
        Some(&before),
        Some(&after),
    )
    .await?;
    if let Some(u) = input.user_id.filter(|u| *u != actor.id()) {
        crate::notify::send(
            &mut tx,
            &crate::notify::Notice {
                user_id: u,
                kind: "target_assigned".into(),
                title: format!("产业链目标：{}", after.name),
                body: format!(
                    "{} 指派给您一个产业链招商目标：{}",
                    actor.user.display_name, after.name
                ),
                link: Some(format!("/target-lists/{}", after.list_id)),
                dedupe_key: format!("target:{id}:assign:{u}"),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(target_view(after))
}

/// Turns a target into a lead in one step: the lead is reported by the caller (who may
/// report leads, or is the chain's chief), carries the company's credit code, industry and
/// region, and remembers the link it serves.
pub async fn convert(app: &App, actor: &Actor, id: i64) -> Result<fenglai_store::leads::Lead> {
    let mut tx = Tx::begin(app).await?;
    let (chain, link, t) = target_for(tx.conn(), actor, id).await?;
    // the chain's chief reports for the chain (a 领导 reports no leads otherwise)
    let chief = chain.chief_user_id == Some(actor.id());
    actor.require(
        may_work(actor, &chain) && (chief || actor.role.may_report_leads()),
        "把该产业链的目标转为线索",
    )?;
    if t.lead_id.is_some() {
        return Err(Error::Conflict("该目标已转为线索".into()));
    }
    let domestic = t.region_code.len() == 6 && t.region_code.bytes().all(|b| b.is_ascii_digit());
    let input = LeadInput {
        company_name: t.name.clone(),
        uscc: Some(t.uscc.clone()),
        industry_code: Some(t.industry_code.clone()),
        region_code: domestic.then(|| t.region_code.clone()),
        description: Some(format!(
            "产业链招商目标：{}·{}（第 {} 名，得分 {}）",
            chain.name, link.name, t.rank, t.score
        )),
        channel: Some("promoter".into()),
        ..LeadInput::default()
    };
    let new = match crate::leads::validate(tx.conn(), &input, actor).await {
        // a region the code table lacks (香港, 台湾) stays in the description
        Err(Error::Invalid { field, .. }) if field == "region_code" => {
            let input = LeadInput {
                region_code: None,
                ..input
            };
            crate::leads::validate(tx.conn(), &input, actor).await?
        }
        other => other?,
    };
    let lead_id = fenglai_store::leads::insert(tx.conn(), &new).await?;
    store::set_lead_link(tx.conn(), lead_id, link.id).await?;
    if !store::set_target_lead(tx.conn(), id, lead_id).await? {
        return Err(Error::Conflict("该目标已转为线索".into()));
    }
    let lead = fenglai_store::leads::get(tx.conn(), lead_id, &Scope::All)
        .await?
        .ok_or(Error::NotFound)?;
    tx.record::<(), _>(Some(actor), "lead", lead_id, "create", None, Some(&lead))
        .await?;
    let note = serde_json::json!({"lead_id": lead_id, "chain_link_id": link.id});
    tx.record::<(), _>(Some(actor), "target", id, "convert", None, Some(&note))
        .await?;
    crate::merges::queue_lookalikes(tx.conn(), &lead).await?;
    tx.commit().await?;
    Ok(lead)
}

/// The 招商地图 of a chain (or one link): targets per province, the city's parks with the
/// links their leading industries host, and the targets of one province when asked.
#[derive(Debug, Clone)]
pub struct MapData {
    pub chain: Chain,
    pub link_id: Option<i64>,
    /// (two-digit province or country code, count)
    pub provinces: Vec<ProvinceCount>,
    pub parks: Vec<ParkLinks>,
    pub province: Option<String>,
    pub targets: Vec<TargetView>,
}

#[derive(Debug, Clone)]
pub struct ProvinceCount {
    pub code: String,
    pub count: i64,
}

#[derive(Debug, Clone)]
pub struct ParkLinks {
    pub park_id: i64,
    pub park_name: String,
    pub links: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapQuery {
    /// one link of the chain (its id)
    pub link: Option<String>,
    /// two-digit province (or country) code whose targets to list
    pub province: Option<String>,
}

pub async fn map(app: &App, actor: &Actor, chain_id: i64, q: &MapQuery) -> Result<MapData> {
    let mut c = app.db.acquire().await?;
    let chain = chain_for(&mut c, actor, chain_id).await?;
    let links = store::links(&mut c, chain_id).await?;
    let link = match q.link.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse::<i64>()
                .ok()
                .filter(|l| links.iter().any(|x| x.id == *l))
                .ok_or_else(|| Error::invalid("link", format!("环节“{s}”不属于本产业链")))?,
        ),
    };
    let province = q
        .province
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    if let Some(p) = province {
        if p.len() != 2 || !p.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::invalid(
                "province",
                format!("省份代码“{p}”不对：应为两位代码，如 32"),
            ));
        }
    }
    let all = store::targets_of_chain(&mut c, chain_id, link, None).await?;
    let mut counts: HashMap<String, HashSet<i64>> = HashMap::new();
    for t in &all {
        counts
            .entry(target::province(&t.region_code).to_string())
            .or_default()
            .insert(t.enterprise_id);
    }
    let mut provinces: Vec<ProvinceCount> = counts
        .into_iter()
        .map(|(code, s)| ProvinceCount {
            code,
            count: s.len() as i64,
        })
        .collect();
    provinces.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
    let targets = match province {
        Some(p) => all
            .into_iter()
            .filter(|t| target::province(&t.region_code) == p)
            .map(target_view)
            .collect(),
        None => Vec::new(),
    };
    let mut parks = Vec::new();
    for park in crate::parks::all(app).await? {
        let hosted: Vec<String> = links
            .iter()
            .filter(|l| {
                let lc = split(&l.codes);
                park.industries.iter().any(|i| {
                    fenglai_chains::code_fit(&lc, &i.industry_code) != fenglai_chains::CodeFit::None
                })
            })
            .map(|l| l.name.clone())
            .collect();
        parks.push(ParkLinks {
            park_id: park.profile.park_id,
            park_name: park.profile.park_name.clone(),
            links: hosted,
        });
    }
    Ok(MapData {
        chain,
        link_id: link,
        provinces,
        parks,
        province: province.map(str::to_string),
        targets,
    })
}
