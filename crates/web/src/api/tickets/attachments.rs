//! `GET /api/v1/tickets/{id}/attachments/{attachment_id}`: download a file.
//!
//! Always sent as an attachment with its stored content type, `nosniff` and a sandboxing
//! CSP, so an uploaded HTML or SVG file can never run in the desk's origin.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use frontline_core::Comments;
use frontline_domain::{AttachmentId, FileName, TicketId};

use crate::extract::{ApiPath, Auth};
use crate::problem::{ApiResult, Problem};

#[utoipa::path(
    get, path = "/api/v1/tickets/{id}/attachments/{attachment_id}", tag = "tickets",
    params(("id" = i64, Path), ("attachment_id" = i64, Path)),
    responses((status = 200, description = "The file, with the content type it was uploaded with", content_type = "*/*"), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub async fn download_attachment(
    State(comments): State<Comments>,
    Auth(actor): Auth,
    ApiPath((id, attachment_id)): ApiPath<(TicketId, AttachmentId)>,
) -> ApiResult<Response> {
    let (att, data) = comments.attachment(&actor, id, attachment_id).await?;
    let content_type = HeaderValue::from_str(&att.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&content_disposition(&att.filename))
        .unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox; default-src 'none'"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=3600"),
            ),
        ],
        data,
    )
        .into_response())
}

/// RFC 6266: an ASCII fallback name and the exact name percent-encoded as UTF-8. A name
/// stored before names were made safe is made safe here.
fn content_disposition(filename: &str) -> String {
    let filename = FileName::or_numbered(Some(filename), 1);
    let filename = filename.as_str();
    let fallback: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in filename.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_quoted_safely() {
        assert_eq!(
            super::content_disposition("résumé \"x\".pdf"),
            "attachment; filename=\"r_sum___x_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22x%22.pdf"
        );
    }
}
