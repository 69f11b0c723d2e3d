//! The API's types of ledger imports: previews, mappings and results, mapped from what
//! app returns; requests mapped into app's inputs.

use fenglai_app::ledgers as app;
use serde::{Deserialize, Serialize};

/// One column of the sheet and what it is read as.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

impl From<app::ColumnView> for ColumnView {
    fn from(x: app::ColumnView) -> ColumnView {
        ColumnView {
            col: x.col,
            letter: x.letter,
            header: x.header,
            field: x.field,
            field_label: x.field_label,
            unit: x.unit,
            unit_assumed: x.unit_assumed,
        }
    }
}

/// A row-level problem, named by its cell.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

impl From<app::RowError> for RowError {
    fn from(x: app::RowError) -> RowError {
        RowError {
            row: x.row,
            cell: x.cell,
            field: x.field,
            message: x.message,
            text: x.text,
        }
    }
}

/// One row of the sheet as shown in a preview.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

impl From<app::RowView> for RowView {
    fn from(x: app::RowView) -> RowView {
        RowView {
            row: x.row,
            cells: x.cells,
            status: x.status,
            skip: x.skip,
            errors: x.errors.into_iter().map(Into::into).collect(),
        }
    }
}

/// What an import would do, before it is done.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ImportPreview)]
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

impl From<app::Preview> for Preview {
    fn from(x: app::Preview) -> Preview {
        Preview {
            id: x.id,
            kind: x.kind,
            file_name: x.file_name,
            status: x.status,
            sheet: x.sheet,
            sheets: x.sheets,
            header_rows: x.header_rows,
            data_start: x.data_start,
            columns: x.columns.into_iter().map(Into::into).collect(),
            mapping_error: x.mapping_error,
            warnings: x.warnings,
            valid: x.valid,
            invalid: x.invalid,
            skipped: x.skipped,
            rows: x.rows.into_iter().map(Into::into).collect(),
            errors: x.errors.into_iter().map(Into::into).collect(),
            errors_total: x.errors_total,
            result: x.result.map(Into::into),
        }
    }
}

/// What an import wrote.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

impl From<app::ImportResult> for ImportResult {
    fn from(x: app::ImportResult) -> ImportResult {
        ImportResult {
            id: x.id,
            kind: x.kind,
            inserted: x.inserted,
            invalid: x.invalid,
            skipped: x.skipped,
            dry_run: x.dry_run,
        }
    }
}

/// A user's choice for one column.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnChoice {
    /// 0-based column index
    pub col: usize,
    /// field key (see the preview's columns), or null / "" for "do not import"
    pub field: Option<String>,
    /// unit for amounts, land and counts: 元, 万元, 亿元, 美元, 万美元, 亿美元, 亩, 平方米, 公顷; default the field's
    pub unit: Option<String>,
}

impl From<ColumnChoice> for app::ColumnChoice {
    fn from(x: ColumnChoice) -> app::ColumnChoice {
        app::ColumnChoice {
            col: x.col,
            field: x.field,
            unit: x.unit,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MappingInput {
    /// another worksheet of the workbook (one of the preview's `sheets`): its header and
    /// mapping are found anew, then `columns` apply to it
    #[serde(default)]
    pub sheet: Option<String>,
    #[serde(default)]
    pub columns: Vec<ColumnChoice>,
}

impl From<MappingInput> for app::MappingInput {
    fn from(x: MappingInput) -> app::MappingInput {
        app::MappingInput {
            sheet: x.sheet,
            columns: x.columns.into_iter().map(Into::into).collect(),
        }
    }
}

/// How to import.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitInput {
    /// false (default): any bad row and nothing is written; true: write the good rows, report the bad
    #[serde(default)]
    pub skip_bad_rows: bool,
    /// reporting unit for rows without a 报送单位 column; defaults to the importer's unit
    pub unit_id: Option<i64>,
}

impl From<CommitInput> for app::CommitInput {
    fn from(x: CommitInput) -> app::CommitInput {
        app::CommitInput {
            skip_bad_rows: x.skip_bad_rows,
            unit_id: x.unit_id,
        }
    }
}
