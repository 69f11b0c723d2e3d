//! The password policy: a minimum length and the kinds of characters a new password must
//! hold (大写字母, 小写字母, 数字, 特殊符号), either named one by one or as "at least N of the
//! four". The default is the rule Fenglai has always had: at least 8 characters, any kind.

use crate::Invalid;

/// A kind of character a policy may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CharClass {
    Upper,
    Lower,
    Digit,
    Symbol,
}

impl CharClass {
    pub const ALL: [CharClass; 4] = [
        CharClass::Upper,
        CharClass::Lower,
        CharClass::Digit,
        CharClass::Symbol,
    ];

    pub fn label(self) -> &'static str {
        match self {
            CharClass::Upper => "大写字母",
            CharClass::Lower => "小写字母",
            CharClass::Digit => "数字",
            CharClass::Symbol => "特殊符号",
        }
    }

    /// `upper`, `lower`, `digit`, `symbol`, or the Chinese label (大写字母 …, also 大写,
    /// 小写, 符号).
    pub fn parse(s: &str) -> Option<CharClass> {
        match s.trim().to_lowercase().as_str() {
            "upper" | "uppercase" | "大写字母" | "大写" => Some(CharClass::Upper),
            "lower" | "lowercase" | "小写字母" | "小写" => Some(CharClass::Lower),
            "digit" | "digits" | "number" | "数字" => Some(CharClass::Digit),
            "symbol" | "symbols" | "special" | "特殊符号" | "特殊字符" | "符号" => {
                Some(CharClass::Symbol)
            }
            _ => None,
        }
    }

    /// The class of a character: ASCII letters and digits by case; anything else that is
    /// not white space (punctuation, a Chinese character) counts as a symbol.
    fn of(c: char) -> Option<CharClass> {
        if c.is_ascii_uppercase() {
            Some(CharClass::Upper)
        } else if c.is_ascii_lowercase() {
            Some(CharClass::Lower)
        } else if c.is_ascii_digit() {
            Some(CharClass::Digit)
        } else if c.is_whitespace() || c.is_control() {
            None
        } else {
            Some(CharClass::Symbol)
        }
    }
}

/// Which kinds of characters a password must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Classes {
    /// any characters
    #[default]
    Any,
    /// at least this many of the four kinds (1–4)
    AtLeast(usize),
    /// each of these kinds
    Each(Vec<CharClass>),
}

/// The rule a new password is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// in characters (not bytes)
    pub min_len: usize,
    pub classes: Classes,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_len: Self::DEFAULT_MIN_LEN,
            classes: Classes::Any,
        }
    }
}

impl PasswordPolicy {
    pub const DEFAULT_MIN_LEN: usize = 8;
    /// The longest minimum length a policy may ask for.
    pub const MAX_MIN_LEN: usize = 128;

    /// A policy from its two settings: the minimum length (1–128) and the classes, written
    /// as empty or `0` (any characters), a number 1–4 (at least that many of the four
    /// kinds), or a comma-separated list of kinds (`upper,lower,digit,symbol`, or in
    /// Chinese) that must each appear.
    pub fn parse(min_len: usize, classes: &str) -> Result<PasswordPolicy, Invalid> {
        if !(1..=Self::MAX_MIN_LEN).contains(&min_len) {
            return Err(Invalid::new(
                "password_min_length",
                format!(
                    "密码最短长度应在1到{}位之间，现为{min_len}",
                    Self::MAX_MIN_LEN
                ),
            ));
        }
        let spec = classes.trim();
        let classes = if spec.is_empty() || spec == "0" {
            Classes::Any
        } else if let Ok(n) = spec.parse::<usize>() {
            if !(1..=4).contains(&n) {
                return Err(Invalid::new(
                    "password_classes",
                    format!("字符种类数应在0到4之间，现为{n}"),
                ));
            }
            Classes::AtLeast(n)
        } else {
            let mut each = Vec::new();
            for part in spec
                .split([',', '，', '、'])
                .filter(|p| !p.trim().is_empty())
            {
                let c = CharClass::parse(part).ok_or_else(|| {
                    Invalid::new(
                        "password_classes",
                        format!(
                            "不认识的字符种类“{}”：可写 upper、lower、digit、symbol（或大写字母、小写字母、数字、特殊符号），或写一个0到4的数字",
                            part.trim()
                        ),
                    )
                })?;
                if !each.contains(&c) {
                    each.push(c);
                }
            }
            each.sort();
            Classes::Each(each)
        };
        Ok(PasswordPolicy { min_len, classes })
    }

