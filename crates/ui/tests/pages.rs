//! The web pages in process, on both databases: signing in, the CSRF check on every form,
//! what a requester can and cannot reach, escaping, sign-in throttling and stale edits.

mod support;

use axum::http::StatusCode;
use frontline_core::tickets::{NewComment, NewTicket};
use frontline_core::{Actor, Store};
use frontline_domain::{Role, Subject};
use support::{PASSWORD, Site, TestResult, stories};

stories! {
    sign_in_sends_each_role_home,
    forms_without_the_session_token_are_refused,
    requesters_reach_only_their_own_public_conversation,
    user_strings_are_escaped_and_headers_set,
    sign_in_is_throttled_per_account,
    sign_in_is_throttled_per_address,
    a_stale_edit_is_reported_not_applied,
    signing_out_ends_the_session,
    a_long_queue_pages_without_gaps,
    an_agent_logs_a_call_for_a_new_requester,
    bulk_changes_apply_to_each_selected_ticket,
    changing_the_password_signs_out_other_sessions,
    the_ticket_page_shows_links_and_the_requesters_other_tickets,
    a_note_attachment_never_downloads_for_the_requester,
    a_queue_is_searched_by_words,
}

async fn ticket(site: &Site, by: &Actor, subject: &str) -> TestResult<i64> {
    let new = NewTicket::new(Subject::parse(subject)?, "It is broken.", "portal");
    Ok(site.desk.create_ticket(by, new, None).await?.ticket.row.id)
}

async fn sign_in_sends_each_role_home(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    site.person("rita@example.org", Role::Requester).await?;

    let mut stranger = site.browser();
    let home = stranger.get("/").await?;
    assert_eq!(home.location(), "/login");
    let console = stranger.get("/console?queue=open").await?;
    assert_eq!(console.location(), "/login?next=/console%3Fqueue%3Dopen");

    // The sign-in form itself carries a token bound to a cookie.
    let mut b = site.browser();
    let form = b.get("/login").await?;
    let forged = b
        .post(
            "/login",
            &[
                ("csrf", "forged"),
                ("email", "agent@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await?;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let ok = b
        .post(
            "/login",
            &[
                ("csrf", &form.csrf()),
                ("email", "agent@example.org"),
                ("password", PASSWORD),
                ("next", "/console?queue=open"),
            ],
        )
        .await?;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), "/console?queue=open");
    let cookie = ok
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("frontline_session="))
        .unwrap_or_default()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert_eq!(b.get("/").await?.location(), "/console");
    let queue = b.get("/console").await?;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("My tickets"));

    let mut rita = site.signed_in("rita@example.org").await?;
    assert_eq!(rita.get("/").await?.location(), "/portal");
    assert_eq!(rita.get("/portal").await?.status, StatusCode::OK);

    let mut wrong = site.browser();
    let refused = wrong
        .sign_in("agent@example.org", "not the password")
        .await?;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.body.contains("do not match"));
    Ok(())
}

async fn forms_without_the_session_token_are_refused(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    let id = ticket(&site, &rita, "Printer jam").await?;
    let mut agent = site.signed_in("agent@example.org").await?;
    let page = agent.get(&format!("/console/tickets/{id}")).await?;
    let csrf = page.csrf();
    assert!(!csrf.is_empty());
    let fields = [
        ("version", "1"),
        ("status", "pending"),
        ("impact", "medium"),
        ("urgency", "medium"),
        ("priority", "auto"),
    ];

    let without = agent
        .post(&format!("/console/tickets/{id}/fields"), &fields)
        .await?;
    assert_eq!(without.status, StatusCode::FORBIDDEN);
    let mut wrong = vec![("csrf", "not-the-token")];
    wrong.extend(fields);
    let wrong = agent
        .post(&format!("/console/tickets/{id}/fields"), &wrong)
        .await?;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let reply = agent
        .post_multipart(
            &format!("/console/tickets/{id}/comments"),
            &[("kind", "reply"), ("body", "Hello")],
            &[],
        )
        .await?;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let logout = agent.post("/logout", &[]).await?;
    assert_eq!(logout.status, StatusCode::FORBIDDEN);
    // Nothing changed: still new, no comment, still signed in.
    let actor = site
        .desk
        .authenticate_password("agent@example.org", PASSWORD)
        .await?;
    assert_eq!(site.desk.ticket(&actor, id).await?.row.status, "new");
    assert!(site.desk.comments(&actor, id, 0, 10).await?.is_empty());
    assert_eq!(agent.get("/console").await?.status, StatusCode::OK);

    let mut with = vec![("csrf", csrf.as_str())];
    with.extend(fields);
    let saved = agent
        .post(&format!("/console/tickets/{id}/fields"), &with)
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(site.desk.ticket(&actor, id).await?.row.status, "pending");
    Ok(())
}

