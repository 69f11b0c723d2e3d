//! Instants and calendar days.
//!
//! A [`Moment`] is stored as RFC 3339 text in UTC with exactly six fractional digits
//! (`2026-11-22T08:30:00.123456Z`): fixed width, so stored moments compare as text in
//! the order of time.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, TimeDelta, Utc};
use std::fmt;
use std::ops::{Add, Sub};

/// A calendar day as ledgers and stages record it (`YYYY-MM-DD`), with no time of day
/// and no zone: the day a person wrote, not one computed from a [`Moment`].
pub type Day = NaiveDate;

/// The stored form, as `chrono` formats it.
const STORED: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

/// China Standard Time: UTC+8 all year round.
const BEIJING_OFFSET: TimeDelta = TimeDelta::hours(8);

/// An instant, in UTC, to the microsecond (what the stored form keeps: a finer instant
/// is truncated on construction, so a moment and its stored form are one value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Moment(DateTime<Utc>);

impl Moment {
    /// The current instant.
    pub fn now() -> Self {
        Self::from_utc(Utc::now())
    }

    /// `t`, truncated to the microsecond.
    pub fn from_utc(t: DateTime<Utc>) -> Self {
        Moment(t.trunc_subsecs(6))
    }

    /// Reads a timestamp as it is or has been stored:
    ///
    /// * the stored form, `2026-11-22T08:30:00.123456Z`;
    /// * any RFC 3339 timestamp: another precision (`2026-11-22T08:30:00Z`), an offset
    ///   (`2020-01-01T00:00:00+00:00`, `2026-11-22T16:30:00+08:00`), a lower-case `t`/`z`,
    ///   or a space for the `T`;
    /// * PostgreSQL's text of a `timestamptz`, whose offset may be hours only
    ///   (`2026-11-22 16:30:00.123+08`);
    /// * a timestamp without a zone, read as UTC: SQLite's `CURRENT_TIMESTAMP` and
    ///   `datetime('now')` (`2026-11-22 08:30:00`), PostgreSQL's text of a `timestamp`,
    ///   or `2026-11-22T08:30:00`, with or without a fraction. Minutes without seconds
    ///   (`2026-11-22 08:30`) are read too.
    ///
    /// Surrounding spaces are ignored. A day alone is not a moment (see [`Day`]).
    pub fn parse(s: &str) -> Option<Moment> {
        let s = s.trim();
        // All forms start with a `YYYY-MM-DD` and a separator; checking that first keeps
        // a date alone, or a number, from being read by one of the looser formats.
        let b = s.as_bytes();
        if b.len() < 16 || !matches!(b[10], b'T' | b't' | b' ') {
            return None;
        }
        if let Some(m) = Self::parse_stored(b) {
            return Some(m);
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Some(Self::from_utc(t.to_utc()));
        }
        // The same with the separator and a `Z` written in upper case, so that the
        // formats below need to know only `T`.
        let mut norm = String::with_capacity(s.len());
        norm.push_str(&s[..10]);
        norm.push('T');
        norm.push_str(&s[11..]);
        if norm.ends_with(['z', 'Z']) {
            norm.pop();
            norm.push_str("+00:00");
        }
        // An offset of hours only, or hours and minutes with or without a colon.
        for f in ["%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M%#z"] {
            if let Ok(t) = DateTime::parse_from_str(&norm, f) {
                return Some(Self::from_utc(t.to_utc()));
            }
        }
        // No zone: UTC, as everything in the store.
        for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
            if let Ok(t) = NaiveDateTime::parse_from_str(&norm, f) {
                return Some(Self::from_utc(t.and_utc()));
            }
        }
        None
    }

    /// The stored form `YYYY-MM-DDTHH:MM:SS.ffffffZ` read digit by digit: every row's
    /// timestamps come this way, and the general parsers cost several times more.
    fn parse_stored(b: &[u8]) -> Option<Moment> {
        if b.len() != 27
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
            || b[19] != b'.'
            || b[26] != b'Z'
        {
            return None;
        }
        let num = |from: usize, to: usize| -> Option<u32> {
            b[from..to].iter().try_fold(0u32, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        let day = chrono::NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 7)?, num(8, 10)?)?;
        let time = chrono::NaiveTime::from_hms_micro_opt(
            num(11, 13)?,
            num(14, 16)?,
            num(17, 19)?,
            num(20, 26)?,
        )?;
        Some(Moment(day.and_time(time).and_utc()))
    }

    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }

    /// The day in UTC.
    pub fn date(&self) -> Day {
        self.0.date_naive()
    }

    /// The day in China (UTC+8): the day people there saw it happen.
    pub fn beijing_date(&self) -> Day {
        (self.0 + BEIJING_OFFSET).date_naive()
    }

    /// The last microsecond of day `d` in China (UTC+8): `2025-04-01` is
    /// `2025-04-01T15:59:59.999999Z`.
    pub fn end_of_beijing_day(d: Day) -> Moment {
        let end = d
            .and_hms_micro_opt(23, 59, 59, 999_999)
            .expect("a valid time of day");
        Moment((end - BEIJING_OFFSET).and_utc())
    }

    /// `d` later, or `None` out of range.
    pub fn checked_add(self, d: TimeDelta) -> Option<Moment> {
        self.0.checked_add_signed(d).map(Self::from_utc)
    }

    /// `d` earlier, or `None` out of range.
    pub fn checked_sub(self, d: TimeDelta) -> Option<Moment> {
        self.0.checked_sub_signed(d).map(Self::from_utc)
    }
}

