//! Ledgers in and out (台账导入、导出Excel): leads and projects from .xlsx / .xls / .csv
//! files, and the lead and project lists back to .xlsx in the same layout.
//!
//! An import is three steps so that a page can stop between them:
//!
//! 1. [`upload`] keeps the file in the database (so any server can show the preview)
//!    and answers a [`Preview`]: the proposed mapping, the first rows, every row's
//!    errors with its cell ("C7 总投资：…"), counts.
//! 2. [`set_mapping`] lets the user say what a column holds; the preview is recomputed.
//! 3. [`commit`] writes every valid row in ONE transaction: all-or-nothing by default
//!    (any bad row and nothing is written), or skipping the bad rows, which
//!    [`error_report`] lists in a workbook. A crash or a kill before the commit leaves
//!    nothing behind.
//!
//! [`import_file`] does the three at once for the command line. Rows are checked by the
//! ledger crate (cells to typed values) and then by the same rules as a lead reported
//! through the form ([`crate::leads::check`]), against code tables, units, parks and
//! users read once per import. Who may import: leads, whoever may report leads; projects,
//! those who may admit leads into the pool (管理员, 招商人). The reporting unit of every
//! row (the 报送单位 column, else the unit chosen for the import, else the importer's)
//! must lie in the importer's scope.
//!
//! A project row becomes an admitted lead, its project, and a stage history that
//! follows the ledger's dates: 在谈 from the earliest date given, 签约 on the signing
//! date, 开工 on the start date; a stage whose date the ledger does not give takes the
//! next date it does give, else the import date (figures as of earlier dates do not
//! claim what the ledger did not say). A signed project without a contract amount is
//! taken at its planned investment. Ledger columns Fenglai has no field for (到资, 备注,
//! 责任人 as written, names of parks or regions it could not match) are kept on the lead
//! as JSON and written back by the export.

pub mod registry;

use crate::audit::Tx;
use crate::leads::{self, Codes, LeadInput};
use crate::{projects, today, Actor, App, Error, Result};
use chrono::NaiveDate;
use fenglai_domain::{Channel, IndustryCode, RegionCode, Role, Stage, Uscc, Yuan};
use fenglai_ledger::{
    self as ledger, CellError, CellRef, Column, ColumnMapping, Field, Kind, Mapping, Mu, Record,
    RowOutcome, RowResult, Sheet, Unit, Value,
};
use fenglai_store::ledgers::{
    self as store, Credit, HistoryRow, ImportLead, ImportProject, ImportRow,
};
use fenglai_store::org::Unit as OrgUnit;
use fenglai_store::{org, Scope};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};

pub use fenglai_ledger::DateWindow;
pub use fenglai_ledger::Kind as LedgerKind;

/// The largest file accepted (a 100,000-row ledger is about 12 MB).
pub const MAX_FILE_BYTES: usize = ledger::MAX_FILE_BYTES;
/// Rows shown in a preview.
pub const PREVIEW_ROWS: usize = 20;
/// Row errors listed in a preview (the error report has them all).
pub const PREVIEW_ERRORS: usize = 200;
/// The most rows one export writes.
pub const EXPORT_MAX: usize = 100_000;
const MAX_YUAN: i64 = 10_000_000_000_000;
const UNITS: [Unit; 10] = [
    Unit::Yuan,
    Unit::Wan,
    Unit::Yi,
    Unit::Usd,
    Unit::WanUsd,
    Unit::YiUsd,
    Unit::Mu,
    Unit::SquareMetre,
    Unit::Hectare,
    Unit::Person,
];

/// `leads` or `projects`, as the API and the command line name them.
pub fn parse_kind(s: &str) -> Result<Kind> {
    match s.trim() {
        "leads" | "lead" | "线索" => Ok(Kind::Leads),
        "projects" | "project" | "项目" => Ok(Kind::Projects),
        other => Err(Error::invalid(
            "kind",
            format!("导入类型“{other}”不对：应为 leads（线索）或 projects（项目）"),
        )),
    }
}

pub fn kind_key(kind: Kind) -> &'static str {
    match kind {
        Kind::Leads => "leads",
        Kind::Projects => "projects",
    }
}

/// Whether the caller may import this kind of ledger at all.
pub fn authorize(actor: &Actor, kind: Kind) -> Result<()> {
    match kind {
        Kind::Leads => actor.require(actor.role.may_report_leads(), "导入线索台账"),
        Kind::Projects => actor.require(
            matches!(actor.role, Role::Admin | Role::Promoter),
            "导入项目台账（需可将线索入库的角色）",
        ),
    }
}

// ---- what a preview shows ----

/// One column of the sheet and what it is read as.
#[derive(Debug, Clone)]
pub struct ColumnView {
    /// 0-based column index (0 = A)
    pub col: usize,
    /// Excel column letter
    pub letter: String,
    /// the header as written ("投资额/总投资(亿元)")
    pub header: String,
    /// the field key (company_name, planned_investment_yuan …), null when not imported
    pub field: Option<String>,
    /// the field's Chinese name
    pub field_label: Option<String>,
    /// the unit amounts without their own unit are read in (万元, 亿元, 万美元, 亩 …)
    pub unit: Option<String>,
    /// true when the header named no unit and the default was assumed: check it
    pub unit_assumed: bool,
}

/// A row-level problem, named by its cell.
#[derive(Debug, Clone)]
pub struct RowError {
    /// Excel row number (1-based)
    pub row: usize,
    /// A1 reference, e.g. "C7"
    pub cell: String,
    /// the field's Chinese name
    pub field: String,
    pub message: String,
    /// "C7 总投资：无法识别的金额“约一个亿”"
    pub text: String,
}

/// One row of the sheet as shown in a preview.
#[derive(Debug, Clone)]
pub struct RowView {
    /// Excel row number (1-based)
    pub row: usize,
    /// the cells as text, one per column of the sheet
    pub cells: Vec<String>,
    /// valid, invalid or skipped
    pub status: String,
    /// why a row is skipped (空行, 合计行 …)
    pub skip: Option<String>,
    pub errors: Vec<RowError>,
}

impl RowView {
    /// Whether the cell at `col` has an error (for highlighting).
    pub fn bad(&self, col: &usize) -> bool {
        let letter = ledger::column_name(*col);
        self.errors
            .iter()
            .any(|e| e.cell.trim_end_matches(|c: char| c.is_ascii_digit()) == letter)
    }

    /// The text of the cell at `col`.
    pub fn cell(&self, col: &usize) -> &str {
        self.cells.get(*col).map_or("", String::as_str)
    }
}

/// What an import would do, before it is done.
#[derive(Debug, Clone)]
pub struct Preview {
    /// the upload's id (null for a command-line dry run)
    pub id: Option<i64>,
    /// leads or projects
    pub kind: String,
    pub file_name: String,
    /// preview, importing (confirmed, being written by the server) or imported
    pub status: String,
    /// the worksheet read
    pub sheet: String,
    /// every worksheet of the workbook, in order (one for CSV): another may be chosen
    pub sheets: Vec<String>,
    /// first and last header row, 1-based
    pub header_rows: [usize; 2],
    /// first data row, 1-based
    pub data_start: usize,
    pub columns: Vec<ColumnView>,
    /// a required column is not mapped ("缺少必填列：企业名称…"): map it before importing
    pub mapping_error: Option<String>,
    /// things to check: columns named twice, units assumed, names not matched
    pub warnings: Vec<String>,
    /// rows that can be imported
    pub valid: usize,
    /// rows with errors
    pub invalid: usize,
    /// blank, 合计, note and repeated-header rows
    pub skipped: usize,
    /// the first rows, errors included
    pub rows: Vec<RowView>,
    /// the first row errors (all of them are in the error report)
    pub errors: Vec<RowError>,
    pub errors_total: usize,
    /// set once imported
    pub result: Option<ImportResult>,
}

/// What an import wrote.
#[derive(Debug, Clone)]
pub struct ImportResult {
    pub id: Option<i64>,
    /// leads or projects
    pub kind: String,
    /// rows written (leads, or projects with their leads)
    pub inserted: usize,
    /// rows with errors, not written
    pub invalid: usize,
    /// blank, 合计 and note rows
    pub skipped: usize,
    pub dry_run: bool,
}

