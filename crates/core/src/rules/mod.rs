//! Automation rules: configured by managers and admins (this module), run on a new ticket
//! before the writer stores it and on a change inside its transaction (`apply`), and by the
//! periodic time scan (`time`, with `due` for SLA due times that move behind it).
//!
//! Every change of a ticket runs the updated rules through one function (`changed`), which
//! also moves the clocks time rules measure from.
//!
//! What runs after what:
//! - A change, whoever makes it, runs the updated rules once, in its transaction, after it
//!   saved the row and wrote its trail and before the SLA is reconciled: a person's edit,
//!   reply, note, merge or link; an SLA escalation that moves the ticket or raises its
//!   priority, together with the assignee the new group picks (`update` is
//!   `sla_escalation`); the pick automatic assignment makes for a new ticket, after the
//!   created rules ran on the ticket as filed (`auto_assignment`).
//! - The rules' own changes never run rules again: what created, updated and time rules set
//!   (and the assignee a group picks after a rule moved the ticket there) is written directly,
//!   folded into the change that ran them, not through `update_ticket`.
//! - The SLA reconcile that follows may find a new breach (a raised priority brought in
//!   another policy): its escalation is a timer job of its own, a later change, so each
//!   escalation runs the rules once (`sla/mod.rs` bounds that chain).
//! - On top of that a ticket on which rules acted [`LOOP_LIMIT`] times within
//!   [`LOOP_WINDOW_MICROS`] is left to people (a webhook whose receiver changes it back).
//!
//! Rules are cached per node like SLA policies (`cache.rs`), together with the ids of the
//! groups, agents and categories they name, so running them costs no query of its own: a desk
//! without rules pays one cached read per operation.

use std::collections::HashMap;
use std::sync::Arc;

use frontline_domain::rules::{Action, Condition, Field, Recipient, Rule, Trigger};
use frontline_domain::{
    CategoryId, CategoryPath, DomainError, Email, GroupId, OrganizationId, Role, RuleId, UserId,
};
use frontline_store::Conn;
use serde::Serialize;

use crate::ordered::new_positions;
use crate::tickets::fields;
use crate::{Actor, CoreError, Permission, Result, Rules};

mod apply;
mod changed;
mod due;
mod time;

pub(crate) use apply::{
    Effect, apply_fields, facts_of, run_rules, within_limit, write_effects, write_outcome,
};
pub(crate) use changed::{Change, Update};
pub use due::{DUE_JOB, DueCall};
pub use time::{WEBHOOK_JOB, WebhookCall};

/// A ticket on which rules acted this often within [`LOOP_WINDOW_MICROS`] gets no more
/// rule actions until the window has passed: rules calling a webhook whose receiver changes
/// the ticket again cannot loop for ever.
pub const LOOP_LIMIT: i64 = 50;
pub const LOOP_WINDOW_MICROS: i64 = 10 * 60 * 1_000_000;

/// A rule as configured.
#[derive(Debug, Clone, Serialize)]
pub struct ConfiguredRule {
    pub id: RuleId,
    pub position: i64,
    #[serde(flatten)]
    pub rule: Rule,
}

/// A rule ready to run: its definition, its author (who writes its notes), and ids of what
/// its actions name.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub id: RuleId,
    pub author_id: UserId,
    pub author_role: Role,
    pub rule: Rule,
}

impl AsRef<Rule> for Loaded {
    fn as_ref(&self) -> &Rule {
        &self.rule
    }
}

/// Every rule in order, and the names they use resolved to ids.
#[derive(Debug, Default)]
pub(crate) struct RuleSet {
    pub rules: Vec<Loaded>,
    /// By lower-case group name.
    pub groups: HashMap<String, GroupId>,
    /// By lower-case email.
    pub people: HashMap<String, UserId>,
    /// By category path.
    pub categories: HashMap<String, CategoryId>,
    /// Organization names by id, read only when a condition looks at organizations.
    pub organizations: HashMap<OrganizationId, String>,
}

impl RuleSet {
    pub fn has(&self, trigger: Trigger) -> bool {
        self.rules
            .iter()
            .any(|r| r.rule.enabled && r.rule.trigger == trigger)
    }
}

/// Automation rules as last read. Only this module reads or forgets them; other nouns ask
/// [`Rules::rule_set`].
#[derive(Default)]
pub(crate) struct RuleCache(crate::cache::Cached<RuleSet>);

impl RuleCache {
    async fn get(&self, c: &mut Conn<'_>) -> Result<Arc<RuleSet>> {
        if let Some(set) = self.0.fresh() {
            return Ok(set);
        }
        let rows = c.rules().await?;
        let mut set = RuleSet::default();
        for row in rows {
            let rule = row.rule;
            let author = c.user_by_id(row.author_id).await?;
            let names = resolve_names(c, &rule).await.unwrap_or_else(|e| {
                tracing::warn!(rule = %row.id, error = %e, "a rule names what no longer exists");
                Names::default()
            });
            set.groups.extend(names.groups);
            set.people.extend(names.people);
            set.categories.extend(names.categories);
            if uses_organizations(&rule) && set.organizations.is_empty() {
                set.organizations = c
                    .organizations()
                    .await?
                    .into_iter()
                    .map(|o| (o.id, o.name))
                    .collect();
            }
            set.rules.push(Loaded {
                id: row.id,
                author_id: row.author_id,
                // A rule whose author is gone writes as an admin.
                author_role: author.map_or(Role::Admin, |a| a.role),
                rule,
            });
        }
        Ok(self.0.put(set))
    }

