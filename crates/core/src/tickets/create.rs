//! Opening a ticket: by a requester for themselves, or by an agent on someone's behalf (a
//! phone call, a monitoring system), which creates the requester if they are new.

use std::collections::BTreeSet;
use std::sync::Arc;

use frontline_domain::User;
use frontline_domain::rules::{Facts, Trigger};
use frontline_domain::{
    CategoryId, CategoryPath, Channel, Email, EventRecord, GroupId, Level, Priority, Status,
    Subject, Tag, Ticket, TicketId, TicketRecord, TicketType, Timestamp, Timestamps, UserId,
};
use frontline_store::Conn;
use serde_json::{Map, Value};

use super::fields;
use super::idempotency::IdempotencyKey;
use super::trail::Trail;
use super::writer::{Creation, RuleEffects, Written};
use crate::config::TicketConfig;
use crate::rules::{self, RuleSet};
use crate::{Actor, CoreError, Result, Tickets};

#[derive(Debug, Clone)]
pub struct NewTicket {
    pub subject: Subject,
    pub description: String,
    pub ticket_type: TicketType,
    pub impact: Level,
    pub urgency: Level,
    /// Set explicitly instead of from the matrix.
    pub priority: Option<Priority>,
    pub status: Option<Status>,
    pub category: Option<CategoryPath>,
    /// On whose behalf; absent means the actor.
    pub requester: Option<Email>,
    /// The requester's name, when they are new to the desk (default: their address's local
    /// part).
    pub requester_name: Option<String>,
    pub group: Option<String>,
    pub assignee: Option<Email>,
    pub tags: Vec<Tag>,
    pub watchers: Vec<Email>,
    pub custom_fields: Map<String, Value>,
    pub channel: Channel,
}

impl NewTicket {
    /// An incident of medium impact and urgency from `channel`, with nothing else set; the
    /// other fields are changed with struct update syntax.
    pub fn new(subject: Subject, description: impl Into<String>, channel: Channel) -> Self {
        Self {
            subject,
            description: description.into(),
            ticket_type: TicketType::Incident,
            impact: Level::Medium,
            urgency: Level::Medium,
            priority: None,
            status: None,
            category: None,
            requester: None,
            requester_name: None,
            group: None,
            assignee: None,
            tags: Vec::new(),
            watchers: Vec::new(),
            custom_fields: Map::new(),
            channel,
        }
    }
}

#[derive(Debug)]
pub struct Created {
    pub ticket: Ticket,
    /// False when an idempotency key matched an earlier creation.
    pub fresh: bool,
}

impl Tickets {
    pub async fn create_ticket(
        &self,
        actor: &Actor,
        new: NewTicket,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Created> {
        if !actor.is_staff() {
            super::check_requester_may_open(actor, &new)?;
        }
        // A conflict means a concurrent request created the same idempotency key or the same
        // new requester first; running again finds what it made.
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_create(actor, &new, idempotency.as_ref()).await {
                Err(e) if attempt < 3 && e.is_retryable() => continue,
                other => return other,
            }
        }
    }

