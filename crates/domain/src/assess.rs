//! 考核 assessment: periods (旬, month, quarter, half-year, year, competitions), the catalogue
//! of metrics computed from records, quality weights, credit shares, rankings with movement
//! and the pacing of progress against time elapsed. Pure: the figures come from `app`.

use crate::Invalid;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The kind of an assessment period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// 旬: days 1–10, 11–20, 21–end of a month
    Xun,
    Month,
    Quarter,
    Half,
    Year,
    /// a named competition (百日赛) with its own dates
    Competition,
}

impl PeriodKind {
    pub fn label(self) -> &'static str {
        match self {
            PeriodKind::Xun => "旬",
            PeriodKind::Month => "月",
            PeriodKind::Quarter => "季度",
            PeriodKind::Half => "半年",
            PeriodKind::Year => "年度",
            PeriodKind::Competition => "竞赛",
        }
    }
}

/// A closed range of days `[start, end]` with its code (`2025-03`, `2025-03-x2`, `2025-q1`,
/// `2025-h1`, `2025`, `c12`) and its Chinese name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub code: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub label: String,
}

fn last_of_month(y: i32, m: u32) -> NaiveDate {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .expect("a month has a last day")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid day")
}

const XUN: [&str; 3] = ["上旬", "中旬", "下旬"];

impl Period {
    /// 旬 `n` (1, 2 or 3) of a month: 1–10, 11–20, 21 to the month's last day.
    pub fn xun(year: i32, month: u32, n: u32) -> Period {
        let (start, end) = match n {
            1 => (day(year, month, 1), day(year, month, 10)),
            2 => (day(year, month, 11), day(year, month, 20)),
            _ => (day(year, month, 21), last_of_month(year, month)),
        };
        let n = n.clamp(1, 3);
        Period {
            kind: PeriodKind::Xun,
            code: format!("{year:04}-{month:02}-x{n}"),
            start,
            end,
            label: format!("{year}年{month}月{}", XUN[n as usize - 1]),
        }
    }

    pub fn month(year: i32, month: u32) -> Period {
        Period {
            kind: PeriodKind::Month,
            code: format!("{year:04}-{month:02}"),
            start: day(year, month, 1),
            end: last_of_month(year, month),
            label: format!("{year}年{month}月"),
        }
    }

    pub fn quarter(year: i32, q: u32) -> Period {
        let first = (q - 1) * 3 + 1;
        Period {
            kind: PeriodKind::Quarter,
            code: format!("{year:04}-q{q}"),
            start: day(year, first, 1),
            end: last_of_month(year, first + 2),
            label: format!("{year}年第{}季度", ["一", "二", "三", "四"][q as usize - 1]),
        }
    }

    pub fn half(year: i32, h: u32) -> Period {
        let (start, end) = if h == 1 {
            (day(year, 1, 1), day(year, 6, 30))
        } else {
            (day(year, 7, 1), day(year, 12, 31))
        };
        Period {
            kind: PeriodKind::Half,
            code: format!("{year:04}-h{h}"),
            start,
            end,
            label: format!("{year}年{}", if h == 1 { "上半年" } else { "下半年" }),
        }
    }

    pub fn year(year: i32) -> Period {
        Period {
            kind: PeriodKind::Year,
            code: format!("{year:04}"),
            start: day(year, 1, 1),
            end: day(year, 12, 31),
            label: format!("{year}年"),
        }
    }

