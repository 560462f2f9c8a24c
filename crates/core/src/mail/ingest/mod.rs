//! Ingesting a stored message, inside the transaction of the job that asked for it: the
//! ticket or comment and the message's outcome commit together, so each message becomes
//! exactly one of them however often the job runs.
//!
//! The rules, in order: unreadable mail is quarantined with the reason; mail from the desk's
//! own addresses is ignored; a bounce or auto-reply becomes an internal note on the ticket it
//! answers (and is ignored when there is none); list and bulk mail is ignored; a sender over
//! the rate limit is quarantined (a mail loop stops there); a reply — its In-Reply-To or
//! References naming a Message-ID the desk knows, or else a `[#N]` tag in the subject of a
//! ticket the sender may see — becomes a comment; anything else opens a ticket. Never the
//! subject text alone.

use frontline_domain::mail::{InboundMessage, InboundOutcome, InboundState};
use frontline_domain::{InboundId, Status, TicketId, Timestamp};
use frontline_mail::{Automatic, Inbound};
use frontline_store::Conn;

use super::people::person_for;
use super::{MAX_MESSAGE_BYTES, SENDER_LIMIT, SENDER_WINDOW_MICROS};
use crate::tickets::can_see;
use crate::{Actor, CoreError, Mail, Result};

mod write;

impl Mail {
    /// Ingests stored message `id` in the caller's transaction. `None` when it was ingested
    /// before (or does not exist): nothing is written twice.
    pub async fn ingest_mail(
        &self,
        c: &mut Conn<'_>,
        id: InboundId,
    ) -> Result<Option<InboundOutcome>> {
        self.ingest_one(c, id, true, false).await
    }

    /// Ingests message `id`, set back to `received` by an admin's release: the rules that
    /// hold mail back (own address, automatic mail, the rate limit) are passed over, those
    /// that cannot be (unreadable mail, a sender that is no address, a rule of the ticket
    /// core) still quarantine it.
    pub(super) async fn ingest_released(
        &self,
        c: &mut Conn<'_>,
        id: InboundId,
    ) -> Result<Option<InboundOutcome>> {
        self.ingest_one(c, id, true, true).await
    }

    /// [`Mail::ingest_mail`]; `originals` says whether a reply may first ingest the stored
    /// message it answers (see [`Mail::ingest_originals`]), `released` whether an admin
    /// released it.
    async fn ingest_one(
        &self,
        c: &mut Conn<'_>,
        id: InboundId,
        originals: bool,
        released: bool,
    ) -> Result<Option<InboundOutcome>> {
        let Some(row) = c.inbound_for_update(id).await? else {
            return Ok(None);
        };
        if row.state != InboundState::Received {
            return Ok(None);
        }
        let now = self.core.now();
        // A message the desk refuses (a rule of the ticket core, such as too many
        // attachments) leaves nothing half-written behind: its writes roll back to here.
        c.savepoint("ingest").await?;
        let outcome = match self.ingest_row(c, &row, now, originals, released).await {
            Ok(o) => {
                c.release_savepoint("ingest").await?;
                o
            }
            Err(CoreError::Invalid(errors)) => {
                c.rollback_to_savepoint("ingest").await?;
                let why = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                quarantined(format!("refused by the desk: {why}"))
            }
            Err(e) => return Err(e),
        };
        c.finish_inbound(id, &outcome, now.as_micros()).await?;
        match outcome.state {
            InboundState::Ignored | InboundState::Quarantined => tracing::warn!(
                message_id = %id,
                state = %outcome.state,
                reason = outcome.reason.as_deref().unwrap_or_default(),
                "message not turned into a ticket"
            ),
            state => tracing::info!(
                message_id = %id,
                state = state.as_str(),
                ticket_id = outcome.ticket_id.map(TicketId::get),
                "message ingested"
            ),
        }
        Ok(Some(outcome))
    }

    /// The rules of the module's doc, in order, for one stored message.
    async fn ingest_row(
        &self,
        c: &mut Conn<'_>,
        row: &InboundMessage,
        now: Timestamp,
        originals: bool,
        released: bool,
    ) -> Result<InboundOutcome> {
        let mail = match frontline_mail::parse(&row.raw, MAX_MESSAGE_BYTES) {
            Ok(m) => m,
            Err(refusal) => return Ok(quarantined(format!("{}: {refusal}", refusal.as_str()))),
        };
        let sender = mail.from.address.clone();
        let base = InboundOutcome {
            sender: Some(sender.clone()),
            html: mail.html.clone(),
            ..InboundOutcome::default()
        };
        let own = own_addresses(c).await?;
        if !released && own.contains(&sender) {
            return Ok(ignored(
                base,
                "from_own_mailbox: sent by one of the desk's own addresses",
            ));
        }
        let threaded = self.thread(c, &mail, row.id, originals).await?;
        if let Some(kind) = mail.automatic.filter(|_| !released) {
            return self.automatic(c, &mail, kind, threaded, now, base).await;
        }
        if !released && let Some(why) = rate_limited(c, &sender, now).await? {
            return Ok(InboundOutcome {
                state: InboundState::Quarantined,
                reason: Some(why),
                ..base
            });
        }
        let person = person_for(c, &mail.from, now.as_micros()).await?;
        let actor = Actor::from_user(&person);
        match self.reply_target(c, &mail, &actor, threaded).await? {
            Some(ticket_id) => {
                self.reply(c, &mail, &actor, &own, ticket_id, now, base)
                    .await
            }
            None => self.open_ticket(c, &mail, &actor, &own, now, base).await,
        }
    }

