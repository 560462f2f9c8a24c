//! The numbers things are known by: one type per noun, so a user's id cannot be passed where
//! a ticket's is meant.
//!
//! Each is the database's 64-bit row id, shown and serialized as the bare number (the API's
//! `"id": 42`, the console's `/tickets/42`). The store reads and binds them with `get` and
//! `new`; everyone else takes them as they come.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(id: i64) -> Self {
                Self(id)
            }

            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    )*};
}

ids! {
    /// A ticket's number, as requesters quote it; 0 before the ticket is first stored.
    TicketId;
    /// A person's account: requester or staff.
    UserId;
    /// A team of agents.
    GroupId;
    /// A company or department requesters belong to.
    OrganizationId;
    /// A public reply or internal note; 0 before it is first stored.
    CommentId;
    /// A file attached to a comment; 0 before it is first stored.
    AttachmentId;
    /// One entry of a ticket's audit trail; 0 before it is stored.
    EventId;
    /// A node of the category tree.
    CategoryId;
    /// A saved view of the console's queues.
    ViewId;
    /// An automation rule.
    RuleId;
    /// An SLA policy.
    SlaPolicyId;
    /// A business-hours calendar.
    CalendarId;
    /// A canned response.
    CannedId;
    /// A mailbox the desk receives and sends from.
    MailboxId;
    /// A received message, kept as it arrived.
    InboundId;
    /// An outgoing message of the outbox.
    OutboxId;
    /// A job of the durable queue.
    JobId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_and_show_as_bare_numbers() {
        let id: TicketId = "42".parse().expect("a number");
        assert_eq!(id, TicketId::new(42));
        assert_eq!(id.to_string(), "42");
        assert_eq!(serde_json::to_string(&id).ok().as_deref(), Some("42"));
        assert_eq!(
            serde_json::from_str::<UserId>("7").ok(),
            Some(UserId::new(7))
        );
        assert!("4x".parse::<GroupId>().is_err());
    }
}
