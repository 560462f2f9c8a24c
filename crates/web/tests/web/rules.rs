//! Rules and assignment through the HTTP API, on SQLite and on PostgreSQL: a manager writes a
//! rule, a new ticket shows its effect and the audit trail names it; bad rules are 422 problems
//! naming the field and change nothing; rules are reordered, replaced and deleted.

use crate::support;

use serde_json::{Value, json};
use support::{App, TestResult, id_of, ids, req};

support::stories!(
    a_rule_acts_on_new_tickets_and_is_in_the_trail,
    bad_rules_are_refused_and_change_nothing
);

async fn a_rule_acts_on_new_tickets_and_is_in_the_trail(
    store: &frontline_core::Store,
) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let reply = app
        .send(
            req("POST", "/api/v1/groups")
                .token(&cast.admin)
                .json(&json!({"name": "Network"})),
        )
        .await;
    reply.expect_status(201, "group")?;
    let rule = json!({"name": "VPN to network", "trigger": "created",
        "conditions": [{"field": "subject", "op": "contains", "value": "vpn"}],
        "actions": [{"action": "set_group", "value": "Network"},
                    {"action": "add_tags", "tags": ["vpn"]}]});
    let reply = app
        .send(
            req("POST", "/api/v1/rules")
                .token(&cast.manager)
                .json(&rule),
        )
        .await;
    reply.expect_status(201, "rule")?;
    let created = reply.json()?;
    assert_eq!(created["rule"]["name"], "VPN to network");
    assert_eq!(created["position"], 1);

    let t = app
        .open_ticket(&cast.requester, json!({"subject": "VPN keeps dropping"}))
        .await?;
    assert_eq!(t["group"], "Network");
    assert_eq!(t["tags"], json!(["vpn"]));
    let id = id_of(&t)?;
    let reply = app
        .send(req("GET", &format!("/api/v1/tickets/{id}/events")).token(&cast.agent))
        .await;
    reply.expect_status(200, "events")?;
    let events = reply.json()?;
    let applied: Vec<&Value> = events["items"]
        .as_array()
        .map(|a| a.iter().filter(|e| e["kind"] == "rule_applied").collect())
        .unwrap_or_default();
    assert_eq!(applied.len(), 2, "{events}");

    // Replaced to match nothing, then deleted: later tickets are left alone.
    let id_rule = created["id"].as_i64().unwrap_or_default();
    let mut quiet = rule.clone();
    quiet["enabled"] = json!(false);
    let reply = app
        .send(
            req("PUT", &format!("/api/v1/rules/{id_rule}"))
                .token(&cast.admin)
                .json(&quiet),
        )
        .await;
    reply.expect_status(200, "replace")?;
    let t = app
        .open_ticket(&cast.requester, json!({"subject": "VPN again"}))
        .await?;
    assert_eq!(t["group"], Value::Null);
    let reply = app
        .send(req("DELETE", &format!("/api/v1/rules/{id_rule}")).token(&cast.admin))
        .await;
    reply.expect_status(204, "delete")?;
    let reply = app
        .send(req("GET", "/api/v1/rules").token(&cast.admin))
        .await;
    reply.expect_status(200, "list")?;
    assert!(ids(&reply.json()?).is_empty());
    Ok(())
}

async fn bad_rules_are_refused_and_change_nothing(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let ok = |n: &str| json!({"name": n, "trigger": "created", "actions": [{"action": "add_tags", "tags": ["x"]}]});
    let mut made = Vec::new();
    for n in ["first", "second"] {
        let reply = app
            .send(
                req("POST", "/api/v1/rules")
                    .token(&cast.manager)
                    .json(&ok(n)),
            )
            .await;
        reply.expect_status(201, n)?;
        made.push(reply.json()?["id"].as_i64().unwrap_or_default());
    }
    let before = app
        .send(req("GET", "/api/v1/rules").token(&cast.manager))
        .await
        .json()?;
    for (body, needle) in [
        (
            json!({"name": "x", "trigger": "created", "actions": [{"action": "set_group", "value": "Nope"}]}),
            "Nope",
        ),
        (
            json!({"name": "x", "trigger": "created", "actions": [{"action": "set_assignee", "value": "rita.requester@example.org"}]}),
            "actions[0]",
        ),
        (
            json!({"name": "x", "trigger": "created", "conditions": [{"field": "status", "op": "is", "value": "asleep"}], "actions": [{"action": "add_note", "body": "n"}]}),
            "conditions[0].value",
        ),
        (
            json!({"name": "x", "trigger": "time", "actions": [{"action": "add_note", "body": "n"}]}),
            "time",
        ),
    ] {
        let reply = app
            .send(
                req("POST", "/api/v1/rules")
                    .token(&cast.manager)
                    .json(&body),
            )
            .await;
        reply.field_problem(422, needle, &body.to_string())?;
    }
    for body in [
        json!({"name": "x", "trigger": "created", "actions": [], "colour": "red"}),
        json!({"name": "x", "trigger": "created", "actions": [{"action": "explode"}]}),
    ] {
        let reply = app
            .send(
                req("POST", "/api/v1/rules")
                    .token(&cast.manager)
                    .json(&body),
            )
            .await;
        reply.problem(422, &body.to_string())?;
    }
    let reply = app
        .send(
            req("PUT", "/api/v1/rules/order")
                .token(&cast.manager)
                .json(&json!({"ids": [made[0]]})),
        )
        .await;
    reply.field_problem(422, "ids", "partial order")?;
    let after = app
        .send(req("GET", "/api/v1/rules").token(&cast.manager))
        .await
        .json()?;
    assert_eq!(before, after, "nothing changed");

    let reply = app
        .send(
            req("PUT", "/api/v1/rules/order")
                .token(&cast.manager)
                .json(&json!({"ids": [made[1], made[0]]})),
        )
        .await;
    reply.expect_status(200, "reorder")?;
    assert_eq!(ids(&reply.json()?), [made[1], made[0]]);
    Ok(())
}
