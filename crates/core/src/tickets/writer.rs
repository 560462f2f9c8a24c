//! Group commit for new tickets: creations that arrive while a write transaction is busy wait
//! for it, then go to the database together in the next one.
//!
//! One task per desk owns the queue. It takes whatever has piled up (at most
//! [`MAX_BATCH`]), writes every ticket, tag, watcher and event of the batch in one
//! transaction with multi-row inserts, queues each requester's acknowledgement mail and
//! starts the SLA clocks in that same transaction, and only then answers each caller, so an
//! acknowledged ticket is committed. The single SQLite writer and PostgreSQL's commit flush
//! are paid once per batch instead of once per ticket. A batch that fails is written again
//! one creation per transaction, so a bad creation fails alone. The task is independent of
//! the requests: a client that hangs up does not cancel the tickets of the others.

use std::sync::{Arc, OnceLock, Weak};

use frontline_domain::EventRecord;
use frontline_domain::TicketRecord;
use frontline_domain::User;
use frontline_domain::{Email, Role, TicketId, Timestamp, UserId};
use frontline_store::{Conn, StoreError};
use tokio::sync::{mpsc, oneshot};

use super::idempotency::IdempotencyKey;
use crate::desk::Core;
use crate::people::organization_for;
use crate::rules::{Effect, RuleSet, write_effects};
use crate::{CoreError, Result, Tickets};

/// Most creations in one transaction: far below the bind limits of both databases
/// (a ticket is 23 parameters, its events 8 each), and a short hold of the SQLite writer.
const MAX_BATCH: usize = 64;

/// Creations waiting for the writer before callers wait to enqueue.
const QUEUE: usize = 1024;

/// A ticket ready to be written: everything resolved, only the id is left to the writer.
pub(crate) struct Creation {
    /// `id` and, for a requester new to the desk, `requester_id` and `organization_id` are
    /// filled in by the writer.
    pub row: TicketRecord,
    pub actor_id: UserId,
    /// `None` when the person must be created with this address.
    pub requester: Option<User>,
    /// The requester to create, with the name they gave.
    pub new_requester: Option<(Email, Option<String>)>,
    pub tags: Vec<String>,
    pub watcher_ids: Vec<UserId>,
    /// Custom field values to index.
    pub index: Vec<(String, String)>,
    /// Events with `ticket_id` left at 0.
    pub events: Vec<EventRecord>,
    /// What created rules add once the ticket has its id (comments, jobs).
    pub rule_effects: Option<RuleEffects>,
    pub idempotency: Option<IdempotencyKey>,
    pub now: Timestamp,
}

/// The created rules' effects on a new ticket, and the rules that had them.
pub(crate) type RuleEffects = (Arc<RuleSet>, Vec<Effect>);

/// What became of one creation.
#[derive(Debug)]
pub(crate) enum Written {
    /// The ticket as stored, and its requester (boxed: the other variant is an id).
    Fresh {
        row: Box<TicketRecord>,
        requester: Box<User>,
    },
    /// The idempotency key had created this ticket before.
    Repeated { id: TicketId },
}

struct Pending {
    creation: Creation,
    reply: oneshot::Sender<Result<Written>>,
}

/// The desk's handle on its writer task, started by the first creation.
#[derive(Default)]
pub(crate) struct CreationQueue(OnceLock<mpsc::Sender<Pending>>);

