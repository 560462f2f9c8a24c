//! Inbound mail through the core operations, on SQLite and on PostgreSQL: a new message opens
//! a ticket, replies thread by Message-ID and by `[#N]` tag (never by subject alone), copies
//! make watchers, automatic mail opens nothing, and each message counts once however often
//! it arrives or is ingested. A mail ticket goes through the ticket core's creation path
//! (created rules, automatic assignment, SLA), and a reply through the updated rules.

use frontline_core::assignment::Mode;
use frontline_core::mail::{InboundOutcome, InboundState, Incoming};
use frontline_core::tickets::TicketPatch;
use frontline_core::{Actor, CoreError, Desk};
use frontline_domain::rules::Rule;
use frontline_domain::{Role, Status};
use frontline_store::Store;

use crate::mail_support::{
    DESK, Result, deliver, email, ingest, mail_desk, person, person_named, smtp,
};

frontline_testkit::stories!(
    new_mail_opens_a_ticket_and_replies_thread,
    copies_of_a_message_count_once,
    automatic_and_own_mail_open_nothing,
    bounces_land_on_their_ticket,
    a_mail_loop_is_stopped,
    attachments_are_kept,
    mail_tickets_get_rules_and_assignment,
    a_reply_ingested_before_its_original_threads,
);

async fn desk(store: &Store) -> Result<(Desk, Actor)> {
    let desk = mail_desk(store).await?;
    let agent = person_named(&desk, "agent@desk.example", "Alex Agent", Role::Agent).await?;
    Ok((desk, agent))
}

/// A plain-text message; `headers` are extra header lines.
fn mail(from: &str, subject: &str, id: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {DESK}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n{headers}\r\n{body}\r\n"
    )
    .into_bytes()
}

