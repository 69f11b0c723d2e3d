//! Template filters: money in 万元/亿元, and Chinese labels for codes.

use fenglai_domain::{Channel, LeadStatus, Role, Stage, UnitKind, Yuan};

/// An amount a template shows: integer yuan, typed or not yet.
pub trait Money {
    fn yuan(&self) -> Yuan;
}

impl Money for i64 {
    fn yuan(&self) -> Yuan {
        Yuan(*self)
    }
}

impl Money for Yuan {
    fn yuan(&self) -> Yuan {
        *self
    }
}

impl<T: Money + ?Sized> Money for &T {
    fn yuan(&self) -> Yuan {
        (**self).yuan()
    }
}

pub fn yuan<T: Money + ?Sized>(v: &T) -> askama::Result<String> {
    Ok(v.yuan().human())
}

pub fn oyuan<T: Money>(v: &Option<T>) -> askama::Result<String> {
    Ok(v.as_ref()
        .map(|v| v.yuan().human())
        .unwrap_or_else(|| "—".into()))
}

/// A stage a template shows: typed, or a stored code not yet typed.
pub trait StageName {
    fn stage_label(&self) -> String;
}

impl StageName for Stage {
    fn stage_label(&self) -> String {
        self.label().to_string()
    }
}

impl StageName for str {
    fn stage_label(&self) -> String {
        Stage::parse(self)
            .map(|s| s.label().to_string())
            .unwrap_or_else(|_| self.to_string())
    }
}

impl StageName for String {
    fn stage_label(&self) -> String {
        self.as_str().stage_label()
    }
}

impl<T: StageName + ?Sized> StageName for &T {
    fn stage_label(&self) -> String {
        (**self).stage_label()
    }
}

pub fn stage<T: StageName + ?Sized>(s: &T) -> askama::Result<String> {
    Ok(s.stage_label())
}

/// A lead's status (typed, or a stored code) in Chinese.
pub fn status<T: std::fmt::Display + ?Sized>(s: &T) -> askama::Result<String> {
    let s = s.to_string();
    Ok(LeadStatus::parse(&s)
        .map(|s| s.label().to_string())
        .unwrap_or(s))
}

/// A lead's channel (typed, or a stored code) in Chinese; "—" when there is none.
pub fn channel<T: std::fmt::Display>(s: &Option<T>) -> askama::Result<String> {
    Ok(match s {
        Some(c) => {
            let c = c.to_string();
            Channel::parse(&c)
                .map(|c| c.label().to_string())
                .unwrap_or(c)
        }
        None => "—".into(),
    })
}

pub fn role(s: &str) -> askama::Result<String> {
    Ok(Role::parse(s)
        .map(|r| r.label().to_string())
        .unwrap_or_else(|_| s.to_string()))
}

pub fn unitkind(s: &str) -> askama::Result<String> {
    Ok(UnitKind::parse(s)
        .map(|k| k.label().to_string())
        .unwrap_or_else(|_| s.to_string()))
}

/// A value or "—" when there is none (or it is empty text).
pub fn opt<T: std::fmt::Display>(s: &Option<T>) -> askama::Result<String> {
    Ok(s.as_ref()
        .map(ToString::to_string)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "—".into()))
}

pub fn onum(v: &Option<i64>) -> askama::Result<String> {
    Ok(v.map(|v| v.to_string()).unwrap_or_else(|| "—".into()))
}

pub fn ofloat(v: &Option<f64>) -> askama::Result<String> {
    Ok(v.map(|v| format!("{v}")).unwrap_or_else(|| "—".into()))
}

