//! `Allowed<R>`: the caller, when their role may use an endpoint reserved by rule `R`.
//!
//! A handler takes it before its body (`ApiJson`), so a caller without the role gets a 403
//! naming the rule before anything about the body is checked: they learn nothing from its
//! validation, and the answer says which rule refused them. The core checks the role again.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use frontline_core::{Actor, Permission};

use super::Auth;
use crate::problem::ApiError;
use crate::state::AppState;

/// An endpoint reserved by one of the core's permissions (its least role and its rule).
pub trait Rule {
    const PERMISSION: Permission;
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
        actor.require(R::PERMISSION)?;
        Ok(Self {
            actor,
            rule: PhantomData,
        })
    }
}

macro_rules! rules {
    ($($name:ident),* $(,)?) => {$(
        #[doc = concat!("[`Permission::", stringify!($name), "`] as an extractor's rule.")]
        pub struct $name;
        impl Rule for $name {
            const PERMISSION: Permission = Permission::$name;
        }
    )*};
}

rules!(
    ReadDesk,
    Configure,
    Automation,
    AddPeople,
    JobQueue,
    MailTemplates,
    Mailboxes
);
