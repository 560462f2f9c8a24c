//! The console stage: an agent signed in with a browser session reads the console's pages —
//! each built-in queue, a saved view and a ticket page — from several concurrent clients,
//! and the p50 / p99 time to the last byte of each page is reported against the issue's
//! target (≤ 50 ms p99 at 1,000,000 tickets).
//!
//! The agent is made to look like a working analyst on the generated desk: a member of the
//! group with the most open tickets, holding a share of them, with a saved view of that
//! group's urgent tickets. Setting that up goes through the API as an administrator.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};

use crate::load::Bounds;
use crate::server::Frontline;
use crate::stats::Sample;

const AGENT: &str = "bench-console@example.org";
const ADMIN: &str = "bench-console-admin@example.org";
const PASSWORD: &str = "bench console password";
/// Tickets handed to the agent, so "My tickets" has a realistic load.
const MINE: usize = 40;
/// The target for every console page.
pub const TARGET_P99: Duration = Duration::from_millis(50);

/// One page's latencies.
#[derive(Debug, Default)]
pub struct PageTimes {
    pub name: String,
    pub path: String,
    pub latency: Sample,
    pub bytes: usize,
}

#[derive(Debug, Default)]
pub struct ConsoleResults {
    pub clients: usize,
    pub pages: Vec<PageTimes>,
}

