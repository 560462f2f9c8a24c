//! The storage story of a ticket's conversation: replies and internal notes page by page,
//! attachments and their content, merging one conversation into another, and the audit
//! trail. Runs on SQLite and on PostgreSQL (see `support`).

use crate::support;

use frontline_domain::{
    Attachment, AttachmentId, CommentId, CommentRecord, EventId, EventKind, EventRecord, TicketId,
    Timestamp, UserId,
};
use frontline_store::{Conn, Result, Store};
use support::{T0, add_ticket, add_user, ticket, user};

support::stories!(comments_and_notes, attachments_and_merging, audit_trail);

/// A requester, an agent and a ticket of the requester's.
async fn setup(store: &Store) -> Result<(UserId, UserId, TicketId)> {
    store.migrate().await?;
    let requester = add_user(store, &user("alice@acme.test", "requester")).await?;
    let agent = add_user(store, &user("bob@it.test", "agent")).await?;
    let number = add_ticket(store, &ticket(requester, "VPN drops")).await?;
    Ok((requester, agent, number))
}

fn comment(ticket_id: i64, author_id: i64, body: &str, internal: bool) -> CommentRecord {
    CommentRecord {
        id: CommentId::new(0),
        ticket_id: TicketId::new(ticket_id),
        author_id: UserId::new(author_id),
        body: body.into(),
        internal,
        source_ticket_id: TicketId::new(ticket_id),
        created_at: Timestamp::from_micros(T0),
    }
}

fn attachment(comment: &CommentRecord, filename: &str, sha256: &str, size: i64) -> Attachment {
    Attachment {
        id: AttachmentId::default(),
        comment_id: comment.id,
        ticket_id: comment.ticket_id,
        filename: filename.into(),
        content_type: "application/octet-stream".into(),
        size,
        sha256: sha256.into(),
        created_at: Timestamp::from_micros(T0),
    }
}

/// Bodies of a conversation read `limit` comments at a time.
async fn read_all(
    c: &mut Conn<'_>,
    ticket: TicketId,
    internal: bool,
    limit: i64,
) -> Result<Vec<String>> {
    let mut bodies = Vec::new();
    let mut after = 0;
    loop {
        let page = c
            .comments(ticket, internal, CommentId::new(after), limit)
            .await?;
        assert!(page.len() <= usize::try_from(limit).unwrap_or(0));
        let Some(last) = page.last() else { break };
        after = last.record.id.get();
        bodies.extend(page.into_iter().map(|m| m.record.body));
        assert!(bodies.len() < 100, "paging does not end");
    }
    Ok(bodies)
}

async fn comments_and_notes(store: &Store) -> Result<()> {
    let (requester, agent, number) = setup(store).await?;
    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    let script = [
        (requester, "It drops every hour.", false),
        (agent, "Probably the 3600 s rekey.", true),
        (agent, "Could you send the client log?", false),
        (agent, "Escalate if the log shows IKE errors.", true),
        (requester, "Log attached.", false),
    ];
    let mut first = None;
    for (author, body, internal) in script {
        let id = c
            .insert_comment(&comment(number.get(), author.get(), body, internal))
            .await?;
        first.get_or_insert(id);
    }
    tx.commit().await?;

    let mut read = store.read().await?;
    let mut c = read.conn();
    let everything = c.comments(number, true, CommentId::default(), 50).await?;
    let bodies: Vec<&str> = everything.iter().map(|m| m.record.body.as_str()).collect();
    assert_eq!(bodies, script.map(|(_, body, _)| body));
    let first_comment = &everything[0];
    assert_eq!(Some(first_comment.record.id), first);
    assert_eq!(first_comment.record.source_ticket_id, number);
    assert_eq!(
        (
            first_comment.author_email.as_str(),
            first_comment.author_role.as_str()
        ),
        ("alice@acme.test", "requester")
    );
    assert_eq!(everything[1].author_name, "BOB");
    assert!(everything[1].record.internal && !everything[2].record.internal);

    // The requester never sees internal notes, however the pages fall.
    let public = [
        "It drops every hour.",
        "Could you send the client log?",
        "Log attached.",
    ];
    for limit in [1, 2, 3, 50] {
        assert_eq!(read_all(&mut c, number, false, limit).await?, public);
        assert_eq!(read_all(&mut c, number, true, limit).await?, bodies);
    }
    let last = everything.last().map_or(0, |m| m.record.id.get());
    assert!(
        c.comments(number, true, CommentId::new(last), 50)
            .await?
            .is_empty()
    );
    Ok(())
}

