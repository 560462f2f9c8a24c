//! SLAs end to end on SQLite and on PostgreSQL: a policy on an office calendar applies to new
//! tickets, timers record the warning and the breach once each at their exact times, pending
//! pauses the clock, a requester's reply resumes it, and a change of priority moves the
//! ticket to another policy with both due times in the trail.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::TimeZone;
use frontline_core::people::NewUser;
use frontline_core::tickets::{NewComment, NewTicket, TicketPatch};
use frontline_core::{Actor, CoreError, Desk};
use frontline_domain::sla::{Conditions, Policy, Targets};
use frontline_domain::{Calendar, Email, Level, Priority, Role, Status, Subject, Timestamp};
use frontline_jobs::WorkerConfig;
use frontline_jobs::queue::run_due;
use frontline_store::Store;

frontline_testkit::stories!(
    timers_warn_and_breach_once_and_pauses_hold_the_clock,
    no_policy_no_sla
);

type Result<T = ()> = std::result::Result<T, CoreError>;

/// Monday 23 November 2026, hh:mm in Berlin.
fn monday(h: u32, m: u32) -> i64 {
    let tz: chrono_tz::Tz = "Europe/Berlin".parse().expect("zone");
    tz.with_ymd_and_hms(2026, 11, 23, h, m, 0)
        .earliest()
        .expect("time")
        .timestamp_micros()
}

const MINUTE: i64 = 60_000_000;

struct World {
    desk: Desk,
    clock: Arc<AtomicI64>,
    agent: Actor,
    requester: Actor,
}

impl World {
    async fn new(store: &Store) -> Result<Self> {
        store.migrate().await?;
        let clock = Arc::new(AtomicI64::new(monday(9, 0)));
        let c = clock.clone();
        let desk = Desk::with_clock(store.clone(), move || {
            Timestamp::from_micros(c.load(Ordering::SeqCst))
        });
        let mut people = Vec::new();
        for (email, role) in [
            ("mona@desk.test", Role::Manager),
            ("alex@desk.test", Role::Agent),
            ("ria@corp.test", Role::Requester),
        ] {
            let email = Email::parse("email", email)?;
            let u = desk
                .add_user(
                    None,
                    NewUser {
                        email,
                        name: role.as_str().into(),
                        role,
                        organization: None,
                        password: None,
                    },
                )
                .await?;
            people.push(Actor {
                id: u.id,
                email: u.email,
                name: u.name,
                role,
                organization_id: u.organization_id,
            });
        }
        let requester = people.pop().expect("requester");
        let agent = people.pop().expect("agent");
        let manager = people.pop().expect("manager");
        let office: Calendar = serde_json::from_str(
            r#"{"time_zone": "Europe/Berlin", "week": {"mon": ["09:00-17:00"], "tue": ["09:00-17:00"],
                "wed": ["09:00-17:00"], "thu": ["09:00-17:00"], "fri": ["09:00-17:00"]}, "holidays": ["12-25"]}"#,
        )
        .map_err(|e| CoreError::Internal(e.to_string()))?;
        desk.add_calendar(&manager, "Office", &office).await?;
        let urgent = Policy {
            name: "Urgent".into(),
            conditions: Conditions {
                priorities: vec![Priority::P1],
                ..Conditions::default()
            },
            targets: Targets {
                first_response: Some(60),
                next_response: None,
                resolution: Some(240),
            },
            pause_when: vec![Status::Pending, Status::OnHold],
            warn_at_percent: 75,
        };
        let standard = Policy {
            name: "Standard".into(),
            conditions: Conditions::default(),
            targets: Targets {
                first_response: Some(480),
                next_response: None,
                resolution: Some(2400),
            },
            ..urgent.clone()
        };
        desk.add_sla_policy(&manager, &urgent, "Office").await?;
        desk.add_sla_policy(&manager, &standard, "Office").await?;
        Ok(Self {
            desk,
            clock,
            agent,
            requester,
        })
    }

    fn at(&self, micros: i64) {
        self.clock.store(micros, Ordering::SeqCst);
    }

    async fn run_timers(&self) -> Result<usize> {
        let config = WorkerConfig {
            id: "node".into(),
            lease: Duration::from_secs(60),
            ..WorkerConfig::default()
        };
        let registry = Arc::new(frontline_jobs::registry());
        let mut ran = 0;
        loop {
            match run_due(&self.desk, &registry, &config).await? {
                0 => return Ok(ran),
                n => ran += n,
            }
        }
    }

    async fn sla_events(&self, ticket: i64) -> Result<Vec<(String, String, i64)>> {
        let events = self.desk.events(&self.agent, ticket, 0, 1_000).await?;
        Ok(events
            .into_iter()
            .filter(|e| e.row.kind.starts_with("sla_"))
            .map(|e| (e.row.kind, e.row.field.unwrap_or_default(), e.row.at))
            .collect())
    }

    async fn open(&self, impact: Level, urgency: Level) -> Result<i64> {
        let new = NewTicket {
            impact,
            urgency,
            requester: Some(Email::parse("requester", &self.requester.email)?),
            ..NewTicket::new(
                Subject::parse("Mail server down")?,
                "Nobody can send mail.",
                "phone",
            )
        };
        Ok(self
            .desk
            .create_ticket(&self.agent, new, None)
            .await?
            .ticket
            .row
            .id)
    }
}

