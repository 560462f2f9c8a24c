//! The ticket lifecycle and its allowed transitions.
//!
//! new → open → pending (waiting on the requester) / on hold (waiting on a third party) →
//! resolved → closed. A requester's reply reopens a pending or resolved ticket; closed is final.

use serde::{Deserialize, Serialize};

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Open,
    Pending,
    OnHold,
    Resolved,
    Closed,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::New,
        Status::Open,
        Status::Pending,
        Status::OnHold,
        Status::Resolved,
        Status::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::Pending => "pending",
            Status::OnHold => "on_hold",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| {
                DomainError::new(
                    field,
                    "must be one of new, open, pending, on_hold, resolved, closed",
                )
            })
    }

    /// Still needs work from the desk or the requester (not resolved, not closed).
    pub fn is_active(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed)
    }

    /// Whether a ticket may move from `self` to `to`. Staying put is always allowed.
    pub fn can_become(self, to: Status) -> bool {
        use Status::*;
        if self == to {
            return true;
        }
        match self {
            New => to != New,
            Open | Pending | OnHold => !matches!(to, New),
            Resolved => matches!(to, Open | Closed),
            Closed => false,
        }
    }

    pub fn transition(self, to: Status) -> Result<Status, DomainError> {
        if self.can_become(to) {
            Ok(to)
        } else if self == Status::Closed {
            Err(DomainError::new(
                "status",
                "a closed ticket is final; open a new ticket instead",
            ))
        } else {
            Err(DomainError::new(
                "status",
                format!("cannot change from {} to {}", self.as_str(), to.as_str()),
            ))
        }
    }

    /// The status after the requester replies: pending and resolved tickets reopen.
    pub fn after_requester_reply(self) -> Status {
        match self {
            Status::Pending | Status::Resolved => Status::Open,
            other => other,
        }
    }

    /// The status after an agent's public reply: a new ticket is now being worked.
    pub fn after_agent_reply(self) -> Status {
        match self {
            Status::New => Status::Open,
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn closed_is_final() {
        for to in Status::ALL {
            assert_eq!(Closed.can_become(to), to == Closed, "closed → {to:?}");
        }
        assert!(Closed.transition(Open).is_err());
    }

    #[test]
    fn nothing_returns_to_new() {
        for from in Status::ALL {
            assert_eq!(from.can_become(New), from == New);
        }
    }

    #[test]
    fn resolved_only_reopens_or_closes() {
        assert!(Resolved.can_become(Open));
        assert!(Resolved.can_become(Closed));
        assert!(!Resolved.can_become(Pending));
        assert!(!Resolved.can_become(OnHold));
    }

    #[test]
    fn working_states_move_freely() {
        for from in [Open, Pending, OnHold] {
            for to in [Open, Pending, OnHold, Resolved, Closed] {
                assert!(from.can_become(to), "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn requester_reply_reopens_pending_and_resolved_only() {
        assert_eq!(Pending.after_requester_reply(), Open);
        assert_eq!(Resolved.after_requester_reply(), Open);
        assert_eq!(OnHold.after_requester_reply(), OnHold);
        assert_eq!(New.after_requester_reply(), New);
        assert_eq!(Closed.after_requester_reply(), Closed);
    }

    #[test]
    fn agent_reply_opens_a_new_ticket() {
        assert_eq!(New.after_agent_reply(), Open);
        assert_eq!(Pending.after_agent_reply(), Pending);
    }

    #[test]
    fn parse_round_trips() {
        for s in Status::ALL {
            assert_eq!(Status::parse("status", s.as_str()), Ok(s));
        }
        assert!(Status::parse("status", "on-hold").is_err());
    }
}
