//! Rules on every kind of change, on SQLite and on PostgreSQL: replies and notes from either
//! side, edits, merges and links each run the updated rules once, and the rules can tell
//! which kind of change it was; time rules measure from the last status change, the last
//! reply of either side and the SLA due time; the time scan reads one index range per rule.

use crate::support;

use frontline_core::CoreError;
use frontline_core::tickets::{NewComment, TicketPatch};
use frontline_domain::rules::{Rule, Since};
use frontline_domain::{CommentId, EventId, Level, LinkKind, Status, TicketId};
use frontline_store::Store;
use frontline_store::rules::rule_candidates_sql;
use serde_json::{Value, json};
use support::{MINUTE, Result, World, monday};

frontline_testkit::stories!(
    every_change_runs_the_updated_rules_once_and_says_what_it_was,
    pending_three_days_reminds_and_seven_days_resolves_counting_from_the_status_change,
    rules_wait_for_either_sides_reply_and_around_the_sla_due_time,
    the_time_scan_reads_one_range_of_an_index,
);

const DAY: i64 = 24 * 60 * MINUTE;

fn rule(v: Value) -> Result<Rule> {
    serde_json::from_value(v).map_err(|e| CoreError::Internal(e.to_string()))
}

/// The rules that acted on a ticket, by name, oldest first (one entry per action).
async fn applied(w: &World, id: TicketId) -> Result<Vec<String>> {
    let events = w
        .desk
        .tickets()
        .events(&w.manager, id, EventId::default(), 1_000)
        .await?;
    Ok(events
        .into_iter()
        .filter(|e| e.record.kind.as_str() == "rule_applied")
        .map(|e| e.record.field.unwrap_or_default())
        .collect())
}

async fn tags(w: &World, id: TicketId) -> Result<Vec<String>> {
    Ok(w.desk.tickets().ticket(&w.manager, id).await?.tags)
}

fn said(body: &str, internal: bool) -> NewComment {
    NewComment {
        body: body.into(),
        internal,
        attachments: vec![],
        time: None,
    }
}

async fn public_bodies(w: &World, id: TicketId) -> Result<Vec<String>> {
    let list = w
        .desk
        .comments()
        .list(&w.manager, id, CommentId::default(), 100)
        .await?;
    Ok(list
        .into_iter()
        .filter(|c| !c.record.internal)
        .map(|c| c.record.body)
        .collect())
}

