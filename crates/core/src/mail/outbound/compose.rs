//! Rendering and storing: each planned message is checked against the loop guards, rendered
//! from its template, and stored in the outbox with its names, its files' ids and its
//! `mail.send` job, in the compose job's transaction.

use std::sync::Arc;

use frontline_domain::mail::{OutboundMail, OutboxState};
use frontline_domain::{
    Email, MailboxRecord, MailboxState, OutboxId, Ticket, TicketId, Timestamp, User,
};
use frontline_mail::subject;
use frontline_store::Conn;
use frontline_store::jobs::NewJob;
use minijinja::Value;
use minijinja::value::Serde;
use serde_json::json;

use super::files::Files;
use super::links::PublicUrl;
use super::{
    AUTO_LIMIT, HOUR_MICROS, MAX_REFERENCES, Planned, SEND_ATTEMPTS, SEND_JOB, is_staff, names,
};
use crate::mail::templates::{MailTemplate, REPLY_MARKER, Rendered};
use crate::{CoreError, Mail, Result};

impl Mail {
    /// The mailbox mail about the ticket goes out from: the one its mail came in by, when
    /// that one sends, else the first that does.
    async fn sending_mailbox(
        &self,
        c: &mut Conn<'_>,
        mailboxes: &[MailboxRecord],
        ticket_id: TicketId,
    ) -> Result<Option<MailboxRecord>> {
        let sending = |m: &&MailboxRecord| m.smtp_url.is_some() && m.state == MailboxState::Active;
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

    /// Renders and stores each planned message that may go out, with its `mail.send` job;
    /// returns how many were stored.
    pub(super) async fn store_messages(
        &self,
        c: &mut Conn<'_>,
        ticket: &Ticket,
        actor: Option<&User>,
        plan: Vec<Planned>,
        extra: &serde_json::Value,
    ) -> Result<usize> {
        if plan.is_empty() {
            return Ok(0);
        }
        let Some(from) = self.sending_from(c, ticket.record.id).await? else {
            tracing::debug!(
                ticket_id = %ticket.record.id,
                "no mailbox sends mail; none sent"
            );
            return Ok(0);
        };
        let now = from.now;
        let mut templates = Templates::default();
        let mut sent_to: Vec<(&'static str, String)> = Vec::new();
        let mut count = 0;
        for p in plan {
            let address = p.to.email.to_string();
            if sent_to.contains(&(p.template, address.clone())) {
                continue;
            }
            if let Some(why) = refuse(c, &p, &address, &from.own, now).await? {
                tracing::info!(
                    ticket_id = %ticket.record.id,
                    template = p.template,
                    why,
                    "mail not sent"
                );
                continue;
            }
            sent_to.push((p.template, address.clone()));
            let row = self
                .compose_one(c, ticket, actor, &p, address, &from, &mut templates, extra)
                .await?;
            queue_message(c, &row, ticket.record.id, now).await?;
            count += 1;
        }
        if count > 0 {
            tracing::info!(
                ticket_id = %ticket.record.id,
                messages = count,
                "mail queued"
            );
        }
        Ok(count)
    }

    /// One planned message rendered from its template into its outbox row, from `from` to
    /// `address`, with its files and a new Message-ID threaded onto the ticket's mail.
    #[expect(
        clippy::too_many_arguments,
        reason = "the parts of one message, each needed once"
    )]
    async fn compose_one(
        &self,
        c: &mut Conn<'_>,
        ticket: &Ticket,
        actor: Option<&User>,
        p: &Planned,
        address: String,
        from: &SendingFrom,
        templates: &mut Templates,
        extra: &serde_json::Value,
    ) -> Result<OutboundMail> {
        let now = from.now;
        let template = templates.get(self, c, p.template).await?;
        let files = match (&p.comment, p.template) {
            (Some(comment), "agent_reply") => Files::of(c, comment).await?,
            _ => Files::default(),
        };
        let mut values = values(
            ticket,
            actor,
            p,
            &from.mailbox,
            self.core.public_url.as_ref(),
            extra,
        );
        values["files"] = files.values();
        let rendered = render(&template, p.template, &Value::from(Serde(&values)))?;
        let message_id = frontline_mail::outbound::new_message_id(
            &format!("{}.{}", ticket.record.id, p.template),
            &from.domain,
        );
        Ok(OutboundMail {
            id: OutboxId::default(),
            ticket_id: Some(ticket.record.id),
            kind: p.template.to_owned(),
            mailbox_id: from.mailbox.id,
            sender: from.mailbox.address.clone(),
            recipients: address,
            subject: subject::with_tag(&rendered.subject, ticket.record.id),
            message_id,
            in_reply_to: from.thread.last().cloned(),
            refs: (!from.thread.is_empty()).then(|| from.thread.join("\n")),
            auto_submitted: p.auto.map(str::to_owned),
            body_text: rendered.text,
            body_html: Some(rendered.html),
            state: OutboxState::Queued,
            attempts: 0,
            last_error: None,
            created_at: Timestamp::from_micros(now),
            updated_at: Timestamp::from_micros(now),
            sent_at: None,
            // Mail a person's action wrote comes from them; the rest from the desk.
            sender_name: names::sender(actor.filter(|_| p.auto.is_none()), &from.mailbox),
            recipient_name: names::recipient(&p.to),
            attachment_ids: files.ids(),
        })
    }