async fn requesters_reach_only_their_own_public_conversation(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let agent = site.person("agent@example.org", Role::Agent).await?;
    site.person("rita@example.org", Role::Requester).await?;
    let sam = site.person("sam@example.org", Role::Requester).await?;

    let mut rita = site.signed_in("rita@example.org").await?;
    let csrf = rita.csrf("/portal/new").await?;
    let sent = rita
        .post_multipart(
            "/portal/tickets",
            &[
                ("csrf", &csrf),
                ("subject", "VPN keeps dropping"),
                ("description", "Every 5 minutes."),
                ("category", ""),
                ("urgency", "high"),
            ],
            &[("files", "vpn.log", b"connection reset")],
        )
        .await?;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let path = sent.location().to_owned();
    let id: i64 = path.trim_start_matches("/portal/tickets/").parse()?;
    let t = site.desk.ticket(&agent, id).await?;
    assert_eq!(
        (t.row.urgency.as_str(), t.row.channel.as_str()),
        ("high", "portal")
    );

    site.desk
        .add_comment(
            &agent,
            id,
            NewComment {
                body: "Looking at the VPN logs now.".into(),
                internal: false,
                attachments: vec![],
            },
        )
        .await?;
    site.desk
        .add_comment(
            &agent,
            id,
            NewComment {
                body: "SECRET-NOTE: concentrator firmware bug".into(),
                internal: true,
                attachments: vec![],
            },
        )
        .await?;

    let page = rita.get(&path).await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Looking at the VPN logs now."));
    assert!(page.body.contains("vpn.log"));
    assert!(!page.body.contains("SECRET-NOTE"));
    let console_view = site
        .signed_in("agent@example.org")
        .await?
        .get(&format!("/console/tickets/{id}"))
        .await?;
    assert!(console_view.body.contains("SECRET-NOTE"));
    assert!(console_view.body.contains("Internal note"));

    assert_eq!(rita.get("/console").await?.status, StatusCode::FORBIDDEN);
    assert_eq!(
        rita.get(&format!("/console/tickets/{id}")).await?.status,
        StatusCode::FORBIDDEN
    );
    let others = ticket(&site, &sam, "Sam's laptop").await?;
    assert_eq!(
        rita.get(&format!("/portal/tickets/{others}")).await?.status,
        StatusCode::NOT_FOUND
    );
    let list = rita.get("/portal").await?;
    assert!(
        list.body.contains("VPN keeps dropping")
            && !list.body.contains("Sam&#39;s laptop")
            && !list.body.contains("Sam's laptop")
    );

    // Her reply reopens a resolved ticket; closing it is hers to do.
    site.desk
        .update_ticket(
            &agent,
            id,
            frontline_core::tickets::TicketPatch {
                status: Some(frontline_domain::Status::Resolved),
                ..Default::default()
            },
            None,
        )
        .await?;
    let csrf = rita.csrf(&path).await?;
    let replied = rita
        .post_multipart(
            &format!("{path}/replies"),
            &[("csrf", &csrf), ("body", "Still dropping.")],
            &[],
        )
        .await?;
    assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.body);
    assert_eq!(site.desk.ticket(&agent, id).await?.row.status, "open");
    let closed = rita
        .post(&format!("{path}/close"), &[("csrf", &csrf)])
        .await?;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    assert_eq!(site.desk.ticket(&agent, id).await?.row.status, "closed");
    Ok(())
}