    /// The rule in words, as the error message gives it: "密码至少8位",
    /// "密码至少12位，且须包含大写字母、小写字母、数字、特殊符号中的至少3种".
    pub fn describe(&self) -> String {
        let mut s = format!("密码至少{}位", self.min_len);
        match &self.classes {
            Classes::Any => {}
            Classes::AtLeast(n) => {
                let all: Vec<&str> = CharClass::ALL.iter().map(|c| c.label()).collect();
                s.push_str(&format!("，且须包含{}中的至少{n}种", all.join("、")));
            }
            Classes::Each(each) => {
                let names: Vec<&str> = each.iter().map(|c| c.label()).collect();
                s.push_str(&format!("，且须包含{}", names.join("、")));
            }
        }
        s
    }

    /// Checks a new password; the error names the whole rule and what this password lacks.
    pub fn check(&self, password: &str) -> Result<(), Invalid> {
        let len = password.chars().count();
        let mut has: Vec<CharClass> = password.chars().filter_map(CharClass::of).collect();
        has.sort();
        has.dedup();
        let mut lacks = Vec::new();
        if len < self.min_len {
            lacks.push(format!("现为{len}位"));
        }
        match &self.classes {
            Classes::Any => {}
            Classes::AtLeast(n) => {
                if has.len() < *n {
                    lacks.push(format!("现只有{}种", has.len()));
                }
            }
            Classes::Each(each) => {
                let missing: Vec<&str> = each
                    .iter()
                    .filter(|c| !has.contains(c))
                    .map(|c| c.label())
                    .collect();
                if !missing.is_empty() {
                    lacks.push(format!("缺少{}", missing.join("、")));
                }
            }
        }
        if lacks.is_empty() {
            return Ok(());
        }
        if self.classes == Classes::Any {
            // the message of old, kept word for word
            return Err(Invalid::new("password", self.describe()));
        }
        Err(Invalid::new(
            "password",
            format!("{}（{}）", self.describe(), lacks.join("，")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_eight_characters_of_any_kind() {
        let p = PasswordPolicy::default();
        assert_eq!(p, PasswordPolicy::parse(8, "").unwrap());
        assert_eq!(p, PasswordPolicy::parse(8, "0").unwrap());
        assert!(p.check("abcdefgh").is_ok());
        assert!(p.check("密码密码密码密码").is_ok(), "characters, not bytes");
        let e = p.check("abcdefg").unwrap_err();
        assert_eq!((e.field, e.message.as_str()), ("password", "密码至少8位"));
    }

    #[test]
    fn at_least_n_kinds() {
        let p = PasswordPolicy::parse(12, "3").unwrap();
        assert_eq!(
            p.describe(),
            "密码至少12位，且须包含大写字母、小写字母、数字、特殊符号中的至少3种"
        );
        assert!(p.check("Fenglai-2026x").is_ok());
        assert!(
            p.check("fenglai2026xx").is_err(),
            "lower case and digits: two kinds"
        );
        assert!(p.check("FENGLAI2026!!").is_ok());
        let e = p.check("fenglaifenglai").unwrap_err();
        assert_eq!(
            e.message,
            "密码至少12位，且须包含大写字母、小写字母、数字、特殊符号中的至少3种（现只有1种）"
        );
        let e = p.check("Ab1!").unwrap_err();
        assert!(e.message.ends_with("（现为4位）"), "{}", e.message);
        assert!(
            PasswordPolicy::parse(8, "3")
                .unwrap()
                .check("招商引资abc12")
                .is_ok(),
            "a Chinese character counts as a symbol"
        );
    }

    #[test]
    fn each_named_kind() {
        let p = PasswordPolicy::parse(10, "digit, upper，小写").unwrap();
        assert_eq!(
            p.classes,
            Classes::Each(vec![CharClass::Upper, CharClass::Lower, CharClass::Digit])
        );
        assert_eq!(
            p.describe(),
            "密码至少10位，且须包含大写字母、小写字母、数字"
        );
        assert!(p.check("Fenglai2026").is_ok());
        let e = p.check("fenglai").unwrap_err();
        assert_eq!(
            e.message,
            "密码至少10位，且须包含大写字母、小写字母、数字（现为7位，缺少大写字母、数字）"
        );
        assert!(
            p.check("fenglai 26 X").is_ok(),
            "spaces count toward the length"
        );
    }

    #[test]
    fn bad_settings_are_refused() {
        assert_eq!(
            PasswordPolicy::parse(0, "").unwrap_err().field,
            "password_min_length"
        );
        assert!(PasswordPolicy::parse(129, "").is_err());
        assert!(PasswordPolicy::parse(128, "4").is_ok());
        let e = PasswordPolicy::parse(8, "5").unwrap_err();
        assert_eq!(e.field, "password_classes");
        let e = PasswordPolicy::parse(8, "upper,emoji").unwrap_err();
        assert!(e.message.contains("“emoji”"), "{}", e.message);
    }
}
