//! The ticket engine: the operations Frontline's users and timers perform, for every front
//! end (the REST API, the pages, mail, jobs and the CLI).
//!
//! [`Desk`] opens the engine and hands out one service per noun ([`Tickets`], [`Comments`],
//! [`Sla`], [`Rules`], [`Assignment`], [`People`], [`Views`], [`Config`], [`Canned`],
//! [`Mail`], [`Auth`], [`Jobs`], [`Presence`]); each lives in the module of its noun with its
//! cache. Each operation follows one shape: check what the actor may do → open a transaction
//! → apply the domain rule → write through the store → commit. Front ends never touch the
//! store directly; they parse input into domain values and call a service.

pub mod actor;
pub mod assignment;
pub mod auth;
mod cache;
pub mod canned;
pub mod config;
mod desk;
pub mod error;
pub mod jobs;
pub mod mail;
pub mod maintenance;
pub mod notify;
mod ordered;
pub mod people;
pub mod presence;
pub mod queues;
pub mod rules;
pub mod sessions;
pub mod sla;
pub mod staff;
pub mod tickets;
pub mod views;

pub use actor::{Actor, Permission};
pub use desk::{
    Assignment, Auth, Canned, Comments, Config, Desk, Jobs, Limits, Mail, People, Presence, Rules,
    Service, Sla, Tickets, Views,
};
pub use error::CoreError;
pub use frontline_store::{Backend, Store};

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
