//! The assignment admin page, on both databases: each group's mode, each agent's working
//! hours, skills and absence, and each category's skill are set through its forms.

use crate::admin::{as_admin, assert_saved, calendar_form};
use crate::support;

use axum::http::StatusCode;
use frontline_core::Store;
use frontline_domain::{CategoryPath, Role};
use support::{TestResult, stories};

stories! {
    assignment_is_set_per_group_agent_and_category,
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
