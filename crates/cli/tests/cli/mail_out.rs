//! Mail Frontline sends, read from a real mailbox: a throwaway Postfix (support::postfix)
//! delivers it into Maildirs. A new ticket's acknowledgement arrives with its threading and
//! loop headers; an agent's reply reaches the requester, and the requester's answer to it,
//! sent back in over Frontline's SMTP listener with another subject, lands on the same
//! ticket; an internal note sends nothing; a refused recipient (550) is an event on the
//! ticket; with the SMTP server down mail waits and goes out once it is back, exactly once;
//! SMTP AUTH with a password and with XOAUTH2, checked by Dovecot through Postfix's SASL.
//! With a public URL (`FRONTLINE_PUBLIC_URL`), the acknowledgement links the ticket's portal
//! page and an assignment notice its console page, in the text and as a link in the HTML;
//! without one, mail has no link at all; a URL that is no plain web address stops the
//! server, from the flag, the variable or the configuration file alike. On SQLite and
//! PostgreSQL, against the real binary.

use crate::support;

use std::time::{Duration, Instant};

use lettre::AsyncTransport;
use lettre::address::Envelope;
use serde_json::{Value, json};
use support::dovecot::{self, Dovecot};
use support::postfix::{self, Postfix};
use support::{Api, Backend, TestDesk, send};

on_both!(
    mail_goes_out_and_replies_thread_back,
    agents_hear_of_assignments_and_mentions_requesters_of_resolution,
    mail_from_a_person_is_answered_and_threaded,
    a_server_that_is_down_delays_mail_and_loses_none,
    smtp_auth_with_a_password,
    smtp_auth_with_xoauth2,
    mail_goes_out_over_starttls,
    mail_goes_out_over_tls,
    mail_links_the_ticket_at_the_public_url,
    without_a_public_url_mail_has_no_links,
    a_bad_public_url_stops_the_server,
);

const DESK: &str = "help@desk.example";
const AGENT: &str = "agent@desk.example";
const LONG: Duration = Duration::from_secs(60);

/// A desk sending through `smtp_url`, with an agent; the server also listens for SMTP.
async fn desk_sending_to(
    backend: Backend,
    name: &str,
    smtp_url: &str,
) -> (TestDesk, support::Server, String) {
    desk_sending_with(backend, name, smtp_url, &[]).await
}

/// [`desk_sending_to`] with environment variables for the server.
async fn desk_sending_with(
    backend: Backend,
    name: &str,
    smtp_url: &str,
    env: &[(&str, &str)],
) -> (TestDesk, support::Server, String) {
    let desk = TestDesk::new(backend, name).await;
    desk.run_ok(&["mailbox", "add", "--address", DESK, "--smtp", smtp_url]);
    let token = desk.person(AGENT, "Alex Agent", "agent");
    let server = desk.serve_env(&["--smtp-listen", "127.0.0.1:0"], env).await;
    (desk, server, token)
}

async fn open_ticket(api: &Api, token: &str, requester: &str, subject: &str) -> i64 {
    let created = send(api.post(token, "/api/v1/tickets").json(&json!({
        "subject": subject,
        "description": "It started this morning.",
        "requester": requester,
        "channel": "phone",
    })))
    .await
    .expect(201)
    .json;
    created["id"].as_i64().expect("an id")
}

async fn comment(api: &Api, token: &str, ticket: i64, body: &str, internal: bool) {
    send(
        api.post(token, &format!("/api/v1/tickets/{ticket}/comments"))
            .json(&json!({"body": body, "internal": internal})),
    )
    .await
    .expect(201);
}

