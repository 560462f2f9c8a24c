//! Saved views, canned responses, presence across nodes and sign-in behind a trusted proxy,
//! in process on both databases.

use crate::support;

use axum::http::StatusCode;
use frontline_core::Store;
use frontline_core::tickets::TicketPatch;
use frontline_domain::{CommentId, Email, Level, Role};
use support::{Browser, PASSWORD, Site, TestResult, stories};

stories! {
    an_agent_saves_a_filtered_queue_as_a_view_and_renames_and_deletes_it,
    shared_views_reach_the_group_and_private_ones_nobody_else,
    a_canned_response_is_inserted_into_the_reply_filled_in,
    agents_keep_their_canned_responses_on_a_page,
    viewers_are_seen_across_nodes,
    behind_a_trusted_proxy_the_forwarded_address_is_throttled,
}

/// The `id` in a `/console?view=ID` redirect.
fn view_id(location: &str) -> TestResult<i64> {
    Ok(location
        .strip_prefix("/console?view=")
        .ok_or_else(|| format!("not a view: {location}"))?
        .parse()?)
}

async fn save_view(b: &mut Browser, fields: &[(&str, &str)]) -> TestResult<support::Page> {
    let csrf = b.csrf("/console").await?;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    b.post("/console/views", &form).await
}

async fn an_agent_saves_a_filtered_queue_as_a_view_and_renames_and_deletes_it(
    store: &Store,
) -> TestResult {
    let site = Site::new(store).await?;
    let agent = site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    let mut urgent = Vec::new();
    for n in 0..3 {
        let id = site.ticket(&rita, &format!("VPN down {n}")).await?;
        let patch = TicketPatch {
            impact: Some(Level::High),
            urgency: Some(Level::High),
            ..TicketPatch::default()
        };
        site.desk
            .tickets()
            .update_ticket(&agent, id, patch, None)
            .await?;
        urgent.push(id);
    }
    let calm = site.ticket(&rita, "VPN slow on Fridays").await?;
    let mut b = site.signed_in("agent@example.org").await?;

    // The filters narrow the queue on screen.
    let filtered = b.get("/console?queue=open&priority=P1&q=VPN").await?;
    assert_eq!(filtered.status, StatusCode::OK);
    assert!(filtered.body.contains("VPN down 0"));
    assert!(!filtered.body.contains("VPN slow on Fridays"));
    assert!(
        filtered.body.contains("(3)"),
        "the count of the filtered queue"
    );

    let saved = save_view(
        &mut b,
        &[
            ("name", "Urgent VPN"),
            ("share", "private"),
            ("queue", "open"),
            ("priority", "P1"),
            ("group", ""),
            ("q", "VPN"),
            ("sort", "-created"),
        ],
    )
    .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let id = view_id(saved.location())?;
    // It sits beside the built-in queues with its count, on every console page.
    let queues = b.get("/console").await?;
    assert!(queues.body.contains("Urgent VPN"), "{}", queues.body);
    assert!(
        queues
            .body
            .contains(&format!("data-count=\"view-{id}\">3</span>")),
        "{}",
        queues.body
    );
    // Its page lists its tickets, newest first, and not the others.
    let page = b.get(&format!("/console?view={id}")).await?;
    assert_eq!(page.status, StatusCode::OK);
    let (first, last) = (
        page.body.find("VPN down 2").ok_or("missing ticket")?,
        page.body.find("VPN down 0").ok_or("missing ticket")?,
    );
    assert!(first < last, "newest first");
    assert!(!page.body.contains(&format!("/console/tickets/{calm}\"")));

    // A second view of the same name is refused in words.
    let again = save_view(
        &mut b,
        &[
            ("name", "Urgent VPN"),
            ("share", "private"),
            ("queue", "open"),
        ],
    )
    .await?;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("already have a view named"));

    let csrf = b.csrf("/console").await?;
    let renamed = b
        .post(
            &format!("/console/views/{id}/rename"),
            &[("csrf", &csrf), ("name", "VPN fires")],
        )
        .await?;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    assert!(b.get("/console").await?.body.contains("VPN fires"));
    // Without the token nothing happens.
    let refused = b.post(&format!("/console/views/{id}/delete"), &[]).await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let deleted = b
        .post(&format!("/console/views/{id}/delete"), &[("csrf", &csrf)])
        .await?;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(!b.get("/console").await?.body.contains("VPN fires"));
    assert_eq!(
        b.get(&format!("/console?view={id}")).await?.status,
        StatusCode::NOT_FOUND
    );
    Ok(())
}

