//! The conversation on a ticket: internal notes never reach the requester (not in comments,
//! not in the audit trail, not as attachments); a requester's reply reopens a pending ticket;
//! files arrive as multipart and leave as downloads that no browser renders in the desk's
//! origin; searching the conversation finds notes for staff only. Runs on SQLite and on
//! PostgreSQL.

use crate::support;

use serde_json::{Value, json};
use support::{App, Form, Person, TestResult, id_of, items, req, subject};

support::stories!(
    internal_notes_are_hidden_from_the_requester,
    a_requester_reply_reopens_a_pending_ticket,
    attachments_download_as_stored_and_never_inline,
    uploaded_file_names_are_made_safe,
    bad_forms_are_refused_without_change,
);

const HTML: &[u8] = b"<html><script>alert(document.cookie)</script></html>";

async fn internal_notes_are_hidden_from_the_requester(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let id = id_of(
        &app.open_ticket(&cast.requester, subject("Payroll access"))
            .await?,
    )?;
    let comments = format!("/api/v1/tickets/{id}/comments");
    let reply = json!({ "body": "We are on it." });
    app.send(req("POST", &comments).token(&cast.agent).json(&reply))
        .await
        .expect_status(201, "replying")?;
    let note = Form::new()
        .text(
            "body",
            "Manager approval missing - do not tell the user yet",
        )
        .text("internal", "true")
        .file("file", "approval.txt", "text/plain", b"internal memo");
    let posted = app
        .send(req("POST", &comments).token(&cast.agent).form(note))
        .await;
    posted.expect_status(201, "writing a note with a file")?;
    let note = posted.json()?;
    assert_eq!(note["internal"], true);
    let memo_url = note["attachments"][0]["url"]
        .as_str()
        .ok_or("no attachment url")?
        .to_owned();

    // The agent sees both, and the note in the trail.
    let staff_view = app
        .send(req("GET", &comments).token(&cast.agent))
        .await
        .json()?;
    assert_eq!(
        bodies(&staff_view),
        [
            "We are on it.",
            "Manager approval missing - do not tell the user yet"
        ]
    );
    let staff_events = app
        .send(req("GET", &format!("/api/v1/tickets/{id}/events")).token(&cast.agent))
        .await
        .json()?;
    assert!(
        items(&staff_events)
            .iter()
            .any(|e| e["kind"] == "note_added" && e["internal"] == true)
    );

    // The requester sees the reply only, no internal event, and cannot fetch the note's file.
    let theirs = app.send(req("GET", &comments).token(&cast.requester)).await;
    theirs.expect_status(200, "the requester reading the conversation")?;
    assert_eq!(bodies(&theirs.json()?), ["We are on it."]);
    let events = app
        .send(req("GET", &format!("/api/v1/tickets/{id}/events")).token(&cast.requester))
        .await;
    events.expect_status(200, "the requester reading the trail")?;
    let events = items(&events.json()?);
    assert!(!events.is_empty());
    assert!(
        events
            .iter()
            .all(|e| e["internal"] == false && e["kind"] != "note_added"),
        "an internal event reached the requester: {events:?}"
    );
    app.send(req("GET", &memo_url).token(&cast.requester))
        .await
        .problem(404, "the note's file")?;
    app.send(req("GET", &memo_url).token(&cast.agent))
        .await
        .expect_status(200, "the note's file for staff")?;

    // Searching the conversation finds the note's words for staff; the requester's search
    // never looks into it, so a note's words cannot be probed for.
    let search = "/api/v1/tickets?q=approval%20missing&q_in=conversation";
    let found = app
        .send(req("GET", search).token(&cast.agent))
        .await
        .json()?;
    assert_eq!(ids(&found), [id], "staff find the note's words");
    let subjects_only = app
        .send(req("GET", "/api/v1/tickets?q=approval%20missing").token(&cast.agent))
        .await
        .json()?;
    assert!(ids(&subjects_only).is_empty(), "q alone reads subjects");
    let probed = app
        .send(req("GET", search).token(&cast.requester))
        .await
        .json()?;
    assert!(
        ids(&probed).is_empty(),
        "the requester's search stays out of notes"
    );
    Ok(())
}

