//! Logging a phone call (or a walk-up) as a ticket on behalf of the caller: found by name or
//! email first (`?find=`), or added to the desk with their name if they are new; with group,
//! category, impact, urgency or a priority set by hand, how long the call took, whether it was
//! solved during the call (first contact resolution: resolved right after it opens), and any files
//! the caller sent. The call's minutes and files go on an internal note.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::CoreError;
use frontline_core::tickets::{NewComment, NewTicket, Spent, TicketPatch};
use frontline_domain::time_spent::{Minutes, minutes_label};
use frontline_domain::{CategoryPath, Email, Level, Priority, Status, Subject};
use serde::Deserialize;

use super::choices::{named, priority_choices, with_none};
use super::search::PersonLine;
use crate::error::{UiError, describe_invalid};
use crate::forms::Upload;
use crate::session::{Signed, Staff};
use crate::view::{Chrome, Opt, Select};

crate::screens! {
    /// What the console's new-ticket form uses.
    NewTicketScreens {
    comments: Comments,
    config: Config,
    people: People,
    tickets: Tickets,
    views: Views,
    }
}

/// Callers shown for a lookup.
const FOUND: i64 = 8;

#[derive(Template)]
#[template(path = "console/new.html")]
struct NewPage {
    chrome: Chrome,
    f: CallForm,
    /// The lookup as typed, and the people it found.
    find: String,
    found: Vec<PersonLine>,
    /// Whether a lookup ran.
    looked: bool,
    selects: Vec<Select>,
    error: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct CallQuery {
    /// A name or email to look the caller up by.
    pub find: Option<String>,
    /// The caller picked from the lookup.
    pub requester: Option<String>,
    pub name: Option<String>,
}

#[derive(Default)]
pub(crate) struct CallForm {
    requester: String,
    name: String,
    subject: String,
    description: String,
    group: String,
    category: String,
    impact: String,
    urgency: String,
    priority: String,
    minutes: String,
    solved: bool,
    assign_to_me: bool,
}

impl CallForm {
    fn of(upload: &Upload) -> Self {
        let text = |name: &str| upload.text(name).to_owned();
        Self {
            requester: text("requester"),
            name: text("name"),
            subject: text("subject"),
            description: text("description"),
            group: text("group"),
            category: text("category"),
            impact: text("impact"),
            urgency: text("urgency"),
            priority: text("priority"),
            minutes: text("minutes"),
            solved: upload.text("solved") == "yes",
            assign_to_me: upload.text("assign_to_me") == "yes",
        }
    }
}

async fn render(
    ui: &NewTicketScreens,
    signed: &Signed,
    f: CallForm,
    found: Option<(String, Vec<PersonLine>)>,
    status: StatusCode,
    error: String,
) -> Result<Response, UiError> {
    let actor = signed.actor();
    let categories = ui.config.categories().await?;
    let groups = ui.views.group_names(actor).await?;
    let default_group = ui.config.default_group().await?;
    let levels = || Level::ALL.map(|l| (l.as_str(), l.as_str()));
    let or_medium = |v: &str| if v.is_empty() { "medium" } else { v }.to_owned();
    let group_none = match default_group {
        Some(g) => format!("The default group ({g})"),
        None => "None".to_owned(),
    };
    let paths = categories.into_iter().map(|c| c.path).collect();
    let selects = vec![
        Select::new(
            "group",
            "group",
            "Group",
            with_none(&group_none, named(groups), &f.group),
        ),
        Select::new(
            "category",
            "category",
            "Category",
            with_none("None", named(paths), &f.category),
        ),
        Select::new(
            "impact",
            "impact",
            "Impact",
            Opt::list(levels(), &or_medium(&f.impact)),
        ),
        Select::new(
            "urgency",
            "urgency",
            "Urgency",
            Opt::list(levels(), &or_medium(&f.urgency)),
        ),
        Select::new(
            "priority",
            "priority",
            "Priority",
            priority_choices(("", "From impact and urgency"), &f.priority),
        ),
    ];
    let (find, found, looked) = match found {
        Some((find, found)) => (find, found, true),
        None => (String::new(), Vec::new(), false),
    };
    let page = NewPage {
        chrome: signed.chrome("console"),
        f,
        find,
        found,
        looked,
        selects,
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// The form; with `find`, the callers that name or email finds; with `requester`, that caller
/// filled in.
pub(crate) async fn form(
    State(ui): State<NewTicketScreens>,
    Staff(signed): Staff,
    Query(q): Query<CallQuery>,
) -> Result<Response, UiError> {
    let found = match q.find.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => {
            let text: String = text.chars().take(200).collect();
            let people = super::search::people_of(&ui.people, signed.actor(), &text, FOUND).await?;
            Some((text, people))
        }
        None => None,
    };
    let f = CallForm {
        requester: q.requester.unwrap_or_default(),
        name: q.name.unwrap_or_default(),
        assign_to_me: true,
        ..CallForm::default()
    };
    render(&ui, &signed, f, found, StatusCode::OK, String::new()).await
}

fn new_ticket(f: &CallForm, me: &str) -> Result<NewTicket, CoreError> {
    let optional = |v: &str| Some(v.trim()).filter(|v| !v.is_empty()).map(str::to_owned);
    Ok(NewTicket {
        requester: Some(Email::parse("requester", f.requester.trim())?),
        requester_name: optional(&f.name),
        impact: Level::parse("impact", &f.impact)?,
        urgency: Level::parse("urgency", &f.urgency)?,
        priority: optional(&f.priority)
            .map(|p| Priority::parse("priority", &p))
            .transpose()?,
        category: optional(&f.category)
            .map(|c| CategoryPath::parse("category", &c))
            .transpose()?,
        group: optional(&f.group),
        assignee: (f.assign_to_me || f.solved)
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
    let checked = Minutes::parse_optional("minutes", &f.minutes)
        .map_err(CoreError::from)
        .and_then(|m| Ok((m, new_ticket(&f, signed.actor().email.as_str())?)));
    let created = match checked {
        Ok((minutes, new)) => ui
            .tickets
            .create_ticket(signed.actor(), new, None)
            .await
            .map(|c| (minutes, c.ticket.record.id)),
        Err(e) => Err(e),
    };
    let (minutes, id) = match created {
        Ok(done) => done,
        Err(CoreError::Invalid(errors)) => {
            let error = describe_invalid(&errors);
            return render(
                &ui,
                signed,
                f,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                error,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    log_call(&ui, &upload, id, minutes, f.solved).await?;
    if f.solved {
        // Resolved as a change of its own, after the call's note, so the SLA sees the
        // resolution and the history says who solved it.
        let solved = TicketPatch {
            status: Some(Status::Resolved),
            ..TicketPatch::default()
        };
        if let Err(e) = ui
            .tickets
            .update_ticket(signed.actor(), id, solved, None)
            .await
        {
            return Err(UiError::BadRequest(format!(
                "Ticket #{id} was opened, but could not be resolved: {e}. Open the ticket and \
                 resolve it there."
            )));
        }
    }
    Ok(Redirect::to(&format!("/console/tickets/{id}")).into_response())
}

/// The call's internal note: how long it took (recorded as time spent on a call), whether it
/// was solved then, and the files. A public reply would tell the requester about their own
/// files and count as the desk's first response. No note when there is nothing to say.
async fn log_call(
    ui: &NewTicketScreens,
    upload: &Upload,
    id: frontline_domain::TicketId,
    minutes: Option<Minutes>,
    solved: bool,
) -> Result<(), UiError> {
    if minutes.is_none() && !solved && upload.files.is_empty() {
        return Ok(());
    }
    let mut lines = vec![match minutes {
        Some(m) => format!("Phone call, {}.", minutes_label(i64::from(m.get()))),
        None => "Phone call.".to_owned(),
    }];
    if solved {
        lines.push("Solved during the call.".to_owned());
    }
    if !upload.files.is_empty() {
        lines.push("Files received with the call.".to_owned());
    }
    let note = NewComment {
        body: lines.join(" "),
        internal: true,
        attachments: upload.files.clone(),
        time: minutes.map(|minutes| Spent {
            minutes,
            call: true,
        }),
    };
    if let Err(e) = ui
        .comments
        .add_comment(upload.signed.actor(), id, note)
        .await
    {
        let message = match e {
            CoreError::Invalid(errors) => describe_invalid(&errors),
            other => return Err(other.into()),
        };
        return Err(UiError::BadRequest(format!(
            "Ticket #{id} was opened, but the call's note (its time and files) was not saved: \
             {message}. Open the ticket and add them to a note."
        )));
    }
    Ok(())
}
