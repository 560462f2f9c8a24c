//! The admin pages in process, on both databases: only admins get in, forms without the
//! session's token are refused, calendars, SLA policies, rules, assignment and mailboxes go
//! through a create and edit round trip, bad input comes back with its message next to the
//! field and changes nothing, and names people typed are escaped on every page.

use crate::support;

use axum::http::StatusCode;
use frontline_core::{Actor, Store};
use frontline_domain::{CategoryPath, Role};
use support::{Browser, Page, Site, TestResult, stories};

stories! {
    only_admins_reach_the_admin_pages,
    admin_forms_without_the_session_token_are_refused,
    a_calendar_and_a_policy_go_round_trip,
    a_rule_grows_rows_without_script_and_goes_round_trip,
    assignment_is_set_per_group_agent_and_category,
    mailboxes_are_added_without_showing_passwords,
    names_people_typed_are_escaped,
}

const PAGES: [&str; 9] = [
    "/admin",
    "/admin/calendars",
    "/admin/calendars/new",
    "/admin/policies",
    "/admin/policies/new",
    "/admin/rules",
    "/admin/rules/new",
    "/admin/assignment",
    "/admin/mailboxes",
];

/// A calendar form: Monday to Friday 09:00-17:00 unless `days` says otherwise.
fn calendar_form<'a>(
    csrf: &'a str,
    name: &'a str,
    days: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("csrf", csrf),
        ("name", name),
        ("time_zone", "Europe/Berlin"),
    ];
    for d in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        let hours = days.iter().find(|(k, _)| *k == d).map_or(
            if matches!(d, "sat" | "sun") {
                ""
            } else {
                "09:00-17:00"
            },
            |(_, v)| *v,
        );
        f.push((d, hours));
    }
    f
}

/// A site with an administrator, and a browser signed in as them.
async fn as_admin(store: &Store) -> TestResult<(Site, Actor, Browser)> {
    let site = Site::new(store).await?;
    let admin = site.person("admin@example.org", Role::Admin).await?;
    let browser = site.signed_in("admin@example.org").await?;
    Ok((site, admin, browser))
}

/// The form was taken: the answer sends the browser on.
#[track_caller]
fn assert_saved(page: &Page) {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

fn pairs<'a>(fields: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn only_admins_reach_the_admin_pages(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("admin@example.org", Role::Admin).await?;
    for (email, role) in [
        ("manager@example.org", Role::Manager),
        ("agent@example.org", Role::Agent),
        ("rita@example.org", Role::Requester),
    ] {
        site.person(email, role).await?;
        let mut b = site.signed_in(email).await?;
        for page in PAGES {
            assert_eq!(
                b.get(page).await?.status,
                StatusCode::FORBIDDEN,
                "{email} {page}"
            );
        }
        // A valid token does not make a manager an admin.
        let csrf = b.csrf("/account/password").await?;
        let sent = b
            .post("/admin/calendars", &calendar_form(&csrf, "Office", &[]))
            .await?;
        assert_eq!(sent.status, StatusCode::FORBIDDEN, "{email}");
        assert!(!b.get("/console").await?.body.contains("href=\"/admin\""));
    }
    let admin = site.person("admin2@example.org", Role::Admin).await?;
    assert!(site.desk.sla().calendars(&admin).await?.is_empty());
    // Strangers are sent to sign in.
    let mut stranger = site.browser();
    let page = stranger.get("/admin/rules").await?;
    assert_saved(&page);
    assert!(page.location().starts_with("/login?next="));

    let mut b = site.signed_in("admin@example.org").await?;
    for page in PAGES {
        let p = b.get(page).await?;
        assert_eq!(p.status, StatusCode::OK, "{page}: {}", p.body);
        assert!(p.body.contains("<main"), "{page}");
    }
    let console = b.get("/console").await?;
    assert!(
        console.body.contains("href=\"/admin\""),
        "admins find the admin pages"
    );
    Ok(())
}

