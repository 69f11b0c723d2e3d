//! The monthly figures sheet (项目月度数据): one row a project and month with capital
//! arrived (到资), fixed-asset investment completed (完成固投), output (产值), tax (税收),
//! employment (用工) and foreign capital used (实际利用外资). Found under titles and notes
//! by its header; amounts in the unit the header or a "单位：万元" note gives (万元 by
//! default; foreign capital in 万美元 unless its header says 美元 or 亿美元); months written
//! as 2025-03, 2025年3月, 2025.3, 202503 or a date cell. A figure the sheet leaves blank,
//! or has no column for, is `None`: the sheet says nothing about it.

use crate::sheet::{a1, Cell, Sheet};
use crate::value::DateWindow;
use crate::value::{parse_count, parse_yuan};
use crate::Unit;
use chrono::{Datelike, NaiveDate};

/// One row of figures, amounts in yuan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyRow {
    /// the Excel row number (1-based), for messages
    pub row: usize,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    /// YYYY-MM
    pub month: String,
    pub capital_arrived_yuan: Option<i64>,
    pub fixed_asset_yuan: Option<i64>,
    pub output_yuan: Option<i64>,
    pub tax_yuan: Option<i64>,
    pub employment: Option<i64>,
    /// 实际利用外资, in US dollars
    pub foreign_capital_usd: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Id,
    Name,
    Month,
    Capital,
    Fixed,
    Output,
    Tax,
    Employment,
    Foreign,
}

/// Header words for each column, tried longest first.
const SYNONYMS: &[(Col, &[&str])] = &[
    (Col::Id, &["项目编号", "项目ID", "项目id", "编号"]),
    (Col::Name, &["项目名称", "项目"]),
    (Col::Month, &["填报月份", "统计月份", "月份", "年月"]),
    (Col::Capital, &["实际到资", "到位资金", "到资"]),
    (
        Col::Fixed,
        &["完成固定资产投资", "完成固投", "固定资产投资", "固投"],
    ),
    (Col::Output, &["工业产值", "产值", "营业收入"]),
    (Col::Tax, &["实缴税金", "纳税", "税收"]),
    (Col::Employment, &["用工人数", "从业人员", "用工"]),
    (
        Col::Foreign,
        &["实际利用外资", "实际使用外资", "利用外资", "外资"],
    ),
];

fn column_of(header: &str) -> Option<Col> {
    let h: String = header.chars().filter(|c| !c.is_whitespace()).collect();
    SYNONYMS
        .iter()
        .find(|(_, words)| words.iter().any(|w| h.starts_with(w)))
        .map(|(c, _)| *c)
}

/// The unit of a foreign-capital column: 万美元 unless its header says otherwise.
fn usd_unit_in(header: &str) -> Unit {
    if header.contains("亿美元") {
        Unit::Yi
    } else if header.contains("万美元") || !header.contains("美元") {
        Unit::Wan
    } else {
        Unit::Yuan
    }
}

fn unit_in(text: &str) -> Option<Unit> {
    if text.contains("亿元") {
        Some(Unit::Yi)
    } else if text.contains("万元") {
        Some(Unit::Wan)
    } else if text.contains("(元)") || text.contains("（元）") || text.contains("单位：元")
    {
        Some(Unit::Yuan)
    } else {
        None
    }
}

/// A month from a cell: a date cell, an Excel serial, or text.
fn month_of(cell: &Cell, window: &DateWindow) -> Result<String, String> {
    let ym = |d: NaiveDate| format!("{:04}-{:02}", d.year(), d.month());
    match cell {
        Cell::Date(d) => crate::value::date_cell(*d, window).map(ym),
        // 2024.3, 202403, a serial: as a date column reads them (2024.1 is refused: it
        // may have been typed 2024.10).
        Cell::Number(n) => crate::value::date_from_number(*n, window).map(ym),
        other => {
            let t = other.text();
            let t = t.trim();
            if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
                let (y, m) = (t[..4].parse::<i32>(), t[4..].parse::<u32>());
                if let (Ok(y), Ok(m)) = (y, m) {
                    if let Some(d) = NaiveDate::from_ymd_opt(y, m, 1) {
                        return Ok(ym(d));
                    }
                }
            }
            fenglai_domain::dates::parse(t, "month")
                .map(ym)
                .map_err(|_| format!("无法识别的月份“{t}”，请写作 2025-03 或 2025年3月"))
        }
    }
}

