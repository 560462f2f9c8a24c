//! Every message of the shared mail corpora (see each folder's SOURCE.txt) goes through the
//! real ingest on SQLite and on PostgreSQL: each one is stored, then becomes a ticket, a
//! comment or a note, or is ignored or quarantined with a reason. None fails the job (which
//! would retry it forever), whatever its charset, encoding, NUL bytes or broken headers.

use std::collections::BTreeMap;

use frontline_core::{CoreError, Desk};
use frontline_store::Store;

use crate::mail_support::{email_corpus, messages, smtp};

frontline_testkit::stories!(every_corpus_message_has_an_outcome);

async fn every_corpus_message_has_an_outcome(store: &Store) -> Result<(), CoreError> {
    store.migrate().await?;
    let desk = Desk::new(store.clone());
    let root = email_corpus();
    assert!(root.is_dir(), "the shared corpora at {}", root.display());
    let files = messages(&root);
    assert!(files.len() > 300, "only {} messages found", files.len());
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for path in &files {
        let raw = std::fs::read(path).expect("a readable message");
        let Some(id) = desk.mail().receive_mail(smtp(raw)).await? else {
            *outcomes.entry("copy".into()).or_default() += 1;
            continue;
        };
        let mut tx = desk.store().begin().await?;
        let outcome = desk
            .mail()
            .ingest_mail(&mut tx.conn(), id)
            .await
            .unwrap_or_else(|e| panic!("{} failed to ingest: {e}", path.display()));
        tx.commit().await?;
        let outcome = outcome.expect("a stored message is ingested");
        if matches!(outcome.state.as_str(), "ignored" | "quarantined") {
            assert!(
                outcome.reason.as_deref().is_some_and(|r| !r.is_empty()),
                "{}: {} without a reason",
                path.display(),
                outcome.state
            );
        } else {
            assert!(
                outcome.ticket_id.is_some(),
                "{}: {outcome:?}",
                path.display()
            );
        }
        let why = outcome
            .reason
            .as_deref()
            .map(|r| r.split([':', ' ']).next().unwrap_or_default().to_owned());
        // CORPUS_DETAIL=1 lists every message's outcome.
        if std::env::var_os("CORPUS_DETAIL").is_some() {
            eprintln!("{} {} {:?}", path.display(), outcome.state, outcome.reason);
        }
        let key = match why {
            Some(w) => format!("{} ({w})", outcome.state),
            None => outcome.state.to_string(),
        };
        *outcomes.entry(key).or_default() += 1;
    }
    eprintln!("{} messages: {outcomes:?}", files.len());
    // Most of the SpamAssassin sample is 2002 list traffic (Precedence: bulk, List-*), and
    // the reply corpora hold bare bodies without headers: those are rightly not tickets.
    let tickets = outcomes.get("ticket").copied().unwrap_or(0);
    assert!(tickets >= 150, "only {tickets} tickets: {outcomes:?}");
    Ok(())
}
