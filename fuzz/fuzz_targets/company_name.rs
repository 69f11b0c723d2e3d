//! Company names: `fold` and `CompanyName::parse` never panic; folding is idempotent, and
//! the key is the same whether the name is parsed as written or folded first.
#![no_main]

use fenglai_identity::{fold, CompanyName};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let once = fold(input);
    assert_eq!(fold(&once), once, "fold is not idempotent on {input:?}");

    let name = CompanyName::parse(input);
    let folded = CompanyName::parse(&once);
    assert_eq!(name.key(), folded.key(), "{input:?} vs folded {once:?}");
    let _ = name.normalized();
    let _ = name.is_branch_of(&folded);
});
