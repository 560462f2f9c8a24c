//! The storage story of a single ticket: what is stored comes back, the view names the
//! people, group, category and organization, saves are refused when someone else saved
//! first, and tags and watchers. Runs on SQLite and on PostgreSQL (see `support`).

use crate::support;

use frontline_domain::{
    Channel, GroupId, Level, Priority, Status, TicketId, TicketRecord, TicketType, Timestamp,
    Timestamps, UserId,
};
use frontline_store::{Result, Store, StoreError};
use support::{T0, add_ticket, add_user, group, org, ticket, user};

support::stories!(ticket_view, optimistic_saves, tags_and_watchers);

fn at(micros: i64) -> Timestamp {
    Timestamp::from_micros(micros)
}

/// Custom fields holding one asset tag.
fn asset(tag: &str) -> serde_json::Map<String, serde_json::Value> {
    let mut fields = serde_json::Map::new();
    fields.insert("asset".into(), tag.into());
    fields
}

/// A ticket with every reference filled in, and the ids it refers to.
struct Filled {
    row: TicketRecord,
    agent: i64,
    group: i64,
}

async fn filled_ticket(store: &Store) -> Result<Filled> {
    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    let acme = c
        .insert_organization(&org("Acme", Some("acme.test"), false))
        .await?;
    let requester = c
        .insert_user(&frontline_domain::User {
            name: "Alice Liddell".into(),
            organization_id: Some(acme),
            ..user("alice@acme.test", "requester")
        })
        .await?;
    let agent = c.insert_user(&user("bob@it.test", "agent")).await?;
    let group = c.insert_group(&group("Desktop")).await?;
    let hardware = c.insert_category("Hardware", "Hardware", None).await?;
    let laptop = c
        .insert_category("Hardware/Laptop", "Laptop", Some(hardware))
        .await?;
    let mut row = TicketRecord {
        description: "It stays dark when I press the power button.".into(),
        status: Status::Open,
        ticket_type: TicketType::ServiceRequest,
        impact: Level::High,
        urgency: Level::Low,
        priority: Priority::P2,
        priority_overridden: true,
        category_id: Some(laptop),
        organization_id: Some(acme),
        group_id: Some(group),
        assignee_id: Some(agent),
        channel: Channel::Email,
        custom_fields: asset("LT-0042"),
        times: Timestamps {
            created_at: at(T0 + 1),
            updated_at: at(T0 + 2),
            first_response_at: Some(at(T0 + 3)),
            resolved_at: None,
            closed_at: None,
        },
        ..ticket(requester, "Laptop won't start")
    };
    row.id = c.insert_ticket(&row).await?;
    tx.commit().await?;
    Ok(Filled {
        row,
        agent: agent.get(),
        group: group.get(),
    })
}

async fn ticket_view(store: &Store) -> Result<()> {
    store.migrate().await?;
    let filled = filled_ticket(store).await?;
    let bare_requester = add_user(store, &user("zed@home.test", "requester")).await?;
    let bare = add_ticket(store, &ticket(bare_requester, "Just a question")).await?;

    let mut read = store.read().await?;
    let mut c = read.conn();
    assert_eq!(c.ticket_row(filled.row.id).await?, Some(filled.row.clone()));
    assert!(c.ticket_exists(filled.row.id).await?);
    assert!(
        !c.ticket_exists(TicketId::new(filled.row.id.get() + bare.get() + 1))
            .await?
    );
    assert!(
        c.ticket_view(TicketId::new(filled.row.id.get() + bare.get() + 1))
            .await?
            .is_none()
    );

    let view = c
        .ticket_view(filled.row.id)
        .await?
        .expect("ticket not found");
    assert_eq!(view.record, filled.row);
    assert_eq!(view.requester_email, "alice@acme.test");
    assert_eq!(view.requester_name, "Alice Liddell");
    assert_eq!(view.organization_name.as_deref(), Some("Acme"));
    assert_eq!(view.group_name.as_deref(), Some("Desktop"));
    assert_eq!(view.assignee_email.as_deref(), Some("bob@it.test"));
    assert_eq!(view.category_path.as_deref(), Some("Hardware/Laptop"));
    assert!(view.tags.is_empty() && view.watchers.is_empty());

    let view = c.ticket_view(bare).await?.expect("ticket not found");
    assert_eq!(view.requester_email, "zed@home.test");
    assert_eq!(
        (
            view.organization_name,
            view.group_name,
            view.assignee_email,
            view.category_path
        ),
        (None, None, None, None)
    );
    Ok(())
}