    /// A named competition's own dates; checked: the end is not before the start and the
    /// competition lasts at most 366 days.
    pub fn competition(
        id: i64,
        name: &str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Period, Invalid> {
        if end < start {
            return Err(Invalid::new("end_date", "结束日期不能早于开始日期"));
        }
        if (end - start).num_days() > 365 {
            return Err(Invalid::new("end_date", "竞赛期不能超过一年"));
        }
        Ok(Period {
            kind: PeriodKind::Competition,
            code: format!("c{id}"),
            start,
            end,
            label: name.to_string(),
        })
    }

    /// Reads a period code: `2025` (year), `2025-h1`/`2025-h2`, `2025-q1`…`q4`, `2025-03`
    /// (month), `2025-03-x1`…`x3` or `2025-03-上旬` (旬). Competitions (`c12`) are resolved by
    /// the caller, who knows their dates.
    pub fn parse(code: &str) -> Result<Period, Invalid> {
        let t = code.trim().to_lowercase();
        let bad = || {
            Invalid::new(
                "period",
                format!(
                    "考核期“{}”不对：请写作 2025（年）、2025-h1（半年）、2025-q1（季度）、2025-03（月）或 2025-03-x1（上旬）",
                    code.trim()
                ),
            )
        };
        let parts: Vec<&str> = t.split('-').collect();
        let year: i32 = parts
            .first()
            .filter(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|y| y.parse().ok())
            .filter(|y| (1990..=2100).contains(y))
            .ok_or_else(bad)?;
        let month = |s: &str| -> Result<u32, Invalid> {
            s.parse::<u32>()
                .ok()
                .filter(|m| s.len() == 2 && (1..=12).contains(m))
                .ok_or_else(bad)
        };
        match parts.as_slice() {
            [_] => Ok(Period::year(year)),
            [_, p] if p.starts_with('h') => match &p[1..] {
                "1" => Ok(Period::half(year, 1)),
                "2" => Ok(Period::half(year, 2)),
                _ => Err(bad()),
            },
            [_, p] if p.starts_with('q') => match p[1..].parse::<u32>() {
                Ok(q @ 1..=4) if p.len() == 2 => Ok(Period::quarter(year, q)),
                _ => Err(bad()),
            },
            [_, m] => Ok(Period::month(year, month(m)?)),
            [_, m, x] => {
                let m = month(m)?;
                let n = match *x {
                    "x1" | "上旬" => 1,
                    "x2" | "中旬" => 2,
                    "x3" | "下旬" => 3,
                    _ => return Err(bad()),
                };
                Ok(Period::xun(year, m, n))
            }
            _ => Err(bad()),
        }
    }

    /// The period of the same kind just before this one (a competition has none).
    pub fn previous(&self) -> Option<Period> {
        let (y, m) = (self.start.year(), self.start.month());
        let prev_month = |y: i32, m: u32| if m == 1 { (y - 1, 12) } else { (y, m - 1) };
        Some(match self.kind {
            PeriodKind::Xun => {
                let n = (self.start.day() - 1) / 10 + 1;
                if n > 1 {
                    Period::xun(y, m, n - 1)
                } else {
                    let (py, pm) = prev_month(y, m);
                    Period::xun(py, pm, 3)
                }
            }
            PeriodKind::Month => {
                let (py, pm) = prev_month(y, m);
                Period::month(py, pm)
            }
            PeriodKind::Quarter => {
                let q = (m - 1) / 3 + 1;
                if q > 1 {
                    Period::quarter(y, q - 1)
                } else {
                    Period::quarter(y - 1, 4)
                }
            }
            PeriodKind::Half => {
                if m > 6 {
                    Period::half(y, 1)
                } else {
                    Period::half(y - 1, 2)
                }
            }
            PeriodKind::Year => Period::year(y - 1),
            PeriodKind::Competition => return None,
        })
    }

    /// The 旬 containing a day.
    pub fn xun_of(d: NaiveDate) -> Period {
        Period::xun(d.year(), d.month(), ((d.day() - 1) / 10 + 1).min(3))
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }

    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

/// Time-elapsed pacing (时序进度): the share of a year gone by the end of `on`
/// (0 before the year, 1 after it).
pub fn year_elapsed(year: i32, on: NaiveDate) -> f64 {
    let y = Period::year(year);
    if on < y.start {
        0.0
    } else if on >= y.end {
        1.0
    } else {
        ((on - y.start).num_days() + 1) as f64 / y.days() as f64
    }
}

/// What a metric is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// a count (of leads, projects, visits…), possibly fractional after credit shares
    Count,
    /// yuan
    Yuan,
    /// US dollars
    Usd,
}

/// The parts of one a count is kept in, so that a credit share of a count stays whole:
/// 2 × lcm(1, …, 16), which every share of a group of up to 16 reporters divides (首报 ½ and
/// the others ½ ÷ (n − 1) each, or 1 ÷ n each). A larger group's shares are split to the
/// part by [`split_amount`], like amounts to the yuan.
pub const COUNT_PARTS: i64 = 1_441_440;

impl Measure {
    /// How many whole units of a [`Tally`] make one of the measure: a count is kept in
    /// [`COUNT_PARTS`]ths, yuan and dollars whole.
    pub fn parts(self) -> i64 {
        match self {
            Measure::Count => COUNT_PARTS,
            Measure::Yuan | Measure::Usd => 1,
        }
    }
}

macro_rules! metrics {
    ($($var:ident = $code:literal / $label:literal / $measure:ident / $weighted:literal,)+) => {
        /// An assessable metric: computed from records, never typed in.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Metric { $($var),+ }

        impl Metric {
            pub const ALL: &'static [Metric] = &[$(Metric::$var),+];
            pub fn code(self) -> &'static str { match self { $(Metric::$var => $code),+ } }
            pub fn label(self) -> &'static str { match self { $(Metric::$var => $label),+ } }
            pub fn measure(self) -> Measure { match self { $(Metric::$var => Measure::$measure),+ } }
            /// Whether the year's quality weights apply (lead- and project-based metrics).
            pub fn weighted(self) -> bool { match self { $(Metric::$var => $weighted),+ } }
            /// A whole value of the metric (a count, yuan, dollars) in the units a [`Tally`]
            /// keeps.
            pub fn units(self, value: i64) -> i64 { value * self.measure().parts() }
            pub fn parse(s: &str) -> Result<Metric, Invalid> {
                let t = s.trim();
                Metric::ALL.iter().copied().find(|m| m.code() == t || m.label() == t).ok_or_else(|| {
                    let all: Vec<&str> = Metric::ALL.iter().map(|m| m.code()).collect();
                    Invalid::new("metric", format!("“{t}”不是考核指标；可用：{}", all.join("、")))
                })
            }
        }
    };
}

metrics! {
    LeadsValid = "leads_valid" / "有效线索" / Count / true,
    Visits = "visits" / "走访企业" / Count / false,
    Events = "events" / "招商活动" / Count / false,
    SignedCount = "signed_count" / "签约项目" / Count / true,
    SignedAmount = "signed_amount" / "签约金额" / Yuan / true,
    StartedCount = "started_count" / "开工项目" / Count / true,
    StartedAmount = "started_amount" / "开工项目投资" / Yuan / true,
    CompletedCount = "completed_count" / "竣工项目" / Count / true,
    ProducingCount = "producing_count" / "投产项目" / Count / true,
    CapitalArrived = "capital_arrived" / "到位资金" / Yuan / true,
    FixedAsset = "fixed_asset" / "完成固定资产投资" / Yuan / true,
    ForeignCapital = "foreign_capital" / "实际使用外资" / Usd / true,
    BigProjects = "big_projects" / "亿元以上签约项目" / Count / true,
    Fortune500 = "fortune500" / "世界500强项目" / Count / false,
    China500 = "china500" / "中国500强项目" / Count / false,
    CentralSoe = "central_soe" / "央企项目" / Count / false,
    Listed = "listed" / "上市公司项目" / Count / false,
    RequestsOnTime = "requests_on_time" / "诉求按时办结" / Count / false,
}

/// Investor tags a lead may carry (for the flag metrics and the weights).
pub const INVESTOR_TAGS: &[(&str, &str)] = &[
    ("fortune500", "世界500强"),
    ("china500", "中国500强"),
    ("central_soe", "央企"),
    ("listed", "上市公司"),
];

/// Checks and normalises a comma-separated list of investor tags (codes or labels).
pub fn parse_tags(s: &str) -> Result<String, Invalid> {
    let mut out: Vec<&str> = Vec::new();
    for t in s
        .split([',', '，', '、', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let code = INVESTOR_TAGS
            .iter()
            .find(|(c, l)| *c == t || *l == t)
            .map(|(c, _)| *c)
            .ok_or_else(|| {
                Invalid::new(
                    "investor_tags",
                    format!("“{t}”不是可用的企业标签；可用：世界500强、中国500强、央企、上市公司"),
                )
            })?;
        if !out.contains(&code) {
            out.push(code);
        }
    }
    out.sort_by_key(|c| INVESTOR_TAGS.iter().position(|(t, _)| t == c));
    Ok(out.join(","))
}

/// The year's quality weights (质量加权) and the points each metric carries in the overall score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    /// weight of a project or lead whose investor is a Fortune Global 500 company
    #[serde(default = "one_and_half")]
    pub fortune500: f64,
    #[serde(default = "one")]
    pub china500: f64,
    #[serde(default = "one")]
    pub central_soe: f64,
    #[serde(default = "one")]
    pub listed: f64,
    /// weight of a high-tech project (its industry division in `high_tech_divisions`)
    #[serde(default = "one_point_two")]
    pub high_tech: f64,
    /// weight of a lead or project admitted over a red line by a leader's override
    #[serde(default)]
    pub redline_override: f64,
    /// GB/T 4754 divisions (two digits) counted as high-tech
    #[serde(default = "default_high_tech")]
    pub high_tech_divisions: Vec<String>,
    /// points of each metric in the overall score (metric code → points)
    #[serde(default = "default_points")]
    pub points: Vec<(Metric, f64)>,
    /// a metric's completion counts at most this much in the score (1.2 = 120%)
    #[serde(default = "one_point_two")]
    pub cap: f64,
    /// how a lead reported by several units is credited in assessment: first_half (首报 50%,
    /// the co-reporters share 50%), first_only or equal
    #[serde(default = "first_half")]
    pub credit_rule: String,
}

fn first_half() -> String {
    "first_half".into()
}

fn one() -> f64 {
    1.0
}
fn one_and_half() -> f64 {
    1.5
}
fn one_point_two() -> f64 {
    1.2
}
fn default_high_tech() -> Vec<String> {
    // 医药, 航空航天, 电子及通信设备, 计算机及办公设备, 医疗仪器设备及仪器仪表 (高技术产业（制造业）分类),
    // 软件和信息技术服务, 研究和试验发展
    ["27", "37", "39", "40", "65", "73"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}
fn default_points() -> Vec<(Metric, f64)> {
    vec![
        (Metric::LeadsValid, 10.0),
        (Metric::Visits, 10.0),
        (Metric::SignedCount, 15.0),
        (Metric::SignedAmount, 25.0),
        (Metric::StartedCount, 15.0),
        (Metric::StartedAmount, 15.0),
        (Metric::CapitalArrived, 10.0),
    ]
}

impl Default for Scheme {
    fn default() -> Self {
        Scheme {
            fortune500: one_and_half(),
            china500: one(),
            central_soe: one(),
            listed: one(),
            high_tech: one_point_two(),
            redline_override: 0.0,
            high_tech_divisions: default_high_tech(),
            points: default_points(),
            cap: one_point_two(),
            credit_rule: first_half(),
        }
    }
}

/// What is known of a lead or project when its weight is decided.
#[derive(Debug, Clone, Default)]
pub struct Quality<'a> {
    pub tags: &'a str,
    pub industry_code: Option<&'a str>,
    pub overridden: bool,
}

impl Scheme {
    /// Checks the weights a person set: each in 0..=10, divisions of two digits, points ≥ 0.
    pub fn check(&self) -> Result<(), Invalid> {
        for (field, w) in [
            ("fortune500", self.fortune500),
            ("china500", self.china500),
            ("central_soe", self.central_soe),
            ("listed", self.listed),
            ("high_tech", self.high_tech),
            ("redline_override", self.redline_override),
        ] {
            if !(0.0..=10.0).contains(&w) || w.is_nan() {
                return Err(Invalid::new(field, "权重应在0到10之间"));
            }
        }
        if !(1.0..=2.0).contains(&self.cap) {
            return Err(Invalid::new(
                "cap",
                "单项得分封顶应在1到2之间（如1.2即120%）",
            ));
        }
        if let Some(d) = self
            .high_tech_divisions
            .iter()
            .find(|d| d.len() != 2 || !d.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(Invalid::new(
                "high_tech_divisions",
                format!("“{d}”不是两位的行业大类代码"),
            ));
        }
        if !["first_half", "first_only", "equal"].contains(&self.credit_rule.as_str()) {
            return Err(Invalid::new(
                "credit_rule",
                "计分规则应为 first_half（首报50%）、first_only（仅首报）或 equal（平分）",
            ));
        }
        if let Some((m, _)) = self.points.iter().find(|(_, p)| !(0.0..=100.0).contains(p)) {
            return Err(Invalid::new(
                "points",
                format!("“{}”的分值应在0到100之间", m.label()),
            ));
        }
        Ok(())
    }

