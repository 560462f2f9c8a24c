//! Mail templates over HTTP, for administrators: every template listed with its shipped
//! text, an edit that does not render refused with a 422 naming the part (and nothing
//! saved), a good edit saved and read back as customized, and a reset bringing the shipped
//! version back. Runs on SQLite and on PostgreSQL.

use crate::support;

use serde_json::{Value, json};
use support::{App, TestResult, items, req};

support::stories!(admins_edit_and_reset_mail_templates);

async fn get(app: &App, who: &support::Person, path: &str) -> TestResult<Value> {
    let reply = app.send(req("GET", path).token(who)).await;
    reply.expect_status(200, path)?;
    reply.json()
}

async fn admins_edit_and_reset_mail_templates(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let admin = &cast.admin;

    let list = get(&app, admin, "/api/v1/mail-templates").await?;
    let names: Vec<String> = items(&list)
        .iter()
        .filter_map(|t| t["name"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        names,
        [
            "ticket_created",
            "agent_reply",
            "status_changed",
            "ticket_resolved",
            "assigned",
            "mentioned",
            "notification"
        ]
    );
    let shipped = get(&app, admin, "/api/v1/mail-templates/ticket_created").await?;
    assert_eq!(shipped["customized"], false);
    assert!(
        shipped["subject"]
            .as_str()
            .unwrap_or_default()
            .contains("{{ ticket.tag }}")
    );

    // A template that does not render is refused, and the shipped one still applies.
    let path = "/api/v1/mail-templates/ticket_created";
    let broken = json!({"subject": "Got it", "body_text": "{% if %}", "body_html": "<p>ok</p>"});
    let problem = app
        .send(req("PUT", path).token(admin).json(&broken))
        .await
        .problem(422, "a broken template")?;
    assert_eq!(problem["errors"][0]["field"], "body_text", "{problem}");
    let unknown = json!({"subject": "x", "body_text": "{{ tikcet.id }}", "body_html": "x"});
    app.send(req("PUT", path).token(admin).json(&unknown))
        .await
        .problem(422, "a misspelled value")?;
    assert_eq!(get(&app, admin, path).await?, shipped);

    let edit = json!({
        "subject": "Thanks, {{ recipient.name }}",
        "body_text": "{{ reply_marker }}\n\nWe have it: {{ ticket.tag }}",
        "body_html": "<p>We have it: {{ ticket.tag }}</p>",
    });
    let saved = app.send(req("PUT", path).token(admin).json(&edit)).await;
    saved.expect_status(200, "a good edit")?;
    let saved = saved.json()?;
    assert_eq!(saved["customized"], true);
    assert!(saved["updated_at"].is_string());
    assert_eq!(get(&app, admin, path).await?["subject"], edit["subject"]);

    let reset = app.send(req("DELETE", path).token(admin)).await;
    reset.expect_status(200, "a reset")?;
    assert_eq!(get(&app, admin, path).await?, shipped);

    let missing = app
        .send(
            req("PUT", "/api/v1/mail-templates/no_such")
                .token(admin)
                .json(&edit),
        )
        .await;
    missing.problem(404, "an unknown template")?;
    Ok(())
}
