//! Merging and linking tickets through the core operations, on SQLite and on PostgreSQL:
//! what moves where, who sees what afterwards, what the audit trails say, and what is refused.

use frontline_core::people::NewUser;
use frontline_core::tickets::{NewComment, NewTicket};
use frontline_core::{Actor, CoreError, Desk};
use frontline_domain::{CommentId, Email, EventId, LinkKind, Role, Subject, TicketId};
use frontline_store::Store;

frontline_testkit::stories!(
    merge_moves_conversation_and_watchers,
    merge_refusals,
    links_read_from_both_sides
);

type Result<T = ()> = std::result::Result<T, CoreError>;

async fn desk(store: &Store) -> Result<Desk> {
    store.migrate().await?;
    Ok(Desk::new(store.clone()))
}

async fn person(desk: &Desk, email: &str, role: Role) -> Result<Actor> {
    let email = Email::parse("email", email).map_err(|e| CoreError::Invalid(vec![e]))?;
    let new = NewUser {
        email,
        name: role.as_str().into(),
        role,
        organization: None,
        password: None,
    };
    let u = desk.people().add_user(None, new).await?;
    Ok(Actor {
        id: u.id,
        email: u.email,
        name: u.name,
        role,
        organization_id: u.organization_id,
    })
}

async fn open(desk: &Desk, actor: &Actor, subject: &str, watchers: &[&str]) -> Result<TicketId> {
    let subject_line = Subject::parse(subject).map_err(|e| CoreError::Invalid(vec![e]))?;
    let new = NewTicket {
        watchers: watchers
            .iter()
            .map(|w| Email::parse("watchers", w).map_err(|e| CoreError::Invalid(vec![e])))
            .collect::<Result<_>>()?,
        ..NewTicket::new(
            subject_line,
            format!("About {subject}"),
            frontline_domain::Channel::Portal,
        )
    };
    Ok(desk
        .tickets()
        .create_ticket(actor, new, None)
        .await?
        .ticket
        .record
        .id)
}

async fn say(desk: &Desk, actor: &Actor, ticket: TicketId, body: &str, internal: bool) -> Result {
    let new = NewComment {
        body: body.into(),
        internal,
        attachments: vec![],
        time: None,
    };
    desk.comments()
        .add_comment(actor, ticket, new)
        .await
        .map(drop)
}

async fn bodies(desk: &Desk, actor: &Actor, ticket: TicketId) -> Result<Vec<String>> {
    let comments = desk
        .comments()
        .list(actor, ticket, CommentId::default(), 100)
        .await?;
    Ok(comments.into_iter().map(|c| c.record.body).collect())
}

async fn event_kinds(desk: &Desk, actor: &Actor, ticket: TicketId) -> Result<Vec<String>> {
    let events = desk
        .tickets()
        .events(actor, ticket, EventId::default(), 1000)
        .await?;
    Ok(events
        .into_iter()
        .map(|e| e.record.kind.as_str().to_owned())
        .collect())
}

async fn merge_moves_conversation_and_watchers(store: &Store) -> Result {
    let desk = desk(store).await?;
    let agent = person(&desk, "agent@desk.test", Role::Agent).await?;
    let ana = person(&desk, "ana@corp.test", Role::Requester).await?;
    let ben = person(&desk, "ben@corp.test", Role::Requester).await?;
    let _watcher = person(&desk, "boss@corp.test", Role::Requester).await?;

    // Watchers are the desk's to name: the agent logs Ana's call with her boss copied in.
    let subject =
        Subject::parse("Printer jammed on floor 3").map_err(|e| CoreError::Invalid(vec![e]))?;
    let email = |e: &str| Email::parse("email", e).map_err(|e| CoreError::Invalid(vec![e]));
    let new = NewTicket {
        requester: Some(email(&ana.email)?),
        watchers: vec![email("boss@corp.test")?],
        ..NewTicket::new(
            subject,
            "About the printer",
            frontline_domain::Channel::Phone,
        )
    };
    let duplicate = desk
        .tickets()
        .create_ticket(&agent, new, None)
        .await?
        .ticket
        .record
        .id;
    let original = open(&desk, &ben, "Floor 3 printer broken", &[]).await?;
    say(&desk, &agent, duplicate, "Is it the colour printer?", false).await?;
    say(
        &desk,
        &agent,
        duplicate,
        "Same as the ticket Ben opened",
        true,
    )
    .await?;
    say(&desk, &agent, original, "A technician is on the way", false).await?;

    let target = desk
        .tickets()
        .merge_tickets(&agent, duplicate, original)
        .await?;
    assert_eq!(target.record.id, original);
    let mut watchers = target.watchers.clone();
    watchers.sort();
    assert_eq!(
        watchers,
        ["ana@corp.test", "boss@corp.test"],
        "watchers and the duplicate's requester follow the target"
    );

    // The whole conversation now reads on the target, in the order it was written.
    assert_eq!(
        bodies(&desk, &agent, original).await?,
        [
            "Is it the colour printer?",
            "Same as the ticket Ben opened",
            "A technician is on the way"
        ]
    );
    assert!(bodies(&desk, &agent, duplicate).await?.is_empty());

    // Ana follows the ticket that carries on, and still never sees an internal note.
    assert_eq!(
        bodies(&desk, &ana, original).await?,
        ["Is it the colour printer?", "A technician is on the way"]
    );

    let source = desk.tickets().ticket(&agent, duplicate).await?;
    assert_eq!(source.record.status.as_str(), "closed");
    assert_eq!(source.record.merged_into_id, Some(original));
    assert!(
        source
            .record
            .times
            .closed_at
            .map(|t| t.as_micros())
            .is_some()
    );
    assert!(
        event_kinds(&desk, &agent, duplicate)
            .await?
            .contains(&"merged_into".to_owned())
    );
    assert!(
        event_kinds(&desk, &agent, original)
            .await?
            .contains(&"merged_from".to_owned())
    );
    Ok(())
}

