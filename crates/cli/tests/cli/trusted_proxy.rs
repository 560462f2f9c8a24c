//! `frontline serve --trusted-proxy CIDR` over real TCP: behind a trusted proxy the address in
//! X-Forwarded-For is the one sign-in throttling counts, so one guessing client does not lock
//! out everyone behind the same proxy; without the flag the header changes nothing. On both
//! databases.

use crate::support;

use support::{Backend, TestDesk};

on_both!(the_forwarded_address_is_throttled_only_behind_a_trusted_proxy);

/// The sign-in form's token and cookie, then a sign-in from `forwarded_for`; the status.
async fn sign_in(url: &str, email: &str, password: &str, forwarded_for: &str) -> u16 {
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let form = http
        .get(format!("{url}/login"))
        .send()
        .await
        .expect("GET /login");
    let cookie = form
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|p| p.starts_with("frontline_login="))
        .expect("the sign-in cookie")
        .to_owned();
    let html = form.text().await.expect("the sign-in page");
    let csrf = html
        .split_once("name=\"csrf\" value=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(v, _)| v.to_owned())
        .expect("the form's token");
    let body = format!(
        "csrf={csrf}&email={}&password={}",
        email.replace('@', "%40"),
        password.replace(' ', "+")
    );
    http.post(format!("{url}/login"))
        .header("cookie", cookie)
        .header("x-forwarded-for", forwarded_for)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("POST /login")
        .status()
        .as_u16()
}

async fn the_forwarded_address_is_throttled_only_behind_a_trusted_proxy(backend: Backend) {
    let desk = TestDesk::new(backend, "trusted_proxy").await;
    desk.run_ok(&["migrate"]);
    // The test connects from 127.0.0.1: as the proxy when trusted.
    let server = desk.serve_with(&["--trusted-proxy", "127.0.0.0/8"]).await;
    for n in 0..20 {
        let status = sign_in(
            &server.url,
            &format!("guess{n}@example.org"),
            "x",
            "203.0.113.9",
        )
        .await;
        assert_eq!(status, 401);
    }
    assert_eq!(
        sign_in(&server.url, "guess@example.org", "x", "203.0.113.9").await,
        429,
        "the guessing client is throttled"
    );
    assert_eq!(
        sign_in(&server.url, "colleague@example.org", "x", "198.51.100.4").await,
        401,
        "a colleague behind the same proxy is not"
    );
    drop(server);

    // Without the flag every request is the TCP peer's, whatever the header says.
    let server = desk.serve().await;
    for n in 0..20 {
        let forged = format!("198.18.0.{n}");
        let status = sign_in(&server.url, &format!("other{n}@example.org"), "x", &forged).await;
        assert_eq!(status, 401);
    }
    assert_eq!(
        sign_in(&server.url, "other@example.org", "x", "198.18.1.1").await,
        429,
        "a forged header does not escape the limit"
    );
}
