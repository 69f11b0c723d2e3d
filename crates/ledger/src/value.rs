//! Reading one cell as a typed value: amounts, land, counts, dates, stages, channels,
//! codes and names, with messages in Chinese.

use crate::field::{Field, Unit, ValueKind};
use crate::sheet::{number_text, Cell};
use chrono::{Duration, NaiveDate};
use fenglai_domain::money::{self, Currency, Written};
use fenglai_domain::{dates, names, Channel, IndustryCode, RegionCode, Stage, Uscc, Yuan};
use std::borrow::Cow;
use std::fmt;

/// Land in hundredths of a 亩 (exact; 1 亩 = 666.67 m², 1 公顷 = 15 亩).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Mu(pub i64);

impl Mu {
    pub fn hundredths(self) -> i64 {
        self.0
    }

    /// For the store, which keeps land as a float.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// "12.5", "3", "0.05": the value in 亩 with no trailing zeros.
    pub fn decimal(self) -> String {
        decimal_text(self.0 as i128, 2)
    }
}

impl fmt::Display for Mu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}亩", self.decimal())
    }
}

/// `value / 10^places` as decimal text without trailing zeros.
pub(crate) fn decimal_text(value: i128, places: u32) -> String {
    let scale = 10i128.pow(places);
    let sign = if value < 0 { "-" } else { "" };
    let (int, frac) = (value.abs() / scale, value.abs() % scale);
    if frac == 0 {
        format!("{sign}{int}")
    } else {
        let f = format!("{:0w$}", frac, w = places as usize);
        format!("{sign}{int}.{}", f.trim_end_matches('0'))
    }
}

/// A parsed cell, typed by its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Uscc(Uscc),
    IndustryCode(IndustryCode),
    RegionCode(RegionCode),
    Yuan(Yuan),
    /// US dollars.
    Usd(i64),
    Mu(Mu),
    Count(i64),
    Date(NaiveDate),
    Stage(Stage),
    Channel(Channel),
}

/// Text that means "nothing here" in a ledger: dashes, slashes, 无.
pub(crate) fn is_placeholder(s: &str) -> bool {
    let t = s.trim_matches(|c: char| c.is_whitespace());
    t.is_empty()
        || matches!(
            t,
            "无" | "暂无"
                | "/"
                | "／"
                | "\\"
                | "-"
                | "--"
                | "—"
                | "——"
                | "－"
                | "－－"
                | "N/A"
                | "n/a"
        )
}

fn is_cjk_or_wide(c: char) -> bool {
    !c.is_ascii()
}

/// Removes invisible characters (control, zero-width and bidi characters, see
/// [`fenglai_domain::names::is_invisible`]) and stray spaces from a name: ends trimmed (full-width and no-break spaces too),
/// spaces next to a Chinese character or full-width bracket dropped, runs of spaces
/// between Latin words kept as one ("苏州 华芯 （集团）" → "苏州华芯（集团）",
/// "Apple  Inc." → "Apple Inc.").
pub fn clean_name(s: &str) -> String {
    let visible;
    let s = if s.chars().any(names::is_invisible) {
        visible = names::strip_invisible(s, false);
        visible.as_str()
    } else {
        s
    };
    let trimmed = s.trim();
    if !trimmed.contains(char::is_whitespace) {
        return trimmed.to_string();
    }
    let chars: Vec<char> = trimmed.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            let prev = out.chars().last();
            let next = chars.get(j).copied();
            let keep = match (prev, next) {
                (Some(p), Some(n)) => !is_cjk_or_wide(p) && !is_cjk_or_wide(n),
                _ => false,
            };
            if keep {
                out.push(' ');
            }
            i = j;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Free text: invisible characters removed (line breaks kept), trimmed, each line
/// trimmed, empty lines dropped.
fn clean_text(s: &str) -> String {
    let visible;
    let s = if s.chars().any(|c| c != '\n' && names::is_invisible(c)) {
        visible = names::strip_invisible(s, true);
        visible.as_str()
    } else {
        s
    };
    let trimmed = s.trim();
    if !trimmed.contains(['\n', '\r']) {
        return trimmed.to_string();
    }
    trimmed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// An exact decimal: `mantissa / 10^scale`.
fn parse_decimal(s: &str) -> Option<(i128, u32)> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || int.len() + frac.len() > 30
    {
        return None;
    }
    let digits = format!("{int}{frac}");
    let m: i128 = digits.parse().ok()?;
    Some((if neg { -m } else { m }, frac.len() as u32))
}

/// Keeps digits, sign and point; drops grouping commas and spaces; folds full-width.
fn numeric_core(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' | '．' | '－' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{3000}' | '\u{a0}'))
        .collect()
}

