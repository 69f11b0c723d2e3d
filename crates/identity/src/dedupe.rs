//! Duplicate detection: blocking keys, a scored comparison with reasons, an in-memory index
//! for one new record, and batch clustering of a whole dataset.
//!
//! A comparison adds up evidence weights (log-odds, in bits, Fellegi–Sunter style but set by
//! hand rather than trained) for each field and turns the sum into a score in 0..1;
//! [`DUPLICATE_THRESHOLD`] decides. Candidates come only from shared blocking keys: the
//! 统一社会信用代码, the core name (字号), and the name key (core + trade) together with
//! every string that key gives when one character is left out (a deletion neighbourhood:
//! two names one edit apart always share one), so a typo still finds its twin while a query
//! looks at a few dozen records, not a million. A block of more than [`BIG_BLOCK`] records
//! (a popular core, or a deletion key such as 华?科技) is read only for the records that also
//! share the project's city or the industry division.

use crate::name::CompanyName;
use chrono::{Datelike, NaiveDate};
use fenglai_domain::{IndustryCode, RegionCode, Uscc, Yuan};
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use std::fmt;
use std::hash::{Hash, Hasher};

/// Score at or above which two records are taken as one company's (or one project's) leads.
pub const DUPLICATE_THRESHOLD: f64 = 0.5;

/// Blocks larger than this are read only for records that also share a second key: the
/// project's city (the first four digits of the region code) or the industry division (the
/// first two digits of the industry code). A key that common (a popular core such as 华芯, or
/// the deletion key 华?科技) says little by itself; two reports of one company that share
/// only such a key almost always agree on the place or the industry of the project, while
/// comparing every pair in the block would cost its size squared.
pub const BIG_BLOCK: usize = 64;

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
    /// Core and trade, as characters; the core is the first `core_len` of them.
    key: Vec<char>,
    core_len: usize,
    uscc: Option<Uscc>,
    names: NameHashes,
    /// Industry, region, amount and date live here only, in compact form.
    fast: Fast,
}

/// Hashes of the name's parts, so that most comparisons read no string: two different
/// hashes mean two different strings, and the strings are read only when the hashes agree.
#[derive(Debug, Clone, Copy, Default)]
struct NameHashes {
    /// The name's region; 0 for none.
    region: u64,
    /// The name's region is 中国 (no region at all for comparison).
    region_cn: bool,
    core: u64,
    trade: u64,
}

/// The fields other than the name, in 48 bytes: what batch clustering reads for most pairs,
/// kept side by side for all records so that a block's records are a few cache lines.
/// USCC and branch are hashes (0 for none); the rest are exact.
#[derive(Debug, Clone, Copy, Default)]
struct Fast {
    uscc: u64,
    branch: u64,
    amount: Option<i64>,
    /// Days from the common era.
    date: Option<i32>,
    /// The industry code's ASCII bytes, big-endian, zero-padded; 0 for none.
    industry: u32,
    /// The region code as a number; [`NO_REGION`] for none.
    region: u32,
}

const NO_REGION: u32 = u32::MAX;

/// A hash never 0, for a value that is present.
fn present(h: u64) -> u64 {
    h | 1
}

impl NameHashes {
    fn new(name: &CompanyName) -> Self {
        Self {
            region: name.region.as_deref().map_or(0, |r| present(hash_str(r))),
            region_cn: name.region.as_deref() == Some("中国"),
            core: hash_str(&name.core),
            trade: hash_str(&name.trade),
        }
    }
}

impl Fast {
    fn new(name: &CompanyName, record: &Record) -> Self {
        let industry = record.industry.as_ref().map_or(0, |code| {
            let mut b = [0u8; 4];
            for (slot, byte) in b.iter_mut().zip(code.as_str().bytes()) {
                *slot = byte;
            }
            u32::from_be_bytes(b)
        });
        let region = record
            .region
            .as_ref()
            .and_then(|r| r.as_str().parse::<u32>().ok())
            .unwrap_or(NO_REGION);
        Self {
            uscc: record
                .uscc
                .as_ref()
                .map_or(0, |u| present(hash_str(u.as_str()))),
            branch: name.branch.as_deref().map_or(0, |b| present(hash_str(b))),
            amount: record.amount.map(|Yuan(y)| y),
            date: record.date.map(|d| d.num_days_from_ce()),
            industry,
            region,
        }
    }

