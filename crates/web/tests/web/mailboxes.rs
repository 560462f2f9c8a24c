//! Mailboxes over HTTP, for administrators: one added with IMAP and SMTP URLs and listed
//! without its passwords, its URLs changed (and one removed with `null`), disabled and
//! enabled again; a bad URL refused with a 422 naming the field and nothing added; a name
//! given, changed and removed, and one of two lines or over 100 characters refused the
//! same way, as the OpenAPI document says; agents and managers refused with a 403. Runs on
//! SQLite and on PostgreSQL.

use crate::support;

use serde_json::{Value, json};
use support::{App, Person, TestResult, items, req};

support::stories!(
    admins_configure_mailboxes,
    mailboxes_have_names,
    only_admins_touch_mailboxes
);

async fn list(app: &App, who: &Person) -> TestResult<Value> {
    let reply = app.send(req("GET", "/api/v1/mailboxes").token(who)).await;
    reply.expect_status(200, "the mailbox list")?;
    reply.json()
}

async fn admins_configure_mailboxes(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let admin = &cast.admin;

    let new = json!({
        "address": "Help@Example.org",
        "imap": "imaps://help%40example.org:s3cret-imap@mail.example.org/INBOX",
        "smtp": "smtps://help%40example.org:s3cret-smtp@mail.example.org",
    });
    let added = app
        .send(req("POST", "/api/v1/mailboxes").token(admin).json(&new))
        .await;
    added.expect_status(201, "adding a mailbox")?;
    assert!(!added.text().contains("s3cret"), "{}", added.text());
    let added = added.json()?;
    let id = added["id"].as_i64().ok_or("the mailbox has no id")?;
    assert_eq!(added["address"], "help@example.org");
    assert_eq!(added["state"], "active");

    let reply = app.send(req("GET", "/api/v1/mailboxes").token(admin)).await;
    reply.expect_status(200, "the mailbox list")?;
    assert!(!reply.text().contains("s3cret"), "{}", reply.text());
    let listed = items(&reply.json()?);
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0]["imap"],
        "imaps://help@example.org:***@mail.example.org:993/INBOX"
    );
    assert_eq!(
        listed[0]["smtp"],
        "smtps://help@example.org:***@mail.example.org:465"
    );

    // The same address twice is a conflict.
    app.send(req("POST", "/api/v1/mailboxes").token(admin).json(&new))
        .await
        .problem(409, "the same address again")?;

    // A bad URL is refused with the field named, and nothing is added.
    let bad = json!({ "address": "desk@example.org", "imap": "http://mail.example.org" });
    let problem = app
        .send(req("POST", "/api/v1/mailboxes").token(admin).json(&bad))
        .await
        .problem(422, "a bad IMAP URL")?;
    assert_eq!(problem["errors"][0]["field"], "imap", "{problem}");
    let bad_address = json!({ "address": "not an address" });
    app.send(
        req("POST", "/api/v1/mailboxes")
            .token(admin)
            .json(&bad_address),
    )
    .await
    .field_problem(422, "address", "a bad address")?;
    assert_eq!(items(&list(&app, admin).await?).len(), 1);

    // A change: a new SMTP server, the IMAP folder removed (mail comes by the listener).
    let path = format!("/api/v1/mailboxes/{id}");
    let change = json!({ "imap": null, "smtp": "smtp+starttls://relay.example.org:2525" });
    let changed = app
        .send(req("PATCH", &path).token(admin).json(&change))
        .await;
    changed.expect_status(200, "changing the URLs")?;
    let changed = changed.json()?;
    assert_eq!(changed["imap"], Value::Null);
    assert_eq!(changed["smtp"], "smtp+starttls://relay.example.org:2525");
    // A bad URL in a change is refused and changes nothing.
    let before = list(&app, admin).await?;
    app.send(
        req("PATCH", &path)
            .token(admin)
            .json(&json!({ "smtp": "ftp://relay.example.org" })),
    )
    .await
    .field_problem(422, "smtp", "a bad SMTP URL")?;
    assert_eq!(list(&app, admin).await?, before);
    app.send(
        req("PATCH", "/api/v1/mailboxes/999999")
            .token(admin)
            .json(&json!({ "imap": null })),
    )
    .await
    .problem(404, "an unknown mailbox")?;

    let disabled = app
        .send(req("POST", &format!("{path}/disable")).token(admin))
        .await;
    disabled.expect_status(200, "disabling")?;
    assert_eq!(disabled.json()?["state"], "disabled");
    assert_eq!(items(&list(&app, admin).await?)[0]["state"], "disabled");
    let enabled = app
        .send(req("POST", &format!("{path}/enable")).token(admin))
        .await;
    enabled.expect_status(200, "enabling")?;
    assert_eq!(enabled.json()?["state"], "active");
    Ok(())
}