async fn user_strings_are_escaped_and_headers_set(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let agent = site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    let id = ticket(&site, &rita, "<script>alert(1)</script>").await?;
    site.desk
        .add_comment(
            &agent,
            id,
            NewComment {
                body: "<img src=x onerror=alert(2)>".into(),
                internal: false,
                attachments: vec![],
            },
        )
        .await?;
    let mut b = site.signed_in("agent@example.org").await?;
    for path in [
        "/console?queue=open".to_owned(),
        format!("/console/tickets/{id}"),
    ] {
        let page = b.get(&path).await?;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.body.contains("<script>alert"),
            "{path} has a raw script"
        );
        assert!(!page.body.contains("<img src=x"), "{path} has a raw img");
        assert!(
            page.body
                .contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{path}"
        );
        let csp = page
            .headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(
            page.headers
                .get("x-content-type-options")
                .and_then(|v| v.to_str().ok()),
            Some("nosniff")
        );
        // No inline script: the only script is the served file.
        assert_eq!(page.body.matches("<script").count(), 1);
        assert!(
            page.body
                .contains("<script src=\"/assets/app.js\" defer></script>")
        );
    }
    let mut rita_b = site.signed_in("rita@example.org").await?;
    let portal = rita_b.get(&format!("/portal/tickets/{id}")).await?;
    assert!(!portal.body.contains("<img src=x") && portal.body.contains("&#60;img src=x"));
    Ok(())
}

async fn sign_in_is_throttled_per_account(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let mut b = site.browser();
    for _ in 0..frontline_core::sessions::ACCOUNT_FAILURES {
        assert_eq!(
            b.sign_in("agent@example.org", "wrong password")
                .await?
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Now even the right password is refused, with a message saying why and when.
    let throttled = b.sign_in("agent@example.org", PASSWORD).await?;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.body.contains("Too many failed sign-ins"));
    assert!(throttled.headers.get("retry-after").is_some());
    assert!(!b.cookies.contains_key("frontline_session"));
    Ok(())
}

async fn sign_in_is_throttled_per_address(store: &Store) -> TestResult {
    use frontline_core::sessions::{ACCOUNT_FAILURES, ADDRESS_FAILURES};
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let mut guesser = site.browser();
    guesser.address = Some("10.0.0.1:50000".parse()?);
    // Spread over many accounts, so no single account reaches its own limit.
    let accounts = ADDRESS_FAILURES / (ACCOUNT_FAILURES - 1) + 1;
    let mut failures = 0;
    'guessing: for n in 0..accounts {
        for _ in 0..ACCOUNT_FAILURES - 1 {
            if failures == ADDRESS_FAILURES {
                break 'guessing;
            }
            let page = guesser
                .sign_in(&format!("someone{n}@example.org"), "guess")
                .await?;
            assert_eq!(page.status, StatusCode::UNAUTHORIZED);
            failures += 1;
        }
    }
    let throttled = guesser.sign_in("agent@example.org", PASSWORD).await?;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.body.contains("from your network"));
    // Someone elsewhere signs in to the same account as usual.
    let mut elsewhere = site.browser();
    elsewhere.address = Some("10.0.0.2:50000".parse()?);
    let ok = elsewhere.sign_in("agent@example.org", PASSWORD).await?;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    Ok(())
}