async fn attachments_and_merging(store: &Store) -> Result<()> {
    let (requester, agent, number) = setup(store).await?;
    let duplicate = add_ticket(store, &ticket(requester, "VPN again")).await?;
    let data: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let sha = "9f2a0c1e5b7d3f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a";
    let other_sha = "0000000000000000000000000000000000000000000000000000000000000000";

    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    let mut public = comment(number.get(), requester.get(), "Log attached.", false);
    public.id = c.insert_comment(&public).await?;
    let mut note = comment(number.get(), agent.get(), "Same log, for the vendor.", true);
    note.id = c.insert_comment(&note).await?;
    let mut later = comment(duplicate.get(), requester.get(), "Screenshot.", false);
    later.id = c.insert_comment(&later).await?;
    // The same file uploaded twice is stored once; the second put is not an error.
    c.put_blob(sha, &data).await?;
    c.put_blob(sha, &data).await?;
    c.put_blob(other_sha, b"").await?;
    let mut log = attachment(&public, "vpn.log", sha, 70_000);
    log.id = c.insert_attachment(&log).await?;
    let mut forwarded = attachment(&note, "vpn-copy.log", sha, 70_000);
    forwarded.id = c.insert_attachment(&forwarded).await?;
    let mut shot = attachment(&later, "screen.png", other_sha, 0);
    shot.id = c.insert_attachment(&shot).await?;
    tx.commit().await?;

    let mut read = store.read().await?;
    let mut c = read.conn();
    assert_eq!(c.blob(sha).await?, Some(data));
    assert_eq!(c.blob(other_sha).await?, Some(Vec::new()));
    assert_eq!(c.blob("feed").await?, None);
    // Whether a download is allowed depends on the comment it hangs off.
    assert_eq!(c.attachment(log.id).await?, Some((log.clone(), false)));
    assert_eq!(
        c.attachment(forwarded.id).await?,
        Some((forwarded.clone(), true))
    );
    assert_eq!(
        c.attachment(AttachmentId::new(
            shot.id.get() + forwarded.id.get() + log.id.get()
        ))
        .await?,
        None
    );
    assert_eq!(
        c.attachments_of(&[note.id, public.id]).await?,
        [log.clone(), forwarded.clone()]
    );
    assert_eq!(c.attachments_of(&[later.id]).await?, [shot.clone()]);
    assert_eq!(c.attachments_of(&[]).await?, Vec::new());
    drop(read);

    // Merging moves the duplicate's conversation and files; each comment remembers where
    // it was written.
    let mut tx = store.begin().await?;
    tx.conn().move_conversation(duplicate, number).await?;
    tx.commit().await?;
    let mut read = store.read().await?;
    let mut c = read.conn();
    assert!(
        c.comments(duplicate, true, CommentId::default(), 50)
            .await?
            .is_empty()
    );
    let merged = c.comments(number, true, CommentId::default(), 50).await?;
    let moved: Vec<(&str, TicketId, TicketId)> = merged
        .iter()
        .map(|m| {
            (
                m.record.body.as_str(),
                m.record.ticket_id,
                m.record.source_ticket_id,
            )
        })
        .collect();
    assert_eq!(
        moved,
        [
            ("Log attached.", number, number),
            ("Same log, for the vendor.", number, number),
            ("Screenshot.", number, duplicate),
        ]
    );
    let moved_shot = Attachment {
        ticket_id: number,
        ..shot.clone()
    };
    assert_eq!(
        c.attachment(shot.id).await?,
        Some((moved_shot.clone(), false))
    );
    assert_eq!(c.attachments_of(&[later.id]).await?, [moved_shot]);
    Ok(())
}

async fn audit_trail(store: &Store) -> Result<()> {
    let (requester, agent, number) = setup(store).await?;
    let event = |actor: Option<i64>, at: i64, kind: EventKind, internal: bool| EventRecord {
        id: EventId::default(),
        ticket_id: number,
        actor_id: actor.map(UserId::new),
        at: Timestamp::from_micros(at),
        kind,
        field: None,
        old_value: None,
        new_value: None,
        internal,
    };
    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    let mut created = event(Some(requester.get()), T0, EventKind::Created, false);
    created.id = c.insert_event(&created).await?;
    let mut reassigned = EventRecord {
        field: Some("assignee".into()),
        old_value: None,
        new_value: Some("bob@it.test".into()),
        ..event(Some(agent.get()), T0 + 5, EventKind::FieldChanged, true)
    };
    reassigned.id = c.insert_event(&reassigned).await?;
    let mut timer = EventRecord {
        field: Some("status".into()),
        old_value: Some("pending".into()),
        new_value: Some("open".into()),
        ..event(None, T0 + 9, EventKind::FieldChanged, false)
    };
    timer.id = c.insert_event(&timer).await?;
    tx.commit().await?;

    let mut read = store.read().await?;
    let mut c = read.conn();
    let all = c.events(number, true, EventId::default(), 50).await?;
    let rows: Vec<EventRecord> = all.iter().map(|e| e.record.clone()).collect();
    assert_eq!(rows, [created.clone(), reassigned.clone(), timer.clone()]);
    let actors: Vec<Option<&str>> = all.iter().map(|e| e.actor_email.as_deref()).collect();
    assert_eq!(actors, [Some("alice@acme.test"), Some("bob@it.test"), None]);

    let public: Vec<EventId> = c
        .events(number, false, EventId::default(), 50)
        .await?
        .iter()
        .map(|e| e.record.id)
        .collect();
    assert_eq!(public, [created.id, timer.id]);
    let page: Vec<EventId> = c
        .events(number, true, created.id, 1)
        .await?
        .iter()
        .map(|e| e.record.id)
        .collect();
    assert_eq!(page, [reassigned.id]);
    let page: Vec<EventId> = c
        .events(number, false, created.id, 1)
        .await?
        .iter()
        .map(|e| e.record.id)
        .collect();
    assert_eq!(page, [timer.id]);
    assert!(c.events(number, true, timer.id, 50).await?.is_empty());
    Ok(())
}
