//! Dates as Chinese ledgers write them.

use chrono::{Datelike, NaiveDate, Weekday};

/// Parses "2024-03-15", "2024/3/15", "2024.3.15", "2024年3月15日", "20240315",
/// "2024 03 05", "二〇二四年三月五日", "2024年三月五日"; a month alone ("2024-03",
/// "2024年3月", "202403", "二〇二四年三月") means its first day. Full-width digits are
/// folded; a time of day after the date ("2024-03-15 00:00:00", as spreadsheets export it)
/// is ignored; a day of the week after it ("2024年3月5日 星期二", "周二", "（礼拜二）") is
/// checked against the date and then ignored.
pub fn parse(input: &str, field: &'static str) -> Result<NaiveDate, crate::Invalid> {
    let s = input.trim();
    let err = || crate::Invalid::new(field, format!("无法识别的日期“{s}”，请写作 2024-03-15"));
    let folded: String = s
        .chars()
        .map(|c| match c {
            '０'..='９' | '／' | '．' | '－' | '（' | '）' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            '\u{3000}' => ' ',
            c => c,
        })
        .collect();
    let (rest, weekday) = split_weekday(folded.trim());
    let day = parse_plain(rest).ok_or_else(err)?;
    match weekday {
        Some((written, w)) if day.weekday() != w => Err(crate::Invalid::new(
            field,
            format!(
                "日期“{s}”不一致：{}是{}，不是{written}",
                day.format("%Y-%m-%d"),
                WEEKDAYS[day.weekday().num_days_from_monday() as usize]
            ),
        )),
        _ => Ok(day),
    }
}

/// 星期一 … 星期日, Monday first.
const WEEKDAYS: [&str; 7] = [
    "星期一",
    "星期二",
    "星期三",
    "星期四",
    "星期五",
    "星期六",
    "星期日",
];

/// Splits off a trailing day of the week ("星期二", "周二", "礼拜天", "(周二)"): the date
/// part, and the weekday as written with its value.
fn split_weekday(s: &str) -> (&str, Option<(&str, Weekday)>) {
    let inner = s.strip_suffix(')').unwrap_or(s);
    for prefix in ["星期", "礼拜", "周"] {
        let Some(at) = inner.rfind(prefix) else {
            continue;
        };
        let name = &inner[at + prefix.len()..];
        let w = match name {
            "一" | "1" => Weekday::Mon,
            "二" | "2" => Weekday::Tue,
            "三" | "3" => Weekday::Wed,
            "四" | "4" => Weekday::Thu,
            "五" | "5" => Weekday::Fri,
            "六" | "6" => Weekday::Sat,
            "日" | "天" | "7" => Weekday::Sun,
            _ => continue,
        };
        let mut date = inner[..at].trim_end();
        if inner.len() != s.len() {
            // "(星期二)": the bracket must open right before the weekday.
            match date.strip_suffix('(') {
                Some(d) => date = d.trim_end(),
                None => continue,
            }
        }
        let written = &s[at..at + prefix.len() + name.len()];
        return (date, Some((written, w)));
    }
    (s, None)
}

/// The value of one Chinese numeral digit (〇 and 零 are 0).
fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' | '○' | 'O' | 'o' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// "三" → 3, "十" → 10, "十二" → 12, "二十" → 20, "三十一" → 31.
fn cn_small(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [c] if *c != '十' => cn_digit(*c),
        ['十'] => Some(10),
        ['十', u] => Some(10 + cn_digit(*u)?),
        [t, '十'] => Some(cn_digit(*t)? * 10),
        [t, '十', u] => Some(cn_digit(*t)? * 10 + cn_digit(*u)?),
        // "〇三", "一二": digit by digit
        [t, u] => Some(cn_digit(*t)? * 10 + cn_digit(*u)?),
        _ => None,
    }
}

