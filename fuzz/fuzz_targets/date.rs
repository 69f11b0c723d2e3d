//! Dates as ledgers write them (2024年3月15日, 2024.3.15, 20240315, ２０２４－０３－１５):
//! `dates::parse` never panics, accepts only years 1900-2200, and an accepted date parses
//! back from its ISO form.
#![no_main]

use chrono::Datelike;
use fenglai_domain::dates;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let Ok(d) = dates::parse(input, "date") else {
        return;
    };
    assert!((1900..=2200).contains(&d.year()), "{input:?} → {d}");
    let iso = d.format("%Y-%m-%d").to_string();
    assert_eq!(
        dates::parse(&iso, "date").ok(),
        Some(d),
        "{input:?} → {iso}"
    );
});
