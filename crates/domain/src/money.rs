//! Money as integer yuan, shown in 万元 / 亿元.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount in whole yuan. Never a float.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Yuan(pub i64);

/// 万: the multiple of a field labelled 万元.
pub const WAN: i64 = 10_000;
/// 亿: the multiple of a field labelled 亿元.
pub const YI: i64 = 100_000_000;

/// Formats `value / unit` with `places` decimals, rounding half away from zero,
/// using integer arithmetic only.
fn fixed(value: i64, unit: i64, places: u32) -> String {
    let scale = 10i128.pow(places);
    let v = value as i128 * scale;
    let u = unit as i128;
    let q = (v.abs() + u / 2) / u;
    let sign = if value < 0 && q != 0 { "-" } else { "" };
    let int = q / scale;
    let frac = q % scale;
    let mut s = format!("{sign}{}", group(int));
    if places > 0 {
        let f = format!("{:0width$}", frac, width = places as usize);
        let f = f.trim_end_matches('0');
        if !f.is_empty() {
            s.push('.');
            s.push_str(f);
        }
    }
    s
}

fn group(n: i128) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::from(if n < 0 { "-" } else { "" });
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Yuan {
    /// "12.35亿元" for amounts of at least 1 亿, else "3,500万元", else "800元".
    pub fn human(self) -> String {
        let a = self.0.unsigned_abs();
        if a >= YI as u64 {
            format!("{}亿元", fixed(self.0, YI, 2))
        } else if a >= WAN as u64 {
            format!("{}万元", fixed(self.0, WAN, 2))
        } else {
            format!("{}元", group(self.0 as i128))
        }
    }

    /// The amount in 亿元 with two decimals, without unit ("632.38").
    pub fn yi(self) -> String {
        fixed(self.0, YI, 2)
    }

    /// The amount in 万元 with up to two decimals, without unit.
    pub fn wan(self) -> String {
        fixed(self.0, WAN, 2)
    }

    /// The amount in `unit` (a power of ten: 10_000 for 万元) as a form field shows it:
    /// exact, with as many decimals as it needs and neither grouping nor unit, so that
    /// [`Yuan::parse_form`] reads it back to the same yuan (12,345 yuan is "1.2345" in 万元).
    pub fn in_unit(self, unit: i64) -> String {
        debug_assert!(unit > 0 && 10i64.pow(unit.ilog10()) == unit, "unit {unit}");
        let places = unit.ilog10() as usize;
        let (v, u) = (self.0 as i128, unit as i128);
        let sign = if v < 0 { "-" } else { "" };
        let (int, frac) = (v.abs() / u, v.abs() % u);
        let frac = format!("{frac:0places$}");
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac}")
        }
    }

    /// Reads an amount typed into a form field labelled in `unit` yuan (10_000 for 万元):
    /// blank is none; see [`parse_form`] for the rule.
    pub fn parse_form(input: &str, unit: i64) -> Result<Option<Yuan>, crate::Invalid> {
        Ok(parse_form(input, unit, Currency::Yuan)?.map(Yuan))
    }

    /// Parses "1.28亿", "5,000万元", "3000万", "1280000000", "12.5" (with a default unit
    /// in yuan multiples, e.g. 10_000 for a column headed 万元). Exact: decimals are
    /// handled as integers, and amounts that are not whole yuan are refused. Full-width
    /// digits ("１．２８亿") are folded. A currency sign or name is not a unit: "¥3500",
    /// "RMB 3500", "人民币3500元" are 3,500 yuan whatever the default unit, "¥3500万"
    /// 35,000,000 (see [`parse_amount`]); an amount in dollars or another currency is
    /// refused.
    pub fn parse_with_unit(input: &str, default_unit: i64) -> Result<Yuan, crate::Invalid> {
        let w = parse_amount(input, default_unit)?;
        match w.currency {
            Some(Currency::UsDollar) => Err(crate::Invalid::new(
                "amount",
                format!("金额“{}”是美元，此处应为人民币", input.trim()),
            )),
            _ => Ok(Yuan(w.value)),
        }
    }
}

