//! Forms with files (`multipart/form-data`): the text fields by name and the attached files,
//! read with the CSRF token checked before anything is acted on.

use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use frontline_core::tickets::NewAttachment;
use frontline_domain::FileName;

use crate::Ui;
use crate::error::UiError;
use crate::session::Signed;

/// Text fields longer than this are refused (a description is limited far below it).
const MAX_FIELD: usize = 1024 * 1024;

/// A multipart form from a signed-in person, its CSRF token checked.
pub(crate) struct Upload {
    pub signed: Signed,
    fields: Vec<(String, String)>,
    pub files: Vec<NewAttachment>,
}

impl Upload {
    /// A text field's value; empty when absent.
    pub fn text(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

impl FromRequest<Ui> for Upload {
    type Rejection = UiError;

    async fn from_request(req: Request, ui: &Ui) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let signed = Signed::from_request_parts(&mut parts, ui).await?;
        let req = Request::from_parts(parts, body);
        let mut multipart = Multipart::from_request(req, ui)
            .await
            .map_err(|_| UiError::Csrf)?;
        // The token comes first (the templates put it there), so nothing else is read into
        // memory for a request that does not carry it.
        let first = multipart
            .next_field()
            .await
            .map_err(|_| UiError::Csrf)?
            .ok_or(UiError::Csrf)?;
        if first.name() != Some("csrf") {
            return Err(UiError::Csrf);
        }
        let token = first.text().await.map_err(|_| UiError::Csrf)?;
        signed.check_csrf(&token)?;
        let mut fields = Vec::new();
        let mut files = Vec::new();
        let too_big = || UiError::BadRequest("The form or one of its files is too large.".into());
        while let Some(field) = multipart.next_field().await.map_err(|_| too_big())? {
            let name = field.name().unwrap_or("").to_owned();
            match field.file_name().map(str::to_owned) {
                Some(filename) => {
                    let content_type = field
                        .content_type()
                        .unwrap_or("application/octet-stream")
                        .to_owned();
                    let data = field.bytes().await.map_err(|_| too_big())?;
                    // An empty file input still sends a part, with no name and no bytes.
                    if !filename.is_empty() || !data.is_empty() {
                        // A path or hidden name as the browser sent it is stored safe.
                        let n = files.len() + 1;
                        let filename = match filename.trim() {
                            "" => filename,
                            raw => FileName::or_numbered(Some(raw), n).into_string(),
                        };
                        files.push(NewAttachment {
                            filename,
                            content_type,
                            data: data.to_vec(),
                        });
                    }
                }
                None => {
                    let value = field.text().await.map_err(|_| too_big())?;
                    if value.len() > MAX_FIELD {
                        return Err(too_big());
                    }
                    fields.push((name, value));
                }
            }
        }
        Ok(Upload {
            signed,
            fields,
            files,
        })
    }
}
