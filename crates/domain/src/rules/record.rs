//! A rule as the desk keeps it: its place in the order rules are considered, its author
//! (who writes its notes and replies), and for a time rule where its scan has got to.

use crate::{RuleId, TicketId, Timestamp, UserId};

use super::Rule;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRecord {
    pub id: RuleId,
    pub position: i64,
    pub rule: Rule,
    pub author_id: UserId,
    /// The scan's position: the instant and ticket it last reached (both 0 before it ran,
    /// and again once the rule is replaced).
    pub scanned_at: i64,
    pub scanned_id: TicketId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}
