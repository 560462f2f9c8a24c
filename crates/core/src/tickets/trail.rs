//! Collects the audit events of one operation and writes them with the change.

use frontline_domain::{EventId, EventKind, EventRecord, Status, TicketId, Timestamp, UserId};
use frontline_store::Conn;

use crate::Result;

pub(crate) struct Trail {
    ticket_id: TicketId,
    actor_id: Option<UserId>,
    at: Timestamp,
    events: Vec<EventRecord>,
}

impl Trail {
    pub fn new(ticket_id: TicketId, actor_id: Option<UserId>, at: Timestamp) -> Self {
        Self {
            ticket_id,
            actor_id,
            at,
            events: Vec::new(),
        }
    }

    pub fn push(
        &mut self,
        kind: EventKind,
        field: Option<&str>,
        old: Option<String>,
        new: Option<String>,
        internal: bool,
    ) {
        self.events.push(EventRecord {
            id: EventId::default(),
            ticket_id: self.ticket_id,
            actor_id: self.actor_id,
            at: self.at,
            kind,
            field: field.map(str::to_owned),
            old_value: old,
            new_value: new,
            internal,
        });
    }

    /// The first event of every ticket: it came into being with `status`.
    pub fn created(&mut self, status: Status) {
        self.push(
            EventKind::Created,
            Some("status"),
            None,
            Some(status.as_str().to_owned()),
            false,
        );
    }

    /// Records a field change when the value really changed.
    pub fn changed(&mut self, field: &str, old: Option<String>, new: Option<String>) {
        if old != new {
            self.push(EventKind::FieldChanged, Some(field), old, new, false);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The events, for a caller that writes several operations' trails together.
    pub fn into_events(self) -> Vec<EventRecord> {
        self.events
    }

    /// Appends the events in one statement.
    pub async fn write(self, c: &mut Conn<'_>) -> Result<()> {
        if !self.events.is_empty() {
            c.bulk_events(&self.events).await?;
        }
        Ok(())
    }
}
