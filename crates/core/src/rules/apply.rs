//! Running the cached rules over one ticket and carrying out what fired: field changes on the
//! row the operation is about to write, and effects (comments, notifications, webhooks) that
//! need the ticket's id, written in the same transaction.

use frontline_domain::rules::{Action, Facts, Recipient, Trigger, run};
use frontline_domain::{
    CommentId, CommentRecord, Email, EventId, EventKind, EventRecord, Priority, Role, RuleId,
    Status, Ticket, TicketId, TicketRecord, TicketType, Timestamp, UserId,
};
use frontline_store::Conn;
use frontline_store::jobs::NewJob;
use serde_json::{Value, json};

use super::{LOOP_LIMIT, LOOP_WINDOW_MICROS, Loaded, RuleSet, WEBHOOK_JOB};
use crate::notify::{self, Notification};
use crate::{CoreError, Result};

/// What needs the ticket written first.
#[derive(Debug, Clone)]
pub(crate) enum Effect {
    Comment {
        author_id: UserId,
        author_role: Role,
        body: String,
        internal: bool,
    },
    Notify {
        key: String,
        reason: String,
        recipients: Vec<Recipient>,
    },
    Webhook {
        key: String,
        url: String,
        body: Value,
    },
}

/// What the rules that fired did, besides the facts they changed.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// `rule_applied` events, one per action, with `ticket_id` left at 0.
    pub events: Vec<EventRecord>,
    pub effects: Vec<Effect>,
}

