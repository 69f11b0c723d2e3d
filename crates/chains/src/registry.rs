//! The enterprise registry's file layout: columns found by their Chinese or English header,
//! and each row checked into a [`Row`] or a Chinese message naming the column.

use crate::target::parse_flags;
use fenglai_domain::{Uscc, Yuan};

/// A column of the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Uscc,
    Name,
    Region,
    Industry,
    Capital,
    Founded,
    Scope,
    Flags,
    NewBranches,
    Financing,
    Output,
    Tax,
}

/// (column, headers it is recognised by, its Chinese name)
const COLS: &[(Col, &[&str], &str)] = &[
    (
        Col::Uscc,
        &["统一社会信用代码", "信用代码", "uscc"],
        "统一社会信用代码",
    ),
    (Col::Name, &["企业名称", "名称", "name"], "企业名称"),
    (
        Col::Region,
        &["地区代码", "行政区划代码", "region", "region_code"],
        "地区代码",
    ),
    (
        Col::Industry,
        &["行业代码", "industry", "industry_code"],
        "行业代码",
    ),
    (
        Col::Capital,
        &[
            "注册资本（万元）",
            "注册资本(万元)",
            "注册资本",
            "capital_wan",
        ],
        "注册资本",
    ),
    (Col::Founded, &["成立日期", "founded"], "成立日期"),
    (
        Col::Scope,
        &["经营范围", "scope", "business_scope"],
        "经营范围",
    ),
    (Col::Flags, &["标签", "flags"], "标签"),
    (
        Col::NewBranches,
        &["新设分支机构", "new_branches"],
        "新设分支机构",
    ),
    (
        Col::Financing,
        &["融资轮次", "financing_rounds"],
        "融资轮次",
    ),
    (
        Col::Output,
        &["年产值（万元）", "年产值(万元)", "年产值", "output_wan"],
        "年产值",
    ),
    (
        Col::Tax,
        &["年税收（万元）", "年税收(万元)", "年税收", "tax_wan"],
        "年税收",
    ),
];

/// The header written by `fenglai gen registry` (and accepted back).
pub const HEADER: &[&str] = &[
    "统一社会信用代码",
    "企业名称",
    "地区代码",
    "行业代码",
    "注册资本（万元）",
    "成立日期",
    "经营范围",
    "标签",
    "新设分支机构",
    "融资轮次",
    "年产值（万元）",
    "年税收（万元）",
];

/// Where each column sits in a file.
#[derive(Debug, Clone)]
pub struct Layout {
    at: Vec<(Col, usize)>,
}

impl Layout {
    /// Finds the columns in a header row; the credit code, name, region and industry are
    /// required.
    pub fn from_header<'a>(header: impl IntoIterator<Item = &'a str>) -> Result<Layout, String> {
        let mut at = Vec::new();
        for (i, h) in header.into_iter().enumerate() {
            let h = h.trim().trim_start_matches('\u{feff}');
            if let Some((c, _, _)) = COLS.iter().find(|(_, names, _)| names.contains(&h)) {
                if !at.iter().any(|(x, _)| x == c) {
                    at.push((*c, i));
                }
            }
        }
        let missing: Vec<&str> = COLS[..4]
            .iter()
            .filter(|(c, _, _)| !at.iter().any(|(x, _)| x == c))
            .map(|(_, _, n)| *n)
            .collect();
        if !missing.is_empty() {
            return Err(format!("表头缺少必填列：{}", missing.join("、")));
        }
        Ok(Layout { at })
    }

    fn get<'a>(&self, fields: &[&'a str], c: Col) -> &'a str {
        self.at
            .iter()
            .find(|(x, _)| *x == c)
            .and_then(|(_, i)| fields.get(*i))
            .map(|s| s.trim())
            .unwrap_or("")
    }
}

/// A checked row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub industry_code: String,
    pub capital_yuan: i64,
    pub founded: Option<String>,
    pub scope: String,
    pub flags: i64,
    pub new_branches: i64,
    pub financing_rounds: i64,
    pub output_yuan: Option<i64>,
    pub tax_yuan: Option<i64>,
}

fn wan(s: &str, col: &str) -> Result<Option<i64>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    let y = Yuan::parse_with_unit(s, 10_000).map_err(|_| format!("{col}“{s}”不是金额"))?;
    if y.0 < 0 {
        return Err(format!("{col}不能为负"));
    }
    Ok(Some(y.0))
}

