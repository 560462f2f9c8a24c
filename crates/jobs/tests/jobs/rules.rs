//! Automation rules on SQLite and on PostgreSQL: created rules shape a new ticket before it
//! is written, updated rules act once per change without triggering each other, time rules
//! fire once per ticket and period, and webhooks reach a real HTTP server (on loopback),
//! retried with backoff until it answers 2xx. Every action is a `rule_applied` event naming
//! its rule.

use crate::support;

use std::sync::{Arc, Mutex};

use frontline_core::CoreError;
use frontline_core::tickets::TicketPatch;
use frontline_domain::rules::Rule;
use frontline_domain::{CommentId, EventId, Level, Status, Subject, TicketId};
use frontline_store::Store;
use serde_json::{Value, json};
use support::{MINUTE, Result, World};

frontline_testkit::stories!(
    created_rules_shape_the_ticket_in_order_and_stop,
    updated_rules_act_once_per_change,
    a_ticket_rules_keep_acting_on_is_left_alone_for_a_while,
    time_rules_fire_once_per_ticket_and_period,
    webhooks_are_posted_and_retried_until_answered,
    rules_that_make_no_sense_are_refused_and_change_nothing,
);

fn rule(v: Value) -> Result<Rule> {
    serde_json::from_value(v).map_err(|e| CoreError::Internal(e.to_string()))
}

/// The rules that acted on a ticket, as (rule, what it did), oldest first.
async fn applied(w: &World, id: TicketId) -> Result<Vec<(String, String)>> {
    let events = w
        .desk
        .tickets()
        .events(&w.manager, id, EventId::default(), 1_000)
        .await?;
    Ok(events
        .into_iter()
        .filter(|e| e.record.kind.as_str() == "rule_applied")
        .map(|e| {
            (
                e.record.field.unwrap_or_default(),
                e.record.new_value.unwrap_or_default(),
            )
        })
        .collect())
}

async fn comments(w: &World, id: TicketId) -> Result<Vec<(String, bool)>> {
    let list = w
        .desk
        .comments()
        .list(&w.manager, id, CommentId::default(), 100)
        .await?;
    Ok(list
        .into_iter()
        .map(|c| (c.record.body, c.record.internal))
        .collect())
}

async fn created_rules_shape_the_ticket_in_order_and_stop(store: &Store) -> Result {
    let w = World::new(store, None).await?;
    let mail = rule(json!({"name": "Mail to tier 2", "trigger": "created",
        "conditions": [{"field": "text", "op": "contains", "value": "MAIL"},
                       {"field": "requester_domain", "op": "is", "value": "corp.test"}],
        "actions": [{"action": "set_group", "value": "Tier 2"},
                    {"action": "set_priority", "value": "P1"},
                    {"action": "add_tags", "tags": ["mail", "outage"]},
                    {"action": "add_note", "body": "Check the relay first."},
                    {"action": "notify", "recipients": ["group"]}]}))?;
    let urgent = rule(
        json!({"name": "Urgent stops", "trigger": "created", "stop": true,
        "conditions": [{"field": "priority", "op": "is", "value": "P1"}],
        "actions": [{"action": "add_tags", "tags": ["urgent"]}]}),
    )?;
    let never = rule(json!({"name": "Never reached", "trigger": "created",
        "actions": [{"action": "add_tags", "tags": ["late"]}]}))?;
    for r in [mail, urgent, never] {
        w.desk.rules().add_rule(&w.manager, r).await?;
    }
    let id = w.open(Level::Low, Level::Low, |t| t).await?;
    let t = w.desk.tickets().ticket(&w.manager, id).await?;
    assert_eq!(t.group_name.as_deref(), Some("Tier 2"));
    assert_eq!(t.record.priority.rank(), 1);
    assert_eq!(t.tags, ["mail", "outage", "urgent"]);
    assert_eq!(
        comments(&w, id).await?,
        [("Check the relay first.".to_owned(), true)]
    );
    let acted = applied(&w, id).await?;
    assert_eq!(acted.len(), 6, "{acted:?}");
    assert_eq!(acted[0], ("Mail to tier 2".into(), "group: Tier 2".into()));
    assert_eq!(acted[5], ("Urgent stops".into(), "tags: +urgent".into()));
    // The notification job was queued with the ticket and tells Tier 2's member.
    w.run_jobs().await?;
    let events = w
        .desk
        .tickets()
        .events(&w.manager, id, EventId::default(), 1_000)
        .await?;
    let notified: Vec<_> = events
        .iter()
        .filter(|e| {
            e.record.kind.as_str() == "notified"
                && e.record.field.as_deref() == Some("rule:Mail to tier 2")
        })
        .map(|e| e.record.new_value.clone().unwrap_or_default())
        .collect();
    assert_eq!(notified, [w.specialist.id.to_string()]);

    // A ticket the conditions do not match is written as asked.
    let other = w
        .open(Level::Low, Level::Low, |t| {
            frontline_core::tickets::NewTicket {
                subject: Subject::parse("Printer jam").expect("subject"),
                description: "Tray 2".into(),
                ..t
            }
        })
        .await?;
    let t = w.desk.tickets().ticket(&w.manager, other).await?;
    assert_eq!((t.group_name, t.tags), (None, vec!["late".to_owned()]));
    Ok(())
}

