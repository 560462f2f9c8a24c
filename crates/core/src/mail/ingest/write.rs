//! Writing what an ingested message becomes: the ticket it opens, the comment a reply adds,
//! the internal note a bounce or auto-reply leaves, the watchers it copies in and the
//! Message-ID that threads later replies; and the text and subject the ticket core accepts.

use frontline_domain::mail::{InboundOutcome, InboundState};
use frontline_domain::{CommentId, CommentRecord, EventKind, Subject, TicketId, Timestamp, UserId};
use frontline_mail::{Automatic, Inbound};
use frontline_store::Conn;

use super::super::people::{person_for, watchers};
use crate::tickets::{NewAttachment, NewComment, NewTicket, Trail, store_attachments};
use crate::{Actor, Mail, Result};

/// Longest text kept in a ticket's description or a comment; the original keeps the rest.
const MAX_TEXT: usize = 100_000;

impl Mail {
    #[expect(
        clippy::too_many_arguments,
        reason = "one call site, each argument distinct"
    )]
    pub(super) async fn reply(
        &self,
        c: &mut Conn<'_>,
        mail: &Inbound,
        actor: &Actor,
        own: &[String],
        ticket_id: TicketId,
        now: Timestamp,
        base: InboundOutcome,
    ) -> Result<InboundOutcome> {
        let new = NewComment {
            body: visible_text(&mail.reply, &mail.text, !mail.attachments.is_empty()),
            internal: false,
            attachments: attachments(mail),
            time: None,
        };
        // A change of its ticket like any comment: the updated rules run inside.
        let comment = self
            .comments()
            .add_comment_in(c, actor, ticket_id, new)
            .await?;
        self.add_watchers(c, mail, own, ticket_id, now).await?;
        remember(c, mail, ticket_id, now).await?;
        Ok(InboundOutcome {
            state: InboundState::Comment,
            ticket_id: Some(ticket_id),
            comment_id: Some(comment.record.id),
            ..base
        })
    }

    /// Opens the ticket through the ticket core's creation path, in this transaction: it
    /// gets the created rules, automatic assignment, its SLA and its `created` event exactly
    /// as a ticket opened over the API.
    pub(super) async fn open_ticket(
        &self,
        c: &mut Conn<'_>,
        mail: &Inbound,
        requester: &Actor,
        own: &[String],
        now: Timestamp,
        base: InboundOutcome,
    ) -> Result<InboundOutcome> {
        let description = visible_text(&mail.text, &mail.text, !mail.attachments.is_empty());
        let new = NewTicket::new(
            subject_of(&mail.subject),
            description,
            frontline_domain::Channel::Email,
        );
        let row = self.tickets().create_ticket_in(c, requester, &new).await?;
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
            state: InboundState::Ticket,
            ticket_id: Some(row.id),
            comment_id,
            ..base
        })
    }

    /// A bounce or auto-reply, kept as an internal note on the ticket it answers.
    pub(super) async fn note(
        &self,
        c: &mut Conn<'_>,
        mail: &Inbound,
        ticket_id: TicketId,
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
            state: InboundState::Note,
            ticket_id: Some(ticket_id),
            comment_id: Some(comment_id),
            ..base
        })
    }

    /// Everyone the message was copied to watches the ticket.
    pub(super) async fn add_watchers(
        &self,
        c: &mut Conn<'_>,
        mail: &Inbound,
        own: &[String],
        ticket_id: TicketId,
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
async fn remember(
    c: &mut Conn<'_>,
    mail: &Inbound,
    ticket_id: TicketId,
    now: Timestamp,
) -> Result<()> {
    if let Some(id) = &mail.message_id {
        c.remember_message_id(id, ticket_id, "in", now.as_micros())
            .await?;
    }
    Ok(())
}

/// A comment row with its files, written as the mail's author.
async fn insert_comment(
    c: &mut Conn<'_>,
    ticket_id: TicketId,
    author_id: UserId,
    body: String,
    internal: bool,
    files: Vec<NewAttachment>,
    at: i64,
) -> Result<CommentId> {
    let mut comment = CommentRecord {
        id: CommentId::new(0),
        ticket_id,
        author_id,
        body,
        internal,
        source_ticket_id: ticket_id,
        created_at: Timestamp::from_micros(at),
    };
    comment.id = c.insert_comment(&comment).await?;
    store_attachments(c, &comment, files).await?;
    Ok(comment.id)
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