async fn shared_views_reach_the_group_and_private_ones_nobody_else(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let admin = site.person("admin@example.org", Role::Admin).await?;
    site.person("ana@example.org", Role::Agent).await?;
    site.person("ben@example.org", Role::Agent).await?;
    site.person("cy@example.org", Role::Agent).await?;
    site.desk
        .people()
        .add_group(Some(&admin), "Network", "")
        .await?;
    site.desk
        .people()
        .set_group_members(
            Some(&admin),
            "Network",
            &[
                Email::parse("members", "ana@example.org")?,
                Email::parse("members", "ben@example.org")?,
            ],
        )
        .await?;
    let mut ana = site.signed_in("ana@example.org").await?;
    let mine = save_view(
        &mut ana,
        &[
            ("name", "Just mine"),
            ("share", "private"),
            ("queue", "mine"),
        ],
    )
    .await?;
    let mine = view_id(mine.location())?;
    let team = save_view(
        &mut ana,
        &[
            ("name", "Network team"),
            ("share", "group:Network"),
            ("queue", "unassigned"),
        ],
    )
    .await?;
    let team = view_id(team.location())?;
    // An agent may not share with everyone; a manager or admin may.
    let everyone = save_view(
        &mut ana,
        &[
            ("name", "For all"),
            ("share", "everyone"),
            ("queue", "open"),
        ],
    )
    .await?;
    assert_eq!(everyone.status, StatusCode::FORBIDDEN);

    let mut ben = site.signed_in("ben@example.org").await?;
    let seen = ben.get("/console").await?;
    assert!(seen.body.contains("Network team"));
    assert!(!seen.body.contains("Just mine"));
    assert_eq!(
        ben.get(&format!("/console?view={mine}")).await?.status,
        StatusCode::NOT_FOUND
    );
    // A member sees a shared view but only its owner (or a manager) changes it.
    assert_eq!(
        ben.get(&format!("/console?view={team}")).await?.status,
        StatusCode::OK
    );
    let csrf = ben.csrf("/console").await?;
    let taken = ben
        .post(&format!("/console/views/{team}/delete"), &[("csrf", &csrf)])
        .await?;
    assert_eq!(taken.status, StatusCode::FORBIDDEN);

    let mut cy = site.signed_in("cy@example.org").await?;
    assert!(!cy.get("/console").await?.body.contains("Network team"));
    assert_eq!(
        cy.get(&format!("/console?view={team}")).await?.status,
        StatusCode::NOT_FOUND
    );
    Ok(())
}

