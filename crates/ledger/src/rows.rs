//! Turning the data rows of a sheet into typed records or cell-level errors.

use crate::field::{Field, Unit};
use crate::mapping::{normalize_header, Mapping, MappingError};
use crate::sheet::{Cell, CellRef, Sheet};
use crate::value::{is_placeholder, parse_value_in, DateWindow, Mu, Value};
use chrono::NaiveDate;
use fenglai_domain::{Channel, IndustryCode, RegionCode, Stage, Uscc, Yuan};
use std::fmt;

/// What a ledger lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// 线索台账: one company per row; 企业名称 required.
    Leads,
    /// 项目台账: one project per row; 项目名称 and 企业名称 required.
    Projects,
}

impl Kind {
    pub fn required(self) -> &'static [Field] {
        match self {
            Kind::Leads => &[Field::CompanyName],
            Kind::Projects => &[Field::ProjectName, Field::CompanyName],
        }
    }

    /// "线索" / "项目", for titles.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Leads => "线索",
            Kind::Projects => "项目",
        }
    }
}

/// One valid row. Amounts are exact integer yuan ([`Yuan`]), foreign capital integer US
/// dollars, land [`Mu`]; everything the row left blank is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    pub company_name: String,
    /// Always present for [`Kind::Projects`].
    pub project_name: Option<String>,
    pub uscc: Option<Uscc>,
    pub industry_code: Option<IndustryCode>,
    /// An industry written as a name ("新能源汽车"), to be resolved against the code table.
    pub industry_name: Option<String>,
    pub region_code: Option<RegionCode>,
    /// A region written as a name ("深圳"), to be resolved against the code table.
    pub region_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub description: Option<String>,
    pub planned_investment: Option<Yuan>,
    pub contract_amount: Option<Yuan>,
    pub paid_in: Option<Yuan>,
    pub foreign_capital_usd: Option<i64>,
    pub land: Option<Mu>,
    pub jobs: Option<i64>,
    pub channel: Option<Channel>,
    pub reporting_unit: Option<String>,
    pub reported_date: Option<NaiveDate>,
    pub signed_date: Option<NaiveDate>,
    pub started_date: Option<NaiveDate>,
    pub stage: Option<Stage>,
    pub park: Option<String>,
    pub responsible: Option<String>,
    pub remarks: Option<String>,
}

impl Record {
    /// The value a column of this field shows: for [`Field::Industry`] and
    /// [`Field::Region`] the name, else the code.
    pub fn get(&self, field: Field) -> Option<Value> {
        let text = |s: &Option<String>| s.clone().map(Value::Text);
        match field {
            Field::CompanyName => Some(Value::Text(self.company_name.clone())),
            Field::ProjectName => text(&self.project_name),
            Field::Uscc => self.uscc.clone().map(Value::Uscc),
            Field::Industry => text(&self.industry_name)
                .or_else(|| self.industry_code.clone().map(Value::IndustryCode)),
            Field::IndustryCode => self.industry_code.clone().map(Value::IndustryCode),
            Field::Region => {
                text(&self.region_name).or_else(|| self.region_code.clone().map(Value::RegionCode))
            }
            Field::RegionCode => self.region_code.clone().map(Value::RegionCode),
            Field::ContactName => text(&self.contact_name),
            Field::ContactPhone => text(&self.contact_phone),
            Field::Description => text(&self.description),
            Field::PlannedInvestment => self.planned_investment.map(Value::Yuan),
            Field::ContractAmount => self.contract_amount.map(Value::Yuan),
            Field::PaidIn => self.paid_in.map(Value::Yuan),
            Field::ForeignCapital => self.foreign_capital_usd.map(Value::Usd),
            Field::Land => self.land.map(Value::Mu),
            Field::Jobs => self.jobs.map(Value::Count),
            Field::Channel => self.channel.map(Value::Channel),
            Field::ReportingUnit => text(&self.reporting_unit),
            Field::ReportedDate => self.reported_date.map(Value::Date),
            Field::SignedDate => self.signed_date.map(Value::Date),
            Field::StartedDate => self.started_date.map(Value::Date),
            Field::Stage => self.stage.map(Value::Stage),
            Field::Park => text(&self.park),
            Field::Responsible => text(&self.responsible),
            Field::Remarks => text(&self.remarks),
        }
    }

