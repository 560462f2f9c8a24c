//! SLA policies: the ordered list (the first whose conditions match a ticket applies) with
//! moving up and down, and a form for a new or existing policy: conditions, targets in
//! business minutes or hours, the calendar, when the clocks pause, the warning share and what
//! a breach sets off.
//!
//! This module holds the list page and the routes; `editor` the form page and what a post
//! of it does, `draft` the policy as the form holds it.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::Sla;
use frontline_core::sla::ConfiguredPolicy;

use super::form::moved;
use super::{Admin, AdminForm, Problems, words};
use crate::error::UiError;
use crate::session::Signed;
use crate::view::Chrome;

mod draft;
mod editor;

use draft::Draft;
use editor::{form_page, write};
use frontline_domain::SlaPolicyId;

crate::screens! {
    /// What the SLA policy screens use.
    PolicyScreens {
    config: Config,
    people: People,
    sla: Sla,
    }
}

pub(crate) struct PolicyLine {
    pub id: SlaPolicyId,
    pub name: String,
    pub applies: String,
    pub targets: String,
    pub calendar: String,
    pub first: bool,
    pub last: bool,
}

#[derive(Template)]
#[template(path = "admin/policies.html")]
struct ListPage {
    chrome: Chrome,
    tab: &'static str,
    policies: Vec<PolicyLine>,
    error: String,
}

fn strings<T>(items: &[T], f: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|i| f(i).to_owned()).collect()
}

fn summary(p: &ConfiguredPolicy) -> (String, String) {
    let c = &p.policy.conditions;
    let mut applies = Vec::new();
    let list = |v: Vec<String>| v.join(", ");
    if !c.priorities.is_empty() {
        applies.push(list(strings(&c.priorities, |p| p.as_str())));
    }
    if !c.types.is_empty() {
        applies.push(list(c.types.iter().map(|t| words(t.as_str())).collect()));
    }
    for (label, v) in [
        ("categories", &c.categories),
        ("organizations", &c.organizations),
        ("channels", &c.channels),
    ] {
        if !v.is_empty() {
            applies.push(format!("{label} {}", v.join(", ")));
        }
    }
    let applies = if applies.is_empty() {
        "Every ticket".to_owned()
    } else {
        applies.join("; ")
    };
    let t = p.policy.targets;
    let time = |m: u32| {
        if m.is_multiple_of(60) {
            format!("{} h", m / 60)
        } else {
            format!("{m} min")
        }
    };
    let targets = [
        ("first response", t.first_response),
        ("next response", t.next_response),
        ("resolution", t.resolution),
    ]
    .iter()
    .filter_map(|(l, m)| m.map(|m| format!("{l} {}", time(m))))
    .collect::<Vec<_>>()
    .join(", ");
    (applies, targets)
}

async fn list_page(ui: &PolicyScreens, signed: &Signed, error: String) -> Result<String, UiError> {
    let all = ui.sla.sla_policies(signed.actor()).await?;
    let n = all.len();
    let policies = all
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (applies, targets) = summary(p);
            PolicyLine {
                id: p.id,
                name: p.policy.name.clone(),
                applies,
                targets,
                calendar: p.calendar.clone(),
                first: i == 0,
                last: i + 1 == n,
            }
        })
        .collect();
    let page = ListPage {
        chrome: signed.chrome("admin"),
        tab: "policies",
        policies,
        error,
    };
    Ok(page.render()?)
}

pub(crate) async fn list(
    State(ui): State<PolicyScreens>,
    Admin(signed): Admin,
) -> Result<Response, UiError> {
    Ok(Html(list_page(&ui, &signed, String::new()).await?).into_response())
}

pub(crate) async fn new(
    State(ui): State<PolicyScreens>,
    Admin(signed): Admin,
) -> Result<Response, UiError> {
    let html = form_page(&ui, &signed, None, &Draft::empty(), Problems::default()).await?;
    Ok(Html(html).into_response())
}

async fn find(
    ui: &PolicyScreens,
    signed: &Signed,
    id: SlaPolicyId,
) -> Result<ConfiguredPolicy, UiError> {
    ui.sla
        .sla_policies(signed.actor())
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(UiError::NotFound)
}

pub(crate) async fn edit(
    State(ui): State<PolicyScreens>,
    Admin(signed): Admin,
    Path(id): Path<SlaPolicyId>,
) -> Result<Response, UiError> {
    let p = find(&ui, &signed, id).await?;
    let html = form_page(&ui, &signed, Some(id), &Draft::of(&p), Problems::default()).await?;
    Ok(Html(html).into_response())
}

pub(crate) async fn create(
    State(ui): State<PolicyScreens>,
    form: AdminForm,
) -> Result<Response, UiError> {
    write(&ui, form, None).await
}

pub(crate) async fn save(
    State(ui): State<PolicyScreens>,
    Path(id): Path<SlaPolicyId>,
    form: AdminForm,
) -> Result<Response, UiError> {
    write(&ui, form, Some(id)).await
}

pub(crate) async fn move_one(
    State(sla): State<Sla>,
    Path(id): Path<SlaPolicyId>,
    form: AdminForm,
) -> Result<Response, UiError> {
    let actor = form.signed.actor();
    let ids = sla
        .sla_policies(actor)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    if let Some(order) = moved(ids, id, form.fields.one("direction") == "up") {
        sla.reorder_sla_policies(actor, &order).await?;
    }
    Ok(Redirect::to("/admin/policies").into_response())
}
