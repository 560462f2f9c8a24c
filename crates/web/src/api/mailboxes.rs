//! `/api/v1/mailboxes`: the addresses the desk reads mail for (from an IMAP folder, or from
//! the SMTP listener) and sends mail as, for administrators, with the same checks as
//! `frontline mailbox add` and the console. URLs hold passwords: they are answered with the
//! secret replaced by `***` (the URLs' `Display`, as the CLI and the console show them), and
//! a change gives the whole URL again. The name is what the mailbox's mail shows as sender.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontline_core::Mail;
use frontline_core::mail::outbound::MailboxName;
use frontline_core::mail::{Mailbox, MailboxChange, NewMailbox};
use frontline_core::{Actor, CoreError};
use frontline_domain::{DomainError, Email, MailboxId};
use frontline_mail::{ImapUrl, SmtpUrl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::Fields;
use crate::extract::{Allowed, Mailboxes};
use crate::extract::{ApiJson, ApiPath};
use crate::problem::{ApiResult, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct MailboxItem {
    pub id: i64,
    pub address: String,
    /// The name its mail shows ("IT Help"): agents' replies come from "Agent Name (IT
    /// Help)", the desk's own mail from "IT Help"; null: the bare address.
    pub name: Option<String>,
    /// The IMAP folder polled for mail, password hidden; null when mail arrives through the
    /// SMTP listener.
    pub imap: Option<String>,
    /// The SMTP server the desk sends as this address through, password hidden; null when
    /// it does not send as it.
    pub smtp: Option<String>,
    /// active or disabled (kept, but not read and refused by the SMTP listener).
    pub state: String,
    /// The last failure reading or sending, until it works again.
    pub last_error: Option<String>,
}

impl From<Mailbox> for MailboxItem {
    fn from(m: Mailbox) -> Self {
        Self {
            id: m.id.get(),
            name: m.name,
            imap: m.imap.as_ref().map(ToString::to_string),
            smtp: m.smtp.as_ref().map(ToString::to_string),
            address: m.address,
            state: m.state.as_str().to_owned(),
            last_error: m.last_error,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MailboxList {
    pub items: Vec<MailboxItem>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMailbox {
    pub address: String,
    /// One line of at most 100 characters; absent or blank: none.
    pub name: Option<String>,
    /// `imaps://USER:PASS@HOST:PORT/FOLDER`; absent when mail arrives through the SMTP
    /// listener.
    pub imap: Option<String>,
    /// `smtps://USER:PASS@HOST:PORT`; absent when the desk does not send as this address.
    pub smtp: Option<String>,
}

/// A change of URLs or the name: an absent field keeps the current one, `null` (or a blank
/// name) removes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMailbox {
    #[serde(default, deserialize_with = "crate::api::nullable")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::nullable")]
    #[schema(value_type = Option<String>)]
    pub imap: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::nullable")]
    #[schema(value_type = Option<String>)]
    pub smtp: Option<Option<String>>,
}

fn imap_url(text: &str) -> Result<ImapUrl, DomainError> {
    ImapUrl::parse(text.trim()).map_err(|e| DomainError::new("imap", e.to_string()))
}

fn smtp_url(text: &str) -> Result<SmtpUrl, DomainError> {
    SmtpUrl::parse(text.trim()).map_err(|e| DomainError::new("smtp", e.to_string()))
}

/// The mailbox `id` as it is now.
async fn current(mail: &Mail, actor: &Actor, id: MailboxId) -> ApiResult<MailboxItem> {
    mail.mailboxes(Some(actor))
        .await?
        .into_iter()
        .find(|m| m.id == id)
        .map(MailboxItem::from)
        .ok_or_else(|| CoreError::NotFound("mailbox").into())
}

#[utoipa::path(get, path = "/api/v1/mailboxes", tag = "configuration",
    responses((status = 200, body = MailboxList), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_mailboxes(
    State(mail): State<Mail>,
    Allowed { actor, .. }: Allowed<Mailboxes>,
) -> ApiResult<Json<MailboxList>> {
    let items = mail.mailboxes(Some(&actor)).await?;
    Ok(Json(MailboxList {
        items: items.into_iter().map(MailboxItem::from).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/mailboxes", tag = "configuration",
    request_body = CreateMailbox,
    responses((status = 201, body = MailboxItem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "The address has a mailbox already"),
        (status = 422, body = Problem, description = "A bad address, URL or name")),
    security(("bearer" = [])))]
pub async fn create_mailbox(
    State(mail): State<Mail>,
    Allowed { actor, .. }: Allowed<Mailboxes>,
    body: ApiJson<CreateMailbox>,
) -> ApiResult<(StatusCode, Json<MailboxItem>)> {
    let b = body.value;
    let mut f = Fields::default();
    let address = f.take(Email::parse("address", b.address.trim()));
    let name = f.take(b.name.as_deref().map(MailboxName::parse).transpose());
    let imap = f.take(b.imap.as_deref().map(imap_url).transpose());
    let smtp = f.take(b.smtp.as_deref().map(smtp_url).transpose());
    f.finish()?;
    let (Some(address), Some(name), Some(imap), Some(smtp)) = (address, name, imap, smtp) else {
        return Err(CoreError::Internal("a field failed without an error".into()).into());
    };
    let m = mail
        .add_mailbox(
            Some(&actor),
            NewMailbox {
                address,
                imap,
                smtp,
                name: name.flatten(),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

#[utoipa::path(patch, path = "/api/v1/mailboxes/{id}", tag = "configuration",
    params(("id" = i64, Path, description = "Mailbox id")),
    request_body = UpdateMailbox,
    responses((status = 200, body = MailboxItem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "A bad URL or name")),
    security(("bearer" = [])))]
pub async fn update_mailbox(
    State(mail): State<Mail>,
    Allowed { actor, .. }: Allowed<Mailboxes>,
    ApiPath(id): ApiPath<MailboxId>,
    body: ApiJson<UpdateMailbox>,
) -> ApiResult<Json<MailboxItem>> {
    let b = body.value;
    let mut f = Fields::default();
    let imap = b
        .imap
        .map(|u| f.take(u.as_deref().map(imap_url).transpose()));
    let smtp = b
        .smtp
        .map(|u| f.take(u.as_deref().map(smtp_url).transpose()));
    let name = b
        .name
        .map(|n| f.take(n.as_deref().map(MailboxName::parse).transpose()));
    f.finish()?;
    // After `finish`, every `take` above gave `Some`.
    let change = MailboxChange {
        imap: imap.flatten(),
        smtp: smtp.flatten(),
        name: name.flatten().map(Option::flatten),
    };
    let m = mail.update_mailbox(Some(&actor), id, change).await?;
    Ok(Json(m.into()))
}

#[utoipa::path(post, path = "/api/v1/mailboxes/{id}/disable", tag = "configuration",
    params(("id" = i64, Path, description = "Mailbox id")),
    responses((status = 200, body = MailboxItem, description = "Kept with its settings, but no longer read"),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn disable_mailbox(
    State(mail): State<Mail>,
    Allowed { actor, .. }: Allowed<Mailboxes>,
    ApiPath(id): ApiPath<MailboxId>,
) -> ApiResult<Json<MailboxItem>> {
    mail.set_mailbox_enabled(Some(&actor), id, false).await?;
    Ok(Json(current(&mail, &actor, id).await?))
}

#[utoipa::path(post, path = "/api/v1/mailboxes/{id}/enable", tag = "configuration",
    params(("id" = i64, Path, description = "Mailbox id")),
    responses((status = 200, body = MailboxItem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn enable_mailbox(
    State(mail): State<Mail>,
    Allowed { actor, .. }: Allowed<Mailboxes>,
    ApiPath(id): ApiPath<MailboxId>,
) -> ApiResult<Json<MailboxItem>> {
    mail.set_mailbox_enabled(Some(&actor), id, true).await?;
    Ok(Json(current(&mail, &actor, id).await?))
}
