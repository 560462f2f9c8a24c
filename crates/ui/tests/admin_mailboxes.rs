//! Editing and disabling a mailbox on the admin page, on both databases: new URLs are checked
//! like new mailboxes and their passwords never shown, an empty field keeps a URL, a ticked
//! box removes it, and a disabled mailbox is listed as such until it is enabled again; other
//! roles are refused.

mod support;

use axum::http::StatusCode;
use frontline_core::Store;
use frontline_core::mail::NewMailbox;
use frontline_domain::{Email, Role};
use frontline_mail::{ImapUrl, SmtpUrl};
use support::{Site, TestResult, stories};

stories! {
    a_mailbox_is_edited_and_disabled_from_its_page,
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
    };
    let id = site.desk.add_mailbox(Some(&admin), new).await?.id;
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
    let m = &site.desk.mailboxes(Some(&admin)).await?[0];
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
    let m = &site.desk.mailboxes(Some(&admin)).await?[0];
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
    assert!(site.desk.mailboxes(Some(&admin)).await?[0].smtp.is_none());

    // Disable, then enable again.
    let toggle = format!("{page_path}/enabled");
    let page = b
        .post(&toggle, &[("csrf", &csrf), ("enabled", "no")])
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let m = &site.desk.mailboxes(Some(&admin)).await?[0];
    assert_eq!(m.state, "disabled");
    assert!(!m.is_active());
    let list = b.get("/admin/mailboxes").await?;
    assert!(list.body.contains(">Enable<"), "{}", list.body);
    assert!(
        site.desk
            .mailbox_for("help@example.org")
            .await?
            .is_some_and(|m| !m.is_active()),
        "the SMTP listener sees it disabled"
    );
    let page = b
        .post(&toggle, &[("csrf", &csrf), ("enabled", "yes")])
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(site.desk.mailboxes(Some(&admin)).await?[0].is_active());

    // Without the session's token, or as an agent: refused, nothing changes.
    let page = b.post(&toggle, &[("enabled", "no")]).await?;
    assert_ne!(page.status, StatusCode::SEE_OTHER);
    let mut agent = site.signed_in("agent@example.org").await?;
    assert_eq!(agent.get(&page_path).await?.status, StatusCode::FORBIDDEN);
    assert!(site.desk.mailboxes(Some(&admin)).await?[0].is_active());
    let missing = b.get("/admin/mailboxes/999999").await?;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    Ok(())
}
