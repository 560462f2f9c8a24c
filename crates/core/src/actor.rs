//! The person an operation acts for, as established by authentication, and the
//! permissions reserved to roles: one list, used by the core's checks and by the web's
//! `Allowed<R>` extractor alike, so a refusal names the same rule wherever it comes from.

use frontline_domain::{Email, OrganizationId, Role, User, UserId};

use crate::{CoreError, Result};

/// What an operation is reserved for: the least role allowed, and the rule in words that a
/// refusal (403) says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Reading the desk's people, organizations, groups and SLA set-up.
    ReadDesk,
    /// Groups, categories, custom fields, organizations, the priority matrix, SLAs,
    /// calendars, assignment.
    Configure,
    /// Automation rules, read or written.
    Automation,
    /// Adding people.
    AddPeople,
    /// The job queue.
    JobQueue,
    /// Outgoing mail templates.
    MailTemplates,
    /// Mailboxes (their URLs hold passwords).
    Mailboxes,
    /// Mail ingest held back.
    Quarantine,
    /// The canned responses shared by the whole desk.
    DeskCanned,
}

impl Permission {
    pub fn least_role(self) -> Role {
        match self {
            Permission::ReadDesk => Role::Agent,
            Permission::Configure | Permission::Automation => Role::Manager,
            Permission::AddPeople
            | Permission::JobQueue
            | Permission::MailTemplates
            | Permission::Mailboxes
            | Permission::Quarantine
            | Permission::DeskCanned => Role::Admin,
        }
    }

    /// The rule, as a refusal says it.
    pub fn rule(self) -> &'static str {
        match self {
            Permission::ReadDesk => {
                "only agents, managers and admins may read the desk's people and set-up"
            }
            Permission::Configure => "only managers and admins may change the desk's configuration",
            Permission::Automation => {
                "only managers and admins may see and change automation rules"
            }
            Permission::AddPeople => "only admins may add people",
            Permission::JobQueue => "only admins may see and retry jobs",
            Permission::MailTemplates => "only admins may see and change mail templates",
            Permission::Mailboxes => "only admins may manage mailboxes",
            Permission::Quarantine => "only admins may see, release or discard quarantined mail",
            Permission::DeskCanned => "only admins may add or change the desk's canned responses",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: UserId,
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub organization_id: Option<OrganizationId>,
}

impl Actor {
    pub(crate) fn from_user(u: &User) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role,
            organization_id: u.organization_id,
        }
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
        self.require(Permission::Configure)
    }

    /// Refused, naming the permission's rule, below its least role.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.role >= permission.least_role() {
            Ok(())
        } else {
            Err(CoreError::forbidden(permission.rule()))
        }
    }
}
