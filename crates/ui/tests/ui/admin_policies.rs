//! Calendars and SLA policies on the admin pages, on both databases: created, edited and deleted
//! through their forms; bad input comes back with its message next to the field and changes
//! nothing.

use crate::admin::{as_admin, assert_saved, calendar_form, pairs};
use crate::support;

use axum::http::StatusCode;
use frontline_core::Store;
use support::{TestResult, stories};

stories! {
    a_calendar_and_a_policy_go_round_trip,
}

async fn a_calendar_and_a_policy_go_round_trip(store: &Store) -> TestResult {
    let (site, admin, mut b) = as_admin(store).await?;
    site.desk.people().add_group(None, "Tier 2", "").await?;
    let csrf = b.csrf("/admin/calendars/new").await?;

    // A bad shift and a yearly date in the dated box come back next to their fields.
    let mut bad = calendar_form(&csrf, "Night desk", &[("fri", "22:00-6")]);
    bad.push(("dates", "12-25"));
    let page = b.post("/admin/calendars", &bad).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"fri-error\""), "{}", page.body);
    assert!(
        page.body.contains("22:00-6&#34; is not a shift"),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"dates-error\""));
    assert!(
        page.body.contains("value=\"Night desk\""),
        "the form keeps what was typed"
    );
    assert!(site.desk.sla().calendars(&admin).await?.is_empty());

    // An overnight shift and both kinds of holiday.
    let mut good = calendar_form(&csrf, "Night desk", &[("fri", "22:00-06:00"), ("sat", "")]);
    good.push(("dates", "2026-12-24"));
    good.push(("yearly", "12-25\n01-01"));
    let page = b.post("/admin/calendars", &good).await?;
    assert_saved(&page);
    let cals = site.desk.sla().calendars(&admin).await?;
    assert_eq!(cals.len(), 1);
    let (name, cal) = &cals[0];
    assert_eq!(name, "Night desk");
    assert_eq!(cal.time_zone().name(), "Europe/Berlin");
    assert_eq!(cal.week()[4][0].to_string(), "22:00-06:00");
    assert_eq!(cal.holidays().len(), 3);
    let edit = b.get("/admin/calendars/Night%20desk").await?;
    assert!(edit.body.contains("value=\"22:00-06:00\""), "{}", edit.body);
    assert!(
        edit.body
            .contains("<option selected>Europe/Berlin</option>")
    );

    // Renamed and made 24x7.
    let mut always = calendar_form(&csrf, "Around the clock", &[]);
    always.push(("always", "yes"));
    let page = b.post("/admin/calendars/Night%20desk", &always).await?;
    assert_saved(&page);
    let cals = site.desk.sla().calendars(&admin).await?;
    assert_eq!(cals[0].0, "Around the clock");
    assert!(
        cals[0]
            .1
            .week()
            .iter()
            .all(|d| d.len() == 1 && d[0].to_string() == "00:00-24:00")
    );

    // A policy on it; a missing target is refused first.
    let policy = |name: &'static str, hours: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("name", name.to_owned()),
            ("calendar", "Around the clock".to_owned()),
            ("priorities", "P1".to_owned()),
            ("priorities", "P2".to_owned()),
            ("channels", "email".to_owned()),
            ("first_response", "30".to_owned()),
            ("first_response_unit", "minutes".to_owned()),
            ("resolution", hours.to_owned()),
            ("resolution_unit", "hours".to_owned()),
            ("pause_when", "pending".to_owned()),
            ("warn_at_percent", "80".to_owned()),
            ("notify", "manager".to_owned()),
            ("move_to_group", "Tier 2".to_owned()),
            ("raise_priority", "yes".to_owned()),
        ]
    };
    let mut bad = policy("Urgent", "0");
    bad.retain(|(k, _)| *k != "first_response");
    let page = b.post("/admin/policies", &pairs(&bad)).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("id=\"resolution-error\""),
        "{}",
        page.body
    );
    assert!(site.desk.sla().sla_policies(&admin).await?.is_empty());

    for (name, hours) in [("Urgent", "8"), ("Everything else", "40")] {
        let page = b
            .post("/admin/policies", &pairs(&policy(name, hours)))
            .await?;
        assert_saved(&page);
    }
    let policies = site.desk.sla().sla_policies(&admin).await?;
    assert_eq!(policies.len(), 2);
    let urgent = &policies[0].policy;
    assert_eq!(urgent.targets.first_response, Some(30));
    assert_eq!(urgent.targets.resolution, Some(8 * 60));
    assert_eq!(urgent.warn_at_percent, 80);
    assert_eq!(urgent.conditions.channels, ["email"]);
    let esc = urgent.escalation.clone().expect("escalation");
    assert_eq!(esc.move_to_group.as_deref(), Some("Tier 2"));
    assert!(esc.raise_priority);

    // Edited in place, then moved down.
    let id = policies[0].id;
    let list = b.get("/admin/policies").await?;
    let form = format!("action=\"/admin/policies/{id}/move\"");
    assert!(list.body.contains(&form), "{}", list.body);
    let edit = b.get(&format!("/admin/policies/{id}")).await?;
    assert!(
        edit.body.contains("value=\"8\""),
        "hours read back as hours"
    );
    let page = b
        .post(
            &format!("/admin/policies/{id}"),
            &pairs(&policy("Urgent", "4")),
        )
        .await?;
    assert_saved(&page);
    let page = b
        .post(
            &format!("/admin/policies/{id}/move"),
            &[("csrf", &csrf), ("direction", "down")],
        )
        .await?;
    assert_saved(&page);
    let policies = site.desk.sla().sla_policies(&admin).await?;
    assert_eq!(policies[1].id, id);
    assert_eq!(policies[1].policy.targets.resolution, Some(4 * 60));

    // The calendar is in use: not deleted, and the page says why.
    let page = b
        .post(
            "/admin/calendars/Around%20the%20clock/delete",
            &[("csrf", &csrf)],
        )
        .await?;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(
        page.body.contains("in use by 2 SLA policies"),
        "{}",
        page.body
    );
    assert_eq!(site.desk.sla().calendars(&admin).await?.len(), 1);
    // An unused one goes.
    let page = b
        .post("/admin/calendars", &calendar_form(&csrf, "Spare", &[]))
        .await?;
    assert_saved(&page);
    let page = b
        .post("/admin/calendars/Spare/delete", &[("csrf", &csrf)])
        .await?;
    assert_saved(&page);
    assert_eq!(site.desk.sla().calendars(&admin).await?.len(), 1);
    Ok(())
}