    async fn try_create(
        &self,
        actor: &Actor,
        new: &NewTicket,
        idem: Option<&IdempotencyKey>,
    ) -> Result<Created> {
        // Everything that only reads is resolved before the write transaction, so the single
        // SQLite writer is held for the inserts alone. Names resolved here can only change
        // under an administrator's hand; the foreign keys still guard every reference.
        let Prepared {
            creation,
            named,
            has_watchers,
        } = {
            let mut read = self.core.store.read().await?;
            self.prepare_creation(&mut read.conn(), actor, new, idem)
                .await?
        };
        let tags = creation.tags.clone();
        let written = self.write_creation(creation).await?;
        let (row, requester) = match written {
            Written::Fresh { row, requester } => (*row, *requester),
            Written::Repeated { id } => {
                let mut read = self.core.store.read().await?;
                let ticket = read
                    .conn()
                    .ticket_view(id)
                    .await?
                    .ok_or(CoreError::NotFound("ticket"))?;
                return Ok(Created {
                    ticket,
                    fresh: false,
                });
            }
        };
        tracing::info!(ticket_id = %row.id, actor = %actor.id, "ticket created");
        // The ticket as stored is known from what was written; only an organization's name,
        // watchers' addresses, and an assignee the writer or a rule chose (email and name)
        // need reading back (outside the write transaction).
        let assignee_known = row.assignee_id.is_none()
            || (named.assignee.is_some() && named.assignee_name.is_some());
        let ticket = if !has_watchers && row.organization_id.is_none() && assignee_known {
            Ticket {
                requester_email: requester.email,
                requester_name: requester.name,
                organization_name: None,
                group_name: named.group,
                assignee_email: row.assignee_id.and(named.assignee.map(Email::from_parsed)),
                assignee_name: row.assignee_id.and(named.assignee_name),
                category_path: named.category,
                sla: Default::default(),
                tags,
                watchers: Vec::new(),
                record: row,
            }
        } else {
            let mut read = self.core.store.read().await?;
            read.conn()
                .ticket_view(row.id)
                .await?
                .ok_or(CoreError::NotFound("ticket"))?
        };
        Ok(Created {
            ticket,
            fresh: true,
        })
    }

    /// `create_ticket` inside the caller's transaction, without an idempotency key: mail
    /// ingest opens the ticket and records the message's outcome together. Returns the
    /// ticket as stored.
    pub(crate) async fn create_ticket_in(
        &self,
        c: &mut Conn<'_>,
        actor: &Actor,
        new: &NewTicket,
    ) -> Result<TicketRecord> {
        let prepared = self.prepare_creation(c, actor, new, None).await?;
        match self.write_creation_in(c, &prepared.creation).await? {
            Written::Fresh { row, .. } => {
                tracing::info!(ticket_id = %row.id, actor = %actor.id, "ticket created");
                Ok(*row)
            }
            Written::Repeated { .. } => Err(CoreError::Internal(
                "a creation without an idempotency key was repeated".into(),
            )),
        }
    }

    /// Everything a new ticket needs before it is written, read through `c`: the names it
    /// refers to resolved, its priority, what the created rules change and add, and its first
    /// events. The API reads on a connection of its own and hands the result to the writer
    /// task; mail ingest reads and writes in the ingest job's transaction
    /// ([`Tickets::write_creation_in`]). Either way the ticket gets the same rules, automatic
    /// assignment, SLA and `created` event.
    pub(crate) async fn prepare_creation(
        &self,
        c: &mut Conn<'_>,
        actor: &Actor,
        new: &NewTicket,
        idem: Option<&IdempotencyKey>,
    ) -> Result<Prepared> {
        let config = self.config().ticket_config(c).await?;
        let rules = self.rules().rule_set(c).await?;
        let resolved = resolve(c, actor, new, &config).await?;
        let now = self.core.now();
        if resolved.requester.is_none() && new.requester.is_none() {
            return Err(CoreError::Unauthenticated);
        }
        let mut ticket = record_of(new, &resolved, now);
        let tags: BTreeSet<&str> = new.tags.iter().map(|t| t.as_str()).collect();
        let mut tags: Vec<String> = tags.into_iter().map(str::to_owned).collect();
        let mut named = Named {
            group: new.group.clone(),
            assignee: resolved.assignee.as_ref().map(|a| a.email.to_string()),
            assignee_name: resolved.assignee.as_ref().map(|a| a.name.clone()),
            category: new.category.as_ref().map(|c| c.as_str().to_owned()),
        };
        // Created rules change the ticket before it is written, so the ticket, its events
        // and whatever the rules add go to the database in the writer's one transaction.
        let (rule_events, rule_effects) = if rules.has(Trigger::Created) {
            let draft = Draft {
                ticket: &mut ticket,
                tags: &mut tags,
                named: &mut named,
            };
            run_created_rules(&rules, new, &resolved, draft, now)
        } else {
            (Vec::new(), None)
        };
        // Neither the creator nor a rule routed it: the desk's default group takes it.
        if ticket.group_id.is_none()
            && let Some((id, name)) = &config.default_group
        {
            ticket.group_id = Some(*id);
            named.group = Some(name.clone());
        }
        let events = first_events(actor.id, &ticket, &named, rule_events, now);
        let Resolved {
            requester,
            watcher_ids,
            index,
            ..
        } = resolved;
        let has_watchers = !watcher_ids.is_empty();
        let creation = Creation {
            row: ticket,
            actor_id: actor.id,
            new_requester: requester
                .is_none()
                .then(|| new.requester.clone())
                .flatten()
                .map(|email| (email, fields::requester_name(new.requester_name.as_deref())))
                .map(|(email, name)| name.map(|n| (email, n)))
                .transpose()?,
            requester,
            tags,
            watcher_ids,
            index,
            events,
            rule_effects,
            idempotency: idem.cloned(),
            now,
        };
        Ok(Prepared {
            creation,
            named,
            has_watchers,
        })
    }
}