async fn mailboxes_have_names(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let admin = &cast.admin;
    let added = app
        .send(
            req("POST", "/api/v1/mailboxes")
                .token(admin)
                .json(&json!({ "address": "help@example.org", "name": "  IT Help " })),
        )
        .await;
    added.expect_status(201, "adding a named mailbox")?;
    let added = added.json()?;
    assert_eq!(added["name"], "IT Help", "{added}");
    let id = added["id"].as_i64().ok_or("the mailbox has no id")?;
    let unnamed = app
        .send(
            req("POST", "/api/v1/mailboxes")
                .token(admin)
                .json(&json!({ "address": "desk@example.org" })),
        )
        .await;
    unnamed.expect_status(201, "adding a mailbox without a name")?;
    assert_eq!(unnamed.json()?["name"], Value::Null);
    let listed = items(&list(&app, admin).await?);
    assert_eq!(listed[0]["name"], Value::Null, "desk@ sorts first");
    assert_eq!(listed[1]["name"], "IT Help", "as stored");

    // Two lines, or one character too many: refused on adding, nothing added.
    let longest = "é".repeat(100);
    for bad in ["IT\nHelp", "IT\rBcc: x@example.org", &format!("{longest}x")] {
        let new = json!({ "address": "other@example.org", "name": bad });
        app.send(req("POST", "/api/v1/mailboxes").token(admin).json(&new))
            .await
            .field_problem(422, "name", "adding with a bad name")?;
    }
    assert_eq!(items(&list(&app, admin).await?).len(), 2);

    // Changed (the longest that may be), refused unchanged, kept by a change of URL, removed.
    let path = format!("/api/v1/mailboxes/{id}");
    let changed = app
        .send(
            req("PATCH", &path)
                .token(admin)
                .json(&json!({ "name": longest })),
        )
        .await;
    changed.expect_status(200, "renaming")?;
    assert_eq!(changed.json()?["name"], longest.as_str());
    let before = list(&app, admin).await?;
    app.send(
        req("PATCH", &path)
            .token(admin)
            .json(&json!({ "name": "IT\nHelp", "smtp": "smtp://relay.example.org:25" })),
    )
    .await
    .field_problem(422, "name", "a name of two lines")?;
    assert_eq!(list(&app, admin).await?, before, "nothing changed");
    let kept = app
        .send(
            req("PATCH", &path)
                .token(admin)
                .json(&json!({ "smtp": "smtp://relay.example.org:25" })),
        )
        .await;
    kept.expect_status(200, "changing a URL")?;
    assert_eq!(kept.json()?["name"], longest.as_str());
    for removal in [json!({ "name": null }), json!({ "name": " " })] {
        let removed = app
            .send(req("PATCH", &path).token(admin).json(&removal))
            .await;
        removed.expect_status(200, "removing the name")?;
        assert_eq!(removed.json()?["name"], Value::Null);
    }

    // The OpenAPI document names the field wherever a mailbox is read or written.
    let doc = app.send(req("GET", "/api/v1/openapi.json")).await.json()?;
    for schema in ["MailboxItem", "CreateMailbox", "UpdateMailbox"] {
        let properties = &doc["components"]["schemas"][schema]["properties"];
        assert!(properties["name"].is_object(), "{schema}: {properties}");
    }
    Ok(())
}

async fn only_admins_touch_mailboxes(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let new = json!({ "address": "help@example.org" });
    let added = app
        .send(
            req("POST", "/api/v1/mailboxes")
                .token(&cast.admin)
                .json(&new),
        )
        .await;
    added.expect_status(201, "adding a mailbox")?;
    let id = added.json()?["id"]
        .as_i64()
        .ok_or("the mailbox has no id")?;
    let path = format!("/api/v1/mailboxes/{id}");
    for who in [&cast.agent, &cast.manager] {
        app.send(req("GET", "/api/v1/mailboxes").token(who))
            .await
            .problem(403, "listing")?;
        let other = json!({ "address": "other@example.org" });
        app.send(req("POST", "/api/v1/mailboxes").token(who).json(&other))
            .await
            .problem(403, "adding")?;
        // Refused before the body is read, so a bad one says nothing either.
        let bad = json!({ "address": "x", "smtp": "nonsense" });
        app.send(req("POST", "/api/v1/mailboxes").token(who).json(&bad))
            .await
            .problem(403, "adding a bad one")?;
        app.send(
            req("PATCH", &path)
                .token(who)
                .json(&json!({ "smtp": null })),
        )
        .await
        .problem(403, "changing")?;
        app.send(req("POST", &format!("{path}/disable")).token(who))
            .await
            .problem(403, "disabling")?;
        app.send(req("POST", &format!("{path}/enable")).token(who))
            .await
            .problem(403, "enabling")?;
    }
    let listed = items(&list(&app, &cast.admin).await?);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["state"], "active");
    Ok(())
}