async fn delivered(desk: &Desk, raw: Vec<u8>) -> Result<InboundOutcome> {
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
    let comments = desk.comments().list(&agent, ticket, 0, 10).await?;
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
    let comments = desk.comments().list(&agent, ticket, 0, 10).await?;
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
    let comments = desk.comments().list(&agent, ticket, 0, 10).await?;
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

fn rule(v: serde_json::Value) -> Result<Rule> {
    serde_json::from_value(v).map_err(|e| CoreError::Internal(e.to_string()))
}

/// The kinds of a ticket's events, and the rules that acted on it (rule, what it did).
async fn trail(desk: &Desk, who: &Actor, id: i64) -> Result<(Vec<String>, Vec<(String, String)>)> {
    let events = desk.tickets().events(who, id, 0, 1_000).await?;
    let kinds = events
        .iter()
        .map(|e| e.record.kind.as_str().to_owned())
        .collect();
    let applied = events
        .into_iter()
        .filter(|e| e.record.kind.as_str() == "rule_applied")
        .map(|e| {
            (
                e.record.field.unwrap_or_default(),
                e.record.new_value.unwrap_or_default(),
            )
        })
        .collect();
    Ok((kinds, applied))
}

async fn mail_tickets_get_rules_and_assignment(store: &Store) -> Result {
    let (desk, agent) = desk(store).await?;
    let manager = person(&desk, "mona@desk.example", Role::Manager).await?;
    let pool = ["ann@desk.example", "ben@desk.example"];
    for p in pool {
        person(&desk, p, Role::Agent).await?;
    }
    desk.people().add_group(None, "Pool", "").await?;
    desk.people()
        .set_group_members(None, "Pool", &pool.map(email))
        .await?;
    desk.assignment()
        .set_group_assignment(&manager, "Pool", Mode::RoundRobin)
        .await?;
    let by_mail = rule(
        serde_json::json!({"name": "Mail to the pool", "trigger": "created",
        "conditions": [{"field": "channel", "op": "is", "value": "email"}],
        "actions": [{"action": "set_group", "value": "Pool"},
                    {"action": "add_tags", "tags": ["by-mail"]}]}),
    )?;
    let answered = rule(serde_json::json!({"name": "Answered", "trigger": "updated",
        "conditions": [{"field": "status", "op": "changed_to", "value": "open"}],
        "actions": [{"action": "add_tags", "tags": ["answered"]},
                    {"action": "add_note", "body": "The requester answered."}]}))?;
    desk.rules().add_rule(&manager, by_mail).await?;
    desk.rules().add_rule(&manager, answered).await?;

    // Two new messages: the created rule files both into the pool, which takes turns.
    let mut tickets = Vec::new();
    for (n, subject) in ["VPN drops", "Printer jam"].into_iter().enumerate() {
        let outcome = delivered(
            &desk,
            mail(
                "ria@client.example",
                subject,
                &format!("r{n}@client.example"),
                "",
                "Please help.",
            ),
        )
        .await?;
        assert_eq!(outcome.state.as_str(), "ticket");
        tickets.push(outcome.ticket_id.expect("a ticket"));
    }
    let first = desk.tickets().ticket(&agent, tickets[0]).await?;
    assert_eq!(first.group_name.as_deref(), Some("Pool"));
    assert_eq!(first.tags, ["by-mail"]);
    assert_eq!(first.assignee_email.as_deref(), Some(pool[0]));
    let second = desk.tickets().ticket(&agent, tickets[1]).await?;
    assert_eq!(second.assignee_email.as_deref(), Some(pool[1]));
    let (kinds, applied) = trail(&desk, &agent, tickets[0]).await?;
    assert_eq!(kinds.iter().filter(|k| *k == "created").count(), 1);
    assert!(kinds.contains(&"auto_assigned".to_owned()), "{kinds:?}");
    assert_eq!(
        applied,
        [
            ("Mail to the pool".into(), "group: Pool".into()),
            ("Mail to the pool".into(), "tags: +by-mail".into())
        ]
    );

    // The desk waits for the requester; her answer by mail reopens the ticket, and the
    // updated rule acts on that change in the same version.
    let patch = TicketPatch {
        status: Some(Status::Pending),
        ..TicketPatch::default()
    };
    let pending = desk
        .tickets()
        .update_ticket(&agent, tickets[0], patch, None)
        .await?;
    let reply = delivered(
        &desk,
        mail(
            "ria@client.example",
            "Re: VPN drops",
            "r9@client.example",
            "In-Reply-To: <r0@client.example>\r\n",
            "It works again after a restart.",
        ),
    )
    .await?;
    assert_eq!(
        (reply.state.as_str(), reply.ticket_id),
        ("comment", Some(tickets[0]))
    );
    let t = desk.tickets().ticket(&agent, tickets[0]).await?;
    assert_eq!(t.record.status.as_str(), "open");
    assert_eq!(t.tags, ["answered", "by-mail"]);
    assert_eq!(
        t.record.version,
        pending.record.version + 1,
        "one version for the reply"
    );
    let notes: Vec<String> = desk
        .comments()
        .list(&agent, tickets[0], 0, 10)
        .await?
        .into_iter()
        .map(|c| c.record.body)
        .collect();
    assert_eq!(
        notes,
        ["It works again after a restart.", "The requester answered."]
    );
    let (_, applied) = trail(&desk, &agent, tickets[0]).await?;
    assert_eq!(applied.len(), 4, "{applied:?}");
    assert_eq!(applied[2], ("Answered".into(), "tags: +answered".into()));

    // A reply that changes no status matches no rule: nothing more happens.
    delivered(
        &desk,
        mail(
            "ria@client.example",
            "Re: VPN drops",
            "r10@client.example",
            "In-Reply-To: <r9@client.example>\r\n",
            "Thanks.",
        ),
    )
    .await?;
    assert_eq!(trail(&desk, &agent, tickets[0]).await?.1.len(), 4);
    Ok(())
}

/// A backlog in any order: the reply's job runs while the message it answers still waits.
/// The original is ingested first, in the reply's transaction, and opens the ticket; the
/// reply is a comment on it; the original's own job then finds nothing to do.
async fn a_reply_ingested_before_its_original_threads(store: &Store) -> Result {
    let (desk, _agent) = desk(store).await?;
    let original = mail(
        "Cy <cy@client.example>",
        "Printer jams",
        "o1@client.example",
        "",
        "The printer on floor 3 jams.",
    );
    let reply = mail(
        "Cy <cy@client.example>",
        "Re: Printer jams",
        "r1@client.example",
        "In-Reply-To: <o1@client.example>\r\nReferences: <o1@client.example>\r\n",
        "Still jammed.\r\n\r\n> The printer on floor 3 jams.",
    );
    let original = desk
        .mail()
        .receive_mail(smtp(original))
        .await?
        .expect("stored");
    let reply = desk
        .mail()
        .receive_mail(smtp(reply))
        .await?
        .expect("stored");
    let replied = ingest(&desk, reply).await?.expect("ingested");
    assert_eq!(replied.state.as_str(), "comment");
    let ticket = replied.ticket_id.expect("a ticket");
    assert_eq!(ingest(&desk, original).await?, None, "done with the reply");
    let mut read = store.read().await?;
    let rows = read
        .conn()
        .inbound_in_state(InboundState::Ticket, 0, 10)
        .await?;
    assert_eq!(
        rows.iter().map(|r| (r.id, r.ticket_id)).collect::<Vec<_>>(),
        [(original, Some(ticket))]
    );
    let comments = read
        .conn()
        .inbound_in_state(InboundState::Comment, 0, 10)
        .await?;
    assert_eq!(comments.len(), 1);
    Ok(())
}