/// The new ticket as the created rules may change it.
struct Draft<'a> {
    ticket: &'a mut TicketRecord,
    tags: &'a mut Vec<String>,
    named: &'a mut Named,
}

/// Runs the created rules over the draft, which takes what they set; returns the events they
/// record and the effects to write once the ticket has its id (comments, jobs).
fn run_created_rules(
    rules: &Arc<RuleSet>,
    new: &NewTicket,
    resolved: &Resolved,
    draft: Draft<'_>,
    now: Timestamp,
) -> (Vec<EventRecord>, Option<RuleEffects>) {
    let before = created_facts(rules, new, resolved, draft.ticket, draft.tags, draft.named);
    let mut after = before.clone();
    let out = rules::run_rules(
        rules,
        Trigger::Created,
        &mut after,
        None,
        None,
        "created",
        now,
    );
    rules::apply_fields(rules, &before, &after, draft.ticket, now);
    *draft.tags = after.tags;
    // An assignee a rule chose is known by email only; its name is read back.
    let assignee_name = (after.assignee == draft.named.assignee)
        .then(|| draft.named.assignee_name.take())
        .flatten();
    *draft.named = Named {
        group: after.group,
        assignee: after.assignee,
        assignee_name,
        category: after.category,
    };
    let effects = (!out.effects.is_empty()).then(|| (rules.clone(), out.effects));
    (out.events, effects)
}

/// The new ticket's first events: created, its group and assignee, then what the created
/// rules recorded.
fn first_events(
    actor_id: UserId,
    ticket: &TicketRecord,
    named: &Named,
    mut rule_events: Vec<EventRecord>,
    now: Timestamp,
) -> Vec<EventRecord> {
    let mut trail = Trail::new(TicketId::new(0), Some(actor_id), now);
    trail.created(ticket.status);
    trail.changed("group", None, named.group.clone());
    trail.changed("assignee", None, named.assignee.clone());
    let mut events = trail.into_events();
    events.append(&mut rule_events);
    events
}

/// The new ticket's own fields as its creator gave them. The writer fills in its number,
/// requester and organization once the requester is known to exist.
fn record_of(new: &NewTicket, resolved: &Resolved, now: Timestamp) -> TicketRecord {
    let status = new.status.unwrap_or(Status::New);
    TicketRecord {
        id: TicketId::new(0),
        subject: new.subject.as_str().to_owned(),
        description: new.description.clone(),
        status,
        ticket_type: new.ticket_type,
        impact: new.impact,
        urgency: new.urgency,
        priority: new
            .priority
            .unwrap_or_else(|| resolved.matrix.priority(new.impact, new.urgency)),
        priority_overridden: new.priority.is_some(),
        category_id: resolved.category_id,
        requester_id: UserId::new(0),
        organization_id: None,
        group_id: resolved.group_id,
        assignee_id: resolved.assignee.as_ref().map(|a| a.id),
        channel: new.channel,
        custom_fields: resolved.custom.clone(),
        merged_into_id: None,
        version: 1,
        times: Timestamps {
            resolved_at: (status == Status::Resolved).then_some(now),
            closed_at: (status == Status::Closed).then_some(now),
            ..Timestamps::opened(now)
        },
    }
}