/// Reads land: a number in the column's unit, or with its own ("50亩", "2公顷",
/// "3000平方米"); rounded to 0.01 亩 (half away from zero).
pub fn parse_land(text: &str, unit: Unit) -> Result<Mu, String> {
    let err = || format!("无法识别的面积“{}”", text.trim());
    let mut s = numeric_core(text);
    let mut unit = unit;
    for (suffix, u) in [
        ("平方米", Unit::SquareMetre),
        ("平米", Unit::SquareMetre),
        ("㎡", Unit::SquareMetre),
        ("m²", Unit::SquareMetre),
        ("m2", Unit::SquareMetre),
        ("公顷", Unit::Hectare),
        ("亩", Unit::Mu),
    ] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.to_string();
            unit = u;
            break;
        }
    }
    let (m, scale) = parse_decimal(&s).ok_or_else(err)?;
    // hundredths of 亩 = value × num / den × 100
    let (num, den): (i128, i128) = match unit {
        Unit::SquareMetre => (3, 2000),
        Unit::Hectare => (15, 1),
        _ => (1, 1),
    };
    let n = m.checked_mul(num * 100).ok_or_else(err)?;
    let d = den * 10i128.pow(scale);
    let q = (n.abs() * 2 + d) / (2 * d);
    let v = if n < 0 { -q } else { q };
    i64::try_from(v).map(Mu).map_err(|_| err())
}

/// Reads a whole count ("200", "1,200人", "约200" is refused).
pub fn parse_count(text: &str) -> Result<i64, String> {
    let err = || format!("无法识别的人数“{}”，应为整数", text.trim());
    let s = numeric_core(text);
    let s = s.strip_suffix('人').unwrap_or(&s);
    let s = s.strip_suffix(".0").unwrap_or(s);
    match parse_decimal(s) {
        Some((m, 0)) => i64::try_from(m).map_err(|_| err()),
        _ => Err(err()),
    }
}

/// Reads an amount in yuan: the domain's exact parser, with the column's unit as default.
/// A currency sign or name means whole yuan unless a multiple follows ("¥3500" under
/// 万元 is 3,500 yuan, "¥3500万" 35,000,000); dollars are refused.
pub fn parse_yuan(text: &str, unit: Unit) -> Result<Yuan, String> {
    let t = text.trim();
    let w = money::parse_amount(t, unit.factor()).map_err(|e| e.message)?;
    match w.currency {
        Some(Currency::UsDollar) => Err(format!(
            "金额“{t}”是美元，此列应为人民币（外资请填在利用外资列）"
        )),
        _ => Ok(Yuan(w.value)),
    }
}

/// Reads an amount in US dollars ("500", "500万美元", "$1,200,000", "1.2亿美元",
/// "USD 1200"). A sign or name means whole dollars unless a multiple follows ("$1200"
/// under 万美元 is 1,200 dollars, "$12亿" 1,200,000,000); yuan are refused rather than
/// converted at a guessed rate.
pub fn parse_usd(text: &str, unit: Unit) -> Result<i64, String> {
    let t = text.trim();
    match money::parse_amount(t, unit.factor()) {
        Ok(Written {
            currency: Some(Currency::Yuan),
            ..
        }) => Err(format!("金额“{t}”是人民币，此列应为美元")),
        Ok(w) => Ok(w.value),
        Err(e) if e.message.starts_with("无法识别") => Err(format!("无法识别的美元金额“{t}”")),
        Err(e) => Err(e.message),
    }
}

