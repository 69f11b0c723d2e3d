//! A worksheet as read from a file: a grid of cells addressed as Excel does.

use chrono::NaiveDate;
use std::fmt;

/// One cell's value, as the file holds it. Numbers are what the file stored (Excel keeps
/// every number as a double); amounts are taken from their shortest decimal text, never
/// computed in floating point (see [`Cell::text`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    #[default]
    Empty,
    Text(String),
    Number(f64),
    /// A cell formatted as a date in the workbook.
    Date(NaiveDate),
    Bool(bool),
    /// An Excel error value such as `#N/A`.
    Error(String),
}

impl Cell {
    /// Empty, or text of whitespace only (ASCII, full-width or no-break spaces).
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text: numbers in their shortest decimal form that reads back as the
    /// same double ("1.28", "45366", never "1.28e0"), dates as 2024-03-15.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => number_text(*n),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Bool(b) => if *b { "是" } else { "否" }.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// Rust prints an `f64` as the shortest decimal that parses back to it, without an
/// exponent and without ".0" (a double beyond 2^53 prints its shortest digits padded with
/// zeros: 58769393922315904 stored for 58769393922315900 prints as the latter).
pub(crate) fn number_text(n: f64) -> String {
    if n == 0.0 {
        "0".to_string()
    } else {
        format!("{n}")
    }
}

/// Which reader produced a sheet, and for text files the character encoding found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Xlsx,
    Xls,
    /// Another workbook format calamine recognised (xlsb, ods).
    OtherWorkbook,
    /// Delimited text; `encoding` is "UTF-8", "GBK", "GB18030" or another WHATWG name,
    /// `delimiter` the separator found (',', '\t' or ';').
    Csv {
        encoding: &'static str,
        delimiter: u8,
    },
}

/// A rectangle of merged cells, 0-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub first_row: usize,
    pub first_col: usize,
    pub last_row: usize,
    pub last_col: usize,
}

impl Merge {
    pub fn contains(&self, row: usize, col: usize) -> bool {
        (self.first_row..=self.last_row).contains(&row)
            && (self.first_col..=self.last_col).contains(&col)
    }
}

/// A worksheet. `rows[r][c]` is the cell at Excel row `r + 1`, column `c` (0 = A):
/// positions are absolute, so [`a1`] names the cell a person sees in Excel. Merged
/// regions are filled with their top-left value, so a header "投资额" merged over two
/// columns reads in both.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The worksheet's name; the file name for CSV.
    pub name: String,
    pub source: Source,
    pub rows: Vec<Vec<Cell>>,
    pub merges: Vec<Merge>,
}

impl Sheet {
    pub fn cell(&self, row: usize, col: usize) -> &Cell {
        static EMPTY: Cell = Cell::Empty;
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .unwrap_or(&EMPTY)
    }

    /// The number of columns of the widest row.
    pub fn width(&self) -> usize {
        self.rows.iter().map(Vec::len).max().unwrap_or(0)
    }

    /// The merged region covering a cell, if any.
    pub fn merge_at(&self, row: usize, col: usize) -> Option<&Merge> {
        self.merges.iter().find(|m| m.contains(row, col))
    }

    /// Copies each merged region's top-left value into its other cells.
    pub(crate) fn fill_merges(&mut self) {
        for m in self.merges.clone() {
            let v = self.cell(m.first_row, m.first_col).clone();
            if v.is_blank() {
                continue;
            }
            for r in m.first_row..=m.last_row.min(self.rows.len().saturating_sub(1)) {
                let row = &mut self.rows[r];
                if row.len() <= m.last_col {
                    row.resize(m.last_col + 1, Cell::Empty);
                }
                for cell in &mut row[m.first_col..=m.last_col] {
                    *cell = v.clone();
                }
            }
        }
    }
}

/// The Excel name of a column: 0 → "A", 25 → "Z", 26 → "AA".
pub fn column_name(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The Excel A1 reference of a 0-based cell position: (6, 2) → "C7".
pub fn a1(row: usize, col: usize) -> String {
    format!("{}{}", column_name(col), row + 1)
}

/// A cell position that prints in A1 form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellRef {
    pub row: usize,
    pub col: usize,
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&a1(self.row, self.col))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_names() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(6, 2), "C7");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn numbers_as_text() {
        assert_eq!(Cell::Number(1.28).text(), "1.28");
        assert_eq!(Cell::Number(45366.0).text(), "45366");
        assert_eq!(Cell::Number(0.1 + 0.2).text(), "0.30000000000000004");
        assert_eq!(Cell::Number(-5.0).text(), "-5");
        assert_eq!(Cell::Number(1e20).text(), "100000000000000000000");
        assert_eq!(
            Cell::Number(58769393922315900.0).text(),
            "58769393922315900"
        );
        assert_eq!(Cell::Number(-0.0).text(), "0");
    }
}
