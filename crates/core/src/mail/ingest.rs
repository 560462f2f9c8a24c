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

use frontline_domain::{EventKind, Status, Subject, Timestamp};
use frontline_mail::{Automatic, Inbound};
use frontline_store::Conn;
use frontline_store::attachments::AttachmentRow;
use frontline_store::comments::CommentRow;
use frontline_store::mail::{InboundOutcome, InboundRow};

use super::people::{person_for, watchers};
use super::{MAX_MESSAGE_BYTES, SENDER_LIMIT, SENDER_WINDOW_MICROS};
use crate::auth::sha256_hex;
use crate::tickets::{NewAttachment, NewComment, NewTicket, Trail, can_see};
use crate::{Actor, CoreError, Desk, Result};

/// Longest text kept in a ticket's description or a comment; the original keeps the rest.
const MAX_TEXT: usize = 100_000;

impl Desk {
    /// Ingests stored message `id` in the caller's transaction. `None` when it was ingested
    /// before (or does not exist): nothing is written twice.
    pub async fn ingest_mail(&self, c: &mut Conn<'_>, id: i64) -> Result<Option<InboundOutcome>> {
        self.ingest_one(c, id, true, false).await
    }

    /// Ingests message `id`, set back to `received` by an admin's release: the rules that
    /// hold mail back (own address, automatic mail, the rate limit) are passed over, those
    /// that cannot be (unreadable mail, a sender that is no address, a rule of the ticket
    /// core) still quarantine it.
    pub(super) async fn ingest_released(
        &self,
        c: &mut Conn<'_>,
        id: i64,
    ) -> Result<Option<InboundOutcome>> {
        self.ingest_one(c, id, true, true).await
    }

    /// [`Desk::ingest_mail`]; `originals` says whether a reply may first ingest the stored
    /// message it answers (see [`Desk::ingest_originals`]), `released` whether an admin
    /// released it.
    async fn ingest_one(
        &self,
        c: &mut Conn<'_>,
        id: i64,
        originals: bool,
        released: bool,
    ) -> Result<Option<InboundOutcome>> {
        let Some(row) = c.inbound_for_update(id).await? else {
            return Ok(None);
        };
        if row.state != "received" {
            return Ok(None);
        }
        let now = self.now();
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
        match outcome.state.as_str() {
            "ignored" | "quarantined" => tracing::warn!(
                message_id = id,
                state = %outcome.state,
                reason = outcome.reason.as_deref().unwrap_or_default(),
                "message not turned into a ticket"
            ),
            state => tracing::info!(
                message_id = id,
                state,
                ticket_id = outcome.ticket_id,
                "message ingested"
            ),
        }
        Ok(Some(outcome))
    }

    async fn ingest_row(
        &self,
        c: &mut Conn<'_>,
        row: &InboundRow,
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
        let own: Vec<String> = c
            .mailboxes()
            .await?
            .into_iter()
            .map(|m| m.address)
            .collect();
        if !released && own.contains(&sender) {
            return Ok(ignored(
                base,
                "from_own_mailbox: sent by one of the desk's own addresses",
            ));
        }
        let threaded = self.thread(c, &mail, row.id, originals).await?;
        match mail.automatic.filter(|_| !released) {
            Some(kind @ (Automatic::Bounce | Automatic::AutoReply)) => {
                let ticket = match kind {
                    Automatic::Bounce => match c.ticket_of_message_ids(&mail.bounced_ids).await? {
                        Some(t) => Some(self.follow_merges(c, t).await?),
                        None => threaded,
                    },
                    _ => threaded,
                };
                return match ticket {
                    Some(t) => self.note(c, &mail, t, now, base).await,
                    None => Ok(ignored(
                        base,
                        &format!("{}: answers no ticket of this desk", kind.as_str()),
                    )),
                };
            }
            Some(kind) => {
                return Ok(ignored(
                    base,
                    &format!("{}: automatic mail opens no ticket", kind.as_str()),
                ));
            }
            None => {}
        }
        let recent = c
            .recent_from_sender(&sender, now.as_micros() - SENDER_WINDOW_MICROS)
            .await?;
        if !released && recent >= SENDER_LIMIT {
            return Ok(InboundOutcome {
                state: "quarantined".into(),
                reason: Some(format!(
                    "rate_limited: {sender} sent {recent} messages within the hour (a mail loop?)"
                )),
                ..base
            });
        }
        let person = person_for(c, &mail.from, now.as_micros()).await?;
        let actor = Actor::from_row(&person)?;
        let target = match threaded {
            Some(t) => Some(t),
            None => match frontline_mail::subject::ticket_tag(&mail.subject) {
                Some(n) if c.ticket_exists(n).await? => Some(self.follow_merges(c, n).await?),
                _ => None,
            },
        };
        if let Some(ticket_id) = target
            && let Some(t) = c.ticket_row(ticket_id).await?
            && t.status != Status::Closed.as_str()
            && can_see(c, &actor, &t).await?
        {
            return self.reply(c, &mail, &actor, &own, t.id, now, base).await;
        }
        self.open_ticket(c, &mail, &actor, &own, now, base).await
    }