/// The first day Excel's 1900 date system counts from (serial 1 = 1900-01-01, with
/// Excel's phantom 1900-02-29 at 60).
fn from_serial(serial: f64) -> Option<NaiveDate> {
    if !(61.0..2_958_466.0).contains(&serial) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(Duration::days(serial.floor() as i64))
}

/// The Excel serial number of a day (1900 system).
pub fn to_serial(d: NaiveDate) -> i64 {
    (d - NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid epoch")).num_days()
}

/// The days a bare number in a date column may stand for as an Excel serial. A number
/// whose serial falls outside is not read as a date at all (2024 would be 1905-07-16,
/// 20243 1955-06-03): it is read as a year and month it spells (2024.3, 202403,
/// 20240305) or refused. Default: 1990-01-01 to 30 years after today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateWindow {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl DateWindow {
    /// `None` if `first` is after `last`.
    pub fn new(first: NaiveDate, last: NaiveDate) -> Option<Self> {
        (first <= last).then_some(Self { first, last })
    }

    /// 1990-01-01 to `today` + 30 years.
    pub fn around(today: NaiveDate) -> Self {
        let last = today
            .checked_add_months(chrono::Months::new(12 * 30))
            .unwrap_or(NaiveDate::MAX);
        Self {
            first: NaiveDate::from_ymd_opt(1990, 1, 1).expect("valid date"),
            last,
        }
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        (self.first..=self.last).contains(&d)
    }

    /// The day an Excel serial stands for, if it falls inside.
    fn serial(&self, serial: f64) -> Option<NaiveDate> {
        from_serial(serial).filter(|d| self.contains(*d))
    }
}

impl Default for DateWindow {
    fn default() -> Self {
        Self::around(chrono::Utc::now().date_naive())
    }
}

/// A number in a date column. Excel stores "2024.3" typed into a cell as the number
/// 2024.3 and "2024.10" as 2024.1, so: an Excel serial inside the window is its day
/// (45366 → 2024-03-15, a time of day ignored); 1900–2200 with one or two decimals is
/// that year's month (2024.3 and 2024.03 → 2024年3月, 2024.12 → December), except
/// 2024.1, which may have been typed 2024.1 or 2024.10 and is refused asking for text;
/// 202403 is the month and 20240305 the day; a whole year alone (2024) is refused.
/// Never a day the number does not spell.
pub(crate) fn date_from_number(n: f64, window: &DateWindow) -> Result<NaiveDate, String> {
    let typed = number_text(n);
    let hint = "请写作 2024-03-15 或 2024年3月";
    if !n.is_finite() || n <= 0.0 {
        return Err(format!("无法识别的日期“{typed}”，{hint}"));
    }
    let int = n.trunc();
    let whole = n.fract() == 0.0;
    if (1900.0..=2200.0).contains(&int) {
        let year = int as i32;
        if whole {
            return Err(format!("“{typed}”只有年份，{hint}（写明月份）"));
        }
        let (_, frac) = typed.split_once('.').unwrap_or((&typed, ""));
        if frac == "1" {
            return Err(format!(
                "数字“{typed}”分不清是{year}年1月还是{year}年10月（Excel把“{year}.10”存为{typed}）；\
                 请把单元格设为文本后写作“{year}年1月”或“{year}年10月”"
            ));
        }
        return match frac.parse::<u32>() {
            Ok(m) if frac.len() <= 2 => NaiveDate::from_ymd_opt(year, m, 1)
                .ok_or_else(|| format!("无法识别的日期“{typed}”：没有{m}月，{hint}")),
            _ => Err(format!("无法识别的日期“{typed}”，{hint}")),
        };
    }
    if whole && (100_000.0..100_000_000.0).contains(&n) {
        // 202403 or 20240305 typed as a number: the month or day it spells.
        return dates::parse(&typed, "date")
            .map_err(|_| format!("无法识别的日期“{typed}”，{hint}"));
    }
    window.serial(n).ok_or_else(|| {
        format!(
            "无法识别的日期“{typed}”：不是日期，也不是{}至{}之间的Excel日期序号；{hint}",
            window.first.format("%Y-%m-%d"),
            window.last.format("%Y-%m-%d")
        )
    })
}