async fn optimistic_saves(store: &Store) -> Result<()> {
    store.migrate().await?;
    let Filled { row, agent, group } = filled_ticket(store).await?;

    // Two agents open the ticket at version 1; the first saves.
    let mine = TicketRecord {
        status: Status::Pending,
        assignee_id: None,
        group_id: None,
        category_id: None,
        priority: Priority::P1,
        version: 2,
        times: Timestamps {
            updated_at: at(T0 + 100),
            resolved_at: Some(at(T0 + 100)),
            ..row.times
        },
        custom_fields: asset("LT-0043"),
        ..row.clone()
    };
    let mut tx = store.begin().await?;
    let locked = tx.conn().ticket_for_update(row.id).await?;
    assert_eq!(locked.as_ref().map(|r| r.version), Some(1));
    tx.conn().save_ticket(&mine, 1).await?;
    tx.commit().await?;

    let mut read = store.read().await?;
    assert_eq!(read.conn().ticket_row(row.id).await?, Some(mine.clone()));
    let view = read
        .conn()
        .ticket_view(row.id)
        .await?
        .expect("ticket not found");
    assert_eq!(
        (view.group_name, view.assignee_email, view.category_path),
        (None, None, None)
    );
    drop(read);

    // The second still holds version 1: refused, and the first save stands.
    let theirs = TicketRecord {
        subject: "Lost update".into(),
        assignee_id: Some(UserId::new(agent)),
        group_id: Some(GroupId::new(group)),
        channel: Channel::Phone,
        version: 2,
        times: Timestamps {
            updated_at: at(T0 + 200),
            ..row.times
        },
        ..row.clone()
    };
    let mut tx = store.begin().await?;
    let stale = tx.conn().save_ticket(&theirs, 1).await;
    assert!(matches!(stale, Err(StoreError::Stale)), "{stale:?}");
    tx.commit().await?;
    let mut read = store.read().await?;
    assert_eq!(read.conn().ticket_row(row.id).await?, Some(mine.clone()));
    drop(read);

    // After reloading they save on top of version 2.
    let theirs = TicketRecord {
        version: 3,
        ..theirs
    };
    let mut tx = store.begin().await?;
    tx.conn().save_ticket(&theirs, 2).await?;
    tx.commit().await?;
    let mut read = store.read().await?;
    let saved = read
        .conn()
        .ticket_row(row.id)
        .await?
        .expect("ticket not found");
    assert_eq!((saved.version, saved.subject.as_str()), (3, "Lost update"));
    // The channel a ticket came in by never changes.
    assert_eq!(saved.channel, Channel::Email);
    Ok(())
}

async fn tags_and_watchers(store: &Store) -> Result<()> {
    store.migrate().await?;
    let Filled { row, agent, .. } = filled_ticket(store).await?;
    let carol = add_user(store, &user("carol@acme.test", "requester")).await?;
    let abe = add_user(store, &user("abe@acme.test", "manager")).await?;

    let tags = |t: &[&str]| t.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    c.set_tags(row.id, &tags(&["vpn", "laptop", "access", "vpn"]))
        .await?;
    assert_eq!(c.tags(row.id).await?, ["access", "laptop", "vpn"]);
    let view = c.ticket_view(row.id).await?.expect("ticket not found");
    assert_eq!(view.tags, ["access", "laptop", "vpn"]);

    c.set_tags(row.id, &tags(&["printer"])).await?;
    let view = c.ticket_view(row.id).await?.expect("ticket not found");
    assert_eq!(view.tags, ["printer"]);

    c.add_watcher(row.id, carol).await?;
    c.add_watcher(row.id, UserId::new(agent)).await?;
    c.add_watcher(row.id, abe).await?;
    c.add_watcher(row.id, carol).await?;
    let mut ids = vec![carol, UserId::new(agent), abe];
    ids.sort_unstable();
    assert_eq!(c.watcher_ids(row.id).await?, ids);
    let view = c.ticket_view(row.id).await?.expect("ticket not found");
    assert_eq!(
        view.watchers,
        ["abe@acme.test", "bob@it.test", "carol@acme.test"]
    );

    c.remove_watcher(row.id, UserId::new(agent)).await?;
    c.remove_watcher(row.id, UserId::new(agent)).await?;
    tx.commit().await?;

    let mut read = store.read().await?;
    let view = read
        .conn()
        .ticket_view(row.id)
        .await?
        .expect("ticket not found");
    assert_eq!(view.watchers, ["abe@acme.test", "carol@acme.test"]);
    assert_eq!(view.tags, ["printer"]);
    drop(read);

    let mut tx = store.begin().await?;
    tx.conn().set_tags(row.id, &[]).await?;
    tx.commit().await?;
    let mut read = store.read().await?;
    assert_eq!(read.conn().tags(row.id).await?, Vec::<String>::new());
    Ok(())
}
