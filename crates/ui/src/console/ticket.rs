//! The ticket page: the conversation (public replies and internal notes, told apart), the
//! reply-or-note form, the fields form (sent with the version it was read at, so a change
//! someone made meanwhile is reported, never overwritten) and the audit history.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::CoreError;
use frontline_core::tickets::{NewComment, Spent};
use frontline_domain::time_spent::Minutes;
use frontline_domain::{
    CannedId, CommentId, EventId, Level, Status, Ticket, TicketId, TicketRecord, TicketType,
};

use super::choices::{named, priority_choices, with_none};
use super::history::history;
use super::sla::SlaPanel;
use super::ticket_fields::{CustomInput, custom_inputs, link_kinds, link_label};
use super::time::TimePanel;
use crate::error::{UiError, describe_invalid};
use crate::forms::Upload;
use crate::session::{Signed, Staff};
use crate::view::{
    Chrome, HistoryLine, Message, Opt, Select, TicketLine, channel_words, status_label, words,
};

crate::screens! {
    /// What the console's ticket page uses.
    TicketScreens {
        canned: Canned,
        comments: Comments,
        config: Config,
        people: People,
        presence: Presence,
        sla: Sla,
        tickets: Tickets,
        views: Views;
        viewers
    }
}

/// The longest conversation and history shown on one page.
const MOST: i64 = 1000;
/// How many of the requester's other tickets are listed.
const OTHERS: i64 = 5;

#[derive(Template)]
#[template(path = "console/ticket.html")]
struct TicketPage {
    chrome: Chrome,
    t: TicketLine,
    requester_email: String,
    /// The same, encoded for a URL's query.
    requester_q: String,
    description: String,
    version: i64,
    /// The state live updates compare against: `<version>-<last change>`.
    live_since: String,
    /// Others viewing this ticket now (on this node).
    viewers: String,
    messages: Vec<Message>,
    history: Vec<HistoryLine>,
    /// The links to other tickets: how they relate, in words and as stored, and the number.
    links: Vec<(&'static str, &'static str, TicketId)>,
    link_kinds: Vec<Opt>,
    /// Tags and watchers as the Details form edits them: separated by spaces and commas.
    tags: String,
    watchers: String,
    custom: Vec<CustomInput>,
    /// Where the ticket came from ("Email", "Phone", …) and the requester's organization.
    channel: String,
    organization: String,
    merged_into: Option<TicketId>,
    /// The requester's other recent tickets.
    others: Vec<TicketLine>,
    sla: SlaPanel,
    time: TimePanel,
    selects: Vec<Select>,
    error: String,
    draft: String,
    draft_internal: bool,
    draft_minutes: String,
    /// The canned responses the agent may insert, the last inserted one selected.
    canned: Vec<Opt>,
}

/// What the page shows besides the ticket: a failed action's message and the text that was
/// being written, so nothing typed is lost.
#[derive(Default)]
struct Outcome {
    error: String,
    draft: String,
    draft_internal: bool,
    draft_minutes: String,
    /// The canned response just inserted.
    canned: String,
}

