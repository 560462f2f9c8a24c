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
use frontline_core::Mail;
use frontline_core::mail::{HeldMail, HeldMessage, InboundState};
use frontline_domain::{InboundId, Timestamp};

use super::{Admin, AdminForm};
use crate::error::UiError;
use crate::session::Signed;
use crate::view::{Chrome, iso, time};

crate::screens! {
    /// What the quarantine screens use.
    QuarantineScreens {
    mail: Mail,
    }
}

pub(crate) struct HeldLine {
    pub id: InboundId,
    pub received: String,
    pub received_iso: String,
    pub mailbox: String,
    pub sender: String,
    pub subject: String,
    /// Why it is held, in a few words ("Mailing list", "Possible mail loop").
    pub why: &'static str,
    /// The reason ingest recorded, as the log and the API say it.
    pub reason: String,
}

/// A held message's recorded reason (`code: words`, see `core::mail::ingest`) in the words
/// an admin reads in the list.
fn why(state: InboundState, reason: &str) -> &'static str {
    let code = reason.split_once(':').map_or(reason, |(code, _)| code);
    match code {
        "auto_reply" => "Automatic mail",
        "bounce" => "Delivery failure",
        "list" => "Mailing list",
        "bulk" => "Bulk mail",
        "from_own_mailbox" => "From the desk's own address",
        "rate_limited" => "Possible mail loop",
        "unparseable" => "Unreadable",
        "no_sender" => "No sender",
        "too_large" => "Too large",
        "refused by the desk" => "Refused by the ticket rules",
        _ if state == InboundState::Ignored => "Ignored",
        _ => "Quarantined",
    }
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
            why: why(m.state, &m.reason),
            reason: format!("{}: {}", m.state, m.reason),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/quarantine.html")]
struct ListPage {
    chrome: Chrome,
    tab: &'static str,
    messages: Vec<HeldLine>,
    /// Whether the list names each message's mailbox (only when there are several).
    several_mailboxes: bool,
}

pub(crate) async fn list(
    State(mail): State<Mail>,
    Admin(signed): Admin,
) -> Result<Response, UiError> {
    let messages = mail
        .held_mail(signed.actor())
        .await?
        .into_iter()
        .map(HeldLine::of)
        .collect::<Vec<_>>();
    let several_mailboxes = messages.iter().any(|m| m.mailbox != messages[0].mailbox);
    let page = ListPage {
        chrome: signed.chrome("admin"),
        tab: "quarantine",
        messages,
        several_mailboxes,
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
    ui: &QuarantineScreens,
    signed: &Signed,
    id: InboundId,
    problem: String,
) -> Result<String, UiError> {
    let HeldMessage {
        mail,
        headers,
        text,
    } = ui.mail.held_message(signed.actor(), id).await?;
    let page = MessagePage {
        chrome: signed.chrome("admin"),
        tab: "quarantine",
        m: HeldLine::of(mail),
        headers: headers
            .into_iter()
            .map(|(name, value)| match name {
                // The sender's Date, written like every other time on the page.
                "Date" => match Timestamp::parse_rfc3339("Date", &value) {
                    Ok(t) => (name, time(t.as_micros())),
                    Err(_) => (name, value),
                },
                _ => (name, value),
            })
            .collect(),
        text,
        problem,
    };
    Ok(page.render()?)
}

pub(crate) async fn show(
    State(ui): State<QuarantineScreens>,
    Path(id): Path<InboundId>,
    Admin(signed): Admin,
) -> Result<Response, UiError> {
    let html = render_message(&ui, &signed, id, String::new()).await?;
    Ok(Html(html).into_response())
}

/// Releases the message: on to its ticket, or back to its page saying why it could not.
pub(crate) async fn release(
    State(ui): State<QuarantineScreens>,
    Path(id): Path<InboundId>,
    form: AdminForm,
) -> Result<Response, UiError> {
    match ui.mail.release_mail(form.signed.actor(), id).await {
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
    State(mail): State<Mail>,
    Path(id): Path<InboundId>,
    form: AdminForm,
) -> Result<Response, UiError> {
    match mail.discard_mail(form.signed.actor(), id).await {
        // Discarded now or by someone a moment before: either way, off the list.
        Ok(()) | Err(CoreError::Conflict(_)) => {
            Ok(Redirect::to("/admin/quarantine").into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::{InboundState, why};

    #[test]
    fn recorded_reasons_read_as_words() {
        assert_eq!(
            why(
                InboundState::Ignored,
                "auto_reply: answers no ticket of this desk"
            ),
            "Automatic mail"
        );
        assert_eq!(
            why(
                InboundState::Quarantined,
                "rate_limited: a@b sent 31 messages"
            ),
            "Possible mail loop"
        );
        assert_eq!(
            why(
                InboundState::Quarantined,
                "refused by the desk: subject: too long"
            ),
            "Refused by the ticket rules"
        );
        assert_eq!(
            why(InboundState::Quarantined, "something new"),
            "Quarantined"
        );
    }
}