async fn a_canned_response_is_inserted_into_the_reply_filled_in(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let admin = site.person("admin@example.org", Role::Admin).await?;
    let agent = site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    let id = site.ticket(&rita, "Password expired").await?;
    let desk_wide = site
        .desk
        .canned()
        .add_canned(
            &admin,
            true,
            "Password reset",
            "Hello {{requester.name}}, about #{{ticket.number}}: reset done. {{agent.name}}",
        )
        .await?;
    site.desk
        .canned()
        .add_canned(&agent, false, "My sign-off", "Cheers, {{agent.name}}")
        .await?;
    // An agent may keep their own but not the desk's.
    assert!(
        site.desk
            .canned()
            .add_canned(&agent, true, "Not mine to add", "x")
            .await
            .is_err()
    );

    let mut b = site.signed_in("agent@example.org").await?;
    let page = b.get(&format!("/console/tickets/{id}")).await?;
    assert!(page.body.contains("Password reset"));
    assert!(page.body.contains("My sign-off (yours)"));
    let csrf = page.csrf();
    let canned = desk_wide.id.to_string();
    let inserted = b
        .post_multipart(
            &format!("/console/tickets/{id}/comments"),
            &[
                ("csrf", &csrf),
                ("kind", "reply"),
                ("canned", &canned),
                ("action", "insert"),
                ("body", "Thanks for calling."),
            ],
            &[],
        )
        .await?;
    assert_eq!(inserted.status, StatusCode::OK, "{}", inserted.body);
    let expected =
        format!("Thanks for calling.\n\nHello rita, about #{id}: reset done. agent</textarea>");
    assert!(inserted.body.contains(&expected), "{}", inserted.body);
    // Nothing was sent.
    assert!(
        site.desk
            .comments()
            .list(&agent, id, CommentId::default(), 10)
            .await?
            .is_empty()
    );
    // The filled text goes out as any reply.
    let sent = b
        .post_multipart(
            &format!("/console/tickets/{id}/comments"),
            &[
                ("csrf", &csrf),
                ("kind", "reply"),
                ("canned", &canned),
                ("action", "send"),
                (
                    "body",
                    &format!("Hello rita, about #{id}: reset done. agent"),
                ),
            ],
            &[],
        )
        .await?;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(
        site.desk
            .comments()
            .list(&agent, id, CommentId::default(), 10)
            .await?
            .len(),
        1
    );
    // Another agent's own responses are not offered (and cannot be filled in).
    site.person("other@example.org", Role::Agent).await?;
    let mut other = site.signed_in("other@example.org").await?;
    let theirs = other.get(&format!("/console/tickets/{id}")).await?;
    assert!(!theirs.body.contains("My sign-off"));
    Ok(())
}

async fn viewers_are_seen_across_nodes(store: &Store) -> TestResult {
    let first = Site::new(store).await?;
    // On PostgreSQL a second node shares the database; a SQLite desk is one node.
    let second = match store.backend() {
        frontline_core::Backend::Postgres => Site::new(store).await?,
        frontline_core::Backend::Sqlite => Site {
            router: first.router.clone(),
            desk: first.desk.clone(),
        },
    };
    first.person("alex@example.org", Role::Agent).await?;
    first.person("blair@example.org", Role::Agent).await?;
    let rita = first.person("rita@example.org", Role::Requester).await?;
    let id = first.ticket(&rita, "Monitor flickers").await?;
    let mut alex = first.signed_in("alex@example.org").await?;
    let mut blair = second.signed_in("blair@example.org").await?;
    let page = format!("/console/tickets/{id}");
    let alone = alex.get(&page).await?;
    assert!(!alone.body.contains("Also viewing this ticket"));
    let seen = blair.get(&page).await?;
    assert!(
        seen.body.contains("Also viewing this ticket: alex"),
        "{}",
        seen.body
    );
    let back = alex.get(&page).await?;
    assert!(back.body.contains("Also viewing this ticket: blair"));
    // Another ticket has no viewers.
    let other = first.ticket(&rita, "Keyboard sticky").await?;
    let quiet = blair.get(&format!("/console/tickets/{other}")).await?;
    assert!(!quiet.body.contains("Also viewing this ticket"));
    Ok(())
}

