//! Quarantined mail over HTTP, for administrators: a held message (an auto-reply that
//! answers no ticket) is listed newest first with its sender, subject and reason, read one
//! by one as text, released once into a ticket (a second release is a 409), and another
//! discarded off the list; agents and managers get a 403 naming the rule, as the OpenAPI
//! document says. Runs on SQLite and on PostgreSQL.

use crate::support;

use frontline_core::Desk;
use frontline_core::mail::Incoming;
use serde_json::Value;
use support::{App, TestResult, items, req};

support::stories!(admins_release_and_discard_quarantined_mail);

/// Stores and ingests an auto-reply from `from` that answers nothing: it is held.
async fn held(desk: &Desk, from: &str, subject: &str, id: &str) -> TestResult<i64> {
    let raw = format!(
        "From: {from}\r\nTo: help@desk.example\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Auto-Submitted: auto-replied\r\n\r\nI am <b>away</b>, back on Monday.\r\n"
    );
    let incoming = Incoming {
        mailbox_id: None,
        source: "smtp",
        uid: None,
        envelope_from: None,
        raw: raw.into_bytes(),
    };
    let id = desk.mail().receive_mail(incoming).await?.ok_or("stored")?;
    let mut tx = desk.store().begin().await?;
    let outcome = desk
        .mail()
        .ingest_mail(&mut tx.conn(), id)
        .await?
        .ok_or("ingested")?;
    tx.commit().await?;
    assert_eq!(outcome.state.as_str(), "ignored");
    Ok(id.get())
}

async fn admins_release_and_discard_quarantined_mail(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let admin = &cast.admin;
    let first = held(&app.desk, "ana@client.example", "Away", "a1@client.example").await?;
    let second = held(
        &app.desk,
        "bo@client.example",
        "Out of office",
        "b1@client.example",
    )
    .await?;

    let reply = app
        .send(req("GET", "/api/v1/quarantine").token(admin))
        .await;
    reply.expect_status(200, "the quarantine")?;
    let listed = items(&reply.json()?);
    let ids: Vec<i64> = listed.iter().filter_map(|m| m["id"].as_i64()).collect();
    assert_eq!(ids, vec![second, first], "newest first");
    assert_eq!(listed[1]["sender"], "ana@client.example");
    assert_eq!(listed[1]["subject"], "Away");
    assert_eq!(listed[1]["state"], "ignored");
    assert!(
        listed[1]["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("auto_reply"))
    );

    let one = app
        .send(req("GET", &format!("/api/v1/quarantine/{first}")).token(admin))
        .await;
    one.expect_status(200, "one held message")?;
    let one = one.json()?;
    assert!(
        one["text"]
            .as_str()
            .is_some_and(|t| t.contains("back on Monday")),
        "{one}"
    );
    assert!(
        one["headers"]
            .as_array()
            .is_some_and(|h| h.iter().any(|h| h["name"] == "Message-ID"))
    );

    // Other roles: refused, saying who may.
    for who in [&cast.agent, &cast.manager, &cast.requester] {
        for (method, path) in [
            ("GET", "/api/v1/quarantine".to_owned()),
            ("GET", format!("/api/v1/quarantine/{first}")),
            ("POST", format!("/api/v1/quarantine/{first}/release")),
            ("POST", format!("/api/v1/quarantine/{first}/discard")),
        ] {
            let p = app
                .send(req(method, &path).token(who))
                .await
                .problem(403, &path)?;
            assert!(
                p["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("only admins")),
                "{p}"
            );
        }
    }

    // Release: a ticket, once.
    let released = app
        .send(req("POST", &format!("/api/v1/quarantine/{first}/release")).token(admin))
        .await;
    released.expect_status(200, "releasing")?;
    let released: Value = released.json()?;
    assert_eq!(released["state"], "ticket");
    let ticket = released["ticket_id"].as_i64().ok_or("a ticket")?;
    let t = app
        .send(req("GET", &format!("/api/v1/tickets/{ticket}")).token(admin))
        .await;
    t.expect_status(200, "the released ticket")?;
    assert_eq!(t.json()?["subject"], "Away");
    app.send(req("POST", &format!("/api/v1/quarantine/{first}/release")).token(admin))
        .await
        .problem(409, "releasing twice")?;

    // Discard: off the list, gone from GET.
    let discarded = app
        .send(req("POST", &format!("/api/v1/quarantine/{second}/discard")).token(admin))
        .await;
    discarded.expect_status(204, "discarding")?;
    let reply = app
        .send(req("GET", "/api/v1/quarantine").token(admin))
        .await;
    assert!(items(&reply.json()?).is_empty());
    app.send(req("GET", &format!("/api/v1/quarantine/{second}")).token(admin))
        .await
        .problem(404, "a discarded message")?;
    Ok(())
}
