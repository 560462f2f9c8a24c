//! The desk the SLA job tests run against: a manager, two agents in two tiers and a
//! requester, an office calendar in Berlin, an urgent (P1) and a standard policy (both with
//! the same escalation, if any), a clock the test moves, and the job worker run until
//! nothing is due.
#![allow(
    dead_code,
    reason = "each test file uses a different part of the support module"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::TimeZone;
use frontline_core::people::NewUser;
use frontline_core::tickets::NewTicket;
use frontline_core::{Actor, CoreError, Desk};
use frontline_domain::sla::{Conditions, Escalation, Policy, Targets};
use frontline_domain::{
    Calendar, Email, EventId, Level, Priority, Role, Status, Subject, TicketId, Timestamp,
};
use frontline_jobs::WorkerConfig;
use frontline_jobs::queue::run_due;
use frontline_store::Store;

pub type Result<T = ()> = std::result::Result<T, CoreError>;

/// Monday 23 November 2026, hh:mm in Berlin.
pub fn monday(h: u32, m: u32) -> i64 {
    let tz: chrono_tz::Tz = "Europe/Berlin".parse().expect("zone");
    tz.with_ymd_and_hms(2026, 11, 23, h, m, 0)
        .earliest()
        .expect("time")
        .timestamp_micros()
}

pub const MINUTE: i64 = 60_000_000;

/// An audit event as the tests compare them: kind, field, time.
pub type Seen = (String, String, i64);

pub struct World {
    pub desk: Desk,
    clock: Arc<AtomicI64>,
    pub manager: Actor,
    /// In the group "Tier 1".
    pub agent: Actor,
    /// In the group "Tier 2".
    pub specialist: Actor,
    pub requester: Actor,
}

impl World {
    /// The desk at Monday 09:00, with policies that escalate as `escalation` says.
    pub async fn new(store: &Store, escalation: Option<Escalation>) -> Result<Self> {
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
            ("tess@desk.test", Role::Agent),
            ("ria@corp.test", Role::Requester),
        ] {
            let email = Email::parse("email", email)?;
            let u = desk
                .people()
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
        let specialist = people.pop().expect("specialist");
        let agent = people.pop().expect("agent");
        let manager = people.pop().expect("manager");
        for (group, member) in [("Tier 1", &agent), ("Tier 2", &specialist)] {
            desk.people().add_group(None, group, "").await?;
            let member = Email::parse("members", &member.email)?;
            desk.people()
                .set_group_members(None, group, &[member])
                .await?;
        }
        let office: Calendar = serde_json::from_str(
            r#"{"time_zone": "Europe/Berlin", "week": {"mon": ["09:00-17:00"], "tue": ["09:00-17:00"],
                "wed": ["09:00-17:00"], "thu": ["09:00-17:00"], "fri": ["09:00-17:00"]}, "holidays": ["12-25"]}"#,
        )
        .map_err(|e| CoreError::Internal(e.to_string()))?;
        desk.sla().add_calendar(&manager, "Office", &office).await?;
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
            escalation,
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
        desk.sla()
            .add_sla_policy(&manager, &urgent, "Office")
            .await?;
        desk.sla()
            .add_sla_policy(&manager, &standard, "Office")
            .await?;
        Ok(Self {
            desk,
            clock,
            manager,
            agent,
            specialist,
            requester,
        })
    }

    pub fn at(&self, micros: i64) {
        self.clock.store(micros, Ordering::SeqCst);
    }

    /// Runs every due job (timers, notifications) until none is left; returns how many ran.
    pub async fn run_jobs(&self) -> Result<usize> {
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

    /// The SLA events of a ticket (`sla_*`), oldest first.
    pub async fn sla_events(&self, ticket: TicketId) -> Result<Vec<Seen>> {
        let events = self
            .desk
            .tickets()
            .events(&self.agent, ticket, EventId::default(), 1_000)
            .await?;
        Ok(events
            .into_iter()
            .filter(|e| e.record.kind.as_str().starts_with("sla_"))
            .map(|e| {
                (
                    e.record.kind.as_str().to_owned(),
                    e.record.field.unwrap_or_default(),
                    e.record.at.as_micros(),
                )
            })
            .collect())
    }

    /// A ticket opened by the agent on the requester's behalf, with `set` applied.
    pub async fn open(
        &self,
        impact: Level,
        urgency: Level,
        set: impl FnOnce(NewTicket) -> NewTicket,
    ) -> Result<TicketId> {
        let new = NewTicket {
            impact,
            urgency,
            requester: Some(Email::parse("requester", &self.requester.email)?),
            ..NewTicket::new(
                Subject::parse("Mail server down")?,
                "Nobody can send mail.",
                frontline_domain::Channel::Phone,
            )
        };
        Ok(self
            .desk
            .tickets()
            .create_ticket(&self.agent, set(new), None)
            .await?
            .ticket
            .record
            .id)
    }
}

pub fn count(events: &[Seen], kind: &str, target: &str) -> usize {
    events
        .iter()
        .filter(|(k, t, _)| k == kind && t == target)
        .count()
}

pub fn at_of(events: &[Seen], kind: &str, target: &str) -> Option<i64> {
    events
        .iter()
        .find(|(k, t, _)| k == kind && t == target)
        .map(|e| e.2)
}
