//! Changes the system makes, on SQLite and on PostgreSQL: the pick automatic assignment
//! makes for a new ticket and an SLA escalation (with the
//! assignee the new group picks) runs the updated rules once, in its transaction, and the
//! rules' own changes run none; a cascade of policies escalates one round per change, each
//! a change of its own; a time rule on the SLA due time finds a ticket whose due time moved
//! behind the point the scan had reached.

use crate::support;

use frontline_core::CoreError;
use frontline_core::assignment::Mode;
use frontline_core::tickets::{NewComment, TicketPatch};
use frontline_domain::rules::Rule;
use frontline_domain::sla::{Conditions, Escalation, Notify, Policy, Targets};
use frontline_domain::{CommentId, Email, EventId, Level, Priority, TicketId};
use frontline_store::Store;
use serde_json::{Value, json};
use support::{MINUTE, Result, World, monday};

frontline_testkit::stories!(
    automatic_assignment_of_a_new_ticket_runs_the_updated_rules_once,
    an_escalation_runs_the_updated_rules_once_with_the_pick_it_brings,
    a_cascade_of_policies_escalates_one_round_per_change,
    a_due_time_moved_behind_the_scan_is_still_found,
);

fn rule(v: Value) -> Result<Rule> {
    serde_json::from_value(v).map_err(|e| CoreError::Internal(e.to_string()))
}

/// Every event of a ticket as (kind, field, time, old, new), oldest first.
type Event = (String, String, i64, Option<String>, Option<String>);

async fn trail(w: &World, id: TicketId) -> Result<Vec<Event>> {
    let events = w
        .desk
        .tickets()
        .events(&w.manager, id, EventId::default(), 1_000)
        .await?;
    Ok(events
        .into_iter()
        .map(|e| {
            let r = e.record;
            (
                r.kind.as_str().to_owned(),
                r.field.unwrap_or_default(),
                r.at.as_micros(),
                r.old_value,
                r.new_value,
            )
        })
        .collect())
}

async fn applied(w: &World, id: i64) -> Result<Vec<String>> {
    Ok(trail(w, TicketId::new(id))
        .await?
        .into_iter()
        .filter(|e| e.0 == "rule_applied")
        .map(|e| e.1)
        .collect())
}

async fn automatic_assignment_of_a_new_ticket_runs_the_updated_rules_once(store: &Store) -> Result {
    let w = World::new(store, None).await?;
    w.desk
        .assignment()
        .set_group_assignment(&w.manager, "Tier 2", Mode::RoundRobin)
        .await?;
    w.desk
        .rules()
        .add_rule(
            &w.manager,
            rule(json!({"name": "Picked", "trigger": "updated",
                "conditions": [{"field": "update", "op": "is", "value": "auto_assignment"},
                               {"field": "assignee", "op": "changed_to", "value": "tess@desk.test"}],
                "actions": [{"action": "add_tags", "tags": ["picked"]},
                            {"action": "set_priority", "value": "P2"}]}))?,
        )
        .await?;
    let id = w
        .open(Level::Low, Level::Low, |t| {
            frontline_core::tickets::NewTicket {
                group: Some("Tier 2".into()),
                ..t
            }
        })
        .await?;
    let t = w.desk.tickets().ticket(&w.manager, id).await?;
    assert_eq!(t.assignee_email.as_deref(), Some("tess@desk.test"));
    assert_eq!(
        (t.tags.as_slice(), t.record.priority.rank()),
        (&["picked".to_owned()][..], 2)
    );
    assert_eq!(
        t.record.version, 1,
        "created, picked and the rules: one version"
    );
    assert_eq!(
        applied(&w, id.get()).await?,
        ["Picked", "Picked"],
        "once, two actions"
    );
    // A ticket filed with an assignee is no pick: no rules.
    let mine = w
        .open(Level::Low, Level::Low, |t| {
            frontline_core::tickets::NewTicket {
                group: Some("Tier 2".into()),
                assignee: Email::parse("assignee", "tess@desk.test").ok(),
                ..t
            }
        })
        .await?;
    assert!(applied(&w, mine.get()).await?.is_empty());
    Ok(())
}

