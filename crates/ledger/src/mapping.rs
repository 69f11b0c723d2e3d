//! Finding the header row(s) and proposing which column holds which field.

use crate::field::{Field, Unit, ValueKind};
use crate::sheet::{Cell, Sheet};
use std::collections::HashSet;

/// How many rows from the top are searched for the header.
const HEADER_SEARCH_ROWS: usize = 40;
/// Header cells longer than this (after normalising) are notes or titles, not headers.
const MAX_HEADER_CHARS: usize = 16;

/// One column of the sheet and what it is taken to hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMapping {
    /// 0-based column (0 = A).
    pub col: usize,
    /// The header as shown in the file; the rows of a multi-row header joined by "/"
    /// ("投资额/总投资(亿元)").
    pub header: String,
    /// `None`: the column is not imported (序号, unknown headers).
    pub field: Option<Field>,
    /// The unit amounts, land and counts in this column are in, when they carry none
    /// themselves ("1.28亿" in a 万元 column is still 1.28 亿).
    pub unit: Option<Unit>,
    /// True when the header named no unit and the field's default (万元, 万美元, 亩)
    /// was assumed: a preview should say so.
    pub unit_assumed: bool,
}

/// A proposed reading of a sheet: where the header is and what each column holds. Show
/// it in a preview; the caller may change `columns` (see [`Mapping::set`]) before
/// [`crate::parse_rows`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The header rows, 0-based and inclusive (a two-row header has two).
    pub header_rows: (usize, usize),
    /// The first data row, 0-based.
    pub data_start: usize,
    pub columns: Vec<ColumnMapping>,
    /// Things a person should check: fields named twice, money headed in the wrong
    /// currency. In Chinese.
    pub warnings: Vec<String>,
}

/// Why no mapping could be proposed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("在前{HEADER_SEARCH_ROWS}行中没有找到表头：表头应至少包含两个可识别的列名，如“企业名称”“总投资(万元)”")]
    NoHeader,
    #[error("缺少必填列：{}（请在预览中指定哪一列是它）", .0.iter().map(|f| f.label()).collect::<Vec<_>>().join("、"))]
    Missing(Vec<Field>),
}

impl Mapping {
    /// The column mapped to a field.
    pub fn column_of(&self, field: Field) -> Option<&ColumnMapping> {
        self.columns.iter().find(|c| c.field == Some(field))
    }

    /// Maps a column to a field (or to nothing) with a unit, as a user overriding the
    /// proposal would; another column holding the same field is unmapped. With
    /// `unit: None` the field's default unit applies.
    pub fn set(&mut self, col: usize, field: Option<Field>, unit: Option<Unit>) {
        if let Some(f) = field {
            for c in &mut self.columns {
                if c.field == Some(f) && c.col != col {
                    c.field = None;
                    c.unit = None;
                }
            }
        }
        let default = field.and_then(|f| Unit::for_kind(f.kind()).first().copied());
        let entry = match self.columns.iter_mut().find(|c| c.col == col) {
            Some(e) => e,
            None => {
                self.columns.push(ColumnMapping {
                    col,
                    header: String::new(),
                    field: None,
                    unit: None,
                    unit_assumed: false,
                });
                self.columns.sort_by_key(|c| c.col);
                self.columns
                    .iter_mut()
                    .find(|c| c.col == col)
                    .expect("just inserted")
            }
        };
        entry.field = field;
        entry.unit = unit.or(default);
        entry.unit_assumed = unit.is_none() && default.is_some();
    }
}

/// A header cell reduced for matching: no spaces, line breaks, required-field stars,
/// bracketed parts or trailing units.
pub fn normalize_header(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '（' | '[' | '【' | '〔' => depth += 1,
            ')' | '）' | ']' | '】' | '〕' => depth = depth.saturating_sub(1),
            c if depth > 0 || c.is_whitespace() => {}
            '*' | '＊' | ':' | '：' => {}
            c => out.push(c),
        }
    }
    // "总投资/亿元", "总投资亿元", "用地亩": a unit written after the name.
    for unit in [
        "/万美元",
        "/亿美元",
        "/美元",
        "/亿元",
        "/万元",
        "/元",
        "/亩",
        "/人",
        "万美元",
        "亿美元",
        "亿元",
        "万元",
        "平方米",
        "公顷",
        "亩",
    ] {
        if let Some(rest) = out.strip_suffix(unit) {
            if !rest.is_empty() {
                out = rest.trim_end_matches('/').to_string();
                break;
            }
        }
    }
    out
}

