//! Logging a call and the time spent on tickets, in process on both databases: the caller
//! looked up by name, a new caller added with their name, group, priority, duration and "solved
//! during the call"; minutes with replies and notes adding up per ticket and per agent; a bad
//! number refused with nothing written.

use axum::http::StatusCode;
use frontline_core::Store;
use frontline_core::tickets::{NewComment, Spent};
use frontline_domain::time_spent::{Minutes, TimeKind};
use frontline_domain::{Role, Status, TicketId, Timestamp};

use crate::support;
use support::{Site, TestResult, stories};

stories! {
    a_call_is_logged_with_its_caller_time_and_outcome,
    time_spent_adds_up_per_ticket_and_per_agent,
}

async fn a_call_is_logged_with_its_caller_time_and_outcome(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let agent = site.person("agent@example.org", Role::Agent).await?;
    site.person_named("rita@example.org", "Rita Moreno", Role::Requester)
        .await?;
    site.desk.people().add_group(None, "Network", "").await?;
    let mut b = site.signed_in("agent@example.org").await?;

    let found = b.get("/console/new?find=moreno").await?.body;
    assert!(found.contains("Rita Moreno"));
    assert!(
        found.contains("href=\"/console/new?requester=rita%40example.org&#38;name=Rita%20Moreno\""),
        "{found}"
    );
    let picked = b
        .get("/console/new?requester=rita%40example.org&name=Rita%20Moreno")
        .await?;
    assert!(picked.body.contains("value=\"rita@example.org\""));
    let none = b.get("/console/new?find=zebra").await?.body;
    assert!(none.contains("Nobody on the desk matches"));

    let csrf = picked.csrf();
    let call = |minutes: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("requester", "casey@example.org".to_owned()),
            ("name", "Casey Caller".to_owned()),
            ("subject", "Headset crackles".to_owned()),
            ("description", "Since the update.".to_owned()),
            ("group", "Network".to_owned()),
            ("category", String::new()),
            ("impact", "low".to_owned()),
            ("urgency", "low".to_owned()),
            ("priority", "P2".to_owned()),
            ("minutes", minutes.to_owned()),
            ("solved", "yes".to_owned()),
        ]
    };
    let fields = |f: &[(&'static str, String)]| -> Vec<(&'static str, String)> { f.to_vec() };
    let bad = fields(&call("ten"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = b.post_multipart("/console/tickets", &bad, &[]).await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("minutes") && refused.body.contains("Since the update."));
    let open = site.desk.tickets().tickets_by_status().await?;
    assert!(
        open.iter().all(|(_, n)| *n == 0),
        "nothing was opened: {open:?}"
    );

    let good = fields(&call("12"));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let made = b.post_multipart("/console/tickets", &good, &[]).await?;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let id = TicketId::new(
        made.location()
            .trim_start_matches("/console/tickets/")
            .parse()?,
    );
    let t = site.desk.tickets().ticket(&agent, id).await?;
    assert_eq!(t.requester_name, "Casey Caller");
    assert_eq!(t.record.status, Status::Resolved, "solved during the call");
    assert_eq!(t.record.priority.as_str(), "P2");
    assert_eq!(t.group_name.as_deref(), Some("Network"));
    assert_eq!(t.assignee_email.as_deref(), Some("agent@example.org"));
    assert!(t.record.times.resolved_at >= Some(t.record.times.created_at));
    let time = site.desk.comments().ticket_time(&agent, id).await?;
    assert_eq!(time.len(), 1);
    assert_eq!((time[0].kind, time[0].minutes), (TimeKind::Call, 12));
    let page = b.get(&format!("/console/tickets/{id}")).await?.body;
    assert!(page.contains("Phone call, 12 min. Solved during the call."));
    assert!(page.contains("<strong>12 min</strong> in all"), "{page}");
    Ok(())
}

async fn time_spent_adds_up_per_ticket_and_per_agent(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let alex = site
        .person_named("alex@example.org", "Alex Agent", Role::Agent)
        .await?;
    let bruno = site
        .person_named("bruno@example.org", "Bruno Berg", Role::Agent)
        .await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    let id = site.ticket(&rita, "Printer jam").await?;
    let other = site.ticket(&rita, "Scanner jam").await?;

    let mut a = site.signed_in("alex@example.org").await?;
    let page = a.get(&format!("/console/tickets/{id}")).await?;
    assert!(page.body.contains("None recorded yet."));
    let csrf = page.csrf();
    let post = |kind: &'static str, minutes: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("kind", kind.to_owned()),
            ("body", format!("Worked on it ({minutes})")),
            ("minutes", minutes.to_owned()),
        ]
    };
    for (kind, minutes, ok) in [
        ("reply", "15", true),
        ("note", "721", false),
        ("note", "0", true),
    ] {
        let f = post(kind, minutes);
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let sent = a
            .post_multipart(&format!("/console/tickets/{id}/comments"), &f, &[])
            .await?;
        let expected = if ok {
            StatusCode::SEE_OTHER
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        assert_eq!(sent.status, expected, "{kind} {minutes}: {}", sent.body);
    }
    let comments = site
        .desk
        .comments()
        .list(&alex, id, frontline_domain::CommentId::default(), 10)
        .await?;
    assert_eq!(comments.len(), 2, "the refused note was not written");
    let spent = |m: i64| -> TestResult<Option<Spent>> {
        Ok(Some(Spent {
            minutes: Minutes::new("minutes", m)?,
            call: false,
        }))
    };
    for (ticket, minutes) in [(id, 20), (other, 5)] {
        let note = NewComment {
            body: "Checked the logs.".into(),
            internal: true,
            attachments: vec![],
            time: spent(minutes)?,
        };
        site.desk
            .comments()
            .add_comment(&bruno, ticket, note)
            .await?;
    }
    // A requester does not record time.
    let theirs = NewComment {
        body: "Thanks".into(),
        internal: false,
        attachments: vec![],
        time: spent(5)?,
    };
    assert!(
        site.desk
            .comments()
            .add_comment(&rita, id, theirs)
            .await
            .is_err()
    );

    let page = a.get(&format!("/console/tickets/{id}")).await?.body;
    assert!(page.contains("<strong>35 min</strong> in all"), "{page}");
    assert!(page.contains("Alex Agent <span class=\"muted\">15 min (1 reply)</span>"));
    assert!(page.contains("Bruno Berg <span class=\"muted\">20 min (1 note)</span>"));
    let now = Timestamp::now().as_micros();
    let totals = site
        .desk
        .comments()
        .time_by_agent(
            &alex,
            Some(Timestamp::from_micros(now - 3_600_000_000)),
            Some(Timestamp::from_micros(now + 3_600_000_000)),
        )
        .await?;
    let seen: Vec<(&str, i64, i64)> = totals
        .agents
        .iter()
        .map(|t| (t.name.as_str(), t.minutes, t.tickets))
        .collect();
    assert_eq!(seen, [("Bruno Berg", 25, 2), ("Alex Agent", 15, 1)]);
    // By default the 30 days up to now.
    let recent = site
        .desk
        .comments()
        .time_by_agent(&alex, None, None)
        .await?;
    assert_eq!(recent.agents.len(), 2);
    assert_eq!(
        recent.until.as_micros() - recent.since.as_micros(),
        30 * 86_400_000_000
    );
    Ok(())
}
