//! A saved view as the desk keeps it: an agent's named queue, who it is shared with, and its
//! filters and sort in the stored form that the core reads.

use crate::{DomainError, Email, GroupId, Timestamp, UserId, ViewId};

/// Who sees a saved view besides its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViewVisibility {
    /// Only its owner.
    Private,
    /// The members of one group.
    Group,
    /// Everyone on the desk.
    Everyone,
}

impl ViewVisibility {
    pub const ALL: [ViewVisibility; 3] = [
        ViewVisibility::Private,
        ViewVisibility::Group,
        ViewVisibility::Everyone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ViewVisibility::Private => "private",
            ViewVisibility::Group => "group",
            ViewVisibility::Everyone => "everyone",
        }
    }

    pub fn parse(text: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == text)
            .ok_or_else(|| DomainError::new("visibility", "must be private, group or everyone"))
    }
}

/// A saved view as stored, with its owner's email and its group's name looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewRecord {
    pub id: ViewId,
    pub owner_id: UserId,
    pub owner_email: Email,
    pub name: String,
    pub visibility: ViewVisibility,
    /// The group it is shared with, when `visibility` is `Group`.
    pub shared_group_id: Option<GroupId>,
    pub shared_group: Option<String>,
    /// The queue and filters as JSON; the core reads and writes it.
    pub filters: String,
    /// `priority`, `-created`, … as in the API's `sort` parameter.
    pub sort: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_visibility_and_nothing_else() {
        for v in ViewVisibility::ALL {
            assert_eq!(ViewVisibility::parse(v.as_str()), Ok(v));
        }
        assert!(ViewVisibility::parse("public").is_err());
    }
}
