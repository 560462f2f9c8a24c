//! Saved views and canned responses over the API, on both databases: a view's count and
//! tickets follow its filters, bad fields are 422s naming them, names are unique per owner,
//! and a canned response's placeholders are checked when saved and filled for a ticket.

use crate::support;

use serde_json::json;
use support::{App, TestResult, id_of, ids, req};

support::stories!(
    a_view_counts_and_lists_what_its_filters_say,
    canned_responses_are_checked_and_filled_in
);

async fn a_view_counts_and_lists_what_its_filters_say(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let mut urgent = Vec::new();
    for n in 0..3 {
        let t = app
            .open_ticket(
                &cast.agent,
                json!({"subject": format!("Mail server down {n}"), "impact": "high", "urgency": "high",
                       "requester": "rita.requester@example.org"}),
            )
            .await?;
        urgent.push(id_of(&t)?);
    }
    app.open_ticket(
        &cast.agent,
        json!({"subject": "Mail slow", "requester": "rita.requester@example.org"}),
    )
    .await?;

    let made = app
        .send(req("POST", "/api/v1/views").token(&cast.agent).json(&json!({
            "name": "Mail fires", "queue": "open", "priority": ["P1"], "q": "mail", "sort": "-created"
        })))
        .await;
    made.expect_status(201, "creating a view")?;
    let view = made.json()?;
    assert_eq!(view["count"], 3);
    assert_eq!(view["visibility"], "private");
    assert_eq!(view["count_capped"], false);
    let id = view["id"].as_i64().ok_or("no id")?;

    let page = app
        .send(req("GET", &format!("/api/v1/views/{id}/tickets?limit=2")).token(&cast.agent))
        .await;
    page.expect_status(200, "the view's tickets")?;
    let first = page.json()?;
    let mut newest_first = urgent.clone();
    newest_first.reverse();
    assert_eq!(ids(&first), newest_first[..2].to_vec());
    let cursor = first["next_cursor"].as_str().ok_or("a second page")?;
    let rest = app
        .send(
            req(
                "GET",
                &format!("/api/v1/views/{id}/tickets?cursor={cursor}"),
            )
            .token(&cast.agent),
        )
        .await;
    assert_eq!(ids(&rest.json()?), newest_first[2..].to_vec());

    let listed = app
        .send(req("GET", "/api/v1/views").token(&cast.agent))
        .await;
    listed.expect_status(200, "listing views")?;
    assert_eq!(ids(&listed.json()?), vec![id]);
    // Private: another agent does not see it.
    let other = app
        .person("otto.agent@example.org", frontline_domain::Role::Agent)
        .await?;
    let theirs = app
        .send(req("GET", &format!("/api/v1/views/{id}")).token(&other))
        .await;
    theirs.expect_status(404, "someone else's private view")?;

    let bad = app
        .send(req("POST", "/api/v1/views").token(&cast.agent).json(&json!({
            "name": "", "queue": "everything", "priority": ["P9"], "sort": "size", "visibility": "group"
        })))
        .await;
    bad.expect_status(422, "a view with bad fields")?;
    let problem = bad.text();
    for field in ["queue", "priority", "sort", "shared_group"] {
        assert!(problem.contains(field), "{field} named in {problem}");
    }
    let twice = app
        .send(
            req("POST", "/api/v1/views")
                .token(&cast.agent)
                .json(&json!({"name": "Mail fires"})),
        )
        .await;
    twice.expect_status(409, "a second view of the same name")?;

    let renamed = app
        .send(
            req("PATCH", &format!("/api/v1/views/{id}"))
                .token(&cast.agent)
                .json(&json!({"name": "Mail P1s", "priority": [], "q": null})),
        )
        .await;
    renamed.expect_status(200, "renaming and widening")?;
    let renamed = renamed.json()?;
    assert_eq!(renamed["name"], "Mail P1s");
    assert_eq!(renamed["count"], 4, "every open ticket now");

    let gone = app
        .send(req("DELETE", &format!("/api/v1/views/{id}")).token(&cast.agent))
        .await;
    gone.expect_status(204, "deleting")?;
    let after = app
        .send(req("GET", &format!("/api/v1/views/{id}")).token(&cast.agent))
        .await;
    after.expect_status(404, "a deleted view")?;
    Ok(())
}

async fn canned_responses_are_checked_and_filled_in(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let t = app
        .open_ticket(&cast.requester, json!({"subject": "Printer offline"}))
        .await?;
    let ticket = id_of(&t)?;
    let typo = app
        .send(
            req("POST", "/api/v1/canned-responses")
                .token(&cast.admin)
                .json(&json!({
                    "name": "Greeting", "body": "Hi {{requester.nmae}}", "scope": "desk"
                })),
        )
        .await;
    typo.expect_status(422, "an unknown placeholder")?;
    assert!(typo.text().contains("requester.nmae"));
    let made = app
        .send(req("POST", "/api/v1/canned-responses").token(&cast.admin).json(&json!({
            "name": "Greeting", "scope": "desk",
            "body": "Hi {{requester.first_name}}, #{{ticket.number}} ({{ticket.subject}}) is with {{agent.name}}."
        })))
        .await;
    made.expect_status(201, "the desk's response")?;
    let canned = made.json()?;
    assert_eq!(canned["scope"], "desk");
    let id = canned["id"].as_i64().ok_or("no id")?;
    // Every agent sees the desk's responses and fills them in as themselves.
    let listed = app
        .send(req("GET", "/api/v1/canned-responses").token(&cast.agent))
        .await;
    assert_eq!(ids(&listed.json()?), vec![id]);
    let filled = app
        .send(
            req(
                "GET",
                &format!("/api/v1/canned-responses/{id}/filled?ticket={ticket}"),
            )
            .token(&cast.agent),
        )
        .await;
    filled.expect_status(200, "filling in")?;
    assert_eq!(
        filled.json()?["text"],
        format!("Hi rita.requester, #{ticket} (Printer offline) is with ada.agent.")
    );
    // Only admins change the desk's; an agent keeps their own.
    let changed = app
        .send(
            req("PATCH", &format!("/api/v1/canned-responses/{id}"))
                .token(&cast.agent)
                .json(&json!({"body": "Mine now"})),
        )
        .await;
    changed.expect_status(403, "an agent editing the desk's response")?;
    let own = app
        .send(
            req("POST", "/api/v1/canned-responses")
                .token(&cast.agent)
                .json(&json!({
                    "name": "Greeting", "body": "Hello!"
                })),
        )
        .await;
    own.expect_status(201, "an agent's own response may share a desk name")?;
    let own_id = own.json()?["id"].as_i64().ok_or("no id")?;
    let hidden = app
        .send(req("DELETE", &format!("/api/v1/canned-responses/{own_id}")).token(&cast.manager))
        .await;
    hidden.expect_status(404, "someone else's own response")?;
    let deleted = app
        .send(req("DELETE", &format!("/api/v1/canned-responses/{own_id}")).token(&cast.agent))
        .await;
    deleted.expect_status(204, "deleting one's own")?;
    Ok(())
}
