//! The people a message names: its sender and the addresses it was copied to, each a user
//! of the desk, created as a requester on first contact.

use frontline_domain::User;
use frontline_domain::{Email, Role, Timestamp, UserId};
use frontline_mail::Mailbox as Address;
use frontline_store::Conn;

use crate::people::organization_for;
use crate::{CoreError, Result};

/// The user with this address, created (named as the message names them) when new.
pub(super) async fn person_for(c: &mut Conn<'_>, address: &Address, at: i64) -> Result<User> {
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
    let mut row = User {
        id: UserId::new(0),
        email: email.clone(),
        name,
        role: Role::Requester,
        organization_id: organization_for(c, &email).await?,
        password_hash: None,
        active: true,
        created_at: Timestamp::from_micros(at),
    };
    // A concurrent message from the same new sender fails this transaction; the job's retry
    // finds the person.
    // Two messages from one new sender ingested at once on PostgreSQL: the second insert
    // waits for the first transaction, then finds the address taken; that person is the
    // sender, not an error to retry the whole message for.
    c.savepoint("person").await?;
    match c.insert_user(&row).await {
        Ok(id) => {
            c.release_savepoint("person").await?;
            row.id = id;
        }
        Err(frontline_store::StoreError::Duplicate(_)) => {
            c.rollback_to_savepoint("person").await?;
            return c
                .user_by_email(email.as_str())
                .await?
                .ok_or_else(|| CoreError::Conflict("requester created concurrently".into()));
        }
        Err(e) => return Err(CoreError::Store(e)),
    }
    tracing::info!(user_id = %row.id, "requester created on first email");
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