fn ids(list: &Value) -> Vec<i64> {
    items(list)
        .iter()
        .filter_map(|t| t["id"].as_i64())
        .collect()
}

fn bodies(list: &Value) -> Vec<String> {
    items(list)
        .iter()
        .filter_map(|c| c["body"].as_str().map(str::to_owned))
        .collect()
}

async fn status_of(app: &App, who: &support::Person, id: i64) -> TestResult<String> {
    let t = app
        .send(req("GET", &format!("/api/v1/tickets/{id}")).token(who))
        .await
        .json()?;
    Ok(t["status"].as_str().unwrap_or_default().to_owned())
}

async fn a_requester_reply_reopens_a_pending_ticket(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let id = id_of(
        &app.open_ticket(&cast.requester, subject("Need a monitor"))
            .await?,
    )?;
    let comments = format!("/api/v1/tickets/{id}/comments");
    let ask = json!({ "body": "Which size would you like?" });
    app.send(req("POST", &comments).token(&cast.agent).json(&ask))
        .await
        .expect_status(201, "asking")?;
    assert_eq!(
        status_of(&app, &cast.agent, id).await?,
        "open",
        "the desk's reply opens a new ticket"
    );
    app.send(
        req("PATCH", &format!("/api/v1/tickets/{id}"))
            .token(&cast.agent)
            .json(&json!({ "status": "pending" })),
    )
    .await
    .expect_status(200, "waiting on the requester")?;
    // An internal note does not count as the requester answering.
    app.send(
        req("POST", &comments)
            .token(&cast.agent)
            .json(&json!({ "body": "chased", "internal": true })),
    )
    .await
    .expect_status(201, "a note")?;
    assert_eq!(status_of(&app, &cast.agent, id).await?, "pending");

    let answer = json!({ "body": "27 inch, please." });
    app.send(req("POST", &comments).token(&cast.requester).json(&answer))
        .await
        .expect_status(201, "the requester answering")?;
    assert_eq!(status_of(&app, &cast.agent, id).await?, "open");
    let events = app
        .send(req("GET", &format!("/api/v1/tickets/{id}/events")).token(&cast.requester))
        .await
        .json()?;
    let reopened = items(&events)
        .iter()
        .any(|e| e["field"] == "status" && e["old"] == "pending" && e["new"] == "open");
    assert!(reopened, "the trail records the reopening: {events}");
    Ok(())
}

/// Posts `form` as a comment on ticket `id`; the attachments it answers with.
async fn post_files(app: &App, who: &Person, id: i64, form: Form) -> TestResult<Vec<Value>> {
    let posted = app
        .send(
            req("POST", &format!("/api/v1/tickets/{id}/comments"))
                .token(who)
                .form(form),
        )
        .await;
    posted.expect_status(201, "posting files")?;
    let comment = posted.json()?;
    Ok(comment["attachments"]
        .as_array()
        .cloned()
        .unwrap_or_default())
}

async fn attachments_download_as_stored_and_never_inline(
    store: &frontline_core::Store,
) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let id = id_of(
        &app.open_ticket(&cast.requester, subject("Odd page"))
            .await?,
    )?;
    // curl -F body=… -F internal=false -F file=@page.html -F file=@report.pdf
    let pdf = b"%PDF-1.7 fake report".to_vec();
    let form = Form::new()
        .text("body", "Here is the page and the report")
        .text("internal", "false")
        .file("file", "page.html", "text/html", HTML)
        .file("file", "r\u{e9}sum\u{e9}.pdf", "application/pdf", &pdf);
    let atts = post_files(&app, &cast.requester, id, form).await?;
    assert_eq!(atts.len(), 2);
    assert_eq!(atts[0]["filename"], "page.html");
    assert_eq!(atts[1]["size"], pdf.len());

    let pdf_url = atts[1]["url"].as_str().ok_or("no url")?;
    let got = app.send(req("GET", pdf_url).token(&cast.requester)).await;
    got.expect_status(200, "downloading the PDF")?;
    assert_eq!(got.body, pdf);
    assert_eq!(got.header("content-type"), Some("application/pdf"));
    let disposition = got.header("content-disposition").unwrap_or_default();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"),
        "{disposition}"
    );
    assert_eq!(got.header("x-content-type-options"), Some("nosniff"));

    // An HTML file is a download in a sandbox, never a page of the desk.
    let html_url = atts[0]["url"].as_str().ok_or("no url")?;
    let got = app.send(req("GET", html_url).token(&cast.agent)).await;
    got.expect_status(200, "downloading the HTML file")?;
    assert_eq!(got.body, HTML);
    let disposition = got.header("content-disposition").unwrap_or_default();
    assert!(
        disposition.starts_with("attachment;"),
        "served inline: {disposition}"
    );
    assert_eq!(got.header("x-content-type-options"), Some("nosniff"));
    let csp = got.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );

    // The conversation lists the files where the client can fetch them.
    let listed = app
        .send(req("GET", &format!("/api/v1/tickets/{id}/comments")).token(&cast.requester))
        .await
        .json()?;
    assert_eq!(items(&listed)[0]["attachments"], Value::Array(atts));
    Ok(())
}

