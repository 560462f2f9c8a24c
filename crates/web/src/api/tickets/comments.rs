//! `/api/v1/tickets/{id}/comments`: the conversation. A comment is posted as JSON, or as
//! `multipart/form-data` with files (fields `body`, `internal`, `minutes`, and any number of
//! file parts).

use axum::Json;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use frontline_core::Comments;
use frontline_core::tickets::{NewAttachment, NewComment, Spent};
use frontline_domain::time_spent::Minutes;
use frontline_domain::{CommentId, FileName, TicketId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::time;
use crate::extract::{
    ApiJson, ApiPath, Auth, Cursor, JSON_BODY_LIMIT, PageParams, QueryPairs, paginate,
};
use crate::problem::{ApiError, ApiResult, Problem};

const CURSOR_TAG: &str = "comments";

#[derive(Debug, Serialize, ToSchema)]
pub struct Attachment {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// Where to download it (always as an attachment, never rendered inline).
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Comment {
    pub id: i64,
    pub ticket_id: i64,
    /// The author's email.
    pub author: String,
    pub author_name: String,
    /// An internal note, which requesters never see.
    pub internal: bool,
    pub body: String,
    pub created_at: String,
    pub attachments: Vec<Attachment>,
}

impl From<frontline_domain::Comment> for Comment {
    fn from(c: frontline_domain::Comment) -> Self {
        let r = c.record;
        Self {
            id: r.id.get(),
            ticket_id: r.ticket_id.get(),
            author: c.author_email.to_string(),
            author_name: c.author_name,
            internal: r.internal,
            body: r.body,
            created_at: time(r.created_at.as_micros()),
            attachments: c
                .attachments
                .into_iter()
                .map(|a| Attachment {
                    url: format!("/api/v1/tickets/{}/attachments/{}", a.ticket_id, a.id),
                    id: a.id.get(),
                    filename: a.filename,
                    content_type: a.content_type,
                    size: a.size,
                    sha256: a.sha256,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentPage {
    pub items: Vec<Comment>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateComment {
    pub body: String,
    /// An internal note (agents only). Default false: a public reply.
    #[serde(default)]
    pub internal: bool,
    /// Minutes the work took, 1–720 (agents only); totals in `GET /api/v1/tickets/{id}/time`.
    #[serde(default)]
    pub minutes: Option<i64>,
}

/// The time a comment records, from the request's `minutes`.
fn spent(minutes: Option<i64>) -> ApiResult<Option<Spent>> {
    minutes
        .map(|m| {
            Minutes::new("minutes", m)
                .map(|minutes| Spent {
                    minutes,
                    call: false,
                })
                .map_err(|e| {
                    ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "minutes", &e.message)
                })
        })
        .transpose()
}

#[utoipa::path(
    get, path = "/api/v1/tickets/{id}/comments", tag = "tickets",
    params(("id" = i64, Path), ("limit" = Option<i64>, Query, minimum = 1, maximum = 200, description = "1–200, default 50"), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = CommentPage), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub async fn list_comments(
    State(comments): State<Comments>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<TicketId>,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Json<CommentPage>> {
    let page = PageParams::from_pairs(&pairs)?;
    let items = comments
        .list(
            &actor,
            id,
            CommentId::new(page.after_id(CURSOR_TAG)?),
            page.limit + 1,
        )
        .await?;
    let (items, next_cursor) = paginate(items, page.limit, |c| {
        Cursor::encode(CURSOR_TAG, &[c.record.id.get()])
    });
    Ok(Json(CommentPage {
        items: items.into_iter().map(Comment::from).collect(),
        next_cursor,
    }))
}

/// A public reply from a requester reopens a pending or resolved ticket; the desk's first
/// public reply is recorded as its first response.
#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/comments", tag = "tickets",
    params(("id" = i64, Path)),
    request_body(content(
        (CreateComment = "application/json"),
        (CreateComment = "multipart/form-data"),
    )),
    responses(
        (status = 201, body = Comment), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn create_comment(
    State(comments): State<Comments>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<TicketId>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Comment>)> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let new = if is_multipart {
        let form = Multipart::from_request(req, &())
            .await
            .map_err(|e| ApiError::bad_request(format!("the form could not be read: {e}")))?;
        read_form(form).await?
    } else {
        // The route takes uploads up to 64 MiB; a JSON comment is held to the JSON limit.
        let mut req = req;
        DefaultBodyLimit::max(JSON_BODY_LIMIT).apply(&mut req);
        let body = ApiJson::<CreateComment>::from_request(req, &())
            .await?
            .value;
        NewComment {
            body: body.body,
            internal: body.internal,
            attachments: Vec::new(),
            time: spent(body.minutes)?,
        }
    };
    let comment = comments.add_comment(&actor, id, new).await?;
    Ok((StatusCode::CREATED, Json(Comment::from(comment))))
}

async fn read_form(mut form: Multipart) -> ApiResult<NewComment> {
    let mut new = NewComment {
        body: String::new(),
        internal: false,
        attachments: Vec::new(),
        time: None,
    };
    let too_large = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "the upload is too large",
            )
        } else {
            ApiError::bad_request(format!("the form could not be read: {e}"))
        }
    };
    while let Some(field) = form.next_field().await.map_err(too_large)? {
        let name = field.name().unwrap_or_default().to_owned();
        match (name.as_str(), field.file_name().map(str::to_owned)) {
            (_, Some(filename)) => {
                let content_type = field
                    .content_type()
                    .filter(|ct| is_content_type(ct))
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let data = field.bytes().await.map_err(too_large)?.to_vec();
                // A path or hidden name as the browser sent it is stored as a safe name; a
                // part with no name at all is still refused (by the core, as before).
                let n = new.attachments.len() + 1;
                let filename = match filename.trim() {
                    "" => filename,
                    raw => FileName::or_numbered(Some(raw), n).into_string(),
                };
                new.attachments.push(NewAttachment {
                    filename,
                    content_type,
                    data,
                });
            }
            ("body", None) => new.body = field.text().await.map_err(too_large)?,
            ("minutes", None) => {
                let text = field.text().await.map_err(too_large)?;
                let minutes = text.trim().parse::<i64>().map_err(|_| {
                    ApiError::field(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "minutes",
                        "must be a whole number of minutes",
                    )
                })?;
                new.time = spent(Some(minutes))?;
            }
            ("internal", None) => {
                new.internal = match field.text().await.map_err(too_large)?.as_str() {
                    "true" | "1" | "on" => true,
                    "false" | "0" | "" => false,
                    _ => {
                        return Err(ApiError::field(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "internal",
                            "must be true or false",
                        ));
                    }
                }
            }
            (other, None) => {
                return Err(ApiError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    other,
                    "is not a field of a comment",
                ));
            }
        }
    }
    Ok(new)
}

/// Content types are passed back to downloaders, so only well-formed `type/subtype` values
/// are kept.
fn is_content_type(s: &str) -> bool {
    let token = |x: &str| {
        !x.is_empty()
            && x.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
    };
    let essence = s.split(';').next().unwrap_or_default().trim();
    essence.len() <= 100
        && essence
            .split_once('/')
            .is_some_and(|(t, st)| token(t) && token(st))
}