/// The currency an amount names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Currency {
    /// ¥, ￥, RMB, CNY, 人民币, 元
    Yuan,
    /// $, US$, USD, 美元, 美金
    UsDollar,
}

/// An amount as written: `value` in whole units of its currency, and the currency if the
/// text named one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub value: i64,
    pub currency: Option<Currency>,
}

/// Signs and names in front of the number, longest first.
const PREFIXES: [(&str, Currency); 9] = [
    ("US$", Currency::UsDollar),
    ("USD", Currency::UsDollar),
    ("$", Currency::UsDollar),
    ("美元", Currency::UsDollar),
    ("RMB", Currency::Yuan),
    ("CNY", Currency::Yuan),
    ("人民币", Currency::Yuan),
    ("¥", Currency::Yuan),
    ("￥", Currency::Yuan),
];

/// Names after the number and its multiple ("万元", "万美元", "万元人民币").
const SUFFIXES: [(&str, Currency); 7] = [
    ("美元", Currency::UsDollar),
    ("美金", Currency::UsDollar),
    ("USD", Currency::UsDollar),
    ("元", Currency::Yuan),
    ("RMB", Currency::Yuan),
    ("CNY", Currency::Yuan),
    ("人民币", Currency::Yuan),
];

/// Multiples written after the number.
const MULTIPLES: [(&str, i64); 5] = [
    ("亿", YI),
    ("千万", 10_000_000),
    ("百万", 1_000_000),
    ("万", WAN),
    ("千", 1_000),
];

/// Marks of currencies other than yuan and dollars.
const OTHER_CURRENCIES: [&str; 14] = [
    "港元", "港币", "HK$", "HKD", "欧元", "€", "EUR", "日元", "円", "JPY", "英镑", "£", "GBP",
    "澳元",
];

/// Reads a written amount: a number with an optional multiple (万, 亿, 千万, 百万, 千) and
/// an optional currency, as a sign or name in front ("¥", "￥", "$", "US$", "USD ",
/// "RMB ", "人民币") or a name after ("元", "美元", "美金", "USD", "人民币"). The unit:
/// the multiple if written; else, if a currency is named, whole units of it ("¥3500" is
/// 3,500 yuan, "$1200" 1,200 dollars — a sign is not 万); else `default_unit` (the
/// column's, in whole units, e.g. 10_000 for 万元). Grouping commas and spaces are
/// ignored, full-width forms folded; exact, whole units only.
pub fn parse_amount(input: &str, default_unit: i64) -> Result<Written, crate::Invalid> {
    read(input, default_unit, Currency::Yuan)
}