async fn a_stale_edit_is_reported_not_applied(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let first = site.person("alex@example.org", Role::Agent).await?;
    site.person("blair@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    let id = ticket(&site, &rita, "Shared drive is slow").await?;
    let mut alex = site.signed_in("alex@example.org").await?;
    let mut blair = site.signed_in("blair@example.org").await?;
    let path = format!("/console/tickets/{id}");
    let a_csrf = alex.csrf(&path).await?;
    let b_csrf = blair.csrf(&path).await?;
    let version = site.desk.ticket(&first, id).await?.row.version.to_string();
    let form = |csrf: &str, urgency: &'static str| {
        vec![
            ("csrf".to_owned(), csrf.to_owned()),
            ("version".into(), version.clone()),
            ("status".into(), "open".into()),
            ("impact".into(), "medium".into()),
            ("urgency".into(), urgency.into()),
            ("priority".into(), "auto".into()),
        ]
    };
    let as_refs = |v: &Vec<(String, String)>| {
        v.iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    let a = as_refs(&form(&a_csrf, "high"));
    let a: Vec<(&str, &str)> = a.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        alex.post(&format!("{path}/fields"), &a).await?.status,
        StatusCode::SEE_OTHER
    );
    let b = as_refs(&form(&b_csrf, "low"));
    let b: Vec<(&str, &str)> = b.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let stale = blair.post(&format!("{path}/fields"), &b).await?;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Someone else changed this ticket"));
    assert_eq!(site.desk.ticket(&first, id).await?.row.urgency, "high");
    Ok(())
}

async fn signing_out_ends_the_session(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let mut b = site.signed_in("agent@example.org").await?;
    let token = b
        .cookies
        .get("frontline_session")
        .cloned()
        .unwrap_or_default();
    let csrf = b.csrf("/console").await?;
    let out = b.post("/logout", &[("csrf", &csrf)]).await?;
    assert_eq!(out.location(), "/login");
    assert!(!b.cookies.contains_key("frontline_session"));
    // The old cookie value is dead on the server too, not just forgotten by the browser.
    b.cookies.insert("frontline_session".into(), token);
    assert!(b.get("/console").await?.location().starts_with("/login"));
    Ok(())
}

async fn a_long_queue_pages_without_gaps(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    for n in 0..53 {
        ticket(&site, &rita, &format!("Queue item {n}")).await?;
    }
    let mut b = site.signed_in("agent@example.org").await?;
    let first = b.get("/console?queue=open&sort=-created").await?;
    assert_eq!(first.body.matches("data-row").count(), 50);
    assert!(first.body.contains("data-count=\"open\">53<"));
    let next = first
        .body
        .split_once("rel=\"next\"")
        .and_then(|(before, _)| before.rsplit_once("href=\""))
        .map(|(_, link)| link.trim_end_matches("\" ").replace("&#38;", "&"))
        .ok_or("no next page link")?;
    let second = b.get(&next).await?;
    assert_eq!(second.status, StatusCode::OK, "{next}");
    assert_eq!(second.body.matches("data-row").count(), 3);
    assert!(!second.body.contains("rel=\"next\""));
    assert!(second.body.contains("First page"));
    // Newest first: the first page starts at the last one opened, the second ends at the first.
    assert!(first.body.contains("Queue item 52<"));
    assert!(second.body.contains("Queue item 0<"));
    assert!(!first.body.contains("Queue item 2<"));
    let broken = b.get("/console?queue=open&after=x").await?;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    Ok(())
}