/// A name with a path or with bidirectional marks is stored, listed and downloaded as its
/// safe display name: the last path component, without the marks.
async fn uploaded_file_names_are_made_safe(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let id = id_of(
        &app.open_ticket(&cast.requester, subject("Odd names"))
            .await?,
    )?;
    let form = Form::new()
        .text("body", "Three files")
        .text("internal", "false")
        .file("file", "../../etc/passwd", "text/plain", b"root:x:0:0")
        .file(
            "file",
            "C:\\Users\\ana\\invoice.pdf",
            "application/pdf",
            b"%PDF",
        )
        .file(
            "file",
            "invoice\u{202E}fdp.exe",
            "application/octet-stream",
            b"MZ",
        );
    let atts = post_files(&app, &cast.requester, id, form).await?;
    let names: Vec<&str> = atts.iter().filter_map(|a| a["filename"].as_str()).collect();
    assert_eq!(names, ["passwd", "invoice.pdf", "invoicefdp.exe"]);
    let url = atts[2]["url"].as_str().ok_or("no url")?;
    let got = app.send(req("GET", url).token(&cast.agent)).await;
    got.expect_status(200, "downloading the renamed file")?;
    let disposition = got.header("content-disposition").unwrap_or_default();
    assert!(disposition.contains("invoicefdp.exe"), "{disposition}");
    assert!(
        !disposition.contains("%E2%80%AE"),
        "no override mark: {disposition}"
    );
    Ok(())
}

async fn bad_forms_are_refused_without_change(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let id = id_of(
        &app.open_ticket(&cast.requester, subject("Form trouble"))
            .await?,
    )?;
    let path = format!("/api/v1/tickets/{id}/comments");
    let before = app.ticket_snapshot(&cast.agent, id).await?;
    let cases = [
        (
            Form::new().text("body", "x").text("internal", "maybe"),
            422,
            "internal",
        ),
        (
            Form::new().text("body", "x").text("colour", "red"),
            422,
            "colour",
        ),
        (Form::new().text("internal", "false"), 422, "body"),
        (
            Form::new()
                .text("body", "x")
                .file("file", "", "text/plain", b"no name"),
            422,
            "filename",
        ),
    ];
    for (form, status, field) in cases {
        app.send(req("POST", &path).token(&cast.agent).form(form))
            .await
            .field_problem(status, field, &format!("a form with a bad {field}"))?;
    }
    // A requester may not smuggle an internal note in through a form either.
    let note = Form::new().text("body", "x").text("internal", "true");
    app.send(req("POST", &path).token(&cast.requester).form(note))
        .await
        .problem(403, "a requester's note")?;
    // A body that is not the multipart it claims to be.
    app.send(
        req("POST", &path)
            .token(&cast.agent)
            .raw(Some("multipart/form-data; boundary=zzz"), "garbage"),
    )
    .await
    .problem(400, "a broken form")?;
    assert_eq!(app.ticket_snapshot(&cast.agent, id).await?, before);
    Ok(())
}
