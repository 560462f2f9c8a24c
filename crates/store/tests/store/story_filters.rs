//! The storage story of narrowing a ticket list: each filter of the ticket list finds
//! exactly the tickets it names, and requesters see only what they may. Runs on SQLite and
//! on PostgreSQL (see `support`).

use crate::support;

use std::collections::HashSet;

use frontline_domain::{
    OrganizationId, Priority, Sort, SortKey, Status, TicketFilter, TicketType, Timestamp,
};
use frontline_store::{Result, Store};
use support::desk::{self, Desk, Seeded, all_sorts, ids, list_all};
use support::{add_ticket, add_user, ticket, user};

support::stories!(
    filters,
    text_search,
    text_search_every_word,
    requester_visibility
);

const BY_CREATED: Sort = Sort {
    key: SortKey::Created,
    descending: false,
};

/// Asserts that `filter` lists what `keep` accepts, paging seven at a time, and that this
/// is neither nothing nor everything (a check that cannot fail proves nothing).
async fn check(
    store: &Store,
    desk: &Desk,
    what: &str,
    filter: TicketFilter,
    keep: impl Fn(&Seeded) -> bool,
) -> Result<()> {
    let want = desk.expected(BY_CREATED, &keep);
    assert!(
        !want.is_empty() && want.len() < desk.tickets.len(),
        "{what}: the desk does not exercise this filter ({} of {})",
        want.len(),
        desk.tickets.len()
    );
    // Every sort order, in pages of 7: the queue order (priority) with several statuses
    // takes its own path through the database.
    for sort in all_sorts() {
        let got = list_all(store, &filter, sort, 7).await?;
        assert_eq!(
            ids(&got),
            desk.expected(sort, &keep),
            "{what}, sorted by {sort:?}"
        );
    }
    Ok(())
}

fn field(t: &Seeded, key: &str, value: &str) -> bool {
    t.fields.iter().any(|(k, v)| k == key && v == value)
}

