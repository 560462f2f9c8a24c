//! The ticket contract scripts rely on: creation answers 201 with `Location`; `ETag` and
//! `If-Match` turn a lost update into a 412 that changes nothing; `Idempotency-Key` makes a
//! retried creation safe; agents open tickets on behalf of new requesters. Runs on SQLite
//! and on PostgreSQL.

use crate::support;

use serde_json::json;
use support::{App, TestResult, id_of, ids, items, req, subject};

support::stories!(
    create_answers_201_with_location_and_etag,
    stale_if_match_is_412_and_changes_nothing,
    idempotency_key_answers_a_retry_with_the_first_ticket,
    agents_open_tickets_for_new_requesters,
);

async fn create_answers_201_with_location_and_etag(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let body = json!({ "subject": "  Laptop won't boot ", "description": "Black screen", "urgency": "high" });
    let created = app
        .send(
            req("POST", "/api/v1/tickets")
                .token(&cast.requester)
                .json(&body),
        )
        .await;
    created.expect_status(201, "creating")?;
    let ticket = created.json()?;
    let id = id_of(&ticket)?;
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/tickets/{id}").as_str())
    );
    assert_eq!(
        ticket["subject"], "Laptop won't boot",
        "the subject is trimmed"
    );
    assert_eq!(ticket["status"], "new");
    assert_eq!(ticket["requester"], cast.requester.email.as_str());
    assert_eq!(
        ticket["priority"], "P2",
        "medium impact × high urgency in the default matrix"
    );
    assert_eq!(ticket["channel"], "api");

    // What Location names is the ticket just created, with its version as ETag.
    let got = app
        .send(req("GET", &format!("/api/v1/tickets/{id}")).token(&cast.requester))
        .await;
    got.expect_status(200, "reading it back")?;
    assert_eq!(got.json()?, ticket);
    assert_eq!(
        got.header("etag"),
        Some(format!("\"{}\"", ticket["version"]).as_str())
    );
    assert_eq!(got.header("etag"), created.header("etag"));
    let created_events = app.event_count(&cast.agent, id).await?;
    assert_eq!(created_events, 1, "one `created` event");
    Ok(())
}

async fn stale_if_match_is_412_and_changes_nothing(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let id = id_of(
        &app.open_ticket(&cast.requester, subject("Printer jams"))
            .await?,
    )?;
    let path = format!("/api/v1/tickets/{id}");

    // Two agents read the same version.
    let read = app.send(req("GET", &path).token(&cast.agent)).await;
    let etag = read.header("etag").ok_or("no ETag")?.to_owned();

    // The first saves with it: 200 and a new ETag.
    let first = app
        .send(
            req("PATCH", &path)
                .token(&cast.agent)
                .header("if-match", &etag)
                .json(&json!({ "urgency": "high" })),
        )
        .await;
    first.expect_status(200, "the first save")?;
    let saved = first.json()?;
    let new_etag = first
        .header("etag")
        .ok_or("no ETag after PATCH")?
        .to_owned();
    assert_ne!(new_etag, etag);
    assert_eq!(saved["urgency"], "high");
    assert_eq!(saved["priority"], "P2", "the matrix reprioritised it");
    let before = app.ticket_snapshot(&cast.agent, id).await?;
    let events_before = app.event_count(&cast.agent, id).await?;

    // The second saves with the old ETag: 412, and neither the ticket nor its trail move.
    let second = app
        .send(
            req("PATCH", &path)
                .token(&cast.manager)
                .header("if-match", &etag)
                .json(&json!({ "subject": "Printer jams daily", "status": "pending" })),
        )
        .await;
    let p = second.problem(412, "saving over someone else's change")?;
    assert_eq!(p["type"], "/problems/stale");
    assert_eq!(app.ticket_snapshot(&cast.agent, id).await?, before);
    assert_eq!(app.event_count(&cast.agent, id).await?, events_before);

    // Re-read, re-apply: 200.
    let third = app
        .send(
            req("PATCH", &path)
                .token(&cast.manager)
                .header("if-match", &new_etag)
                .json(&json!({ "subject": "Printer jams daily" })),
        )
        .await;
    third.expect_status(200, "saving with the fresh ETag")?;
    let after = third.json()?;
    assert_eq!(after["subject"], "Printer jams daily");
    assert_eq!(
        after["urgency"], "high",
        "a PATCH changes only the fields it names"
    );
    assert_eq!(after["status"], "new");
    assert!(app.event_count(&cast.agent, id).await? > events_before);

    // Without If-Match the change applies to whatever is current.
    let blind = app
        .send(
            req("PATCH", &path)
                .token(&cast.agent)
                .json(&json!({ "tags": ["hardware"] })),
        )
        .await;
    blind.expect_status(200, "saving without If-Match")?;
    assert_eq!(blind.json()?["subject"], "Printer jams daily");
    Ok(())
}

