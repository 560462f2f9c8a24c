//! Opening a ticket: by a requester for themselves, or by an agent on someone's behalf (a
//! phone call, a monitoring system), which creates the requester if they are new.

use frontline_domain::{
    CategoryPath, Email, EventKind, Level, Priority, Role, Status, Subject, Tag, TicketType,
};
use frontline_store::tickets::{TicketRow, TicketView};
use frontline_store::users::UserRow;
use frontline_store::{Conn, StoreError};
use serde_json::{Map, Value};

use super::fields;
use super::trail::Trail;
use crate::config::TicketConfig;
use crate::people::organization_for;
use crate::{Actor, CoreError, Desk, Result};

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
    pub group: Option<String>,
    pub assignee: Option<Email>,
    pub tags: Vec<Tag>,
    pub watchers: Vec<Email>,
    pub custom_fields: Map<String, Value>,
    pub channel: String,
}

impl NewTicket {
    /// An incident of medium impact and urgency from `channel`, with nothing else set; the
    /// other fields are changed with struct update syntax.
    pub fn new(subject: Subject, description: impl Into<String>, channel: &str) -> Self {
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
            group: None,
            assignee: None,
            tags: Vec::new(),
            watchers: Vec::new(),
            custom_fields: Map::new(),
            channel: channel.to_owned(),
        }
    }
}

/// A client's `Idempotency-Key` and the hash of the request it came with.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub key: String,
    pub request_hash: String,
}

#[derive(Debug)]
pub struct Created {
    pub ticket: TicketView,
    /// False when an idempotency key matched an earlier creation.
    pub fresh: bool,
}

