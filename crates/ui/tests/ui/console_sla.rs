//! The SLA in the console, on both databases, on a desk whose clock the test moves: each
//! queue row's SLA cell (breached, due soon, on track, paused) with the business time left,
//! the "SLA due within 2 h" and "SLA breached" queues and their counts, ordering by due time, and
//! the ticket page's panel with every target and the clocks' pauses.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use frontline_core::tickets::NewTicket;
use frontline_core::{Actor, Store};
use frontline_domain::sla::{Conditions, Policy, Targets};
use frontline_domain::{Calendar, Channel, Role, Status, Subject, TicketId, TicketType};

use crate::support;
use support::{Site, TestResult, stories};

stories! {
    queues_show_where_each_ticket_stands_against_its_sla,
}

const MINUTE: i64 = 60_000_000;
/// Monday 2026-11-30 09:00 UTC.
const T0: i64 = 1_796_029_200_000_000;

fn policy() -> Policy {
    Policy {
        name: "Standard".into(),
        conditions: Conditions {
            types: vec![TicketType::Incident],
            ..Conditions::default()
        },
        targets: Targets {
            first_response: Some(30),
            resolution: Some(240),
            ..Targets::default()
        },
        pause_when: vec![Status::Pending],
        warn_at_percent: 75,
        escalation: None,
    }
}

/// The `<tr>` of ticket `id` on a queue page.
fn row(body: &str, id: TicketId) -> &str {
    let start = body
        .find(&format!("data-id=\"{id}\""))
        .unwrap_or_else(|| panic!("ticket {id} is listed"));
    let rest = &body[start..];
    &rest[..rest.find("</tr>").unwrap_or(rest.len())]
}

async fn at(
    site: &Site,
    clock: &AtomicI64,
    minutes: i64,
    who: &Actor,
    subject: &str,
) -> TestResult<TicketId> {
    clock.store(T0 + minutes * MINUTE, Ordering::SeqCst);
    site.ticket(who, subject).await
}

async fn queues_show_where_each_ticket_stands_against_its_sla(store: &Store) -> TestResult {
    let clock = Arc::new(AtomicI64::new(T0));
    let site = Site::with_clock(store, clock.clone()).await?;
    let admin = site.person("admin@example.org", Role::Admin).await?;
    let agent = site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    let sla = site.desk.sla();
    sla.add_calendar(&admin, "Around the clock", &Calendar::always())
        .await?;
    sla.add_sla_policy(&admin, &policy(), "Around the clock")
        .await?;

    let late = at(&site, &clock, 0, &rita, "Mail is down").await?;
    let waiting = at(&site, &clock, 30, &rita, "New starter needs a laptop").await?;
    let soon = at(&site, &clock, 20, &rita, "VPN drops").await?;
    let fresh = at(&site, &clock, 44, &rita, "Printer jam").await?;
    clock.store(T0 + 35 * MINUTE, Ordering::SeqCst);
    site.set_status(&agent, waiting, Status::Pending).await?;
    clock.store(T0 + 45 * MINUTE, Ordering::SeqCst);
    // The SLA timer of the late ticket fires, as the worker would at 09:30: the breach is on
    // record, which the breached queue reads.
    let mut tx = site.desk.store().begin().await?;
    sla.fire_sla_timer(&mut tx.conn(), late).await?;
    tx.commit().await?;

    let mut b = site.signed_in("agent@example.org").await?;
    let open = b.get("/console?queue=open").await?.body;
    // First response was due at 09:30: 15 minutes over.
    let r = row(&open, late);
    assert!(r.contains("sla-breached") && r.contains("15m over"), "{r}");
    // Due at 09:50, warned from 09:42:30.
    let r = row(&open, soon);
    assert!(r.contains("sla-warning") && r.contains("5m left"), "{r}");
    let r = row(&open, fresh);
    assert!(r.contains("sla-running") && r.contains("29m left"), "{r}");
    assert!(
        r.contains("data-ticking"),
        "a running clock counts down: {r}"
    );

    let waiting_page = b.get("/console?queue=pending").await?.body;
    // Paused at 09:35 with 25 of its 30 minutes left; it does not tick.
    let r = row(&waiting_page, waiting);
    assert!(r.contains("sla-paused") && r.contains("25m left"), "{r}");
    assert!(!r.contains("data-ticking"), "{r}");

    let breached = b.get("/console?queue=breached").await?.body;
    assert!(breached.contains(&format!("data-id=\"{late}\"")));
    for other in [soon, fresh, waiting] {
        assert!(!breached.contains(&format!("data-id=\"{other}\"")));
    }
    assert!(
        breached.contains("data-count=\"breached\">1<"),
        "the sidebar counts it"
    );
    let breaching = b.get("/console?queue=breaching").await?.body;
    for id in [soon, fresh] {
        assert!(breaching.contains(&format!("data-id=\"{id}\"")));
    }
    for id in [late, waiting] {
        assert!(!breaching.contains(&format!("data-id=\"{id}\"")));
    }
    assert!(breaching.contains("data-count=\"breaching\">2<"));

    // By due time: the overdue first, then the soonest due; the paused last.
    let by_due = b.get("/console?queue=open&sort=due").await?.body;
    let place = |id: TicketId| by_due.find(&format!("data-id=\"{id}\""));
    assert!(place(late) < place(soon) && place(soon) < place(fresh));
    assert!(by_due.contains("aria-sort=\"ascending\""));

    let page = b.get(&format!("/console/tickets/{waiting}")).await?.body;
    assert!(page.contains("Service level"));
    assert!(page.contains("First response") && page.contains("Resolution"));
    assert!(page.contains("Standard"), "the policy is named");
    assert!(page.contains("Clocks paused"));
    assert!(
        page.contains("Pending: 2026-11-30 09:35 UTC – now"),
        "{page}"
    );

    // A ticket no policy applies to shows no SLA.
    let new = NewTicket {
        ticket_type: TicketType::ServiceRequest,
        requester: Some(rita.email.clone()),
        ..NewTicket::new(
            Subject::parse("A second monitor")?,
            "For the new desk.",
            Channel::Phone,
        )
    };
    let plain = site.open(&agent, new).await?;
    let open = b.get("/console?queue=open").await?.body;
    let r = row(&open, plain);
    assert!(r.contains("<span class=\"muted\">—</span>"), "{r}");
    Ok(())
}
