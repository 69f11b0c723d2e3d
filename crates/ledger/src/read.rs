//! Reading a ledger file's bytes into a [`Sheet`]: .xlsx and .xls through calamine, .csv
//! (and tab-separated text) in UTF-8, UTF-16, GBK or GB18030.

use crate::limits::{
    check_biff, check_parts, declared_string_count, limits, BiffProblem, Budget, LimitError, Limits,
};
use crate::sheet::{Cell, Merge, Sheet, Source};
use calamine::{Data, DataRef, Dimensions, Reader};
use chrono::NaiveDate;
use encoding_rs::{Encoding, GB18030, GBK, UTF_8};
use std::io::{Cursor, Read};

/// Why a file could not be read at all. Messages are shown to users as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("无法打开 Excel 文件“{file}”：{detail}")]
    Workbook { file: String, detail: String },
    #[error("无法导入“{file}”：{error}")]
    Limit { file: String, error: LimitError },
    #[error("文件“{0}”中没有数据")]
    Empty(String),
    #[error("无法读取 CSV 文件“{file}”第{line}行：{detail}")]
    Csv {
        file: String,
        line: u64,
        detail: String,
    },
}

/// The error of a file `file` that broke a limit.
fn beyond(file: &str) -> impl Fn(LimitError) -> ReadError + Copy + '_ {
    move |error| ReadError::Limit {
        file: file.to_string(),
        error,
    }
}

/// What the bytes look like, whatever the file is called (government systems often
/// export .xlsx files named .xls, or text named .xls).
const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn sniff(bytes: &[u8], filename: &str) -> Kind {
    let lower = filename.to_ascii_lowercase();
    if bytes.starts_with(ZIP)
        || bytes.starts_with(CFB)
        || lower.ends_with(".ods")
        || lower.ends_with(".xlsb")
    {
        Kind::Workbook
    } else {
        Kind::Text
    }
}

enum Kind {
    Workbook,
    Text,
}

/// Reads the first worksheet that holds data (.xlsx, .xls), or the whole text of a .csv /
/// .txt / .tsv file, within the process-wide [`Limits`]. The format is found from the
/// bytes; the file name is used for messages and as the CSV sheet's name.
pub fn read(bytes: &[u8], filename: &str) -> Result<Sheet, ReadError> {
    read_with(bytes, filename, &limits())
}

/// [`read`] within the given limits.
pub fn read_with(bytes: &[u8], filename: &str, limits: &Limits) -> Result<Sheet, ReadError> {
    first_with_data(read_all_with(bytes, filename, limits)?, filename)
}

/// The first of `sheets` that holds data.
pub(crate) fn first_with_data(sheets: Vec<Sheet>, filename: &str) -> Result<Sheet, ReadError> {
    sheets
        .into_iter()
        .find(|s| s.rows.iter().flatten().any(|c| !c.is_blank()))
        .ok_or_else(|| ReadError::Empty(filename.to_string()))
}

/// Reads every worksheet of a workbook (one sheet for CSV), in workbook order, so a
/// caller can let the user pick another sheet than the first with data.
pub fn read_all(bytes: &[u8], filename: &str) -> Result<Vec<Sheet>, ReadError> {
    read_all_with(bytes, filename, &limits())
}

/// [`read_all`] within the given limits.
pub fn read_all_with(
    bytes: &[u8],
    filename: &str,
    limits: &Limits,
) -> Result<Vec<Sheet>, ReadError> {
    match sniff(bytes, filename) {
        Kind::Workbook => read_workbook(bytes, filename, limits),
        Kind::Text => read_csv(bytes, filename, limits).map(|s| vec![s]),
    }
}

const ZIP: &[u8] = b"PK\x03\x04";

