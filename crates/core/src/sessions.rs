//! Browser sessions: signing in with a password (throttled per account and per client
//! address), finding the person behind a session cookie, signing out, changing a password.
//!
//! The cookie value is 256 random bits and only its SHA-256 is stored, like API tokens. Each
//! session has its own CSRF token, which the web pages put in every form.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use frontline_store::sessions::SessionRow;
use rand::RngCore;

use crate::auth::{hash_password, sha256_hex, verify_password};
use crate::{Actor, CoreError, Desk, Result};

/// A session ends after this long without a request.
pub const IDLE_LIFETIME_SECS: i64 = 12 * 60 * 60;
/// Failed sign-ins are counted over this window.
pub const THROTTLE_WINDOW_SECS: i64 = 15 * 60;
/// Failed sign-ins to one account within the window before it is refused for a while.
pub const ACCOUNT_FAILURES: i64 = 5;
/// Failed sign-ins from one address (to any account) within the window.
pub const ADDRESS_FAILURES: i64 = 20;
/// A session is written back at most this often, so reading pages does not queue writes.
const TOUCH_EVERY_SECS: i64 = 5 * 60;

const SECOND: i64 = 1_000_000;

/// A signed-in browser: who, and the CSRF token its forms must carry.
#[derive(Debug, Clone)]
pub struct BrowserSession {
    pub actor: Actor,
    pub csrf_token: String,
}

#[derive(Debug)]
pub enum SignIn {
    /// `token` goes into the session cookie; it is not stored anywhere.
    Started {
        token: String,
        session: BrowserSession,
    },
    /// Wrong email or password, or an inactive account (which is not said).
    Refused,
    /// Too many failures for this account or from this address; try again later.
    Throttled,
}

/// 256 random bits, URL-safe: session cookies and CSRF tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn account_key(email: &str) -> String {
    format!("account:{}", email.trim().to_lowercase())
}

fn address_key(address: &str) -> String {
    format!("address:{address}")
}

impl Desk {
    /// Signs a person in from `address` (the client's IP). Failures count against both the
    /// account and the address; while either is over its limit, even the right password is
    /// refused, without being checked.
    pub async fn sign_in(&self, email: &str, password: &str, address: &str) -> Result<SignIn> {
        let now = self.now().as_micros();
        let since = now - THROTTLE_WINDOW_SECS * SECOND;
        let (account, addr) = (account_key(email), address_key(address));
        {
            let mut pc = self.store.read().await?;
            let mut c = pc.conn();
            if c.sign_in_failures(&account, since).await? >= ACCOUNT_FAILURES
                || c.sign_in_failures(&addr, since).await? >= ADDRESS_FAILURES
            {
                tracing::warn!(address, "sign-in throttled");
                return Ok(SignIn::Throttled);
            }
        }
        let actor = match self.authenticate_password(email, password).await {
            Ok(actor) => actor,
            Err(CoreError::Unauthenticated) => {
                let mut tx = self.begin().await?;
                let mut c = tx.conn();
                c.prune_sessions(now, since).await?;
                c.record_sign_in_failure(&account, now).await?;
                c.record_sign_in_failure(&addr, now).await?;
                tx.commit().await?;
                tracing::info!(address, "sign-in refused");
                return Ok(SignIn::Refused);
            }
            Err(e) => return Err(e),
        };
        let token = random_token();
        let row = SessionRow {
            token_hash: sha256_hex(token.as_bytes()),
            user_id: actor.id,
            csrf_token: random_token(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + IDLE_LIFETIME_SECS * SECOND,
        };
        let mut tx = self.begin().await?;
        // Sessions that ran out go whenever someone signs in, so the table stays small.
        tx.conn().prune_sessions(now, since).await?;
        tx.conn().insert_session(&row).await?;
        tx.conn().clear_sign_in_failures(&account).await?;
        tx.commit().await?;
        tracing::info!(user_id = actor.id, "signed in");
        Ok(SignIn::Started {
            token,
            session: BrowserSession {
                actor,
                csrf_token: row.csrf_token,
            },
        })
    }

    /// The session a cookie value belongs to, if it is still valid; keeps it alive.
    pub async fn browser_session(&self, token: &str) -> Result<Option<BrowserSession>> {
        if token.is_empty() || token.len() > 100 {
            return Ok(None);
        }
        let now = self.now().as_micros();
        let hash = sha256_hex(token.as_bytes());
        let found = {
            let mut pc = self.store.read().await?;
            pc.conn().session_user(&hash, now).await?
        };
        let Some((session, user)) = found else {
            return Ok(None);
        };
        if now - session.last_seen_at > TOUCH_EVERY_SECS * SECOND {
            let mut tx = self.begin().await?;
            tx.conn()
                .touch_session(&hash, now, now + IDLE_LIFETIME_SECS * SECOND)
                .await?;
            tx.commit().await?;
        }
        Ok(Some(BrowserSession {
            actor: Actor::from_row(&user)?,
            csrf_token: session.csrf_token,
        }))
    }

    pub async fn sign_out(&self, token: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.conn()
            .delete_session(&sha256_hex(token.as_bytes()))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes the actor's own password after checking the current one, and ends their other
    /// sessions (the one in `keep_token` stays signed in).
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        keep_token: &str,
    ) -> Result<()> {
        let hash = hash_password(new)?;
        let mut tx = self.begin().await?;
        let mut c = tx.conn();
        let mut user = c
            .user_by_id(actor.id)
            .await?
            .ok_or(CoreError::Unauthenticated)?;
        let ok = user
            .password_hash
            .as_deref()
            .is_some_and(|h| verify_password(current, h));
        if !ok {
            return Err(CoreError::invalid(
                "current_password",
                "is not your current password",
            ));
        }
        user.password_hash = Some(hash);
        c.update_user(&user).await?;
        c.delete_user_sessions(actor.id, &sha256_hex(keep_token.as_bytes()))
            .await?;
        tx.commit().await?;
        tracing::info!(user_id = actor.id, "password changed");
        Ok(())
    }
}
