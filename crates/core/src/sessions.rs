//! Browser sessions: signing in with a password (throttled by the rules in `throttle`),
//! finding the person behind a session cookie, signing out, changing a password.
//!
//! The cookie value is 256 random bits and only its SHA-256 is stored, like API tokens. Each
//! session has its own CSRF token, which the web pages put in every form. A browser that
//! signs in also gets a device cookie (the same kind of token, kept for
//! [`DEVICE_LIFETIME_SECS`]): it marks the browser as known to that account, so failures
//! from elsewhere never hold it back.

mod throttle;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use frontline_domain::{Session, Timestamp};
use frontline_store::Conn;
use rand::RngCore;

use crate::auth::{hash_password, sha256_hex, verify_password};
use crate::{Actor, Auth, CoreError, Result};
use throttle::SECOND;
pub use throttle::{
    ACCOUNT_FAILURES, ADDRESS_FAILURES, DEVICE_FAILURES, Held, Limit, PAIR_FREE_FAILURES,
    PAIR_MAX_DELAY_SECS, PAIR_WINDOW_SECS, THROTTLE_WINDOW_SECS,
};

/// A session ends after this long without a request.
pub const IDLE_LIFETIME_SECS: i64 = 12 * 60 * 60;
/// A browser stays known to an account this long after it last signed in to it.
pub const DEVICE_LIFETIME_SECS: i64 = 180 * 24 * 60 * 60;
/// A session is written back at most this often, so reading pages does not queue writes.
const TOUCH_EVERY_SECS: i64 = 5 * 60;

/// A signed-in browser: who, and the CSRF token its forms must carry.
#[derive(Debug, Clone)]
pub struct BrowserSession {
    pub actor: Actor,
    pub csrf_token: String,
}

#[derive(Debug)]
pub enum SignIn {
    /// `token` goes into the session cookie; it is not stored anywhere. `device`, when
    /// present, is a new device cookie for this browser (it was not known to the account).
    Started {
        token: String,
        session: BrowserSession,
        device: Option<String>,
    },
    /// Wrong email or password, or an inactive account (which is not said).
    Refused,
    /// Too many failures; the password was not checked. Try again after the wait.
    Throttled(Held),
}

/// One attempt to sign in: what the person typed, where from, and the device cookie their
/// browser sent (if any).
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub address: &'a str,
    pub device: Option<&'a str>,
}

/// 256 random bits, URL-safe: session cookies and CSRF tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The keys an attempt's failures are counted under.
struct Keys {
    email: String,
    account: String,
    address: String,
    pair: String,
    /// The SHA-256 of the device cookie, if the browser sent a plausible one.
    device: Option<String>,
}

impl Keys {
    fn of(a: &Attempt<'_>) -> Self {
        let email = a.email.trim().to_lowercase();
        Self {
            account: format!("account:{email}"),
            address: format!("address:{}", a.address),
            pair: format!("pair:{email} {}", a.address),
            device: a
                .device
                .filter(|d| !d.is_empty() && d.len() <= 100)
                .map(|d| sha256_hex(d.as_bytes())),
            email,
        }
    }

    fn device_key(&self) -> Option<String> {
        self.device.as_ref().map(|h| format!("device:{h}"))
    }
}

