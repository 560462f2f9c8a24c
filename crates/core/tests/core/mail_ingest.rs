//! Inbound mail through the core operations, on SQLite and on PostgreSQL: a new message opens
//! a ticket, replies thread by Message-ID and by `[#N]` tag (never by subject alone), copies
//! make watchers, automatic mail opens nothing, and each message counts once however often
//! it arrives or is ingested. How mail tickets meet rules and assignment is in
//! `mail_ingest_rules`.

use frontline_core::mail::{InboundOutcome, Incoming};
use frontline_core::{Actor, Desk};
use frontline_domain::{CommentId, Role};
use frontline_store::Store;

use crate::mail_support::{DESK, Result, deliver, ingest, mail_desk, person_named};

frontline_testkit::stories!(
    new_mail_opens_a_ticket_and_replies_thread,
    copies_of_a_message_count_once,
    automatic_and_own_mail_open_nothing,
    bounces_land_on_their_ticket,
    a_mail_loop_is_stopped,
    attachments_are_kept,
);

pub(crate) async fn desk(store: &Store) -> Result<(Desk, Actor)> {
    let desk = mail_desk(store).await?;
    let agent = person_named(&desk, "agent@desk.example", "Alex Agent", Role::Agent).await?;
    Ok((desk, agent))
}

/// A plain-text message; `headers` are extra header lines.
pub(crate) fn mail(from: &str, subject: &str, id: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {DESK}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n{headers}\r\n{body}\r\n"
    )
    .into_bytes()
}

pub(crate) async fn delivered(desk: &Desk, raw: Vec<u8>) -> Result<InboundOutcome> {
    Ok(deliver(desk, raw)
        .await?
        .expect("a new message is ingested"))
}

async fn new_mail_opens_a_ticket_and_replies_thread(store: &Store) -> Result {
    let (desk, agent) = desk(store).await?;
    let first = delivered(
        &desk,
        mail(
            "Ana Lima <Ana@Client.example>",
            "VPN drops every few minutes",
            "a1@client.example",
            "Cc: Bo <bo@client.example>, help@desk.example\r\n",
            "Since this morning the VPN disconnects.\r\n\r\n-- \r\nAna Lima\r\nClient Ltd",
        ),
    )
    .await?;
    assert_eq!(first.state.as_str(), "ticket");
    let ticket = first.ticket_id.expect("a ticket");
    let view = desk.tickets().ticket(&agent, ticket).await?;
    assert_eq!(view.record.channel.as_str(), "email");
    assert_eq!(view.record.subject, "VPN drops every few minutes");
    assert_eq!(
        (view.requester_email.as_str(), view.requester_name.as_str()),
        ("ana@client.example", "Ana Lima")
    );
    assert!(view.record.description.contains("VPN disconnects"));
    assert_eq!(view.watchers, vec!["bo@client.example".to_owned()]);

    // A reply by In-Reply-To, quoting the first mail: the quote is not in the comment.
    let reply = delivered(
        &desk,
        mail(
            "ana@client.example",
            "Re: VPN drops every few minutes",
            "a2@client.example",
            "In-Reply-To: <a1@client.example>\r\nReferences: <a1@client.example>\r\n",
            "It happened again at 10:15.\r\n\r\nOn Mon, Ana wrote:\r\n> Since this morning the VPN disconnects.",
        ),
    )
    .await?;
    assert_eq!(
        (reply.state.as_str(), reply.ticket_id),
        ("comment", Some(ticket))
    );
    let comments = desk
        .comments()
        .list(&agent, ticket, CommentId::default(), 10)
        .await?;
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].record.body, "It happened again at 10:15.");

    // A watcher answering with only the tag in the subject threads too.
    let tagged = delivered(
        &desk,
        mail(
            "bo@client.example",
            &format!("[#{ticket}] VPN"),
            "b1@client.example",
            "",
            "Same here.",
        ),
    )
    .await?;
    assert_eq!(tagged.ticket_id, Some(ticket));
    assert_eq!(tagged.state.as_str(), "comment");

    // A stranger using the tag, and anyone repeating the subject, open tickets of their own.
    let stranger = delivered(
        &desk,
        mail(
            "eve@elsewhere.example",
            &format!("Re: [#{ticket}] VPN drops"),
            "e1@elsewhere.example",
            "",
            "Let me in.",
        ),
    )
    .await?;
    assert_eq!(stranger.state.as_str(), "ticket");
    assert_ne!(stranger.ticket_id, Some(ticket));
    let same_subject = delivered(
        &desk,
        mail(
            "ana@client.example",
            "Re: VPN drops every few minutes",
            "a3@client.example",
            "",
            "New problem, same words.",
        ),
    )
    .await?;
    assert_eq!(same_subject.state.as_str(), "ticket");
    assert_ne!(same_subject.ticket_id, Some(ticket));
    Ok(())
}