/// A user's choice for one column.
#[derive(Debug, Clone)]
pub struct ColumnChoice {
    /// 0-based column index
    pub col: usize,
    /// field key (see the preview's columns), or null / "" for "do not import"
    pub field: Option<String>,
    /// unit for amounts, land and counts: 元, 万元, 亿元, 美元, 万美元, 亿美元, 亩, 平方米, 公顷; default the field's
    pub unit: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct MappingInput {
    /// another worksheet of the workbook (one of the preview's `sheets`): its header and
    /// mapping are found anew, then `columns` apply to it
    pub sheet: Option<String>,
    pub columns: Vec<ColumnChoice>,
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct CommitInput {
    /// false (default): any bad row and nothing is written; true: write the good rows, report the bad
    pub skip_bad_rows: bool,
    /// reporting unit for rows without a 报送单位 column; defaults to the importer's unit
    pub unit_id: Option<i64>,
}

// ---- reference data read once per import ----

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

/// Parks written short: 经开区 for 经济技术开发区, 高新区 for 高新技术产业开发区 ….
fn park_norm(s: &str) -> String {
    let mut t = norm(s);
    for (long, short) in [
        ("经济技术开发区", "经开区"),
        ("经济开发区", "经开区"),
        ("高新技术产业开发区", "高新区"),
        ("高新技术开发区", "高新区"),
        ("工业园区", "工业园"),
        ("产业园区", "产业园"),
    ] {
        t = t.replace(long, short);
    }
    t
}

/// Units, parks, users and code tables, read once.
struct Refs {
    sections: HashMap<String, String>,
    industry_by_name: HashMap<String, Option<String>>,
    regions: HashSet<String>,
    region_by_name: HashMap<String, Option<String>>,
    units: HashMap<i64, OrgUnit>,
    unit_by_name: HashMap<String, Option<i64>>,
    parks: Vec<(String, i64)>,
    users_by_name: HashMap<String, Option<i64>>,
}

impl Codes for Refs {
    fn industry_section(&self, code: &str) -> Option<String> {
        self.sections.get(code).cloned()
    }
    fn region_known(&self, code: &str) -> bool {
        self.regions.contains(code)
    }
}

/// Inserts `key → value`, or marks the key ambiguous when it is there with another value.
fn unique<V: PartialEq>(m: &mut HashMap<String, Option<V>>, key: String, value: V) {
    match m.get(&key) {
        None => {
            m.insert(key, Some(value));
        }
        Some(Some(v)) if *v == value => {}
        Some(_) => {
            m.insert(key, None);
        }
    }
}

impl Refs {
    async fn load(c: &mut fenglai_store::Conn) -> Result<Refs> {
        let mut r = Refs {
            sections: HashMap::new(),
            industry_by_name: HashMap::new(),
            regions: HashSet::new(),
            region_by_name: HashMap::new(),
            units: HashMap::new(),
            unit_by_name: HashMap::new(),
            parks: Vec::new(),
            users_by_name: HashMap::new(),
        };
        for i in store::industries(c).await? {
            unique(&mut r.industry_by_name, norm(&i.name), i.code.clone());
            r.sections.insert(i.code, i.section);
        }
        let mut regions = store::regions(c).await?;
        // Provinces and cities win over districts of the same short name.
        regions.sort_by_key(|g| g.level);
        let mut short: HashMap<String, (i64, Option<String>)> = HashMap::new();
        for g in regions {
            unique(&mut r.region_by_name, norm(&g.full_name), g.code.clone());
            unique(&mut r.region_by_name, norm(&g.name), g.code.clone());
            let bare = norm(&g.name)
                .trim_end_matches(['省', '市', '区', '县'])
                .trim_end_matches("特别行政")
                .to_string();
            if bare.chars().count() >= 2 {
                match short.get(&bare) {
                    Some((lv, _)) if *lv < g.level => {}
                    Some((lv, Some(c))) if *lv == g.level && *c != g.code => {
                        short.insert(bare, (g.level, None));
                    }
                    Some((lv, None)) if *lv == g.level => {}
                    _ => {
                        short.insert(bare, (g.level, Some(g.code.clone())));
                    }
                }
            }
            r.regions.insert(g.code);
        }
        for (k, (_, code)) in short {
            if let Some(code) = code {
                r.region_by_name.entry(k).or_insert(Some(code));
            }
        }
        for u in org::units(c).await? {
            unique(&mut r.unit_by_name, norm(&u.name), u.id);
            if u.kind == fenglai_domain::UnitKind::Park && u.active {
                r.parks.push((park_norm(&u.name), u.id));
            }
            r.units.insert(u.id, u);
        }
        for u in org::users(c).await? {
            if u.active {
                unique(&mut r.users_by_name, norm(&u.display_name), u.id);
            }
        }
        Ok(r)
    }

    fn industry(&self, name: &str) -> Option<String> {
        self.industry_by_name.get(&norm(name)).cloned().flatten()
    }

    fn region(&self, name: &str) -> Option<String> {
        self.region_by_name.get(&norm(name)).cloned().flatten()
    }

    /// A park by its name as a ledger writes it: exact, or the only park whose name
    /// contains it (高新区 → 凤城高新技术产业开发区).
    fn park(&self, name: &str) -> Option<i64> {
        let n = park_norm(name);
        if n.is_empty() {
            return None;
        }
        if let Some((_, id)) = self.parks.iter().find(|(p, _)| *p == n) {
            return Some(*id);
        }
        let mut hits = self.parks.iter().filter(|(p, _)| p.contains(&n));
        match (hits.next(), hits.next()) {
            (Some((_, id)), None) => Some(*id),
            _ => None,
        }
    }
}

/// The units the caller may import in the name of (for rows without a 报送单位 column),
/// their own first.
pub async fn reporting_units(app: &App, actor: &Actor) -> Result<Vec<(i64, String)>> {
    let mut c = app.db.acquire().await?;
    let mut units: Vec<(i64, String)> = fenglai_store::org::units(&mut c)
        .await?
        .into_iter()
        .filter(|u| u.active && in_scope(actor, u))
        .map(|u| (u.id, u.name))
        .collect();
    units.sort_by_key(|(id, _)| (*id != actor.user.unit_id, *id));
    Ok(units)
}

/// Whether a unit lies in the caller's scope (may be a reporting unit of their imports).
fn in_scope(actor: &Actor, unit: &OrgUnit) -> bool {
    match &actor.scope {
        Scope::All => true,
        Scope::Subtree(path) => unit.path.starts_with(path.as_str()),
        Scope::Reporter(_) => unit.id == actor.user.unit_id,
    }
}

// ---- checking rows ----

/// A row ready to write (ids assigned at commit).
#[derive(Debug, Clone)]
struct Prepared {
    lead: ImportLead,
    project: Option<ProjectPlan>,
}

#[derive(Debug, Clone)]
struct ProjectPlan {
    project: ImportProject,
    /// stage, kind, effective date, amount on the row, investment figure
    history: Vec<(Stage, &'static str, String, Option<i64>, i64)>,
}

/// A file read, mapped and checked.
/// Which worksheet to read and how its columns map; by default the first worksheet with
/// data and the proposed mapping.
#[derive(Debug, Clone, Default)]
pub struct Choice {
    pub sheet: Option<String>,
    pub mapping: Option<Mapping>,
}

pub struct Analysis {
    kind: Kind,
    pub file_name: String,
    sheet: Sheet,
    /// every worksheet's name
    sheets: Vec<String>,
    mapping: Mapping,
    results: Vec<RowResult>,
    prepared: Vec<Prepared>,
    warnings: Vec<String>,
    unit_id: i64,
    /// a required column not mapped: nothing can be imported until it is
    mapping_error: Option<String>,
}

impl Analysis {
    pub fn summary(&self) -> ledger::Summary {
        ledger::summarize(&self.results)
    }

    /// Every row error, in row order.
    pub fn errors(&self) -> Vec<RowError> {
        self.results
            .iter()
            .flat_map(|r| r.errors().iter().map(move |e| row_error(r.row, e)))
            .collect()
    }

    /// The rows that failed or were skipped, as a workbook.
    pub fn error_report(&self) -> Result<Vec<u8>> {
        ledger::write_error_report(&self.results).map_err(|e| Error::Internal(e.to_string()))
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// A required column that is not mapped, if any.
    pub fn mapping_error(&self) -> Option<&str> {
        self.mapping_error.as_deref()
    }

    /// What a person should check before importing, as the preview shows it: columns
    /// named twice, units assumed for headers that name none, names not matched.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Every column, what it is read as and in which unit.
    pub fn columns(&self) -> Vec<ColumnView> {
        self.mapping
            .columns
            .iter()
            .map(|c| ColumnView {
                col: c.col,
                letter: ledger::column_name(c.col),
                header: c.header.clone(),
                field: c.field.map(|f| f.key().to_string()),
                field_label: c.field.map(|f| f.label().to_string()),
                unit: c.unit.map(|u| u.label().to_string()),
                unit_assumed: c.unit_assumed,
            })
            .collect()
    }

    /// The amount columns (yuan or dollars), each with the unit its bare numbers are
    /// read in: "C列“总投资”（计划投资）按万元读取（表头未注明单位）".
    pub fn amount_units(&self) -> Vec<String> {
        self.mapping
            .columns
            .iter()
            .filter_map(|c| {
                let f = c.field?;
                let u = c.unit?;
                matches!(f.kind(), ledger::ValueKind::Yuan | ledger::ValueKind::Usd).then(|| {
                    format!(
                        "{}列“{}”（{}）按{}读取{}",
                        ledger::column_name(c.col),
                        if c.header.is_empty() {
                            f.label()
                        } else {
                            &c.header
                        },
                        f.label(),
                        u.label(),
                        if c.unit_assumed {
                            "（表头未注明单位）"
                        } else {
                            ""
                        }
                    )
                })
            })
            .collect()
    }
}

fn row_error(row: usize, e: &CellError) -> RowError {
    RowError {
        row,
        cell: e.cell.to_string(),
        field: e.field.label().to_string(),
        message: e.message.clone(),
        text: e.to_string(),
    }
}

/// Where an error about a field is shown: its column on the row, else column A.
fn cell_of(mapping: &Mapping, row: usize, fields: &[Field]) -> (CellRef, Field) {
    for f in fields {
        if let Some(c) = mapping.column_of(*f) {
            return (
                CellRef {
                    row: row - 1,
                    col: c.col,
                },
                *f,
            );
        }
    }
    (
        CellRef {
            row: row - 1,
            col: 0,
        },
        fields[0],
    )
}

/// The ledger fields an input field of [`LeadInput`] comes from.
fn fields_of(key: &str) -> &'static [Field] {
    match key {
        "company_name" => &[Field::CompanyName],
        "uscc" => &[Field::Uscc],
        "industry_code" => &[Field::IndustryCode, Field::Industry],
        "region_code" => &[Field::RegionCode, Field::Region],
        "contact_name" => &[Field::ContactName],
        "contact_phone" => &[Field::ContactPhone],
        "description" => &[Field::Description],
        "planned_investment_yuan" => &[Field::PlannedInvestment],
        "land_mu" => &[Field::Land],
        "expected_jobs" => &[Field::Jobs],
        "channel" => &[Field::Channel],
        "reported_date" => &[Field::ReportedDate],
        _ => &[Field::CompanyName],
    }
}

/// A value kept as text in the lead's `ledger_extra`, and read back for export.
fn extra_text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Uscc(u) => u.as_str().to_string(),
        Value::IndustryCode(c) => c.as_str().to_string(),
        Value::RegionCode(c) => c.as_str().to_string(),
        Value::Yuan(y) => y.0.to_string(),
        Value::Usd(n) | Value::Count(n) => n.to_string(),
        Value::Mu(m) => m.0.to_string(),
        Value::Date(d) => d.to_string(),
        Value::Stage(s) => s.as_str().to_string(),
        Value::Channel(c) => c.as_str().to_string(),
    }
}

fn extra_value(field: Field, text: &str) -> Option<Value> {
    use fenglai_ledger::ValueKind as K;
    Some(match field.kind() {
        K::Yuan => Value::Yuan(Yuan(text.parse().ok()?)),
        K::Usd => Value::Usd(text.parse().ok()?),
        K::Count => Value::Count(text.parse().ok()?),
        K::Land => Value::Mu(Mu(text.parse().ok()?)),
        K::Date => Value::Date(text.parse().ok()?),
        K::Stage => Value::Stage(Stage::parse(text).ok()?),
        K::Channel => Value::Channel(Channel::parse(text).ok()?),
        _ => Value::Text(text.to_string()),
    })
}

struct Checker<'a> {
    refs: &'a Refs,
    actor: &'a Actor,
    mapping: &'a Mapping,
    kind: Kind,
    default_unit: i64,
    today: NaiveDate,
    unmatched: BTreeMap<&'static str, usize>,
}

