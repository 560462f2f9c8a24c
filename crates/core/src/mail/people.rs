//! The people a message names: its sender and the addresses it was copied to, each a user
//! of the desk, created as a requester on first contact.

use frontline_domain::{Email, Role};
use frontline_mail::Mailbox as Address;
use frontline_store::Conn;
use frontline_store::users::UserRow;

use crate::people::organization_for;
use crate::{CoreError, Result};

/// The user with this address, created (named as the message names them) when new.
pub(super) async fn person_for(c: &mut Conn<'_>, address: &Address, at: i64) -> Result<UserRow> {
    let email = Email::parse("from", &address.address)?;
    if let Some(u) = c.user_by_email(email.as_str()).await? {
        return Ok(u);
    }
    let name = address
        .name
        .as_deref()
        .map(|n| {
            n.chars()
                .filter(|c| !c.is_control())
                .take(200)
                .collect::<String>()
        })
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| email.local_part().to_owned());
    let mut row = UserRow {
        id: 0,
        email: email.to_string(),
        name,
        role: Role::Requester.as_str().to_owned(),
        organization_id: organization_for(c, &email).await?,
        password_hash: None,
        active: true,
        created_at: at,
    };
    // A concurrent message from the same new sender fails this transaction; the job's retry
    // finds the person.
    row.id = c.insert_user(&row).await.map_err(CoreError::Store)?;
    tracing::info!(user_id = row.id, "requester created on first email");
    Ok(row)
}

/// The copied addresses that become watchers: people, not the desk's own mailboxes nor the
/// sender, at most 20.
pub(super) fn watchers<'a>(
    cc: &'a [Address],
    sender: &str,
    own: &'a [String],
) -> impl Iterator<Item = &'a Address> {
    let sender = sender.to_owned();
    cc.iter()
        .filter(move |a| a.address != sender && !own.contains(&a.address))
        .filter(|a| Email::parse("cc", &a.address).is_ok())
        .take(20)
}
