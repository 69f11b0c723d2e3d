//! The fields of a lead or project that a ledger column can hold, their header
//! synonyms, and the units a header names.

use std::fmt;

/// What a column holds. `key()` is the API / JSON name, `label()` the header Fenglai
/// writes, `synonyms()` the headers it recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    CompanyName,
    ProjectName,
    Uscc,
    /// An industry as written: a GB/T 4754 code when it parses as one, else a name.
    Industry,
    /// A column that holds GB/T 4754 codes only.
    IndustryCode,
    /// A region as written (来源地): a GB/T 2260 code when it parses as one, else a name.
    Region,
    RegionCode,
    ContactName,
    ContactPhone,
    Description,
    /// 总投资 / 计划投资: the planned investment, in yuan.
    PlannedInvestment,
    /// 合同金额 / 签约金额, in yuan.
    ContractAmount,
    /// 到资: funds actually paid in, in yuan.
    PaidIn,
    /// 利用外资, in US dollars.
    ForeignCapital,
    /// 用地, in 亩.
    Land,
    /// 就业 / 用工: people.
    Jobs,
    Channel,
    ReportingUnit,
    ReportedDate,
    SignedDate,
    StartedDate,
    Stage,
    Park,
    Responsible,
    Remarks,
}

/// How a field's cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A company or project name: stray spaces removed.
    Name,
    Text,
    Uscc,
    Industry,
    IndustryCode,
    Region,
    RegionCode,
    Phone,
    /// An amount in yuan (人民币).
    Yuan,
    /// An amount in US dollars.
    Usd,
    Land,
    Count,
    Date,
    Stage,
    Channel,
}

impl Field {
    pub const ALL: [Field; 25] = [
        Field::CompanyName,
        Field::ProjectName,
        Field::Uscc,
        Field::Industry,
        Field::IndustryCode,
        Field::Region,
        Field::RegionCode,
        Field::ContactName,
        Field::ContactPhone,
        Field::Description,
        Field::PlannedInvestment,
        Field::ContractAmount,
        Field::PaidIn,
        Field::ForeignCapital,
        Field::Land,
        Field::Jobs,
        Field::Channel,
        Field::ReportingUnit,
        Field::ReportedDate,
        Field::SignedDate,
        Field::StartedDate,
        Field::Stage,
        Field::Park,
        Field::Responsible,
        Field::Remarks,
    ];

