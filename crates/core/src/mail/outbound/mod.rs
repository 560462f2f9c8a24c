//! Mail the desk sends: the acknowledgement of a new ticket, agents' public replies, status
//! changes and resolution to the requester and watchers; assignment, @mention and
//! notification notices to agents.
//!
//! Three steps, each durable. (1) The change that causes mail queues a `mail.compose` job in
//! its own transaction ([`MailEvent`]), so mail is never lost nor sent for a change that
//! rolled back. (2) That job decides who gets what, renders the templates and stores each
//! message in the outbox with its Message-ID (also remembered in `mail_threads`, where
//! replies are threaded) and a `mail.send` job, in one transaction. (3) `mail.send` hands the
//! message to the mailbox's SMTP server outside any transaction, then records it sent. A
//! server that is down is retried with backoff; a permanent refusal (5xx), or running out of
//! attempts, leaves a `mail_failed` event on the ticket.
//!
//! Loop protection: nothing goes to the desk's own addresses, to senders whose mail was
//! stopped as a loop, to mailer daemons, or (automatic mail) to an address that had
//! [`AUTO_LIMIT`] automatic messages within the hour; no acknowledgement answers automatic
//! mail. Internal notes reach only agents they @mention.
//!
//! Deciding who gets what is here; rendering and storing each message is `compose`, its
//! names `names`, its files `files`, its links `links`, and handing it to the SMTP server
//! `send`.

mod compose;
mod files;
mod links;
mod names;
mod send;

use compose::status_label;

use frontline_domain::User;
use frontline_domain::{
    CommentId, CommentRecord, Role, Status, TicketId, TicketRecord, Timestamp, UserId,
};
use frontline_store::Conn;
use frontline_store::jobs::NewJob;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use files::MAX_ATTACHED_BYTES;
pub use links::PublicUrl;
pub use names::{MAX_MAILBOX_NAME, MailboxName};

use crate::cache::Cached;
use crate::notify::Notification;
use crate::{Actor, CoreError, Mail, Result};

/// Decides and renders a change's mail; its payload is a [`MailEvent`].
pub const COMPOSE_JOB: &str = "mail.compose";
/// Sends one stored message; its payload is the outbox id.
pub const SEND_JOB: &str = "mail.send";
/// Attempts at sending one message: with the worker's backoff (10 s doubling, at most an
/// hour) the last is about a day after the first.
pub const SEND_ATTEMPTS: i64 = 30;
/// Most automatic messages one address gets within an hour.
pub const AUTO_LIMIT: i64 = 20;
const HOUR_MICROS: i64 = 3_600 * 1_000_000;
const AUTO_GENERATED: &str = "auto-generated";
const AUTO_REPLIED: &str = "auto-replied";
/// Message-IDs of a thread a message refers to.
const MAX_REFERENCES: i64 = 20;

/// A change that may cause mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailEvent {
    pub ticket_id: TicketId,
    /// Who made the change; `None` for the desk itself.
    pub actor_id: Option<UserId>,
    #[serde(flatten)]
    pub cause: MailCause,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum MailCause {
    Created,
    /// A public reply by an agent.
    Replied {
        comment_id: CommentId,
    },
    /// An internal note by an agent (it may @mention colleagues).
    Note {
        comment_id: CommentId,
    },
    Status {
        old: String,
        new: String,
    },
    Assigned {
        assignee_id: UserId,
    },
}

/// Whether any mailbox sends mail, as last read: a desk without outbound mail queues no jobs
/// for it (see `cache` for how stale this may be on another node).
#[derive(Default)]
pub(crate) struct OutboundCache(Cached<bool>);

impl OutboundCache {
    async fn configured(&self, c: &mut Conn<'_>) -> Result<bool> {
        if let Some(v) = self.0.fresh() {
            return Ok(*v);
        }
        let any = c.mailboxes().await?.iter().any(|m| m.smtp_url.is_some());
        Ok(*self.0.put(any))
    }

    pub(crate) fn forget(&self) {
        self.0.forget();
    }
}

