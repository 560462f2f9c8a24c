//! `/api/v1/quarantine`: the mail ingest held back instead of turning it into a ticket or
//! comment (`quarantined`: a mail loop over the rate limit, a rule of the ticket core;
//! `ignored`: automatic or list mail, mail from the desk's own addresses), for
//! administrators: listed newest first, read one by one (main headers and the start of its
//! text, never its HTML), released (ingested anyway, once, into the ticket or comment it
//! would have been, with an audit entry naming the admin) or discarded (off the list, the
//! message kept). Each handler is the console's quarantine page's core call.

use axum::Json;
use axum::extract::State;
use frontline_core::Mail;
use frontline_core::mail::{HeldMail, HeldMessage};
use frontline_domain::{CommentId, InboundId, TicketId};
use serde::Serialize;
use utoipa::ToSchema;

use crate::extract::{ApiPath, Auth};
use crate::problem::{ApiResult, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct QuarantinedItem {
    pub id: i64,
    /// When the desk received it (RFC 3339).
    pub received_at: String,
    /// The mailbox it came in through, when known.
    pub mailbox: Option<String>,
    /// The From address, else the envelope sender; empty when neither is known.
    pub sender: String,
    pub subject: String,
    /// `quarantined` or `ignored`.
    pub state: String,
    /// Why ingest held it back, such as `rate_limited: …`.
    pub reason: String,
    /// In bytes.
    pub size: i64,
}

impl From<HeldMail> for QuarantinedItem {
    fn from(m: HeldMail) -> Self {
        Self {
            id: m.id.get(),
            received_at: m.received_at.to_rfc3339(),
            mailbox: m.mailbox,
            sender: m.sender,
            subject: m.subject,
            state: m.state.as_str().to_owned(),
            reason: m.reason,
            size: m.size,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuarantinedList {
    pub items: Vec<QuarantinedItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MailHeader {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuarantinedMessage {
    #[serde(flatten)]
    pub item: QuarantinedItem,
    /// From, To, Cc, Date, Message-ID and In-Reply-To, where the message has them.
    pub headers: Vec<MailHeader>,
    /// Plain text, at most 5,000 characters (the raw start when it is not readable MIME).
    pub text: String,
}

impl From<HeldMessage> for QuarantinedMessage {
    fn from(m: HeldMessage) -> Self {
        Self {
            item: m.mail.into(),
            headers: m
                .headers
                .into_iter()
                .map(|(name, value)| MailHeader {
                    name: name.to_owned(),
                    value,
                })
                .collect(),
            text: m.text,
        }
    }
}

/// What a released message became.
#[derive(Debug, Serialize, ToSchema)]
pub struct Released {
    /// `ticket`, `comment` or `note`.
    pub state: String,
    pub ticket_id: Option<i64>,
    pub comment_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/quarantine", tag = "operations",
    responses((status = 200, body = QuarantinedList, description = "Newest first, at most 200"),
        (status = 403, body = Problem, description = "Only admins may see quarantined mail")),
    security(("bearer" = [])))]
pub async fn list_quarantine(
    State(mail): State<Mail>,
    Auth(actor): Auth,
) -> ApiResult<Json<QuarantinedList>> {
    let items = mail.held_mail(&actor).await?;
    Ok(Json(QuarantinedList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/quarantine/{id}", tag = "operations",
    params(("id" = i64, Path, description = "Inbound message id")),
    responses((status = 200, body = QuarantinedMessage), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "No such message, or it is not held")),
    security(("bearer" = [])))]
pub async fn get_quarantined(
    State(mail): State<Mail>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<InboundId>,
) -> ApiResult<Json<QuarantinedMessage>> {
    Ok(Json(mail.held_message(&actor, id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/quarantine/{id}/release", tag = "operations",
    params(("id" = i64, Path, description = "Inbound message id")),
    responses((status = 200, body = Released, description = "Ingested into its ticket or comment"),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Not held any more, or it still cannot be ingested (the reason says why)")),
    security(("bearer" = [])))]
pub async fn release_quarantined(
    State(mail): State<Mail>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<InboundId>,
) -> ApiResult<Json<Released>> {
    let o = mail.release_mail(&actor, id).await?;
    Ok(Json(Released {
        state: o.state.as_str().to_owned(),
        ticket_id: o.ticket_id.map(TicketId::get),
        comment_id: o.comment_id.map(CommentId::get),
    }))
}

#[utoipa::path(post, path = "/api/v1/quarantine/{id}/discard", tag = "operations",
    params(("id" = i64, Path, description = "Inbound message id")),
    responses((status = 204, description = "Off the list; the message is kept"),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Not held any more")),
    security(("bearer" = [])))]
pub async fn discard_quarantined(
    State(mail): State<Mail>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<InboundId>,
) -> ApiResult<axum::http::StatusCode> {
    mail.discard_mail(&actor, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