/// A cell formatted as a date holds a serial all the same: typed 2024, 2024.3 or 202403,
/// Excel shows 1905-07-16 or 2454-02-26. A serial of 1900–2200 (1905-03-14 to
/// 1906-01-08: a year, or a year and month with its decimals lost) is refused; one that
/// spells a month (202403) is that month; any other day is the day shown, inside the
/// window or not (ledgers written by [`crate::write_xlsx`] hold such cells).
pub(crate) fn date_cell(d: NaiveDate, window: &DateWindow) -> Result<NaiveDate, String> {
    let serial = to_serial(d);
    if (1900..=2200).contains(&serial) {
        return Err(format!(
            "单元格为日期格式，Excel日期序号为“{serial}”，像是填了年份或“年.月”（如 2024.3）\
             而不是日期；请把单元格设为文本后写作 2024-03-15 或 2024年3月"
        ));
    }
    if (190_001..=220_012).contains(&serial) {
        if let Ok(month) = date_from_number(serial as f64, window) {
            return Ok(month);
        }
    }
    Ok(d)
}

/// Reads a date: a date cell, an Excel serial inside the default [`DateWindow`] (45366,
/// as a number or as five digits of text), a number spelling a month or day (2024.3,
/// 202403, 20240305), or any form the domain reads (2024年3月15日, 2024.3.15, 2024/3/15,
/// 2024-03, 2024年3月, 20240315, 二〇二四年三月五日).
pub fn parse_date(cell: &Cell, field: Field) -> Result<NaiveDate, String> {
    parse_date_in(cell, field, &DateWindow::default())
}

/// [`parse_date`] with the serials limited to `window`.
pub fn parse_date_in(cell: &Cell, field: Field, window: &DateWindow) -> Result<NaiveDate, String> {
    match cell {
        Cell::Date(d) => date_cell(*d, window),
        Cell::Number(n) => date_from_number(*n, window),
        Cell::Text(s) => {
            let t = s.trim();
            if t.len() == 5 && t.bytes().all(|b| b.is_ascii_digit()) {
                // five digits are an Excel serial as text, inside the window, or nothing
                return date_from_number(t.parse().unwrap_or(0.0), window);
            }
            dates::parse(t, field.key()).map_err(|e| e.message)
        }
        other => Err(format!("无法识别的日期“{}”", other.text())),
    }
}

/// Reads a project's progress as ledgers write it.
pub fn parse_stage(text: &str) -> Result<Stage, String> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(s) = Stage::ALL
        .into_iter()
        .find(|s| s.as_str() == t || s.label() == t)
    {
        return Ok(s);
    }
    let table: [(Stage, &[&str]); 7] = [
        (
            Stage::Negotiating,
            &[
                "洽谈",
                "洽谈中",
                "在谈",
                "在洽谈",
                "正在洽谈",
                "跟踪洽谈",
                "接洽中",
                "谈判中",
                "在谈项目",
                "意向",
                "有意向",
                "对接中",
                "在谈判",
            ],
        ),
        (
            Stage::Signed,
            &[
                "已签约",
                "签约未开工",
                "已签约未开工",
                "已签订合同",
                "已签协议",
                "已签订协议",
                "签约待建",
                "已签合同",
            ],
        ),
        (
            Stage::Started,
            &[
                "在建",
                "已开工",
                "开工",
                "开工建设",
                "建设中",
                "在建中",
                "施工中",
                "正在建设",
                "已开工建设",
                "新开工",
            ],
        ),
        (
            Stage::Completed,
            &["已竣工", "竣工未投产", "建成", "已建成", "竣工验收"],
        ),
        (
            Stage::Producing,
            &[
                "已投产",
                "部分投产",
                "试生产",
                "投产运营",
                "已运营",
                "建成投产",
                "竣工投产",
            ],
        ),
        (
            Stage::AtCapacity,
            &["已达产", "全面达产", "达产达效", "满产"],
        ),
        (
            Stage::Dropped,
            &[
                "终止",
                "已中止",
                "已终止",
                "停滞",
                "放弃",
                "已放弃",
                "取消",
                "已取消",
                "中止洽谈",
                "终止洽谈",
            ],
        ),
    ];
    table
        .iter()
        .find(|(_, words)| words.contains(&t.as_str()))
        .map(|(s, _)| *s)
        .ok_or_else(|| {
            format!(
                "无法识别的进展“{}”；可写：洽谈中、已签约、在建、已竣工、已投产、已达产、中止",
                text.trim()
            )
        })
}