async fn copies_of_a_message_count_once(store: &Store) -> Result {
    let (desk, agent) = desk(store).await?;
    let raw = mail(
        "ana@client.example",
        "Printer jam",
        "p1@client.example",
        "",
        "Jammed.",
    );
    let incoming = |raw: Vec<u8>, uid| Incoming {
        mailbox_id: None,
        source: "imap",
        uid,
        envelope_from: None,
        raw,
    };
    let id = desk
        .mail()
        .receive_mail(incoming(raw.clone(), None))
        .await?
        .expect("stored");
    // The same message again (another mailbox, another delivery): not stored again.
    assert_eq!(
        desk.mail()
            .receive_mail(incoming(raw.clone(), None))
            .await?,
        None
    );
    // A message without Message-ID is known by its bytes.
    let bare = b"From: bo@client.example\r\nSubject: no id\r\n\r\nhello\r\n".to_vec();
    assert!(
        desk.mail()
            .receive_mail(incoming(bare.clone(), None))
            .await?
            .is_some()
    );
    assert_eq!(desk.mail().receive_mail(incoming(bare, None)).await?, None);
    // The job runs twice (a crash after the commit, before the queue heard): one ticket.
    let outcome = ingest(&desk, id).await?.expect("first run ingests");
    assert_eq!(ingest(&desk, id).await?, None);
    let ticket = outcome.ticket_id.expect("a ticket");
    assert_eq!(
        desk.tickets().ticket(&agent, ticket).await?.record.subject,
        "Printer jam"
    );
    let mut c = desk.store().read().await?;
    let states = c.conn().inbound_by_state().await?;
    assert_eq!(
        states,
        vec![("received".to_owned(), 1), ("ticket".to_owned(), 1)]
    );
    Ok(())
}

async fn automatic_and_own_mail_open_nothing(store: &Store) -> Result {
    let (desk, _) = desk(store).await?;
    let cases = [
        (
            mail(
                "ana@client.example",
                "Out of office",
                "o1@client.example",
                "Auto-Submitted: auto-replied\r\n",
                "I am away.",
            ),
            "auto_reply",
        ),
        (
            mail(
                "list@lists.example",
                "Weekly digest",
                "l1@lists.example",
                "List-Id: <news.lists.example>\r\n",
                "News.",
            ),
            "list",
        ),
        (
            mail(
                "news@shop.example",
                "Offers",
                "n1@shop.example",
                "Precedence: bulk\r\n",
                "Buy.",
            ),
            "bulk",
        ),
        (
            mail(DESK, "Looping", "self1@desk.example", "", "Me again."),
            "from_own_mailbox",
        ),
    ];
    for (raw, reason) in cases {
        let outcome = delivered(&desk, raw).await?;
        assert_eq!(outcome.state.as_str(), "ignored", "{reason}: {outcome:?}");
        assert!(
            outcome
                .reason
                .as_deref()
                .is_some_and(|r| r.starts_with(reason)),
            "{reason}: {outcome:?}"
        );
        assert_eq!(outcome.ticket_id, None);
    }
    let garbage = delivered(&desk, b"\x00\x01 not mail at all".to_vec()).await?;
    assert_eq!(garbage.state.as_str(), "quarantined");
    let no_sender = delivered(&desk, b"Subject: who?\r\n\r\nbody\r\n".to_vec()).await?;
    assert_eq!(
        (
            no_sender.state.as_str(),
            no_sender.reason.as_deref().map(|r| &r[..9])
        ),
        ("quarantined", Some("no_sender"))
    );
    Ok(())
}

