//! The 统一社会信用代码 check (`fenglai_domain::Uscc`, GB 32100-2015) against codes that
//! companies publish (国家企业信用信息公示系统, annual reports, websites). Every one must pass,
//! carry its registration region in characters 3-8, and fail once any single character is
//! changed to any other character of the code alphabet.

use fenglai_domain::Uscc;
use proptest::prelude::*;

const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// (code, company, registration region prefix).
const PUBLIC: &[(&str, &str, &str)] = &[
    ("914403001922038216", "华为技术有限公司", "4403"),
    ("91440300708461136T", "深圳市腾讯计算机系统有限公司", "4403"),
    ("91110108551385082Q", "小米科技有限责任公司", "1101"),
    ("91110000802100433B", "北京百度网讯科技有限公司", "1100"),
    ("91330100716105852F", "阿里巴巴(中国)有限公司", "3301"),
    (
        "91330100799655058B",
        "阿里巴巴(中国)网络技术有限公司",
        "3301",
    ),
    ("9111000010169286X1", "中国石油化工集团有限公司", "1100"),
    ("91440300192317458F", "比亚迪股份有限公司", "4403"),
    ("91110000100010433L", "中国移动通信集团有限公司", "1100"),
    ("91110302562134916R", "北京京东世纪贸易有限公司", "1103"),
    ("91310000MA1FL1MMXL", "特斯拉(上海)有限公司", "3100"),
];

#[test]
fn public_codes_pass_and_carry_their_region() {
    for (code, company, region) in PUBLIC {
        let u = Uscc::parse(code).unwrap_or_else(|e| panic!("{company} {code}: {e}"));
        assert_eq!(u.as_str(), *code);
        assert!(
            u.region_code().starts_with(region),
            "{company}: {}",
            u.region_code()
        );
    }
}

#[test]
fn any_single_change_to_a_public_code_fails() {
    for (code, company, _) in PUBLIC {
        for pos in 0..18 {
            for c in ALPHABET.chars() {
                let mut chars: Vec<char> = code.chars().collect();
                if chars[pos] == c {
                    continue;
                }
                chars[pos] = c;
                let bad: String = chars.into_iter().collect();
                assert!(Uscc::parse(&bad).is_err(), "{company}: {bad} passed");
            }
        }
    }
}

proptest! {
    /// Any character replaced by anything else (in the alphabet or not) is caught.
    #[test]
    fn corrupting_one_character_fails(which in 0usize..11, pos in 0usize..18, c in "[0-9A-Z]") {
        let (code, _, _) = PUBLIC[which];
        let c = c.chars().next().unwrap();
        let mut chars: Vec<char> = code.chars().collect();
        prop_assume!(chars[pos] != c);
        chars[pos] = c;
        let bad: String = chars.into_iter().collect();
        prop_assert!(Uscc::parse(&bad).is_err());
    }
}
