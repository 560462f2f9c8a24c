//! Escalation on breach, on SQLite and on PostgreSQL: the timer that finds a target breached
//! notifies the assignee, the group and the managers (a durable `notify` job), moves the
//! ticket to the next tier's group and raises its priority, which re-evaluates its SLA under
//! the urgent policy. Every action is in the trail once, at the time it was taken, however
//! often the timer runs; a breach a ticket change notices first is escalated by a timer too.

use crate::support;

use frontline_core::CoreError;
use frontline_core::jobs::JobState::Done as DONE;
use frontline_core::tickets::NewComment;
use frontline_domain::sla::{Escalation, Notify, Policy, Targets};
use frontline_domain::{Email, EventId, JobId, Level, TicketId, UserId};
use frontline_store::Store;
use support::{MINUTE, Result, Seen, World, at_of, count, monday};

frontline_testkit::stories!(
    a_breach_escalates_once_as_the_policy_says,
    a_breach_a_ticket_change_notices_is_escalated_by_a_timer,
    escalation_must_name_an_existing_group,
);

fn escalation() -> Escalation {
    Escalation {
        notify: vec![Notify::Assignee, Notify::Group, Notify::Manager],
        move_to_group: Some("Tier 2".into()),
        raise_priority: true,
    }
}

/// Every event of a ticket as (kind, field, time, actor, old, new).
async fn trail(
    w: &World,
    id: TicketId,
) -> Result<
    Vec<(
        String,
        String,
        i64,
        Option<i64>,
        Option<String>,
        Option<String>,
    )>,
> {
    let events = w
        .desk
        .tickets()
        .events(&w.manager, id, EventId::default(), 1_000)
        .await?;
    Ok(events
        .into_iter()
        .map(|e| {
            let r = e.record;
            (
                r.kind.as_str().to_owned(),
                r.field.unwrap_or_default(),
                r.at.as_micros(),
                r.actor_id.map(UserId::get),
                r.old_value,
                r.new_value,
            )
        })
        .collect())
}

/// Runs the SLA timer of ticket `id` directly, as a second node or a retried job would.
async fn fire_timer(w: &World, store: &Store, id: TicketId) -> Result {
    let mut tx = store.begin().await?;
    w.desk.sla().fire_sla_timer(&mut tx.conn(), id).await?;
    tx.commit().await?;
    Ok(())
}

