//! Money as integer yuan, shown in 万元 / 亿元.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount in whole yuan. Never a float.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Yuan(pub i64);

const WAN: i64 = 10_000;
const YI: i64 = 100_000_000;

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

    /// Parses "1.28亿", "5,000万元", "3000万", "1280000000", "12.5" (with a default unit
    /// in yuan multiples, e.g. 10_000 for a column headed 万元). Exact: decimals are
    /// handled as integers, and amounts that are not whole yuan are refused. Full-width
    /// digits ("１．２８亿") are folded.
    pub fn parse_with_unit(input: &str, default_unit: i64) -> Result<Yuan, crate::Invalid> {
        let err = || crate::Invalid::new("amount", format!("无法识别的金额“{}”", input.trim()));
        let mut s: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{3000}' | '¥' | '￥'))
            .map(|c| match c {
                '０'..='９' | '．' | '－' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                c => c,
            })
            .collect();
        let mut unit = default_unit;
        for (suffix, u) in [
            ("亿元", YI),
            ("亿", YI),
            ("万元", WAN),
            ("万", WAN),
            ("元", 1),
        ] {
            if let Some(rest) = s.strip_suffix(suffix) {
                s = rest.to_string();
                unit = u;
                break;
            }
        }
        if s.is_empty() {
            return Err(err());
        }
        let (neg, body) = match s.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, s.as_str()),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
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
            return Err(crate::Invalid::new(
                "amount",
                format!("金额“{}”不是整数元", input.trim()),
            ));
        }
        let v = total / scale;
        let v = i64::try_from(if neg { -v } else { v }).map_err(|_| err())?;
        Ok(Yuan(v))
    }
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

    proptest! {
        #[test]
        fn wan_round_trips(v in 0i64..1_000_000_000_000) {
            let w = v * 100; // whole multiples of 0.01 万元
            let s = format!("{}万", Yuan(w).wan().replace(',', ""));
            prop_assert_eq!(Yuan::parse_with_unit(&s, 1).unwrap(), Yuan(w));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = Yuan::parse_with_unit(&s, WAN);
        }
    }
}
