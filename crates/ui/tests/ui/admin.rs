//! The admin pages in process, on both databases: only admins get in, forms without the
//! session's token are refused, mailboxes are added without their passwords ever shown, and
//! names people typed are escaped on every page; the helpers the other admin tests share.
//! Calendars and SLA policies, rules and assignment go round trip in `admin_policies`,
//! `admin_rules` and `admin_assignment`.

use crate::support;

use axum::http::StatusCode;
use frontline_core::{Actor, Store};
use frontline_domain::Role;
use support::{Browser, Page, Site, TestResult, stories};

stories! {
    only_admins_reach_the_admin_pages,
    admin_forms_without_the_session_token_are_refused,
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
pub(crate) fn calendar_form<'a>(
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
pub(crate) async fn as_admin(store: &Store) -> TestResult<(Site, Actor, Browser)> {
    let site = Site::new(store).await?;
    let admin = site.person("admin@example.org", Role::Admin).await?;
    let browser = site.signed_in("admin@example.org").await?;
    Ok((site, admin, browser))
}

/// The form was taken: the answer sends the browser on.
#[track_caller]
pub(crate) fn assert_saved(page: &Page) {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

pub(crate) fn pairs<'a>(fields: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
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
