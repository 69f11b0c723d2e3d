//! Duplicate detection: blocking keys, a scored comparison with reasons, an in-memory index
//! for one new record, and batch clustering of a whole dataset.
//!
//! A comparison adds up evidence weights (log-odds, in bits, Fellegi–Sunter style but set by
//! hand rather than trained) for each field and turns the sum into a score in 0..1;
//! [`DUPLICATE_THRESHOLD`] decides. Candidates come only from shared blocking keys: the
//! 统一社会信用代码, the core name (字号), and the name key (core + trade) together with
//! every string that key gives when one character is left out (a deletion neighbourhood:
//! two names one edit apart always share one), so a typo still finds its twin while a query
//! looks at a few dozen records, not a million.

use crate::name::CompanyName;
use chrono::NaiveDate;
use fenglai_domain::{IndustryCode, RegionCode, Uscc, Yuan};
use rustc_hash::{FxHashMap, FxHasher};
use std::fmt;
use std::hash::{Hash, Hasher};

/// Score at or above which two records are taken as one company's (or one project's) leads.
pub const DUPLICATE_THRESHOLD: f64 = 0.5;

/// Blocks larger than this are not read: a key that common (a core name shared by thousands)
/// says little, and reading it would cost more than it finds. The other keys still apply.
pub const MAX_BLOCK: usize = 300;

/// What a lead or project says about the company, as far as it is known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub name: String,
    pub uscc: Option<Uscc>,
    /// GB/T 4754 industry (usually 4 digits).
    pub industry: Option<IndustryCode>,
    /// GB/T 2260 region of the project (6 digits).
    pub region: Option<RegionCode>,
    pub amount: Option<Yuan>,
    /// Report or sign date.
    pub date: Option<NaiveDate>,
}

/// A record prepared for comparison: its name parsed, its keys ready.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub id: u64,
    pub name: CompanyName,
    key: Vec<char>,
    core: Vec<char>,
    uscc: Option<Uscc>,
    industry: Option<IndustryCode>,
    region: Option<RegionCode>,
    amount: Option<Yuan>,
    date: Option<NaiveDate>,
}

impl Prepared {
    pub fn new(id: u64, record: &Record) -> Self {
        let name = CompanyName::parse(&record.name);
        Self {
            id,
            key: name.key().chars().collect(),
            core: name.core.chars().collect(),
            name,
            uscc: record.uscc.clone(),
            industry: record.industry.clone(),
            region: record.region.clone(),
            amount: record.amount,
            date: record.date,
        }
    }

    /// The blocking keys, hashed: USCC, core, and the key's deletion neighbourhood.
    pub fn blocking_keys(&self) -> Vec<u64> {
        let mut keys = Vec::with_capacity(self.key.len() + 3);
        if let Some(u) = &self.uscc {
            keys.push(hash_key(b'u', u.as_str().chars()));
        }
        if self.core.len() >= 2 {
            keys.push(hash_key(b'c', self.core.iter().copied()));
        }
        if !self.key.is_empty() {
            keys.push(hash_key(b'd', self.key.iter().copied()));
        }
        if self.key.len() >= 3 {
            for skip in 0..self.key.len() {
                let chars = self
                    .key
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| i != skip)
                    .map(|(_, &c)| c);
                keys.push(hash_key(b'd', chars));
            }
        }
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

fn hash_key(tag: u8, chars: impl Iterator<Item = char>) -> u64 {
    let mut h = FxHasher::default();
    tag.hash(&mut h);
    for c in chars {
        c.hash(&mut h);
    }
    h.finish()
}

/// One piece of evidence in a comparison, shown to the user in Chinese.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    SameUscc,
    DifferentUscc,
    SameName,
    SameCoreDifferentRegion,
    SameCoreDifferentTrade,
    ShortAndFullName,
    NameEdit(u8),
    DifferentName,
    BranchAndParent,
    DifferentBranches,
    SameIndustry,
    SameIndustryDivision,
    DifferentIndustry,
    SameRegion,
    SameCity,
    DifferentRegion,
    SameAmount,
    CloseAmount,
    DifferentAmount,
    CloseDate,
    DistantDate,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Reason::SameUscc => "同一信用代码",
            Reason::DifferentUscc => "信用代码不同",
            Reason::SameName => "名称相同",
            Reason::SameCoreDifferentRegion => "名称核心词相同、地区不同",
            Reason::SameCoreDifferentTrade => "名称核心词相同、行业词不同",
            Reason::ShortAndFullName => "简称与全称",
            Reason::NameEdit(d) => return write!(f, "名称相近（编辑距离{d}）"),
            Reason::DifferentName => "名称不同",
            Reason::BranchAndParent => "分公司与总公司",
            Reason::DifferentBranches => "不同分支机构",
            Reason::SameIndustry => "行业相同",
            Reason::SameIndustryDivision => "行业大类相同",
            Reason::DifferentIndustry => "行业不同",
            Reason::SameRegion => "项目所在地相同",
            Reason::SameCity => "项目在同一地市",
            Reason::DifferentRegion => "项目所在地不同",
            Reason::SameAmount => "投资额相同",
            Reason::CloseAmount => "投资额相近",
            Reason::DifferentAmount => "投资额差异大",
            Reason::CloseDate => "报送日期相近",
            Reason::DistantDate => "报送日期相隔较远",
        };
        f.write_str(s)
    }
}