fn read_workbook(bytes: &[u8], filename: &str, limits: &Limits) -> Result<Vec<Sheet>, ReadError> {
    let fail = |detail: String| ReadError::Workbook {
        file: filename.to_string(),
        detail,
    };
    let limit = beyond(filename);
    if bytes.starts_with(CFB) {
        check_xls(bytes, limits).map_err(|p| match p {
            BiffProblem::Limit(e) => limit(e),
            BiffProblem::Damaged(d) => fail(format!("文件结构损坏（{d}）")),
        })?;
        // calamine 0.38 panics on some damaged files (an .xls whose shared-string table
        // ends in the middle of a string indexes past its slice in
        // `read_rich_extended_string`; found by the `ledger` fuzz target): a panic while
        // reading is a damaged file, not a crash.
        return guarded(filename, || read_xls(bytes, filename, limits));
    }
    if bytes.starts_with(ZIP) {
        check_zip(bytes, limits).map_err(|p| match p {
            ZipProblem::Limit(e) => limit(e),
            ZipProblem::Refused(d) => fail(d),
        })?;
        return guarded(filename, || read_xlsx(bytes, filename, limits));
    }
    Err(fail(
        "不是 .xlsx 或 .xls 工作簿（.ods、.xlsb 请用 Excel 或 WPS 另存为 .xlsx 再导入）".into(),
    ))
}

/// Runs a reader, turning a panic inside it into the damaged-file error.
fn guarded(
    filename: &str,
    f: impl FnOnce() -> Result<Vec<Sheet>, ReadError> + std::panic::UnwindSafe,
) -> Result<Vec<Sheet>, ReadError> {
    std::panic::catch_unwind(f).unwrap_or_else(|_| {
        Err(ReadError::Workbook {
            file: filename.to_string(),
            detail: "文件结构损坏（读取时遇到不完整的数据，请用Excel打开后另存为.xlsx再试）".into(),
        })
    })
}

/// Why a zip container was refused before calamine opened it.
enum ZipProblem {
    Limit(LimitError),
    Refused(String),
}

/// Checks a zip container before calamine opens it: what every part and all of them
/// declare they inflate to (the zip reader stops a part at its declared size, so the
/// declaration bounds it), the shared strings' declared count (reserved up front), and
/// that it is an .xlsx workbook (calamine's .ods and .xlsb readers trust counts and
/// repeats from the file: neither is read).
fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), ZipProblem> {
    let damaged = |e: zip::result::ZipError| ZipProblem::Refused(format!("文件结构损坏（{e}）"));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
    let mut parts = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(damaged)?;
        let name = f.name().map_err(damaged)?.to_ascii_lowercase();
        parts.push((name, f.size()));
    }
    check_parts(parts.iter().map(|(n, s)| (n.as_str(), *s)), limits).map_err(ZipProblem::Limit)?;
    let has = |name: &str| parts.iter().any(|(n, _)| n == name);
    if has("xl/workbook.bin") || has("content.xml") || has("mimetype") {
        return Err(ZipProblem::Refused(
            "不支持 .xlsb 或 .ods 格式，请用 Excel 或 WPS 另存为 .xlsx 再导入".into(),
        ));
    }
    if !parts.iter().any(|(n, _)| n.ends_with("workbook.xml")) {
        return Err(ZipProblem::Refused(
            "这是一个压缩包，不是 Excel 工作簿（.xlsx）".into(),
        ));
    }
    for (i, (name, _)) in parts.iter().enumerate() {
        if name.ends_with("sharedstrings.xml") {
            let mut head = Vec::with_capacity(4096);
            zip.by_index(i)
                .map_err(damaged)?
                .take(4096)
                .read_to_end(&mut head)
                .map_err(|e| ZipProblem::Refused(format!("文件结构损坏（{e}）")))?;
            if let Some(n) = declared_string_count(&head) {
                if n > limits.cells {
                    return Err(ZipProblem::Limit(LimitError::Cells {
                        limit: limits.cells,
                    }));
                }
            }
        }
    }
    Ok(())
}

