//! Query strings: raw pairs (lists take repeated or comma-separated values), page limits and
//! opaque cursors.

use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::problem::ApiError;

/// The query string as `(name, value)` pairs, in order.
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request(format!("the query string is malformed: {e}")))?;
        Ok(QueryPairs(pairs))
    }
}

/// An opaque position in a list: a tag naming the order it belongs to, and the key of the
/// last item returned. Base64url, so clients pass it back without escaping.
pub struct Cursor;

impl Cursor {
    pub fn encode(tag: &str, key: &[i64]) -> String {
        let keys: Vec<String> = key.iter().map(i64::to_string).collect();
        URL_SAFE_NO_PAD.encode(format!("{tag}|{}", keys.join(",")))
    }

    /// A cursor whose key is text (an email, for lists of people).
    pub fn encode_text(tag: &str, key: &str) -> String {
        URL_SAFE_NO_PAD.encode(format!("{tag}|{key}"))
    }

    pub fn decode_text(tag: &str, text: &str) -> Result<String, ApiError> {
        let (t, key) = Self::split(text)?;
        if t == tag { Ok(key) } else { Err(Self::bad()) }
    }

    fn bad() -> ApiError {
        ApiError::field(
            StatusCode::BAD_REQUEST,
            "cursor",
            "is not a cursor from this list; pass `next_cursor` back unchanged",
        )
    }

    fn split(text: &str) -> Result<(String, String), ApiError> {
        let raw = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| Self::bad())?;
        let raw = String::from_utf8(raw).map_err(|_| Self::bad())?;
        let (t, key) = raw.split_once('|').ok_or_else(Self::bad)?;
        Ok((t.to_owned(), key.to_owned()))
    }

    /// The key inside a cursor made by [`Cursor::encode`] with the same tag.
    pub fn decode(tag: &str, text: &str) -> Result<Vec<i64>, ApiError> {
        let (t, keys) = Self::split(text)?;
        if t != tag {
            return Err(Self::bad());
        }
        keys.split(',')
            .map(|k| k.parse::<i64>().map_err(|_| Self::bad()))
            .collect()
    }
}

/// `limit` and `cursor` for the simple lists (comments, events, people).
pub struct PageParams {
    pub limit: i64,
    pub cursor: Option<String>,
}

impl PageParams {
    pub const DEFAULT_LIMIT: i64 = 50;
    pub const MAX_LIMIT: i64 = 200;

    pub fn parse_limit(text: &str) -> Result<i64, ApiError> {
        text.parse::<i64>()
            .ok()
            .filter(|n| (1..=Self::MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::field(
                    StatusCode::BAD_REQUEST,
                    "limit",
                    format!("must be a whole number from 1 to {}", Self::MAX_LIMIT),
                )
            })
    }

    /// Reads `limit` and `cursor`, refusing any other parameter.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, ApiError> {
        let mut out = Self {
            limit: Self::DEFAULT_LIMIT,
            cursor: None,
        };
        for (k, v) in pairs {
            match k.as_str() {
                "limit" => out.limit = Self::parse_limit(v)?,
                "cursor" => out.cursor = Some(v.clone()),
                other => return Err(unknown_parameter(other)),
            }
        }
        Ok(out)
    }

    /// The id after which the page starts, from a cursor tagged `tag`.
    pub fn after_id(&self, tag: &str) -> Result<i64, ApiError> {
        match &self.cursor {
            Some(c) => Cursor::decode(tag, c)?
                .first()
                .copied()
                .ok_or_else(|| ApiError::bad_request("empty cursor")),
            None => Ok(0),
        }
    }
}

/// Cuts a page fetched with `limit + 1` rows down to `limit`, and makes the cursor of its last
/// row when the extra row showed that more follow.
pub fn paginate<T>(
    mut items: Vec<T>,
    limit: i64,
    cursor_of: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let more = items.len() > limit;
    items.truncate(limit);
    let next = if more {
        items.last().map(cursor_of)
    } else {
        None
    };
    (items, next)
}

pub fn unknown_parameter(name: &str) -> ApiError {
    ApiError::field(
        StatusCode::BAD_REQUEST,
        name,
        "is not a parameter of this list",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_other_lists() {
        let c = Cursor::encode("priority", &[1, 1_700_000_000_000_000, 42]);
        assert_eq!(
            Cursor::decode("priority", &c).ok(),
            Some(vec![1, 1_700_000_000_000_000, 42])
        );
        assert!(Cursor::decode("created", &c).is_err());
        assert!(Cursor::decode("priority", "garbage!").is_err());
        assert!(Cursor::decode("priority", &URL_SAFE_NO_PAD.encode("priority|x")).is_err());
    }
}
