//! Bad request bodies on every write endpoint: malformed JSON is a 400, a wrong type, an
//! unknown field or an unknown value is a 422 naming the field, a missing or wrong
//! `Content-Type` is a 415 and a body over 1 MiB a 413 — always as problem details, and
//! never changing anything. Runs on SQLite and on PostgreSQL.

use crate::support;

use serde_json::{Value, json};
use support::{App, Person, TestResult, id_of, req, subject};

support::stories!(
    malformed_json_is_400,
    wrong_types_are_422_naming_the_field,
    unknown_fields_are_422_naming_the_field,
    unknown_values_are_422_naming_the_field,
    bodies_that_are_not_json_are_415,
    bodies_over_one_mib_are_413,
);

/// A write endpoint: a body it accepts, one with a wrong JSON type, and the field the
/// wrong type is in. `{t}` and `{u}` are tickets, `{org}` an organization.
struct Write {
    method: &'static str,
    path: &'static str,
    valid: &'static str,
    wrong_type: &'static str,
    field: &'static str,
}

#[rustfmt::skip]
const WRITES: &[Write] = &[
    Write { method: "POST",  path: "/api/v1/tickets",                valid: r#"{"subject":"Mail down"}"#,          wrong_type: r#"{"subject":42}"#,                          field: "subject" },
    Write { method: "PATCH", path: "/api/v1/tickets/{t}",            valid: r#"{"subject":"Mail down again"}"#,    wrong_type: r#"{"tags":"urgent"}"#,                       field: "tags" },
    Write { method: "POST",  path: "/api/v1/tickets/{t}/comments",   valid: r#"{"body":"Restarted it"}"#,          wrong_type: r#"{"body":"Hi","internal":"yes"}"#,          field: "internal" },
    Write { method: "POST",  path: "/api/v1/tickets/{t}/merge",      valid: r#"{"into":{u}}"#,                     wrong_type: r#"{"into":"the other one"}"#,               field: "into" },
    Write { method: "POST",  path: "/api/v1/tickets/{t}/links",      valid: r#"{"kind":"related","ticket":{u}}"#,  wrong_type: r#"{"kind":"related","ticket":[{u}]}"#,      field: "ticket" },
    Write { method: "POST",  path: "/api/v1/users",                  valid: r#"{"email":"neo@example.org","name":"Neo","role":"agent"}"#, wrong_type: r#"{"email":"neo@example.org","name":"Neo","role":3}"#, field: "role" },
    Write { method: "POST",  path: "/api/v1/organizations",          valid: r#"{"name":"Initech"}"#,               wrong_type: r#"{"name":["Initech"]}"#,                   field: "name" },
    Write { method: "PATCH", path: "/api/v1/organizations/{org}",    valid: r#"{"shared_tickets":true}"#,          wrong_type: r#"{"shared_tickets":"yes"}"#,               field: "shared_tickets" },
    Write { method: "POST",  path: "/api/v1/groups",                 valid: r#"{"name":"Tier 2"}"#,                wrong_type: r#"{"name":2}"#,                             field: "name" },
    Write { method: "PUT",   path: "/api/v1/groups/Tier1/members",   valid: r#"{"members":["ada.agent@example.org"]}"#, wrong_type: r#"{"members":"ada.agent@example.org"}"#, field: "members" },
    Write { method: "POST",  path: "/api/v1/categories",             valid: r#"{"path":"Network/VPN"}"#,           wrong_type: r#"{"path":5}"#,                             field: "path" },
    Write { method: "POST",  path: "/api/v1/custom-fields",          valid: r#"{"key":"asset","label":"Asset","kind":"text"}"#, wrong_type: r#"{"key":"asset","label":"Asset","kind":"text","required":"no"}"#, field: "required" },
    Write { method: "PUT",   path: "/api/v1/priority-matrix",        valid: r#"{"high":["P1","P1","P2"],"medium":["P2","P3","P4"],"low":["P3","P4","P4"]}"#, wrong_type: r#"{"high":"P1","medium":["P2","P3","P4"],"low":["P3","P4","P4"]}"#, field: "high" },
    Write { method: "POST",  path: "/api/v1/sla-policies",           valid: r#"{"calendar":"Office hours","policy":{"name":"Urgent","targets":{"first_response":30}}}"#, wrong_type: r#"{"calendar":7,"policy":{"name":"Urgent","targets":{"first_response":30}}}"#, field: "calendar" },
    Write { method: "POST",  path: "/api/v1/calendars",              valid: r#"{"name":"Office","time_zone":"Europe/Berlin","week":{"mon":["09:00-17:00"]}}"#, wrong_type: r#"{"name":"Office","time_zone":"UTC","week":{"mon":"09:00-17:00"}}"#, field: "week" },
];

/// A desk with a ticket `t` (with a reply and a note), a ticket `u`, an organization and a
/// group, and everything a caller can observe about it, to compare with afterwards.
struct Scene {
    app: App,
    admin: Person,
    t: i64,
    u: i64,
    org: i64,
    before: Value,
    events_before: usize,
}

impl Scene {
    async fn new(store: &frontline_core::Store) -> TestResult<Self> {
        let app = App::new(store).await?;
        let cast = app.cast().await?;
        let admin = cast.admin;
        let t = id_of(
            &app.open_ticket(&cast.requester, subject("Mail is down"))
                .await?,
        )?;
        let u = id_of(
            &app.open_ticket(&cast.requester, subject("Mail is slow"))
                .await?,
        )?;
        for body in [
            json!({ "body": "Looking" }),
            json!({ "body": "DNS?", "internal": true }),
        ] {
            app.send(
                req("POST", &format!("/api/v1/tickets/{t}/comments"))
                    .token(&admin)
                    .json(&body),
            )
            .await
            .expect_status(201, "commenting")?;
        }
        let org = app
            .send(
                req("POST", "/api/v1/organizations")
                    .token(&admin)
                    .json(&json!({ "name": "Acme" })),
            )
            .await;
        org.expect_status(201, "adding an organization")?;
        let org = id_of(&org.json()?)?;
        app.send(
            req("POST", "/api/v1/groups")
                .token(&admin)
                .json(&json!({ "name": "Tier1" })),
        )
        .await
        .expect_status(201, "adding a group")?;
        let office = json!({ "name": "Office hours", "time_zone": "UTC", "week": { "mon": ["09:00-17:00"] } });
        app.send(req("POST", "/api/v1/calendars").token(&admin).json(&office))
            .await
            .expect_status(201, "adding a calendar")?;
        let before = Self::observe(&app, &admin, t, u).await?;
        let events_before = app.event_count(&admin, t).await?;
        Ok(Self {
            app,
            admin,
            t,
            u,
            org,
            before,
            events_before,
        })
    }

    async fn observe(app: &App, admin: &Person, t: i64, u: i64) -> TestResult<Value> {
        Ok(json!({
            "desk": app.desk_snapshot(admin).await?,
            "t": app.ticket_snapshot(admin, t).await?,
            "u": app.ticket_snapshot(admin, u).await?,
        }))
    }

    fn fill(&self, text: &str) -> String {
        text.replace("{t}", &self.t.to_string())
            .replace("{u}", &self.u.to_string())
            .replace("{org}", &self.org.to_string())
    }

    /// Sends `body` to `w` as the admin (who may call every endpoint).
    async fn send(&self, w: &Write, content_type: Option<&str>, body: &str) -> support::Reply {
        let request = req(w.method, &self.fill(w.path)).token(&self.admin);
        self.app
            .send(request.raw(content_type, self.fill(body)))
            .await
    }

    /// Fails unless the ticket, its audit trail and the whole desk are as they were.
    async fn assert_unchanged(&self) -> TestResult {
        let after = Self::observe(&self.app, &self.admin, self.t, self.u).await?;
        assert_eq!(after, self.before, "a refused request changed the desk");
        let events = self.app.event_count(&self.admin, self.t).await?;
        assert_eq!(events, self.events_before, "a refused request added events");
        Ok(())
    }

    /// The valid body really is accepted, so the refusals above are about the bad part only.
    async fn assert_valid_bodies_pass(&self) -> TestResult {
        for w in WRITES {
            let reply = self.send(w, Some("application/json"), w.valid).await;
            if !reply.status.is_success() {
                return Err(format!(
                    "{} {} refused its valid body: {}",
                    w.method,
                    w.path,
                    reply.text()
                )
                .into());
            }
        }
        Ok(())
    }
}

/// With a field named `extra` added to a JSON object.
fn with_extra(body: &str, extra: &str) -> TestResult<String> {
    let mut v: Value = serde_json::from_str(body)?;
    v.as_object_mut()
        .ok_or("not an object")?
        .insert(extra.to_owned(), json!(1));
    Ok(v.to_string())
}

async fn malformed_json_is_400(store: &frontline_core::Store) -> TestResult {
    let s = Scene::new(store).await?;
    for w in WRITES {
        let trailing = format!("{} and then some", w.valid);
        for body in [
            r#"{"subject": "#,
            "{'single': 'quotes'}",
            "",
            "not json at all",
            r#"{"a":1}}"#,
            &trailing,
        ] {
            let what = format!("{} {} with {body:?}", w.method, w.path);
            let p = s
                .send(w, Some("application/json"), body)
                .await
                .problem(400, &what)?;
            assert_eq!(p["type"], "/problems/bad-request", "{what}");
        }
    }
    s.assert_unchanged().await?;
    s.assert_valid_bodies_pass().await
}

async fn wrong_types_are_422_naming_the_field(store: &frontline_core::Store) -> TestResult {
    let s = Scene::new(store).await?;
    for w in WRITES {
        let what = format!("{} {} with {}", w.method, w.path, w.wrong_type);
        let p = s
            .send(w, Some("application/json"), w.wrong_type)
            .await
            .field_problem(422, w.field, &what)?;
        assert_eq!(p["type"], "/problems/invalid-input", "{what}");
        // A JSON value of the wrong shape altogether names the body.
        let what = format!("{} {} with a string", w.method, w.path);
        s.send(w, Some("application/json"), "\"just text\"")
            .await
            .field_problem(422, "body", &what)?;
    }
    s.assert_unchanged().await?;
    s.assert_valid_bodies_pass().await
}

async fn unknown_fields_are_422_naming_the_field(store: &frontline_core::Store) -> TestResult {
    let s = Scene::new(store).await?;
    for w in WRITES {
        let body = with_extra(&s.fill(w.valid), "colour")?;
        let what = format!("{} {} with {body}", w.method, w.path);
        s.send(w, Some("application/json"), &body)
            .await
            .field_problem(422, "colour", &what)?;
    }
    s.assert_unchanged().await?;
    s.assert_valid_bodies_pass().await
}

async fn unknown_values_are_422_naming_the_field(store: &frontline_core::Store) -> TestResult {
    let s = Scene::new(store).await?;
    let write = |path: &str| {
        WRITES
            .iter()
            .find(|w| w.path == path)
            .ok_or("no such write")
    };
    #[rustfmt::skip]
    let cases = [
        ("/api/v1/tickets",              r#"{"subject":"Mail down","impact":"x"}"#,               "impact"),
        ("/api/v1/tickets",              r#"{"subject":"Mail down","type":"complaint"}"#,         "type"),
        ("/api/v1/tickets",              r#"{"subject":"Mail down","urgency":"yesterday"}"#,      "urgency"),
        ("/api/v1/tickets",              r#"{"subject":"   "}"#,                                  "subject"),
        ("/api/v1/tickets",              r#"{"subject":"Mail down","requester":"not-an-email"}"#, "requester"),
        ("/api/v1/tickets/{t}",          r#"{"status":"bogus"}"#,                                 "status"),
        ("/api/v1/tickets/{t}",          r#"{"impact":"x"}"#,                                     "impact"),
        ("/api/v1/tickets/{t}",          r#"{"priority":"P9"}"#,                                  "priority"),
        ("/api/v1/tickets/{t}",          r#"{"status":"new","subject":""}"#,                      "subject"),
        ("/api/v1/tickets/{t}",          r#"{"assignee":"rita.requester@example.org"}"#,          "assignee"),
        ("/api/v1/tickets/{t}/comments", r#"{"body":""}"#,                                        "body"),
        ("/api/v1/tickets/{t}/merge",    r#"{"into":{t}}"#,                                       "into"),
        ("/api/v1/tickets/{t}/links",    r#"{"kind":"sibling_of","ticket":{u}}"#,                 "kind"),
        ("/api/v1/users",                r#"{"email":"neo@example.org","name":"Neo","role":"overlord"}"#, "role"),
        ("/api/v1/users",                r#"{"email":"neo@","name":"Neo","role":"agent"}"#,       "email"),
        ("/api/v1/groups/Tier1/members", r#"{"members":["rita.requester@example.org"]}"#,         "members"),
        ("/api/v1/categories",           r#"{"path":"Network//VPN"}"#,                            "path"),
        ("/api/v1/custom-fields",        r#"{"key":"asset","label":"Asset","kind":"colour"}"#,    "kind"),
        ("/api/v1/custom-fields",        r#"{"key":"Asset Tag","label":"Asset","kind":"text"}"#,  "key"),
        ("/api/v1/priority-matrix",      r#"{"high":["P9","P2","P3"],"medium":["P2","P3","P4"],"low":["P3","P4","P4"]}"#, "priority"),
        ("/api/v1/priority-matrix",      r#"{"high":["P4","P4","P4"],"medium":["P2","P3","P4"],"low":["P1","P1","P1"]}"#, ""),
        ("/api/v1/calendars",            r#"{"name":"Mars","time_zone":"Mars/Olympus","week":{}}"#, "time_zone"),
        ("/api/v1/sla-policies",         r#"{"calendar":"Nowhere","policy":{"name":"P1","targets":{"resolution":60}}}"#, "calendar"),
        ("/api/v1/sla-policies",         r#"{"calendar":"Nowhere","policy":{"name":"P1","targets":{"resolution":60},"warn_at_percent":150}}"#, "warn_at_percent"),
        ("/api/v1/sla-policies",         r#"{"calendar":"Office hours","policy":{"name":"P1","targets":{"resolution":60},"escalation":{"move_to_group":"Tier 9"}}}"#, "escalation.move_to_group"),
        ("/api/v1/sla-policies",         r#"{"calendar":"Office hours","policy":{"name":"P1","targets":{"resolution":60},"escalation":{}}}"#, "escalation"),
    ];
    for (path, body, field) in cases {
        let w = write(path)?;
        let what = format!("{} {path} with {body}", w.method);
        s.send(w, Some("application/json"), body)
            .await
            .field_problem(422, field, &what)?;
    }
    s.assert_unchanged().await?;
    s.assert_valid_bodies_pass().await
}

async fn bodies_that_are_not_json_are_415(store: &frontline_core::Store) -> TestResult {
    let s = Scene::new(store).await?;
    for w in WRITES {
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
        ] {
            let what = format!("{} {} as {content_type:?}", w.method, w.path);
            let p = s.send(w, content_type, w.valid).await.problem(415, &what)?;
            assert_eq!(p["type"], "/problems/unsupported-media-type", "{what}");
        }
    }
    s.assert_unchanged().await?;
    s.assert_valid_bodies_pass().await
}

async fn bodies_over_one_mib_are_413(store: &frontline_core::Store) -> TestResult {
    let s = Scene::new(store).await?;
    let padding = "a".repeat(1024 * 1024 + 1);
    for w in WRITES {
        let mut body: Value = serde_json::from_str(&s.fill(w.valid))?;
        let object = body.as_object_mut().ok_or("not an object")?;
        // Pad the field the endpoint reads as text when it has one, so the size is the only
        // thing wrong with the body.
        let text_field = ["subject", "body", "name", "path", "label"]
            .into_iter()
            .find(|k| object.get(*k).is_some_and(Value::is_string));
        match text_field {
            Some(k) => object.insert(k.to_owned(), json!(padding)),
            None => object.insert("padding".to_owned(), json!(padding)),
        };
        let what = format!(
            "{} {} with {} bytes",
            w.method,
            w.path,
            body.to_string().len()
        );
        let p = s
            .send(w, Some("application/json"), &body.to_string())
            .await
            .problem(413, &what)?;
        assert_eq!(p["type"], "/problems/too-large", "{what}");
    }
    s.assert_unchanged().await?;
    s.assert_valid_bodies_pass().await
}