/// The outcome of comparing two records.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// 0..1; at or above [`DUPLICATE_THRESHOLD`] the two are taken as duplicates.
    pub score: f64,
    /// The evidence, strongest first in the order the fields are weighed.
    pub reasons: Vec<Reason>,
}

impl Verdict {
    pub fn is_duplicate(&self) -> bool {
        self.score >= DUPLICATE_THRESHOLD
    }
}

/// Log-odds (bits) that two records chosen from the blocks are one before any field is read.
const PRIOR: f64 = -6.0;

/// Edit distance between two character strings, capped at `cap + 1`.
fn edit_distance(a: &[char], b: &[char], cap: usize) -> usize {
    if a.len().abs_diff(b.len()) > cap {
        return cap + 1;
    }
    const STACK: usize = 48;
    let (mut prev_buf, mut cur_buf) = ([0usize; STACK], [0usize; STACK]);
    let (mut prev_heap, mut cur_heap);
    let (mut prev, mut cur): (&mut [usize], &mut [usize]) = if b.len() < STACK {
        (&mut prev_buf[..=b.len()], &mut cur_buf[..=b.len()])
    } else {
        prev_heap = vec![0; b.len() + 1];
        cur_heap = vec![0; b.len() + 1];
        (&mut prev_heap[..], &mut cur_heap[..])
    };
    for (j, p) in prev.iter_mut().enumerate() {
        *p = j;
    }
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > cap {
            return cap + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()].min(cap + 1)
}

/// Compares two prepared records.
pub fn compare_prepared(a: &Prepared, b: &Prepared) -> Verdict {
    let mut reasons = Vec::with_capacity(6);
    let w = weigh(a, b, |_, reason| reasons.push(reason));
    Verdict {
        score: score_of(w),
        reasons,
    }
}

/// The score alone, without collecting reasons (what batch clustering needs).
pub fn score_prepared(a: &Prepared, b: &Prepared) -> f64 {
    score_of(weigh(a, b, |_, _| {}))
}

fn score_of(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight * std::f64::consts::LN_2).exp())
}

