//! 统一社会信用代码: `Uscc::parse` never panics; what it accepts is 18 characters of the
//! GB 32100 alphabet, digits in 3-8, with the right check character, and prints and
//! parses back to itself.
#![no_main]

use fenglai_domain::uscc::check_char;
use fenglai_domain::Uscc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let Ok(code) = Uscc::parse(input) else {
        return;
    };
    let s = code.as_str();
    assert_eq!(s.len(), 18, "{input:?} → {s:?}");
    assert!(s
        .bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
    let expected = check_char(&s.as_bytes()[..17]).expect("accepted characters are valid");
    assert_eq!(s.as_bytes()[17] as char, expected, "{input:?}");
    assert_eq!(code.region_code().len(), 6);
    assert!(code.region_code().bytes().all(|b| b.is_ascii_digit()), "{input:?}");
    let again = Uscc::parse(&code.to_string()).expect("a parsed code parses again");
    assert_eq!(again, code);
});