    /// The field's name in the API, matching the store's columns where one exists.
    pub fn key(self) -> &'static str {
        match self {
            Field::CompanyName => "company_name",
            Field::ProjectName => "project_name",
            Field::Uscc => "uscc",
            Field::Industry => "industry",
            Field::IndustryCode => "industry_code",
            Field::Region => "region",
            Field::RegionCode => "region_code",
            Field::ContactName => "contact_name",
            Field::ContactPhone => "contact_phone",
            Field::Description => "description",
            Field::PlannedInvestment => "planned_investment_yuan",
            Field::ContractAmount => "contracted_investment_yuan",
            Field::PaidIn => "paid_in_yuan",
            Field::ForeignCapital => "foreign_capital_usd",
            Field::Land => "land_mu",
            Field::Jobs => "expected_jobs",
            Field::Channel => "channel",
            Field::ReportingUnit => "reporting_unit",
            Field::ReportedDate => "reported_date",
            Field::SignedDate => "signed_date",
            Field::StartedDate => "started_date",
            Field::Stage => "stage",
            Field::Park => "park",
            Field::Responsible => "responsible",
            Field::Remarks => "remarks",
        }
    }

    /// The header Fenglai writes (without unit) and names in messages.
    pub fn label(self) -> &'static str {
        match self {
            Field::CompanyName => "企业名称",
            Field::ProjectName => "项目名称",
            Field::Uscc => "统一社会信用代码",
            Field::Industry => "所属行业",
            Field::IndustryCode => "行业代码",
            Field::Region => "来源地",
            Field::RegionCode => "地区代码",
            Field::ContactName => "联系人",
            Field::ContactPhone => "联系电话",
            Field::Description => "项目简介",
            Field::PlannedInvestment => "总投资",
            Field::ContractAmount => "签约金额",
            Field::PaidIn => "到资",
            Field::ForeignCapital => "利用外资",
            Field::Land => "用地",
            Field::Jobs => "就业",
            Field::Channel => "渠道",
            Field::ReportingUnit => "报送单位",
            Field::ReportedDate => "报送日期",
            Field::SignedDate => "签约日期",
            Field::StartedDate => "开工日期",
            Field::Stage => "项目进展",
            Field::Park => "落地园区",
            Field::Responsible => "责任人",
            Field::Remarks => "备注",
        }
    }

    pub fn parse_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key.trim())
    }

    pub fn kind(self) -> ValueKind {
        match self {
            Field::CompanyName | Field::ProjectName => ValueKind::Name,
            Field::Uscc => ValueKind::Uscc,
            Field::Industry => ValueKind::Industry,
            Field::IndustryCode => ValueKind::IndustryCode,
            Field::Region => ValueKind::Region,
            Field::RegionCode => ValueKind::RegionCode,
            Field::ContactPhone => ValueKind::Phone,
            Field::PlannedInvestment | Field::ContractAmount | Field::PaidIn => ValueKind::Yuan,
            Field::ForeignCapital => ValueKind::Usd,
            Field::Land => ValueKind::Land,
            Field::Jobs => ValueKind::Count,
            Field::ReportedDate | Field::SignedDate | Field::StartedDate => ValueKind::Date,
            Field::Stage => ValueKind::Stage,
            Field::Channel => ValueKind::Channel,
            Field::ContactName
            | Field::Description
            | Field::ReportingUnit
            | Field::Park
            | Field::Responsible
            | Field::Remarks => ValueKind::Text,
        }
    }

    /// Headers that name this field, as ledgers write them (without units).
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::CompanyName => &[
                "企业名称",
                "公司名称",
                "投资方",
                "投资主体",
                "投资企业",
                "投资方名称",
                "项目单位",
                "项目业主",
                "单位名称",
                "企业全称",
                "签约企业",
                "签约单位",
                "客商名称",
                "投资商",
                "企业",
            ],
            Field::ProjectName => &["项目名称", "项目名", "项目", "项目全称"],
            Field::Uscc => &["统一社会信用代码", "社会信用代码", "信用代码", "统一代码"],
            Field::Industry => &[
                "行业",
                "所属行业",
                "产业",
                "所属产业",
                "行业类别",
                "产业类别",
                "产业类型",
                "行业分类",
                "产业分类",
                "所属领域",
            ],
            Field::IndustryCode => &["行业代码", "国民经济行业代码", "行业分类代码"],
            Field::Region => &[
                "来源地",
                "地区",
                "来源地区",
                "投资方所在地",
                "企业所在地",
                "所在地区",
                "客商来源地",
                "投资来源地",
                "区域",
            ],
            Field::RegionCode => &["地区代码", "行政区划代码", "区划代码"],
            Field::ContactName => &["联系人", "对接人", "企业联系人", "联系人姓名"],
            Field::ContactPhone => &[
                "联系电话",
                "电话",
                "联系方式",
                "手机",
                "手机号码",
                "联系人电话",
            ],
            Field::Description => &[
                "项目简介",
                "项目内容",
                "建设内容",
                "主要建设内容",
                "项目概况",
                "项目情况",
                "简介",
                "线索内容",
                "内容",
                "项目基本情况",
            ],
            Field::PlannedInvestment => &[
                "总投资",
                "计划投资",
                "计划总投资",
                "投资总额",
                "项目总投资",
                "投资额",
                "拟投资",
                "拟投资额",
                "投资规模",
                "预计投资",
            ],
            Field::ContractAmount => &[
                "合同金额",
                "签约金额",
                "合同投资",
                "合同投资额",
                "签约投资",
                "签约投资额",
                "协议投资",
                "协议金额",
            ],
            Field::PaidIn => &["到资", "实际到资", "累计到资", "到位资金", "实际到位资金"],
            Field::ForeignCapital => &[
                "外资",
                "利用外资",
                "外资金额",
                "合同外资",
                "实际利用外资",
                "利用外资额",
            ],
            Field::Land => &[
                "用地",
                "用地面积",
                "用地规模",
                "占地",
                "占地面积",
                "拟用地",
                "需用地",
                "土地面积",
                "用地需求",
            ],
            Field::Jobs => &[
                "就业",
                "用工",
                "新增就业",
                "用工人数",
                "就业人数",
                "带动就业",
                "预计用工",
                "用工需求",
            ],
            Field::Channel => &[
                "渠道",
                "来源",
                "线索来源",
                "信息来源",
                "招商方式",
                "引进方式",
                "招商渠道",
                "来源渠道",
            ],
            Field::ReportingUnit => &["报送单位", "填报单位", "上报单位", "引进单位"],
            Field::ReportedDate => &[
                "报送日期",
                "报送时间",
                "填报日期",
                "填报时间",
                "上报日期",
                "上报时间",
                "登记日期",
                "登记时间",
            ],
            Field::SignedDate => &["签约日期", "签约时间"],
            Field::StartedDate => &["开工日期", "开工时间", "开工建设时间"],
            Field::Stage => &[
                "项目进展",
                "进展情况",
                "当前阶段",
                "进展",
                "项目阶段",
                "项目状态",
                "推进情况",
                "目前进展",
                "项目进度",
                "阶段",
                "进度",
            ],
            Field::Park => &[
                "所在园区",
                "落地园区",
                "园区",
                "承接园区",
                "落户园区",
                "拟落地园区",
                "落地地点",
                "拟落户园区",
            ],
            Field::Responsible => &[
                "责任人",
                "挂钩责任人",
                "负责人",
                "项目负责人",
                "跟踪责任人",
                "包联责任人",
            ],
            Field::Remarks => &["备注", "说明", "其他"],
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A unit a header (or a "单位：万元" note) names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Yuan,
    Wan,
    Yi,
    Usd,
    WanUsd,
    YiUsd,
    Mu,
    SquareMetre,
    Hectare,
    Person,
}