async fn an_escalation_runs_the_updated_rules_once_with_the_pick_it_brings(
    store: &Store,
) -> Result {
    let escalation = Escalation {
        notify: vec![Notify::Manager],
        move_to_group: Some("Tier 2".into()),
        raise_priority: true,
    };
    let w = World::new(store, Some(escalation)).await?;
    w.desk
        .assignment()
        .set_group_assignment(&w.manager, "Tier 2", Mode::RoundRobin)
        .await?;
    for r in [
        // First in order, so within one run it cannot see the tag the next rule adds: it
        // fires only if the rules' own change ran the rules again.
        json!({"name": "Again", "trigger": "updated",
            "conditions": [{"field": "tags", "op": "is", "value": "tier2-tess"}],
            "actions": [{"action": "add_tags", "tags": ["again"]}]}),
        json!({"name": "Tier 2 picked up", "trigger": "updated",
            "conditions": [{"field": "update", "op": "is", "value": "sla_escalation"},
                           {"field": "group", "op": "changed_to", "value": "Tier 2"},
                           {"field": "assignee", "op": "is", "value": "tess@desk.test"}],
            "actions": [{"action": "add_tags", "tags": ["tier2-tess"]}]}),
        json!({"name": "Raised", "trigger": "updated",
            "conditions": [{"field": "priority", "op": "changed_to", "value": "P1"}],
            "actions": [{"action": "add_note", "body": "Raised to P1 by the SLA."}]}),
    ] {
        w.desk.rules().add_rule(&w.manager, rule(r)?).await?;
    }
    // P2, Alex's in Tier 1; the standard policy's first response is due Monday 17:00.
    let id = w
        .open(Level::High, Level::Medium, |t| {
            frontline_core::tickets::NewTicket {
                group: Some("Tier 1".into()),
                assignee: Email::parse("assignee", "alex@desk.test").ok(),
                ..t
            }
        })
        .await?;
    let fired = monday(17, 0) + MINUTE / 2;
    w.at(fired);
    w.run_jobs().await?;
    w.run_jobs().await?;

    let t = w.desk.tickets().ticket(&w.manager, id).await?;
    assert_eq!(
        (
            t.group_name.as_deref(),
            t.assignee_email.as_deref(),
            t.record.priority.rank()
        ),
        (Some("Tier 2"), Some("tess@desk.test"), 1)
    );
    assert_eq!(t.tags, ["tier2-tess"], "the rules' own change ran no rules");
    assert_eq!(
        t.record.version, 2,
        "the escalation, its pick and its rules: one version"
    );
    // Once each, although a second escalation (the urgent policy's resolution) followed:
    // it only notified, which changes no field and so runs no rules.
    assert_eq!(applied(&w, id.get()).await?, ["Tier 2 picked up", "Raised"]);
    let all = trail(&w, id).await?;
    assert_eq!(
        all.iter().filter(|e| e.0 == "sla_escalated").count(),
        2,
        "{all:?}"
    );
    let pick = all.iter().position(|e| e.0 == "auto_assigned");
    let rules: Vec<_> = all
        .iter()
        .enumerate()
        .filter(|(_, e)| e.0 == "rule_applied")
        .collect();
    assert!(rules.iter().all(|(i, e)| Some(*i) > pick && e.2 == fired));
    let notes = w
        .desk
        .comments()
        .list(&w.manager, id, CommentId::default(), 100)
        .await?;
    let bodies: Vec<_> = notes.iter().map(|c| c.record.body.as_str()).collect();
    assert_eq!(bodies, ["Raised to P1 by the SLA."]);

    // A later change runs them again, once.
    let note = NewComment {
        body: "Taking it".into(),
        internal: true,
        attachments: vec![],
        time: None,
    };
    w.desk
        .comments()
        .add_comment(&w.specialist, id, note)
        .await?;
    assert_eq!(
        applied(&w, id.get()).await?,
        ["Tier 2 picked up", "Raised", "Again"]
    );
    Ok(())
}

/// A policy for one priority that raises it on breach.
fn raising(name: &str, p: Priority, targets: Targets) -> Policy {
    Policy {
        name: name.into(),
        conditions: Conditions {
            priorities: vec![p],
            ..Conditions::default()
        },
        targets,
        pause_when: vec![],
        warn_at_percent: 75,
        escalation: Some(Escalation {
            raise_priority: true,
            ..Escalation::default()
        }),
    }
}

