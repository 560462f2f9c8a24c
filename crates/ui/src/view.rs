//! What templates show, prepared in Rust: the page frame (`Chrome`), times, and tickets,
//! comments and history entries as plain strings, so the templates stay simple and every
//! value reaches them as text askama escapes.

use chrono::{DateTime, Utc};
use frontline_core::sessions::BrowserSession;
use frontline_domain::{Attachment, Comment, CommentId, Event, EventKind, Role, Ticket, TicketId};

/// The frame around every page: who is signed in, where they are, and the token their forms
/// (sign-out included) must carry.
pub(crate) struct Chrome {
    pub signed_in: bool,
    pub user_name: String,
    pub staff: bool,
    /// Sees the link to the admin pages.
    pub admin: bool,
    pub csrf: String,
    pub section: &'static str,
}

impl Chrome {
    pub fn new(s: &BrowserSession, section: &'static str) -> Self {
        Self {
            signed_in: true,
            user_name: s.actor.name.clone(),
            staff: s.actor.is_staff(),
            admin: s.actor.role.can_administer(),
            csrf: s.csrf_token.clone(),
            section,
        }
    }
}

impl Chrome {
    /// The frame of a page seen before signing in.
    pub fn anonymous() -> Self {
        Self {
            signed_in: false,
            user_name: String::new(),
            staff: false,
            admin: false,
            csrf: String::new(),
            section: "",
        }
    }
}

pub(crate) fn time(micros: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// A time as a list shows it, the zone in the header: the hour today, the day and hour this
/// year, the date before that (UTC, as every page prints times until they follow the reader).
pub(crate) fn short_time(micros: i64, now: DateTime<Utc>) -> String {
    let Some(t) = DateTime::<Utc>::from_timestamp_micros(micros) else {
        return String::new();
    };
    let format = if t.date_naive() == now.date_naive() {
        "%H:%M"
    } else if t.format("%Y").to_string() == now.format("%Y").to_string() {
        "%-d %b %H:%M"
    } else {
        "%Y-%m-%d"
    };
    t.format(format).to_string()
}

/// The machine-readable form for `<time datetime>`.
pub(crate) fn iso(micros: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// A status as the desk's team says it.
pub(crate) fn status_label(status: &str) -> &'static str {
    match status {
        "new" => "New",
        "open" => "Open",
        "pending" => "Pending",
        "on_hold" => "On hold",
        "resolved" => "Resolved",
        "closed" => "Closed",
        _ => "Unknown",
    }
}

/// A status as a requester understands it.
pub(crate) fn plain_status(status: &str) -> &'static str {
    match status {
        "new" => "Received",
        "open" => "In progress",
        "pending" => "Waiting for your reply",
        "on_hold" => "On hold",
        "resolved" => "Solved",
        "closed" => "Closed",
        _ => "Unknown",
    }
}

pub(crate) struct TicketLine {
    pub id: TicketId,
    pub subject: String,
    pub requester: String,
    pub status: String,
    pub status_label: &'static str,
    pub plain_status: &'static str,
    pub priority: String,
    /// The assignee's name (their email when they have none); empty for nobody.
    pub assignee: String,
    pub organization: String,
    pub group: String,
    pub created: String,
    pub updated: String,
    /// The same without the zone, for a list whose header names it.
    pub updated_short: String,
    pub updated_iso: String,
}

impl TicketLine {
    pub fn of(t: &Ticket) -> Self {
        let r = &t.record;
        let (created, updated) = (
            r.times.created_at.as_micros(),
            r.times.updated_at.as_micros(),
        );
        Self {
            id: r.id,
            subject: r.subject.clone(),
            requester: t.requester_name.clone(),
            status: r.status.as_str().to_owned(),
            status_label: status_label(r.status.as_str()),
            plain_status: plain_status(r.status.as_str()),
            priority: r.priority.as_str().to_owned(),
            assignee: t
                .assignee_name
                .as_deref()
                .filter(|n| !n.trim().is_empty())
                .or(t.assignee_email.as_deref())
                .unwrap_or_default()
                .to_owned(),
            organization: t.organization_name.clone().unwrap_or_default(),
            group: t.group_name.clone().unwrap_or_default(),
            created: time(created),
            updated: time(updated),
            updated_short: short_time(updated, Utc::now()),
            updated_iso: iso(updated),
        }
    }
}

pub(crate) struct FileLink {
    pub href: String,
    pub name: String,
    pub size: String,
}

impl FileLink {
    fn of(a: &Attachment) -> Self {
        Self {
            href: format!("/tickets/{}/attachments/{}", a.ticket_id, a.id),
            name: a.filename.clone(),
            size: human_size(a.size),
        }
    }
}

