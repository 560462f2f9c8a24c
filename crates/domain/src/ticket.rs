//! A ticket as the desk reads it: its own fields, typed, and the names its ids point to.
//!
//! The store decodes its rows into these values and the core works on them; front ends
//! render them (`status.as_str()`) and never parse a stored string again.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{
    CategoryId, DomainError, Email, GroupId, Level, OrganizationId, Priority, Status, TicketId,
    TicketType, Timestamp, UserId,
};

/// Where a ticket came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Api,
    Portal,
    Email,
    Phone,
    Chat,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::Api,
        Channel::Portal,
        Channel::Email,
        Channel::Phone,
        Channel::Chat,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Api => "api",
            Channel::Portal => "portal",
            Channel::Email => "email",
            Channel::Phone => "phone",
            Channel::Chat => "chat",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == text)
            .ok_or_else(|| DomainError::new(field, "must be api, portal, email, phone or chat"))
    }
}

/// The moments in a ticket's life that it keeps on itself (the trail keeps the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamps {
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub first_response_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
}

impl Timestamps {
    /// A ticket opened at `at`, not yet answered, resolved or closed.
    pub fn opened(at: Timestamp) -> Self {
        Self {
            created_at: at,
            updated_at: at,
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
        }
    }
}

/// The ticket's own fields: what the core changes and saves with a version check. The ids
/// point at the requester, organization, group, assignee and category.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketRecord {
    /// The ticket's number; 0 before it is first stored.
    pub id: TicketId,
    pub subject: String,
    pub description: String,
    pub status: Status,
    pub ticket_type: TicketType,
    pub impact: Level,
    pub urgency: Level,
    pub priority: Priority,
    /// Set by hand rather than by the impact × urgency matrix.
    pub priority_overridden: bool,
    pub category_id: Option<CategoryId>,
    pub requester_id: UserId,
    pub organization_id: Option<OrganizationId>,
    pub group_id: Option<GroupId>,
    pub assignee_id: Option<UserId>,
    pub channel: Channel,
    pub custom_fields: Map<String, Value>,
    pub merged_into_id: Option<TicketId>,
    /// Increases with every change; a save names the version it read.
    pub version: i64,
    pub times: Timestamps,
}

impl TicketRecord {
    /// The custom fields as the JSON text stored and recorded in the trail.
    pub fn custom_fields_json(&self) -> String {
        Value::Object(self.custom_fields.clone()).to_string()
    }

    /// Moves the ticket to `to`, keeping the resolution and closing times in step.
    pub fn set_status(&mut self, to: Status, at: Timestamp) {
        self.status = to;
        let times = &mut self.times;
        match to {
            Status::Resolved => times.resolved_at = times.resolved_at.or(Some(at)),
            Status::Closed => {
                times.resolved_at = times.resolved_at.or(Some(at));
                times.closed_at = Some(at);
            }
            _ => times.resolved_at = None,
        }
    }
}

pub use crate::sla::SlaSummary;

/// A ticket as people read it: its fields plus the names its ids point to, its tags and
/// watchers, and its SLA summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket {
    pub record: TicketRecord,
    pub requester_email: Email,
    pub requester_name: String,
    pub organization_name: Option<String>,
    pub group_name: Option<String>,
    pub assignee_email: Option<Email>,
    pub assignee_name: Option<String>,
    pub category_path: Option<String>,
    /// The SLA summary as stored when the ticket was read.
    pub sla: SlaSummary,
    /// Sorted.
    pub tags: Vec<String>,
    /// The watchers' emails, sorted.
    pub watchers: Vec<Email>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_parse_round_trips() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse("channel", c.as_str()), Ok(c));
        }
        assert!(Channel::parse("channel", "fax").is_err());
    }
}
