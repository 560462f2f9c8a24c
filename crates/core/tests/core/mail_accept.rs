//! What the desk acknowledges reaches the agent, on SQLite and on PostgreSQL: a redelivery
//! (trace headers added, headers re-folded) counts once while another message reusing its
//! Message-ID is kept as its own ticket; local mail from `root@localhost` opens a ticket;
//! a long subject is kept whole; what the SMTP listener would refuse is named before it is
//! stored; and held mail is listed for admins, released once into its ticket with an audit
//! entry, or discarded off the list.

use frontline_core::mail::InboundOutcome;
use frontline_core::{Actor, CoreError, Desk};
use frontline_domain::{EventId, InboundId, Role};
use frontline_store::Store;

use crate::mail_support::{self, DESK, Result, mail_desk, person, smtp};

frontline_testkit::stories!(
    a_redelivery_counts_once_a_reused_id_does_not,
    mail_from_a_dotless_domain_opens_a_ticket,
    a_long_subject_is_kept_whole,
    refusals_are_named_before_storing,
    held_mail_is_released_once_with_an_audit_entry,
    held_mail_is_discarded_and_kept,
);

/// The desk with its mailbox, and an agent and an admin.
async fn desk(store: &Store) -> Result<(Desk, Actor, Actor)> {
    let desk = mail_desk(store).await?;
    let agent = person(&desk, "agent@desk.example", Role::Agent).await?;
    let admin = person(&desk, "admin@desk.example", Role::Admin).await?;
    Ok((desk, agent, admin))
}

fn mail(from: &str, subject: &str, id: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: {DESK}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\n{body}\r\n"
    )
}

async fn receive(desk: &Desk, raw: &str) -> Result<Option<InboundId>> {
    desk.mail()
        .receive_mail(smtp(raw.as_bytes().to_vec()))
        .await
}

async fn ingest(desk: &Desk, id: InboundId) -> Result<InboundOutcome> {
    Ok(mail_support::ingest(desk, id)
        .await?
        .expect("a stored message is ingested once"))
}

async fn delivered(desk: &Desk, raw: &str) -> Result<InboundOutcome> {
    let id = receive(desk, raw).await?.expect("a new message is stored");
    ingest(desk, id).await
}

async fn a_redelivery_counts_once_a_reused_id_does_not(store: &Store) -> Result {
    let (desk, agent, _) = desk(store).await?;
    let first = mail(
        "ana@client.example",
        "VPN down",
        "same@client.example",
        "It drops.",
    );
    let outcome = delivered(&desk, &first).await?;
    assert_eq!(outcome.state.as_str(), "ticket");
    // The same message again through another relay: trace fields in front, a field
    // re-folded. Known, not stored, no second ticket.
    let relayed = format!(
        "Received: from mx2.client.example by desk;\r\n\tMon, 23 Nov 2026 09:01:00 +0000\r\n\
         Return-Path: <ana@client.example>\r\nDelivered-To: {DESK}\r\n{}",
        first.replace("Subject: VPN down", "Subject: VPN\r\n down")
    );
    assert_eq!(receive(&desk, &relayed).await?, None, "a redelivery");
    // Another message under the same Message-ID (a client reusing ids): its own ticket.
    let other = mail(
        "bo@client.example",
        "Printer jammed",
        "same@client.example",
        "Tray 2.",
    );
    let second = delivered(&desk, &other).await?;
    assert_eq!(second.state.as_str(), "ticket");
    assert_ne!(second.ticket_id, outcome.ticket_id);
    let ticket = desk
        .tickets()
        .ticket(&agent, second.ticket_id.expect("a ticket"))
        .await?;
    assert_eq!(ticket.record.subject, "Printer jammed");
    let mut c = desk.store().read().await?;
    assert_eq!(
        c.conn().inbound_by_state().await?,
        vec![("ticket".to_owned(), 2)]
    );
    Ok(())
}

async fn mail_from_a_dotless_domain_opens_a_ticket(store: &Store) -> Result {
    let (desk, agent, _) = desk(store).await?;
    let cron = mail(
        "Cron Daemon <root@localhost>",
        "Cron <root@host> backup",
        "cron1@host",
        "backup: disk full",
    );
    assert_eq!(
        desk.mail().refusal(cron.as_bytes()),
        None,
        "the listener takes it"
    );
    let outcome = delivered(&desk, &cron).await?;
    assert_eq!(outcome.state.as_str(), "ticket", "{:?}", outcome.reason);
    let ticket = desk
        .tickets()
        .ticket(&agent, outcome.ticket_id.expect("a ticket"))
        .await?;
    assert_eq!(ticket.record.subject, "Cron <root@host> backup");
    Ok(())
}

async fn a_long_subject_is_kept_whole(store: &Store) -> Result {
    let (desk, agent, _) = desk(store).await?;
    let subject = format!("FW: RE: alert on {}", "/var/log/app ".repeat(60));
    let subject = subject.trim().to_owned();
    assert!(subject.chars().count() > 700);
    // Folded over many lines, as a client writes a long header.
    let folded = subject.replace("/var/log/app /var", "/var/log/app\r\n /var");
    let outcome = delivered(
        &desk,
        &mail("ana@client.example", &folded, "long@c.example", "x"),
    )
    .await?;
    let ticket = desk
        .tickets()
        .ticket(&agent, outcome.ticket_id.expect("a ticket"))
        .await?;
    assert_eq!(ticket.record.subject, subject);
    Ok(())
}

