//! The storage story, part one: migrations, desk settings, idempotency keys, API tokens,
//! transactions and counts. Each story runs on SQLite and on PostgreSQL (see `support`);
//! the other parts live in `story_people.rs`, `story_tickets.rs`, `story_conversation.rs`
//! and `story_lists.rs`.

use crate::support;

use frontline_domain::Status;
use frontline_store::{Result, Store, StoreError};
use support::{T0, add_ticket, add_user, ticket, user};

support::stories!(
    migrations,
    settings_and_configuration,
    idempotency_keys,
    api_tokens,
    transactions_and_counts,
);

async fn migrations(store: &Store) -> Result<()> {
    // A database nobody has migrated is not ready; saying so by an error is fine too.
    assert!(!store.is_ready().await.unwrap_or(false));

    store.migrate().await?;
    assert!(store.is_ready().await?);

    let mut tx = store.begin().await?;
    tx.conn().put_setting("desk.name", "IT help").await?;
    tx.commit().await?;

    // Every node migrates at start-up: a second run changes nothing and keeps the data.
    store.migrate().await?;
    assert!(store.is_ready().await?);
    let mut read = store.read().await?;
    assert_eq!(
        read.conn().setting("desk.name").await?.as_deref(),
        Some("IT help")
    );
    Ok(())
}

