//! Error pages inside the navigation: a page's error is rendered without knowing who asked
//! (`error`), and this middleware shows it again in the signed-in person's frame.

use askama::Template;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use frontline_core::Desk;

use crate::error::{ErrorPage, Shown};
use crate::session::{SESSION_COOKIE, cookie};
use crate::view::Chrome;

/// Middleware: an error page answered to someone signed in is shown again with their
/// navigation (the header, their name, sign out), the section of the path they asked for
/// marked. Anyone else, and every other response, passes as it is.
pub async fn dress_errors(State(desk): State<Desk>, req: Request, next: Next) -> Response {
    let token = cookie(req.headers(), SESSION_COOKIE).map(str::to_owned);
    let section = section_of(req.uri().path());
    let mut response = next.run(req).await;
    let Some(shown) = response.extensions_mut().remove::<Shown>() else {
        return response;
    };
    let Some(token) = token else {
        return response;
    };
    let session = match desk.auth().browser_session(&token).await {
        Ok(Some(s)) => s,
        Ok(None) => return response,
        Err(e) => {
            tracing::warn!(error = %e, "error page shown without navigation");
            return response;
        }
    };
    let page = ErrorPage {
        chrome: Chrome::new(&session, section),
        title: shown.title,
        message: &shown.message,
    };
    match page.render() {
        Ok(html) => (response.status(), Html(html)).into_response(),
        Err(_) => response,
    }
}

/// The navigation's section a path belongs to.
fn section_of(path: &str) -> &'static str {
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    if under("/console") {
        "console"
    } else if under("/admin") {
        "admin"
    } else if under("/portal/new") {
        "portal-new"
    } else if under("/portal") {
        "portal"
    } else if under("/account") {
        "account"
    } else {
        ""
    }
}
