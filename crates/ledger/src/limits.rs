//! What an uploaded workbook may unpack to, claim and hold before anything large is
//! allocated for it. A ledger comes from anyone who may import (an informant included),
//! and a 2 KB file can claim a sheet of 17 billion cells or a part that inflates to gigabytes:
//! every such claim is checked against [`Limits`] from the file's own directory before the
//! reader trusts it, and refused with a message naming the limit ([`LimitError`]).
//!
//! - .xlsx: the zip's central directory gives each part's inflated size; the zip reader
//!   never inflates a part past the size its directory declares, so checking the declared
//!   sizes bounds what is inflated (total and per part) before any of it is. The shared
//!   strings' declared count (which the reader reserves room for) is checked too. Cells are
//!   read one at a time and placed only after their extent is checked.
//! - .xls: the BIFF records are walked once before the reader (which reserves room for the
//!   area a `DIMENSIONS` record claims, and lays every sheet out densely): every claimed
//!   area, every cell position and the number of cells are checked.
//! - .csv: the number of cells is checked while the rows are read.
//! - merged areas are filled with their value: the cells that adds are counted too.
//!
//! The limits are process-wide ([`set_limits`], from `fenglai`'s command line or
//! environment); [`crate::read_with`] takes them explicitly.

use std::sync::RwLock;

/// The bounds a file must stay within. Every default is far above a real ledger (a
/// 100,000-row, 30-column ledger is 3 million cells in a 40 MB sheet part).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes all parts of a workbook may inflate to together.
    pub unpacked_total: u64,
    /// Bytes one part of a workbook may inflate to.
    pub unpacked_part: u64,
    /// Cells a sheet may span, counted from A1 to its last row and column holding data
    /// (or covered by a merged area), `rows × columns`.
    pub area: u64,
    /// Non-empty cells a file may hold (all sheets, merged areas filled), and shared
    /// strings it may declare.
    pub cells: u64,
}

impl Default for Limits {
    fn default() -> Self {
        DEFAULT
    }
}

const DEFAULT: Limits = Limits {
    unpacked_total: 512 * MIB,
    unpacked_part: 256 * MIB,
    area: 20_000_000,
    cells: 10_000_000,
};

const MIB: u64 = 1024 * 1024;

/// The largest grid Excel itself has (1,048,576 rows × 16,384 columns, XFD1048576): a cell
/// beyond it is a damaged or hostile file, whatever the limits.
pub const MAX_ROWS: u64 = 1_048_576;
pub const MAX_COLS: u64 = 16_384;

static LIMITS: RwLock<Limits> = RwLock::new(DEFAULT);

/// Sets the limits every later [`crate::read`] and [`crate::read_all`] applies.
pub fn set_limits(limits: Limits) {
    *LIMITS.write().unwrap_or_else(|e| e.into_inner()) = limits;
}

/// The limits in force.
pub fn limits() -> Limits {
    *LIMITS.read().unwrap_or_else(|e| e.into_inner())
}

/// A file refused for what it would unpack to or hold. Messages are shown to users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error(
        "“{part}”解压后为 {size}，超过单个部件上限 {limit}（可由 FENGLAI_UPLOAD_MAX_PART_MB 调整）"
    )]
    Part {
        part: String,
        size: String,
        limit: String,
    },
    #[error("文件解压后共 {size}，超过上限 {limit}（可由 FENGLAI_UPLOAD_MAX_UNPACKED_MB 调整）")]
    Total { size: String, limit: String },
    #[error("工作表“{sheet}”的范围 A1:{last} 共 {area} 个单元格，超过上限 {limit} 个（可由 FENGLAI_UPLOAD_MAX_AREA 调整）：请删除远处多余的单元格或另存为只含台账的文件")]
    Area {
        sheet: String,
        last: String,
        area: u64,
        limit: u64,
    },
    #[error(
        "文件含有超过 {limit} 个非空单元格（可由 FENGLAI_UPLOAD_MAX_CELLS 调整）：请拆分后分批导入"
    )]
    Cells { limit: u64 },
    #[error("“{sheet}”共有 {cells} 个单元格位置（含中间的空单元格），超过上限 {limit} 个（可由 FENGLAI_UPLOAD_MAX_AREA 调整）：请拆分后分批导入")]
    LaidOut {
        sheet: String,
        cells: u64,
        limit: u64,
    },
    #[error("工作表“{sheet}”的单元格 {cell} 超出 Excel 的最大范围 XFD1048576，文件已损坏")]
    OutsideGrid { sheet: String, cell: String },
}