/// Reads a channel: the code or label, or a word ledgers use for it.
pub fn parse_channel(text: &str) -> Result<Channel, String> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(c) = Channel::ALL
        .iter()
        .copied()
        .find(|c| c.as_str() == t || c.label() == t)
    {
        return Ok(c);
    }
    let rules: [(Channel, &[&str]); 6] = [
        (Channel::StationedOffice, &["驻点", "驻外", "办事处", "驻"]),
        (
            Channel::EnterpriseReferral,
            &["以商", "以企", "企业推荐", "客商推荐", "以情"],
        ),
        (Channel::Association, &["商会", "协会", "学会", "联合会"]),
        (
            Channel::ThirdParty,
            &["第三方", "中介", "代理", "顾问", "基金"],
        ),
        (
            Channel::Event,
            &[
                "活动",
                "展会",
                "推介",
                "博览会",
                "招商会",
                "峰会",
                "论坛",
                "洽谈会",
            ],
        ),
        (
            Channel::Promoter,
            &["自主", "自行", "本单位", "主动", "招商局", "招商人员"],
        ),
    ];
    rules
        .iter()
        .find(|(_, words)| words.iter().any(|w| t.contains(w)))
        .map(|(c, _)| *c)
        .ok_or_else(|| {
            let all: Vec<&str> = Channel::ALL.iter().map(|c| c.label()).collect();
            format!("无法识别的渠道“{}”；可用：{}", text.trim(), all.join("、"))
        })
}

/// Reads one non-blank cell as the value of a field. `unit` is the column's.
pub fn parse_value(cell: &Cell, field: Field, unit: Option<Unit>) -> Result<Value, String> {
    parse_value_in(cell, field, unit, &DateWindow::default())
}

