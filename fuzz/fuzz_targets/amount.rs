//! Amounts ("1.28亿元", "5,000万", "３０００万"): `Yuan::parse_with_unit` never panics or
//! overflows, whatever the column's default unit (yuan, 万元, 亿元); an accepted amount
//! displays without panicking, its display is well-formed, and parsing the display gives
//! the amount back exactly where the display is exact and within its rounding elsewhere
//! (`human` shows two decimals of 万元 or 亿元; `wan` + "万" is exact for whole 百元, as
//! `money::tests::wan_round_trips` documents). Within 0.005亿 of `i64`'s ends the rounded
//! display lies outside `i64` and is refused: there only "no panic" is checked.
#![no_main]

use fenglai_domain::Yuan;
use libfuzzer_sys::fuzz_target;

const UNITS: [i64; 3] = [1, 10_000, 100_000_000];

/// "-1,234.5" without its unit: an optional sign, digits grouped by three, optional decimals.
fn well_formed(number: &str) -> bool {
    let body = number.strip_prefix('-').unwrap_or(number);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let groups: Vec<&str> = int.split(',').collect();
    let grouped = !groups[0].is_empty()
        && groups[0].len() <= 3
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    grouped && frac.bytes().all(|b| b.is_ascii_digit()) && !frac.ends_with('0')
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(input) = std::str::from_utf8(rest) else {
        return;
    };
    let unit = UNITS[sel as usize % UNITS.len()];
    let Ok(y) = Yuan::parse_with_unit(input, unit) else {
        return;
    };
    let v = y.0;

    // Plain yuan always round-trip.
    assert_eq!(Yuan::parse_with_unit(&v.to_string(), 1).ok(), Some(y));

    let human = y.human();
    let (number, scale) = if let Some(n) = human.strip_suffix("亿元") {
        (n, 100_000_000i128)
    } else if let Some(n) = human.strip_suffix("万元") {
        (n, 10_000)
    } else {
        (human.strip_suffix('元').expect("human ends in 元"), 1)
    };
    assert!(well_formed(number), "{v} → {human:?}");
    if (v as i128).abs() > i64::MAX as i128 - 1_000_000 {
        return;
    }
    let back = Yuan::parse_with_unit(&human, 1)
        .expect("human() parses back")
        .0;
    // Two decimals of the unit: off by at most half of 0.01 unit.
    let tolerance = scale / 200;
    assert!(
        (back as i128 - v as i128).abs() <= tolerance,
        "{v} → {human:?} → {back}"
    );
    if (v as i128) % (scale / 100).max(1) == 0 {
        assert_eq!(back, v, "{human:?} is exact");
    }

    let wan = y.wan();
    assert!(well_formed(&wan), "{v} → wan {wan:?}");
    let yi = y.yi();
    assert!(well_formed(&yi), "{v} → yi {yi:?}");
    if v % 100 == 0 {
        let back = Yuan::parse_with_unit(&format!("{wan}万"), 1).expect("wan() parses back");
        assert_eq!(back, y, "{wan:?}万");
    }
});