/// [`parse_amount`], with the currency an amount that names none is in (for messages).
fn read(input: &str, default_unit: i64, default: Currency) -> Result<Written, crate::Invalid> {
    let shown = input.trim();
    let err = || crate::Invalid::new("amount", format!("无法识别的金额“{shown}”"));
    let folded: String = shown
        .chars()
        .filter(|c| !matches!(c, '\u{3000}' | '\u{a0}') && !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' | '．' | '－' | '＄' | '，' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            c => c.to_ascii_uppercase(),
        })
        .collect();
    if OTHER_CURRENCIES.iter().any(|m| folded.contains(m)) {
        return Err(crate::Invalid::new(
            "amount",
            format!("金额“{shown}”不是人民币或美元，请换算后填写"),
        ));
    }
    let mut s = folded.as_str();
    let mut neg = false;
    if let Some(rest) = s.strip_prefix('-') {
        (neg, s) = (true, rest);
    }
    let mut currency = None;
    if let Some((rest, c)) = PREFIXES
        .iter()
        .find_map(|(p, c)| s.strip_prefix(p).map(|rest| (rest, *c)))
    {
        s = rest;
        currency = Some(c);
        if let Some(rest) = s.strip_prefix('-') {
            if neg {
                return Err(err());
            }
            (neg, s) = (true, rest);
        }
    }
    let mut named = |c: Currency| -> Result<(), crate::Invalid> {
        match currency {
            Some(prev) if prev != c => Err(crate::Invalid::new(
                "amount",
                format!("金额“{shown}”同时写了人民币和美元"),
            )),
            _ => {
                currency = Some(c);
                Ok(())
            }
        }
    };
    // "万元人民币": the name, then "元" (of 万元) before it.
    for names in [&SUFFIXES[4..], &SUFFIXES[..4]] {
        if let Some((rest, c)) = names
            .iter()
            .find_map(|(n, c)| s.strip_suffix(n).map(|rest| (rest, *c)))
        {
            s = rest;
            named(c)?;
        }
    }
    let mut unit = match currency {
        Some(_) => 1,
        None => default_unit,
    };
    if let Some((rest, m)) = MULTIPLES
        .iter()
        .find_map(|(n, m)| s.strip_suffix(n).map(|rest| (rest, *m)))
    {
        s = rest;
        unit = m;
    }
    if s.is_empty() {
        return Err(err());
    }
    // Grouping commas every three digits of the whole part ("1,280,000"); a comma
    // anywhere else may be a decimal comma ("3,5") and is refused, not dropped.
    let ungrouped;
    if s.contains(',') {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let groups: Vec<&str> = int.split(',').collect();
        let grouped = (1..=3).contains(&groups[0].trim_start_matches('-').len())
            && groups[1..].iter().all(|g| g.len() == 3)
            && !frac.contains(',');
        if !grouped {
            return Err(crate::Invalid::new(
                "amount",
                format!("金额“{shown}”的逗号位置不对：千分位每三位一个逗号，小数请用小数点"),
            ));
        }
        ungrouped = s.replace(',', "");
        s = ungrouped.as_str();
    }
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 12
    {
        return Err(err());
    }
    let int_v: i128 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| err())?
    };
    let frac_v: i128 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| err())?
    };
    let scale = 10i128.pow(frac.len() as u32);
    let total = int_v
        .checked_mul(unit as i128 * scale)
        .and_then(|v| v.checked_add(frac_v * unit as i128))
        .ok_or_else(err)?;
    if total % scale != 0 {
        let whole = match currency.unwrap_or(default) {
            Currency::UsDollar => "美元",
            Currency::Yuan => "元",
        };
        return Err(crate::Invalid::new(
            "amount",
            format!("金额“{shown}”不是整数{whole}"),
        ));
    }
    let v = total / scale;
    let value = i64::try_from(if neg { -v } else { v }).map_err(|_| err())?;
    Ok(Written { value, currency })
}

/// Reads an amount typed into a form field labelled in `unit` whole units of `currency` (a
/// field labelled 万元 is `parse_form(text, 10_000, Currency::Yuan)`, one labelled 万美元 the
/// same in dollars). The rule every form follows:
/// - blank (spaces of either width) is no amount: `Ok(None)`;
/// - otherwise the text is read as [`parse_amount`] reads a ledger cell: a 万 / 亿 / 千万 …
///   after the number wins over the field's unit, a currency sign or name means whole units
///   ("3500元" in a 万元 field is 3,500 yuan), grouping commas are fine and a misplaced comma
///   is refused, full-width digits are folded;
/// - the other currency is refused, and so is a negative amount or one that is not whole
///   units.
///
/// Every refusal quotes what was typed and names the field's unit.
pub fn parse_form(
    input: &str,
    unit: i64,
    currency: Currency,
) -> Result<Option<i64>, crate::Invalid> {
    let shown = input.trim(); // full-width spaces too
    if shown.is_empty() {
        return Ok(None);
    }
    let in_unit = |message: String| {
        crate::Invalid::new(
            "amount",
            format!("{message}（单位：{}）", unit_name(unit, currency)),
        )
    };
    let w = read(shown, unit, currency).map_err(|e| in_unit(e.message))?;
    match (w.currency, currency) {
        (Some(Currency::UsDollar), Currency::Yuan) => {
            Err(in_unit(format!("金额“{shown}”是美元，此处应为人民币")))
        }
        (Some(Currency::Yuan), Currency::UsDollar) => {
            Err(in_unit(format!("金额“{shown}”是人民币，此处应为美元")))
        }
        _ if w.value < 0 => Err(in_unit(format!("金额“{shown}”不能为负数"))),
        _ => Ok(Some(w.value)),
    }
}

