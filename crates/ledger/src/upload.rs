//! The one way an uploaded file becomes sheets, for every path that takes one (the import
//! API and pages, the monthly figures, the command line): its size, that it is a
//! workbook or text at all, then [`crate::read_all`] within the [`crate::Limits`], with at
//! most [`READERS`] workbooks read at once so that a few large uploads cannot take every
//! core and the memory of the server between them.

use crate::limits::{limits, Limits};
use crate::read::read_all_with;
use crate::sheet::Sheet;
use std::sync::{Condvar, Mutex};

/// The most bytes an uploaded ledger may have.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// How many uploads are read at the same time; the others wait their turn.
pub const READERS: usize = 2;

static GATE: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

/// A place among the [`READERS`], given back on drop.
struct Turn;

impl Turn {
    fn wait() -> Turn {
        let (lock, cv) = &GATE;
        let mut busy = lock.lock().unwrap_or_else(|e| e.into_inner());
        while *busy >= READERS {
            busy = cv.wait(busy).unwrap_or_else(|e| e.into_inner());
        }
        *busy += 1;
        Turn
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let (lock, cv) = &GATE;
        let mut busy = lock.lock().unwrap_or_else(|e| e.into_inner());
        *busy -= 1;
        cv.notify_one();
    }
}

/// Checks an uploaded file and reads all its sheets within the process-wide limits.
/// The error is a message for the person who uploaded it.
pub fn open_upload(bytes: &[u8], file_name: &str) -> Result<Vec<Sheet>, String> {
    open_upload_with(bytes, file_name, &limits())
}

/// [`open_upload`] within the given limits.
pub fn open_upload_with(
    bytes: &[u8],
    file_name: &str,
    limits: &Limits,
) -> Result<Vec<Sheet>, String> {
    if bytes.is_empty() {
        return Err(format!("文件“{file_name}”是空的"));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "文件过大（上限 {} MB）",
            MAX_FILE_BYTES / 1024 / 1024
        ));
    }
    let looks_binary = !bytes.starts_with(b"PK\x03\x04")
        && !bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
        && bytes.iter().take(4096).any(|b| *b == 0)
        && !bytes.starts_with(&[0xFF, 0xFE])
        && !bytes.starts_with(&[0xFE, 0xFF]);
    if looks_binary {
        return Err(format!(
            "“{file_name}”不是 Excel 或 CSV 文件：请上传 .xlsx、.xls 或 .csv 台账"
        ));
    }
    let _turn = Turn::wait();
    read_all_with(bytes, file_name, limits).map_err(|e| e.to_string())
}

/// The first sheet of an upload that holds data.
pub fn first_with_data(sheets: Vec<Sheet>, file_name: &str) -> Result<Sheet, String> {
    crate::read::first_with_data(sheets, file_name).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_a_ledger() {
        assert_eq!(open_upload(b"", "a.csv").unwrap_err(), "文件“a.csv”是空的");
        assert_eq!(
            open_upload(b"\x7fELF\0\0\0", "a.xlsx").unwrap_err(),
            "“a.xlsx”不是 Excel 或 CSV 文件：请上传 .xlsx、.xls 或 .csv 台账"
        );
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        assert_eq!(
            open_upload(&big, "a.csv").unwrap_err(),
            "文件过大（上限 64 MB）"
        );
        let sheets = open_upload("企业名称\n华芯\n".as_bytes(), "a.csv").unwrap();
        assert_eq!(first_with_data(sheets, "a.csv").unwrap().rows.len(), 2);
        let blank = open_upload(b" , \n", "b.csv").unwrap();
        assert_eq!(
            first_with_data(blank, "b.csv").unwrap_err(),
            "文件“b.csv”中没有数据"
        );
    }

    #[test]
    fn readers_take_turns() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NOW: AtomicUsize = AtomicUsize::new(0);
        static MOST: AtomicUsize = AtomicUsize::new(0);
        let threads: Vec<_> = (0..8)
            .map(|_| {
                std::thread::spawn(|| {
                    let _t = Turn::wait();
                    let n = NOW.fetch_add(1, Ordering::SeqCst) + 1;
                    MOST.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    NOW.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(MOST.load(Ordering::SeqCst) <= READERS);
    }
}