async fn a_cascade_of_policies_escalates_one_round_per_change(store: &Store) -> Result {
    let w = World::new(store, None).await?;
    let first = Targets {
        first_response: Some(30),
        ..Targets::default()
    };
    let both = Targets {
        resolution: Some(60),
        ..first
    };
    // P4 breaches its first response at 09:30 and is raised to P3, whose policy also has a
    // resolution target, breached at 10:00 and raised to P2, whose policy would raise again:
    // but both targets escalated already in this cycle, so the chain ends there.
    for p in [
        raising("Low", Priority::P4, first),
        raising("Normal", Priority::P3, both),
        raising("High", Priority::P2, both),
    ] {
        w.desk
            .sla()
            .add_sla_policy(&w.manager, &p, "Office")
            .await?;
    }
    let mut ids: Vec<_> = w
        .desk
        .sla()
        .sla_policies(&w.manager)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    ids.rotate_right(3);
    w.desk.sla().reorder_sla_policies(&w.manager, &ids).await?;
    w.desk
        .rules()
        .add_rule(
            &w.manager,
            rule(json!({"name": "Escalated", "trigger": "updated",
                "conditions": [{"field": "update", "op": "is", "value": "sla_escalation"}],
                "actions": [{"action": "add_tags", "tags": ["escalated"]}]}))?,
        )
        .await?;
    let id = w.open(Level::Low, Level::Low, |t| t).await?;
    assert_eq!(
        w.desk
            .tickets()
            .ticket(&w.manager, id)
            .await?
            .record
            .priority
            .rank(),
        4
    );

    let now = monday(10, 30);
    w.at(now);
    // One timer, as a node runs it: one round.
    let mut tx = store.begin().await?;
    w.desk.sla().fire_sla_timer(&mut tx.conn(), id).await?;
    tx.commit().await?;
    let e = |kind: &str, field: &str, old: Option<&str>, new: &str| {
        (
            kind.to_owned(),
            field.to_owned(),
            now,
            old.map(str::to_owned),
            Some(new.to_owned()),
        )
    };
    let rounds = [
        e(
            "sla_escalated",
            "first_response",
            None,
            "priority raised to P3",
        ),
        e("field_changed", "priority", Some("P4"), "P3"),
        e("rule_applied", "Escalated", None, "tags: +escalated"),
        e("sla_escalated", "resolution", None, "priority raised to P2"),
        e("field_changed", "priority", Some("P3"), "P2"),
        e("rule_applied", "Escalated", None, "tags: +escalated"),
    ];
    assert_eq!(shown(&w, id.get()).await?, rounds[..3]);
    let t = w.desk.tickets().ticket(&w.manager, id).await?;
    assert_eq!((t.record.priority.rank(), t.record.version), (3, 2));
    // The resolution breach the re-evaluation found under P3's policy waits for a job of
    // its own; then nothing more, however long the timers run.
    w.run_jobs().await?;
    w.at(now + 3 * 24 * 60 * MINUTE);
    w.run_jobs().await?;
    assert_eq!(shown(&w, id.get()).await?, rounds);
    let t = w.desk.tickets().ticket(&w.manager, id).await?;
    assert_eq!(
        (t.record.priority.rank(), t.record.version),
        (2, 3),
        "one version a round"
    );
    Ok(())
}

/// The escalations, priority changes and rule actions of a ticket's trail.
async fn shown(w: &World, id: i64) -> Result<Vec<Event>> {
    Ok(trail(w, TicketId::new(id))
        .await?
        .into_iter()
        .filter(|e| {
            matches!(e.0.as_str(), "sla_escalated" | "rule_applied")
                || (e.0 == "field_changed" && e.1 == "priority")
        })
        .collect())
}

async fn a_due_time_moved_behind_the_scan_is_still_found(store: &Store) -> Result {
    let w = World::new(store, None).await?;
    w.desk
        .rules()
        .add_rule(
            &w.manager,
            rule(json!({"name": "Due within the hour", "trigger": "time",
                "time": {"since": "sla_due_at", "minutes": 60, "before": true},
                "actions": [{"action": "add_tags", "tags": ["due-soon"]}]}))?,
        )
        .await?;
    // At 09:00 a P4 (first response due 17:00), at 09:05 a P1 (due 10:05).
    let moved = w.open(Level::Low, Level::Low, |t| t).await?;
    w.at(monday(9, 5));
    let urgent = w.open(Level::High, Level::High, |t| t).await?;
    // The 09:10 scan reaches 10:10 and stops after the P1, at 10:05.
    w.at(monday(9, 10));
    assert_eq!(w.desk.rules().run_time_rules().await?, 1);
    // At 09:20 the P4 becomes P1: its first response is due at 10:00, behind the scan.
    w.at(monday(9, 20));
    let raise = TicketPatch {
        priority: Some(Some(Priority::P1)),
        ..TicketPatch::default()
    };
    w.desk
        .tickets()
        .update_ticket(&w.agent, moved, raise, None)
        .await?;
    w.at(monday(9, 21));
    assert_eq!(
        w.desk.rules().run_time_rules().await?,
        0,
        "the scan reads ahead"
    );
    w.run_jobs().await?;
    assert_eq!(
        w.desk.tickets().ticket(&w.manager, moved).await?.tags,
        ["due-soon"]
    );
    // Once per period, however the scan and the jobs run.
    w.at(monday(9, 40));
    w.desk.rules().run_time_rules().await?;
    w.run_jobs().await?;
    assert_eq!(applied(&w, moved.get()).await?, ["Due within the hour"]);
    assert_eq!(applied(&w, urgent.get()).await?, ["Due within the hour"]);
    Ok(())
}