    /// The project's city (region code without the county digits), if known.
    fn city(&self) -> Option<u32> {
        (self.region != NO_REGION).then_some(self.region / 100)
    }

    /// The industry division (the first two digits), if the code has one.
    fn division(&self) -> Option<u32> {
        (self.industry & 0x00ff_0000 != 0).then_some(self.industry >> 16)
    }

    /// Whether two records share the project's city or the industry division: what a pair in
    /// a block larger than [`BIG_BLOCK`] needs to be compared.
    fn near(&self, other: &Fast) -> bool {
        matches!((self.city(), other.city()), (Some(x), Some(y)) if x == y)
            || matches!((self.division(), other.division()), (Some(x), Some(y)) if x == y)
    }

    /// The most two records can weigh, from these fields alone: their weights, with equal
    /// USCC or branch hashes taken as equal values, plus the most a name adds. A pair below
    /// the threshold here is below it by the full comparison too.
    fn bound(&self, other: &Fast) -> f64 {
        let mut w = PRIOR + MAX_NAME_WEIGHT;
        if self.uscc != 0 && other.uscc != 0 {
            w += if self.uscc == other.uscc { 14.0 } else { -12.0 };
        }
        if self.branch != other.branch {
            w -= 8.0;
        }
        for part in [
            weigh_industry(self, other),
            weigh_region(self, other),
            weigh_amount(self, other),
            weigh_date(self, other),
        ]
        .into_iter()
        .flatten()
        {
            w += part.0;
        }
        w
    }
}

fn hash_str(s: &str) -> u64 {
    let mut h = FxHasher::default();
    s.hash(&mut h);
    h.finish()
}

impl Prepared {
    pub fn new(id: u64, record: &Record) -> Self {
        let name = CompanyName::parse(&record.name);
        Self {
            id,
            key: name.core.chars().chain(name.trade.chars()).collect(),
            core_len: name.core.chars().count(),
            fast: Fast::new(&name, record),
            names: NameHashes::new(&name),
            name,
            uscc: record.uscc.clone(),
        }
    }

    fn core(&self) -> &[char] {
        &self.key[..self.core_len]
    }

    /// The blocking keys, hashed: USCC, core, and the key's deletion neighbourhood.
    pub fn blocking_keys(&self) -> Vec<u64> {
        let mut keys = Vec::with_capacity(self.key.len() + 3);
        self.push_blocking_keys(&mut keys);
        keys
    }

