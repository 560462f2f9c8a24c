//! One request as its requester sees it: status in plain words, the public conversation,
//! a reply form (a reply reopens a solved request) and closing it. A watcher or an
//! organization colleague sees the same page without the close form: only the ticket's
//! requester closes it (the core refuses anyone else).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::CoreError;
use frontline_core::tickets::{NewComment, TicketPatch};
use frontline_domain::{CommentId, Status, TicketId};

use crate::error::{UiError, describe_invalid};
use crate::forms::Upload;
use crate::login::CsrfOnly;
use crate::session::{Posted, Requester, Signed};
use crate::view::{Chrome, Message, TicketLine};

crate::screens! {
    /// What the portal's ticket pages and request form use.
    PortalTicketScreens {
    comments: Comments,
    config: Config,
    tickets: Tickets,
    }
}

const MOST: i64 = 1000;

#[derive(Template)]
#[template(path = "portal/ticket.html")]
struct TicketPage {
    chrome: Chrome,
    t: TicketLine,
    description: String,
    messages: Vec<Message>,
    closed: bool,
    /// The signed-in person is the ticket's requester, so may close it.
    mine: bool,
    error: String,
    draft: String,
}

pub(crate) async fn render(
    ui: &PortalTicketScreens,
    signed: &Signed,
    id: TicketId,
    status: StatusCode,
    error: String,
    draft: String,
) -> Result<Response, UiError> {
    let actor = signed.actor();
    let view = ui.tickets.ticket(actor, id).await?;
    let comments = ui
        .comments
        .list(actor, id, CommentId::default(), MOST)
        .await?;
    let page = TicketPage {
        chrome: signed.chrome("portal"),
        t: TicketLine::of(&view),
        description: view.record.description.clone(),
        // The core never hands a requester an internal note; this keeps it so if that changed.
        messages: comments
            .iter()
            .filter(|c| !c.record.internal)
            .map(Message::of)
            .collect(),
        closed: view.record.status == Status::Closed,
        mine: view.record.requester_id == actor.id,
        error,
        draft,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub(crate) async fn page(
    State(ui): State<PortalTicketScreens>,
    Requester(signed): Requester,
    Path(id): Path<TicketId>,
) -> Result<Response, UiError> {
    render(
        &ui,
        &signed,
        id,
        StatusCode::OK,
        String::new(),
        String::new(),
    )
    .await
}

fn fixable(e: CoreError) -> Result<(StatusCode, String), UiError> {
    match e {
        CoreError::Invalid(errors) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, describe_invalid(&errors)))
        }
        CoreError::Conflict(m) => Ok((StatusCode::CONFLICT, m)),
        CoreError::Forbidden(m) => Ok((StatusCode::FORBIDDEN, m)),
        other => Err(other.into()),
    }
}

pub(crate) async fn reply(
    State(ui): State<PortalTicketScreens>,
    Path(id): Path<TicketId>,
    upload: Upload,
) -> Result<Response, UiError> {
    let signed = &upload.signed;
    if signed.actor().is_staff() {
        return Err(UiError::Forbidden(
            "The desk's team replies from the console.".into(),
        ));
    }
    let new = NewComment {
        body: upload.text("body").to_owned(),
        internal: false,
        attachments: upload.files.clone(),
        time: None,
    };
    match ui.comments.add_comment(signed.actor(), id, new).await {
        Ok(c) => Ok(
            Redirect::to(&format!("/portal/tickets/{id}#message-{}", c.record.id)).into_response(),
        ),
        Err(e) => {
            let (status, message) = fixable(e)?;
            render(
                &ui,
                signed,
                id,
                status,
                message,
                upload.text("body").to_owned(),
            )
            .await
        }
    }
}

pub(crate) async fn close(
    State(ui): State<PortalTicketScreens>,
    Path(id): Path<TicketId>,
    posted: Posted<CsrfOnly>,
) -> Result<Response, UiError> {
    let signed = &posted.signed;
    if signed.actor().is_staff() {
        return Err(UiError::Forbidden(
            "The desk's team closes tickets from the console.".into(),
        ));
    }
    let patch = TicketPatch {
        status: Some(Status::Closed),
        ..TicketPatch::default()
    };
    match ui
        .tickets
        .update_ticket(signed.actor(), id, patch, None)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/portal/tickets/{id}")).into_response()),
        Err(e) => {
            let (status, message) = fixable(e)?;
            render(&ui, signed, id, status, message, String::new()).await
        }
    }
}
