//! Shared set-up for the storage story tests: builders for the rows stories insert. The
//! database per test and the `stories!` macro that runs every story on both come from
//! `frontline-testkit`.
#![allow(
    dead_code,
    reason = "each test file uses a different part of the support module"
)]

use frontline_domain::{
    Channel, Email, Group, GroupId, Level, Organization, OrganizationId, Priority, Role, Status,
    TicketId, TicketRecord, TicketType, Timestamp, Timestamps, User, UserId,
};
use frontline_store::{Result, Store};

pub use frontline_testkit::stories;

pub mod desk;

/// A moment in 2023, in microseconds since the epoch: the "now" of every story.
pub const T0: i64 = 1_700_000_000_000_000;

/// A new active person; `role` is one of the stored role names.
pub fn user(email: &str, role: &str) -> User {
    User {
        id: UserId::new(0),
        email: Email::from_parsed(email.to_owned()),
        name: email.split('@').next().unwrap_or(email).to_uppercase(),
        role: Role::parse(role).expect("a role the test names"),
        organization_id: None,
        password_hash: None,
        active: true,
        created_at: Timestamp::from_micros(T0),
    }
}

pub fn org(name: &str, domain: Option<&str>, shared_tickets: bool) -> Organization {
    Organization {
        id: OrganizationId::new(0),
        name: name.into(),
        domain: domain.map(Into::into),
        shared_tickets,
        created_at: Timestamp::from_micros(T0),
    }
}

pub fn group(name: &str) -> Group {
    Group {
        id: GroupId::new(0),
        name: name.into(),
        description: format!("The {name} team"),
        created_at: Timestamp::from_micros(T0),
    }
}

/// A new P3 incident from `requester_id`, created and updated at [`T0`].
pub fn ticket(requester_id: UserId, subject: &str) -> TicketRecord {
    TicketRecord {
        id: TicketId::new(0),
        subject: subject.into(),
        description: format!("Details of {subject}"),
        status: Status::New,
        ticket_type: TicketType::Incident,
        impact: Level::Medium,
        urgency: Level::Medium,
        priority: Priority::P3,
        priority_overridden: false,
        category_id: None,
        requester_id,
        organization_id: None,
        group_id: None,
        assignee_id: None,
        channel: Channel::Portal,
        custom_fields: Default::default(),
        merged_into_id: None,
        version: 1,
        times: Timestamps::opened(Timestamp::from_micros(T0)),
    }
}

/// Inserts a person in a transaction of its own and returns their id.
pub async fn add_user(store: &Store, row: &User) -> Result<UserId> {
    let mut tx = store.begin().await?;
    let id = tx.conn().insert_user(row).await?;
    tx.commit().await?;
    Ok(id)
}

/// Inserts a ticket in a transaction of its own and returns its number.
pub async fn add_ticket(store: &Store, row: &TicketRecord) -> Result<TicketId> {
    let mut tx = store.begin().await?;
    let id = tx.conn().insert_ticket(row).await?;
    tx.commit().await?;
    Ok(id)
}
