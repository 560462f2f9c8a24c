//! The person an operation acts for, as established by authentication.

use frontline_domain::Role;
use frontline_store::users::UserRow;

use crate::{CoreError, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organization_id: Option<i64>,
}

impl Actor {
    pub(crate) fn from_row(u: &UserRow) -> Result<Self> {
        Ok(Self {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            role: Role::parse(&u.role)
                .map_err(|_| CoreError::Internal(format!("user {} has role {:?}", u.id, u.role)))?,
            organization_id: u.organization_id,
        })
    }

    pub fn is_staff(&self) -> bool {
        self.role.is_staff()
    }

    pub fn require_staff(&self) -> Result<()> {
        if self.is_staff() {
            Ok(())
        } else {
            Err(CoreError::forbidden("only agents may do this"))
        }
    }

    pub fn require_configure(&self) -> Result<()> {
        if self.role.can_configure() {
            Ok(())
        } else {
            Err(CoreError::forbidden(
                "only managers and admins may change the desk's configuration",
            ))
        }
    }

    /// Admins only; `rule` finishes "only admins may …" in the refusal, so each 403 names
    /// the rule that applies ("manage mailboxes", "see and retry jobs").
    pub fn require_admin(&self, rule: &str) -> Result<()> {
        if self.role.can_administer() {
            Ok(())
        } else {
            Err(CoreError::forbidden(format!("only admins may {rule}")))
        }
    }
}