async fn behind_a_trusted_proxy_the_forwarded_address_is_throttled(store: &Store) -> TestResult {
    use frontline_core::sessions::ADDRESS_FAILURES;
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    // Every client comes through the proxy at 10.0.0.2.
    let mut guesser = site.browser_behind(&["10.0.0.0/24"])?;
    guesser.address = Some("10.0.0.2:40000".parse()?);
    guesser.forwarded_for = Some("203.0.113.50".to_owned());
    for n in 0..ADDRESS_FAILURES {
        let page = guesser
            .sign_in(&format!("nobody{n}@example.org"), "guess")
            .await?;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let throttled = guesser.sign_in("agent@example.org", PASSWORD).await?;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy is not locked out with the guesser.
    let mut colleague = site.browser_behind(&["10.0.0.0/24"])?;
    colleague.address = Some("10.0.0.2:40001".parse()?);
    colleague.forwarded_for = Some("198.51.100.8, 10.0.0.7".to_owned());
    let ok = colleague.sign_in("agent@example.org", PASSWORD).await?;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);

    // A peer that is no trusted proxy cannot choose its address with the header.
    let mut forger = site.browser_behind(&["10.0.0.0/24"])?;
    forger.address = Some("192.0.2.66:50000".parse()?);
    for n in 0..ADDRESS_FAILURES {
        forger.forwarded_for = Some(format!("198.18.0.{n}"));
        let page = forger
            .sign_in(&format!("other{n}@example.org"), "guess")
            .await?;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    forger.forwarded_for = Some("198.18.1.1".to_owned());
    let refused = forger.sign_in("agent@example.org", PASSWORD).await?;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    Ok(())
}

async fn agents_keep_their_canned_responses_on_a_page(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    site.person("admin@example.org", Role::Admin).await?;
    let mut b = site.signed_in("agent@example.org").await?;
    let page = b.get("/console/canned").await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("{{requester.name}}"),
        "placeholders are listed"
    );
    let csrf = page.csrf();
    let typo = b
        .post(
            "/console/canned",
            &[
                ("csrf", &csrf),
                ("name", "Hi"),
                ("body", "Hi {{requester}}"),
            ],
        )
        .await?;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(typo.body.contains("unknown placeholder"));
    assert!(
        typo.body.contains("Hi {{requester}}"),
        "what was typed stays"
    );
    // An agent asking for the desk's scope is refused, not quietly given their own.
    let desk = b
        .post(
            "/console/canned",
            &[
                ("csrf", &csrf),
                ("name", "Desk"),
                ("body", "x"),
                ("scope", "desk"),
            ],
        )
        .await?;
    assert_eq!(desk.status, StatusCode::FORBIDDEN);
    let added = b
        .post(
            "/console/canned",
            &[
                ("csrf", &csrf),
                ("name", "Hi"),
                ("body", "Hi <b>{{requester.name}}</b>"),
            ],
        )
        .await?;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let listed = b.get("/console/canned").await?;
    assert!(listed.body.contains("{{requester.name}}"));
    assert!(!listed.body.contains("<b>"), "the body is escaped");
    let id = site
        .desk
        .canned()
        .canned_responses(
            &site
                .desk
                .auth()
                .authenticate_password("agent@example.org", PASSWORD)
                .await?,
        )
        .await?
        .first()
        .map(|c| c.id)
        .ok_or("no response")?;
    let changed = b
        .post(
            &format!("/console/canned/{id}"),
            &[
                ("csrf", &csrf),
                ("name", "Hello"),
                ("body", "Hello {{requester.name}}"),
            ],
        )
        .await?;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    assert!(
        b.get("/console/canned")
            .await?
            .body
            .contains("Hello {{requester.name}}")
    );
    // Someone else's own response is not theirs to delete.
    let mut admin = site.signed_in("admin@example.org").await?;
    let admin_csrf = admin.csrf("/console/canned").await?;
    let taken = admin
        .post(
            &format!("/console/canned/{id}/delete"),
            &[("csrf", &admin_csrf)],
        )
        .await?;
    assert_eq!(taken.status, StatusCode::NOT_FOUND);
    let deleted = b
        .post(&format!("/console/canned/{id}/delete"), &[("csrf", &csrf)])
        .await?;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(!b.get("/console/canned").await?.body.contains("Hello {{"));
    Ok(())
}
