//! The portal and what a requester can reach, in process on both databases: their own public
//! conversation and files only, never a note, another's ticket or a console page; every user
//! string escaped and the security headers on every page. A watcher reads and replies to a
//! ticket that is not theirs, but closing it stays its requester's.

use crate::support;

use axum::http::StatusCode;
use frontline_core::tickets::NewComment;
use frontline_core::{Actor, Store};
use frontline_domain::{Role, TicketId};
use support::{Site, TestResult, stories};

stories! {
    requesters_reach_only_their_own_public_conversation,
    a_note_attachment_never_downloads_for_the_requester,
    user_strings_are_escaped_and_headers_set,
    a_watcher_replies_in_the_portal_but_does_not_close,
}

async fn a_watcher_replies_in_the_portal_but_does_not_close(store: &Store) -> TestResult {
    use frontline_core::tickets::NewTicket;
    use frontline_domain::{Email, Status, Subject};
    let site = Site::new(store).await?;
    let agent = site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    site.person("wes@example.org", Role::Requester).await?;
    let new = NewTicket {
        requester: Some(Email::parse("requester", &rita.email)?),
        watchers: vec![Email::parse("watchers", "wes@example.org")?],
        ..NewTicket::new(
            Subject::parse("Plotter jams")?,
            "On A3.",
            frontline_domain::Channel::Phone,
        )
    };
    let id = site.open(&agent, new).await?;
    site.set_status(&agent, id, Status::Resolved).await?;
    let path = format!("/portal/tickets/{id}");

    let mut wes = site.signed_in("wes@example.org").await?;
    let page = wes.get(&path).await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Send reply") && !page.body.contains("Close this request"));
    let csrf = page.csrf();
    let closed = wes
        .post(&format!("{path}/close"), &[("csrf", &csrf)])
        .await?;
    assert_eq!(closed.status, StatusCode::FORBIDDEN);
    assert!(
        closed
            .body
            .contains("only the ticket&#39;s requester may change it"),
        "{}",
        closed.body
    );
    let replied = wes
        .post_multipart(
            &format!("{path}/replies"),
            &[("csrf", &csrf), ("body", "Jams on my floor too.")],
            &[],
        )
        .await?;
    assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.body);
    assert_eq!(
        status_of(&site, &agent, id).await?,
        "resolved",
        "a watcher's reply does not reopen the ticket"
    );
    let mut own = site.signed_in("rita@example.org").await?;
    assert!(own.get(&path).await?.body.contains("Close this request"));
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
    let t = site
        .desk
        .tickets()
        .ticket(&agent, TicketId::new(id))
        .await?;
    assert_eq!(
        (t.record.urgency.as_str(), t.record.channel.as_str()),
        ("high", "portal")
    );

    site.desk
        .comments()
        .add_comment(
            &agent,
            TicketId::new(id),
            NewComment {
                body: "Looking at the VPN logs now.".into(),
                internal: false,
                attachments: vec![],
                time: None,
            },
        )
        .await?;
    site.desk
        .comments()
        .add_comment(
            &agent,
            TicketId::new(id),
            NewComment {
                body: "SECRET-NOTE: concentrator firmware bug".into(),
                internal: true,
                attachments: vec![],
                time: None,
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
    let others = site.ticket(&sam, "Sam's laptop").await?;
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
        .tickets()
        .update_ticket(
            &agent,
            TicketId::new(id),
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
    assert_eq!(status_of(&site, &agent, TicketId::new(id)).await?, "open");
    let closed = rita
        .post(&format!("{path}/close"), &[("csrf", &csrf)])
        .await?;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&site, &agent, TicketId::new(id)).await?, "closed");
    Ok(())
}

async fn a_note_attachment_never_downloads_for_the_requester(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    let id = site.ticket(&rita, "Laptop will not boot").await?;
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

async fn user_strings_are_escaped_and_headers_set(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let agent = site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    let id = site.ticket(&rita, "<script>alert(1)</script>").await?;
    site.desk
        .comments()
        .add_comment(
            &agent,
            id,
            NewComment {
                body: "<img src=x onerror=alert(2)>".into(),
                internal: false,
                attachments: vec![],
                time: None,
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

/// The ticket's status as `who` reads it.
async fn status_of(site: &Site, who: &Actor, id: TicketId) -> TestResult<&'static str> {
    Ok(site
        .desk
        .tickets()
        .ticket(who, id)
        .await?
        .record
        .status
        .as_str())
}
