//! The whole upload path of a ledger on arbitrary bytes, as the import API and pages, the
//! monthly figures and `fenglai import` take it before the database: `open_upload` (size,
//! kind, the limits of what a workbook may unpack to and hold, the readers' turn), the
//! choice of sheet (the first whose header is found, else the first with data), the
//! mapping, the rows of leads and of projects, and the monthly figures. Never panics, and
//! never allocates past what the limits allow: run with `-rss_limit_mb=2048`; the limits
//! here are a tenth of the defaults so that a file at the limit stays well inside it.
#![no_main]

use fenglai_ledger::{
    first_with_data, open_upload_with, parse_monthly, parse_rows, propose_mapping, summarize,
    Kind, Limits,
};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 5] = ["台账.csv", "台账.xlsx", "台账.xls", "月报.xlsx", "台账.ods"];

fuzz_target!(init: {
    // `read` turns a panic of calamine on a damaged file into an error: let it unwind.
    std::panic::set_hook(Box::new(|info| eprintln!("{info}")));
}, |data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[sel as usize % NAMES.len()];
    let limits = Limits {
        unpacked_total: 48 << 20,
        unpacked_part: 24 << 20,
        area: 2_000_000,
        cells: 1_000_000,
    };
    let sheets = match open_upload_with(bytes, name, &limits) {
        Ok(sheets) => sheets,
        Err(message) => {
            assert!(!message.is_empty());
            return;
        }
    };
    if let Ok(first) = first_with_data(sheets.clone(), name) {
        let _ = parse_monthly(&first);
    }
    let Some(sheet) = sheets.iter().find(|s| propose_mapping(s).is_ok()) else {
        return;
    };
    let Ok(mapping) = propose_mapping(sheet) else {
        return;
    };
    for kind in [Kind::Leads, Kind::Projects] {
        if let Ok(rows) = parse_rows(sheet, &mapping, kind) {
            let _ = summarize(&rows);
            for r in &rows {
                for e in r.errors() {
                    let _ = e.to_string();
                }
            }
        }
    }
});
