//! Dates as Chinese ledgers write them.

use chrono::NaiveDate;

/// Parses "2024-03-15", "2024/3/15", "2024.3.15", "2024年3月15日", "20240315"; a month
/// alone ("2024-03", "2024年3月") means its first day. Full-width digits are folded, and a
/// time of day after the date ("2024-03-15 00:00:00", as spreadsheets export it) is ignored.
pub fn parse(input: &str, field: &'static str) -> Result<NaiveDate, crate::Invalid> {
    let s = input.trim();
    let err = || crate::Invalid::new(field, format!("无法识别的日期“{s}”，请写作 2024-03-15"));
    let folded: String = s
        .chars()
        .map(|c| match c {
            '０'..='９' | '／' | '．' | '－' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect();
    let mut date = folded.as_str();
    if date.contains(':') {
        // "2024-03-15 08:30:00" or "2024-03-15T08:30:00": keep the date part.
        date = date
            .split(|c: char| c.is_whitespace() || c == 'T')
            .next()
            .unwrap_or(date);
    }
    if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
        let n = |r: std::ops::Range<usize>| date[r].parse::<u32>().ok();
        return match (n(0..4), n(4..6), n(6..8)) {
            (Some(y), Some(m), Some(d)) if (1900..=2200).contains(&y) => {
                NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(err)
            }
            _ => Err(err()),
        };
    }
    let norm: String = date
        .chars()
        .map(|c| match c {
            '年' | '月' | '/' | '.' => '-',
            '日' | '号' => ' ',
            c => c,
        })
        .collect();
    let parts: Vec<&str> = norm.trim().trim_end_matches('-').split('-').collect();
    let num = |p: &str| p.trim().parse::<u32>().ok();
    let (y, m, d) = match parts.as_slice() {
        [y, m, d] => (num(y), num(m), num(d)),
        [y, m] => (num(y), num(m), Some(1)),
        _ => return Err(err()),
    };
    let (y, m, d) = (y.ok_or_else(err)?, m.ok_or_else(err)?, d.ok_or_else(err)?);
    if !(1900..=2200).contains(&y) {
        return Err(err());
    }
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use proptest::prelude::*;

    proptest! {
        /// Every form a ledger writes a valid day in parses back to that day.
        #[test]
        fn every_form_parses_back(days in 0i64..(200 * 366)) {
            let d = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Duration::days(days);
            prop_assume!(d.year() <= 2200);
            let (y, m, dd) = (d.year(), d.month(), d.day());
            for s in [
                d.format("%Y-%m-%d").to_string(),
                format!("{y}/{m}/{dd}"),
                format!("{y}.{m}.{dd}"),
                format!("{y}年{m}月{dd}日"),
                d.format("%Y%m%d").to_string(),
                format!("{} 00:00:00", d.format("%Y-%m-%d")),
            ] {
                prop_assert_eq!(parse(&s, "date").unwrap(), d, "{}", s);
            }
            let first = d.with_day(1).unwrap();
            for s in [format!("{y}年{m}月"), d.format("%Y-%m").to_string(), format!("{y}.{m}")] {
                prop_assert_eq!(parse(&s, "date").unwrap(), first, "{}", s);
            }
        }
    }

    #[test]
    fn forms() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
        for s in [
            "2024-03-15",
            "2024/3/15",
            "2024.3.15",
            "2024年3月15日",
            " 2024-3-15 ",
        ] {
            assert_eq!(parse(s, "date").unwrap(), d, "{s}");
        }
        assert_eq!(
            parse("2024年3月", "date").unwrap(),
            NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()
        );
        assert_eq!(parse("20240315", "date").unwrap(), d);
        assert_eq!(parse("２０２４年３月１５日", "date").unwrap(), d);
        assert_eq!(parse("2024-03-15 00:00:00", "date").unwrap(), d);
        assert_eq!(parse("2024/3/15T08:30", "date").unwrap(), d);
        assert!(parse("20240230", "date").is_err());
        assert!(parse("2024031", "date").is_err());
        assert!(parse("2024-02-30", "date").is_err());
        assert!(parse("yesterday", "date").is_err());
        assert_eq!(parse("", "date").unwrap_err().field, "date");
    }
}
