//! Changing several tickets of a queue at once: assign them, or move them to a status. Each
//! ticket changes on its own (with its own audit events); the ones that cannot are named.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use frontline_core::tickets::TicketPatch;
use frontline_domain::{Email, Status, TicketId};
use serde::Deserialize;

use crate::error::UiError;
use crate::session::{CsrfForm, Posted};

crate::screens! {
    /// What a bulk change uses.
    BulkScreens {
    tickets: Tickets,
    }
}

/// The form's fields as sent: `ids` repeats, one per selected ticket.
#[derive(Deserialize)]
#[serde(transparent)]
pub(crate) struct BulkForm(Vec<(String, String)>);

impl BulkForm {
    fn one(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

impl CsrfForm for BulkForm {
    fn csrf(&self) -> &str {
        self.one("csrf")
    }
}

/// Most tickets changed by one submission (a queue page shows 50).
const MOST: usize = 100;

fn patch_of(f: &BulkForm, me: &str) -> Result<TicketPatch, UiError> {
    let bad = |e: frontline_domain::DomainError| UiError::BadRequest(e.message);
    let assignee = match f.one("assignee") {
        "" => None,
        "me" => Some(Some(Email::parse("assignee", me).map_err(bad)?)),
        "nobody" => Some(None),
        other => Some(Some(Email::parse("assignee", other).map_err(bad)?)),
    };
    let status = match f.one("status") {
        "" => None,
        s => Some(Status::parse("status", s).map_err(bad)?),
    };
    if assignee.is_none() && status.is_none() {
        return Err(UiError::BadRequest(
            "Choose an assignee or a status to apply to the selected tickets.".into(),
        ));
    }
    Ok(TicketPatch {
        assignee,
        status,
        ..TicketPatch::default()
    })
}

pub(crate) async fn apply(
    State(ui): State<BulkScreens>,
    posted: Posted<BulkForm>,
) -> Result<Response, UiError> {
    let (signed, f) = (&posted.signed, &posted.form);
    let actor = signed.actor();
    if !actor.is_staff() {
        return Err(UiError::Forbidden(
            "Only the desk's team changes tickets here.".into(),
        ));
    }
    let ids: Vec<TicketId> =
        f.0.iter()
            .filter(|(k, _)| k == "ids")
            .map(|(_, v)| {
                v.parse()
                    .map_err(|_| UiError::BadRequest(format!("{v} is not a ticket number")))
            })
            .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Err(UiError::BadRequest(
            "Select one or more tickets first.".into(),
        ));
    }
    if ids.len() > MOST {
        return Err(UiError::BadRequest(format!(
            "Change at most {MOST} tickets at once."
        )));
    }
    let patch = patch_of(f, actor.email.as_str())?;
    let mut failed = Vec::new();
    for id in &ids {
        if let Err(e) = ui
            .tickets
            .update_ticket(actor, *id, patch.clone(), None)
            .await
        {
            let why = match UiError::from(e) {
                UiError::BadRequest(m) | UiError::Forbidden(m) => m,
                UiError::NotFound => "not found".to_owned(),
                other => return Err(other),
            };
            failed.push(format!("#{id}: {why}"));
        }
    }
    if !failed.is_empty() {
        return Err(UiError::BadRequest(format!(
            "{} of {} tickets changed. Not changed: {}.",
            ids.len() - failed.len(),
            ids.len(),
            failed.join("; ")
        )));
    }
    let back = f.one("back");
    let back = if back.starts_with("/console") && !back.starts_with("//") {
        back
    } else {
        "/console"
    };
    Ok(Redirect::to(back).into_response())
}
