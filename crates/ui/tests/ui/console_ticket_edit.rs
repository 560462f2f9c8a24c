//! The whole ticket on its page, in process on both databases: type, tags, watchers and
//! custom fields edited with the Details form (a bad value changes nothing), links added and
//! removed, a merge into another ticket, the requester panel, and a history that names
//! people and puts what one rule did on one line.

use axum::http::StatusCode;
use frontline_core::Store;
use frontline_domain::{CustomFieldDef, FieldKind, Role, TicketType};
use serde_json::json;

use crate::support;
use support::{Site, TestResult, stories};

stories! {
    every_field_is_edited_on_the_ticket_page,
    tickets_are_linked_unlinked_and_merged_from_the_page,
    the_history_names_people_and_says_a_rule_once,
}

fn field(key: &str, kind: FieldKind, options: &[&str]) -> CustomFieldDef {
    CustomFieldDef {
        key: key.to_owned(),
        label: key.replace('_', " "),
        kind,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        ticket_types: Vec::new(),
        required: false,
    }
}

async fn every_field_is_edited_on_the_ticket_page(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let agent = site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    site.person("sam@example.org", Role::Requester).await?;
    let config = site.desk.config();
    config
        .add_custom_field(None, field("asset_tag", FieldKind::Text, &[]))
        .await?;
    config
        .add_custom_field(None, field("site", FieldKind::Select, &["HQ", "Lab"]))
        .await?;
    config
        .add_custom_field(None, field("vip", FieldKind::Checkbox, &[]))
        .await?;
    config
        .add_custom_field(
            None,
            field("devices", FieldKind::MultiSelect, &["Laptop", "Phone"]),
        )
        .await?;
    let id = site.ticket(&rita, "New laptop").await?;

    let mut a = site.signed_in("agent@example.org").await?;
    let page = a.get(&format!("/console/tickets/{id}")).await?;
    for label in [
        "id=\"f-type\"",
        "id=\"f-tags\"",
        "id=\"f-watchers\"",
        "id=\"cf-asset_tag\"",
        "id=\"cf-site\"",
    ] {
        assert!(page.body.contains(label), "the Details form has {label}");
    }
    assert!(page.body.contains("<dt>Channel</dt><dd>Portal</dd>"));
    assert!(
        page.body
            .contains("href=\"/console/search?requester=rita%40example.org\"")
    );
    let csrf = page.csrf();
    let form = |watchers: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("version", "1".to_owned()),
            ("custom", "shown".to_owned()),
            ("status", "open".to_owned()),
            ("type", "service_request".to_owned()),
            ("impact", "medium".to_owned()),
            ("urgency", "medium".to_owned()),
            ("priority", "auto".to_owned()),
            ("category", String::new()),
            ("group", String::new()),
            ("assignee", String::new()),
            ("tags", "hardware, onboarding".to_owned()),
            ("watchers", watchers.to_owned()),
            ("cf.asset_tag", "LT-0042".to_owned()),
            ("cf.site", "Lab".to_owned()),
            ("cf.vip", "yes".to_owned()),
            ("cf.devices", "Laptop".to_owned()),
            ("cf.devices", "Phone".to_owned()),
        ]
    };
    let bad = form("not-an-email");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = a
        .post(&format!("/console/tickets/{id}/fields"), &bad)
        .await?;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let unchanged = site.desk.tickets().ticket(&agent, id).await?;
    assert_eq!(unchanged.record.version, 1, "a bad watcher changes nothing");

    let good = form("sam@example.org");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = a
        .post(&format!("/console/tickets/{id}/fields"), &good)
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let t = site.desk.tickets().ticket(&agent, id).await?;
    assert_eq!(t.record.ticket_type, TicketType::ServiceRequest);
    assert_eq!(t.tags, ["hardware", "onboarding"]);
    assert_eq!(
        t.watchers.iter().map(|w| w.as_str()).collect::<Vec<_>>(),
        ["sam@example.org"]
    );
    let cf = &t.record.custom_fields;
    assert_eq!(cf.get("asset_tag"), Some(&json!("LT-0042")));
    assert_eq!(cf.get("site"), Some(&json!("Lab")));
    assert_eq!(cf.get("vip"), Some(&json!(true)));
    assert_eq!(cf.get("devices"), Some(&json!(["Laptop", "Phone"])));
    let page = a.get(&format!("/console/tickets/{id}")).await?.body;
    assert!(page.contains("value=\"LT-0042\"") && page.contains("value=\"hardware, onboarding\""));
    Ok(())
}

