//! Keyset pagination: walking a list page by page while new tickets arrive never skips or
//! repeats a ticket that existed when the walk began, in any sort order (SLA due time too); the conversation and
//! the trail page the same way. Runs on SQLite and on PostgreSQL.

use crate::support;

use std::collections::HashSet;

use serde_json::json;
use support::{App, Person, TestResult, id_of, ids, req};

support::stories!(
    walking_tickets_while_others_arrive_skips_and_repeats_nothing,
    comments_and_events_page_in_order,
);

const LEVELS: [&str; 3] = ["high", "medium", "low"];

/// Follows `next_cursor` from `first` to the end, two at a time, opening a new ticket
/// before each of the first eight further pages (so the desk stays within one page of 200
/// for the comparison). Returns the ids seen, in order.
async fn walk(app: &App, who: &Person, first: &str, arrivals: &mut usize) -> TestResult<Vec<i64>> {
    let mut seen = Vec::new();
    let mut path = first.to_owned();
    for page_number in 0..100 {
        let page = app.send(req("GET", &path).token(who)).await;
        page.expect_status(200, &path)?;
        let page = page.json()?;
        let got = ids(&page);
        assert!(got.len() <= 2, "a page of limit=2 held {}", got.len());
        seen.extend(got);
        let Some(cursor) = page["next_cursor"].as_str() else {
            return Ok(seen);
        };
        if page_number < 8 {
            *arrivals += 1;
            let urgency = LEVELS[*arrivals % 3];
            let body = json!({ "subject": format!("Arrived during the walk {arrivals}"), "impact": "high", "urgency": urgency });
            app.open_ticket(who, body).await?;
        }
        path = format!("{first}&cursor={cursor}");
    }
    Err(format!("{first} did not end within 100 pages").into())
}

async fn walking_tickets_while_others_arrive_skips_and_repeats_nothing(
    store: &frontline_core::Store,
) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    // SLA policies give P1 and P2 tickets due times (P1 sooner) and leave the rest without,
    // so the due order differs from the others and has tickets without a due time at its end.
    let always = json!({ "name": "Always", "time_zone": "UTC", "week": {
        "mon": ["00:00-24:00"], "tue": ["00:00-24:00"], "wed": ["00:00-24:00"], "thu": ["00:00-24:00"],
        "fri": ["00:00-24:00"], "sat": ["00:00-24:00"], "sun": ["00:00-24:00"] } });
    app.send(
        req("POST", "/api/v1/calendars")
            .token(&cast.manager)
            .json(&always),
    )
    .await
    .expect_status(201, "adding a calendar")?;
    for (name, priority, minutes) in [("Urgent", "P1", 30), ("High", "P2", 600)] {
        let policy = json!({ "calendar": "Always", "policy": { "name": name,
            "conditions": { "priorities": [priority] }, "targets": { "resolution": minutes } } });
        app.send(
            req("POST", "/api/v1/sla-policies")
                .token(&cast.manager)
                .json(&policy),
        )
        .await
        .expect_status(201, "adding a policy")?;
    }
    let mut existing = Vec::new();
    for n in 0..9 {
        // Mixed priorities and one ticket touched later, so every order differs.
        let body = json!({ "subject": format!("Existing {n}"), "impact": LEVELS[n % 3], "urgency": LEVELS[(n / 3) % 3] });
        existing.push(id_of(&app.open_ticket(&cast.agent, body).await?)?);
    }
    app.send(
        req("PATCH", &format!("/api/v1/tickets/{}", existing[0]))
            .token(&cast.agent)
            .json(&json!({ "tags": ["touched"] })),
    )
    .await
    .expect_status(200, "touching the oldest ticket")?;

    let mut arrivals = 0;
    for sort in [
        "due",
        "-due",
        "-created",
        "created",
        "priority",
        "-priority",
        "updated",
        "-updated",
    ] {
        let first = format!("/api/v1/tickets?limit=2&sort={sort}");
        let seen = walk(&app, &cast.agent, &first, &mut arrivals).await?;
        let unique: HashSet<i64> = seen.iter().copied().collect();
        assert_eq!(
            unique.len(),
            seen.len(),
            "sort={sort} repeated a ticket: {seen:?}"
        );
        for id in &existing {
            assert!(
                unique.contains(id),
                "sort={sort} skipped ticket {id}: {seen:?}"
            );
        }
        // The walk is in the order asked for: the same tickets as one big page, minus
        // arrivals, in the same sequence.
        let whole = app
            .send(req("GET", &format!("/api/v1/tickets?limit=200&sort={sort}")).token(&cast.agent))
            .await;
        let whole: Vec<i64> = ids(&whole.json()?)
            .into_iter()
            .filter(|id| existing.contains(id))
            .collect();
        let walked: Vec<i64> = seen
            .into_iter()
            .filter(|id| existing.contains(id))
            .collect();
        assert_eq!(walked, whole, "sort={sort} walked out of order");
    }
    assert!(
        arrivals >= 8 * 4,
        "tickets arrived between pages ({arrivals})"
    );
    Ok(())
}

async fn comments_and_events_page_in_order(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let id = id_of(
        &app.open_ticket(&cast.requester, json!({ "subject": "Chatty" }))
            .await?,
    )?;
    for n in 0..5 {
        let body = json!({ "body": format!("Message {n}") });
        app.send(
            req("POST", &format!("/api/v1/tickets/{id}/comments"))
                .token(&cast.agent)
                .json(&body),
        )
        .await
        .expect_status(201, "commenting")?;
    }
    for list in ["comments", "events"] {
        let first = format!("/api/v1/tickets/{id}/{list}?limit=2");
        let all = app
            .send(req("GET", &format!("/api/v1/tickets/{id}/{list}?limit=200")).token(&cast.agent))
            .await;
        let all = ids(&all.json()?);
        let mut seen = Vec::new();
        let mut path = first.clone();
        loop {
            let page = app
                .send(req("GET", &path).token(&cast.agent))
                .await
                .json()?;
            seen.extend(ids(&page));
            match page["next_cursor"].as_str() {
                Some(c) => path = format!("{first}&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen, all, "{list} paged differently from one page");
        assert!(
            seen.windows(2).all(|w| w[0] < w[1]),
            "{list} oldest first: {seen:?}"
        );
    }
    Ok(())
}
