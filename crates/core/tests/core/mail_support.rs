//! What the mail tests share: the desk with its mailbox, people as actors, a message stored
//! as the SMTP listener stores it and ingested as the job would, and where the shared mail
//! corpora are.

use frontline_core::mail::{InboundOutcome, Incoming, NewMailbox};
use frontline_core::people::NewUser;
use frontline_core::{Actor, CoreError, Desk};
use frontline_domain::{Email, InboundId, Role};
use frontline_store::Store;

pub use frontline_testkit::corpus::{email_corpus, messages};

pub type Result<T = ()> = std::result::Result<T, CoreError>;

/// The desk's mailbox.
pub const DESK: &str = "help@desk.example";

pub fn email(text: &str) -> Email {
    Email::parse("email", text).expect("test addresses are valid")
}

/// A migrated desk on `store` with the mailbox [`DESK`].
pub async fn mail_desk(store: &Store) -> Result<Desk> {
    store.migrate().await?;
    let desk = Desk::new(store.clone());
    desk.mail()
        .add_mailbox(
            None,
            NewMailbox {
                address: email(DESK),
                imap: None,
                smtp: None,
                name: None,
            },
        )
        .await?;
    Ok(desk)
}

/// A person of `role` called `name`, as an actor.
pub async fn person_named(desk: &Desk, address: &str, name: &str, role: Role) -> Result<Actor> {
    let u = desk
        .people()
        .add_user(
            None,
            NewUser {
                email: email(address),
                name: name.into(),
                role,
                organization: None,
                password: None,
            },
        )
        .await?;
    Ok(Actor {
        id: u.id,
        email: u.email,
        name: u.name,
        role,
        organization_id: None,
    })
}

/// A person of `role` named by their address, as an actor.
pub async fn person(desk: &Desk, address: &str, role: Role) -> Result<Actor> {
    person_named(desk, address, address, role).await
}

/// The message as the SMTP listener hands it over.
pub fn smtp(raw: Vec<u8>) -> Incoming {
    Incoming {
        mailbox_id: None,
        source: "smtp",
        uid: None,
        envelope_from: None,
        raw,
    }
}

/// Ingests stored message `id` as the job would; `None` when it was ingested before.
pub async fn ingest(desk: &Desk, id: InboundId) -> Result<Option<InboundOutcome>> {
    let mut tx = desk.store().begin().await?;
    let outcome = desk.mail().ingest_mail(&mut tx.conn(), id).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Stores the message, then ingests it; `None` for a second copy.
pub async fn deliver(desk: &Desk, raw: Vec<u8>) -> Result<Option<InboundOutcome>> {
    match desk.mail().receive_mail(smtp(raw)).await? {
        Some(id) => ingest(desk, id).await,
        None => Ok(None),
    }
}