    /// The weight of one lead or project: the product of the weights that apply.
    pub fn weight(&self, q: &Quality) -> f64 {
        if q.overridden {
            return self.redline_override;
        }
        let mut w = 1.0;
        for tag in q.tags.split(',').filter(|t| !t.is_empty()) {
            w *= match tag {
                "fortune500" => self.fortune500,
                "china500" => self.china500,
                "central_soe" => self.central_soe,
                "listed" => self.listed,
                _ => 1.0,
            };
        }
        if let Some(code) = q.industry_code {
            if code.len() >= 2 && self.high_tech_divisions.iter().any(|d| code[..2] == **d) {
                w *= self.high_tech;
            }
        }
        w
    }

    pub fn points_of(&self, m: Metric) -> f64 {
        self.points
            .iter()
            .find(|(x, _)| *x == m)
            .map_or(0.0, |(_, p)| *p)
    }
}

/// How credit for a lead reported by several units is shared (the `credit_rule` setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CreditRule {
    /// 首报 half, the co-reporters share the other half
    #[default]
    FirstHalf,
    FirstOnly,
    Equal,
}

impl CreditRule {
    pub fn parse(s: &str) -> CreditRule {
        match s {
            "first_only" => CreditRule::FirstOnly,
            "equal" => CreditRule::Equal,
            _ => CreditRule::FirstHalf,
        }
    }

