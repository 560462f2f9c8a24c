//! SLAs through the API, as a script would drive them, on SQLite and on PostgreSQL: a manager
//! sets up a calendar, a tier-2 group and a policy that escalates; a ticket breaches its
//! five-minute target; the SLA timer escalates it; the ticket's SLA state, trail and group,
//! the breached queue and the queued notification all show it.

use crate::support;
use frontline_domain::TicketId;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use serde_json::{Value, json};
use support::{App, Person, TestResult, id_of, ids, items, req};

support::stories!(a_breach_escalates_and_every_view_shows_it);

const MINUTE: i64 = 60_000_000;
/// Monday 23 November 2026, 09:00 UTC.
const MONDAY_9: i64 = 1_795_424_400_000_000;

/// The ticket's one SLA target, as `who` reads it.
async fn target(app: &App, who: &Person, id: i64) -> TestResult<Value> {
    let path = format!("/api/v1/tickets/{id}/sla");
    let reply = app.send(req("GET", &path).token(who)).await;
    reply.expect_status(200, &path)?;
    Ok(items(&reply.json()?)[0].clone())
}

async fn a_breach_escalates_and_every_view_shows_it(store: &frontline_core::Store) -> TestResult {
    let clock = Arc::new(AtomicI64::new(MONDAY_9));
    let app = App::with_clock(store, clock.clone()).await?;
    let cast = app.cast().await?;
    let (agent, manager) = (&cast.agent, &cast.manager);
    let always = json!({ "name": "Always", "time_zone": "UTC", "week": {
        "mon": ["00:00-24:00"], "tue": ["00:00-24:00"], "wed": ["00:00-24:00"], "thu": ["00:00-24:00"],
        "fri": ["00:00-24:00"], "sat": ["00:00-24:00"], "sun": ["00:00-24:00"] } });
    let setup = [
        ("POST", "/api/v1/calendars", always, 201),
        ("POST", "/api/v1/groups", json!({ "name": "Tier 2" }), 201),
        (
            "PUT",
            "/api/v1/groups/Tier 2/members",
            json!({ "members": [manager.email] }),
            200,
        ),
        (
            "POST",
            "/api/v1/sla-policies",
            json!({ "calendar": "Always", "policy": { "name": "Fast",
                "targets": { "first_response": 5 },
                "escalation": { "notify": ["group", "manager"], "move_to_group": "Tier 2",
                    "raise_priority": true } } }),
            201,
        ),
    ];
    for (method, path, body, status) in setup {
        app.send(
            req(method, &path.replace(' ', "%20"))
                .token(manager)
                .json(&body),
        )
        .await
        .expect_status(status, path)?;
    }
    let ticket = app
        .open_ticket(
            agent,
            json!({ "subject": "VPN down", "impact": "low", "urgency": "low" }),
        )
        .await?;
    let id = id_of(&ticket)?;
    assert_eq!(ticket["priority"], "P4");

    let first = target(&app, agent, id).await?;
    assert_eq!(
        (&first["state"], &first["due_at"]),
        (&json!("running"), &json!("2026-11-23T09:05:00.000000Z"))
    );
    let breached_queue = "/api/v1/tickets?sla=breached&sort=due";
    let queue = app.send(req("GET", breached_queue).token(agent)).await;
    assert!(ids(&queue.json()?).is_empty());

    // At 09:06 the timer fires (as the job handler does, in its own transaction).
    clock.store(MONDAY_9 + 6 * MINUTE, Ordering::SeqCst);
    let mut tx = store.begin().await?;
    app.desk
        .sla()
        .fire_sla_timer(&mut tx.conn(), TicketId::new(id))
        .await?;
    tx.commit().await?;

    let after = target(&app, agent, id).await?;
    assert_eq!(after["state"], "breached");
    assert_eq!(after["breached_at"], "2026-11-23T09:05:00.000000Z");
    assert_eq!(after["escalated_at"], "2026-11-23T09:06:00.000000Z");
    let now = app
        .send(req("GET", &format!("/api/v1/tickets/{id}")).token(agent))
        .await
        .json()?;
    assert_eq!(
        (&now["group"], &now["priority"]),
        (&json!("Tier 2"), &json!("P3"))
    );
    let queue = app.send(req("GET", breached_queue).token(agent)).await;
    assert_eq!(ids(&queue.json()?), [id]);

    let events = app
        .send(req("GET", &format!("/api/v1/tickets/{id}/events?limit=200")).token(agent))
        .await
        .json()?;
    let seen: Vec<(String, String, String, Value)> = items(&events)
        .iter()
        .filter(|e| e["kind"] != "created" && e["kind"] != "sla_started")
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (text("kind"), text("field"), text("at"), e["actor"].clone())
        })
        .collect();
    let at = |t: &str| format!("2026-11-23T{t}.000000Z");
    assert_eq!(
        seen,
        [
            (
                "sla_warning".into(),
                "first_response".into(),
                at("09:03:45"),
                Value::Null
            ),
            (
                "sla_breached".into(),
                "first_response".into(),
                at("09:05:00"),
                Value::Null
            ),
            (
                "sla_escalated".into(),
                "first_response".into(),
                at("09:06:00"),
                Value::Null
            ),
            (
                "field_changed".into(),
                "group".into(),
                at("09:06:00"),
                Value::Null
            ),
            (
                "field_changed".into(),
                "priority".into(),
                at("09:06:00"),
                Value::Null
            ),
        ],
        "{events}"
    );

    // The notification waits in the job queue for the managers (here the group's only member).
    let jobs = app
        .send(req("GET", "/api/v1/jobs?state=queued").token(&cast.admin))
        .await
        .json()?;
    let notify: Vec<Value> = items(&jobs)
        .into_iter()
        .filter(|j| j["kind"] == "notify")
        .collect();
    assert_eq!(notify.len(), 1, "{jobs}");
    let payload: Value = serde_json::from_str(notify[0]["payload"].as_str().unwrap_or_default())?;
    assert_eq!(payload["reason"], "sla_breached:first_response");
    assert_eq!(payload["recipients"].as_array().map(Vec::len), Some(1));
    Ok(())
}
