//! The OpenAPI document is a contract with clients: it changes only on purpose.
//!
//! `crates/web/openapi.json` is the document as last agreed. A change to a route or a
//! wire type that alters it fails here with the first difference; if the change is
//! deliberate, run `FENGLAI_BLESS_OPENAPI=1 cargo test -p fenglai-web --test api openapi`
//! and commit the new file with the change (its diff is the list of what clients see).

use std::path::PathBuf;

fn snapshot() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}

#[test]
fn the_document_is_the_one_agreed() {
    let now = serde_json::to_string_pretty(&fenglai_web::openapi::spec()).unwrap() + "\n";
    if std::env::var_os("FENGLAI_BLESS_OPENAPI").is_some() {
        std::fs::write(snapshot(), &now).unwrap();
        return;
    }
    let agreed = std::fs::read_to_string(snapshot()).expect("crates/web/openapi.json");
    if now != agreed {
        let first = now
            .lines()
            .zip(agreed.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| format!("line {}: now `{a}`, agreed `{b}`", i + 1))
            .unwrap_or_else(|| "one document is longer".into());
        panic!("the OpenAPI document changed ({first}); see this file's header");
    }
}

#[test]
fn the_served_document_is_the_spec() {
    // the route serves exactly what the snapshot is taken of
    let rt = tokio::runtime::Runtime::new().unwrap();
    let served = rt.block_on(fenglai_web::openapi::document()).0;
    assert_eq!(
        serde_json::to_value(served).unwrap(),
        serde_json::to_value(fenglai_web::openapi::spec()).unwrap()
    );
}