impl Checker<'_> {
    fn err(&self, row: usize, fields: &[Field], message: impl Into<String>) -> CellError {
        let (cell, field) = cell_of(self.mapping, row, fields);
        CellError {
            cell,
            field,
            message: message.into(),
        }
    }

    fn check(&mut self, row: usize, rec: &Record) -> Result<Prepared, Vec<CellError>> {
        let mut extra: BTreeMap<&'static str, String> = BTreeMap::new();
        let industry_code = match (&rec.industry_code, &rec.industry_name) {
            (Some(c), _) => Some(c.as_str().to_string()),
            (None, Some(name)) => match self.refs.industry(name) {
                Some(code) => Some(code),
                None => {
                    extra.insert(Field::Industry.key(), name.clone());
                    *self.unmatched.entry("行业").or_default() += 1;
                    None
                }
            },
            _ => None,
        };
        let region_code = match (&rec.region_code, &rec.region_name) {
            (Some(c), _) => Some(c.as_str().to_string()),
            (None, Some(name)) => match self.refs.region(name) {
                Some(code) => Some(code),
                None => {
                    extra.insert(Field::Region.key(), name.clone());
                    *self.unmatched.entry("来源地").or_default() += 1;
                    None
                }
            },
            _ => None,
        };
        let input = LeadInput {
            company_name: rec.company_name.clone(),
            uscc: rec.uscc.as_ref().map(|u| u.as_str().to_string()),
            industry_code,
            region_code,
            contact_name: rec.contact_name.clone(),
            contact_phone: rec.contact_phone.clone(),
            description: rec.description.clone(),
            planned_investment_yuan: rec.planned_investment.map(|y| y.0),
            land_mu: rec.land.map(Mu::as_f64),
            expected_jobs: rec.jobs,
            channel: rec.channel.map(|c| c.as_str().to_string()),
            reported_date: rec.reported_date.map(|d| d.to_string()),
            ..LeadInput::default()
        };
        let new = leads::check(&input, self.actor, self.refs).map_err(|e| match e {
            Error::Invalid { field, message } => vec![self.err(row, fields_of(&field), message)],
            other => vec![self.err(row, &[Field::CompanyName], other.to_string())],
        })?;
        let unit_id = match rec.reporting_unit.as_deref().map(norm) {
            None => self.default_unit,
            Some(name) => match self.refs.unit_by_name.get(&name) {
                Some(Some(id)) => *id,
                Some(None) => {
                    return Err(vec![self.err(
                        row,
                        &[Field::ReportingUnit],
                        format!("有多个单位名为“{name}”，请在导入时选择报送单位并删去此列"),
                    )])
                }
                None => {
                    return Err(vec![self.err(
                        row,
                        &[Field::ReportingUnit],
                        format!("单位“{name}”不存在"),
                    )])
                }
            },
        };
        let unit = &self.refs.units[&unit_id];
        if !in_scope(self.actor, unit) {
            return Err(vec![self.err(
                row,
                &[Field::ReportingUnit],
                format!("无权以“{}”的名义导入（不在您的管辖范围内）", unit.name),
            )]);
        }
        // Fields a lead has no column for.
        let own: &[Field] = match self.kind {
            Kind::Leads => &[
                Field::ForeignCapital,
                Field::ContractAmount,
                Field::PaidIn,
                Field::SignedDate,
                Field::StartedDate,
                Field::Stage,
                Field::Park,
                Field::Responsible,
                Field::Remarks,
            ],
            Kind::Projects => &[Field::PaidIn, Field::Remarks],
        };
        for f in own {
            if let Some(v) = rec.get(*f) {
                extra.insert(f.key(), extra_text(&v));
            }
        }
        let mut lead = ImportLead {
            id: 0,
            company_name: new.company_name,
            uscc: new.uscc.map(|u| u.as_str().to_string()),
            industry_code: new.industry_code,
            industry_section: new.industry_section,
            region_code: new.region_code,
            contact_name: new.contact_name,
            contact_phone: new.contact_phone,
            description: new.description,
            planned_investment_yuan: new.planned_investment_yuan.map(|y| y.0),
            land_mu: new.land_mu,
            expected_jobs: new.expected_jobs,
            channel: new.channel.map(|c| c.as_str().to_string()),
            reported_by: self.actor.id(),
            reporting_unit_id: unit_id,
            reported_date: new.reported_date.to_string(),
            status: "pending_review".into(),
            project_id: None,
            import_id: None,
            ledger_extra: None,
        };
        let project = match self.kind {
            Kind::Leads => None,
            Kind::Projects => {
                lead.status = "admitted".into();
                Some(self.project(row, rec, &lead, &mut extra)?)
            }
        };
        if !extra.is_empty() {
            lead.ledger_extra = serde_json::to_string(&extra).ok();
        }
        Ok(Prepared { lead, project })
    }

    fn project(
        &mut self,
        row: usize,
        rec: &Record,
        lead: &ImportLead,
        extra: &mut BTreeMap<&'static str, String>,
    ) -> Result<ProjectPlan, Vec<CellError>> {
        let mut errors = Vec::new();
        let name = rec.project_name.clone().unwrap_or_default();
        if name.chars().count() > 100 {
            errors.push(self.err(row, &[Field::ProjectName], "项目名称不能超过100个字"));
        }
        for (f, v) in [
            (Field::ContractAmount, rec.contract_amount.map(|y| y.0)),
            (Field::ForeignCapital, rec.foreign_capital_usd),
        ] {
            if v.is_some_and(|v| !(0..=MAX_YUAN).contains(&v)) {
                errors.push(self.err(row, &[f], "金额应在0到10万亿之间"));
            }
        }
        for (f, d) in [
            (Field::SignedDate, rec.signed_date),
            (Field::StartedDate, rec.started_date),
        ] {
            if d.is_some_and(|d| d > self.today) {
                errors.push(self.err(row, &[f], format!("{}不能晚于今天", f.label())));
            }
        }
        let target = rec.stage.unwrap_or(Stage::Negotiating);
        // The main-line stages the project went through.
        let reached = match target {
            Stage::Dropped => {
                if rec.started_date.is_some() {
                    Stage::Started
                } else if rec.signed_date.is_some() {
                    Stage::Signed
                } else {
                    Stage::Negotiating
                }
            }
            s => s,
        };
        let line: Vec<Stage> = Stage::LINE
            .iter()
            .copied()
            .take_while(|s| s.rank() <= reached.rank())
            .collect();
        let known = |s: Stage| match s {
            Stage::Signed => rec.signed_date,
            Stage::Started => rec.started_date,
            _ => None,
        };
        if let (Some(s), Some(t)) = (rec.signed_date, rec.started_date) {
            if line.contains(&Stage::Started) && t < s {
                errors.push(self.err(
                    row,
                    &[Field::StartedDate],
                    format!("开工日期 {t} 早于签约日期 {s}"),
                ));
            }
        }
        // Dates of stages not reached are kept, not lost.
        for (s, f) in [
            (Stage::Signed, Field::SignedDate),
            (Stage::Started, Field::StartedDate),
        ] {
            if let (false, Some(d)) = (line.contains(&s), known(s)) {
                extra.insert(f.key(), d.to_string());
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let reported: NaiveDate = lead.reported_date.parse().unwrap_or(self.today);
        let mut dates: Vec<NaiveDate> = Vec::with_capacity(line.len() + 1);
        for (i, s) in line.iter().enumerate() {
            let d = known(*s)
                .or_else(|| line[i + 1..].iter().find_map(|n| known(*n)))
                .unwrap_or(self.today);
            dates.push(if *s == Stage::Negotiating {
                d.min(reported)
            } else {
                d
            });
        }
        let planned = lead.planned_investment_yuan.unwrap_or(0);
        let contract = rec.contract_amount.map(|y| y.0).unwrap_or(planned);
        let signed = reached.rank() >= Stage::Signed.rank();
        let mut history = Vec::new();
        for (i, s) in line.iter().enumerate() {
            let kind = if i == 0 { "admit" } else { "advance" };
            let (amount, inv) = match s {
                Stage::Negotiating => (None, planned),
                Stage::Signed => (Some(contract), contract),
                _ => (None, contract),
            };
            history.push((*s, kind, dates[i].to_string(), amount, inv));
        }
        let (mut stage_date, mut before_drop, mut drop_reason) =
            (dates.last().copied().unwrap_or(self.today), None, None);
        if target == Stage::Dropped {
            stage_date = self.today.max(stage_date);
            let inv = if signed { contract } else { planned };
            let reason = rec
                .remarks
                .clone()
                .unwrap_or_else(|| "台账导入时已中止".to_string());
            history.push((Stage::Dropped, "drop", stage_date.to_string(), None, inv));
            before_drop = Some(reached.as_str().to_string());
            drop_reason = Some(reason);
        }
        let park_id = match &rec.park {
            Some(p) => match self.refs.park(p) {
                Some(id) => Some(id),
                None => {
                    extra.insert(Field::Park.key(), p.clone());
                    *self.unmatched.entry("园区").or_default() += 1;
                    None
                }
            },
            None => None,
        };
        let responsible = match &rec.responsible {
            Some(r) => {
                extra.insert(Field::Responsible.key(), r.clone());
                self.refs.users_by_name.get(&norm(r)).copied().flatten()
            }
            None => None,
        };
        Ok(ProjectPlan {
            project: ImportProject {
                id: 0,
                name,
                lead_id: 0,
                company_name: lead.company_name.clone(),
                uscc: lead.uscc.clone(),
                industry_code: lead.industry_code.clone(),
                industry_section: lead.industry_section.clone(),
                park_id,
                reporting_unit_id: lead.reporting_unit_id,
                reported_by: lead.reported_by,
                responsible_user_id: responsible.or(Some(self.actor.id())),
                planned_investment_yuan: planned,
                contracted_investment_yuan: signed.then_some(contract),
                foreign_capital_usd: rec.foreign_capital_usd,
                land_mu: lead.land_mu,
                stage: target.as_str().to_string(),
                stage_date: stage_date.to_string(),
                before_drop_stage: before_drop,
                drop_reason,
            },
            history,
        })
    }
}

/// Every sheet of an uploaded file, read by [`ledger::open_upload`] (its size, its kind, the
/// limits of what it may unpack to) on a blocking thread, never on the server's own.
pub(crate) async fn open_upload(bytes: &[u8], file_name: &str) -> Result<Vec<Sheet>> {
    let (owned, name) = (bytes.to_vec(), file_name.to_string());
    tokio::task::spawn_blocking(move || ledger::open_upload(&owned, &name))
        .await
        .map_err(|e| Error::Internal(format!("读取文件的任务失败：{e}")))?
        .map_err(|e| Error::invalid("file", e))
}

/// Reads a file's worksheet `want` (by name), or else the first whose header is found
/// (else the first that holds data), with the names of all its worksheets; messages for
/// people ([`open_upload`]).
async fn read_sheet(
    bytes: &[u8],
    file_name: &str,
    want: Option<&str>,
) -> Result<(Sheet, Vec<String>)> {
    let mut all = open_upload(bytes, file_name).await?;
    let names: Vec<String> = all.iter().map(|s| s.name.clone()).collect();
    let at = match want {
        Some(w) => all.iter().position(|s| s.name == w).ok_or_else(|| {
            Error::invalid(
                "sheet",
                format!(
                    "“{file_name}”中没有名为“{w}”的工作表（有：{}）",
                    names.join("、")
                ),
            )
        })?,
        // the first worksheet whose header is found (a 填表说明 sheet before the
        // ledger is passed over), else the first that holds data
        None => all
            .iter()
            .position(|s| ledger::propose_mapping(s).is_ok())
            .or_else(|| {
                all.iter()
                    .position(|s| s.rows.iter().flatten().any(|c| !c.is_blank()))
            })
            .ok_or_else(|| {
                Error::invalid(
                    "file",
                    ledger::ReadError::Empty(file_name.to_string()).to_string(),
                )
            })?,
    };
    Ok((all.swap_remove(at), names))
}

/// Rows checked by [`check_rows`]: those to import, every row's outcome in order, and how
/// many industry and region names matched nothing.
type Checked = (Vec<Prepared>, Vec<RowResult>, BTreeMap<&'static str, usize>);

/// Checks the parsed rows against the database's reference tables, in parts on all cores
/// for a large ledger (each row is checked on its own); the outcome is in row order
/// however it was split.
fn check_rows(checker: Checker<'_>, results: Vec<RowResult>) -> Checked {
    fn part(mut checker: Checker<'_>, results: Vec<RowResult>) -> Checked {
        let mut prepared = Vec::new();
        let mut checked = Vec::with_capacity(results.len());
        for r in results {
            let outcome = match r.outcome {
                RowOutcome::Record(rec) => match checker.check(r.row, &rec) {
                    Ok(p) => {
                        prepared.push(p);
                        RowOutcome::Record(rec)
                    }
                    Err(errors) => RowOutcome::Invalid(errors),
                },
                other => other,
            };
            checked.push(RowResult {
                row: r.row,
                outcome,
            });
        }
        (prepared, checked, checker.unmatched)
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || results.len() < 2000 {
        return part(checker, results);
    }
    let per = results.len().div_ceil(threads);
    let mut parts = Vec::new();
    let mut rest = results;
    while rest.len() > per {
        let tail = rest.split_off(per);
        parts.push(rest);
        rest = tail;
    }
    parts.push(rest);
    let done: Vec<Checked> = std::thread::scope(|sc| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|rows| {
                let c = Checker {
                    unmatched: BTreeMap::new(),
                    ..checker
                };
                sc.spawn(move || part(c, rows))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut out: Checked = Default::default();
    for (prepared, checked, unmatched) in done {
        out.0.extend(prepared);
        out.1.extend(checked);
        for (what, n) in unmatched {
            *out.2.entry(what).or_default() += n;
        }
    }
    out
}

fn propose(sheet: &Sheet) -> Result<Mapping> {
    ledger::propose_mapping(sheet).map_err(|e| Error::invalid("file", e.to_string()))
}

/// Reads, maps and checks a file without writing anything. `unit_id`: the reporting
/// unit for rows that name none (default the importer's).
pub async fn analyze(
    app: &App,
    actor: &Actor,
    kind: Kind,
    file_name: &str,
    bytes: &[u8],
    choice: Choice,
    unit_id: Option<i64>,
) -> Result<Analysis> {
    authorize(actor, kind)?;
    let clock = Phases::start();
    let (sheet, sheets) = read_sheet(bytes, file_name, choice.sheet.as_deref()).await?;
    let mapping = choice.mapping;
    clock.lap("read");
    let mapping = match mapping {
        Some(m) => m,
        None => propose(&sheet)?,
    };
    let mut c = app.db.acquire().await?;
    let refs = Refs::load(&mut c).await?;
    drop(c);
    let default_unit = unit_id.unwrap_or(actor.user.unit_id);
    match refs.units.get(&default_unit) {
        Some(u) if in_scope(actor, u) => {}
        Some(u) => {
            return Err(Error::Forbidden(format!(
                "无权以“{}”的名义导入（不在您的管辖范围内）",
                u.name
            )))
        }
        None => return Err(Error::invalid("unit_id", "报送单位不存在")),
    }
    // A required column left unmapped is shown in the preview, to be mapped there.
    let window = app.serial_dates();
    let (results, mapping_error) = match ledger::parse_rows_in(&sheet, &mapping, kind, &window) {
        Ok(r) => (r, None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    let checker = Checker {
        refs: &refs,
        actor,
        mapping: &mapping,
        kind,
        default_unit,
        today: today(),
        unmatched: BTreeMap::new(),
    };
    let (prepared, checked, unmatched) = check_rows(checker, results);
    clock.lap("parse and check rows");
    let mut warnings = mapping.warnings.clone();
    for c in &mapping.columns {
        if let (Some(f), Some(u), true) = (c.field, c.unit, c.unit_assumed) {
            warnings.push(format!(
                "“{}”列未注明单位，按{}读取；如不对请在预览中修改",
                if c.header.is_empty() {
                    f.label()
                } else {
                    &c.header
                },
                u.label()
            ));
        }
    }
    for (what, n) in &unmatched {
        warnings.push(format!(
            "{n} 行的{what}名称未能对应到系统中的{what}，原文已随记录保存"
        ));
    }
    if kind == Kind::Projects
        && mapping.column_of(Field::ContractAmount).is_none()
        && prepared.iter().any(|p| {
            p.project
                .as_ref()
                .is_some_and(|p| p.project.contracted_investment_yuan.is_some())
        })
    {
        warnings.push("台账没有签约金额列：已签约的项目按总投资计签约金额".into());
    }
    Ok(Analysis {
        kind,
        file_name: file_name.to_string(),
        sheet,
        sheets,
        mapping,
        results: checked,
        prepared,
        warnings,
        unit_id: default_unit,
        mapping_error,
    })
}

// ---- the mapping as stored ----

#[derive(Serialize, Deserialize)]
struct StoredColumn {
    col: usize,
    header: String,
    field: Option<String>,
    unit: Option<String>,
    unit_assumed: bool,
}

#[derive(Serialize, Deserialize)]
struct StoredMapping {
    /// the worksheet chosen, when not the first with data
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sheet: Option<String>,
    header_rows: (usize, usize),
    data_start: usize,
    columns: Vec<StoredColumn>,
    warnings: Vec<String>,
}

fn unit_of(label: &str) -> Option<Unit> {
    UNITS.into_iter().find(|u| u.label() == label.trim())
}

fn store_mapping(sheet: Option<&str>, m: &Mapping) -> String {
    let s = StoredMapping {
        sheet: sheet.map(str::to_string),
        header_rows: m.header_rows,
        data_start: m.data_start,
        columns: m
            .columns
            .iter()
            .map(|c| StoredColumn {
                col: c.col,
                header: c.header.clone(),
                field: c.field.map(|f| f.key().to_string()),
                unit: c.unit.map(|u| u.label().to_string()),
                unit_assumed: c.unit_assumed,
            })
            .collect(),
        warnings: m.warnings.clone(),
    };
    serde_json::to_string(&s).unwrap_or_default()
}

/// The stored choice of an upload: its worksheet and mapping.
fn load_choice(json: Option<&str>) -> Choice {
    let Some(s) = json.and_then(|j| serde_json::from_str::<StoredMapping>(j).ok()) else {
        return Choice::default();
    };
    Choice {
        sheet: s.sheet.clone(),
        mapping: Some(mapping_of(s)),
    }
}

fn mapping_of(s: StoredMapping) -> Mapping {
    Mapping {
        header_rows: s.header_rows,
        data_start: s.data_start,
        columns: s
            .columns
            .into_iter()
            .map(|c| ColumnMapping {
                col: c.col,
                header: c.header,
                field: c.field.as_deref().and_then(Field::parse_key),
                unit: c.unit.as_deref().and_then(unit_of),
                unit_assumed: c.unit_assumed,
            })
            .collect(),
        warnings: s.warnings,
    }
}

// ---- the preview ----

/// The fields a column may be mapped to, for pickers: (key, label).
pub fn field_choices(kind: Kind) -> Vec<(&'static str, &'static str)> {
    Field::ALL
        .iter()
        .filter(|f| kind == Kind::Projects || **f != Field::ProjectName)
        .map(|f| (f.key(), f.label()))
        .collect()
}

/// The units a field may be read in, for pickers.
pub fn unit_choices(field: Option<&str>) -> Vec<&'static str> {
    match field.and_then(Field::parse_key) {
        Some(f) => Unit::for_kind(f.kind()).iter().map(|u| u.label()).collect(),
        None => Vec::new(),
    }
}

fn preview_of(a: &Analysis, row: Option<&ImportRow>) -> Preview {
    let s = a.summary();
    let errors = a.errors();
    let width = a.sheet.width();
    let rows = a
        .results
        .iter()
        .take(PREVIEW_ROWS)
        .map(|r| RowView {
            row: r.row,
            cells: (0..width)
                .map(|c| a.sheet.cell(r.row - 1, c).text())
                .collect(),
            status: match r.outcome {
                RowOutcome::Record(_) => "valid",
                RowOutcome::Invalid(_) => "invalid",
                RowOutcome::Skipped(_) => "skipped",
            }
            .into(),
            skip: match &r.outcome {
                RowOutcome::Skipped(s) => Some(s.label().to_string()),
                _ => None,
            },
            errors: r.errors().iter().map(|e| row_error(r.row, e)).collect(),
        })
        .collect();
    let result = row
        .filter(|r| r.status == "imported")
        .map(|r| ImportResult {
            id: Some(r.id),
            kind: r.kind.clone(),
            inserted: r.inserted.unwrap_or(0) as usize,
            invalid: r.invalid.unwrap_or(0) as usize,
            skipped: r.skipped.unwrap_or(0) as usize,
            dry_run: false,
        });
    Preview {
        id: row.map(|r| r.id),
        kind: kind_key(a.kind).into(),
        file_name: a.file_name.clone(),
        status: row.map_or("preview".into(), |r| r.status.clone()),
        sheet: a.sheet.name.clone(),
        sheets: a.sheets.clone(),
        header_rows: [a.mapping.header_rows.0 + 1, a.mapping.header_rows.1 + 1],
        data_start: a.mapping.data_start + 1,
        columns: a.columns(),
        mapping_error: a.mapping_error.clone(),
        warnings: a.warnings.clone(),
        valid: s.valid,
        invalid: s.invalid,
        skipped: s.skipped,
        errors_total: errors.len(),
        errors: errors.into_iter().take(PREVIEW_ERRORS).collect(),
        rows,
        result,
    }
}

/// The caller's own upload (anyone else's is [`Error::NotFound`]).
async fn own(app: &App, actor: &Actor, id: i64) -> Result<(ImportRow, Vec<u8>)> {
    let mut c = app.db.acquire().await?;
    let row = store::get(&mut c, id)
        .await?
        .filter(|r| r.actor_id == actor.id())
        .ok_or(Error::NotFound)?;
    let content = store::content(&mut c, id).await?;
    Ok((row, content))
}

async fn analysis_of(
    app: &App,
    actor: &Actor,
    row: &ImportRow,
    content: &[u8],
    unit_id: Option<i64>,
) -> Result<Analysis> {
    let kind = parse_kind(&row.kind)?;
    analyze(
        app,
        actor,
        kind,
        &row.file_name,
        content,
        load_choice(row.mapping_json.as_deref()),
        unit_id.or(row.unit_id),
    )
    .await
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Keeps an uploaded file and previews it. Files that cannot be read, or whose header
/// cannot be found, are refused (422 naming the problem) and not kept.
pub async fn upload(
    app: &App,
    actor: &Actor,
    kind: Kind,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<Preview> {
    let file_name = clean_file_name(file_name);
    let a = analyze(
        app,
        actor,
        kind,
        &file_name,
        &bytes,
        Choice::default(),
        None,
    )
    .await?;
    let mut tx = Tx::begin(app).await?;
    let sha = sha256(&bytes);
    let size = bytes.len();
    let id = store::insert(
        tx.conn(),
        kind_key(kind),
        &file_name,
        &sha,
        bytes,
        actor.id(),
    )
    .await?;
    tx.record::<(), _>(
        Some(actor),
        "import",
        id,
        "upload",
        None,
        Some(&serde_json::json!({"kind": kind_key(kind), "file_name": file_name, "sha256": sha, "bytes": size})),
    )
    .await?;
    tx.commit().await?;
    let mut c = app.db.acquire().await?;
    let row = store::get(&mut c, id).await?.ok_or(Error::NotFound)?;
    Ok(preview_of(&a, Some(&row)))
}

fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let base: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if base.is_empty() {
        "台账".to_string()
    } else {
        base
    }
}

pub async fn preview(app: &App, actor: &Actor, id: i64) -> Result<Preview> {
    let (row, content) = own(app, actor, id).await?;
    let a = analysis_of(app, actor, &row, &content, None).await?;
    let mut p = preview_of(&a, Some(&row));
    if p.status == "preview" && in_flight(app).contains(&id) {
        p.status = "importing".into();
    }
    Ok(p)
}

/// The uploads this process is importing right now.
fn in_flight(app: &App) -> std::sync::MutexGuard<'_, std::collections::HashSet<i64>> {
    app.importing.lock().unwrap_or_else(|e| e.into_inner())
}

/// Changes what columns hold; the new mapping must still have every required column.
pub async fn set_mapping(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &MappingInput,
) -> Result<Preview> {
    let (row, content) = own(app, actor, id).await?;
    if row.status != "preview" {
        return Err(Error::Conflict("该文件已导入，不能再修改对应关系".into()));
    }
    let kind = parse_kind(&row.kind)?;
    let stored = load_choice(row.mapping_json.as_deref());
    let (current, _) = read_sheet(&content, &row.file_name, stored.sheet.as_deref()).await?;
    let wanted = input
        .sheet
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty() && *w != current.name);
    // another worksheet: its header and mapping are found anew
    let (sheet, mut mapping) = match wanted {
        Some(w) => {
            let (sheet, _) = read_sheet(&content, &row.file_name, Some(w)).await?;
            let mapping = ledger::propose_mapping(&sheet)
                .map_err(|e| Error::invalid("sheet", format!("工作表“{w}”：{e}")))?;
            (sheet, mapping)
        }
        None => {
            let mapping = match stored.mapping {
                Some(m) => m,
                None => propose(&current)?,
            };
            (current, mapping)
        }
    };
    for c in &input.columns {
        if c.col >= sheet.width().max(1) {
            return Err(Error::invalid(
                "columns",
                format!("没有第 {} 列", c.col + 1),
            ));
        }
        let field = match c.field.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
            None => None,
            Some(k) => Some(
                Field::parse_key(k)
                    .filter(|f| kind == Kind::Projects || *f != Field::ProjectName)
                    .ok_or_else(|| Error::invalid("columns", format!("不认识的字段“{k}”")))?,
            ),
        };
        let unit = match (
            c.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()),
            field,
        ) {
            (Some(u), Some(f)) => Some(
                unit_of(u)
                    .filter(|u| Unit::for_kind(f.kind()).contains(u))
                    .ok_or_else(|| {
                        Error::invalid("columns", format!("“{}”不能用单位“{u}”", f.label()))
                    })?,
            ),
            _ => None,
        };
        let keep = mapping
            .columns
            .iter()
            .find(|m| m.col == c.col)
            .filter(|m| m.field == field && unit.is_none())
            .map(|m| (m.unit, m.unit_assumed));
        mapping.set(c.col, field, unit);
        if let (Some((u, assumed)), Some(m)) =
            (keep, mapping.columns.iter_mut().find(|m| m.col == c.col))
        {
            m.unit = u;
            m.unit_assumed = assumed;
        }
        if let Some(m) = mapping.columns.iter_mut().find(|m| m.col == c.col) {
            if m.header.is_empty() {
                m.header = sheet
                    .cell(mapping.header_rows.1, c.col)
                    .text()
                    .trim()
                    .to_string();
            }
        }
    }
    ledger::check_mapping(&mapping, kind).map_err(|e| Error::invalid("columns", e.to_string()))?;
    let choice = Choice {
        sheet: Some(sheet.name.clone()),
        mapping: Some(mapping.clone()),
    };
    let a = analyze(
        app,
        actor,
        kind,
        &row.file_name,
        &content,
        choice,
        row.unit_id,
    )
    .await?;
    let mut c = app.db.acquire().await?;
    store::set_mapping(&mut c, id, &store_mapping(Some(&sheet.name), &mapping)).await?;
    Ok(preview_of(&a, Some(&row)))
}

/// The rows of an upload that failed or were skipped, as a workbook.
pub async fn error_report(app: &App, actor: &Actor, id: i64) -> Result<(String, Vec<u8>)> {
    let (row, content) = own(app, actor, id).await?;
    let a = analysis_of(app, actor, &row, &content, None).await?;
    let stem = row
        .file_name
        .rsplit_once('.')
        .map_or(row.file_name.as_str(), |(s, _)| s);
    Ok((format!("{stem}-错误报告.xlsx"), a.error_report()?))
}

/// Imports an upload.
pub async fn commit(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &CommitInput,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<ImportResult> {
    let (row, content) = own(app, actor, id).await?;
    if row.status != "preview" {
        return Err(Error::Conflict("该文件已导入".into()));
    }
    let a = analysis_of(app, actor, &row, &content, input.unit_id).await?;
    write(
        app,
        actor,
        &a,
        Source::Stored(id),
        input.skip_bad_rows,
        progress,
    )
    .await
}

/// Imports an upload on a task of its own, for a caller that may hang up (a browser tab
/// closed, a phone losing its signal): once begun, the import runs to its commit or its
/// rollback whatever becomes of the request. Meanwhile the upload reads as `importing`,
/// and confirming it again answers at once that it is under way.
pub async fn commit_detached(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &CommitInput,
) -> Result<ImportResult> {
    if !in_flight(app).insert(id) {
        return Err(Error::Conflict("该文件正在导入，请稍候刷新查看结果".into()));
    }
    /// Takes the upload off the list when the import ends, however it ends.
    struct Landed(App, i64);
    impl Drop for Landed {
        fn drop(&mut self) {
            in_flight(&self.0).remove(&self.1);
        }
    }
    let (app, actor, input) = (app.clone(), actor.clone(), input.clone());
    tokio::spawn(async move {
        let _landed = Landed(app.clone(), id);
        commit(&app, &actor, id, &input, &|_, _| {}).await
    })
    .await
    .map_err(|e| {
        tracing::error!("import {id}: {e}");
        Error::Internal(format!("import {id}: {e}"))
    })?
}

/// Where the file of an import is.
pub enum Source {
    /// Uploaded before (the preview's id).
    Stored(i64),
    /// Not yet kept (the command line): kept in the import's own transaction.
    New(Vec<u8>),
}

/// A whole import from the command line: read, check, and unless `dry_run` write.
/// Returns the analysis (for the row errors) and what was written.
#[allow(clippy::too_many_arguments)]
pub async fn import_file(
    app: &App,
    actor: &Actor,
    kind: Kind,
    file_name: &str,
    bytes: Vec<u8>,
    input: &CommitInput,
    sheet: Option<&str>,
    dry_run: bool,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<(Analysis, Result<ImportResult>)> {
    let file_name = clean_file_name(file_name);
    let choice = Choice {
        sheet: sheet.map(str::to_string),
        mapping: None,
    };
    let a = analyze(app, actor, kind, &file_name, &bytes, choice, input.unit_id).await?;
    if dry_run {
        let s = a.summary();
        let r = ImportResult {
            id: None,
            kind: kind_key(kind).into(),
            inserted: 0,
            invalid: s.invalid,
            skipped: s.skipped,
            dry_run: true,
        };
        return Ok((a, Ok(r)));
    }
    let r = write(
        app,
        actor,
        &a,
        Source::New(bytes),
        input.skip_bad_rows,
        progress,
    )
    .await;
    Ok((a, r))
}

/// Rows written per progress step.
const STEP: usize = 10_000;

/// Writes an analysed import in one transaction.
async fn write(
    app: &App,
    actor: &Actor,
    a: &Analysis,
    source: Source,
    skip_bad_rows: bool,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<ImportResult> {
    // dropped after the transaction (locals drop in reverse order): committed, rolled
    // back or cancelled, the page cache a bulk load may have raised goes back to normal
    let _cache = ResetCache(app.db.clone());
    if let Some(m) = &a.mapping_error {
        return Err(Error::invalid("mapping", m.clone()));
    }
    let s = a.summary();
    if s.invalid > 0 && !skip_bad_rows {
        let first: Vec<String> = a.errors().iter().take(3).map(|e| e.text.clone()).collect();
        return Err(Error::invalid(
            "rows",
            format!(
                "{} 行有错误，未导入任何数据（可修改后重新导入，或选择跳过错误行）。例如：{}",
                s.invalid,
                first.join("；")
            ),
        ));
    }
    if a.prepared.is_empty() {
        return Err(Error::invalid("rows", "没有可导入的行"));
    }
    let n = a.prepared.len();
    let total = match a.kind {
        Kind::Leads => n,
        Kind::Projects => 2 * n,
    } as u64;
    progress(0, total);
    let clock = Phases::start();
    let mut leads_out: Vec<ImportLead> = a.prepared.iter().map(|p| p.lead.clone()).collect();
    let names = store::lead_names(&leads_out);
    clock.lap("name keys");
    let mut tx = Tx::begin(app).await?;
    store::begin_bulk(tx.conn()).await?;
    let id = match source {
        Source::Stored(id) => {
            if !store::claim(tx.conn(), id).await? {
                return Err(Error::Conflict("该文件已导入".into()));
            }
            id
        }
        Source::New(bytes) => {
            let sha = sha256(&bytes);
            let id = store::insert(
                tx.conn(),
                kind_key(a.kind),
                &a.file_name,
                &sha,
                bytes,
                actor.id(),
            )
            .await?;
            store::claim(tx.conn(), id).await?;
            id
        }
    };
    let first_lead = store::reserve_ids(tx.conn(), "leads", n as i64).await?;
    let first_project = match a.kind {
        Kind::Projects => store::reserve_ids(tx.conn(), "projects", n as i64).await?,
        Kind::Leads => 0,
    };
    let mut projects_out = Vec::new();
    let mut history = Vec::new();
    for (i, (p, lead)) in a.prepared.iter().zip(&mut leads_out).enumerate() {
        lead.id = first_lead + i as i64;
        lead.import_id = Some(id);
        if let Some(plan) = &p.project {
            let mut pr = plan.project.clone();
            pr.id = first_project + i as i64;
            pr.lead_id = lead.id;
            lead.project_id = Some(pr.id);
            let last = plan.history.len() - 1;
            for (k, (stage, kind, date, amount, inv)) in plan.history.iter().enumerate() {
                history.push(HistoryRow {
                    project_id: pr.id,
                    stage: stage.as_str().into(),
                    kind: (*kind).into(),
                    effective_date: date.clone(),
                    end_date: plan.history.get(k + 1).map(|h| h.2.clone()),
                    amount_yuan: *amount,
                    investment_yuan: *inv,
                    reason: (k == last && *stage == Stage::Dropped)
                        .then(|| pr.drop_reason.clone())
                        .flatten(),
                    park_id: pr.park_id,
                    reporting_unit_id: pr.reporting_unit_id,
                    reported_by: pr.reported_by,
                    recorded_by: actor.id(),
                    credit: Some(Credit {
                        unit: lead.reporting_unit_id,
                        user: lead.reported_by,
                        tags: String::new(),
                        division: pr
                            .industry_code
                            .as_deref()
                            .or(lead.industry_code.as_deref())
                            .and_then(|c| c.get(..2))
                            .map(str::to_string),
                    }),
                });
            }
            projects_out.push(pr);
        }
    }
    // one event per ledger row: its lead, or for a project ledger its project with the
    // lead made for it (the lead's page shows its project's events), and one for the
    // import; serialised and chained beside the inserts, appended after them
    let leads_out = std::sync::Arc::new(leads_out);
    let projects_out = std::sync::Arc::new(projects_out);
    let events = {
        let (head, actor) = (tx.head(), actor.clone());
        let (leads, projects, kind) = (leads_out.clone(), projects_out.clone(), a.kind);
        let commit = serde_json::json!({
            "kind": kind_key(a.kind), "file_name": a.file_name, "inserted": n,
            "invalid": s.invalid, "skipped": s.skipped, "skip_bad_rows": skip_bad_rows,
            "unit_id": a.unit_id,
        })
        .to_string();
        tokio::task::spawn_blocking(move || {
            let rows: Vec<(&'static str, i64, &'static str, String)> = if kind == Kind::Leads {
                leads
                    .iter()
                    .map(|l| {
                        let json = serde_json::to_string(l).unwrap_or_default();
                        ("lead", l.id, "import", json)
                    })
                    .collect()
            } else {
                leads
                    .iter()
                    .zip(projects.iter())
                    .map(|(lead, project)| {
                        let json =
                            serde_json::to_string(&RowEvent { project, lead }).unwrap_or_default();
                        ("project", project.id, "import", json)
                    })
                    .collect()
            };
            let all = rows
                .into_iter()
                .chain(std::iter::once(("import", id, "commit", commit)));
            crate::audit::chain(&head, Some(&actor), all)
        })
    };
    // likely duplicates of the imported leads, among themselves and the live leads before
    // them, are worked out from memory beside the inserts and queued (疑似重复) in the same
    // transaction: a failed import leaves no queue entries either
    let mut candidates: Vec<fenglai_store::merges::CandidateLead> = leads_out
        .iter()
        .zip(&names)
        .map(|(l, n)| fenglai_store::merges::CandidateLead {
            id: l.id,
            company_name: l.company_name.clone(),
            uscc: l.uscc.clone(),
            name_norm: n.norm.clone(),
            name_key: n.key.clone(),
            industry_code: l.industry_code.clone(),
            region_code: l.region_code.clone(),
            planned_investment_yuan: l.planned_investment_yuan,
            reported_date: l.reported_date.clone(),
        })
        .collect();
    let earlier =
        fenglai_store::merges::earlier_sharing(tx.conn(), first_lead, &candidates).await?;
    candidates.extend(earlier);
    let lookalikes = tokio::task::spawn_blocking(move || {
        crate::merges::lookalike_pairs(&candidates, first_lead)
    });
    clock.lap("earlier lookalike leads");
    // a ledger loaded into a new or small system: the tables' indexes are built once after
    // the rows are in, not kept up row by row (nothing below reads through them)
    let mut set_aside = store::set_aside_indexes(
        tx.conn(),
        &[
            ("leads", n),
            ("projects", projects_out.len()),
            ("stage_history", history.len()),
            ("events", n + 1),
        ],
        store::BULK_ROWS,
    )
    .await?;
    let mut done = 0u64;
    for (chunk, names) in leads_out.chunks(STEP).zip(names.chunks(STEP)) {
        store::insert_leads(tx.conn(), chunk, names).await?;
        done += chunk.len() as u64;
        progress(done, total);
    }
    clock.lap("leads");
    // the projects' monthly figures are added once below, not row by row by trigger
    let last_project = first_project + projects_out.len() as i64 - 1;
    if !projects_out.is_empty() {
        store::defer_monthly(tx.conn(), first_project, last_project).await?;
    }
    for (chunk, hist) in projects_out
        .chunks(STEP)
        .zip(history_chunks(&history, STEP))
    {
        store::insert_projects(tx.conn(), chunk).await?;
        store::insert_history(tx.conn(), hist).await?;
        done += chunk.len() as u64;
        progress(done, total);
    }
    clock.lap("projects and history");
    if !projects_out.is_empty() {
        store::add_monthly(tx.conn(), first_project, last_project, &history).await?;
    }
    clock.lap("monthly figures");
    let pairs = lookalikes
        .await
        .map_err(|e| Error::Internal(format!("duplicate detection: {e}")))?;
    let pairs_aside = store::set_aside_indexes(
        tx.conn(),
        &[("duplicate_pairs", pairs.len())],
        store::BULK_ROWS,
    )
    .await?;
    fenglai_store::merges::queue_new(tx.conn(), &pairs).await?;
    clock.lap("duplicate queue");
    let events = events
        .await
        .map_err(|e| Error::Internal(format!("import events: {e}")))?;
    tx.append_chained(events).await?;
    clock.lap("audit events");
    set_aside.extend(pairs_aside);
    if !set_aside.is_empty() {
        tracing::debug!(
            "import: indexes set aside: {}",
            set_aside.names().join(", ")
        );
    }
    store::rebuild_indexes(tx.conn(), set_aside).await?;
    clock.lap("indexes");
    store::finish(
        tx.conn(),
        id,
        &store::Outcome {
            skip_bad_rows,
            unit_id: a.unit_id,
            inserted: n as i64,
            invalid: s.invalid as i64,
            skipped: s.skipped as i64,
        },
    )
    .await?;
    tx.commit().await?;
    clock.lap("commit");
    Ok(ImportResult {
        id: Some(id),
        kind: kind_key(a.kind).into(),
        inserted: n,
        invalid: s.invalid,
        skipped: s.skipped,
        dry_run: false,
    })
}

/// Puts the writing connection's page cache back when dropped, on a task of its own so
/// that the import's answer, and a cancelled request, never wait for it.
struct ResetCache(fenglai_store::Db);

impl Drop for ResetCache {
    fn drop(&mut self) {
        let db = self.0.clone();
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if let Err(e) = db.reset_write_cache().await {
                    tracing::warn!("page cache after an import: {e}");
                }
            });
        }
    }
}

/// What the event of a project ledger's row records: the project and the lead made for it.
#[derive(Serialize)]
struct RowEvent<'a> {
    project: &'a ImportProject,
    lead: &'a ImportLead,
}

/// Time spent in each step of an import, logged at debug level
/// (`FENGLAI_LOG=fenglai_app::ledgers=debug`): what to measure before making one faster.
struct Phases(std::sync::Mutex<std::time::Instant>);

impl Phases {
    fn start() -> Phases {
        Phases(std::sync::Mutex::new(std::time::Instant::now()))
    }

    fn lap(&self, what: &str) {
        if let Ok(mut t) = self.0.lock() {
            tracing::debug!("import: {what} {:.3} s", t.elapsed().as_secs_f64());
            *t = std::time::Instant::now();
        }
    }
}

/// Splits history rows into the groups that belong to consecutive chunks of `step`
/// projects (rows are in project order).
fn history_chunks(history: &[HistoryRow], step: usize) -> Vec<&[HistoryRow]> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < history.len() {
        let first = history[start].project_id;
        let mut end = start;
        while end < history.len() && history[end].project_id < first + step as i64 {
            end += 1;
        }
        out.push(&history[start..end]);
        start = end;
    }
    out
}

// ---- export ----

fn parse_extra(json: &Option<String>) -> BTreeMap<String, String> {
    json.as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

fn apply_extra(r: &mut Record, extra: &BTreeMap<String, String>, used: &mut HashSet<Field>) {
    for (k, v) in extra {
        let Some(f) = Field::parse_key(k) else {
            continue;
        };
        // Names kept because they matched nothing are shown only where no code is.
        match f {
            Field::Industry if r.industry_code.is_some() => continue,
            Field::Region if r.region_code.is_some() => continue,
            Field::Park if r.park.is_some() => continue,
            _ => {}
        }
        if let Some(val) = extra_value(f, v) {
            r.set(f, val);
            used.insert(f);
        }
    }
}

fn mu(m: Option<f64>) -> Option<Mu> {
    m.map(|m| Mu((m * 100.0).round() as i64))
}

/// The columns of an export: the defaults, then any kept field some row carries.
fn columns_for(kind: Kind, used: &HashSet<Field>) -> Vec<Column> {
    let mut cols = ledger::default_columns(kind);
    for f in Field::ALL {
        if used.contains(&f) && !cols.iter().any(|c| c.field == f) {
            cols.push(Column::new(f));
        }
    }
    cols
}

fn too_many() -> Error {
    Error::invalid(
        "export",
        format!("超过 {EXPORT_MAX} 条，请缩小筛选范围后再导出"),
    )
}

/// The lead list (same filters as the page and the API, the caller's scope) as a ledger.
pub async fn export_leads(app: &App, actor: &Actor, q: &leads::ListQuery) -> Result<Vec<u8>> {
    let mut q = q.clone();
    q.per_page = Some("200".into());
    let mut items = Vec::new();
    for page in 1.. {
        q.page = Some(page.to_string());
        let l = leads::list(app, actor, &q).await?;
        if l.total_capped || l.total as usize > EXPORT_MAX {
            return Err(too_many());
        }
        let last = l.items.len() < 200;
        items.extend(l.items);
        if last || items.len() >= l.total as usize {
            break;
        }
    }
    let ids: Vec<i64> = items.iter().map(|l| l.id).collect();
    let mut c = app.db.acquire().await?;
    let extras: HashMap<i64, Option<String>> = store::lead_fields(&mut c, &ids)
        .await?
        .into_iter()
        .map(|f| (f.id, f.ledger_extra))
        .collect();
    let mut used = HashSet::new();
    let records: Vec<Record> = items
        .iter()
        .map(|l| {
            let mut r = Record {
                company_name: l.company_name.clone(),
                uscc: l.uscc.as_ref().and_then(|u| u.checked().cloned()),
                industry_code: l
                    .industry_code
                    .as_deref()
                    .and_then(|c| IndustryCode::parse(c).ok()),
                industry_name: l.industry_name.clone(),
                region_code: l
                    .region_code
                    .as_deref()
                    .and_then(|c| RegionCode::parse(c).ok()),
                region_name: l.region_name.clone(),
                contact_name: l.contact_name.clone(),
                contact_phone: l.contact_phone.clone(),
                description: l.description.clone(),
                planned_investment: l.planned_investment_yuan,
                land: mu(l.land_mu),
                jobs: l.expected_jobs,
                channel: l.channel,
                reporting_unit: Some(l.reporting_unit_name.clone()),
                reported_date: Some(l.reported_date),
                ..Record::default()
            };
            apply_extra(
                &mut r,
                &parse_extra(extras.get(&l.id).unwrap_or(&None)),
                &mut used,
            );
            r
        })
        .collect();
    ledger::write_xlsx(
        Kind::Leads,
        "线索台账",
        &columns_for(Kind::Leads, &used),
        &records,
    )
    .map_err(|e| Error::Internal(e.to_string()))
}

/// The project list (same filters, the caller's scope) as a ledger.
pub async fn export_projects(app: &App, actor: &Actor, q: &projects::ListQuery) -> Result<Vec<u8>> {
    let mut q = q.clone();
    q.per_page = Some("200".into());
    let mut items = Vec::new();
    for page in 1.. {
        q.page = Some(page.to_string());
        let (page_items, total) = projects::list(app, actor, &q).await?;
        if total as usize > EXPORT_MAX {
            return Err(too_many());
        }
        let last = page_items.len() < 200;
        items.extend(page_items);
        if last || items.len() >= total as usize {
            break;
        }
    }
    let mut c = app.db.acquire().await?;
    let lead_ids: Vec<i64> = items.iter().filter_map(|p| p.lead_id).collect();
    let fields: HashMap<i64, store::LeadFields> = store::lead_fields(&mut c, &lead_ids)
        .await?
        .into_iter()
        .map(|f| (f.id, f))
        .collect();
    let ids: Vec<i64> = items.iter().map(|p| p.id).collect();
    let mut dates: HashMap<(i64, Stage), NaiveDate> = HashMap::new();
    for d in store::stage_dates(&mut c, &ids).await? {
        dates
            .entry((d.project_id, d.stage))
            .or_insert(d.effective_date);
    }
    let mut used = HashSet::new();
    let records: Vec<Record> = items
        .iter()
        .map(|p| {
            let l = p.lead_id.and_then(|id| fields.get(&id));
            let on = |s: Stage| dates.get(&(p.id, s)).copied();
            let mut r = Record {
                company_name: p.company_name.clone(),
                project_name: Some(p.name.clone()),
                uscc: p.uscc.as_ref().and_then(|u| Uscc::parse(u.as_str()).ok()),
                industry_code: p
                    .industry_code
                    .as_deref()
                    .and_then(|c| IndustryCode::parse(c).ok()),
                industry_name: p.industry_name.clone(),
                region_code: l
                    .and_then(|l| l.region_code.as_deref())
                    .and_then(|c| RegionCode::parse(c).ok()),
                region_name: l.and_then(|l| l.region_name.clone()),
                contact_name: l.and_then(|l| l.contact_name.clone()),
                contact_phone: l.and_then(|l| l.contact_phone.clone()),
                description: l.and_then(|l| l.description.clone()),
                planned_investment: Some(p.planned_investment_yuan),
                contract_amount: p.contracted_investment_yuan,
                foreign_capital_usd: p.foreign_capital_usd,
                land: mu(p.land_mu),
                jobs: l.and_then(|l| l.expected_jobs),
                channel: l.and_then(|l| l.channel),
                reporting_unit: Some(p.reporting_unit_name.clone()),
                reported_date: l.map(|l| l.reported_date),
                signed_date: on(Stage::Signed),
                started_date: on(Stage::Started),
                stage: Some(p.stage),
                park: p.park_name.clone(),
                responsible: p.responsible_user_name.clone(),
                ..Record::default()
            };
            if let Some(l) = l {
                let mut extra = parse_extra(&l.ledger_extra);
                // The responsible person as the ledger wrote them, if it named one.
                if let Some(name) = extra.remove(Field::Responsible.key()) {
                    r.responsible = Some(name);
                }
                apply_extra(&mut r, &extra, &mut used);
            }
            r
        })
        .collect();
    ledger::write_xlsx(
        Kind::Projects,
        "项目台账",
        &columns_for(Kind::Projects, &used),
        &records,
    )
    .map_err(|e| Error::Internal(e.to_string()))
}
