//! Signing in and out, the way home (`/`), and changing one's own password.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::sessions::{SignIn, THROTTLE_WINDOW_SECS, random_token};
use serde::Deserialize;

use crate::Ui;
use crate::error::UiError;
use crate::session::{
    ClientAddr, CsrfForm, LOGIN_COOKIE, Posted, SESSION_COOKIE, Signed, behind_tls, cookie, same,
    session_cookie, set_cookie,
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
pub(crate) async fn home(State(ui): State<Ui>, headers: HeaderMap) -> Result<Redirect, UiError> {
    let session = match cookie(&headers, SESSION_COOKIE) {
        Some(token) => ui.desk.browser_session(token).await?,
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
    State(ui): State<Ui>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, UiError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && ui.desk.browser_session(token).await?.is_some()
    {
        return Ok(Redirect::to(local_path(&q.next)).into_response());
    }
    login_page(StatusCode::OK, &headers, "", &q.next, "")
}

pub(crate) async fn submit(
    State(ui): State<Ui>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, UiError> {
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if !same(f.csrf.as_bytes(), expected.as_bytes()) {
        return Err(UiError::Csrf);
    }
    match ui.desk.sign_in(&f.email, &f.password, &address).await? {
        SignIn::Started { token, .. } => {
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
            Ok(response)
        }
        SignIn::Refused => login_page(
            StatusCode::UNAUTHORIZED,
            &headers,
            &f.email,
            &f.next,
            "That email and password do not match an account. Check both and try again.",
        ),
        SignIn::Throttled => {
            let minutes = THROTTLE_WINDOW_SECS / 60;
            let mut r = login_page(
                StatusCode::TOO_MANY_REQUESTS,
                &headers,
                &f.email,
                &f.next,
                &format!(
                    "Too many failed sign-ins for this account or from your network. \
                     Wait {minutes} minutes, then try again."
                ),
            )?;
            if let Ok(v) = (THROTTLE_WINDOW_SECS).to_string().parse() {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(r)
        }
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
    State(ui): State<Ui>,
    headers: HeaderMap,
    posted: Posted<CsrfOnly>,
) -> Result<Response, UiError> {
    ui.desk.sign_out(&posted.signed.token).await?;
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
    State(ui): State<Ui>,
    posted: Posted<PasswordForm>,
) -> Result<Response, UiError> {
    let (signed, f) = (posted.signed, posted.form);
    let result = if f.new != f.confirm {
        Err("The new password and its confirmation differ.".to_owned())
    } else {
        match ui
            .desk
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
    use super::local_path;

    #[test]
    fn next_stays_on_this_desk() {
        assert_eq!(local_path("/console?queue=mine"), "/console?queue=mine");
        assert_eq!(local_path("//evil.example/"), "/");
        assert_eq!(local_path("https://evil.example/"), "/");
        assert_eq!(local_path("/\\evil.example"), "/");
    }
}
