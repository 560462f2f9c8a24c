//! A small in-process browser for the page tests: the UI router on a real database, a
//! cookie jar, form posts (URL-encoded and multipart) and the CSRF token read off a page.
#![allow(dead_code, reason = "each test file uses a different part")]

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use frontline_core::people::NewUser;
use frontline_core::tickets::NewTicket;
use frontline_core::{Actor, Desk, Store};
use frontline_domain::{Email, Role, Status, Subject, TicketId};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub use frontline_testkit::stories;

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The value of the first hidden `csrf` field on the page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        self.body
            .split_once(marker)
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(v, _)| v.to_owned())
            .unwrap_or_default()
    }
}

/// A desk with people who have passwords, and the pages on it.
pub struct Site {
    pub router: Router,
    pub desk: Desk,
}

pub const PASSWORD: &str = "correct horse battery";

impl Site {
    pub async fn new(store: &Store) -> TestResult<Self> {
        Self::on(store, Desk::new(store.clone())).await
    }

    /// The same, with a desk whose clock is `clock` (microseconds), for waits and windows.
    pub async fn with_clock(
        store: &Store,
        clock: std::sync::Arc<std::sync::atomic::AtomicI64>,
    ) -> TestResult<Self> {
        let desk = Desk::with_clock(store.clone(), move || {
            frontline_domain::Timestamp::from_micros(
                clock.load(std::sync::atomic::Ordering::SeqCst),
            )
        });
        Self::on(store, desk).await
    }

    async fn on(store: &Store, desk: Desk) -> TestResult<Self> {
        store.migrate().await?;
        Ok(Self {
            router: frontline_ui::router(desk.clone()),
            desk,
        })
    }

    /// A person named after their email's local part.
    pub async fn person(&self, email: &str, role: Role) -> TestResult<Actor> {
        self.person_named(email, email.split('@').next().unwrap_or(email), role)
            .await
    }

    pub async fn person_named(&self, email: &str, name: &str, role: Role) -> TestResult<Actor> {
        let u = self
            .desk
            .people()
            .add_user(
                None,
                NewUser {
                    email: Email::parse("email", email)?,
                    name: name.to_owned(),
                    role,
                    organization: None,
                    password: Some(PASSWORD.to_owned()),
                },
            )
            .await?;
        Ok(Actor {
            id: u.id,
            email: u.email,
            name: u.name,
            role,
            organization_id: u.organization_id,
        })
    }

    /// A new ticket opened in the portal by `by`; its number.
    pub async fn ticket(&self, by: &Actor, subject: &str) -> TestResult<TicketId> {
        let new = NewTicket::new(
            Subject::parse(subject)?,
            "It is broken.",
            frontline_domain::Channel::Portal,
        );
        self.open(by, new).await
    }

    /// Ticket `new` opened by `by`; its number.
    pub async fn open(&self, by: &Actor, new: NewTicket) -> TestResult<TicketId> {
        let created = self.desk.tickets().create_ticket(by, new, None).await?;
        Ok(created.ticket.record.id)
    }

    /// `by` moves ticket `id` to `status`, as the console's field form would.
    pub async fn set_status(&self, by: &Actor, id: TicketId, status: Status) -> TestResult {
        let patch = frontline_core::tickets::TicketPatch {
            status: Some(status),
            ..Default::default()
        };
        self.desk
            .tickets()
            .update_ticket(by, id, patch, None)
            .await?;
        Ok(())
    }

    pub fn browser(&self) -> Browser {
        Browser {
            router: self.router.clone(),
            cookies: HashMap::new(),
            address: None,
            forwarded_for: None,
        }
    }

    /// A browser whose requests reach the pages as `serve --trusted-proxy` passes them, with
    /// these networks trusted.
    pub fn browser_behind(&self, trusted: &[&str]) -> TestResult<Browser> {
        let proxies = frontline_ui::TrustedProxies::parse(trusted)?;
        Ok(Browser {
            router: self.router.clone().layer(axum::Extension(proxies)),
            ..self.browser()
        })
    }

    /// A browser signed in as `email`.
    pub async fn signed_in(&self, email: &str) -> TestResult<Browser> {
        let mut b = self.browser();
        let page = b.sign_in(email, PASSWORD).await?;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "sign-in of {email}: {}",
            page.body
        );
        Ok(b)
    }
}

pub struct Browser {
    router: Router,
    pub cookies: HashMap<String, String>,
    /// The peer address the server sees, as `serve` passes it in.
    pub address: Option<std::net::SocketAddr>,
    /// An `X-Forwarded-For` header sent with every request.
    pub forwarded_for: Option<String>,
}

impl Browser {
    async fn send(&mut self, mut req: Request<Body>) -> TestResult<Page> {
        let jar: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if !jar.is_empty() {
            req.headers_mut()
                .insert(header::COOKIE, jar.join("; ").parse()?);
        }
        if let Some(f) = &self.forwarded_for {
            req.headers_mut().insert("x-forwarded-for", f.parse()?);
        }
        if let Some(addr) = self.address {
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(addr));
        }
        let res = self.router.clone().oneshot(req).await?;
        let status = res.status();
        let headers = res.headers().clone();
        for set in headers.get_all(header::SET_COOKIE) {
            let set = set.to_str()?;
            let pair = set.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || set.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let body = String::from_utf8(res.into_body().collect().await?.to_bytes().to_vec())?;
        Ok(Page {
            status,
            headers,
            body,
        })
    }

    pub async fn get(&mut self, path: &str) -> TestResult<Page> {
        self.send(Request::get(path).body(Body::empty())?).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResult<Page> {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.join("&")))?;
        self.send(req).await
    }

    /// A multipart form: text fields in order, then `(field, filename, bytes)` files.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> TestResult<Page> {
        let boundary = "frontline-test-boundary";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        for (k, name, data) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))?;
        self.send(req).await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> TestResult<Page> {
        let form = self.get("/login").await?;
        let csrf = form.csrf();
        self.post(
            "/login",
            &[("csrf", &csrf), ("email", email), ("password", password)],
        )
        .await
    }

    /// The CSRF token of the signed-in session, read off a page that has forms.
    pub async fn csrf(&mut self, page: &str) -> TestResult<String> {
        Ok(self.get(page).await?.csrf())
    }
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
