//! Times: RFC 3339 UTC truncated to milliseconds, always written with three fraction digits
//! and `Z` (`2026-11-21T08:00:00.123Z`).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, TimeZone, Timelike, Utc};

/// A UTC instant with millisecond precision.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(DateTime<Utc>);

/// The text is not `YYYY-MM-DDTHH:MM:SS.mmmZ` naming a real instant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected an RFC 3339 UTC time with milliseconds, like 2026-11-21T08:00:00.123Z")]
pub struct TimeError;

impl Timestamp {
    /// The current time, truncated to milliseconds.
    pub fn now() -> Self {
        Self::from_datetime(Utc::now())
    }

    /// Truncates to milliseconds.
    pub fn from_datetime(t: DateTime<Utc>) -> Self {
        Self::from_unix_millis(t.timestamp_millis()).expect("a DateTime is in range")
    }

    pub fn from_unix_millis(ms: i64) -> Option<Self> {
        Utc.timestamp_millis_opt(ms).single().map(Self)
    }

    pub fn unix_millis(&self) -> i64 {
        self.0.timestamp_millis()
    }

    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }
}

impl FromStr for Timestamp {
    type Err = TimeError;
    fn from_str(text: &str) -> Result<Self, TimeError> {
        // The fixed shape first, so that chrono's leniency (offsets, other precisions, lowercase
        // separators) never lets a non-canonical spelling through; then the round trip.
        if text.len() != 24 || !text.ends_with('Z') {
            return Err(TimeError);
        }
        let parsed = DateTime::parse_from_rfc3339(text).map_err(|_| TimeError)?;
        // chrono reads `:60` as a leap second (nanoseconds past 10^9); UTC milliseconds since
        // the epoch cannot name it, so it is refused rather than folded into the next second.
        if parsed.nanosecond() >= 1_000_000_000 {
            return Err(TimeError);
        }
        let t = Self(parsed.with_timezone(&Utc));
        if t.to_string() != text {
            return Err(TimeError);
        }
        Ok(t)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

super::text::serde_as_text!(Timestamp);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trips_canonical_form() {
        let text = "2026-11-21T08:00:00.123Z";
        assert_eq!(text.parse::<Timestamp>().unwrap().to_string(), text);
    }

    #[test]
    fn refuses_other_spellings() {
        for bad in [
            "2026-11-21T08:00:00Z",
            "2026-11-21T08:00:00.1234Z",
            "2026-11-21T08:00:00.123+00:00",
            "2026-11-21t08:00:00.123z",
            "2026-11-21 08:00:00.123Z",
            "2026-02-30T08:00:00.123Z",
            "2026-11-21T24:00:00.000Z",
            "2026-06-30T23:59:60.000Z",
        ] {
            assert_eq!(bad.parse::<Timestamp>(), Err(TimeError), "{bad}");
        }
    }

    #[test]
    fn now_is_truncated_to_millis() {
        let t = Timestamp::now();
        assert_eq!(t.to_string().parse::<Timestamp>().unwrap(), t);
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC{0,30}") {
            if let Ok(t) = text.parse::<Timestamp>() {
                prop_assert_eq!(t.to_string(), text);
            }
        }

        #[test]
        fn millis_round_trip(ms in 0i64..253_402_300_799_999) {
            let t = Timestamp::from_unix_millis(ms).unwrap();
            prop_assert_eq!(t.to_string().parse::<Timestamp>().unwrap(), t);
        }
    }
}
