//! The storage story of the console's own rows: saved views and who sees them, view counts
//! and their cap, canned responses and their unique names, presence heartbeats and the team
//! list, on SQLite and on PostgreSQL (see `support`).

use crate::support;

use frontline_domain::{
    GroupId, Priority, Status, TicketId, Timestamp, UserId, ViewId, ViewVisibility,
};
use frontline_store::views::{ViewCount, ViewValues};
use frontline_store::{Result, Store, StoreError};
use support::{T0, add_ticket, add_user, group, ticket, user};

support::stories!(
    saved_views,
    view_counts,
    canned_responses,
    presence,
    staff_members
);

fn values(name: &str, visibility: ViewVisibility, group: Option<i64>) -> ViewValues<'_> {
    ViewValues {
        name,
        visibility,
        shared_group_id: group.map(GroupId::new),
        filters: r#"{"queue":"open"}"#,
        sort: "priority",
    }
}

async fn saved_views(store: &Store) -> Result<()> {
    store.migrate().await?;
    let ana = add_user(store, &user("ana@example.org", "agent")).await?;
    let ben = add_user(store, &user("ben@example.org", "agent")).await?;
    let cy = add_user(store, &user("cy@example.org", "agent")).await?;
    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    let net = c.insert_group(&group("Network")).await?;
    c.set_group_members(net, &[ana, ben]).await?;
    let private = c
        .insert_view(ana, &values("Mine", ViewVisibility::Private, None), T0)
        .await?;
    let team = c
        .insert_view(
            ana,
            &values("Team", ViewVisibility::Group, Some(net.get())),
            T0,
        )
        .await?;
    let all = c
        .insert_view(cy, &values("All", ViewVisibility::Everyone, None), T0)
        .await?;
    tx.commit().await?;

    let mut read = store.read().await?;
    let mut c = read.conn();
    let names = |rows: Vec<frontline_domain::ViewRecord>| {
        rows.into_iter().map(|v| v.name).collect::<Vec<_>>()
    };
    assert_eq!(names(c.views_for(ana).await?), ["All", "Mine", "Team"]);
    assert_eq!(names(c.views_for(ben).await?), ["All", "Team"]);
    assert_eq!(names(c.views_for(cy).await?), ["All"]);
    let row = c.view_by_id(team).await?.expect("the view");
    assert_eq!(row.owner_email, "ana@example.org");
    assert_eq!(row.shared_group.as_deref(), Some("Network"));
    assert_eq!(
        c.view_by_id(all).await?.map(|v| v.visibility),
        Some(ViewVisibility::Everyone)
    );
    drop(read);

    // Names are unique per owner, not across owners.
    let mut tx = store.begin().await?;
    let again = tx
        .conn()
        .insert_view(ana, &values("Mine", ViewVisibility::Private, None), T0)
        .await;
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    drop(tx);
    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    c.insert_view(ben, &values("Mine", ViewVisibility::Private, None), T0)
        .await?;
    assert!(
        c.update_view(
            private,
            &values("Renamed", ViewVisibility::Private, None),
            T0 + 1
        )
        .await?
    );
    assert!(
        !c.update_view(
            ViewId::new(999_999),
            &values("Gone", ViewVisibility::Private, None),
            T0
        )
        .await?
    );
    assert!(c.delete_view(all).await?);
    assert!(!c.delete_view(all).await?);
    tx.commit().await?;
    let mut read = store.read().await?;
    let mut c = read.conn();
    assert_eq!(names(c.views_for(ana).await?), ["Renamed", "Team"]);
    assert_eq!(
        c.view_by_id(private).await?.map(|v| v.updated_at),
        Some(Timestamp::from_micros(T0 + 1))
    );
    Ok(())
}

async fn view_counts(store: &Store) -> Result<()> {
    store.migrate().await?;
    let rita = add_user(store, &user("rita@example.org", "requester")).await?;
    let ana = add_user(store, &user("ana@example.org", "agent")).await?;
    for n in 0..12 {
        let mut t = ticket(rita, &format!("VPN drops {n}"));
        t.priority = if n < 4 { Priority::P1 } else { Priority::P3 };
        t.status = if n % 2 == 0 {
            Status::Open
        } else {
            Status::Pending
        };
        t.assignee_id = (n < 3).then_some(ana);
        t.times.updated_at = Timestamp::from_micros(T0 + n);
        add_ticket(store, &t).await?;
    }
    add_ticket(store, &ticket(rita, "Printer 100% broken")).await?;
    let mut read = store.read().await?;
    let mut c = read.conn();
    assert_eq!(c.count_view(&ViewCount::default(), 100).await?, 13);
    assert_eq!(c.count_view(&ViewCount::default(), 5).await?, 5, "capped");
    let open = ViewCount {
        statuses: vec![Status::Open],
        ..ViewCount::default()
    };
    assert_eq!(c.count_view(&open, 100).await?, 6);
    let urgent_open = ViewCount {
        priorities: vec![Priority::P1],
        ..open.clone()
    };
    assert_eq!(c.count_view(&urgent_open, 100).await?, 2);
    let mine = ViewCount {
        assignee_id: Some(Some(ana)),
        ..ViewCount::default()
    };
    assert_eq!(c.count_view(&mine, 100).await?, 3);
    let nobodys = ViewCount {
        assignee_id: Some(None),
        ..ViewCount::default()
    };
    assert_eq!(c.count_view(&nobodys, 100).await?, 10);
    let words = ViewCount {
        text: Some("vpn".into()),
        ..ViewCount::default()
    };
    assert_eq!(c.count_view(&words, 100).await?, 12, "words ignore case");
    // LIKE's wildcards in the words are taken literally.
    let percent = ViewCount {
        text: Some("100%".into()),
        ..ViewCount::default()
    };
    assert_eq!(c.count_view(&percent, 100).await?, 1);
    let recent = ViewCount {
        updated_since: Some(T0 + 10),
        ..ViewCount::default()
    };
    assert_eq!(c.count_view(&recent, 100).await?, 2);
    let no_groups = ViewCount {
        group_ids: Some(Vec::new()),
        ..ViewCount::default()
    };
    assert_eq!(c.count_view(&no_groups, 100).await?, 0);
    Ok(())
}

