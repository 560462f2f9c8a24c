//! The storage story of letter case in list filters, where SQLite's `LIKE` and
//! PostgreSQL's `LIKE`/`ILIKE` disagree unless the SQL takes care: text search ignores case
//! in every script, and a category subtree is matched with the path's exact case, as the
//! category's own unique path is. Runs on SQLite and on PostgreSQL (see `support`).

use crate::support;

use frontline_domain::{Sort, SortKey, TicketFilter, Timestamp};
use frontline_store::{Result, Store};
use support::{add_user, ticket, user};

support::stories!(text_search_beyond_ascii, category_subtree_keeps_case);

const BY_CREATED: Sort = Sort {
    key: SortKey::Created,
    descending: false,
};

/// Subjects of the tickets `filter` lists.
async fn subjects(store: &Store, filter: &TicketFilter) -> Result<Vec<String>> {
    let mut read = store.read().await?;
    let page = read
        .conn()
        .list_tickets(filter, BY_CREATED, None, 50)
        .await?;
    Ok(page.into_iter().map(|t| t.record.subject).collect())
}

async fn text_search_beyond_ascii(store: &Store) -> Result<()> {
    store.migrate().await?;
    let requester = add_user(store, &user("anna@acme.test", "requester")).await?;
    let mut tx = store.begin().await?;
    for (i, subject) in ["Écran noir", "Ärger mit dem Drucker", "Ошибка входа"]
        .into_iter()
        .enumerate()
    {
        let mut row = ticket(requester, subject);
        row.times.created_at = Timestamp::from_micros(
            row.times.created_at.as_micros() + i64::try_from(i).unwrap_or_default(),
        );
        tx.conn().insert_ticket(&row).await?;
    }
    tx.commit().await?;

    // A French, German or Russian desk types in lower case and expects the same result
    // whichever database the desk runs on.
    for (needle, want) in [
        ("écran", "Écran noir"),
        ("ÄRGER", "Ärger mit dem Drucker"),
        ("ошибка", "Ошибка входа"),
    ] {
        let filter = TicketFilter {
            text: Some(needle.into()),
            ..Default::default()
        };
        assert_eq!(subjects(store, &filter).await?, [want], "text {needle:?}");
    }
    Ok(())
}

async fn category_subtree_keeps_case(store: &Store) -> Result<()> {
    store.migrate().await?;
    let requester = add_user(store, &user("anna@acme.test", "requester")).await?;
    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    // Paths are unique with their case, so these are three different categories.
    let hardware = c.insert_category("Hardware", "Hardware", None).await?;
    let laptop = c
        .insert_category("Hardware/Laptop", "Laptop", Some(hardware))
        .await?;
    let other = c.insert_category("hardware/Mouse", "Mouse", None).await?;
    for (subject, category) in [
        ("Laptop battery", laptop),
        ("Mouse stuck", other),
        ("New docking station", hardware),
    ] {
        let mut row = ticket(requester, subject);
        row.category_id = Some(category);
        c.insert_ticket(&row).await?;
    }
    tx.commit().await?;

    let filter = TicketFilter {
        category_path: Some("Hardware".into()),
        ..Default::default()
    };
    assert_eq!(
        subjects(store, &filter).await?,
        ["Laptop battery", "New docking station"],
        "Hardware and below, not hardware/Mouse"
    );
    let filter = TicketFilter {
        category_path: Some("hardware".into()),
        ..Default::default()
    };
    assert_eq!(subjects(store, &filter).await?, ["Mouse stuck"]);
    Ok(())
}