async fn filters(store: &Store) -> Result<()> {
    store.migrate().await?;
    let desk = desk::seed(store).await?;
    let (network, agent) = (desk.network, desk.agents[0]);
    let pairs = |p: &[(&str, &str)]| {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<Vec<_>>()
    };

    let all = list_all(store, &TicketFilter::default(), BY_CREATED, 7).await?;
    assert_eq!(all.len(), 60, "no filter lists everything");

    let f = TicketFilter {
        statuses: vec![Status::New, Status::Pending],
        ..Default::default()
    };
    check(store, &desk, "statuses", f, |t| {
        ["new", "pending"].contains(&t.row.status.as_str())
    })
    .await?;
    let f = TicketFilter {
        priorities: vec![Priority::P1, Priority::P2],
        ..Default::default()
    };
    check(store, &desk, "priorities", f, |t| {
        t.row.priority.rank() <= 2
    })
    .await?;
    let f = TicketFilter {
        types: vec![TicketType::Question],
        ..Default::default()
    };
    check(store, &desk, "types", f, |t| {
        t.row.ticket_type == TicketType::Question
    })
    .await?;

    // A category includes everything below it, and nothing that merely starts alike.
    for (path, members) in [
        ("Hardware", &["Hardware", "Hardware/Laptop"][..]),
        ("Hardware/Laptop", &["Hardware/Laptop"][..]),
        ("Net_work", &["Net_work"][..]),
    ] {
        let f = TicketFilter {
            category_path: Some(path.into()),
            ..Default::default()
        };
        let keep = |t: &Seeded| t.category.is_some_and(|c| members.contains(&c));
        check(store, &desk, &format!("category {path}"), f, keep).await?;
    }

    let f = TicketFilter {
        group_id: Some(None),
        ..Default::default()
    };
    check(store, &desk, "unassigned group", f, |t| {
        t.row.group_id.is_none()
    })
    .await?;
    let f = TicketFilter {
        group_id: Some(Some(network)),
        ..Default::default()
    };
    check(store, &desk, "group", f, |t| {
        t.row.group_id == Some(network)
    })
    .await?;
    let f = TicketFilter {
        assignee_id: Some(Some(agent)),
        ..Default::default()
    };
    check(store, &desk, "assignee", f, |t| {
        t.row.assignee_id == Some(agent)
    })
    .await?;
    let f = TicketFilter {
        assignee_id: Some(None),
        ..Default::default()
    };
    check(store, &desk, "nobody assigned", f, |t| {
        t.row.assignee_id.is_none()
    })
    .await?;
    let f = TicketFilter {
        requester_id: Some(desk.requesters[3]),
        ..Default::default()
    };
    check(store, &desk, "requester", f, |t| {
        t.row.requester_id == desk.requesters[3]
    })
    .await?;
    let f = TicketFilter {
        organization_id: Some(desk.globex),
        ..Default::default()
    };
    check(store, &desk, "organization", f, |t| {
        t.row.organization_id == Some(desk.globex)
    })
    .await?;
    for tag in ["vip", "laptop"] {
        let f = TicketFilter {
            tag: Some(tag.into()),
            ..Default::default()
        };
        check(store, &desk, tag, f, |t| t.tags.iter().any(|x| x == tag)).await?;
    }
    let since = support::T0 + 9_000_000;
    let f = TicketFilter {
        updated_since: Some(Timestamp::from_micros(since)),
        ..Default::default()
    };
    check(store, &desk, "updated since", f, |t| {
        t.row.times.updated_at.as_micros() >= since
    })
    .await?;

    let f = TicketFilter {
        custom: pairs(&[("site", "paris")]),
        ..Default::default()
    };
    check(store, &desk, "site paris", f, |t| field(t, "site", "paris")).await?;
    let f = TicketFilter {
        custom: pairs(&[("site", "paris"), ("os", "linux")]),
        ..Default::default()
    };
    let keep = |t: &Seeded| field(t, "site", "paris") && field(t, "os", "linux");
    check(store, &desk, "site paris on linux", f, keep).await?;

    // Filters combine: all of them must hold.
    let f = TicketFilter {
        statuses: vec![Status::New, Status::Open, Status::Pending],
        group_id: Some(Some(network)),
        custom: pairs(&[("os", "linux")]),
        ..Default::default()
    };
    let keep = |t: &Seeded| {
        ["new", "open", "pending"].contains(&t.row.status.as_str())
            && t.row.group_id == Some(network)
            && field(t, "os", "linux")
    };
    check(store, &desk, "combined", f, keep).await?;

    // Replacing a ticket's field values moves it between filters.
    let moved = desk
        .tickets
        .iter()
        .find(|t| field(t, "site", "paris"))
        .map(|t| t.row.id);
    let moved = moved.expect("the desk has a ticket at the Paris site");
    let mut tx = store.begin().await?;
    tx.conn()
        .set_field_values(moved, &pairs(&[("site", "berlin")]))
        .await?;
    tx.commit().await?;
    let f = TicketFilter {
        custom: pairs(&[("site", "paris")]),
        ..Default::default()
    };
    let paris = ids(&list_all(store, &f, BY_CREATED, 7).await?);
    assert!(
        !paris.contains(&moved),
        "ticket {moved} still listed at the Paris site"
    );
    Ok(())
}

async fn text_search(store: &Store) -> Result<()> {
    store.migrate().await?;
    let desk = desk::seed(store).await?;
    // Every word, each in the subject or the description.
    let mentions = |needle: &str| {
        let words: Vec<String> = needle.split_whitespace().map(str::to_lowercase).collect();
        move |t: &Seeded| {
            let (subject, description) = (
                t.row.subject.to_lowercase(),
                t.row.description.to_lowercase(),
            );
            words
                .iter()
                .all(|w| subject.contains(w) || description.contains(w))
        }
    };
    // Case does not matter, in the subject or the description; `%`, `_` and `\` mean
    // themselves.
    for needle in [
        "vpn",
        "VPN",
        "Vpn Client",
        "printer 100%",
        "snake_case",
        "100",
        r"C:\TEMP",
    ] {
        let f = TicketFilter {
            text: Some(needle.into()),
            ..Default::default()
        };
        check(
            store,
            &desk,
            &format!("text {needle:?}"),
            f,
            mentions(needle),
        )
        .await?;
    }
    for (needle, subjects) in [
        ("printer 100%", &["Printer 100% broken"][..]),
        ("SNAKE_case", &["snake_case error"][..]),
        ("%", &["Printer 100% broken"][..]),
        ("_", &["snake_case error"][..]),
        (r"c:\temp", &[r"Disk C:\Temp full"][..]),
        ("\\", &[r"Disk C:\Temp full"][..]),
        ("no such words", &[][..]),
    ] {
        let f = TicketFilter {
            text: Some(needle.into()),
            ..Default::default()
        };
        let got = list_all(store, &f, BY_CREATED, 7).await?;
        let got: Vec<&str> = got.iter().map(|t| t.record.subject.as_str()).collect();
        assert_eq!(got, subjects, "text {needle:?}");
    }
    Ok(())
}