async fn idempotency_key_answers_a_retry_with_the_first_ticket(
    store: &frontline_core::Store,
) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let body = json!({ "subject": "Disk 95% full on db-01", "urgency": "high" });
    let post = |who, key: &str, body| {
        req("POST", "/api/v1/tickets")
            .token(who)
            .header("idempotency-key", key)
            .json(body)
    };
    let first = app.send(post(&cast.agent, "alert-4711", &body)).await;
    first.expect_status(201, "the first request")?;
    let ticket = first.json()?;

    // The retry (a lost response, a monitoring system sending twice) gets the same ticket.
    let retry = app.send(post(&cast.agent, "alert-4711", &body)).await;
    retry.expect_status(200, "the retry")?;
    assert_eq!(retry.json()?["id"], ticket["id"]);
    assert_eq!(retry.header("location"), first.header("location"));

    // The same key with another body is a client bug, refused without creating anything.
    let other = json!({ "subject": "Disk 99% full on db-01", "urgency": "high" });
    let reused = app.send(post(&cast.agent, "alert-4711", &other)).await;
    let p = reused.problem(422, "reusing a key")?;
    assert_eq!(p["type"], "/problems/idempotency-key-reused");

    let list = app
        .send(req("GET", "/api/v1/tickets").token(&cast.agent))
        .await;
    assert_eq!(
        ids(&list.json()?),
        vec![id_of(&ticket)?],
        "exactly one ticket exists"
    );

    // Keys belong to their caller: someone else's identical key is a new request.
    let theirs = app.send(post(&cast.manager, "alert-4711", &body)).await;
    theirs.expect_status(201, "another caller's key")?;
    assert_ne!(theirs.json()?["id"], ticket["id"]);
    Ok(())
}

async fn agents_open_tickets_for_new_requesters(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let nobody = app
        .send(req("GET", "/api/v1/users?role=requester").token(&cast.agent))
        .await;
    let known: Vec<String> = items(&nobody.json()?)
        .iter()
        .filter_map(|u| u["email"].as_str().map(str::to_owned))
        .collect();
    assert!(!known.contains(&"new@example.org".to_owned()));

    let body =
        json!({ "subject": "Cannot log in", "requester": "new@example.org", "channel": "phone" });
    let ticket = app.open_ticket(&cast.agent, body).await?;
    assert_eq!(ticket["requester"], "new@example.org");
    assert_eq!(ticket["channel"], "phone");

    let users = app
        .send(req("GET", "/api/v1/users?role=requester").token(&cast.agent))
        .await;
    let new = items(&users.json()?)
        .into_iter()
        .find(|u| u["email"] == "new@example.org")
        .ok_or("the requester was not created")?;
    assert_eq!(new["role"], "requester");
    assert_eq!(new["active"], true);

    // A second ticket for the same address finds that person instead of adding another.
    app.open_ticket(
        &cast.agent,
        json!({ "subject": "Still cannot log in", "requester": "new@example.org" }),
    )
    .await?;
    let users = app
        .send(req("GET", "/api/v1/users").token(&cast.agent))
        .await;
    let count = items(&users.json()?)
        .iter()
        .filter(|u| u["email"] == "new@example.org")
        .count();
    assert_eq!(count, 1);
    let theirs = app
        .send(req("GET", "/api/v1/tickets?requester=new@example.org").token(&cast.agent))
        .await;
    assert_eq!(ids(&theirs.json()?).len(), 2);
    Ok(())
}
