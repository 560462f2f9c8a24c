//! Browser sessions (kept by the hash of their cookie), the browsers known to have signed in
//! to an account before (by the hash of their device cookie), and the failed sign-ins that
//! throttle further attempts. The keys of failures and what they mean are the core's
//! (`frontline_core::sessions`); here they are opaque strings with times.

use frontline_domain::{Session, Timestamp, User, UserId};
use sqlx::FromRow;

use crate::conn::on;
use crate::users::UserRow;
use crate::{Conn, Result};

/// A `sessions` row as stored; read out as a [`Session`].
#[derive(Debug, Clone, PartialEq, FromRow)]
pub(crate) struct SessionRow {
    token_hash: String,
    user_id: i64,
    csrf_token: String,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
}

impl From<SessionRow> for Session {
    fn from(r: SessionRow) -> Self {
        Session {
            token_hash: r.token_hash,
            user_id: UserId::new(r.user_id),
            csrf_token: r.csrf_token,
            created_at: Timestamp::from_micros(r.created_at),
            last_seen_at: Timestamp::from_micros(r.last_seen_at),
            expires_at: Timestamp::from_micros(r.expires_at),
        }
    }
}

impl Conn<'_> {
    pub async fn insert_session(&mut self, s: &Session) -> Result<()> {
        on!(self, |c| sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(&s.token_hash)
        .bind(s.user_id.get())
        .bind(&s.csrf_token)
        .bind(s.created_at.as_micros())
        .bind(s.last_seen_at.as_micros())
        .bind(s.expires_at.as_micros())
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    /// The unexpired session with this hash and its person, if that person is still active.
    pub async fn session_user(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(Session, User)>> {
        #[derive(FromRow)]
        struct Joined {
            #[sqlx(flatten)]
            session: SessionRow,
            email: String,
            name: String,
            role: String,
            organization_id: Option<i64>,
            active: bool,
            user_created_at: i64,
        }
        const SQL: &str = "SELECT s.token_hash, s.user_id, s.csrf_token, s.created_at, \
            s.last_seen_at, s.expires_at, u.email, u.name, u.role, u.organization_id, u.active, \
            u.created_at AS user_created_at FROM sessions s JOIN users u ON u.id = s.user_id \
            WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active";
        let row: Option<Joined> = on!(self, |c| sqlx::query_as(SQL)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(c)
            .await?);
        row.map(|j| {
            let user = User::try_from(UserRow {
                id: j.session.user_id,
                email: j.email,
                name: j.name,
                role: j.role,
                organization_id: j.organization_id,
                password_hash: None,
                active: j.active,
                created_at: j.user_created_at,
            })?;
            Ok((Session::from(j.session), user))
        })
        .transpose()
    }

    /// Slides a session's expiry forward.
    pub async fn touch_session(
        &mut self,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        on!(self, |c| sqlx::query(
            "UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3"
        )
        .bind(now)
        .bind(expires_at)
        .bind(token_hash)
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    pub async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        on!(self, |c| sqlx::query(
            "DELETE FROM sessions WHERE token_hash = $1"
        )
        .bind(token_hash)
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Ends every session of a person except `keep` (after a password change).
    pub async fn delete_user_sessions(&mut self, user_id: UserId, keep: &str) -> Result<()> {
        on!(self, |c| sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2"
        )
        .bind(user_id.get())
        .bind(keep)
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Removes sessions and known browsers that ran out, and failures older than
    /// `failures_before`.
    pub async fn prune_sessions(&mut self, now: i64, failures_before: i64) -> Result<()> {
        on!(self, |c| sqlx::query(
            "DELETE FROM sessions WHERE expires_at <= $1"
        )
        .bind(now)
        .execute(&mut *c)
        .await?
        .rows_affected());
        on!(self, |c| sqlx::query(
            "DELETE FROM known_devices WHERE expires_at <= $1"
        )
        .bind(now)
        .execute(&mut *c)
        .await?
        .rows_affected());
        on!(self, |c| sqlx::query(
            "DELETE FROM sign_in_failures WHERE at < $1"
        )
        .bind(failures_before)
        .execute(&mut *c)
        .await?
        .rows_affected());
        Ok(())
    }

    pub async fn record_sign_in_failure(&mut self, key: &str, at: i64) -> Result<()> {
        on!(self, |c| sqlx::query(
            "INSERT INTO sign_in_failures (key, at) VALUES ($1, $2)"
        )
        .bind(key)
        .bind(at)
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    /// The times of the failed sign-ins under `key` at or after `since`, oldest first.
    pub async fn sign_in_failure_times(&mut self, key: &str, since: i64) -> Result<Vec<i64>> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "SELECT at FROM sign_in_failures WHERE key = $1 AND at >= $2 ORDER BY at, id"
        )
        .bind(key)
        .bind(since)
        .fetch_all(c)
        .await?))
    }

    /// Forgets the failures under `key` (a successful sign-in clears its account's count).
    pub async fn clear_sign_in_failures(&mut self, key: &str) -> Result<()> {
        on!(self, |c| sqlx::query(
            "DELETE FROM sign_in_failures WHERE key = $1"
        )
        .bind(key)
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Remembers a browser that signed in to `user_id`, until `expires_at`.
    pub async fn insert_known_device(
        &mut self,
        token_hash: &str,
        user_id: UserId,
        created_at: i64,
        expires_at: i64,
    ) -> Result<()> {
        on!(self, |c| sqlx::query(
            "INSERT INTO known_devices (token_hash, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)"
        )
        .bind(token_hash)
        .bind(user_id.get())
        .bind(created_at)
        .bind(expires_at)
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    /// The account a browser's device cookie was issued for, if it has not run out.
    pub async fn known_device_user(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<UserId>> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "SELECT user_id FROM known_devices WHERE token_hash = $1 AND expires_at > $2"
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(c)
        .await?)
        .map(UserId::new))
    }
}