/// Adds up the evidence weights, telling `note` each piece of evidence.
fn weigh(a: &Prepared, b: &Prepared, mut note: impl FnMut(f64, Reason)) -> f64 {
    let mut w = PRIOR;
    let mut why = |weight: f64, reason: Reason| {
        w += weight;
        note(weight, reason);
    };

    // 统一社会信用代码: decisive either way when both are known.
    match (&a.uscc, &b.uscc) {
        (Some(x), Some(y)) if x == y => why(14.0, Reason::SameUscc),
        (Some(_), Some(_)) => why(-12.0, Reason::DifferentUscc),
        _ => {}
    }

    // The name: key (core + trade), then core alone, then edit distance.
    let (na, nb) = (&a.name, &b.name);
    let regions_differ = matches!((&na.region, &nb.region), (Some(x), Some(y)) if x != y && x != "中国" && y != "中国");
    if !a.core.is_empty() && a.core == b.core {
        let same_trade = na.trade == nb.trade;
        if regions_differ {
            why(
                if same_trade { 2.0 } else { -1.0 },
                Reason::SameCoreDifferentRegion,
            );
        } else if same_trade {
            why(8.0, Reason::SameName);
        } else if na.trade.is_empty() || nb.trade.is_empty() {
            why(6.0, Reason::ShortAndFullName);
        } else {
            why(2.0, Reason::SameCoreDifferentTrade);
        }
    } else {
        let longer = a.key.len().max(b.key.len());
        let cap = if longer >= 5 { 2 } else { 1 };
        match edit_distance(&a.key, &b.key, cap) {
            0 => why(6.0, Reason::ShortAndFullName), // same key, cores split differently
            1 if longer >= 4 => why(
                4.0 - if regions_differ { 5.0 } else { 0.0 },
                Reason::NameEdit(1),
            ),
            1 => why(
                2.0 - if regions_differ { 5.0 } else { 0.0 },
                Reason::NameEdit(1),
            ),
            2 => why(
                1.0 - if regions_differ { 5.0 } else { 0.0 },
                Reason::NameEdit(2),
            ),
            _ => why(-8.0, Reason::DifferentName),
        }
    }

    // Branch and parent are two entities; two different branches too.
    match (&na.branch, &nb.branch) {
        (Some(x), Some(y)) if x != y => why(-8.0, Reason::DifferentBranches),
        (Some(_), None) | (None, Some(_)) => why(-8.0, Reason::BranchAndParent),
        _ => {}
    }

    // Industry: same class, same division, or apart.
    if let (Some(x), Some(y)) = (&a.industry, &b.industry) {
        let (x, y) = (x.as_str(), y.as_str());
        if x == y {
            why(2.0, Reason::SameIndustry);
        } else if x.len() >= 2 && y.len() >= 2 && x[..2] == y[..2] {
            why(1.0, Reason::SameIndustryDivision);
        } else {
            why(-2.0, Reason::DifferentIndustry);
        }
    }

    // Region of the project: same county, same city, or elsewhere.
    if let (Some(x), Some(y)) = (&a.region, &b.region) {
        let (x, y) = (x.as_str(), y.as_str());
        if x == y {
            why(2.0, Reason::SameRegion);
        } else if x[..4] == y[..4] {
            why(1.0, Reason::SameCity);
        } else {
            why(-3.0, Reason::DifferentRegion);
        }
    }

    // Amount: the same project is reported with about the same figure.
    if let (Some(Yuan(x)), Some(Yuan(y))) = (a.amount, b.amount) {
        let (lo, hi) = (x.min(y) as f64, x.max(y) as f64);
        if hi > 0.0 {
            let ratio = lo / hi;
            if x == y {
                why(2.5, Reason::SameAmount);
            } else if ratio >= 0.7 {
                why(1.0, Reason::CloseAmount);
            } else if ratio < 0.3 {
                why(-1.5, Reason::DifferentAmount);
            }
        }
    }

    // Date: reports of one lead come close together.
    if let (Some(x), Some(y)) = (a.date, b.date) {
        let days = (x - y).num_days().abs();
        if days <= 30 {
            why(1.0, Reason::CloseDate);
        } else if days > 365 {
            why(-1.0, Reason::DistantDate);
        }
    }

    w
}

/// Compares two records (parsing both names).
pub fn compare(a: &Record, b: &Record) -> Verdict {
    compare_prepared(&Prepared::new(0, a), &Prepared::new(1, b))
}

/// A record found by [`Index::find`].
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: u64,
    pub verdict: Verdict,
}

/// Records kept in memory with their blocking keys, to find the duplicates of one new record.
#[derive(Debug, Default)]
pub struct Index {
    entries: Vec<Prepared>,
    postings: FxHashMap<u64, Vec<u32>>,
}

impl Index {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds a record under the caller's id (a lead or project id).
    pub fn insert(&mut self, id: u64, record: &Record) {
        self.insert_prepared(Prepared::new(id, record));
    }