impl Tickets {
    /// Writes `creation` with whatever else is waiting and returns once it is committed.
    pub(crate) async fn write_creation(&self, creation: Creation) -> Result<Written> {
        let queue = self.core.creations.0.get_or_init(|| {
            let (tx, rx) = mpsc::channel(QUEUE);
            // The writer holds the core weakly: holding it (and so the sender) would keep the
            // task alive after every handle on the desk is gone.
            tokio::spawn(run(Arc::downgrade(&self.core), rx));
            tx
        });
        let (reply, answer) = oneshot::channel();
        let stopped = || CoreError::Internal("the ticket writer has stopped".into());
        queue
            .send(Pending { creation, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn run(core: Weak<Core>, mut queue: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // A caller waiting on its reply holds the core, so it is there while work is.
        let Some(core) = core.upgrade() else { break };
        let tickets = Tickets { core };
        let creations: Vec<&Creation> = batch.iter().map(|p| &p.creation).collect();
        let results = tickets.write_batch_or_each(&creations).await;
        for (pending, result) in batch.drain(..).zip(results) {
            // The caller may have gone; its ticket stays written.
            let _ = pending.reply.send(result);
        }
    }
}

impl Tickets {
    async fn write_batch_or_each(&self, creations: &[&Creation]) -> Vec<Result<Written>> {
        match self.write_batch(creations).await {
            Ok(results) => results,
            Err(e) if creations.len() == 1 => vec![Err(e)],
            Err(e) => {
                tracing::debug!(error = %e, size = creations.len(), "batch failed; writing one by one");
                let mut results = Vec::with_capacity(creations.len());
                for c in creations {
                    match self.write_batch(std::slice::from_ref(c)).await {
                        Ok(mut one) => results.append(&mut one),
                        Err(e) => results.push(Err(e)),
                    }
                }
                results
            }
        }
    }

    /// One transaction for every creation; `Err` when the transaction failed, else one
    /// result per creation (a repeated idempotency key with another request is an error of
    /// that creation alone).
    async fn write_batch(&self, creations: &[&Creation]) -> Result<Vec<Result<Written>>> {
        let mut tx = self.core.begin().await?;
        let results = self.write_creations_in(&mut tx.conn(), creations).await?;
        tx.commit().await?;
        Ok(results)
    }

    /// Writes one creation inside the caller's transaction, as the writer task would have:
    /// mail ingest opens its ticket in the ingest job's transaction, so the ticket and the
    /// message's outcome commit together. Nothing is written twice by this function; the
    /// caller's transaction decides whether anything is written at all.
    pub(crate) async fn write_creation_in(
        &self,
        c: &mut Conn<'_>,
        creation: &Creation,
    ) -> Result<Written> {
        self.write_creations_in(c, &[creation])
            .await?
            .pop()
            .unwrap_or_else(|| Err(CoreError::Internal("creation not written".into())))
    }

    /// Every creation in the caller's transaction, one result per creation; nothing is
    /// committed here. An `Err` means the transaction is spoiled.
    async fn write_creations_in(
        &self,
        c: &mut Conn<'_>,
        creations: &[&Creation],
    ) -> Result<Vec<Result<Written>>> {
        let mut results: Vec<Option<Result<Written>>> = Vec::with_capacity(creations.len());
        for creation in creations {
            results.push(repeated(c, creation).await?);
        }
        let fresh = fresh_with_requesters(c, creations, &results).await?;
        let ids = c.reserve_ticket_ids(fresh.len()).await?;
        let Numbered {
            mut rows,
            tags,
            mut events,
        } = numbered(&fresh, ids);
        if !rows.is_empty() {
            c.bulk_tickets(&rows).await?;
        }
        let picked = self
            .assign_on_creation(c, &fresh, &mut rows, &mut events)
            .await?;
        write_tags_watchers_fields_events(c, &fresh, &rows, &tags, &events).await?;
        // The pick is the assignment engine's change of the stored ticket (`assignment.rs`).
        for ((f, row), _) in fresh
            .iter()
            .zip(rows.iter_mut())
            .zip(&picked)
            .filter(|p| *p.1)
        {
            *row = self
                .assignment()
                .picked_on_creation(c, row, f.creation.now)
                .await?;
        }
        for (f, row) in fresh.iter().zip(&rows) {
            self.follow_up_creation(c, f.creation, row).await?;
        }
        for (f, row) in fresh.into_iter().zip(rows) {
            results[f.at] = Some(Ok(Written::Fresh {
                row: Box::new(row),
                requester: Box::new(f.requester),
            }));
        }
        Ok(results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(CoreError::Internal("creation not written".into()))))
            .collect())
    }

    /// A ticket filed to a group that assigns automatically, without an assignee, gets one
    /// now that the batch's earlier tickets count towards the agents' load. Says, ticket by
    /// ticket, whether it was picked.
    async fn assign_on_creation(
        &self,
        c: &mut Conn<'_>,
        fresh: &[Fresh<'_>],
        rows: &mut [TicketRecord],
        events: &mut Vec<EventRecord>,
    ) -> Result<Vec<bool>> {
        let mut picked = vec![false; rows.len()];
        for ((f, row), was_picked) in fresh.iter().zip(rows.iter_mut()).zip(&mut picked) {
            let now = f.creation.now;
            if let (Some(group), None) = (row.group_id, row.assignee_id)
                && let Some(pick) = self
                    .assignment()
                    .pick_assignee(c, group, row.category_id, now)
                    .await?
            {
                c.set_new_ticket_assignee(row.id, pick.user_id).await?;
                row.assignee_id = Some(pick.user_id);
                events.push(pick.event(row.id, now));
                *was_picked = true;
            }
        }
        Ok(picked)
    }

    /// What follows a stored ticket in its transaction: the effects of the rules that ran on
    /// creation, the requester's acknowledgement, the SLA clocks, and the idempotency key
    /// that makes a retried request find this ticket.
    async fn follow_up_creation(
        &self,
        c: &mut Conn<'_>,
        creation: &Creation,
        row: &TicketRecord,
    ) -> Result<()> {
        if let Some((rules, effects)) = &creation.rule_effects {
            write_effects(rules, c, row, effects, creation.now).await?;
        }
        self.mail().mail_on_created(c, row.id, creation.now).await?;
        self.sla()
            .reconcile_sla(c, row.id, creation.now, true)
            .await?;
        if let Some(k) = &creation.idempotency {
            c.insert_idempotency_key(
                creation.actor_id,
                &k.key,
                &k.request_hash,
                row.id,
                creation.now.as_micros(),
            )
            .await?;
        }
        Ok(())
    }
}

/// A creation of the batch that is not the repeat of an earlier request, with its requester.
struct Fresh<'a> {
    /// Its place in the batch.
    at: usize,
    creation: &'a Creation,
    requester: User,
}

/// The creations that no earlier request made, each with its requester (created here on
/// first contact).
async fn fresh_with_requesters<'a>(
    c: &mut Conn<'_>,
    creations: &[&'a Creation],
    repeated: &[Option<Result<Written>>],
) -> Result<Vec<Fresh<'a>>> {
    let mut fresh = Vec::with_capacity(creations.len());
    for (at, (creation, earlier)) in creations.iter().zip(repeated).enumerate() {
        if earlier.is_some() {
            continue;
        }
        let requester = match (&creation.requester, &creation.new_requester) {
            (Some(u), _) => u.clone(),
            (None, Some((email, name))) => {
                requester_for(c, email, name.as_deref(), creation.now).await?
            }
            (None, None) => return Err(CoreError::Unauthenticated),
        };
        fresh.push(Fresh {
            at,
            creation,
            requester,
        });
    }
    Ok(fresh)
}