/// Two-character synonyms that may also match inside a longer header.
const SHORT_CONTAINED: [&str; 10] = [
    "行业", "产业", "用地", "占地", "到资", "外资", "就业", "用工", "备注", "园区",
];

/// The field a header names: an exact synonym, else the longest synonym it contains.
pub fn match_header(text: &str) -> Option<Field> {
    if is_label_and_value(text) {
        return None;
    }
    let norm = normalize_header(text);
    if norm.is_empty() || norm.chars().count() > MAX_HEADER_CHARS {
        return None;
    }
    if let Some(f) = Field::ALL
        .into_iter()
        .find(|f| f.synonyms().contains(&norm.as_str()))
    {
        return Some(f);
    }
    let mut best: Option<(usize, Field)> = None;
    for f in Field::ALL {
        for s in f.synonyms() {
            let n = s.chars().count();
            let eligible = n >= 3 || SHORT_CONTAINED.contains(s);
            if eligible && norm.contains(s) && best.is_none_or(|(m, _)| n > m) {
                best = Some((n, f));
            }
        }
    }
    best.map(|(_, f)| f)
}

/// "填报单位：凤城区招商局": a note that gives a value, not a column header.
fn is_label_and_value(text: &str) -> bool {
    text.split_once([':', '：'])
        .is_some_and(|(_, v)| !v.trim().is_empty() && !is_unit_only(v))
}

/// Header words that name no field but mark a row as a header.
fn is_known_non_field(text: &str) -> bool {
    matches!(
        normalize_header(text).as_str(),
        "序号" | "编号" | "序" | "No." | "NO" | "No"
    )
}

/// A cell that only names a unit: "(万元)", "亩", "单位：万元".
fn is_unit_only(text: &str) -> bool {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !"()（）[]【】/:：".contains(*c))
        .collect();
    let t = t.strip_prefix("单位").unwrap_or(&t);
    matches!(
        t,
        "元" | "万元" | "亿元" | "美元" | "万美元" | "亿美元" | "亩" | "平方米" | "公顷" | "人"
    )
}

/// The distinct non-blank cells of a row (a merged region counts once).
fn distinct_cells(sheet: &Sheet, row: usize) -> Vec<(usize, String)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (col, cell) in sheet.rows.get(row).into_iter().flatten().enumerate() {
        if cell.is_blank() {
            continue;
        }
        let key = match sheet.merge_at(row, col) {
            Some(m) => (m.first_row, m.first_col),
            None => (row, col),
        };
        if seen.insert(key) {
            out.push((col, cell_text(cell)));
        }
    }
    out
}

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        _ => String::new(),
    }
}

/// How many different fields a row names.
fn score(sheet: &Sheet, row: usize) -> usize {
    let fields: HashSet<Field> = distinct_cells(sheet, row)
        .iter()
        .filter_map(|(_, t)| match_header(t))
        .collect();
    fields.len()
}

/// Whether a row next to the header belongs to it: every distinct cell names a field,
/// a header-only word or a unit, and at least two do (or one, under a vertical merge).
fn header_like(sheet: &Sheet, row: usize, next_to: usize) -> bool {
    let cells = distinct_cells(sheet, row);
    if cells.is_empty() {
        return false;
    }
    let all = cells
        .iter()
        .all(|(_, t)| match_header(t).is_some() || is_known_non_field(t) || is_unit_only(t));
    let vertical = sheet
        .merges
        .iter()
        .any(|m| m.first_row <= row.min(next_to) && m.last_row >= row.max(next_to));
    all && (cells.len() >= 2 || vertical)
}

/// A unit named in a note above the header, "单位：万元" / "金额单位：亿元".
fn sheet_unit(sheet: &Sheet, above: usize, kind: ValueKind) -> Option<Unit> {
    (0..above).find_map(|r| {
        sheet.rows[r].iter().find_map(|c| {
            let t = cell_text(c);
            let (_, after) = t.split_once("单位")?;
            let word: String = after
                .trim_start_matches([':', '：', ' ', '\u{3000}'])
                .chars()
                .take_while(|c| !c.is_whitespace() && !"，,；;。)）".contains(*c))
                .collect();
            if is_unit_only(&word) {
                Unit::in_text(&word, kind)
            } else {
                None
            }
        })
    })
}

