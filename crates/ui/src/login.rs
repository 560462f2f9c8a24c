//! Signing in and out, the way home (`/`), and changing one's own password.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::Auth;
use frontline_core::sessions::{Attempt, DEVICE_LIFETIME_SECS, Held, Limit, SignIn, random_token};
use serde::Deserialize;

use crate::error::UiError;
use crate::session::{
    ClientAddr, CsrfForm, DEVICE_COOKIE, LOGIN_COOKIE, Posted, SESSION_COOKIE, Signed, behind_tls,
    cookie, same, session_cookie, set_cookie,
};
use crate::view::Chrome;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    email: String,
    next: String,
    error: String,
}

#[derive(Deserialize)]
pub(crate) struct NextQuery {
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Only a path on this desk: `//host` or `https://…` would send a person elsewhere.
fn local_path(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}

/// Requesters go to the portal, everyone else to the console; strangers sign in first.
pub(crate) async fn home(
    State(auth): State<Auth>,
    headers: HeaderMap,
) -> Result<Redirect, UiError> {
    let session = match cookie(&headers, SESSION_COOKIE) {
        Some(token) => auth.browser_session(token).await?,
        None => None,
    };
    Ok(match session {
        Some(s) if s.actor.is_staff() => Redirect::to("/console"),
        Some(_) => Redirect::to("/portal"),
        None => Redirect::to("/login"),
    })
}

fn login_page(
    status: StatusCode,
    headers: &HeaderMap,
    email: &str,
    next: &str,
    error: &str,
) -> Result<Response, UiError> {
    // Signing in is itself a form: its token lives in a short cookie until there is a session.
    let csrf = random_token();
    let page = LoginPage {
        chrome: Chrome::anonymous(),
        csrf: csrf.clone(),
        email: email.to_owned(),
        next: local_path(next).to_owned(),
        error: error.to_owned(),
    };
    let cookie = set_cookie(LOGIN_COOKIE, &csrf, "/login", 3600, behind_tls(headers));
    Ok((status, [(header::SET_COOKIE, cookie)], Html(page.render()?)).into_response())
}

pub(crate) async fn form(
    State(auth): State<Auth>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, UiError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && auth.browser_session(token).await?.is_some()
    {
        return Ok(Redirect::to(local_path(&q.next)).into_response());
    }
    login_page(StatusCode::OK, &headers, "", &q.next, "")
}

pub(crate) async fn submit(
    State(auth): State<Auth>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, UiError> {
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if !same(f.csrf.as_bytes(), expected.as_bytes()) {
        return Err(UiError::Csrf);
    }
    let attempt = Attempt {
        email: &f.email,
        password: &f.password,
        address: &address,
        device: cookie(&headers, DEVICE_COOKIE),
    };
    match auth.sign_in(attempt).await? {
        SignIn::Started { token, device, .. } => {
            let secure = behind_tls(&headers);
            let target = match local_path(&f.next) {
                "/" | "/login" => "/",
                other => other,
            };
            let mut response = Redirect::to(target).into_response();
            let h = response.headers_mut();
            if let Ok(v) = session_cookie(&token, secure).parse() {
                h.append(header::SET_COOKIE, v);
            }
            if let Ok(v) = set_cookie(LOGIN_COOKIE, "", "/login", 0, secure).parse() {
                h.append(header::SET_COOKIE, v);
            }
            // Only the sign-in form reads it: it marks this browser as known to the account.
            if let Some(d) = device
                && let Ok(v) =
                    set_cookie(DEVICE_COOKIE, &d, "/login", DEVICE_LIFETIME_SECS, secure).parse()
            {
                h.append(header::SET_COOKIE, v);
            }
            Ok(response)
        }
        SignIn::Refused => login_page(
            StatusCode::UNAUTHORIZED,
            &headers,
            &f.email,
            &f.next,
            "That email and password do not match an account. Check both and try again.",
        ),
        SignIn::Throttled(held) => {
            let mut r = login_page(
                StatusCode::TOO_MANY_REQUESTS,
                &headers,
                &f.email,
                &f.next,
                &throttled_message(held),
            )?;
            if let Ok(v) = held.retry_after_secs.to_string().parse() {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(r)
        }
    }
}

/// Why a sign-in was held back and when the person may try again, in their words.
fn throttled_message(held: Held) -> String {
    let secs = held.retry_after_secs.max(1);
    let wait = match secs {
        1 => "1 second".to_owned(),
        s if s < 60 => format!("{s} seconds"),
        s if s <= 60 => "1 minute".to_owned(),
        s => format!("{} minutes", (s + 59) / 60),
    };
    match held.limit {
        Limit::Pair => format!(
            "Too many failed sign-ins to this account from your network. Try again in {wait}."
        ),
        Limit::Address => {
            format!("Too many failed sign-ins from your network. Try again in {wait}.")
        }
        Limit::Account => format!(
            "Too many failed sign-ins to this account from browsers it does not know. Try \
             again in {wait}, or sign in from a browser you have used with this account before."
        ),
    }
}

#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

impl CsrfForm for CsrfOnly {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub(crate) async fn logout(
    State(auth): State<Auth>,
    headers: HeaderMap,
    posted: Posted<CsrfOnly>,
) -> Result<Response, UiError> {
    auth.sign_out(&posted.signed.token).await?;
    let clear = set_cookie(SESSION_COOKIE, "", "/", 0, behind_tls(&headers));
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    error: String,
    done: bool,
}

pub(crate) async fn password_form(signed: Signed) -> Result<Html<String>, UiError> {
    let page = PasswordPage {
        chrome: signed.chrome("account"),
        error: String::new(),
        done: false,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

impl CsrfForm for PasswordForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub(crate) async fn change_password(
    State(auth): State<Auth>,
    posted: Posted<PasswordForm>,
) -> Result<Response, UiError> {
    let (signed, f) = (posted.signed, posted.form);
    let result = if f.new != f.confirm {
        Err("The new password and its confirmation differ.".to_owned())
    } else {
        match auth
            .change_password(signed.actor(), &f.current, &f.new, &signed.token)
            .await
        {
            Ok(()) => Ok(()),
            Err(frontline_core::CoreError::Invalid(errors)) => {
                Err(crate::error::describe_invalid(&errors))
            }
            Err(e) => return Err(e.into()),
        }
    };
    let (status, error, done) = match result {
        Ok(()) => (StatusCode::OK, String::new(), true),
        Err(message) => (StatusCode::UNPROCESSABLE_ENTITY, message, false),
    };
    let page = PasswordPage {
        chrome: signed.chrome("account"),
        error,
        done,
    };
    Ok((status, Html(page.render()?)).into_response())
}

#[cfg(test)]
mod tests {
    use super::{Held, Limit, local_path, throttled_message};

    #[test]
    fn the_throttled_message_says_when_to_try_again() {
        let at = |limit, retry_after_secs| {
            throttled_message(Held {
                limit,
                retry_after_secs,
            })
        };
        assert!(at(Limit::Pair, 1).ends_with("Try again in 1 second."));
        assert!(at(Limit::Pair, 8).ends_with("Try again in 8 seconds."));
        assert!(at(Limit::Address, 60).contains("from your network. Try again in 1 minute."));
        assert!(at(Limit::Account, 61).contains("Try again in 2 minutes, or sign in"));
    }

    #[test]
    fn next_stays_on_this_desk() {
        assert_eq!(local_path("/console?queue=mine"), "/console?queue=mine");
        assert_eq!(local_path("//evil.example/"), "/");
        assert_eq!(local_path("https://evil.example/"), "/");
        assert_eq!(local_path("/\\evil.example"), "/");
    }
}