    /// Appends the blocking keys, sorted and each once, to `keys`.
    fn push_blocking_keys(&self, keys: &mut Vec<u64>) {
        let from = keys.len();
        if let Some(u) = &self.uscc {
            keys.push(hash_key(b'u', u.as_str().chars()));
        }
        if self.core().len() >= 2 {
            keys.push(hash_key(b'c', self.core().iter().copied()));
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
        keys[from..].sort_unstable();
        let mut last = from;
        for i in from..keys.len() {
            if i == from || keys[i] != keys[last - 1] {
                keys[last] = keys[i];
                last += 1;
            }
        }
        keys.truncate(last);
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

/// The largest weight the name can add ([`Reason::SameName`]).
const MAX_NAME_WEIGHT: f64 = 8.0;

/// The weight below which a pair cannot reach `threshold`, less a margin for rounding, so
/// that a pair rejected by it would also be rejected by the score.
fn weight_floor(threshold: f64) -> f64 {
    if threshold <= 0.0 {
        f64::NEG_INFINITY
    } else if threshold >= 1.0 {
        f64::INFINITY
    } else {
        (threshold / (1.0 - threshold)).log2() - 1e-6
    }
}

/// Whether `a` and `b` score at least `threshold`, with `floor` = [`weight_floor`] of it.
/// The fields that cost nothing are weighed first and the name (an edit distance) only
/// when the name could still lift the pair over the threshold. The weights are multiples of
/// 0.5, so their sum does not depend on the order.
fn is_match(a: &Prepared, b: &Prepared, threshold: f64, floor: f64) -> bool {
    let mut w = PRIOR;
    for part in [
        weigh_uscc(a, b),
        weigh_branch(a, b),
        weigh_industry(&a.fast, &b.fast),
        weigh_region(&a.fast, &b.fast),
        weigh_amount(&a.fast, &b.fast),
        weigh_date(&a.fast, &b.fast),
    ]
    .into_iter()
    .flatten()
    {
        w += part.0;
    }
    if w + MAX_NAME_WEIGHT < floor {
        return false;
    }
    w += weigh_name(a, b).0;
    score_of(w) >= threshold
}

/// Adds up the evidence weights, telling `note` each piece of evidence.
fn weigh(a: &Prepared, b: &Prepared, mut note: impl FnMut(f64, Reason)) -> f64 {
    let mut w = PRIOR;
    let mut why = |(weight, reason): (f64, Reason)| {
        w += weight;
        note(weight, reason);
    };
    weigh_uscc(a, b).map(&mut why);
    why(weigh_name(a, b));
    weigh_branch(a, b).map(&mut why);
    weigh_industry(&a.fast, &b.fast).map(&mut why);
    weigh_region(&a.fast, &b.fast).map(&mut why);
    weigh_amount(&a.fast, &b.fast).map(&mut why);
    weigh_date(&a.fast, &b.fast).map(&mut why);
    w
}

/// Two strings known by their hashes: equal only if the hashes are, and then read.
fn same(ha: u64, hb: u64, a: &str, b: &str) -> bool {
    ha == hb && a == b
}

/// 统一社会信用代码: decisive either way when both are known.
fn weigh_uscc(a: &Prepared, b: &Prepared) -> Option<(f64, Reason)> {
    match (&a.uscc, &b.uscc) {
        (Some(x), Some(y)) if same(a.fast.uscc, b.fast.uscc, x.as_str(), y.as_str()) => {
            Some((14.0, Reason::SameUscc))
        }
        (Some(_), Some(_)) => Some((-12.0, Reason::DifferentUscc)),
        _ => None,
    }
}

/// The name: key (core + trade), then core alone, then edit distance.
fn weigh_name(a: &Prepared, b: &Prepared) -> (f64, Reason) {
    let (na, nb) = (&a.name, &b.name);
    let (fa, fb) = (&a.names, &b.names);
    let regions_differ = fa.region != 0
        && fb.region != 0
        && !fa.region_cn
        && !fb.region_cn
        && !same(
            fa.region,
            fb.region,
            na.region.as_deref().unwrap_or_default(),
            nb.region.as_deref().unwrap_or_default(),
        );
    if !a.core().is_empty() && fa.core == fb.core && a.core() == b.core() {
        let same_trade = same(fa.trade, fb.trade, &na.trade, &nb.trade);
        if regions_differ {
            (
                if same_trade { 2.0 } else { -1.0 },
                Reason::SameCoreDifferentRegion,
            )
        } else if same_trade {
            (8.0, Reason::SameName)
        } else if na.trade.is_empty() || nb.trade.is_empty() {
            (6.0, Reason::ShortAndFullName)
        } else {
            (2.0, Reason::SameCoreDifferentTrade)
        }
    } else {
        let longer = a.key.len().max(b.key.len());
        let cap = if longer >= 5 { 2 } else { 1 };
        let apart = if regions_differ { 5.0 } else { 0.0 };
        match edit_distance(&a.key, &b.key, cap) {
            0 => (6.0, Reason::ShortAndFullName), // same key, cores split differently
            1 if longer >= 4 => (4.0 - apart, Reason::NameEdit(1)),
            1 => (2.0 - apart, Reason::NameEdit(1)),
            2 => (1.0 - apart, Reason::NameEdit(2)),
            _ => (-8.0, Reason::DifferentName),
        }
    }
}

/// Branch and parent are two entities; two different branches too.
fn weigh_branch(a: &Prepared, b: &Prepared) -> Option<(f64, Reason)> {
    match (&a.name.branch, &b.name.branch) {
        (Some(x), Some(y)) if !same(a.fast.branch, b.fast.branch, x, y) => {
            Some((-8.0, Reason::DifferentBranches))
        }
        (Some(_), None) | (None, Some(_)) => Some((-8.0, Reason::BranchAndParent)),
        _ => None,
    }
}

/// Industry: same class, same division, or apart.
fn weigh_industry(a: &Fast, b: &Fast) -> Option<(f64, Reason)> {
    let (x, y) = (a.industry, b.industry);
    if x == 0 || y == 0 {
        None
    } else if x == y {
        Some((2.0, Reason::SameIndustry))
    } else if matches!((a.division(), b.division()), (Some(p), Some(q)) if p == q) {
        Some((1.0, Reason::SameIndustryDivision))
    } else {
        Some((-2.0, Reason::DifferentIndustry))
    }
}

/// Region of the project: same county, same city, or elsewhere.
fn weigh_region(a: &Fast, b: &Fast) -> Option<(f64, Reason)> {
    let (x, y) = (a.region, b.region);
    if x == NO_REGION || y == NO_REGION {
        None
    } else if x == y {
        Some((2.0, Reason::SameRegion))
    } else if x / 100 == y / 100 {
        Some((1.0, Reason::SameCity))
    } else {
        Some((-3.0, Reason::DifferentRegion))
    }
}

/// Amount: the same project is reported with about the same figure.
fn weigh_amount(a: &Fast, b: &Fast) -> Option<(f64, Reason)> {
    let (x, y) = (a.amount?, b.amount?);
    let (lo, hi) = (x.min(y) as f64, x.max(y) as f64);
    if hi <= 0.0 {
        return None;
    }
    let ratio = lo / hi;
    if x == y {
        Some((2.5, Reason::SameAmount))
    } else if ratio >= 0.7 {
        Some((1.0, Reason::CloseAmount))
    } else if ratio < 0.3 {
        Some((-1.5, Reason::DifferentAmount))
    } else {
        None
    }
}

/// Date: reports of one lead come close together.
fn weigh_date(a: &Fast, b: &Fast) -> Option<(f64, Reason)> {
    let days = (i64::from(a.date?) - i64::from(b.date?)).abs();
    if days <= 30 {
        Some((1.0, Reason::CloseDate))
    } else if days > 365 {
        Some((-1.0, Reason::DistantDate))
    } else {
        None
    }
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

    /// Positions of the records sharing a block with `entry`, each once, ascending; in a
    /// block larger than [`BIG_BLOCK`], only those that also share the project's city or the
    /// industry division with `entry`.
    fn candidates(&self, entry: &Prepared) -> Vec<u32> {
        let mut out = Vec::new();
        for key in entry.blocking_keys() {
            if let Some(list) = self.postings.get(&key) {
                if list.len() <= BIG_BLOCK {
                    out.extend_from_slice(list);
                } else {
                    out.extend(
                        list.iter()
                            .filter(|&&pos| entry.fast.near(&self.entries[pos as usize].fast)),
                    );
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
/// once (in a block larger than [`BIG_BLOCK`], every pair that also shares the project's
/// city or the industry division), pairs at or above `threshold` are joined, and the groups
/// are the connected sets. Returns, for each record in order, the position of the first
/// record of its group (so a record that is in no group gets its own position). Uses every
/// available core.
///
/// The work goes block by block rather than record by record: the (key, record) pairs are
/// sorted into blocks, and a pair of records sharing several keys is compared only under
/// the first of them that covers it, so no candidate list is merged and no pair is scored
/// twice.
pub fn cluster(records: &[Record], threshold: f64) -> Vec<u32> {
    let n = records.len();
    assert!(u32::try_from(n).is_ok(), "fewer than 2^32 records");
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let chunk = n.div_ceil(threads).max(1);

    // 1. Parse every name and list its keys, each thread a slice of the records, each
    //    (key, record) pair dropped into one of BUCKETS by the key's top bits.
    let parts: Vec<Part> = std::thread::scope(|s| {
        let handles: Vec<_> = records
            .chunks(chunk)
            .enumerate()
            .map(|(c, part)| s.spawn(move || Part::build(part, c * chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("parse thread"))
            .collect()
    });
    let mut entries = Vec::with_capacity(n);
    let mut keys = Vec::new();
    let mut key_at = Vec::with_capacity(n + 1);
    key_at.push(0u32);
    let mut bucket_parts: Vec<Vec<Vec<(u64, u32)>>> = (0..BUCKETS).map(|_| Vec::new()).collect();
    for part in parts {
        let base = keys.len() as u32;
        key_at.extend(part.key_ends.iter().map(|&e| base + e));
        keys.extend(part.keys);
        entries.extend(part.entries);
        for (b, list) in part.buckets.into_iter().enumerate() {
            bucket_parts[b].push(list);
        }
    }
    let slots: Vec<Slot> = entries
        .iter()
        .zip(key_at.windows(2))
        .map(|(e, at)| Slot {
            fast: e.fast,
            keys_from: at[0],
            keys_len: at[1] - at[0],
        })
        .collect();
    drop(key_at);
    let data = Data {
        entries: &entries,
        slots: &slots,
        keys: &keys,
    };

    // 2. Sort each bucket into blocks and note the big keys.
    let bucket_parts = std::sync::Mutex::new(bucket_parts);
    let sorted: Vec<(usize, Vec<KeyOf>, Vec<u64>)> = parallel(threads, BUCKETS, |b| {
        let lists = std::mem::take(&mut bucket_parts.lock().expect("buckets")[b]);
        let mut list: Vec<(u64, u32)> = Vec::with_capacity(lists.iter().map(Vec::len).sum());
        for l in lists {
            list.extend(l);
        }
        list.sort_unstable();
        let big = blocks(&list)
            .filter(|block| block.len() > BIG_BLOCK)
            .map(|block| block[0].0)
            .collect();
        (b, list, big)
    });
    let big: FxHashSet<u64> = sorted
        .iter()
        .flat_map(|(_, _, big)| big.iter().copied())
        .collect();
    let mut buckets: Vec<Vec<(u64, u32)>> = (0..BUCKETS).map(|_| Vec::new()).collect();
    for (b, list, _) in sorted {
        buckets[b] = list;
    }

    // 3. Compare block by block.
    let floor = weight_floor(threshold);
    let (buckets, big) = (&buckets, &big);
    let found: Vec<Vec<(u32, u32)>> = parallel(threads, BUCKETS, |b| {
        let mut pairs = Vec::new();
        let mut members = Vec::new();
        // Most keys (deletions of a rare name) are one record's only: nothing to compare.
        for block in blocks(&buckets[b]).filter(|block| block.len() > 1) {
            data.compare_block(block, big, threshold, floor, &mut members, &mut pairs);
        }
        pairs
    });
    let mut groups = Groups((0..n as u32).collect());
    for (a, b) in found.into_iter().flatten() {
        groups.union(a, b);
    }
    (0..n as u32).map(|i| groups.find(i)).collect()
}

/// A blocking key and the position of a record that has it.
type KeyOf = (u64, u32);

/// How many buckets the (key, record) pairs are spread over, for the threads to share.
const BUCKETS: usize = 64;

/// One thread's slice of the records, parsed and keyed.
struct Part {
    entries: Vec<Prepared>,
    keys: Vec<u64>,
    /// Where each record's keys end in `keys`.
    key_ends: Vec<u32>,
    buckets: Vec<Vec<(u64, u32)>>,
}

impl Part {
    fn build(records: &[Record], first: usize) -> Self {
        let mut part = Part {
            entries: Vec::with_capacity(records.len()),
            keys: Vec::with_capacity(records.len() * 8),
            key_ends: Vec::with_capacity(records.len()),
            buckets: (0..BUCKETS)
                .map(|_| Vec::with_capacity(records.len() * 8 / BUCKETS))
                .collect(),
        };
        for (i, record) in records.iter().enumerate() {
            let pos = (first + i) as u32;
            let entry = Prepared::new(u64::from(pos), record);
            let from = part.keys.len();
            entry.push_blocking_keys(&mut part.keys);
            for &key in &part.keys[from..] {
                part.buckets[bucket_of(key)].push((key, pos));
            }
            part.key_ends.push(part.keys.len() as u32);
            part.entries.push(entry);
        }
        part
    }
}

fn bucket_of(key: u64) -> usize {
    (key >> (64 - BUCKETS.trailing_zeros())) as usize
}

/// The runs of one key in a sorted list of (key, record) pairs.
fn blocks(list: &[(u64, u32)]) -> impl Iterator<Item = &[(u64, u32)]> {
    list.chunk_by(|x, y| x.0 == y.0)
}

/// Runs `work` for 0..count on `threads` threads, each taking the next number when done.
fn parallel<T: Send>(threads: usize, count: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (next, work) = (&next, &work);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= count {
                            break out;
                        }
                        out.push(work(i));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker thread"))
            .collect()
    })
}

/// What `cluster` reads of a record for most pairs: its [`Fast`] fields and where its
/// sorted keys are.
#[derive(Clone, Copy)]
struct Slot {
    fast: Fast,
    keys_from: u32,
    keys_len: u32,
}

/// A block's record in `cluster`: its position, its slot, and the second key it is grouped
/// by in a big block.
struct Member {
    sub: u32,
    pos: u32,
    slot: Slot,
}

/// The parsed records and their sorted keys, as `cluster` shares them between threads.
#[derive(Clone, Copy)]
struct Data<'a> {
    entries: &'a [Prepared],
    /// The entries' slots side by side.
    slots: &'a [Slot],
    keys: &'a [u64],
}

impl Data<'_> {
    fn keys_of(&self, slot: &Slot) -> &[u64] {
        let from = slot.keys_from as usize;
        &self.keys[from..from + slot.keys_len as usize]
    }

    /// Compares the pairs of one block that it covers, pushing those that match. The
    /// members' [`Fast`] fields are copied side by side first, so that the pairs, most of
    /// which they reject, read no other memory.
    fn compare_block(
        &self,
        block: &[(u64, u32)],
        big: &FxHashSet<u64>,
        threshold: f64,
        floor: f64,
        members: &mut Vec<Member>,
        pairs: &mut Vec<(u32, u32)>,
    ) {
        let key = block[0].0;
        let mut visit = |a: &Member, b: &Member| {
            if a.slot.fast.bound(&b.slot.fast) >= floor && self.first_cover(a, b, key, big) {
                let (ea, eb) = (&self.entries[a.pos as usize], &self.entries[b.pos as usize]);
                if is_match(ea, eb, threshold, floor) {
                    pairs.push((a.pos.min(b.pos), a.pos.max(b.pos)));
                }
            }
        };
        members.clear();
        if block.len() <= BIG_BLOCK {
            members.extend(block.iter().map(|&(_, pos)| Member {
                sub: 0,
                pos,
                slot: self.slots[pos as usize],
            }));
            for (i, a) in members.iter().enumerate() {
                for b in &members[i + 1..] {
                    visit(a, b);
                }
            }
            return;
        }
        // A big block: the pairs within one city, then those within one industry division
        // that are not in one city.
        for by_city in [true, false] {
            members.clear();
            members.extend(block.iter().filter_map(|&(_, pos)| {
                let slot = self.slots[pos as usize];
                if by_city {
                    slot.fast.city()
                } else {
                    slot.fast.division()
                }
                .map(|sub| Member { sub, pos, slot })
            }));
            members.sort_unstable_by_key(|m| (m.sub, m.pos));
            for run in members.chunk_by(|x, y| x.sub == y.sub) {
                for (i, a) in run.iter().enumerate() {
                    for b in &run[i + 1..] {
                        let same_city = matches!(a.slot.fast.city(),
                            Some(c) if Some(c) == b.slot.fast.city());
                        if by_city || !same_city {
                            visit(a, b);
                        }
                    }
                }
            }
        }
    }

    /// Whether `key` is the first key shared by `a` and `b` under which the pair is compared:
    /// any shared key does for a pair near each other (same city or division), and only a
    /// key of a small block for the others.
    fn first_cover(&self, a: &Member, b: &Member, key: u64, big: &FxHashSet<u64>) -> bool {
        let (ka, kb) = (self.keys_of(&a.slot), self.keys_of(&b.slot));
        let mut near = None;
        let (mut i, mut j) = (0, 0);
        while i < ka.len() && j < kb.len() {
            let (x, y) = (ka[i], kb[j]);
            if x >= key || y >= key {
                return true;
            }
            if x < y {
                i += 1;
            } else if y < x {
                j += 1;
            } else {
                let covers = !big.contains(&x)
                    || *near.get_or_insert_with(|| a.slot.fast.near(&b.slot.fast));
                if covers {
                    return false;
                }
                i += 1;
                j += 1;
            }
        }
        true
    }
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

    /// Records from a small alphabet of cores, cities and industries, so that many share a
    /// block and some blocks are larger than [`BIG_BLOCK`].
    fn crowded(n: usize, seed: u64) -> Vec<Record> {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};
        let mut rng = StdRng::seed_from_u64(seed);
        let cores = ["华芯", "华新", "华信", "恒瑞", "恒锐", "远景"];
        let trades = ["科技", "电子", "电子科技", ""];
        let cities = ["苏州", "无锡", "杭州", ""];
        let regions = ["320505", "320506", "320211", "330106"];
        let industries = ["3973", "3971", "3921", "6520"];
        (0..n)
            .map(|_| {
                let pick = |rng: &mut StdRng, xs: &[&'static str]| xs[rng.gen_range(0..xs.len())];
                let name = format!(
                    "{}{}{}有限公司",
                    pick(&mut rng, &cities),
                    pick(&mut rng, &cores),
                    pick(&mut rng, &trades)
                );
                Record {
                    name,
                    uscc: None,
                    industry: rng
                        .gen_bool(0.9)
                        .then(|| IndustryCode::parse(pick(&mut rng, &industries)).unwrap()),
                    region: rng
                        .gen_bool(0.9)
                        .then(|| RegionCode::parse(pick(&mut rng, &regions)).unwrap()),
                    amount: Some(Yuan(rng.gen_range(1..4) * 10_000_000)),
                    date: NaiveDate::from_ymd_opt(2024, 1, 1 + rng.gen_range(0..28)),
                }
            })
            .collect()
    }

    /// Groups as `cluster` should find them, the slow way: each record against its
    /// candidates from the [`Index`] (the same blocks and the same rule for big ones).
    fn reference(records: &[Record], threshold: f64) -> Vec<u32> {
        let mut index = Index::new();
        for (i, r) in records.iter().enumerate() {
            index.insert(i as u64, r);
        }
        let mut groups = Groups((0..records.len() as u32).collect());
        for (i, entry) in index.entries.iter().enumerate() {
            for pos in index.candidates(entry) {
                if (pos as usize) < i
                    && score_prepared(entry, &index.entries[pos as usize]) >= threshold
                {
                    groups.union(pos, i as u32);
                }
            }
        }
        (0..records.len() as u32).map(|i| groups.find(i)).collect()
    }

    #[test]
    fn cluster_block_by_block_finds_what_record_by_record_does() {
        for (n, seed) in [(50, 1), (400, 2), (1500, 3)] {
            let records = crowded(n, seed);
            for threshold in [DUPLICATE_THRESHOLD, 0.2, 0.9] {
                assert_eq!(
                    cluster(&records, threshold),
                    reference(&records, threshold),
                    "{n} records, threshold {threshold}"
                );
            }
        }
    }

    #[test]
    fn cluster_of_nothing_or_one() {
        assert!(cluster(&[], DUPLICATE_THRESHOLD).is_empty());
        assert_eq!(
            cluster(&[rec("苏州华芯科技有限公司")], DUPLICATE_THRESHOLD),
            vec![0]
        );
        assert_eq!(cluster(&[rec(""), rec("")], DUPLICATE_THRESHOLD).len(), 2);
    }

    #[test]
    fn duplicates_in_a_big_block_are_found() {
        // 200 companies whose only shared key with the pair below is the core 华芯 (their
        // trades differ), in other cities and industries: the core's block is big.
        let mut records: Vec<Record> = (0..200)
            .map(|i| {
                full(
                    &format!(
                        "杭州华芯{}有限公司",
                        ["电子", "光电", "软件", "医药"][i % 4]
                    ),
                    None,
                    "6520",
                    "330106",
                    100 + i as i64,
                )
            })
            .collect();
        // One company written two ways that share no key but the core: abbreviation with
        // a typo-free core and a different trade word order.
        records.push(full("苏州华芯科技有限公司", None, "3973", "320505", 5000));
        records.push(full("苏州华芯", None, "3973", "320505", 5000));
        let keys = |r: &Record| Prepared::new(0, r).blocking_keys();
        let (a, b) = (keys(&records[200]), keys(&records[201]));
        let shared: Vec<u64> = a.iter().filter(|k| b.contains(k)).copied().collect();
        assert_eq!(shared.len(), 1, "only the core is shared");
        let groups = cluster(&records, DUPLICATE_THRESHOLD);
        assert_eq!(groups[200], groups[201], "found in a block of {}", 202);
        assert_ne!(groups[200], groups[0]);
        let mut index = Index::new();
        for (i, r) in records[..201].iter().enumerate() {
            index.insert(i as u64, r);
        }
        let found = index.find(&records[201], DUPLICATE_THRESHOLD);
        assert_eq!(
            found.iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![200],
            "{found:?}"
        );
    }

    #[test]
    fn the_quick_test_agrees_with_the_score() {
        let records = crowded(300, 4);
        let prepared: Vec<Prepared> = records
            .iter()
            .enumerate()
            .map(|(i, r)| Prepared::new(i as u64, r))
            .collect();
        for threshold in [DUPLICATE_THRESHOLD, 0.0, 0.01, 0.99, 1.0] {
            let floor = weight_floor(threshold);
            for a in &prepared {
                for b in prepared.iter().step_by(7) {
                    assert_eq!(
                        is_match(a, b, threshold, floor),
                        score_prepared(a, b) >= threshold,
                        "{:?} / {:?}",
                        a.name,
                        b.name
                    );
                }
            }
        }
    }
}
