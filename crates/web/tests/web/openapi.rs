//! The OpenAPI document served at `/api/v1/openapi.json` describes exactly the `/api/v1`
//! routes the router serves, each with the bearer scheme where a token is needed, and
//! declares what the server really answers: problem details as `application/problem+json`,
//! 401 where a token is needed, 400/413/415/422 where a JSON body is read, 403 where a role is
//! required, and the bounds of `limit`, link kinds and `Idempotency-Key`. Runs on SQLite and
//! on PostgreSQL; scripts/schemathesis.sh checks the same document against a running server.

use crate::support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::{App, TestResult, req};

support::stories!(
    the_document_lists_every_route,
    the_document_declares_what_the_server_answers
);

/// Every API route of `router.rs`, as `METHOD path`.
const ROUTES: &[&str] = &[
    "GET /api/v1/tickets",
    "POST /api/v1/tickets",
    "GET /api/v1/tickets/{id}",
    "PATCH /api/v1/tickets/{id}",
    "GET /api/v1/tickets/{id}/comments",
    "POST /api/v1/tickets/{id}/comments",
    "GET /api/v1/tickets/{id}/events",
    "GET /api/v1/tickets/{id}/sla",
    "GET /api/v1/tickets/{id}/attachments/{attachment_id}",
    "POST /api/v1/tickets/{id}/merge",
    "GET /api/v1/tickets/{id}/links",
    "POST /api/v1/tickets/{id}/links",
    "DELETE /api/v1/tickets/{id}/links/{kind}/{ticket}",
    "GET /api/v1/users",
    "POST /api/v1/users",
    "GET /api/v1/users/me",
    "GET /api/v1/organizations",
    "POST /api/v1/organizations",
    "PATCH /api/v1/organizations/{id}",
    "GET /api/v1/groups",
    "POST /api/v1/groups",
    "PUT /api/v1/groups/{name}/members",
    "GET /api/v1/groups/{name}/assignment",
    "PUT /api/v1/groups/{name}/assignment",
    "PUT /api/v1/users/{email}/availability",
    "PUT /api/v1/category-skills",
    "GET /api/v1/categories",
    "POST /api/v1/categories",
    "GET /api/v1/custom-fields",
    "POST /api/v1/custom-fields",
    "GET /api/v1/priority-matrix",
    "PUT /api/v1/priority-matrix",
    "GET /api/v1/default-group",
    "GET /api/v1/tickets/{id}/time",
    "GET /api/v1/time-spent",
    "PUT /api/v1/default-group",
    "GET /api/v1/calendars",
    "POST /api/v1/calendars",
    "GET /api/v1/sla-policies",
    "POST /api/v1/sla-policies",
    "GET /api/v1/rules",
    "POST /api/v1/rules",
    "PUT /api/v1/rules/order",
    "PUT /api/v1/rules/{id}",
    "DELETE /api/v1/rules/{id}",
    "GET /api/v1/views",
    "POST /api/v1/views",
    "GET /api/v1/views/{id}",
    "PATCH /api/v1/views/{id}",
    "DELETE /api/v1/views/{id}",
    "GET /api/v1/views/{id}/tickets",
    "GET /api/v1/canned-responses",
    "POST /api/v1/canned-responses",
    "PATCH /api/v1/canned-responses/{id}",
    "DELETE /api/v1/canned-responses/{id}",
    "GET /api/v1/canned-responses/{id}/filled",
    "GET /api/v1/jobs",
    "POST /api/v1/jobs/{id}/retry",
    "GET /api/v1/mail-templates",
    "GET /api/v1/mail-templates/{name}",
    "PUT /api/v1/mail-templates/{name}",
    "DELETE /api/v1/mail-templates/{name}",
    "GET /api/v1/mailboxes",
    "POST /api/v1/mailboxes",
    "PATCH /api/v1/mailboxes/{id}",
    "POST /api/v1/mailboxes/{id}/disable",
    "POST /api/v1/mailboxes/{id}/enable",
    "GET /api/v1/quarantine",
    "GET /api/v1/quarantine/{id}",
    "POST /api/v1/quarantine/{id}/release",
    "POST /api/v1/quarantine/{id}/discard",
];

async fn the_document_lists_every_route(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let reply = app.send(req("GET", "/api/v1/openapi.json")).await;
    reply.expect_status(200, "the document")?;
    assert!(
        reply
            .header("content-type")
            .unwrap_or_default()
            .starts_with("application/json")
    );
    let doc = reply.json()?;
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{}",
        doc["openapi"]
    );
    assert!(
        doc["components"]["securitySchemes"]["bearer"].is_object(),
        "no bearer scheme"
    );

    let paths = doc["paths"].as_object().ok_or("no paths")?;
    let mut documented = BTreeSet::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().ok_or("a path without operations")? {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            documented.insert(format!("{} {path}", method.to_uppercase()));
            let secured = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
            assert!(
                secured,
                "{} {path} does not name the bearer scheme",
                method.to_uppercase()
            );
        }
    }
    let served: BTreeSet<String> = ROUTES.iter().map(|r| (*r).to_owned()).collect();
    let missing: Vec<_> = served.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&served).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "undocumented: {missing:?}; documented but not in the list: {extra:?}"
    );

    // Each listed route really is served: without a token it answers 401, not 404 or 405.
    for route in ROUTES {
        let (method, path) = route.split_once(' ').ok_or("a route without a method")?;
        let concrete = path
            .replace("{id}", "1")
            .replace("{attachment_id}", "1")
            .replace("{kind}", "related")
            .replace("{ticket}", "2")
            .replace("{name}", "Tier1");
        app.send(req(method, &concrete)).await.problem(401, route)?;
    }
    Ok(())
}

