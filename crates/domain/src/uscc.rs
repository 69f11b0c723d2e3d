//! 统一社会信用代码 (GB 32100-2015).

use std::fmt;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a string is not a valid 统一社会信用代码.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("统一社会信用代码应为18位，实际为{0}位")]
    Length(usize),
    #[error("统一社会信用代码第{position}位“{ch}”不是合法字符（不含 I、O、Z、S、V）")]
    Character { position: usize, ch: char },
    #[error("统一社会信用代码第{position}位“{ch}”应为数字：第3-8位是登记管理机关的行政区划码")]
    Region { position: usize, ch: char },
    #[error("统一社会信用代码校验位错误：第18位应为“{expected}”，实际为“{actual}”")]
    Check { expected: char, actual: char },
}

/// A 统一社会信用代码 whose check character is right.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

fn value_of(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The check character for the first 17 characters, which must be in the alphabet.
pub fn check_char(first17: &[u8]) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first17.iter().zip(WEIGHTS) {
        sum += value_of(*c)? * w;
    }
    let idx = (31 - sum % 31) % 31;
    Some(ALPHABET[idx as usize] as char)
}

impl Uscc {
    /// Parses a code, ignoring surrounding spaces, invisible characters (zero-width,
    /// bidi, control: [`crate::names::is_invisible`]) and letter case; full-width
    /// digits and letters are folded to their ASCII forms.
    pub fn parse(input: &str) -> Result<Self, UsccError> {
        let s: String = input
            .trim()
            .chars()
            .filter(|c| !crate::names::is_invisible(*c))
            .map(|c| match c {
                '\u{FF10}'..='\u{FF5A}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                _ => c,
            })
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let n = s.chars().count();
        if n != 18 {
            return Err(UsccError::Length(n));
        }
        for (i, ch) in s.chars().enumerate() {
            if !ch.is_ascii() || value_of(ch as u8).is_none() {
                return Err(UsccError::Character {
                    position: i + 1,
                    ch,
                });
            }
        }
        // GB 32100-2015 §4: characters 1 and 2 (registration authority and kind) may be
        // letters, characters 3-8 are the GB/T 2260 region code, digits only.
        if let Some((i, ch)) = s
            .chars()
            .enumerate()
            .skip(2)
            .take(6)
            .find(|(_, c)| !c.is_ascii_digit())
        {
            return Err(UsccError::Region {
                position: i + 1,
                ch,
            });
        }
        let bytes = s.as_bytes();
        let expected = check_char(&bytes[..17]).expect("characters checked above");
        let actual = bytes[17] as char;
        if expected != actual {
            return Err(UsccError::Check { expected, actual });
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The GB/T 2260 region code at registration (characters 3-8).
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A 统一社会信用代码 as stored. Codes are checked ([`Uscc::parse`]) before they are
/// written now, but a store holds codes from before checking was strict: those are kept
/// verbatim, never rewritten or refused on reading. [`CreditCode::as_str`] is always
/// exactly the stored text, so a code read and written back is unchanged.
///
/// Serializes as that plain string; deserializes any non-blank string as
/// [`CreditCode::from_stored`] does.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CreditCode {
    /// A code with a right check character, in its canonical form.
    Checked(Uscc),
    /// Any other non-blank code, as it was stored.
    Legacy(String),
}

impl CreditCode {
    /// A stored code: [`CreditCode::Checked`] if it is a valid code written in its
    /// canonical form (what [`Uscc::parse`] gives), else [`CreditCode::Legacy`] verbatim
    /// (a wrong check character, but also a lower-case or padded valid code: it is kept
    /// as stored). `None` for an empty or blank string: no code.
    pub fn from_stored(s: &str) -> Option<CreditCode> {
        if s.trim().is_empty() {
            return None;
        }
        Some(match Uscc::parse(s) {
            Ok(u) if u.as_str() == s => CreditCode::Checked(u),
            _ => CreditCode::Legacy(s.to_string()),
        })
    }

    /// The code as stored.
    pub fn as_str(&self) -> &str {
        match self {
            CreditCode::Checked(u) => u.as_str(),
            CreditCode::Legacy(s) => s,
        }
    }

    /// The checked code, unless this is a legacy one.
    pub fn checked(&self) -> Option<&Uscc> {
        match self {
            CreditCode::Checked(u) => Some(u),
            CreditCode::Legacy(_) => None,
        }
    }

    pub fn is_legacy(&self) -> bool {
        matches!(self, CreditCode::Legacy(_))
    }
}

impl From<Uscc> for CreditCode {
    fn from(u: Uscc) -> Self {
        CreditCode::Checked(u)
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for CreditCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for CreditCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        CreditCode::from_stored(&s).ok_or_else(|| {
            serde::de::Error::invalid_value(serde::de::Unexpected::Str(&s), &"a credit code")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn stored_codes_are_kept_as_stored() {
        let ok = CreditCode::from_stored("914403001922038216").unwrap();
        assert_eq!(
            ok,
            CreditCode::Checked(Uscc::parse("914403001922038216").unwrap())
        );
        assert!(!ok.is_legacy());
        assert_eq!(ok.checked().unwrap().region_code(), "440300");
        for legacy in [
            "914403001922038217",  // wrong check character
            "91440300708461136t",  // valid, not canonical
            " 914403001922038216", // valid, padded
            "9144",
            "组织机构代码 12345678-9",
        ] {
            let c = CreditCode::from_stored(legacy).unwrap();
            assert!(c.is_legacy(), "{legacy}");
            assert_eq!(c.as_str(), legacy);
            assert_eq!(c.to_string(), legacy);
            assert_eq!(c.checked(), None);
        }
        assert_eq!(CreditCode::from_stored(""), None);
        assert_eq!(CreditCode::from_stored("  "), None);
    }

    #[test]
    fn credit_codes_are_plain_strings_in_json() {
        for s in ["914403001922038216", "914403001922038217"] {
            let c = CreditCode::from_stored(s).unwrap();
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<CreditCode>(&json).unwrap(), c);
        }
        assert!(serde_json::from_str::<CreditCode>("\"\"").is_err());
        assert_eq!(
            serde_json::from_str::<Option<CreditCode>>("null").unwrap(),
            None
        );
    }

    #[test]
    fn real_codes_pass() {
        for code in [
            "914403001922038216", // 华为技术有限公司
            "91440300708461136T", // 深圳市腾讯计算机系统有限公司
        ] {
            let u = Uscc::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(u.as_str(), code);
        }
        assert_eq!(
            Uscc::parse("914403001922038216").unwrap().region_code(),
            "440300"
        );
    }

    #[test]
    fn lowercase_and_spaces_are_folded() {
        assert!(Uscc::parse(" 91440300708461136t ").is_ok());
        assert!(Uscc::parse("９１４４０３００１９２２０３８２１６").is_ok());
    }

    #[test]
    fn wrong_check_character_names_the_expected_one() {
        let err = Uscc::parse("914403001922038217").unwrap_err();
        assert_eq!(
            err,
            UsccError::Check {
                expected: '6',
                actual: '7'
            }
        );
        assert!(err.to_string().contains("校验位"));
    }

    #[test]
    fn bad_length_and_characters() {
        assert_eq!(Uscc::parse("9144").unwrap_err(), UsccError::Length(4));
        assert!(matches!(
            Uscc::parse("91440300I08461136T").unwrap_err(),
            UsccError::Character { position: 9, .. }
        ));
    }

    #[test]
    fn region_code_must_be_digits() {
        // A letter in positions 3-8 with a right check character is still refused.
        for pos in 2..8 {
            let mut body = *b"91440300708461136";
            body[pos] = b'A';
            let code = format!(
                "{}{}",
                std::str::from_utf8(&body).unwrap(),
                check_char(&body).unwrap()
            );
            let err = Uscc::parse(&code).unwrap_err();
            assert_eq!(
                err,
                UsccError::Region {
                    position: pos + 1,
                    ch: 'A'
                },
                "{code}"
            );
            assert!(err.to_string().contains("行政区划码"), "{err}");
        }
        // Full-width and lower-case letters in the region are refused the same way.
        let body = *b"9144030a708461136";
        let mut upper = body;
        upper[7] = b'A';
        let code = format!(
            "{}{}",
            std::str::from_utf8(&body).unwrap(),
            check_char(&upper).unwrap()
        );
        assert_eq!(
            Uscc::parse(&code).unwrap_err(),
            UsccError::Region {
                position: 8,
                ch: 'A'
            }
        );
    }

    #[test]
    fn invisible_characters_are_ignored() {
        let code = "\u{FEFF}9144\u{200B}03001922038216\u{202C}";
        assert_eq!(Uscc::parse(code).unwrap().as_str(), "914403001922038216");
    }

    #[test]
    fn letter_authority_and_kind_are_accepted() {
        // 登记管理部门代码 and 机构类别代码 may be letters (Y1 农民专业合作社, N2 …).
        for head in ["Y1", "N2", "A1", "51", "G1"] {
            let body = format!("{head}320505MA1ABCDE0");
            let code = format!("{body}{}", check_char(body.as_bytes()).unwrap());
            assert!(Uscc::parse(&code).is_ok(), "{code}");
            let full: String = code
                .chars()
                .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
                .collect();
            assert_eq!(Uscc::parse(&full).unwrap().as_str(), code);
        }
    }

    /// Valid codes: any alphabet character in positions 1-2 and 9-17, digits in 3-8.
    fn code_strategy() -> impl Strategy<Value = String> {
        proptest::collection::vec(0usize..31, 17).prop_map(|v| {
            let body: Vec<u8> = v
                .iter()
                .enumerate()
                .map(|(pos, &i)| {
                    if (2..8).contains(&pos) {
                        ALPHABET[i % 10]
                    } else {
                        ALPHABET[i]
                    }
                })
                .collect();
            let mut s = String::from_utf8(body.clone()).unwrap();
            s.push(check_char(&body).unwrap());
            s
        })
    }

    proptest! {
        #[test]
        fn generated_codes_round_trip(code in code_strategy()) {
            let parsed = Uscc::parse(&code).unwrap();
            prop_assert_eq!(parsed.as_str(), code.as_str());
        }

        #[test]
        fn any_single_substitution_is_caught(code in code_strategy(), pos in 0usize..18, k in 1usize..31) {
            let mut bytes = code.into_bytes();
            let old = value_of(bytes[pos]).unwrap() as usize;
            bytes[pos] = ALPHABET[(old + k) % 31];
            let corrupted = String::from_utf8(bytes).unwrap();
            prop_assert!(Uscc::parse(&corrupted).is_err());
        }

        #[test]
        fn a_letter_in_the_region_is_refused(code in code_strategy(), pos in 2usize..8, k in 10usize..31) {
            let mut body = code.as_bytes()[..17].to_vec();
            body[pos] = ALPHABET[k];
            let check = check_char(&body).unwrap();
            let s = format!("{}{check}", String::from_utf8(body).unwrap());
            prop_assert!(
                matches!(Uscc::parse(&s), Err(UsccError::Region { position, .. }) if position == pos + 1),
                "{}",
                s
            );
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = Uscc::parse(&s);
        }

        #[test]
        fn generated_codes_are_stored_checked(code in code_strategy()) {
            let c = CreditCode::from_stored(&code).unwrap();
            prop_assert!(!c.is_legacy());
            prop_assert_eq!(c.as_str(), code.as_str());
        }

        #[test]
        fn any_stored_text_reads_back_verbatim(s in "\\PC{1,40}") {
            match CreditCode::from_stored(&s) {
                Some(c) => prop_assert_eq!(c.as_str(), s.as_str()),
                None => prop_assert!(s.trim().is_empty()),
            }
        }
    }
}