async fn updated_rules_act_once_per_change(store: &Store) -> Result {
    let w = World::new(store, None).await?;
    let solved = rule(json!({"name": "Solved", "trigger": "updated",
        "conditions": [{"field": "status", "op": "changed_to", "value": "resolved"}],
        "actions": [{"action": "reply", "body": "We resolved this; reply to reopen."}]}))?;
    // Would loop if its own change triggered updated rules again.
    let bump = rule(json!({"name": "Bump", "trigger": "updated",
        "conditions": [{"field": "assignee", "op": "is", "value": null}],
        "actions": [{"action": "add_tags", "tags": ["touched"]},
                    {"action": "set_assignee", "value": "tess@desk.test"}]}))?;
    w.desk.rules().add_rule(&w.manager, solved).await?;
    w.desk.rules().add_rule(&w.manager, bump).await?;
    let id = w.open(Level::Low, Level::Low, |t| t).await?;
    assert!(applied(&w, id).await?.is_empty(), "no created rules");

    let patch = TicketPatch {
        status: Some(Status::Resolved),
        ..TicketPatch::default()
    };
    let t = w
        .desk
        .tickets()
        .update_ticket(&w.agent, id, patch, None)
        .await?;
    assert_eq!(t.assignee_email.as_deref(), Some("tess@desk.test"));
    assert_eq!(t.tags, ["touched"]);
    assert_eq!(
        t.record.version, 2,
        "one write for the change and its rules"
    );
    assert_eq!(
        applied(&w, id).await?,
        [
            ("Solved".into(), "public reply".into()),
            ("Bump".into(), "tags: +touched".into()),
            ("Bump".into(), "assignee: tess@desk.test".into())
        ]
    );
    assert_eq!(
        comments(&w, id).await?,
        [("We resolved this; reply to reopen.".to_owned(), false)]
    );
    // A later change matches neither rule: nothing more happens.
    let patch = TicketPatch {
        subject: Some(Subject::parse("Mail server down again")?),
        ..TicketPatch::default()
    };
    w.desk
        .tickets()
        .update_ticket(&w.agent, id, patch, None)
        .await?;
    assert_eq!(applied(&w, id).await?.len(), 3);
    assert_eq!(comments(&w, id).await?.len(), 1);
    Ok(())
}

async fn a_ticket_rules_keep_acting_on_is_left_alone_for_a_while(store: &Store) -> Result {
    let w = World::new(store, None).await?;
    let every = rule(json!({"name": "Every change", "trigger": "updated",
        "actions": [{"action": "add_tags", "tags": ["seen"]}]}))?;
    w.desk.rules().add_rule(&w.manager, every).await?;
    let id = w.open(Level::Low, Level::Low, |t| t).await?;
    let change = |n: i64| TicketPatch {
        subject: Subject::parse(&format!("Change {n}")).ok(),
        ..TicketPatch::default()
    };
    for n in 0..frontline_core::rules::LOOP_LIMIT + 5 {
        w.desk
            .tickets()
            .update_ticket(&w.agent, id, change(n), None)
            .await?;
    }
    let limit = usize::try_from(frontline_core::rules::LOOP_LIMIT).unwrap_or(usize::MAX);
    assert_eq!(
        applied(&w, id).await?.len(),
        limit,
        "no more rule actions in the window"
    );
    w.at(w.desk.now().as_micros() + frontline_core::rules::LOOP_WINDOW_MICROS + MINUTE);
    w.desk
        .tickets()
        .update_ticket(&w.agent, id, change(-1), None)
        .await?;
    assert_eq!(
        applied(&w, id).await?.len(),
        limit + 1,
        "acting again later"
    );
    Ok(())
}

