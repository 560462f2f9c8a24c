//! Automatic assignment on SQLite and on PostgreSQL: round-robin rotates through a group's
//! available agents, least-loaded weighs open tickets by priority, a category's skill narrows
//! the choice, out-of-office and working hours take agents out, and with nobody eligible a
//! ticket stays unassigned. Tickets are assigned on creation, when a change moves them into
//! the group, and when an SLA escalation does.

use crate::support;

use frontline_core::assignment::Mode;
use frontline_core::people::NewUser;
use frontline_core::tickets::{NewTicket, TicketPatch};
use frontline_domain::sla::Escalation;
use frontline_domain::{CategoryPath, Email, EventId, Level, Priority, Role, TicketId};
use frontline_store::Store;
use support::{Result, World, monday};

frontline_testkit::stories!(
    round_robin_rotates_and_skips_who_is_away,
    least_loaded_weighs_open_tickets_by_priority,
    skills_and_working_hours_narrow_the_choice,
    moves_by_a_change_or_an_escalation_assign_too,
);

const POOL: [&str; 3] = ["ann@desk.test", "ben@desk.test", "cem@desk.test"];

/// A group "Pool" of three agents that assigns as `mode`.
async fn pool(w: &World, mode: Mode) -> Result<()> {
    w.desk.people().add_group(None, "Pool", "").await?;
    let mut members = Vec::new();
    for email in POOL {
        let email = Email::parse("email", email)?;
        w.desk
            .people()
            .add_user(
                None,
                NewUser {
                    email: email.clone(),
                    name: email.local_part().into(),
                    role: Role::Agent,
                    organization: None,
                    password: None,
                },
            )
            .await?;
        members.push(email);
    }
    w.desk
        .people()
        .set_group_members(None, "Pool", &members)
        .await?;
    w.desk
        .assignment()
        .set_group_assignment(&w.manager, "Pool", mode)
        .await?;
    Ok(())
}

async fn away(w: &World, who: &str, out: bool, skills: &[&str], calendar: Option<&str>) -> Result {
    let skills: Vec<String> = skills.iter().map(|s| s.to_string()).collect();
    w.desk
        .assignment()
        .set_availability(
            &w.manager,
            &Email::parse("email", who)?,
            calendar,
            out,
            &skills,
        )
        .await
}

/// Opens a ticket in `group` (and `category`) and returns its id and assignee.
async fn file(w: &World, group: &str, category: Option<&str>) -> Result<(i64, Option<String>)> {
    let category = category
        .map(|c| CategoryPath::parse("category", c))
        .transpose()?;
    let id = w
        .open(Level::Low, Level::Low, |t| NewTicket {
            group: Some(group.into()),
            category,
            ..t
        })
        .await?;
    let t = w.desk.tickets().ticket(&w.manager, id).await?;
    Ok((id.get(), t.assignee_email.map(|e| e.to_string())))
}

async fn auto_events(w: &World, id: TicketId) -> Result<Vec<(String, String)>> {
    let events = w
        .desk
        .tickets()
        .events(&w.manager, id, EventId::default(), 1_000)
        .await?;
    Ok(events
        .into_iter()
        .filter(|e| e.record.kind.as_str() == "auto_assigned")
        .map(|e| {
            (
                e.record.field.unwrap_or_default(),
                e.record.new_value.unwrap_or_default(),
            )
        })
        .collect())
}

async fn round_robin_rotates_and_skips_who_is_away(store: &Store) -> Result {
    let w = World::new(store, None).await?;
    pool(&w, Mode::RoundRobin).await?;
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(file(&w, "Pool", None).await?.1.unwrap_or_default());
    }
    assert_eq!(got, [POOL[0], POOL[1], POOL[2], POOL[0]]);
    let (id, _) = file(&w, "Pool", None).await?;
    assert_eq!(
        auto_events(&w, TicketId::new(id)).await?,
        [("round_robin".into(), POOL[1].into())]
    );

    away(&w, POOL[2], true, &[], None).await?;
    assert_eq!(
        file(&w, "Pool", None).await?.1.as_deref(),
        Some(POOL[0]),
        "cem is away"
    );
    // Nobody available: the ticket waits unassigned, with no assignment event.
    away(&w, POOL[0], true, &[], None).await?;
    away(&w, POOL[1], true, &[], None).await?;
    let (id, who) = file(&w, "Pool", None).await?;
    assert_eq!(who, None);
    assert!(auto_events(&w, TicketId::new(id)).await?.is_empty());
    // Manual groups (the default) never assign.
    assert_eq!(file(&w, "Tier 1", None).await?.1, None);
    Ok(())
}

