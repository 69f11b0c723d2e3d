//! Every `as_of` query parameter, read one way: the wire keeps it a string (the OpenAPI
//! document says so), and handlers turn it into the typed as-of app takes through these,
//! which call the one reader, [`fenglai_domain::moment::as_of`].

use fenglai_app::Error;
use fenglai_domain::{moment, Day, Moment};

/// An as-of instant (absent: now; a bare day: its end in Beijing time).
pub(crate) fn moment(q: &Option<String>) -> Result<Moment, Error> {
    Ok(moment::as_of(q.as_deref())?)
}

/// An as-of day (absent: today in China).
pub(crate) fn day(q: &Option<String>) -> Result<Day, Error> {
    Ok(moment::as_of_day(q.as_deref())?)
}
