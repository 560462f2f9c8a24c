//! SLAs end to end on SQLite and on PostgreSQL: a policy on an office calendar applies to new
//! tickets, timers record the warning and the breach once each at their exact times, pending
//! pauses the clock, a requester's reply resumes it, and a change of priority moves the
//! ticket to another policy with both due times in the trail.

use crate::support;

use frontline_core::Actor;
use frontline_core::Desk;
use frontline_core::people::NewUser;
use frontline_core::tickets::{NewComment, NewTicket, TicketPatch};
use frontline_domain::{Email, EventId, Level, Role, Status, Subject, Timestamp};
use frontline_store::Store;
use support::{MINUTE, Result, World, at_of, count, monday};

frontline_testkit::stories!(
    timers_warn_and_breach_once_and_pauses_hold_the_clock,
    no_policy_no_sla
);

async fn timers_warn_and_breach_once_and_pauses_hold_the_clock(store: &Store) -> Result {
    let w = World::new(store, None).await?;
    let id = w.open(Level::High, Level::High, |t| t).await?;
    let slas = w.desk.sla().ticket_slas(&w.agent, id).await?;
    let due = |target: &str| {
        slas.iter()
            .find(|s| s.target.as_str() == target)
            .and_then(|s| s.due_at)
            .map(Timestamp::as_micros)
    };
    assert_eq!(
        due("first_response"),
        Some(monday(10, 0)),
        "P1: first response within 1 business hour"
    );
    assert_eq!(due("resolution"), Some(monday(13, 0)));

    // Nothing is due yet; at 09:46 the first-response warning (75 % = 45 min) has fallen due.
    assert_eq!(w.run_jobs().await?, 0);
    w.at(monday(9, 46));
    w.run_jobs().await?;
    let events = w.sla_events(id).await?;
    assert_eq!(
        at_of(&events, "sla_warning", "first_response"),
        Some(monday(9, 45))
    );
    // At 10:00:30 the breach; a second pass of the timers adds nothing.
    w.at(monday(10, 0) + MINUTE / 2);
    w.run_jobs().await?;
    w.run_jobs().await?;
    let events = w.sla_events(id).await?;
    assert_eq!(
        at_of(&events, "sla_breached", "first_response"),
        Some(monday(10, 0))
    );
    assert_eq!(count(&events, "sla_warning", "first_response"), 1);
    assert_eq!(count(&events, "sla_breached", "first_response"), 1);

    // The late answer meets the target (still breached), and pending pauses the resolution.
    w.at(monday(10, 5));
    w.desk
        .comments()
        .add_comment(
            &w.agent,
            id,
            NewComment {
                body: "Restarting the server.".into(),
                internal: false,
                attachments: vec![],
                time: None,
            },
        )
        .await?;
    w.at(monday(10, 10));
    let pending = TicketPatch {
        status: Some(Status::Pending),
        ..TicketPatch::default()
    };
    w.desk
        .tickets()
        .update_ticket(&w.agent, id, pending, None)
        .await?;
    let slas = w.desk.sla().ticket_slas(&w.agent, id).await?;
    let resolution = slas
        .iter()
        .find(|s| s.target.as_str() == "resolution")
        .expect("resolution");
    assert_eq!(
        (resolution.state.as_str(), resolution.due_at),
        ("paused", None)
    );
    assert_eq!(resolution.elapsed, 70 * MINUTE);

    // Paused over night: no warning although 13:00 passes. The requester answers on Tuesday
    // at 09:00, which reopens the ticket and resumes the clock: 170 minutes left.
    w.at(monday(9, 0) + 24 * 60 * MINUTE);
    w.run_jobs().await?;
    w.desk
        .comments()
        .add_comment(
            &w.requester,
            id,
            NewComment {
                body: "It works again".into(),
                internal: false,
                attachments: vec![],
                time: None,
            },
        )
        .await?;
    let slas = w.desk.sla().ticket_slas(&w.agent, id).await?;
    let resolution = slas
        .iter()
        .find(|s| s.target.as_str() == "resolution")
        .expect("resolution");
    assert_eq!(resolution.state.as_str(), "running");
    assert_eq!(
        resolution.due_at.map(Timestamp::as_micros),
        Some(monday(11, 50) + 24 * 60 * MINUTE)
    );

    // Lowered to P3, the ticket falls under the standard policy: 40 business hours to resolve.
    let lower = TicketPatch {
        impact: Some(Level::Low),
        urgency: Some(Level::Medium),
        ..TicketPatch::default()
    };
    w.desk
        .tickets()
        .update_ticket(&w.agent, id, lower, None)
        .await?;
    let events = w.sla_events(id).await?;
    assert_eq!(count(&events, "sla_paused", "resolution"), 1);
    assert_eq!(count(&events, "sla_resumed", "resolution"), 1);
    assert_eq!(count(&events, "sla_warning", "resolution"), 0);
    assert_eq!(count(&events, "sla_met", "first_response"), 1);
    assert_eq!(count(&events, "sla_policy_changed", "resolution"), 1);
    let changed = w
        .desk
        .tickets()
        .events(&w.agent, id, EventId::default(), 1_000)
        .await?;
    let change = changed
        .iter()
        .find(|e| {
            e.record.kind.as_str() == "sla_policy_changed"
                && e.record.field.as_deref() == Some("resolution")
        })
        .expect("change");
    assert!(
        change.record.old_value.is_some()
            && change.record.new_value.is_some()
            && change.record.old_value != change.record.new_value
    );

    // Running the timers again, however often, writes nothing new.
    let before = w.sla_events(id).await?.len();
    w.run_jobs().await?;
    assert_eq!(w.sla_events(id).await?.len(), before);
    Ok(())
}

async fn no_policy_no_sla(store: &Store) -> Result {
    store.migrate().await?;
    let desk = Desk::new(store.clone());
    let email = Email::parse("email", "ana@corp.test")?;
    let u = desk
        .people()
        .add_user(
            None,
            NewUser {
                email,
                name: "Ana".into(),
                role: Role::Agent,
                organization: None,
                password: None,
            },
        )
        .await?;
    let ana = Actor {
        id: u.id,
        email: u.email,
        name: u.name,
        role: Role::Agent,
        organization_id: None,
    };
    let new = NewTicket::new(
        Subject::parse("Printer")?,
        "",
        frontline_domain::Channel::Api,
    );
    let id = desk
        .tickets()
        .create_ticket(&ana, new, None)
        .await?
        .ticket
        .record
        .id;
    assert!(desk.sla().ticket_slas(&ana, id).await?.is_empty());
    Ok(())
}
