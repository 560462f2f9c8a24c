//! SLA policies and clocks: worked examples on an office calendar, and properties that hold
//! for any history.

use chrono::TimeZone;
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;
use crate::calendar::Calendar;
use crate::{Priority, Status, TicketType, Timestamp};

const MINUTE: i64 = 60_000_000;
const HOUR: i64 = 60 * MINUTE;

fn berlin(d: u32, h: u32, m: u32) -> Timestamp {
    let tz: Tz = "Europe/Berlin".parse().expect("zone");
    // November 2026: the 23rd is a Monday.
    let t = tz
        .with_ymd_and_hms(2026, 11, d, h, m, 0)
        .earliest()
        .expect("time");
    Timestamp::from_micros(t.timestamp_micros())
}

fn office() -> Calendar {
    crate::calendar::tests::office("Europe/Berlin", vec![])
}

fn policy(first: Option<u32>, next: Option<u32>, resolution: Option<u32>) -> Policy {
    Policy {
        name: "Standard".into(),
        conditions: Conditions::default(),
        targets: Targets {
            first_response: first,
            next_response: next,
            resolution,
        },
        pause_when: vec![Status::Pending, Status::OnHold],
        warn_at_percent: 75,
        escalation: None,
    }
}

fn at(t: Timestamp, what: Happening) -> Moment {
    Moment { at: t, what }
}

fn clock(clocks: &[TargetClock], target: Target) -> &TargetClock {
    clocks
        .iter()
        .find(|c| c.target == target)
        .expect("clock for target")
}

#[test]
fn first_response_counts_business_hours_only() {
    let p = policy(Some(4 * 60), None, None);
    // Opened Friday 16:00: one hour on Friday, three on Monday, due Monday 12:00.
    let history = [at(berlin(20, 16, 0), Happening::Opened)];
    let c = evaluate(&p, &office(), &history, berlin(21, 10, 0));
    let fr = clock(&c, Target::FirstResponse);
    assert_eq!(fr.state, ClockState::Running);
    assert_eq!(fr.due_at, Some(berlin(23, 12, 0)));
    assert_eq!(fr.warn_at, Some(berlin(23, 11, 0)));
    assert_eq!(fr.elapsed, HOUR);

    let answered = [history[0], at(berlin(23, 11, 30), Happening::AgentReplied)];
    let c = evaluate(&p, &office(), &answered, berlin(23, 15, 0));
    let fr = clock(&c, Target::FirstResponse);
    assert_eq!(
        (fr.state, fr.met_at, fr.due_at),
        (ClockState::Met, Some(berlin(23, 11, 30)), None)
    );
    assert_eq!(fr.remaining, 30 * MINUTE);

    // Not answered by Monday 13:00: breached at 12:00, and still breached once answered.
    let late = [history[0], at(berlin(23, 14, 0), Happening::AgentReplied)];
    let c = evaluate(&p, &office(), &late, berlin(23, 15, 0));
    let fr = clock(&c, Target::FirstResponse);
    assert_eq!(
        (fr.state, fr.breached_at),
        (ClockState::Breached, Some(berlin(23, 12, 0)))
    );
    assert_eq!(fr.met_at, Some(berlin(23, 14, 0)));
}

#[test]
fn pending_pauses_and_a_reply_resumes() {
    let p = policy(None, None, Some(8 * 60));
    let history = [
        at(berlin(23, 9, 0), Happening::Opened),
        at(berlin(23, 11, 0), Happening::StatusChanged(Status::Pending)),
        at(berlin(24, 9, 0), Happening::RequesterReplied),
        at(berlin(24, 9, 0), Happening::StatusChanged(Status::Open)),
    ];
    let paused = evaluate(&p, &office(), &history[..2], berlin(23, 16, 0));
    let r = clock(&paused, Target::Resolution);
    assert_eq!(
        (r.state, r.elapsed, r.due_at),
        (ClockState::Paused, 2 * HOUR, None)
    );

    // Two hours used Monday, six left from Tuesday 09:00: due 15:00.
    let running = evaluate(&p, &office(), &history, berlin(24, 10, 0));
    let r = clock(&running, Target::Resolution);
    assert_eq!(
        (r.state, r.due_at),
        (ClockState::Running, Some(berlin(24, 15, 0)))
    );
    assert_eq!(r.warn_at, Some(berlin(24, 13, 0)), "75 % of 8 h is 6 h");

    let mut resolved = history.to_vec();
    resolved.push(at(
        berlin(24, 16, 0),
        Happening::StatusChanged(Status::Resolved),
    ));
    let r = evaluate(&p, &office(), &resolved, berlin(24, 17, 0));
    let r = clock(&r, Target::Resolution);
    assert_eq!(
        (r.state, r.breached_at),
        (ClockState::Breached, Some(berlin(24, 15, 0)))
    );
    assert_eq!(r.elapsed, 9 * HOUR);
}

