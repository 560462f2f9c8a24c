//! Resolving the names people use (emails, group names, category paths, custom field keys)
//! to the rows they point to, inside the operation's transaction.

use frontline_domain::User;
use frontline_domain::{
    CategoryId, CategoryPath, CustomFieldDef, DomainError, Email, GroupId, TicketType, UserId,
};
use frontline_store::Conn;
use serde_json::{Map, Value};

use crate::{CoreError, Result};

pub(crate) async fn category_id(c: &mut Conn<'_>, path: &CategoryPath) -> Result<CategoryId> {
    c.category_by_path(path.as_str())
        .await?
        .map(|r| r.id)
        .ok_or_else(|| CoreError::invalid("category", format!("no category {:?}", path.as_str())))
}

pub(crate) async fn group_id(c: &mut Conn<'_>, name: &str) -> Result<GroupId> {
    c.group_by_name(name)
        .await?
        .map(|g| g.id)
        .ok_or_else(|| CoreError::invalid("group", format!("no group {name:?}")))
}

/// The name a new requester gave, cleaned; `None` when none was given.
pub(crate) fn requester_name(raw: Option<&str>) -> Result<Option<String>> {
    match raw.map(str::trim) {
        Some(name) if !name.is_empty() => Ok(Some(frontline_domain::text::clean_text(
            "requester_name",
            name,
            200,
            false,
        )?)),
        _ => Ok(None),
    }
}

/// An agent (or manager, admin) by email.
pub(crate) async fn staff(c: &mut Conn<'_>, field: &str, email: &Email) -> Result<User> {
    match c.user_by_email(email.as_str()).await? {
        Some(u) if u.active && u.role.is_staff() => Ok(u),
        _ => Err(CoreError::invalid(
            field,
            format!("{email} is not an agent of this desk"),
        )),
    }
}

pub(crate) async fn users(c: &mut Conn<'_>, field: &str, emails: &[Email]) -> Result<Vec<UserId>> {
    let mut ids = Vec::with_capacity(emails.len());
    for e in emails {
        let u = c
            .user_by_email(e.as_str())
            .await?
            .ok_or_else(|| CoreError::invalid(field, format!("{e} has no account")))?;
        if !ids.contains(&u.id) {
            ids.push(u.id);
        }
    }
    Ok(ids)
}

/// Applies `changes` to the stored custom field values and returns the indexed values for
/// filters. On creation every required field that applies to the type must be present.
pub(crate) fn apply_custom_fields(
    defs: &[CustomFieldDef],
    ticket_type: TicketType,
    current: &mut Map<String, Value>,
    changes: &Map<String, Value>,
    creating: bool,
) -> Result<Vec<(String, String)>> {
    let mut errors = Vec::new();
    for (key, value) in changes {
        match defs.iter().find(|d| &d.key == key) {
            None => errors.push(DomainError::new(
                format!("custom_fields.{key}"),
                "no such custom field",
            )),
            Some(d) if !d.applies_to(ticket_type) => errors.push(DomainError::new(
                format!("custom_fields.{key}"),
                format!("does not apply to {} tickets", ticket_type.as_str()),
            )),
            Some(d) => match d.normalise(value) {
                Ok((Value::Null, _)) => {
                    current.remove(key);
                }
                Ok((v, _)) => {
                    current.insert(key.clone(), v);
                }
                Err(e) => errors.push(e),
            },
        }
    }
    if creating {
        for d in defs
            .iter()
            .filter(|d| d.required && d.applies_to(ticket_type))
        {
            if !current.contains_key(&d.key) {
                errors.push(DomainError::new(
                    format!("custom_fields.{}", d.key),
                    "is required",
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    let mut index = Vec::new();
    for (key, value) in current.iter() {
        if let Some(d) = defs.iter().find(|d| &d.key == key)
            && let Ok((_, keys)) = d.normalise(value)
        {
            index.extend(keys.into_iter().map(|k| (key.clone(), k)));
        }
    }
    Ok(index)
}
