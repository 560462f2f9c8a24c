//! Shared set-up for the HTTP tests: the real router on a real database (SQLite or
//! PostgreSQL, one per test, from `frontline-testkit`), driven in-process with
//! `tower::ServiceExt::oneshot`; a cast of people with API tokens, one per role; a small
//! request builder and the checks every test repeats (problem details, "nothing changed").
#![allow(
    dead_code,
    reason = "each test file uses a different part of the support module"
)]

mod form;
mod reply;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, header};
use frontline_core::people::NewUser;
use frontline_core::{Desk, Store};
use frontline_domain::{Email, Role};
use frontline_store::jobs::{Lease, NewJob};
use frontline_web::AppState;
use serde_json::{Value, json};
use tower::ServiceExt;

pub use form::Form;
pub use frontline_testkit::stories;
pub use reply::Reply;

/// What a story returns; any error fails the test with its `Debug` form.
pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The application under test: the router exactly as `frontline serve` builds it.
pub struct App {
    router: Router,
    pub desk: Desk,
}

impl App {
    /// Migrates the store and builds the router on it.
    pub async fn new(store: &Store) -> TestResult<Self> {
        Self::on(store, Desk::new(store.clone())).await
    }

    /// The same, with a desk whose clock is `clock` (microseconds), for time-dependent rules.
    pub async fn with_clock(store: &Store, clock: Arc<AtomicI64>) -> TestResult<Self> {
        let desk = Desk::with_clock(store.clone(), move || {
            frontline_domain::Timestamp::from_micros(clock.load(Ordering::SeqCst))
        });
        Self::on(store, desk).await
    }

    async fn on(store: &Store, desk: Desk) -> TestResult<Self> {
        store.migrate().await?;
        Ok(Self {
            router: frontline_web::router(AppState::new(desk.clone())),
            desk,
        })
    }

    /// Sends one request through the whole router (extractors, layers, fallbacks).
    pub async fn send(&self, req: Req) -> Reply {
        let res = self
            .router
            .clone()
            .oneshot(req.build())
            .await
            .unwrap_or_else(|never| match never {});
        Reply::read(res).await
    }

    /// Adds a person the way `frontline user add` does and creates an API token for them,
    /// the way `frontline token create` does.
    pub async fn person(&self, email: &str, role: Role) -> TestResult<Person> {
        let new = NewUser {
            email: Email::parse("email", email)?,
            name: email.split('@').next().unwrap_or(email).to_owned(),
            role,
            organization: None,
            password: None,
        };
        self.desk.people().add_user(None, new).await?;
        let token = self.desk.auth().create_token(email, "http tests").await?;
        Ok(Person {
            email: email.to_owned(),
            token,
        })
    }

    /// One person per role, plus a second requester.
    pub async fn cast(&self) -> TestResult<Cast> {
        Ok(Cast {
            requester: self
                .person("rita.requester@example.org", Role::Requester)
                .await?,
            other_requester: self
                .person("otto.other@example.org", Role::Requester)
                .await?,
            agent: self.person("ada.agent@example.org", Role::Agent).await?,
            manager: self
                .person("max.manager@example.org", Role::Manager)
                .await?,
            admin: self.person("ann.admin@example.org", Role::Admin).await?,
        })
    }

    /// Opens a ticket over the API as `who` and returns it; fails unless the answer is 201.
    pub async fn open_ticket(&self, who: &Person, body: Value) -> TestResult<Value> {
        let reply = self
            .send(req("POST", "/api/v1/tickets").token(who).json(&body))
            .await;
        reply.expect_status(201, "opening a ticket")?;
        reply.json()
    }

    /// Everything a caller could observe about one ticket, read by `who`: the ticket, its
    /// audit trail, conversation and links. Two snapshots compare equal only when nothing
    /// about the ticket changed in between.
    pub async fn ticket_snapshot(&self, who: &Person, id: i64) -> TestResult<Value> {
        let mut out = serde_json::Map::new();
        for (name, path) in [
            ("ticket", format!("/api/v1/tickets/{id}")),
            ("events", format!("/api/v1/tickets/{id}/events?limit=200")),
            (
                "comments",
                format!("/api/v1/tickets/{id}/comments?limit=200"),
            ),
            ("links", format!("/api/v1/tickets/{id}/links")),
        ] {
            let reply = self.send(req("GET", &path).token(who)).await;
            reply.expect_status(200, &path)?;
            out.insert(name.to_owned(), reply.json()?);
        }
        Ok(Value::Object(out))
    }

