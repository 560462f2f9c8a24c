//! What a requester may do to a ticket that is visible to them but not theirs: a watcher and
//! an organization colleague (shared tickets) read and reply, but every change of status or
//! fields is refused with a 403 naming the rule, and their replies do not move the status.
//! Who watches a ticket is the desk's choice: a requester naming watchers is refused the same
//! way on creation and later, whether or not the addresses have accounts.
//! Runs on SQLite and on PostgreSQL.

use crate::support;

use frontline_domain::Role;
use serde_json::{Value, json};
use support::{App, Form, Person, TestResult, id_of, req, subject};

support::stories!(
    watchers_and_colleagues_read_and_reply_but_change_nothing,
    requesters_may_not_name_watchers_on_either_path
);

/// A ticket of Ana's at Acme (which shares tickets), watched by Wes from elsewhere, and Ben,
/// Ana's colleague at Acme.
struct Shared {
    agent: Person,
    ana: Person,
    ben: Person,
    wes: Person,
    ticket: i64,
    other: i64,
}

async fn shared_ticket(app: &App) -> TestResult<Shared> {
    let manager = app.person("max.manager@example.org", Role::Manager).await?;
    let acme = json!({ "name": "Acme", "domain": "acme.example", "shared_tickets": true });
    app.send(
        req("POST", "/api/v1/organizations")
            .token(&manager)
            .json(&acme),
    )
    .await
    .expect_status(201, "adding Acme, which shares tickets")?;
    let agent = app.person("ada.agent@example.org", Role::Agent).await?;
    let ana = app.person("ana@acme.example", Role::Requester).await?;
    let ben = app.person("ben@acme.example", Role::Requester).await?;
    let wes = app.person("wes@example.org", Role::Requester).await?;
    let body = json!({
        "subject": "Plotter jams",
        "requester": ana.email,
        "watchers": [wes.email],
    });
    let ticket = id_of(&app.open_ticket(&agent, body).await?)?;
    let other = id_of(&app.open_ticket(&ana, subject("Plotter is slow")).await?)?;
    Ok(Shared {
        agent,
        ana,
        ben,
        wes,
        ticket,
        other,
    })
}