async fn admin_forms_without_the_session_token_are_refused(store: &Store) -> TestResult {
    let (site, admin, mut b) = as_admin(store).await?;
    let without = calendar_form("", "Office", &[]);
    let without: Vec<_> = without.into_iter().filter(|(k, _)| *k != "csrf").collect();
    assert_eq!(
        b.post("/admin/calendars", &without).await?.status,
        StatusCode::FORBIDDEN
    );
    let wrong = calendar_form("not-the-token", "Office", &[]);
    assert_eq!(
        b.post("/admin/calendars", &wrong).await?.status,
        StatusCode::FORBIDDEN
    );
    for path in [
        "/admin/policies",
        "/admin/rules",
        "/admin/mailboxes",
        "/admin/assignment/categories",
    ] {
        let p = b.post(path, &[("name", "x")]).await?;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert!(site.desk.sla().calendars(&admin).await?.is_empty());
    assert!(site.desk.rules().list(&admin).await?.is_empty());
    assert!(site.desk.mail().mailboxes(Some(&admin)).await?.is_empty());
    Ok(())
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

async fn assignment_is_set_per_group_agent_and_category(store: &Store) -> TestResult {
    let (site, admin, mut b) = as_admin(store).await?;
    site.person("ana@example.org", Role::Agent).await?;
    site.desk
        .people()
        .add_group(None, "Service Desk", "")
        .await?;
    site.desk
        .config()
        .add_category(None, &CategoryPath::parse("category", "Hardware/Laptop")?)
        .await?;
    let csrf = b.csrf("/admin/calendars/new").await?;
    b.post("/admin/calendars", &calendar_form(&csrf, "Office", &[]))
        .await?;

    let page = b
        .post(
            "/admin/assignment/groups/Service%20Desk",
            &[("csrf", &csrf), ("mode", "least_loaded")],
        )
        .await?;
    assert_saved(&page);
    assert_eq!(
        site.desk
            .assignment()
            .group_assignment(&admin, "Service Desk")
            .await?
            .as_str(),
        "least_loaded"
    );

    // A skill with a space is refused next to the agent, and nothing changes.
    const ANA: &str = "/admin/assignment/agents/ana%40example.org";
    let agent = |skills| {
        [
            ("csrf", csrf.as_str()),
            ("calendar", "Office"),
            ("out_of_office", "yes"),
            ("skills", skills),
        ]
    };
    let page = b.post(ANA, &agent("mac os")).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("value=\"mac os\""), "{}", page.body);
    assert!(
        page.body
            .contains("class=\"field-error\" id=\"agent-error-")
    );
    let ana = |all: Vec<frontline_core::assignment::AgentAvailability>| {
        all.into_iter().find(|a| a.email == "ana@example.org")
    };
    let before = ana(site.desk.assignment().availabilities(&admin).await?).expect("listed");
    assert!(!before.out_of_office && before.calendar.is_none());

    let page = b.post(ANA, &agent("macos, Printers")).await?;
    assert_saved(&page);
    let after = ana(site.desk.assignment().availabilities(&admin).await?).expect("listed");
    assert!(after.out_of_office);
    assert_eq!(after.calendar.as_deref(), Some("Office"));
    assert_eq!(after.skills, ["macos", "printers"]);

    let page = b
        .post(
            "/admin/assignment/categories",
            &[
                ("csrf", &csrf),
                ("category", "Hardware/Laptop"),
                ("skill", "macos"),
            ],
        )
        .await?;
    assert_saved(&page);
    assert_eq!(
        site.desk.assignment().category_skills(&admin).await?,
        [("Hardware/Laptop".to_owned(), "macos".to_owned())]
    );
    let shown = b.get("/admin/assignment").await?;
    assert!(shown.body.contains("value=\"macos, printers\""));
    assert!(
        shown
            .body
            .contains("<option value=\"least_loaded\" selected>")
    );
    // An agent's calendar is in use too.
    let page = b
        .post("/admin/calendars/Office/delete", &[("csrf", &csrf)])
        .await?;
    assert_eq!(page.status, StatusCode::CONFLICT);
    Ok(())
}

async fn mailboxes_are_added_without_showing_passwords(store: &Store) -> TestResult {
    let (site, admin, mut b) = as_admin(store).await?;
    let csrf = b.csrf("/admin/mailboxes").await?;
    let mailbox = |address, imap, smtp| {
        [
            ("csrf", csrf.as_str()),
            ("address", address),
            ("imap", imap),
            ("smtp", smtp),
        ]
    };
    let page = b
        .post(
            "/admin/mailboxes",
            &mailbox("help@example.org", "ftp://nope", ""),
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"imap-error\""), "{}", page.body);
    assert!(site.desk.mail().mailboxes(Some(&admin)).await?.is_empty());

    let page = b
        .post(
            "/admin/mailboxes",
            &mailbox(
                "help@example.org",
                "imaps://desk:s3cret-pass@mail.example.org/INBOX",
                "smtps://desk:s3cret-pass@mail.example.org",
            ),
        )
        .await?;
    assert_saved(&page);
    let list = b.get("/admin/mailboxes").await?;
    assert!(list.body.contains("help@example.org"));
    assert!(list.body.contains("mail.example.org"));
    assert!(
        !list.body.contains("s3cret-pass"),
        "passwords are never shown"
    );
    // OAuth 2.0 (XOAUTH2) sign-in is written into the URLs; the token is never shown either.
    let page = b
        .post(
            "/admin/mailboxes",
            &mailbox(
                "m365@example.org",
                "imaps://desk%40example.org;AUTH=XOAUTH2:tok-s3cret@outlook.office365.com/INBOX",
                "smtp+starttls://desk%40example.org;AUTH=XOAUTH2:tok-s3cret@smtp.office365.com:587",
            ),
        )
        .await?;
    assert_saved(&page);
    let list = b.get("/admin/mailboxes").await?;
    assert!(list.body.contains("outlook.office365.com"), "{}", list.body);
    assert!(!list.body.contains("tok-s3cret"), "tokens are never shown");
    // The same address twice is refused next to the field.
    let page = b
        .post(
            "/admin/mailboxes",
            &[("csrf", &csrf), ("address", "help@example.org")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"address-error\""));
    assert_eq!(site.desk.mail().mailboxes(Some(&admin)).await?.len(), 2);
    Ok(())
}

