//! The permission model at a glance: every route the router serves × who calls it → the
//! status they get. Requesters see only their own tickets (someone else's is a 404, not a
//! 403), agents work the whole desk, managers and admins configure it, admins add people.
//! Runs on SQLite and on PostgreSQL.

use crate::support;

use frontline_domain::Role;
use serde_json::{Value, json};
use support::{App, Cast, Form, Person, TestResult, id_of, ids, req, subject};

support::stories!(
    every_route_answers_each_role_as_documented,
    requesters_list_only_their_own_tickets
);

/// The columns of [`TABLE`], in order.
const CALLERS: [&str; 6] = [
    "no token",
    "bad token",
    "requester",
    "agent",
    "manager",
    "admin",
];

/// One row: a request, and the status each caller in [`CALLERS`] gets for it.
///
/// Paths and bodies name the fixtures of a cell: `{t}` and `{u}` are tickets of the
/// requester, `{theirs}` a ticket of another requester, `{att}` / `{theirs_att}` a public
/// attachment on `{t}` / `{theirs}`, `{org}` an organization, `{dead}` a dead job, `{n}` a
/// number unique to the cell (for names that must not repeat). `{t}` and `{u}` are related
/// by a link.
struct Row {
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    expect: [u16; 6],
}

const fn row(
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    expect: [u16; 6],
) -> Row {
    Row {
        method,
        path,
        body,
        expect,
    }
}

const MATRIX: &str =
    r#"{"high":["P1","P2","P3"],"medium":["P2","P3","P4"],"low":["P3","P4","P4"]}"#;

