//! Timestamps: microseconds since the Unix epoch, UTC.
//!
//! Stored as a 64-bit integer in both databases, so ordering and arithmetic are exact and the
//! same everywhere; rendered as RFC 3339 only at the edges.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_micros(micros: i64) -> Self {
        Self(micros)
    }

    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// The wall clock. Callers in the domain take a `Timestamp` instead of calling this.
    pub fn now() -> Self {
        Self(Utc::now().timestamp_micros())
    }

    pub fn to_datetime(self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.0).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    pub fn to_rfc3339(self) -> String {
        self.to_datetime()
            .to_rfc3339_opts(SecondsFormat::Micros, true)
    }

    pub fn parse_rfc3339(field: &str, text: &str) -> Result<Self, DomainError> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| Self(t.with_timezone(&Utc).timestamp_micros()))
            .map_err(|_| {
                DomainError::new(
                    field,
                    "must be an RFC 3339 time such as 2026-01-31T09:00:00Z",
                )
            })
    }

    pub fn plus_seconds(self, seconds: i64) -> Self {
        Self(self.0.saturating_add(seconds.saturating_mul(1_000_000)))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse_rfc3339("time", &text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_rfc3339() {
        let t = Timestamp::from_micros(1_767_225_600_123_456);
        let text = t.to_rfc3339();
        assert_eq!(text, "2026-01-01T00:00:00.123456Z");
        assert_eq!(Timestamp::parse_rfc3339("t", &text), Ok(t));
    }

    #[test]
    fn offsets_are_normalised_to_utc() {
        let t = Timestamp::parse_rfc3339("t", "2026-01-01T01:00:00+01:00");
        assert_eq!(
            t.map(Timestamp::to_rfc3339).as_deref(),
            Ok("2026-01-01T00:00:00.000000Z")
        );
    }

    #[test]
    fn rejects_garbage() {
        assert!(Timestamp::parse_rfc3339("updated_since", "yesterday").is_err());
    }
}