/// "万元", "亿元", "万美元": a form field's unit in words.
fn unit_name(unit: i64, currency: Currency) -> String {
    let name = match currency {
        Currency::Yuan => "元",
        Currency::UsDollar => "美元",
    };
    let multiple = match unit {
        1 => "",
        1_000 => "千",
        WAN => "万",
        1_000_000 => "百万",
        10_000_000 => "千万",
        YI => "亿",
        n => return format!("{}{name}", group(n as i128)),
    };
    format!("{multiple}{name}")
}

impl fmt::Display for Yuan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.human())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn human_forms() {
        assert_eq!(Yuan(63_238_000_000).human(), "632.38亿元");
        assert_eq!(Yuan(35_000_000).human(), "3,500万元");
        assert_eq!(Yuan(100_000_000).human(), "1亿元");
        assert_eq!(Yuan(800).human(), "800元");
        assert_eq!(Yuan(125_005_000).yi(), "1.25");
        assert_eq!(Yuan(125_000_001).yi(), "1.25");
    }

    /// Found by the `amount` fuzz target: the sign of a small negative amount was grouped
    /// with its digits ("-,800元"), and the smallest i64 overflowed `abs`.
    #[test]
    fn negative_and_extreme_amounts_display() {
        assert_eq!(Yuan(-800).human(), "-800元");
        assert_eq!(Yuan(-1_234).human(), "-1,234元");
        assert_eq!(Yuan(-123_456).human(), "-12.35万元");
        assert_eq!(Yuan(i64::MIN).human(), "-92,233,720,368.55亿元");
        assert_eq!(Yuan(i64::MAX).human(), "92,233,720,368.55亿元");
        let min = Yuan::parse_with_unit("-9223372036854775808", 1).unwrap();
        assert_eq!(min, Yuan(i64::MIN));
        assert_eq!(min.wan(), "-922,337,203,685,477.58");
    }

    #[test]
    fn parses_ledger_amounts() {
        assert_eq!(
            Yuan::parse_with_unit("1.28亿", 1).unwrap(),
            Yuan(128_000_000)
        );
        assert_eq!(
            Yuan::parse_with_unit("5,000万元", 1).unwrap(),
            Yuan(50_000_000)
        );
        assert_eq!(Yuan::parse_with_unit("12.5", WAN).unwrap(), Yuan(125_000));
        assert_eq!(
            Yuan::parse_with_unit("1280000000", 1).unwrap(),
            Yuan(1_280_000_000)
        );
        assert_eq!(
            Yuan::parse_with_unit("１．２８亿元", 1).unwrap(),
            Yuan(128_000_000)
        );
        assert!(Yuan::parse_with_unit("abc", 1).is_err());
        assert!(Yuan::parse_with_unit("0.5", 1).is_err());
        assert!(Yuan::parse_with_unit("", 1).is_err());
    }

    /// A currency sign is not a unit: "¥3500" in a 万元 field was 35,000,000 yuan.
    #[test]
    fn a_currency_sign_means_whole_units() {
        for s in [
            "¥3500",
            "￥3500",
            "RMB 3500",
            "CNY3500",
            "人民币3500元",
            "3500元",
            "3500 rmb",
        ] {
            assert_eq!(Yuan::parse_with_unit(s, WAN).unwrap(), Yuan(3_500), "{s}");
            assert_eq!(Yuan::parse_with_unit(s, YI).unwrap(), Yuan(3_500), "{s}");
        }
        assert_eq!(
            Yuan::parse_with_unit("¥3500万", 1).unwrap(),
            Yuan(35_000_000)
        );
        assert_eq!(
            Yuan::parse_with_unit("3500", WAN).unwrap(),
            Yuan(35_000_000)
        );
        let e = Yuan::parse_with_unit("$1200", WAN).unwrap_err();
        assert_eq!(e.message, "金额“$1200”是美元，此处应为人民币");
        assert_eq!(
            parse_amount("$12亿", WAN).unwrap(),
            Written {
                value: 1_200_000_000,
                currency: Some(Currency::UsDollar)
            }
        );
        assert_eq!(
            parse_amount("USD 1200", WAN).unwrap(),
            Written {
                value: 1_200,
                currency: Some(Currency::UsDollar)
            }
        );
        assert_eq!(
            parse_amount("1200", WAN).unwrap(),
            Written {
                value: 12_000_000,
                currency: None
            }
        );
    }

    /// What a form field reads, by what was typed: the amount in yuan (or dollars), none for
    /// blank, or the refusal's words.
    #[test]
    fn form_amounts_table() {
        use Currency::{UsDollar as Usd, Yuan as Rmb};
        enum Want {
            Is(i64),
            Blank,
            Refused(&'static str),
        }
        use Want::*;
        let cases: &[(&str, i64, Currency, Want)] = &[
            ("3500", WAN, Rmb, Is(35_000_000)),
            ("  3500 ", WAN, Rmb, Is(35_000_000)),
            ("3,500", WAN, Rmb, Is(35_000_000)),
            ("3,500.25", WAN, Rmb, Is(35_002_500)),
            ("12.5", WAN, Rmb, Is(125_000)),
            ("0.0001", WAN, Rmb, Is(1)),
            ("１２．５", WAN, Rmb, Is(125_000)),
            ("0", WAN, Rmb, Is(0)),
            ("-0", WAN, Rmb, Is(0)),
            ("1.28亿", WAN, Rmb, Is(128_000_000)),
            ("5000万元", WAN, Rmb, Is(50_000_000)),
            ("3500元", WAN, Rmb, Is(3_500)),
            ("¥3500", WAN, Rmb, Is(3_500)),
            ("人民币3500万元", WAN, Rmb, Is(35_000_000)),
            ("10", YI, Rmb, Is(1_000_000_000)),
            ("1.5亿元", YI, Rmb, Is(150_000_000)),
            ("800", 1, Rmb, Is(800)),
            ("1200", WAN, Usd, Is(12_000_000)),
            ("$1200", WAN, Usd, Is(1_200)),
            ("120万美元", WAN, Usd, Is(1_200_000)),
            ("", WAN, Rmb, Blank),
            ("   ", WAN, Rmb, Blank),
            ("\u{3000}", WAN, Rmb, Blank),
            ("", YI, Usd, Blank),
            (
                "五千",
                WAN,
                Rmb,
                Refused("无法识别的金额“五千”（单位：万元）"),
            ),
            (
                "很多",
                YI,
                Rmb,
                Refused("无法识别的金额“很多”（单位：亿元）"),
            ),
            ("约3000", WAN, Rmb, Refused("无法识别的金额“约3000”")),
            ("1e5", WAN, Rmb, Refused("无法识别的金额“1e5”")),
            ("12.5.3", WAN, Rmb, Refused("无法识别的金额“12.5.3”")),
            ("万", WAN, Rmb, Refused("无法识别的金额“万”")),
            ("-5", WAN, Rmb, Refused("金额“-5”不能为负数（单位：万元）")),
            ("－5", WAN, Rmb, Refused("不能为负数")),
            ("-¥5", WAN, Rmb, Refused("不能为负数")),
            ("-5", WAN, Usd, Refused("不能为负数（单位：万美元）")),
            ("3,5", WAN, Rmb, Refused("逗号位置不对")),
            ("35,00", WAN, Rmb, Refused("逗号位置不对")),
            ("0.00001", WAN, Rmb, Refused("不是整数元（单位：万元）")),
            ("0.00001", WAN, Usd, Refused("不是整数美元（单位：万美元）")),
            (
                "$1200",
                WAN,
                Rmb,
                Refused("是美元，此处应为人民币（单位：万元）"),
            ),
            ("1200万美元", WAN, Rmb, Refused("是美元，此处应为人民币")),
            (
                "¥1200",
                WAN,
                Usd,
                Refused("是人民币，此处应为美元（单位：万美元）"),
            ),
            ("1200万元", WAN, Usd, Refused("是人民币，此处应为美元")),
            ("12欧元", WAN, Rmb, Refused("不是人民币或美元")),
            ("99999999999999999999", WAN, Rmb, Refused("无法识别的金额")),
        ];
        for (typed, unit, currency, want) in cases {
            let got = parse_form(typed, *unit, *currency);
            match (want, &got) {
                (Is(v), Ok(Some(g))) => assert_eq!(g, v, "{typed:?}"),
                (Blank, Ok(None)) => {}
                (Refused(words), Err(e)) => {
                    assert!(e.message.contains(words), "{typed:?}: {}", e.message)
                }
                _ => panic!("{typed:?} in {unit} {currency:?}: {got:?}"),
            }
        }
        assert_eq!(
            Yuan::parse_form("1.28亿", WAN).unwrap(),
            Some(Yuan(128_000_000))
        );
        assert_eq!(Yuan::parse_form(" ", WAN).unwrap(), None);
    }

    #[test]
    fn amounts_in_a_unit() {
        assert_eq!(Yuan(12_345).in_unit(WAN), "1.2345");
        assert_eq!(Yuan(35_000_000).in_unit(WAN), "3500");
        assert_eq!(Yuan(1_234_567_890).in_unit(YI), "12.3456789");
        assert_eq!(Yuan(1).in_unit(YI), "0.00000001");
        assert_eq!(Yuan(800).in_unit(1), "800");
        assert_eq!(Yuan(-5_000).in_unit(WAN), "-0.5");
        assert_eq!(Yuan(i64::MAX).in_unit(WAN), "922337203685477.5807");
        assert_eq!(Yuan(i64::MIN).in_unit(WAN), "-922337203685477.5808");
    }

    proptest! {
        /// Signed or named, a number is whole units of its currency under any default unit;
        /// with 万 or 亿 after it, that multiple.
        #[test]
        fn signs_are_whole_units(v in 0i64..1_000_000_000, unit in prop::sample::select(vec![1i64, WAN, YI]),
                                 sign in prop::sample::select(vec!["¥", "￥", "RMB ", "CNY", "人民币", "$", "US$", "USD "]),
                                 multiple in prop::sample::select(vec![("", 1i64), ("万", WAN), ("亿", YI)])) {
            let w = parse_amount(&format!("{sign}{v}{}", multiple.0), unit).unwrap();
            prop_assert_eq!(w.value, v * multiple.1);
            let dollar = sign.contains('$') || sign.contains("USD");
            prop_assert_eq!(w.currency, Some(if dollar { Currency::UsDollar } else { Currency::Yuan }));
        }

        #[test]
        fn wan_round_trips(v in 0i64..1_000_000_000_000) {
            let w = v * 100; // whole multiples of 0.01 万元
            let s = format!("{}万", Yuan(w).wan().replace(',', ""));
            prop_assert_eq!(Yuan::parse_with_unit(&s, 1).unwrap(), Yuan(w));
        }

        /// Any amount a form shows in its unit reads back to the same yuan (or dollars).
        #[test]
        fn form_amounts_round_trip(v in prop_oneof![0i64..100_000_000_000, 0i64..=i64::MAX],
                                   unit in prop::sample::select(vec![1i64, WAN, YI]),
                                   currency in prop::sample::select(vec![Currency::Yuan, Currency::UsDollar])) {
            let shown = Yuan(v).in_unit(unit);
            prop_assert_eq!(parse_form(&shown, unit, currency).unwrap(), Some(v), "{}", shown);
        }

        #[test]
        fn form_parse_never_panics(s in "\\PC{0,30}") {
            let _ = Yuan::parse_form(&s, WAN);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = Yuan::parse_with_unit(&s, WAN);
        }
    }
}
