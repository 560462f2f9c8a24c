//! What automatic assignment knows about people and categories, read back for the console's
//! admin pages: each agent's working hours, out-of-office flag and skills, and the skill each
//! category needs. Setting them is in `assignment`.

use std::collections::HashMap;

use frontline_domain::{CalendarId, CategoryId, Role, UserId};

use crate::{Actor, Assignment, Result};

/// Agents listed at most (the page shows them all at once).
const MOST_AGENTS: i64 = 1000;

/// An agent (or manager, or admin) as automatic assignment sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentAvailability {
    pub email: String,
    pub name: String,
    pub active: bool,
    /// The calendar of their working hours; none means always.
    pub calendar: Option<String>,
    pub out_of_office: bool,
    pub skills: Vec<String>,
}

impl Assignment {
    /// The desk's team by email, each with their availability and skills; managers and admins.
    pub async fn availabilities(&self, actor: &Actor) -> Result<Vec<AgentAvailability>> {
        actor.require_configure()?;
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let calendars: HashMap<CalendarId, String> = c
            .calendars()
            .await?
            .into_iter()
            .map(|k| (k.id, k.name))
            .collect();
        let rows: HashMap<UserId, _> = c
            .availabilities()
            .await?
            .into_iter()
            .map(|a| (a.user_id, a))
            .collect();
        let mut skills: HashMap<UserId, Vec<String>> = HashMap::new();
        for (user, skill) in c.all_agent_skills().await? {
            skills.entry(user).or_default().push(skill);
        }
        let mut out = Vec::new();
        for role in [Role::Agent, Role::Manager, Role::Admin] {
            for u in c.list_users(Some(role), "", MOST_AGENTS).await? {
                let a = rows.get(&u.id);
                out.push(AgentAvailability {
                    calendar: a
                        .and_then(|a| a.calendar_id)
                        .and_then(|id| calendars.get(&id).cloned()),
                    out_of_office: a.is_some_and(|a| a.out_of_office),
                    skills: skills.remove(&u.id).unwrap_or_default(),
                    email: u.email.to_string(),
                    name: u.name,
                    active: u.active,
                });
            }
        }
        out.sort_by(|a, b| a.email.cmp(&b.email));
        Ok(out)
    }

    /// The skill each category needs, as `(category path, skill)` by path; managers and admins.
    pub async fn category_skills(&self, actor: &Actor) -> Result<Vec<(String, String)>> {
        actor.require_configure()?;
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let paths: HashMap<CategoryId, String> = c
            .categories()
            .await?
            .into_iter()
            .map(|k| (k.id, k.path))
            .collect();
        let mut out: Vec<(String, String)> = c
            .category_skills()
            .await?
            .into_iter()
            .filter_map(|(id, skill)| paths.get(&id).map(|p| (p.clone(), skill)))
            .collect();
        out.sort();
        Ok(out)
    }
}
