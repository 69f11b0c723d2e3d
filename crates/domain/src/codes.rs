//! GB/T 4754-2017 industry codes and GB/T 2260 region codes (format only; whether a
//! code exists is a question for the reference tables).

use crate::Invalid;

/// A GB/T 4754-2017 code: a section letter A-T, or 2, 3 or 4 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IndustryCode(String);

impl IndustryCode {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let t = s.trim().to_ascii_uppercase();
        let ok = match t.len() {
            1 => t.as_bytes()[0].is_ascii_uppercase() && t.as_bytes()[0] <= b'T',
            2..=4 => t.bytes().all(|b| b.is_ascii_digit()),
            _ => false,
        };
        if ok {
            Ok(Self(t))
        } else {
            Err(Invalid::new(
                "industry_code",
                format!(
                    "行业代码“{}”格式不对：应为门类字母 A-T 或 2-4 位数字（GB/T 4754-2017）",
                    s.trim()
                ),
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn is_section(&self) -> bool {
        self.0.len() == 1
    }
}

/// A six-digit GB/T 2260 region code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let t = s.trim();
        if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(t.to_string()))
        } else {
            Err(Invalid::new(
                "region_code",
                format!("地区代码“{t}”格式不对：应为6位数字（GB/T 2260）"),
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(IndustryCode::parse("C").unwrap().is_section());
        assert!(IndustryCode::parse("6520").is_ok());
        assert!(IndustryCode::parse("65201").is_err());
        assert!(IndustryCode::parse("Z").is_err());
        assert!(RegionCode::parse("320500").is_ok());
        assert_eq!(RegionCode::parse("3205").unwrap_err().field, "region_code");
    }
}