/// "2026-11-22T08:30:00.123456Z" → "2026-11-22 16:30" (China Standard Time): a `Moment`,
/// or a timestamp as text (shown as it is when it is not one).
pub fn ts<T: std::fmt::Display>(t: T) -> askama::Result<String> {
    let s = t.to_string();
    Ok(fenglai_domain::Moment::parse(&s)
        .map(|m| {
            (m.as_datetime() + chrono::Duration::hours(8))
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or(s))
}

/// A review's status: open, more_info, decided.
pub fn review_status(s: &str) -> askama::Result<String> {
    Ok(match s {
        "open" => "评审中",
        "more_info" => "待补充材料",
        "decided" => "已决定",
        other => other,
    }
    .to_string())
}

/// A review's decision: admit, reject, more_info.
pub fn decision(s: &Option<String>) -> askama::Result<String> {
    Ok(match s.as_deref() {
        Some("admit") => "入库",
        Some("reject") => "未通过",
        Some("more_info") => "补充材料",
        Some(other) => other,
        None => "—",
    }
    .to_string())
}

/// A routing's status: pending, accepted, declined.
pub fn routing_status(s: &str) -> askama::Result<String> {
    Ok(match s {
        "pending" => "待答复",
        "accepted" => "已承接",
        "declined" => "已退回",
        other => other,
    }
    .to_string())
}

/// 0.25 → "25.0%"; None → "—".
pub fn pct(v: &Option<f64>) -> askama::Result<String> {
    Ok(v.map(|v| format!("{:.1}%", v * 100.0))
        .unwrap_or_else(|| "—".into()))
}

/// Hours, one decimal; None → "—".
pub fn ohours(v: &Option<f64>) -> askama::Result<String> {
    Ok(v.map(|v| format!("{v:.1} 小时"))
        .unwrap_or_else(|| "—".into()))
}
/// Area in 亩 without trailing zeros: 180.0 → "180", 12.5 → "12.5".
pub fn mu(v: &f64) -> askama::Result<String> {
    let s = format!("{v:.2}");
    Ok(s.trim_end_matches('0').trim_end_matches('.').to_string())
}

pub fn land_use(s: &str) -> askama::Result<String> {
    Ok(fenglai_domain::routing::land_use_label(s).to_string())
}

pub fn plot_status(s: &str) -> askama::Result<String> {
    Ok(fenglai_domain::routing::plot_status_label(s).to_string())
}

/// Yuan per 亩 shown as 万元/亩; None → "—".
pub fn wan_mu(v: &Option<i64>) -> askama::Result<String> {
    Ok(v.map(|v| format!("{} 万元/亩", Yuan(v).wan()))
        .unwrap_or_else(|| "—".into()))
}

/// An audited action as a person reads it: `{{ e.action|event(e.entity) }}`.
pub fn event(action: &str, entity: &str) -> askama::Result<String> {
    let stage = |code: &str| {
        fenglai_domain::Stage::ALL
            .iter()
            .find(|s| s.as_str() == code)
            .map(|s| s.label())
            .unwrap_or("?")
    };
    if let Some(to) = action.strip_prefix("transition:") {
        return Ok(format!("推进到{}", stage(to)));
    }
    if let Some(to) = action.strip_prefix("correction:") {
        return Ok(format!("更正为{}", stage(to)));
    }
    Ok(match (entity, action) {
        ("project", "drop") => "中止",
        ("lead", "create") => "报送线索",
        ("lead", "update") => "修改线索",
        ("lead", "admit") => "入库",
        ("lead", "reject") => "预审未通过",
        ("lead", "review") => "提交预审",
        ("lead", "redline_override") => "红线豁免（领导签批）",
        ("lead", "merge") => "并入重复线索",
        ("lead", "merged") => "并入其他线索",
        ("lead", "unmerge") => "撤销合并",
        ("lead", "unmerged") => "撤销合并，恢复",
        ("lead", "import") => "台账导入",
        ("project", "import") => "台账导入（项目及其线索）",
        ("project", "merge") => "并入重复项目",
        ("project", "merged") => "并入其他项目（保留备查）",
        ("project", "unmerge") => "撤销项目合并",
        ("review", "open") => "发起预审",
        ("review", "score") => "提交评分",
        ("review", "decide") => "作出预审决定",
        ("review", "reopen") => "重新评审",
        ("review", "remind") => "催办评审",
        ("routing", "route") => "分派园区",
        ("routing", "accept") => "园区承接",
        ("routing", "decline") => "园区退回",
        (_, "create") => "创建",
        (_, "update") | (_, "edit") => "修改",
        (_, other) => other,
    }
    .to_string())
}

/// A request's status in words.
pub fn request_status(s: &str) -> askama::Result<String> {
    Ok(match s {
        "open" => "办理中",
        "answered" => "已答复",
        "closed" => "已办结",
        other => other,
    }
    .to_string())
}

/// Investor tag codes as their Chinese names: `fortune500,listed` → 世界500强、上市公司.
pub fn tags(s: &str) -> askama::Result<String> {
    Ok(s.split(',')
        .filter(|t| !t.is_empty())
        .map(|t| {
            fenglai_domain::assess::INVESTOR_TAGS
                .iter()
                .find(|(c, _)| *c == t)
                .map_or(t, |(_, l)| *l)
        })
        .collect::<Vec<_>>()
        .join("、"))
}
