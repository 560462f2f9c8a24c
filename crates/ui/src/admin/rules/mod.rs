//! Automation rules: the ordered list (move, enable or disable, delete) and a form for a new
//! or existing rule: its trigger, a time condition for time rules, rows of conditions and of
//! actions, and "stop processing". Rows work without script: "Add a condition" and "Remove"
//! send the form, which comes back with the row added or gone and nothing saved.
//!
//! This module holds the list page and the routes; `editor` the form page and what a post
//! of it does, `draft` the rule as the form holds it, `rows` the condition and action rows.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::rules::ConfiguredRule;
use frontline_domain::rules::{Action, Rule, Trigger};

use super::form::moved;
use super::{Admin, AdminForm, Problems};
use crate::error::UiError;
use crate::session::Signed;
use crate::view::Chrome;

mod draft;
mod editor;
mod rows;

use draft::Draft;
use editor::{form_page, write};
use frontline_domain::RuleId;

crate::screens! {
    /// What the rule screens use.
    RuleScreens {
    config: Config,
    rules: Rules,
    }
}

pub(crate) struct RuleLine {
    pub id: RuleId,
    pub name: String,
    pub trigger: String,
    pub summary: String,
    pub enabled: bool,
    pub stop: bool,
    pub first: bool,
    pub last: bool,
}

#[derive(Template)]
#[template(path = "admin/rules.html")]
struct ListPage {
    chrome: Chrome,
    tab: &'static str,
    rules: Vec<RuleLine>,
}

fn trigger_words(r: &Rule) -> String {
    match (r.trigger, r.time) {
        (Trigger::Created, _) => "On create".into(),
        (Trigger::Updated, _) => "On update".into(),
        (Trigger::Time, Some(t)) => {
            let when = if t.before { "before" } else { "after" };
            format!(
                "{} min {when} {}",
                t.minutes,
                t.since.as_str().replace('_', " ")
            )
        }
        (Trigger::Time, None) => "On time".into(),
    }
}

pub(crate) async fn list(
    State(ui): State<RuleScreens>,
    Admin(signed): Admin,
) -> Result<Response, UiError> {
    let all = ui.rules.list(signed.actor()).await?;
    let n = all.len();
    let rules = all
        .iter()
        .enumerate()
        .map(|(i, r)| RuleLine {
            id: r.id,
            name: r.rule.name.clone(),
            trigger: trigger_words(&r.rule),
            summary: r
                .rule
                .actions
                .iter()
                .map(Action::describe)
                .collect::<Vec<_>>()
                .join("; "),
            enabled: r.rule.enabled,
            stop: r.rule.stop,
            first: i == 0,
            last: i + 1 == n,
        })
        .collect();
    let page = ListPage {
        chrome: signed.chrome("admin"),
        tab: "rules",
        rules,
    };
    Ok(Html(page.render()?).into_response())
}

pub(crate) async fn new(
    State(ui): State<RuleScreens>,
    Admin(signed): Admin,
) -> Result<Response, UiError> {
    let html = form_page(&ui, &signed, None, &Draft::empty(), Problems::default()).await?;
    Ok(Html(html).into_response())
}

async fn find(ui: &RuleScreens, signed: &Signed, id: RuleId) -> Result<ConfiguredRule, UiError> {
    ui.rules
        .list(signed.actor())
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(UiError::NotFound)
}

pub(crate) async fn edit(
    State(ui): State<RuleScreens>,
    Admin(signed): Admin,
    Path(id): Path<RuleId>,
) -> Result<Response, UiError> {
    let r = find(&ui, &signed, id).await?;
    let html = form_page(
        &ui,
        &signed,
        Some(id),
        &Draft::of(&r.rule),
        Problems::default(),
    )
    .await?;
    Ok(Html(html).into_response())
}

pub(crate) async fn create(
    State(ui): State<RuleScreens>,
    form: AdminForm,
) -> Result<Response, UiError> {
    write(&ui, form, None).await
}

pub(crate) async fn save(
    State(ui): State<RuleScreens>,
    Path(id): Path<RuleId>,
    form: AdminForm,
) -> Result<Response, UiError> {
    write(&ui, form, Some(id)).await
}

pub(crate) async fn move_one(
    State(ui): State<RuleScreens>,
    Path(id): Path<RuleId>,
    form: AdminForm,
) -> Result<Response, UiError> {
    let actor = form.signed.actor();
    let ids = ui.rules.list(actor).await?.iter().map(|r| r.id).collect();
    if let Some(order) = moved(ids, id, form.fields.one("direction") == "up") {
        ui.rules.reorder_rules(actor, &order).await?;
    }
    Ok(Redirect::to("/admin/rules").into_response())
}

pub(crate) async fn toggle(
    State(ui): State<RuleScreens>,
    Path(id): Path<RuleId>,
    form: AdminForm,
) -> Result<Response, UiError> {
    let mut r = find(&ui, &form.signed, id).await?;
    r.rule.enabled = form.fields.one("enabled") == "yes";
    ui.rules
        .replace_rule(form.signed.actor(), id, r.rule)
        .await?;
    Ok(Redirect::to("/admin/rules").into_response())
}

pub(crate) async fn delete(
    State(ui): State<RuleScreens>,
    Path(id): Path<RuleId>,
    form: AdminForm,
) -> Result<Response, UiError> {
    ui.rules.delete_rule(form.signed.actor(), id).await?;
    Ok(Redirect::to("/admin/rules").into_response())
}