async fn time_rules_fire_once_per_ticket_and_period(store: &Store) -> Result {
    let w = World::new(store, None).await?;
    // The example: pending three days without reply, remind the requester; seven
    // days, resolve with a note.
    let remind = rule(json!({"name": "Remind", "trigger": "time",
        "time": {"since": "updated_at", "minutes": 3 * 24 * 60},
        "conditions": [{"field": "status", "op": "is", "value": "pending"}],
        "actions": [{"action": "reply", "body": "Do you still need help?"},
                    {"action": "notify", "recipients": ["requester"]}]}))?;
    let close = rule(json!({"name": "Resolve", "trigger": "time",
        "time": {"since": "updated_at", "minutes": 7 * 24 * 60},
        "conditions": [{"field": "status", "op": "is", "value": "pending"}],
        "actions": [{"action": "set_status", "value": "resolved"},
                    {"action": "add_note", "body": "Resolved after a week without reply."}]}))?;
    w.desk.rules().add_rule(&w.manager, remind).await?;
    w.desk.rules().add_rule(&w.manager, close).await?;
    let pending = w.open(Level::Low, Level::Low, |t| t).await?;
    let open = w.open(Level::Low, Level::Low, |t| t).await?;
    let patch = TicketPatch {
        status: Some(Status::Pending),
        ..TicketPatch::default()
    };
    let start = w.desk.now().as_micros();
    w.desk
        .tickets()
        .update_ticket(&w.agent, pending, patch, None)
        .await?;

    w.at(start + 2 * 24 * 60 * MINUTE);
    assert_eq!(
        w.desk.rules().run_time_rules().await?,
        0,
        "not yet three days"
    );
    w.at(start + 3 * 24 * 60 * MINUTE + MINUTE);
    assert_eq!(w.desk.rules().run_time_rules().await?, 1);
    assert_eq!(w.desk.rules().run_time_rules().await?, 0, "once per period");
    assert_eq!(
        comments(&w, pending).await?,
        [("Do you still need help?".to_owned(), false)]
    );
    assert!(
        applied(&w, open).await?.is_empty(),
        "the open ticket is not pending"
    );
    w.at(start + 6 * 24 * 60 * MINUTE + 2 * MINUTE);
    assert_eq!(
        w.desk.rules().run_time_rules().await?,
        0,
        "one reminder per period"
    );
    w.at(start + 7 * 24 * 60 * MINUTE + MINUTE);
    assert_eq!(w.desk.rules().run_time_rules().await?, 1);
    let t = w.desk.tickets().ticket(&w.manager, pending).await?;
    assert_eq!(t.record.status.as_str(), "resolved");
    assert_eq!(comments(&w, pending).await?.len(), 2);
    assert_eq!(
        applied(&w, pending).await?,
        [
            ("Remind".into(), "public reply".into()),
            ("Remind".into(), "notify: requester".into()),
            ("Resolve".into(), "status: resolved".into()),
            ("Resolve".into(), "internal note".into())
        ]
    );
    // Resolved now, and its period moved on: nothing more comes due.
    w.at(start + 30 * 24 * 60 * MINUTE);
    assert_eq!(w.desk.rules().run_time_rules().await?, 0);
    // A ticket reopened and pending again is a new period for both rules.
    for status in [Status::Open, Status::Pending] {
        let patch = TicketPatch {
            status: Some(status),
            ..TicketPatch::default()
        };
        w.desk
            .tickets()
            .update_ticket(&w.agent, pending, patch, None)
            .await?;
    }
    w.at(start + 33 * 24 * 60 * MINUTE + MINUTE);
    assert_eq!(w.desk.rules().run_time_rules().await?, 1);
    assert_eq!(comments(&w, pending).await?.len(), 3);
    Ok(())
}