async fn every_change_runs_the_updated_rules_once_and_says_what_it_was(store: &Store) -> Result {
    let w = World::new(store, None).await?;
    let tag_on = |name: &str, kinds: Value, tag: &str| {
        rule(json!({"name": name, "trigger": "updated",
            "conditions": [{"field": "update", "op": "any_of", "value": kinds}],
            "actions": [{"action": "add_tags", "tags": [tag]}]}))
    };
    for r in [
        tag_on("Requester replied", json!(["requester_reply"]), "answered")?,
        tag_on("Agent replied", json!(["agent_reply"]), "worked")?,
        tag_on("Noted", json!(["note"]), "noted")?,
        tag_on("Edited", json!(["edit"]), "edited")?,
        tag_on("Merged", json!(["merged_into", "merged_from"]), "merged")?,
        tag_on("Linked", json!(["link"]), "linked")?,
        // A requester's reply that reopened the ticket: both facts at once.
        rule(
            json!({"name": "Reopened by requester", "trigger": "updated",
            "conditions": [{"field": "update", "op": "is", "value": "requester_reply"},
                           {"field": "status", "op": "changed_to", "value": "open"}],
            "actions": [{"action": "set_group", "value": "Tier 2"}]}),
        )?,
    ] {
        w.desk.rules().add_rule(&w.manager, r).await?;
    }
    let id = w.open(Level::Low, Level::Low, |t| t).await?;
    assert!(applied(&w, id).await?.is_empty(), "no created rules");

    // An agent's public reply over the API (the console and the portal call the same).
    w.desk
        .comments()
        .add_comment(&w.agent, id, said("Looking into it", false))
        .await?;
    assert_eq!(applied(&w, id).await?, ["Agent replied"]);
    let t = w.desk.tickets().ticket(&w.manager, id).await?;
    assert_eq!((t.record.status.as_str(), t.record.version), ("open", 2));

    // An internal note, then a status change by hand, then the requester's answer.
    w.desk
        .comments()
        .add_comment(&w.agent, id, said("Checked the relay", true))
        .await?;
    let pending = TicketPatch {
        status: Some(Status::Pending),
        ..TicketPatch::default()
    };
    w.desk
        .tickets()
        .update_ticket(&w.agent, id, pending, None)
        .await?;
    w.desk
        .comments()
        .add_comment(&w.requester, id, said("Still broken", false))
        .await?;
    assert_eq!(
        applied(&w, id).await?,
        [
            "Agent replied",
            "Noted",
            "Edited",
            "Requester replied",
            "Reopened by requester"
        ],
        "each change ran the rules once, and their own changes ran none"
    );
    let t = w.desk.tickets().ticket(&w.manager, id).await?;
    assert_eq!(t.record.status.as_str(), "open");
    assert_eq!(t.group_name.as_deref(), Some("Tier 2"));
    assert_eq!(
        t.record.version, 5,
        "one version per change, rules folded in"
    );
    assert_eq!(
        tags(&w, id).await?,
        ["answered", "edited", "noted", "worked"]
    );

    // Linking and merging change both tickets.
    let other = w.open(Level::Low, Level::Low, |t| t).await?;
    let third = w.open(Level::Low, Level::Low, |t| t).await?;
    w.desk
        .tickets()
        .link_tickets(&w.agent, id, LinkKind::Related, other)
        .await?;
    assert_eq!(tags(&w, other).await?, ["linked"]);
    assert!(tags(&w, id).await?.contains(&"linked".to_owned()));
    w.desk.tickets().merge_tickets(&w.agent, third, id).await?;
    assert_eq!(tags(&w, third).await?, ["merged"]);
    assert!(tags(&w, id).await?.contains(&"merged".to_owned()));
    assert_eq!(applied(&w, third).await?, ["Merged"]);
    Ok(())
}

