//! Frontline's storage: one code path over SQLite (embedded, the default) and PostgreSQL.
//!
//! The SQL is written once; `conn::on!` runs it on whichever connection type a deployment
//! uses, and the few places where the two databases differ live in `dialect` (and, for text and prefix matching, `patterns`). Every query
//! is a method on [`Conn`], grouped by noun in the modules below; the core layer opens a
//! [`Tx`] for each operation and calls them inside it.

mod conn;
pub mod dialect;
mod error;
mod open;

pub mod assignment;
pub mod attachments;
pub mod canned;
pub mod comments;
pub mod config;
pub mod creations;
pub mod events;
pub mod idempotency;
pub mod jobs;
pub mod links;
pub mod list;
pub mod mail;
pub mod outbox;
pub mod patterns;
pub mod presence;
pub mod queues;
pub mod rules;
pub mod sessions;
pub mod sla;
pub mod staff;
pub mod stats;
pub mod tickets;
pub mod time_spent;
pub mod tokens;
pub mod users;
pub mod views;

pub use conn::{Conn, PooledConn, Tx};
pub use error::StoreError;
pub use open::{Backend, Store};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
