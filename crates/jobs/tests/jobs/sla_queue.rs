//! Queues by SLA, on SQLite and on PostgreSQL: each ticket's earliest due time and breached
//! flag are kept with its SLA state (by ticket changes and by timers), so a queue sorts by due
//! soonest (overdue first, tickets without a due time last) and filters breached tickets or
//! those about to breach.

use crate::support;

use frontline_core::tickets::{ListQuery, NewComment, SlaQuery, TicketPatch};
use frontline_domain::{Level, Status, TicketId};
use frontline_domain::{Sort, SortKey};
use frontline_store::Store;
use support::{Result, World, monday};

frontline_testkit::stories!(queues_sort_and_filter_by_sla);

/// The open queue (new, open, pending, on hold) in `sort` order.
fn query(sort: Sort, sla: Option<SlaQuery>) -> ListQuery {
    ListQuery {
        statuses: vec![Status::New, Status::Open, Status::Pending, Status::OnHold],
        sla,
        ..ListQuery::new(sort, 50)
    }
}

const DUE_SOONEST: Sort = Sort {
    key: SortKey::Due,
    descending: false,
};

async fn ids(w: &World, q: ListQuery) -> Result<Vec<TicketId>> {
    let page = w.desk.tickets().list_tickets(&w.agent, q).await?;
    Ok(page.items.into_iter().map(|t| t.record.id).collect())
}

async fn queues_sort_and_filter_by_sla(store: &Store) -> Result {
    let w = World::new(store, None).await?;
    // Opened at 09:00: P1 (first response due 10:00) and P4 (standard policy, due 17:00); at
    // 09:30 another P1 (due 10:30), and one that goes pending at once (its clocks pause: no
    // due time).
    let p1 = w.open(Level::High, Level::High, |t| t).await?;
    let standard = w.open(Level::Low, Level::Medium, |t| t).await?;
    w.at(monday(9, 30));
    let later_p1 = w.open(Level::High, Level::High, |t| t).await?;
    let paused = w.open(Level::Low, Level::Low, |t| t).await?;
    let pending = TicketPatch {
        status: Some(Status::Pending),
        ..TicketPatch::default()
    };
    w.desk
        .tickets()
        .update_ticket(&w.agent, paused, pending, None)
        .await?;
    assert_eq!(
        ids(&w, query(DUE_SOONEST, None)).await?,
        [p1, later_p1, standard, paused]
    );
    let view = w.desk.tickets().ticket(&w.agent, p1).await?;
    assert_eq!(
        (view.sla.due_at.map(|t| t.as_micros()), view.sla.breached),
        (Some(monday(10, 0)), false)
    );
    // Descending is the exact reverse.
    let latest = Sort {
        key: SortKey::Due,
        descending: true,
    };
    assert_eq!(
        ids(&w, query(latest, None)).await?,
        [paused, standard, later_p1, p1]
    );

    // At 09:50 two tickets are due within 45 minutes; none breached.
    w.at(monday(9, 50));
    let soon = query(DUE_SOONEST, Some(SlaQuery::DueWithin(45)));
    assert_eq!(ids(&w, soon.clone()).await?, [p1, later_p1]);
    let breached = query(DUE_SOONEST, Some(SlaQuery::Breached));
    assert!(ids(&w, breached.clone()).await?.is_empty());

    // At 10:05 the timer records the first breach: the ticket is breached and overdue (still
    // first in the queue); only the later one is about to breach.
    w.at(monday(10, 5));
    w.run_jobs().await?;
    assert_eq!(ids(&w, breached.clone()).await?, [p1]);
    assert_eq!(ids(&w, soon).await?, [later_p1]);
    assert_eq!(
        ids(&w, query(DUE_SOONEST, None)).await?,
        [p1, later_p1, standard, paused]
    );

    // The late answer meets the first response: the next due time is the resolution's
    // (13:00); the ticket stays breached.
    let answer = NewComment {
        body: "On it.".into(),
        internal: false,
        attachments: vec![],
        time: None,
    };
    w.desk.comments().add_comment(&w.agent, p1, answer).await?;
    let view = w.desk.tickets().ticket(&w.agent, p1).await?;
    assert_eq!(
        (view.sla.due_at.map(|t| t.as_micros()), view.sla.breached),
        (Some(monday(13, 0)), true)
    );
    assert_eq!(
        ids(&w, query(DUE_SOONEST, None)).await?,
        [later_p1, p1, standard, paused]
    );

    // Resolved, it has no due time left, and leaves the open queue; filters combine with
    // statuses.
    let resolve = TicketPatch {
        status: Some(Status::Resolved),
        ..TicketPatch::default()
    };
    w.desk
        .tickets()
        .update_ticket(&w.agent, p1, resolve, None)
        .await?;
    let view = w.desk.tickets().ticket(&w.agent, p1).await?;
    assert_eq!(
        (view.sla.due_at.map(|t| t.as_micros()), view.sla.breached),
        (None, true)
    );
    assert!(ids(&w, breached).await?.is_empty());
    let mut any_status = query(DUE_SOONEST, Some(SlaQuery::Breached));
    any_status.statuses.clear();
    assert_eq!(ids(&w, any_status).await?, [p1]);

    // Paging by due time: one at a time, the same order as one page.
    let mut seen = Vec::new();
    let mut q = query(DUE_SOONEST, None);
    q.limit = 1;
    loop {
        let page = w.desk.tickets().list_tickets(&w.agent, q.clone()).await?;
        seen.extend(page.items.iter().map(|t| t.record.id));
        match page.next {
            Some(next) => q.after = Some(next),
            None => break,
        }
        assert!(seen.len() < 10, "paging does not end");
    }
    assert_eq!(seen, [later_p1, standard, paused]);
    Ok(())
}