/// Every operation of the document, as `(METHOD path, operation)`.
fn operations(doc: &Value) -> TestResult<Vec<(String, &Value)>> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().ok_or("no paths")? {
        for (method, op) in item.as_object().ok_or("a path without operations")? {
            out.push((format!("{} {path}", method.to_uppercase()), op));
        }
    }
    Ok(out)
}

/// The named parameter of `op`.
fn param<'a>(op: &'a Value, name: &str) -> Option<&'a Value> {
    op["parameters"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
}

async fn the_document_declares_what_the_server_answers(
    store: &frontline_core::Store,
) -> TestResult {
    let app = App::new(store).await?;
    let doc = app.send(req("GET", "/api/v1/openapi.json")).await.json()?;
    let mut wrong = Vec::new();
    for (route, op) in operations(&doc)? {
        let responses = op["responses"].as_object().ok_or("no responses")?;
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                let types: Vec<&String> = response["content"]
                    .as_object()
                    .map(|c| c.keys().collect())
                    .unwrap_or_default();
                let problem = &response["content"]["application/problem+json"]["schema"]["$ref"];
                if types.len() != 1 || problem != "#/components/schemas/Problem" {
                    wrong.push(format!("{route} {status}: {types:?}, not one problem body"));
                }
            }
        }
        let mut want = vec!["401"];
        if op["requestBody"]["content"]["application/json"].is_object() {
            want.extend(["400", "413", "415", "422"]);
        }
        if op["parameters"].as_array().is_some_and(|p| !p.is_empty()) {
            want.push("400");
        }
        for status in want {
            if !responses.contains_key(status) {
                wrong.push(format!("{route} does not declare {status}"));
            }
        }
        if let Some(limit) = param(op, "limit") {
            let schema = &limit["schema"];
            if schema["minimum"] != 1 || schema["maximum"] != 200 {
                wrong.push(format!("{route}: limit is not 1 to 200: {schema}"));
            }
        }
    }
    for (method, path, _, _) in crate::forbidden::RESERVED {
        let route = format!("{method} {}", generic(path));
        let declared = operations(&doc)?
            .into_iter()
            .find(|(r, _)| *r == route)
            .is_some_and(|(_, op)| op["responses"]["403"].is_object());
        if !declared {
            wrong.push(format!("{route} does not declare its 403"));
        }
    }

    let create = &doc["paths"]["/api/v1/tickets"]["post"];
    let key = &param(create, "Idempotency-Key").ok_or("no Idempotency-Key")?["schema"];
    if key["maxLength"] != 255 || key["minLength"] != 1 || !key["pattern"].is_string() {
        wrong.push(format!("Idempotency-Key is unbounded: {key}"));
    }
    let unlink = &doc["paths"]["/api/v1/tickets/{id}/links/{kind}/{ticket}"]["delete"];
    let kinds = &param(unlink, "kind").ok_or("no link kind")?["schema"]["pattern"];
    let create_link = &doc["components"]["schemas"]["CreateLink"]["properties"]["kind"]["pattern"];
    for (what, pattern) in [("path", kinds), ("body", create_link)] {
        if !pattern.as_str().is_some_and(|p| p.contains("duplicate_of")) {
            wrong.push(format!(
                "the link kind in the {what} is any text: {pattern}"
            ));
        }
    }
    // What `/users/me` answers has every field its schema requires.
    let cast = app.cast().await?;
    let me = app
        .send(req("GET", "/api/v1/users/me").token(&cast.requester))
        .await
        .json()?;
    let schema =
        doc["paths"]["/api/v1/users/me"]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"]["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .ok_or("/users/me names no schema")?;
    for field in doc["components"]["schemas"][schema]["required"]
        .as_array()
        .ok_or("the schema requires nothing")?
    {
        if me.get(field.as_str().unwrap_or_default()).is_none() {
            wrong.push(format!("/users/me lacks {field}, which {schema} requires"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    Ok(())
}

/// A concrete path of the `forbidden` table as the document spells it.
fn generic(path: &str) -> String {
    path.split('/')
        .enumerate()
        .map(|(i, part)| match (i, part) {
            (_, "Tier1") => "{name}".to_owned(),
            (_, "ada@example.org") => "{email}".to_owned(),
            (_, "agent_reply") => "{name}".to_owned(),
            (_, p) if p.parse::<i64>().is_ok() => "{id}".to_owned(),
            (_, p) => p.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}
