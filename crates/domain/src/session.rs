//! Browser sessions: a signed-in browser, known by the hash of its cookie, with the CSRF token
//! its forms carry and how long it lasts.

use crate::{Timestamp, UserId};

/// One signed-in browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the cookie; the cookie itself is never stored.
    pub token_hash: String,
    pub user_id: UserId,
    /// Carried by every form the session posts.
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    /// Pushed on while the browser is in use.
    pub expires_at: Timestamp,
}