#[test]
fn next_response_measures_each_cycle_and_resolution_carries_on_after_reopen() {
    let p = policy(Some(60), Some(2 * 60), Some(16 * 60));
    let history = [
        at(berlin(23, 9, 0), Happening::Opened),
        at(berlin(23, 9, 30), Happening::AgentReplied),
        at(berlin(23, 10, 0), Happening::RequesterReplied),
        at(berlin(23, 11, 0), Happening::AgentReplied),
        at(
            berlin(23, 13, 0),
            Happening::StatusChanged(Status::Resolved),
        ),
        at(berlin(23, 14, 0), Happening::RequesterReplied),
        at(berlin(23, 14, 0), Happening::StatusChanged(Status::Open)),
    ];
    let c = evaluate(&p, &office(), &history, berlin(23, 15, 0));
    let next = clock(&c, Target::NextResponse);
    // The second cycle started at 14:00 and is still running.
    assert_eq!(
        (next.state, next.started_at),
        (ClockState::Running, berlin(23, 14, 0))
    );
    assert_eq!(next.due_at, Some(berlin(23, 16, 0)));
    let res = clock(&c, Target::Resolution);
    // 4 h until resolved at 13:00, and 1 h since the reopen at 14:00.
    assert_eq!(
        (res.state, res.elapsed, res.met_at),
        (ClockState::Running, 5 * HOUR, None)
    );
    assert_eq!(clock(&c, Target::FirstResponse).state, ClockState::Met);
}

#[test]
fn no_next_response_before_the_first_answer() {
    let p = policy(Some(60), Some(60), None);
    let history = [
        at(berlin(23, 9, 0), Happening::Opened),
        at(berlin(23, 9, 10), Happening::RequesterReplied),
    ];
    let c = evaluate(&p, &office(), &history, berlin(23, 9, 20));
    assert!(
        c.iter().all(|c| c.target != Target::NextResponse),
        "first response covers it"
    );
}

#[test]
fn the_first_matching_policy_applies() {
    let mut vip = policy(Some(30), None, None);
    vip.name = "VIP".into();
    vip.conditions.organizations = vec!["Contoso".into()];
    vip.conditions.categories = vec!["Network".into()];
    let mut p1 = policy(Some(60), None, None);
    p1.name = "P1".into();
    p1.conditions.priorities = vec![Priority::P1];
    let standard = policy(Some(480), None, None);
    let policies = [vip, p1, standard];
    let facts = |priority, organization, category| Facts {
        priority,
        ticket_type: TicketType::Incident,
        category,
        organization,
        channel: "email",
    };
    let name = |f: Facts<'_>| choose(&policies, &f).map(|p| p.name.clone());
    assert_eq!(
        name(facts(Priority::P3, Some("Contoso"), Some("Network/VPN"))).as_deref(),
        Some("VIP")
    );
    assert_eq!(
        name(facts(Priority::P1, Some("Contoso"), Some("Networking"))).as_deref(),
        Some("P1")
    );
    assert_eq!(
        name(facts(Priority::P3, None, None)).as_deref(),
        Some("Standard")
    );
}

