//! Who is calling: API tokens (random, stored as their SHA-256) and passwords (Argon2id).

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use frontline_domain::Email;
use rand::RngCore;
use sha2::{Digest, Sha256};

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Instant;

use crate::cache::TTL;
use crate::{Actor, Auth, CoreError, Result};

/// Every token starts with this, so a leaked one is easy to recognise in logs and scanners.
const TOKEN_PREFIX: &str = "fl_";

/// Hex SHA-256 of any bytes; used for token hashes, attachment addresses and request bodies.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < 8 {
        return Err(CoreError::invalid(
            "password",
            "must be at least 8 characters",
        ));
    }
    if password.len() > 1024 {
        return Err(CoreError::invalid("password", "must be at most 1024 bytes"));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Internal(format!("password hashing failed: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// Most tokens remembered at once; a full cache starts over.
const KNOWN_TOKENS: usize = 4096;

/// Tokens recently found valid, by hash, with the person behind them. An API client sends its
/// token with every request, and this spares each one a database read. Like the other
/// per-node caches (see `cache`), an entry is trusted for [`TTL`]: a token removed or a
/// person deactivated stops working on every node within that time. Unknown tokens are
/// never remembered, so a new token works at once.
#[derive(Default)]
pub(crate) struct TokenCache {
    known: RwLock<HashMap<String, (Instant, Actor)>>,
}

impl TokenCache {
    fn get(&self, hash: &str) -> Option<Actor> {
        let known = self.known.read().ok()?;
        let (at, actor) = known.get(hash)?;
        (at.elapsed() < TTL).then(|| actor.clone())
    }

    fn put(&self, hash: String, actor: Actor) {
        if let Ok(mut known) = self.known.write() {
            if known.len() >= KNOWN_TOKENS {
                known.retain(|_, (at, _)| at.elapsed() < TTL);
                if known.len() >= KNOWN_TOKENS {
                    known.clear();
                }
            }
            known.insert(hash, (Instant::now(), actor));
        }
    }
}

impl Auth {
    /// The active person behind an API token.
    pub async fn authenticate_token(&self, token: &str) -> Result<Actor> {
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 200 {
            return Err(CoreError::Unauthenticated);
        }
        let hash = sha256_hex(token.as_bytes());
        if let Some(actor) = self.core.tokens.get(&hash) {
            return Ok(actor);
        }
        let mut c = self.core.store.read().await?;
        let user = c.conn().user_by_token(&hash).await?;
        let actor = user
            .as_ref()
            .map(Actor::from_user)
            .ok_or(CoreError::Unauthenticated)?;
        self.core.tokens.put(hash, actor.clone());
        Ok(actor)
    }

    /// The active person with this email and password. Hashes even when the person does not
    /// exist, so timing does not tell which addresses have accounts.
    pub async fn authenticate_password(&self, email: &str, password: &str) -> Result<Actor> {
        let email = Email::parse("email", email).map_err(|_| CoreError::Unauthenticated)?;
        let mut c = self.core.store.read().await?;
        let user = c.conn().user_by_email(email.as_str()).await?;
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let ok = match &hash {
            Some(h) => verify_password(password, h),
            None => {
                let _ = hash_password("not-a-real-password-but-same-cost");
                false
            }
        };
        match user {
            Some(u) if ok && u.active => Ok(Actor::from_user(&u)),
            _ => Err(CoreError::Unauthenticated),
        }
    }

    /// Creates an API token for the person with `email` and returns it; only its hash is kept.
    /// Acts on the database directly (the CLI); over the API only admins may call it.
    pub async fn create_token(&self, email: &str, name: &str) -> Result<String> {
        let email = Email::parse("email", email)?;
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        let mut tx = self.core.begin().await?;
        let user = tx
            .conn()
            .user_by_email(email.as_str())
            .await?
            .ok_or(CoreError::NotFound("user"))?;
        tx.conn()
            .insert_token(
                user.id,
                &sha256_hex(token.as_bytes()),
                name,
                self.core.now().as_micros(),
            )
            .await?;
        tx.commit().await?;
        tracing::info!(user_id = %user.id, "API token created");
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_short_ones_are_refused() {
        let h = hash_password("correct horse").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(hash_password("short").is_err());
    }
}
