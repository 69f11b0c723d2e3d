//! Company names for search: a normalised form and its character bigrams.
//!
//! Search matches a fragment against the normalised name, so brackets, spaces,
//! full-width letters and letter case never decide whether a lead is found:
//! "华芯（苏州）" finds "华芯(苏州)科技有限公司".

/// Folds full-width ASCII to half-width, lowercases, and keeps only letters and
/// digits (CJK characters included).
pub fn normalize(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The overlapping two-character windows of a normalised name, in order.
pub fn bigrams(norm: &str) -> Vec<String> {
    let chars: Vec<char> = norm.chars().collect();
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

/// The indexed form: bigrams separated by spaces (one token each for a word index).
pub fn grams(name: &str) -> String {
    bigrams(&normalize(name)).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn forms() {
        assert_eq!(
            normalize("华芯（苏州） 科技有限公司"),
            "华芯苏州科技有限公司"
        );
        assert_eq!(normalize("ＴＣＬ科技"), "tcl科技");
        assert_eq!(grams("华芯微"), "华芯 芯微");
        assert_eq!(grams("华"), "");
    }

    proptest! {
        /// A fragment of a name is found by its bigrams: every bigram of the fragment
        /// is a bigram of the name, in the same order, at consecutive positions.
        #[test]
        fn fragments_are_consecutive_bigrams(name in "[\\u4e00-\\u4e2fA-Za-z（）() ]{2,20}", a in 0usize..20, len in 2usize..8) {
            let norm = normalize(&name);
            let chars: Vec<char> = norm.chars().collect();
            prop_assume!(chars.len() >= 2);
            let start = a % (chars.len() - 1);
            let end = (start + len).min(chars.len());
            prop_assume!(end - start >= 2);
            let frag: String = chars[start..end].iter().collect();
            let all = bigrams(&norm);
            let want = bigrams(&frag);
            prop_assert!(all.windows(want.len()).any(|w| w == want.as_slice()));
        }
    }
}