#[rustfmt::skip]
const TABLE: &[Row] = &[
    //                                                                                                             none bad  req  agent mgr admin
    // Tickets: everyone opens and reads their own; only the desk triages.
    row("GET",    "/api/v1/tickets",                                None,                                         [401, 401, 200, 200, 200, 200]),
    row("POST",   "/api/v1/tickets",                                Some(r#"{"subject":"Printer on fire"}"#),     [401, 401, 201, 201, 201, 201]),
    row("POST",   "/api/v1/tickets",                                Some(r#"{"subject":"Mine first","priority":"P1"}"#), [401, 401, 403, 201, 201, 201]),
    row("POST",   "/api/v1/tickets",                                Some(r#"{"subject":"For Sam","requester":"sam{n}@example.org"}"#), [401, 401, 403, 201, 201, 201]),
    row("GET",    "/api/v1/tickets/{t}",                            None,                                         [401, 401, 200, 200, 200, 200]),
    row("GET",    "/api/v1/tickets/{theirs}",                       None,                                         [401, 401, 404, 200, 200, 200]),
    row("GET",    "/api/v1/tickets/999999",                         None,                                         [401, 401, 404, 404, 404, 404]),
    row("PATCH",  "/api/v1/tickets/{t}",                            Some(r#"{"status":"closed"}"#),               [401, 401, 200, 200, 200, 200]),
    row("PATCH",  "/api/v1/tickets/{t}",                            Some(r#"{"subject":"Renamed"}"#),             [401, 401, 403, 200, 200, 200]),
    row("PATCH",  "/api/v1/tickets/{theirs}",                       Some(r#"{"status":"closed"}"#),               [401, 401, 404, 200, 200, 200]),
    // The conversation: requesters reply on their own tickets; notes are the desk's.
    row("GET",    "/api/v1/tickets/{t}/comments",                   None,                                         [401, 401, 200, 200, 200, 200]),
    row("GET",    "/api/v1/tickets/{theirs}/comments",              None,                                         [401, 401, 404, 200, 200, 200]),
    row("POST",   "/api/v1/tickets/{t}/comments",                   Some(r#"{"body":"Any news?"}"#),              [401, 401, 201, 201, 201, 201]),
    row("POST",   "/api/v1/tickets/{t}/comments",                   Some(r#"{"body":"Call back","internal":true}"#), [401, 401, 403, 201, 201, 201]),
    row("POST",   "/api/v1/tickets/{theirs}/comments",              Some(r#"{"body":"Me too"}"#),                 [401, 401, 404, 201, 201, 201]),
    row("GET",    "/api/v1/tickets/{t}/events",                     None,                                         [401, 401, 200, 200, 200, 200]),
    row("GET",    "/api/v1/tickets/{t}/sla",                        None,                                         [401, 401, 200, 200, 200, 200]),
    row("GET",    "/api/v1/tickets/{theirs}/sla",                   None,                                         [401, 401, 404, 200, 200, 200]),
    row("GET",    "/api/v1/tickets/{theirs}/events",                None,                                         [401, 401, 404, 200, 200, 200]),
    row("GET",    "/api/v1/tickets/{t}/attachments/{att}",          None,                                         [401, 401, 200, 200, 200, 200]),
    row("GET",    "/api/v1/tickets/{theirs}/attachments/{theirs_att}", None,                                      [401, 401, 404, 200, 200, 200]),
    row("GET",    "/api/v1/tickets/{t}/attachments/{theirs_att}",   None,                                         [401, 401, 404, 404, 404, 404]),
    // Merging and linking are desk work.
    row("POST",   "/api/v1/tickets/{t}/merge",                      Some(r#"{"into":{u}}"#),                      [401, 401, 403, 200, 200, 200]),
    row("GET",    "/api/v1/tickets/{t}/links",                      None,                                         [401, 401, 200, 200, 200, 200]),
    row("GET",    "/api/v1/tickets/{theirs}/links",                 None,                                         [401, 401, 404, 200, 200, 200]),
    row("POST",   "/api/v1/tickets/{t}/links",                      Some(r#"{"kind":"parent_of","ticket":{u}}"#), [401, 401, 403, 201, 201, 201]),
    row("DELETE", "/api/v1/tickets/{t}/links/related/{u}",          None,                                         [401, 401, 403, 204, 204, 204]),
    // People: agents read them, admins add them, everyone reads themselves.
    row("GET",    "/api/v1/users",                                  None,                                         [401, 401, 403, 200, 200, 200]),
    row("POST",   "/api/v1/users",                                  Some(r#"{"email":"new{n}@example.org","name":"New Person","role":"agent"}"#), [401, 401, 403, 403, 403, 201]),
    row("GET",    "/api/v1/users/me",                               None,                                         [401, 401, 200, 200, 200, 200]),
    row("GET",    "/api/v1/organizations",                          None,                                         [401, 401, 403, 200, 200, 200]),
    row("POST",   "/api/v1/organizations",                          Some(r#"{"name":"Org {n}"}"#),                [401, 401, 403, 403, 201, 201]),
    row("PATCH",  "/api/v1/organizations/{org}",                    Some(r#"{"shared_tickets":true}"#),           [401, 401, 403, 403, 200, 200]),
    row("GET",    "/api/v1/groups",                                 None,                                         [401, 401, 403, 200, 200, 200]),
    row("POST",   "/api/v1/groups",                                 Some(r#"{"name":"Team {n}"}"#),               [401, 401, 403, 403, 201, 201]),
    row("PUT",    "/api/v1/groups/Tier1/members",                   Some(r#"{"members":["ada.agent@example.org"]}"#), [401, 401, 403, 403, 200, 200]),
    // Automatic assignment: the desk reads a group's mode; managers and admins configure it.
    row("GET",    "/api/v1/groups/Tier1/assignment",                None,                                         [401, 401, 403, 200, 200, 200]),
    row("PUT",    "/api/v1/groups/Tier1/assignment",                Some(r#"{"mode":"manual"}"#),                 [401, 401, 403, 403, 200, 200]),
    row("PUT",    "/api/v1/users/ada.agent@example.org/availability", Some(r#"{"out_of_office":false,"skills":["vpn"]}"#), [401, 401, 403, 403, 200, 200]),
    row("PUT",    "/api/v1/category-skills",                        Some(r#"{"category":"No/Such","skill":"vpn"}"#), [401, 401, 403, 403, 422, 422]),
    // Configuration: everyone reads it (forms need it); managers and admins change it.
    row("GET",    "/api/v1/categories",                             None,                                         [401, 401, 200, 200, 200, 200]),
    row("POST",   "/api/v1/categories",                             Some(r#"{"path":"Network/Site{n}"}"#),        [401, 401, 403, 403, 201, 201]),
    row("GET",    "/api/v1/custom-fields",                          None,                                         [401, 401, 200, 200, 200, 200]),
    row("POST",   "/api/v1/custom-fields",                          Some(r#"{"key":"field_{n}","label":"Field","kind":"text"}"#), [401, 401, 403, 403, 201, 201]),
    row("GET",    "/api/v1/priority-matrix",                        None,                                         [401, 401, 200, 200, 200, 200]),
    row("PUT",    "/api/v1/priority-matrix",                        Some(MATRIX),                                 [401, 401, 403, 403, 200, 200]),
    // SLA configuration: the desk reads it, managers and admins change it.
    row("GET",    "/api/v1/calendars",                              None,                                         [401, 401, 403, 200, 200, 200]),
    row("POST",   "/api/v1/calendars",                              Some(r#"{"name":"Shift {n}","time_zone":"UTC","week":{"sat":["22:00-06:00"]}}"#), [401, 401, 403, 403, 201, 201]),
    row("GET",    "/api/v1/sla-policies",                           None,                                         [401, 401, 403, 200, 200, 200]),
    row("POST",   "/api/v1/sla-policies",                           Some(r#"{"calendar":"Office","policy":{"name":"P {n}","targets":{"resolution":60}}}"#), [401, 401, 403, 403, 201, 201]),
    // Automation rules are the managers' and admins'.
    row("GET",    "/api/v1/rules",                                  None,                                         [401, 401, 403, 403, 200, 200]),
    row("POST",   "/api/v1/rules",                                  Some(r#"{"name":"Rule {n}","trigger":"created","conditions":[{"field":"subject","op":"contains","value":"zzz-never"}],"actions":[{"action":"add_tags","tags":["auto"]}]}"#), [401, 401, 403, 403, 201, 201]),
    row("PUT",    "/api/v1/rules/999999",                           Some(r#"{"name":"Gone","trigger":"created","actions":[{"action":"add_tags","tags":["auto"]}]}"#), [401, 401, 403, 403, 404, 404]),
    row("DELETE", "/api/v1/rules/999999",                           None,                                         [401, 401, 403, 403, 404, 404]),
    row("PUT",    "/api/v1/rules/order",                            Some(r#"{"ids":[999999]}"#),                  [401, 401, 403, 403, 422, 422]),
    // Saved views and canned responses are the desk's; sharing with everyone and the desk's
    // responses are for managers and admins, and admins.
    row("GET",    "/api/v1/views",                                  None,                                         [401, 401, 403, 200, 200, 200]),
    row("POST",   "/api/v1/views",                                  Some(r#"{"name":"View {n}","queue":"open","priority":["P1"]}"#), [401, 401, 403, 201, 201, 201]),
    row("POST",   "/api/v1/views",                                  Some(r#"{"name":"All {n}","visibility":"everyone"}"#), [401, 401, 403, 403, 201, 201]),
    row("GET",    "/api/v1/views/999999",                           None,                                         [401, 401, 403, 404, 404, 404]),
    row("PATCH",  "/api/v1/views/999999",                           Some(r#"{"name":"Gone"}"#),                   [401, 401, 403, 404, 404, 404]),
    row("DELETE", "/api/v1/views/999999",                           None,                                         [401, 401, 403, 404, 404, 404]),
    row("GET",    "/api/v1/views/999999/tickets",                   None,                                         [401, 401, 403, 404, 404, 404]),
    row("GET",    "/api/v1/canned-responses",                       None,                                         [401, 401, 403, 200, 200, 200]),
    row("POST",   "/api/v1/canned-responses",                       Some(r#"{"name":"Mine {n}","body":"Hi {{requester.name}}"}"#), [401, 401, 403, 201, 201, 201]),
    row("POST",   "/api/v1/canned-responses",                       Some(r#"{"name":"Desk {n}","body":"Hi","scope":"desk"}"#), [401, 401, 403, 403, 403, 201]),
    row("PATCH",  "/api/v1/canned-responses/999999",                Some(r#"{"name":"Gone"}"#),                   [401, 401, 403, 404, 404, 404]),
    row("DELETE", "/api/v1/canned-responses/999999",                None,                                         [401, 401, 403, 404, 404, 404]),
    row("GET",    "/api/v1/canned-responses/999999/filled?ticket={t}", None,                                      [401, 401, 403, 404, 404, 404]),
    // The job queue is the administrators'.
    row("GET",    "/api/v1/jobs",                                   None,                                         [401, 401, 403, 403, 403, 200]),
    row("GET",    "/api/v1/jobs?state=dead",                        None,                                         [401, 401, 403, 403, 403, 200]),
    row("POST",   "/api/v1/jobs/{dead}/retry",                      None,                                         [401, 401, 403, 403, 403, 200]),
    row("POST",   "/api/v1/jobs/999999/retry",                      None,                                         [401, 401, 403, 403, 403, 404]),
    // Mail templates are the administrators'.
    row("GET",    "/api/v1/mail-templates",                         None,                                         [401, 401, 403, 403, 403, 200]),
    row("GET",    "/api/v1/mail-templates/agent_reply",             None,                                         [401, 401, 403, 403, 403, 200]),
    row("PUT",    "/api/v1/mail-templates/agent_reply",             Some(r#"{"subject":"Re: {{ ticket.subject }}","body_text":"{{ comment.body }}","body_html":"<p>{{ comment.body }}</p>"}"#), [401, 401, 403, 403, 403, 200]),
    row("DELETE", "/api/v1/mail-templates/agent_reply",             None,                                         [401, 401, 403, 403, 403, 200]),
    row("GET",    "/api/v1/mail-templates/no_such",                 None,                                         [401, 401, 403, 403, 403, 404]),
    // Mailboxes are the administrators'; their URLs hold passwords.
    row("GET",    "/api/v1/mailboxes",                              None,                                         [401, 401, 403, 403, 403, 200]),
    row("POST",   "/api/v1/mailboxes",                              Some(r#"{"address":"desk{n}@example.org"}"#), [401, 401, 403, 403, 403, 201]),
    row("POST",   "/api/v1/mailboxes",                              Some(r#"{"address":"desk@example.org","imap":"http://x"}"#), [401, 401, 403, 403, 403, 422]),
    row("POST",   "/api/v1/mailboxes",                              Some(r#"{"address":"desk@example.org","name":"IT\nHelp"}"#), [401, 401, 403, 403, 403, 422]),
    row("PATCH",  "/api/v1/mailboxes/999999",                       Some(r#"{"imap":null}"#),                     [401, 401, 403, 403, 403, 404]),
    row("PATCH",  "/api/v1/mailboxes/999999",                       Some(r#"{"name":"IT Help"}"#),                [401, 401, 403, 403, 403, 404]),
    row("POST",   "/api/v1/mailboxes/999999/disable",               None,                                         [401, 401, 403, 403, 403, 404]),
    row("POST",   "/api/v1/mailboxes/999999/enable",                None,                                         [401, 401, 403, 403, 403, 404]),
    // Operator endpoints and the API description need no token.
    row("GET",    "/healthz",                                       None,                                         [200, 200, 200, 200, 200, 200]),
    row("GET",    "/readyz",                                        None,                                         [200, 200, 200, 200, 200, 200]),
    row("GET",    "/metrics",                                       None,                                         [200, 200, 200, 200, 200, 200]),
    row("GET",    "/api/v1/openapi.json",                           None,                                         [200, 200, 200, 200, 200, 200]),
    // What the router does not serve.
    row("GET",    "/api/v1/nothing-here",                           None,                                         [404, 404, 404, 404, 404, 404]),
    row("DELETE", "/api/v1/tickets/{t}",                            None,                                         [405, 405, 405, 405, 405, 405]),
];

/// The tickets, attachments and names one cell of the table acts on.
struct Fixture {
    t: i64,
    u: i64,
    theirs: i64,
    att: i64,
    theirs_att: i64,
    dead: i64,
}

impl Fixture {
    async fn make(app: &App, cast: &Cast) -> TestResult<Self> {
        let t = id_of(
            &app.open_ticket(&cast.requester, subject("VPN drops hourly"))
                .await?,
        )?;
        let u = id_of(
            &app.open_ticket(&cast.requester, subject("VPN slow"))
                .await?,
        )?;
        let theirs = id_of(
            &app.open_ticket(&cast.other_requester, subject("Otto's laptop"))
                .await?,
        )?;
        let att = attach(app, &cast.agent, t).await?;
        let theirs_att = attach(app, &cast.agent, theirs).await?;
        let link = json!({ "kind": "related", "ticket": u });
        let linked = app
            .send(
                req("POST", &format!("/api/v1/tickets/{t}/links"))
                    .token(&cast.agent)
                    .json(&link),
            )
            .await;
        linked.expect_status(201, "linking the fixture tickets")?;
        Ok(Self {
            t,
            u,
            theirs,
            att,
            theirs_att,
            dead: app.dead_job().await?,
        })
    }

    fn fill(&self, text: &str, org: i64, n: usize) -> String {
        text.replace("{theirs_att}", &self.theirs_att.to_string())
            .replace("{theirs}", &self.theirs.to_string())
            .replace("{att}", &self.att.to_string())
            .replace("{org}", &org.to_string())
            .replace("{dead}", &self.dead.to_string())
            .replace("{t}", &self.t.to_string())
            .replace("{u}", &self.u.to_string())
            .replace("{n}", &n.to_string())
    }
}

/// Posts a public reply with a file on ticket `id` and returns the attachment's id.
async fn attach(app: &App, who: &Person, id: i64) -> TestResult<i64> {
    let form = Form::new().text("body", "Screenshot attached").file(
        "file",
        "screen.png",
        "image/png",
        b"\x89PNG fake",
    );
    let reply = app
        .send(
            req("POST", &format!("/api/v1/tickets/{id}/comments"))
                .token(who)
                .form(form),
        )
        .await;
    reply.expect_status(201, "attaching a file")?;
    reply.json()?["attachments"][0]["id"]
        .as_i64()
        .ok_or_else(|| "the comment has no attachment".into())
}

async fn every_route_answers_each_role_as_documented(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let tier1 = json!({ "name": "Tier1" });
    app.send(
        req("POST", "/api/v1/groups")
            .token(&cast.manager)
            .json(&tier1),
    )
    .await
    .expect_status(201, "adding the Tier1 group")?;
    let acme = app
        .send(
            req("POST", "/api/v1/organizations")
                .token(&cast.manager)
                .json(&json!({ "name": "Acme" })),
        )
        .await;
    acme.expect_status(201, "adding the Acme organization")?;
    let org = id_of(&acme.json()?)?;
    let office = json!({ "name": "Office", "time_zone": "Europe/Berlin", "week": { "mon": ["09:00-17:00"] } });
    app.send(
        req("POST", "/api/v1/calendars")
            .token(&cast.manager)
            .json(&office),
    )
    .await
    .expect_status(201, "adding the Office calendar")?;
    // Reads share one fixture; every write gets fresh tickets, so no cell sees another's
    // changes (a merged or closed ticket).
    let shared = Fixture::make(&app, &cast).await?;

    let mut wrong = Vec::new();
    let mut n = 0;
    for row in TABLE {
        for (column, expected) in row.expect.iter().enumerate() {
            n += 1;
            let fresh;
            let fx = if row.method == "GET" {
                &shared
            } else {
                fresh = Fixture::make(&app, &cast).await?;
                &fresh
            };
            let path = fx.fill(row.path, org, n);
            let mut request = req(row.method, &path);
            request = match column {
                0 => request,
                1 => request.bearer("fl_this-token-was-never-issued"),
                2 => request.token(&cast.requester),
                3 => request.token(&cast.agent),
                4 => request.token(&cast.manager),
                _ => request.token(&cast.admin),
            };
            if let Some(body) = row.body {
                request = request.raw(Some("application/json"), fx.fill(body, org, n));
            }
            let reply = app.send(request).await;
            let cell = format!("{} {} as {}", row.method, row.path, CALLERS[column]);
            let checked = if *expected >= 400 {
                reply.problem(*expected, &cell).map(drop)
            } else {
                reply.expect_status(*expected, &cell)
            };
            if let Err(e) = checked {
                wrong.push(e.to_string());
            }
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} cells differ from the table:\n{}",
            wrong.len(),
            wrong.join("\n")
        )
        .into())
    }
}

async fn requesters_list_only_their_own_tickets(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let mine = id_of(&app.open_ticket(&cast.requester, subject("Mine")).await?)?;
    let theirs = id_of(
        &app.open_ticket(&cast.other_requester, subject("Theirs"))
            .await?,
    )?;
    let for_me = id_of(
        &app.open_ticket(
            &cast.agent,
            json!({ "subject": "Phoned in", "requester": cast.requester.email }),
        )
        .await?,
    )?;
    let list = |who: &Person| {
        let who = who.clone();
        let app = &app;
        async move {
            let reply = app.send(req("GET", "/api/v1/tickets").token(&who)).await;
            reply.expect_status(200, "listing tickets")?;
            let mut seen = ids(&reply.json()?);
            seen.sort_unstable();
            TestResult::<Vec<i64>>::Ok(seen)
        }
    };
    assert_eq!(
        list(&cast.requester).await?,
        vec![mine, for_me],
        "the requester's own tickets only"
    );
    assert_eq!(list(&cast.other_requester).await?, vec![theirs]);
    assert_eq!(
        list(&cast.agent).await?,
        vec![mine, theirs, for_me],
        "agents see the whole desk"
    );
    // Filtering by someone else's email does not widen a requester's view.
    let filtered = app
        .send(req("GET", "/api/v1/tickets?requester=otto.other@example.org").token(&cast.requester))
        .await;
    filtered.expect_status(200, "filtering by another requester")?;
    assert_eq!(ids(&filtered.json()?), Vec::<i64>::new());
    let me = app
        .send(req("GET", "/api/v1/users/me").token(&cast.requester))
        .await;
    me.expect_status(200, "reading oneself")?;
    let me: Value = me.json()?;
    assert_eq!(me["role"], Role::Requester.as_str());
    assert_eq!(me["email"], cast.requester.email.as_str());
    Ok(())
}