/// `q` finds tickets by words: every word, in any order, each in the subject or the
/// description; a "quoted phrase" is one term.
async fn text_search_every_word(store: &Store) -> Result<()> {
    store.migrate().await?;
    let requester = add_user(store, &user("anna@acme.test", "requester")).await?;
    for (i, (subject, description)) in [
        ("Password reset needed", "Locked out since Monday"),
        ("Reset my password, please", "The old one expired"),
        ("Printer reset", "It blinks orange"),
        ("Cannot sign in", "I think my PASSWORD needs a reset"),
        ("New password", "Works now"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut row = ticket(requester, subject);
        row.description = description.into();
        row.times.created_at = Timestamp::from_micros(
            row.times.created_at.as_micros() + i64::try_from(i).unwrap_or_default(),
        );
        add_ticket(store, &row).await?;
    }
    let both = [
        "Password reset needed",
        "Reset my password, please",
        "Cannot sign in",
    ];
    for (needle, want) in [
        ("password reset", &both[..]),
        ("reset password", &both[..]),
        ("  RESET   Password ", &both[..]),
        (r#""password reset""#, &["Password reset needed"][..]),
        (
            r#"reset "password, please""#,
            &["Reset my password, please"][..],
        ),
        ("reset orange", &["Printer reset"][..]),
        ("password monday expired", &[][..]),
        (
            r#""""#,
            &[
                "Password reset needed",
                "Reset my password, please",
                "Printer reset",
                "Cannot sign in",
                "New password",
            ][..],
        ),
    ] {
        let f = TicketFilter {
            text: Some(needle.into()),
            ..Default::default()
        };
        let got = list_all(store, &f, BY_CREATED, 2).await?;
        let got: Vec<&str> = got.iter().map(|t| t.record.subject.as_str()).collect();
        assert_eq!(got, want, "text {needle:?}");
    }
    Ok(())
}

async fn requester_visibility(store: &Store) -> Result<()> {
    store.migrate().await?;
    let desk = desk::seed(store).await?;
    let [acme_a, _, globex_a, _, loner] = desk.requesters;
    let mut sharing: HashSet<OrganizationId> = HashSet::from([desk.acme]);
    let people = [
        ("Acme requester", acme_a, Some(desk.acme)),
        ("Globex requester", globex_a, Some(desk.globex)),
        ("requester without organization", loner, None),
    ];

    for round in ["before", "after"] {
        for (who, user, org) in people {
            let f = TicketFilter {
                visible_to: Some((user, org)),
                ..Default::default()
            };
            let keep = |t: &Seeded| Desk::visible(t, user, org, &sharing);
            check(
                store,
                &desk,
                &format!("{who}, {round} Globex shares"),
                f,
                keep,
            )
            .await?;
        }
        // Globex starts sharing its tickets among its people.
        let mut tx = store.begin().await?;
        let globex = tx.conn().organization_by_id(desk.globex).await?;
        let globex = globex.expect("Globex exists");
        tx.conn()
            .update_organization(&frontline_domain::Organization {
                shared_tickets: true,
                ..globex
            })
            .await?;
        tx.commit().await?;
        sharing.insert(desk.globex);
    }

    // Sharing never reaches across organizations, and watching is what lets a loner in.
    let f = TicketFilter {
        visible_to: Some((acme_a, Some(desk.acme))),
        ..Default::default()
    };
    let seen = list_all(store, &f, BY_CREATED, 7).await?;
    assert!(
        seen.iter()
            .all(|t| t.record.organization_id == Some(desk.acme))
    );
    let f = TicketFilter {
        visible_to: Some((loner, None)),
        ..Default::default()
    };
    let seen = list_all(store, &f, BY_CREATED, 7).await?;
    assert!(
        seen.iter().any(|t| t.record.requester_id != loner),
        "watched tickets are visible"
    );
    Ok(())
}
