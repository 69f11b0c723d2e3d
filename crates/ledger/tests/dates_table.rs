//! Dates as ledgers write them, read from a 签约日期 column the way an import reads it,
//! with Excel serials limited to 1990-01-01 … 2056-12-07 (the default window on
//! 2026-12-07). Each row: the cell (text, or a number as Excel stores it), the day
//! expected (a month alone is its 1st) or a refusal (a piece of the message; every
//! refusal also quotes what was typed and never names a day the cell does not spell).

use chrono::NaiveDate;
use fenglai_ledger::*;

#[derive(Debug, Clone, Copy)]
enum In {
    T(&'static str),
    N(f64),
    /// a cell formatted as a date, as the workbook shows it
    Dt(i32, u32, u32),
}

#[derive(Debug, Clone, Copy)]
enum Want {
    D(i32, u32, u32),
    E(&'static str),
}

use In::{Dt, N, T};
use Want::{D, E};

const BAD: &str = "无法识别的日期";
const YEAR_ONLY: &str = "只有年份";
const AMBIGUOUS: &str = "分不清是";
const WEEKDAY: &str = "不一致";

#[rustfmt::skip]
const DATES: &[(In, Want)] = &[
    // written out
    (T("2024-03-05"), D(2024, 3, 5)),
    (T("2024-3-5"), D(2024, 3, 5)),
    (T("2024/03/05"), D(2024, 3, 5)),
    (T("2024/3/5"), D(2024, 3, 5)),
    (T("2024.3.5"), D(2024, 3, 5)),
    (T("2024.03.05"), D(2024, 3, 5)),
    (T("2024年3月5日"), D(2024, 3, 5)),
    (T("2024年03月05日"), D(2024, 3, 5)),
    (T("2024年3月5号"), D(2024, 3, 5)),
    (T(" 2024 年 3 月 5 日 "), D(2024, 3, 5)),
    (T("20240305"), D(2024, 3, 5)),
    (T("2024 03 05"), D(2024, 3, 5)),
    (T("2024 3 5"), D(2024, 3, 5)),
    (T("２０２４年３月５日"), D(2024, 3, 5)),
    (T("２０２４－０３－０５"), D(2024, 3, 5)),
    (T("2024-03-05 00:00:00"), D(2024, 3, 5)),
    (T("2024-03-05T08:30:00"), D(2024, 3, 5)),
    (T("2024/3/5 14:20"), D(2024, 3, 5)),
    // Chinese numerals
    (T("二〇二四年三月五日"), D(2024, 3, 5)),
    (T("二零二四年三月五日"), D(2024, 3, 5)),
    (T("二○二四年三月五日"), D(2024, 3, 5)),
    (T("2024年三月五日"), D(2024, 3, 5)),
    (T("二〇二四年十二月三十一日"), D(2024, 12, 31)),
    (T("二〇二四年十月十日"), D(2024, 10, 10)),
    (T("二〇二四年十一月二十日"), D(2024, 11, 20)),
    (T("二〇二四年二月二十九日"), D(2024, 2, 29)),
    (T("二〇二三年二月二十九日"), E(BAD)),
    (T("二〇二四年三月"), D(2024, 3, 1)),
    (T("2024年元月"), D(2024, 1, 1)),
    (T("二〇二四年十三月"), E(BAD)),
    (T("二十二四年三月"), E(BAD)),
    // a day of the week after the date
    (T("2024年3月5日星期二"), D(2024, 3, 5)),
    (T("2024年3月5日 星期二"), D(2024, 3, 5)),
    (T("2024年3月5日（星期二）"), D(2024, 3, 5)),
    (T("2024年3月5日(周二)"), D(2024, 3, 5)),
    (T("2024-03-05 周二"), D(2024, 3, 5)),
    (T("2024-03-05周二"), D(2024, 3, 5)),
    (T("2024/3/5 礼拜二"), D(2024, 3, 5)),
    (T("二〇二四年三月五日星期二"), D(2024, 3, 5)),
    (T("2024年3月10日星期日"), D(2024, 3, 10)),
    (T("2024年3月10日 周日"), D(2024, 3, 10)),
    (T("2024年3月10日礼拜天"), D(2024, 3, 10)),
    (T("2024年3月5日星期三"), E(WEEKDAY)),
    (T("2024-03-05 周一"), E(WEEKDAY)),
    (T("2024年3月5日星期八"), E(BAD)),
    (T("星期二"), E(BAD)),
    // a month alone is its 1st
    (T("2024-03"), D(2024, 3, 1)),
    (T("2024/3"), D(2024, 3, 1)),
    (T("2024.3"), D(2024, 3, 1)),
    (T("2024.03"), D(2024, 3, 1)),
    (T("2024.1"), D(2024, 1, 1)),
    (T("2024.10"), D(2024, 10, 1)),
    (T("2024年3月"), D(2024, 3, 1)),
    (T("202403"), D(2024, 3, 1)),
    (T("202412"), D(2024, 12, 1)),
    // Excel serials inside the window, as numbers or five digits of text
    (N(45356.0), D(2024, 3, 5)),
    (N(45356.5), D(2024, 3, 5)),
    (N(45356.999), D(2024, 3, 5)),
    (T("45356"), D(2024, 3, 5)),
    (N(32874.0), D(1990, 1, 1)),
    (N(57321.0), D(2056, 12, 7)),
    (N(57322.0), E("1990-01-01至2056-12-07")),
    (N(32873.0), E("1990-01-01至2056-12-07")),
    (T("32873"), E(BAD)),
    // numbers that spell a month or a day
    (N(2024.3), D(2024, 3, 1)),
    (N(2024.03), D(2024, 3, 1)),
    (N(2024.11), D(2024, 11, 1)),
    (N(2024.12), D(2024, 12, 1)),
    (N(2024.09), D(2024, 9, 1)),
    (N(1998.6), D(1998, 6, 1)),
    (N(202403.0), D(2024, 3, 1)),
    (N(199812.0), D(1998, 12, 1)),
    (N(20240305.0), D(2024, 3, 5)),
    (N(19991231.0), D(1999, 12, 31)),
    // numbers that do not
    (N(2024.1), E(AMBIGUOUS)),
    (N(1999.1), E(AMBIGUOUS)),
    (N(2024.0), E(YEAR_ONLY)),
    (N(1998.0), E(YEAR_ONLY)),
    (N(2024.13), E(BAD)),
    (N(2024.123), E(BAD)),
    (N(2024.001), E(BAD)),
    (N(20243.0), E(BAD)),
    (N(202413.0), E(BAD)),
    (N(20240230.0), E(BAD)),
    (N(2024030.0), E(BAD)),
    (N(12.0), E(BAD)),
    (N(0.5), E(BAD)),
    (N(-45356.0), E(BAD)),
    (N(99999999.0), E(BAD)),
    // text that does not
    (T("20243"), E(BAD)),
    (T("2024"), E(BAD)),
    (T("202413"), E(BAD)),
    (T("2024031"), E(BAD)),
    (T("20240230"), E(BAD)),
    (T("2024-02-30"), E(BAD)),
    (T("2023-02-29"), E(BAD)),
    (T("2024-13-01"), E(BAD)),
    (T("1899-12-31"), E(BAD)),
    (T("2201-01-01"), E(BAD)),
    (T("24-3-5"), E(BAD)),
    (T("3/5/2024"), E(BAD)),
    (T("去年"), E(BAD)),
    (T("2024年上半年"), E(BAD)),
    (T("2024 03 05 06"), E(BAD)),
    // cells formatted as dates: a typed year or year.month is refused, a typed 202403 is
    // the month, any other day the day shown
    (Dt(2024, 3, 5), D(2024, 3, 5)),
    (Dt(1985, 6, 1), D(1985, 6, 1)),
    (Dt(1905, 7, 16), E("像是填了年份")),
    (Dt(1905, 5, 21), E("像是填了年份")),
    (Dt(2454, 2, 26), D(2024, 3, 1)),
    (Dt(2447, 1, 23), D(1998, 12, 1)),
    (Dt(2443, 10, 18), D(2443, 10, 18)),
    // written dates are taken as written, inside the window or not
    (T("1985-06-01"), D(1985, 6, 1)),
    (T("2080年1月1日"), D(2080, 1, 1)),
];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn date_table() {
    assert!(DATES.len() >= 80, "{} rows", DATES.len());
    let window = DateWindow::around(day(2026, 12, 7));
    let mut rows = vec![vec![
        Cell::Text("企业名称".into()),
        Cell::Text("签约日期".into()),
    ]];
    for (i, (input, _)) in DATES.iter().enumerate() {
        let cell = match input {
            T(s) => Cell::Text(s.to_string()),
            N(n) => Cell::Number(*n),
            Dt(y, m, d) => Cell::Date(day(*y, *m, *d)),
        };
        rows.push(vec![Cell::Text(format!("企业{i}")), cell]);
    }
    let sheet = Sheet {
        name: "表".into(),
        source: Source::Xlsx,
        rows,
        merges: vec![],
    };
    let mapping = propose_mapping(&sheet).unwrap();
    assert_eq!(mapping.columns[1].field, Some(Field::SignedDate));
    let results = parse_rows_in(&sheet, &mapping, Kind::Leads, &window).unwrap();
    assert_eq!(results.len(), DATES.len());
    let mut failures = Vec::new();
    for ((input, want), result) in DATES.iter().zip(&results) {
        let got: Result<NaiveDate, String> = match result.record() {
            Some(r) => r.signed_date.ok_or_else(|| "no date".to_string()),
            None => Err(result
                .errors()
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ")),
        };
        let typed = match input {
            T(s) => s.trim().to_string(),
            N(n) => format!("{n}"),
            Dt(y, m, d) => to_serial(day(*y, *m, *d)).to_string(),
        };
        let ok = match (want, &got) {
            (D(y, m, d), Ok(g)) => *g == day(*y, *m, *d),
            (E(piece), Err(m)) => {
                // no day is named but the window's ends, the example, and what was typed
                let named_days: Vec<&str> = m
                    .match_indices(|c: char| c.is_ascii_digit())
                    .map(|(i, _)| &m[i..])
                    .filter(|s| s.len() >= 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-')
                    .map(|s| &s[..10])
                    .collect();
                let foreign = named_days.iter().any(|d| {
                    !["1990-01-01", "2056-12-07", "2024-03-15"].contains(d)
                        && !typed.contains(&d[..4])
                });
                m.contains(piece)
                    && m.contains(&format!("“{typed}"))
                    && m.starts_with(&format!("B{} 签约日期：", result.row))
                    && !foreign
            }
            _ => false,
        };
        if !ok {
            failures.push(format!("{input:?}: want {want:?}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The same numbers in a real workbook, typed into cells formatted as dates and into
/// general cells: what calamine hands over is read as above.
#[test]
fn numbers_typed_into_a_workbook() {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    ws.write_string(0, 0, "企业名称").unwrap();
    ws.write_string(0, 1, "签约日期").unwrap();
    let cells: [(f64, bool, Result<NaiveDate, &str>); 8] = [
        (2024.0, true, Err("像是填了年份")),
        (2024.3, true, Err("像是填了年份")),
        (202403.0, true, Ok(day(2024, 3, 1))),
        (45356.0, true, Ok(day(2024, 3, 5))),
        (2024.3, false, Ok(day(2024, 3, 1))),
        (2024.1, false, Err("分不清是2024年1月还是2024年10月")),
        (20240305.0, false, Ok(day(2024, 3, 5))),
        (2024.0, false, Err("只有年份")),
    ];
    for (i, (n, formatted, _)) in cells.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, format!("企业{r}")).unwrap();
        if *formatted {
            ws.write_number_with_format(r, 1, *n, &date).unwrap();
        } else {
            ws.write_number(r, 1, *n).unwrap();
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    let sheet = read(&bytes, "台账.xlsx").unwrap();
    let mapping = propose_mapping(&sheet).unwrap();
    let rows = parse_rows(&sheet, &mapping, Kind::Leads).unwrap();
    for ((n, formatted, want), row) in cells.iter().zip(&rows) {
        match (want, row.record()) {
            (Ok(d), Some(r)) => assert_eq!(r.signed_date, Some(*d), "{n} {formatted}"),
            (Err(piece), None) => {
                let e = row.errors()[0].to_string();
                assert!(
                    e.contains(piece) && !e.contains("1905"),
                    "{n} {formatted}: {e}"
                );
            }
            _ => panic!("{n} {formatted}: {:?}", row.outcome),
        }
    }
}
