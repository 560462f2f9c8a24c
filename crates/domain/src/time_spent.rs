//! Time spent on tickets: the minutes an agent says a reply, a note or a call took, and what
//! they add up to per ticket and per agent.

use crate::{DomainError, TicketId, Timestamp, UserId};

/// The most one entry may say: a working day. More is a typing slip, not an answer.
pub const MAX_MINUTES: u32 = 12 * 60;

/// What the time was spent on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeKind {
    Reply,
    Note,
    Call,
}

impl TimeKind {
    pub const ALL: [TimeKind; 3] = [TimeKind::Reply, TimeKind::Note, TimeKind::Call];

    pub fn as_str(self) -> &'static str {
        match self {
            TimeKind::Reply => "reply",
            TimeKind::Note => "note",
            TimeKind::Call => "call",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| DomainError::new(field, "must be reply, note or call"))
    }
}

/// Minutes of work, 1 to [`MAX_MINUTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Minutes(u32);

impl Minutes {
    pub fn new(field: &str, minutes: i64) -> Result<Self, DomainError> {
        match u32::try_from(minutes) {
            Ok(m) if (1..=MAX_MINUTES).contains(&m) => Ok(Self(m)),
            _ => Err(DomainError::new(
                field,
                format!("must be a whole number of minutes from 1 to {MAX_MINUTES}"),
            )),
        }
    }

    /// A form's text: empty (or 0) for none, else a number of minutes.
    pub fn parse_optional(field: &str, text: &str) -> Result<Option<Self>, DomainError> {
        match text.trim() {
            "" | "0" => Ok(None),
            t => t
                .parse::<i64>()
                .map_err(|_| DomainError::new(field, "must be a whole number of minutes"))
                .and_then(|m| Self::new(field, m))
                .map(Some),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// One entry as read back, with its author's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeEntry {
    pub ticket_id: TicketId,
    pub user_id: UserId,
    pub user_name: String,
    pub kind: TimeKind,
    pub minutes: u32,
    pub created_at: Timestamp,
}

/// An agent's total over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentTime {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub minutes: i64,
    /// Tickets the time went to.
    pub tickets: i64,
}

/// "45 min", "2 h", "2 h 05 min".
pub fn minutes_label(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m:02} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_are_checked_and_shown() {
        assert_eq!(Minutes::parse_optional("m", " "), Ok(None));
        assert_eq!(Minutes::parse_optional("m", "0"), Ok(None));
        assert_eq!(
            Minutes::parse_optional("m", "15").map(|m| m.map(Minutes::get)),
            Ok(Some(15))
        );
        assert!(Minutes::parse_optional("m", "-5").is_err());
        assert!(Minutes::parse_optional("m", "1.5").is_err());
        assert!(Minutes::parse_optional("m", "721").is_err());
        assert_eq!(minutes_label(45), "45 min");
        assert_eq!(minutes_label(120), "2 h");
        assert_eq!(minutes_label(125), "2 h 05 min");
        for k in TimeKind::ALL {
            assert_eq!(TimeKind::parse("kind", k.as_str()), Ok(k));
        }
    }
}
