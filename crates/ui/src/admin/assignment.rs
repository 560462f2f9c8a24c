//! Automatic assignment on one page: how each group hands out tickets (by hand, round robin,
//! least loaded), each agent's working hours, out-of-office flag and skills, and the skill a
//! category's tickets need. Each row is its own small form; a row that cannot be saved is
//! shown again with what is wrong, and nothing is changed.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use frontline_core::Actor;
use frontline_core::assignment::Mode;
use frontline_domain::{CategoryPath, Email};

use super::form::answer;
use super::{Admin, AdminForm, Problems};
use crate::error::{UiError, encode};
use crate::session::Signed;
use crate::view::{Chrome, Opt};

crate::screens! {
    /// What the assignment screens use.
    AssignmentScreens {
    assignment: Assignment,
    config: Config,
    people: People,
    sla: Sla,
    }
}

pub(crate) struct GroupLine {
    pub name: String,
    pub href: String,
    pub members: usize,
    pub modes: Vec<Opt>,
    pub error: String,
}

pub(crate) struct AgentLine {
    pub n: usize,
    pub email: String,
    pub name: String,
    pub href: String,
    pub calendars: Vec<Opt>,
    pub out_of_office: bool,
    pub skills: String,
    pub error: String,
}

pub(crate) struct CategoryLine {
    pub n: usize,
    pub path: String,
    pub skill: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "admin/assignment.html")]
struct Page {
    chrome: Chrome,
    tab: &'static str,
    /// Where tickets nothing routes go: none, or one of the groups.
    default_group: Vec<Opt>,
    default_error: String,
    groups: Vec<GroupLine>,
    agents: Vec<AgentLine>,
    categories: Vec<CategoryLine>,
    problems: Problems,
}

/// A row sent back with its values and what is wrong with it, keyed `group:…`, `agent:…` or
/// `category:…`.
struct Sent {
    key: String,
    values: Vec<String>,
}

/// The row key of the default group's form.
const DEFAULT_KEY: &str = "default";

const MODES: [(&str, &str); 3] = [
    ("manual", "By hand"),
    ("round_robin", "Round robin"),
    ("least_loaded", "Least loaded"),
];

/// The page, each row showing what was sent back for it (`sent`) over what is stored.
async fn render(
    ui: &AssignmentScreens,
    signed: &Signed,
    sent: Option<Sent>,
    problems: Problems,
) -> Result<String, UiError> {
    let rows = Rows {
        ui,
        actor: signed.actor(),
        sent: sent.as_ref(),
        problems: &problems,
    };
    let groups = rows.groups().await?;
    let agents = rows.agents().await?;
    let categories = rows.categories().await?;
    let default_group = rows.default_group(&groups).await?;
    let page = Page {
        chrome: signed.chrome("admin"),
        tab: "assignment",
        default_group,
        default_error: problems.of(DEFAULT_KEY),
        groups,
        agents,
        categories,
        problems,
    };
    Ok(page.render()?)
}

/// What the page's rows are read with: the services, who asks, and the row sent back (if any)
/// with what is wrong with it.
struct Rows<'a> {
    ui: &'a AssignmentScreens,
    actor: &'a Actor,
    sent: Option<&'a Sent>,
    problems: &'a Problems,
}

impl Rows<'_> {
    /// The `i`th value sent back for the row `key`, when that row was the one sent.
    fn sent(&self, key: &str, i: usize) -> Option<String> {
        self.sent
            .filter(|s| s.key == key)
            .and_then(|s| s.values.get(i).cloned())
    }

    /// The default group's choices: none, or each group; the stored one (or the one sent
    /// back) selected.
    async fn default_group(&self, groups: &[GroupLine]) -> Result<Vec<Opt>, UiError> {
        let stored = self.ui.config.default_group().await?.unwrap_or_default();
        let chosen = self.sent(DEFAULT_KEY, 0).unwrap_or(stored);
        let none = (
            String::new(),
            "None: leave the ticket without a group".to_owned(),
        );
        Ok(Opt::list(
            std::iter::once(none).chain(groups.iter().map(|g| (g.name.clone(), g.name.clone()))),
            &chosen,
        ))
    }

    /// Each group and how it hands out tickets.
    async fn groups(&self) -> Result<Vec<GroupLine>, UiError> {
        let (ui, actor) = (self.ui, self.actor);
        let mut groups = Vec::new();
        for (g, members) in ui.people.groups(actor).await? {
            let key = format!("group:{}", g.name);
            let mode = ui.assignment.group_assignment(actor, &g.name).await?;
            let mode = self
                .sent(&key, 0)
                .unwrap_or_else(|| mode.as_str().to_owned());
            groups.push(GroupLine {
                href: format!("/admin/assignment/groups/{}", encode(&g.name, false)),
                members: members.len(),
                modes: Opt::list(MODES, &mode),
                error: self.problems.of(&key),
                name: g.name,
            });
        }
        Ok(groups)
    }

    /// Each active agent's working hours (a calendar, or always), out-of-office flag and
    /// skills.
    async fn agents(&self) -> Result<Vec<AgentLine>, UiError> {
        let (ui, actor) = (self.ui, self.actor);
        let calendars: Vec<String> = ui
            .sla
            .calendars(actor)
            .await?
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        let agents = ui
            .assignment
            .availabilities(actor)
            .await?
            .into_iter()
            .filter(|a| a.active)
            .enumerate()
            .map(|(n, a)| {
                let key = format!("agent:{}", a.email);
                let calendar = self
                    .sent(&key, 0)
                    .unwrap_or_else(|| a.calendar.unwrap_or_default());
                AgentLine {
                    n,
                    href: format!("/admin/assignment/agents/{}", encode(&a.email, false)),
                    calendars: Opt::list(
                        [(String::new(), "Always".to_owned())]
                            .into_iter()
                            .chain(calendars.iter().map(|c| (c.clone(), c.clone()))),
                        &calendar,
                    ),
                    out_of_office: self.sent(&key, 1).map_or(a.out_of_office, |v| v == "yes"),
                    skills: self.sent(&key, 2).unwrap_or_else(|| a.skills.join(", ")),
                    error: self.problems.of(&key),
                    email: a.email,
                    name: a.name,
                }
            })
            .collect();
        Ok(agents)
    }

    /// Each category and the skill its tickets need.
    async fn categories(&self) -> Result<Vec<CategoryLine>, UiError> {
        let skills = self.ui.assignment.category_skills(self.actor).await?;
        let categories = self
            .ui
            .config
            .categories()
            .await?
            .into_iter()
            .enumerate()
            .map(|(n, c)| {
                let key = format!("category:{}", c.path);
                let skill = self.sent(&key, 0).unwrap_or_else(|| {
                    skills
                        .iter()
                        .find(|(p, _)| *p == c.path)
                        .map(|(_, s)| s.clone())
                        .unwrap_or_default()
                });
                CategoryLine {
                    n,
                    skill,
                    error: self.problems.of(&key),
                    path: c.path,
                }
            })
            .collect();
        Ok(categories)
    }
}