async fn an_agent_logs_a_call_for_a_new_requester(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let agent = site.person("agent@example.org", Role::Agent).await?;
    site.person("rita@example.org", Role::Requester).await?;
    let mut b = site.signed_in("agent@example.org").await?;
    let form = b.get("/console/new").await?;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.csrf();
    let call = |requester: &'static str| {
        [
            ("requester", requester),
            ("subject", "Cannot log in to the VPN"),
            ("description", "Called from the airport."),
            ("category", ""),
            ("impact", "low"),
            ("urgency", "high"),
            ("assign_to_me", "yes"),
        ]
    };
    let mut bad = vec![("csrf", csrf.as_str())];
    bad.extend(call("not an address"));
    let refused = b.post("/console/tickets", &bad).await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("requester"), "{}", refused.body);
    assert!(
        refused.body.contains("Called from the airport."),
        "the form keeps what was typed"
    );

    let mut good = vec![("csrf", csrf.as_str())];
    good.extend(call("new.caller@example.org"));
    let made = b.post("/console/tickets", &good).await?;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let id: i64 = made
        .location()
        .trim_start_matches("/console/tickets/")
        .parse()?;
    let t = site.desk.ticket(&agent, id).await?;
    assert_eq!(t.requester_email, "new.caller@example.org");
    assert_eq!(t.row.channel, "phone");
    assert_eq!(t.assignee_email.as_deref(), Some("agent@example.org"));

    let mut rita = site.signed_in("rita@example.org").await?;
    assert_eq!(
        rita.get("/console/new").await?.status,
        StatusCode::FORBIDDEN
    );
    let csrf = rita.csrf("/portal/new").await?;
    let mut theirs = vec![("csrf", csrf.as_str())];
    theirs.extend(call("someone.else@example.org"));
    assert_eq!(
        rita.post("/console/tickets", &theirs).await?.status,
        StatusCode::FORBIDDEN
    );
    Ok(())
}

async fn bulk_changes_apply_to_each_selected_ticket(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let agent = site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    let a = ticket(&site, &rita, "Bulk one").await?.to_string();
    let b = ticket(&site, &rita, "Bulk two").await?.to_string();
    let closed = ticket(&site, &rita, "Already closed").await?;
    let close = frontline_core::tickets::TicketPatch {
        status: Some(frontline_domain::Status::Closed),
        ..Default::default()
    };
    site.desk.update_ticket(&agent, closed, close, None).await?;
    let mut browser = site.signed_in("agent@example.org").await?;
    let page = browser.get("/console?queue=open").await?;
    assert!(page.body.contains("Apply to selected"));
    let csrf = page.csrf();

    let fields = [
        ("ids", a.as_str()),
        ("ids", b.as_str()),
        ("assignee", "me"),
        ("status", "pending"),
        ("back", "/console?queue=open"),
    ];
    let forged = browser.post("/console/bulk", &fields).await?;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        site.desk.ticket(&agent, a.parse()?).await?.row.status,
        "new"
    );

    let mut signed = vec![("csrf", csrf.as_str())];
    signed.extend(fields);
    let done = browser.post("/console/bulk", &signed).await?;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/console?queue=open");
    for id in [&a, &b] {
        let t = site.desk.ticket(&agent, id.parse()?).await?;
        assert_eq!(t.row.status, "pending");
        assert_eq!(t.assignee_email.as_deref(), Some("agent@example.org"));
    }

    // One that cannot change is named; the others still change.
    let closed_id = closed.to_string();
    let mixed = [
        ("csrf", csrf.as_str()),
        ("ids", a.as_str()),
        ("ids", closed_id.as_str()),
        ("status", "open"),
    ];
    let partly = browser.post("/console/bulk", &mixed).await?;
    assert_eq!(partly.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        partly.body.contains(&format!("#{closed}")) && partly.body.contains("1 of 2"),
        "{}",
        partly.body
    );
    assert_eq!(
        site.desk.ticket(&agent, a.parse()?).await?.row.status,
        "open"
    );

    let nothing = browser
        .post(
            "/console/bulk",
            &[("csrf", csrf.as_str()), ("ids", a.as_str())],
        )
        .await?;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    Ok(())
}

async fn changing_the_password_signs_out_other_sessions(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("rita@example.org", Role::Requester).await?;
    let mut here = site.signed_in("rita@example.org").await?;
    let mut elsewhere = site.signed_in("rita@example.org").await?;
    let csrf = here.csrf("/account/password").await?;
    let new = "a much better passphrase";
    let wrong = here
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", "not it"),
                ("new", new),
                ("confirm", new),
            ],
        )
        .await?;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("not your current password"));
    let differ = here
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", new),
                ("confirm", "typo"),
            ],
        )
        .await?;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = here
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", new),
                ("confirm", new),
            ],
        )
        .await?;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("Your password is changed"));
    assert_eq!(here.get("/portal").await?.status, StatusCode::OK);
    assert!(
        elsewhere
            .get("/portal")
            .await?
            .location()
            .starts_with("/login")
    );
    let mut again = site.browser();
    assert_eq!(
        again.sign_in("rita@example.org", PASSWORD).await?.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        again.sign_in("rita@example.org", new).await?.status,
        StatusCode::SEE_OTHER
    );
    Ok(())
}