async fn canned_responses(store: &Store) -> Result<()> {
    store.migrate().await?;
    let ana = add_user(store, &user("ana@example.org", "agent")).await?;
    let ben = add_user(store, &user("ben@example.org", "agent")).await?;
    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    let desk = c
        .insert_canned(None, "Hello", "Hello {{requester.name}}", T0)
        .await?;
    let own = c.insert_canned(Some(ana), "Hello", "Hi!", T0).await?;
    c.insert_canned(Some(ben), "Bye", "Bye", T0).await?;
    tx.commit().await?;
    for (owner, name) in [(None, "Hello"), (Some(ana), "Hello")] {
        let mut tx = store.begin().await?;
        let again = tx.conn().insert_canned(owner, name, "x", T0).await;
        assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    }
    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    let mine: Vec<(Option<UserId>, String)> = c
        .canned_for(ana)
        .await?
        .into_iter()
        .map(|r| (r.owner_id, r.body))
        .collect();
    assert_eq!(
        mine,
        [
            (None, "Hello {{requester.name}}".to_owned()),
            (Some(ana), "Hi!".to_owned())
        ],
        "the desk's first"
    );
    assert!(c.update_canned(own, "Hi", "Hi there", T0 + 1).await?);
    assert_eq!(
        c.canned_by_id(own).await?.map(|r| r.name).as_deref(),
        Some("Hi")
    );
    assert!(c.delete_canned(desk).await?);
    assert_eq!(c.canned_for(ben).await?.len(), 1);
    tx.commit().await?;
    Ok(())
}

async fn presence(store: &Store) -> Result<()> {
    store.migrate().await?;
    let ana = add_user(store, &user("ana@example.org", "agent")).await?;
    let ben = add_user(store, &user("ben@example.org", "agent")).await?;
    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    c.see_ticket(TicketId::new(1), ana, T0).await?;
    c.see_ticket(TicketId::new(1), ben, T0 + 5).await?;
    c.see_ticket(TicketId::new(2), ben, T0).await?;
    // A heartbeat renews the row rather than adding one.
    c.see_ticket(TicketId::new(1), ana, T0 + 8).await?;
    assert_eq!(
        c.ticket_viewers(TicketId::new(1), T0).await?,
        [(ana, "ANA".to_owned()), (ben, "BEN".to_owned())]
    );
    assert_eq!(
        c.ticket_viewers(TicketId::new(1), T0 + 6).await?,
        [(ana, "ANA".to_owned())]
    );
    assert!(c.ticket_viewers(TicketId::new(3), T0).await?.is_empty());
    assert_eq!(
        c.forget_viewers(T0 + 1).await?,
        1,
        "only ticket 2's stale row"
    );
    assert_eq!(c.ticket_viewers(TicketId::new(2), 0).await?, []);
    tx.commit().await?;
    // The one-step heartbeat (one statement on PostgreSQL) renews and returns the others.
    let mut read = store.read().await?;
    let mut c = read.conn();
    assert_eq!(
        c.see_ticket_with_others(TicketId::new(1), ben, T0 + 9, T0 + 6)
            .await?,
        [(ana, "ANA".to_owned())]
    );
    assert_eq!(
        c.see_ticket_with_others(TicketId::new(1), ana, T0 + 20, T0 + 9)
            .await?,
        [(ben, "BEN".to_owned())],
        "ben's renewed row counts"
    );
    assert!(
        c.see_ticket_with_others(TicketId::new(4), ana, T0, T0)
            .await?
            .is_empty()
    );
    assert_eq!(
        c.ticket_viewers(TicketId::new(4), T0).await?,
        [(ana, "ANA".to_owned())]
    );
    Ok(())
}

async fn staff_members(store: &Store) -> Result<()> {
    store.migrate().await?;
    for (email, role) in [
        ("zed@example.org", "admin"),
        ("rita@example.org", "requester"),
        ("amy@example.org", "agent"),
        ("max@example.org", "manager"),
    ] {
        add_user(store, &user(email, role)).await?;
    }
    let mut read = store.read().await?;
    let team = read.conn().staff_members(10).await?;
    let emails: Vec<&str> = team.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(
        emails,
        ["amy@example.org", "max@example.org", "zed@example.org"]
    );
    assert_eq!(read.conn().staff_members(1).await?.len(), 1);
    Ok(())
}
