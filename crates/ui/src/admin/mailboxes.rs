//! Mailboxes: the addresses the desk reads mail for (from an IMAP folder, or from the SMTP
//! listener) and sends mail as, listed with their names and without their passwords, and a
//! form to add one with the same checks as `frontline mailbox add`; each can be edited (its
//! name; new URLs, whose passwords are given again, never shown) and disabled or enabled
//! again.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::CoreError;
use frontline_core::Mail;
use frontline_core::mail::outbound::MailboxName;
use frontline_core::mail::{Mailbox, MailboxChange, NewMailbox};
use frontline_domain::{Email, MailboxId};
use frontline_mail::{ImapUrl, SmtpUrl};

use super::{Admin, AdminForm, Fields, Problems};
use crate::error::UiError;
use crate::session::Signed;
use crate::view::Chrome;

crate::screens! {
    /// What the mailbox screens use.
    MailboxScreens {
    mail: Mail,
    }
}

pub(crate) struct MailboxLine {
    pub id: MailboxId,
    pub active: bool,
    pub address: String,
    pub name: String,
    pub inbound: String,
    pub outbound: String,
    pub state: String,
    pub last_error: String,
}

#[derive(Template)]
#[template(path = "admin/mailboxes.html")]
struct Page {
    chrome: Chrome,
    tab: &'static str,
    mailboxes: Vec<MailboxLine>,
    address: String,
    name: String,
    imap: String,
    smtp: String,
    problems: Problems,
}

async fn render(
    ui: &MailboxScreens,
    signed: &Signed,
    sent: &Fields,
    problems: Problems,
) -> Result<String, UiError> {
    let mailboxes = ui
        .mail
        .mailboxes(Some(signed.actor()))
        .await?
        .into_iter()
        .map(|m| MailboxLine {
            id: m.id,
            active: m.is_active(),
            inbound: m
                .imap
                .as_ref()
                .map_or_else(|| "SMTP listener".to_owned(), ToString::to_string),
            outbound: m
                .smtp
                .as_ref()
                .map_or_else(|| "Not set".to_owned(), ToString::to_string),
            state: m.state.as_str().to_owned(),
            last_error: m.last_error.unwrap_or_default(),
            name: m.name.unwrap_or_default(),
            address: m.address,
        })
        .collect();
    let page = Page {
        chrome: signed.chrome("admin"),
        tab: "mailboxes",
        mailboxes,
        address: sent.one("address").to_owned(),
        name: sent.one("name").to_owned(),
        imap: sent.one("imap").to_owned(),
        smtp: sent.one("smtp").to_owned(),
        problems,
    };
    Ok(page.render()?)
}

pub(crate) async fn list(
    State(ui): State<MailboxScreens>,
    Admin(signed): Admin,
) -> Result<Response, UiError> {
    let html = render(&ui, &signed, &Fields::default(), Problems::default()).await?;
    Ok(Html(html).into_response())
}

/// The mailbox the form describes, or every problem with it.
fn new_mailbox(f: &Fields) -> Result<NewMailbox, Problems> {
    let mut p = Problems::default();
    let address = Email::parse("address", f.one("address").trim())
        .map_err(|e| p.add("address", e.message))
        .ok();
    let name = parse_name(f.one("name"), &mut p);
    let imap = match f.one("imap").trim() {
        "" => None,
        text => ImapUrl::parse(text)
            .map_err(|e| p.add("imap", e.to_string()))
            .ok(),
    };
    let smtp = match f.one("smtp").trim() {
        "" => None,
        text => SmtpUrl::parse(text)
            .map_err(|e| p.add("smtp", e.to_string()))
            .ok(),
    };
    match address {
        Some(address) if p.is_empty() => Ok(NewMailbox {
            address,
            imap,
            smtp,
            name: name.flatten(),
        }),
        _ => Err(p),
    }
}

/// The name in `text` (`Some(None)` for a blank one), or its problem added to `p`.
fn parse_name(text: &str, p: &mut Problems) -> Option<Option<MailboxName>> {
    MailboxName::parse(text)
        .map_err(|e| p.add("name", e.message))
        .ok()
}