/// Checks an .xls container (Compound File Binary) before calamine reads it. calamine
/// 0.38 trusts the stream lengths in the directory and follows sector chains without loop
/// detection, so a 7 KB file claiming a 2 GB stream made it allocate 2 GB and abort (found
/// by the `ledger` fuzz target; upstream tafia/calamine#550): the `cfb` crate validates
/// the header, allocation tables and directory, and no stream may be longer than the file.
/// Then the workbook stream's records are walked ([`check_biff`]).
fn check_xls(bytes: &[u8], limits: &Limits) -> Result<(), BiffProblem> {
    let damaged = |e: std::io::Error| BiffProblem::Damaged(e.to_string());
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(damaged)?;
    let limit = bytes.len() as u64;
    if let Some(e) = file.walk().find(|e| e.len() > limit) {
        return Err(BiffProblem::Damaged(format!(
            "“{}”长 {} 字节，超过文件大小 {limit} 字节",
            e.name(),
            e.len()
        )));
    }
    let mut stream = match file.open_stream("/Workbook") {
        Ok(s) => s,
        Err(_) => file.open_stream("/Book").map_err(damaged)?,
    };
    let mut data = Vec::new();
    stream.read_to_end(&mut data).map_err(damaged)?;
    check_biff(&data, limits)
}

fn read_xls(bytes: &[u8], filename: &str, limits: &Limits) -> Result<Vec<Sheet>, ReadError> {
    let fail = |e: calamine::XlsError| ReadError::Workbook {
        file: filename.to_string(),
        detail: e.to_string(),
    };
    let mut book = calamine::Xls::new(Cursor::new(bytes)).map_err(fail)?;
    let mut budget = Budget::new(*limits);
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(fail)?;
        let merges = book.merge_cells_by_sheet_name(&name).unwrap_or_default();
        let mut cells = Vec::new();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, d) in range.used_cells() {
            cells.push((r as u64 + r0 as u64, c as u64 + c0 as u64, to_cell(d)));
        }
        sheets.push(
            build_sheet(name, cells, &merges, Source::Xls, &mut budget)
                .map_err(beyond(filename))?,
        );
    }
    Ok(sheets)
}

fn read_xlsx(bytes: &[u8], filename: &str, limits: &Limits) -> Result<Vec<Sheet>, ReadError> {
    let fail = |detail: String| ReadError::Workbook {
        file: filename.to_string(),
        detail,
    };
    let limit = beyond(filename);
    // calamine finds an .xlsx sheet's merged cells by reading the whole sheet a second
    // time (they are listed after its rows): that pass runs beside the reading of the
    // rows, on a second copy of the book (a third of the time of reading a large ledger)
    std::thread::scope(|sc| {
        let xlsx_merges = sc.spawn(|| xlsx_merges(bytes));
        let mut book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| fail(e.to_string()))?;
        let mut budget = Budget::new(*limits);
        let mut read = Vec::new();
        for name in book.sheet_names() {
            let mut cells = Vec::new();
            match book.worksheet_cells_reader(&name) {
                Ok(mut reader) => {
                    // one cell at a time: nothing is laid out before its place is checked
                    while let Some(cell) = reader.next_cell().map_err(|e| fail(e.to_string()))? {
                        if matches!(cell.get_value(), DataRef::Empty) {
                            continue;
                        }
                        let (r, c) = cell.get_position();
                        budget.take(1).map_err(limit)?;
                        budget.position(&name, r as u64, c as u64).map_err(limit)?;
                        let value = match cell.get_value() {
                            DataRef::SharedString(s) => Cell::Text(s.to_string()),
                            DataRef::String(s) => Cell::Text(s.clone()),
                            DataRef::Float(f) => Cell::Number(*f),
                            other => to_cell(&Data::from(other.clone())),
                        };
                        cells.push((r as u64, c as u64, value));
                    }
                }
                Err(calamine::XlsxError::NotAWorksheet(_)) => {}
                Err(e) => return Err(fail(e.to_string())),
            }
            read.push((name, cells));
        }
        let by_sheet = xlsx_merges
            .join()
            .unwrap_or_else(|_| Err("文件结构损坏（读取合并单元格时出错）".into()))
            .map_err(fail)?;
        let mut by_sheet = by_sheet.into_iter();
        read.into_iter()
            .map(|(name, cells)| {
                let merges = by_sheet.next().unwrap_or_default();
                build_sheet(name, cells, &merges, Source::Xlsx, &mut budget).map_err(limit)
            })
            .collect()
    })
}