/// Finds the header and proposes a field and unit for every column.
pub fn propose_mapping(sheet: &Sheet) -> Result<Mapping, MappingError> {
    let last = sheet.rows.len().min(HEADER_SEARCH_ROWS);
    let (best, best_score) = (0..last)
        .map(|r| (r, score(sheet, r)))
        .fold((0, 0), |acc, (r, s)| if s > acc.1 { (r, s) } else { acc });
    if best_score < 2 {
        return Err(MappingError::NoHeader);
    }
    let (mut top, mut bottom) = (best, best);
    while top > 0 && best - top < 2 && header_like(sheet, top - 1, top) {
        top -= 1;
    }
    while bottom + 1 < sheet.rows.len()
        && bottom - best < 2
        && header_like(sheet, bottom + 1, bottom)
    {
        bottom += 1;
    }

    let width = (top..=bottom)
        .map(|r| sheet.rows[r].len())
        .max()
        .unwrap_or(0);
    let mut columns = Vec::new();
    let mut warnings = Vec::new();
    let mut taken: HashSet<Field> = HashSet::new();
    for col in 0..width {
        // The header texts of this column, top to bottom, without repeats (merged
        // cells fill several rows).
        let mut texts: Vec<String> = Vec::new();
        for r in top..=bottom {
            let t = cell_text(sheet.cell(r, col)).trim().to_string();
            if !t.is_empty() && !texts.contains(&t) {
                texts.push(t);
            }
        }
        if texts.is_empty() {
            continue;
        }
        let header = texts.join("/");
        // The most specific (lowest) text that names a field decides.
        let field = texts.iter().rev().find_map(|t| match_header(t));
        let field = match field {
            Some(f) if taken.contains(&f) => {
                warnings.push(format!(
                    "“{header}”列与前面的列同为“{}”，未导入；如需导入请在预览中调整",
                    f.label()
                ));
                None
            }
            f => f,
        };
        let (mut unit, mut unit_assumed) = (None, false);
        if let Some(f) = field {
            taken.insert(f);
            let kind = f.kind();
            if texts.iter().any(|t| Unit::conflicts(t, kind)) {
                warnings.push(format!(
                    "“{header}”列的单位与“{}”不符（人民币与美元），请在预览中核对",
                    f.label()
                ));
            }
            let found = texts
                .iter()
                .rev()
                .find_map(|t| Unit::in_text(t, kind))
                .or_else(|| sheet_unit(sheet, top, kind));
            match (found, Unit::for_kind(kind).first()) {
                (Some(u), _) => unit = Some(u),
                (None, Some(&d)) => {
                    unit = Some(d);
                    unit_assumed = true;
                }
                (None, None) => {}
            }
        }
        columns.push(ColumnMapping {
            col,
            header,
            field,
            unit,
            unit_assumed,
        });
    }
    Ok(Mapping {
        header_rows: (top, bottom),
        data_start: bottom + 1,
        columns,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_fields() {
        assert_eq!(match_header("企业名称"), Some(Field::CompanyName));
        assert_eq!(match_header(" 企业名称（全称）*"), Some(Field::CompanyName));
        assert_eq!(match_header("公司名称"), Some(Field::CompanyName));
        assert_eq!(match_header("项目单位"), Some(Field::CompanyName));
        assert_eq!(match_header("总投资(亿元)"), Some(Field::PlannedInvestment));
        assert_eq!(
            match_header("计划总投资\n（万元）"),
            Some(Field::PlannedInvestment)
        );
        assert_eq!(match_header("总投资/万元"), Some(Field::PlannedInvestment));
        assert_eq!(match_header("总投资万元"), Some(Field::PlannedInvestment));
        assert_eq!(
            match_header("签约金额（亿元）"),
            Some(Field::ContractAmount)
        );
        assert_eq!(
            match_header("利用外资(万美元)"),
            Some(Field::ForeignCapital)
        );
        assert_eq!(match_header("用地(亩)"), Some(Field::Land));
        assert_eq!(match_header("项目进展"), Some(Field::Stage));
        assert_eq!(match_header("进展情况"), Some(Field::Stage));
        assert_eq!(match_header("所在园区"), Some(Field::Park));
        assert_eq!(match_header("行业代码"), Some(Field::IndustryCode));
        assert_eq!(match_header("所属行业"), Some(Field::Industry));
        assert_eq!(match_header("项目签约时间"), Some(Field::SignedDate));
        assert_eq!(match_header("序号"), None);
        assert_eq!(
            match_header("2024年凤城市招商引资重点项目推进情况一览表"),
            None
        );
        assert_eq!(match_header(""), None);
        assert_eq!(match_header("填报单位：凤城区招商局"), None);
        assert_eq!(match_header("填报时间：2024年4月1日"), None);
    }

    #[test]
    fn unit_only_cells() {
        assert!(is_unit_only("(万元)"));
        assert!(is_unit_only("单位：亿元"));
        assert!(!is_unit_only("企业名称"));
    }
}
