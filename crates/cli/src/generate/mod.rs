//! `frontline generate --tickets N`: realistic history for load tests and demos.
//!
//! Organizations, agent groups, categories and people are found or created first (a second
//! run reuses them); then tickets spread over the last two years are written in batches, each
//! batch one transaction of multi-row inserts with its comments and audit events. Ids are
//! taken under a table lock, so a server may keep serving the same database meanwhile.

mod cast;
mod content;
mod request;
mod story;

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

use anyhow::Context;
use frontline_core::Desk;
use frontline_domain::{
    CategoryId, CategoryPath, Email, Group, GroupId, Organization, OrganizationId, Role, Timestamp,
    User, UserId,
};
use frontline_store::creations::IdTable;
use frontline_store::{Backend, Conn};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use cast::{Agent, Cast};
use content::{FIRST_NAMES, GROUPS, LAST_NAMES, ORGANIZATIONS, TOPICS};
use story::Written;

/// Tickets per transaction: large enough for bulk speed, small enough that a server sharing
/// the database waits well under a second for the write lock.
const BATCH: u64 = 2_000;
const TWO_YEARS: i64 = 730 * 24 * 3_600 * 1_000_000;

#[derive(Debug)]
pub struct Summary {
    pub tickets: u64,
    pub comments: u64,
    pub events: u64,
    pub requesters: usize,
    pub agents: usize,
    pub elapsed: Duration,
    pub backend: Backend,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.elapsed.as_secs_f64();
        write!(
            f,
            "generated {} tickets, {} comments and {} events for {} requesters and {} agents \
             on {:?} in {secs:.1} s ({:.0} tickets/s)",
            self.tickets,
            self.comments,
            self.events,
            self.requesters,
            self.agents,
            self.backend,
            self.tickets as f64 / secs.max(1e-9),
        )
    }
}

pub async fn run(desk: &Desk, tickets: u64, seed: u64, progress: bool) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(seed);
    let now = Timestamp::now().as_micros();
    let matrix = desk
        .config()
        .priority_matrix()
        .await
        .context("cannot read the priority matrix")?;
    let desk_setup = setup(desk, &mut rng, tickets, now).await?;

    let bar = if progress {
        ProgressBar::new(tickets)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} tickets, {per_sec}, {eta} left")
            .context("progress bar template")?
            .progress_chars("=> "),
    );
    bar.set_message("generating");

    let weights: Vec<(usize, u32)> = TOPICS
        .iter()
        .enumerate()
        .map(|(i, t)| (i, t.weight))
        .collect();
    let start = now - TWO_YEARS;
    let (mut comments, mut events) = (0, 0);
    let mut done = 0;
    while done < tickets {
        let count = BATCH.min(tickets - done);
        let mut tx = desk.store().begin().await?;
        let mut c = tx.conn();
        c.lock_for_bulk().await?;
        let first_ticket = c.next_id(IdTable::Tickets).await?;
        let mut next_comment = c.next_id(IdTable::Comments).await?;
        let mut out = Written::default();
        for k in 0..count {
            let i = done + k;
            // Ticket numbers grow with time, as on a real desk.
            let slot = TWO_YEARS as f64 / tickets as f64;
            let created_at = start + ((i as f64 + rng.random::<f64>()) * slot) as i64;
            let topic = &TOPICS[content::pick(&mut rng, &weights)];
            let cast = desk_setup.cast(&mut rng, topic)?;
            story::tell(
                &mut rng,
                &mut out,
                first_ticket + k as i64,
                created_at,
                now,
                topic,
                &cast,
                &matrix,
                &mut next_comment,
            );
        }
        write_batch(&mut c, &out).await?;
        tx.commit().await?;
        comments += out.comments.len() as u64;
        events += out.events.len() as u64;
        done += count;
        bar.set_position(done);
    }
    bar.finish_and_clear();
    Ok(Summary {
        tickets,
        comments,
        events,
        requesters: desk_setup.requesters.len(),
        agents: desk_setup.agents.values().map(Vec::len).sum(),
        elapsed: started.elapsed(),
        backend: desk.store().backend(),
    })
}

