//! The ledger importer on arbitrary bytes: `read` (calamine for workbooks, the CSV reader
//! with encoding detection for text), then `propose_mapping` and `parse_rows` for leads
//! and for projects, and `parse_monthly`. Never panics; run with `-timeout=10` so that a
//! hang counts, and `-rss_limit_mb=2048`.
//!
//! The first byte picks the file name the upload would carry (.csv, .xlsx, .xls, .txt);
//! the format itself is found from the bytes, so an .xlsx seed is a zip and a .csv seed
//! is text, whatever the name.
#![no_main]

use fenglai_ledger::{parse_monthly, parse_rows, propose_mapping, read, summarize, Kind};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 4] = ["台账.csv", "台账.xlsx", "台账.xls", "台账.txt"];

fuzz_target!(init: {
    // libfuzzer-sys aborts on any panic from its hook, before unwinding: `read` turns a
    // panic of calamine on a damaged file into an error, so let it unwind (the message is
    // still printed). A panic that
    // escapes the target still aborts (libfuzzer-sys checks the closure's result).
    std::panic::set_hook(Box::new(|info| eprintln!("{info}")));
}, |data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[sel as usize % NAMES.len()];
    let sheet = match read(bytes, name) {
        Ok(sheet) => sheet,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let _ = parse_monthly(&sheet);
    let Ok(mapping) = propose_mapping(&sheet) else {
        return;
    };
    for kind in [Kind::Leads, Kind::Projects] {
        if let Ok(rows) = parse_rows(&sheet, &mapping, kind) {
            let _ = summarize(&rows);
            for r in &rows {
                for e in r.errors() {
                    let _ = e.to_string();
                }
            }
        }
    }
});