    /// The ticket a reply's In-Reply-To or References name, newest reference first.
    /// With `originals`, a reply whose original is stored but not ingested yet ingests that
    /// first (message `id` is the reply's own).
    async fn thread(
        &self,
        c: &mut Conn<'_>,
        mail: &Inbound,
        id: i64,
        originals: bool,
    ) -> Result<Option<i64>> {
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
    async fn ingest_originals(&self, c: &mut Conn<'_>, mail: &Inbound, id: i64) -> Result<bool> {
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
    async fn follow_merges(&self, c: &mut Conn<'_>, mut id: i64) -> Result<i64> {
        for _ in 0..8 {
            match c.ticket_row(id).await?.and_then(|t| t.merged_into_id) {
                Some(next) => id = next,
                None => break,
            }
        }
        Ok(id)
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call site, each argument distinct"
    )]
    async fn reply(
        &self,
        c: &mut Conn<'_>,
        mail: &Inbound,
        actor: &Actor,
        own: &[String],
        ticket_id: i64,
        now: Timestamp,
        base: InboundOutcome,
    ) -> Result<InboundOutcome> {
        let new = NewComment {
            body: visible_text(&mail.reply, &mail.text, !mail.attachments.is_empty()),
            internal: false,
            attachments: attachments(mail),
        };
        // A change of its ticket like any comment: the updated rules run inside.
        let comment = self.add_comment_in(c, actor, ticket_id, new).await?;
        self.add_watchers(c, mail, own, ticket_id, now).await?;
        remember(c, mail, ticket_id, now).await?;
        Ok(InboundOutcome {
            state: "comment".into(),
            ticket_id: Some(ticket_id),
            comment_id: Some(comment.view.row.id),
            ..base
        })
    }

    /// Opens the ticket through the ticket core's creation path, in this transaction: it
    /// gets the created rules, automatic assignment, its SLA and its `created` event exactly
    /// as a ticket opened over the API.
    async fn open_ticket(
        &self,
        c: &mut Conn<'_>,
        mail: &Inbound,
        requester: &Actor,
        own: &[String],
        now: Timestamp,
        base: InboundOutcome,
    ) -> Result<InboundOutcome> {
        let description = visible_text(&mail.text, &mail.text, !mail.attachments.is_empty());
        let new = NewTicket::new(subject_of(&mail.subject), description, "email");
        let row = self.create_ticket_in(c, requester, &new).await?;
        // The files sent with the first mail hang on a comment, as every attachment does.
        let files = attachments(mail);
        let comment_id = if files.is_empty() {
            None
        } else {
            let body = format!("Sent with the email: {}", file_names(&files));
            let at = now.as_micros();
            Some(insert_comment(c, row.id, requester.id, body, false, files, at).await?)
        };
        self.add_watchers(c, mail, own, row.id, now).await?;
        remember(c, mail, row.id, now).await?;
        Ok(InboundOutcome {
            state: "ticket".into(),
            ticket_id: Some(row.id),
            comment_id,
            ..base
        })
    }

    /// A bounce or auto-reply, kept as an internal note on the ticket it answers.
    async fn note(
        &self,
        c: &mut Conn<'_>,
        mail: &Inbound,
        ticket_id: i64,
        now: Timestamp,
        base: InboundOutcome,
    ) -> Result<InboundOutcome> {
        let author = person_for(c, &mail.from, now.as_micros()).await?;
        let kind = match mail.automatic {
            Some(Automatic::Bounce) => "Delivery failure",
            _ => "Automatic reply",
        };
        let body = format!(
            "{kind} from {}: {}\n\n{}",
            mail.from.address,
            mail.subject,
            visible_text(&mail.text, &mail.text, false)
        );
        let files = attachments(mail);
        let comment_id =
            insert_comment(c, ticket_id, author.id, body, true, files, now.as_micros()).await?;
        let mut trail = Trail::new(ticket_id, Some(author.id), now);
        trail.push(
            EventKind::NoteAdded,
            None,
            None,
            Some(comment_id.to_string()),
            true,
        );
        trail.write(c).await?;
        remember(c, mail, ticket_id, now).await?;
        Ok(InboundOutcome {
            state: "note".into(),
            ticket_id: Some(ticket_id),
            comment_id: Some(comment_id),
            ..base
        })
    }

    /// Everyone the message was copied to watches the ticket.
    async fn add_watchers(
        &self,
        c: &mut Conn<'_>,
        mail: &Inbound,
        own: &[String],
        ticket_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        for address in watchers(&mail.cc, &mail.from.address, own) {
            let person = person_for(c, address, now.as_micros()).await?;
            c.add_watcher(ticket_id, person.id).await?;
        }
        Ok(())
    }
}

/// The message's own Message-ID threads later replies to the ticket.
async fn remember(c: &mut Conn<'_>, mail: &Inbound, ticket_id: i64, now: Timestamp) -> Result<()> {
    if let Some(id) = &mail.message_id {
        c.remember_message_id(id, ticket_id, "in", now.as_micros())
            .await?;
    }
    Ok(())
}

/// A comment row with its files, written as the mail's author.
async fn insert_comment(
    c: &mut Conn<'_>,
    ticket_id: i64,
    author_id: i64,
    body: String,
    internal: bool,
    files: Vec<NewAttachment>,
    at: i64,
) -> Result<i64> {
    let row = CommentRow {
        id: 0,
        ticket_id,
        author_id,
        body,
        internal,
        source_ticket_id: ticket_id,
        created_at: at,
    };
    let id = c.insert_comment(&row).await?;
    for f in files {
        let sha = sha256_hex(&f.data);
        c.put_blob(&sha, &f.data).await?;
        let att = AttachmentRow {
            id: 0,
            comment_id: id,
            ticket_id,
            filename: f.filename,
            content_type: f.content_type,
            size: i64::try_from(f.data.len()).unwrap_or(i64::MAX),
            sha256: sha,
            created_at: at,
        };
        c.insert_attachment(&att).await?;
    }
    Ok(id)
}

fn attachments(mail: &Inbound) -> Vec<NewAttachment> {
    mail.attachments
        .iter()
        .map(|a| NewAttachment {
            filename: clean_line(&a.filename, 255, "attachment"),
            content_type: a.content_type.clone(),
            data: a.data.clone(),
        })
        .collect()
}

fn file_names(files: &[NewAttachment]) -> String {
    files
        .iter()
        .map(|f| f.filename.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the ticket shows: `preferred` (the reply without quotes and signature), else the
/// whole text, else a line saying there was none; at most `MAX_TEXT` characters.
fn visible_text(preferred: &str, whole: &str, has_files: bool) -> String {
    let text = [preferred, whole]
        .into_iter()
        .map(str::trim)
        .find(|t| !t.is_empty())
        .unwrap_or(if has_files {
            "(no text; see the attached files)"
        } else {
            "(the email had no text)"
        });
    let text: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .take(MAX_TEXT)
        .collect();
    text.trim().to_owned()
}

/// A subject line the ticket core accepts, whatever the sender wrote.
fn subject_of(subject: &str) -> Subject {
    let line = clean_line(subject, Subject::MAX, "(no subject)");
    Subject::parse(&line)
        .or_else(|_| Subject::parse("(no subject)"))
        .unwrap_or_else(|_| unreachable!("a fixed subject is valid"))
}

/// One line of at most `max` characters without control characters; `fallback` if empty.
fn clean_line(text: &str, max: usize, fallback: &str) -> String {
    let line = frontline_mail::outbound::one_line(text, max);
    if line.is_empty() {
        fallback.to_owned()
    } else {
        line
    }
}

fn ignored(base: InboundOutcome, reason: &str) -> InboundOutcome {
    InboundOutcome {
        state: "ignored".into(),
        reason: Some(reason.to_owned()),
        ..base
    }
}

fn quarantined(reason: String) -> InboundOutcome {
    InboundOutcome {
        state: "quarantined".into(),
        reason: Some(reason),
        ..InboundOutcome::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_and_texts_are_made_acceptable() {
        assert_eq!(subject_of("  \t ").as_str(), "(no subject)");
        assert_eq!(subject_of("VPN\r\n down\u{7}").as_str(), "VPN down");
        // A long subject of mail is kept whole, up to the one bound every channel shares.
        assert_eq!(subject_of(&"x".repeat(600)).as_str().len(), 600);
        assert_eq!(subject_of(&"x".repeat(3_000)).as_str().len(), Subject::MAX);
        assert_eq!(visible_text(" ", "whole\u{0}", false), "whole");
        assert_eq!(
            visible_text("", "", true),
            "(no text; see the attached files)"
        );
    }
}