fn human_size(bytes: i64) -> String {
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if bytes < 1024 * 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// One entry of the conversation.
pub(crate) struct Message {
    pub id: CommentId,
    pub author: String,
    pub from_desk: bool,
    pub internal: bool,
    pub body: String,
    pub at: String,
    pub at_iso: String,
    pub files: Vec<FileLink>,
}

impl Message {
    pub fn of(c: &Comment) -> Self {
        let r = &c.record;
        let at = r.created_at.as_micros();
        Self {
            id: r.id,
            author: c.author_name.clone(),
            from_desk: c.author_role != Role::Requester,
            internal: r.internal,
            body: r.body.clone(),
            at: time(at),
            at_iso: iso(at),
            files: c.attachments.iter().map(FileLink::of).collect(),
        }
    }
}

/// One line of the audit history.
pub(crate) struct HistoryLine {
    pub at: String,
    pub at_iso: String,
    pub who: String,
    pub what: String,
    /// A person did it (not the desk's own timers, rules or mail).
    pub by_person: bool,
}

impl HistoryLine {
    pub fn of(e: &Event) -> Self {
        let r = &e.record;
        let field = r.field.clone().unwrap_or_default().replace('_', " ");
        let old = r.old_value.clone().unwrap_or_else(|| "none".into());
        let new = r.new_value.clone().unwrap_or_else(|| "none".into());
        let what = match r.kind {
            EventKind::Created => "opened the ticket".to_owned(),
            EventKind::FieldChanged => format!("changed {field}: {old} → {new}"),
            EventKind::Replied => "replied".to_owned(),
            EventKind::NoteAdded => "added an internal note".to_owned(),
            EventKind::FirstResponse => "first response from the desk".to_owned(),
            other => {
                let kind = other.as_str().replace('_', " ");
                if field.is_empty() {
                    kind
                } else {
                    format!("{kind} ({field})")
                }
            }
        };
        Self {
            at: time(r.at.as_micros()),
            at_iso: iso(r.at.as_micros()),
            who: e
                .actor_name
                .as_deref()
                .filter(|n| !n.trim().is_empty())
                .or(e.actor_email.as_deref())
                .unwrap_or("Frontline")
                .to_owned(),
            what,
            by_person: r.actor_id.is_some(),
        }
    }
}

/// One `<option>` of a select.
pub(crate) struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Opt {
    pub fn list<I, V, L>(items: I, selected: &str) -> Vec<Opt>
    where
        I: IntoIterator<Item = (V, L)>,
        V: Into<String>,
        L: Into<String>,
    {
        items
            .into_iter()
            .map(|(v, l)| {
                let value = v.into();
                Opt {
                    selected: value == selected,
                    value,
                    label: l.into(),
                }
            })
            .collect()
    }
}

/// A labelled `<select>`.
pub(crate) struct Select {
    pub id: &'static str,
    pub name: &'static str,
    pub label: &'static str,
    pub options: Vec<Opt>,
}

impl Select {
    pub fn new(
        id: &'static str,
        name: &'static str,
        label: &'static str,
        options: Vec<Opt>,
    ) -> Self {
        Self {
            id,
            name,
            label,
            options,
        }
    }
}

/// A ticket type, a status or a mode as people say it: `service_request` is "Service request".
pub(crate) fn words(value: &str) -> String {
    let mut s = value.replace('_', " ");
    if let Some(first) = s.get(..1) {
        let up = first.to_uppercase();
        s.replace_range(..1, &up);
    }
    s
}

/// Where a ticket came from, in words: "Email", "Phone", "API".
pub(crate) fn channel_words(channel: &str) -> String {
    if channel == "api" {
        "API".to_owned()
    } else {
        words(channel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_utc() {
        assert_eq!(time(1_767_225_600_000_000), "2026-01-01 00:00 UTC");
        assert_eq!(iso(1_767_225_600_000_000), "2026-01-01T00:00:00Z");
    }

    #[test]
    fn list_times_shorten_with_nearness() {
        // 2026-03-05 14:30 UTC.
        let now = DateTime::<Utc>::from_timestamp_micros(1_772_721_000_000_000).expect("a time");
        let at = |hours_before: i64| 1_772_721_000_000_000 - hours_before * 3_600_000_000;
        assert_eq!(short_time(at(2), now), "12:30");
        assert_eq!(short_time(at(24 * 3), now), "2 Mar 14:30");
        assert_eq!(short_time(at(24 * 400), now), "2025-01-29");
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(512), "512 bytes");
        assert_eq!(human_size(2048), "2 KB");
        assert_eq!(human_size(3 * 1024 * 1024), "3.0 MB");
    }

    #[test]
    fn requesters_read_statuses_in_plain_words() {
        assert_eq!(plain_status("pending"), "Waiting for your reply");
        assert_eq!(status_label("on_hold"), "On hold");
    }
}
