//! Finding tickets in the console, on both databases: the queues that together cover every
//! ticket (my groups, new and unassigned in all groups, solved and closed, all) with their
//! counts, the default group that catches what nothing routes, the list's names and
//! orderable headers, the header's search (a number opens the ticket, a name or email finds
//! the person, words find replies and notes of closed tickets too), and error pages that keep
//! the navigation.

use axum::http::StatusCode;
use frontline_core::tickets::{NewComment, TicketPatch};
use frontline_core::{Actor, Store};
use frontline_domain::{Email, Role, Status, TicketId};

use crate::support;
use support::{Site, TestResult, stories};

stories! {
    every_ticket_is_in_a_queue_and_unrouted_ones_join_the_default_group,
    the_list_shows_names_and_orders_by_its_headers,
    the_header_search_finds_tickets_and_people,
    error_pages_keep_the_navigation,
}

/// Whether ticket `id` is listed on a page.
fn lists(body: &str, id: TicketId) -> bool {
    body.contains(&format!("data-id=\"{id}\""))
}

/// The count a queue's tab shows.
fn count(body: &str, key: &str) -> String {
    let marker = format!("data-count=\"{key}\">");
    body.split_once(&marker)
        .and_then(|(_, rest)| rest.split_once('<'))
        .map(|(n, _)| n.to_owned())
        .unwrap_or_else(|| panic!("the {key} tab shows a count"))
}

async fn assign(
    site: &Site,
    by: &Actor,
    id: TicketId,
    group: &str,
    to: Option<&Actor>,
) -> TestResult {
    let patch = TicketPatch {
        group: Some(Some(group.to_owned())),
        assignee: Some(to.map(|a| a.email.clone())),
        ..Default::default()
    };
    site.desk
        .tickets()
        .update_ticket(by, id, patch, None)
        .await?;
    Ok(())
}

async fn every_ticket_is_in_a_queue_and_unrouted_ones_join_the_default_group(
    store: &Store,
) -> TestResult {
    let site = Site::new(store).await?;
    let admin = site.person("admin@example.org", Role::Admin).await?;
    let agent = site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    let people = site.desk.people();
    for g in ["Service Desk", "Network"] {
        people.add_group(None, g, "").await?;
    }
    let agent_email = Email::parse("email", &agent.email)?;
    people
        .set_group_members(None, "Service Desk", std::slice::from_ref(&agent_email))
        .await?;

    // Before a default group is set, a portal ticket has none.
    let loose = site.ticket(&rita, "Nobody routed this").await?;
    assert_eq!(
        site.desk.tickets().ticket(&agent, loose).await?.group_name,
        None
    );
    let mut b = site.signed_in("admin@example.org").await?;
    let page = b.get("/admin/assignment").await?;
    assert!(page.body.contains("id=\"default-group\""), "{}", page.body);
    let csrf = page.csrf();
    let bad = b
        .post(
            "/admin/assignment/default-group",
            &[("csrf", &csrf), ("group", "Nope")],
        )
        .await?;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(site.desk.config().default_group().await?, None);
    let saved = b
        .post(
            "/admin/assignment/default-group",
            &[("csrf", &csrf), ("group", "Service Desk")],
        )
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        site.desk.config().default_group().await?.as_deref(),
        Some("Service Desk")
    );

    let routed = site.ticket(&rita, "Portal request lands somewhere").await?;
    let routed_view = site.desk.tickets().ticket(&agent, routed).await?;
    assert_eq!(routed_view.group_name.as_deref(), Some("Service Desk"));
    let network = site.ticket(&rita, "Switch port dead").await?;
    assign(&site, &admin, network, "Network", None).await?;
    let mine = site.ticket(&rita, "My laptop").await?;
    assign(&site, &admin, mine, "Service Desk", Some(&agent)).await?;
    let done = site.ticket(&rita, "Old and solved").await?;
    site.set_status(&agent, done, Status::Resolved).await?;

    let mut a = site.signed_in("agent@example.org").await?;
    let groups = a.get("/console?queue=groups").await?.body;
    assert!(
        lists(&groups, routed) && lists(&groups, mine),
        "my groups: any assignee"
    );
    assert!(!lists(&groups, network) && !lists(&groups, loose));
    let triage = a.get("/console?queue=triage").await?.body;
    for id in [loose, routed, network] {
        assert!(
            lists(&triage, id),
            "triage lists unassigned #{id} of any group or none"
        );
    }
    assert!(!lists(&triage, mine) && !lists(&triage, done));
    let closed = a.get("/console?queue=closed").await?.body;
    assert!(lists(&closed, done) && !lists(&closed, routed));
    let all = a.get("/console?queue=all").await?.body;
    for id in [loose, routed, network, mine, done] {
        assert!(lists(&all, id), "all tickets lists #{id}");
    }
    // The sidebar counts what each queue lists.
    for (key, n) in [
        ("groups", "2"),
        ("triage", "3"),
        ("closed", "1"),
        ("all", "5"),
        ("open", "4"),
    ] {
        assert_eq!(count(&all, key), n, "the {key} count");
    }
    Ok(())
}