async fn status_of(app: &App, who: &Person, id: i64) -> TestResult<String> {
    let reply = app
        .send(req("GET", &format!("/api/v1/tickets/{id}")).token(who))
        .await;
    reply.expect_status(200, "reading the ticket")?;
    Ok(reply.json()?["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

async fn reply_as(app: &App, who: &Person, id: i64, body: &str) -> TestResult {
    let form =
        Form::new()
            .text("body", body)
            .file("file", "jam.jpg", "image/jpeg", b"\xff\xd8 fake");
    let path = format!("/api/v1/tickets/{id}/comments");
    app.send(req("POST", &path).token(who).form(form))
        .await
        .expect_status(201, &format!("{} replying with a file", who.email))
}

async fn watchers_and_colleagues_read_and_reply_but_change_nothing(
    store: &frontline_core::Store,
) -> TestResult {
    let app = App::new(store).await?;
    let s = shared_ticket(&app).await?;
    let (t, u) = (s.ticket, s.other);
    let writes: [(&str, String, Option<Value>); 6] = [
        (
            "PATCH",
            format!("/api/v1/tickets/{t}"),
            Some(json!({ "status": "closed" })),
        ),
        (
            "PATCH",
            format!("/api/v1/tickets/{t}"),
            Some(json!({ "urgency": "high" })),
        ),
        (
            "PATCH",
            format!("/api/v1/tickets/{t}"),
            Some(json!({ "subject": "Mine now" })),
        ),
        (
            "POST",
            format!("/api/v1/tickets/{t}/merge"),
            Some(json!({ "into": u })),
        ),
        (
            "POST",
            format!("/api/v1/tickets/{t}/links"),
            Some(json!({ "kind": "related", "ticket": u })),
        ),
        (
            "POST",
            format!("/api/v1/tickets/{t}/comments"),
            Some(json!({ "body": "note", "internal": true })),
        ),
    ];
    for who in [&s.wes, &s.ben] {
        status_of(&app, who, t).await?;
        let before = app.ticket_snapshot(&s.agent, t).await?;
        for (method, path, body) in &writes {
            let mut r = req(method, path).token(who);
            if let Some(b) = body {
                r = r.json(b);
            }
            let what = format!("{method} {path} {body:?} as {}", who.email);
            let problem = app.send(r).await.problem(403, &what)?;
            let detail = problem["detail"].as_str().unwrap_or_default();
            assert!(!detail.is_empty(), "{what}: the refusal names its rule");
        }
        let closing = app
            .send(
                req("PATCH", &format!("/api/v1/tickets/{t}"))
                    .token(who)
                    .json(&json!({ "status": "closed" })),
            )
            .await
            .problem(403, "closing someone else's ticket")?;
        assert_eq!(
            closing["detail"],
            "only the ticket's requester may change it; watchers and colleagues may read and reply"
        );
        assert_eq!(
            app.ticket_snapshot(&s.agent, t).await?,
            before,
            "{}: a refused write changes nothing, not even the trail",
            who.email
        );
    }

    // Replies (with files) are theirs to give, but only Ana's reply reopens her ticket.
    app.send(
        req("PATCH", &format!("/api/v1/tickets/{t}"))
            .token(&s.agent)
            .json(&json!({ "status": "resolved" })),
    )
    .await
    .expect_status(200, "the agent resolving the ticket")?;
    reply_as(&app, &s.wes, t, "Still jams on A3 here.").await?;
    reply_as(&app, &s.ben, t, "Same on my floor.").await?;
    assert_eq!(status_of(&app, &s.agent, t).await?, "resolved");
    reply_as(&app, &s.ana, t, "Yes, still broken.").await?;
    assert_eq!(status_of(&app, &s.agent, t).await?, "open");

    // Ana closes her own ticket; her colleagues' refusals above left that to her.
    app.send(
        req("PATCH", &format!("/api/v1/tickets/{t}"))
            .token(&s.ana)
            .json(&json!({ "status": "closed" })),
    )
    .await
    .expect_status(200, "the requester closing her own ticket")?;
    assert_eq!(status_of(&app, &s.agent, t).await?, "closed");
    Ok(())
}

async fn requesters_may_not_name_watchers_on_either_path(
    store: &frontline_core::Store,
) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    const REFUSAL: &str = "only agents may set watchers";
    let before = app.desk_snapshot(&cast.admin).await?;
    for watcher in [
        cast.agent.email.as_str(),
        cast.other_requester.email.as_str(),
        "nobody-here@example.org",
    ] {
        let body = json!({ "subject": "Copy them in", "watchers": [watcher] });
        let p = app
            .send(
                req("POST", "/api/v1/tickets")
                    .token(&cast.requester)
                    .json(&body),
            )
            .await
            .problem(403, &format!("a requester naming {watcher} as a watcher"))?;
        assert_eq!(p["detail"], REFUSAL, "the same words whoever {watcher} is");
        assert!(p.get("errors").is_none(), "no per-address detail: {p}");
    }
    assert_eq!(
        app.desk_snapshot(&cast.admin).await?,
        before,
        "no ticket and no person was created"
    );
    let mine = id_of(&app.open_ticket(&cast.requester, subject("Mine")).await?)?;
    for watcher in [cast.agent.email.as_str(), "nobody-here@example.org"] {
        let p = app
            .send(
                req("PATCH", &format!("/api/v1/tickets/{mine}"))
                    .token(&cast.requester)
                    .json(&json!({ "watchers": [watcher] })),
            )
            .await
            .problem(403, "a requester adding a watcher later")?;
        assert_eq!(p["detail"], REFUSAL);
    }

    // Agents keep naming any account, and hear about addresses without one.
    let opened = app
        .open_ticket(
            &cast.agent,
            json!({ "subject": "Cc Otto", "requester": cast.requester.email,
                    "watchers": [cast.other_requester.email, cast.manager.email] }),
        )
        .await?;
    let mut watchers = opened["watchers"].clone();
    if let Some(w) = watchers.as_array_mut() {
        w.sort_by_key(|v| v.as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(
        watchers,
        json!([cast.manager.email, cast.other_requester.email])
    );
    let unknown = json!({ "subject": "Cc a stranger", "watchers": ["nobody-here@example.org"] });
    app.send(
        req("POST", "/api/v1/tickets")
            .token(&cast.agent)
            .json(&unknown),
    )
    .await
    .problem(422, "an agent naming an address without an account")?;
    let patched = app
        .send(
            req("PATCH", &format!("/api/v1/tickets/{mine}"))
                .token(&cast.agent)
                .json(&json!({ "watchers": [cast.manager.email] })),
        )
        .await;
    patched.expect_status(200, "an agent adding a watcher later")?;
    assert_eq!(patched.json()?["watchers"], json!([cast.manager.email]));
    let watched = id_of(&opened)?;
    app.send(req("GET", &format!("/api/v1/tickets/{watched}")).token(&cast.other_requester))
        .await
        .expect_status(200, "a watcher the agent added reads the ticket")?;
    Ok(())
}
