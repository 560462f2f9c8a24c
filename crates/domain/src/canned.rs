//! Canned responses: named reply templates, the desk's (kept by admins) and each agent's own.
//! Filling in their placeholders is the core's business.

use crate::{CannedId, Timestamp, UserId};

/// A reply template as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedResponse {
    pub id: CannedId,
    /// `None`: the desk's, for every agent.
    pub owner_id: Option<UserId>,
    pub name: String,
    pub body: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}
