//! The API's types of industry chains, rankings, target lists and the 招商地图, mapped
//! from what app returns; requests mapped into app's inputs.

use fenglai_app::chains as app;
use fenglai_store::chains as store;
use serde::{Deserialize, Serialize};

/// A chain with its chief's and office's names and the office's path (for visibility).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Chain {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// 链长: a leader
    pub chief_user_id: Option<i64>,
    pub chief_name: Option<String>,
    /// 链办: the unit that runs the chain
    pub office_unit_id: i64,
    pub office_name: String,
    /// the template it was made from
    pub template: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<store::Chain> for Chain {
    fn from(x: store::Chain) -> Chain {
        Chain {
            id: x.id,
            name: x.name,
            description: x.description,
            chief_user_id: x.chief_user_id,
            chief_name: x.chief_name,
            office_unit_id: x.office_unit_id,
            office_name: x.office_name,
            template: x.template,
            created_at: x.created_at.to_string(),
            updated_at: x.updated_at.to_string(),
        }
    }
}

/// A link of a chain; codes and keywords comma-separated.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Link {
    pub id: i64,
    pub chain_id: i64,
    pub name: String,
    /// upstream, midstream, downstream
    pub tier: String,
    pub codes: String,
    pub keywords: String,
    pub position: i64,
}

impl From<store::Link> for Link {
    fn from(x: store::Link) -> Link {
        Link {
            id: x.id,
            chain_id: x.chain_id,
            name: x.name,
            tier: x.tier,
            codes: x.codes,
            keywords: x.keywords,
            position: x.position,
        }
    }
}

/// An active edge: `from` supplies `to`.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct Edge {
    pub from_link_id: i64,
    pub to_link_id: i64,
}

impl From<store::Edge> for Edge {
    fn from(x: store::Edge) -> Edge {
        Edge {
            from_link_id: x.from_link_id,
            to_link_id: x.to_link_id,
        }
    }
}

/// A lead of the pipeline that serves a chain: tied to one of its links, or of an
/// industry one of its links names; with its project's stage.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PipelineLead {
    pub lead_id: i64,
    pub company_name: String,
    pub chain_link_id: Option<i64>,
    pub industry_code: Option<String>,
    pub description: Option<String>,
    pub status: String,
    pub project_id: Option<i64>,
    pub stage: Option<String>,
    pub expected_output_yuan: Option<i64>,
    pub expected_tax_yuan: Option<i64>,
}

impl From<store::PipelineLead> for PipelineLead {
    fn from(x: store::PipelineLead) -> PipelineLead {
        PipelineLead {
            lead_id: x.lead_id,
            company_name: x.company_name,
            chain_link_id: x.chain_link_id,
            industry_code: x.industry_code,
            description: x.description,
            status: x.status.as_str().to_string(),
            project_id: x.project_id,
            stage: x.stage.map(|s| s.as_str().to_string()),
            expected_output_yuan: x.expected_output_yuan.map(|y| y.0),
            expected_tax_yuan: x.expected_tax_yuan.map(|y| y.0),
        }
    }
}

/// A saved target list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TargetList {
    pub id: i64,
    pub chain_id: i64,
    pub link_id: i64,
    pub name: String,
    /// the filters it was made with, JSON
    pub filters: String,
    pub created_by: i64,
    pub created_at: String,
}

impl From<store::TargetList> for TargetList {
    fn from(x: store::TargetList) -> TargetList {
        TargetList {
            id: x.id,
            chain_id: x.chain_id,
            link_id: x.link_id,
            name: x.name,
            filters: x.filters,
            created_by: x.created_by,
            created_at: x.created_at.to_string(),
        }
    }
}

/// A target as a list shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Target {
    pub id: i64,
    pub list_id: i64,
    pub chain_id: i64,
    pub link_id: i64,
    pub enterprise_id: i64,
    pub rank: i64,
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub industry_code: String,
    pub flags: i64,
    pub capital_yuan: i64,
    pub score: i64,
    /// the score's parts, JSON `[{"label","points"}]`
    pub explanation: String,
    pub assignee_user_id: Option<i64>,
    pub assignee_user_name: Option<String>,
    pub assignee_unit_id: Option<i64>,
    pub assignee_unit_name: Option<String>,
    pub lead_id: Option<i64>,
}