    /// The shares of `n` reporters in report order (the first is 首报) as whole parts: a
    /// reporter's share is its parts over their sum (首报 half: `[n − 1, 1, …, 1]`).
    pub fn parts(self, n: usize) -> Vec<i64> {
        let others = n.saturating_sub(1) as i64;
        (0..n)
            .map(|i| match (self, i == 0) {
                _ if n == 1 => 1,
                (CreditRule::FirstOnly, first) => i64::from(first),
                (CreditRule::Equal, _) => 1,
                (CreditRule::FirstHalf, true) => others,
                (CreditRule::FirstHalf, false) => 1,
            })
            .collect()
    }

    /// Shares, in percent, of `n` reporters in report order (the first is 首报).
    pub fn shares(self, n: usize) -> Vec<f64> {
        let parts = self.parts(n);
        let whole: i64 = parts.iter().sum();
        parts
            .iter()
            .map(|p| 100.0 * *p as f64 / whole as f64)
            .collect()
    }
}

/// Splits an integer amount by shares given as whole parts ([`CreditRule::parts`]), exactly:
/// every share but the first is the amount times its parts over their sum, rounded half away
/// from zero, and the first takes what is left, so the parts add up to the whole.
pub fn split_amount(amount: i64, parts: &[i64]) -> Vec<i64> {
    let whole: i128 = parts.iter().map(|p| i128::from(*p)).sum();
    if whole == 0 {
        return vec![0; parts.len()];
    }
    let share = |p: i64| -> i64 {
        let x = i128::from(amount) * i128::from(p);
        let (q, r) = (x / whole, x % whole);
        let q = if 2 * r.abs() >= whole {
            q + x.signum()
        } else {
            q
        };
        i64::try_from(q).expect("a share is no larger than the amount")
    };
    let mut out: Vec<i64> = parts.iter().map(|p| share(*p)).collect();
    if let Some(first) = out.first_mut() {
        *first = amount - parts.iter().skip(1).map(|p| share(*p)).sum::<i64>();
    }
    out
}

