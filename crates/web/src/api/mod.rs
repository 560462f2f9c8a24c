//! The REST API, one folder or file per resource and one function per verb.

pub mod canned;
pub mod contract;
pub mod desk;
pub mod jobs;
pub mod mail_templates;
pub mod mailboxes;
pub mod quarantine;
pub mod rules;
pub mod tickets;
pub mod views;

use frontline_domain::DomainError;
use serde::{Deserialize, Deserializer};

use crate::problem::ApiError;

/// Collects every field error of a request, so the client sees all of them at once.
#[derive(Default)]
pub(crate) struct Fields {
    errors: Vec<DomainError>,
}

impl Fields {
    pub fn take<T>(&mut self, r: Result<T, DomainError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    /// `Ok` when no field failed. Call before unwrapping the options `take` returned.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid(self.errors))
        }
    }
}

/// For PATCH bodies: an absent field is `None`, `null` is `Some(None)`.
pub(crate) fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

pub(crate) fn time(micros: i64) -> String {
    frontline_domain::Timestamp::from_micros(micros).to_rfc3339()
}
