//! Turning request bodies into the core's typed inputs, collecting every field error.

use frontline_core::tickets::{NewTicket, TicketPatch};
use frontline_domain::{
    CategoryPath, Channel, DomainError, Email, Level, Priority, Status, Subject, Tag, TicketType,
};

use super::dto::{CreateTicket, UpdateTicket};
use crate::api::Fields;
use crate::problem::ApiError;

fn tags(f: &mut Fields, raw: &[String]) -> Vec<Tag> {
    raw.iter().filter_map(|t| f.take(Tag::parse(t))).collect()
}

fn emails(f: &mut Fields, field: &str, raw: &[String]) -> Vec<Email> {
    raw.iter()
        .filter_map(|e| f.take(Email::parse(field, e)))
        .collect()
}

fn description(raw: &str) -> Result<String, DomainError> {
    if raw.chars().count() > 100_000 {
        return Err(DomainError::new(
            "description",
            "must be at most 100000 characters",
        ));
    }
    Ok(raw.trim().to_owned())
}

fn name(field: &str, raw: &str) -> Result<String, DomainError> {
    frontline_domain::text::clean_text(field, raw, 100, false)
}

pub fn new_ticket(b: CreateTicket) -> Result<NewTicket, ApiError> {
    let mut f = Fields::default();
    let ticket = read_new_ticket(&mut f, b);
    f.finish()?;
    ticket.ok_or_else(|| ApiError::bad_request("the ticket could not be read"))
}

/// Every field of `b` read, each error kept in `f`; `None` when any field was wrong.
fn read_new_ticket(f: &mut Fields, b: CreateTicket) -> Option<NewTicket> {
    let subject = f.take(Subject::parse(&b.subject));
    let description = f.take(description(&b.description));
    let ticket_type = or_default(f, b.ticket_type.as_deref(), TicketType::Incident, |t| {
        TicketType::parse("type", t)
    });
    let impact = or_default(f, b.impact.as_deref(), Level::Medium, |l| {
        Level::parse("impact", l)
    });
    let urgency = or_default(f, b.urgency.as_deref(), Level::Medium, |l| {
        Level::parse("urgency", l)
    });
    let priority = optional(f, b.priority.as_deref(), |p| Priority::parse("priority", p));
    let status = optional(f, b.status.as_deref(), |s| Status::parse("status", s));
    let category = optional(f, b.category.as_deref(), |c| {
        CategoryPath::parse("category", c)
    });
    let requester = optional(f, b.requester.as_deref(), |e| Email::parse("requester", e));
    let group = optional(f, b.group.as_deref(), |g| name("group", g));
    let assignee = optional(f, b.assignee.as_deref(), |e| Email::parse("assignee", e));
    let tags = tags(f, &b.tags);
    let watchers = emails(f, "watchers", &b.watchers);
    let channel = or_default(f, b.channel.as_deref(), Channel::Api, |c| {
        Channel::parse("channel", c)
    });
    Some(NewTicket {
        subject: subject?,
        description: description?,
        ticket_type: ticket_type?,
        impact: impact?,
        urgency: urgency?,
        priority: priority?,
        status: status?,
        category: category?,
        requester: requester?,
        requester_name: b.requester_name,
        group: group?,
        assignee: assignee?,
        tags,
        watchers,
        custom_fields: b.custom_fields,
        channel: channel?,
    })
}

/// An optional field: `Some(None)` when absent, `None` when it is wrong (the error is in `f`).
fn optional<T>(
    f: &mut Fields,
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, DomainError>,
) -> Option<Option<T>> {
    f.take(raw.map(parse).transpose())
}

/// A field that is `default` when absent; `None` when it is wrong (the error is in `f`).
fn or_default<T>(
    f: &mut Fields,
    raw: Option<&str>,
    default: T,
    parse: impl FnOnce(&str) -> Result<T, DomainError>,
) -> Option<T> {
    f.take(raw.map_or(Ok(default), parse))
}

pub fn patch(b: UpdateTicket) -> Result<TicketPatch, ApiError> {
    let mut f = Fields::default();
    let p = TicketPatch {
        subject: b.subject.as_deref().and_then(|s| f.take(Subject::parse(s))),
        description: b
            .description
            .as_deref()
            .and_then(|d| f.take(description(d))),
        status: b
            .status
            .as_deref()
            .and_then(|s| f.take(Status::parse("status", s))),
        ticket_type: b
            .ticket_type
            .as_deref()
            .and_then(|t| f.take(TicketType::parse("type", t))),
        impact: b
            .impact
            .as_deref()
            .and_then(|l| f.take(Level::parse("impact", l))),
        urgency: b
            .urgency
            .as_deref()
            .and_then(|l| f.take(Level::parse("urgency", l))),
        priority: b
            .priority
            .map(|p| p.and_then(|p| f.take(Priority::parse("priority", &p)))),
        category: b
            .category
            .map(|c| c.and_then(|c| f.take(CategoryPath::parse("category", &c)))),
        group: b.group.map(|g| g.and_then(|g| f.take(name("group", &g)))),
        assignee: b
            .assignee
            .map(|a| a.and_then(|a| f.take(Email::parse("assignee", &a)))),
        tags: b.tags.as_deref().map(|t| tags(&mut f, t)),
        watchers: b.watchers.as_deref().map(|w| emails(&mut f, "watchers", w)),
        custom_fields: b.custom_fields,
    };
    f.finish()?;
    Ok(p)
}
