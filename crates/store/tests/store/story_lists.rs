//! The storage story of reading ticket lists page by page: every sort order returns every
//! ticket exactly once in the promised order, and tickets arriving while someone pages
//! never make a page skip or repeat one. Runs on SQLite and on PostgreSQL (see `support`).

use crate::support;

use std::collections::HashSet;

use frontline_domain::sla::SlaSummary;
use frontline_domain::ticket_list::NO_DUE;
use frontline_domain::{Priority, Ticket, TicketId, TicketRecord, Timestamp, Timestamps};
use frontline_domain::{Sort, SortKey, TicketFilter};
use frontline_store::{Result, Store};
use support::desk::{self, all_sorts, ids, key, list_all};
use support::{T0, ticket};

support::stories!(sort_orders, paging_while_tickets_arrive);

async fn sort_orders(store: &Store) -> Result<()> {
    store.migrate().await?;
    let desk = desk::seed(store).await?;
    let everything = TicketFilter::default();
    for sort in all_sorts() {
        let want = desk.expected(sort, |_| true);
        assert_eq!(want.len(), 60);
        for limit in [7, 1, 60, 100] {
            let got = list_all(store, &everything, sort, limit).await?;
            assert_eq!(ids(&got), want, "{sort:?}, {limit} a page");
        }
    }

    // What the agent queue shows first: the oldest P1 tickets.
    let sort = Sort {
        key: SortKey::Priority,
        descending: false,
    };
    let mut read = store.read().await?;
    let first = read.conn().list_tickets(&everything, sort, None, 7).await?;
    assert!(
        first.iter().all(|t| t.record.priority == Priority::P1),
        "P1 tickets come first"
    );
    let created: Vec<i64> = first
        .iter()
        .map(|t| t.record.times.created_at.as_micros())
        .collect();
    assert!(
        created.is_sorted(),
        "oldest first among equal priority: {created:?}"
    );

    // Pages carry the same names and tags as a single ticket's view.
    let page = read
        .conn()
        .list_tickets(&everything, sort, None, 60)
        .await?;
    for view in &page {
        let seeded = desk.get(view.record.id);
        assert_eq!(view.record, seeded.row);
        assert_eq!(view.category_path.as_deref(), seeded.category);
        let mut tags = seeded.tags.clone();
        tags.sort();
        assert_eq!(view.tags, tags, "tags of ticket {}", view.record.id);
        assert!(view.requester_email.starts_with("requester"));
        let group = match view.record.group_id {
            Some(g) if g == desk.network => Some("Network"),
            Some(g) if g == desk.desktop => Some("Desktop"),
            _ => None,
        };
        assert_eq!(view.group_name.as_deref(), group);
    }
    Ok(())
}

async fn paging_while_tickets_arrive(store: &Store) -> Result<()> {
    store.migrate().await?;
    let desk = desk::seed(store).await?;
    let requester = desk.requesters[0];
    let originals: HashSet<TicketId> = desk.tickets.iter().map(|t| t.row.id).collect();
    let everything = TicketFilter::default();
    let mut arrivals = 0_i64;

    for sort in all_sorts() {
        let mut seen: Vec<TicketRecord> = Vec::new();
        let mut keys: Vec<Vec<i64>> = Vec::new();
        let mut after: Option<Vec<i64>> = None;
        loop {
            let mut read = store.read().await?;
            let page = read
                .conn()
                .list_tickets(&everything, sort, after.as_deref(), 7)
                .await?;
            drop(read);
            let full = page.len() == 7;
            after = page.last().map(|t| sort.key.key_of(t)).or(after);
            keys.extend(page.iter().map(|t| listed_key(sort.key, t)));
            seen.extend(page.into_iter().map(|t| t.record));
            assert!(seen.len() < 5_000, "paging does not end");
            if !full {
                break;
            }
            // Between two pages, new tickets arrive: some sort before the reader's place,
            // some after it, some tie with the desk's times.
            let mut tx = store.begin().await?;
            for (priority, at) in [(1, T0 - 1_000), (4, T0 + 50_000_000_000), (2, T0)] {
                arrivals += 1;
                let row = TicketRecord {
                    priority: Priority::from_rank(priority).expect("a rank of 1 to 4"),
                    times: Timestamps::opened(Timestamp::from_micros(at)),
                    ..ticket(requester, &format!("Arrival {arrivals}"))
                };
                let id = tx.conn().insert_ticket(&row).await?;
                // Due (as the SLA reconcile would store it) when created, but for P4.
                let due = SlaSummary {
                    due_at: (priority != 4).then_some(Timestamp::from_micros(at)),
                    breached: false,
                };
                tx.conn().set_ticket_sla_summary(id, due).await?;
            }
            tx.commit().await?;
        }

        let mut once = HashSet::new();
        for row in &seen {
            assert!(
                once.insert(row.id),
                "{sort:?}: ticket {} shown twice",
                row.id
            );
        }
        let missing: Vec<&TicketId> = originals.difference(&once).collect();
        assert!(missing.is_empty(), "{sort:?}: tickets skipped: {missing:?}");
        let ordered = if sort.descending {
            keys.windows(2).all(|w| w[0] > w[1])
        } else {
            keys.windows(2).all(|w| w[0] < w[1])
        };
        assert!(ordered, "{sort:?}: pages out of order: {keys:?}");
    }
    assert!(arrivals > 0);
    Ok(())
}

/// The promised order's key of a listed ticket: an SLA due time is the view's (the rows the
/// test wrote do not carry it), everything else the row's.
fn listed_key(sort: SortKey, t: &Ticket) -> Vec<i64> {
    match sort {
        SortKey::Due => vec![
            t.sla.due_at.map_or(NO_DUE, Timestamp::as_micros),
            t.record.id.get(),
        ],
        _ => key(sort, &t.record),
    }
}
