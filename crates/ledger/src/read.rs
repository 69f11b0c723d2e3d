//! Reading a ledger file's bytes into a [`Sheet`]: .xlsx and .xls through calamine, .csv
//! (and tab-separated text) in UTF-8, UTF-16, GBK or GB18030.

use crate::sheet::{Cell, Merge, Sheet, Source};
use calamine::{open_workbook_auto_from_rs, Data, Dimensions, Reader, Sheets};
use chrono::NaiveDate;
use encoding_rs::{Encoding, GB18030, GBK, UTF_8};
use std::io::Cursor;

/// Why a file could not be read at all. Messages are shown to users as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("无法打开 Excel 文件“{file}”：{detail}")]
    Workbook { file: String, detail: String },
    #[error("文件“{0}”中没有数据")]
    Empty(String),
    #[error("无法读取 CSV 文件“{file}”第{line}行：{detail}")]
    Csv {
        file: String,
        line: u64,
        detail: String,
    },
}

/// What the bytes look like, whatever the file is called (government systems often
/// export .xlsx files named .xls, or text named .xls).
const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn sniff(bytes: &[u8], filename: &str) -> Kind {
    const ZIP: &[u8] = b"PK\x03\x04";
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

/// Reads the first worksheet that holds data (.xlsx, .xls, .xlsb, .ods), or the whole
/// text of a .csv / .txt / .tsv file. The format is found from the bytes; the file name
/// is used for messages and as the CSV sheet's name.
pub fn read(bytes: &[u8], filename: &str) -> Result<Sheet, ReadError> {
    let mut all = read_all(bytes, filename)?;
    match all
        .iter()
        .position(|s| s.rows.iter().flatten().any(|c| !c.is_blank()))
    {
        Some(i) => Ok(all.swap_remove(i)),
        None => Err(ReadError::Empty(filename.to_string())),
    }
}

/// Reads every worksheet of a workbook (one sheet for CSV), in workbook order, so a
/// caller can let the user pick another sheet than the first with data.
pub fn read_all(bytes: &[u8], filename: &str) -> Result<Vec<Sheet>, ReadError> {
    match sniff(bytes, filename) {
        Kind::Workbook => read_workbook(bytes, filename),
        Kind::Text => read_csv(bytes, filename).map(|s| vec![s]),
    }
}

fn read_workbook(bytes: &[u8], filename: &str) -> Result<Vec<Sheet>, ReadError> {
    let fail = |detail: String| ReadError::Workbook {
        file: filename.to_string(),
        detail,
    };
    if bytes.starts_with(CFB) {
        check_cfb(bytes).map_err(fail)?;
    }
    // calamine 0.38 panics on some damaged files (an .xls whose shared-string table ends in
    // the middle of a string indexes past its slice in `read_rich_extended_string`; found by
    // the `ledger` fuzz target): a panic while reading is a damaged file, not a crash.
    guarded(filename, || read_book(bytes, filename))
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

fn read_book(bytes: &[u8], filename: &str) -> Result<Vec<Sheet>, ReadError> {
    let fail = |detail: String| ReadError::Workbook {
        file: filename.to_string(),
        detail,
    };
    // calamine finds an .xlsx sheet's merged cells by reading the whole sheet a second
    // time (they are listed after its rows): that pass runs beside the reading of the
    // rows, on a second copy of the book (a third of the time of reading a large ledger)
    std::thread::scope(|sc| {
        let xlsx_merges = sc.spawn(|| xlsx_merges(bytes));
        // The generic entry point: it tries .xls, then .xlsx, .xlsb and .ods.
        let mut book =
            open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| fail(e.to_string()))?;
        let mut ranges = Vec::new();
        for name in book.sheet_names() {
            let range = book
                .worksheet_range(&name)
                .map_err(|e| fail(e.to_string()))?;
            let merges = match &mut book {
                Sheets::Xls(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
                _ => Vec::new(),
            };
            ranges.push((name, range, merges));
        }
        let source = match &book {
            Sheets::Xlsx(_) => {
                let by_sheet = xlsx_merges
                    .join()
                    .unwrap_or_else(|_| Err("文件结构损坏（读取合并单元格时出错）".into()))
                    .map_err(fail)?;
                for ((_, _, merges), found) in ranges.iter_mut().zip(by_sheet) {
                    *merges = found;
                }
                Source::Xlsx
            }
            Sheets::Xls(_) => Source::Xls,
            _ => Source::OtherWorkbook,
        };
        Ok(ranges
            .into_iter()
            .map(|(name, range, merges)| to_sheet(name, &range, &merges, &source))
            .collect())
    })
}

/// The merged cells of every worksheet of an .xlsx file, in workbook order (an error for
/// other files, whose merges are read with their rows).
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

/// A worksheet's cells as a [`Sheet`], merged areas filled in.
fn to_sheet(
    name: String,
    range: &calamine::Range<Data>,
    merges: &[Dimensions],
    source: &Source,
) -> Sheet {
    let (r0, c0) = range
        .start()
        .map(|(r, c)| (r as usize, c as usize))
        .unwrap_or((0, 0));
    let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); r0];
    rows.reserve(range.height());
    for row in range.rows() {
        let mut cells = Vec::with_capacity(c0 + row.len());
        cells.resize(c0, Cell::Empty);
        cells.extend(row.iter().map(to_cell));
        while cells.last().is_some_and(Cell::is_blank) {
            cells.pop();
        }
        rows.push(cells);
    }
    while rows.last().is_some_and(|r| r.is_empty()) {
        rows.pop();
    }
    let mut sheet = Sheet {
        name,
        source: source.clone(),
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
    sheet
}

/// Checks an .xls container (Compound File Binary) before calamine reads it: calamine
/// 0.38 trusts the stream lengths in the directory and follows sector chains without loop
/// detection, so a 7 KB file claiming a 2 GB stream made it allocate 2 GB and abort (found
/// by the `ledger` fuzz target; upstream tafia/calamine#550). The `cfb` crate validates
/// the header, allocation tables and directory; no stream may be longer than the file.
fn check_cfb(bytes: &[u8]) -> Result<(), String> {
    let file =
        cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| format!("文件结构损坏（{e}）"))?;
    let limit = bytes.len() as u64;
    match file.walk().find(|e| e.len() > limit) {
        Some(e) => Err(format!(
            "文件结构损坏（“{}”长 {} 字节，超过文件大小 {limit} 字节）",
            e.name(),
            e.len()
        )),
        None => Ok(()),
    }
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

fn read_csv(bytes: &[u8], filename: &str) -> Result<Sheet, ReadError> {
    let (text, encoding) = decode(bytes);
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| ReadError::Csv {
            file: filename.to_string(),
            line: e.position().map(|p| p.line()).unwrap_or(0),
            detail: e.to_string(),
        })?;
        let mut cells: Vec<Cell> = rec
            .iter()
            .map(|f| {
                if f.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(f.to_string())
                }
            })
            .collect();
        while cells.last().is_some_and(Cell::is_blank) {
            cells.pop();
        }
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
