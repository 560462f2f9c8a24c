//! The self-service portal: a requester's own requests, a new request, and one request's
//! public conversation. Requesters only; internal notes never reach these pages (the core
//! leaves them out for anyone who is not staff).

pub(crate) mod list;
pub(crate) mod new;
pub(crate) mod ticket;