/// Reads an as-of from a query, the one reader of every `as_of` parameter:
///
/// * absent or blank: now;
/// * an RFC 3339 instant (`2025-04-01T08:00:00Z`, `2025-04-01T16:00:00+08:00`): as is;
/// * a day, in any form [`dates::parse`](crate::dates::parse) reads (`2025-04-01`,
///   `2025年4月1日` …): the end of that day in Beijing time (its last microsecond,
///   `2025-04-01T15:59:59.999999Z`), so that everything recorded that day counts.
///
/// A figure of instants (assessment, bulletins) takes the [`Moment`]; a figure of days
/// (the pipeline, stalls, the supervision board) takes its [`Moment::beijing_date`], for
/// which [`as_of_day`] is the shorthand.
pub fn as_of(s: Option<&str>) -> Result<Moment, crate::Invalid> {
    let Some(t) = s.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(Moment::now());
    };
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(Moment::from_utc(dt.to_utc()));
    }
    crate::dates::parse(t, "as_of")
        .map(Moment::end_of_beijing_day)
        .map_err(|_| {
            crate::Invalid::new(
                "as_of",
                format!("截至时间“{t}”不对：请写作 2025-04-01 或 2025-04-01T08:00:00Z"),
            )
        })
}

/// An as-of day: the Beijing day of [`as_of`] (today in China when absent), refused with
/// the message a wrong date gets.
pub fn as_of_day(s: Option<&str>) -> Result<Day, crate::Invalid> {
    as_of(s).map(|m| m.beijing_date()).map_err(|_| {
        let t = s.unwrap_or_default().trim();
        crate::Invalid::new("as_of", format!("无法识别的日期“{t}”，请写作 2024-03-15"))
    })
}

impl From<DateTime<Utc>> for Moment {
    fn from(t: DateTime<Utc>) -> Self {
        Self::from_utc(t)
    }
}

impl From<Moment> for DateTime<Utc> {
    fn from(m: Moment) -> Self {
        m.0
    }
}

/// Panics out of chrono's range, as `DateTime + TimeDelta` does; see
/// [`Moment::checked_add`].
impl Add<TimeDelta> for Moment {
    type Output = Moment;
    fn add(self, d: TimeDelta) -> Moment {
        Self::from_utc(self.0 + d)
    }
}

/// Panics out of chrono's range; see [`Moment::checked_sub`].
impl Sub<TimeDelta> for Moment {
    type Output = Moment;
    fn sub(self, d: TimeDelta) -> Moment {
        Self::from_utc(self.0 - d)
    }
}

/// The time from `rhs` to `self`.
impl Sub for Moment {
    type Output = TimeDelta;
    fn sub(self, rhs: Moment) -> TimeDelta {
        self.0 - rhs.0
    }
}

/// The stored form: `2026-11-22T08:30:00.123456Z`.
impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format(STORED))
    }
}

impl std::str::FromStr for Moment {
    type Err = crate::Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Moment::parse(s).ok_or_else(|| {
            crate::Invalid::new(
                "time",
                format!("无法识别的时间“{s}”，请写作 2025-04-01T08:00:00Z"),
            )
        })
    }
}