impl Auth {
    /// Signs a person in. While any limit of `throttle` holds, even the right password is
    /// refused without being checked, and the answer says for how long.
    pub async fn sign_in(&self, attempt: Attempt<'_>) -> Result<SignIn> {
        let now = self.core.now().as_micros();
        let keys = Keys::of(&attempt);
        let known = {
            let mut pc = self.core.store.read().await?;
            let mut c = pc.conn();
            let known = known_browser(&mut c, &keys, now).await?;
            if let Some(held) = holding(&mut c, &keys, known, now).await? {
                tracing::warn!(
                    address = attempt.address,
                    limit = ?held.limit,
                    retry_after_secs = held.retry_after_secs,
                    "sign-in throttled"
                );
                return Ok(SignIn::Throttled(held));
            }
            known
        };
        let pruned_before = now - PAIR_WINDOW_SECS * SECOND;
        let actor = match self
            .authenticate_password(attempt.email, attempt.password)
            .await
        {
            Ok(actor) => actor,
            Err(CoreError::Unauthenticated) => {
                let mut tx = self.core.begin().await?;
                let mut c = tx.conn();
                c.prune_sessions(now, pruned_before).await?;
                c.record_sign_in_failure(&keys.address, now).await?;
                c.record_sign_in_failure(&keys.pair, now).await?;
                // A known browser's failures are its own; the account's budget is for the rest.
                match keys.device_key().filter(|_| known) {
                    Some(device) => c.record_sign_in_failure(&device, now).await?,
                    None => c.record_sign_in_failure(&keys.account, now).await?,
                }
                tx.commit().await?;
                tracing::info!(address = attempt.address, known, "sign-in refused");
                return Ok(SignIn::Refused);
            }
            Err(e) => return Err(e),
        };
        let token = random_token();
        let row = Session {
            token_hash: sha256_hex(token.as_bytes()),
            user_id: actor.id,
            csrf_token: random_token(),
            created_at: Timestamp::from_micros(now),
            last_seen_at: Timestamp::from_micros(now),
            expires_at: Timestamp::from_micros(now + IDLE_LIFETIME_SECS * SECOND),
        };
        let device = (!known).then(random_token);
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        // Sessions that ran out go whenever someone signs in, so the table stays small.
        c.prune_sessions(now, pruned_before).await?;
        c.insert_session(&row).await?;
        if let Some(d) = &device {
            let hash = sha256_hex(d.as_bytes());
            c.insert_known_device(&hash, actor.id, now, now + DEVICE_LIFETIME_SECS * SECOND)
                .await?;
        }
        // The account's failures stay: they are a guesser's, and their owner signing in
        // must not hand the guesser a fresh budget.
        c.clear_sign_in_failures(&keys.pair).await?;
        if let Some(key) = keys.device_key() {
            c.clear_sign_in_failures(&key).await?;
        }
        tx.commit().await?;
        tracing::info!(user_id = %actor.id, known, "signed in");
        Ok(SignIn::Started {
            token,
            session: BrowserSession {
                actor,
                csrf_token: row.csrf_token,
            },
            device,
        })
    }

    /// The session a cookie value belongs to, if it is still valid; keeps it alive.
    pub async fn browser_session(&self, token: &str) -> Result<Option<BrowserSession>> {
        if token.is_empty() || token.len() > 100 {
            return Ok(None);
        }
        let now = self.core.now().as_micros();
        let hash = sha256_hex(token.as_bytes());
        let found = {
            let mut pc = self.core.store.read().await?;
            pc.conn().session_user(&hash, now).await?
        };
        let Some((session, user)) = found else {
            return Ok(None);
        };
        if now - session.last_seen_at.as_micros() > TOUCH_EVERY_SECS * SECOND {
            let mut tx = self.core.begin().await?;
            tx.conn()
                .touch_session(&hash, now, now + IDLE_LIFETIME_SECS * SECOND)
                .await?;
            tx.commit().await?;
        }
        Ok(Some(BrowserSession {
            actor: Actor::from_user(&user),
            csrf_token: session.csrf_token,
        }))
    }

    pub async fn sign_out(&self, token: &str) -> Result<()> {
        let mut tx = self.core.begin().await?;
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
        let mut tx = self.core.begin().await?;
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
        tracing::info!(user_id = %actor.id, "password changed");
        Ok(())
    }
}

/// Whether the browser's device cookie was issued for this account, has not run out, and has
/// not failed too often itself.
async fn known_browser(c: &mut Conn<'_>, keys: &Keys, now: i64) -> Result<bool> {
    let (Some(hash), Some(key)) = (&keys.device, keys.device_key()) else {
        return Ok(false);
    };
    let Some(device_user) = c.known_device_user(hash, now).await? else {
        return Ok(false);
    };
    let Some(user) = c.user_by_email(&keys.email).await? else {
        return Ok(false);
    };
    if user.id != device_user {
        return Ok(false);
    }
    let since = now - THROTTLE_WINDOW_SECS * SECOND;
    let failures = c.sign_in_failure_times(&key, since).await?;
    Ok(i64::try_from(failures.len()).unwrap_or(i64::MAX) < DEVICE_FAILURES)
}

/// The limit that holds this attempt back longest, if any does.
async fn holding(c: &mut Conn<'_>, keys: &Keys, known: bool, now: i64) -> Result<Option<Held>> {
    let since = now - THROTTLE_WINDOW_SECS * SECOND;
    let pair_times = c
        .sign_in_failure_times(&keys.pair, now - PAIR_WINDOW_SECS * SECOND)
        .await?;
    let address_times = c.sign_in_failure_times(&keys.address, since).await?;
    let mut held = vec![
        throttle::pair(&pair_times, now),
        throttle::window(
            Limit::Address,
            &address_times,
            ADDRESS_FAILURES,
            THROTTLE_WINDOW_SECS,
            now,
        ),
    ];
    if !known {
        let account_times = c.sign_in_failure_times(&keys.account, since).await?;
        held.push(throttle::window(
            Limit::Account,
            &account_times,
            ACCOUNT_FAILURES,
            THROTTLE_WINDOW_SECS,
            now,
        ));
    }
    Ok(held
        .into_iter()
        .flatten()
        .max_by_key(|h| h.retry_after_secs))
}