async fn bounces_land_on_their_ticket(store: &Store) -> Result {
    let (desk, agent) = desk(store).await?;
    let first = delivered(
        &desk,
        mail(
            "ana@client.example",
            "Laptop",
            "l1@client.example",
            "",
            "Battery.",
        ),
    )
    .await?;
    let ticket = first.ticket_id.expect("a ticket");
    let bounce = format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.client.example>\r\nTo: {DESK}\r\n\
         Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn1@mx.client.example>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n\
         --b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n\
         Final-Recipient: rfc822; ana@client.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
         --b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: {DESK}\r\n\
         Message-ID: <l1@client.example>\r\nSubject: Laptop\r\n\r\n--b--\r\n"
    );
    let outcome = delivered(&desk, bounce.into_bytes()).await?;
    assert_eq!(
        (outcome.state.as_str(), outcome.ticket_id),
        ("note", Some(ticket))
    );
    let comments = desk
        .comments()
        .list(&agent, ticket, CommentId::default(), 10)
        .await?;
    assert!(comments[0].record.internal);
    assert!(comments[0].record.body.starts_with("Delivery failure"));
    let unknown = format!(
        "From: MAILER-DAEMON@mx.example\r\nTo: {DESK}\r\nSubject: Undeliverable\r\n\
         Message-ID: <dsn2@mx.example>\r\n\r\nSomething bounced.\r\n"
    );
    let outcome = delivered(&desk, unknown.into_bytes()).await?;
    assert_eq!(outcome.state.as_str(), "ignored");
    Ok(())
}

async fn a_mail_loop_is_stopped(store: &Store) -> Result {
    let (desk, _) = desk(store).await?;
    let mut states = Vec::new();
    for n in 0..frontline_core::mail::SENDER_LIMIT + 2 {
        let raw = mail(
            "robot@loop.example",
            &format!("Alert {n}"),
            &format!("r{n}@loop.example"),
            "",
            "Disk full.",
        );
        states.push(delivered(&desk, raw).await?.state.as_str());
    }
    let tickets = states.iter().filter(|s| **s == "ticket").count();
    assert_eq!(tickets as i64, frontline_core::mail::SENDER_LIMIT);
    assert_eq!(states.last().copied(), Some("quarantined"));
    // Someone else still gets through.
    let other = delivered(
        &desk,
        mail("ana@client.example", "Help", "h1@client.example", "", "Hi."),
    )
    .await?;
    assert_eq!(other.state.as_str(), "ticket");
    Ok(())
}

async fn attachments_are_kept(store: &Store) -> Result {
    let (desk, agent) = desk(store).await?;
    let raw = "From: ana@client.example\r\nTo: help@desk.example\r\nSubject: Screenshot\r\n\
        Message-ID: <s1@client.example>\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n\
        --x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
        <p>See <b>the</b> error<script>alert(1)</script></p>\r\n\
        --x\r\nContent-Type: image/png; name=\"error.png\"\r\n\
        Content-Disposition: attachment; filename=\"error.png\"\r\n\
        Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--x--\r\n";
    let outcome = delivered(&desk, raw.as_bytes().to_vec()).await?;
    assert_eq!(outcome.state.as_str(), "ticket");
    assert!(
        outcome
            .html
            .as_deref()
            .is_some_and(|h| !h.contains("script"))
    );
    let ticket = outcome.ticket_id.expect("a ticket");
    assert_eq!(
        desk.tickets()
            .ticket(&agent, ticket)
            .await?
            .record
            .description,
        "See the error"
    );
    let comments = desk
        .comments()
        .list(&agent, ticket, CommentId::default(), 10)
        .await?;
    let files = &comments[0].attachments;
    assert_eq!(files.len(), 1);
    assert_eq!(
        (files[0].filename.as_str(), files[0].content_type.as_str()),
        ("error.png", "image/png")
    );
    let (_, data) = desk
        .comments()
        .attachment(&agent, ticket, files[0].id)
        .await?;
    assert_eq!(data, b"\x89PNG\r\n\x1a\n");
    Ok(())
}
