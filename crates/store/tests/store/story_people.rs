//! The storage story of people: organizations, users and agent groups, on SQLite and on
//! PostgreSQL (see `support`).

use crate::support;

use frontline_domain::{Organization, Role, User, UserId};
use frontline_store::{Result, Store, StoreError};
use support::{add_user, group, org, user};

support::stories!(organizations, users, groups, user_directory_paging);

async fn organizations(store: &Store) -> Result<()> {
    store.migrate().await?;
    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    let acme = Organization {
        id: c
            .insert_organization(&org("Acme", Some("acme.test"), false))
            .await?,
        ..org("Acme", Some("acme.test"), false)
    };
    let globex = Organization {
        id: c.insert_organization(&org("Globex", None, true)).await?,
        ..org("Globex", None, true)
    };
    assert_eq!(c.organization_by_id(acme.id).await?, Some(acme.clone()));
    assert_eq!(
        c.organization_by_name("Globex").await?,
        Some(globex.clone())
    );
    assert_eq!(
        c.organization_by_domain("acme.test").await?,
        Some(acme.clone())
    );
    assert_eq!(c.organization_by_domain("globex.test").await?, None);
    assert_eq!(c.organization_by_name("Initech").await?, None);
    assert_eq!(c.organizations().await?, [acme.clone(), globex.clone()]);

    let shared = Organization {
        shared_tickets: true,
        domain: Some("acme.example".into()),
        ..acme.clone()
    };
    c.update_organization(&shared).await?;
    assert_eq!(c.organization_by_id(acme.id).await?, Some(shared));
    assert_eq!(c.organization_by_domain("acme.test").await?, None);
    tx.commit().await?;

    for clash in [
        org("Acme", None, false),
        org("Initech", Some("acme.example"), false),
    ] {
        let mut tx = store.begin().await?;
        let again = tx.conn().insert_organization(&clash).await;
        assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    }
    let mut read = store.read().await?;
    assert_eq!(read.conn().organizations().await?.len(), 2);
    Ok(())
}

async fn users(store: &Store) -> Result<()> {
    store.migrate().await?;
    let mut tx = store.begin().await?;
    let acme = tx
        .conn()
        .insert_organization(&org("Acme", Some("acme.test"), false))
        .await?;
    tx.commit().await?;

    let mut alice = User {
        organization_id: Some(acme),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        ..user("alice@acme.test", "requester")
    };
    alice.id = add_user(store, &alice).await?;
    let mut bob = user("bob@example.test", "agent");
    bob.id = add_user(store, &bob).await?;

    let mut read = store.read().await?;
    let mut c = read.conn();
    assert_eq!(
        c.user_by_email("alice@acme.test").await?,
        Some(alice.clone())
    );
    assert_eq!(c.user_by_id(bob.id).await?, Some(bob.clone()));
    assert_eq!(c.user_by_email("carol@acme.test").await?, None);
    assert_eq!(
        c.user_by_id(UserId::new(bob.id.get() + alice.id.get() + 100))
            .await?,
        None
    );
    assert_eq!(c.count_users().await?, 2);
    drop(read);

    // A second account with the same address is refused, and nothing is written.
    let mut tx = store.begin().await?;
    let again = tx
        .conn()
        .insert_user(&user("alice@acme.test", "agent"))
        .await;
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    drop(tx);

    let promoted = User {
        name: "Alice Liddell".into(),
        role: Role::Manager,
        organization_id: None,
        password_hash: None,
        ..alice.clone()
    };
    let mut tx = store.begin().await?;
    tx.conn().update_user(&promoted).await?;
    tx.commit().await?;
    let mut read = store.read().await?;
    assert_eq!(read.conn().count_users().await?, 2);
    assert_eq!(read.conn().user_by_id(alice.id).await?, Some(promoted));
    Ok(())
}

async fn groups(store: &Store) -> Result<()> {
    store.migrate().await?;
    let mut ids = Vec::new();
    for email in ["ann@it.test", "ben@it.test", "cat@it.test"] {
        ids.push(add_user(store, &user(email, "agent")).await?);
    }
    let [ann, ben, cat] = ids[..] else {
        unreachable!()
    };

    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    let network = c.insert_group(&group("Network")).await?;
    let desktop = c.insert_group(&group("Desktop")).await?;
    let found = c
        .group_by_name("Network")
        .await?
        .expect("group Network not found");
    assert_eq!(
        (found.id, found.description.as_str()),
        (network, "The Network team")
    );
    assert_eq!(
        c.group_by_id(desktop).await?.map(|g| g.name),
        Some("Desktop".into())
    );
    assert_eq!(c.group_by_name("Facilities").await?, None);
    let names: Vec<String> = c.groups().await?.into_iter().map(|g| g.name).collect();
    assert_eq!(names, ["Desktop", "Network"]);

    assert_eq!(c.group_members(network).await?, Vec::<String>::new());
    c.set_group_members(network, &[cat, ann]).await?;
    assert_eq!(
        c.group_members(network).await?,
        ["ann@it.test", "cat@it.test"]
    );
    // Setting members replaces them; naming someone twice is harmless.
    c.set_group_members(network, &[ben, cat, ben]).await?;
    assert_eq!(
        c.group_members(network).await?,
        ["ben@it.test", "cat@it.test"]
    );
    assert!(c.is_group_member(network, ben).await?);
    assert!(!c.is_group_member(network, ann).await?);
    c.set_group_members(desktop, &[ann]).await?;
    assert_eq!(
        c.group_members(network).await?,
        ["ben@it.test", "cat@it.test"]
    );
    c.set_group_members(network, &[]).await?;
    assert_eq!(c.group_members(network).await?, Vec::<String>::new());
    assert_eq!(c.group_members(desktop).await?, ["ann@it.test"]);
    tx.commit().await?;

    let mut tx = store.begin().await?;
    let again = tx.conn().insert_group(&group("Network")).await;
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    Ok(())
}

async fn user_directory_paging(store: &Store) -> Result<()> {
    store.migrate().await?;
    let mut expected: Vec<(String, String)> = Vec::new();
    let mut tx = store.begin().await?;
    for i in 0..23 {
        let role = ["requester", "agent", "admin"][i % 3];
        // Inserted out of email order, so the order must come from the query.
        let email = format!("user{:02}@desk.test", (i * 7) % 23);
        tx.conn().insert_user(&user(&email, role)).await?;
        expected.push((email, role.to_owned()));
    }
    tx.commit().await?;
    expected.sort();

    for role in [None, Some(Role::Agent), Some(Role::Admin)] {
        let want: Vec<&str> = expected
            .iter()
            .filter(|(_, r)| role.is_none_or(|role| role.as_str() == r))
            .map(|(e, _)| e.as_str())
            .collect();
        let mut seen: Vec<String> = Vec::new();
        let mut read = store.read().await?;
        loop {
            let after = seen.last().cloned().unwrap_or_default();
            let page = read.conn().list_users(role, &after, 5).await?;
            assert!(page.len() <= 5, "a page holds at most its limit");
            assert!(page.iter().all(|u| role.is_none_or(|r| u.role == r)));
            let full = page.len() == 5;
            seen.extend(page.into_iter().map(|u| u.email.to_string()));
            if !full || seen.len() > 100 {
                break;
            }
        }
        assert_eq!(seen, want, "people with role {role:?}, five at a time");
    }
    Ok(())
}