async fn write_batch(c: &mut Conn<'_>, out: &Written) -> anyhow::Result<()> {
    c.bulk_tickets(&out.tickets).await?;
    c.bulk_tags(&out.tags).await?;
    c.bulk_comments(&out.comments).await?;
    c.bulk_events(&out.events).await?;
    c.bulk_rule_clocks(&out.clocks).await?;
    c.sync_ids(IdTable::Tickets).await?;
    c.sync_ids(IdTable::Comments).await?;
    Ok(())
}

/// The people and configuration tickets are drawn from.
struct Setup {
    /// (user id, organization id)
    requesters: Vec<(UserId, Option<OrganizationId>)>,
    /// Agents by group name.
    agents: HashMap<&'static str, Vec<Agent>>,
    groups: HashMap<&'static str, GroupId>,
    categories: HashMap<&'static str, CategoryId>,
}

impl Setup {
    fn cast(&self, rng: &mut StdRng, topic: &content::Topic) -> anyhow::Result<Cast<'_>> {
        let tier1_name = GROUPS[0].0;
        let requester = *self.requesters.choose(rng).context("no requesters")?;
        Ok(Cast {
            requester,
            specialists: self.agents.get(topic.group).map_or(&[], Vec::as_slice),
            tier1: self.agents.get(tier1_name).map_or(&[], Vec::as_slice),
            group_id: *self.groups.get(topic.group).context("unknown group")?,
            group_name: topic.group,
            tier1_id: *self.groups.get(tier1_name).context("no tier 1 group")?,
            tier1_name,
            category_id: *self
                .categories
                .get(topic.category)
                .context("unknown category")?,
        })
    }
}

/// Finds or creates organizations, groups, categories, agents and requesters, scaled to the
/// number of tickets (about 25 tickets per requester, 5,000 per agent).
async fn setup(desk: &Desk, rng: &mut StdRng, tickets: u64, now: i64) -> anyhow::Result<Setup> {
    let mut categories = HashMap::new();
    for topic in TOPICS {
        let path =
            CategoryPath::parse("category", topic.category).map_err(|e| anyhow::anyhow!("{e}"))?;
        categories.insert(
            topic.category,
            desk.config().add_category(None, &path).await?.id,
        );
    }
    let n_requesters = (tickets / 25).clamp(50, 50_000) as usize;
    let n_agents = (tickets / 5_000).clamp(12, 200) as usize;

    let mut tx = desk.store().begin().await?;
    let mut c = tx.conn();
    let organizations = organizations(&mut c, now).await?;
    let groups = groups(&mut c, now).await?;
    let agents = agents(&mut c, n_agents, now).await?;
    join_groups(&mut c, &agents, &groups).await?;
    let requesters = requesters(&mut c, rng, n_requesters, &organizations, now).await?;
    tx.commit().await?;
    Ok(Setup {
        requesters,
        agents,
        groups,
        categories,
    })
}

/// The client organizations, found or added: `(id, email domain)`.
async fn organizations(
    c: &mut Conn<'_>,
    now: i64,
) -> anyhow::Result<Vec<(OrganizationId, &'static str)>> {
    let mut organizations = Vec::new();
    for (name, domain) in ORGANIZATIONS {
        let id = match c.organization_by_name(name).await? {
            Some(o) => o.id,
            None => {
                let row = Organization {
                    id: OrganizationId::new(0),
                    name: (*name).into(),
                    domain: Some((*domain).into()),
                    shared_tickets: false,
                    created_at: Timestamp::from_micros(now),
                };
                c.insert_organization(&row).await?
            }
        };
        organizations.push((id, *domain));
    }
    Ok(organizations)
}

