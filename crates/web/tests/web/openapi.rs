//! The OpenAPI document served at `/api/v1/openapi.json` describes exactly the `/api/v1`
//! routes the router serves, each with the bearer scheme where a token is needed. Runs on
//! SQLite and on PostgreSQL.

use crate::support;

use std::collections::BTreeSet;

use support::{App, TestResult, req};

support::stories!(the_document_lists_every_route);

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
