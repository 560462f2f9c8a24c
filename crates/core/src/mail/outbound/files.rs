//! The files an agent's public reply sends along. At compose time the comment's attachments
//! are split by [`MAX_ATTACHED_BYTES`]: those that fit are named by id on the outbox row,
//! the rest are listed in the body (the template's `files.too_large`) with a pointer to the
//! portal. At send time the ids are read back into MIME parts; a file that has gone since,
//! or that belongs to an internal note, is left out and the message still goes.

use frontline_domain::FileName;
use frontline_domain::{Attachment, AttachmentId, CommentRecord, OutboxId};
use frontline_mail::outbound::OutgoingAttachment;
use frontline_store::Conn;
use serde_json::json;

use crate::Result;

/// Most bytes of files one message carries. Base64 makes them about 4/3 as large on the
/// wire: 7 MiB of files is a message just under 10 MB, the limit Postfix and many
/// providers keep by default, so a reply is not refused for its size.
pub const MAX_ATTACHED_BYTES: i64 = 7 * 1024 * 1024;

/// A comment's files, split by what fits into one message.
#[derive(Debug, Default)]
pub(super) struct Files {
    pub attached: Vec<Attachment>,
    pub too_large: Vec<Attachment>,
}

impl Files {
    /// The files of `comment` when it is a public reply (an internal note's never go out),
    /// in upload order: each that still fits under the cap is attached, the others listed.
    pub(super) async fn of(c: &mut Conn<'_>, comment: &CommentRecord) -> Result<Self> {
        if comment.internal {
            return Ok(Self::default());
        }
        Ok(split(
            c.attachments_of(&[comment.id]).await?,
            MAX_ATTACHED_BYTES,
        ))
    }

    /// The ids to store on the outbox row, one a line; `None` for none.
    pub(super) fn ids(&self) -> Option<String> {
        (!self.attached.is_empty()).then(|| {
            self.attached
                .iter()
                .map(|a| a.id.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        })
    }

    /// What the templates see: `files.attached` and `files.too_large`, each a list of
    /// `{name, size}` with the size in words, and the cap in words (`files.limit`).
    pub(super) fn values(&self) -> serde_json::Value {
        let list = |rows: &[Attachment]| -> Vec<serde_json::Value> {
            rows.iter()
                .map(|a| json!({"name": a.filename, "size": size_label(a.size)}))
                .collect()
        };
        json!({
            "attached": list(&self.attached),
            "too_large": list(&self.too_large),
            "limit": size_label(MAX_ATTACHED_BYTES),
        })
    }
}

fn split(rows: Vec<Attachment>, cap: i64) -> Files {
    let mut files = Files::default();
    let mut total = 0;
    for a in rows {
        if total + a.size <= cap {
            total += a.size;
            files.attached.push(a);
        } else {
            files.too_large.push(a);
        }
    }
    files
}

/// Reads the files a stored message names (`ids`, one a line). A file that is gone, has no
/// content, or belongs to an internal note is left out with a warning: the mail still goes.
pub(super) async fn load(
    c: &mut Conn<'_>,
    outbox_id: OutboxId,
    ids: Option<&str>,
) -> Result<Vec<OutgoingAttachment>> {
    let mut files = Vec::new();
    for id in ids.unwrap_or_default().lines() {
        let Ok(id) = id.trim().parse::<AttachmentId>() else {
            tracing::warn!(
                %outbox_id,
                id,
                "an attachment id on the message does not parse; left out"
            );
            continue;
        };
        let row = match c.attachment(id).await? {
            Some((_, true)) => {
                tracing::warn!(
                    %outbox_id,
                    attachment_id = %id,
                    "an internal note's file is never mailed; left out"
                );
                continue;
            }
            Some((row, false)) => row,
            None => {
                tracing::warn!(
                    %outbox_id,
                    attachment_id = %id,
                    "the attachment is gone; the mail goes without it"
                );
                continue;
            }
        };
        let Some(data) = c.blob(&row.sha256).await? else {
            tracing::warn!(
                %outbox_id,
                attachment_id = %id,
                "the attachment has no stored content; the mail goes without it"
            );
            continue;
        };
        // A name stored before names were made safe goes out safe (never a path).
        let n = files.len() + 1;
        files.push(OutgoingAttachment {
            filename: FileName::or_numbered(Some(&row.filename), n).into_string(),
            content_type: row.content_type,
            data,
        });
    }
    Ok(files)
}

/// A size as people read it: `512 bytes`, `3.4 KiB`, `12.0 MiB`.
fn size_label(bytes: i64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KIB {
        format!("{bytes} bytes")
    } else if b < KIB * KIB {
        format!("{:.1} KiB", b / KIB)
    } else {
        format!("{:.1} MiB", b / (KIB * KIB))
    }
}

#[cfg(test)]
mod tests {
    use frontline_domain::{CommentId, TicketId};

    use super::*;

    fn file(id: i64, size: i64) -> Attachment {
        Attachment {
            id: AttachmentId::new(id),
            comment_id: CommentId::new(1),
            ticket_id: TicketId::new(1),
            filename: format!("f{id}"),
            content_type: "text/plain".into(),
            size,
            sha256: String::new(),
            created_at: frontline_domain::Timestamp::from_micros(0),
        }
    }

    #[test]
    fn files_over_the_cap_are_listed_in_upload_order() {
        let files = split(vec![file(1, 6), file(2, 5), file(3, 4)], 10);
        let ids = |rows: &[Attachment]| rows.iter().map(|a| a.id.get()).collect::<Vec<_>>();
        assert_eq!(ids(&files.attached), [1, 3]);
        assert_eq!(ids(&files.too_large), [2]);
        assert_eq!(files.ids().as_deref(), Some("1\n3"));
        assert_eq!(Files::default().ids(), None);
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(size_label(512), "512 bytes");
        assert_eq!(size_label(3 * 1024 + 400), "3.4 KiB");
        assert_eq!(size_label(MAX_ATTACHED_BYTES), "7.0 MiB");
    }
}