/// A browser session: the session cookie and the CSRF token of its forms.
struct Session {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The value of the first hidden `csrf` field of a page.
fn csrf_of(html: &str) -> anyhow::Result<String> {
    html.split_once("name=\"csrf\" value=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(v, _)| v.to_owned())
        .context("the page has no CSRF token")
}

/// `name=value` of a `Set-Cookie` answer for `name`.
fn cookie_of(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

impl Session {
    /// Signs in through `/login` as a browser does: the form's token and its cookie, then
    /// the session cookie from the answer.
    async fn sign_in(base: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .context("cannot build the HTTP client")?;
        let form = http
            .get(format!("{base}/login"))
            .send()
            .await
            .context("GET /login")?;
        let login_cookie = cookie_of(&form, "frontline_login").context("no sign-in cookie")?;
        let csrf = csrf_of(&form.text().await.context("GET /login")?)?;
        let resp = http
            .post(format!("{base}/login"))
            .header(COOKIE, login_cookie)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form_body(&[
                ("csrf", &csrf),
                ("email", AGENT),
                ("password", PASSWORD),
            ]))
            .send()
            .await
            .context("POST /login")?;
        if resp.status() != StatusCode::SEE_OTHER {
            bail!("signing in as {AGENT} answered {}", resp.status());
        }
        let cookie = cookie_of(&resp, "frontline_session").context("no session cookie")?;
        Ok(Self {
            http,
            base: base.to_owned(),
            cookie,
        })
    }

    /// GETs a page; the time to its last byte and its length.
    async fn page(&self, path: &str) -> anyhow::Result<(Duration, String)> {
        let started = Instant::now();
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .with_context(|| format!("GET {path}: no answer"))?;
        let status = resp.status();
        let body = resp
            .text()
            .await
            .with_context(|| format!("GET {path}: the answer broke off"))?;
        let took = started.elapsed();
        // The search answers a ticket number with a redirect to the ticket.
        let redirected = status == StatusCode::SEE_OTHER && path.starts_with("/console/search");
        if status != StatusCode::OK && !redirected {
            bail!("GET {path}: {status}: {}", &body[..body.len().min(300)]);
        }
        Ok((took, body))
    }

    /// Saves the queue `filters` as a view through the console's form; its id.
    async fn save_view(&self, name: &str, filters: &[(&str, &str)]) -> anyhow::Result<i64> {
        let (_, html) = self.page("/console").await?;
        let csrf = csrf_of(&html)?;
        let mut fields = vec![
            ("csrf", csrf.as_str()),
            ("name", name),
            ("share", "private"),
        ];
        fields.extend_from_slice(filters);
        let resp = self
            .http
            .post(format!("{}/console/views", self.base))
            .header(COOKIE, &self.cookie)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form_body(&fields))
            .send()
            .await
            .context("POST /console/views")?;
        let location = resp
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        location
            .strip_prefix("/console?view=")
            .and_then(|id| id.parse().ok())
            .with_context(|| format!("saving a view answered {}: {location}", resp.status()))
    }
}

/// An administrator's API client, for setting the agent up.
struct Admin {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Admin {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req
            .send()
            .await
            .with_context(|| format!("{method} {path}"))?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            bail!(
                "{method} {path}: {status}: {}",
                &text[..text.len().min(300)]
            );
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// An administrator of the stage's own, and their API token.
pub async fn admin_token(frontline: &Frontline) -> anyhow::Result<String> {
    let user = [
        "user",
        "add",
        "--email",
        ADMIN,
        "--name",
        "Console Bench Admin",
        "--role",
        "admin",
    ];
    frontline.run(&user).await?;
    frontline.run(&["token", "create", "--email", ADMIN]).await
}

/// Adds the agent with a password, puts them in the busiest group with a share of its open
/// tickets; the group's name and an open ticket of it to read.
async fn set_up(admin: &Admin) -> anyhow::Result<(String, i64)> {
    use reqwest::Method;
    admin
        .call(
            Method::POST,
            "/api/v1/users",
            Some(
                json!({"email": AGENT, "name": "Console Bench", "role": "agent",
                        "password": PASSWORD}),
            ),
        )
        .await?;
    let groups = admin.call(Method::GET, "/api/v1/groups", None).await?;
    let mut busiest = None;
    for g in groups["items"].as_array().into_iter().flatten() {
        let name = g["name"].as_str().unwrap_or_default().to_owned();
        let path = format!(
            "/api/v1/tickets?status=new,open,on_hold&group={}&limit={MINE}",
            encode(&name)
        );
        let page = admin.call(Method::GET, &path, None).await?;
        let n = page["items"].as_array().map_or(0, Vec::len);
        if busiest
            .as_ref()
            .is_none_or(|(_, m, _): &(String, usize, Value)| n > *m)
        {
            busiest = Some((name, n, page));
        }
    }
    let (group, _, page) = busiest.context("the desk has no groups")?;
    let group_path = format!("/api/v1/groups/{}", encode(&group));
    let current = groups["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["name"] == group.as_str())
        .map(|g| g["members"].clone())
        .unwrap_or(json!([]));
    let mut members: Vec<Value> = current.as_array().cloned().unwrap_or_default();
    members.push(json!(AGENT));
    admin
        .call(
            Method::PUT,
            &format!("{group_path}/members"),
            Some(json!({"members": members})),
        )
        .await?;
    let items = page["items"].as_array().cloned().unwrap_or_default();
    let read = items
        .first()
        .and_then(|t| t["id"].as_i64())
        .context("the busiest group has no open tickets")?;
    // Half of them become the agent's; the rest stay with their assignees.
    for t in items.iter().step_by(2) {
        let id = t["id"].as_i64().context("a ticket without id")?;
        admin
            .call(
                Method::PATCH,
                &format!("/api/v1/tickets/{id}"),
                Some(json!({"assignee": AGENT})),
            )
            .await?;
    }
    Ok((group, read))
}

/// Sets the agent up, signs in `clients` browsers and reads the pages round-robin until the
/// bounds are reached.
pub async fn measure(
    base: &str,
    admin_token: &str,
    clients: usize,
    bounds: Bounds,
) -> anyhow::Result<ConsoleResults> {
    let admin = Admin {
        http: reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(60))
            .build()
            .context("cannot build the HTTP client")?,
        base: base.to_owned(),
        token: admin_token.to_owned(),
    };
    let (group, ticket) = set_up(&admin).await?;
    let first = Session::sign_in(base).await?;
    let pages = console_pages(&first, &group, ticket).await?;
    let mut sessions = vec![first];
    while sessions.len() < clients.max(1) {
        sessions.push(Session::sign_in(base).await?);
    }
    // Untimed: connections open and caches warm.
    for (_, path) in &pages {
        sessions[0].page(path).await?;
    }
    let mut out = ConsoleResults {
        clients: clients.max(1),
        pages: pages
            .iter()
            .map(|(name, path)| PageTimes {
                name: name.clone(),
                path: path.clone(),
                ..PageTimes::default()
            })
            .collect(),
    };
    for (which, took, bytes) in read_round_robin(sessions, pages, bounds).await? {
        if let Some(p) = out.pages.get_mut(which) {
            p.latency.push(took);
            p.bytes = p.bytes.max(bytes);
        }
    }
    Ok(out)
}

/// The pages measured, by name: the built-in queues, a saved view the first session saves
/// (urgent tickets in the agent's group), one ticket's page, and the header's search for its
/// number (which answers with a redirect to it; the redirect is timed, not followed) and for
/// a word many subjects hold (a rare word scans every ticket until the search engine lands).
async fn console_pages(
    session: &Session,
    group: &str,
    ticket: i64,
) -> anyhow::Result<Vec<(String, String)>> {
    let view = session
        .save_view(
            "Urgent in my group",
            &[
                ("queue", "open"),
                ("priority", "P1,P2"),
                ("group", group),
                ("q", ""),
                ("sort", "priority"),
            ],
        )
        .await?;
    Ok([
        ("My tickets", "/console?queue=mine".to_owned()),
        (
            "Unassigned in my groups",
            "/console?queue=unassigned".to_owned(),
        ),
        ("My groups", "/console?queue=groups".to_owned()),
        (
            "New & unassigned, all groups",
            "/console?queue=triage".to_owned(),
        ),
        ("All open", "/console?queue=open".to_owned()),
        ("SLA due within 2 h", "/console?queue=breaching".to_owned()),
        ("SLA breached", "/console?queue=breached".to_owned()),
        ("Pending", "/console?queue=pending".to_owned()),
        ("Recently updated", "/console?queue=recent".to_owned()),
        ("Solved & closed", "/console?queue=closed".to_owned()),
        ("All tickets", "/console?queue=all".to_owned()),
        ("Saved view", format!("/console?view={view}")),
        ("Ticket page", format!("/console/tickets/{ticket}")),
        (
            "Search, a ticket number",
            format!("/console/search?q={ticket}"),
        ),
        (
            "Search, a common word",
            "/console/search?q=password".to_owned(),
        ),
    ]
    .into_iter()
    .map(|(n, p)| (n.to_owned(), p))
    .collect())
}

/// Every session reads the next page in turn until the bounds are reached: (page index,
/// time, body size) per request.
async fn read_round_robin(
    sessions: Vec<Session>,
    pages: Vec<(String, String)>,
    bounds: Bounds,
) -> anyhow::Result<Vec<(usize, Duration, usize)>> {
    let pages = Arc::new(pages);
    let issued = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + bounds.time;
    let mut tasks = tokio::task::JoinSet::new();
    for session in sessions {
        let (pages, issued) = (pages.clone(), issued.clone());
        tasks.spawn(async move {
            let mut times: Vec<(usize, Duration, usize)> = Vec::new();
            loop {
                let n = issued.fetch_add(1, Ordering::Relaxed);
                if n >= bounds.requests || Instant::now() >= deadline {
                    return Ok::<_, anyhow::Error>(times);
                }
                let which = n % pages.len();
                let (took, body) = session.page(&pages[which].1).await?;
                times.push((which, took, body.len()));
            }
        });
    }
    let mut all = Vec::new();
    while let Some(done) = tasks.join_next().await {
        all.extend(done.context("a console client panicked")??);
    }
    Ok(all)
}

/// The Markdown table of one backend's console pages.
pub fn table(backend: &str, r: &ConsoleResults) -> String {
    let mut out = format!(
        "\n| Console page ({backend}, {} clients) | Requests | p50 / p99 ms | Largest page | ≤ {} ms p99 |\n\
         |---|---|---|---|---|\n",
        r.clients,
        TARGET_P99.as_millis()
    );
    for p in &r.pages {
        let met = p.latency.quantile(0.99).is_some_and(|d| d <= TARGET_P99);
        let _ = writeln!(
            out,
            "| {} (`{}`) | {} | {} | {:.0} KB | {} |",
            p.name,
            p.path,
            p.latency.len(),
            p.latency.p50_p99(),
            p.bytes as f64 / 1e3,
            if met { "yes" } else { "no" }
        );
    }
    out
}