async fn render(
    ui: &TicketScreens,
    signed: &Signed,
    id: TicketId,
    status: StatusCode,
    outcome: Outcome,
) -> Result<Response, UiError> {
    let actor = signed.actor();
    let view = ui.tickets.ticket(actor, id).await?;
    let comments = ui
        .comments
        .list(actor, id, CommentId::default(), MOST)
        .await?;
    let events = ui
        .tickets
        .events(actor, id, EventId::default(), MOST)
        .await?;
    let links = ui.tickets.links(actor, id).await?;
    let sla = ui.sla.ticket_sla_now(actor, &view).await?;
    let others = ui
        .views
        .requester_tickets(actor, view.requester_email.as_str(), OTHERS + 1)
        .await?;
    let categories = ui.config.categories().await?;
    let groups = ui.views.group_names(actor).await?;
    let canned = ui.canned.canned_responses(actor).await?;
    let staff = ui.people.staff_members(actor).await?;
    let r = &view.record;
    let categories = categories.into_iter().map(|c| c.path).collect();
    let page = TicketPage {
        chrome: signed.chrome("console"),
        t: TicketLine::of(&view),
        requester_email: view.requester_email.to_string(),
        requester_q: crate::error::encode(view.requester_email.as_str(), false),
        description: r.description.clone(),
        version: r.version,
        live_since: format!("{}-{}", r.version, r.times.updated_at.as_micros()),
        viewers: ui.viewers.see(&ui.presence, actor, id).await?.join(", "),
        messages: comments.iter().map(Message::of).collect(),
        history: history(&events),
        links: links
            .iter()
            .map(|l| (link_label(l.kind), l.kind.as_str(), l.ticket))
            .collect(),
        link_kinds: link_kinds(),
        tags: view.tags.join(", "),
        watchers: view
            .watchers
            .iter()
            .map(|w| w.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        custom: custom_inputs(&ui.config.custom_fields().await?, &view),
        channel: channel_words(r.channel.as_str()),
        organization: view.organization_name.clone().unwrap_or_default(),
        merged_into: r.merged_into_id,
        sla: SlaPanel::of(&sla),
        time: TimePanel::of(&ui.comments.ticket_time(actor, id).await?),
        others: others
            .iter()
            .filter(|t| t.record.id != id)
            .take(OTHERS as usize)
            .map(TicketLine::of)
            .collect(),
        selects: field_selects(&view, categories, groups, staff),
        canned: canned_choices(canned, &outcome.canned),
        error: outcome.error,
        draft: outcome.draft,
        draft_internal: outcome.draft_internal,
        draft_minutes: outcome.draft_minutes,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// The canned responses the agent may insert, their own marked, `chosen` selected.
fn canned_choices(canned: Vec<frontline_domain::CannedResponse>, chosen: &str) -> Vec<Opt> {
    Opt::list(
        canned.into_iter().map(|c| {
            let label = if c.owner_id.is_some() {
                format!("{} (yours)", c.name)
            } else {
                c.name
            };
            (c.id.to_string(), label)
        }),
        chosen,
    )
}

/// The fields form: status, impact, urgency, priority, and the category, group and assignee
/// chosen among the desk's (category paths, group names, `(email, name)` of staff).
fn field_selects(
    view: &Ticket,
    categories: Vec<String>,
    groups: Vec<String>,
    staff: Vec<(String, String)>,
) -> Vec<Select> {
    let r = &view.record;
    let levels = |selected: Level| {
        Opt::list(
            Level::ALL.map(|l| (l.as_str(), l.as_str())),
            selected.as_str(),
        )
    };
    vec![
        Select::new(
            "f-status",
            "status",
            "Status",
            Opt::list(
                Status::ALL.map(|s| (s.as_str(), status_label(s.as_str()))),
                r.status.as_str(),
            ),
        ),
        Select::new(
            "f-type",
            "type",
            "Type",
            Opt::list(
                TicketType::ALL.map(|t| (t.as_str(), words(t.as_str()))),
                r.ticket_type.as_str(),
            ),
        ),
        Select::new("f-impact", "impact", "Impact", levels(r.impact)),
        Select::new("f-urgency", "urgency", "Urgency", levels(r.urgency)),
        Select::new("f-priority", "priority", "Priority", priority_options(r)),
        Select::new(
            "f-category",
            "category",
            "Category",
            with_none(
                "None",
                named(categories),
                view.category_path.as_deref().unwrap_or(""),
            ),
        ),
        Select::new(
            "f-group",
            "group",
            "Group",
            with_none(
                "None",
                named(groups),
                view.group_name.as_deref().unwrap_or(""),
            ),
        ),
        Select::new(
            "f-assignee",
            "assignee",
            "Assignee",
            with_none(
                "None",
                staff
                    .into_iter()
                    .map(|(email, name)| (email.clone(), format!("{name} ({email})"))),
                view.assignee_email.as_deref().unwrap_or(""),
            ),
        ),
    ]
}

/// The priority: from impact and urgency ("auto") unless someone set it.
fn priority_options(r: &TicketRecord) -> Vec<Opt> {
    let priority = if r.priority_overridden {
        r.priority.as_str()
    } else {
        "auto"
    };
    priority_choices(("auto", "From impact and urgency"), priority)
}

pub(crate) async fn page(
    State(ui): State<TicketScreens>,
    Staff(signed): Staff,
    Path(id): Path<TicketId>,
) -> Result<Response, UiError> {
    render(&ui, &signed, id, StatusCode::OK, Outcome::default()).await
}

/// The page with what went wrong with a change (`ticket_edit`'s forms).
pub(crate) async fn failed(
    ui: &TicketScreens,
    signed: &Signed,
    id: TicketId,
    e: CoreError,
) -> Result<Response, UiError> {
    show_failure(ui, signed, id, e, Outcome::default()).await
}

/// Errors a person can fix on the page are shown there; anything else is an error page.
async fn show_failure(
    ui: &TicketScreens,
    signed: &Signed,
    id: TicketId,
    e: CoreError,
    mut outcome: Outcome,
) -> Result<Response, UiError> {
    let (status, message) = match e {
        CoreError::Invalid(errors) => (StatusCode::UNPROCESSABLE_ENTITY, describe_invalid(&errors)),
        CoreError::Stale { .. } => (
            StatusCode::CONFLICT,
            "Someone else changed this ticket after you opened it. The page now shows their \
             change; make yours again if it is still needed."
                .to_owned(),
        ),
        CoreError::Conflict(m) => (StatusCode::CONFLICT, m),
        other => return Err(other.into()),
    };
    outcome.error = message;
    render(ui, signed, id, status, outcome).await
}

/// A public reply or an internal note, with files.
pub(crate) async fn comment(
    State(ui): State<TicketScreens>,
    Path(id): Path<TicketId>,
    upload: Upload,
) -> Result<Response, UiError> {
    let signed = &upload.signed;
    if !signed.actor().is_staff() {
        return Err(UiError::Forbidden(
            "Only the desk's team writes here.".into(),
        ));
    }
    let internal = upload.text("kind") == "note";
    if upload.text("action") == "insert" {
        return insert_canned(&ui, &upload, id, internal).await;
    }
    let time = Minutes::parse_optional("minutes", upload.text("minutes")).map(|m| {
        m.map(|minutes| Spent {
            minutes,
            call: false,
        })
    });
    let new = time.map_err(CoreError::from).map(|time| NewComment {
        body: upload.text("body").to_owned(),
        internal,
        attachments: upload.files.clone(),
        time,
    });
    let added = match new {
        Ok(new) => ui.comments.add_comment(signed.actor(), id, new).await,
        Err(e) => Err(e),
    };
    match added {
        Ok(c) => Ok(
            Redirect::to(&format!("/console/tickets/{id}#message-{}", c.record.id)).into_response(),
        ),
        Err(e) => {
            let outcome = Outcome {
                draft: upload.text("body").to_owned(),
                draft_internal: internal,
                draft_minutes: upload.text("minutes").to_owned(),
                ..Outcome::default()
            };
            show_failure(&ui, signed, id, e, outcome).await
        }
    }
}

/// The reply form's "Insert" button: the page again, the chosen canned response filled in for
/// this ticket and added to what was already written. Nothing is sent.
async fn insert_canned(
    ui: &TicketScreens,
    upload: &Upload,
    id: TicketId,
    internal: bool,
) -> Result<Response, UiError> {
    let signed = &upload.signed;
    let chosen = upload.text("canned");
    let mut outcome = Outcome {
        draft: upload.text("body").trim_end().to_owned(),
        draft_internal: internal,
        canned: chosen.to_owned(),
        ..Outcome::default()
    };
    let Ok(canned) = chosen.parse::<CannedId>() else {
        outcome.error = "Choose a canned response to insert.".to_owned();
        return render(ui, signed, id, StatusCode::UNPROCESSABLE_ENTITY, outcome).await;
    };
    let text = ui.canned.fill_canned(signed.actor(), canned, id).await?;
    if !outcome.draft.is_empty() {
        outcome.draft.push_str("\n\n");
    }
    outcome.draft.push_str(&text);
    if !upload.files.is_empty() {
        outcome.error = "The response was inserted; files chosen before are not kept, so \
            attach them again before sending."
            .to_owned();
    }
    render(ui, signed, id, StatusCode::OK, outcome).await
}
