//! A small HTTP client for the black-box tests: requests with a bearer token, answers read
//! in full, and lists walked page by page.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value;

/// An HTTP client for one server.
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    base: String,
}

/// A response read in full.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    /// The body as JSON, or `Null` when it is not JSON.
    pub json: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// Asserts the status, showing the body when it differs.
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(self.status, status, "unexpected answer: {}", self.text);
        self
    }
}

impl Api {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("cannot build an HTTP client");
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, token: &str, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(token)
    }

    pub fn post(&self, token: &str, path: &str) -> reqwest::RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(token)
    }

    pub fn patch(&self, token: &str, path: &str) -> reqwest::RequestBuilder {
        self.http.patch(self.url(path)).bearer_auth(token)
    }

    /// Every ticket id the token sees, walking the list `limit` at a time.
    pub async fn all_ticket_ids(&self, token: &str, limit: u32) -> Vec<i64> {
        self.all_items(token, "/api/v1/tickets", limit)
            .await
            .iter()
            .map(|t| t["id"].as_i64().expect("every ticket has an id"))
            .collect()
    }

    /// Every item of a list, following `next_cursor` `limit` items at a time.
    pub async fn all_items(&self, token: &str, path: &str, limit: u32) -> Vec<Value> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        let limit_text = limit.to_string();
        for _ in 0..100_000 {
            let mut params = vec![("limit", limit_text.as_str())];
            if let Some(c) = &cursor {
                params.push(("cursor", c));
            }
            let page = send(self.get(token, &with_query(path, &params)))
                .await
                .expect(200)
                .json;
            let items = page["items"].as_array().expect("items is an array");
            assert!(items.len() <= limit as usize, "a page longer than limit");
            all.extend(items.iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return all,
            }
        }
        panic!("the list {path} never ended");
    }
}

/// `path?k=v&…` with the values percent-encoded.
pub fn with_query(path: &str, params: &[(&str, &str)]) -> String {
    let mut out = path.to_owned();
    for (i, (k, v)) in params.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        for b in v.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Sends a request and reads the whole answer; a transport error fails the test.
pub async fn send(req: reqwest::RequestBuilder) -> Reply {
    let resp = req.send().await.expect("the request failed");
    read(resp).await
}

/// Status and JSON body, or `None` when the body could not be read (the server died).
pub async fn read_lossy(resp: reqwest::Response) -> Option<(u16, Value)> {
    let status = resp.status().as_u16();
    let text = resp.text().await.ok()?;
    Some((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

pub async fn read(resp: reqwest::Response) -> Reply {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("cannot read the body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        text,
        json,
    }
}