impl From<store::Target> for Target {
    fn from(x: store::Target) -> Target {
        Target {
            id: x.id,
            list_id: x.list_id,
            chain_id: x.chain_id,
            link_id: x.link_id,
            enterprise_id: x.enterprise_id,
            rank: x.rank,
            uscc: x.uscc,
            name: x.name,
            region_code: x.region_code,
            industry_code: x.industry_code,
            flags: x.flags,
            capital_yuan: x.capital_yuan,
            score: x.score,
            explanation: x.explanation,
            assignee_user_id: x.assignee_user_id,
            assignee_user_name: x.assignee_user_name,
            assignee_unit_id: x.assignee_unit_id,
            assignee_unit_name: x.assignee_unit_name,
            lead_id: x.lead_id,
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
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

impl From<ChainInput> for app::ChainInput {
    fn from(x: ChainInput) -> app::ChainInput {
        app::ChainInput {
            name: x.name,
            description: x.description,
            chief_user_id: x.chief_user_id,
            office_unit_id: x.office_unit_id,
            template: x.template,
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
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

impl From<LinkInput> for app::LinkInput {
    fn from(x: LinkInput) -> app::LinkInput {
        app::LinkInput {
            name: x.name,
            tier: x.tier,
            codes: x.codes,
            keywords: x.keywords,
            next: x.next,
        }
    }
}

/// What a ranking looks for.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
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

impl From<RankQuery> for app::RankQuery {
    fn from(x: RankQuery) -> app::RankQuery {
        app::RankQuery {
            regions: x.regions,
            flags: x.flags,
            limit: x.limit,
            name: x.name,
        }
    }
}

/// What a saved target list is generated from.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
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

impl From<GenerateInput> for app::GenerateInput {
    fn from(x: GenerateInput) -> app::GenerateInput {
        app::GenerateInput {
            regions: x.regions,
            flags: x.flags,
            limit: x.limit,
            name: x.name,
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    /// a 招商人
    pub user_id: Option<i64>,
    /// a unit, e.g. a stationed office (驻外招商联络处)
    pub unit_id: Option<i64>,
}

impl From<AssignInput> for app::AssignInput {
    fn from(x: AssignInput) -> app::AssignInput {
        app::AssignInput {
            user_id: x.user_id,
            unit_id: x.unit_id,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChainSettings {
    pub class_rules: ClassRulesDto,
    pub key_regions: Vec<KeyRegionDto>,
    /// the city's GB/T 2260 prefix, e.g. 3411: its enterprises are local, never targets
    pub home_region: Option<String>,
}

impl From<ChainSettings> for app::ChainSettings {
    fn from(x: ChainSettings) -> app::ChainSettings {
        app::ChainSettings {
            class_rules: x.class_rules.into(),
            key_regions: x.key_regions.into_iter().map(Into::into).collect(),
            home_region: x.home_region,
        }
    }
}

impl From<app::ChainSettings> for ChainSettings {
    fn from(x: app::ChainSettings) -> ChainSettings {
        ChainSettings {
            class_rules: x.class_rules.into(),
            key_regions: x.key_regions.into_iter().map(Into::into).collect(),
            home_region: x.home_region,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassRulesDto {
    pub strong_min_enterprises: i64,
    pub strong_min_output_yuan: i64,
    pub weak_min_enterprises: i64,
}

impl From<ClassRulesDto> for app::ClassRulesDto {
    fn from(x: ClassRulesDto) -> app::ClassRulesDto {
        app::ClassRulesDto {
            strong_min_enterprises: x.strong_min_enterprises,
            strong_min_output_yuan: x.strong_min_output_yuan,
            weak_min_enterprises: x.weak_min_enterprises,
        }
    }
}

impl From<app::ClassRulesDto> for ClassRulesDto {
    fn from(x: app::ClassRulesDto) -> ClassRulesDto {
        ClassRulesDto {
            strong_min_enterprises: x.strong_min_enterprises,
            strong_min_output_yuan: x.strong_min_output_yuan,
            weak_min_enterprises: x.weak_min_enterprises,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRegionDto {
    pub name: String,
    /// two-digit provinces (32) or ISO countries (JP)
    pub prefixes: Vec<String>,
}

impl From<KeyRegionDto> for app::KeyRegionDto {
    fn from(x: KeyRegionDto) -> app::KeyRegionDto {
        app::KeyRegionDto {
            name: x.name,
            prefixes: x.prefixes,
        }
    }
}

impl From<app::KeyRegionDto> for KeyRegionDto {
    fn from(x: app::KeyRegionDto) -> KeyRegionDto {
        KeyRegionDto {
            name: x.name,
            prefixes: x.prefixes,
        }
    }
}

/// targets → leads → projects → started → producing
#[derive(Debug, Clone, Copy, Default, Serialize, utoipa::ToSchema)]
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

impl From<app::Figures> for Figures {
    fn from(x: app::Figures) -> Figures {
        Figures {
            targets: x.targets,
            leads: x.leads,
            projects: x.projects,
            started: x.started,
            producing: x.producing,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

impl From<app::LinkView> for LinkView {
    fn from(x: app::LinkView) -> LinkView {
        LinkView {
            link: x.link.into(),
            tier_label: x.tier_label,
            codes: x.codes,
            keywords: x.keywords,
            next: x.next,
            enterprises: x.enterprises,
            output_yuan: x.output_yuan,
            tax_yuan: x.tax_yuan,
            pipeline: x.pipeline,
            producing: x.producing,
            class: x.class,
            class_label: x.class_label,
            task: x.task,
            reason: x.reason,
            gap_filled: x.gap_filled,
            figures: x.figures.into(),
            leads: x.leads.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChainView {
    pub chain: Chain,
    pub links: Vec<LinkView>,
    pub edges: Vec<Edge>,
    pub figures: Figures,
    pub lists: Vec<TargetList>,
    /// whether the caller may edit and work the chain
    pub may_work: bool,
}

impl From<app::ChainView> for ChainView {
    fn from(x: app::ChainView) -> ChainView {
        ChainView {
            chain: x.chain.into(),
            links: x.links.into_iter().map(Into::into).collect(),
            edges: x.edges.into_iter().map(Into::into).collect(),
            figures: x.figures.into(),
            lists: x.lists.into_iter().map(Into::into).collect(),
            may_work: x.may_work,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScorePart {
    pub label: String,
    pub points: i64,
}

impl From<app::ScorePart> for ScorePart {
    fn from(x: app::ScorePart) -> ScorePart {
        ScorePart {
            label: x.label,
            points: x.points,
        }
    }
}

/// A company ranked for a link, with its score explained.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

impl From<app::Ranked> for Ranked {
    fn from(x: app::Ranked) -> Ranked {
        Ranked {
            enterprise_id: x.enterprise_id,
            uscc: x.uscc,
            name: x.name,
            region_code: x.region_code,
            industry_code: x.industry_code,
            flags: x.flags,
            capital_yuan: x.capital_yuan,
            fit: x.fit,
            priority: x.priority,
            score: x.score,
            parts: x.parts.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListView {
    pub list: TargetList,
    pub chain: Chain,
    pub link: Link,
    pub targets: Vec<TargetView>,
}

impl From<app::ListView> for ListView {
    fn from(x: app::ListView) -> ListView {
        ListView {
            list: x.list.into(),
            chain: x.chain.into(),
            link: x.link.into(),
            targets: x.targets.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TargetView {
    pub target: Target,
    pub flags: Vec<String>,
    pub parts: Vec<ScorePart>,
}

impl From<app::TargetView> for TargetView {
    fn from(x: app::TargetView) -> TargetView {
        TargetView {
            target: x.target.into(),
            flags: x.flags,
            parts: x.parts.into_iter().map(Into::into).collect(),
        }
    }
}

/// The 招商地图 of a chain (or one link): targets per province, the city's parks with the
/// links their leading industries host, and the targets of one province when asked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MapData {
    pub chain: Chain,
    pub link_id: Option<i64>,
    /// (two-digit province or country code, count)
    pub provinces: Vec<ProvinceCount>,
    pub parks: Vec<ParkLinks>,
    pub province: Option<String>,
    pub targets: Vec<TargetView>,
}

impl From<app::MapData> for MapData {
    fn from(x: app::MapData) -> MapData {
        MapData {
            chain: x.chain.into(),
            link_id: x.link_id,
            provinces: x.provinces.into_iter().map(Into::into).collect(),
            parks: x.parks.into_iter().map(Into::into).collect(),
            province: x.province,
            targets: x.targets.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProvinceCount {
    pub code: String,
    pub count: i64,
}

impl From<app::ProvinceCount> for ProvinceCount {
    fn from(x: app::ProvinceCount) -> ProvinceCount {
        ProvinceCount {
            code: x.code,
            count: x.count,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ParkLinks {
    pub park_id: i64,
    pub park_name: String,
    pub links: Vec<String>,
}

impl From<app::ParkLinks> for ParkLinks {
    fn from(x: app::ParkLinks) -> ParkLinks {
        ParkLinks {
            park_id: x.park_id,
            park_name: x.park_name,
            links: x.links,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MapQuery {
    /// one link of the chain (its id)
    pub link: Option<String>,
    /// two-digit province (or country) code whose targets to list
    pub province: Option<String>,
}

impl From<MapQuery> for app::MapQuery {
    fn from(x: MapQuery) -> app::MapQuery {
        app::MapQuery {
            link: x.link,
            province: x.province,
        }
    }
}
