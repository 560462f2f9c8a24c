//! Business-hours calendars: the time an SLA clock counts.
//!
//! A calendar has an IANA time zone, weekly working hours as shifts per weekday, and holidays.
//! An instant is business time when its wall-clock time in the calendar's zone falls inside a
//! shift of a working day. A shift belongs to the day it starts: `22:00-06:00` on Friday runs
//! into Saturday morning, and a holiday on Friday cancels it. Across a daylight-saving change
//! a shift counts the real time that passes (one hour less in spring, one more in autumn).
//!
//! `intervals` turns that definition into UTC intervals; SLA targets are computed with
//! [`Calendar::add`] and [`Calendar::business_time_between`].

mod intervals;
mod record;
mod schedule;
mod spec;

pub use record::{CalendarRecord, CalendarUses};
pub use schedule::{Holiday, Shift};
pub use spec::{CalendarSpec, Week};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

use crate::{DomainError, Timestamp};

/// How far ahead [`Calendar::add`] looks before it decides a calendar has no working time.
const HORIZON_DAYS: i64 = 3 * 366;

/// As stored and as the API reads and writes it:
/// `{"time_zone": "Europe/Berlin", "week": {"mon": ["09:00-17:00"], …}, "holidays": ["12-25"]}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "spec::CalendarSpec", into = "spec::CalendarSpec")]
pub struct Calendar {
    time_zone: Tz,
    /// Shifts per weekday, Monday first.
    week: [Vec<Shift>; 7],
    holidays: Vec<Holiday>,
}

impl Calendar {
    /// Around the clock, every day, in UTC.
    pub fn always() -> Self {
        Self {
            time_zone: Tz::UTC,
            week: std::array::from_fn(|_| vec![Shift::WHOLE_DAY]),
            holidays: Vec::new(),
        }
    }

    /// A calendar in `time_zone` (an IANA name such as `Europe/Berlin`).
    pub fn new(
        time_zone: &str,
        week: [Vec<Shift>; 7],
        holidays: Vec<Holiday>,
    ) -> Result<Self, DomainError> {
        let time_zone = time_zone.parse::<Tz>().map_err(|_| {
            DomainError::new(
                "time_zone",
                format!("{time_zone:?} is not an IANA time zone"),
            )
        })?;
        Ok(Self {
            time_zone,
            week,
            holidays,
        })
    }

    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    pub fn week(&self) -> &[Vec<Shift>; 7] {
        &self.week
    }

    pub fn holidays(&self) -> &[Holiday] {
        &self.holidays
    }

    /// Whether `at` is business time.
    pub fn is_business(&self, at: Timestamp) -> bool {
        let local = intervals::local(self.time_zone, at.as_micros());
        let date = local.date();
        [date.pred_opt(), Some(date)]
            .into_iter()
            .flatten()
            .any(|day| self.shifts_of(day).any(|s| s.contains(day, local)))
    }

    /// Business time between two instants, in microseconds (0 when `to` is not after `from`).
    pub fn business_time_between(&self, from: Timestamp, to: Timestamp) -> i64 {
        let (from, to) = (from.as_micros(), to.as_micros());
        if to <= from {
            return 0;
        }
        self.intervals_over(from, to)
            .iter()
            .map(|&(a, b)| b.min(to) - a.max(from))
            .filter(|d| *d > 0)
            .sum()
    }

    /// The instant at which `business` microseconds of business time have passed after
    /// `start`: the due time of an SLA target. `None` when the calendar has no working time
    /// within about three years.
    pub fn add(&self, start: Timestamp, business: i64) -> Option<Timestamp> {
        let start = start.as_micros();
        if business <= 0 {
            return Some(Timestamp::from_micros(start));
        }
        let mut days = 14;
        loop {
            let until = start.saturating_add(days * intervals::DAY);
            let mut left = business;
            for (a, b) in self.intervals_over(start, until) {
                let a = a.max(start);
                if b <= a {
                    continue;
                }
                if b - a >= left {
                    return Some(Timestamp::from_micros(a + left));
                }
                left -= b - a;
            }
            if days >= HORIZON_DAYS {
                return None;
            }
            days = (days * 4).min(HORIZON_DAYS);
        }
    }

    /// Merged UTC intervals of business time that touch `[from, to)`, in order.
    fn intervals_over(&self, from: i64, to: i64) -> Vec<(i64, i64)> {
        // A shift can start up to two days before the instant it covers (an overnight shift
        // plus the largest UTC offset), so begin a little early and clip afterwards.
        let first = intervals::local(self.time_zone, from).date() - chrono::Days::new(3);
        let last = intervals::local(self.time_zone, to).date() + chrono::Days::new(1);
        let mut out = Vec::new();
        for day in first.iter_days().take_while(|d| *d <= last) {
            for shift in self.shifts_of(day) {
                let (start, end) = shift.bounds(day);
                intervals::instants_of_local_range(self.time_zone, start, end, &mut out);
            }
        }
        intervals::merge(&mut out);
        out.retain(|&(a, b)| b > from && a < to);
        out
    }

    /// The shifts that start on `day`: none on a holiday.
    fn shifts_of(&self, day: NaiveDate) -> impl Iterator<Item = &Shift> {
        let working = !self.holidays.iter().any(|h| h.falls_on(day));
        let weekday = day.weekday().num_days_from_monday() as usize;
        self.week[weekday].iter().filter(move |_| working)
    }
}

/// Wall-clock time as the calendar's people read it, for messages.
pub fn local_time(tz: Tz, at: Timestamp) -> NaiveDateTime {
    intervals::local(tz, at.as_micros())
}

#[cfg(test)]
pub(crate) mod tests;
