//! Signing in and out in process, on both databases: each role's home, the sign-in form's
//! own token, the session cookie, throttling (growing waits per account and address, the
//! per-address limit, the account's budget for unknown browsers, which known browsers do not
//! meet), sign-out and password changes. Waits are passed on the desk's clock, not slept.

use crate::support;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::http::StatusCode;
use frontline_core::Store;
use frontline_core::sessions::{ACCOUNT_FAILURES, ADDRESS_FAILURES, PAIR_FREE_FAILURES};
use frontline_domain::Role;
use support::{Browser, PASSWORD, Page, Site, TestResult, stories};

stories! {
    sign_in_sends_each_role_home,
    guessing_from_one_address_waits_longer_and_longer,
    a_guesser_elsewhere_does_not_lock_out_a_known_browser,
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

const SECOND: i64 = 1_000_000;
/// 1 December 2026, 09:00 UTC, in microseconds.
const START: i64 = 1_796_115_600 * SECOND;

fn browser_at(site: &Site, ip: &str) -> TestResult<Browser> {
    let mut b = site.browser();
    b.address = Some(format!("{ip}:50000").parse()?);
    Ok(b)
}

fn retry_after(page: &Page) -> i64 {
    page.headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1)
}

async fn guessing_from_one_address_waits_longer_and_longer(store: &Store) -> TestResult {
    let clock = Arc::new(AtomicI64::new(START));
    let site = Site::with_clock(store, clock.clone()).await?;
    site.person("admin@example.org", Role::Admin).await?;
    // The admin's own browser, which has signed in before: the account's budget for unknown
    // browsers does not apply to it, so what it meets is the wait per account and address.
    let mut b = browser_at(&site, "10.0.0.1")?;
    assert_eq!(
        b.sign_in("admin@example.org", PASSWORD).await?.status,
        StatusCode::SEE_OTHER
    );
    b.cookies.remove("frontline_session");
    for _ in 0..PAIR_FREE_FAILURES {
        let page = b.sign_in("admin@example.org", "wrong password").await?;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    // From now on each attempt waits for the last failure's delay, and the delay doubles.
    let mut waits = Vec::new();
    for _ in 0..4 {
        let held = b.sign_in("admin@example.org", PASSWORD).await?;
        assert_eq!(
            held.status,
            StatusCode::TOO_MANY_REQUESTS,
            "not even checked"
        );
        assert!(!b.cookies.contains_key("frontline_session"));
        let wait = retry_after(&held);
        assert!(
            held.body.contains(&format!(
                "Too many failed sign-ins to this account from your network. Try again in {wait} seconds."
            )),
            "{}",
            held.body
        );
        waits.push(wait);
        clock.fetch_add(wait * SECOND - 1, Ordering::SeqCst);
        let early = b.sign_in("admin@example.org", "wrong password").await?;
        assert_eq!(
            early.status,
            StatusCode::TOO_MANY_REQUESTS,
            "a moment early"
        );
        clock.fetch_add(1, Ordering::SeqCst);
        let page = b.sign_in("admin@example.org", "wrong password").await?;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "after the wait");
    }
    assert_eq!(waits, [2, 4, 8, 16]);
    // Once the wait has passed, the right password is checked again, and clears the waits.
    clock.fetch_add(32 * SECOND, Ordering::SeqCst);
    let ok = b.sign_in("admin@example.org", PASSWORD).await?;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    Ok(())
}

async fn a_guesser_elsewhere_does_not_lock_out_a_known_browser(store: &Store) -> TestResult {
    let clock = Arc::new(AtomicI64::new(START));
    let site = Site::with_clock(store, clock.clone()).await?;
    site.person("admin@example.org", Role::Admin).await?;
    // The admin's own browser has signed in before, and so carries a device cookie.
    let mut own = browser_at(&site, "10.0.0.2")?;
    assert_eq!(
        own.sign_in("admin@example.org", PASSWORD).await?.status,
        StatusCode::SEE_OTHER
    );
    assert!(own.cookies.contains_key("frontline_device"));
    own.cookies.remove("frontline_session");

    // A guesser at one address: more wrong passwords than the account's budget, each
    // delay waited out on the desk's clock.
    let mut guesser = browser_at(&site, "192.0.2.1")?;
    let mut failures = 0;
    for _ in 0..50 {
        if failures > ACCOUNT_FAILURES {
            break;
        }
        let page = guesser.sign_in("admin@example.org", "guess").await?;
        match page.status {
            StatusCode::UNAUTHORIZED => failures += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                clock.fetch_add(retry_after(&page) * SECOND, Ordering::SeqCst);
            }
            other => return Err(format!("guessing got {other}").into()),
        }
    }
    assert!(failures > ACCOUNT_FAILURES, "{failures} failures");
    assert_eq!(
        guesser.sign_in("admin@example.org", PASSWORD).await?.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the guesser waits again"
    );
    // The admin's browser is not held back by any of it.
    let ok = own.sign_in("admin@example.org", PASSWORD).await?;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert!(own.cookies.contains_key("frontline_session"));

    // Guessers spread over many addresses spend an account's budget for unknown browsers:
    // then a browser that has not signed in to it waits, and says why.
    site.person("agent@example.org", Role::Agent).await?;
    for n in 0..ACCOUNT_FAILURES {
        let mut guesser = browser_at(&site, &format!("198.51.100.{n}"))?;
        let page = guesser.sign_in("agent@example.org", "guess").await?;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let mut fresh = browser_at(&site, "10.0.0.3")?;
    let held = fresh.sign_in("agent@example.org", PASSWORD).await?;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        held.body.contains("from browsers it does not know"),
        "{}",
        held.body
    );
    assert_eq!(retry_after(&held), 15 * 60);
    // A cookie for another account makes no browser known to this one.
    own.cookies.remove("frontline_session");
    let held = own.sign_in("agent@example.org", PASSWORD).await?;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS, "{}", held.body);
    // The window passes and the account's budget is back.
    clock.fetch_add(15 * 60 * SECOND, Ordering::SeqCst);
    let ok = fresh.sign_in("agent@example.org", PASSWORD).await?;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    Ok(())
}

async fn sign_in_is_throttled_per_address(store: &Store) -> TestResult {
    let site = Site::new(store).await?;
    site.person("agent@example.org", Role::Agent).await?;
    let mut guesser = browser_at(&site, "10.0.0.1")?;
    // Spread over many accounts, so no account meets its own limits.
    for n in 0..ADDRESS_FAILURES {
        let account = format!("someone{}@example.org", n / PAIR_FREE_FAILURES);
        let page = guesser.sign_in(&account, "guess").await?;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let throttled = guesser.sign_in("agent@example.org", PASSWORD).await?;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        throttled
            .body
            .contains("Too many failed sign-ins from your network. Try again in 15 minutes."),
        "{}",
        throttled.body
    );
    // This desk runs on the real clock: the wait may have begun a moment ago.
    assert!((14 * 60..=15 * 60).contains(&retry_after(&throttled)));
    // Someone elsewhere signs in to the same account as usual.
    let mut elsewhere = browser_at(&site, "10.0.0.2")?;
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
