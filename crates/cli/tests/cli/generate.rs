//! `frontline generate`: a generated desk is served like any other, with readable history,
//! and a second run adds tickets while reusing the people and groups of the first.

use crate::support;

use std::collections::HashSet;

use serde_json::Value;
use support::{Api, Backend, TestDesk, send};

on_both!(generated_tickets_are_served, generating_twice_adds_tickets);

const TICKETS: usize = 500;

fn generate(desk: &TestDesk) {
    let summary = desk.run_ok(&["generate", "--tickets", &TICKETS.to_string(), "--quiet"]);
    assert!(
        summary.starts_with(&format!("generated {TICKETS} tickets")),
        "generate printed {summary:?}"
    );
}

async fn emails(api: &Api, token: &str) -> HashSet<String> {
    api.all_items(token, "/api/v1/users", 200)
        .await
        .iter()
        .filter_map(|u| u["email"].as_str().map(str::to_owned))
        .collect()
}

async fn group_names(api: &Api, token: &str) -> Vec<String> {
    let groups = send(api.get(token, "/api/v1/groups")).await.expect(200);
    let mut names: Vec<String> = groups.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|g| g["name"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

async fn generated_tickets_are_served(backend: Backend) {
    let desk = TestDesk::new(backend, "generated").await;
    generate(&desk);
    let token = desk.person("qa@frontline-tests.example", "Quinn QA", "agent");
    let server = desk.serve().await;
    let api = server.api();

    let ids = api.all_ticket_ids(&token, 200).await;
    let unique: HashSet<i64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "a ticket was listed twice");
    assert!(ids.len() >= TICKETS, "only {} tickets listed", ids.len());

    let mut with_conversation = 0;
    for id in [ids[0], ids[ids.len() / 2], ids[ids.len() - 1]] {
        let ticket = send(api.get(&token, &format!("/api/v1/tickets/{id}")))
            .await
            .expect(200);
        assert!(
            ticket.json["subject"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        );
        assert!(
            ticket.json["requester"]
                .as_str()
                .is_some_and(|s| s.contains('@'))
        );
        let events = send(api.get(&token, &format!("/api/v1/tickets/{id}/events")))
            .await
            .expect(200);
        let events = events.json["items"].as_array().expect("items").clone();
        assert_eq!(
            events.first().map(|e| &e["kind"]),
            Some(&Value::from("created")),
            "ticket {id}'s trail starts with its creation: {events:?}"
        );
        let comments = send(api.get(&token, &format!("/api/v1/tickets/{id}/comments")))
            .await
            .expect(200);
        if comments.json["items"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
        {
            with_conversation += 1;
        }
    }
    assert!(
        with_conversation > 0,
        "no generated ticket has a conversation"
    );

    // History spread over time: the oldest and newest tickets are months apart.
    let oldest = send(api.get(&token, "/api/v1/tickets?sort=created&limit=1")).await;
    let newest = send(api.get(&token, "/api/v1/tickets?sort=-created&limit=1")).await;
    let month = |r: &support::Reply| {
        r.json["items"][0]["created_at"]
            .as_str()
            .map(|t| t[..7].to_owned())
    };
    assert_ne!(month(&oldest), month(&newest), "all tickets in one month");
}

async fn generating_twice_adds_tickets(backend: Backend) {
    let desk = TestDesk::new(backend, "generatetwice").await;
    let token = desk.person("qa@frontline-tests.example", "Quinn QA", "agent");
    generate(&desk);
    let server = desk.serve().await;
    let api = server.api();
    let first_ids: HashSet<i64> = api.all_ticket_ids(&token, 200).await.into_iter().collect();
    let first_people = emails(&api, &token).await;
    let first_groups = group_names(&api, &token).await;
    assert_eq!(first_ids.len(), TICKETS);
    assert!(!first_groups.is_empty(), "generate made no groups");

    // The second run writes while the server keeps serving the same database.
    generate(&desk);
    let second_ids: HashSet<i64> = api.all_ticket_ids(&token, 200).await.into_iter().collect();
    assert_eq!(
        second_ids.len(),
        2 * TICKETS,
        "the second run adds {TICKETS}"
    );
    assert!(
        first_ids.is_subset(&second_ids),
        "first-run tickets were lost"
    );
    assert_eq!(
        emails(&api, &token).await,
        first_people,
        "people are reused"
    );
    assert_eq!(
        group_names(&api, &token).await,
        first_groups,
        "groups are reused"
    );
}
