//! Writing ledgers: a title row, a header row with units ("总投资(万元)"), one row per
//! record. What [`crate::read`] and [`crate::parse_rows`] read back exactly.

use crate::field::{Field, Unit, ValueKind};
use crate::rows::{Kind, Record, RowResult};
use crate::value::{decimal_text, Value};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

/// Why a workbook could not be written.
#[derive(Debug, thiserror::Error)]
#[error("无法生成 Excel 文件：{0}")]
pub struct WriteError(#[from] XlsxError);

/// A column to export: a field and, for amounts, the unit to show it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub field: Field,
    /// Money columns: 元, 万元 or 亿元 (万美元 … for foreign capital). Land is written in
    /// 亩 and people as a count whatever is asked. `None`: the field's default.
    pub unit: Option<Unit>,
}

impl Column {
    pub fn new(field: Field) -> Self {
        Column { field, unit: None }
    }

    pub fn with_unit(field: Field, unit: Unit) -> Self {
        Column {
            field,
            unit: Some(unit),
        }
    }

    /// The unit the column is written in.
    pub fn effective_unit(&self) -> Option<Unit> {
        let kind = self.field.kind();
        let allowed = Unit::for_kind(kind);
        match kind {
            ValueKind::Land => Some(Unit::Mu),
            ValueKind::Count => None,
            _ => self
                .unit
                .filter(|u| allowed.contains(u))
                .or_else(|| allowed.first().copied()),
        }
    }

    /// "总投资(万元)", "用地(亩)", "企业名称".
    pub fn header(&self) -> String {
        match self.effective_unit() {
            Some(u) => format!("{}({})", self.field.label(), u.label()),
            None => self.field.label().to_string(),
        }
    }
}

/// The columns Fenglai exports for a kind of ledger.
pub fn default_columns(kind: Kind) -> Vec<Column> {
    use Field as F;
    let fields: &[Field] = match kind {
        Kind::Leads => &[
            F::CompanyName,
            F::Uscc,
            F::Industry,
            F::IndustryCode,
            F::Region,
            F::RegionCode,
            F::ContactName,
            F::ContactPhone,
            F::Description,
            F::PlannedInvestment,
            F::ForeignCapital,
            F::Land,
            F::Jobs,
            F::Channel,
            F::ReportingUnit,
            F::ReportedDate,
            F::Responsible,
            F::Remarks,
        ],
        Kind::Projects => &[
            F::ProjectName,
            F::CompanyName,
            F::Uscc,
            F::Industry,
            F::IndustryCode,
            F::Region,
            F::RegionCode,
            F::PlannedInvestment,
            F::ContractAmount,
            F::PaidIn,
            F::ForeignCapital,
            F::Land,
            F::Jobs,
            F::Stage,
            F::SignedDate,
            F::StartedDate,
            F::Park,
            F::Responsible,
            F::ContactName,
            F::ContactPhone,
            F::Channel,
            F::ReportingUnit,
            F::ReportedDate,
            F::Description,
            F::Remarks,
        ],
    };
    fields.iter().map(|f| Column::new(*f)).collect()
}

/// One cell to write in a generic table.
#[derive(Debug, Clone, PartialEq)]
pub enum OutCell {
    Empty,
    Text(String),
    /// An exact decimal ("1.28", "-5000"): written as a number when a double holds it
    /// exactly enough to read back the same text (≤ 15 significant digits), else as text.
    Decimal(String),
    Date(NaiveDate),
}

/// Digits that matter for reading a decimal back: no sign, point, leading zeros, or
/// trailing zeros of an integer.
fn significant_digits(s: &str) -> usize {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let d = digits.trim_start_matches('0');
    if s.contains('.') {
        d.len()
    } else {
        d.trim_end_matches('0').len()
    }
}

