//! An agent's availability for automatic assignment: the working hours they keep and whether
//! they are out of the office. Their skills are kept beside it.

use crate::{CalendarId, UserId};

/// What an agent told the desk about when they take tickets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Availability {
    pub user_id: UserId,
    /// The calendar of their working hours; `None`: the desk's hours.
    pub calendar_id: Option<CalendarId>,
    /// Out of the office: assignment passes them over.
    pub out_of_office: bool,
}
