//! The rule form's page: its choices and rows rendered with what is wrong next to them, and
//! what a post of it does: add or remove a row and show the form again, or save the rule.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_domain::rules::Since;
use frontline_domain::{CustomFieldDef, RuleId};

use super::RuleScreens;
use super::draft::Draft;
use super::rows::{ACTIONS, FIELDS, MOST_ROWS, OPS, Row};
use crate::admin::{AdminForm, Problems, words};
use crate::error::UiError;
use crate::session::Signed;
use crate::view::{Chrome, Opt};

pub(crate) struct RowView {
    pub n: usize,
    pub first: Vec<Opt>,
    pub second: Vec<Opt>,
    pub value: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "admin/rule.html")]
struct FormPage {
    chrome: Chrome,
    tab: &'static str,
    title: String,
    action: String,
    name: String,
    triggers: Vec<Opt>,
    since: Vec<Opt>,
    amount: String,
    units: Vec<Opt>,
    conditions: Vec<RowView>,
    actions: Vec<RowView>,
    stop: bool,
    enabled: bool,
    problems: Problems,
}

/// The form for the rule `existing` (or a new one) as `d` holds it.
pub(super) async fn form_page(
    ui: &RuleScreens,
    signed: &Signed,
    existing: Option<RuleId>,
    d: &Draft,
    problems: Problems,
) -> Result<String, UiError> {
    let custom = ui.config.custom_fields().await?;
    let conditions = condition_views(&d.conditions, &field_choices(&custom), &problems);
    let actions = action_views(&d.actions, &problems);
    let (title, action) = match existing {
        Some(id) => (format!("Rule {}", d.name), format!("/admin/rules/{id}")),
        None => ("New rule".to_owned(), "/admin/rules".to_owned()),
    };
    let page = FormPage {
        chrome: signed.chrome("admin"),
        tab: "rules",
        title,
        action,
        name: d.name.clone(),
        triggers: Opt::list(
            [
                ("created", "A ticket is created"),
                ("updated", "A ticket is updated"),
                ("time", "A ticket has waited (time rule)"),
            ],
            &d.trigger,
        ),
        since: Opt::list(
            Since::ALL
                .map(|s| (s.as_str(), s.words()))
                .into_iter()
                .chain([("before_sla_due_at", "… before its SLA due time")]),
            &d.since,
        ),
        amount: d.amount.clone(),
        units: Opt::list(
            [("minutes", "minutes"), ("hours", "hours"), ("days", "days")],
            &d.unit,
        ),
        conditions,
        actions,
        stop: d.stop,
        enabled: d.enabled,
        problems,
    };
    Ok(page.render()?)
}

/// The fields a condition can look at, the desk's custom fields last.
fn field_choices(custom: &[CustomFieldDef]) -> Vec<(String, String)> {
    [(String::new(), "Choose a field".to_owned())]
        .into_iter()
        .chain(FIELDS.iter().map(|f| ((*f).to_owned(), words(f))))
        .chain(custom.iter().map(|c| {
            let key = format!("custom.{}", c.key);
            (key, format!("Custom: {}", c.key))
        }))
        .collect()
}

fn condition_views(rows: &[Row], fields: &[(String, String)], problems: &Problems) -> Vec<RowView> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| RowView {
            n: i,
            first: Opt::list(fields.iter().cloned(), &r.a),
            second: Opt::list(OPS, &r.b),
            value: r.value.clone(),
            error: problems.of(&format!("conditions[{i}]")),
        })
        .collect()
}

fn action_views(rows: &[Row], problems: &Problems) -> Vec<RowView> {
    let kinds: Vec<(&str, &str)> = [("", "Choose an action")]
        .into_iter()
        .chain(ACTIONS)
        .collect();
    rows.iter()
        .enumerate()
        .map(|(i, r)| RowView {
            n: i,
            first: Opt::list(kinds.iter().copied(), &r.a),
            second: Vec::new(),
            value: r.value.clone(),
            error: problems.of(&format!("actions[{i}]")),
        })
        .collect()
}

/// Adds or removes a row and shows the form again, or saves the rule.
pub(super) async fn write(
    ui: &RuleScreens,
    form: AdminForm,
    existing: Option<RuleId>,
) -> Result<Response, UiError> {
    let mut draft = Draft::from_form(&form.fields);
    let signed = &form.signed;
    if edit_rows(&mut draft, form.fields.one("op")) {
        let html = form_page(ui, signed, existing, &draft, Problems::default()).await?;
        return Ok(Html(html).into_response());
    }
    let mut draft = draft.without_blank_rows();
    let problems = match save(ui, signed, existing, &draft).await? {
        None => return Ok(Redirect::to("/admin/rules").into_response()),
        Some(p) => p,
    };
    // A rule without actions comes back with an empty row to fill in.
    if draft.actions.is_empty() {
        draft.actions.push(Row::default());
    }
    let html = form_page(ui, signed, existing, &draft, problems).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

/// Carries out a row button (`op`: add a condition or action, drop row n); false when the
/// post is a save instead.
fn edit_rows(draft: &mut Draft, op: &str) -> bool {
    let drop_at = |prefix: &str| {
        op.strip_prefix(prefix)
            .and_then(|n| n.parse::<usize>().ok())
    };
    let (rows, added) = match op {
        "add_condition" => (&mut draft.conditions, Row::condition()),
        "add_action" => (&mut draft.actions, Row::default()),
        _ => {
            if let Some(n) = drop_at("drop_condition:") {
                if n < draft.conditions.len() {
                    draft.conditions.remove(n);
                }
                return true;
            }
            if let Some(n) = drop_at("drop_action:") {
                if n < draft.actions.len() {
                    draft.actions.remove(n);
                }
                return true;
            }
            return false;
        }
    };
    if rows.len() < MOST_ROWS {
        rows.push(added);
    }
    true
}

/// Saves the rule the draft describes; the problems when it makes no sense (nothing is
/// saved then).
async fn save(
    ui: &RuleScreens,
    signed: &Signed,
    existing: Option<RuleId>,
    draft: &Draft,
) -> Result<Option<Problems>, UiError> {
    let rule = match draft.rule() {
        Ok(rule) => rule,
        Err(p) => return Ok(Some(p)),
    };
    let actor = signed.actor();
    let done = match existing {
        Some(id) => ui.rules.replace_rule(actor, id, rule).await.map(drop),
        None => ui.rules.add_rule(actor, rule).await.map(drop),
    };
    match done.map_err(Problems::from_core) {
        Ok(()) => Ok(None),
        Err(Ok(p)) => Ok(Some(p)),
        Err(Err(e)) => Err(e),
    }
}