/// The cell a record's value becomes in a column.
pub fn out_cell(value: Option<Value>, column: &Column) -> OutCell {
    let places = |u: Option<Unit>| u.map_or(0, |u| u.factor().ilog10());
    match value {
        None => OutCell::Empty,
        Some(Value::Text(s)) => OutCell::Text(s),
        Some(Value::Uscc(u)) => OutCell::Text(u.as_str().to_string()),
        Some(Value::IndustryCode(c)) => OutCell::Text(c.as_str().to_string()),
        Some(Value::RegionCode(c)) => OutCell::Text(c.as_str().to_string()),
        Some(Value::Yuan(y)) => {
            OutCell::Decimal(decimal_text(y.0 as i128, places(column.effective_unit())))
        }
        Some(Value::Usd(v)) => {
            OutCell::Decimal(decimal_text(v as i128, places(column.effective_unit())))
        }
        Some(Value::Mu(m)) => OutCell::Decimal(m.decimal()),
        Some(Value::Count(n)) => OutCell::Decimal(n.to_string()),
        Some(Value::Date(d)) => OutCell::Date(d),
        Some(Value::Stage(s)) => OutCell::Text(s.label().to_string()),
        Some(Value::Channel(c)) => OutCell::Text(c.label().to_string()),
    }
}

fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    // Excel's dates start in 1900; earlier days are written as text.
    if d < NaiveDate::from_ymd_opt(1900, 3, 1)? || d.year() > 9999 {
        return None;
    }
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).ok()
}

fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &OutCell,
    date_format: &Format,
) -> Result<(), XlsxError> {
    match cell {
        OutCell::Empty => {}
        OutCell::Text(s) => {
            ws.write_string(row, col, s)?;
        }
        OutCell::Decimal(s) => match s.parse::<f64>() {
            Ok(f) if significant_digits(s) <= 15 => {
                ws.write_number(row, col, f)?;
            }
            _ => {
                ws.write_string(row, col, s)?;
            }
        },
        OutCell::Date(d) => match excel_date(*d) {
            Some(x) => {
                ws.write_datetime_with_format(row, col, x, date_format)?;
            }
            None => {
                ws.write_string(row, col, d.format("%Y-%m-%d").to_string())?;
            }
        },
    }
    Ok(())
}

/// One sheet of a workbook: its name, a title merged across the first row, the headers in the
/// second, then the rows.
pub struct SheetOut<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub headers: &'a [String],
    pub rows: &'a [Vec<OutCell>],
}

/// Writes any table in the ledger layout: the title merged across the first row, the
/// headers in the second, then the rows. For list views that are not leads or projects
/// (the monthly quota table …).
pub fn write_table(
    title: &str,
    headers: &[String],
    rows: &[Vec<OutCell>],
) -> Result<Vec<u8>, WriteError> {
    write_sheets(&[SheetOut {
        name: "台账",
        title,
        headers,
        rows,
    }])
}

/// Writes several tables, one a sheet, each in the ledger layout (bulletins, 三张清单).
pub fn write_sheets(sheets: &[SheetOut]) -> Result<Vec<u8>, WriteError> {
    write_book(Workbook::new(), sheets)
}

/// [`write_sheets`] for a document of a moment (a bulletin, as of its moment): the workbook
/// says it was created then, where rust_xlsxwriter would write the time of writing, so the
/// same document gives the same bytes whenever it is written. `created` is Unix seconds.
pub fn write_sheets_at(sheets: &[SheetOut], created: i64) -> Result<Vec<u8>, WriteError> {
    let at = ExcelDateTime::from_timestamp(created)?;
    let mut book = Workbook::new();
    book.set_properties(&DocProperties::new().set_creation_datetime(&at));
    write_book(book, sheets)
}