/// The batch's rows with their reserved ids filled in.
struct Numbered {
    rows: Vec<TicketRecord>,
    tags: Vec<(TicketId, String)>,
    events: Vec<EventRecord>,
}

/// Gives each fresh ticket, its tags and its events the id reserved for it.
fn numbered(fresh: &[Fresh<'_>], ids: Vec<TicketId>) -> Numbered {
    let mut rows = Vec::with_capacity(fresh.len());
    let (mut tags, mut events) = (Vec::new(), Vec::new());
    for (f, id) in fresh.iter().zip(ids) {
        rows.push(TicketRecord {
            id,
            requester_id: f.requester.id,
            organization_id: f.requester.organization_id,
            ..f.creation.row.clone()
        });
        tags.extend(f.creation.tags.iter().map(|t| (id, t.clone())));
        events.extend(f.creation.events.iter().map(|e| EventRecord {
            ticket_id: id,
            ..e.clone()
        }));
    }
    Numbered { rows, tags, events }
}

/// What hangs on the stored tickets: tags, watchers, indexed field values and events.
async fn write_tags_watchers_fields_events(
    c: &mut Conn<'_>,
    fresh: &[Fresh<'_>],
    rows: &[TicketRecord],
    tags: &[(TicketId, String)],
    events: &[EventRecord],
) -> Result<()> {
    if !tags.is_empty() {
        c.bulk_tags(tags).await?;
    }
    for (f, row) in fresh.iter().zip(rows) {
        for w in &f.creation.watcher_ids {
            c.add_watcher(row.id, *w).await?;
        }
        if !f.creation.index.is_empty() {
            c.set_field_values(row.id, &f.creation.index).await?;
        }
    }
    if !events.is_empty() {
        c.bulk_events(events).await?;
    }
    Ok(())
}

/// The earlier outcome of a creation whose idempotency key was used before.
async fn repeated(c: &mut Conn<'_>, creation: &Creation) -> Result<Option<Result<Written>>> {
    let Some(k) = &creation.idempotency else {
        return Ok(None);
    };
    Ok(c.idempotency_key(creation.actor_id, &k.key)
        .await?
        .map(|(hash, id)| {
            if hash == k.request_hash {
                Ok(Written::Repeated { id })
            } else {
                Err(CoreError::IdempotencyMismatch)
            }
        }))
}

/// The requester with this address, created on first contact with their organization taken
/// from their email domain. Two creations for one new person in a batch find the first's
/// row; a concurrent creation elsewhere is a conflict, and the caller's retry finds it.
async fn requester_for(
    c: &mut Conn<'_>,
    email: &Email,
    name: Option<&str>,
    at: Timestamp,
) -> Result<User> {
    if let Some(u) = c.user_by_email(email.as_str()).await? {
        return Ok(u);
    }
    let mut row = User {
        id: UserId::new(0),
        email: email.clone(),
        name: name.map_or_else(|| email.local_part().to_owned(), str::to_owned),
        role: Role::Requester,
        organization_id: organization_for(c, email).await?,
        password_hash: None,
        active: true,
        created_at: at,
    };
    row.id = c.insert_user(&row).await.map_err(|e| match e {
        StoreError::Duplicate(_) => CoreError::Conflict("requester created concurrently".into()),
        other => other.into(),
    })?;
    tracing::info!(user_id = %row.id, "requester created on first contact");
    Ok(row)
}