async fn least_loaded_weighs_open_tickets_by_priority(store: &Store) -> Result {
    let w = World::new(store, None).await?;
    pool(&w, Mode::LeastLoaded).await?;
    // Ann holds one P1 (weight 8), Ben three P4 (3), Cem two P3 (4).
    let hold = |who: &'static str, prio: Priority, n: usize| {
        let w = &w;
        async move {
            for _ in 0..n {
                let assignee = Some(Email::parse("assignee", who)?);
                w.open(Level::Low, Level::Low, |t| NewTicket {
                    group: Some("Pool".into()),
                    assignee,
                    priority: Some(prio),
                    ..t
                })
                .await?;
            }
            Result::Ok(())
        }
    };
    hold(POOL[0], Priority::P1, 1).await?;
    hold(POOL[1], Priority::P4, 3).await?;
    hold(POOL[2], Priority::P3, 2).await?;
    let (id, who) = file(&w, "Pool", None).await?;
    assert_eq!(who.as_deref(), Some(POOL[1]));
    assert_eq!(
        auto_events(&w, TicketId::new(id)).await?,
        [("least_loaded".into(), POOL[1].into())]
    );
    // Ben now carries 4 (a P4 more): Cem (4) and Ben tie, and the lower id wins; then Cem.
    assert_eq!(file(&w, "Pool", None).await?.1.as_deref(), Some(POOL[1]));
    assert_eq!(file(&w, "Pool", None).await?.1.as_deref(), Some(POOL[2]));
    Ok(())
}

async fn skills_and_working_hours_narrow_the_choice(store: &Store) -> Result {
    let w = World::new(store, None).await?;
    pool(&w, Mode::RoundRobin).await?;
    let vpn = CategoryPath::parse("category", "Network/VPN")?;
    w.desk.config().add_category(None, &vpn).await?;
    w.desk
        .assignment()
        .set_category_skill(&w.manager, &vpn, Some("VPN"))
        .await?;
    away(&w, POOL[2], false, &["vpn", "unix"], None).await?;
    for _ in 0..2 {
        let who = file(&w, "Pool", Some("Network/VPN")).await?.1;
        assert_eq!(who.as_deref(), Some(POOL[2]), "only cem knows VPNs");
    }
    // Ann works office hours (Monday 09:00-17:00 in Berlin): at 20:00 she is skipped.
    away(&w, POOL[0], false, &[], Some("Office")).await?;
    w.at(monday(20, 0));
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(file(&w, "Pool", None).await?.1.unwrap_or_default());
    }
    assert_eq!(got, [POOL[1], POOL[2], POOL[1]], "ann is off");
    w.at(monday(10, 0));
    assert_eq!(file(&w, "Pool", None).await?.1.as_deref(), Some(POOL[2]));
    assert_eq!(
        file(&w, "Pool", None).await?.1.as_deref(),
        Some(POOL[0]),
        "ann is back"
    );
    // Unknown names are refused and change nothing.
    assert!(away(&w, POOL[0], false, &[], Some("Night")).await.is_err());
    assert!(
        away(&w, "ria@corp.test", false, &[], None).await.is_err(),
        "not an agent"
    );
    assert!(
        w.desk
            .assignment()
            .set_category_skill(&w.manager, &vpn, Some("two words"))
            .await
            .is_err()
    );
    assert!(
        w.desk
            .assignment()
            .set_group_assignment(&w.agent, "Pool", Mode::Manual)
            .await
            .is_err()
    );
    assert_eq!(
        w.desk
            .assignment()
            .group_assignment(&w.agent, "Pool")
            .await?,
        Mode::RoundRobin
    );
    Ok(())
}

async fn moves_by_a_change_or_an_escalation_assign_too(store: &Store) -> Result {
    let escalation = Escalation {
        notify: vec![],
        move_to_group: Some("Tier 2".into()),
        raise_priority: false,
    };
    let w = World::new(store, Some(escalation)).await?;
    pool(&w, Mode::RoundRobin).await?;
    w.desk
        .assignment()
        .set_group_assignment(&w.manager, "Tier 2", Mode::RoundRobin)
        .await?;
    // A change that moves a ticket into Pool assigns it.
    let (id, who) = file(&w, "Tier 1", None).await?;
    assert_eq!(who, None);
    let patch = TicketPatch {
        group: Some(Some("Pool".into())),
        ..TicketPatch::default()
    };
    let t = w
        .desk
        .tickets()
        .update_ticket(&w.agent, TicketId::new(id), patch, None)
        .await?;
    assert_eq!(t.assignee_email.as_deref(), Some(POOL[0]));
    assert_eq!(
        auto_events(&w, TicketId::new(id)).await?,
        [("round_robin".into(), POOL[0].into())]
    );
    // A change that keeps the group, or names an assignee, does not.
    let patch = TicketPatch {
        group: Some(Some("Pool".into())),
        assignee: Some(None),
        ..TicketPatch::default()
    };
    let t = w
        .desk
        .tickets()
        .update_ticket(&w.agent, TicketId::new(id), patch, None)
        .await?;
    assert_eq!(t.assignee_email, None);

    // The standard policy's first response breaches at 17:00; the escalation moves the ticket
    // to Tier 2, whose round robin gives it to Tess.
    let (late, _) = file(&w, "Tier 1", None).await?;
    w.at(monday(17, 1));
    w.run_jobs().await?;
    let t = w
        .desk
        .tickets()
        .ticket(&w.manager, TicketId::new(late))
        .await?;
    assert_eq!(t.group_name.as_deref(), Some("Tier 2"));
    assert_eq!(t.assignee_email.as_deref(), Some("tess@desk.test"));
    assert_eq!(
        auto_events(&w, TicketId::new(late)).await?,
        [("round_robin".into(), "tess@desk.test".into())]
    );
    Ok(())
}