impl Desk {
    pub async fn create_ticket(
        &self,
        actor: &Actor,
        new: NewTicket,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Created> {
        if !actor.is_staff() {
            check_requester_may_open(actor, &new)?;
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
        let resolved = {
            let mut read = self.store.read().await?;
            let mut c = read.conn();
            let config = self.ticket_config.get(&mut c).await?;
            resolve(&mut c, actor, new, &config).await?
        };
        let now = self.now();
        let mut tx = self.begin().await?;
        if let Some(k) = idem
            && let Some((hash, id)) = tx.conn().idempotency_key(actor.id, &k.key).await?
        {
            if hash != k.request_hash {
                return Err(CoreError::IdempotencyMismatch);
            }
            let ticket = tx
                .conn()
                .ticket_view(id)
                .await?
                .ok_or(CoreError::NotFound("ticket"))?;
            return Ok(Created {
                ticket,
                fresh: false,
            });
        }
        let mut c = tx.conn();
        let requester = match resolved.requester {
            Some(u) => u,
            // New to the desk: created in this transaction (a concurrent creation is a
            // conflict, and the retry finds the person).
            None => match &new.requester {
                Some(email) => requester_for(&mut c, email, now.as_micros()).await?,
                None => return Err(CoreError::Unauthenticated),
            },
        };
        let Resolved {
            category_id,
            group_id,
            assignee,
            watcher_ids,
            custom,
            index,
            matrix,
            ..
        } = resolved;
        let status = new.status.unwrap_or(Status::New);
        let at = now.as_micros();
        let mut row = TicketRow {
            id: 0,
            subject: new.subject.as_str().to_owned(),
            description: new.description.clone(),
            status: status.as_str().to_owned(),
            ticket_type: new.ticket_type.as_str().to_owned(),
            impact: new.impact.as_str().to_owned(),
            urgency: new.urgency.as_str().to_owned(),
            priority: new
                .priority
                .unwrap_or_else(|| matrix.priority(new.impact, new.urgency))
                .rank(),
            priority_overridden: new.priority.is_some(),
            category_id,
            requester_id: requester.id,
            organization_id: requester.organization_id,
            group_id,
            assignee_id: assignee.as_ref().map(|a| a.id),
            channel: new.channel.clone(),
            custom_fields: Value::Object(custom).to_string(),
            merged_into_id: None,
            version: 1,
            created_at: at,
            updated_at: at,
            first_response_at: None,
            resolved_at: (status == Status::Resolved).then_some(at),
            closed_at: (status == Status::Closed).then_some(at),
        };
        row.id = c.insert_ticket(&row).await?;
        if !new.tags.is_empty() {
            let tags: std::collections::BTreeSet<&str> =
                new.tags.iter().map(|t| t.as_str()).collect();
            let tags: Vec<(i64, String)> =
                tags.into_iter().map(|t| (row.id, t.to_owned())).collect();
            c.bulk_tags(&tags).await?;
        }
        for w in &watcher_ids {
            c.add_watcher(row.id, *w).await?;
        }
        if !index.is_empty() {
            c.set_field_values(row.id, &index).await?;
        }
        let mut trail = Trail::new(row.id, Some(actor.id), now);
        trail.push(
            EventKind::Created,
            Some("status"),
            None,
            Some(row.status.clone()),
            false,
        );
        trail.changed("group", None, new.group.clone());
        trail.changed("assignee", None, assignee.as_ref().map(|a| a.email.clone()));
        trail.write(&mut c).await?;
        self.reconcile_sla(&mut c, row.id, now, true).await?;
        if let Some(k) = idem {
            c.insert_idempotency_key(actor.id, &k.key, &k.request_hash, row.id, at)
                .await?;
        }
        tx.commit().await?;
        tracing::info!(ticket_id = row.id, actor = actor.id, "ticket created");
        // The ticket as stored is known from what was written; only an organization's name
        // or watchers' addresses would need reading back (outside the write transaction).
        let ticket = if watcher_ids.is_empty() && row.organization_id.is_none() {
            let mut tags: Vec<String> = new.tags.iter().map(|t| t.as_str().to_owned()).collect();
            tags.sort();
            tags.dedup();
            TicketView {
                requester_email: requester.email,
                requester_name: requester.name,
                organization_name: None,
                group_name: new.group.clone(),
                assignee_email: assignee.map(|a| a.email),
                category_path: new.category.as_ref().map(|c| c.as_str().to_owned()),
                sla: Default::default(),
                tags,
                watchers: Vec::new(),
                row,
            }
        } else {
            let mut read = self.store.read().await?;
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
}

/// What a new ticket refers to, read before the write transaction begins.
struct Resolved {
    /// `None` when the requester is new to the desk and must be created.
    requester: Option<UserRow>,
    category_id: Option<i64>,
    group_id: Option<i64>,
    assignee: Option<UserRow>,
    watcher_ids: Vec<i64>,
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

/// Requesters open tickets for themselves and describe them; triage is the desk's job.
fn check_requester_may_open(actor: &Actor, new: &NewTicket) -> Result<()> {
    if new
        .requester
        .as_ref()
        .is_some_and(|r| r.as_str() != actor.email)
    {
        return Err(CoreError::forbidden(
            "requesters open tickets for themselves only",
        ));
    }
    let staff_only = [
        ("priority", new.priority.is_some()),
        ("status", new.status.is_some()),
        ("group", new.group.is_some()),
        ("assignee", new.assignee.is_some()),
        ("tags", !new.tags.is_empty()),
        ("impact", new.impact != Level::Medium),
    ];
    if let Some((field, _)) = staff_only.iter().find(|(_, set)| *set) {
        return Err(CoreError::forbidden(format!("only agents may set {field}")));
    }
    Ok(())
}

/// The requester with this address, created on first contact with their organization taken
/// from their email domain.
async fn requester_for(c: &mut Conn<'_>, email: &Email, at: i64) -> Result<UserRow> {
    if let Some(u) = c.user_by_email(email.as_str()).await? {
        return Ok(u);
    }
    let mut row = UserRow {
        id: 0,
        email: email.to_string(),
        name: email.local_part().to_owned(),
        role: Role::Requester.as_str().to_owned(),
        organization_id: organization_for(c, email).await?,
        password_hash: None,
        active: true,
        created_at: at,
    };
    row.id = c.insert_user(&row).await.map_err(|e| match e {
        StoreError::Duplicate(_) => CoreError::Conflict("requester created concurrently".into()),
        other => other.into(),
    })?;
    tracing::info!(user_id = row.id, "requester created on first contact");
    Ok(row)
}
