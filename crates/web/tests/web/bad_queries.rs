//! Bad query strings, paths and headers: a bad cursor, a limit outside 1–200, an unknown
//! parameter (so a typo never silently returns everything) or an unparsable value is a 400
//! problem naming the parameter; a bad `Idempotency-Key` is a 400 and a stale or foreign
//! `If-Match` a 412. None of them changes anything. Runs on SQLite and on PostgreSQL.

use crate::support;

use serde_json::json;
use support::{App, TestResult, id_of, req, subject};

support::stories!(
    bad_list_parameters_are_400_naming_them,
    bad_paths_and_headers_are_refused_without_change
);

/// Every paginated list, and the parameters each one rejects (with the name the problem
/// must carry).
#[rustfmt::skip]
const COMMON: &[(&str, &str)] = &[
    ("cursor=not-a-cursor!",   "cursor"),
    ("cursor=",                "cursor"),
    ("limit=0",                "limit"),
    ("limit=1000",             "limit"),
    ("limit=201",              "limit"),
    ("limit=-5",               "limit"),
    ("limit=ten",              "limit"),
    ("bogus=1",                "bogus"),
    ("Limit=10",               "Limit"),
];

#[rustfmt::skip]
const TICKETS_ONLY: &[(&str, &str)] = &[
    ("sort=sideways",                 "sort"),
    ("status=bogus",                  "status"),
    ("status=open,bogus",             "status"),
    ("priority=P9",                   "priority"),
    ("type=complaint",                "type"),
    ("updated_since=yesterday",       "updated_since"),
    ("requester=not-an-email",        "requester"),
    ("assignee=someone",              "assignee"),
    ("stauts=open",                   "stauts"),
    ("cf.=1",                         "cf."),
    ("sort=soon",                     "sort"),
    ("sla=bogus",                     "sla"),
    ("sla=Breached",                  "sla"),
    ("sla=due_within:0",              "sla"),
    ("sla=due_within:soon",           "sla"),
    ("sla=due_within:-5",             "sla"),
    ("sla=due_within:525601",         "sla"),
    ("sla=due_within",                "sla"),
    ("q_in=everywhere",               "q_in"),
];

async fn bad_list_parameters_are_400_naming_them(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let agent = &cast.agent;
    let mut tickets = Vec::new();
    for n in 0..3 {
        tickets.push(id_of(
            &app.open_ticket(&cast.requester, subject(&format!("Ticket {n}")))
                .await?,
        )?);
    }
    let t = tickets[0];
    for n in 0..3 {
        app.send(
            req("POST", &format!("/api/v1/tickets/{t}/comments"))
                .token(agent)
                .json(&json!({ "body": format!("Reply {n}") })),
        )
        .await
        .expect_status(201, "replying")?;
    }
    let before = app.desk_snapshot(&cast.admin).await?;
    let ticket_before = app.ticket_snapshot(agent, t).await?;

    let lists = [
        "/api/v1/tickets".to_owned(),
        format!("/api/v1/tickets/{t}/comments"),
        format!("/api/v1/tickets/{t}/events"),
        "/api/v1/users".to_owned(),
    ];
    for list in &lists {
        let extra = if list == "/api/v1/tickets" {
            TICKETS_ONLY
        } else {
            &[]
        };
        for (query, name) in COMMON.iter().chain(extra) {
            let what = format!("GET {list}?{query}");
            let p = app
                .send(req("GET", &format!("{list}?{query}")).token(agent))
                .await
                .field_problem(400, name, &what)?;
            assert_eq!(p["type"], "/problems/bad-request", "{what}");
        }
        // The limits themselves are fine, so the refusals above are about the values.
        let good: &[&str] = if list == "/api/v1/tickets" {
            &[
                "limit=1",
                "limit=200",
                "sort=due",
                "sort=-due",
                "sla=breached",
                "sla=due_within:525600",
            ]
        } else {
            &["limit=1", "limit=200"]
        };
        for query in good {
            app.send(req("GET", &format!("{list}?{query}")).token(agent))
                .await
                .expect_status(200, &format!("GET {list}?{query}"))?;
        }
    }

    // A cursor is only good for the list and the order it came from.
    let page = app
        .send(req("GET", "/api/v1/tickets?limit=1").token(agent))
        .await;
    page.expect_status(200, "first page")?;
    let cursor = page.json()?["next_cursor"]
        .as_str()
        .ok_or("no next_cursor")?
        .to_owned();
    for path in [
        format!("/api/v1/tickets?sort=priority&cursor={cursor}"),
        format!("/api/v1/tickets?sort=due&cursor={cursor}"),
        format!("/api/v1/tickets/{t}/comments?cursor={cursor}"),
        format!("/api/v1/tickets/{t}/events?cursor={cursor}"),
        format!("/api/v1/users?cursor={cursor}"),
    ] {
        app.send(req("GET", &path).token(agent))
            .await
            .field_problem(400, "cursor", &format!("GET {path}"))?;
    }
    app.send(req("GET", &format!("/api/v1/tickets?limit=1&cursor={cursor}")).token(agent))
        .await
        .expect_status(200, "the cursor on its own list")?;

    assert_eq!(app.desk_snapshot(&cast.admin).await?, before);
    assert_eq!(app.ticket_snapshot(agent, t).await?, ticket_before);
    Ok(())
}

