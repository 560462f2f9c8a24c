//! Changing a ticket from its page: every field of the Details form (status, type, impact,
//! urgency, priority, category, group, assignee, tags, watchers and the custom fields that
//! apply to its type), its links to other tickets, and merging it into another. Each form is
//! one change through `core` with the version the page was read at, so a colleague's change
//! in between is reported rather than overwritten.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use frontline_core::CoreError;
use frontline_core::tickets::TicketPatch;
use frontline_domain::{
    CategoryPath, CustomFieldDef, Email, FieldKind, Level, LinkKind, Priority, Status, Tag,
    TicketId, TicketType,
};
use serde_json::{Map, Value};

use super::paging::ticket_number;
use super::ticket::{TicketScreens, failed};
use crate::error::UiError;
use crate::forms::Fields;
use crate::session::{Posted, Signed};

/// A custom field's value from the form: `null` when left empty.
fn custom_value(f: &Fields, d: &CustomFieldDef) -> Result<Value, CoreError> {
    let name = format!("cf.{}", d.key);
    let text = f.one(&name).trim();
    Ok(match d.kind {
        FieldKind::Checkbox => Value::Bool(f.has(&name, "yes")),
        FieldKind::MultiSelect => {
            let chosen: Vec<Value> = f
                .all(&name)
                .into_iter()
                .map(|v| Value::String(v.to_owned()))
                .collect();
            if chosen.is_empty() {
                Value::Null
            } else {
                Value::Array(chosen)
            }
        }
        _ if text.is_empty() => Value::Null,
        FieldKind::Number => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| {
                CoreError::invalid(&format!("custom_fields.{}", d.key), "must be a number")
            })?,
        _ => Value::String(text.to_owned()),
    })
}

/// Words or emails separated by commas or spaces.
fn listed(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
}

/// The change the Details form asks for.
fn patch_of(f: &Fields, defs: &[CustomFieldDef]) -> Result<TicketPatch, CoreError> {
    let optional = |name: &str| {
        Some(f.one(name).trim())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    // A form without a field leaves it as it is (a form of an older page, a script); the
    // page's form has them all, and marks that it shows the custom fields (`custom`), since
    // an unticked box sends nothing.
    let ticket_type = f
        .get("type")
        .map(|t| TicketType::parse("type", t))
        .transpose()?;
    let custom = match (f.get("custom"), ticket_type) {
        (Some(_), Some(ticket_type)) => {
            let mut custom = Map::new();
            for d in defs.iter().filter(|d| d.applies_to(ticket_type)) {
                custom.insert(d.key.clone(), custom_value(f, d)?);
            }
            Some(custom)
        }
        _ => None,
    };
    Ok(TicketPatch {
        status: Some(Status::parse("status", f.one("status"))?),
        ticket_type,
        impact: Some(Level::parse("impact", f.one("impact"))?),
        urgency: Some(Level::parse("urgency", f.one("urgency"))?),
        priority: Some(match f.one("priority") {
            "auto" | "" => None,
            p => Some(Priority::parse("priority", p)?),
        }),
        category: Some(
            optional("category")
                .map(|c| CategoryPath::parse("category", &c))
                .transpose()?,
        ),
        group: Some(optional("group")),
        assignee: Some(
            optional("assignee")
                .map(|a| Email::parse("assignee", &a))
                .transpose()?,
        ),
        tags: f
            .get("tags")
            .map(|t| listed(t).map(Tag::parse).collect::<Result<_, _>>())
            .transpose()?,
        watchers: f
            .get("watchers")
            .map(|w| {
                listed(w)
                    .map(|w| Email::parse("watchers", w))
                    .collect::<Result<_, _>>()
            })
            .transpose()?,
        custom_fields: custom,
        ..TicketPatch::default()
    })
}

/// Refuses anyone but the desk's team.
fn staff_only(signed: &Signed) -> Result<(), UiError> {
    if signed.actor().is_staff() {
        Ok(())
    } else {
        Err(UiError::Forbidden(
            "Only the desk's team changes tickets here.".into(),
        ))
    }
}

/// The ticket page again after a change, or with what went wrong.
async fn after(
    ui: &TicketScreens,
    signed: &Signed,
    id: TicketId,
    done: Result<(), CoreError>,
) -> Result<Response, UiError> {
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/console/tickets/{id}")).into_response()),
        Err(e) => failed(ui, signed, id, e).await,
    }
}

pub(crate) async fn fields(
    State(ui): State<TicketScreens>,
    Path(id): Path<TicketId>,
    posted: Posted<Fields>,
) -> Result<Response, UiError> {
    let signed = &posted.signed;
    staff_only(signed)?;
    let f = &posted.form;
    let defs = ui.config.custom_fields().await?;
    let done = match (patch_of(f, &defs), f.one("version").parse::<i64>()) {
        (Ok(patch), Ok(version)) => ui
            .tickets
            .update_ticket(signed.actor(), id, patch, Some(version))
            .await
            .map(|_| ()),
        (Err(e), _) => Err(e),
        (_, Err(_)) => Err(CoreError::invalid("version", "the form is out of date")),
    };
    after(&ui, signed, id, done).await
}

/// The other ticket of a link or merge form, `#` allowed.
fn other_ticket(f: &Fields, name: &str) -> Result<TicketId, CoreError> {
    ticket_number(f.one(name).trim())
        .ok_or_else(|| CoreError::invalid(name, "must be a ticket number"))
}

/// Adds (`/links`) or removes (`/links/delete`) a link.
async fn change_link(
    ui: &TicketScreens,
    id: TicketId,
    posted: &Posted<Fields>,
    add: bool,
) -> Result<Response, UiError> {
    let signed = &posted.signed;
    staff_only(signed)?;
    let f = &posted.form;
    let parsed = LinkKind::parse(f.one("kind"))
        .map_err(CoreError::from)
        .and_then(|kind| Ok((kind, other_ticket(f, "other")?)));
    let done = match parsed {
        Ok((kind, other)) if add => ui
            .tickets
            .link_tickets(signed.actor(), id, kind, other)
            .await
            .map(|_| ()),
        Ok((kind, other)) => {
            ui.tickets
                .unlink_tickets(signed.actor(), id, kind, other)
                .await
        }
        Err(e) => Err(e),
    };
    after(ui, signed, id, done).await
}

pub(crate) async fn link(
    State(ui): State<TicketScreens>,
    Path(id): Path<TicketId>,
    posted: Posted<Fields>,
) -> Result<Response, UiError> {
    change_link(&ui, id, &posted, true).await
}

pub(crate) async fn unlink(
    State(ui): State<TicketScreens>,
    Path(id): Path<TicketId>,
    posted: Posted<Fields>,
) -> Result<Response, UiError> {
    change_link(&ui, id, &posted, false).await
}

/// Merges this ticket into another: its conversation moves there and it is closed.
pub(crate) async fn merge(
    State(ui): State<TicketScreens>,
    Path(id): Path<TicketId>,
    posted: Posted<Fields>,
) -> Result<Response, UiError> {
    let signed = &posted.signed;
    staff_only(signed)?;
    let into = other_ticket(&posted.form, "into");
    let done = match into {
        Ok(into) => ui
            .tickets
            .merge_tickets(signed.actor(), id, into)
            .await
            .map(|_| into),
        Err(e) => Err(e),
    };
    match done {
        Ok(into) => Ok(Redirect::to(&format!("/console/tickets/{into}")).into_response()),
        Err(e) => failed(&ui, signed, id, e).await,
    }
}
