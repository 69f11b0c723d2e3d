//! Character folding: the written forms of one name that mean the same thing become one string.
//!
//! [`fold`] turns full-width letters, digits and brackets into half-width ones, every kind of
//! bracket (（）【】〔〕[]{}〈〉) into `(` `)`, traditional characters into simplified ones,
//! letters to lower case, and drops spaces and punctuation. What is left is letters, digits
//! (CJK included) and round brackets, which [`crate::CompanyName::parse`] reads for a
//! bracketed region such as 华芯科技（蘇州）有限公司 → 华芯科技(苏州)有限公司.

use rustc_hash::FxHashMap;
use std::sync::LazyLock;

/// Traditional → simplified, one character to one character (data/t2s.txt, from the MIT
/// licensed crate fast2s 0.3.1; about 2,700 pairs). Company names are short and mostly
/// written with common characters, so character-wise folding is enough to match them; it is
/// not a converter for running text (it does not resolve 乾/干-style one-to-many cases by
/// context, which does not matter when both sides of a comparison are folded alike).
static T2S: LazyLock<FxHashMap<char, char>> = LazyLock::new(|| {
    let pairs: FxHashMap<char, char> = include_str!("../data/t2s.txt")
        .lines()
        .filter_map(|line| {
            let mut chars = line.chars();
            let t = chars.next()?;
            let sep = chars.next()?;
            let s = chars.next()?;
            (sep == ' ' && chars.next().is_none() && t != s).then_some((t, s))
        })
        .collect();
    // Follow chains (a → b → c) to their end so that folding is idempotent.
    pairs
        .keys()
        .map(|&t| {
            let mut s = pairs[&t];
            for _ in 0..4 {
                match pairs.get(&s) {
                    Some(&next) if next != t => s = next,
                    _ => break,
                }
            }
            (t, s)
        })
        .filter(|(t, s)| t != s)
        .collect()
});

/// A simplified character for a traditional one; any other character unchanged.
pub fn simplify_char(c: char) -> char {
    T2S.get(&c).copied().unwrap_or(c)
}

/// The traditional → simplified table, for generators of test data that write names in
/// traditional characters (the inverse, where it is one-to-one, is good enough for that).
pub fn traditional_pairs() -> impl Iterator<Item = (char, char)> {
    T2S.iter().map(|(&t, &s)| (t, s))
}

/// Folds one character: width, bracket kind, script and case. `None` drops it (spaces,
/// punctuation, symbols).
pub(crate) fn fold_char(c: char) -> Option<char> {
    let c = match c {
        // Full-width ASCII block, and the ideographic space.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        c => c,
    };
    match c {
        // The common case first: CJK Unified Ideographs are all letters (is_alphanumeric
        // would look each up in Unicode's tables).
        '\u{4E00}'..='\u{9FEF}' => Some(simplify_char(c)),
        '(' | '[' | '{' | '【' | '〔' | '〈' | '《' | '「' | '『' | '〖' => Some('('),
        ')' | ']' | '}' | '】' | '〕' | '〉' | '》' | '」' | '』' | '〗' => Some(')'),
        c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
        c if c.is_alphanumeric() => Some(simplify_char(c)),
        // '&' is part of some names (A&B); other symbols and all spaces are noise.
        '&' => Some('&'),
        _ => None,
    }
}

/// The folded form of a name: half-width, simplified, lower-case, no spaces or punctuation,
/// brackets as `(` `)` (unbalanced ones are kept: the parser treats an unclosed bracket as
/// running to the end). Folding is idempotent.
pub fn fold(name: &str) -> String {
    name.chars().filter_map(fold_char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn widths_brackets_script_and_case() {
        assert_eq!(fold("華芯（蘇州） 科技有限公司"), "华芯(苏州)科技有限公司");
        assert_eq!(fold("ＴＣＬ科技【深圳】"), "tcl科技(深圳)");
        assert_eq!(fold("A & B·贸易　公司"), "a&b贸易公司");
        assert_eq!(fold("東方電氣集團"), "东方电气集团");
    }

    #[test]
    fn simplified_characters_are_fixed_points() {
        for (_, s) in traditional_pairs() {
            assert_eq!(simplify_char(s), s);
        }
    }

    #[test]
    fn the_cjk_fast_path_folds_as_the_general_one() {
        for c in '\u{4E00}'..='\u{9FEF}' {
            assert!(c.is_alphanumeric(), "{c}");
        }
    }

    #[test]
    fn table_is_loaded() {
        assert!(traditional_pairs().count() > 2000);
        assert_eq!(simplify_char('術'), '术');
        assert_eq!(simplify_char('术'), '术');
    }

    proptest! {
        #[test]
        fn folding_is_idempotent(s in "\\PC{0,30}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once);
        }

        #[test]
        fn folded_text_has_no_spaces_or_full_width(s in "\\PC{0,30}") {
            let f = fold(&s);
            let full_width = '\u{FF01}'..='\u{FF5E}';
            let clean = !f.chars().any(|c| c.is_whitespace() || full_width.contains(&c));
            prop_assert!(clean);
        }
    }
}