async fn the_list_shows_names_and_orders_by_its_headers(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let agent = site
        .person_named("agent@example.org", "Alex Agent", Role::Agent)
        .await?;
    let rita = site
        .person_named("rita@example.org", "Rita Requester", Role::Requester)
        .await?;
    site.desk.people().add_group(None, "Network", "").await?;
    let first = site.ticket(&rita, "First of two").await?;
    let second = site.ticket(&rita, "Second of two").await?;
    assign(&site, &agent, first, "Network", Some(&agent)).await?;

    let mut a = site.signed_in("agent@example.org").await?;
    let page = a.get("/console?queue=open").await?.body;
    assert!(page.contains("Alex Agent") && page.contains("Rita Requester"));
    assert!(
        !page.contains(">agent@example.org<"),
        "the assignee is named, not mailed"
    );
    assert!(page.contains(">Network<"), "the group column");
    // The number header orders newest first, then oldest first.
    let newest = a.get("/console?queue=open&sort=-created").await?.body;
    assert!(newest.contains("aria-sort=\"descending\""));
    let at = |body: &str, id: TicketId| body.find(&format!("data-id=\"{id}\""));
    assert!(at(&newest, second) < at(&newest, first));
    assert!(
        newest.contains("href=\"/console?queue=open&#38;sort=created\""),
        "{newest}"
    );
    let oldest = a.get("/console?queue=open&sort=created").await?.body;
    assert!(oldest.contains("aria-sort=\"ascending\""));
    assert!(at(&oldest, first) < at(&oldest, second));
    Ok(())
}

async fn the_header_search_finds_tickets_and_people(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let agent = site.person("agent@example.org", Role::Agent).await?;
    let rita = site
        .person_named("rita@example.org", "Rita Moreno", Role::Requester)
        .await?;
    let sam = site.person("sam@example.org", Role::Requester).await?;
    let vpn = site.ticket(&rita, "VPN drops").await?;
    let printer = site.ticket(&sam, "Printer jam").await?;
    let note = NewComment {
        body: "Replaced the fuser unit; the toner was fine.".into(),
        internal: true,
        attachments: vec![],
        time: None,
    };
    site.desk
        .comments()
        .add_comment(&agent, printer, note)
        .await?;
    site.set_status(&agent, printer, Status::Resolved).await?;

    let mut a = site.signed_in("agent@example.org").await?;
    let home = a.get("/console").await?.body;
    assert!(
        home.contains("action=\"/console/search\""),
        "the header has the search"
    );
    // A number opens the ticket.
    for q in [format!("{vpn}"), format!("%23{vpn}")] {
        let opened = a.get(&format!("/console/search?q={q}")).await?;
        assert_eq!(opened.status, StatusCode::SEE_OTHER);
        assert_eq!(opened.location(), format!("/console/tickets/{vpn}"));
    }
    let missing = a.get("/console/search?q=99999").await?;
    assert_eq!(missing.status, StatusCode::OK);
    assert!(missing.body.contains("There is no ticket #99999"));
    // Words of an internal note find a solved ticket; the open scope leaves it out.
    let found = a.get("/console/search?q=fuser").await?.body;
    assert!(lists(&found, printer) && !lists(&found, vpn), "{found}");
    let open = a.get("/console/search?q=fuser&scope=open").await?.body;
    assert!(!lists(&open, printer));
    // A name finds the person, who links to their tickets.
    let person = a.get("/console/search?q=moreno").await?.body;
    assert!(person.contains("Rita Moreno") && person.contains("rita@example.org"));
    assert!(person.contains("href=\"/console/search?requester=rita%40example.org\""));
    // No ticket holds the name, so the one person it names brings her tickets.
    assert!(person.contains("Tickets of Rita Moreno") && lists(&person, vpn));
    let theirs = a
        .get("/console/search?requester=rita%40example.org")
        .await?
        .body;
    assert!(theirs.contains("Tickets of Rita Moreno"));
    assert!(lists(&theirs, vpn) && !lists(&theirs, printer));
    let bad = a.get("/console/search?requester=not-an-email").await?;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Requesters have the portal, not the desk's search.
    let mut r = site.signed_in("sam@example.org").await?;
    let refused = r.get("/console/search?q=fuser").await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("fuser unit"));
    Ok(())
}

async fn error_pages_keep_the_navigation(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let mut a = site.signed_in("agent@example.org").await?;
    let missing = a.get("/console/tickets/424242").await?;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Not found"));
    assert!(
        missing
            .body
            .contains("href=\"/console\" aria-current=\"page\""),
        "{}",
        missing.body
    );
    assert!(missing.body.contains("Sign out") && missing.body.contains("/console/search"));
    let bad = a.get("/console?queue=nonsense").await?;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
    assert!(bad.body.contains("Sign out"));
    // A requester sent away from the console keeps the portal's navigation, not the desk's.
    site.person("rita@example.org", Role::Requester).await?;
    let mut r = site.signed_in("rita@example.org").await?;
    let refused = r.get("/console").await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("href=\"/portal\"") && refused.body.contains("Sign out"));
    assert!(
        !refused.body.contains("/console/search"),
        "no desk search for a requester"
    );
    Ok(())
}
