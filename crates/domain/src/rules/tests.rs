use serde_json::json;

use super::*;

fn rule(v: serde_json::Value) -> Rule {
    serde_json::from_value(v).expect("a rule")
}

fn ticket() -> Facts {
    Facts {
        status: "new".into(),
        priority: "P3".into(),
        ticket_type: "incident".into(),
        category: Some("Hardware/Laptop".into()),
        channel: "email".into(),
        tags: vec!["vip".into()],
        requester: "ann@acme.example".into(),
        subject: "VPN drops every hour".into(),
        description: "Since Monday".into(),
        ..Facts::default()
    }
}

#[test]
fn conditions_read_fields_requester_and_text() {
    let r = rule(json!({"name": "VPN", "trigger": "created", "conditions": [
        {"field": "text", "op": "contains", "value": "vpn"},
        {"field": "requester_domain", "op": "is", "value": "ACME.example"},
        {"field": "category", "op": "is", "value": "Hardware"},
        {"field": "assignee", "op": "is", "value": null},
        {"field": "tags", "op": "any_of", "value": ["urgent", "vip"]},
        {"field": "priority", "op": "is_not", "value": "P1"}
    ], "actions": [{"action": "set_group", "value": "Network"}]}));
    r.validate().expect("valid");
    let mut f = ticket();
    assert_eq!(run([&r], Trigger::Created, &mut f, None).len(), 1);
    assert_eq!(f.group.as_deref(), Some("Network"));

    // A category that merely starts with the same letters is not below it.
    let mut other = Facts {
        category: Some("Hardwareless".into()),
        ..ticket()
    };
    assert!(run([&r], Trigger::Created, &mut other, None).is_empty());
}

#[test]
fn rules_run_in_order_see_earlier_changes_and_stop() {
    let first = rule(json!({"name": "a", "trigger": "created",
        "actions": [{"action": "set_priority", "value": "P1"}]}));
    let second = rule(json!({"name": "b", "trigger": "created", "stop": true,
        "conditions": [{"field": "priority", "op": "is", "value": "P1"}],
        "actions": [{"action": "add_tags", "tags": ["Hot"]}]}));
    let third = rule(json!({"name": "c", "trigger": "created",
        "actions": [{"action": "add_tags", "tags": ["never"]}]}));
    let updated = rule(json!({"name": "u", "trigger": "updated",
        "actions": [{"action": "add_tags", "tags": ["never"]}]}));
    let mut f = ticket();
    let fired = run(
        [&updated, &first, &second, &third],
        Trigger::Created,
        &mut f,
        None,
    );
    assert_eq!(fired, vec![Fired { index: 1 }, Fired { index: 2 }]);
    assert_eq!(f.tags, ["hot", "vip"]);
}

#[test]
fn changed_to_needs_the_value_to_be_new() {
    let r = rule(json!({"name": "solved", "trigger": "updated",
        "conditions": [{"field": "status", "op": "changed_to", "value": "resolved"}],
        "actions": [{"action": "notify", "recipients": ["requester", "boss@acme.example"]}]}));
    r.validate().expect("valid");
    let before = ticket();
    let mut after = Facts {
        status: "resolved".into(),
        ..ticket()
    };
    assert_eq!(
        run([&r], Trigger::Updated, &mut after, Some(&before)).len(),
        1
    );
    let mut again = after.clone();
    assert!(run([&r], Trigger::Updated, &mut again, Some(&after)).is_empty());
}

#[test]
fn disabled_rules_do_not_fire_and_the_chain_is_bounded() {
    let off = rule(
        json!({"name": "off", "trigger": "created", "enabled": false,
        "actions": [{"action": "add_tags", "tags": ["x"]}]}),
    );
    let mut f = ticket();
    assert!(run([&off], Trigger::Created, &mut f, None).is_empty());
    let many: Vec<Rule> = (0..40)
        .map(|i| {
            rule(json!({"name": format!("r{i}"), "trigger": "created",
            "actions": [{"action": "add_tags", "tags": [format!("t{i}")]}]}))
        })
        .collect();
    assert_eq!(run(&many, Trigger::Created, &mut f, None).len(), MAX_FIRED);
}

#[test]
fn custom_fields_are_matched_by_value() {
    let r = rule(json!({"name": "site", "trigger": "created",
        "conditions": [{"field": "custom.site", "op": "any_of", "value": ["berlin", "paris"]}],
        "actions": [{"action": "add_note", "body": "Local team"}]}));
    let mut f = ticket();
    assert!(run([&r], Trigger::Created, &mut f, None).is_empty());
    f.custom.insert("site".into(), json!("Berlin"));
    assert_eq!(run([&r], Trigger::Created, &mut f, None).len(), 1);
}

#[test]
fn nonsense_is_refused_with_the_field_named() {
    let fields = |v: serde_json::Value| -> Vec<String> {
        rule(v)
            .validate()
            .expect_err("invalid")
            .into_iter()
            .map(|e| e.field)
            .collect()
    };
    assert_eq!(
        fields(
            json!({"name": "t", "trigger": "time", "actions": [{"action": "add_note", "body": "x"}]})
        ),
        ["time"]
    );
    assert_eq!(
        fields(json!({"name": "s", "trigger": "created",
            "conditions": [{"field": "status", "op": "is", "value": "sleeping"},
                           {"field": "status", "op": "changed_to", "value": "open"}],
            "actions": [{"action": "webhook", "url": "ftp://x"}, {"action": "add_tags", "tags": ["a b"]}]})),
        [
            "conditions[0].value",
            "conditions[1].op",
            "actions[0]",
            "actions[1]"
        ]
    );
    assert_eq!(
        fields(json!({"name": " ", "trigger": "created", "actions": []})),
        ["name", "actions"]
    );
    for unknown in [
        json!({"name": "x", "trigger": "whenever", "actions": []}),
        json!({"name": "x", "trigger": "created", "actions": [{"action": "explode"}]}),
        json!({"name": "x", "trigger": "created", "actions": [], "colour": "red"}),
        json!({"name": "x", "trigger": "created", "conditions": [{"field": "mood", "op": "is", "value": "x"}], "actions": []}),
        json!({"name": "x", "trigger": "created", "actions": [{"action": "set_status", "value": "asleep"}]}),
    ] {
        assert!(serde_json::from_value::<Rule>(unknown).is_err());
    }
}