async fn a_breach_escalates_once_as_the_policy_says(store: &Store) -> Result {
    let w = World::new(store, Some(escalation())).await?;
    // P2 (high impact, medium urgency) falls under the standard policy: first response within
    // 8 business hours, due Monday 17:00. Alex (Tier 1) has it.
    let id = w
        .open(Level::High, Level::Medium, |t| {
            let alex = Email::parse("assignee", "alex@desk.test").ok();
            frontline_core::tickets::NewTicket {
                group: Some("Tier 1".into()),
                assignee: alex,
                ..t
            }
        })
        .await?;
    w.at(monday(16, 59));
    w.run_jobs().await?;
    assert_eq!(
        count(&w.sla_events(id).await?, "sla_escalated", "first_response"),
        0
    );

    let fired = monday(17, 0) + MINUTE / 2;
    w.at(fired);
    w.run_jobs().await?;
    // Twice more, as a retried job or a second node would: nothing new.
    fire_timer(&w, store, id).await?;
    w.run_jobs().await?;
    fire_timer(&w, store, id).await?;
    let events = w.sla_events(id).await?;
    assert_eq!(
        at_of(&events, "sla_breached", "first_response"),
        Some(monday(17, 0))
    );
    assert_eq!(count(&events, "sla_breached", "first_response"), 1);
    assert_eq!(count(&events, "sla_escalated", "first_response"), 1);
    assert_eq!(
        at_of(&events, "sla_escalated", "first_response"),
        Some(fired)
    );

    // Moved to Tier 2 (Alex is not in it, so unassigned) and raised to P1, by the system.
    let all = trail(&w, id).await?;
    let change = |field: &str| {
        all.iter()
            .filter(|e| e.0 == "field_changed" && e.1 == field && e.3.is_none())
            .map(|e| (e.2, e.4.clone(), e.5.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        change("group"),
        [(fired, Some("Tier 1".into()), Some("Tier 2".into()))]
    );
    assert_eq!(
        change("assignee"),
        [(fired, Some("alex@desk.test".into()), None)]
    );
    assert_eq!(
        change("priority"),
        [(fired, Some("P2".into()), Some("P1".into()))]
    );
    let ticket = w.desk.tickets().ticket(&w.agent, id).await?;
    assert_eq!(
        (
            ticket.group_name.as_deref(),
            ticket.record.priority.rank(),
            ticket.record.assignee_id
        ),
        (Some("Tier 2"), 1, None)
    );

    // P1 brings the urgent policy into force; its 4 hours to resolve ran out at 13:00, so
    // that breach is recorded too (with its exact time) and escalated in turn: the priority
    // is already P1 and the group Tier 2, so it only notifies. The history keeps both due
    // times.
    assert_eq!(count(&events, "sla_policy_changed", "resolution"), 1);
    assert_eq!(
        at_of(&events, "sla_breached", "resolution"),
        Some(monday(13, 0))
    );
    assert_eq!(count(&events, "sla_escalated", "resolution"), 1);
    let escalated: Vec<&Option<String>> = all
        .iter()
        .filter(|e| e.0 == "sla_escalated")
        .map(|e| &e.5)
        .collect();
    assert_eq!(
        escalated,
        [
            &Some("moved to Tier 2; priority raised to P1; notifying 3".into()),
            &Some("notifying 2".into())
        ]
    );

    // Each notification ran once: first to Alex (assignee, Tier 1), Tess (Tier 2) and Mona
    // (manager); then, the ticket being Tier 2's and unassigned, to Tess and Mona.
    let ids = |who: &[i64]| {
        let mut v = who.to_vec();
        v.sort_unstable();
        Some(v.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
    };
    // The two notification jobs run side by side, so their events come in either order.
    let mut notified: Vec<(String, Option<String>)> = all
        .iter()
        .filter(|e| e.0 == "notified")
        .map(|e| (e.1.clone(), e.5.clone()))
        .collect();
    notified.sort();
    assert_eq!(
        notified,
        [
            (
                "sla_breached:first_response".to_owned(),
                ids(&[w.agent.id.get(), w.specialist.id.get(), w.manager.id.get()])
            ),
            (
                "sla_breached:resolution".to_owned(),
                ids(&[w.specialist.id.get(), w.manager.id.get()])
            ),
        ]
    );
    let mut c = store.read().await?;
    let done = c
        .conn()
        .jobs_in_state(Some(DONE), JobId::default(), 1_000)
        .await?;
    assert_eq!(done.iter().filter(|j| j.kind == "notify").count(), 2);

    // Days later, however often timers run, nothing more happens.
    let before = trail(&w, id).await?.len();
    w.at(monday(17, 0) + 3 * 24 * 60 * MINUTE);
    w.run_jobs().await?;
    fire_timer(&w, store, id).await?;
    assert_eq!(trail(&w, id).await?.len(), before);
    Ok(())
}

async fn a_breach_a_ticket_change_notices_is_escalated_by_a_timer(store: &Store) -> Result {
    let only_notify = Escalation {
        notify: vec![Notify::Manager],
        ..Escalation::default()
    };
    let w = World::new(store, Some(only_notify)).await?;
    let id = w.open(Level::High, Level::High, |t| t).await?;
    // The requester writes at 10:01, after the 10:00 first-response breach, before any timer
    // ran: the change records the breach, and a timer escalates it.
    w.at(monday(10, 1));
    w.desk
        .comments()
        .add_comment(
            &w.requester,
            id,
            NewComment {
                body: "Anyone there?".into(),
                internal: false,
                attachments: vec![],
                time: None,
            },
        )
        .await?;
    let events: Vec<Seen> = w.sla_events(id).await?;
    assert_eq!(
        at_of(&events, "sla_breached", "first_response"),
        Some(monday(10, 0))
    );
    assert_eq!(count(&events, "sla_escalated", "first_response"), 0);
    w.run_jobs().await?;
    w.run_jobs().await?;
    let all = trail(&w, id).await?;
    let escalations: Vec<_> = all.iter().filter(|e| e.0 == "sla_escalated").collect();
    assert_eq!(escalations.len(), 1, "{all:?}");
    assert_eq!(escalations[0].5.as_deref(), Some("notifying 1"));
    let notified: Vec<_> = all.iter().filter(|e| e.0 == "notified").collect();
    assert_eq!(notified.len(), 1);
    assert_eq!(notified[0].5, Some(w.manager.id.to_string()));
    // Nothing but the notification: the group and the priority stay.
    let ticket = w.desk.tickets().ticket(&w.agent, id).await?;
    assert_eq!(
        (ticket.record.group_id, ticket.record.priority.rank()),
        (None, 1)
    );
    Ok(())
}

async fn escalation_must_name_an_existing_group(store: &Store) -> Result {
    let w = World::new(store, None).await?;
    let policy = Policy {
        name: "Tier 3 or bust".into(),
        conditions: Default::default(),
        targets: Targets {
            first_response: Some(30),
            ..Targets::default()
        },
        pause_when: vec![],
        warn_at_percent: 50,
        escalation: Some(Escalation {
            move_to_group: Some("Tier 3".into()),
            ..Escalation::default()
        }),
    };
    let before = w.desk.sla().sla_policies(&w.manager).await?.len();
    match w
        .desk
        .sla()
        .add_sla_policy(&w.manager, &policy, "Office")
        .await
    {
        Err(CoreError::Invalid(errors)) => {
            assert_eq!(errors[0].field, "escalation.move_to_group");
        }
        other => panic!("a policy escalating to no group was accepted: {other:?}"),
    }
    assert_eq!(w.desk.sla().sla_policies(&w.manager).await?.len(), before);
    // Once the group exists, the policy is accepted and reads back with its escalation.
    w.desk
        .people()
        .add_group(Some(&w.manager), "Tier 3", "")
        .await?;
    let added = w
        .desk
        .sla()
        .add_sla_policy(&w.manager, &policy, "Office")
        .await?;
    assert_eq!(added.policy.escalation, policy.escalation);
    Ok(())
}
