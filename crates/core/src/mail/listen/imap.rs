//! IMAP polling for the desk (started by `frontline serve`): one task per mailbox with an IMAP URL, all running
//! at once. Each reads the UIDs after the last one stored, stores the messages with the new
//! position in one transaction, and only then flags them `\Seen`; then it waits for new mail
//! (IDLE where offered). A crash between storing and flagging leaves the message unread on
//! the server, and the stored position (with the Message-ID key) keeps it from being
//! ingested twice. A failing server is retried with growing pauses and its error shown by
//! `frontline mailbox list`.
//!
//! With several nodes on one database, one polls each mailbox: a node polls only while it
//! holds the mailbox's lease, renewed every [`RENEW`] for [`LEASE`]; a node that dies stops
//! renewing and another takes the mailbox over at its next look after the lease ran out, and
//! a node that stops gives its leases back. A node that finds its lease taken (it stalled
//! past the lease) stops polling that mailbox. The unique keys keep two pollers correct
//! anyway; the lease saves the doubled work.

use std::collections::HashMap;
use std::time::Duration;

use frontline_mail::ImapUrl;
use frontline_mail::imap::{Folder, ImapError};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::Mail;
use crate::mail::{MAX_MESSAGE_BYTES, Mailbox};
use frontline_domain::MailboxId;

/// UIDs whose sizes are asked for at once.
const SIZES_AT_ONCE: usize = 500;
/// Most messages fetched and stored together: one transaction, one `\Seen` flagging. Large
/// chunks matter on SQLite, where each chunk's transaction waits its turn behind ingest's.
const CHUNK_MESSAGES: usize = 100;
/// Most bytes fetched together (a chunk holds at least one message, however large).
const CHUNK_BYTES: usize = 16 * 1024 * 1024;
/// Every IMAP command must answer within this.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest wait for new mail before looking again (IDLE must be renewed within 29 minutes).
const WAIT: Duration = Duration::from_secs(20 * 60);
/// How often the list of mailboxes is read again for new ones, and for mailboxes whose
/// poller's lease ran out.
const RESCAN: Duration = Duration::from_secs(5);
/// How long a node's claim on polling a mailbox lasts without renewal: a node that dies
/// hands its mailboxes over after at most this plus [`RESCAN`].
const LEASE: Duration = Duration::from_secs(15);
/// How often a polling node renews its lease; well inside [`LEASE`], so a slow database
/// does not lose it.
const RENEW: Duration = Duration::from_secs(5);
/// A message this much over the desk's limit is not even fetched: it is skipped (left
/// unread on the server) with a logged reason. Smaller oversized ones are stored and
/// quarantined by ingest, so an administrator sees them.
const FETCH_LIMIT: usize = 2 * MAX_MESSAGE_BYTES;

/// Starts the pollers; they stop when `shutdown` turns true.
pub fn spawn(mail: Mail, shutdown: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(supervise(mail, shutdown))
}

async fn supervise(mail: Mail, mut shutdown: watch::Receiver<bool>) {
    let owner = node_id();
    let mut running: HashMap<MailboxId, (String, JoinHandle<()>)> = HashMap::new();
    loop {
        match mail.mailboxes(None).await {
            Ok(mailboxes) => {
                running.retain(|_, (_, task)| !task.is_finished());
                for m in mailboxes {
                    // A disabled mailbox stops being polled at this rescan, and its lease
                    // goes back.
                    if !m.is_active() {
                        if let Some((_, task)) = running.remove(&m.id) {
                            task.abort();
                            tracing::info!(mailbox = %m.address, "mailbox disabled; polling stops");
                            if let Err(e) = mail.release_mailbox(m.id, &owner).await {
                                tracing::warn!(error = %e, "cannot give the mailbox's lease back; it runs out by itself");
                            }
                        }
                        continue;
                    }
                    let Some(url) = m.imap.clone() else { continue };
                    // A changed URL restarts the mailbox's poller.
                    let key = url.to_string() + &url.password;
                    if running.get(&m.id).is_some_and(|(k, _)| *k == key) {
                        continue;
                    }
                    if let Some((_, old)) = running.remove(&m.id) {
                        old.abort();
                    }
                    match mail.lease_mailbox(m.id, &owner, LEASE).await {
                        Ok(true) => {}
                        // Another node polls it.
                        Ok(false) => continue,
                        Err(e) => {
                            tracing::warn!(error = %e, mailbox = %m.address, "cannot take the mailbox's lease; will retry");
                            continue;
                        }
                    }
                    let id = m.id;
                    let span = tracing::info_span!("imap", mailbox = %m.address);
                    let task = tokio::spawn(
                        poll(mail.clone(), m, url, owner.clone(), shutdown.clone())
                            .instrument(span),
                    );
                    running.insert(id, (key, task));
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the mailboxes; will retry"),
        }
        tokio::select! {
            _ = tokio::time::sleep(RESCAN) => {}
            _ = shutdown.changed() => break,
        }
    }
    for (_, (_, task)) in running {
        let _ = task.await;
    }
}

/// Who this node is when it holds a lease: host, process and start time.
fn node_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "node".to_owned());
    format!(
        "{host}-{}-{:016x}",
        std::process::id(),
        rand::random::<u64>()
    )
}