/// The merged cells of every worksheet of an .xlsx file, in workbook order.
fn xlsx_merges(bytes: &[u8]) -> Result<Vec<Vec<Dimensions>>, String> {
    let mut book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    book.sheet_names()
        .iter()
        .map(|name| {
            book.merge_cells_by_sheet_name(name)
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// A worksheet's non-empty cells (0-based positions, in any order) as a [`Sheet`],
/// merged areas filled in: its extent from A1 is checked before the rows are laid out,
/// and the cells the merged areas add are counted.
fn build_sheet(
    name: String,
    cells: Vec<(u64, u64, Cell)>,
    merges: &[Dimensions],
    source: Source,
    budget: &mut Budget,
) -> Result<Sheet, LimitError> {
    let last_row = cells.iter().map(|c| c.0).max();
    let last_col = cells.iter().map(|c| c.1).max().unwrap_or(0);
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    if let Some(last_row) = last_row {
        budget.extent(&name, last_row, last_col)?;
        rows = vec![Vec::new(); last_row as usize + 1];
        for (r, c, value) in cells {
            let row = &mut rows[r as usize];
            if row.len() <= c as usize {
                row.resize(c as usize + 1, Cell::Empty);
            }
            row[c as usize] = value;
        }
        for row in &mut rows {
            while row.last().is_some_and(Cell::is_blank) {
                row.pop();
            }
        }
        while rows.last().is_some_and(|r| r.is_empty()) {
            rows.pop();
        }
    }
    // a merged area is filled over the rows that exist: count what that adds
    for d in merges {
        budget.position(&name, d.end.0 as u64, d.end.1 as u64)?;
        let first = d.start.0 as u64;
        let last = (d.end.0 as u64).min((rows.len() as u64).saturating_sub(1));
        if !rows.is_empty() && first <= last && d.start.1 <= d.end.1 {
            let width = d.end.1 as u64 - d.start.1 as u64 + 1;
            budget.take((last - first + 1) * width)?;
        }
    }
    let mut sheet = Sheet {
        name,
        source,
        rows,
        merges: merges
            .iter()
            .map(|d| Merge {
                first_row: d.start.0 as usize,
                first_col: d.start.1 as usize,
                last_row: d.end.0 as usize,
                last_col: d.end.1 as usize,
            })
            .collect(),
    };
    sheet.fill_merges();
    Ok(sheet)
}

fn to_cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(y.into(), m.into(), d.into())
                .map(Cell::Date)
                .unwrap_or(Cell::Number(dt.as_f64()))
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(s) => s
            .get(..10)
            .and_then(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d").ok())
            .map(Cell::Date)
            .unwrap_or_else(|| Cell::Text(s.clone())),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// Decodes a text file: a byte-order mark decides; else valid UTF-8 is UTF-8; else the
/// bytes are Chinese legacy text (GBK, or GB18030 when four-byte sequences occur) unless
/// the detector is sure of another encoding (Big5 from Taiwan, Shift_JIS …) that decodes
/// without errors. Returns the text and the encoding's name.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (text.into_owned(), enc.name());
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), UTF_8.name());
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let guess = det.guess(Some(b"cn"), chardetng::Utf8Detection::Deny);
    if guess != GBK && guess != GB18030 {
        let (text, had_errors) = guess.decode_without_bom_handling(bytes);
        if !had_errors {
            return (text.into_owned(), guess.name());
        }
    }
    // encoding_rs decodes GBK as GB18030 (its superset); the name tells which was seen.
    let (text, _) = GB18030.decode_without_bom_handling(bytes);
    let name = if has_four_byte_sequence(bytes) {
        "GB18030"
    } else {
        "GBK"
    };
    (text.into_owned(), name)
}

/// Whether GB18030-encoded bytes use its four-byte form (characters outside GBK).
fn has_four_byte_sequence(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
        } else if (0x81..=0xFE).contains(&b) && bytes.get(i + 1).is_some_and(|n| n.is_ascii_digit())
        {
            return true;
        } else {
            i += 2;
        }
    }
    false
}

