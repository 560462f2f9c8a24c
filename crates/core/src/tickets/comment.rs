//! The conversation: public replies and internal notes, with attachments. A requester's reply
//! reopens a pending or resolved ticket; the desk's first public reply is its first response.
//! Everyone who may see a ticket may reply to it, but only its own requester's reply moves
//! its status: a watcher or an organization colleague adds to the conversation and no more.
//! Each comment is a change of its ticket: the updated rules run over it (`rules::changed`).

use frontline_domain::time_spent::{Minutes, TimeKind};
use frontline_domain::{
    Attachment, AttachmentId, Comment, CommentId, CommentRecord, EventKind, Status, TicketId,
    TicketRecord,
};
use frontline_store::Conn;

use super::trail::Trail;
use super::update::record_row_changes;
use super::{can_see, visible_for_update};
use crate::auth::sha256_hex;
use crate::rules::{Change, Update};
use crate::{Actor, Comments, CoreError, Result};

#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct NewComment {
    pub body: String,
    pub internal: bool,
    pub attachments: Vec<NewAttachment>,
    /// The minutes the work behind it took (staff only).
    pub time: Option<Spent>,
}

/// Time an agent spent, written down with a comment: on the reply or note itself, or on a
/// phone call the (internal) comment logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spent {
    pub minutes: Minutes,
    pub call: bool,
}

impl Spent {
    /// What the time went on, given whether its comment is internal.
    fn kind(self, internal: bool) -> TimeKind {
        match (self.call, internal) {
            (true, _) => TimeKind::Call,
            (false, true) => TimeKind::Note,
            (false, false) => TimeKind::Reply,
        }
    }
}

impl Comments {
    pub async fn add_comment(
        &self,
        actor: &Actor,
        ticket_id: TicketId,
        new: NewComment,
    ) -> Result<Comment> {
        let internal = new.internal;
        let mut tx = self.core.begin().await?;
        let comment = self
            .add_comment_in(&mut tx.conn(), actor, ticket_id, new)
            .await?;
        tx.commit().await?;
        tracing::info!(
            %ticket_id,
            comment_id = %comment.record.id,
            internal,
            "comment added"
        );
        Ok(comment)
    }