async fn merge_refusals(store: &Store) -> Result {
    let desk = desk(store).await?;
    let agent = person(&desk, "agent@desk.test", Role::Agent).await?;
    let ana = person(&desk, "ana@corp.test", Role::Requester).await?;
    let a = open(&desk, &ana, "First", &[]).await?;
    let b = open(&desk, &ana, "Second", &[]).await?;
    let c = open(&desk, &ana, "Third", &[]).await?;

    assert!(matches!(
        desk.tickets().merge_tickets(&ana, a, b).await,
        Err(CoreError::Forbidden(_))
    ));
    assert!(matches!(
        desk.tickets().merge_tickets(&agent, a, a).await,
        Err(CoreError::Invalid(_))
    ));
    assert!(matches!(
        desk.tickets()
            .merge_tickets(&agent, a, TicketId::new(9_999))
            .await,
        Err(CoreError::NotFound(_))
    ));

    desk.tickets().merge_tickets(&agent, a, b).await?;
    let before = desk.tickets().ticket(&agent, b).await?.record;
    // A merged ticket cannot be merged again, nor receive another.
    assert!(matches!(
        desk.tickets().merge_tickets(&agent, a, c).await,
        Err(CoreError::Conflict(_))
    ));
    assert!(matches!(
        desk.tickets().merge_tickets(&agent, c, a).await,
        Err(CoreError::Conflict(_))
    ));
    // Refusals change nothing.
    assert_eq!(desk.tickets().ticket(&agent, b).await?.record, before);
    assert_eq!(
        desk.tickets()
            .ticket(&agent, c)
            .await?
            .record
            .status
            .as_str(),
        "new"
    );
    Ok(())
}

async fn links_read_from_both_sides(store: &Store) -> Result {
    let desk = desk(store).await?;
    let agent = person(&desk, "agent@desk.test", Role::Agent).await?;
    let ana = person(&desk, "ana@corp.test", Role::Requester).await?;
    let outage = open(&desk, &ana, "Mail is down for everyone", &[]).await?;
    let mine = open(&desk, &ana, "Cannot send mail", &[]).await?;

    desk.tickets()
        .link_tickets(&agent, outage, LinkKind::ParentOf, mine)
        .await?;
    // Linking again changes nothing.
    desk.tickets()
        .link_tickets(&agent, mine, LinkKind::ChildOf, outage)
        .await?;
    let from_parent = desk.tickets().links(&agent, outage).await?;
    let from_child = desk.tickets().links(&agent, mine).await?;
    assert_eq!(from_parent.len(), 1);
    assert_eq!(
        (from_parent[0].kind, from_parent[0].ticket),
        (LinkKind::ParentOf, mine)
    );
    assert_eq!(from_child.len(), 1);
    assert_eq!(
        (from_child[0].kind, from_child[0].ticket),
        (LinkKind::ChildOf, outage)
    );
    let linked = |kinds: Vec<String>| kinds.iter().filter(|k| *k == "linked").count();
    assert_eq!(linked(event_kinds(&desk, &agent, outage).await?), 1);
    assert_eq!(linked(event_kinds(&desk, &agent, mine).await?), 1);

    assert!(matches!(
        desk.tickets()
            .link_tickets(&ana, outage, LinkKind::Related, mine)
            .await,
        Err(CoreError::Forbidden(_))
    ));
    desk.tickets()
        .unlink_tickets(&agent, mine, LinkKind::ChildOf, outage)
        .await?;
    assert!(desk.tickets().links(&agent, outage).await?.is_empty());
    assert!(desk.tickets().links(&agent, mine).await?.is_empty());
    assert!(
        event_kinds(&desk, &agent, outage)
            .await?
            .contains(&"unlinked".to_owned())
    );
    Ok(())
}