/// The desk's groups, found or added: their ids by name.
async fn groups(c: &mut Conn<'_>, now: i64) -> anyhow::Result<HashMap<&'static str, GroupId>> {
    let mut groups = HashMap::new();
    for (name, description) in GROUPS {
        let id = match c.group_by_name(name).await? {
            Some(g) => g.id,
            None => {
                let row = Group {
                    id: GroupId::new(0),
                    name: (*name).into(),
                    description: (*description).into(),
                    created_at: Timestamp::from_micros(now),
                };
                c.insert_group(&row).await?
            }
        };
        groups.insert(*name, id);
    }
    Ok(groups)
}

/// `n` agents, found or added, by the name of the group each works in.
async fn agents(
    c: &mut Conn<'_>,
    n: usize,
    now: i64,
) -> anyhow::Result<HashMap<&'static str, Vec<Agent>>> {
    let mut agents: HashMap<&'static str, Vec<Agent>> = HashMap::new();
    for i in 0..n {
        // A third of the agents work tier 1; the rest spread over the specialist teams.
        let group = if i % 3 == 0 {
            GROUPS[0].0
        } else {
            GROUPS[1 + i % (GROUPS.len() - 1)].0
        };
        let (id, email) =
            add_person(c, i, i, "it.northwind.example", Role::Agent, None, now).await?;
        agents.entry(group).or_default().push(Agent { id, email });
    }
    Ok(agents)
}

/// Makes each agent a member of their group, beside the members it had.
async fn join_groups(
    c: &mut Conn<'_>,
    agents: &HashMap<&'static str, Vec<Agent>>,
    groups: &HashMap<&'static str, GroupId>,
) -> anyhow::Result<()> {
    for (name, members) in agents {
        let group_id = groups[name];
        let mut ids: Vec<UserId> = Vec::new();
        for email in c.group_members(group_id).await? {
            if let Some(u) = c.user_by_email(&email).await? {
                ids.push(u.id);
            }
        }
        ids.extend(members.iter().map(|a| a.id));
        ids.sort_unstable();
        ids.dedup();
        c.set_group_members(group_id, &ids).await?;
    }
    Ok(())
}

/// `n` requesters, found or added, each in one of the organizations:
/// `(user id, organization id)`.
async fn requesters(
    c: &mut Conn<'_>,
    rng: &mut StdRng,
    n: usize,
    organizations: &[(OrganizationId, &'static str)],
    now: i64,
) -> anyhow::Result<Vec<(UserId, Option<OrganizationId>)>> {
    let mut requesters = Vec::with_capacity(n);
    for i in 0..n {
        let (org_id, domain) = *organizations.choose(rng).context("no organizations")?;
        let (id, _) =
            add_person(c, i * 7 + 3, i, domain, Role::Requester, Some(org_id), now).await?;
        requesters.push((id, Some(org_id)));
    }
    Ok(requesters)
}

/// A generated person, `first.last<n>@domain`, found or added; returns the id and address.
async fn add_person(
    c: &mut Conn<'_>,
    name_seed: usize,
    n: usize,
    domain: &str,
    role: Role,
    organization_id: Option<OrganizationId>,
    now: i64,
) -> anyhow::Result<(UserId, String)> {
    let (first, last) = name_for(name_seed);
    let email = format!(
        "{}.{}{n}@{domain}",
        first.to_lowercase(),
        last.to_lowercase()
    );
    let name = format!("{first} {last}");
    let id = find_or_add(c, &email, &name, role, organization_id, now).await?;
    Ok((id, email))
}

fn name_for(i: usize) -> (&'static str, &'static str) {
    (
        FIRST_NAMES[i % FIRST_NAMES.len()],
        LAST_NAMES[(i / FIRST_NAMES.len()) % LAST_NAMES.len()],
    )
}

async fn find_or_add(
    c: &mut Conn<'_>,
    email: &str,
    name: &str,
    role: Role,
    organization_id: Option<OrganizationId>,
    now: i64,
) -> anyhow::Result<UserId> {
    if let Some(u) = c.user_by_email(email).await? {
        return Ok(u.id);
    }
    let row = User {
        id: UserId::new(0),
        email: Email::from_parsed(email.to_owned()),
        name: name.to_owned(),
        role,
        organization_id,
        password_hash: None,
        active: true,
        created_at: Timestamp::from_micros(now),
    };
    Ok(c.insert_user(&row).await?)
}
