//! Reporting, reading and admitting leads.

use crate::audit::Tx;
use crate::{today, Actor, App, Error, Result};
use fenglai_domain::{
    dates, names, Channel, CreditCode, IndustryCode, LeadStatus, RegionCode, Role, Uscc, Yuan,
};
use fenglai_store::leads::{self, Filter, Lead, NewLead, Sort};
use fenglai_store::projects::{self, NewHistory, NewProject, Project};
use fenglai_store::reference::{self, Table};
use fenglai_store::{org, Conn};
use serde::Deserialize;

/// A lead as reported. Only `company_name` is required.
#[derive(Debug, Clone, Default)]
pub struct LeadInput {
    pub company_name: String,
    pub uscc: Option<String>,
    /// GB/T 4754-2017 code, e.g. "3982"
    pub industry_code: Option<String>,
    /// GB/T 2260 code of the company's origin, e.g. "320500"
    pub region_code: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub description: Option<String>,
    pub planned_investment_yuan: Option<i64>,
    pub land_mu: Option<f64>,
    pub expected_jobs: Option<i64>,
    /// promoter, stationed_office, enterprise_referral, association, third_party, event
    pub channel: Option<String>,
    /// YYYY-MM-DD; defaults to today
    pub reported_date: Option<String>,
    /// 环评类别: 报告书, 报告表 or 登记表
    pub env_category: Option<String>,
    /// expected annual tax in production, yuan
    pub expected_tax_yuan: Option<i64>,
    /// expected annual output value in production, yuan
    pub expected_output_yuan: Option<i64>,
    /// expected annual energy use, tonnes of standard coal (吨标准煤)
    pub energy_tce: Option<f64>,
    /// power needed, kVA
    pub power_kva: Option<i64>,
    /// 世界500强, 中国500强, 央企, 上市公司 (codes or names, comma-separated)
    pub investor_tags: Option<String>,
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

const MAX_YUAN: i64 = 10_000_000_000_000; // 10 万亿

/// What validation needs to know about the code tables.
pub trait Codes {
    /// The GB/T 4754 section of an industry code, if the code is in the table.
    fn industry_section(&self, code: &str) -> Option<String>;
    /// Whether a GB/T 2260 code is in the table.
    fn region_known(&self, code: &str) -> bool;
}

/// The code-table facts about one input, read from the database.
struct OneInput {
    section: Option<String>,
    region_known: bool,
}

impl Codes for OneInput {
    fn industry_section(&self, _: &str) -> Option<String> {
        self.section.clone()
    }
    fn region_known(&self, _: &str) -> bool {
        self.region_known
    }
}

/// Validates input into a row to insert; the first problem found names its field.
pub async fn validate(conn: &mut Conn, input: &LeadInput, actor: &Actor) -> Result<NewLead> {
    let section = match opt(&input.industry_code).map(IndustryCode::parse) {
        Some(Ok(code)) => reference::industry_section(conn, code.as_str()).await?,
        _ => None,
    };
    let region_known = match opt(&input.region_code).map(RegionCode::parse) {
        Some(Ok(code)) => reference::get(conn, Table::Regions, code.as_str())
            .await?
            .is_some(),
        _ => false,
    };
    check(
        input,
        actor,
        &OneInput {
            section,
            region_known,
        },
    )
}

/// The rules of [`validate`] without the database: the code tables come from `codes`
/// (a ledger import checks every row against tables it read once).
pub fn check(input: &LeadInput, actor: &Actor, codes: &impl Codes) -> Result<NewLead> {
    // Invisible characters (zero-width, bidi overrides, controls) are dropped from every
    // text; a name of nothing else is refused by name.
    let name = names::visible("company_name", "企业名称", &input.company_name, false)?
        .ok_or_else(|| Error::invalid("company_name", "请填写企业名称"))?;
    let contact_name = names::visible(
        "contact_name",
        "联系人",
        input.contact_name.as_deref().unwrap_or(""),
        false,
    )?;
    let contact_phone = names::visible(
        "contact_phone",
        "联系电话",
        input.contact_phone.as_deref().unwrap_or(""),
        false,
    )?;
    let description = names::visible(
        "description",
        "项目简介",
        input.description.as_deref().unwrap_or(""),
        true,
    )?;
    if name.chars().count() > 100 {
        return Err(Error::invalid("company_name", "企业名称不能超过100个字"));
    }
    let uscc = match opt(&input.uscc) {
        Some(u) => Some(CreditCode::from(
            Uscc::parse(u).map_err(|e| Error::invalid("uscc", e.to_string()))?,
        )),
        None => None,
    };
    let (industry_code, industry_section) = match opt(&input.industry_code) {
        Some(c) => {
            let code = IndustryCode::parse(c)?;
            let section = codes.industry_section(code.as_str()).ok_or_else(|| {
                Error::invalid(
                    "industry_code",
                    format!("行业代码“{}”不在 GB/T 4754-2017 中", code.as_str()),
                )
            })?;
            (Some(code.as_str().to_string()), Some(section))
        }
        None => (None, None),
    };
    let region_code = match opt(&input.region_code) {
        Some(c) => {
            let code = RegionCode::parse(c)?;
            if !codes.region_known(code.as_str()) {
                return Err(Error::invalid(
                    "region_code",
                    format!("地区代码“{}”不在 GB/T 2260 中", code.as_str()),
                ));
            }
            Some(code.as_str().to_string())
        }
        None => None,
    };
    if let Some(v) = input.planned_investment_yuan {
        if !(0..=MAX_YUAN).contains(&v) {
            return Err(Error::invalid(
                "planned_investment_yuan",
                "计划投资应在0到10万亿元之间（单位：元）",
            ));
        }
    }
    if let Some(m) = input.land_mu {
        if !m.is_finite() || !(0.0..=1_000_000.0).contains(&m) {
            return Err(Error::invalid("land_mu", "用地需求应为0到100万亩之间的数"));
        }
    }
    if let Some(j) = input.expected_jobs {
        if !(0..=10_000_000).contains(&j) {
            return Err(Error::invalid(
                "expected_jobs",
                "预计就业人数应为0到1000万之间的整数",
            ));
        }
    }
    let env_category = match opt(&input.env_category) {
        Some(c) => Some(env_category(c)?),
        None => None,
    };
    for (field, v, label) in [
        ("expected_tax_yuan", input.expected_tax_yuan, "预计年税收"),
        (
            "expected_output_yuan",
            input.expected_output_yuan,
            "预计年产值",
        ),
    ] {
        if v.is_some_and(|v| !(0..=MAX_YUAN).contains(&v)) {
            return Err(Error::invalid(
                field,
                format!("{label}应在0到10万亿元之间（单位：元）"),
            ));
        }
    }
    if let Some(e) = input.energy_tce {
        if !e.is_finite() || !(0.0..=100_000_000.0).contains(&e) {
            return Err(Error::invalid(
                "energy_tce",
                "年综合能耗应为0到1亿吨标准煤之间的数",
            ));
        }
    }
    if input
        .power_kva
        .is_some_and(|p| !(0..=100_000_000).contains(&p))
    {
        return Err(Error::invalid(
            "power_kva",
            "用电需求应为0到1亿千伏安之间的整数",
        ));
    }
    let channel = match opt(&input.channel) {
        Some(c) => Some(Channel::parse(c)?),
        None => None,
    };
    let reported_date = match opt(&input.reported_date) {
        Some(d) => {
            let d = dates::parse(d, "reported_date")?;
            if d > today() {
                return Err(Error::invalid("reported_date", "报送日期不能晚于今天"));
            }
            d
        }
        None => today(),
    };
    for (field, v, max) in [
        ("contact_name", &contact_name, 50),
        ("contact_phone", &contact_phone, 30),
        ("description", &description, 2000),
    ] {
        if v.as_ref().is_some_and(|s| s.chars().count() > max) {
            return Err(Error::invalid(field, format!("不能超过{max}个字")));
        }
    }
    Ok(NewLead {
        company_name: name,
        uscc,
        industry_code,
        industry_section,
        region_code,
        contact_name,
        contact_phone,
        description,
        planned_investment_yuan: input.planned_investment_yuan.map(Yuan),
        land_mu: input.land_mu,
        expected_jobs: input.expected_jobs,
        channel,
        reported_by: actor.id(),
        reporting_unit_id: actor.user.unit_id,
        reported_date,
        env_category,
        expected_tax_yuan: input.expected_tax_yuan.map(Yuan),
        expected_output_yuan: input.expected_output_yuan.map(Yuan),
        energy_tce: input.energy_tce,
        power_kva: input.power_kva,
    })
}

/// One of 报告书, 报告表, 登记表.
pub fn env_category(s: &str) -> Result<String> {
    let t = s.trim();
    if fenglai_domain::redline::ENV_CATEGORIES.contains(&t) {
        Ok(t.to_string())
    } else {
        Err(Error::invalid(
            "env_category",
            format!("环评类别“{t}”不对：应为报告书、报告表或登记表"),
        ))
    }
}

pub async fn create(app: &App, actor: &Actor, input: &LeadInput) -> Result<Lead> {
    actor.require(actor.role.may_report_leads(), "报送线索")?;
    // the code tables never change under a running server: read them before taking the
    // write lock, so that the lock is held for the writes and the duplicate check only
    let new = validate(&mut app.db.acquire().await?, input, actor).await?;
    let tags = fenglai_domain::assess::parse_tags(input.investor_tags.as_deref().unwrap_or(""))?;
    // Group commit: whoever gets the turn to write next writes every lead waiting, in
    // one transaction (see `Db::group_commit`).
    let item = Waiting {
        actor: actor.clone(),
        new,
        tags,
    };
    let writer = app.clone();
    app.db
        .group_commit(&app.leads_waiting, item, move |batch, turn| {
            write_group(writer, turn, batch)
        })
        .await
        .unwrap_or_else(|| Err(gone()))
}

/// The most leads written in one transaction.
pub(crate) const GROUP_COMMIT_MAX: usize = 256;

/// A lead validated and waiting for its turn to be written ([`create`]).
pub(crate) struct Waiting {
    actor: Actor,
    new: NewLead,
    tags: String,
}

fn gone() -> Error {
    Error::Internal("the lead writer stopped before answering".into())
}

/// Writes `batch` in one transaction and answers each lead, holding the turn throughout.
/// If anything in it fails, nothing of it is kept and each lead is written again alone,
/// so that one lead's failure is that lead's answer only.
async fn write_group(
    app: App,
    turn: fenglai_store::Turn,
    batch: Vec<Waiting>,
) -> Vec<Result<Lead>> {
    match write_together(&app, &turn, &batch).await {
        Ok(leads) => leads.into_iter().map(Ok).collect(),
        Err(e) => {
            if batch.len() > 1 {
                tracing::warn!(
                    "writing {} leads together failed ({e}); one at a time",
                    batch.len()
                );
            }
            let mut answers = Vec::with_capacity(batch.len());
            for w in &batch {
                let written = write_together(&app, &turn, std::slice::from_ref(w)).await;
                answers.push(written.map(|mut l| l.remove(0)));
            }
            answers
        }
    }
}

/// The leads of `batch` with their tags (one multi-row insert, ids in queue order), one
/// `create` event each (chained in order, by each lead's reporter) and their 疑似重复
/// pairs with the leads before each, in one transaction; the caller holds the turn.
async fn write_together(
    app: &App,
    turn: &fenglai_store::Turn,
    batch: &[Waiting],
) -> Result<Vec<Lead>> {
    let mut tx = Tx::begin_in_turn(app, turn).await?;
    let n = batch.len() as i64;
    let first = fenglai_store::ledgers::reserve_ids(tx.conn(), "leads", n).await?;
    let rows: Vec<(&NewLead, &str)> = batch.iter().map(|w| (&w.new, w.tags.as_str())).collect();
    leads::insert_many(tx.conn(), first, &rows).await?;
    let written = leads::get_range(tx.conn(), first, first + n - 1).await?;
    if written.len() != batch.len() {
        return Err(Error::Internal("leads written and read back differ".into()));
    }
    let mut head = tx.head();
    let mut events = Vec::with_capacity(batch.len());
    let mut pairs = Vec::new();
    for (w, lead) in batch.iter().zip(&written) {
        let after = serde_json::to_string(lead).unwrap_or_default();
        let event =
            crate::audit::chain(&head, Some(&w.actor), [("lead", lead.id, "create", after)]);
        head = crate::audit::head_after(&event).unwrap_or(head);
        events.extend(event);
        pairs.extend(crate::merges::lookalikes_of(tx.conn(), lead).await?);
    }
    fenglai_store::merges::queue_new(tx.conn(), &pairs).await?;
    tx.append_chained(events).await?;
    tx.commit().await?;
    Ok(written)
}

#[derive(Debug, Clone, Default)]
pub struct TagsInput {
    /// 世界500强, 中国500强, 央企, 上市公司 (codes or names, comma-separated; empty clears)
    pub investor_tags: String,
    /// the version the change is based on (as read); a stale one answers 409 and changes
    /// nothing; none applies the change over whatever is there
    pub version: Option<i64>,
}

/// Sets a lead's investor tags (they weigh its projects in assessment); audited.
pub async fn set_tags(app: &App, actor: &Actor, id: i64, input: &TagsInput) -> Result<Lead> {
    let tags = fenglai_domain::assess::parse_tags(&input.investor_tags)?;
    let mut tx = Tx::begin(app).await?;
    let before = leads::get(tx.conn(), id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require(
        actor.role.may_manage_projects() || before.reported_by == actor.id(),
        "修改企业标签",
    )?;
    crate::expect_version(input.version, before.version)?;
    if before.investor_tags == tags {
        tx.commit().await?;
        return Ok(before);
    }
    leads::set_tags(tx.conn(), id, &tags).await?;
    let after = leads::get(tx.conn(), id, &fenglai_store::Scope::All)
        .await?
        .ok_or(Error::NotFound)?;
    tx.record(
        Some(actor),
        "lead",
        id,
        "update",
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<Lead> {
    let mut c = app.db.acquire().await?;
    Ok(crate::access::reach(&mut c, actor, id).await?.0)
}

/// Query parameters of the lead list, as they arrive (the list page reads them from its
/// query string).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    /// company-name fragment or a whole 统一社会信用代码
    pub q: Option<String>,
    pub status: Option<String>,
    /// section letter or code prefix
    pub industry: Option<String>,
    /// reporting unit (with its subtree)
    pub unit_id: Option<String>,
    /// reported on or after, YYYY-MM-DD
    pub from: Option<String>,
    /// reported on or before, YYYY-MM-DD
    pub to: Option<String>,
    /// -reported_date (default), reported_date, -planned_investment, company_name
    pub sort: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// The smallest string greater than every string that starts with `s`
/// (for digit codes: the last character plus one, "39" → "3:").
fn successor(s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    if let Some(last) = chars.pop() {
        chars.push(char::from_u32(last as u32 + 1).unwrap_or(last));
    }
    chars.into_iter().collect()
}

pub fn page_params(page: &Option<String>, per_page: &Option<String>) -> Result<(i64, i64)> {
    let num = |v: &Option<String>, field: &str, default: i64, max: i64| -> Result<i64> {
        match opt(v) {
            None => Ok(default),
            Some(s) => s
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| Error::invalid(field, format!("{field} 应为1到{max}之间的整数"))),
        }
    };
    Ok((
        num(page, "page", 1, 1_000_000)?,
        num(per_page, "per_page", 50, 200)?,
    ))
}

pub async fn list(app: &App, actor: &Actor, q: &ListQuery) -> Result<leads::Listing> {
    let (page, per_page) = page_params(&q.page, &q.per_page)?;
    let mut c = app.db.acquire().await?;
    let status = match opt(&q.status) {
        Some(s) => Some(LeadStatus::parse(s)?),
        None => None,
    };
    let (mut industry_section, mut industry_range) = (None, None);
    if let Some(s) = opt(&q.industry) {
        let code = IndustryCode::parse(s).map_err(|mut e| {
            e.field = "industry";
            e
        })?;
        if code.is_section() {
            if reference::section_divisions(&mut c, code.as_str())
                .await?
                .is_none()
            {
                return Err(Error::invalid(
                    "industry",
                    format!("门类“{}”不存在", code.as_str()),
                ));
            }
            industry_section = Some(code.as_str().to_string());
        } else {
            industry_range = Some((code.as_str().to_string(), successor(code.as_str())));
        }
    }
    let unit_path = match opt(&q.unit_id) {
        Some(s) => {
            let id: i64 = s
                .parse()
                .map_err(|_| Error::invalid("unit_id", "unit_id 应为整数"))?;
            Some(
                org::unit(&mut c, id)
                    .await?
                    .ok_or_else(|| Error::invalid("unit_id", "单位不存在"))?
                    .path,
            )
        }
        None => None,
    };
    let date = |v: &Option<String>, f: &'static str| -> Result<Option<chrono::NaiveDate>> {
        Ok(match opt(v) {
            Some(s) => Some(dates::parse(s, f)?),
            None => None,
        })
    };
    let sort = Sort::parse(opt(&q.sort).unwrap_or("")).ok_or_else(|| {
        Error::invalid(
            "sort",
            "sort 可用：-reported_date、reported_date、-planned_investment、company_name",
        )
    })?;
    let f = Filter {
        q: opt(&q.q).map(str::to_string),
        status,
        industry_range,
        industry_section,
        unit_path,
        from: date(&q.from, "from")?,
        to: date(&q.to, "to")?,
        sort,
        offset: (page - 1) * per_page,
        limit: per_page,
    };
    Ok(leads::list(&mut c, &f, &actor.scope).await?)
}

/// Admitting a lead into the pool (入库) creates its project in `negotiating`.
#[derive(Debug, Clone, Default)]
pub struct AdmitInput {
    /// the receiving park (a unit of kind park)
    pub park_id: Option<i64>,
    /// YYYY-MM-DD; defaults to today
    pub date: Option<String>,
    /// project name; defaults to the company name + 项目
    pub name: Option<String>,
    pub responsible_user_id: Option<i64>,
    /// 环评类别 (报告书, 报告表, 登记表), recorded on the lead if it lacks one
    pub env_category: Option<String>,
}

pub async fn admit(app: &App, actor: &Actor, lead_id: i64, input: &AdmitInput) -> Result<Project> {
    let mut tx = Tx::begin(app).await?;
    let lead = leads::get(tx.conn(), lead_id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    let open = fenglai_store::review::reviews_of_lead(tx.conn(), lead.id)
        .await?
        .into_iter()
        .any(|r| r.status != "decided");
    if open {
        return Err(Error::Conflict("线索正在预审，请由预审决定入库".into()));
    }
    let project = admit_in(&mut tx, actor, lead, input).await?;
    tx.commit().await?;
    Ok(project)
}

/// Admits `lead` inside `tx`: checks role, status and red lines, records the
/// environmental category if given, creates the project and its first history row.
/// The park defaults to the one that accepted the lead.
pub async fn admit_in(
    tx: &mut Tx,
    actor: &Actor,
    mut lead: Lead,
    input: &AdmitInput,
) -> Result<Project> {
    actor.require(
        matches!(actor.role, Role::Admin | Role::Promoter),
        "将线索入库",
    )?;
    let status = lead.status;
    if !matches!(status, LeadStatus::PendingReview | LeadStatus::InReview) {
        return Err(Error::Conflict(format!(
            "线索状态为“{}”，不能入库",
            status.label()
        )));
    }
    let park_id = match input.park_id {
        Some(p) => Some(p),
        None => fenglai_store::routing::of_lead(tx.conn(), lead.id)
            .await?
            .iter()
            .rev()
            .find(|r| r.status == "accepted")
            .map(|r| r.park_id),
    };
    if let Some(pid) = park_id {
        let park = org::unit(tx.conn(), pid).await?;
        if park
            .as_ref()
            .is_none_or(|u| u.kind != fenglai_domain::UnitKind::Park)
        {
            return Err(Error::invalid("park_id", "承接园区不存在"));
        }
    }
    if let Some(uid) = input.responsible_user_id {
        if org::user(tx.conn(), uid).await?.is_none() {
            return Err(Error::invalid("responsible_user_id", "责任人不存在"));
        }
    }
    let date = match opt(&input.date) {
        Some(d) => {
            let d = dates::parse(d, "date")?;
            if d > today() {
                return Err(Error::invalid("date", "入库日期不能晚于今天"));
            }
            if d < lead.reported_date {
                return Err(Error::invalid("date", "入库日期不能早于报送日期"));
            }
            d
        }
        None => today(),
    };
    if let Some(c) = opt(&input.env_category) {
        let c = env_category(c)?;
        if lead.env_category.as_deref() != Some(c.as_str()) {
            let before = lead.clone();
            leads::set_env_category(tx.conn(), lead.id, &c).await?;
            lead.env_category = Some(c);
            tx.record(
                Some(actor),
                "lead",
                lead.id,
                "update",
                Some(&before),
                Some(&lead),
            )
            .await?;
        }
    }
    let red = crate::redlines::report_in(tx.conn(), &lead, park_id).await?;
    if !red.blocking.is_empty() {
        return Err(crate::redlines::blocked(&red));
    }
    let name = names::visible(
        "name",
        "项目名称",
        input.name.as_deref().unwrap_or(""),
        false,
    )?
    .unwrap_or_else(|| format!("{}项目", lead.company_name));
    let section = match &lead.industry_code {
        Some(c) => reference::industry_section(tx.conn(), c).await?,
        None => None,
    };
    let pid = projects::insert(
        tx.conn(),
        &NewProject {
            name,
            lead_id: Some(lead.id),
            company_name: lead.company_name.clone(),
            uscc: lead.uscc.clone(),
            industry_code: lead.industry_code.clone(),
            industry_section: section,
            park_id,
            reporting_unit_id: lead.reporting_unit_id,
            reported_by: lead.reported_by,
            responsible_user_id: input.responsible_user_id.or(Some(actor.id())),
            responsible_leader_id: None,
            planned_investment_yuan: lead.planned_investment_yuan.unwrap_or_default(),
            foreign_capital_usd: None,
            land_mu: lead.land_mu,
            stage_date: date,
        },
    )
    .await?;
    let all = fenglai_store::Scope::All;
    let project = projects::get(tx.conn(), pid, &all)
        .await?
        .ok_or(Error::NotFound)?;
    projects::append_history(
        tx.conn(),
        &NewHistory {
            project: &project,
            stage: fenglai_domain::Stage::Negotiating,
            kind: fenglai_domain::stage::HistoryKind::Admit,
            effective_date: date,
            amount_yuan: None,
            investment_yuan: project.planned_investment_yuan,
            reason: None,
            recorded_by: actor.id(),
        },
    )
    .await?;
    leads::set_status(tx.conn(), lead.id, LeadStatus::Admitted, Some(pid)).await?;
    let after = leads::get(tx.conn(), lead.id, &all).await?;
    tx.record(
        Some(actor),
        "lead",
        lead.id,
        "admit",
        Some(&lead),
        after.as_ref(),
    )
    .await?;
    tx.record::<(), _>(Some(actor), "project", pid, "create", None, Some(&project))
        .await?;
    Ok(project)
}

/// Fills the name-search columns of leads that lack them (after an upgrade or a bulk load).
/// Fills the duplicate-detection key of leads from before it existed.
pub async fn backfill_keys(app: &App) -> Result<u64> {
    let mut after = 0;
    let mut total = 0;
    loop {
        let mut tx = app.db.begin().await?;
        let (n, last) = leads::backfill_keys(&mut tx, after, 5000).await?;
        tx.commit().await?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
        after = last;
    }
}

pub async fn backfill_search(app: &App) -> Result<u64> {
    let mut after = 0;
    let mut total = 0;
    loop {
        let mut tx = app.db.begin().await?;
        let (n, last) = leads::backfill_search(&mut tx, after, 5000).await?;
        tx.commit().await?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
        after = last;
    }
}
