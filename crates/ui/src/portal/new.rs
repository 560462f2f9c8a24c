//! A new request: subject, description, category, urgency in plain words, and files.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::CoreError;
use frontline_core::tickets::{NewComment, NewTicket};
use frontline_domain::{CategoryPath, Level, Subject};

use super::ticket::PortalTicketScreens;
use crate::error::{UiError, describe_invalid};
use crate::forms::Upload;
use crate::session::{Requester, Signed};
use crate::view::{Chrome, Opt};

/// Urgency as a requester would put it.
const URGENCIES: [(&str, &str); 3] = [
    ("low", "It can wait a few days"),
    ("medium", "It slows my work down"),
    ("high", "I cannot work at all"),
];

#[derive(Template)]
#[template(path = "portal/new.html")]
struct NewPage {
    chrome: Chrome,
    subject: String,
    description: String,
    categories: Vec<Opt>,
    urgencies: Vec<Opt>,
    error: String,
}

struct Values<'a> {
    subject: &'a str,
    description: &'a str,
    category: &'a str,
    urgency: &'a str,
}

async fn render(
    ui: &PortalTicketScreens,
    signed: &Signed,
    v: Values<'_>,
    status: StatusCode,
    error: String,
) -> Result<Response, UiError> {
    let categories = ui.config.categories().await?;
    let page = NewPage {
        chrome: signed.chrome("portal-new"),
        subject: v.subject.to_owned(),
        description: v.description.to_owned(),
        categories: Opt::list(
            [(String::new(), "I am not sure".to_owned())]
                .into_iter()
                .chain(
                    categories
                        .into_iter()
                        .map(|c| (c.path.clone(), c.path.replace('/', " › "))),
                ),
            v.category,
        ),
        urgencies: Opt::list(URGENCIES, v.urgency),
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub(crate) async fn form(
    State(ui): State<PortalTicketScreens>,
    Requester(signed): Requester,
) -> Result<Response, UiError> {
    let empty = Values {
        subject: "",
        description: "",
        category: "",
        urgency: "medium",
    };
    render(&ui, &signed, empty, StatusCode::OK, String::new()).await
}

fn new_ticket(v: &Values<'_>) -> Result<NewTicket, CoreError> {
    let subject = Subject::parse(v.subject)?;
    let category = match v.category.trim() {
        "" => None,
        c => Some(CategoryPath::parse("category", c)?),
    };
    Ok(NewTicket {
        urgency: Level::parse("urgency", v.urgency)?,
        category,
        ..NewTicket::new(subject, v.description, frontline_domain::Channel::Portal)
    })
}

pub(crate) async fn submit(
    State(ui): State<PortalTicketScreens>,
    upload: Upload,
) -> Result<Response, UiError> {
    let signed = &upload.signed;
    if signed.actor().is_staff() {
        return Err(UiError::Forbidden(
            "The desk's team opens tickets for others from the console.".into(),
        ));
    }
    let values = Values {
        subject: upload.text("subject"),
        description: upload.text("description"),
        category: upload.text("category"),
        urgency: upload.text("urgency"),
    };
    let created = match new_ticket(&values) {
        Ok(new) => ui.tickets.create_ticket(signed.actor(), new, None).await,
        Err(e) => Err(e),
    };
    let id = match created {
        Ok(c) => c.ticket.record.id,
        Err(CoreError::Invalid(errors)) => {
            let message = describe_invalid(&errors);
            return render(
                &ui,
                signed,
                values,
                StatusCode::UNPROCESSABLE_ENTITY,
                message,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    if !upload.files.is_empty() {
        let files = NewComment {
            body: "Files sent with the request.".into(),
            internal: false,
            attachments: upload.files.clone(),
            time: None,
        };
        if let Err(e) = ui.comments.add_comment(signed.actor(), id, files).await {
            let message = match e {
                CoreError::Invalid(errors) => describe_invalid(&errors),
                other => return Err(other.into()),
            };
            return super::ticket::render(
                &ui,
                signed,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("Your request was saved, but its files were not: {message}"),
                String::new(),
            )
            .await;
        }
    }
    Ok(Redirect::to(&format!("/portal/tickets/{id}")).into_response())
}