/// Writes Chinese numerals in a date as digits: the year digit by digit ("二〇二四年"),
/// the month and day by value ("三月", "十二月", "二十五日"); "元月" is January.
/// Arabic digits pass through. `None` when a numeral run cannot be read.
fn arabic(s: &str) -> Option<String> {
    let is_cn = |c: char| cn_digit(c).is_some() || c == '十';
    if !s.chars().any(|c| is_cn(c) || c == '元') {
        return Some(s.to_string());
    }
    let s = s.replace("元月", "1月");
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        // 'O'/'o' stand for 〇 only between other numerals of a year.
        if is_cn(c) && !(matches!(c, 'O' | 'o') && run.is_empty()) {
            run.push(c);
            if chars.peek().is_some_and(|&n| is_cn(n)) {
                continue;
            }
            let next = chars.peek().copied();
            if next == Some('年') {
                if run.contains('十') {
                    return None;
                }
                for r in run.chars() {
                    out.push(char::from_digit(cn_digit(r)?, 10)?);
                }
            } else {
                out.push_str(&cn_small(&run)?.to_string());
            }
            run.clear();
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// The date without a weekday: `None` if it is not one.
fn parse_plain(folded: &str) -> Option<NaiveDate> {
    let mut date = folded;
    if date.contains(':') {
        // "2024-03-15 08:30:00" or "2024-03-15T08:30:00": keep the date part.
        date = date
            .split(|c: char| c.is_whitespace() || c == 'T')
            .next()
            .unwrap_or(date);
    }
    let converted = arabic(date)?;
    let date = converted.as_str();
    let year_ok = |y: u32| (1900..=2200).contains(&y);
    if date.bytes().all(|b| b.is_ascii_digit()) {
        let n = |r: std::ops::Range<usize>| date[r].parse::<u32>().ok();
        return match date.len() {
            // 20240315
            8 => {
                let (y, m, d) = (n(0..4)?, n(4..6)?, n(6..8)?);
                year_ok(y).then_some(())?;
                NaiveDate::from_ymd_opt(y as i32, m, d)
            }
            // 202403: the month
            6 => {
                let (y, m) = (n(0..4)?, n(4..6)?);
                year_ok(y).then_some(())?;
                NaiveDate::from_ymd_opt(y as i32, m, 1)
            }
            _ => None,
        };
    }
    // "2024 03 05", "2024 3": numbers separated by spaces only.
    let spaced: String;
    let date = if date.contains(' ') && date.chars().all(|c| c.is_ascii_digit() || c == ' ') {
        spaced = date.split_whitespace().collect::<Vec<_>>().join("-");
        spaced.as_str()
    } else {
        date
    };
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
        [y, m, d] => (num(y)?, num(m)?, num(d)?),
        [y, m] => (num(y)?, num(m)?, 1),
        _ => return None,
    };
    year_ok(y).then_some(())?;
    NaiveDate::from_ymd_opt(y as i32, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A day written in Chinese numerals: "二〇二四年三月五日", "二〇二四年十二月三十一日".
    fn chinese(d: NaiveDate) -> String {
        const D: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
        let small = |n: u32| match n {
            1..=9 => D[n as usize].to_string(),
            10 => "十".to_string(),
            11..=19 => format!("十{}", D[(n - 10) as usize]),
            _ if n.is_multiple_of(10) => format!("{}十", D[(n / 10) as usize]),
            _ => format!("{}十{}", D[(n / 10) as usize], D[(n % 10) as usize]),
        };
        let year: String = d
            .year()
            .to_string()
            .chars()
            .map(|c| D[c.to_digit(10).unwrap() as usize])
            .collect();
        format!("{year}年{}月{}日", small(d.month()), small(d.day()))
    }

    proptest! {
        /// Chinese numerals, mixed forms, spaces and a day of the week read back as the day;
        /// a wrong day of the week is refused.
        #[test]
        fn chinese_and_weekday_forms_parse_back(days in 0i64..(200 * 366), off in 1u32..7) {
            let d = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Duration::days(days);
            prop_assume!(d.year() <= 2200);
            let cn = chinese(d);
            let w = WEEKDAYS[d.weekday().num_days_from_monday() as usize];
            let short = w.replace("星期", "周");
            let (y, m, dd) = (d.year(), d.month(), d.day());
            let mixed = format!("{y}年{}", cn.split_once('年').unwrap().1);
            for s in [
                cn.clone(),
                mixed,
                format!("{cn}{w}"),
                format!("{y}年{m}月{dd}日 {w}"),
                format!("{} {short}", d.format("%Y-%m-%d")),
                format!("{y}/{m}/{dd}（{}）", w.replace("星期", "礼拜")),
                d.format("%Y %m %d").to_string(),
            ] {
                prop_assert_eq!(parse(&s, "date").unwrap(), d, "{}", s);
            }
            let wrong = WEEKDAYS[((d.weekday().num_days_from_monday() + off) % 7) as usize];
            let e = parse(&format!("{}{wrong}", d.format("%Y-%m-%d")), "date").unwrap_err();
            prop_assert!(e.message.contains(wrong) && e.message.contains(w), "{}", e.message);
            prop_assert_eq!(parse(&d.format("%Y%m").to_string(), "date").unwrap(), d.with_day(1).unwrap());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = parse(&s, "date");
        }

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

    #[test]
    fn chinese_numerals_weekdays_and_spaces() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        for s in [
            "二〇二四年三月五日",
            "二零二四年三月五日",
            "2024年三月五日",
            "2024年3月5日星期二",
            "2024年3月5日 星期二",
            "2024年3月5日（星期二）",
            "2024-03-05 周二",
            "2024.3.5礼拜二",
            "2024 03 05",
            "2024  3  5",
            "２０２４年３月５日　星期二",
        ] {
            assert_eq!(parse(s, "date").unwrap(), d, "{s}");
        }
        assert_eq!(
            parse("二〇二四年十二月三十一日", "date").unwrap(),
            NaiveDate::from_ymd_opt(2024, 12, 31).unwrap()
        );
        assert_eq!(
            parse("二〇二四年三月", "date").unwrap(),
            NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()
        );
        assert_eq!(
            parse("2024年元月", "date").unwrap(),
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
        );
        assert_eq!(
            parse("202403", "date").unwrap(),
            NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()
        );
        let e = parse("2024年3月5日星期三", "reported_date").unwrap_err();
        assert_eq!(e.field, "reported_date");
        assert_eq!(
            e.message,
            "日期“2024年3月5日星期三”不一致：2024-03-05是星期二，不是星期三"
        );
        for bad in [
            "202413",
            "20243",
            "2024",
            "二〇二四年十三月",
            "二十二四年三月",
            "2024年三十二月",
            "2024 03 05 06",
            "周二",
            "2024年3月5日星期八",
        ] {
            let e = parse(bad, "date").unwrap_err();
            assert!(e.message.contains(bad.trim()), "{bad}: {}", e.message);
        }
    }
}
