//! Roles: what a person may do. Every person has exactly one.

use serde::{Deserialize, Serialize};

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Any employee: reports, follows and replies to their own tickets.
    Requester,
    /// Works tickets across the desk.
    Agent,
    /// An agent who also configures the desk: groups, categories, fields, the matrix.
    Manager,
    /// A manager who also manages people and tokens.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Requester, Role::Agent, Role::Manager, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Requester => "requester",
            Role::Agent => "agent",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or_else(|| DomainError::new("role", "must be requester, agent, manager or admin"))
    }

    /// Agents, managers and admins work the desk; requesters only use it.
    pub fn is_staff(self) -> bool {
        self >= Role::Agent
    }

    pub fn can_configure(self) -> bool {
        self >= Role::Manager
    }

    pub fn can_administer(self) -> bool {
        self == Role::Admin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_role_and_nothing_else() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert!(Role::parse("root").is_err());
        assert!(Role::parse("Agent").is_err());
    }

    #[test]
    fn powers_grow_with_rank() {
        assert!(!Role::Requester.is_staff());
        assert!(Role::Agent.is_staff() && !Role::Agent.can_configure());
        assert!(Role::Manager.can_configure() && !Role::Manager.can_administer());
        assert!(Role::Admin.can_administer());
    }
}
