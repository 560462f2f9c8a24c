//! `Reply`: a whole response read into memory, with the checks tests make on it.

use axum::body::Body;
use axum::http::{HeaderMap, Response, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;

use super::TestResult;

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub(super) async fn read(res: Response<Body>) -> Self {
        let (parts, body) = res.into_parts();
        let body = body
            .collect()
            .await
            .map(|b| b.to_bytes().to_vec())
            .unwrap_or_else(|e| format!("<the body could not be read: {e}>").into_bytes());
        Self {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> TestResult<Value> {
        serde_json::from_slice(&self.body)
            .map_err(|e| format!("not JSON ({e}): {}", self.text()).into())
    }

    /// An error naming `what` unless the status is `expected`.
    pub fn expect_status(&self, expected: u16, what: &str) -> TestResult {
        if self.status.as_u16() == expected {
            Ok(())
        } else {
            Err(format!(
                "{what}: expected {expected}, got {} with {}",
                self.status,
                self.text()
            )
            .into())
        }
    }

    /// Checks that this is an RFC 9457 problem with the `status` expected, served as
    /// `application/problem+json` with `type`, `title` and a matching `status`, and returns
    /// its body.
    pub fn problem(&self, expected: u16, what: &str) -> TestResult<Value> {
        self.expect_status(expected, what)?;
        let ct = self.header("content-type").unwrap_or_default();
        if ct != "application/problem+json" {
            return Err(
                format!("{what}: content type {ct:?}, not application/problem+json").into(),
            );
        }
        let p = self.json()?;
        let kind = p["type"].as_str().unwrap_or_default();
        if !kind.starts_with("/problems/") {
            return Err(format!("{what}: problem without a /problems/ type: {p}").into());
        }
        if p["title"].as_str().is_none_or(str::is_empty) {
            return Err(format!("{what}: problem without a title: {p}").into());
        }
        if p["status"].as_u64() != Some(u64::from(expected)) {
            return Err(format!("{what}: problem whose status is not {expected}: {p}").into());
        }
        Ok(p)
    }

    /// A 422 problem with a field-level entry in `errors` that names `needle` (in its field
    /// or its message).
    pub fn field_problem(&self, expected: u16, needle: &str, what: &str) -> TestResult<Value> {
        let p = self.problem(expected, what)?;
        let named = p["errors"].as_array().is_some_and(|errors| {
            errors.iter().any(|e| {
                e["field"].as_str().is_some_and(|f| f.contains(needle))
                    || e["message"].as_str().is_some_and(|m| m.contains(needle))
            })
        });
        if named {
            Ok(p)
        } else {
            Err(format!("{what}: no entry in `errors` names {needle:?}: {p}").into())
        }
    }
}
