//! Extractors: everything a handler needs from the request, parsed and checked before the
//! handler runs — the caller and whether their role may use the endpoint, the JSON body, headers, the list query.

mod auth;
mod headers;
mod json;
mod path;
mod query;
mod role;

pub use auth::Auth;
pub use headers::{IdempotencyKeyHeader, IfMatch, etag};
pub use json::{ApiJson, JSON_BODY_LIMIT};
pub use path::ApiPath;
pub use query::{Cursor, PageParams, QueryPairs, paginate, unknown_parameter};
pub use role::{
    AddPeople, Allowed, Automation, Configure, JobQueue, MailTemplates, Mailboxes, ReadDesk,
};