async fn bad_paths_and_headers_are_refused_without_change(
    store: &frontline_core::Store,
) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let agent = &cast.agent;
    let t = id_of(
        &app.open_ticket(&cast.requester, subject("Screen flickers"))
            .await?,
    )?;
    let before = app.ticket_snapshot(agent, t).await?;
    let desk_before = app.desk_snapshot(&cast.admin).await?;

    // A ticket number that is not a number is a bad path, not "not found".
    for path in [
        "/api/v1/tickets/abc",
        "/api/v1/tickets/1.5/events",
        "/api/v1/tickets/99999999999999999999",
    ] {
        app.send(req("GET", path).token(agent))
            .await
            .problem(400, path)?;
    }
    let patch = json!({ "subject": "Screen flickers badly" });
    for etag in ["\"0\"", "\"999\"", "garbage", "W/\"abc\""] {
        let what = format!("PATCH with If-Match {etag}");
        let p = app
            .send(
                req("PATCH", &format!("/api/v1/tickets/{t}"))
                    .token(agent)
                    .header("if-match", etag)
                    .json(&patch),
            )
            .await
            .problem(412, &what)?;
        assert_eq!(p["type"], "/problems/stale", "{what}");
    }
    let too_long = "k".repeat(256);
    for key in ["", "   ", too_long.as_str(), "has space"] {
        let what = format!("Idempotency-Key {key:?}");
        app.send(
            req("POST", "/api/v1/tickets")
                .token(agent)
                .header("idempotency-key", key)
                .json(&subject("Again")),
        )
        .await
        .problem(400, &what)?;
    }
    // A path that is no route: problem details under the API, a page anywhere else.
    app.send(req("GET", "/api/v1/no-such-thing").token(agent))
        .await
        .problem(404, "an unknown API path")?;
    let page = app.send(req("GET", "/console/no-such-page")).await;
    assert_eq!(page.status, 404, "an unknown page");
    let html = String::from_utf8_lossy(&page.body);
    assert!(html.contains("<h1>Not found</h1>"), "{html}");
    assert!(
        !html.contains("Sign out"),
        "nobody signed in: no one's navigation"
    );
    // Not a bearer token at all.
    for auth in [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer ",
        "fl_token-without-scheme",
    ] {
        app.send(req("GET", "/api/v1/tickets").header("authorization", auth))
            .await
            .problem(401, &format!("Authorization {auth:?}"))?;
    }
    assert_eq!(
        app.ticket_snapshot(agent, t).await?,
        before,
        "the ticket changed"
    );
    assert_eq!(
        app.desk_snapshot(&cast.admin).await?,
        desk_before,
        "the desk changed"
    );
    Ok(())
}