async fn pending_three_days_reminds_and_seven_days_resolves_counting_from_the_status_change(
    store: &Store,
) -> Result {
    let w = World::new(store, None).await?;
    let remind = rule(json!({"name": "Remind", "trigger": "time",
        "time": {"since": "status_changed_at", "minutes": 3 * 24 * 60},
        "conditions": [{"field": "status", "op": "is", "value": "pending"}],
        "actions": [{"action": "reply", "body": "Do you still need help?"}]}))?;
    let resolve = rule(json!({"name": "Resolve", "trigger": "time",
        "time": {"since": "status_changed_at", "minutes": 7 * 24 * 60},
        "conditions": [{"field": "status", "op": "is", "value": "pending"}],
        "actions": [{"action": "set_status", "value": "resolved"},
                    {"action": "add_note", "body": "Resolved after a week without reply."}]}))?;
    w.desk.rules().add_rule(&w.manager, remind).await?;
    w.desk.rules().add_rule(&w.manager, resolve).await?;
    let quiet = w.open(Level::Low, Level::Low, |t| t).await?;
    let answered = w.open(Level::Low, Level::Low, |t| t).await?;
    let start = w.desk.now().as_micros();
    for id in [quiet, answered] {
        let pending = TicketPatch {
            status: Some(Status::Pending),
            ..TicketPatch::default()
        };
        w.desk
            .tickets()
            .update_ticket(&w.agent, id, pending, None)
            .await?;
    }
    // Day 2: a note on the quiet ticket (a change, but not of its status), and the
    // requester answers the other one, which reopens it.
    w.at(start + 2 * DAY);
    w.desk
        .comments()
        .add_comment(&w.agent, quiet, said("Chased by phone", true))
        .await?;
    w.desk
        .comments()
        .add_comment(&w.requester, answered, said("It works again", false))
        .await?;
    w.at(start + 3 * DAY - MINUTE);
    assert_eq!(
        w.desk.rules().run_time_rules().await?,
        0,
        "not yet three days"
    );
    w.at(start + 3 * DAY + MINUTE);
    assert_eq!(
        w.desk.rules().run_time_rules().await?,
        1,
        "only the quiet ticket"
    );
    assert_eq!(public_bodies(&w, quiet).await?, ["Do you still need help?"]);
    assert!(applied(&w, answered).await?.is_empty());
    // The reminder moved no clock: the week still counts from the status change.
    w.at(start + 7 * DAY + MINUTE);
    assert_eq!(w.desk.rules().run_time_rules().await?, 1);
    let t = w.desk.tickets().ticket(&w.manager, quiet).await?;
    assert_eq!(t.record.status.as_str(), "resolved");
    assert_eq!(applied(&w, quiet).await?, ["Remind", "Resolve", "Resolve"]);
    assert_eq!(w.desk.rules().run_time_rules().await?, 0, "once per period");

    // The answered ticket goes pending again on day 8: its three days start there.
    w.at(start + 8 * DAY);
    let pending = TicketPatch {
        status: Some(Status::Pending),
        ..TicketPatch::default()
    };
    w.desk
        .tickets()
        .update_ticket(&w.agent, answered, pending, None)
        .await?;
    w.at(start + 11 * DAY - MINUTE);
    assert_eq!(w.desk.rules().run_time_rules().await?, 0);
    w.at(start + 11 * DAY + MINUTE);
    assert_eq!(w.desk.rules().run_time_rules().await?, 1);
    assert_eq!(applied(&w, answered).await?, ["Remind"]);
    Ok(())
}

async fn rules_wait_for_either_sides_reply_and_around_the_sla_due_time(store: &Store) -> Result {
    let w = World::new(store, None).await?;
    let tag_after = |name: &str, time: Value, tag: &str| {
        rule(json!({"name": name, "trigger": "time", "time": time,
            "conditions": [{"field": "status", "op": "any_of", "value": ["new", "open"]}],
            "actions": [{"action": "add_tags", "tags": [tag]}]}))
    };
    for r in [
        tag_after(
            "No answer from the desk",
            json!({"since": "agent_replied_at", "minutes": 120}),
            "desk-silent",
        )?,
        tag_after(
            "Requester silent",
            json!({"since": "requester_replied_at", "minutes": 240}),
            "requester-silent",
        )?,
        tag_after(
            "Due soon",
            json!({"since": "sla_due_at", "minutes": 60, "before": true}),
            "due-soon",
        )?,
        tag_after(
            "Overdue",
            json!({"since": "sla_due_at", "minutes": 30}),
            "overdue",
        )?,
    ] {
        w.desk.rules().add_rule(&w.manager, r).await?;
    }
    let bad = rule(json!({"name": "x", "trigger": "time",
        "time": {"since": "created_at", "minutes": 5, "before": true},
        "actions": [{"action": "add_tags", "tags": ["x"]}]}))?;
    assert!(matches!(
        w.desk.rules().add_rule(&w.manager, bad).await,
        Err(CoreError::Invalid(_))
    ));
    // Opened Monday 09:00 (Berlin); the standard policy's first response is due at 17:00.
    let answered = w.open(Level::Low, Level::Low, |t| t).await?;
    let ignored = w.open(Level::Low, Level::Low, |t| t).await?;
    w.at(monday(10, 30));
    w.desk
        .comments()
        .add_comment(&w.agent, answered, said("On it", false))
        .await?;
    w.at(monday(11, 1));
    w.desk.rules().run_time_rules().await?;
    assert_eq!(tags(&w, ignored).await?, ["desk-silent"]);
    assert!(tags(&w, answered).await?.is_empty(), "the desk answered");
    w.at(monday(12, 31));
    w.desk.rules().run_time_rules().await?;
    assert_eq!(tags(&w, answered).await?, ["desk-silent"], "2 h after it");
    // The requester answers at 12:45: their four hours start again there.
    w.at(monday(12, 45));
    w.desk
        .comments()
        .add_comment(&w.requester, answered, said("Thanks", false))
        .await?;
    w.at(monday(13, 1));
    w.desk.rules().run_time_rules().await?;
    assert!(
        tags(&w, ignored)
            .await?
            .contains(&"requester-silent".to_owned())
    );
    assert!(
        !tags(&w, answered)
            .await?
            .contains(&"requester-silent".to_owned())
    );
    w.at(monday(15, 59));
    w.desk.rules().run_time_rules().await?;
    assert!(!tags(&w, ignored).await?.contains(&"due-soon".to_owned()));
    w.at(monday(16, 1));
    w.desk.rules().run_time_rules().await?;
    assert!(tags(&w, ignored).await?.contains(&"due-soon".to_owned()));
    assert!(
        !tags(&w, answered).await?.contains(&"due-soon".to_owned()),
        "its first response was met: resolution is due days later"
    );
    w.at(monday(17, 31));
    w.desk.rules().run_time_rules().await?;
    assert!(tags(&w, ignored).await?.contains(&"overdue".to_owned()));
    assert!(!tags(&w, answered).await?.contains(&"overdue".to_owned()));
    assert_eq!(
        applied(&w, ignored).await?,
        [
            "No answer from the desk",
            "Requester silent",
            "Due soon",
            "Overdue"
        ]
    );
    Ok(())
}

