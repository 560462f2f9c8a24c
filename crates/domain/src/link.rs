//! Links between tickets. One row is stored per link; the other side reads it inverted.

use serde::{Deserialize, Serialize};

use crate::{DomainError, TicketId, Timestamp};

/// One stored link, in its canonical direction ([`LinkKind::canonical`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub source_id: TicketId,
    pub kind: LinkKind,
    pub target_id: TicketId,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Related,
    /// This ticket is the parent of the target.
    ParentOf,
    /// This ticket is a child of the target.
    ChildOf,
    /// This ticket duplicates the target.
    DuplicateOf,
    /// The target duplicates this ticket.
    DuplicatedBy,
}

impl LinkKind {
    pub const ALL: [LinkKind; 5] = [
        LinkKind::Related,
        LinkKind::ParentOf,
        LinkKind::ChildOf,
        LinkKind::DuplicateOf,
        LinkKind::DuplicatedBy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Related => "related",
            LinkKind::ParentOf => "parent_of",
            LinkKind::ChildOf => "child_of",
            LinkKind::DuplicateOf => "duplicate_of",
            LinkKind::DuplicatedBy => "duplicated_by",
        }
    }

    pub fn parse(text: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| {
                DomainError::new(
                    "kind",
                    "must be related, parent_of, child_of, duplicate_of or duplicated_by",
                )
            })
    }

    /// How the link reads from the target's side.
    pub fn inverse(self) -> LinkKind {
        match self {
            LinkKind::Related => LinkKind::Related,
            LinkKind::ParentOf => LinkKind::ChildOf,
            LinkKind::ChildOf => LinkKind::ParentOf,
            LinkKind::DuplicateOf => LinkKind::DuplicatedBy,
            LinkKind::DuplicatedBy => LinkKind::DuplicateOf,
        }
    }

    /// Each link is stored once, in its canonical direction, so both sides agree and a
    /// second request for the same link from the other side is recognised as the same link.
    pub fn canonical(self, from: TicketId, to: TicketId) -> (TicketId, LinkKind, TicketId) {
        match self {
            LinkKind::ChildOf | LinkKind::DuplicatedBy => (to, self.inverse(), from),
            LinkKind::Related if from > to => (to, self, from),
            _ => (from, self, to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_is_an_involution() {
        for k in LinkKind::ALL {
            assert_eq!(k.inverse().inverse(), k);
        }
    }

    #[test]
    fn both_sides_store_the_same_row() {
        assert_eq!(
            LinkKind::ChildOf.canonical(TicketId::new(2), TicketId::new(1)),
            LinkKind::ParentOf.canonical(TicketId::new(1), TicketId::new(2))
        );
        assert_eq!(
            LinkKind::DuplicatedBy.canonical(TicketId::new(7), TicketId::new(3)),
            LinkKind::DuplicateOf.canonical(TicketId::new(3), TicketId::new(7))
        );
        assert_eq!(
            LinkKind::Related.canonical(TicketId::new(9), TicketId::new(4)),
            LinkKind::Related.canonical(TicketId::new(4), TicketId::new(9))
        );
    }
}