    /// The whole desk as an admin sees it: tickets, people and configuration.
    pub async fn desk_snapshot(&self, admin: &Person) -> TestResult<Value> {
        let mut out = serde_json::Map::new();
        for path in [
            "/api/v1/tickets?limit=200",
            "/api/v1/users?limit=200",
            "/api/v1/organizations",
            "/api/v1/groups",
            "/api/v1/categories",
            "/api/v1/custom-fields",
            "/api/v1/priority-matrix",
        ] {
            let reply = self.send(req("GET", path).token(admin)).await;
            reply.expect_status(200, path)?;
            out.insert(path.to_owned(), reply.json()?);
        }
        Ok(Value::Object(out))
    }

    /// A job that ran out of attempts, as the queue leaves one; returns its id.
    pub async fn dead_job(&self) -> TestResult<i64> {
        let now = self.desk.now().as_micros();
        let job = NewJob {
            kind: "webhook".into(),
            payload: r#"{"url":"https://chat.example.org/hook"}"#.into(),
            dedup_key: None,
            run_at: now,
            max_attempts: 1,
        };
        let mut tx = self.desk.store().begin().await?;
        let mut c = tx.conn();
        let id = c
            .enqueue_job(&job, now)
            .await?
            .ok_or("the job was not queued")?;
        let claimed = c.claim_jobs("test-worker", now, 60_000_000, 1_000).await?;
        let attempt = claimed
            .iter()
            .find(|j| j.id == id)
            .ok_or("the job was not claimed")?
            .attempts;
        let lease = Lease {
            job_id: id,
            worker: "test-worker".into(),
            attempt,
        };
        c.fail_job(&lease, "the chat server said 503", None, now)
            .await?;
        tx.commit().await?;
        Ok(id.get())
    }

    /// The number of audit events on a ticket, as staff see them.
    pub async fn event_count(&self, who: &Person, id: i64) -> TestResult<usize> {
        let reply = self
            .send(req("GET", &format!("/api/v1/tickets/{id}/events?limit=200")).token(who))
            .await;
        reply.expect_status(200, "reading events")?;
        Ok(items(&reply.json()?).len())
    }
}

/// Someone with an account and an API token.
#[derive(Debug, Clone)]
pub struct Person {
    pub email: String,
    pub token: String,
}

/// One person per role.
pub struct Cast {
    pub requester: Person,
    /// A requester who is not the one above and must not see their tickets.
    pub other_requester: Person,
    pub agent: Person,
    pub manager: Person,
    pub admin: Person,
}

/// A request under construction.
pub struct Req {
    builder: axum::http::request::Builder,
    body: Vec<u8>,
}

pub fn req(method: &str, path: &str) -> Req {
    let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
    Req {
        builder: Request::builder().method(method).uri(path),
        body: Vec::new(),
    }
}

impl Req {
    pub fn token(self, who: &Person) -> Self {
        self.bearer(&who.token)
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    /// A JSON body with `Content-Type: application/json`.
    pub fn json(self, body: &Value) -> Self {
        self.raw(Some("application/json"), body.to_string())
    }

    /// Any body, with the given content type (or none).
    pub fn raw(mut self, content_type: Option<&str>, body: impl Into<Vec<u8>>) -> Self {
        if let Some(ct) = content_type {
            self.builder = self.builder.header(header::CONTENT_TYPE, ct);
        }
        self.body = body.into();
        self
    }

    pub fn form(self, form: Form) -> Self {
        let (content_type, body) = form.finish();
        self.raw(Some(&content_type), body)
    }

    fn build(self) -> Request<Body> {
        self.builder
            .body(Body::from(self.body))
            .expect("the test built an invalid request")
    }
}

/// The `items` of a list answer.
pub fn items(list: &Value) -> Vec<Value> {
    list["items"].as_array().cloned().unwrap_or_default()
}

/// The ids in a list answer, in order.
pub fn ids(list: &Value) -> Vec<i64> {
    items(list)
        .iter()
        .filter_map(|i| i["id"].as_i64())
        .collect()
}

/// A ticket's id from its JSON.
pub fn id_of(ticket: &Value) -> TestResult<i64> {
    ticket["id"]
        .as_i64()
        .ok_or_else(|| format!("no id in {ticket}").into())
}

/// A minimal ticket body.
pub fn subject(text: &str) -> Value {
    json!({ "subject": text })
}