/// The separator of the first lines: comma, tab or semicolon, whichever occurs most
/// outside quotes.
fn sniff_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for line in text.lines().take(50) {
        for c in line.chars() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => counts[0] += 1,
                '\t' if !quoted => counts[1] += 1,
                ';' if !quoted => counts[2] += 1,
                _ => {}
            }
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b',', b'\t', b';'][best]
}

fn read_csv(bytes: &[u8], filename: &str, limits: &Limits) -> Result<Sheet, ReadError> {
    let (text, encoding) = decode(bytes);
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut budget = Budget::new(*limits);
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(ReadError::Csv {
                    file: filename.to_string(),
                    line: e.position().map(|p| p.line()).unwrap_or(0),
                    detail: e.to_string(),
                })
            }
        }
        // a row is laid out up to its last non-blank field only (a line of commas is
        // nothing), and what is laid out is counted
        let used = (0..record.len())
            .rev()
            .find(|&i| !record[i].trim().is_empty())
            .map_or(0, |i| i + 1);
        budget
            .lay_out(filename, used as u64)
            .and_then(|_| {
                budget.take(record.iter().take(used).filter(|f| !f.is_empty()).count() as u64)
            })
            .map_err(beyond(filename))?;
        let cells: Vec<Cell> = record
            .iter()
            .take(used)
            .map(|f| {
                if f.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(f.to_string())
                }
            })
            .collect();
        rows.push(cells);
    }
    while rows.last().is_some_and(|r| r.is_empty()) {
        rows.pop();
    }
    Ok(Sheet {
        name: filename.to_string(),
        source: Source::Csv {
            encoding,
            delimiter,
        },
        rows,
        merges: Vec::new(),
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_reader_that_panics_is_a_damaged_file() {
        let err = super::guarded("台账.xls", || panic!("index out of range")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "无法打开 Excel 文件“台账.xls”：文件结构损坏（读取时遇到不完整的数据，请用Excel打开后另存为.xlsx再试）"
        );
        assert!(super::guarded("台账.xls", || Ok(Vec::new())).is_ok());
    }

    use super::*;

    #[test]
    fn detects_encodings() {
        let s = "企业名称,总投资(亿元)\n苏州华芯科技有限公司,1.28\n";
        assert_eq!(decode(s.as_bytes()), (s.to_string(), "UTF-8"));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(s.as_bytes());
        assert_eq!(decode(&bom), (s.to_string(), "UTF-8"));
        let (gbk, _, _) = GBK.encode(s);
        assert_eq!(decode(&gbk), (s.to_string(), "GBK"));
        // 𠀀 (U+20000) and € need GB18030's four-byte form.
        let rare = "企业名称\n𠀀鑫科技有限公司\n";
        let (gb, _, _) = GB18030.encode(rare);
        assert_eq!(decode(&gb), (rare.to_string(), "GB18030"));
    }

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3"), b',');
        assert_eq!(sniff_delimiter("a\tb\tc\n\"1,5\"\t2\t3"), b'\t');
        assert_eq!(sniff_delimiter("a;b;c"), b';');
        assert_eq!(sniff_delimiter("只有一列"), b',');
    }
}
