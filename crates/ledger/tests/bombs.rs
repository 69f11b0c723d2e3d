//! Files made to exhaust the reader: cells far apart, parts that inflate to gigabytes,
//! declared counts, merged areas, claimed .xls dimensions, CSV lines of separators. Each is
//! refused with the limit it broke, quickly and without allocating what it claims (a
//! failure here is an abort of the whole test binary, not a failed assertion).

use fenglai_ledger::*;
use rust_xlsxwriter::{Format, Workbook};
use std::io::{Cursor, Read, Seek, SeekFrom, Write};
use std::time::{Duration, Instant};

/// A workbook with a string at each (row, col).
fn xlsx(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for &(r, c, v) in cells {
        ws.write_string(r, c, v).unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// The same zip with each part passed through `f` (None drops it), and `extra` parts added.
fn rezip(
    bytes: &[u8],
    f: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>,
    extra: &[(&str, Vec<u8>)],
) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    for i in 0..zin.len() {
        let mut part = zin.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        if let Some(data) = f(&name, data) {
            out.start_file(name, opts).unwrap();
            out.write_all(&data).unwrap();
        }
    }
    for (name, data) in extra {
        out.start_file(*name, opts).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Sets the inflated size that the local header and the central directory declare for
/// `part` (what a hand-made bomb claims while holding little).
fn declare_size(mut bytes: Vec<u8>, part: &str, size: u32) -> Vec<u8> {
    let mut patched = 0;
    for i in 0..bytes.len().saturating_sub(46) {
        let (size_at, name_len_at, name_at) = match &bytes[i..i + 4] {
            b"PK\x03\x04" => (i + 22, i + 26, i + 30),
            b"PK\x01\x02" => (i + 24, i + 28, i + 46),
            _ => continue,
        };
        let n = u16::from_le_bytes([bytes[name_len_at], bytes[name_len_at + 1]]) as usize;
        if bytes.get(name_at..name_at + n) == Some(part.as_bytes()) {
            bytes[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "{part} patched in both headers");
    bytes
}

fn limit_error(r: Result<Vec<Sheet>, ReadError>) -> LimitError {
    match r {
        Err(ReadError::Limit { error, .. }) => error,
        other => panic!("expected a limit error, got {:?}", other.map(|s| s.len())),
    }
}

fn quick<T>(f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t.elapsed()
    );
    out
}

#[test]
fn two_cells_at_opposite_corners_are_refused_by_the_area() {
    let bytes = xlsx(&[(0, 0, "企业名称"), (1_048_575, 16_383, "x")]);
    assert!(bytes.len() < 8 * 1024);
    let err = quick(|| read_all(&bytes, "bomb.xlsx")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "无法导入“bomb.xlsx”：工作表“Sheet1”的范围 A1:XFD1048576 共 17179869184 个单元格，\
         超过上限 20000000 个（可由 FENGLAI_UPLOAD_MAX_AREA 调整）：请删除远处多余的单元格或另存为只含台账的文件"
    );
    // the same through read (first sheet) and read_ledger
    assert!(matches!(
        read(&bytes, "bomb.xlsx"),
        Err(ReadError::Limit { .. })
    ));
}

#[test]
fn a_cell_beyond_excels_grid_is_a_damaged_file() {
    let bytes = rezip(
        &xlsx(&[(0, 0, "a"), (1, 0, "b")]),
        |name, data| {
            Some(if name == "xl/worksheets/sheet1.xml" {
                String::from_utf8(data)
                    .unwrap()
                    .replace("r=\"A2\"", "r=\"A4000000000\"")
                    .into_bytes()
            } else {
                data
            })
        },
        &[],
    );
    let err = quick(|| limit_error(read_all(&bytes, "far.xlsx")));
    assert!(
        matches!(err, LimitError::OutsideGrid { .. }) || matches!(err, LimitError::Area { .. }),
        "{err}"
    );
}

#[test]
fn a_part_that_inflates_past_the_limit_is_refused_before_it_is_read() {
    let zeros = vec![0u8; 3 * 1024 * 1024];
    let bytes = rezip(
        &xlsx(&[(0, 0, "企业名称")]),
        |_, d| Some(d),
        &[("xl/media/image1.bin", zeros)],
    );
    assert!(bytes.len() < 64 * 1024, "{} bytes", bytes.len());
    let limits = Limits {
        unpacked_part: 1024 * 1024,
        ..Limits::default()
    };
    let err = limit_error(read_all_with(&bytes, "zip.xlsx", &limits));
    assert_eq!(
        err.to_string(),
        "“xl/media/image1.bin”解压后为 3 MB，超过单个部件上限 1 MB（可由 FENGLAI_UPLOAD_MAX_PART_MB 调整）"
    );
    let limits = Limits {
        unpacked_total: 2 * 1024 * 1024,
        ..Limits::default()
    };
    assert!(matches!(
        limit_error(read_all_with(&bytes, "zip.xlsx", &limits)),
        LimitError::Total { .. }
    ));
    // within the limits the file reads
    assert_eq!(
        read(&bytes, "zip.xlsx").unwrap().rows[0][0].text(),
        "企业名称"
    );
}

#[test]
fn declared_sizes_are_checked_before_anything_is_inflated() {
    let base = xlsx(&[(0, 0, "企业名称"), (1, 0, "华芯科技有限公司")]);
    // a 1 GB shared string, as a 1 MB file would declare it
    let bytes = declare_size(base.clone(), "xl/sharedStrings.xml", 1 << 30);
    let err = quick(|| limit_error(read_all(&bytes, "strings.xlsx")));
    assert_eq!(
        err.to_string(),
        "“xl/sharedstrings.xml”解压后为 1.0 GB，超过单个部件上限 256 MB（可由 FENGLAI_UPLOAD_MAX_PART_MB 调整）"
    );
    // several parts under the part limit that together pass the total
    let mut bytes = base;
    for part in [
        "xl/sharedStrings.xml",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
    ] {
        bytes = declare_size(bytes, part, 200 << 20);
    }
    let err = quick(|| limit_error(read_all(&bytes, "total.xlsx")));
    assert_eq!(
        err.to_string(),
        "文件解压后共 601 MB，超过上限 512 MB（可由 FENGLAI_UPLOAD_MAX_UNPACKED_MB 调整）"
    );
}

#[test]
fn a_declared_string_count_is_not_trusted() {
    let bytes = rezip(
        &xlsx(&[(0, 0, "企业名称")]),
        |name, data| {
            Some(if name == "xl/sharedStrings.xml" {
                let s = String::from_utf8(data).unwrap();
                let at = s.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
                let end = at + s[at..].find('"').unwrap();
                format!("{}4000000000{}", &s[..at], &s[end..]).into_bytes()
            } else {
                data
            })
        },
        &[],
    );
    let err = quick(|| limit_error(read_all(&bytes, "count.xlsx")));
    assert_eq!(
        err,
        LimitError::Cells {
            limit: Limits::default().cells
        }
    );
}

#[test]
fn cells_are_counted_and_merged_areas_with_them() {
    let cells: Vec<(u32, u16, &str)> = (0..11).map(|r| (r, 0, "x")).collect();
    let bytes = xlsx(&cells);
    let limits = Limits {
        cells: 10,
        ..Limits::default()
    };
    assert_eq!(
        limit_error(read_all_with(&bytes, "cells.xlsx", &limits)).to_string(),
        "文件含有超过 10 个非空单元格（可由 FENGLAI_UPLOAD_MAX_CELLS 调整）：请拆分后分批导入"
    );
    assert!(read_all_with(&bytes, "cells.xlsx", &Limits::default()).is_ok());

    // a title merged across the whole width of the grid, over 50 rows of data
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.merge_range(0, 0, 49, 16_383, "标题", &Format::new())
        .unwrap();
    for r in 0..50 {
        ws.write_string(r + 50, 0, "x").unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let limits = Limits {
        cells: 100_000,
        ..Limits::default()
    };
    assert!(matches!(
        quick(|| limit_error(read_all_with(&bytes, "merged.xlsx", &limits))),
        LimitError::Cells { .. }
    ));
    // within the default limits it is filled as before
    let sheet = read(&bytes, "merged.xlsx").unwrap();
    assert_eq!(sheet.rows[49][16_383].text(), "标题");
}

/// The workbook stream of the .xls fixture with `f` applied to each record (type, data).
fn patch_xls(f: impl Fn(u16, &mut [u8])) -> Vec<u8> {
    let bytes = include_bytes!("data/project-ledger.xls").to_vec();
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).unwrap();
    let mut stream = Vec::new();
    file.open_stream("/Workbook")
        .unwrap()
        .read_to_end(&mut stream)
        .unwrap();
    let mut at = 0;
    while at + 4 <= stream.len() {
        let typ = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = u16::from_le_bytes([stream[at + 2], stream[at + 3]]) as usize;
        f(typ, &mut stream[at + 4..at + 4 + len]);
        at += 4 + len;
    }
    let mut s = file.open_stream("/Workbook").unwrap();
    s.seek(SeekFrom::Start(0)).unwrap();
    s.write_all(&stream).unwrap();
    drop(s);
    file.flush().unwrap();
    file.into_inner().into_inner()
}

#[test]
fn an_xls_dimension_claim_is_checked_before_it_is_reserved() {
    // DIMENSIONS (BIFF8): first row, last row + 1 (u32), first column, last column + 1
    let bytes = patch_xls(|typ, data| {
        if typ == 0x0200 {
            data[4..8].copy_from_slice(&0x0100_0000u32.to_le_bytes());
        }
    });
    let err = quick(|| limit_error(read_all(&bytes, "dim.xls")));
    assert!(matches!(err, LimitError::OutsideGrid { .. }), "{err}");

    // a first row after the last: no reader arithmetic on it
    let bytes = patch_xls(|typ, data| {
        if typ == 0x0200 {
            data[0..4].copy_from_slice(&500u32.to_le_bytes());
            data[4..8].copy_from_slice(&10u32.to_le_bytes());
        }
    });
    match quick(|| read_all(&bytes, "dim.xls")) {
        Err(ReadError::Workbook { detail, .. }) => {
            assert!(detail.contains("范围声明有误"), "{detail}")
        }
        other => panic!("{:?}", other.map(|s| s.len())),
    }
}

#[test]
fn xls_cells_are_placed_only_within_the_area() {
    // every LABELSST cell moved to row 60,000, column 200
    let bytes = patch_xls(|typ, data| {
        if typ == 0x00FD {
            data[0..2].copy_from_slice(&60_000u16.to_le_bytes());
            data[2..4].copy_from_slice(&200u16.to_le_bytes());
        }
    });
    let limits = Limits {
        area: 1_000_000,
        ..Limits::default()
    };
    let err = quick(|| limit_error(read_all_with(&bytes, "far.xls", &limits)));
    assert!(
        err.to_string().contains("A1:GS60001"),
        "names the far cell: {err}"
    );
    // the untouched file still reads
    assert!(read_all(include_bytes!("data/project-ledger.xls"), "ok.xls").is_ok());
}

#[test]
fn csv_lines_of_separators_and_wide_rows() {
    // 100,000 columns of values: a wide file, read
    let wide: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
    let text = format!("{}\n", wide.join(","));
    let sheet = read(text.as_bytes(), "wide.csv").unwrap();
    assert_eq!(sheet.rows[0].len(), 100_000);
    // a line of a million separators is an empty row, not a million cells
    let mut text = "企业名称,金额\n".to_string();
    text.push_str(&",".repeat(1_000_000));
    text.push('\n');
    text.push_str("华芯,1\n");
    let sheet = quick(|| read(text.as_bytes(), "commas.csv")).unwrap();
    assert!(sheet.rows[1].is_empty());
    assert_eq!(sheet.rows[2].len(), 2);
    // a value after them is laid out, and counted
    let text = format!("a{}b\n", ",".repeat(5_000));
    let limits = Limits {
        area: 1_000,
        ..Limits::default()
    };
    assert!(matches!(
        read_with(text.as_bytes(), "far.csv", &limits),
        Err(ReadError::Limit {
            error: LimitError::LaidOut { .. },
            ..
        })
    ));
}

#[test]
fn ods_and_xlsb_are_asked_for_as_xlsx() {
    let ods = rezip(
        &xlsx(&[(0, 0, "a")]),
        |_, _| None,
        &[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.spreadsheet".to_vec(),
            ),
            ("content.xml", b"<x/>".to_vec()),
        ],
    );
    let err = read(&ods, "台账.ods").unwrap_err().to_string();
    assert!(err.contains("另存为 .xlsx"), "{err}");
    let plain_zip = rezip(
        &xlsx(&[(0, 0, "a")]),
        |_, _| None,
        &[("a.txt", b"x".to_vec())],
    );
    let err = read(&plain_zip, "台账.xlsx").unwrap_err().to_string();
    assert!(err.contains("不是 Excel 工作簿"), "{err}");
    let err = read(b"not a workbook", "台账.xlsb")
        .unwrap_err()
        .to_string();
    assert!(err.contains("另存为 .xlsx"), "{err}");
}
