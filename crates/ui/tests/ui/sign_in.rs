//! Signing in and out in process, on both databases: each role's home, the sign-in form's
//! own token, the session cookie, throttling per account and per address, sign-out and
//! password changes.

use crate::support;

use axum::http::StatusCode;
use frontline_core::Store;
use frontline_domain::Role;
use support::{PASSWORD, Site, TestResult, stories};

stories! {
    sign_in_sends_each_role_home,
    sign_in_is_throttled_per_account,
    sign_in_is_throttled_per_address,
    signing_out_ends_the_session,
    changing_the_password_signs_out_other_sessions,
}

async fn sign_in_sends_each_role_home(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    site.person("rita@example.org", Role::Requester).await?;

    let mut stranger = site.browser();
    let home = stranger.get("/").await?;
    assert_eq!(home.location(), "/login");
    let console = stranger.get("/console?queue=open").await?;
    assert_eq!(console.location(), "/login?next=/console%3Fqueue%3Dopen");

    // The sign-in form itself carries a token bound to a cookie.
    let mut b = site.browser();
    let form = b.get("/login").await?;
    let forged = b
        .post(
            "/login",
            &[
                ("csrf", "forged"),
                ("email", "agent@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await?;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let ok = b
        .post(
            "/login",
            &[
                ("csrf", &form.csrf()),
                ("email", "agent@example.org"),
                ("password", PASSWORD),
                ("next", "/console?queue=open"),
            ],
        )
        .await?;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), "/console?queue=open");
    let cookie = ok
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("frontline_session="))
        .unwrap_or_default()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert_eq!(b.get("/").await?.location(), "/console");
    let queue = b.get("/console").await?;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("My tickets"));

    let mut rita = site.signed_in("rita@example.org").await?;
    assert_eq!(rita.get("/").await?.location(), "/portal");
    assert_eq!(rita.get("/portal").await?.status, StatusCode::OK);

    let mut wrong = site.browser();
    let refused = wrong
        .sign_in("agent@example.org", "not the password")
        .await?;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.body.contains("do not match"));
    Ok(())
}

async fn sign_in_is_throttled_per_account(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let mut b = site.browser();
    for _ in 0..frontline_core::sessions::ACCOUNT_FAILURES {
        assert_eq!(
            b.sign_in("agent@example.org", "wrong password")
                .await?
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Now even the right password is refused, with a message saying why and when.
    let throttled = b.sign_in("agent@example.org", PASSWORD).await?;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.body.contains("Too many failed sign-ins"));
    assert!(throttled.headers.get("retry-after").is_some());
    assert!(!b.cookies.contains_key("frontline_session"));
    Ok(())
}

async fn sign_in_is_throttled_per_address(store: &Store) -> TestResult {
    use frontline_core::sessions::{ACCOUNT_FAILURES, ADDRESS_FAILURES};
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let mut guesser = site.browser();
    guesser.address = Some("10.0.0.1:50000".parse()?);
    // Spread over many accounts, so no single account reaches its own limit.
    let accounts = ADDRESS_FAILURES / (ACCOUNT_FAILURES - 1) + 1;
    let mut failures = 0;
    'guessing: for n in 0..accounts {
        for _ in 0..ACCOUNT_FAILURES - 1 {
            if failures == ADDRESS_FAILURES {
                break 'guessing;
            }
            let page = guesser
                .sign_in(&format!("someone{n}@example.org"), "guess")
                .await?;
            assert_eq!(page.status, StatusCode::UNAUTHORIZED);
            failures += 1;
        }
    }
    let throttled = guesser.sign_in("agent@example.org", PASSWORD).await?;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.body.contains("from your network"));
    // Someone elsewhere signs in to the same account as usual.
    let mut elsewhere = site.browser();
    elsewhere.address = Some("10.0.0.2:50000".parse()?);
    let ok = elsewhere.sign_in("agent@example.org", PASSWORD).await?;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    Ok(())
}

async fn signing_out_ends_the_session(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let mut b = site.signed_in("agent@example.org").await?;
    let token = b
        .cookies
        .get("frontline_session")
        .cloned()
        .unwrap_or_default();
    let csrf = b.csrf("/console").await?;
    let out = b.post("/logout", &[("csrf", &csrf)]).await?;
    assert_eq!(out.location(), "/login");
    assert!(!b.cookies.contains_key("frontline_session"));
    // The old cookie value is dead on the server too, not just forgotten by the browser.
    b.cookies.insert("frontline_session".into(), token);
    assert!(b.get("/console").await?.location().starts_with("/login"));
    Ok(())
}

async fn changing_the_password_signs_out_other_sessions(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("rita@example.org", Role::Requester).await?;
    let mut here = site.signed_in("rita@example.org").await?;
    let mut elsewhere = site.signed_in("rita@example.org").await?;
    let csrf = here.csrf("/account/password").await?;
    let new = "a much better passphrase";
    let wrong = here
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", "not it"),
                ("new", new),
                ("confirm", new),
            ],
        )
        .await?;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("not your current password"));
    let differ = here
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", new),
                ("confirm", "typo"),
            ],
        )
        .await?;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = here
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", new),
                ("confirm", new),
            ],
        )
        .await?;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("Your password is changed"));
    assert_eq!(here.get("/portal").await?.status, StatusCode::OK);
    assert!(
        elsewhere
            .get("/portal")
            .await?
            .location()
            .starts_with("/login")
    );
    let mut again = site.browser();
    assert_eq!(
        again.sign_in("rita@example.org", PASSWORD).await?.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        again.sign_in("rita@example.org", new).await?.status,
        StatusCode::SEE_OTHER
    );
    Ok(())
}
