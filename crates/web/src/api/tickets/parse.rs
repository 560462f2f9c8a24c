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
    let subject = f.take(Subject::parse(&b.subject));
    let description = f.take(description(&b.description));
    let ticket_type = f.take(
        b.ticket_type
            .as_deref()
            .map_or(Ok(TicketType::Incident), |t| TicketType::parse("type", t)),
    );
    let impact = f.take(
        b.impact
            .as_deref()
            .map_or(Ok(Level::Medium), |l| Level::parse("impact", l)),
    );
    let urgency = f.take(
        b.urgency
            .as_deref()
            .map_or(Ok(Level::Medium), |l| Level::parse("urgency", l)),
    );
    let priority = f.take(
        b.priority
            .as_deref()
            .map(|p| Priority::parse("priority", p))
            .transpose(),
    );
    let status = f.take(
        b.status
            .as_deref()
            .map(|s| Status::parse("status", s))
            .transpose(),
    );
    let category = f.take(
        b.category
            .as_deref()
            .map(|c| CategoryPath::parse("category", c))
            .transpose(),
    );
    let requester = f.take(
        b.requester
            .as_deref()
            .map(|e| Email::parse("requester", e))
            .transpose(),
    );
    let group = f.take(b.group.as_deref().map(|g| name("group", g)).transpose());
    let assignee = f.take(
        b.assignee
            .as_deref()
            .map(|e| Email::parse("assignee", e))
            .transpose(),
    );
    let tags = tags(&mut f, &b.tags);
    let watchers = emails(&mut f, "watchers", &b.watchers);
    let channel = f.take(
        b.channel
            .as_deref()
            .map_or(Ok(Channel::Api), |c| Channel::parse("channel", c)),
    );
    f.finish()?;
    match (
        subject,
        description,
        ticket_type,
        impact,
        urgency,
        priority,
        status,
        category,
        requester,
        group,
        assignee,
        channel,
    ) {
        (
            Some(subject),
            Some(description),
            Some(ticket_type),
            Some(impact),
            Some(urgency),
            Some(priority),
            Some(status),
            Some(category),
            Some(requester),
            Some(group),
            Some(assignee),
            Some(channel),
        ) => Ok(NewTicket {
            subject,
            description,
            ticket_type,
            impact,
            urgency,
            priority,
            status,
            category,
            requester,
            group,
            assignee,
            tags,
            watchers,
            custom_fields: b.custom_fields,
            channel,
        }),
        _ => Err(ApiError::bad_request("the ticket could not be read")),
    }
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
