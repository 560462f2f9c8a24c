//! Ticket creations that arrive together are written together (see `tickets::writer`), on
//! SQLite and on PostgreSQL: every ticket keeps its own subject, tags, requester and audit
//! trail, one new person asked for by several creations becomes one requester, idempotency
//! keys hold within a batch and across batches, and a creation that must fail fails alone.

use std::collections::{BTreeSet, HashMap};

use frontline_core::people::NewUser;
use frontline_core::tickets::{IdempotencyKey, NewTicket};
use frontline_core::{Actor, CoreError, Desk};
use frontline_domain::{Email, EventId, Role, Subject, Tag};
use frontline_store::Store;
use tokio::task::JoinSet;

frontline_testkit::stories!(concurrent_creations_share_transactions_and_fail_alone);

type Result<T = ()> = std::result::Result<T, CoreError>;

const CREATIONS: usize = 60;
const NEW_PERSON: &str = "new.person@example.org";

fn invalid(e: frontline_domain::DomainError) -> CoreError {
    CoreError::Invalid(vec![e])
}

fn key(key: &str, hash: &str) -> Option<IdempotencyKey> {
    Some(IdempotencyKey {
        key: key.into(),
        request_hash: hash.into(),
    })
}

/// Creation `n`: every fifth is for the same person new to the desk; 7 and 8 share an unused
/// idempotency key; 9 repeats a used key with another request (refused); 10 repeats it with
/// the same request (answered with the earlier ticket).
fn creation(n: usize) -> Result<(NewTicket, Option<IdempotencyKey>)> {
    let requester = if n.is_multiple_of(5) {
        NEW_PERSON.to_owned()
    } else {
        format!("caller{n}@example.org")
    };
    let new = NewTicket {
        requester: Some(Email::parse("requester", &requester).map_err(invalid)?),
        tags: vec![Tag::parse(&format!("case-{n}")).map_err(invalid)?],
        ..NewTicket::new(
            Subject::parse(&format!("Case {n}")).map_err(invalid)?,
            format!("Details of case {n}"),
            frontline_domain::Channel::Phone,
        )
    };
    let idem = match n {
        7 | 8 => key("shared", "same-request"),
        9 => key("used", "another-request"),
        10 => key("used", "first-request"),
        _ => None,
    };
    Ok((new, idem))
}

async fn concurrent_creations_share_transactions_and_fail_alone(store: &Store) -> Result {
    store.migrate().await?;
    let desk = Desk::new(store.clone());
    let u = desk
        .people()
        .add_user(
            None,
            NewUser {
                email: Email::parse("email", "agent@example.org").map_err(invalid)?,
                name: "Agent".into(),
                role: Role::Agent,
                organization: None,
                password: None,
            },
        )
        .await?;
    let agent = Actor {
        id: u.id,
        email: u.email,
        name: u.name,
        role: Role::Agent,
        organization_id: None,
    };
    let (first, _) = creation(1)?;
    let used = desk
        .tickets()
        .create_ticket(&agent, first, key("used", "first-request"))
        .await?;

    let mut set = JoinSet::new();
    for n in 0..CREATIONS {
        let (desk, agent) = (desk.clone(), agent.clone());
        let (new, idem) = creation(n)?;
        set.spawn(async move { (n, desk.tickets().create_ticket(&agent, new, idem).await) });
    }
    let mut outcomes = HashMap::new();
    while let Some(joined) = set.join_next().await {
        let (n, outcome) = joined.map_err(|e| CoreError::Internal(e.to_string()))?;
        outcomes.insert(n, outcome);
    }

    assert!(
        matches!(outcomes.get(&9), Some(Err(CoreError::IdempotencyMismatch))),
        "a used key with another request is refused: {:?}",
        outcomes.get(&9)
    );
    let repeat = match outcomes.remove(&10) {
        Some(Ok(c)) => c,
        other => panic!("a used key with the same request answers again: {other:?}"),
    };
    assert!(!repeat.fresh);
    assert_eq!(repeat.ticket.record.id, used.ticket.record.id);
    let (seven, eight) = match (outcomes.remove(&7), outcomes.remove(&8)) {
        (Some(Ok(a)), Some(Ok(b))) => (a, b),
        other => panic!("a key shared by two creations at once: {other:?}"),
    };
    assert_eq!(seven.ticket.record.id, eight.ticket.record.id);
    assert!(seven.fresh != eight.fresh, "exactly one of them created it");

    let mut ids = BTreeSet::from([seven.ticket.record.id, used.ticket.record.id]);
    let mut new_person = BTreeSet::new();
    for (n, outcome) in outcomes {
        if n == 9 {
            continue;
        }
        let created = outcome?;
        assert!(created.fresh);
        let id = created.ticket.record.id;
        assert!(ids.insert(id), "ticket id {id} handed out twice");
        // What was stored, read back, not what the creation answered.
        let stored = desk.tickets().ticket(&agent, id).await?;
        assert_eq!(stored.record.subject, format!("Case {n}"));
        assert_eq!(stored.tags, vec![format!("case-{n}")]);
        let events = desk
            .tickets()
            .events(&agent, id, EventId::default(), 100)
            .await?;
        assert_eq!(
            events
                .iter()
                .filter(|e| e.record.kind.as_str() == "created" && e.record.ticket_id == id)
                .count(),
            1,
            "ticket {n} has its own created event: {events:?}"
        );
        if n.is_multiple_of(5) {
            assert_eq!(stored.requester_email, NEW_PERSON);
            new_person.insert(stored.record.requester_id);
        } else {
            assert_eq!(stored.requester_email, format!("caller{n}@example.org"));
        }
    }
    // The earlier ticket, and one per creation but the refusal (9), the repeat (10) and the
    // second of a shared key (8).
    assert_eq!(ids.len(), 1 + CREATIONS - 3);
    assert_eq!(new_person.len(), 1, "one new person, one requester");
    Ok(())
}
