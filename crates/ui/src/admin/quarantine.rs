//! Quarantine: the mail ingest held back instead of turning it into a ticket or comment (a
//! mail loop over the rate limit, a rule of the ticket core, automatic or list mail), newest
//! first with why, a page per message with its main headers and the start of its text (as
//! text, escaped, never its HTML), and two forms: Release (ingest it anyway, once, with an
//! audit entry naming the admin) and Discard (off the list; the message is kept). Both are
//! plain POST forms with the session's CSRF token and work without script.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::CoreError;
use frontline_core::mail::{HeldMail, HeldMessage};

use super::{Admin, AdminForm};
use crate::Ui;
use crate::error::UiError;
use crate::session::Signed;
use crate::view::{Chrome, iso, time};

pub(crate) struct HeldLine {
    pub id: i64,
    pub received: String,
    pub received_iso: String,
    pub mailbox: String,
    pub sender: String,
    pub subject: String,
    pub state: String,
    pub reason: String,
}

impl HeldLine {
    fn of(m: HeldMail) -> Self {
        Self {
            id: m.id,
            received: time(m.received_at.as_micros()),
            received_iso: iso(m.received_at.as_micros()),
            mailbox: m.mailbox.unwrap_or_else(|| "(none)".to_owned()),
            sender: if m.sender.is_empty() {
                "(unknown)".to_owned()
            } else {
                m.sender
            },
            subject: if m.subject.is_empty() {
                "(no subject)".to_owned()
            } else {
                m.subject
            },
            state: m.state,
            reason: m.reason,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/quarantine.html")]
struct ListPage {
    chrome: Chrome,
    tab: &'static str,
    messages: Vec<HeldLine>,
}

pub(crate) async fn list(State(ui): State<Ui>, Admin(signed): Admin) -> Result<Response, UiError> {
    let messages = ui
        .desk
        .held_mail(signed.actor())
        .await?
        .into_iter()
        .map(HeldLine::of)
        .collect();
    let page = ListPage {
        chrome: signed.chrome("admin"),
        tab: "quarantine",
        messages,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "admin/quarantined.html")]
struct MessagePage {
    chrome: Chrome,
    tab: &'static str,
    m: HeldLine,
    headers: Vec<(&'static str, String)>,
    text: String,
    /// Why the last release did not go through, if it did not.
    problem: String,
}

async fn render_message(
    ui: &Ui,
    signed: &Signed,
    id: i64,
    problem: String,
) -> Result<String, UiError> {
    let HeldMessage {
        mail,
        headers,
        text,
    } = ui.desk.held_message(signed.actor(), id).await?;
    let page = MessagePage {
        chrome: signed.chrome("admin"),
        tab: "quarantine",
        m: HeldLine::of(mail),
        headers,
        text,
        problem,
    };
    Ok(page.render()?)
}

pub(crate) async fn show(
    State(ui): State<Ui>,
    Path(id): Path<i64>,
    Admin(signed): Admin,
) -> Result<Response, UiError> {
    let html = render_message(&ui, &signed, id, String::new()).await?;
    Ok(Html(html).into_response())
}

/// Releases the message: on to its ticket, or back to its page saying why it could not.
pub(crate) async fn release(
    State(ui): State<Ui>,
    Path(id): Path<i64>,
    form: AdminForm,
) -> Result<Response, UiError> {
    match ui.desk.release_mail(form.signed.actor(), id).await {
        Ok(outcome) => Ok(match outcome.ticket_id {
            Some(t) => Redirect::to(&format!("/console/tickets/{t}")),
            None => Redirect::to("/admin/quarantine"),
        }
        .into_response()),
        Err(CoreError::Conflict(why)) => {
            match render_message(&ui, &form.signed, id, why.clone()).await {
                Ok(html) => Ok((StatusCode::CONFLICT, Html(html)).into_response()),
                // Released or discarded already: no page to show it on, so the reason alone.
                Err(UiError::NotFound) => Err(UiError::BadRequest(why)),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn discard(
    State(ui): State<Ui>,
    Path(id): Path<i64>,
    form: AdminForm,
) -> Result<Response, UiError> {
    match ui.desk.discard_mail(form.signed.actor(), id).await {
        // Discarded now or by someone a moment before: either way, off the list.
        Ok(()) | Err(CoreError::Conflict(_)) => {
            Ok(Redirect::to("/admin/quarantine").into_response())
        }
        Err(e) => Err(e.into()),
    }
}