impl Outcome {
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

/// The ticket as rules see it.
pub(crate) fn facts_of(v: &Ticket) -> Facts {
    let r = &v.record;
    Facts {
        status: r.status.as_str().to_owned(),
        priority: r.priority.as_str().to_owned(),
        ticket_type: r.ticket_type.as_str().to_owned(),
        category: v.category_path.clone(),
        group: v.group_name.clone(),
        assignee: v.assignee_email.as_ref().map(Email::to_string),
        organization: v.organization_name.clone(),
        channel: r.channel.as_str().to_owned(),
        tags: v.tags.clone(),
        custom: r.custom_fields.clone(),
        requester: v.requester_email.to_string(),
        subject: r.subject.clone(),
        description: r.description.clone(),
        update: Vec::new(),
    }
}

/// Runs the rules of `trigger` (or the one rule `only`) over `facts`, which it updates, and
/// collects their events and effects. `cause` makes the dedup keys of their jobs unique to
/// this occasion (`created`, `v7` for a version, `t…` for a time period).
pub(crate) fn run_rules(
    set: &RuleSet,
    trigger: Trigger,
    facts: &mut Facts,
    before: Option<&Facts>,
    only: Option<RuleId>,
    cause: &str,
    at: Timestamp,
) -> Outcome {
    let rules: Vec<&Loaded> = set
        .rules
        .iter()
        .filter(|r| only.is_none_or(|id| r.id == id))
        .collect();
    let fired = run(&rules, trigger, facts, before);
    let mut out = Outcome::default();
    for f in fired {
        let rule = rules[f.index];
        let name = &rule.rule.name;
        for (i, action) in rule.rule.actions.iter().enumerate() {
            out.events.push(EventRecord {
                id: EventId::default(),
                ticket_id: TicketId::new(0),
                actor_id: None,
                at,
                kind: EventKind::RuleApplied,
                field: Some(name.clone()),
                old_value: None,
                new_value: Some(action.describe()),
                internal: true,
            });
            let key = format!("rule:{}:{cause}:{i}", rule.id);
            match action {
                Action::AddNote { body } | Action::Reply { body } => {
                    out.effects.push(Effect::Comment {
                        author_id: rule.author_id,
                        author_role: rule.author_role,
                        body: body.clone(),
                        internal: matches!(action, Action::AddNote { .. }),
                    })
                }
                Action::Notify { recipients } => out.effects.push(Effect::Notify {
                    key,
                    reason: format!("rule:{name}"),
                    recipients: recipients.clone(),
                }),
                Action::Webhook { url } => out.effects.push(Effect::Webhook {
                    key,
                    url: url.clone(),
                    body: json!({
                        "rule": name,
                        "trigger": trigger.as_str(),
                        "ticket": {
                            "subject": facts.subject,
                            "status": facts.status,
                            "priority": facts.priority,
                            "type": facts.ticket_type,
                            "category": facts.category,
                            "group": facts.group,
                            "assignee": facts.assignee,
                            "organization": facts.organization,
                            "requester": facts.requester,
                            "channel": facts.channel,
                            "tags": facts.tags,
                        },
                    }),
                }),
                _ => {}
            }
        }
    }
    out
}

/// Carries the field changes from `before` to `after` into `row`, with the ids the rule set
/// resolved when it was loaded. Tags are the caller's (they live in their own table).
pub(crate) fn apply_fields(
    set: &RuleSet,
    before: &Facts,
    after: &Facts,
    row: &mut TicketRecord,
    at: Timestamp,
) {
    if after.status != before.status
        && let Ok(s) = Status::parse("status", &after.status)
    {
        row.set_status(s, at);
    }
    if after.priority != before.priority
        && let Ok(p) = Priority::parse("priority", &after.priority)
    {
        row.priority = p;
        row.priority_overridden = true;
    }
    if after.ticket_type != before.ticket_type
        && let Ok(t) = TicketType::parse("type", &after.ticket_type)
    {
        row.ticket_type = t;
    }
    // A name that no longer resolves (its group or agent was removed since the rule was
    // written) leaves the field as it was rather than clearing it.
    if after.group != before.group {
        match &after.group {
            None => row.group_id = None,
            Some(g) => row.group_id = set.groups.get(&g.to_lowercase()).copied().or(row.group_id),
        }
    }
    if after.assignee != before.assignee {
        match &after.assignee {
            None => row.assignee_id = None,
            Some(e) => {
                row.assignee_id = set
                    .people
                    .get(&e.to_lowercase())
                    .copied()
                    .or(row.assignee_id)
            }
        }
    }
    if after.category != before.category {
        match &after.category {
            None => row.category_id = None,
            Some(p) => row.category_id = set.categories.get(p).copied().or(row.category_id),
        }
    }
}

/// True when rules may still act on the ticket (see [`LOOP_LIMIT`]).
pub(crate) async fn within_limit(
    c: &mut Conn<'_>,
    ticket_id: TicketId,
    now: Timestamp,
) -> Result<bool> {
    let recent = c
        .rule_events_since(ticket_id, now.as_micros() - LOOP_WINDOW_MICROS)
        .await?;
    if recent >= LOOP_LIMIT {
        tracing::warn!(
            %ticket_id,
            recent,
            "rules acted on this ticket too often; leaving it to people for now"
        );
    }
    Ok(recent < LOOP_LIMIT)
}

/// Writes the rules' events and effects for the stored `row`.
pub(crate) async fn write_outcome(
    set: &RuleSet,
    c: &mut Conn<'_>,
    row: &TicketRecord,
    out: Outcome,
    now: Timestamp,
) -> Result<()> {
    let events: Vec<EventRecord> = out
        .events
        .into_iter()
        .map(|e| EventRecord {
            ticket_id: row.id,
            ..e
        })
        .collect();
    c.bulk_events(&events).await?;
    write_effects(set, c, row, &out.effects, now).await
}

/// Writes the effects for the stored `row`: comments with their events, and notification and
/// webhook jobs under dedup keys.
pub(crate) async fn write_effects(
    set: &RuleSet,
    c: &mut Conn<'_>,
    row: &TicketRecord,
    effects: &[Effect],
    now: Timestamp,
) -> Result<()> {
    for e in effects {
        match e {
            Effect::Comment {
                author_id,
                author_role,
                body,
                internal,
            } => {
                let comment = RuleComment {
                    author_id: *author_id,
                    author_role: *author_role,
                    body,
                    internal: *internal,
                };
                write_comment(c, row.id, comment, now).await?
            }
            Effect::Notify {
                key,
                reason,
                recipients,
            } => {
                let ids = recipient_ids(set, c, row, recipients).await?;
                if !ids.is_empty() {
                    let n = Notification {
                        ticket_id: row.id,
                        reason: reason.clone(),
                        recipients: ids,
                    };
                    let key = format!("{key}:{}", row.id);
                    notify::enqueue(c, &n, key, now.as_micros()).await?;
                }
            }
            Effect::Webhook { key, url, body } => {
                queue_webhook(c, row.id, key, url, body, now).await?
            }
        }
    }
    Ok(())
}

/// A note or reply a rule writes as its author.
struct RuleComment<'a> {
    author_id: UserId,
    author_role: Role,
    body: &'a str,
    internal: bool,
}