/// Polls one mailbox while this node holds its lease: until shutdown (then the lease is
/// given back) or until another node holds it.
async fn poll(
    mail: Mail,
    mailbox: Mailbox,
    url: ImapUrl,
    owner: String,
    shutdown: watch::Receiver<bool>,
) {
    tracing::info!(owner = %owner, "polling the mailbox under this node's lease");
    tokio::select! {
        () = read_until_shutdown(&mail, &mailbox, &url, shutdown) => {
            if let Err(e) = mail.release_mailbox(mailbox.id, &owner).await {
                tracing::warn!(error = %e, "cannot give the mailbox's lease back; it runs out by itself");
            }
        }
        () = keep_lease(&mail, mailbox.id, &owner) => {
            // Whatever was being stored rolls back and stays unread on the server: the new
            // holder reads it.
            tracing::warn!("another node holds the mailbox's lease now; this node stops polling it");
        }
    }
}

/// Renews the lease every [`RENEW`]; returns once it is lost.
async fn keep_lease(mail: &Mail, mailbox_id: MailboxId, owner: &str) {
    loop {
        tokio::time::sleep(RENEW).await;
        match mail.lease_mailbox(mailbox_id, owner, LEASE).await {
            Ok(true) => {}
            Ok(false) => return,
            // The lease may still hold; the next renewal tells.
            Err(e) => tracing::warn!(error = %e, "cannot renew the mailbox's lease"),
        }
    }
}

/// Reads the mailbox until shutdown, reconnecting after failures.
async fn read_until_shutdown(
    mail: &Mail,
    mailbox: &Mailbox,
    url: &ImapUrl,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut pause = Duration::from_secs(2);
    loop {
        match session(mail, mailbox, url, &mut shutdown).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error = %e, url = %url, retry_in = ?pause, "cannot read the mailbox");
                if let Err(db) = mail
                    .record_mailbox_error(mailbox.id, Some(&e.to_string()))
                    .await
                {
                    tracing::warn!(error = %db, "cannot record the mailbox's error");
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = shutdown.changed() => return,
        }
        pause = (pause * 2).min(Duration::from_secs(300));
    }
}