/// Reads the sheet: every row's figures, or every error with its cell ("C7 税收：…").
/// Numbers in the month column are Excel serials only inside the default [`DateWindow`].
pub fn parse_monthly(sheet: &Sheet) -> Result<Vec<MonthlyRow>, Vec<String>> {
    parse_monthly_in(sheet, &DateWindow::default())
}

/// [`parse_monthly`] with the serials limited to `window`.
pub fn parse_monthly_in(
    sheet: &Sheet,
    window: &DateWindow,
) -> Result<Vec<MonthlyRow>, Vec<String>> {
    let mut default_unit = Unit::Wan;
    let mut header = None;
    for (r, row) in sheet.rows.iter().enumerate().take(15) {
        let cols: Vec<Option<Col>> = row.iter().map(|c| column_of(&c.text())).collect();
        let has = |x: Col| cols.contains(&Some(x));
        if has(Col::Month) && (has(Col::Id) || has(Col::Name)) {
            header = Some((r, cols));
            break;
        }
        if let Some(u) = row.iter().find_map(|c| unit_in(&c.text())) {
            default_unit = u;
        }
    }
    let Some((hr, cols)) = header else {
        return Err(vec![
            "没有找到表头：需要“月份”列和“项目编号”或“项目名称”列".to_string()
        ]);
    };
    let units: Vec<Unit> = sheet.rows[hr]
        .iter()
        .zip(&cols)
        .map(|(c, col)| match col {
            Some(Col::Foreign) => usd_unit_in(&c.text()),
            _ => unit_in(&c.text()).unwrap_or(default_unit),
        })
        .collect();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (r, row) in sheet.rows.iter().enumerate().skip(hr + 1) {
        if row.iter().all(Cell::is_blank) {
            continue;
        }
        let first = row
            .iter()
            .find(|c| !c.is_blank())
            .map(Cell::text)
            .unwrap_or_default();
        if first.contains("合计") || first.contains("说明") || first.starts_with("注") {
            continue;
        }
        let mut m = MonthlyRow {
            row: r + 1,
            project_id: None,
            project_name: None,
            month: String::new(),
            capital_arrived_yuan: None,
            fixed_asset_yuan: None,
            output_yuan: None,
            tax_yuan: None,
            employment: None,
            foreign_capital_usd: None,
        };
        let mut bad = false;
        for (c, col) in cols.iter().enumerate() {
            let Some(col) = col else { continue };
            let cell = sheet.cell(r, c);
            if cell.is_blank() && *col != Col::Month {
                continue;
            }
            let text = cell.text();
            let header = sheet.cell(hr, c).text();
            let mut fail = |msg: String| {
                errors.push(format!("{} {}：{msg}", a1(r, c), header.trim()));
                bad = true;
            };
            match col {
                Col::Id => match text.trim().trim_start_matches('#').parse::<i64>() {
                    Ok(id) if id > 0 => m.project_id = Some(id),
                    _ => fail(format!("项目编号应为正整数，而不是“{}”", text.trim())),
                },
                Col::Name => m.project_name = Some(text.split_whitespace().collect::<String>()),
                Col::Month if cell.is_blank() => fail("月份不能为空".into()),
                Col::Month => match month_of(cell, window) {
                    Ok(v) => m.month = v,
                    Err(e) => fail(e),
                },
                Col::Capital | Col::Fixed | Col::Output | Col::Tax | Col::Foreign => {
                    match parse_yuan(&text, units[c]) {
                        Ok(y) if y.0 >= 0 => {
                            let v = Some(y.0);
                            match col {
                                Col::Capital => m.capital_arrived_yuan = v,
                                Col::Fixed => m.fixed_asset_yuan = v,
                                Col::Output => m.output_yuan = v,
                                Col::Foreign => m.foreign_capital_usd = v,
                                _ => m.tax_yuan = v,
                            }
                        }
                        Ok(_) => fail("金额不能为负".into()),
                        Err(e) => fail(e),
                    }
                }
                Col::Employment => match parse_count(&text) {
                    Ok(n) if n >= 0 => m.employment = Some(n),
                    Ok(_) => fail("人数不能为负".into()),
                    Err(e) => fail(e),
                },
            }
        }
        if !bad && m.project_id.is_none() && m.project_name.as_deref().is_none_or(str::is_empty) {
            errors.push(format!("第{}行：缺少项目编号或项目名称", r + 1));
            bad = true;
        }
        if !bad {
            out.push(m);
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::Source;

    fn sheet(rows: Vec<Vec<Cell>>) -> Sheet {
        Sheet {
            name: "月报".into(),
            source: Source::Xlsx,
            rows,
            merges: Vec::new(),
        }
    }

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn reads_a_messy_sheet() {
        let s = sheet(vec![
            vec![t("2025年项目月度数据台账")],
            vec![t("单位：万元")],
            vec![
                t("项目编号"),
                t("项目名称"),
                t("月份"),
                t("到资"),
                t("完成固投(亿元)"),
                t("税收"),
                t("用工人数"),
            ],
            vec![
                Cell::Number(12.0),
                t("华芯 二期"),
                t("2025年3月"),
                t("1,280"),
                Cell::Number(0.5),
                t("12.5"),
                Cell::Number(320.0),
            ],
            vec![
                Cell::Empty,
                t("东方电池项目"),
                Cell::Date(NaiveDate::from_ymd_opt(2025, 4, 1).unwrap()),
                t("1.2亿"),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
            ],
            vec![
                t("13"),
                Cell::Empty,
                Cell::Number(45748.0),
                Cell::Empty,
                Cell::Empty,
                t("3"),
                Cell::Empty,
            ],
            vec![t("合计"), Cell::Empty, Cell::Empty, t("13280")],
        ]);
        let rows = parse_monthly(&s).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].project_id, Some(12));
        assert_eq!(rows[0].project_name.as_deref(), Some("华芯二期"));
        assert_eq!(rows[0].month, "2025-03");
        assert_eq!(rows[0].capital_arrived_yuan, Some(12_800_000));
        assert_eq!(rows[0].fixed_asset_yuan, Some(50_000_000));
        assert_eq!(rows[0].tax_yuan, Some(125_000));
        assert_eq!(rows[0].employment, Some(320));
        assert_eq!(
            (rows[1].month.as_str(), rows[1].capital_arrived_yuan),
            ("2025-04", Some(120_000_000))
        );
        assert_eq!(
            (rows[2].month.as_str(), rows[2].tax_yuan),
            ("2025-04", Some(30_000))
        );
    }

    #[test]
    fn reads_foreign_capital_in_its_own_unit() {
        let s = sheet(vec![
            vec![t("单位：万元")],
            vec![
                t("项目编号"),
                t("月份"),
                t("到资"),
                t("实际利用外资"),
                t("外资(美元)"),
                t("利用外资（亿美元）"),
            ],
            vec![
                t("7"),
                t("2025-03"),
                t("100"),
                t("12.5"),
                t("3,000"),
                t("0.2"),
            ],
            vec![t("8"), t("2025-03"), t("5"), Cell::Empty],
        ]);
        let rows = parse_monthly(&s).unwrap();
        // the last of the three foreign columns read wins; each in its own unit
        assert_eq!(rows[0].capital_arrived_yuan, Some(1_000_000));
        assert_eq!(rows[0].foreign_capital_usd, Some(20_000_000));
        let one = |h: &str, v: &str| {
            parse_monthly(&sheet(vec![
                vec![t("项目编号"), t("月份"), t(h)],
                vec![t("1"), t("2025-01"), t(v)],
            ]))
            .unwrap()[0]
                .foreign_capital_usd
        };
        assert_eq!(one("实际利用外资", "12.5"), Some(125_000));
        assert_eq!(one("实际利用外资(万美元)", "12.5"), Some(125_000));
        assert_eq!(one("外资(美元)", "3,000"), Some(3_000));
        assert_eq!(one("利用外资（亿美元）", "0.2"), Some(20_000_000));
        // a blank cell says nothing
        assert_eq!(rows[1].foreign_capital_usd, None);
    }

    /// A month typed as a number: 2025.3 and 202503 are March, 2025.1 (which 2025.10 also
    /// becomes) is refused, and 2025 or 20253 is never a day of 1905 or 1955.
    #[test]
    fn months_typed_as_numbers() {
        let month = |n: f64| {
            parse_monthly(&sheet(vec![
                vec![t("项目编号"), t("月份"), t("税收(万元)")],
                vec![t("1"), Cell::Number(n), t("1")],
            ]))
            .map(|r| r[0].month.clone())
        };
        assert_eq!(month(2025.3), Ok("2025-03".to_string()));
        assert_eq!(month(2025.12), Ok("2025-12".to_string()));
        assert_eq!(month(202503.0), Ok("2025-03".to_string()));
        assert_eq!(month(45748.0), Ok("2025-04".to_string()));
        for n in [2025.1, 2025.0, 20253.0] {
            let e = month(n).unwrap_err();
            assert!(e[0].starts_with("B2 月份"), "{n}: {e:?}");
        }
        assert!(month(2025.1).unwrap_err()[0].contains("2025年10月"));
    }

    /// The serial window set for the import holds in the month column too.
    #[test]
    fn the_serial_window_is_the_one_given() {
        let s = sheet(vec![
            vec![t("项目编号"), t("月份"), t("税收(万元)")],
            vec![t("1"), Cell::Number(45748.0), t("1")],
        ]);
        assert_eq!(parse_monthly(&s).unwrap()[0].month, "2025-04");
        let d = |y, m, dd| chrono::NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let narrow = DateWindow::new(d(2000, 1, 1), d(2010, 12, 31)).unwrap();
        let e = parse_monthly_in(&s, &narrow).unwrap_err();
        assert!(
            e[0].starts_with("B2 月份") && e[0].contains("2000-01-01至2010-12-31"),
            "{e:?}"
        );
    }

    #[test]
    fn names_each_bad_cell() {
        let s = sheet(vec![
            vec![t("项目编号"), t("月份"), t("税收(万元)")],
            vec![t("x"), t("2025-03"), t("1")],
            vec![t("5"), t("三月"), t("-2")],
            vec![t("6"), Cell::Empty, t("abc")],
        ]);
        let e = parse_monthly(&s).unwrap_err();
        assert!(e[0].starts_with("A2 项目编号"), "{e:?}");
        assert!(e.iter().any(|x| x.starts_with("B3 月份")), "{e:?}");
        assert!(e.iter().any(|x| x.starts_with("C3 税收")), "{e:?}");
        assert!(
            e.iter()
                .any(|x| x.starts_with("B4 月份") && x.contains("不能为空")),
            "{e:?}"
        );
        assert!(e.iter().any(|x| x.starts_with("C4 税收")), "{e:?}");
        let none = sheet(vec![vec![t("名称"), t("金额")]]);
        assert!(parse_monthly(&none).unwrap_err()[0].contains("没有找到表头"));
    }
}
