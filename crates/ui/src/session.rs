//! Who is asking: the session cookie, turned into a signed-in person by the extractors here,
//! and the CSRF check every state-changing request passes before its handler runs.
//!
//! `Signed` is anyone with a valid session; `Staff` is an agent, manager or admin (the
//! console); `Requester` is a requester (the portal; staff are sent to the console instead).
//! A form body is read through `Posted<T>`, which also checks the CSRF token it carries.

use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use frontline_core::sessions::{BrowserSession, IDLE_LIFETIME_SECS};
use serde::de::DeserializeOwned;

use crate::Ui;
use crate::error::UiError;
use crate::view::Chrome;

pub(crate) const SESSION_COOKIE: &str = "frontline_session";
/// Holds the CSRF token of the sign-in form, before there is a session to hold it.
pub(crate) const LOGIN_COOKIE: &str = "frontline_login";
/// Marks a browser that has signed in to an account before (`frontline_core::sessions`).
pub(crate) const DEVICE_COOKIE: &str = "frontline_device";

/// A person with a valid session, and the cookie value that names it.
pub(crate) struct Signed {
    pub session: BrowserSession,
    pub token: String,
}

impl Signed {
    pub fn actor(&self) -> &frontline_core::Actor {
        &self.session.actor
    }

    pub fn chrome(&self, section: &'static str) -> Chrome {
        Chrome::new(&self.session, section)
    }

    /// Refuses a request whose CSRF token is not this session's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), UiError> {
        if same(submitted.as_bytes(), self.session.csrf_token.as_bytes()) {
            Ok(())
        } else {
            tracing::warn!(
                user_id = %self.session.actor.id,
                "form refused: CSRF token missing or wrong"
            );
            Err(UiError::Csrf)
        }
    }
}

/// Compares without stopping at the first difference, so timing does not reveal the token.
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Secure when the request came over TLS, as the proxy in front of us says (a cookie marked
/// Secure would never come back over plain HTTP).
pub(crate) fn behind_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Lax always, Secure behind TLS.
pub(crate) fn set_cookie(
    name: &str,
    value: &str,
    path: &str,
    max_age: i64,
    secure: bool,
) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

pub(crate) fn session_cookie(token: &str, secure: bool) -> String {
    set_cookie(SESSION_COOKIE, token, "/", IDLE_LIFETIME_SECS, secure)
}

use crate::proxy::client_address;

/// The client's address, for sign-in throttling: the peer of the TCP connection, or the
/// address a trusted proxy forwarded for (`proxy`).
pub(crate) struct ClientAddr(pub String);

impl FromRequestParts<Ui> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &Ui) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_address(parts)))
    }
}

fn next_of(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned())
}

impl FromRequestParts<Ui> for Signed {
    type Rejection = UiError;

    async fn from_request_parts(parts: &mut Parts, ui: &Ui) -> Result<Self, Self::Rejection> {
        let sign_in = || UiError::SignIn {
            next: if parts.method == axum::http::Method::GET {
                next_of(parts)
            } else {
                "/".to_owned()
            },
        };
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or_else(sign_in)?;
        let session = ui
            .desk
            .auth()
            .browser_session(token)
            .await?
            .ok_or_else(sign_in)?;
        tracing::Span::current().record("actor", session.actor.id.get());
        Ok(Signed {
            session,
            token: token.to_owned(),
        })
    }
}

/// An agent, manager or admin: the only people who may see a console page.
pub(crate) struct Staff(pub Signed);

impl FromRequestParts<Ui> for Staff {
    type Rejection = UiError;

    async fn from_request_parts(parts: &mut Parts, ui: &Ui) -> Result<Self, Self::Rejection> {
        let signed = Signed::from_request_parts(parts, ui).await?;
        if signed.actor().is_staff() {
            Ok(Staff(signed))
        } else {
            Err(UiError::Forbidden(
                "This page is for the service desk team. Your requests are in the portal.".into(),
            ))
        }
    }
}

/// A requester in the portal.
pub(crate) struct Requester(pub Signed);

impl FromRequestParts<Ui> for Requester {
    type Rejection = UiError;

    async fn from_request_parts(parts: &mut Parts, ui: &Ui) -> Result<Self, Self::Rejection> {
        let signed = Signed::from_request_parts(parts, ui).await?;
        if signed.actor().is_staff() {
            Err(UiError::Forbidden(
                "The portal is for requesters; the desk's team works in the console.".into(),
            ))
        } else {
            Ok(Requester(signed))
        }
    }
}

/// A form that carries the session's CSRF token in a field named `csrf`.
pub(crate) trait CsrfForm {
    fn csrf(&self) -> &str;
}

/// A URL-encoded form from a signed-in person, whose CSRF token has been checked.
pub(crate) struct Posted<T> {
    pub signed: Signed,
    pub form: T,
}

impl<T> FromRequest<Ui> for Posted<T>
where
    T: DeserializeOwned + CsrfForm + Send,
{
    type Rejection = UiError;

    async fn from_request(req: Request, ui: &Ui) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let signed = Signed::from_request_parts(&mut parts, ui).await?;
        let req = Request::from_parts(parts, body);
        // A body that does not parse has no token we could trust either.
        let Form(form) = Form::<T>::from_request(req, ui)
            .await
            .map_err(|_| UiError::Csrf)?;
        signed.check_csrf(form.csrf())?;
        Ok(Posted { signed, form })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; frontline_session_x=2; frontline_session=abc"
                .parse()
                .expect("header"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
        assert!(!same(b"", b""));
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_behind_tls() {
        let plain = session_cookie("t", false);
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Lax"));
        assert!(!plain.contains("Secure"));
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-proto", "https".parse().expect("header"));
        assert!(session_cookie("t", behind_tls(&h)).ends_with("; Secure"));
    }
}
