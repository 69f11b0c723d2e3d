//! Reading stored values into domain types: a value the domain refuses is a corrupt row,
//! reported with its column, never a string handed upwards to be parsed again.

use chrono::NaiveDate;
use fenglai_domain::{Channel, LeadStatus, Stage, Yuan};
use sqlx::any::AnyRow;
use sqlx::Row;

fn corrupt(col: &str, what: String) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: col.to_string(),
        source: Box::new(crate::StoreError::Corrupt(what)),
    }
}

fn parsed<T>(row: &AnyRow, col: &str, parse: impl Fn(&str) -> Option<T>) -> sqlx::Result<T> {
    let s: String = row.try_get(col)?;
    parse(&s).ok_or_else(|| corrupt(col, format!("{col} = {s:?}")))
}

fn parsed_opt<T>(
    row: &AnyRow,
    col: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> sqlx::Result<Option<T>> {
    let s: Option<String> = row.try_get(col)?;
    s.map(|s| parse(&s).ok_or_else(|| corrupt(col, format!("{col} = {s:?}"))))
        .transpose()
}

fn stage_of(s: &str) -> Option<Stage> {
    Stage::ALL.into_iter().find(|st| st.as_str() == s)
}

fn day_of(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

pub(crate) fn stage(row: &AnyRow, col: &str) -> sqlx::Result<Stage> {
    parsed(row, col, stage_of)
}

pub(crate) fn stage_opt(row: &AnyRow, col: &str) -> sqlx::Result<Option<Stage>> {
    parsed_opt(row, col, stage_of)
}

pub(crate) fn lead_status(row: &AnyRow, col: &str) -> sqlx::Result<LeadStatus> {
    parsed(row, col, |s| {
        LeadStatus::ALL.iter().copied().find(|v| v.as_str() == s)
    })
}

pub(crate) fn channel_opt(row: &AnyRow, col: &str) -> sqlx::Result<Option<Channel>> {
    parsed_opt(row, col, |s| {
        Channel::ALL.iter().copied().find(|v| v.as_str() == s)
    })
}

/// A `YYYY-MM-DD` day.
pub(crate) fn day(row: &AnyRow, col: &str) -> sqlx::Result<NaiveDate> {
    parsed(row, col, day_of)
}

pub(crate) fn day_opt(row: &AnyRow, col: &str) -> sqlx::Result<Option<NaiveDate>> {
    parsed_opt(row, col, day_of)
}

pub(crate) fn yuan(row: &AnyRow, col: &str) -> sqlx::Result<Yuan> {
    Ok(Yuan(row.try_get(col)?))
}

pub(crate) fn yuan_opt(row: &AnyRow, col: &str) -> sqlx::Result<Option<Yuan>> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(Yuan))
}

/// A 0/1 flag.
pub(crate) fn flag(row: &AnyRow, col: &str) -> sqlx::Result<bool> {
    Ok(row.try_get::<i64, _>(col)? != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_stored_forms_are_read() {
        assert_eq!(stage_of("at_capacity"), Some(Stage::AtCapacity));
        // a label is a form for people, never what is stored
        assert_eq!(stage_of("达产"), None);
        assert_eq!(stage_of(" signed"), None);
        assert_eq!(day_of("2026-02-28"), NaiveDate::from_ymd_opt(2026, 2, 28));
        assert_eq!(day_of("2026-02-30"), None);
        assert_eq!(day_of("2026/02/28"), None);
    }
}
