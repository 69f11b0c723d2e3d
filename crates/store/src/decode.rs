//! Reading stored values into domain types: a value the domain refuses is a corrupt row,
//! reported with its column, never a string handed upwards to be parsed again.

use chrono::NaiveDate;
use fenglai_domain::{Channel, CreditCode, LeadStatus, Moment, Stage, Yuan};
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
    coded(row, col, LeadStatus::ALL, LeadStatus::as_str)
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

/// A timestamp: the stored form, or any other form one has been written in
/// ([`Moment::parse`]).
pub(crate) fn moment(row: &AnyRow, col: &str) -> sqlx::Result<Moment> {
    parsed(row, col, Moment::parse)
}

pub(crate) fn moment_opt(row: &AnyRow, col: &str) -> sqlx::Result<Option<Moment>> {
    parsed_opt(row, col, Moment::parse)
}

/// A stored credit code, checked or legacy (never refused: codes stored before checking
/// was strict are kept); NULL or an empty string is no code.
pub(crate) fn uscc_opt(row: &AnyRow, col: &str) -> sqlx::Result<Option<CreditCode>> {
    let s: Option<String> = row.try_get(col)?;
    Ok(s.as_deref().and_then(CreditCode::from_stored))
}

/// A 0/1 flag.
pub(crate) fn flag(row: &AnyRow, col: &str) -> sqlx::Result<bool> {
    Ok(row.try_get::<i64, _>(col)? != 0)
}

/// A code of one of the domain's enums (`Role::ALL`, `Role::as_str`): another value is a
/// corrupt row.
pub(crate) fn coded<T: Copy>(
    row: &AnyRow,
    col: &str,
    all: &[T],
    code: fn(T) -> &'static str,
) -> sqlx::Result<T> {
    parsed(row, col, |s| all.iter().copied().find(|v| code(*v) == s))
}

pub(crate) fn project_type_opt(
    row: &AnyRow,
    col: &str,
) -> sqlx::Result<Option<fenglai_domain::milestone::ProjectType>> {
    parsed_opt(row, col, fenglai_domain::milestone::ProjectType::from_code)
}

pub(crate) fn history_kind(
    row: &AnyRow,
    col: &str,
) -> sqlx::Result<fenglai_domain::stage::HistoryKind> {
    parsed(row, col, fenglai_domain::stage::HistoryKind::parse)
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

    #[test]
    fn timestamps_are_read_in_every_form_written() {
        let m = Moment::parse("2026-11-22T08:30:00.123456Z").unwrap();
        assert_eq!(m.to_string(), "2026-11-22T08:30:00.123456Z");
        let whole = Moment::parse("2026-11-22T08:30:00.000000Z").unwrap();
        // the stored form; a test fixture's offset; SQLite's CURRENT_TIMESTAMP;
        // PostgreSQL's text of a timestamptz
        for s in [
            "2026-11-22T08:30:00.000000Z",
            "2026-11-22T08:30:00+00:00",
            "2026-11-22 08:30:00",
            "2026-11-22 16:30:00+08",
        ] {
            assert_eq!(Moment::parse(s), Some(whole), "{s}");
        }
        // a day is not a timestamp: it is a corrupt row where a moment is stored
        assert_eq!(Moment::parse("2026-11-22"), None);
        assert_eq!(Moment::parse(""), None);
    }

    #[test]
    fn moments_are_written_in_the_form_of_now() {
        fn shape(s: &str) -> String {
            s.chars()
                .map(|c| if c.is_ascii_digit() { '9' } else { c })
                .collect()
        }
        let m = Moment::now();
        assert_eq!(shape(&m.to_string()), shape(&crate::sql::now()));
        assert_eq!(shape(&m.to_string()), "9999-99-99T99:99:99.999999Z");
        assert_eq!(Moment::parse(&m.to_string()), Some(m));
        match crate::sql::Val::from(m) {
            crate::sql::Val::Text(Some(s)) => assert_eq!(s, m.to_string()),
            v => panic!("{v:?}"),
        }
        assert!(matches!(
            crate::sql::Val::from(None::<Moment>),
            crate::sql::Val::Text(None)
        ));
    }

    #[test]
    fn credit_codes_are_read_as_stored() {
        let checked = CreditCode::from_stored("914403001922038216").unwrap();
        assert!(!checked.is_legacy());
        // stored before checking was strict: kept, not refused
        let legacy = CreditCode::from_stored("914403001922038217").unwrap();
        assert!(legacy.is_legacy());
        assert_eq!(legacy.as_str(), "914403001922038217");
        assert_eq!(CreditCode::from_stored(""), None);
        for c in [checked, legacy] {
            match crate::sql::Val::from(&c) {
                crate::sql::Val::Text(Some(s)) => assert_eq!(s, c.as_str()),
                v => panic!("{v:?}"),
            }
        }
    }
}
