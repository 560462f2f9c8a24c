//! The JSON shapes of tickets: what the API answers and what it accepts.

use frontline_domain::{Email, TicketId, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::api::{nullable, time};

/// A ticket, as the contract in PRODUCT.md names its fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ticket {
    pub id: i64,
    /// As given, trimmed of leading and trailing white space.
    pub subject: String,
    /// As given, trimmed of leading and trailing white space.
    pub description: String,
    /// new, open, pending, on_hold, resolved or closed.
    pub status: String,
    #[serde(rename = "type")]
    pub ticket_type: String,
    pub impact: String,
    pub urgency: String,
    /// P1 (most urgent) to P4.
    pub priority: String,
    /// True when the priority was set by hand rather than by the matrix.
    pub priority_overridden: bool,
    /// Category path such as `Network/VPN`.
    pub category: Option<String>,
    /// The requester's email.
    pub requester: String,
    pub requester_name: String,
    pub organization: Option<String>,
    pub group: Option<String>,
    /// The assignee's email.
    pub assignee: Option<String>,
    pub tags: Vec<String>,
    /// Emails of the people who follow the ticket.
    pub watchers: Vec<String>,
    #[schema(value_type = Object)]
    pub custom_fields: Value,
    /// api, portal, email, phone or chat.
    pub channel: String,
    /// The ticket this one was merged into.
    pub merged_into: Option<i64>,
    /// Increases with every change; the ETag carries it.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub first_response_at: Option<String>,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
}

impl From<frontline_domain::Ticket> for Ticket {
    fn from(v: frontline_domain::Ticket) -> Self {
        let r = v.record;
        let when = |t: Timestamp| time(t.as_micros());
        Self {
            id: r.id.get(),
            subject: r.subject,
            description: r.description,
            status: r.status.as_str().to_owned(),
            ticket_type: r.ticket_type.as_str().to_owned(),
            impact: r.impact.as_str().to_owned(),
            urgency: r.urgency.as_str().to_owned(),
            priority: r.priority.as_str().to_owned(),
            priority_overridden: r.priority_overridden,
            category: v.category_path,
            requester: v.requester_email.to_string(),
            requester_name: v.requester_name,
            organization: v.organization_name,
            group: v.group_name,
            assignee: v.assignee_email.map(|e| e.to_string()),
            tags: v.tags,
            watchers: v.watchers.iter().map(Email::to_string).collect(),
            custom_fields: Value::Object(r.custom_fields),
            channel: r.channel.as_str().to_owned(),
            merged_into: r.merged_into_id.map(TicketId::get),
            version: r.version,
            created_at: when(r.times.created_at),
            updated_at: when(r.times.updated_at),
            first_response_at: r.times.first_response_at.map(when),
            resolved_at: r.times.resolved_at.map(when),
            closed_at: r.times.closed_at.map(when),
        }
    }
}

/// A list page.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<Ticket>,
    /// Pass back as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// A new ticket. Only `subject` is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicket {
    /// One line. Leading and trailing white space is trimmed; what is left must not be empty
    /// or hold control characters.
    pub subject: String,
    /// Leading and trailing white space is trimmed; at most 100,000 characters.
    #[serde(default)]
    pub description: String,
    /// incident (default), service_request, question or problem.
    #[serde(rename = "type")]
    pub ticket_type: Option<String>,
    /// high, medium (default) or low. Set by agents.
    pub impact: Option<String>,
    /// high, medium (default) or low.
    pub urgency: Option<String>,
    /// P1–P4; when absent, from the impact × urgency matrix. Set by agents.
    pub priority: Option<String>,
    /// Initial status; agents only (for example `resolved` for a call solved at once).
    pub status: Option<String>,
    pub category: Option<String>,
    /// On whose behalf (agents): an email; an unknown address becomes a new requester.
    pub requester: Option<String>,
    /// The new requester's name, when `requester` has no account yet (default: the part of the
    /// address before the `@`).
    pub requester_name: Option<String>,
    pub group: Option<String>,
    pub assignee: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub watchers: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom_fields: Map<String, Value>,
    /// api (default), portal, email, phone or chat.
    pub channel: Option<String>,
}

/// Changes to a ticket: only the fields present change; `null` clears a nullable field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTicket {
    /// One line. Leading and trailing white space is trimmed; what is left must not be empty
    /// or hold control characters.
    pub subject: Option<String>,
    /// Leading and trailing white space is trimmed; at most 100,000 characters.
    pub description: Option<String>,
    pub status: Option<String>,
    #[serde(rename = "type")]
    pub ticket_type: Option<String>,
    pub impact: Option<String>,
    pub urgency: Option<String>,
    /// P1–P4 sets it by hand; `null` returns it to the matrix.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub priority: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub group: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub assignee: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    pub watchers: Option<Vec<String>>,
    /// Keys present are set; `null` clears one.
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<Map<String, Value>>,
}
