//! Excel and CSV ledgers (台账) in and out. Pure: bytes in, typed rows out, and back;
//! no database, no HTTP.
//!
//! Import is three steps, so a page can show a preview between them:
//!
//! 1. [`read`] the bytes (.xlsx, .xls, .csv in UTF-8 / GBK / GB18030) into a [`Sheet`]:
//!    cells at their Excel positions, merged regions filled.
//! 2. [`propose_mapping`] finds the header row(s) under titles and notes and proposes a
//!    [`Field`] and [`Unit`] for each column ("总投资(亿元)" → planned investment in
//!    亿元). The caller may change it with [`Mapping::set`].
//! 3. [`parse_rows`] reads each data row into a [`Record`] (integer yuan, dates, stages,
//!    validated 统一社会信用代码) or a list of [`CellError`]s naming the cell ("C7
//!    总投资：无法识别的金额“约一个亿”"), and skips blank, 合计 and note rows.
//!
//! Export: [`write_xlsx`] writes records in the same layout (title row, headers with
//! units), so that reading the file back reproduces them; [`write_table`] writes any
//! other list; [`write_error_report`] the rows an import refused.

mod field;
mod limits;
mod mapping;
mod monthly;
mod read;
mod rows;
mod sheet;
mod upload;
mod value;
mod write;

pub use field::{Field, Unit, ValueKind};
pub use limits::{limits, set_limits, LimitError, Limits, MAX_COLS, MAX_ROWS};
pub use mapping::{
    match_header, normalize_header, propose_mapping, ColumnMapping, Mapping, MappingError,
};
pub use monthly::{parse_monthly, parse_monthly_in, MonthlyRow};
pub use read::{decode, read, read_all, read_all_with, read_with, ReadError};
pub use rows::{
    check_mapping, parse_rows, parse_rows_in, summarize, CellError, Kind, Record, RowOutcome,
    RowResult, Skip, Summary,
};
pub use sheet::{a1, column_name, Cell, CellRef, Merge, Sheet, Source};
pub use upload::{first_with_data, open_upload, open_upload_with, MAX_FILE_BYTES, READERS};
pub use value::{
    clean_name, parse_channel, parse_count, parse_date, parse_date_in, parse_land, parse_stage,
    parse_usd, parse_value, parse_value_in, parse_yuan, to_serial, DateWindow, Mu, Value,
};
pub use write::{
    default_columns, out_cell, write_error_report, write_sheets, write_sheets_at, write_table,
    write_xlsx, Column, OutCell, SheetOut, WriteError,
};

/// Any failure before rows can be judged one by one.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Mapping(#[from] MappingError),
}

/// A whole import preview in one call: read, propose a mapping, parse the rows with it.
/// For the command line (`fenglai import leads FILE --dry-run`); a web page that lets the
/// user adjust the mapping calls the three steps itself.
pub fn read_ledger(
    bytes: &[u8],
    filename: &str,
    kind: Kind,
) -> Result<(Sheet, Mapping, Vec<RowResult>), LedgerError> {
    let sheet = read(bytes, filename)?;
    let mapping = propose_mapping(&sheet)?;
    let rows = parse_rows(&sheet, &mapping, kind)?;
    Ok((sheet, mapping, rows))
}
