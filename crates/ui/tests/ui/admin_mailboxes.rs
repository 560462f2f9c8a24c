//! Editing and disabling a mailbox on the admin page, on both databases: new URLs are checked
//! like new mailboxes and their passwords never shown, an empty field keeps a URL, a ticked
//! box removes it, and a disabled mailbox is listed as such until it is enabled again; other
//! roles are refused. A mailbox's name is given on adding and changed on its page, listed,
//! and one of two lines or over 100 characters is refused next to its field, changing
//! nothing.

use crate::support;

use axum::http::StatusCode;
use frontline_core::Store;
use frontline_core::mail::NewMailbox;
use frontline_domain::{Email, Role};
use frontline_mail::{ImapUrl, SmtpUrl};
use support::{Browser, Page, Site, TestResult, stories};

stories! {
    a_mailbox_is_edited_and_disabled_from_its_page,
    a_mailbox_is_named_on_adding_and_on_its_page,
}

async fn a_mailbox_is_edited_and_disabled_from_its_page(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let admin = site.person("admin@example.org", Role::Admin).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let new = NewMailbox {
        address: Email::parse("address", "help@example.org")?,
        imap: Some(ImapUrl::parse(
            "imaps://desk:old-pass@old.example.org/INBOX",
        )?),
        smtp: Some(SmtpUrl::parse("smtps://desk:old-pass@old.example.org")?),
        name: None,
    };
    let id = site.desk.mail().add_mailbox(Some(&admin), new).await?.id;
    let page_path = format!("/admin/mailboxes/{id}");
    let mut b = site.signed_in("admin@example.org").await?;
    let csrf = b.csrf(&page_path).await?;
    let page = b.get(&page_path).await?;
    assert!(page.body.contains("help@example.org"));
    assert!(page.body.contains("old.example.org"));
    assert!(!page.body.contains("old-pass"), "passwords are never shown");

    // A bad URL comes back next to its field and changes nothing.
    let page = b
        .post(
            &page_path,
            &[("csrf", &csrf), ("imap", "ftp://nope"), ("smtp", "")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"imap-error\""), "{}", page.body);
    let m = &site.desk.mail().mailboxes(Some(&admin)).await?[0];
    assert_eq!(
        m.imap.as_ref().map(|u| u.host.as_str()),
        Some("old.example.org")
    );

    // A new IMAP URL; the empty SMTP field keeps the current one.
    let page = b
        .post(
            &page_path,
            &[
                ("csrf", &csrf),
                ("imap", "imaps://desk:new-pass@new.example.org/Support"),
                ("smtp", ""),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let m = &site.desk.mail().mailboxes(Some(&admin)).await?[0];
    let imap = m.imap.as_ref().expect("an IMAP URL");
    assert_eq!(
        (imap.host.as_str(), imap.password.as_str()),
        ("new.example.org", "new-pass")
    );
    assert_eq!(
        m.smtp.as_ref().map(|u| u.host.as_str()),
        Some("old.example.org")
    );
    let list = b.get("/admin/mailboxes").await?;
    assert!(list.body.contains("new.example.org"));
    assert!(!list.body.contains("new-pass"));

    // Stop sending as it.
    let page = b
        .post(&page_path, &[("csrf", &csrf), ("clear_smtp", "yes")])
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(
        site.desk.mail().mailboxes(Some(&admin)).await?[0]
            .smtp
            .is_none()
    );

    // Disable, then enable again.
    let toggle = format!("{page_path}/enabled");
    let page = b
        .post(&toggle, &[("csrf", &csrf), ("enabled", "no")])
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let m = &site.desk.mail().mailboxes(Some(&admin)).await?[0];
    assert_eq!(m.state, frontline_domain::MailboxState::Disabled);
    assert!(!m.is_active());
    let list = b.get("/admin/mailboxes").await?;
    assert!(list.body.contains(">Enable<"), "{}", list.body);
    assert!(
        site.desk
            .mail()
            .mailbox_for("help@example.org")
            .await?
            .is_some_and(|m| !m.is_active()),
        "the SMTP listener sees it disabled"
    );
    let page = b
        .post(&toggle, &[("csrf", &csrf), ("enabled", "yes")])
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(site.desk.mail().mailboxes(Some(&admin)).await?[0].is_active());

    // Without the session's token, or as an agent: refused, nothing changes.
    let page = b.post(&toggle, &[("enabled", "no")]).await?;
    assert_ne!(page.status, StatusCode::SEE_OTHER);
    let mut agent = site.signed_in("agent@example.org").await?;
    assert_eq!(agent.get(&page_path).await?.status, StatusCode::FORBIDDEN);
    assert!(site.desk.mail().mailboxes(Some(&admin)).await?[0].is_active());
    let missing = b.get("/admin/mailboxes/999999").await?;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    Ok(())
}

/// Posts the add form for help@example.org with `name`.
async fn add_named(b: &mut Browser, csrf: &str, name: &str) -> TestResult<Page> {
    let fields = [
        ("csrf", csrf),
        ("address", "help@example.org"),
        ("name", name),
    ];
    b.post("/admin/mailboxes", &fields).await
}

async fn a_mailbox_is_named_on_adding_and_on_its_page(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let admin = site.person("admin@example.org", Role::Admin).await?;
    let mut b = site.signed_in("admin@example.org").await?;
    let csrf = b.csrf("/admin/mailboxes").await?;
    let list = b.get("/admin/mailboxes").await?;
    assert!(
        list.body
            .contains("<label for=\"name\">Name (optional)</label>"),
        "{}",
        list.body
    );

    // Too long: the form comes back with the error by the field, and no mailbox is added.
    let long = "x".repeat(101);
    let page = add_named(&mut b, &csrf, &long).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"name-error\""), "{}", page.body);
    assert!(page.body.contains(&long), "what was typed is kept");
    assert!(site.desk.mail().mailboxes(Some(&admin)).await?.is_empty());

    let page = add_named(&mut b, &csrf, "IT <Help>").await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let m = &site.desk.mail().mailboxes(Some(&admin)).await?[0];
    assert_eq!(m.name.as_deref(), Some("IT <Help>"));
    let list = b.get("/admin/mailboxes").await?;
    assert!(list.body.contains("IT &#60;Help&#62;"), "{}", list.body);

    // Its page shows the name to change; two lines are refused, a blank one removes it.
    let page_path = format!("/admin/mailboxes/{}", m.id);
    let page = b.get(&page_path).await?;
    assert!(
        page.body.contains("<label for=\"name\">Name</label>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("value=\"IT &#60;Help&#62;\""),
        "{}",
        page.body
    );
    let page = b
        .post(&page_path, &[("csrf", &csrf), ("name", "IT\r\nHelp")])
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"name-error\""), "{}", page.body);
    let named = |ms: Vec<frontline_core::mail::Mailbox>| ms[0].name.clone();
    assert_eq!(
        named(site.desk.mail().mailboxes(Some(&admin)).await?).as_deref(),
        Some("IT <Help>")
    );
    let page = b
        .post(&page_path, &[("csrf", &csrf), ("name", "Service Desk")])
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(
        named(site.desk.mail().mailboxes(Some(&admin)).await?).as_deref(),
        Some("Service Desk")
    );
    let page = b.post(&page_path, &[("csrf", &csrf), ("name", "")]).await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(named(site.desk.mail().mailboxes(Some(&admin)).await?), None);
    Ok(())
}
