//! Forms with files (`multipart/form-data`): the text fields by name and the attached files,
//! read with the CSRF token checked before anything is acted on; and URL-encoded forms read
//! as their fields in order (`Fields`).

use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use frontline_core::tickets::NewAttachment;
use frontline_domain::FileName;

use crate::Ui;
use crate::error::UiError;
use crate::session::{CsrfForm, Signed};

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

/// A URL-encoded form's fields, in order.
#[derive(serde::Deserialize, Default)]
#[serde(transparent)]
pub(crate) struct Fields(Vec<(String, String)>);

impl Fields {
    /// The first value of `name`; empty when absent.
    pub fn one(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The first value of `name`, when the form has the field at all.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Whether a checkbox named `name` was ticked with `value`.
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && v == value)
    }
}

impl CsrfForm for Fields {
    fn csrf(&self) -> &str {
        self.one("csrf")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_their_order_and_repeats() {
        let f = Fields(vec![
            ("a".into(), "1".into()),
            ("b".into(), "x".into()),
            ("a".into(), "2".into()),
        ]);
        assert_eq!(f.one("a"), "1");
        assert_eq!(f.all("a"), ["1", "2"]);
        assert!(f.has("b", "x") && !f.has("b", "y"));
        assert_eq!(f.one("missing"), "");
        assert_eq!((f.get("b"), f.get("missing")), (Some("x"), None));
    }
}
