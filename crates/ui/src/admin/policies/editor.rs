//! The policy form's page: the conditions as groups of checkboxes (from the desk's
//! categories, organizations and channels), the targets with their units, the calendar, the
//! pause statuses and the escalation; and what a post of it does.

use askama::Template;
use axum::response::Response;
use frontline_domain::Channel;
use frontline_domain::{Priority, SlaPolicyId, Status, TicketType};

use super::PolicyScreens;
use super::draft::{Draft, TARGETS};
use crate::admin::form::answer;
use crate::admin::{AdminForm, CheckGroup, Problems, words};
use crate::error::UiError;
use crate::session::Signed;
use crate::view::channel_words;
use crate::view::{Chrome, Opt};

/// One target's amount and unit as the form shows them.
pub(crate) struct TargetField {
    pub key: &'static str,
    pub label: &'static str,
    pub amount: String,
    pub units: Vec<Opt>,
    pub error: String,
}

#[derive(Template)]
#[template(path = "admin/policy.html")]
struct FormPage {
    chrome: Chrome,
    tab: &'static str,
    title: String,
    action: String,
    name: String,
    calendars: Vec<Opt>,
    conditions: Vec<CheckGroup>,
    targets: Vec<TargetField>,
    pause: CheckGroup,
    warn: String,
    notify: CheckGroup,
    groups: Vec<Opt>,
    raise: bool,
    problems: Problems,
}

/// The form for the policy `existing` (or a new one) as `d` holds it.
pub(super) async fn form_page(
    ui: &PolicyScreens,
    signed: &Signed,
    existing: Option<SlaPolicyId>,
    d: &Draft,
    problems: Problems,
) -> Result<String, UiError> {
    let actor = signed.actor();
    let calendars = ui.sla.calendars(actor).await?;
    let groups = ui.people.groups(actor).await?;
    let (title, action) = match existing {
        Some(id) => (
            format!("SLA policy {}", d.name),
            format!("/admin/policies/{id}"),
        ),
        None => ("New SLA policy".to_owned(), "/admin/policies".to_owned()),
    };
    let page = FormPage {
        chrome: signed.chrome("admin"),
        tab: "policies",
        title,
        action,
        name: d.name.clone(),
        calendars: Opt::list(
            [(String::new(), "Choose a calendar".to_owned())]
                .into_iter()
                .chain(calendars.into_iter().map(|(n, _)| (n.clone(), n))),
            &d.calendar,
        ),
        conditions: condition_groups(ui, signed, d).await?,
        targets: target_fields(d, &problems),
        pause: CheckGroup::new(
            "pause_when",
            "The clocks stop while a ticket is",
            "",
            [
                Status::Pending,
                Status::OnHold,
                Status::Resolved,
                Status::Closed,
            ]
            .map(|s| (s.as_str(), words(s.as_str()))),
            &d.pause,
        ),
        warn: d.warn.clone(),
        notify: CheckGroup::new(
            "notify",
            "Notify",
            "",
            [
                ("assignee", "The assignee"),
                ("group", "The ticket's group"),
                ("manager", "The desk's managers"),
            ],
            &d.notify,
        ),
        groups: Opt::list(
            [(String::new(), "Stay in its group".to_owned())]
                .into_iter()
                .chain(groups.into_iter().map(|(g, _)| (g.name.clone(), g.name))),
            &d.move_to,
        ),
        raise: d.raise,
        problems,
    };
    Ok(page.render()?)
}

/// What the policy's conditions can choose from, with what the draft chose ticked.
async fn condition_groups(
    ui: &PolicyScreens,
    signed: &Signed,
    d: &Draft,
) -> Result<Vec<CheckGroup>, UiError> {
    let categories = ui.config.categories().await?;
    let organizations = ui.people.organizations(signed.actor()).await?;
    Ok(vec![
        CheckGroup::new(
            "priorities",
            "Priorities",
            "",
            [Priority::P1, Priority::P2, Priority::P3, Priority::P4]
                .map(|p| (p.as_str(), p.as_str())),
            &d.priorities,
        ),
        CheckGroup::new(
            "types",
            "Types",
            "",
            TicketType::ALL.map(|t| (t.as_str(), words(t.as_str()))),
            &d.types,
        ),
        CheckGroup::new(
            "categories",
            "Categories",
            "A ticket filed below a chosen category matches too.",
            categories.into_iter().map(|c| (c.path.clone(), c.path)),
            &d.categories,
        ),
        CheckGroup::new(
            "organizations",
            "Organizations",
            "",
            organizations.into_iter().map(|o| (o.name.clone(), o.name)),
            &d.organizations,
        ),
        CheckGroup::new(
            "channels",
            "Channels",
            "",
            Channel::ALL
                .map(|c| c.as_str())
                .map(|c| (c, channel_words(c))),
            &d.channels,
        ),
    ])
}

fn target_fields(d: &Draft, problems: &Problems) -> Vec<TargetField> {
    let units = |unit: &str| {
        Opt::list(
            [("minutes", "business minutes"), ("hours", "business hours")],
            unit,
        )
    };
    TARGETS
        .iter()
        .zip(&d.targets)
        .map(|((key, label), (amount, unit))| TargetField {
            key,
            label,
            amount: amount.clone(),
            units: units(unit),
            error: problems.of(key),
        })
        .collect()
}

/// Saves the policy the form describes, or shows the form again with what is wrong.
pub(super) async fn write(
    ui: &PolicyScreens,
    form: AdminForm,
    existing: Option<SlaPolicyId>,
) -> Result<Response, UiError> {
    let draft = Draft::from_form(&form.fields);
    let actor = form.signed.actor();
    let outcome = match draft.policy() {
        Err(p) => Err(p),
        Ok(policy) => {
            let done = match existing {
                Some(id) => {
                    ui.sla
                        .replace_sla_policy(actor, id, &policy, &draft.calendar)
                        .await
                }
                None => ui.sla.add_sla_policy(actor, &policy, &draft.calendar).await,
            };
            match done {
                Ok(_) => Ok(()),
                Err(e) => Err(Problems::from_core_named(e)?),
            }
        }
    };
    answer(outcome, "/admin/policies", async |p| {
        form_page(ui, &form.signed, existing, &draft, p).await
    })
    .await
}
