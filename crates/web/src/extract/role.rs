//! `Allowed<R>`: the caller, when their role may use an endpoint reserved by rule `R`.
//!
//! A handler takes it before its body (`ApiJson`), so a caller without the role gets a 403
//! naming the rule before anything about the body is checked: they learn nothing from its
//! validation, and the answer says which rule refused them. The core checks the role again.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use frontline_core::{Actor, CoreError};
use frontline_domain::Role;

use super::Auth;
use crate::problem::ApiError;
use crate::state::AppState;

/// A rule that reserves endpoints to a role and the roles above it.
pub trait Rule {
    /// The least role allowed.
    const ROLE: Role;
    /// What a 403 says: the rule, in words.
    const SAYS: &'static str;
}

/// The caller, allowed by rule `R`.
pub struct Allowed<R> {
    pub actor: Actor,
    rule: PhantomData<R>,
}

impl<R: Rule> FromRequestParts<AppState> for Allowed<R> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Auth(actor) = Auth::from_request_parts(parts, state).await?;
        if actor.role < R::ROLE {
            return Err(CoreError::forbidden(R::SAYS).into());
        }
        Ok(Self {
            actor,
            rule: PhantomData,
        })
    }
}

macro_rules! rules {
    ($($(#[$doc:meta])* $name:ident: $role:ident, $says:literal;)*) => {$(
        $(#[$doc])*
        pub struct $name;
        impl Rule for $name {
            const ROLE: Role = Role::$role;
            const SAYS: &'static str = $says;
        }
    )*};
}

rules! {
    /// Reading the desk's people, organizations, groups and SLA set-up.
    ReadDesk: Agent, "only agents, managers and admins may read the desk's people and set-up";
    /// Groups, categories, custom fields, organizations, the priority matrix, SLAs, assignment.
    Configure: Manager, "only managers and admins may change the desk's configuration";
    /// Automation rules, read or written.
    Automation: Manager, "only managers and admins may see and change automation rules";
    /// Adding people.
    AddPeople: Admin, "only admins may add people";
    /// The job queue.
    JobQueue: Admin, "only admins may see and retry jobs";
    /// Outgoing mail templates.
    MailTemplates: Admin, "only admins may see and change mail templates";
    /// Mailboxes (their URLs hold passwords).
    Mailboxes: Admin, "only admins may manage mailboxes";
}