/// What a unit or person is credited with, exactly: per metric and quality weight, the sum
/// credited at that weight, in whole yuan, whole dollars or [`COUNT_PARTS`]ths of a count.
/// Integer sums are the same whatever order the facts come in, and a weighted figure is
/// worked out from them in one order (by weight, lowest first), so the same facts always give
/// the same figures to the bit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally(std::collections::BTreeMap<(Metric, u64), i64>);

impl Tally {
    /// Credits `units` ([`Metric::units`]) of a metric at a quality weight (≥ 0).
    pub fn add(&mut self, m: Metric, units: i64, weight: f64) {
        // -0.0 is 0.0: one key per weight
        let w = if weight == 0.0 { 0.0f64 } else { weight };
        let key = (m, w.to_bits());
        let sum = self.0.entry(key).or_default();
        *sum += units;
        if *sum == 0 {
            self.0.remove(&key);
        }
    }

    /// Adds everything another tally holds.
    pub fn absorb(&mut self, other: &Tally) {
        for (&(m, w), &units) in &other.0 {
            self.add(m, units, f64::from_bits(w));
        }
    }

    fn of(&self, m: Metric) -> impl Iterator<Item = (f64, i64)> + '_ {
        self.0
            .range((m, 0)..=(m, u64::MAX))
            .map(|(&(_, w), &units)| (f64::from_bits(w), units))
    }

    /// The sum credited, in the tally's units.
    pub fn units(&self, m: Metric) -> i64 {
        self.of(m).map(|(_, u)| u).sum()
    }

    /// The figure credited, in the metric's measure (a count with its shares).
    pub fn raw(&self, m: Metric) -> f64 {
        self.units(m) as f64 / m.measure().parts() as f64
    }

    /// The figure credited, each sum times its weight.
    pub fn weighted(&self, m: Metric) -> f64 {
        let sum: f64 = self.of(m).map(|(w, u)| w * u as f64).sum();
        sum / m.measure().parts() as f64
    }
}