#[test]
fn policies_refuse_nonsense() {
    let ok = policy(Some(60), None, None);
    assert!(ok.validate().is_ok());
    assert!(policy(None, None, None).validate().is_err());
    assert!(policy(Some(0), None, None).validate().is_err());
    let mut pauses_open = ok.clone();
    pauses_open.pause_when = vec![Status::Open];
    assert!(pauses_open.validate().is_err());
    let unknown = r#"{"name":"x","targets":{"first_response":5},"colour":"red"}"#;
    assert!(serde_json::from_str::<Policy>(unknown).is_err());
    let read: Policy =
        serde_json::from_str(r#"{"name":"x","targets":{"resolution":60}}"#).expect("policy");
    assert_eq!((read.warn_at_percent, read.pause_when.len()), (75, 2));
    assert_eq!(read.escalation, None);
}

#[test]
fn escalations_parse_strictly_and_need_an_action() {
    let read: Policy = serde_json::from_str(
        r#"{"name":"x","targets":{"resolution":60},"escalation":
            {"notify":["assignee","group","manager"],"move_to_group":"Tier 2","raise_priority":true}}"#,
    )
    .expect("policy");
    let e = read.escalation.clone().expect("escalation");
    assert_eq!(e.notify, [Notify::Assignee, Notify::Group, Notify::Manager]);
    assert_eq!(
        (e.move_to_group.as_deref(), e.raise_priority),
        (Some("Tier 2"), true)
    );
    assert!(read.validate().is_ok());
    // What is written reads back the same.
    let again: Policy =
        serde_json::from_str(&serde_json::to_string(&read).expect("json")).expect("policy");
    assert_eq!(again, read);
    for bad in [
        r#"{"notify":["boss"]}"#,
        r#"{"notify":[],"page":"ops"}"#,
        r#"{"raise_priority":"yes"}"#,
    ] {
        let text = format!(r#"{{"name":"x","targets":{{"resolution":60}},"escalation":{bad}}}"#);
        assert!(serde_json::from_str::<Policy>(&text).is_err(), "{bad}");
    }
    let mut p = policy(Some(60), None, None);
    p.escalation = Some(Escalation::default());
    assert_eq!(
        p.validate().map_err(|e| e.field),
        Err("escalation".to_owned())
    );
    p.escalation = Some(Escalation {
        move_to_group: Some("  ".into()),
        ..Escalation::default()
    });
    assert_eq!(
        p.validate().map_err(|e| e.field),
        Err("escalation.move_to_group".to_owned())
    );
}

// ---- properties over random histories ----

fn happening() -> impl Strategy<Value = Happening> {
    prop_oneof![
        Just(Happening::AgentReplied),
        Just(Happening::RequesterReplied),
        prop_oneof![
            Just(Status::Open),
            Just(Status::Pending),
            Just(Status::OnHold),
            Just(Status::Resolved),
        ]
        .prop_map(Happening::StatusChanged),
    ]
}

fn history() -> impl Strategy<Value = Vec<Moment>> {
    proptest::collection::vec((1i64..600, happening()), 0..12).prop_map(|steps| {
        let mut t = berlin(23, 8, 0).as_micros();
        let mut out = vec![Moment {
            at: Timestamp::from_micros(t),
            what: Happening::Opened,
        }];
        for (minutes, what) in steps {
            t += minutes * MINUTE;
            out.push(Moment {
                at: Timestamp::from_micros(t),
                what,
            });
        }
        out
    })
}

proptest! {
    #[test]
    fn clocks_are_consistent(history in history(), after in 0i64..3_000) {
        let now = Timestamp::from_micros(history.last().map_or(0, |m| m.at.as_micros()) + after * MINUTE);
        let cal = office();
        let p = policy(Some(60), Some(120), Some(600));
        let opened = history[0].at;
        for c in evaluate(&p, &cal, &history, now) {
            prop_assert!(c.elapsed >= 0);
            prop_assert!(c.elapsed <= cal.business_time_between(c.started_at, now));
            prop_assert_eq!(c.remaining, c.goal - c.elapsed);
            prop_assert!(c.started_at >= opened);
            prop_assert_eq!(c.breached_at.is_some(), c.state == ClockState::Breached);
            if let Some(b) = c.breached_at {
                prop_assert!(b <= now);
                prop_assert_eq!(cal.business_time_between(c.started_at, b) >= c.goal, true);
            }
            match c.state {
                ClockState::Running => prop_assert!(c.due_at.is_some_and(|d| d > now) && c.elapsed < c.goal),
                ClockState::Paused | ClockState::Met => prop_assert!(c.due_at.is_none() && c.elapsed <= c.goal),
                ClockState::Breached => prop_assert!(c.elapsed >= c.goal),
            }
        }
    }

    #[test]
    fn pausing_never_uses_more_time(history in history(), after in 0i64..3_000) {
        let now = Timestamp::from_micros(history.last().map_or(0, |m| m.at.as_micros()) + after * MINUTE);
        let pausing = policy(None, None, Some(600));
        let mut never = pausing.clone();
        never.pause_when = vec![];
        let cal = office();
        let used = |p: &Policy| evaluate(p, &cal, &history, now).first().map_or(0, |c| c.elapsed);
        prop_assert!(used(&pausing) <= used(&never));
    }
}
