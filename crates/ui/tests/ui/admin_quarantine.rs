//! The quarantine in the admin console, on both databases: held mail is linked from the
//! admin navigation, listed newest first in a captioned table (received, mailbox, sender,
//! subject, why), each message has a page with its headers and its text escaped (never
//! its HTML), Release turns it into its ticket once (the ticket's history names the admin)
//! and Discard takes it off the list, both as CSRF-checked forms; other roles are refused.

use crate::support;

use axum::http::StatusCode;
use frontline_core::Store;
use frontline_core::mail::{Incoming, NewMailbox};
use frontline_domain::{Email, MailboxId, Role};
use support::{Site, TestResult, stories};

stories! {
    held_mail_is_listed_read_released_and_discarded,
}

/// An auto-reply that answers no ticket, stored through the mailbox and ingested: held.
async fn held(site: &Site, mailbox: MailboxId, subject: &str, id: &str) -> TestResult<i64> {
    let raw = format!(
        "From: Ana <ana@client.example>\r\nTo: help@example.org\r\nSubject: {subject}\r\n\
         Message-ID: <{id}>\r\nAuto-Submitted: auto-replied\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n\
         Away until Monday. <script>alert(1)</script>\r\n"
    );
    let stored = site
        .desk
        .mail()
        .receive_mail(Incoming {
            mailbox_id: Some(mailbox),
            source: "smtp",
            uid: None,
            envelope_from: None,
            raw: raw.into_bytes(),
        })
        .await?
        .ok_or("stored")?;
    let mut tx = site.desk.store().begin().await?;
    let outcome = site.desk.mail().ingest_mail(&mut tx.conn(), stored).await?;
    tx.commit().await?;
    assert_eq!(outcome.map(|o| o.state.as_str()), Some("ignored"));
    Ok(stored.get())
}

async fn held_mail_is_listed_read_released_and_discarded(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let admin = site.person("admin@example.org", Role::Admin).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let new = NewMailbox {
        address: Email::parse("address", "help@example.org")?,
        imap: None,
        smtp: None,
        name: None,
    };
    let mailbox = site.desk.mail().add_mailbox(Some(&admin), new).await?.id;
    let first = held(&site, mailbox, "Away <b>now</b>", "q1@client.example").await?;
    let second = held(&site, mailbox, "Out of office", "q2@client.example").await?;

    let mut b = site.signed_in("admin@example.org").await?;
    let admin_home = b.get("/admin").await?;
    assert!(
        admin_home.body.contains("href=\"/admin/quarantine\""),
        "linked from the admin nav"
    );
    let list = b.get("/admin/quarantine").await?;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body
            .contains("<caption>Held messages, newest first</caption>"),
        "{}",
        list.body
    );
    assert!(
        list.body.contains("aria-current=\"page\">Quarantine<"),
        "{}",
        list.body
    );
    let (at_second, at_first) = (
        list.body.find("Out of office").ok_or("second listed")?,
        list.body
            .find("Away &#60;b&#62;now")
            .ok_or("first listed, escaped")?,
    );
    assert!(at_second < at_first, "newest first");
    assert!(list.body.contains("help@example.org"));
    assert!(list.body.contains("ana@client.example"));
    assert!(list.body.contains("auto_reply: answers no ticket"));

    let path = format!("/admin/quarantine/{first}");
    let page = b.get(&path).await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Away until Monday."), "{}", page.body);
    assert!(
        !page.body.contains("<script>alert(1)"),
        "the text is escaped"
    );
    assert!(
        page.body.contains("q1@client.example"),
        "the headers are shown"
    );
    assert!(page.body.contains(&format!("action=\"{path}/release\"")));
    let csrf = page.csrf();

    // Without the session's token: refused, still held.
    let refused = b.post(&format!("{path}/release"), &[]).await?;
    assert_ne!(refused.status, StatusCode::SEE_OTHER);
    assert_eq!(site.desk.mail().held_mail(&admin).await?.len(), 2);

    // Release: on to its ticket, whose history names the admin.
    let done = b
        .post(&format!("{path}/release"), &[("csrf", &csrf)])
        .await?;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let ticket_page = done.location().to_owned();
    assert!(
        ticket_page.starts_with("/console/tickets/"),
        "{ticket_page}"
    );
    let ticket = b.get(&ticket_page).await?;
    assert!(
        ticket.body.contains("released by admin@example.org"),
        "{}",
        ticket.body
    );
    // Once: a second release changes nothing and says why.
    let again = b
        .post(&format!("{path}/release"), &[("csrf", &csrf)])
        .await?;
    assert_ne!(again.status, StatusCode::SEE_OTHER);
    assert!(
        again.body.contains("released or discarded already"),
        "{}",
        again.body
    );
    assert_eq!(site.desk.mail().held_mail(&admin).await?.len(), 1);

    // Discard: off the list.
    let done = b
        .post(
            &format!("/admin/quarantine/{second}/discard"),
            &[("csrf", &csrf)],
        )
        .await?;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let list = b.get("/admin/quarantine").await?;
    assert!(!list.body.contains("Out of office"), "{}", list.body);
    assert!(list.body.contains("Nothing is held"));

    // Other roles: refused, saying whose page it is.
    let mut agent = site.signed_in("agent@example.org").await?;
    let page = agent.get("/admin/quarantine").await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("administrators"), "{}", page.body);
    Ok(())
}
