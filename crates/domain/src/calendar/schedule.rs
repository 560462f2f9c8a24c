//! Shifts and holidays: the parts of a calendar an administrator writes, parsed from text
//! such as `09:00-17:00`, `22:00-06:00` (overnight), `00:00-24:00`, `2026-12-24` and `12-25`.

use std::fmt;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::DomainError;

const MINUTES_PER_DAY: u32 = 24 * 60;

/// Working hours that start on a day, in minutes after its local midnight. `end` is after
/// `start` and may pass midnight (up to the next day's end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shift {
    start: u32,
    end: u32,
}

impl Shift {
    pub const WHOLE_DAY: Shift = Shift {
        start: 0,
        end: MINUTES_PER_DAY,
    };

    /// From minutes after midnight; an `end` at or before `start` means the next day.
    pub fn new(start: u32, end: u32) -> Result<Self, DomainError> {
        if start >= MINUTES_PER_DAY || end > MINUTES_PER_DAY {
            return Err(DomainError::new("shift", "times run from 00:00 to 24:00"));
        }
        let end = if end <= start {
            end + MINUTES_PER_DAY
        } else {
            end
        };
        Ok(Self { start, end })
    }

    /// `HH:MM-HH:MM`.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let bad = || DomainError::new("shift", format!("{text:?} is not HH:MM-HH:MM"));
        let (a, b) = text.trim().split_once('-').ok_or_else(bad)?;
        Self::new(minutes(a).ok_or_else(bad)?, minutes(b).ok_or_else(bad)?)
    }

    /// The local start and end of this shift on `day`.
    pub(super) fn bounds(&self, day: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
        let midnight = day.and_time(NaiveTime::MIN);
        (
            midnight + TimeDelta::minutes(i64::from(self.start)),
            midnight + TimeDelta::minutes(i64::from(self.end)),
        )
    }

    /// Whether wall-clock time `local` falls in this shift when it starts on `day`.
    pub(super) fn contains(&self, day: NaiveDate, local: NaiveDateTime) -> bool {
        let (start, end) = self.bounds(day);
        start <= local && local < end
    }
}

/// `HH:MM` as minutes after midnight, `24:00` included.
fn minutes(text: &str) -> Option<u32> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 || h == 24 && m == 0).then_some(h * 60 + m)
}

impl fmt::Display for Shift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = if self.end > MINUTES_PER_DAY {
            self.end - MINUTES_PER_DAY
        } else {
            self.end
        };
        let hm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
        write!(f, "{}-{}", hm(self.start), hm(end))
    }
}

impl Serialize for Shift {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Shift {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Shift::parse(&text).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// A day off: one date, or the same month and day every year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holiday {
    Date(NaiveDate),
    Yearly { month: u32, day: u32 },
}

impl Holiday {
    /// `YYYY-MM-DD` for one date, `MM-DD` for every year.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let text = text.trim();
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(Holiday::Date(date));
        }
        let bad = || DomainError::new("holiday", format!("{text:?} is not YYYY-MM-DD or MM-DD"));
        let (m, d) = text.split_once('-').ok_or_else(bad)?;
        let (month, day): (u32, u32) =
            (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
        // 2024 is a leap year, so 02-29 is accepted (and observed in leap years only).
        NaiveDate::from_ymd_opt(2024, month, day).ok_or_else(bad)?;
        Ok(Holiday::Yearly { month, day })
    }

    pub(super) fn falls_on(&self, date: NaiveDate) -> bool {
        match *self {
            Holiday::Date(d) => d == date,
            Holiday::Yearly { month, day } => date.month() == month && date.day() == day,
        }
    }
}

impl fmt::Display for Holiday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Holiday::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Holiday::Yearly { month, day } => write!(f, "{month:02}-{day:02}"),
        }
    }
}

impl Serialize for Holiday {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Holiday {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Holiday::parse(&text).map_err(|e| serde::de::Error::custom(e.message))
    }
}