/// [`parse_value`] with Excel serials in date columns limited to `window`.
pub fn parse_value_in(
    cell: &Cell,
    field: Field,
    unit: Option<Unit>,
    window: &DateWindow,
) -> Result<Value, String> {
    let kind = field.kind();
    let unit = unit
        .or_else(|| Unit::for_kind(kind).first().copied())
        .unwrap_or(Unit::Yuan);
    let text: Cow<str> = match cell {
        Cell::Error(e) => return Err(format!("单元格为错误值“{e}”")),
        Cell::Text(s) => Cow::Borrowed(s),
        c => Cow::Owned(c.text()),
    };
    let shows = |cleaned: String| {
        if cleaned.is_empty() && !text.trim().is_empty() {
            Err(
                "只含不可见字符（控制字符、零宽字符或文字方向控制符），请填写可见的文字"
                    .to_string(),
            )
        } else {
            Ok(Value::Text(cleaned))
        }
    };
    Ok(match kind {
        ValueKind::Name => shows(clean_name(&text))?,
        ValueKind::Text => shows(clean_text(&text))?,
        ValueKind::Phone => Value::Text(
            text.chars()
                .filter(|c| !c.is_whitespace() && !names::is_invisible(*c))
                .collect(),
        ),
        ValueKind::Uscc => {
            Value::Uscc(Uscc::parse(&text).map_err(|e| format!("{e}（“{}”）", text.trim()))?)
        }
        ValueKind::IndustryCode => {
            Value::IndustryCode(IndustryCode::parse(&text).map_err(|e| e.message)?)
        }
        ValueKind::RegionCode => {
            Value::RegionCode(RegionCode::parse(&text).map_err(|e| e.message)?)
        }
        // Names are far more common than codes: look before building a code's error.
        ValueKind::Industry => match clean_name(&text) {
            t if !t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                match IndustryCode::parse(&t) {
                    Ok(c) => Value::IndustryCode(c),
                    Err(_) => Value::Text(t),
                }
            }
            t => shows(t)?,
        },
        ValueKind::Region => match clean_name(&text) {
            t if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) => {
                Value::RegionCode(RegionCode::parse(&t).map_err(|e| e.message)?)
            }
            t => shows(t)?,
        },
        ValueKind::Yuan => Value::Yuan(parse_yuan(&text, unit)?),
        ValueKind::Usd => Value::Usd(parse_usd(&text, unit)?),
        ValueKind::Land => Value::Mu(parse_land(&text, unit)?),
        ValueKind::Count => Value::Count(parse_count(&text)?),
        ValueKind::Date => Value::Date(parse_date_in(cell, field, window)?),
        ValueKind::Stage => Value::Stage(parse_stage(&text)?),
        ValueKind::Channel => Value::Channel(parse_channel(&text)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn names_lose_stray_spaces() {
        assert_eq!(
            clean_name("  苏州 华芯科技有限公司\u{3000}"),
            "苏州华芯科技有限公司"
        );
        assert_eq!(clean_name("华芯 （苏州） 科技"), "华芯（苏州）科技");
        assert_eq!(clean_name(" Apple   Inc. "), "Apple Inc.");
        assert_eq!(clean_name("TCL 科技"), "TCL科技");
    }

    /// Zero-width and bidi characters are not part of a name; a cell of nothing else is
    /// refused, not read as a blank or an invisible name.
    #[test]
    fn invisible_characters() {
        assert_eq!(
            clean_name("华芯\u{200B}科技\u{202E}有限公司\u{FEFF}"),
            "华芯科技有限公司"
        );
        assert_eq!(
            clean_name("\u{2066}Apple\u{2069} \u{200D} Inc."),
            "Apple Inc."
        );
        assert_eq!(
            clean_text("第一行\u{200B}\r\n\u{0}第二行"),
            "第一行\n第二行"
        );
        for f in [
            Field::CompanyName,
            Field::ContactName,
            Field::Description,
            Field::Remarks,
        ] {
            let e = parse_value(&Cell::Text("\u{200B}\u{202E}\u{0}".into()), f, None).unwrap_err();
            assert!(e.starts_with("只含不可见字符"), "{e}");
        }
        assert_eq!(
            parse_value(
                &Cell::Text("\u{202E}甲公司".into()),
                Field::CompanyName,
                None
            ),
            Ok(Value::Text("甲公司".into()))
        );
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_yuan("1.28", Unit::Yi), Ok(Yuan(128_000_000)));
        assert_eq!(parse_yuan("1.28亿", Unit::Wan), Ok(Yuan(128_000_000)));
        assert_eq!(parse_yuan("5,000", Unit::Wan), Ok(Yuan(50_000_000)));
        assert_eq!(parse_yuan("3000万", Unit::Yi), Ok(Yuan(30_000_000)));
        assert_eq!(parse_yuan("人民币3000万元", Unit::Yi), Ok(Yuan(30_000_000)));
        assert_eq!(
            parse_yuan("约一个亿", Unit::Wan),
            Err("无法识别的金额“约一个亿”".to_string())
        );
        assert_eq!(parse_usd("500", Unit::WanUsd), Ok(5_000_000));
        assert_eq!(parse_usd("500万美元", Unit::Usd), Ok(5_000_000));
        assert_eq!(parse_usd("$1,200", Unit::Usd), Ok(1_200));
        assert_eq!(parse_usd("1.2亿美元", Unit::WanUsd), Ok(120_000_000));
        assert!(parse_usd("500万元", Unit::WanUsd).is_err());
        assert!(parse_usd("很多", Unit::WanUsd).is_err());
    }

    #[test]
    fn land_and_counts() {
        assert_eq!(parse_land("50", Unit::Mu), Ok(Mu(5000)));
        assert_eq!(parse_land("12.5亩", Unit::SquareMetre), Ok(Mu(1250)));
        assert_eq!(parse_land("2", Unit::Hectare), Ok(Mu(3000)));
        assert_eq!(parse_land("666.67", Unit::SquareMetre), Ok(Mu(100)));
        assert_eq!(parse_land("10000平方米", Unit::Mu), Ok(Mu(1500)));
        assert_eq!(parse_land("0.005", Unit::Mu), Ok(Mu(1)));
        assert!(parse_land("大约", Unit::Mu).is_err());
        assert_eq!(parse_count("1,200人"), Ok(1200));
        assert_eq!(parse_count("300"), Ok(300));
        assert!(parse_count("约200").is_err());
        assert!(parse_count("2.5").is_err());
        assert_eq!(Mu(1250).decimal(), "12.5");
        assert_eq!(Mu(5).decimal(), "0.05");
        assert_eq!(Mu(-150).decimal(), "-1.5");
    }

    #[test]
    fn dates_in_every_form() {
        let want = d(2024, 3, 15);
        for s in [
            "2024年3月15日",
            "2024.3.15",
            "2024/3/15",
            "2024-03-15",
            "45366",
            "20240315",
        ] {
            assert_eq!(
                parse_date(&Cell::Text(s.into()), Field::SignedDate),
                Ok(want),
                "{s}"
            );
        }
        assert_eq!(
            parse_date(&Cell::Number(45366.0), Field::SignedDate),
            Ok(want)
        );
        assert_eq!(
            parse_date(&Cell::Number(45366.75), Field::SignedDate),
            Ok(want)
        );
        assert_eq!(parse_date(&Cell::Date(want), Field::SignedDate), Ok(want));
        for s in ["2024-03", "2024年3月", "2024.3"] {
            assert_eq!(
                parse_date(&Cell::Text(s.into()), Field::SignedDate),
                Ok(d(2024, 3, 1)),
                "{s}"
            );
        }
        assert_eq!(to_serial(want), 45366);
        assert_eq!(from_serial(61.0), Some(d(1900, 3, 1)));
        assert!(parse_date(&Cell::Text("去年".into()), Field::SignedDate).is_err());
        assert!(parse_date(&Cell::Number(12.0), Field::SignedDate).is_err());
    }

    /// Numbers in a date column are never read as a day they do not spell: 2024.3 was
    /// 1905-07-16, the text 20243 1955-06-03, 202403 refused as 2454-02-26.
    #[test]
    fn numbers_in_date_columns() {
        let f = Field::SignedDate;
        let num = |n: f64| parse_date(&Cell::Number(n), f);
        let text = |s: &str| parse_date(&Cell::Text(s.into()), f);
        assert_eq!(num(2024.3), Ok(d(2024, 3, 1)));
        assert_eq!(num(2024.03), Ok(d(2024, 3, 1)));
        assert_eq!(num(2024.12), Ok(d(2024, 12, 1)));
        assert_eq!(num(2024.11), Ok(d(2024, 11, 1)));
        assert_eq!(num(202403.0), Ok(d(2024, 3, 1)));
        assert_eq!(num(20240305.0), Ok(d(2024, 3, 5)));
        assert_eq!(num(45366.0), Ok(d(2024, 3, 15)));
        assert_eq!(text("202403"), Ok(d(2024, 3, 1)));
        assert_eq!(text("2024.1"), Ok(d(2024, 1, 1)));
        assert_eq!(text("2024.10"), Ok(d(2024, 10, 1)));
        // 2024.10 typed into a number cell arrives as 2024.1: refused, never January.
        let e = num(2024.1).unwrap_err();
        assert!(
            e.contains("2024年1月还是2024年10月") && e.contains("文本"),
            "{e}"
        );
        let e = num(2024.0).unwrap_err();
        assert_eq!(
            e,
            "“2024”只有年份，请写作 2024-03-15 或 2024年3月（写明月份）"
        );
        let e = text("20243").unwrap_err();
        assert!(
            e.starts_with("无法识别的日期“20243”：不是日期，也不是1990-01-01至"),
            "{e}"
        );
        let e = num(20243.0).unwrap_err();
        assert!(
            e.starts_with("无法识别的日期“20243”：不是日期，也不是1990-01-01至"),
            "{e}"
        );
        assert!(!e.contains("1955"), "{e}");
        for (n, typed) in [
            (2024.13, "2024.13"),
            (202413.0, "202413"),
            (20240230.0, "20240230"),
            (2024.123, "2024.123"),
            (-5.0, "-5"),
        ] {
            let e = num(n).unwrap_err();
            assert!(e.contains(&format!("“{typed}”")), "{n}: {e}");
        }
        // A window of one's own.
        let w = DateWindow::new(d(1950, 1, 1), d(2000, 12, 31)).unwrap();
        assert_eq!(
            parse_date_in(&Cell::Number(20243.0), f, &w),
            Ok(d(1955, 6, 3))
        );
        assert!(parse_date_in(&Cell::Number(45366.0), f, &w).is_err());
        assert!(DateWindow::new(d(2000, 1, 1), d(1999, 1, 1)).is_none());
        // the same numbers typed into a cell formatted as a date
        let date = |x: NaiveDate| parse_date(&Cell::Date(x), f);
        let e = date(d(1905, 7, 16)).unwrap_err();
        assert!(
            e.contains("“2024”") && e.contains("文本") && !e.contains("1905"),
            "{e}"
        );
        assert_eq!(date(d(2454, 2, 26)), Ok(d(2024, 3, 1)));
        assert_eq!(date(d(2024, 3, 5)), Ok(d(2024, 3, 5)));
        assert_eq!(date(d(1985, 6, 1)), Ok(d(1985, 6, 1)));
        assert_eq!(date(d(2173, 10, 14)), Ok(d(2173, 10, 14)));
        let around = DateWindow::around(d(2026, 12, 7));
        assert_eq!((around.first, around.last), (d(1990, 1, 1), d(2056, 12, 7)));
    }

    #[test]
    fn stages_as_written() {
        for (s, want) in [
            ("洽谈中", Stage::Negotiating),
            ("在谈", Stage::Negotiating),
            ("已签约", Stage::Signed),
            ("在建", Stage::Started),
            ("已开工", Stage::Started),
            ("已竣工", Stage::Completed),
            ("已投产", Stage::Producing),
            ("已达产", Stage::AtCapacity),
            ("中止", Stage::Dropped),
            ("终止", Stage::Dropped),
            ("签约", Stage::Signed),
            ("at_capacity", Stage::AtCapacity),
            (" 已 投产 ", Stage::Producing),
        ] {
            assert_eq!(parse_stage(s), Ok(want), "{s}");
        }
        assert!(parse_stage("看情况").is_err());
    }

    #[test]
    fn channels_as_written() {
        assert_eq!(parse_channel("以商招商"), Ok(Channel::EnterpriseReferral));
        assert_eq!(parse_channel("商会推荐"), Ok(Channel::Association));
        assert_eq!(parse_channel("驻深圳办事处"), Ok(Channel::StationedOffice));
        assert_eq!(parse_channel("event"), Ok(Channel::Event));
        assert!(parse_channel("不知道").is_err());
    }

    #[test]
    fn placeholders() {
        assert!(is_placeholder(" — "));
        assert!(is_placeholder("无"));
        assert!(!is_placeholder("0"));
    }
}
