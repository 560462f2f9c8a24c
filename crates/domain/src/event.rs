//! The kinds of entry in a ticket's audit trail. The trail is append-only: SLA clocks and
//! KPI reports are computed from it, so each entry carries its exact time and its actor.

use serde::{Deserialize, Serialize};

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Created,
    /// A field changed: `field`, `old` and `new` say which and how.
    FieldChanged,
    /// A public reply. `field` holds the author's role, so "first public agent response" is
    /// a query on the trail.
    Replied,
    /// An internal note (never shown to requesters).
    NoteAdded,
    /// The first public reply from the desk.
    FirstResponse,
    MergedInto,
    MergedFrom,
    Linked,
    Unlinked,
    /// SLA events: `field` names the target (first_response, next_response, resolution).
    SlaStarted,
    SlaPaused,
    SlaResumed,
    SlaMet,
    SlaWarning,
    SlaBreached,
    /// The target no longer applies (no policy matches, or the new one does not set it).
    SlaCancelled,
    /// Another policy applies now (after a change of priority, type, category …).
    SlaPolicyChanged,
    /// A breached target's escalation ran: `field` names the target, `new_value` the actions
    /// taken. Its moves and raises follow as field changes by the system (no actor).
    SlaEscalated,
    /// People were notified: `field` says why, `new_value` lists the recipients' user ids.
    Notified,
    /// An automation rule acted: `field` names the rule, `new_value` what it did.
    RuleApplied,
    /// Automatic assignment picked the assignee: `field` names the group's mode, `new_value`
    /// the agent's email.
    AutoAssigned,
    /// Mail about the ticket could not be delivered for good: `field` names the mail's
    /// template, `old_value` the recipient, `new_value` why.
    MailFailed,
}

impl EventKind {
    pub const ALL: [EventKind; 22] = [
        EventKind::Created,
        EventKind::FieldChanged,
        EventKind::Replied,
        EventKind::NoteAdded,
        EventKind::FirstResponse,
        EventKind::MergedInto,
        EventKind::MergedFrom,
        EventKind::Linked,
        EventKind::Unlinked,
        EventKind::SlaStarted,
        EventKind::SlaPaused,
        EventKind::SlaResumed,
        EventKind::SlaMet,
        EventKind::SlaWarning,
        EventKind::SlaBreached,
        EventKind::SlaCancelled,
        EventKind::SlaPolicyChanged,
        EventKind::SlaEscalated,
        EventKind::Notified,
        EventKind::RuleApplied,
        EventKind::AutoAssigned,
        EventKind::MailFailed,
    ];

    pub fn parse(text: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| DomainError::new("kind", format!("no kind of event {text:?}")))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::FieldChanged => "field_changed",
            EventKind::Replied => "replied",
            EventKind::NoteAdded => "note_added",
            EventKind::FirstResponse => "first_response",
            EventKind::MergedInto => "merged_into",
            EventKind::MergedFrom => "merged_from",
            EventKind::Linked => "linked",
            EventKind::Unlinked => "unlinked",
            EventKind::SlaStarted => "sla_started",
            EventKind::SlaPaused => "sla_paused",
            EventKind::SlaResumed => "sla_resumed",
            EventKind::SlaMet => "sla_met",
            EventKind::SlaWarning => "sla_warning",
            EventKind::SlaBreached => "sla_breached",
            EventKind::SlaCancelled => "sla_cancelled",
            EventKind::SlaPolicyChanged => "sla_policy_changed",
            EventKind::SlaEscalated => "sla_escalated",
            EventKind::Notified => "notified",
            EventKind::RuleApplied => "rule_applied",
            EventKind::AutoAssigned => "auto_assigned",
            EventKind::MailFailed => "mail_failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::EventKind;

    #[test]
    fn parse_round_trips() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Ok(k));
        }
        assert!(EventKind::parse("exploded").is_err());
    }
}
