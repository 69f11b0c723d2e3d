//! Company names for search: a normalised form and its character bigrams.
//!
//! Search matches a fragment against the normalised name, so brackets, spaces,
//! full-width letters and letter case never decide whether a lead is found:
//! "华芯（苏州）" finds "华芯(苏州)科技有限公司".

/// Characters that show nothing and can hide or reorder what is shown: control
/// characters, zero-width spaces and joiners and the marks U+200B–U+200F, the line and
/// paragraph separators and bidi embeddings and overrides U+2028–U+202E, the invisible
/// operators U+2060–U+2064, the bidi isolates U+2066–U+2069, and the BOM U+FEFF.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}')
}

/// `s` without invisible characters ([`is_invisible`]); line breaks are kept where
/// `lines` (free text), as "\n".
pub fn strip_invisible(s: &str, lines: bool) -> String {
    let s = if lines && s.contains('\r') {
        std::borrow::Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(s)
    };
    s.chars()
        .filter(|&c| !is_invisible(c) || (lines && c == '\n'))
        .collect()
}

/// A name or text as typed, invisible characters removed and trimmed: `Ok(None)` if
/// nothing was typed, an error naming `label` if only invisible characters were (a
/// name of zero-width spaces or bidi overrides is no name).
pub fn visible(
    field: &'static str,
    label: &str,
    s: &str,
    lines: bool,
) -> Result<Option<String>, crate::Invalid> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    let cleaned = strip_invisible(s, lines);
    let t = cleaned.trim();
    if t.is_empty() {
        return Err(crate::Invalid::new(
            field,
            format!(
                "{label}只含不可见字符（控制字符、零宽字符或文字方向控制符），请填写可见的文字"
            ),
        ));
    }
    Ok(Some(t.to_string()))
}

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

    #[test]
    fn invisible_characters_are_removed() {
        assert_eq!(
            strip_invisible("华\u{200B}芯\u{202E}科技\u{FEFF}", false),
            "华芯科技"
        );
        assert_eq!(
            strip_invisible("第一行\r\n第二\u{0}行", true),
            "第一行\n第二行"
        );
        assert_eq!(strip_invisible("a\nb", false), "ab");
        for c in [
            '\u{0}', '\u{7}', '\u{200B}', '\u{200D}', '\u{200F}', '\u{2028}', '\u{202A}',
            '\u{202E}', '\u{2060}', '\u{2064}', '\u{2066}', '\u{2069}', '\u{FEFF}', '\u{85}',
        ] {
            assert!(is_invisible(c), "{:04X}", c as u32);
        }
        for c in ['华', 'a', ' ', '（', '·', '\u{3000}'] {
            assert!(!is_invisible(c), "{c}");
        }
        assert_eq!(visible("company_name", "企业名称", "  ", false), Ok(None));
        assert_eq!(
            visible("company_name", "企业名称", "\u{202E}华芯\u{200B} ", false),
            Ok(Some("华芯".into()))
        );
        let e = visible(
            "company_name",
            "企业名称",
            "\u{200B}\u{202E}\u{0}\u{FEFF}",
            false,
        )
        .unwrap_err();
        assert_eq!(e.field, "company_name");
        assert!(
            e.message.starts_with("企业名称只含不可见字符"),
            "{}",
            e.message
        );
    }

    proptest! {
        /// Nothing invisible survives, visible characters keep their order, and a string
        /// of invisible characters alone is refused.
        #[test]
        fn only_visible_characters_remain(s in "[\\u{0}-\\u{1f}\\u{200b}-\\u{200f}\\u{2028}-\\u{202e}\\u{2060}-\\u{2064}\\u{2066}-\\u{2069}\\u{feff}华芯a1 ]{0,30}") {
            let out = strip_invisible(&s, false);
            prop_assert!(!out.chars().any(is_invisible));
            let kept: String = s.chars().filter(|c| !is_invisible(*c)).collect();
            prop_assert_eq!(&out, &kept);
            match visible("f", "名称", &s, false) {
                Ok(Some(v)) => prop_assert_eq!(v.as_str(), kept.trim()),
                Ok(None) => prop_assert!(s.trim().is_empty()),
                Err(_) => prop_assert!(kept.trim().is_empty() && !s.trim().is_empty()),
            }
        }

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