async fn refusals_are_named_before_storing(store: &Store) -> Result {
    let (desk, _, _) = desk(store).await?;
    let no_sender = "To: help@desk.example\r\nSubject: who?\r\n\r\nbody\r\n";
    let refused = desk.mail().refusal(no_sender.as_bytes()).expect("refused");
    assert!(refused.0.starts_with("550 5.6.0 "), "{}", refused.0);
    assert!(refused.0.contains("no sender"), "{}", refused.0);
    let files: String = (0..11)
        .map(|n| {
            format!(
                "--b\r\nContent-Type: text/plain; name=\"f{n}.txt\"\r\n\
                 Content-Disposition: attachment; filename=\"f{n}.txt\"\r\n\r\nfile {n}\r\n"
            )
        })
        .collect();
    let many = format!(
        "From: ana@client.example\r\nSubject: files\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
         Content-Type: text/plain\r\n\r\nsee files\r\n{files}--b--\r\n"
    );
    let refused = desk.mail().refusal(many.as_bytes()).expect("refused");
    assert!(refused.0.starts_with("552 5.3.4 11 files"), "{}", refused.0);
    assert_eq!(
        desk.mail()
            .refusal(mail("a@b.example", "ok", "ok@b", "hi").as_bytes()),
        None
    );
    Ok(())
}

/// A sender over the rate limit: the last message is quarantined. Returns its id.
async fn quarantine_one(desk: &Desk) -> Result<InboundId> {
    let mut last = None;
    for n in 0..=frontline_core::mail::SENDER_LIMIT {
        let raw = mail(
            "robot@loop.example",
            &format!("Alert {n}"),
            &format!("r{n}@loop.example"),
            "Disk full.",
        );
        let id = receive(desk, &raw).await?.expect("stored");
        last = Some((id, ingest(desk, id).await?));
    }
    let (id, outcome) = last.expect("messages were sent");
    assert_eq!(outcome.state.as_str(), "quarantined");
    Ok(id)
}

async fn held_mail_is_released_once_with_an_audit_entry(store: &Store) -> Result {
    let (desk, agent, admin) = desk(store).await?;
    let id = quarantine_one(&desk).await?;
    let list = desk.mail().held_mail(&admin).await?;
    assert_eq!(list.len(), 1);
    assert_eq!(
        (
            list[0].id,
            list[0].sender.as_str(),
            list[0].subject.as_str()
        ),
        (id, "robot@loop.example", "Alert 30")
    );
    assert!(
        list[0].reason.starts_with("rate_limited"),
        "{}",
        list[0].reason
    );
    assert!(
        matches!(desk.mail().held_mail(&agent).await, Err(CoreError::Forbidden(m)) if m.contains("only admins"))
    );
    let one = desk.mail().held_message(&admin, id).await?;
    assert!(one.text.contains("Disk full."));
    assert!(
        one.headers
            .contains(&("From", "robot@loop.example".to_owned()))
    );

    let outcome = desk.mail().release_mail(&admin, id).await?;
    assert_eq!(outcome.state.as_str(), "ticket");
    let ticket = outcome.ticket_id.expect("a ticket");
    assert_eq!(
        desk.tickets().ticket(&agent, ticket).await?.record.subject,
        "Alert 30"
    );
    let events = desk
        .tickets()
        .events(&agent, ticket, EventId::default(), 50)
        .await?;
    let released = events
        .iter()
        .find(|e| e.record.field.as_deref() == Some("quarantine"))
        .expect("an audit entry for the release");
    assert_eq!(released.record.actor_id, Some(admin.id));
    assert!(
        released
            .record
            .new_value
            .as_deref()
            .is_some_and(|v| v.contains("admin@desk.example"))
    );
    // Once: it is no longer held, and a second release changes nothing.
    assert!(desk.mail().held_mail(&admin).await?.is_empty());
    assert!(matches!(
        desk.mail().release_mail(&admin, id).await,
        Err(CoreError::Conflict(_))
    ));
    Ok(())
}

async fn held_mail_is_discarded_and_kept(store: &Store) -> Result {
    let (desk, agent, admin) = desk(store).await?;
    let id = quarantine_one(&desk).await?;
    assert!(matches!(
        desk.mail().discard_mail(&agent, id).await,
        Err(CoreError::Forbidden(_))
    ));
    desk.mail().discard_mail(&admin, id).await?;
    assert!(desk.mail().held_mail(&admin).await?.is_empty());
    assert!(matches!(
        desk.mail().held_message(&admin, id).await,
        Err(CoreError::NotFound(_))
    ));
    assert!(matches!(
        desk.mail().release_mail(&admin, id).await,
        Err(CoreError::Conflict(_))
    ));
    let mut c = desk.store().read().await?;
    let kept = c.conn().inbound(id).await?.expect("kept");
    assert_eq!(
        (kept.state.as_str(), kept.handled_by),
        ("discarded", Some(admin.id))
    );
    Ok(())
}