fn count(events: &[(String, String, i64)], kind: &str, target: &str) -> usize {
    events
        .iter()
        .filter(|(k, t, _)| k == kind && t == target)
        .count()
}

fn at_of(events: &[(String, String, i64)], kind: &str, target: &str) -> Option<i64> {
    events
        .iter()
        .find(|(k, t, _)| k == kind && t == target)
        .map(|e| e.2)
}

async fn timers_warn_and_breach_once_and_pauses_hold_the_clock(store: &Store) -> Result {
    let w = World::new(store).await?;
    let id = w.open(Level::High, Level::High).await?;
    let slas = w.desk.ticket_slas(&w.agent, id).await?;
    let due = |target: &str| {
        slas.iter()
            .find(|s| s.target == target)
            .and_then(|s| s.due_at)
    };
    assert_eq!(
        due("first_response"),
        Some(monday(10, 0)),
        "P1: first response within 1 business hour"
    );
    assert_eq!(due("resolution"), Some(monday(13, 0)));

    // Nothing is due yet; at 09:46 the first-response warning (75 % = 45 min) has fallen due.
    assert_eq!(w.run_timers().await?, 0);
    w.at(monday(9, 46));
    w.run_timers().await?;
    let events = w.sla_events(id).await?;
    assert_eq!(
        at_of(&events, "sla_warning", "first_response"),
        Some(monday(9, 45))
    );
    // At 10:00:30 the breach; a second pass of the timers adds nothing.
    w.at(monday(10, 0) + MINUTE / 2);
    w.run_timers().await?;
    w.run_timers().await?;
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
        .add_comment(
            &w.agent,
            id,
            NewComment {
                body: "Restarting the server.".into(),
                internal: false,
                attachments: vec![],
            },
        )
        .await?;
    w.at(monday(10, 10));
    let pending = TicketPatch {
        status: Some(Status::Pending),
        ..TicketPatch::default()
    };
    w.desk.update_ticket(&w.agent, id, pending, None).await?;
    let slas = w.desk.ticket_slas(&w.agent, id).await?;
    let resolution = slas
        .iter()
        .find(|s| s.target == "resolution")
        .expect("resolution");
    assert_eq!(
        (resolution.state.as_str(), resolution.due_at),
        ("paused", None)
    );
    assert_eq!(resolution.elapsed, 70 * MINUTE);

    // Paused over night: no warning although 13:00 passes. The requester answers on Tuesday
    // at 09:00, which reopens the ticket and resumes the clock: 170 minutes left.
    w.at(monday(9, 0) + 24 * 60 * MINUTE);
    w.run_timers().await?;
    w.desk
        .add_comment(
            &w.requester,
            id,
            NewComment {
                body: "It works again".into(),
                internal: false,
                attachments: vec![],
            },
        )
        .await?;
    let slas = w.desk.ticket_slas(&w.agent, id).await?;
    let resolution = slas
        .iter()
        .find(|s| s.target == "resolution")
        .expect("resolution");
    assert_eq!(resolution.state, "running");
    assert_eq!(resolution.due_at, Some(monday(11, 50) + 24 * 60 * MINUTE));

    // Lowered to P3, the ticket falls under the standard policy: 40 business hours to resolve.
    let lower = TicketPatch {
        impact: Some(Level::Low),
        urgency: Some(Level::Medium),
        ..TicketPatch::default()
    };
    w.desk.update_ticket(&w.agent, id, lower, None).await?;
    let events = w.sla_events(id).await?;
    assert_eq!(count(&events, "sla_paused", "resolution"), 1);
    assert_eq!(count(&events, "sla_resumed", "resolution"), 1);
    assert_eq!(count(&events, "sla_warning", "resolution"), 0);
    assert_eq!(count(&events, "sla_met", "first_response"), 1);
    assert_eq!(count(&events, "sla_policy_changed", "resolution"), 1);
    let changed = w.desk.events(&w.agent, id, 0, 1_000).await?;
    let change = changed
        .iter()
        .find(|e| {
            e.row.kind == "sla_policy_changed" && e.row.field.as_deref() == Some("resolution")
        })
        .expect("change");
    assert!(
        change.row.old_value.is_some()
            && change.row.new_value.is_some()
            && change.row.old_value != change.row.new_value
    );

    // Running the timers again, however often, writes nothing new.
    let before = w.sla_events(id).await?.len();
    w.run_timers().await?;
    assert_eq!(w.sla_events(id).await?.len(), before);
    Ok(())
}

async fn no_policy_no_sla(store: &Store) -> Result {
    store.migrate().await?;
    let desk = Desk::new(store.clone());
    let email = Email::parse("email", "ana@corp.test")?;
    let u = desk
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
    let new = NewTicket::new(Subject::parse("Printer")?, "", "api");
    let id = desk.create_ticket(&ana, new, None).await?.ticket.row.id;
    assert!(desk.ticket_slas(&ana, id).await?.is_empty());
    Ok(())
}