impl serde::Serialize for Moment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Moment {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Moment;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Moment, E> {
                Moment::parse(s)
                    .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(s), &self))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> Moment {
        Moment::parse(s).unwrap_or_else(|| panic!("{s} not read"))
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, micro: u32) -> Moment {
        Moment(
            NaiveDate::from_ymd_opt(y, mo, d)
                .unwrap()
                .and_hms_micro_opt(h, mi, s, micro)
                .unwrap()
                .and_utc(),
        )
    }

    #[test]
    fn the_stored_form_round_trips() {
        let m = utc(2026, 11, 22, 8, 30, 0, 123_456);
        assert_eq!(m.to_string(), "2026-11-22T08:30:00.123456Z");
        assert_eq!(at("2026-11-22T08:30:00.123456Z"), m);
        assert_eq!(
            utc(2026, 1, 2, 3, 4, 5, 0).to_string(),
            "2026-01-02T03:04:05.000000Z"
        );
    }

    #[test]
    fn every_form_written_is_read() {
        let m = utc(2026, 11, 22, 8, 30, 0, 0);
        for s in [
            "2026-11-22T08:30:00.000000Z",
            "2026-11-22T08:30:00Z",
            "2026-11-22T08:30:00.000Z",
            "2026-11-22T08:30:00.000000000Z",
            "2026-11-22t08:30:00z",
            "2026-11-22T08:30:00+00:00",
            "2026-11-22T16:30:00+08:00",
            "2026-11-22T16:30:00+0800",
            "2026-11-22T16:30:00+08",
            "2026-11-22T03:30:00-05:00",
            "2026-11-22 08:30:00Z",
            "2026-11-22 08:30:00+00",
            "2026-11-22 16:30:00+08",
            "2026-11-22 16:30:00.000+08",
            "2026-11-22 08:30:00",
            "2026-11-22 08:30:00.000",
            "2026-11-22T08:30:00",
            "2026-11-22T08:30",
            "2026-11-22 08:30",
            " 2026-11-22T08:30:00.000000Z ",
        ] {
            assert_eq!(at(s), m, "{s}");
        }
        // PostgreSQL's text of a timestamptz with a fraction.
        assert_eq!(
            at("2026-11-22 16:30:00.123456+08"),
            utc(2026, 11, 22, 8, 30, 0, 123_456)
        );
    }

    #[test]
    fn what_is_not_a_moment_is_refused() {
        for s in [
            "",
            "2026-11-22",
            "2026/11/22 08:30:00",
            "2026-11-22T25:00:00Z",
            "2026-02-30T08:30:00Z",
            "2026-11-22T08:30:00+25:00",
            "2026-11-22x08:30:00Z",
            "1764000000",
            "今天",
            "2026-11-22T08:30:00Z junk",
        ] {
            assert_eq!(Moment::parse(s), None, "{s}");
        }
    }

    #[test]
    fn finer_than_a_microsecond_is_truncated() {
        let m = at("2026-11-22T08:30:00.123456789Z");
        assert_eq!(m, utc(2026, 11, 22, 8, 30, 0, 123_456));
        assert_eq!(m.to_string(), "2026-11-22T08:30:00.123456Z");
        let now = Moment::now();
        assert_eq!(Moment::parse(&now.to_string()), Some(now));
    }

    #[test]
    fn beijing_day_turns_at_16_utc() {
        let before = at("2026-03-01T15:59:59.999999Z");
        assert_eq!(before.date(), NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        assert_eq!(
            before.beijing_date(),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
        let after = at("2026-03-01T16:00:00Z");
        assert_eq!(after.date(), NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        assert_eq!(
            after.beijing_date(),
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
        );
        assert_eq!(
            at("2026-03-01T15:59:00Z").beijing_date().to_string(),
            "2026-03-01"
        );
        // the last day of a year
        assert_eq!(
            at("2025-12-31T16:00:00Z").beijing_date().to_string(),
            "2026-01-01"
        );
    }

    #[test]
    fn an_as_of_is_an_instant_or_the_end_of_a_beijing_day() {
        let d = NaiveDate::from_ymd_opt(2025, 4, 1).unwrap();
        assert_eq!(
            Moment::end_of_beijing_day(d).to_string(),
            "2025-04-01T15:59:59.999999Z"
        );
        assert_eq!(
            as_of(Some("2025-04-01")).unwrap().to_string(),
            "2025-04-01T15:59:59.999999Z"
        );
        assert_eq!(
            as_of(Some(" 2025年4月1日 ")).unwrap(),
            Moment::end_of_beijing_day(d)
        );
        assert_eq!(
            as_of(Some("2025-04-01T16:30:00+08:00"))
                .unwrap()
                .to_string(),
            "2025-04-01T08:30:00.000000Z"
        );
        assert_eq!(as_of_day(Some("2025-04-01")).unwrap(), d);
        assert_eq!(
            as_of_day(Some("2025-04-01T16:30:00Z")).unwrap(),
            d.succ_opt().unwrap()
        );
        let now = Moment::now();
        assert!(as_of(None).unwrap() >= now);
        assert!(as_of(Some("  ")).unwrap() >= now);
        let e = as_of(Some("yesterday")).unwrap_err();
        assert_eq!(e.field, "as_of");
        assert!(
            e.message.contains("截至时间“yesterday”不对"),
            "{}",
            e.message
        );
        let e = as_of_day(Some("2025-02-30")).unwrap_err();
        assert_eq!(e.field, "as_of");
        assert_eq!(e.message, "无法识别的日期“2025-02-30”，请写作 2024-03-15");
    }

    #[test]
    fn serde_is_the_stored_form() {
        let m = utc(2026, 11, 22, 8, 30, 0, 5);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, "\"2026-11-22T08:30:00.000005Z\"");
        assert_eq!(serde_json::from_str::<Moment>(&json).unwrap(), m);
        assert_eq!(
            serde_json::from_str::<Moment>("\"2026-11-22T16:30:00.000005+08:00\"").unwrap(),
            m
        );
        assert!(serde_json::from_str::<Moment>("\"2026-11-22\"").is_err());
        assert!(serde_json::from_str::<Moment>("1764000000").is_err());
    }

    #[test]
    fn arithmetic_and_order() {
        let a = utc(2026, 11, 22, 8, 30, 0, 0);
        let b = a + TimeDelta::hours(1);
        assert!(a < b);
        assert_eq!(b - a, TimeDelta::hours(1));
        assert_eq!(b - TimeDelta::hours(1), a);
        assert_eq!(a.checked_add(TimeDelta::MAX), None);
        assert_eq!(a.as_datetime(), DateTime::<Utc>::from(a));
    }

    /// Any moment from year 1 to 9999, to the microsecond.
    fn moment_strategy() -> impl Strategy<Value = Moment> {
        let lo = utc(1, 1, 1, 0, 0, 0, 0).0.timestamp_micros();
        let hi = utc(9999, 12, 31, 23, 59, 59, 999_999).0.timestamp_micros();
        (lo..=hi).prop_map(|us| Moment(DateTime::from_timestamp_micros(us).unwrap()))
    }

    proptest! {
        #[test]
        fn display_then_parse_is_identity(m in moment_strategy()) {
            let s = m.to_string();
            prop_assert_eq!(s.len(), 27);
            prop_assert_eq!(Moment::parse(&s), Some(m));
        }

        #[test]
        fn text_order_is_time_order(a in moment_strategy(), b in moment_strategy()) {
            prop_assert_eq!(a.cmp(&b), a.to_string().cmp(&b.to_string()));
        }

        #[test]
        fn any_offset_reads_as_the_same_instant(m in moment_strategy(), mins in -(14 * 60i32)..=(14 * 60)) {
            // a local time of year 0 or 10000 is not RFC 3339
            prop_assume!((2..=9998).contains(&chrono::Datelike::year(&m.0)));
            let off = chrono::FixedOffset::east_opt(mins * 60).unwrap();
            let s = m.0.with_timezone(&off).to_rfc3339();
            prop_assert_eq!(Moment::parse(&s), Some(m), "{}", s);
        }

        #[test]
        fn the_quick_reading_agrees_with_the_general_one(m in moment_strategy()) {
            let s = m.to_string();
            let general = DateTime::parse_from_rfc3339(&s).ok().map(|t| Moment::from_utc(t.to_utc()));
            prop_assert_eq!(Moment::parse_stored(s.as_bytes()), general);
        }

        #[test]
        fn the_quick_reading_refuses_what_it_does_not_know(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z") {
            // an impossible day or time is refused by both readings alike
            let general = DateTime::parse_from_rfc3339(&s).ok().map(|t| Moment::from_utc(t.to_utc()));
            prop_assert_eq!(Moment::parse_stored(s.as_bytes()), general.filter(|_| !s[17..19].eq("60")));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = Moment::parse(&s);
        }
    }
}