    /// Stores a value read for a field. A value of the wrong type for the field is
    /// ignored (it cannot come from [`crate::parse_value`]).
    pub fn set(&mut self, field: Field, value: Value) {
        use Value as V;
        match (field, value) {
            (Field::CompanyName, V::Text(s)) => self.company_name = s,
            (Field::ProjectName, V::Text(s)) => self.project_name = Some(s),
            (Field::Uscc, V::Uscc(u)) => self.uscc = Some(u),
            (Field::Industry | Field::IndustryCode, V::IndustryCode(c)) => {
                self.industry_code = Some(c)
            }
            (Field::Industry, V::Text(s)) => self.industry_name = Some(s),
            (Field::Region | Field::RegionCode, V::RegionCode(c)) => self.region_code = Some(c),
            (Field::Region, V::Text(s)) => self.region_name = Some(s),
            (Field::ContactName, V::Text(s)) => self.contact_name = Some(s),
            (Field::ContactPhone, V::Text(s)) => self.contact_phone = Some(s),
            (Field::Description, V::Text(s)) => self.description = Some(s),
            (Field::PlannedInvestment, V::Yuan(y)) => self.planned_investment = Some(y),
            (Field::ContractAmount, V::Yuan(y)) => self.contract_amount = Some(y),
            (Field::PaidIn, V::Yuan(y)) => self.paid_in = Some(y),
            (Field::ForeignCapital, V::Usd(v)) => self.foreign_capital_usd = Some(v),
            (Field::Land, V::Mu(m)) => self.land = Some(m),
            (Field::Jobs, V::Count(n)) => self.jobs = Some(n),
            (Field::Channel, V::Channel(c)) => self.channel = Some(c),
            (Field::ReportingUnit, V::Text(s)) => self.reporting_unit = Some(s),
            (Field::ReportedDate, V::Date(d)) => self.reported_date = Some(d),
            (Field::SignedDate, V::Date(d)) => self.signed_date = Some(d),
            (Field::StartedDate, V::Date(d)) => self.started_date = Some(d),
            (Field::Stage, V::Stage(s)) => self.stage = Some(s),
            (Field::Park, V::Text(s)) => self.park = Some(s),
            (Field::Responsible, V::Text(s)) => self.responsible = Some(s),
            (Field::Remarks, V::Text(s)) => self.remarks = Some(s),
            _ => {}
        }
    }
}

/// One cell that could not be read. Displays as "C7 总投资：无法识别的金额“约一个亿”".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub cell: CellRef,
    pub field: Field,
    pub message: String,
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}：{}", self.cell, self.field.label(), self.message)
    }
}

/// Why a row was passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Nothing in it.
    Blank,
    /// 合计 / 总计 / 小计.
    Total,
    /// "注：…", "填表人：…" below the table.
    Note,
    /// The header again (ledgers pasted together).
    RepeatedHeader,
}

impl Skip {
    pub fn label(self) -> &'static str {
        match self {
            Skip::Blank => "空行",
            Skip::Total => "合计行",
            Skip::Note => "说明行",
            Skip::RepeatedHeader => "重复的表头",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    Record(Box<Record>),
    Invalid(Vec<CellError>),
    Skipped(Skip),
}

/// The outcome for one data row. `row` is the Excel row number (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowResult {
    pub row: usize,
    pub outcome: RowOutcome,
}

impl RowResult {
    pub fn record(&self) -> Option<&Record> {
        match &self.outcome {
            RowOutcome::Record(r) => Some(r),
            _ => None,
        }
    }

    pub fn errors(&self) -> &[CellError] {
        match &self.outcome {
            RowOutcome::Invalid(e) => e,
            _ => &[],
        }
    }
}

/// Counts for a preview: "1,000 行可导入，3 行有错误，2 行跳过".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub valid: usize,
    pub invalid: usize,
    pub skipped: usize,
}

pub fn summarize(results: &[RowResult]) -> Summary {
    let mut s = Summary::default();
    for r in results {
        match r.outcome {
            RowOutcome::Record(_) => s.valid += 1,
            RowOutcome::Invalid(_) => s.invalid += 1,
            RowOutcome::Skipped(_) => s.skipped += 1,
        }
    }
    s
}

