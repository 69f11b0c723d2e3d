//! Dates as Chinese ledgers write them.

use chrono::NaiveDate;

/// Parses "2024-03-15", "2024/3/15", "2024.3.15", "2024年3月15日"; a month alone
/// ("2024-03", "2024年3月") means its first day.
pub fn parse(input: &str, field: &'static str) -> Result<NaiveDate, crate::Invalid> {
    let s = input.trim();
    let err = || crate::Invalid::new(field, format!("无法识别的日期“{s}”，请写作 2024-03-15"));
    let norm: String = s
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
        assert!(parse("2024-02-30", "date").is_err());
        assert!(parse("yesterday", "date").is_err());
        assert_eq!(parse("", "date").unwrap_err().field, "date");
    }
}