    fn forget(&self) {
        self.0.forget();
    }
}

impl Rules {
    /// The rules in force, for other nouns' operations that run them in their transaction.
    pub(crate) async fn rule_set(&self, c: &mut Conn<'_>) -> Result<Arc<RuleSet>> {
        self.core.rules.get(c).await
    }
}

fn uses_organizations(rule: &Rule) -> bool {
    rule.conditions
        .iter()
        .any(|c: &Condition| c.field == Field::Organization)
}

#[derive(Default)]
struct Names {
    groups: HashMap<String, GroupId>,
    people: HashMap<String, UserId>,
    categories: HashMap<String, CategoryId>,
}

/// The ids of every group, agent, person and category the rule's actions name; an error
/// names the first that does not exist.
async fn resolve_names(c: &mut Conn<'_>, rule: &Rule) -> Result<Names> {
    let mut n = Names::default();
    for (i, a) in rule.actions.iter().enumerate() {
        let field = format!("actions[{i}]");
        let with_field = |e: CoreError| match e {
            CoreError::Invalid(errs) => CoreError::Invalid(
                errs.into_iter()
                    .map(|d| DomainError::new(field.clone(), d.message))
                    .collect(),
            ),
            other => other,
        };
        match a {
            Action::SetGroup { value: Some(name) } => {
                let id = fields::group_id(c, name).await.map_err(with_field)?;
                n.groups.insert(name.to_lowercase(), id);
            }
            Action::SetAssignee { value: Some(email) } => {
                let email = Email::parse(&field, email)?;
                let u = fields::staff(c, &field, &email).await?;
                n.people.insert(email.as_str().to_lowercase(), u.id);
            }
            Action::SetCategory { value: Some(path) } => {
                let path = CategoryPath::parse(&field, path)?;
                let id = fields::category_id(c, &path).await.map_err(with_field)?;
                n.categories.insert(path.as_str().to_owned(), id);
            }
            Action::Notify { recipients } => {
                for r in recipients {
                    if let Recipient::Person(email) = r {
                        let email = Email::parse(&field, email)?;
                        let ids = fields::users(c, &field, std::slice::from_ref(&email)).await?;
                        for id in ids {
                            n.people.insert(email.as_str().to_lowercase(), id);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(n)
}

/// A rule as written, checked on its own and against the desk.
async fn check(c: &mut Conn<'_>, rule: &Rule) -> Result<()> {
    rule.validate().map_err(CoreError::Invalid)?;
    resolve_names(c, rule).await.map(drop)
}

impl Rules {
    /// Every rule in the order they are considered, for managers and admins.
    pub async fn list(&self, actor: &Actor) -> Result<Vec<ConfiguredRule>> {
        actor.require(Permission::Automation)?;
        let mut pc = self.core.store.read().await?;
        Ok(pc
            .conn()
            .rules()
            .await?
            .into_iter()
            .map(|r| ConfiguredRule {
                id: r.id,
                position: r.position,
                rule: r.rule,
            })
            .collect())
    }

    /// Adds a rule after the existing ones; the actor becomes the author of its notes.
    pub async fn add_rule(&self, actor: &Actor, rule: Rule) -> Result<ConfiguredRule> {
        actor.require(Permission::Automation)?;
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        check(&mut c, &rule).await?;
        let (id, position) = c.insert_rule(&rule, actor.id, self.core.now()).await?;
        tx.commit().await?;
        self.core.rules.forget();
        tracing::info!(rule_id = %id, actor = %actor.id, "rule added");
        Ok(ConfiguredRule { id, position, rule })
    }

    /// Replaces a rule, keeping its place; a time rule looks at every ticket again (each
    /// still fires once per ticket and period).
    pub async fn replace_rule(
        &self,
        actor: &Actor,
        id: RuleId,
        rule: Rule,
    ) -> Result<ConfiguredRule> {
        actor.require(Permission::Automation)?;
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        check(&mut c, &rule).await?;
        if !c.update_rule(id, &rule, actor.id, self.core.now()).await? {
            return Err(CoreError::NotFound("rule"));
        }
        let position = c
            .rules()
            .await?
            .iter()
            .find(|r| r.id == id)
            .map_or(0, |r| r.position);
        tx.commit().await?;
        self.core.rules.forget();
        tracing::info!(rule_id = %id, actor = %actor.id, "rule replaced");
        Ok(ConfiguredRule { id, position, rule })
    }

    pub async fn delete_rule(&self, actor: &Actor, id: RuleId) -> Result<()> {
        actor.require(Permission::Automation)?;
        let mut tx = self.core.begin().await?;
        if !tx.conn().delete_rule(id).await? {
            return Err(CoreError::NotFound("rule"));
        }
        tx.commit().await?;
        self.core.rules.forget();
        tracing::info!(rule_id = %id, actor = %actor.id, "rule deleted");
        Ok(())
    }

    /// Puts the rules in the order of `ids`, which must name every rule once.
    pub async fn reorder_rules(
        &self,
        actor: &Actor,
        ids: &[RuleId],
    ) -> Result<Vec<ConfiguredRule>> {
        actor.require(Permission::Automation)?;
        let mut tx = self.core.begin().await?;
        let mut c = tx.conn();
        let current = c.rules().await?.iter().map(|r| r.id).collect::<Vec<_>>();
        for (id, position) in new_positions(current, ids, "rule")? {
            c.set_rule_position(id, position).await?;
        }
        tx.commit().await?;
        self.core.rules.forget();
        self.list(actor).await
    }
}