async fn names_people_typed_are_escaped(store: &Store) -> TestResult {
    let (site, admin, mut b) = as_admin(store).await?;
    let csrf = b.csrf("/admin/calendars/new").await?;
    let evil = "<script>alert(1)</script>";
    let page = b
        .post("/admin/calendars", &calendar_form(&csrf, evil, &[]))
        .await?;
    assert_saved(&page);
    let rule = [
        ("csrf", csrf.as_str()),
        ("name", "<img src=x onerror=alert(1)>"),
        ("trigger", "created"),
        ("cond_field", "subject"),
        ("cond_op", "contains"),
        ("cond_value", "\"><script>x</script>"),
        ("act_kind", "add_note"),
        ("act_value", "<b>note</b>"),
        ("enabled", "yes"),
        ("op", "save"),
    ];
    let page = b.post("/admin/rules", &rule).await?;
    assert_saved(&page);
    let rule_id = site.desk.rules().list(&admin).await?[0].id;
    for path in [
        "/admin/calendars".to_owned(),
        "/admin/calendars/%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_owned(),
        "/admin/rules".to_owned(),
        format!("/admin/rules/{rule_id}"),
        "/admin/policies/new".to_owned(),
        "/admin/assignment".to_owned(),
    ] {
        let p = b.get(&path).await?;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        assert!(!p.body.contains("<script>"), "{path}: {}", p.body);
        assert!(!p.body.contains("<img src=x"), "{path}");
        assert!(!p.body.contains("<b>note"), "{path}");
    }
    let rules = b.get("/admin/rules").await?;
    assert!(
        rules.body.contains("&#60;img src=x onerror=alert(1)&#62;"),
        "{}",
        rules.body
    );
    Ok(())
}
