//! A calendar as the desk keeps it: its id and name beside the definition, and what still
//! counts in it (which decides whether it may be removed).

use crate::{CalendarId, Timestamp};

use super::Calendar;

/// A configured calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarRecord {
    pub id: CalendarId,
    pub name: String,
    pub calendar: Calendar,
    pub created_at: Timestamp,
}

/// What still refers to a calendar: policies that count in it and agents who work by it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CalendarUses {
    pub policies: i64,
    pub agents: i64,
}

impl CalendarUses {
    pub fn is_unused(&self) -> bool {
        self.policies == 0 && self.agents == 0
    }
}