/// A webhook receiver on loopback that fails its first call and keeps every body.
async fn receiver() -> Result<(String, Arc<Mutex<Vec<Value>>>)> {
    use axum::http::StatusCode;
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let kept = kept.clone();
            async move {
                let mut all = kept.lock().expect("lock");
                all.push(body);
                if all.len() == 1 {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| CoreError::Internal(e.to_string()))?;
    let addr = listener
        .local_addr()
        .map_err(|e| CoreError::Internal(e.to_string()))?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((format!("http://{addr}/hook"), seen))
}

async fn webhooks_are_posted_and_retried_until_answered(store: &Store) -> Result {
    let w = World::new(store, None).await?;
    let (url, seen) = receiver().await?;
    let hook = rule(json!({"name": "Chat", "trigger": "created",
        "actions": [{"action": "webhook", "url": url}]}))?;
    w.desk.rules().add_rule(&w.manager, hook).await?;
    let id = w.open(Level::High, Level::High, |t| t).await?;
    w.run_jobs().await?;
    assert_eq!(seen.lock().expect("lock").len(), 1, "the first call failed");
    // The retry waits out its backoff on the desk's clock.
    w.at(w.desk.now().as_micros() + 60 * MINUTE);
    w.run_jobs().await?;
    w.at(w.desk.now().as_micros() + 60 * MINUTE);
    w.run_jobs().await?;
    let bodies = seen.lock().expect("lock").clone();
    assert_eq!(
        bodies.len(),
        2,
        "delivered once it answered 2xx: {bodies:?}"
    );
    let body = &bodies[1];
    assert_eq!(body["rule"], "Chat");
    assert_eq!(body["trigger"], "created");
    assert_eq!(body["ticket"]["id"], id.get());
    assert_eq!(body["ticket"]["priority"], "P1");
    assert_eq!(body["ticket"]["requester"], "ria@corp.test");
    Ok(())
}

async fn rules_that_make_no_sense_are_refused_and_change_nothing(store: &Store) -> Result {
    let w = World::new(store, None).await?;
    let cases = [
        json!({"name": "x", "trigger": "created", "actions": [{"action": "set_group", "value": "Tier 9"}]}),
        json!({"name": "x", "trigger": "created", "actions": [{"action": "set_assignee", "value": "ria@corp.test"}]}),
        json!({"name": "x", "trigger": "created", "actions": [{"action": "set_category", "value": "No/Such"}]}),
        json!({"name": "x", "trigger": "created", "actions": [{"action": "notify", "recipients": ["nobody@corp.test"]}]}),
        json!({"name": "x", "trigger": "time", "actions": [{"action": "add_note", "body": "n"}]}),
    ];
    for case in cases {
        let err = w
            .desk
            .rules()
            .add_rule(&w.manager, rule(case.clone())?)
            .await;
        assert!(matches!(err, Err(CoreError::Invalid(_))), "{case}: {err:?}");
    }
    let fine = rule(
        json!({"name": "ok", "trigger": "created", "actions": [{"action": "add_tags", "tags": ["a"]}]}),
    )?;
    let err = w.desk.rules().add_rule(&w.agent, fine.clone()).await;
    assert!(matches!(err, Err(CoreError::Forbidden(_))), "{err:?}");
    assert!(w.desk.rules().list(&w.manager).await?.is_empty());

    let a = w.desk.rules().add_rule(&w.manager, fine.clone()).await?;
    let b = w.desk.rules().add_rule(&w.manager, fine).await?;
    let order = w
        .desk
        .rules()
        .reorder_rules(&w.manager, &[b.id, a.id])
        .await?;
    assert_eq!(order.iter().map(|r| r.id).collect::<Vec<_>>(), [b.id, a.id]);
    let bad = w.desk.rules().reorder_rules(&w.manager, &[b.id]).await;
    assert!(matches!(bad, Err(CoreError::Invalid(_))));
    w.desk.rules().delete_rule(&w.manager, a.id).await?;
    assert!(matches!(
        w.desk.rules().delete_rule(&w.manager, a.id).await,
        Err(CoreError::NotFound(_))
    ));
    Ok(())
}