fn write_book(mut book: Workbook, sheets: &[SheetOut]) -> Result<Vec<u8>, WriteError> {
    let title_format = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let header_format = Format::new().set_bold().set_align(FormatAlign::Center);
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(sheet.name)?;
        let width = sheet.headers.len().max(1) as u16;
        if width > 1 {
            ws.merge_range(0, 0, 0, width - 1, sheet.title, &title_format)?;
        } else {
            ws.write_string_with_format(0, 0, sheet.title, &title_format)?;
        }
        for (c, h) in sheet.headers.iter().enumerate() {
            ws.write_string_with_format(1, c as u16, h, &header_format)?;
            let chars = h.chars().count() as f64;
            ws.set_column_width(c as u16, (chars * 2.0 + 2.0).clamp(8.0, 40.0))?;
        }
        for (i, row) in sheet.rows.iter().enumerate() {
            let r = (i + 2) as u32;
            for (c, cell) in row.iter().enumerate() {
                write_cell(ws, r, c as u16, cell, &date_format)?;
            }
        }
        ws.set_freeze_panes(2, 0)?;
    }
    Ok(book.save_to_buffer()?)
}

/// Writes leads or projects as a ledger: title, one header row with units, one row per
/// record. Reading it back with [`crate::read`], [`crate::propose_mapping`] and
/// [`crate::parse_rows`] gives the same records.
pub fn write_xlsx(
    kind: Kind,
    title: &str,
    columns: &[Column],
    records: &[Record],
) -> Result<Vec<u8>, WriteError> {
    let headers: Vec<String> = columns.iter().map(Column::header).collect();
    let rows: Vec<Vec<OutCell>> = records
        .iter()
        .map(|r| {
            columns
                .iter()
                .map(|c| out_cell(r.get(c.field), c))
                .collect()
        })
        .collect();
    let title = if title.is_empty() {
        format!("{}台账", kind.label())
    } else {
        title.to_string()
    };
    write_table(&title, &headers, &rows)
}

/// The rows that failed or were skipped, as a workbook to download: 行号, 单元格, 字段,
/// 问题.
pub fn write_error_report(results: &[RowResult]) -> Result<Vec<u8>, WriteError> {
    let headers: Vec<String> = ["行号", "单元格", "字段", "问题"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut rows = Vec::new();
    for r in results {
        match &r.outcome {
            crate::RowOutcome::Invalid(errors) => {
                for e in errors {
                    rows.push(vec![
                        OutCell::Decimal(r.row.to_string()),
                        OutCell::Text(e.cell.to_string()),
                        OutCell::Text(e.field.label().to_string()),
                        OutCell::Text(e.message.clone()),
                    ]);
                }
            }
            crate::RowOutcome::Skipped(s) => rows.push(vec![
                OutCell::Decimal(r.row.to_string()),
                OutCell::Empty,
                OutCell::Empty,
                OutCell::Text(format!("已跳过：{}", s.label())),
            ]),
            crate::RowOutcome::Record(_) => {}
        }
    }
    write_table("导入错误报告", &headers, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_carry_units() {
        assert_eq!(
            Column::new(Field::PlannedInvestment).header(),
            "总投资(万元)"
        );
        assert_eq!(
            Column::with_unit(Field::PlannedInvestment, Unit::Yi).header(),
            "总投资(亿元)"
        );
        assert_eq!(
            Column::new(Field::ForeignCapital).header(),
            "利用外资(万美元)"
        );
        assert_eq!(
            Column::with_unit(Field::Land, Unit::Hectare).header(),
            "用地(亩)"
        );
        assert_eq!(
            Column::with_unit(Field::PlannedInvestment, Unit::WanUsd).header(),
            "总投资(万元)"
        );
        assert_eq!(Column::new(Field::CompanyName).header(), "企业名称");
    }

    #[test]
    fn significance() {
        assert_eq!(significant_digits("1.28"), 3);
        assert_eq!(significant_digits("-0.0001"), 1);
        assert_eq!(significant_digits("1000000000000000000"), 1);
        assert_eq!(significant_digits("922337203685.4775807"), 19);
    }
}
