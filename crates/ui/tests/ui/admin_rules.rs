//! Automation rules on the admin pages, on both databases: the form grows condition and action
//! rows without script, and a rule goes through a create, edit, reorder and delete round trip.

use crate::admin::{as_admin, assert_saved};
use crate::support;

use axum::http::StatusCode;
use frontline_core::Store;
use support::{TestResult, stories};

stories! {
    a_rule_grows_rows_without_script_and_goes_round_trip,
}

async fn a_rule_grows_rows_without_script_and_goes_round_trip(store: &Store) -> TestResult {
    let (site, admin, mut b) = as_admin(store).await?;
    site.desk.people().add_group(None, "Network", "").await?;
    let csrf = b.csrf("/admin/rules/new").await?;
    let base = [
        ("csrf", csrf.as_str()),
        ("name", "VPN to network"),
        ("trigger", "created"),
        ("amount", ""),
        ("unit", "days"),
        ("since", "updated_at"),
        ("cond_field", "text"),
        ("cond_op", "contains"),
        ("cond_value", "vpn"),
        ("act_kind", "set_group"),
        ("act_value", "Network"),
    ];

    // "Add a condition" shows the form again with a second row and saves nothing.
    let mut add = base.to_vec();
    add.push(("op", "add_condition"));
    let page = b.post("/admin/rules", &add).await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Condition 2"), "{}", page.body);
    assert!(page.body.contains("value=\"vpn\""));
    assert!(site.desk.rules().list(&admin).await?.is_empty());
    // Removing it takes it away again.
    let mut drop = base.to_vec();
    drop.extend([
        ("cond_field", "priority"),
        ("cond_op", "is"),
        ("cond_value", "P1"),
    ]);
    drop.push(("op", "drop_condition:1"));
    let page = b.post("/admin/rules", &drop).await?;
    assert!(!page.body.contains("Condition 2"));

    // A group that does not exist is named next to its action; nothing is saved.
    let mut bad = base.to_vec();
    bad.retain(|(k, _)| *k != "act_value");
    bad.push(("act_value", "Nowhere"));
    bad.push(("op", "save"));
    let page = b.post("/admin/rules", &bad).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"ae0\""), "{}", page.body);
    assert!(site.desk.rules().list(&admin).await?.is_empty());

    // Saved with a blank row left over (ignored), several actions and stop.
    let mut good = base.to_vec();
    good.extend([
        ("cond_field", "priority"),
        ("cond_op", "any_of"),
        ("cond_value", "P1, P2"),
        ("cond_field", ""),
        ("cond_op", "is"),
        ("cond_value", ""),
        ("act_kind", "add_tags"),
        ("act_value", "vpn, network"),
        ("act_kind", "notify"),
        ("act_value", "group, managers"),
        ("stop", "yes"),
        ("enabled", "yes"),
        ("op", "save"),
    ]);
    let page = b.post("/admin/rules", &good).await?;
    assert_saved(&page);
    let rules = site.desk.rules().list(&admin).await?;
    assert_eq!(rules.len(), 1);
    let r = &rules[0].rule;
    assert_eq!(r.conditions.len(), 2);
    assert_eq!(r.actions.len(), 3);
    assert!(r.stop && r.enabled);

    // A time rule: pending three days, then a reminder.
    let time = [
        ("csrf", csrf.as_str()),
        ("name", "Remind after 3 days"),
        ("trigger", "time"),
        ("amount", "3"),
        ("unit", "days"),
        ("since", "updated_at"),
        ("cond_field", "status"),
        ("cond_op", "is"),
        ("cond_value", "pending"),
        ("act_kind", "reply"),
        ("act_value", "Do you still need help?"),
        ("enabled", "yes"),
        ("op", "save"),
    ];
    let page = b.post("/admin/rules", &time).await?;
    assert_saved(&page);
    let rules = site.desk.rules().list(&admin).await?;
    let timed = &rules[1];
    assert_eq!(timed.rule.time.map(|t| t.minutes), Some(3 * 1440));
    let edit = b.get(&format!("/admin/rules/{}", timed.id)).await?;
    assert!(edit.body.contains("Do you still need help?"));
    assert!(edit.body.contains("value=\"3\""));

    // Moved up, disabled, edited, deleted: the list's row forms post where this does.
    let id = timed.id;
    let list = b.get("/admin/rules").await?;
    for action in ["move", "enabled", "delete"] {
        let form = format!("action=\"/admin/rules/{id}/{action}\"");
        assert!(list.body.contains(&form), "{form}: {}", list.body);
    }
    b.post(
        &format!("/admin/rules/{id}/move"),
        &[("csrf", &csrf), ("direction", "up")],
    )
    .await?;
    b.post(
        &format!("/admin/rules/{id}/enabled"),
        &[("csrf", &csrf), ("enabled", "no")],
    )
    .await?;
    let rules = site.desk.rules().list(&admin).await?;
    assert_eq!(rules[0].id, id);
    assert!(!rules[0].rule.enabled);
    let mut renamed = time.to_vec();
    renamed[1] = ("name", "Remind after 2 days");
    renamed[3] = ("amount", "2");
    let page = b.post(&format!("/admin/rules/{id}"), &renamed).await?;
    assert_saved(&page);
    let rules = site.desk.rules().list(&admin).await?;
    assert_eq!(rules[0].rule.name, "Remind after 2 days");
    assert_eq!(rules[0].rule.time.map(|t| t.minutes), Some(2 * 1440));
    let page = b
        .post(&format!("/admin/rules/{id}/delete"), &[("csrf", &csrf)])
        .await?;
    assert_saved(&page);
    assert_eq!(site.desk.rules().list(&admin).await?.len(), 1);
    Ok(())
}
