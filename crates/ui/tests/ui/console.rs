//! The agent console in process, on both databases: forms refused without the session's
//! token, stale edits, queue pages and search, logging a call, bulk changes, the ticket page's
//! links and the requester's other tickets.

use crate::support;

use axum::http::StatusCode;
use frontline_core::Store;
use frontline_domain::{CommentId, Role, TicketId};
use support::{PASSWORD, Site, TestResult, stories};

stories! {
    forms_without_the_session_token_are_refused,
    a_stale_edit_is_reported_not_applied,
    a_long_queue_pages_without_gaps,
    a_queue_is_searched_by_words,
    an_agent_logs_a_call_for_a_new_requester,
    bulk_changes_apply_to_each_selected_ticket,
    the_ticket_page_shows_links_and_the_requesters_other_tickets,
}

async fn forms_without_the_session_token_are_refused(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    let id = site.ticket(&rita, "Printer jam").await?;
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
        .auth()
        .authenticate_password("agent@example.org", PASSWORD)
        .await?;
    assert_eq!(
        site.desk
            .tickets()
            .ticket(&actor, id)
            .await?
            .record
            .status
            .as_str(),
        "new"
    );
    assert!(
        site.desk
            .comments()
            .list(&actor, id, CommentId::default(), 10)
            .await?
            .is_empty()
    );
    assert_eq!(agent.get("/console").await?.status, StatusCode::OK);

    let mut with = vec![("csrf", csrf.as_str())];
    with.extend(fields);
    let saved = agent
        .post(&format!("/console/tickets/{id}/fields"), &with)
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        site.desk
            .tickets()
            .ticket(&actor, id)
            .await?
            .record
            .status
            .as_str(),
        "pending"
    );
    Ok(())
}

async fn a_stale_edit_is_reported_not_applied(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let first = site.person("alex@example.org", Role::Agent).await?;
    site.person("blair@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    let id = site.ticket(&rita, "Shared drive is slow").await?;
    let mut alex = site.signed_in("alex@example.org").await?;
    let mut blair = site.signed_in("blair@example.org").await?;
    let path = format!("/console/tickets/{id}");
    let a_csrf = alex.csrf(&path).await?;
    let b_csrf = blair.csrf(&path).await?;
    let version = site
        .desk
        .tickets()
        .ticket(&first, id)
        .await?
        .record
        .version
        .to_string();
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
    assert_eq!(
        site.desk
            .tickets()
            .ticket(&first, id)
            .await?
            .record
            .urgency
            .as_str(),
        "high"
    );
    Ok(())
}

async fn a_long_queue_pages_without_gaps(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    for n in 0..53 {
        site.ticket(&rita, &format!("Queue item {n}")).await?;
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

async fn a_queue_is_searched_by_words(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    site.ticket(&rita, "Printer on floor 3 jams").await?;
    site.ticket(&rita, "VPN drops at home").await?;
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
    let refused = b.post_multipart("/console/tickets", &bad, &[]).await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("requester"), "{}", refused.body);
    assert!(
        refused.body.contains("Called from the airport."),
        "the form keeps what was typed"
    );

    let mut good = vec![("csrf", csrf.as_str())];
    good.extend(call("new.caller@example.org"));
    let made = b
        .post_multipart(
            "/console/tickets",
            &good,
            &[("files", "headset.log", b"VPN: handshake failed")],
        )
        .await?;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let id: i64 = made
        .location()
        .trim_start_matches("/console/tickets/")
        .parse()?;
    let t = site
        .desk
        .tickets()
        .ticket(&agent, TicketId::new(id))
        .await?;
    assert_eq!(t.requester_email, "new.caller@example.org");
    assert_eq!(t.record.channel.as_str(), "phone");
    assert_eq!(t.assignee_email.as_deref(), Some("agent@example.org"));
    // The caller's file is on an internal note, and downloads.
    let comments = site
        .desk
        .comments()
        .list(&agent, TicketId::new(id), CommentId::default(), 10)
        .await?;
    let note = comments.first().ok_or("no comment with the files")?;
    assert!(note.record.internal);
    assert_eq!(note.attachments.len(), 1);
    assert_eq!(note.attachments[0].filename, "headset.log");
    let page = b.get(&format!("/console/tickets/{id}")).await?;
    assert!(page.body.contains("headset.log"), "{}", page.body);

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
    let a = site.ticket(&rita, "Bulk one").await?.to_string();
    let b = site.ticket(&rita, "Bulk two").await?.to_string();
    let closed = site.ticket(&rita, "Already closed").await?;
    let close = frontline_core::tickets::TicketPatch {
        status: Some(frontline_domain::Status::Closed),
        ..Default::default()
    };
    site.desk
        .tickets()
        .update_ticket(&agent, closed, close, None)
        .await?;
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
        site.desk
            .tickets()
            .ticket(&agent, a.parse()?)
            .await?
            .record
            .status
            .as_str(),
        "new"
    );

    let mut signed = vec![("csrf", csrf.as_str())];
    signed.extend(fields);
    let done = browser.post("/console/bulk", &signed).await?;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/console?queue=open");
    for id in [&a, &b] {
        let t = site.desk.tickets().ticket(&agent, id.parse()?).await?;
        assert_eq!(t.record.status.as_str(), "pending");
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
        site.desk
            .tickets()
            .ticket(&agent, a.parse()?)
            .await?
            .record
            .status
            .as_str(),
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

async fn the_ticket_page_shows_links_and_the_requesters_other_tickets(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let agent = site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    let sam = site.person("sam@example.org", Role::Requester).await?;
    let a = site.ticket(&rita, "Monitor flickers").await?;
    let b = site.ticket(&rita, "Docking station dead").await?;
    let c = site.ticket(&sam, "Sam's printer").await?;
    site.desk
        .tickets()
        .link_tickets(&agent, a, frontline_domain::LinkKind::Related, c)
        .await?;
    let mut browser = site.signed_in("agent@example.org").await?;
    let page = browser.get(&format!("/console/tickets/{a}")).await?;
    assert!(
        page.body.contains(&format!(
            "Related to <a href=\"/console/tickets/{c}\">#{c}</a>"
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