pub(crate) async fn page(
    State(ui): State<AssignmentScreens>,
    Admin(signed): Admin,
) -> Result<Response, UiError> {
    Ok(Html(render(&ui, &signed, None, Problems::default()).await?).into_response())
}

/// Back to the page after a row saved, or the page again with the row's problem.
async fn after(
    ui: &AssignmentScreens,
    form: &AdminForm,
    sent: Sent,
    done: Result<(), frontline_core::CoreError>,
) -> Result<Response, UiError> {
    let outcome = match done {
        Ok(()) => Ok(()),
        Err(e) => {
            let mut p = Problems::default();
            for (_, m) in Problems::from_core(e)?.into_messages() {
                p.add(sent.key.clone(), m);
            }
            Err(p)
        }
    };
    answer(outcome, "/admin/assignment", async |p| {
        render(ui, &form.signed, Some(sent), p).await
    })
    .await
}

pub(crate) async fn group_mode(
    State(ui): State<AssignmentScreens>,
    Path(name): Path<String>,
    form: AdminForm,
) -> Result<Response, UiError> {
    let mode = form.fields.one("mode").to_owned();
    let done = match Mode::parse(&mode) {
        Ok(m) => {
            ui.assignment
                .set_group_assignment(form.signed.actor(), &name, m)
                .await
        }
        Err(e) => Err(e.into()),
    };
    let sent = Sent {
        key: format!("group:{name}"),
        values: vec![mode],
    };
    after(&ui, &form, sent, done).await
}

pub(crate) async fn default_group(
    State(ui): State<AssignmentScreens>,
    form: AdminForm,
) -> Result<Response, UiError> {
    let group = form.fields.one("group").trim().to_owned();
    let done = ui
        .config
        .set_default_group(
            form.signed.actor(),
            Some(group.as_str()).filter(|g| !g.is_empty()),
        )
        .await
        .map(|_| ());
    let sent = Sent {
        key: DEFAULT_KEY.to_owned(),
        values: vec![group],
    };
    after(&ui, &form, sent, done).await
}

pub(crate) async fn agent(
    State(ui): State<AssignmentScreens>,
    Path(email): Path<String>,
    form: AdminForm,
) -> Result<Response, UiError> {
    let f = &form.fields;
    let calendar = f.one("calendar").to_owned();
    let out_of_office = f.has("out_of_office", "yes");
    let skills_text = f.one("skills").to_owned();
    let skills: Vec<String> = skills_text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let done = match Email::parse("agent", &email) {
        Ok(e) => {
            ui.assignment
                .set_availability(
                    form.signed.actor(),
                    &e,
                    Some(calendar.as_str()).filter(|c| !c.is_empty()),
                    out_of_office,
                    &skills,
                )
                .await
        }
        Err(e) => Err(e.into()),
    };
    let sent = Sent {
        key: format!("agent:{email}"),
        values: vec![
            calendar,
            if out_of_office { "yes" } else { "no" }.to_owned(),
            skills_text,
        ],
    };
    after(&ui, &form, sent, done).await
}

pub(crate) async fn category(
    State(ui): State<AssignmentScreens>,
    form: AdminForm,
) -> Result<Response, UiError> {
    let path = form.fields.one("category").to_owned();
    let skill = form.fields.one("skill").trim().to_owned();
    let done = match CategoryPath::parse("category", &path) {
        Ok(p) => {
            ui.assignment
                .set_category_skill(
                    form.signed.actor(),
                    &p,
                    Some(skill.as_str()).filter(|s| !s.is_empty()),
                )
                .await
        }
        Err(e) => Err(e.into()),
    };
    let sent = Sent {
        key: format!("category:{path}"),
        values: vec![skill],
    };
    after(&ui, &form, sent, done).await
}