/// Writes the comment, its event, and the mail a public reply sends.
async fn write_comment(
    c: &mut Conn<'_>,
    ticket_id: TicketId,
    comment: RuleComment<'_>,
    now: Timestamp,
) -> Result<()> {
    let RuleComment {
        author_id,
        author_role,
        body,
        internal,
    } = comment;
    let id = c
        .insert_comment(&CommentRecord {
            id: CommentId::new(0),
            ticket_id,
            author_id,
            body: body.to_owned(),
            internal,
            source_ticket_id: ticket_id,
            created_at: now,
        })
        .await?;
    let (kind, field) = if internal {
        (EventKind::NoteAdded, None)
    } else {
        (EventKind::Replied, Some(author_role.as_str().to_owned()))
    };
    c.insert_event(&EventRecord {
        id: EventId::default(),
        ticket_id,
        actor_id: Some(author_id),
        at: now,
        kind,
        field,
        old_value: None,
        new_value: Some(id.to_string()),
        internal,
    })
    .await?;
    crate::mail::outbound::queue_rule_comment(c, ticket_id, id, author_id, body, internal, now)
        .await
}

/// The people `recipients` name on the ticket, each once, in the order named.
async fn recipient_ids(
    set: &RuleSet,
    c: &mut Conn<'_>,
    row: &TicketRecord,
    recipients: &[Recipient],
) -> Result<Vec<UserId>> {
    let mut ids = Vec::new();
    for r in recipients {
        match r {
            Recipient::Assignee => ids.extend(row.assignee_id),
            Recipient::Requester => ids.push(row.requester_id),
            Recipient::Group => {
                if let Some(g) = row.group_id {
                    ids.extend(c.group_member_ids(g).await?);
                }
            }
            Recipient::Managers => ids.extend(c.manager_ids().await?),
            Recipient::Person(e) => ids.extend(set.people.get(&e.to_lowercase())),
        }
    }
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    Ok(ids)
}

/// Queues the webhook's POST, the ticket's id added to its body.
async fn queue_webhook(
    c: &mut Conn<'_>,
    ticket_id: TicketId,
    key: &str,
    url: &str,
    body: &Value,
    now: Timestamp,
) -> Result<()> {
    let at = now.as_micros();
    let mut body = body.clone();
    if let Some(t) = body.get_mut("ticket").and_then(Value::as_object_mut) {
        t.insert("id".into(), json!(ticket_id));
    }
    let payload = json!({ "url": url, "body": body });
    c.enqueue_job(
        &NewJob {
            kind: WEBHOOK_JOB.to_owned(),
            payload: payload.to_string(),
            dedup_key: Some(format!("{key}:{ticket_id}")),
            run_at: at,
            max_attempts: 8,
        },
        at,
    )
    .await
    .map_err(CoreError::from)?;
    Ok(())
}