/// Bytes as people read them: "1.5 GB", "256 MB", "12 KB".
pub(crate) fn human(bytes: u64) -> String {
    const GIB: u64 = 1024 * MIB;
    if bytes >= GIB {
        format!("{:.1} GB", bytes as f64 / GIB as f64)
    } else if bytes >= MIB {
        format!("{} MB", bytes.div_ceil(MIB))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// Counts cells against [`Limits::cells`] and a sheet's extent against
/// [`Limits::area`] and Excel's grid, as they are read.
#[derive(Debug)]
pub(crate) struct Budget {
    limits: Limits,
    cells: u64,
    laid_out: u64,
}

impl Budget {
    pub(crate) fn new(limits: Limits) -> Self {
        Budget {
            limits,
            cells: 0,
            laid_out: 0,
        }
    }

    /// A text file's row laid out over `n` cells (blank ones between included): all rows
    /// together within [`Limits::area`].
    pub(crate) fn lay_out(&mut self, sheet: &str, n: u64) -> Result<(), LimitError> {
        self.laid_out = self.laid_out.saturating_add(n);
        if self.laid_out > self.limits.area {
            return Err(LimitError::LaidOut {
                sheet: sheet.to_string(),
                cells: self.laid_out,
                limit: self.limits.area,
            });
        }
        Ok(())
    }

    /// `n` more non-empty cells.
    pub(crate) fn take(&mut self, n: u64) -> Result<(), LimitError> {
        self.cells = self.cells.saturating_add(n);
        if self.cells > self.limits.cells {
            return Err(LimitError::Cells {
                limit: self.limits.cells,
            });
        }
        Ok(())
    }

    /// A cell at 0-based `(row, col)` of `sheet`: inside Excel's grid.
    pub(crate) fn position(&self, sheet: &str, row: u64, col: u64) -> Result<(), LimitError> {
        if row >= MAX_ROWS || col >= MAX_COLS {
            return Err(LimitError::OutsideGrid {
                sheet: sheet.to_string(),
                cell: cell_name(row, col),
            });
        }
        Ok(())
    }

    /// A sheet whose last row and column (0-based) are these: its area from A1.
    pub(crate) fn extent(
        &self,
        sheet: &str,
        last_row: u64,
        last_col: u64,
    ) -> Result<(), LimitError> {
        self.position(sheet, last_row, last_col)?;
        let area = (last_row + 1) * (last_col + 1);
        if area > self.limits.area {
            return Err(LimitError::Area {
                sheet: sheet.to_string(),
                last: cell_name(last_row, last_col),
                area,
                limit: self.limits.area,
            });
        }
        Ok(())
    }
}

fn cell_name(row: u64, col: u64) -> String {
    crate::sheet::a1(row as usize, col as usize)
}

/// Checks a zip container's directory: each part's declared inflated size, and their sum.
/// `entries` are (name, inflated size) as the central directory declares them.
pub(crate) fn check_parts<'a>(
    entries: impl IntoIterator<Item = (&'a str, u64)>,
    limits: &Limits,
) -> Result<(), LimitError> {
    let mut total: u64 = 0;
    for (name, size) in entries {
        if size > limits.unpacked_part {
            return Err(LimitError::Part {
                part: name.to_string(),
                size: human(size),
                limit: human(limits.unpacked_part),
            });
        }
        total = total.saturating_add(size);
    }
    if total > limits.unpacked_total {
        return Err(LimitError::Total {
            size: human(total),
            limit: human(limits.unpacked_total),
        });
    }
    Ok(())
}

/// The `uniqueCount` (else `count`) a shared-strings part declares in its first element.
pub(crate) fn declared_string_count(head: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(head);
    let start = text.find("<sst")?;
    let tag = &text[start..];
    let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
    for attr in ["uniqueCount", "count"] {
        let mut from = 0;
        while let Some(at) = tag[from..].find(attr) {
            let at = from + at;
            from = at + attr.len();
            let before = tag[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric()) {
                continue;
            }
            let rest = tag[from..].trim_start();
            let Some(rest) = rest.strip_prefix('=') else {
                continue;
            };
            let rest = rest.trim_start();
            let quote = rest.chars().next()?;
            let value = &rest[1..];
            let end = value.find(quote)?;
            let digits = value[..end].trim();
            // a count too long for u64 is no smaller than the limit
            return Some(digits.parse().unwrap_or(u64::MAX));
        }
    }
    None
}

/// Walks an .xls workbook stream's BIFF records (CONTINUE records joined to the one before,
/// as the reader does) and checks every sheet's claimed `DIMENSIONS`, every cell's position
/// and the number of cells, before the reader reserves or lays out anything.
pub(crate) fn check_biff(stream: &[u8], limits: &Limits) -> Result<(), BiffProblem> {
    let mut budget = Budget::new(*limits);
    // the sheets' extents, one frame per BOF … EOF substream
    let mut frames: Vec<(u64, u64)> = Vec::new();
    let mut sheet_no = 0usize;
    let mut rest = stream;
    while rest.len() >= 4 {
        let typ = u16::from_le_bytes([rest[0], rest[1]]);
        let len = u16::from_le_bytes([rest[2], rest[3]]) as usize;
        if rest.len() < 4 + len {
            break; // the reader stops here too (a truncated stream is its error to give)
        }
        let mut data = rest[4..4 + len].to_vec();
        rest = &rest[4 + len..];
        while rest.len() > 4 && u16::from_le_bytes([rest[0], rest[1]]) == 0x003C {
            let n = u16::from_le_bytes([rest[2], rest[3]]) as usize;
            if rest.len() < 4 + n {
                break;
            }
            data.extend_from_slice(&rest[4..4 + n]);
            rest = &rest[4 + n..];
        }
        let name = || format!("第{}个工作表", sheet_no.max(1));
        let u16_at = |i: usize| -> u64 {
            data.get(i..i + 2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]) as u64)
                .unwrap_or(0)
        };
        match typ {
            0x0809 => {
                if frames.is_empty() {
                    sheet_no += 1;
                }
                frames.push((0, 0));
            }
            0x000A => {
                frames.pop();
            }
            0x0200 => {
                // DIMENSIONS: the reader reserves rows × columns cells for it (the area
                // from A1 checked here covers it, whatever the first column)
                let (first_row, last_row, last_col) = match data.len() {
                    10 => (u16_at(0), u16_at(2), u16_at(6)),
                    14 | 16 => (
                        u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as u64,
                        u32::from_le_bytes([data[4], data[5], data[6], data[7]]) as u64,
                        u16_at(10),
                    ),
                    _ => continue, // the reader refuses any other length
                };
                if last_row >= 1 && last_col >= 1 {
                    if last_row - 1 < first_row {
                        return Err(BiffProblem::Damaged(format!(
                            "{}的范围声明有误（首行 {} 在末行 {} 之后）",
                            name(),
                            first_row + 1,
                            last_row
                        )));
                    }
                    budget.extent(&name(), last_row - 1, last_col - 1)?;
                }
            }
            // cells whose record starts with row, column
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                let (row, col) = (u16_at(0), u16_at(2));
                note(&mut frames, &mut budget, &name(), row, col, 1)?;
            }
            // a value of the formula before it: one more cell
            0x0207 => budget.take(1)?,
            // MULRK: row, first column, …, last column
            0x00BD if data.len() >= 6 => {
                let (row, first) = (u16_at(0), u16_at(2));
                let last = u16_at(data.len() - 2);
                let n = last.saturating_sub(first) + 1;
                note(&mut frames, &mut budget, &name(), row, last.max(first), n)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// `cells` more cells, the last at `(row, col)`: the current substream's extent grows.
fn note(
    frames: &mut [(u64, u64)],
    budget: &mut Budget,
    sheet: &str,
    row: u64,
    col: u64,
    cells: u64,
) -> Result<(), LimitError> {
    budget.take(cells)?;
    let (r, c) = match frames.last_mut() {
        Some(f) => {
            *f = (f.0.max(row), f.1.max(col));
            *f
        }
        None => (row, col),
    };
    budget.extent(sheet, r, c)
}

/// Why an .xls stream was refused before reading.
#[derive(Debug)]
pub(crate) enum BiffProblem {
    Limit(LimitError),
    Damaged(String),
}

impl From<LimitError> for BiffProblem {
    fn from(e: LimitError) -> Self {
        BiffProblem::Limit(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_string_counts() {
        let head = br#"<?xml version="1.0"?><sst xmlns="x" count="12" uniqueCount="7"><si>"#;
        assert_eq!(declared_string_count(head), Some(7));
        assert_eq!(declared_string_count(br#"<sst count='40'>"#), Some(40));
        assert_eq!(
            declared_string_count(br#"<sst uniqueCount="99999999999999999999999">"#),
            Some(u64::MAX)
        );
        assert_eq!(declared_string_count(b"<sst>"), None);
        assert_eq!(declared_string_count(b"garbage"), None);
    }

    #[test]
    fn part_sizes() {
        let l = Limits {
            unpacked_total: 100,
            unpacked_part: 60,
            ..Limits::default()
        };
        assert!(check_parts([("a", 50), ("b", 50)], &l).is_ok());
        assert_eq!(
            check_parts([("xl/sharedStrings.xml", 61)], &l)
                .unwrap_err()
                .to_string(),
            "“xl/sharedStrings.xml”解压后为 1 KB，超过单个部件上限 1 KB（可由 FENGLAI_UPLOAD_MAX_PART_MB 调整）"
        );
        assert!(matches!(
            check_parts([("a", 60), ("b", 41)], &l),
            Err(LimitError::Total { .. })
        ));
        assert_eq!(human(5 * 1024 * MIB), "5.0 GB");
        assert_eq!(human(256 * MIB), "256 MB");
    }

    #[test]
    fn extents() {
        let b = Budget::new(Limits {
            area: 100,
            ..Limits::default()
        });
        assert!(b.extent("表", 9, 9).is_ok());
        assert_eq!(
            b.extent("表", 10, 9).unwrap_err().to_string(),
            "工作表“表”的范围 A1:J11 共 110 个单元格，超过上限 100 个（可由 FENGLAI_UPLOAD_MAX_AREA 调整）：请删除远处多余的单元格或另存为只含台账的文件"
        );
        assert!(matches!(
            b.position("表", MAX_ROWS, 0),
            Err(LimitError::OutsideGrid { .. })
        ));
    }
}