    /// `add_comment` inside the caller's transaction (mail ingest writes the comment and the
    /// message's outcome together).
    pub(crate) async fn add_comment_in(
        &self,
        c: &mut Conn<'_>,
        actor: &Actor,
        ticket_id: TicketId,
        new: NewComment,
    ) -> Result<Comment> {
        if new.internal && !actor.is_staff() {
            return Err(CoreError::forbidden("only agents may write internal notes"));
        }
        if new.time.is_some() && !actor.is_staff() {
            return Err(CoreError::forbidden("only agents record time spent"));
        }
        let body = frontline_domain::text::clean_text("body", &new.body, 100_000, true)?;
        self.check_attachments(&new.attachments)?;
        let now = self.core.now();
        let old = visible_for_update(c, actor, ticket_id).await?;
        if old.status == Status::Closed && !new.internal {
            return Err(CoreError::Conflict(
                "this ticket is closed; open a new ticket instead".into(),
            ));
        }
        let before = c
            .ticket_view(ticket_id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        let mut record = CommentRecord {
            id: CommentId::new(0),
            ticket_id,
            author_id: actor.id,
            body,
            internal: new.internal,
            source_ticket_id: ticket_id,
            created_at: now,
        };
        record.id = c.insert_comment(&record).await?;
        if let Some(spent) = new.time {
            let kind = spent.kind(new.internal);
            let minutes = spent.minutes.get();
            c.insert_time_entry(ticket_id, actor.id, Some(record.id), kind, minutes, now)
                .await?;
        }
        let attachments = store_attachments(c, &record, new.attachments).await?;
        let mut trail = Trail::new(ticket_id, Some(actor.id), now);
        let mut t = answered(&old, actor, &record, &mut trail);
        t.version = old.version + 1;
        t.times.updated_at = now;
        c.save_ticket(&t, old.version).await?;
        let after = c
            .ticket_view(ticket_id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        record_row_changes(&mut trail, &before, &after);
        trail.write(c).await?;
        let kind = match (new.internal, actor.is_staff()) {
            (true, _) => Update::Note,
            (false, true) => Update::AgentReply,
            (false, false) => Update::RequesterReply,
        };
        let change = Change {
            before: &before,
            saved: t,
            kind,
        };
        self.rules().ticket_changed(c, change, now).await?;
        self.sla().reconcile_sla(c, ticket_id, now, false).await?;
        self.mail().mail_on_comment(c, &record, actor, now).await?;
        Ok(Comment {
            record,
            author_email: actor.email.clone(),
            author_name: actor.name.clone(),
            author_role: actor.role,
            attachments,
        })
    }

    /// A page of the conversation after comment `after_id`; requesters never see notes.
    pub async fn list(
        &self,
        actor: &Actor,
        ticket_id: TicketId,
        after_id: CommentId,
        limit: i64,
    ) -> Result<Vec<Comment>> {
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let t = c
            .ticket_row(ticket_id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        if !can_see(&mut c, actor, &t).await? {
            return Err(CoreError::NotFound("ticket"));
        }
        let comments = c
            .comments(ticket_id, actor.is_staff(), after_id, limit)
            .await?;
        let ids: Vec<CommentId> = comments.iter().map(|v| v.record.id).collect();
        let mut atts = c.attachments_of(&ids).await?;
        Ok(comments
            .into_iter()
            .map(|mut comment| {
                let (mine, rest): (Vec<_>, Vec<_>) = atts
                    .drain(..)
                    .partition(|a| a.comment_id == comment.record.id);
                atts = rest;
                comment.attachments = mine;
                comment
            })
            .collect())
    }

    /// An attachment's metadata and content, if the actor may see its comment.
    pub async fn attachment(
        &self,
        actor: &Actor,
        ticket_id: TicketId,
        id: AttachmentId,
    ) -> Result<(Attachment, Vec<u8>)> {
        let mut pc = self.core.store.read().await?;
        let mut c = pc.conn();
        let (att, internal) = c
            .attachment(id)
            .await?
            .ok_or(CoreError::NotFound("attachment"))?;
        let t = c
            .ticket_row(ticket_id)
            .await?
            .ok_or(CoreError::NotFound("attachment"))?;
        if att.ticket_id != ticket_id
            || (internal && !actor.is_staff())
            || !can_see(&mut c, actor, &t).await?
        {
            return Err(CoreError::NotFound("attachment"));
        }
        let data = c
            .blob(&att.sha256)
            .await?
            .ok_or_else(|| CoreError::Internal(format!("attachment {id} has no stored content")))?;
        Ok((att, data))
    }

    fn check_attachments(&self, atts: &[NewAttachment]) -> Result<()> {
        if atts.len() > self.core.limits.attachments_per_comment {
            return Err(CoreError::invalid(
                "attachments",
                format!(
                    "at most {} files per comment",
                    self.core.limits.attachments_per_comment
                ),
            ));
        }
        for a in atts {
            if a.data.len() > self.core.limits.attachment_bytes {
                return Err(CoreError::invalid(
                    "attachments",
                    format!(
                        "{} is larger than {} bytes",
                        a.filename, self.core.limits.attachment_bytes
                    ),
                ));
            }
            frontline_domain::text::clean_text("attachments.filename", &a.filename, 255, false)?;
        }
        Ok(())
    }
}

/// Stores the comment's files: each content once by its hash, and a row per file.
pub(crate) async fn store_attachments(
    c: &mut Conn<'_>,
    comment: &CommentRecord,
    files: Vec<NewAttachment>,
) -> Result<Vec<Attachment>> {
    let mut attachments = Vec::with_capacity(files.len());
    for a in files {
        let sha = sha256_hex(&a.data);
        c.put_blob(&sha, &a.data).await?;
        let mut att = Attachment {
            id: AttachmentId::default(),
            comment_id: comment.id,
            ticket_id: comment.ticket_id,
            filename: a.filename,
            content_type: a.content_type,
            size: i64::try_from(a.data.len()).unwrap_or(i64::MAX),
            sha256: sha,
            created_at: comment.created_at,
        };
        att.id = c.insert_attachment(&att).await?;
        attachments.push(att);
    }
    Ok(attachments)
}

/// The ticket as the comment leaves it, with the comment's events in `trail`: a note is
/// only recorded; a reply is, and the desk's first one is its first response. The desk's
/// reply opens a new ticket, the requester's own reopens a pending or resolved one.
fn answered(
    old: &TicketRecord,
    actor: &Actor,
    comment: &CommentRecord,
    trail: &mut Trail,
) -> TicketRecord {
    let mut t = old.clone();
    let id = Some(comment.id.to_string());
    if comment.internal {
        trail.push(EventKind::NoteAdded, None, None, id, true);
        return t;
    }
    trail.push(
        EventKind::Replied,
        Some(actor.role.as_str()),
        None,
        id.clone(),
        false,
    );
    let status = old.status;
    let next = if actor.is_staff() {
        if t.times.first_response_at.is_none() {
            t.times.first_response_at = Some(comment.created_at);
            trail.push(EventKind::FirstResponse, None, None, id, false);
        }
        status.after_agent_reply()
    } else if old.requester_id == actor.id {
        status.after_requester_reply()
    } else {
        status
    };
    if next != status {
        t.set_status(next, comment.created_at);
    }
    t
}