#[derive(Debug, thiserror::Error)]
enum PollError {
    #[error(transparent)]
    Imap(#[from] ImapError),
    #[error("cannot store mail: {0}")]
    Desk(#[from] crate::CoreError),
}

/// One connection: read what is new, then wait, until shutdown or an error.
async fn session(
    mail: &Mail,
    mailbox: &Mailbox,
    url: &ImapUrl,
    shutdown: &mut watch::Receiver<bool>,
) -> Result<(), PollError> {
    let mut folder = Folder::open(url, COMMAND_TIMEOUT).await?;
    tracing::info!(uidvalidity = folder.uidvalidity, "IMAP folder open");
    mail.record_mailbox_error(mailbox.id, None).await?;
    loop {
        if *shutdown.borrow() {
            folder.logout().await;
            return Ok(());
        }
        read_new(mail, mailbox.id, &mut folder).await?;
        match folder.wait(WAIT, shutdown).await? {
            Some(f) => folder = f,
            None => return Ok(()),
        }
    }
}

/// Messages to fetch and store together, and how far the folder is read once they are.
#[derive(Debug, Default)]
struct Chunk {
    uids: Vec<u32>,
    bytes: usize,
    /// The highest UID this chunk and those before it cover, skipped ones included.
    through: u32,
}

/// Cuts the UIDs after `last` into chunks of at most [`CHUNK_MESSAGES`] and [`CHUNK_BYTES`],
/// leaving out (with a logged reason) messages over [`FETCH_LIMIT`]: `sizes` are the server's
/// (a UID it did not size is fetched). The position moves past skipped messages too, so they
/// never block the ones behind.
fn chunks(uids: &[u32], sizes: &[(u32, u32)], last: u32) -> Vec<Chunk> {
    let size_of = |uid: u32| {
        sizes
            .iter()
            .find(|(u, _)| *u == uid)
            .map_or(0, |(_, s)| usize::try_from(*s).unwrap_or(usize::MAX))
    };
    let mut out = Vec::new();
    let mut current = Chunk {
        through: last,
        ..Chunk::default()
    };
    for &uid in uids {
        let size = size_of(uid);
        if size > FETCH_LIMIT {
            tracing::warn!(
                uid,
                limit = FETCH_LIMIT,
                "message too large to fetch; left unread on the server"
            );
            current.through = current.through.max(uid);
            continue;
        }
        if !current.uids.is_empty()
            && (current.uids.len() >= CHUNK_MESSAGES
                || current.bytes.saturating_add(size) > CHUNK_BYTES)
        {
            let through = current.through;
            out.push(std::mem::replace(
                &mut current,
                Chunk {
                    through,
                    ..Chunk::default()
                },
            ));
        }
        current.uids.push(uid);
        current.bytes = current.bytes.saturating_add(size);
        current.through = current.through.max(uid);
    }
    if !current.uids.is_empty() || current.through > last {
        out.push(current);
    }
    out
}

/// A chunk fetched and waiting to be stored.
struct Pending {
    uids: Vec<u32>,
    through: u32,
    messages: Vec<(u32, Vec<u8>)>,
}

/// Stores every message after the stored position, a chunk at a time, flagging each chunk
/// `\Seen` only after its transaction committed. The next chunk is fetched from the server
/// while the database stores the one before, and chunks are stored in order, so the stored
/// position only moves forward.
async fn read_new(
    mail: &Mail,
    mailbox_id: MailboxId,
    folder: &mut Folder,
) -> Result<(), PollError> {
    let stored = mail
        .mailboxes(None)
        .await?
        .into_iter()
        .find(|m| m.id == mailbox_id);
    let last = match stored {
        // A new UIDVALIDITY renumbered the folder: read it all again (Message-IDs dedupe).
        Some(m) if m.imap_uidvalidity == Some(i64::from(folder.uidvalidity)) => {
            u32::try_from(m.imap_last_uid).unwrap_or(0)
        }
        _ => 0,
    };
    let uidvalidity = folder.uidvalidity;
    let uids = folder.uids_after(last).await?;
    let mut through = last;
    let mut waiting: Option<Pending> = None;
    for window in uids.chunks(SIZES_AT_ONCE) {
        let sizes = folder.sizes(window).await?;
        for chunk in chunks(window, &sizes, through) {
            through = chunk.through;
            let fetching = folder.fetch(&chunk.uids);
            let fetched = match waiting.take() {
                None => fetching.await?,
                Some(before) => {
                    let storing = store(mail, mailbox_id, uidvalidity, before);
                    let (fetched, stored) = tokio::join!(fetching, storing);
                    let uids = stored?;
                    folder.mark_seen(&uids).await?;
                    fetched?
                }
            };
            waiting = Some(Pending {
                uids: chunk.uids,
                through: chunk.through,
                messages: fetched.into_iter().map(|f| (f.uid, f.raw)).collect(),
            });
        }
    }
    if let Some(last) = waiting {
        let uids = store(mail, mailbox_id, uidvalidity, last).await?;
        folder.mark_seen(&uids).await?;
    }
    Ok(())
}

/// Stores a fetched chunk with the position it reaches; returns the UIDs to flag `\Seen`.
async fn store(
    mail: &Mail,
    mailbox_id: MailboxId,
    uidvalidity: u32,
    chunk: Pending,
) -> Result<Vec<u32>, PollError> {
    let fetched = chunk.messages.len();
    let new = mail
        .receive_imap(mailbox_id, uidvalidity, chunk.through, chunk.messages)
        .await?;
    tracing::info!(fetched, new, "IMAP messages stored");
    Ok(chunk.uids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_bounded_and_skip_oversized_messages() {
        let uids: Vec<u32> = (11..=260).collect();
        let mut sizes: Vec<(u32, u32)> = uids.iter().map(|u| (*u, 1_000)).collect();
        let huge = u32::try_from(FETCH_LIMIT + 1).expect("fits");
        sizes[0].1 = huge;
        let got = chunks(&uids, &sizes, 10);
        let counts: Vec<usize> = got.iter().map(|c| c.uids.len()).collect();
        assert_eq!(counts, [CHUNK_MESSAGES, CHUNK_MESSAGES, 49]);
        assert_eq!(got[0].uids[0], 12, "the oversized first message is skipped");
        assert_eq!(got.last().map(|c| c.through), Some(260));
        // Only a skipped message: the position still moves past it.
        let got = chunks(&[11], &[(11, huge)], 10);
        assert_eq!((got.len(), got[0].uids.len(), got[0].through), (1, 0, 11));
        // Bytes bound a chunk too; one large message still makes a chunk of its own.
        let big = u32::try_from(CHUNK_BYTES).expect("fits");
        let got = chunks(&[1, 2, 3], &[(1, 10), (2, big), (3, 10)], 0);
        let counts: Vec<usize> = got.iter().map(|c| c.uids.len()).collect();
        assert_eq!(counts, [1, 1, 1]);
        assert!(chunks(&[], &[], 10).is_empty());
    }
}