/// What created rules see of the new ticket.
fn created_facts(
    rules: &RuleSet,
    new: &NewTicket,
    resolved: &Resolved,
    ticket: &TicketRecord,
    tags: &[String],
    named: &Named,
) -> Facts {
    let requester = resolved.requester.as_ref();
    Facts {
        status: ticket.status.as_str().to_owned(),
        priority: ticket.priority.as_str().to_owned(),
        ticket_type: ticket.ticket_type.as_str().to_owned(),
        category: named.category.clone(),
        group: named.group.clone(),
        assignee: named.assignee.clone(),
        organization: requester
            .and_then(|r| r.organization_id)
            .and_then(|o| rules.organizations.get(&o).cloned()),
        channel: ticket.channel.as_str().to_owned(),
        tags: tags.to_vec(),
        custom: ticket.custom_fields.clone(),
        requester: requester
            .map(|r| &r.email)
            .or(new.requester.as_ref())
            .map(Email::to_string)
            .unwrap_or_default(),
        subject: ticket.subject.clone(),
        description: ticket.description.clone(),
        update: Vec::new(),
    }
}

/// A creation ready for a writer, and what the API's answer needs besides the stored row.
pub(crate) struct Prepared {
    pub creation: Creation,
    named: Named,
    has_watchers: bool,
}

/// The names of what a new ticket refers to, as its creator and the created rules left them.
struct Named {
    group: Option<String>,
    assignee: Option<String>,
    /// The assignee's name, when it is known without reading it back.
    assignee_name: Option<String>,
    category: Option<String>,
}

/// What a new ticket refers to, read before the write transaction begins.
struct Resolved {
    /// `None` when the requester is new to the desk and must be created.
    requester: Option<User>,
    category_id: Option<CategoryId>,
    group_id: Option<GroupId>,
    assignee: Option<User>,
    watcher_ids: Vec<UserId>,
    custom: Map<String, Value>,
    index: Vec<(String, String)>,
    matrix: frontline_domain::PriorityMatrix,
}

async fn resolve(
    c: &mut Conn<'_>,
    actor: &Actor,
    new: &NewTicket,
    config: &TicketConfig,
) -> Result<Resolved> {
    let requester = match &new.requester {
        Some(email) if email.as_str() != actor.email => c.user_by_email(email.as_str()).await?,
        _ => Some(
            c.user_by_id(actor.id)
                .await?
                .ok_or(CoreError::Unauthenticated)?,
        ),
    };
    let category_id = match &new.category {
        Some(p) => Some(fields::category_id(c, p).await?),
        None => None,
    };
    let group_id = match &new.group {
        Some(g) => Some(fields::group_id(c, g).await?),
        None => None,
    };
    let assignee = match &new.assignee {
        Some(e) => Some(fields::staff(c, "assignee", e).await?),
        None => None,
    };
    let watcher_ids = fields::users(c, "watchers", &new.watchers).await?;
    let mut custom = Map::new();
    let index = fields::apply_custom_fields(
        &config.custom_fields,
        new.ticket_type,
        &mut custom,
        &new.custom_fields,
        true,
    )?;
    let matrix = config.matrix.clone();
    Ok(Resolved {
        requester,
        category_id,
        group_id,
        assignee,
        watcher_ids,
        custom,
        index,
        matrix,
    })
}