impl Unit {
    /// How the unit is written in a header: "万元", "万美元", "亩".
    pub fn label(self) -> &'static str {
        match self {
            Unit::Yuan => "元",
            Unit::Wan => "万元",
            Unit::Yi => "亿元",
            Unit::Usd => "美元",
            Unit::WanUsd => "万美元",
            Unit::YiUsd => "亿美元",
            Unit::Mu => "亩",
            Unit::SquareMetre => "平方米",
            Unit::Hectare => "公顷",
            Unit::Person => "人",
        }
    }

    /// Units in yuan or dollars for money; 1 for the others.
    pub fn factor(self) -> i64 {
        match self {
            Unit::Wan | Unit::WanUsd => 10_000,
            Unit::Yi | Unit::YiUsd => 100_000_000,
            _ => 1,
        }
    }

    /// The units that fit a kind of value, the default first.
    pub fn for_kind(kind: ValueKind) -> &'static [Unit] {
        match kind {
            ValueKind::Yuan => &[Unit::Wan, Unit::Yi, Unit::Yuan],
            ValueKind::Usd => &[Unit::WanUsd, Unit::Usd, Unit::YiUsd],
            ValueKind::Land => &[Unit::Mu, Unit::SquareMetre, Unit::Hectare],
            ValueKind::Count => &[Unit::Person],
            _ => &[],
        }
    }

    /// The unit a header text names for a kind of value, if any: "总投资(亿元)" → 亿元,
    /// "利用外资（万美元）" → 万美元, "用地/亩" → 亩.
    pub fn in_text(text: &str, kind: ValueKind) -> Option<Unit> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let has = |w: &str| t.contains(w);
        match kind {
            ValueKind::Yuan => {
                if has("美元") {
                    None
                } else if has("亿") {
                    Some(Unit::Yi)
                } else if has("万") {
                    Some(Unit::Wan)
                } else if has("元") {
                    Some(Unit::Yuan)
                } else {
                    None
                }
            }
            ValueKind::Usd => {
                if has("亿美元") || has("亿") && has("美元") {
                    Some(Unit::YiUsd)
                } else if has("万美元") || has("万") && has("美元") {
                    Some(Unit::WanUsd)
                } else if has("美元") {
                    Some(Unit::Usd)
                } else {
                    None
                }
            }
            ValueKind::Land => {
                if has("平方米") || has("平米") || has("㎡") || has("m2") || has("m²") {
                    Some(Unit::SquareMetre)
                } else if has("公顷") {
                    Some(Unit::Hectare)
                } else if has("亩") {
                    Some(Unit::Mu)
                } else {
                    None
                }
            }
            ValueKind::Count => has("人").then_some(Unit::Person),
            _ => None,
        }
    }

    /// Whether a header names a money unit that a kind of value cannot take: a yuan
    /// column headed in dollars, or the reverse.
    pub fn conflicts(text: &str, kind: ValueKind) -> bool {
        match kind {
            ValueKind::Yuan => text.contains("美元"),
            ValueKind::Usd => {
                !text.contains("美元") && (text.contains("万元") || text.contains("亿元"))
            }
            _ => false,
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_parse_back() {
        for f in Field::ALL {
            assert_eq!(Field::parse_key(f.key()), Some(f));
            assert!(f.synonyms().contains(&f.label()), "{f:?}");
        }
        let mut syn: Vec<&str> = Field::ALL
            .iter()
            .flat_map(|f| f.synonyms())
            .copied()
            .collect();
        let n = syn.len();
        syn.sort();
        syn.dedup();
        assert_eq!(syn.len(), n, "a synonym names two fields");
    }

    #[test]
    fn units_in_headers() {
        assert_eq!(
            Unit::in_text("总投资(亿元)", ValueKind::Yuan),
            Some(Unit::Yi)
        );
        assert_eq!(
            Unit::in_text("到资（万元）", ValueKind::Yuan),
            Some(Unit::Wan)
        );
        assert_eq!(Unit::in_text("总投资", ValueKind::Yuan), None);
        assert_eq!(
            Unit::in_text("利用外资(万美元)", ValueKind::Usd),
            Some(Unit::WanUsd)
        );
        assert_eq!(
            Unit::in_text("外资（美元）", ValueKind::Usd),
            Some(Unit::Usd)
        );
        assert_eq!(
            Unit::in_text("用地面积(平方米)", ValueKind::Land),
            Some(Unit::SquareMetre)
        );
        assert_eq!(Unit::in_text("用地/亩", ValueKind::Land), Some(Unit::Mu));
        assert!(Unit::conflicts("总投资(万美元)", ValueKind::Yuan));
        assert!(!Unit::conflicts("总投资(万元)", ValueKind::Yuan));
    }
}