/// What became of one attempt at sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Sent,
    /// Sent or failed before (a job that ran twice).
    Finished,
    Permanent(String),
    Transient(String),
}

/// One message to render: the template, its recipient and the values only it has.
struct Planned {
    template: &'static str,
    to: User,
    /// `Auto-Submitted`: `auto-generated`, `auto-replied` (answering a message), or `None`
    /// for mail a person's action wrote.
    auto: Option<&'static str>,
    comment: Option<CommentRecord>,
}

impl Mail {
    /// Queues the acknowledgement of ticket `ticket_id`, created in the caller's transaction.
    pub(crate) async fn mail_on_created(
        &self,
        c: &mut Conn<'_>,
        ticket_id: TicketId,
        now: Timestamp,
    ) -> Result<()> {
        let event = MailEvent {
            ticket_id,
            actor_id: None,
            cause: MailCause::Created,
        };
        self.queue_mail(c, &event, now).await
    }

    /// Queues the mail an agent's comment causes: a public reply goes to the requester and
    /// watchers, a note only to the agents it @mentions. A requester's own reply sends none.
    pub(crate) async fn mail_on_comment(
        &self,
        c: &mut Conn<'_>,
        comment: &CommentRecord,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<()> {
        if !actor.is_staff() || (comment.internal && !comment.body.contains('@')) {
            return Ok(());
        }
        let cause = if comment.internal {
            MailCause::Note {
                comment_id: comment.id,
            }
        } else {
            MailCause::Replied {
                comment_id: comment.id,
            }
        };
        let event = MailEvent {
            ticket_id: comment.ticket_id,
            actor_id: Some(actor.id),
            cause,
        };
        self.queue_mail(c, &event, now).await
    }

    /// Queues the mail a change of status or assignee causes.
    pub(crate) async fn mail_on_update(
        &self,
        c: &mut Conn<'_>,
        old: &TicketRecord,
        new: &TicketRecord,
        actor_id: Option<UserId>,
        now: Timestamp,
    ) -> Result<()> {
        if old.status != new.status {
            let cause = MailCause::Status {
                old: old.status.as_str().to_owned(),
                new: new.status.as_str().to_owned(),
            };
            let event = MailEvent {
                ticket_id: new.id,
                actor_id,
                cause,
            };
            self.queue_mail(c, &event, now).await?;
        }
        if let Some(assignee_id) = new.assignee_id.filter(|a| Some(*a) != old.assignee_id) {
            let event = MailEvent {
                ticket_id: new.id,
                actor_id,
                cause: MailCause::Assigned { assignee_id },
            };
            self.queue_mail(c, &event, now).await?;
        }
        Ok(())
    }

    async fn queue_mail(&self, c: &mut Conn<'_>, event: &MailEvent, now: Timestamp) -> Result<()> {
        if self.core.outbound.configured(c).await? {
            enqueue(c, event, now).await?;
        }
        Ok(())
    }

    /// Decides, renders and stores the mail `event` causes, each message with its send job,
    /// in the caller's (the compose job's) transaction. Returns how many messages.
    pub async fn compose_mail(&self, c: &mut Conn<'_>, event: &MailEvent) -> Result<usize> {
        let Some(ticket) = c.ticket_view(event.ticket_id).await? else {
            return Ok(0);
        };
        let actor = match event.actor_id {
            Some(id) => c.user_by_id(id).await?,
            None => None,
        };
        let actor_id = actor.as_ref().map(|a| a.id);
        let mut plan = Vec::new();
        let mut change = json!({"old": "", "new": "", "old_label": "", "new_label": ""});
        match &event.cause {
            MailCause::Created => {
                match self.opened_by_mail(c, ticket.record.id).await? {
                    Some(true) => tracing::info!(
                        ticket_id = %ticket.record.id,
                        "no acknowledgement: the ticket came from automatic mail"
                    ),
                    opened => {
                        // Answering a message is an auto-reply (RFC 3834); otherwise the
                        // desk writes of its own accord.
                        let auto = match opened {
                            Some(_) => AUTO_REPLIED,
                            None => AUTO_GENERATED,
                        };
                        if let Some(r) = c.user_by_id(ticket.record.requester_id).await? {
                            plan.push(planned("ticket_created", r, Some(auto), None));
                        }
                    }
                }
            }
            MailCause::Replied { comment_id } | MailCause::Note { comment_id } => {
                let Some(comment) = c.comment_row(*comment_id).await? else {
                    return Ok(0);
                };
                if !comment.internal {
                    for person in followers(c, &ticket.record, actor_id).await? {
                        plan.push(planned("agent_reply", person, None, Some(comment.clone())));
                    }
                }
                for agent in mentioned(c, &comment.body, comment.author_id).await? {
                    plan.push(planned(
                        "mentioned",
                        agent,
                        Some(AUTO_GENERATED),
                        Some(comment.clone()),
                    ));
                }
            }
            MailCause::Status { old, new } => {
                // Triage opening a new ticket is no news to the requester.
                if !(old == "new" && new == "open") {
                    let template = if new == Status::Resolved.as_str() {
                        "ticket_resolved"
                    } else {
                        "status_changed"
                    };
                    for person in followers(c, &ticket.record, actor_id).await? {
                        plan.push(planned(template, person, Some(AUTO_GENERATED), None));
                    }
                    change = json!({
                        "old": old, "new": new,
                        "old_label": status_label(old), "new_label": status_label(new),
                    });
                }
            }
            MailCause::Assigned { assignee_id } => {
                if Some(*assignee_id) != actor_id
                    && let Some(agent) = c.user_by_id(*assignee_id).await?
                    && is_staff(&agent)
                {
                    plan.push(planned("assigned", agent, Some(AUTO_GENERATED), None));
                }
            }
        }
        let extra = json!({"change": change, "reason": {"code": "", "label": ""}});
        self.store_messages(c, &ticket, actor.as_ref(), plan, &extra)
            .await
    }

    /// A `notify` job: the people it names get the notification template (SLA warnings
    /// and breaches, rule notifications), and the trail records that they were notified.
    pub async fn mail_notification(&self, c: &mut Conn<'_>, n: &Notification) -> Result<usize> {
        let Some(ticket) = c.ticket_view(n.ticket_id).await? else {
            return Err(CoreError::NotFound("ticket"));
        };
        let mut plan = Vec::new();
        if self.core.outbound.configured(c).await? {
            let mut seen = Vec::new();
            for id in &n.recipients {
                if seen.contains(id) {
                    continue;
                }
                seen.push(*id);
                if let Some(u) = c.user_by_id(*id).await? {
                    plan.push(planned("notification", u, Some(AUTO_GENERATED), None));
                }
            }
        }
        let extra = json!({
            "change": {"old": "", "new": "", "old_label": "", "new_label": ""},
            "reason": {"code": n.reason, "label": reason_label(&n.reason)},
        });
        self.store_messages(c, &ticket, None, plan, &extra).await
    }

    /// Whether mail opened the ticket (`None`: it did not), and if so whether that mail was
    /// an automatic one (acknowledging it could start a loop with another robot).
    async fn opened_by_mail(&self, c: &mut Conn<'_>, ticket_id: TicketId) -> Result<Option<bool>> {
        let Some(raw) = c.opening_message(ticket_id).await? else {
            return Ok(None);
        };
        Ok(Some(
            match frontline_mail::parse(&raw, super::MAX_MESSAGE_BYTES) {
                Ok(m) => m.automatic.is_some(),
                Err(_) => true,
            },
        ))
    }
}

/// Queues the mail of a comment an automation rule wrote, as [`Mail::mail_on_comment`] does
/// for people: rules write their effects without the desk's handle, so this asks the
/// database whether any mailbox sends.
pub(crate) async fn queue_rule_comment(
    c: &mut Conn<'_>,
    ticket_id: TicketId,
    comment_id: CommentId,
    author_id: UserId,
    body: &str,
    internal: bool,
    now: Timestamp,
) -> Result<()> {
    if internal && !body.contains('@') {
        return Ok(());
    }
    if !c.mailboxes().await?.iter().any(|m| m.smtp_url.is_some()) {
        return Ok(());
    }
    let cause = if internal {
        MailCause::Note { comment_id }
    } else {
        MailCause::Replied { comment_id }
    };
    let event = MailEvent {
        ticket_id,
        actor_id: Some(author_id),
        cause,
    };
    enqueue(c, &event, now).await
}

async fn enqueue(c: &mut Conn<'_>, event: &MailEvent, now: Timestamp) -> Result<()> {
    let job = NewJob {
        kind: COMPOSE_JOB.to_owned(),
        payload: serde_json::to_string(event).map_err(|e| CoreError::Internal(e.to_string()))?,
        dedup_key: None,
        run_at: now.as_micros(),
        max_attempts: 10,
    };
    c.enqueue_job(&job, now.as_micros()).await?;
    Ok(())
}

fn planned(
    template: &'static str,
    to: User,
    auto: Option<&'static str>,
    comment: Option<CommentRecord>,
) -> Planned {
    Planned {
        template,
        to,
        auto,
        comment,
    }
}

fn is_staff(u: &User) -> bool {
    u.role != Role::Requester
}

/// The requester and the watchers, without the person who made the change.
async fn followers(
    c: &mut Conn<'_>,
    ticket: &TicketRecord,
    actor_id: Option<UserId>,
) -> Result<Vec<User>> {
    let mut ids = vec![ticket.requester_id];
    for w in c.watcher_ids(ticket.id).await? {
        if !ids.contains(&w) {
            ids.push(w);
        }
    }
    let mut people = Vec::new();
    for id in ids.into_iter().filter(|id| Some(*id) != actor_id) {
        if let Some(u) = c.user_by_id(id).await? {
            people.push(u);
        }
    }
    Ok(people)
}

/// The agents a comment @mentions by address (`@ana@example.org`), never its author, never
/// a requester: a note stays among the desk's staff.
async fn mentioned(c: &mut Conn<'_>, body: &str, author_id: UserId) -> Result<Vec<User>> {
    let mut found: Vec<User> = Vec::new();
    for word in body.split_whitespace() {
        let Some(rest) = word.strip_prefix('@') else {
            continue;
        };
        let address = rest
            .trim_end_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        if !address.contains('@') || found.iter().any(|u| u.email == address) {
            continue;
        }
        if let Some(u) = c.user_by_email(&address).await?
            && u.id != author_id
            && u.active
            && is_staff(&u)
        {
            found.push(u);
        }
        if found.len() >= 20 {
            break;
        }
    }
    Ok(found)
}

/// A notification's reason (`sla_breached:first_response`, `rule:Name`) in words.
fn reason_label(reason: &str) -> String {
    let (kind, detail) = reason.split_once(':').unwrap_or((reason, ""));
    let detail = detail.replace('_', " ");
    let what = match kind {
        "sla_warning" => "SLA warning",
        "sla_breached" => "SLA breached",
        "sla_escalated" => "SLA escalated",
        "rule" => "Rule",
        other => other,
    };
    if detail.is_empty() {
        what.to_owned()
    } else {
        format!("{what} ({detail})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_events_read_back() {
        let e = MailEvent {
            ticket_id: TicketId::new(7),
            actor_id: Some(UserId::new(3)),
            cause: MailCause::Status {
                old: "open".into(),
                new: "resolved".into(),
            },
        };
        let text = serde_json::to_string(&e).expect("serializes");
        assert!(text.contains("\"cause\":\"status\""), "{text}");
        assert_eq!(serde_json::from_str::<MailEvent>(&text).expect("reads"), e);
    }

    #[test]
    fn reasons_read_well() {
        assert_eq!(
            reason_label("sla_breached:first_response"),
            "SLA breached (first response)"
        );
        assert_eq!(reason_label("rule:Remind"), "Rule (Remind)");
    }
}
