//! `Form`: a `multipart/form-data` body, as `curl -F body=… -F file=@…` sends it.

const BOUNDARY: &str = "frontline-test-boundary-7MA4YWxkTrZu0gW";

#[derive(Default)]
pub struct Form {
    body: Vec<u8>,
}

impl Form {
    pub fn new() -> Self {
        Self::default()
    }

    /// A plain field, like `-F internal=true`.
    pub fn text(mut self, name: &str, value: &str) -> Self {
        self.part(
            &format!("form-data; name=\"{name}\""),
            None,
            value.as_bytes(),
        );
        self
    }

    /// A file, like `-F "file=@report.html;type=text/html"`.
    pub fn file(mut self, name: &str, filename: &str, content_type: &str, data: &[u8]) -> Self {
        self.part(
            &format!("form-data; name=\"{name}\"; filename=\"{filename}\""),
            Some(content_type),
            data,
        );
        self
    }

    fn part(&mut self, disposition: &str, content_type: Option<&str>, data: &[u8]) {
        self.body
            .extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        self.body
            .extend_from_slice(format!("Content-Disposition: {disposition}\r\n").as_bytes());
        if let Some(ct) = content_type {
            self.body
                .extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        self.body.extend_from_slice(b"\r\n");
        self.body.extend_from_slice(data);
        self.body.extend_from_slice(b"\r\n");
    }

    /// The content type (with its boundary) and the body.
    pub fn finish(mut self) -> (String, Vec<u8>) {
        self.body
            .extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        (
            format!("multipart/form-data; boundary={BOUNDARY}"),
            self.body,
        )
    }
}
