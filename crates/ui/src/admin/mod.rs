//! The admin pages (`/admin`): business-hours calendars, SLA policies, automation rules,
//! automatic assignment, mailboxes and the quarantine of held mail, for the desk's
//! administrators only.
//!
//! Each page calls the same `frontline_core` operations as the REST API. Forms are read as
//! their fields in order (`Fields`), because rows of a rule repeat the same names; a form that
//! does not make sense is shown again as it was sent, with what is wrong next to the field
//! and in a summary at the top, and nothing is changed.

pub(crate) mod assignment;
pub(crate) mod calendars;
mod form;
pub(crate) mod mailboxes;
pub(crate) mod policies;
pub(crate) mod quarantine;
pub(crate) mod rules;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use crate::Ui;
use crate::error::UiError;
pub(crate) use crate::forms::Fields;
use crate::session::{Posted, Signed};
use crate::view::Chrome;
pub(crate) use crate::view::words;
pub(crate) use form::{CheckGroup, Problems};

/// The admin pages' routes, merged into the UI's router.
pub(crate) fn router() -> Router<Ui> {
    Router::new()
        .route("/admin", get(index))
        .route(
            "/admin/calendars",
            get(calendars::list).post(calendars::create),
        )
        .route("/admin/calendars/new", get(calendars::new))
        .route(
            "/admin/calendars/{name}",
            get(calendars::edit).post(calendars::save),
        )
        .route("/admin/calendars/{name}/delete", post(calendars::delete))
        .route(
            "/admin/policies",
            get(policies::list).post(policies::create),
        )
        .route("/admin/policies/new", get(policies::new))
        .route(
            "/admin/policies/{id}",
            get(policies::edit).post(policies::save),
        )
        .route("/admin/policies/{id}/move", post(policies::move_one))
        .route("/admin/rules", get(rules::list).post(rules::create))
        .route("/admin/rules/new", get(rules::new))
        .route("/admin/rules/{id}", get(rules::edit).post(rules::save))
        .route("/admin/rules/{id}/move", post(rules::move_one))
        .route("/admin/rules/{id}/enabled", post(rules::toggle))
        .route("/admin/rules/{id}/delete", post(rules::delete))
        .route("/admin/assignment", get(assignment::page))
        .route(
            "/admin/assignment/groups/{name}",
            post(assignment::group_mode),
        )
        .route("/admin/assignment/agents/{email}", post(assignment::agent))
        .route(
            "/admin/assignment/default-group",
            post(assignment::default_group),
        )
        .route("/admin/assignment/categories", post(assignment::category))
        .route(
            "/admin/mailboxes",
            get(mailboxes::list).post(mailboxes::create),
        )
        .route(
            "/admin/mailboxes/{id}",
            get(mailboxes::edit).post(mailboxes::save),
        )
        .route("/admin/mailboxes/{id}/enabled", post(mailboxes::toggle))
        .route("/admin/quarantine", get(quarantine::list))
        .route("/admin/quarantine/{id}", get(quarantine::show))
        .route("/admin/quarantine/{id}/release", post(quarantine::release))
        .route("/admin/quarantine/{id}/discard", post(quarantine::discard))
}

/// An administrator: the only people who see these pages.
pub(crate) struct Admin(pub Signed);

fn refuse() -> UiError {
    UiError::Forbidden("These pages are for the desk's administrators.".into())
}

impl FromRequestParts<Ui> for Admin {
    type Rejection = UiError;

    async fn from_request_parts(parts: &mut Parts, ui: &Ui) -> Result<Self, Self::Rejection> {
        let signed = Signed::from_request_parts(parts, ui).await?;
        if signed.actor().role.can_administer() {
            Ok(Admin(signed))
        } else {
            Err(refuse())
        }
    }
}

/// A form posted by an administrator, its CSRF token checked.
pub(crate) struct AdminForm {
    pub signed: Signed,
    pub fields: Fields,
}

impl FromRequest<Ui> for AdminForm {
    type Rejection = UiError;

    async fn from_request(req: Request, ui: &Ui) -> Result<Self, Self::Rejection> {
        let Posted { signed, form } = Posted::<Fields>::from_request(req, ui).await?;
        if !signed.actor().role.can_administer() {
            return Err(refuse());
        }
        Ok(AdminForm {
            signed,
            fields: form,
        })
    }
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct IndexPage {
    chrome: Chrome,
    tab: &'static str,
}

pub(crate) async fn index(Admin(signed): Admin) -> Result<Response, UiError> {
    let page = IndexPage {
        chrome: signed.chrome("admin"),
        tab: "",
    };
    Ok(Html(page.render()?).into_response())
}
