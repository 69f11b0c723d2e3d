//! The embedded word lists and the segmenter, loaded once on first use.
//!
//! Place names, trade words and legal-form suffixes come from `data/` (copied from the PyPI
//! package companynameparser 0.1.8, Apache-2.0; see `data/README.md`). The segmenter is
//! jieba-rs with its default dictionary plus every trade word and place name, so that a
//! trade word is one token and never glued to the characters of a brand name.

use jieba_rs::Jieba;
use rustc_hash::FxHashSet;
use std::sync::LazyLock;

/// Branch markers: a name ending in one of these is a branch of the company named before it.
pub(crate) const BRANCH_MARKERS: &[&str] = &[
    "第一分公司",
    "分公司",
    "支公司",
    "分行",
    "支行",
    "分厂",
    "分店",
    "分部",
    "分中心",
    "分所",
    "分社",
    "办事处",
    "营业部",
];

/// Legal forms a parent company's name ends with, searched in a branch's name to find where the
/// parent's name stops (XX科技有限公司|苏州|分公司).
pub(crate) const PARENT_FORMS: &[&str] = &[
    "有限责任公司",
    "股份有限公司",
    "有限公司",
    "集团公司",
    "总公司",
    "集团",
    "银行",
    "公司",
];

/// Trade-list entries that are not trades (they are parts of legal forms or adjectives).
const NOT_TRADES: &[&str] = &["有限", "合伙", "合资", "省级", "小企业", "股份", "集团"];

/// Legal forms not in suffix.txt, written in brackets or after the name.
const EXTRA_FORMS: &[&str] = &[
    "有限合伙",
    "普通合伙",
    "特殊普通合伙",
    "有限合伙企业",
    "个人独资企业",
    "合伙企业",
    "集团有限公司",
    "控股有限公司",
    "控股",
];

pub(crate) struct Lexicon {
    pub places: FxHashSet<&'static str>,
    /// Every beginning of a place name (华, 华阴 for 华阴市): a name that does not begin
    /// with one of these begins with no place.
    pub place_prefixes: FxHashSet<&'static str>,
    pub max_place_chars: usize,
    pub trades: FxHashSet<&'static str>,
    pub forms: FxHashSet<&'static str>,
    /// Every ending of a legal form (司, 公司, 限公司 …).
    pub form_suffixes: FxHashSet<&'static str>,
    pub max_form_chars: usize,
}

/// Every non-empty beginning of each word.
fn prefixes(words: &FxHashSet<&'static str>) -> FxHashSet<&'static str> {
    words
        .iter()
        .flat_map(|w| w.char_indices().skip(1).map(|(i, _)| &w[..i]).chain([*w]))
        .collect()
}

/// Every non-empty ending of each word.
fn suffixes(words: &FxHashSet<&'static str>) -> FxHashSet<&'static str> {
    words
        .iter()
        .flat_map(|w| w.char_indices().map(|(i, _)| &w[i..]))
        .collect()
}

fn words(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines().map(str::trim).filter(|w| !w.is_empty())
}

pub(crate) static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| {
    let places: FxHashSet<&str> = words(include_str!("../data/china_place.txt"))
        .filter(|w| w.chars().count() >= 2)
        .collect();
    let trades: FxHashSet<&str> = words(include_str!("../data/trade.txt"))
        .filter(|w| !NOT_TRADES.contains(w))
        .collect();
    // Legal forms: the suffix list less branch markers (read separately) and less entries
    // that are trade words (数码, 电子产品: they belong to the trade part).
    let forms: FxHashSet<&str> = words(include_str!("../data/suffix.txt"))
        .chain(EXTRA_FORMS.iter().copied())
        .filter(|w| !BRANCH_MARKERS.contains(w) && *w != "第一分" && !trades.contains(w))
        .collect();
    Lexicon {
        max_place_chars: places.iter().map(|p| p.chars().count()).max().unwrap_or(0),
        max_form_chars: forms.iter().map(|p| p.chars().count()).max().unwrap_or(0),
        place_prefixes: prefixes(&places),
        form_suffixes: suffixes(&forms),
        places,
        trades,
        forms,
    }
});

/// jieba with the trade words and place names added as words of their own.
pub(crate) static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
    let mut jieba = Jieba::new();
    let lex = &*LEXICON;
    for w in lex.trades.iter().chain(lex.places.iter()) {
        jieba.add_word(w, None, None);
    }
    jieba
});

/// Administrative suffixes dropped from a place name to compare regions (苏州市 → 苏州).
const ADMIN_SUFFIXES: &[&str] = &[
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "地区",
    "新区",
    "省",
    "市",
    "县",
    "区",
    "盟",
    "旗",
];

/// The short form of a place name used to compare regions: 苏州市 → 苏州, 江苏省 → 江苏,
/// 新疆维吾尔自治区 → 新疆; a name that would be left with one character is kept whole.
pub fn canonical_place(place: &str) -> &str {
    for suffix in ADMIN_SUFFIXES {
        if let Some(stem) = place.strip_suffix(suffix) {
            if stem.chars().count() >= 2 {
                return stem;
            }
        }
    }
    place
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_loaded() {
        let lex = &*LEXICON;
        assert!(lex.places.contains("苏州") && lex.places.contains("苏州市"));
        assert!(lex.trades.contains("科技") && !lex.trades.contains("有限"));
        assert!(lex.forms.contains("有限公司") && lex.forms.contains("股份有限公司"));
        assert!(!lex.forms.contains("分公司"));
    }

    #[test]
    fn places_are_shortened() {
        assert_eq!(canonical_place("苏州市"), "苏州");
        assert_eq!(canonical_place("江苏省"), "江苏");
        assert_eq!(canonical_place("新疆维吾尔自治区"), "新疆");
        assert_eq!(canonical_place("沙市"), "沙市");
        assert_eq!(canonical_place("苏州"), "苏州");
    }
}