/// Rounds a figure to four decimals, the precision figures are stored and compared at.
pub fn round4(x: f64) -> f64 {
    let r = (x * 10_000.0).round() / 10_000.0;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// Competition ranks (1, 2, 2, 4) of values, highest first; ties share a rank.
/// Returns the rank of each input position.
pub fn ranks(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    let mut out = vec![0; values.len()];
    for (pos, &i) in order.iter().enumerate() {
        out[i] = if pos > 0 && values[order[pos - 1]] == values[i] {
            out[order[pos - 1]]
        } else {
            pos + 1
        };
    }
    out
}

/// Movement from the previous rank: positive when the unit rose.
pub fn movement(now: usize, before: Option<usize>) -> Option<i64> {
    before.map(|b| b as i64 - now as i64)
}

/// The score of one metric: `points × min(actual / target, cap)`; no target, no score.
pub fn metric_score(points: f64, actual: f64, target: Option<f64>, cap: f64) -> Option<f64> {
    let t = target.filter(|t| *t > 0.0)?;
    Some(points * (actual / t).min(cap))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn xun_boundaries_at_month_ends() {
        let p = Period::parse("2024-02-x3").unwrap();
        assert_eq!((p.start, p.end), (d("2024-02-21"), d("2024-02-29")));
        assert_eq!(p.label, "2024年2月下旬");
        let p = Period::parse("2025-02-下旬").unwrap();
        assert_eq!((p.start, p.end), (d("2025-02-21"), d("2025-02-28")));
        assert_eq!(Period::xun(2100, 2, 3).end, d("2100-02-28"));
        assert_eq!(Period::xun(2000, 2, 3).end, d("2000-02-29"));
        assert_eq!(Period::xun(2025, 1, 3).end, d("2025-01-31"));
        assert_eq!(Period::xun(2025, 4, 3).end, d("2025-04-30"));
        let p = Period::parse("2025-03-x2").unwrap();
        assert_eq!((p.start, p.end), (d("2025-03-11"), d("2025-03-20")));
        assert_eq!(Period::xun_of(d("2025-03-31")).code, "2025-03-x3");
        assert_eq!(Period::xun_of(d("2025-03-10")).code, "2025-03-x1");
        assert_eq!(
            Period::parse("2025-03-x1")
                .unwrap()
                .previous()
                .unwrap()
                .code,
            "2025-02-x3"
        );
        assert_eq!(
            Period::parse("2025-01-x1")
                .unwrap()
                .previous()
                .unwrap()
                .code,
            "2024-12-x3"
        );
    }

    #[test]
    fn periods_parse_and_step_back() {
        for (code, start, end, prev) in [
            ("2025", "2025-01-01", "2025-12-31", "2024"),
            ("2025-h1", "2025-01-01", "2025-06-30", "2024-h2"),
            ("2025-H2", "2025-07-01", "2025-12-31", "2025-h1"),
            ("2025-q1", "2025-01-01", "2025-03-31", "2024-q4"),
            ("2024-q1", "2024-01-01", "2024-03-31", "2023-q4"),
            ("2025-q4", "2025-10-01", "2025-12-31", "2025-q3"),
            ("2025-01", "2025-01-01", "2025-01-31", "2024-12"),
            ("2024-02", "2024-02-01", "2024-02-29", "2024-01"),
        ] {
            let p = Period::parse(code).unwrap();
            assert_eq!((p.start, p.end), (d(start), d(end)), "{code}");
            assert_eq!(p.previous().unwrap().code, prev, "{code}");
        }
        for bad in [
            "",
            "25",
            "2025-13",
            "2025-1",
            "2025-q5",
            "2025-h3",
            "2025-03-x4",
            "1800",
            "2025-00",
            "abcd",
            "2025-03-01",
        ] {
            let e = Period::parse(bad).unwrap_err();
            assert_eq!(e.field, "period", "{bad}");
        }
        assert!(Period::competition(1, "百日赛", d("2025-03-01"), d("2025-02-01")).is_err());
        let c = Period::competition(7, "百日赛", d("2025-03-01"), d("2025-06-08")).unwrap();
        assert_eq!((c.code.as_str(), c.days()), ("c7", 100));
        assert!(c.previous().is_none());
    }

    #[test]
    fn pacing_is_the_share_of_the_year_gone() {
        assert_eq!(year_elapsed(2025, d("2024-12-31")), 0.0);
        assert_eq!(year_elapsed(2025, d("2025-12-31")), 1.0);
        assert!((year_elapsed(2025, d("2025-07-02")) - 183.0 / 365.0).abs() < 1e-12);
        assert!((year_elapsed(2024, d("2024-07-01")) - 183.0 / 366.0).abs() < 1e-12);
    }

    #[test]
    fn weights_multiply_and_an_override_zeroes() {
        let s = Scheme::default();
        assert_eq!(s.weight(&Quality::default()), 1.0);
        let q = Quality {
            tags: "fortune500,listed",
            industry_code: Some("3911"),
            overridden: false,
        };
        assert!((s.weight(&q) - 1.8).abs() < 1e-12);
        let q = Quality {
            overridden: true,
            ..q
        };
        assert_eq!(s.weight(&q), 0.0);
        assert!(Scheme {
            high_tech: -1.0,
            ..Scheme::default()
        }
        .check()
        .is_err());
        assert_eq!(
            Scheme {
                high_tech_divisions: vec!["3".into()],
                ..Scheme::default()
            }
            .check()
            .unwrap_err()
            .field,
            "high_tech_divisions"
        );
        let parsed: Scheme = serde_json::from_str(r#"{"fortune500": 2.0}"#).unwrap();
        assert_eq!((parsed.fortune500, parsed.high_tech), (2.0, 1.2));
        assert!(serde_json::from_str::<Scheme>(r#"{"fortune5000": 2.0}"#).is_err());
    }

    #[test]
    fn tags_parse() {
        assert_eq!(
            parse_tags("上市公司，世界500强 listed").unwrap(),
            "fortune500,listed"
        );
        assert_eq!(parse_tags("").unwrap(), "");
        assert_eq!(parse_tags("独角兽").unwrap_err().field, "investor_tags");
    }

    #[test]
    fn ranks_share_ties_and_movement() {
        assert_eq!(ranks(&[3.0, 5.0, 5.0, 1.0]), vec![3, 1, 1, 4]);
        assert_eq!(movement(2, Some(5)), Some(3));
        assert_eq!(movement(4, Some(1)), Some(-3));
        assert_eq!(movement(1, None), None);
        assert_eq!(metric_score(10.0, 3.0, Some(2.0), 1.2), Some(12.0));
        assert_eq!(metric_score(10.0, 1.0, Some(4.0), 1.2), Some(2.5));
        assert_eq!(metric_score(10.0, 1.0, None, 1.2), None);
    }

    #[test]
    fn credit_shares() {
        assert_eq!(CreditRule::FirstHalf.shares(3), vec![50.0, 25.0, 25.0]);
        assert_eq!(CreditRule::FirstOnly.shares(2), vec![100.0, 0.0]);
        assert_eq!(CreditRule::Equal.shares(1), vec![100.0]);
        assert_eq!(CreditRule::FirstHalf.parts(4), vec![3, 1, 1, 1]);
        assert_eq!(split_amount(100, &[2, 1, 1]), vec![50, 25, 25]);
        assert_eq!(split_amount(10, &CreditRule::Equal.parts(3)), vec![4, 3, 3]);
        // halves round away from zero, the first takes the rest
        assert_eq!(split_amount(5, &[1, 1]), vec![2, 3]);
        assert_eq!(split_amount(-5, &[1, 1]), vec![-2, -3]);
        assert_eq!(
            split_amount(7, &CreditRule::FirstOnly.parts(3)),
            vec![7, 0, 0]
        );
    }

    #[test]
    fn count_shares_are_whole_parts() {
        for n in 1..=16 {
            for rule in [
                CreditRule::FirstHalf,
                CreditRule::FirstOnly,
                CreditRule::Equal,
            ] {
                let parts = rule.parts(n);
                let whole: i64 = parts.iter().sum();
                let split = split_amount(Metric::LeadsValid.units(1), &parts);
                for (got, p) in split.iter().zip(&parts) {
                    assert_eq!(got * whole, COUNT_PARTS * p, "{rule:?} of {n}");
                }
            }
        }
        let mut t = Tally::default();
        for part in split_amount(Metric::LeadsValid.units(1), &CreditRule::Equal.parts(3)) {
            t.add(Metric::LeadsValid, part, 1.5);
        }
        assert_eq!(
            (t.raw(Metric::LeadsValid), t.weighted(Metric::LeadsValid)),
            (1.0, 1.5)
        );
        assert_eq!(round4(t.raw(Metric::LeadsValid) / 3.0), 0.3333);
        // credits that cancel leave nothing
        t.add(Metric::LeadsValid, -COUNT_PARTS, 1.5);
        assert_eq!(t, Tally::default());
    }

    proptest! {
        #[test]
        fn xuns_tile_every_month(y in 1990i32..2100, m in 1u32..=12) {
            let a = Period::xun(y, m, 1);
            let b = Period::xun(y, m, 2);
            let c = Period::xun(y, m, 3);
            let month = Period::month(y, m);
            prop_assert_eq!(a.start, month.start);
            prop_assert_eq!(a.end.succ_opt().unwrap(), b.start);
            prop_assert_eq!(b.end.succ_opt().unwrap(), c.start);
            prop_assert_eq!(c.end, month.end);
            prop_assert_eq!(a.days() + b.days() + c.days(), month.days());
            prop_assert_eq!(Period::parse(&c.code).unwrap(), c.clone());
            prop_assert_eq!(b.previous().unwrap(), a);
        }

        #[test]
        fn split_adds_up(amount in -10_000_000_000_000i64..10_000_000_000_000, n in 1usize..40) {
            for rule in [CreditRule::FirstHalf, CreditRule::FirstOnly, CreditRule::Equal] {
                let parts = rule.parts(n);
                let whole: i64 = parts.iter().sum();
                let split = split_amount(amount, &parts);
                prop_assert_eq!(split.iter().sum::<i64>(), amount);
                // every share but the first is its exact share rounded
                for (got, p) in split.iter().zip(&parts).skip(1) {
                    let exact = i128::from(amount) * i128::from(*p);
                    prop_assert!((i128::from(*got) * i128::from(whole) - exact).abs() * 2 <= i128::from(whole));
                }
            }
        }

        /// The same credits in any order, and in any pieces absorbed together, make the same
        /// tally and the same figures to the bit.
        #[test]
        fn a_tally_does_not_depend_on_order(
            (credits, shuffled) in proptest::collection::vec(
                (0..Metric::ALL.len(), -1_000_000_000_000i64..1_000_000_000_000, 0..6usize),
                0..60,
            )
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
            cut in 0usize..60,
        ) {
            let weights = [0.0, 1.0, 1.2, 1.5, 1.5 * 1.2, 0.1];
            let tally = |cs: &[(usize, i64, usize)]| {
                let mut t = Tally::default();
                for &(m, units, w) in cs {
                    t.add(Metric::ALL[m], units, weights[w]);
                }
                t
            };
            let a = tally(&credits);
            let b = tally(&shuffled);
            let (head, tail) = shuffled.split_at(cut.min(shuffled.len()));
            let mut c = tally(tail);
            c.absorb(&tally(head));
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(&a, &c);
            for &m in Metric::ALL {
                for t in [&b, &c] {
                    prop_assert_eq!(a.units(m), t.units(m));
                    prop_assert_eq!(a.raw(m).to_bits(), t.raw(m).to_bits());
                    prop_assert_eq!(a.weighted(m).to_bits(), t.weighted(m).to_bits());
                }
            }
        }
    }
}