    /// Where mail about ticket `ticket_id` goes out from, and what it threads onto; `None`
    /// when no mailbox sends mail.
    async fn sending_from(
        &self,
        c: &mut Conn<'_>,
        ticket_id: TicketId,
    ) -> Result<Option<SendingFrom>> {
        let mailboxes = c.mailboxes().await?;
        let Some(mailbox) = self.sending_mailbox(c, &mailboxes, ticket_id).await? else {
            return Ok(None);
        };
        let own = mailboxes.iter().map(|m| m.address.to_lowercase()).collect();
        let now = self.core.now().as_micros();
        let thread = c.thread_message_ids(ticket_id, MAX_REFERENCES).await?;
        let domain = mailbox
            .address
            .rsplit_once('@')
            .map_or("frontline.invalid", |(_, d)| d)
            .to_owned();
        Ok(Some(SendingFrom {
            mailbox,
            own,
            thread,
            domain,
            now,
        }))
    }
}

/// The sending side of a ticket's mail: the mailbox, the desk's own addresses (never
/// written to), the Message-IDs the ticket's mail threads onto, the domain of new ones,
/// and the time the messages are stored at.
struct SendingFrom {
    mailbox: MailboxRecord,
    own: Vec<String>,
    thread: Vec<String>,
    domain: String,
    now: i64,
}

/// Templates read once per compose, by name.
#[derive(Default)]
struct Templates(Vec<(&'static str, Arc<MailTemplate>)>);

impl Templates {
    async fn get(
        &mut self,
        mail: &Mail,
        c: &mut Conn<'_>,
        name: &'static str,
    ) -> Result<Arc<MailTemplate>> {
        if let Some((_, t)) = self.0.iter().find(|(n, _)| *n == name) {
            return Ok(Arc::clone(t));
        }
        let t = Arc::new(mail.template_in(c, name).await?);
        self.0.push((name, Arc::clone(&t)));
        Ok(t)
    }
}

/// `template` rendered with `values`. An administrator's template that fails on real values
/// (it rendered with the sample ones) must not hold the mail up: the shipped one stands in.
fn render(template: &MailTemplate, name: &str, values: &Value) -> Result<Rendered> {
    match template.render(values) {
        Ok(r) => Ok(r),
        Err(e) if template.customized => {
            tracing::warn!(template = name, error = %e, "edited mail template failed; the shipped one is used");
            MailTemplate::shipped(name)
                .ok_or(CoreError::NotFound("mail template"))?
                .render(values)
                .map_err(CoreError::Internal)
        }
        Err(e) => Err(CoreError::Internal(e)),
    }
}

/// Stores one message in the outbox with its `mail.send` job, and remembers its
/// Message-ID for threading the answers.
async fn queue_message(
    c: &mut Conn<'_>,
    row: &OutboundMail,
    ticket_id: TicketId,
    now: i64,
) -> Result<()> {
    let id = c.insert_outbox(row, now).await?;
    c.remember_message_id(&row.message_id, ticket_id, "out", now)
        .await?;
    let job = NewJob {
        kind: SEND_JOB.to_owned(),
        payload: id.to_string(),
        dedup_key: Some(format!("{SEND_JOB}:{id}")),
        run_at: now,
        max_attempts: SEND_ATTEMPTS,
    };
    c.enqueue_job(&job, now).await?;
    Ok(())
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
/// them with `{% if %}` and print them without `none` appearing: without a public URL, the
/// links (`desk.url`, `ticket.url`: the recipient's page of the ticket, the console's for
/// agents, `ticket.portal_url`) are empty.
fn values(
    ticket: &Ticket,
    actor: Option<&User>,
    p: &Planned,
    mailbox: &MailboxRecord,
    links: Option<&PublicUrl>,
    extra: &serde_json::Value,
) -> serde_json::Value {
    let person = |u: Option<&User>| match u {
        Some(u) => json!({"name": u.name, "email": u.email}),
        None => json!({"name": "", "email": ""}),
    };
    let t = &ticket.record;
    let link =
        |page: fn(&PublicUrl, TicketId) -> String| links.map(|u| page(u, t.id)).unwrap_or_default();
    let page: fn(&PublicUrl, TicketId) -> String = if is_staff(&p.to) {
        PublicUrl::console_ticket
    } else {
        PublicUrl::portal_ticket
    };
    let mut v = json!({
        "desk": {
            "name": names::desk(mailbox),
            "address": mailbox.address,
            "url": links.map(PublicUrl::to_string).unwrap_or_default(),
        },
        "reply_marker": REPLY_MARKER,
        "ticket": {
            "id": t.id,
            "tag": format!("[#{}]", t.id),
            "subject": t.subject,
            "description": t.description,
            "status": t.status.as_str(),
            "status_label": status_label(t.status.as_str()),
            "priority": t.priority.as_str(),
            "group": ticket.group_name.clone().unwrap_or_default(),
            "assignee": ticket.assignee_email.as_ref().map(Email::as_str).unwrap_or_default(),
            "url": link(page),
            "portal_url": link(PublicUrl::portal_ticket),
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
pub(super) fn status_label(status: &str) -> &str {
    match status {
        "pending" => "waiting for your answer",
        "on_hold" => "on hold",
        other => other,
    }
}