fn norm(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// "合计", "总计：", "小计（12个）", "合 计" — but not "合计科技有限公司".
fn is_total(t: &str) -> bool {
    ["合计", "总计", "小计", "共计"].iter().any(|w| {
        t.strip_prefix(w).is_some_and(|rest| {
            rest.chars()
                .next()
                .is_none_or(|c| c.is_ascii() || "（(：:".contains(c))
        })
    })
}

fn classify_skip(cells: &[Cell], mapping: &Mapping) -> Option<Skip> {
    let mut nonblank = cells.iter().filter(|c| !c.is_blank());
    let Some(first) = nonblank.clone().next() else {
        return Some(Skip::Blank);
    };
    fn text_of(c: &Cell) -> Option<&str> {
        match c {
            Cell::Text(t) => Some(t.trim_start()),
            _ => None,
        }
    }
    // Only text starting like 合计/总计/小计/共计 is normalised (most rows are not).
    if nonblank
        .clone()
        .take(3)
        .filter_map(text_of)
        .any(|t| t.starts_with(['合', '总', '小', '共']) && is_total(&norm(t)))
    {
        return Some(Skip::Total);
    }
    // A note: one text (a merged cell fills several) that starts like a note.
    if let Cell::Text(t) = first {
        if nonblank.all(|c| c == first) {
            let t = norm(t);
            let notes = [
                "注：",
                "注:",
                "说明：",
                "说明:",
                "备注：",
                "备注:",
                "填表人",
                "填报人",
                "制表",
                "审核人",
                "数据来源",
                "单位负责人",
            ];
            if notes.iter().any(|n| t.starts_with(n)) {
                return Some(Skip::Note);
            }
        }
    }
    // The header again: a name column and at least one other hold their own headers.
    // The name columns are checked first, as they almost never match.
    let is_own_header = |c: &crate::mapping::ColumnMapping| match (cells.get(c.col), c.field) {
        (Some(Cell::Text(t)), Some(f)) => f.synonyms().contains(&normalize_header(t).as_str()),
        _ => false,
    };
    let names = [Some(Field::CompanyName), Some(Field::ProjectName)];
    let name_matches = mapping
        .columns
        .iter()
        .any(|c| names.contains(&c.field) && is_own_header(c));
    if name_matches && mapping.columns.iter().filter(|c| is_own_header(c)).count() >= 2 {
        return Some(Skip::RepeatedHeader);
    }
    None
}

/// Checks that the mapping has a column for every field the kind requires.
pub fn check_mapping(mapping: &Mapping, kind: Kind) -> Result<(), MappingError> {
    let missing: Vec<Field> = kind
        .required()
        .iter()
        .copied()
        .filter(|f| mapping.column_of(*f).is_none())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(MappingError::Missing(missing))
    }
}

/// Reads every row below the header: a record, the errors of its cells, or why it was
/// skipped (blank, 合计, notes, a repeated header). Fails only when a required column
/// is not mapped. Bare numbers in date columns are Excel serials only inside the default
/// [`DateWindow`].
pub fn parse_rows(
    sheet: &Sheet,
    mapping: &Mapping,
    kind: Kind,
) -> Result<Vec<RowResult>, MappingError> {
    parse_rows_in(sheet, mapping, kind, &DateWindow::default())
}

/// [`parse_rows`] with Excel serials in date columns limited to `window`.
pub fn parse_rows_in(
    sheet: &Sheet,
    mapping: &Mapping,
    kind: Kind,
    window: &DateWindow,
) -> Result<Vec<RowResult>, MappingError> {
    check_mapping(mapping, kind)?;
    let mapped: Vec<(usize, Field, Option<Unit>)> = mapping
        .columns
        .iter()
        .filter_map(|c| c.field.map(|f| (c.col, f, c.unit)))
        .collect();
    let mut out = Vec::with_capacity(sheet.rows.len().saturating_sub(mapping.data_start));
    for (r, cells) in sheet.rows.iter().enumerate().skip(mapping.data_start) {
        let row = r + 1;
        if let Some(skip) = classify_skip(cells, mapping) {
            out.push(RowResult {
                row,
                outcome: RowOutcome::Skipped(skip),
            });
            continue;
        }
        let mut record = Record::default();
        let mut errors = Vec::new();
        for &(col, field, unit) in &mapped {
            let cell = cells.get(col).unwrap_or(&Cell::Empty);
            let at = CellRef { row: r, col };
            let blank = match cell {
                Cell::Text(t) => is_placeholder(t),
                c => c.is_blank(),
            };
            if blank {
                if kind.required().contains(&field) {
                    errors.push(CellError {
                        cell: at,
                        field,
                        message: format!("缺少{}", field.label()),
                    });
                }
                continue;
            }
            match parse_value_in(cell, field, unit, window) {
                Ok(Value::Text(t)) if t.is_empty() && kind.required().contains(&field) => {
                    errors.push(CellError {
                        cell: at,
                        field,
                        message: format!("缺少{}", field.label()),
                    });
                }
                Ok(v) => record.set(field, v),
                Err(message) => errors.push(CellError {
                    cell: at,
                    field,
                    message,
                }),
            }
        }
        out.push(RowResult {
            row,
            outcome: if errors.is_empty() {
                RowOutcome::Record(Box::new(record))
            } else {
                RowOutcome::Invalid(errors)
            },
        });
    }
    Ok(out)
}
