//! People, the organizations requesters belong to, and the groups agents work in.

use crate::{Email, GroupId, OrganizationId, Role, Timestamp, UserId};

/// A person with an account on the desk: a requester or staff.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub organization_id: Option<OrganizationId>,
    /// The Argon2 hash of their password; `None`: they sign in another way (or not at all).
    /// Never shown or logged.
    pub password_hash: Option<String>,
    /// A deactivated person keeps their tickets but cannot sign in.
    pub active: bool,
    pub created_at: Timestamp,
}

/// A company or department requesters belong to, found by their email's domain.
#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: String,
    /// Addresses at this domain join it on their first ticket.
    pub domain: Option<String>,
    /// Its members see each other's tickets.
    pub shared_tickets: bool,
    pub created_at: Timestamp,
}

/// A team of agents tickets are routed to.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    pub description: String,
    pub created_at: Timestamp,
}