    pub fn insert_prepared(&mut self, entry: Prepared) {
        let pos = u32::try_from(self.entries.len()).expect("fewer than 2^32 records");
        for key in entry.blocking_keys() {
            self.postings.entry(key).or_default().push(pos);
        }
        self.entries.push(entry);
    }

    /// Positions of the records sharing a block with `entry`, each once, ascending.
    fn candidates(&self, entry: &Prepared) -> Vec<u32> {
        let mut out = Vec::new();
        for key in entry.blocking_keys() {
            if let Some(list) = self.postings.get(&key) {
                if list.len() <= MAX_BLOCK {
                    out.extend_from_slice(list);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The records scoring at least `min_score` against `record`, best first.
    pub fn find(&self, record: &Record, min_score: f64) -> Vec<Candidate> {
        self.find_prepared(&Prepared::new(u64::MAX, record), min_score)
    }

    pub fn find_prepared(&self, entry: &Prepared, min_score: f64) -> Vec<Candidate> {
        let mut found: Vec<Candidate> = self
            .candidates(entry)
            .into_iter()
            .map(|pos| &self.entries[pos as usize])
            .filter_map(|other| {
                let verdict = compare_prepared(entry, other);
                (verdict.score >= min_score).then_some(Candidate {
                    id: other.id,
                    verdict,
                })
            })
            .collect();
        found.sort_by(|x, y| y.verdict.score.total_cmp(&x.verdict.score));
        found
    }
}

/// Union–find over record positions.
struct Groups(Vec<u32>);

impl Groups {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let parent = self.0[x as usize];
            self.0[x as usize] = self.0[parent as usize];
            x = parent;
        }
        x
    }
    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            self.0[hi as usize] = lo;
        }
    }
}

