//! Mistakes at the command line: each ends with a non-zero exit and one clear line on stderr,
//! never a panic or a backtrace, and changes nothing in the desk.

use crate::support;

use std::process::{Command, Output};

use support::{BIN, Backend, TestDesk, send};

on_both!(
    bad_flags_are_refused,
    user_add_refuses_bad_input,
    token_create_needs_a_known_person
);

/// A failure of our own: exit 1 and `frontline: <cause>` as the only line.
fn assert_clear_failure(out: &Output, cause: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "exit status; stderr:\n{stderr}");
    assert_no_panic(&stderr);
    let lines: Vec<&str> = stderr.trim().lines().collect();
    assert_eq!(lines.len(), 1, "one line on stderr, got:\n{stderr}");
    assert!(
        lines[0].starts_with("frontline: ") && lines[0].contains(cause),
        "expected `frontline: …{cause}…`, got:\n{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing on stdout after a failure");
}

/// A usage error found by the flag parser: exit 2 and an `error:` line naming the problem.
fn assert_usage_error(out: &Output, cause: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "exit status; stderr:\n{stderr}");
    assert_no_panic(&stderr);
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("error: ") && first.contains(cause),
        "expected `error: …{cause}…` first, got:\n{stderr}"
    );
}

fn assert_no_panic(stderr: &str) {
    for sign in ["panicked", "stack backtrace", "RUST_BACKTRACE"] {
        assert!(!stderr.contains(sign), "`{sign}` on stderr:\n{stderr}");
    }
}

/// The binary alone, with no database flags and no `FRONTLINE_*` settings from outside.
fn frontline(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("FRONTLINE_DATA_DIR")
        .env_remove("FRONTLINE_DATABASE_URL")
        .env_remove("FRONTLINE_CONFIG")
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("cannot run the frontline binary")
}

async fn bad_flags_are_refused(backend: Backend) {
    let desk = TestDesk::new(backend, "badflags").await;
    assert_usage_error(&desk.run(&["serve", "--bogus"]), "'--bogus'");
    assert_usage_error(&desk.run(&["serve", "--listen", "nope"]), "'nope'");
    assert_usage_error(&desk.run(&["generate", "--tickets", "many"]), "'many'");
    let missing = desk.run(&["user", "add", "--email", "x@example.org"]);
    assert_usage_error(&missing, "required arguments were not provided");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--role <ROLE>"));
    assert_usage_error(&desk.run(&["frobnicate"]), "'frobnicate'");
    let help = desk.run(&["--help"]);
    assert!(help.status.success(), "--help succeeds");
    assert!(String::from_utf8_lossy(&help.stdout).contains("serve"));
}

async fn user_add_refuses_bad_input(backend: Backend) {
    let desk = TestDesk::new(backend, "useradd").await;
    let token = desk.person("ana@example.org", "Ana Agent", "agent");
    let add = |email: &str, name: &str, role: &str| {
        desk.run(&[
            "user", "add", "--email", email, "--name", name, "--role", role,
        ])
    };
    assert_clear_failure(&add("not-an-email", "Nobody", "agent"), "--email");
    assert_clear_failure(&add("carl@example.org", "Carl", "wizard"), "--role");
    assert_clear_failure(&add("carl@example.org", "", "agent"), "name");
    assert_clear_failure(
        &add("Ana@Example.org", "Ana Again", "admin"),
        "already has an account",
    );
    assert_clear_failure(
        &desk.run(&["token", "create", "--email", "carl@example.org"]),
        "no person with that email",
    );

    // Nobody but Ana was created, and Ana is still an agent.
    let server = desk.serve().await;
    let users = send(server.api().get(&token, "/api/v1/users"))
        .await
        .expect(200);
    let people: Vec<(&str, &str)> = users.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|u| Some((u["email"].as_str()?, u["role"].as_str()?)))
        .collect();
    assert_eq!(people, [("ana@example.org", "agent")]);
}

async fn token_create_needs_a_known_person(backend: Backend) {
    let desk = TestDesk::new(backend, "token").await;
    assert_clear_failure(
        &desk.run(&["token", "create", "--email", "zed@example.org"]),
        "no person with that email",
    );
    assert_clear_failure(&desk.run(&["token", "create", "--email", "zed"]), "email");
    // The same person, once added, gets a working token.
    let token = desk.person("zed@example.org", "Zed", "requester");
    let server = desk.serve().await;
    let me = send(server.api().get(&token, "/api/v1/users/me"))
        .await
        .expect(200);
    assert_eq!(me.json["email"], "zed@example.org");
}

#[test]
fn an_unsupported_database_url_is_refused() {
    let out = frontline(&["migrate", "--database-url", "mysql://x"]);
    assert_clear_failure(
        &out,
        "use postgres://USER@HOST:PORT/DATABASE or sqlite:PATH",
    );
    let out = frontline(&[
        "--database-url",
        "sqlite:",
        "serve",
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_clear_failure(&out, "needs a file path");
}

#[test]
fn an_unreachable_postgres_is_reported_without_the_password() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("cannot bind");
        listener.local_addr().expect("local address").port()
    };
    let url = format!("postgres://desk:s3cret@127.0.0.1:{closed}/frontline");
    let started = std::time::Instant::now();
    for args in [
        vec!["serve", "--listen", "127.0.0.1:0", "--database-url", &url],
        vec!["--database-url", &url, "migrate"],
        vec![
            "token",
            "create",
            "--email",
            "a@example.org",
            "--database-url",
            &url,
        ],
    ] {
        let out = frontline(&args);
        assert_clear_failure(&out, "Connection refused");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&format!("127.0.0.1:{closed}")), "{stderr}");
        assert!(!stderr.contains("s3cret"), "the password leaked: {stderr}");
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "a refused connection is reported at once, took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_data_dir_that_is_a_file_is_refused() {
    let dir = tempfile::tempdir().expect("cannot create a temporary folder");
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").expect("cannot write a file");
    let out = frontline(&["migrate", "--data-dir", &file.display().to_string()]);
    assert_clear_failure(&out, "cannot create data folder");
}