/// A header's value as written (the short ones this test reads are never folded).
fn header(raw: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or_default().to_owned();
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

fn parse(raw: &[u8]) -> frontline_mail::Inbound {
    frontline_mail::parse(raw, 1 << 20).expect("Frontline's mail parses")
}

async fn events(api: &Api, token: &str, ticket: i64) -> Vec<Value> {
    api.all_items(token, &format!("/api/v1/tickets/{ticket}/events"), 100)
        .await
}

async fn mail_goes_out_and_replies_thread_back(backend: Backend) {
    let postfix = Postfix::start(&["bob"]);
    let (_desk, server, token) = desk_sending_to(backend, "mail_out", &postfix.url()).await;
    let api = server.api();
    let bob = format!("bob@{}", postfix::DOMAIN);

    // A new ticket: the requester gets an automatic acknowledgement that threads.
    let id = open_ticket(&api, &token, &bob, "Printer on floor 3 jams").await;
    let ack_raw = postfix.wait_for("bob", 1, LONG).await.remove(0);
    let ack = parse(&ack_raw);
    assert!(ack.subject.contains(&format!("[#{id}]")), "{}", ack.subject);
    assert!(
        ack.subject.contains("Printer on floor 3 jams"),
        "{}",
        ack.subject
    );
    assert_eq!(ack.from.address, DESK);
    assert_eq!(ack.to[0].address, bob);
    assert_eq!(
        header(&ack_raw, "Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    let ack_id = ack.message_id.clone().expect("a Message-ID");
    assert!(ack_id.ends_with("@desk.example"), "{ack_id}");
    assert!(ack.text.contains("Reply above this line"), "{}", ack.text);
    assert!(ack.html.is_some(), "an HTML part too");

    // An agent's public reply reaches the requester, in the ticket's thread, written by a
    // person (no Auto-Submitted). An internal note in between sends nothing.
    comment(
        &api,
        &token,
        id,
        "Secret: the vendor owes us a fuser.",
        true,
    )
    .await;
    comment(
        &api,
        &token,
        id,
        "Please open tray 2 and pull the green lever.",
        false,
    )
    .await;
    let reply_raw = postfix.wait_for("bob", 2, LONG).await.remove(1);
    let reply = parse(&reply_raw);
    assert!(
        reply.text.contains("pull the green lever"),
        "{}",
        reply.text
    );
    assert!(header(&reply_raw, "Auto-Submitted").is_none());
    assert_eq!(reply.in_reply_to, vec![ack_id.clone()]);
    assert!(reply.references.contains(&ack_id), "{:?}", reply.references);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let all = postfix.messages("bob");
    assert_eq!(all.len(), 2, "the internal note sent no mail");
    assert!(
        all.iter()
            .all(|m| !String::from_utf8_lossy(m).contains("fuser")),
        "the note's text never leaves the desk"
    );

    // Bob answers the reply; the subject no longer names the ticket, the Message-ID does.
    let answer = format!(
        "From: Bob <{bob}>\r\nTo: {DESK}\r\nSubject: Re: lever\r\n\
         Message-ID: <bob-answer-1@{d}>\r\nIn-Reply-To: <{r}>\r\nReferences: <{ack_id}> <{r}>\r\n\
         Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\nDone, it prints again.\r\n\r\n\
         On Mon, Frontline wrote:\r\n> Please open tray 2\r\n",
        d = postfix::DOMAIN,
        r = reply.message_id.clone().expect("a Message-ID"),
    );
    server
        .smtp()
        .send_raw(
            &Envelope::new(
                Some(bob.parse().expect("an address")),
                vec![DESK.parse().expect("an address")],
            )
            .expect("an envelope"),
            answer.as_bytes(),
        )
        .await
        .expect("Frontline takes the answer");
    let deadline = Instant::now() + LONG;
    loop {
        let items = api
            .all_items(&token, &format!("/api/v1/tickets/{id}/comments"), 100)
            .await;
        if items
            .iter()
            .any(|c| c["body"].as_str() == Some("Done, it prints again."))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the answer did not thread: {items:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        api.all_ticket_ids(&token, 100).await,
        vec![id],
        "the answer opened no ticket"
    );

    // A recipient the server refuses for good (550): an event on the ticket says so.
    let lost = open_ticket(&api, &token, "nobody@example.org", "Monitor flickers").await;
    let deadline = Instant::now() + LONG;
    let failed = loop {
        let trail = events(&api, &token, lost).await;
        if let Some(e) = trail.iter().find(|e| e["kind"] == "mail_failed") {
            break e.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no mail_failed event: {trail:?}\n{}",
            postfix.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let why = failed.to_string();
    assert!(
        why.contains("550") && why.contains("nobody@example.org"),
        "{why}"
    );
    drop(server);
}

async fn patch(api: &Api, token: &str, ticket: i64, body: Value) {
    send(
        api.patch(token, &format!("/api/v1/tickets/{ticket}"))
            .json(&body),
    )
    .await
    .expect(200);
}

fn text_of(raw: &[u8]) -> String {
    let m = parse(raw);
    format!("{}\n{}", m.subject, m.text)
}

async fn agents_hear_of_assignments_and_mentions_requesters_of_resolution(backend: Backend) {
    let postfix = Postfix::start(&["bob", "ana", "cy"]);
    let (desk, server, token) = desk_sending_to(backend, "mail_out_agents", &postfix.url()).await;
    desk.person("ana@example.org", "Ana Agent", "agent");
    desk.person("cy@example.org", "Cy Specialist", "agent");
    let manager = desk.person("boss@desk.example", "Bo Manager", "manager");
    let api = server.api();
    // A rule's notification (the `notify` job, as SLA escalations use) is mail too, and so
    // is a rule's public reply.
    send(api.post(&manager, "/api/v1/rules").json(&json!({
        "name": "Toner watch", "trigger": "created",
        "conditions": [{"field": "subject", "op": "contains", "value": "Toner"}],
        "actions": [{"action": "notify", "recipients": ["cy@example.org"]},
                    {"action": "reply", "body": "A technician will come by today."}],
    })))
    .await
    .expect(201);
    let id = open_ticket(
        &api,
        &token,
        "bob@example.org",
        "Toner smeared on every page",
    )
    .await;
    let first = postfix.wait_for("bob", 2, LONG).await;
    assert!(
        first
            .iter()
            .any(|m| text_of(m).contains("We received your request"))
            && first
                .iter()
                .any(|m| text_of(m).contains("technician will come by")),
        "the acknowledgement and the rule's reply"
    );
    let notice = text_of(&postfix.wait_for("cy", 1, LONG).await.remove(0));
    assert!(
        notice.contains(&format!("[#{id}] Rule (Toner watch)")),
        "{notice}"
    );

    // Assigned by a colleague: the assignee is told, automatically.
    patch(&api, &token, id, json!({"assignee": "ana@example.org"})).await;
    let assigned = postfix.wait_for("ana", 1, LONG).await.remove(0);
    assert!(
        text_of(&assigned).contains("Assigned to you"),
        "{}",
        text_of(&assigned)
    );
    assert_eq!(
        header(&assigned, "Auto-Submitted").as_deref(),
        Some("auto-generated")
    );

    // A note that @mentions a colleague reaches that colleague only.
    comment(
        &api,
        &token,
        id,
        "@cy@example.org can you check the toner batch?",
        true,
    )
    .await;
    let mention = text_of(&postfix.wait_for("cy", 2, LONG).await.remove(1));
    assert!(
        mention.contains("mentioned you") && mention.contains("toner batch"),
        "{mention}"
    );

    // Resolved: the requester hears of it; the note never reached them.
    patch(&api, &token, id, json!({"status": "resolved"})).await;
    let bob = postfix.wait_for("bob", 3, LONG).await;
    let resolved = text_of(&bob[2]);
    assert!(
        resolved.contains(&format!("[#{id}] Resolved")),
        "{resolved}"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let bob = postfix.messages("bob");
    assert_eq!(
        bob.len(),
        3,
        "the acknowledgement, the rule's reply, the resolution"
    );
    assert!(bob.iter().all(|m| !text_of(m).contains("toner batch")));
    assert_eq!(postfix.messages("ana").len(), 1);
    drop(server);
}

async fn mail_from_a_person_is_answered_and_threaded(backend: Backend) {
    let postfix = Postfix::start(&["bob"]);
    let (_desk, server, token) = desk_sending_to(backend, "mail_out_in", &postfix.url()).await;
    let bob = "bob@example.org";
    let deliver = |id: &str, headers: &str| {
        format!(
            "From: Bob <{bob}>\r\nTo: {DESK}\r\nSubject: Scanner sends blank pages\r\n\
             Message-ID: <{id}>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n{headers}\r\n\
             Every scan comes out blank.\r\n"
        )
    };
    let envelope = Envelope::new(
        Some(bob.parse().expect("an address")),
        vec![DESK.parse().expect("an address")],
    )
    .expect("an envelope");
    // An out-of-office message opens nothing and is answered by nothing.
    server
        .smtp()
        .send_raw(
            &envelope,
            deliver("ooo-1@example.org", "Auto-Submitted: auto-replied\r\n").as_bytes(),
        )
        .await
        .expect("taken");
    server
        .smtp()
        .send_raw(&envelope, deliver("scan-1@example.org", "").as_bytes())
        .await
        .expect("taken");
    let ack_raw = postfix.wait_for("bob", 1, LONG).await.remove(0);
    let ack = parse(&ack_raw);
    assert_eq!(
        header(&ack_raw, "Auto-Submitted").as_deref(),
        Some("auto-replied"),
        "an answer to a message is an auto-reply"
    );
    assert_eq!(ack.in_reply_to, vec!["scan-1@example.org".to_owned()]);
    let ids = server.api().all_ticket_ids(&token, 100).await;
    assert_eq!(ids.len(), 1, "the out-of-office opened no ticket");
    assert!(ack.subject.contains(&format!("[#{}]", ids[0])));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        postfix.messages("bob").len(),
        1,
        "nothing answered the robot"
    );
    drop(server);
}

async fn a_server_that_is_down_delays_mail_and_loses_none(backend: Backend) {
    let postfix = Postfix::start(&["bob"]);
    let (desk, server, token) = desk_sending_to(backend, "mail_out_down", &postfix.url()).await;
    let admin = desk.person("admin@desk.example", "Ada Admin", "admin");
    let api = server.api();
    postfix.down();
    let id = open_ticket(&api, &token, "bob@example.org", "Laptop will not boot").await;

    // The attempt fails and the job waits for another, with the reason.
    postfix::until_a_send_failed(&api, &admin, LONG).await;
    assert!(postfix.messages("bob").is_empty());

    // Back up: the next attempt delivers it, once.
    postfix.up();
    let got = postfix.wait_for("bob", 1, Duration::from_secs(90)).await;
    assert!(parse(&got[0]).subject.contains(&format!("[#{id}]")));
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(postfix.messages("bob").len(), 1, "sent exactly once");
    let trail = events(&api, &token, id).await;
    assert!(
        trail.iter().all(|e| e["kind"] != "mail_failed"),
        "a delay is no failure: {trail:?}"
    );
    drop(server);
}

/// A Dovecot whose auth service Postfix asks, on a socket in a folder Postfix can reach.
fn dovecot_and_postfix() -> (tempfile::TempDir, Dovecot, Postfix) {
    use std::os::unix::fs::PermissionsExt;
    let sockets = tempfile::tempdir().expect("a folder");
    std::fs::set_permissions(sockets.path(), std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
    let socket = sockets.path().join("auth");
    let dovecot = Dovecot::start_with(dovecot::Options {
        auth_socket: Some(socket.clone()),
        ..dovecot::Options::default()
    });
    let postfix = Postfix::start_with(
        &["bob"],
        postfix::Options {
            sasl_socket: Some(socket),
            ..postfix::Options::default()
        },
    );
    (sockets, dovecot, postfix)
}

async fn smtp_auth_with_a_password(backend: Backend) {
    let (_sockets, _dovecot, postfix) = dovecot_and_postfix();
    // Without AUTH the port refuses relaying: this is what proves AUTH happened.
    let url = format!(
        "smtp://{}:{}@127.0.0.1:{}",
        dovecot::USER.replace('@', "%40"),
        dovecot::PASSWORD.replace('@', "%40"),
        postfix.auth_port()
    );
    let (_desk, server, token) = desk_sending_to(backend, "mail_out_auth", &url).await;
    let id = open_ticket(&server.api(), &token, "bob@example.org", "Password expired").await;
    let got = postfix.wait_for("bob", 1, LONG).await;
    assert!(parse(&got[0]).subject.contains(&format!("[#{id}]")));
    assert!(
        postfix.log().contains("sasl_method=PLAIN") || postfix.log().contains("sasl_method=LOGIN"),
        "{}",
        postfix.log()
    );
    drop(server);
}

async fn smtp_auth_with_xoauth2(backend: Backend) {
    let (_sockets, dovecot, postfix) = dovecot_and_postfix();
    let token = dovecot.token(dovecot::USER, Duration::from_secs(600));
    let url = format!(
        "smtp://{};AUTH=XOAUTH2:{token}@127.0.0.1:{}",
        dovecot::USER.replace('@', "%40"),
        postfix.auth_port()
    );
    let (_desk, server, agent) = desk_sending_to(backend, "mail_out_oauth", &url).await;
    let id = open_ticket(&server.api(), &agent, "bob@example.org", "Need a new badge").await;
    let got = postfix.wait_for("bob", 1, LONG).await;
    assert!(parse(&got[0]).subject.contains(&format!("[#{id}]")));
    assert!(
        postfix.log().contains("sasl_method=XOAUTH2"),
        "{}",
        postfix.log()
    );
    drop(server);
}

/// The acknowledgement of a new ticket, sent over `url` to a Postfix with TLS: it arrives,
/// and Postfix logged a TLS connection (rustls checked its certificate against the CA the
/// server was given).
async fn mail_over_tls(backend: Backend, starttls: bool) {
    let postfix = Postfix::start_with(
        &["bob"],
        postfix::Options {
            tls: true,
            ..postfix::Options::default()
        },
    );
    let url = if starttls {
        postfix.starttls_url()
    } else {
        postfix.tls_url()
    };
    let ca = postfix.ca_file();
    let (_desk, server, token) = desk_sending_with(
        backend,
        "mail_out_tls",
        &url,
        &[("FRONTLINE_MAIL_CA_FILE", ca.as_str())],
    )
    .await;
    let id = open_ticket(
        &server.api(),
        &token,
        "bob@example.org",
        "Dock not charging",
    )
    .await;
    let got = postfix.wait_for("bob", 1, LONG).await;
    assert!(parse(&got[0]).subject.contains(&format!("[#{id}]")));
    assert!(
        postfix
            .log()
            .contains("TLS connection established from localhost"),
        "{}",
        postfix.log()
    );
    drop(server);
}

async fn mail_goes_out_over_starttls(backend: Backend) {
    mail_over_tls(backend, true).await;
}

async fn mail_goes_out_over_tls(backend: Backend) {
    mail_over_tls(backend, false).await;
}

/// A ticket for Bob, assigned to Ana: his acknowledgement and her notice, as text and
/// (sanitized) HTML.
async fn acknowledged_and_assigned(
    postfix: &Postfix,
    desk: &TestDesk,
    api: &Api,
    token: &str,
) -> (i64, [(String, String); 2]) {
    desk.person("ana@example.org", "Ana Agent", "agent");
    let id = open_ticket(api, token, "bob@example.org", "Monitor flickers").await;
    patch(api, token, id, json!({"assignee": "ana@example.org"})).await;
    let parts = |raw: Vec<u8>| {
        let m = parse(&raw);
        (m.text, m.html.expect("an HTML part"))
    };
    let ack = parts(postfix.wait_for("bob", 1, LONG).await.remove(0));
    let notice = parts(postfix.wait_for("ana", 1, LONG).await.remove(0));
    (id, [ack, notice])
}

async fn mail_links_the_ticket_at_the_public_url(backend: Backend) {
    let postfix = Postfix::start(&["bob", "ana"]);
    // The trailing slash is dropped; the path is kept.
    let env = [("FRONTLINE_PUBLIC_URL", "https://help.example.org/it/")];
    let (desk, server, token) =
        desk_sending_with(backend, "mail_links", &postfix.url(), &env).await;
    let (id, [ack, notice]) =
        acknowledged_and_assigned(&postfix, &desk, &server.api(), &token).await;
    let base = "https://help.example.org/it";
    for ((text, html), line, page) in [
        (ack, "View your request: ", "portal"),
        (notice, "Open it in the console: ", "console"),
    ] {
        let link = format!("{base}/{page}/tickets/{id}");
        assert!(text.contains(&format!("{line}{link}\n")), "{text}");
        assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
        assert_eq!(text.matches("https://").count(), 1, "{text}");
    }
    drop(server);
}

async fn without_a_public_url_mail_has_no_links(backend: Backend) {
    let postfix = Postfix::start(&["bob", "ana"]);
    let (desk, server, token) = desk_sending_to(backend, "mail_no_links", &postfix.url()).await;
    let (id, mail) = acknowledged_and_assigned(&postfix, &desk, &server.api(), &token).await;
    for (text, html) in mail {
        assert!(text.contains(&format!("[#{id}]")), "{text}");
        for absent in ["http", "View your request", "console"] {
            assert!(!text.contains(absent), "{absent}: {text}");
        }
        assert!(!html.contains("href"), "{html}");
        assert!(
            !text.contains("\n\n\n"),
            "no gap where a link was: {text:?}"
        );
    }
    drop(server);
}

async fn a_bad_public_url_stops_the_server(backend: Backend) {
    let desk = TestDesk::new(backend, "mail_bad_url").await;
    let config = tempfile::NamedTempFile::new().expect("a temporary file");
    std::fs::write(
        config.path(),
        "public_url = \"https://help.example.org/?a=1\"\n",
    )
    .expect("the configuration file is written");
    let config_path = config.path().display().to_string();
    let serve = ["serve", "--listen", "127.0.0.1:0"];
    let flag = [&serve[..], &["--public-url", "ftp://help.example.org"]].concat();
    let file = [&serve[..], &["--config", &config_path]].concat();
    for (args, env, why) in [
        (&flag[..], None, "must start with http:// or https://"),
        (
            &serve[..],
            Some("https://desk:s3cret@help.example.org"),
            "must hold no user or password",
        ),
        (&file[..], None, "must have no query or fragment"),
    ] {
        let mut cmd = desk.command(args);
        if let Some(url) = env {
            cmd.env("FRONTLINE_PUBLIC_URL", url);
        }
        let out = cmd.output().expect("frontline runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} started");
        assert!(
            stderr.contains("--public-url") && stderr.contains(why),
            "{args:?}: {stderr}"
        );
        assert!(
            !stderr.contains("s3cret"),
            "the password is not repeated: {stderr}"
        );
    }
}