    /// Automatic mail: a bounce or auto-reply becomes a note on the ticket it answers (a
    /// bounce names the messages it returns), or is ignored when it answers none; any other
    /// kind is ignored.
    async fn automatic(
        &self,
        c: &mut Conn<'_>,
        mail: &Inbound,
        kind: Automatic,
        threaded: Option<TicketId>,
        now: Timestamp,
        base: InboundOutcome,
    ) -> Result<InboundOutcome> {
        if !matches!(kind, Automatic::Bounce | Automatic::AutoReply) {
            return Ok(ignored(
                base,
                &format!("{}: automatic mail opens no ticket", kind.as_str()),
            ));
        }
        let ticket = match kind {
            Automatic::Bounce => match c.ticket_of_message_ids(&mail.bounced_ids).await? {
                Some(t) => Some(self.follow_merges(c, t).await?),
                None => threaded,
            },
            _ => threaded,
        };
        match ticket {
            Some(t) => self.note(c, mail, t, now, base).await,
            None => Ok(ignored(
                base,
                &format!("{}: answers no ticket of this desk", kind.as_str()),
            )),
        }
    }

    /// The open ticket a reply lands on: the one its threading names, else the one its
    /// subject's `[#N]` tag names; only when it is not closed and the sender may see it.
    async fn reply_target(
        &self,
        c: &mut Conn<'_>,
        mail: &Inbound,
        actor: &Actor,
        threaded: Option<TicketId>,
    ) -> Result<Option<TicketId>> {
        let target = match threaded {
            Some(t) => Some(t),
            None => match frontline_mail::subject::ticket_tag(&mail.subject) {
                Some(n) if c.ticket_exists(n).await? => Some(self.follow_merges(c, n).await?),
                _ => None,
            },
        };
        if let Some(ticket_id) = target
            && let Some(t) = c.ticket_row(ticket_id).await?
            && t.status != Status::Closed
            && can_see(c, actor, &t).await?
        {
            return Ok(Some(t.id));
        }
        Ok(None)
    }

    /// The ticket a reply's In-Reply-To or References name, newest reference first.
    /// With `originals`, a reply whose original is stored but not ingested yet ingests that
    /// first (message `id` is the reply's own).
    async fn thread(
        &self,
        c: &mut Conn<'_>,
        mail: &Inbound,
        id: InboundId,
        originals: bool,
    ) -> Result<Option<TicketId>> {
        let mut ids = mail.in_reply_to.clone();
        ids.extend(mail.references.iter().rev().cloned());
        let mut found = c.ticket_of_message_ids(&ids).await?;
        if found.is_none() && originals && self.ingest_originals(c, mail, id).await? {
            found = c.ticket_of_message_ids(&ids).await?;
        }
        match found {
            Some(t) => Ok(Some(self.follow_merges(c, t).await?)),
            None => Ok(None),
        }
    }

    /// A reply may be ingested before the message it answers: both wait in the queue after
    /// an outage or a burst, and the worker takes them in any order. The original (named by
    /// In-Reply-To or the last reference), when stored and still waiting, is ingested first
    /// in this transaction, so the reply lands on its ticket instead of opening a ticket of
    /// its own; the original's job then finds it done. One level only: an original does not
    /// pull in its own original, so no chain of references can loop. On PostgreSQL an
    /// original another worker is ingesting right now is left to it, not waited for (two
    /// batches each waiting for the other's original would deadlock). True when one was.
    async fn ingest_originals(
        &self,
        c: &mut Conn<'_>,
        mail: &Inbound,
        id: InboundId,
    ) -> Result<bool> {
        let mut ingested = false;
        let parents = mail.in_reply_to.iter().chain(mail.references.last());
        for parent in parents.take(2) {
            if let Some(original) = c.received_inbound_by_message_id(parent).await?
                && original != id
                && Box::pin(self.ingest_one(c, original, false, false))
                    .await?
                    .is_some()
            {
                ingested = true;
            }
        }
        Ok(ingested)
    }

    /// The ticket a merged ticket lives on in.
    async fn follow_merges(&self, c: &mut Conn<'_>, mut id: TicketId) -> Result<TicketId> {
        for _ in 0..8 {
            match c.ticket_row(id).await?.and_then(|t| t.merged_into_id) {
                Some(next) => id = next,
                None => break,
            }
        }
        Ok(id)
    }
}

/// The desk's own addresses: mail from them is its own, come back.
async fn own_addresses(c: &mut Conn<'_>) -> Result<Vec<String>> {
    Ok(c.mailboxes()
        .await?
        .into_iter()
        .map(|m| m.address)
        .collect())
}

/// Why `sender` is held back as a likely mail loop: over [`SENDER_LIMIT`] messages within
/// the window.
async fn rate_limited(c: &mut Conn<'_>, sender: &str, now: Timestamp) -> Result<Option<String>> {
    let recent = c
        .recent_from_sender(sender, now.as_micros() - SENDER_WINDOW_MICROS)
        .await?;
    Ok((recent >= SENDER_LIMIT).then(|| {
        format!("rate_limited: {sender} sent {recent} messages within the hour (a mail loop?)")
    }))
}

fn ignored(base: InboundOutcome, reason: &str) -> InboundOutcome {
    InboundOutcome {
        state: InboundState::Ignored,
        reason: Some(reason.to_owned()),
        ..base
    }
}

fn quarantined(reason: String) -> InboundOutcome {
    InboundOutcome {
        state: InboundState::Quarantined,
        reason: Some(reason),
        ..InboundOutcome::default()
    }
}
