//! The conversation: public replies and internal notes, with attachments. A requester's reply
//! reopens a pending or resolved ticket; the desk's first public reply is its first response.
//! Everyone who may see a ticket may reply to it, but only its own requester's reply moves
//! its status: a watcher or an organization colleague adds to the conversation and no more.
//! Each comment is a change of its ticket: the updated rules run over it (`rules::changed`).

use frontline_domain::{EventKind, Status};
use frontline_store::attachments::AttachmentRow;
use frontline_store::comments::{CommentRow, CommentView};

use super::trail::Trail;
use super::update::{record_row_changes, set_status};
use super::{can_see, visible_for_update};
use crate::auth::sha256_hex;
use crate::rules::{Change, Update};
use crate::{Actor, CoreError, Desk, Result};

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
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub view: CommentView,
    pub attachments: Vec<AttachmentRow>,
}

impl Desk {
    pub async fn add_comment(
        &self,
        actor: &Actor,
        ticket_id: i64,
        new: NewComment,
    ) -> Result<Comment> {
        let internal = new.internal;
        let mut tx = self.begin().await?;
        let comment = self
            .add_comment_in(&mut tx.conn(), actor, ticket_id, new)
            .await?;
        tx.commit().await?;
        tracing::info!(
            ticket_id,
            comment_id = comment.view.row.id,
            internal,
            "comment added"
        );
        Ok(comment)
    }

    /// `add_comment` inside the caller's transaction (mail ingest writes the comment and the
    /// message's outcome together).
    pub(crate) async fn add_comment_in(
        &self,
        c: &mut frontline_store::Conn<'_>,
        actor: &Actor,
        ticket_id: i64,
        new: NewComment,
    ) -> Result<Comment> {
        if new.internal && !actor.is_staff() {
            return Err(CoreError::forbidden("only agents may write internal notes"));
        }
        let body = frontline_domain::text::clean_text("body", &new.body, 100_000, true)?;
        self.check_attachments(&new.attachments)?;
        let now = self.now();
        let at = now.as_micros();
        let old = visible_for_update(c, actor, ticket_id).await?;
        let status = Status::parse("status", &old.status)?;
        if status == Status::Closed && !new.internal {
            return Err(CoreError::Conflict(
                "this ticket is closed; open a new ticket instead".into(),
            ));
        }
        let before = c
            .ticket_view(ticket_id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        let mut row = CommentRow {
            id: 0,
            ticket_id,
            author_id: actor.id,
            body,
            internal: new.internal,
            source_ticket_id: ticket_id,
            created_at: at,
        };
        row.id = c.insert_comment(&row).await?;
        let mut attachments = Vec::new();
        for a in new.attachments {
            let sha = sha256_hex(&a.data);
            c.put_blob(&sha, &a.data).await?;
            let mut att = AttachmentRow {
                id: 0,
                comment_id: row.id,
                ticket_id,
                filename: a.filename,
                content_type: a.content_type,
                size: i64::try_from(a.data.len()).unwrap_or(i64::MAX),
                sha256: sha,
                created_at: at,
            };
            att.id = c.insert_attachment(&att).await?;
            attachments.push(att);
        }

        let mut t = old.clone();
        let mut trail = Trail::new(ticket_id, Some(actor.id), now);
        if new.internal {
            trail.push(
                EventKind::NoteAdded,
                None,
                None,
                Some(row.id.to_string()),
                true,
            );
        } else {
            let role = actor.role.as_str().to_owned();
            trail.push(
                EventKind::Replied,
                Some(&role),
                None,
                Some(row.id.to_string()),
                false,
            );
            let next = if actor.is_staff() {
                if t.first_response_at.is_none() {
                    t.first_response_at = Some(at);
                    trail.push(
                        EventKind::FirstResponse,
                        None,
                        None,
                        Some(row.id.to_string()),
                        false,
                    );
                }
                status.after_agent_reply()
            } else if old.requester_id == actor.id {
                status.after_requester_reply()
            } else {
                status
            };
            if next != status {
                set_status(&mut t, next, at);
            }
        }
        t.version = old.version + 1;
        t.updated_at = at;
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
        self.ticket_changed(c, change, now).await?;
        self.reconcile_sla(c, ticket_id, now, false).await?;
        self.mail_on_comment(c, &row, actor, now).await?;
        let view = CommentView {
            row,
            author_email: actor.email.clone(),
            author_name: actor.name.clone(),
            author_role: actor.role.as_str().to_owned(),
        };
        Ok(Comment { view, attachments })
    }

    /// A page of the conversation after comment `after_id`; requesters never see notes.
    pub async fn comments(
        &self,
        actor: &Actor,
        ticket_id: i64,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<Comment>> {
        let mut pc = self.store.read().await?;
        let mut c = pc.conn();
        let t = c
            .ticket_row(ticket_id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        if !can_see(&mut c, actor, &t).await? {
            return Err(CoreError::NotFound("ticket"));
        }
        let views = c
            .comments(ticket_id, actor.is_staff(), after_id, limit)
            .await?;
        let ids: Vec<i64> = views.iter().map(|v| v.row.id).collect();
        let mut atts = c.attachments_of(&ids).await?;
        Ok(views
            .into_iter()
            .map(|view| {
                let (mine, rest): (Vec<_>, Vec<_>) =
                    atts.drain(..).partition(|a| a.comment_id == view.row.id);
                atts = rest;
                Comment {
                    view,
                    attachments: mine,
                }
            })
            .collect())
    }

    /// An attachment's metadata and content, if the actor may see its comment.
    pub async fn attachment(
        &self,
        actor: &Actor,
        ticket_id: i64,
        id: i64,
    ) -> Result<(AttachmentRow, Vec<u8>)> {
        let mut pc = self.store.read().await?;
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
        if atts.len() > self.limits.attachments_per_comment {
            return Err(CoreError::invalid(
                "attachments",
                format!(
                    "at most {} files per comment",
                    self.limits.attachments_per_comment
                ),
            ));
        }
        for a in atts {
            if a.data.len() > self.limits.attachment_bytes {
                return Err(CoreError::invalid(
                    "attachments",
                    format!(
                        "{} is larger than {} bytes",
                        a.filename, self.limits.attachment_bytes
                    ),
                ));
            }
            frontline_domain::text::clean_text("attachments.filename", &a.filename, 255, false)?;
        }
        Ok(())
    }
}
