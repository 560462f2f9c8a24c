//! The written form of a calendar: weekdays by name, shifts and holidays as text.

use serde::{Deserialize, Serialize};

use super::{Calendar, Holiday, Shift};
use crate::DomainError;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Week {
    pub mon: Vec<Shift>,
    pub tue: Vec<Shift>,
    pub wed: Vec<Shift>,
    pub thu: Vec<Shift>,
    pub fri: Vec<Shift>,
    pub sat: Vec<Shift>,
    pub sun: Vec<Shift>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    pub time_zone: String,
    pub week: Week,
    #[serde(default)]
    pub holidays: Vec<Holiday>,
}

impl TryFrom<CalendarSpec> for Calendar {
    type Error = DomainError;

    fn try_from(s: CalendarSpec) -> Result<Self, DomainError> {
        let w = s.week;
        Calendar::new(
            &s.time_zone,
            [w.mon, w.tue, w.wed, w.thu, w.fri, w.sat, w.sun],
            s.holidays,
        )
    }
}

impl From<Calendar> for CalendarSpec {
    fn from(c: Calendar) -> Self {
        let [mon, tue, wed, thu, fri, sat, sun] = c.week;
        CalendarSpec {
            time_zone: c.time_zone.name().to_owned(),
            week: Week {
                mon,
                tue,
                wed,
                thu,
                fri,
                sat,
                sun,
            },
            holidays: c.holidays,
        }
    }
}
