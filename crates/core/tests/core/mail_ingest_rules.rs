//! Mail tickets and the ticket core, on SQLite and on PostgreSQL: a ticket opened by mail goes
//! through the core's creation path (created rules, automatic assignment, SLA), a reply
//! through the updated rules, and a reply ingested before its original still threads.

use frontline_core::assignment::Mode;
use frontline_core::mail::InboundState;
use frontline_core::tickets::TicketPatch;
use frontline_core::{Actor, CoreError, Desk};
use frontline_domain::rules::Rule;
use frontline_domain::{CommentId, EventId, InboundId, Role, Status, TicketId};
use frontline_store::Store;

use crate::mail_support::{Result, email, ingest, person, smtp};

use crate::mail_ingest::{delivered, desk, mail};

frontline_testkit::stories!(
    mail_tickets_get_rules_and_assignment,
    a_reply_ingested_before_its_original_threads,
);

fn rule(v: serde_json::Value) -> Result<Rule> {
    serde_json::from_value(v).map_err(|e| CoreError::Internal(e.to_string()))
}

/// The kinds of a ticket's events, and the rules that acted on it (rule, what it did).
async fn trail(
    desk: &Desk,
    who: &Actor,
    id: TicketId,
) -> Result<(Vec<String>, Vec<(String, String)>)> {
    let events = desk
        .tickets()
        .events(who, id, EventId::default(), 1_000)
        .await?;
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
        .list(&agent, tickets[0], CommentId::default(), 10)
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
        .inbound_in_state(InboundState::Ticket, InboundId::default(), 10)
        .await?;
    assert_eq!(
        rows.iter().map(|r| (r.id, r.ticket_id)).collect::<Vec<_>>(),
        [(original, Some(ticket))]
    );
    let comments = read
        .conn()
        .inbound_in_state(InboundState::Comment, InboundId::default(), 10)
        .await?;
    assert_eq!(comments.len(), 1);
    Ok(())
}