fn count(s: &str, col: &str) -> Result<i64, String> {
    if s.is_empty() {
        return Ok(0);
    }
    s.parse::<i64>()
        .ok()
        .filter(|n| (0..=10_000).contains(n))
        .ok_or_else(|| format!("{col}“{s}”应为 0 至 10000 的整数"))
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    matches!((num(0..4), num(5..7), num(8..10)), (Some(y), Some(m), Some(d))
        if (1800..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
}

/// Checks one row's fields (as split by the CSV reader).
pub fn parse_row(layout: &Layout, fields: &[&str]) -> Result<Row, String> {
    let g = |c| layout.get(fields, c);
    let uscc = Uscc::parse(g(Col::Uscc))
        .map_err(|e| format!("统一社会信用代码“{}”不对：{e}", g(Col::Uscc)))?;
    let name = g(Col::Name);
    if name.is_empty() {
        return Err("企业名称为空".into());
    }
    if name.chars().count() > 100 {
        return Err("企业名称过长（最多 100 字）".into());
    }
    let region = g(Col::Region);
    let region_ok = (region.len() == 6 && region.bytes().all(|b| b.is_ascii_digit()))
        || (region.len() == 2 && region.bytes().all(|b| b.is_ascii_uppercase()));
    if !region_ok {
        return Err(format!(
            "地区代码“{region}”不对：应为 6 位行政区划代码或 2 位国家代码（如 JP）"
        ));
    }
    let industry = g(Col::Industry);
    if industry.len() != 4 || !industry.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "行业代码“{industry}”不对：应为 GB/T 4754 的 4 位小类代码"
        ));
    }
    let founded = g(Col::Founded);
    if !founded.is_empty() && !is_date(founded) {
        return Err(format!("成立日期“{founded}”不对：应写作 2015-03-20"));
    }
    let scope = g(Col::Scope);
    if scope.chars().count() > 2000 {
        return Err("经营范围过长（最多 2000 字）".into());
    }
    Ok(Row {
        uscc: uscc.as_str().to_string(),
        name: name.to_string(),
        region_code: region.to_string(),
        industry_code: industry.to_string(),
        capital_yuan: wan(g(Col::Capital), "注册资本")?.unwrap_or(0),
        founded: (!founded.is_empty()).then(|| founded.to_string()),
        scope: scope.to_string(),
        flags: parse_flags(g(Col::Flags))?,
        new_branches: count(g(Col::NewBranches), "新设分支机构")?,
        financing_rounds: count(g(Col::Financing), "融资轮次")?,
        output_yuan: wan(g(Col::Output), "年产值")?,
        tax_yuan: wan(g(Col::Tax), "年税收")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_row_by_its_headers() {
        let l = Layout::from_header(HEADER.iter().copied()).unwrap();
        let r = parse_row(
            &l,
            &[
                "914403001922038216",
                "华为技术有限公司",
                "440300",
                "3922",
                "4104113.182",
                "1987-09-15",
                "通信设备的研发、生产",
                "中国500强|世界500强",
                "2",
                "",
                "",
                "",
            ],
        )
        .unwrap();
        assert_eq!(r.capital_yuan, 41_041_131_820);
        assert_eq!(r.flags, crate::target::GLOBAL500 | crate::target::CHINA500);
        assert_eq!(r.new_branches, 2);
        assert_eq!(r.output_yuan, None);
        // English headers in another order, optional columns absent
        let l = Layout::from_header(["name", "uscc", "industry", "region"]).unwrap();
        let r = parse_row(&l, &["某公司", "914403001922038216", "3841", "JP"]).unwrap();
        assert_eq!(r.region_code, "JP");
        assert_eq!(r.capital_yuan, 0);
    }

    #[test]
    fn names_what_is_wrong() {
        let l = Layout::from_header(HEADER.iter().copied()).unwrap();
        let row = |i: usize, v: &'static str| {
            let mut f = vec![
                "914403001922038216",
                "华为",
                "440300",
                "3922",
                "100",
                "1987-09-15",
                "",
                "",
                "",
                "",
                "",
                "",
            ];
            f[i] = v;
            parse_row(&l, &f).unwrap_err()
        };
        assert!(row(0, "914403001922038217").contains("统一社会信用代码"));
        assert!(row(1, "").contains("企业名称"));
        assert!(row(2, "4403").contains("地区代码"));
        assert!(row(3, "39").contains("行业代码"));
        assert!(row(4, "很多").contains("注册资本"));
        assert!(row(5, "1987/9/15").contains("成立日期"));
        assert!(row(7, "独角兽").contains("标签"));
        assert!(row(8, "-1").contains("新设分支机构"));
        let e = Layout::from_header(["企业名称", "行业代码"]).unwrap_err();
        assert!(
            e.contains("统一社会信用代码") && e.contains("地区代码"),
            "{e}"
        );
    }
}
