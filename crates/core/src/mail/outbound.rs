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

use std::sync::Arc;

use frontline_domain::{EventKind, Priority, Role, Status, Timestamp};
use frontline_mail::outbound::{Outgoing, SendError, SmtpAuth};
use frontline_mail::{SmtpUrl, subject};
use frontline_store::Conn;
use frontline_store::comments::CommentRow;
use frontline_store::events::EventRow;
use frontline_store::jobs::NewJob;
use frontline_store::mail::MailboxRow;
use frontline_store::outbox::{OUT_FAILED, OUT_SENT, OutboxRow};
use frontline_store::tickets::{TicketRow, TicketView};
use frontline_store::users::UserRow;
use minijinja::Value;
use minijinja::value::Serde;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::templates::{MailTemplate, REPLY_MARKER};
use crate::cache::Cached;
use crate::notify::Notification;
use crate::{Actor, CoreError, Desk, Result};

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
    pub ticket_id: i64,
    /// Who made the change; `None` for the desk itself.
    pub actor_id: Option<i64>,
    #[serde(flatten)]
    pub cause: MailCause,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum MailCause {
    Created,
    /// A public reply by an agent.
    Replied {
        comment_id: i64,
    },
    /// An internal note by an agent (it may @mention colleagues).
    Note {
        comment_id: i64,
    },
    Status {
        old: String,
        new: String,
    },
    Assigned {
        assignee_id: i64,
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
    to: UserRow,
    /// `Auto-Submitted`: `auto-generated`, `auto-replied` (answering a message), or `None`
    /// for mail a person's action wrote.
    auto: Option<&'static str>,
    comment: Option<CommentRow>,
}

impl Desk {
    /// Queues the acknowledgement of ticket `ticket_id`, created in the caller's transaction.
    pub(crate) async fn mail_on_created(
        &self,
        c: &mut Conn<'_>,
        ticket_id: i64,
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
        comment: &CommentRow,
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
        old: &TicketRow,
        new: &TicketRow,
        actor_id: Option<i64>,
        now: Timestamp,
    ) -> Result<()> {
        if old.status != new.status {
            let cause = MailCause::Status {
                old: old.status.clone(),
                new: new.status.clone(),
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
        if self.outbound.configured(c).await? {
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
                match self.opened_by_mail(c, ticket.row.id).await? {
                    Some(true) => tracing::info!(
                        ticket_id = ticket.row.id,
                        "no acknowledgement: the ticket came from automatic mail"
                    ),
                    opened => {
                        // Answering a message is an auto-reply (RFC 3834); otherwise the
                        // desk writes of its own accord.
                        let auto = match opened {
                            Some(_) => AUTO_REPLIED,
                            None => AUTO_GENERATED,
                        };
                        if let Some(r) = c.user_by_id(ticket.row.requester_id).await? {
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
                    for person in followers(c, &ticket.row, actor_id).await? {
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
                    for person in followers(c, &ticket.row, actor_id).await? {
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
        if self.outbound.configured(c).await? {
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
    async fn opened_by_mail(&self, c: &mut Conn<'_>, ticket_id: i64) -> Result<Option<bool>> {
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

    /// The mailbox mail about the ticket goes out from: the one its mail came in by, when
    /// that one sends, else the first that does.
    async fn sending_mailbox(
        &self,
        c: &mut Conn<'_>,
        mailboxes: &[MailboxRow],
        ticket_id: i64,
    ) -> Result<Option<MailboxRow>> {
        let sending = |m: &&MailboxRow| m.smtp_url.is_some() && m.state == "active";
        if let Some(id) = c.ticket_mailbox(ticket_id).await?
            && let Some(m) = mailboxes.iter().filter(sending).find(|m| m.id == id)
        {
            return Ok(Some(m.clone()));
        }
        Ok(mailboxes
            .iter()
            .filter(sending)
            .min_by_key(|m| m.id)
            .cloned())
    }

    async fn store_messages(
        &self,
        c: &mut Conn<'_>,
        ticket: &TicketView,
        actor: Option<&UserRow>,
        plan: Vec<Planned>,
        extra: &serde_json::Value,
    ) -> Result<usize> {
        if plan.is_empty() {
            return Ok(0);
        }
        let mailboxes = c.mailboxes().await?;
        let Some(mailbox) = self.sending_mailbox(c, &mailboxes, ticket.row.id).await? else {
            tracing::debug!(
                ticket_id = ticket.row.id,
                "no mailbox sends mail; none sent"
            );
            return Ok(0);
        };
        let own: Vec<String> = mailboxes.iter().map(|m| m.address.to_lowercase()).collect();
        let now = self.now().as_micros();
        let thread = c.thread_message_ids(ticket.row.id, MAX_REFERENCES).await?;
        let domain = mailbox
            .address
            .rsplit_once('@')
            .map_or("frontline.invalid", |(_, d)| d)
            .to_owned();
        let mut templates = Vec::new();
        let mut sent_to: Vec<(&'static str, String)> = Vec::new();
        let mut count = 0;
        for p in plan {
            let address = p.to.email.to_lowercase();
            if sent_to.contains(&(p.template, address.clone())) {
                continue;
            }
            if let Some(why) = refuse(c, &p, &address, &own, now).await? {
                tracing::info!(
                    ticket_id = ticket.row.id,
                    template = p.template,
                    why,
                    "mail not sent"
                );
                continue;
            }
            sent_to.push((p.template, address.clone()));
            let template = match templates.iter().find(|(n, _)| *n == p.template) {
                Some((_, t)) => Arc::clone(t),
                None => {
                    let t = Arc::new(self.template_in(c, p.template).await?);
                    templates.push((p.template, Arc::clone(&t)));
                    t
                }
            };
            let values = values(ticket, actor, &p, &mailbox, extra);
            let values = Value::from(Serde(&values));
            // An administrator's template that fails on real values (it rendered with the
            // sample ones) must not hold the mail up: the shipped one stands in.
            let rendered = match template.render(&values) {
                Ok(r) => r,
                Err(e) if template.customized => {
                    tracing::warn!(template = p.template, error = %e, "edited mail template failed; the shipped one is used");
                    MailTemplate::shipped(p.template)
                        .ok_or(CoreError::NotFound("mail template"))?
                        .render(&values)
                        .map_err(CoreError::Internal)?
                }
                Err(e) => return Err(CoreError::Internal(e)),
            };
            let message_id = frontline_mail::outbound::new_message_id(
                &format!("{}.{}", ticket.row.id, p.template),
                &domain,
            );
            let row = OutboxRow {
                id: 0,
                ticket_id: Some(ticket.row.id),
                kind: p.template.to_owned(),
                mailbox_id: mailbox.id,
                sender: mailbox.address.clone(),
                recipients: address,
                subject: subject::with_tag(&rendered.subject, ticket.row.id),
                message_id: message_id.clone(),
                in_reply_to: thread.last().cloned(),
                refs: (!thread.is_empty()).then(|| thread.join("\n")),
                auto_submitted: p.auto.map(str::to_owned),
                body_text: rendered.text,
                body_html: Some(rendered.html),
                state: String::new(),
                attempts: 0,
                last_error: None,
                created_at: now,
                updated_at: now,
                sent_at: None,
            };
            let id = c.insert_outbox(&row, now).await?;
            c.remember_message_id(&message_id, ticket.row.id, "out", now)
                .await?;
            let job = NewJob {
                kind: SEND_JOB.to_owned(),
                payload: id.to_string(),
                dedup_key: Some(format!("{SEND_JOB}:{id}")),
                run_at: now,
                max_attempts: SEND_ATTEMPTS,
            };
            c.enqueue_job(&job, now).await?;
            count += 1;
        }
        if count > 0 {
            tracing::info!(ticket_id = ticket.row.id, messages = count, "mail queued");
        }
        Ok(count)
    }

    /// Tries to send stored message `id` once. Reads and sends outside any transaction; the
    /// caller records the outcome with [`Desk::finish_mail`].
    pub async fn send_mail(&self, id: i64) -> Result<Attempt> {
        let (row, mailbox) = {
            let mut pc = self.store.read().await?;
            let mut c = pc.conn();
            let Some(row) = c.outbox(id).await? else {
                return Ok(Attempt::Finished);
            };
            if row.state != "queued" {
                return Ok(Attempt::Finished);
            }
            let mailbox = c
                .mailboxes()
                .await?
                .into_iter()
                .find(|m| m.id == row.mailbox_id);
            (row, mailbox)
        };
        let Some(url) = mailbox.and_then(|m| m.smtp_url) else {
            return Ok(Attempt::Transient(
                "the mailbox no longer sends mail (no SMTP server configured)".into(),
            ));
        };
        let url = SmtpUrl::parse(&url)
            .map_err(|e| CoreError::Internal(format!("mailbox {}: {e}", row.mailbox_id)))?;
        let auth = SmtpAuth::of(&url);
        let outgoing = Outgoing {
            from: row.sender.clone(),
            from_name: None,
            to: row.recipients.lines().map(str::to_owned).collect(),
            subject: row.subject.clone(),
            message_id: row.message_id.clone(),
            in_reply_to: row.in_reply_to.clone(),
            references: row
                .refs
                .as_deref()
                .map(|r| r.lines().map(str::to_owned).collect())
                .unwrap_or_default(),
            auto_submitted: row.auto_submitted.clone(),
            text: row.body_text.clone(),
            html: row.body_html.clone(),
        };
        let message = match frontline_mail::outbound::compose(&outgoing) {
            Ok(m) => m,
            Err(e) => return Ok(Attempt::Permanent(e.to_string())),
        };
        Ok(
            match frontline_mail::outbound::send(&url, &auth, &message).await {
                Ok(()) => Attempt::Sent,
                Err(SendError::Permanent(e)) => Attempt::Permanent(e),
                Err(SendError::Transient(e)) => Attempt::Transient(e),
            },
        )
    }

    /// Records what became of message `id` in the caller's (the send job's) transaction: sent,
    /// or failed for good with a `mail_failed` event on its ticket.
    pub async fn finish_mail(&self, c: &mut Conn<'_>, id: i64, attempt: &Attempt) -> Result<()> {
        let now = self.now().as_micros();
        match attempt {
            Attempt::Sent => {
                c.finish_outbox(id, OUT_SENT, None, now).await?;
            }
            Attempt::Finished => {}
            Attempt::Permanent(why) | Attempt::Transient(why) => {
                if !c.finish_outbox(id, OUT_FAILED, Some(why), now).await? {
                    return Ok(());
                }
                let Some(row) = c.outbox(id).await? else {
                    return Ok(());
                };
                tracing::warn!(outbox_id = id, ticket_id = row.ticket_id, error = %why, "mail failed for good");
                if let Some(ticket_id) = row.ticket_id {
                    c.insert_event(&EventRow {
                        id: 0,
                        ticket_id,
                        actor_id: None,
                        at: now,
                        kind: EventKind::MailFailed.as_str().to_owned(),
                        field: Some(row.kind.clone()),
                        old_value: Some(row.recipients.clone()),
                        new_value: Some(why.clone()),
                        internal: true,
                    })
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// Counts a failed attempt that will be tried again, with its reason, on the message.
    pub async fn note_mail_attempt(&self, id: i64, error: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.conn()
            .outbox_attempted(id, Some(error), self.now().as_micros())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Outbound messages by state, for metrics.
    pub async fn outbox_by_state(&self) -> Result<Vec<(String, i64)>> {
        let mut c = self.store.read().await?;
        Ok(c.conn().outbox_by_state().await?)
    }

    /// A ticket's outbound mail, oldest first. For agents.
    pub async fn ticket_mail(&self, actor: &Actor, ticket_id: i64) -> Result<Vec<OutboxRow>> {
        if !actor.is_staff() {
            return Err(CoreError::forbidden(
                "only agents see a ticket's outgoing mail",
            ));
        }
        let mut c = self.store.read().await?;
        Ok(c.conn().outbox_of_ticket(ticket_id).await?)
    }
}

/// Queues the mail of a comment an automation rule wrote, as [`Desk::mail_on_comment`] does
/// for people: rules write their effects without the desk's handle, so this asks the
/// database whether any mailbox sends.
pub(crate) async fn queue_rule_comment(
    c: &mut Conn<'_>,
    ticket_id: i64,
    comment_id: i64,
    author_id: i64,
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
    to: UserRow,
    auto: Option<&'static str>,
    comment: Option<CommentRow>,
) -> Planned {
    Planned {
        template,
        to,
        auto,
        comment,
    }
}

fn is_staff(u: &UserRow) -> bool {
    Role::parse(&u.role).is_ok_and(|r| r != Role::Requester)
}

/// The requester and the watchers, without the person who made the change.
async fn followers(
    c: &mut Conn<'_>,
    ticket: &TicketRow,
    actor_id: Option<i64>,
) -> Result<Vec<UserRow>> {
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
async fn mentioned(c: &mut Conn<'_>, body: &str, author_id: i64) -> Result<Vec<UserRow>> {
    let mut found: Vec<UserRow> = Vec::new();
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

/// Why a message must not go to `address`, if it must not.
async fn refuse(
    c: &mut Conn<'_>,
    p: &Planned,
    address: &str,
    own: &[String],
    now: i64,
) -> Result<Option<&'static str>> {
    let local = address.split('@').next().unwrap_or_default();
    if own.iter().any(|o| o == address) {
        return Ok(Some("the recipient is one of the desk's own addresses"));
    }
    if !p.to.active {
        return Ok(Some("the recipient is deactivated"));
    }
    if matches!(
        local,
        "mailer-daemon" | "postmaster" | "noreply" | "no-reply" | "donotreply" | "do-not-reply"
    ) {
        return Ok(Some("the recipient is a mail robot"));
    }
    if c.sender_looping(address, now - HOUR_MICROS).await? {
        return Ok(Some(
            "the recipient's mail was stopped as a loop within the hour",
        ));
    }
    if p.auto.is_some() && c.automatic_mail_to(address, now - HOUR_MICROS).await? >= AUTO_LIMIT {
        return Ok(Some(
            "the recipient had too much automatic mail within the hour",
        ));
    }
    Ok(None)
}

/// Everything a template may use. Absent values are empty strings, so a template can test
/// them with `{% if %}` and print them without `none` appearing.
fn values(
    ticket: &TicketView,
    actor: Option<&UserRow>,
    p: &Planned,
    mailbox: &MailboxRow,
    extra: &serde_json::Value,
) -> serde_json::Value {
    let person = |u: Option<&UserRow>| match u {
        Some(u) => json!({"name": u.name, "email": u.email}),
        None => json!({"name": "", "email": ""}),
    };
    let t = &ticket.row;
    let mut v = json!({
        "desk": {"name": mailbox.address, "address": mailbox.address},
        "reply_marker": REPLY_MARKER,
        "ticket": {
            "id": t.id,
            "tag": format!("[#{}]", t.id),
            "subject": t.subject,
            "description": t.description,
            "status": t.status,
            "status_label": status_label(&t.status),
            "priority": Priority::from_rank(t.priority).map(|p| p.as_str()).unwrap_or_default(),
            "group": ticket.group_name.clone().unwrap_or_default(),
            "assignee": ticket.assignee_email.clone().unwrap_or_default(),
        },
        "requester": {"name": ticket.requester_name, "email": ticket.requester_email},
        "recipient": person(Some(&p.to)),
        "actor": person(actor),
        "comment": match &p.comment {
            Some(c) => json!({"body": c.body, "internal": c.internal}),
            None => json!({"body": "", "internal": false}),
        },
    });
    if let (Some(map), Some(more)) = (v.as_object_mut(), extra.as_object()) {
        for (k, val) in more {
            map.insert(k.clone(), val.clone());
        }
    }
    v
}

/// A status in the words a requester reads.
fn status_label(status: &str) -> &str {
    match status {
        "pending" => "waiting for your answer",
        "on_hold" => "on hold",
        other => other,
    }
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
            ticket_id: 7,
            actor_id: Some(3),
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