async fn the_ticket_page_shows_links_and_the_requesters_other_tickets(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let agent = site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    let sam = site.person("sam@example.org", Role::Requester).await?;
    let a = ticket(&site, &rita, "Monitor flickers").await?;
    let b = ticket(&site, &rita, "Docking station dead").await?;
    let c = ticket(&site, &sam, "Sam's printer").await?;
    site.desk
        .link_tickets(&agent, a, frontline_domain::LinkKind::Related, c)
        .await?;
    let mut browser = site.signed_in("agent@example.org").await?;
    let page = browser.get(&format!("/console/tickets/{a}")).await?;
    assert!(
        page.body.contains(&format!(
            "related <a href=\"/console/tickets/{c}\">#{c}</a>"
        )),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("#{b} Docking station dead")));
    assert!(
        !page.body.contains(&format!("#{a} Monitor flickers<")),
        "the ticket itself is not among the others"
    );
    assert!(
        !page.body.contains("#3 Sam"),
        "another requester's ticket is not among the others"
    );
    Ok(())
}

async fn a_note_attachment_never_downloads_for_the_requester(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    let id = ticket(&site, &rita, "Laptop will not boot").await?;
    let mut agent = site.signed_in("agent@example.org").await?;
    let path = format!("/console/tickets/{id}");
    let csrf = agent.csrf(&path).await?;
    for (kind, file, body) in [
        ("reply", "steps.txt", "Try these steps."),
        ("note", "internal-diag.txt", "Disk SMART errors."),
    ] {
        let sent = agent
            .post_multipart(
                &format!("{path}/comments"),
                &[("csrf", &csrf), ("kind", kind), ("body", body)],
                &[("files", file, file.as_bytes())],
            )
            .await?;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    }
    let page = agent.get(&path).await?;
    let link_of = |name: &str| -> TestResult<String> {
        let (before, _) = page
            .body
            .split_once(&format!("\" download>{name}<"))
            .ok_or("no link")?;
        Ok(before.rsplit_once("href=\"").ok_or("no href")?.1.to_owned())
    };
    let public = link_of("steps.txt")?;
    let internal = link_of("internal-diag.txt")?;
    let got = agent.get(&internal).await?;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body, "internal-diag.txt");
    let disposition = got
        .headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(disposition.starts_with("attachment;"), "{disposition}");

    let mut requester = site.signed_in("rita@example.org").await?;
    assert_eq!(requester.get(&public).await?.status, StatusCode::OK);
    assert_eq!(
        requester.get(&internal).await?.status,
        StatusCode::NOT_FOUND
    );
    let portal = requester.get(&format!("/portal/tickets/{id}")).await?;
    assert!(portal.body.contains("steps.txt") && !portal.body.contains("internal-diag"));
    Ok(())
}

async fn a_queue_is_searched_by_words(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    ticket(&site, &rita, "Printer on floor 3 jams").await?;
    ticket(&site, &rita, "VPN drops at home").await?;
    let mut b = site.signed_in("agent@example.org").await?;
    let found = b.get("/console?queue=open&q=printer").await?;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("Printer on floor 3 jams"));
    assert!(!found.body.contains("VPN drops at home"));
    assert!(found.body.contains("matching “printer”"));
    let odd = b.get("/console?queue=open&q=%3Cb%3E%25_").await?;
    assert_eq!(odd.status, StatusCode::OK);
    assert!(!odd.body.contains("<b>%_") && odd.body.contains("&#60;b&#62;%_"));
    assert!(odd.body.contains("Nothing in this queue."));
    Ok(())
}