/// Clusters a whole dataset into duplicate groups: every pair sharing a block is compared
/// once, pairs at or above `threshold` are joined, and the groups are the connected sets.
/// Returns, for each record in order, the position of the first record of its group (so a
/// record that is in no group gets its own position). Uses every available core.
pub fn cluster(records: &[Record], threshold: f64) -> Vec<u32> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = records.len().div_ceil(threads).max(1);
    let entries: Vec<Prepared> = std::thread::scope(|s| {
        let handles: Vec<_> = records
            .chunks(chunk)
            .enumerate()
            .map(|(c, part)| {
                s.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(i, r)| Prepared::new((c * chunk + i) as u64, r))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("parse thread"))
            .collect()
    });
    let mut index = Index::new();
    for e in entries {
        index.insert_prepared(e);
    }
    let index = &index;
    // Each record is compared with the candidates before it; the pairs found are joined after.
    let pairs: Vec<(u32, u32)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut pairs = Vec::new();
                    let mut i = t;
                    while i < index.entries.len() {
                        let entry = &index.entries[i];
                        for pos in index.candidates(entry) {
                            if pos as usize >= i {
                                break;
                            }
                            let other = &index.entries[pos as usize];
                            if score_prepared(entry, other) >= threshold {
                                pairs.push((pos, i as u32));
                            }
                        }
                        i += threads;
                    }
                    pairs
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("compare thread"))
            .collect()
    });
    let mut groups = Groups((0..records.len() as u32).collect());
    for (a, b) in pairs {
        groups.union(a, b);
    }
    (0..records.len() as u32).map(|i| groups.find(i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(name: &str) -> Record {
        Record {
            name: name.into(),
            ..Record::default()
        }
    }

    fn full(name: &str, uscc: Option<&str>, industry: &str, region: &str, wan: i64) -> Record {
        Record {
            name: name.into(),
            uscc: uscc.map(|u| Uscc::parse(u).unwrap()),
            industry: Some(IndustryCode::parse(industry).unwrap()),
            region: Some(RegionCode::parse(region).unwrap()),
            amount: Some(Yuan(wan * 10_000)),
            date: NaiveDate::from_ymd_opt(2024, 3, 15),
        }
    }

    #[test]
    fn edit_distance_is_capped() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(edit_distance(&c("华芯科技"), &c("华新科技"), 2), 1);
        assert_eq!(edit_distance(&c("华芯科技"), &c("华芯科技"), 2), 0);
        assert_eq!(edit_distance(&c("华芯科技"), &c("芯科技"), 2), 1);
        assert_eq!(edit_distance(&c("华芯科技"), &c("远景能源集团"), 2), 3);
    }

    #[test]
    fn same_uscc_is_a_duplicate_whatever_the_name() {
        let a = full(
            "华为技术有限公司",
            Some("914403001922038216"),
            "3921",
            "440305",
            1000,
        );
        let b = full(
            "华为公司",
            Some("914403001922038216"),
            "3921",
            "440305",
            1000,
        );
        let v = compare(&a, &b);
        assert!(v.is_duplicate(), "{v:?}");
        assert_eq!(v.reasons[0], Reason::SameUscc);
        assert_eq!(v.reasons[0].to_string(), "同一信用代码");
    }

    #[test]
    fn written_forms_of_one_name_are_duplicates() {
        let a = full("苏州华芯科技有限公司", None, "3973", "320505", 5000);
        for other in [
            "华芯科技(苏州)有限公司",
            "華芯科技（蘇州）有限責任公司",
            "苏州华芯科技股份有限公司",
            "\u{3000}苏州华芯科技有限公司\u{3000}",
            "苏州 华芯 科技 有限公司",
            "苏州华芯科技",
            "苏州华新科技有限公司",
        ] {
            let b = full(other, None, "3973", "320505", 5000);
            let v = compare(&a, &b);
            assert!(v.is_duplicate(), "{other}: {v:?}");
        }
    }

    #[test]
    fn reasons_read_in_chinese() {
        let v = compare(&rec("苏州华芯科技有限公司"), &rec("无锡华芯科技有限公司"));
        assert!(v.reasons.contains(&Reason::SameCoreDifferentRegion));
        assert!(!v.is_duplicate());
        assert_eq!(
            Reason::SameCoreDifferentRegion.to_string(),
            "名称核心词相同、地区不同"
        );
        assert_eq!(Reason::NameEdit(1).to_string(), "名称相近（编辑距离1）");
    }

    #[test]
    fn different_companies_are_not() {
        let a = full(
            "苏州华芯科技有限公司",
            Some("914403001922038216"),
            "3973",
            "320505",
            5000,
        );
        let b = full("苏州远景能源有限公司", None, "4415", "320505", 5000);
        assert!(!compare(&a, &b).is_duplicate());
        let c = full(
            "苏州华芯科技有限公司",
            Some("91440300708461136T"),
            "3973",
            "320505",
            5000,
        );
        let v = compare(&a, &c);
        assert!(v.reasons.contains(&Reason::DifferentUscc));
        assert!(!v.is_duplicate());
    }

    #[test]
    fn a_branch_is_not_its_parent() {
        let v = compare(&rec("华芯科技有限公司"), &rec("华芯科技有限公司苏州分公司"));
        assert!(v.reasons.contains(&Reason::BranchAndParent));
        assert!(!v.is_duplicate());
    }

    #[test]
    fn index_finds_variants_and_cluster_groups_them() {
        let names = [
            "苏州华芯科技有限公司",
            "无锡远景能源有限公司",
            "华芯科技(苏州)有限公司",
            "杭州恒瑞医药股份有限公司",
            "苏州华新科技有限公司",
            "恒瑞医药(杭州)有限公司",
        ];
        let records: Vec<Record> = names
            .iter()
            .map(|n| full(n, None, "3973", "320505", 5000))
            .collect();
        let mut index = Index::new();
        for (i, r) in records.iter().enumerate() {
            index.insert(i as u64, r);
        }
        let found = index.find(
            &full("華芯科技（蘇州）有限公司", None, "3973", "320505", 5000),
            0.5,
        );
        let ids: Vec<u64> = found.iter().map(|c| c.id).collect();
        assert!(ids.contains(&0) && ids.contains(&2), "{found:?}");
        let groups = cluster(&records, DUPLICATE_THRESHOLD);
        assert_eq!(groups[0], groups[2]);
        assert_eq!(groups[3], groups[5]);
        assert_ne!(groups[0], groups[1]);
        assert_ne!(groups[0], groups[3]);
    }
}