pub(crate) async fn create(
    State(ui): State<MailboxScreens>,
    form: AdminForm,
) -> Result<Response, UiError> {
    let problems = match new_mailbox(&form.fields) {
        Err(p) => p,
        Ok(new) => match ui.mail.add_mailbox(Some(form.signed.actor()), new).await {
            Ok(_) => return Ok(Redirect::to("/admin/mailboxes").into_response()),
            Err(CoreError::Conflict(m)) => {
                let mut p = Problems::default();
                p.add("address", m);
                p
            }
            Err(e) => Problems::from_core(e)?,
        },
    };
    let html = render(&ui, &form.signed, &form.fields, problems).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

#[derive(Template)]
#[template(path = "admin/mailbox.html")]
struct EditPage {
    chrome: Chrome,
    tab: &'static str,
    id: MailboxId,
    address: String,
    name: String,
    inbound: String,
    outbound: String,
    imap: String,
    smtp: String,
    clear_imap: bool,
    clear_smtp: bool,
    problems: Problems,
}

async fn find(ui: &MailboxScreens, signed: &Signed, id: MailboxId) -> Result<Mailbox, UiError> {
    ui.mail
        .mailboxes(Some(signed.actor()))
        .await?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or_else(|| CoreError::NotFound("mailbox").into())
}

async fn render_edit(
    ui: &MailboxScreens,
    signed: &Signed,
    id: MailboxId,
    sent: &Fields,
    problems: Problems,
) -> Result<String, UiError> {
    let m = find(ui, signed, id).await?;
    let page = EditPage {
        chrome: signed.chrome("admin"),
        tab: "mailboxes",
        id,
        inbound: m
            .imap
            .as_ref()
            .map_or_else(|| "SMTP listener".to_owned(), ToString::to_string),
        outbound: m
            .smtp
            .as_ref()
            .map_or_else(|| "Not set".to_owned(), ToString::to_string),
        // The name as sent when the form comes back with a problem, else the current one.
        name: match sent.all("name").first() {
            Some(sent) => (*sent).to_owned(),
            None => m.name.unwrap_or_default(),
        },
        address: m.address,
        imap: sent.one("imap").to_owned(),
        smtp: sent.one("smtp").to_owned(),
        clear_imap: sent.has("clear_imap", "yes"),
        clear_smtp: sent.has("clear_smtp", "yes"),
        problems,
    };
    Ok(page.render()?)
}

pub(crate) async fn edit(
    State(ui): State<MailboxScreens>,
    Path(id): Path<MailboxId>,
    Admin(signed): Admin,
) -> Result<Response, UiError> {
    let html = render_edit(&ui, &signed, id, &Fields::default(), Problems::default()).await?;
    Ok(Html(html).into_response())
}

/// The change the edit form describes: an empty URL keeps the current one, a ticked box
/// removes it; the name is set as sent (blank: none).
fn change_of(f: &Fields) -> Result<MailboxChange, Problems> {
    let mut p = Problems::default();
    let mut change = MailboxChange::default();
    if let Some(text) = f.all("name").first() {
        change.name = parse_name(text, &mut p);
    }
    if f.has("clear_imap", "yes") {
        change.imap = Some(None);
    } else {
        let text = f.one("imap").trim();
        if !text.is_empty() {
            change.imap = ImapUrl::parse(text)
                .map_err(|e| p.add("imap", e.to_string()))
                .ok()
                .map(Some);
        }
    }
    if f.has("clear_smtp", "yes") {
        change.smtp = Some(None);
    } else {
        let text = f.one("smtp").trim();
        if !text.is_empty() {
            change.smtp = SmtpUrl::parse(text)
                .map_err(|e| p.add("smtp", e.to_string()))
                .ok()
                .map(Some);
        }
    }
    if p.is_empty() { Ok(change) } else { Err(p) }
}

pub(crate) async fn save(
    State(ui): State<MailboxScreens>,
    Path(id): Path<MailboxId>,
    form: AdminForm,
) -> Result<Response, UiError> {
    let problems = match change_of(&form.fields) {
        Err(p) => p,
        Ok(change) => match ui
            .mail
            .update_mailbox(Some(form.signed.actor()), id, change)
            .await
        {
            Ok(_) => return Ok(Redirect::to("/admin/mailboxes").into_response()),
            Err(e) => Problems::from_core(e)?,
        },
    };
    let html = render_edit(&ui, &form.signed, id, &form.fields, problems).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

/// Disables (`enabled=no`) or enables (`enabled=yes`) a mailbox.
pub(crate) async fn toggle(
    State(mail): State<Mail>,
    Path(id): Path<MailboxId>,
    form: AdminForm,
) -> Result<Response, UiError> {
    let enabled = form.fields.one("enabled") == "yes";
    mail.set_mailbox_enabled(Some(form.signed.actor()), id, enabled)
        .await?;
    Ok(Redirect::to("/admin/mailboxes").into_response())
}
