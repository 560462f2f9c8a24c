//! Keeping canned responses: every agent sees the desk's and their own, adds their own, and
//! changes or deletes their own; admins also keep the desk's. The ticket page inserts them
//! (`ticket`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::CoreError;
use frontline_core::canned::PLACEHOLDERS;
use serde::Deserialize;

use crate::error::{UiError, describe_invalid};
use crate::session::{CsrfForm, Posted, Signed, Staff};
use crate::view::Chrome;
use frontline_domain::CannedId;

crate::screens! {
    /// What the canned-response screens use.
    CannedScreens {
    canned: Canned,
    }
}

pub(crate) struct Item {
    pub id: CannedId,
    pub name: String,
    pub body: String,
    /// "The desk's" or "Yours".
    pub scope: &'static str,
    pub editable: bool,
}

#[derive(Template)]
#[template(path = "console/canned.html")]
struct CannedPage {
    chrome: Chrome,
    items: Vec<Item>,
    /// `{{key}}` and what it stands for.
    placeholders: Vec<(String, &'static str)>,
    admin: bool,
    error: String,
    name: String,
    body: String,
}

async fn render(
    ui: &CannedScreens,
    signed: &Signed,
    status: StatusCode,
    error: String,
    name: String,
    body: String,
) -> Result<Response, UiError> {
    let actor = signed.actor();
    let admin = actor.role.can_administer();
    let items = ui
        .canned
        .canned_responses(actor)
        .await?
        .into_iter()
        .map(|c| Item {
            id: c.id,
            editable: c.owner_id.is_some() || admin,
            scope: if c.owner_id.is_some() {
                "Yours"
            } else {
                "The desk's"
            },
            name: c.name,
            body: c.body,
        })
        .collect();
    let page = CannedPage {
        chrome: signed.chrome("console"),
        items,
        placeholders: PLACEHOLDERS
            .iter()
            .map(|(k, what)| (format!("{{{{{k}}}}}"), *what))
            .collect(),
        admin,
        error,
        name,
        body,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub(crate) async fn page(
    State(ui): State<CannedScreens>,
    Staff(signed): Staff,
) -> Result<Response, UiError> {
    render(
        &ui,
        &signed,
        StatusCode::OK,
        String::new(),
        String::new(),
        String::new(),
    )
    .await
}

#[derive(Deserialize)]
pub(crate) struct CannedForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    body: String,
    /// `desk` (admins) or `mine`.
    #[serde(default)]
    scope: String,
}

impl CsrfForm for CannedForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Input a person can fix comes back on the page with what they typed; anything else is an
/// error page.
async fn refused(
    ui: &CannedScreens,
    posted: &Posted<CannedForm>,
    e: CoreError,
) -> Result<Response, UiError> {
    let message = match e {
        CoreError::Invalid(errors) => describe_invalid(&errors),
        CoreError::Conflict(m) => m,
        other => return Err(other.into()),
    };
    let f = &posted.form;
    render(
        ui,
        &posted.signed,
        StatusCode::UNPROCESSABLE_ENTITY,
        message,
        f.name.clone(),
        f.body.clone(),
    )
    .await
}

pub(crate) async fn add(
    State(ui): State<CannedScreens>,
    posted: Posted<CannedForm>,
) -> Result<Response, UiError> {
    let f = &posted.form;
    let added = ui
        .canned
        .add_canned(posted.signed.actor(), f.scope == "desk", &f.name, &f.body)
        .await;
    match added {
        Ok(_) => Ok(Redirect::to("/console/canned").into_response()),
        Err(e) => refused(&ui, &posted, e).await,
    }
}

pub(crate) async fn change(
    State(ui): State<CannedScreens>,
    Path(id): Path<CannedId>,
    posted: Posted<CannedForm>,
) -> Result<Response, UiError> {
    let f = &posted.form;
    let changed = ui
        .canned
        .change_canned(posted.signed.actor(), id, &f.name, &f.body)
        .await;
    match changed {
        Ok(_) => Ok(Redirect::to("/console/canned").into_response()),
        Err(e) => refused(&ui, &posted, e).await,
    }
}

pub(crate) async fn delete(
    State(ui): State<CannedScreens>,
    Path(id): Path<CannedId>,
    posted: Posted<crate::login::CsrfOnly>,
) -> Result<Redirect, UiError> {
    ui.canned.delete_canned(posted.signed.actor(), id).await?;
    Ok(Redirect::to("/console/canned"))
}
