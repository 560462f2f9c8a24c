//! Logging a phone call (or a walk-up) as a ticket on behalf of a requester, who is added to
//! the desk if they are new, with any files the caller sent (a screenshot, a log) attached.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::CoreError;
use frontline_core::tickets::{NewComment, NewTicket};
use frontline_domain::{CategoryPath, Email, Level, Subject};
use serde::Deserialize;

use crate::error::{UiError, describe_invalid};
use crate::forms::Upload;
use crate::session::{Signed, Staff};
use crate::view::{Chrome, Opt, Select};

crate::screens! {
    /// What the console's new-ticket form uses.
    NewTicketScreens {
    comments: Comments,
    config: Config,
    tickets: Tickets,
    }
}

#[derive(Template)]
#[template(path = "console/new.html")]
struct NewPage {
    chrome: Chrome,
    requester: String,
    subject: String,
    description: String,
    selects: Vec<Select>,
    error: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct CallForm {
    #[serde(default)]
    requester: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    impact: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    assign_to_me: String,
}

impl CallForm {
    fn of(upload: &Upload) -> Self {
        let text = |name: &str| upload.text(name).to_owned();
        Self {
            requester: text("requester"),
            subject: text("subject"),
            description: text("description"),
            category: text("category"),
            impact: text("impact"),
            urgency: text("urgency"),
            assign_to_me: text("assign_to_me"),
        }
    }
}

async fn render(
    ui: &NewTicketScreens,
    signed: &Signed,
    f: &CallForm,
    status: StatusCode,
    error: String,
) -> Result<Response, UiError> {
    let categories = ui.config.categories().await?;
    let levels = || Level::ALL.map(|l| (l.as_str(), l.as_str()));
    let or_medium = |v: &str| {
        if v.is_empty() {
            "medium".to_owned()
        } else {
            v.to_owned()
        }
    };
    let page = NewPage {
        chrome: signed.chrome("console"),
        requester: f.requester.clone(),
        subject: f.subject.clone(),
        description: f.description.clone(),
        selects: vec![
            Select {
                id: "category",
                name: "category",
                label: "Category",
                options: Opt::list(
                    [(String::new(), "None".to_owned())]
                        .into_iter()
                        .chain(categories.into_iter().map(|c| (c.path.clone(), c.path))),
                    &f.category,
                ),
            },
            Select {
                id: "impact",
                name: "impact",
                label: "Impact",
                options: Opt::list(levels(), &or_medium(&f.impact)),
            },
            Select {
                id: "urgency",
                name: "urgency",
                label: "Urgency",
                options: Opt::list(levels(), &or_medium(&f.urgency)),
            },
        ],
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub(crate) async fn form(
    State(ui): State<NewTicketScreens>,
    Staff(signed): Staff,
) -> Result<Response, UiError> {
    render(
        &ui,
        &signed,
        &CallForm::default(),
        StatusCode::OK,
        String::new(),
    )
    .await
}

fn new_ticket(f: &CallForm, me: &str) -> Result<NewTicket, CoreError> {
    let category = match f.category.trim() {
        "" => None,
        c => Some(CategoryPath::parse("category", c)?),
    };
    Ok(NewTicket {
        requester: Some(Email::parse("requester", f.requester.trim())?),
        impact: Level::parse("impact", &f.impact)?,
        urgency: Level::parse("urgency", &f.urgency)?,
        category,
        assignee: (f.assign_to_me == "yes")
            .then(|| Email::parse("assignee", me))
            .transpose()?,
        ..NewTicket::new(
            Subject::parse(&f.subject)?,
            f.description.clone(),
            frontline_domain::Channel::Phone,
        )
    })
}

pub(crate) async fn submit(
    State(ui): State<NewTicketScreens>,
    upload: Upload,
) -> Result<Response, UiError> {
    let signed = &upload.signed;
    if !signed.actor().is_staff() {
        return Err(UiError::Forbidden(
            "Only the desk's team logs calls.".into(),
        ));
    }
    let f = CallForm::of(&upload);
    let created = match new_ticket(&f, (signed.actor().email).as_str()) {
        Ok(new) => ui.tickets.create_ticket(signed.actor(), new, None).await,
        Err(e) => Err(e),
    };
    let id = match created {
        Ok(c) => c.ticket.record.id,
        Err(CoreError::Invalid(errors)) => {
            return render(
                &ui,
                signed,
                &f,
                StatusCode::UNPROCESSABLE_ENTITY,
                describe_invalid(&errors),
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    // The files go on an internal note: a public reply would tell the requester about their
    // own files and count as the desk's first response.
    if !upload.files.is_empty() {
        let files = NewComment {
            body: "Files received with the call.".into(),
            internal: true,
            attachments: upload.files.clone(),
        };
        if let Err(e) = ui.comments.add_comment(signed.actor(), id, files).await {
            let message = match e {
                CoreError::Invalid(errors) => describe_invalid(&errors),
                other => return Err(other.into()),
            };
            return Err(UiError::BadRequest(format!(
                "Ticket #{id} was opened, but its files were not attached: {message}. Open the \
                 ticket and attach them to a note."
            )));
        }
    }
    Ok(Redirect::to(&format!("/console/tickets/{id}")).into_response())
}