async fn settings_and_configuration(store: &Store) -> Result<()> {
    store.migrate().await?;
    let mut tx = store.begin().await?;
    let mut c = tx.conn();

    assert_eq!(c.setting("priority_matrix").await?, None);
    c.put_setting("priority_matrix", r#"{"high":{"high":1}}"#)
        .await?;
    assert_eq!(
        c.setting("priority_matrix").await?.as_deref(),
        Some(r#"{"high":{"high":1}}"#)
    );
    c.put_setting("priority_matrix", r#"{"high":{"high":2}}"#)
        .await?;
    assert_eq!(
        c.setting("priority_matrix").await?.as_deref(),
        Some(r#"{"high":{"high":2}}"#)
    );

    let hardware = c.insert_category("Hardware", "Hardware", None).await?;
    let laptop = c
        .insert_category("Hardware/Laptop", "Laptop", Some(hardware))
        .await?;
    c.insert_category("Access", "Access", None).await?;
    let found = c.category_by_path("Hardware/Laptop").await?;
    let found = found.expect("category Hardware/Laptop not found by its path");
    assert_eq!(
        (found.id, found.name.as_str(), found.parent_id),
        (laptop, "Laptop", Some(hardware))
    );
    assert_eq!(c.category_by_path("Hardware/Phone").await?, None);
    let paths: Vec<String> = c.categories().await?.into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["Access", "Hardware", "Hardware/Laptop"]);

    // Custom fields come back in the order they were defined, not by key.
    c.insert_custom_field("site", r#"{"key":"site"}"#).await?;
    c.insert_custom_field("asset", r#"{"key":"asset"}"#).await?;
    c.insert_custom_field("cost", r#"{"key":"cost"}"#).await?;
    assert_eq!(
        c.custom_field_definitions().await?,
        [
            r#"{"key":"site"}"#,
            r#"{"key":"asset"}"#,
            r#"{"key":"cost"}"#
        ]
    );
    tx.commit().await?;

    let mut tx = store.begin().await?;
    let again = tx
        .conn()
        .insert_category("Hardware", "Hardware", None)
        .await;
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    drop(tx);
    let mut tx = store.begin().await?;
    let again = tx.conn().insert_custom_field("site", "{}").await;
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    drop(tx);

    let mut read = store.read().await?;
    assert_eq!(read.conn().categories().await?.len(), 3);
    assert_eq!(read.conn().custom_field_definitions().await?.len(), 3);
    Ok(())
}

async fn idempotency_keys(store: &Store) -> Result<()> {
    store.migrate().await?;
    let alice = add_user(store, &user("alice@acme.test", "requester")).await?;
    let bob = add_user(store, &user("bob@acme.test", "requester")).await?;
    let first = add_ticket(store, &ticket(alice, "Printer jam")).await?;
    let second = add_ticket(store, &ticket(bob, "Printer jam")).await?;

    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    assert_eq!(c.idempotency_key(alice, "retry-1").await?, None);
    c.insert_idempotency_key(alice, "retry-1", "hash-a", first, T0)
        .await?;
    // Keys belong to a person: another may use the same one.
    c.insert_idempotency_key(bob, "retry-1", "hash-b", second, T0 + 10)
        .await?;
    c.insert_idempotency_key(alice, "retry-2", "hash-c", first, T0 + 20)
        .await?;
    assert_eq!(
        c.idempotency_key(alice, "retry-1").await?,
        Some(("hash-a".to_owned(), first))
    );
    assert_eq!(
        c.idempotency_key(bob, "retry-1").await?,
        Some(("hash-b".to_owned(), second))
    );
    tx.commit().await?;

    let mut tx = store.begin().await?;
    let again = tx
        .conn()
        .insert_idempotency_key(alice, "retry-1", "hash-z", second, T0 + 30)
        .await;
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    drop(tx);

    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    assert_eq!(
        c.idempotency_key(alice, "retry-1").await?,
        Some(("hash-a".to_owned(), first)),
        "a refused duplicate must not overwrite the first use"
    );
    // Only keys used strictly before the cut-off go.
    assert_eq!(c.expire_idempotency_keys(T0 + 10).await?, 1);
    assert_eq!(c.idempotency_key(alice, "retry-1").await?, None);
    assert!(c.idempotency_key(bob, "retry-1").await?.is_some());
    assert!(c.idempotency_key(alice, "retry-2").await?.is_some());
    assert_eq!(c.expire_idempotency_keys(T0 + 10).await?, 0);
    tx.commit().await?;
    Ok(())
}

async fn api_tokens(store: &Store) -> Result<()> {
    store.migrate().await?;
    let mut alice = user("alice@acme.test", "agent");
    alice.id = add_user(store, &alice).await?;

    let mut tx = store.begin().await?;
    tx.conn()
        .insert_token(alice.id, "sha-of-token-1", "laptop", T0)
        .await?;
    tx.commit().await?;

    let mut read = store.read().await?;
    assert_eq!(
        read.conn().user_by_token("sha-of-token-1").await?,
        Some(alice.clone())
    );
    assert_eq!(read.conn().user_by_token("sha-of-something").await?, None);
    drop(read);

    let mut tx = store.begin().await?;
    let again = tx
        .conn()
        .insert_token(alice.id, "sha-of-token-1", "phone", T0)
        .await;
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    drop(tx);

    // A deactivated person's tokens stop working, and work again when they come back.
    let mut tx = store.begin().await?;
    tx.conn()
        .update_user(&frontline_domain::User {
            active: false,
            ..alice.clone()
        })
        .await?;
    tx.commit().await?;
    let mut read = store.read().await?;
    assert_eq!(read.conn().user_by_token("sha-of-token-1").await?, None);
    drop(read);

    let mut tx = store.begin().await?;
    tx.conn().update_user(&alice).await?;
    tx.commit().await?;
    let mut read = store.read().await?;
    assert_eq!(
        read.conn().user_by_token("sha-of-token-1").await?,
        Some(alice)
    );
    Ok(())
}

async fn transactions_and_counts(store: &Store) -> Result<()> {
    store.migrate().await?;
    let mut read = store.read().await?;
    assert_eq!(read.conn().count_tickets().await?, 0);
    assert_eq!(read.conn().tickets_by_status().await?, Vec::new());

    // An operation that fails half-way leaves nothing behind.
    let mut tx = store.begin().await?;
    let ghost = tx
        .conn()
        .insert_user(&user("ghost@acme.test", "requester"))
        .await?;
    let number = tx
        .conn()
        .insert_ticket(&ticket(ghost, "Never saved"))
        .await?;
    assert!(
        tx.conn().ticket_exists(number).await?,
        "a transaction sees its own writes"
    );
    assert!(
        !read.conn().ticket_exists(number).await?,
        "nobody else sees a transaction's writes before it commits"
    );
    drop(tx);
    assert_eq!(read.conn().count_tickets().await?, 0);
    assert_eq!(read.conn().user_by_email("ghost@acme.test").await?, None);
    drop(read);

    // The address is free again, and the writer is usable after the rollback.
    let alice = add_user(store, &user("ghost@acme.test", "requester")).await?;
    let mut tx = store.begin().await?;
    for (i, status) in ["open", "new", "closed", "open", "new", "open"]
        .into_iter()
        .enumerate()
    {
        let mut row = ticket(alice, &format!("Ticket {i}"));
        row.status = Status::parse("status", status).expect("a status");
        tx.conn().insert_ticket(&row).await?;
    }
    tx.commit().await?;

    let mut read = store.read().await?;
    assert_eq!(read.conn().count_tickets().await?, 6);
    let by_status: Vec<(String, i64)> = [("closed", 1), ("new", 2), ("open", 3)]
        .map(|(s, n)| (s.to_owned(), n))
        .into();
    assert_eq!(read.conn().tickets_by_status().await?, by_status);
    Ok(())
}