async fn tickets_are_linked_unlinked_and_merged_from_the_page(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let agent = site.person("agent@example.org", Role::Agent).await?;
    let rita = site.person("rita@example.org", Role::Requester).await?;
    let one = site.ticket(&rita, "Mail is slow").await?;
    let two = site.ticket(&rita, "Mail is slow again").await?;
    let mut a = site.signed_in("agent@example.org").await?;
    let csrf = a.get(&format!("/console/tickets/{one}")).await?.csrf();
    let post = |path: String, fields: Vec<(&'static str, String)>| (path, fields);
    let linked = {
        let (path, f) = post(
            format!("/console/tickets/{one}/links"),
            vec![
                ("csrf", csrf.clone()),
                ("kind", "related".into()),
                ("other", format!("#{two}")),
            ],
        );
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        a.post(&path, &f).await?
    };
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.body);
    let page = a.get(&format!("/console/tickets/{one}")).await?.body;
    assert!(
        page.contains(&format!(
            "Related to <a href=\"/console/tickets/{two}\">#{two}</a>"
        )),
        "{page}"
    );
    let bad = a
        .post(
            &format!("/console/tickets/{one}/links"),
            &[("csrf", &csrf), ("kind", "related"), ("other", "abc")],
        )
        .await?;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let two_text = two.to_string();
    let removed = a
        .post(
            &format!("/console/tickets/{one}/links/delete"),
            &[("csrf", &csrf), ("kind", "related"), ("other", &two_text)],
        )
        .await?;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(site.desk.tickets().links(&agent, one).await?.is_empty());

    let merged = a
        .post(
            &format!("/console/tickets/{one}/merge"),
            &[("csrf", &csrf), ("into", &two_text)],
        )
        .await?;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    assert_eq!(merged.location(), format!("/console/tickets/{two}"));
    let source = site.desk.tickets().ticket(&agent, one).await?;
    assert_eq!(source.record.merged_into_id, Some(two));
    Ok(())
}

async fn the_history_names_people_and_says_a_rule_once(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    let admin = site.person("admin@example.org", Role::Admin).await?;
    site.person_named("agent@example.org", "Alex Agent", Role::Agent)
        .await?;
    let rita = site
        .person_named("rita@example.org", "Rita Moreno", Role::Requester)
        .await?;
    site.desk.people().add_group(None, "Tier 2", "").await?;
    let rule: frontline_domain::rules::Rule = serde_json::from_value(json!({
        "name": "Mail to tier 2", "trigger": "created",
        "actions": [{"action": "set_group", "value": "Tier 2"},
                    {"action": "set_priority", "value": "P1"},
                    {"action": "add_tags", "tags": ["mail"]}]}))?;
    site.desk.rules().add_rule(&admin, rule).await?;
    let id = site.ticket(&rita, "Mail is down").await?;
    let mut a = site.signed_in("agent@example.org").await?;
    let page = a.get(&format!("/console/tickets/{id}")).await?.body;
    let history = &page[page.find("id=\"history-title\"").ok_or("a history")?..];
    assert!(
        history.contains("Rita Moreno</span> opened the ticket"),
        "{history}"
    );
    assert!(!history.contains("rita@example.org"), "people by name");
    assert_eq!(
        history.matches("Rule “Mail to tier 2”").count(),
        1,
        "{history}"
    );
    assert!(
        history.contains("group: Tier 2; priority: P1; tags: +mail"),
        "{history}"
    );
    Ok(())
}