/// Each clock's scan is one ordered range of its partial index: no table scan, no sort (the
/// plan a 1,000,000-ticket desk gets; here the planner is told to avoid table scans, since a
/// few rows would be read faster whole).
async fn the_time_scan_reads_one_range_of_an_index(store: &Store) -> Result {
    store.migrate().await?;
    let ours = |e: sqlx::Error| CoreError::Internal(e.to_string());
    for (instant, index) in [
        (Since::StatusChangedAt, "tickets_rule_status_since"),
        (Since::RequesterRepliedAt, "tickets_rule_requester_reply"),
        (Since::AgentRepliedAt, "tickets_rule_agent_reply"),
        (Since::SlaDueAt, "tickets_rule_sla_due"),
    ] {
        let sql = rule_candidates_sql(instant, 200);
        let mut tx = store.begin().await?;
        let plan: Vec<String> = match tx.conn() {
            frontline_store::Conn::Postgres(pg) => {
                sqlx::query("SET LOCAL enable_seqscan = off")
                    .execute(&mut *pg)
                    .await
                    .map_err(ours)?;
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}")))
                    .bind(0_i64)
                    .bind(0_i64)
                    .bind(i64::MAX)
                    .fetch_all(&mut *pg)
                    .await
                    .map_err(ours)?
            }
            frontline_store::Conn::Sqlite(lite) => {
                let rows: Vec<(i64, i64, i64, String)> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                        .bind(0_i64)
                        .bind(0_i64)
                        .bind(i64::MAX)
                        .fetch_all(&mut *lite)
                        .await
                        .map_err(ours)?;
                rows.into_iter().map(|r| r.3).collect()
            }
        };
        let plan = plan.join("\n");
        assert!(
            plan.contains(index),
            "{instant:?} does not use {index}:\n{plan}"
        );
        assert!(
            !plan.contains("Sort") && !plan.contains("TEMP B-TREE") && !plan.contains("Seq Scan"),
            "{instant:?} reads more than one index range:\n{plan}"
        );
    }
    Ok(())
}
