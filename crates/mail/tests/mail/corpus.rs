//! Real mail from the shared corpora (see each folder's SOURCE.txt): every message is read
//! without a panic and either becomes something a ticket can use or is refused with a reason;
//! replies from a dozen mail clients come down to what their sender wrote; bounces, list
//! mail and attachments are recognised.

use frontline_mail::{Automatic, parse};

use crate::support::{MAX_BYTES, corpus, messages};

#[test]
fn every_message_is_read_or_refused_with_a_reason() {
    let root = corpus();
    let mut read = 0;
    let mut refused = Vec::new();
    for folder in [
        "php-mime-parser-fixtures",
        "ruby-mail-fixtures",
        "spamassassin-ham-sample",
        "talon-replies/standard_replies",
    ] {
        for path in messages(&root.join(folder)) {
            if path.to_string_lossy().ends_with("_reply_text") {
                continue;
            }
            let raw = std::fs::read(&path).expect("readable message");
            let outcome = std::panic::catch_unwind(|| parse(&raw, MAX_BYTES))
                .unwrap_or_else(|_| panic!("parsing {} panicked", path.display()));
            match outcome {
                Ok(m) => {
                    assert!(
                        m.from.address.contains('@'),
                        "{}: sender {:?}",
                        path.display(),
                        m.from
                    );
                    assert!(
                        m.html
                            .as_deref()
                            .is_none_or(|h| !h.to_lowercase().contains("<script")),
                        "{}: a script survived sanitizing",
                        path.display()
                    );
                    read += 1;
                }
                Err(reason) => refused.push(format!("{}: {reason}", path.display())),
            }
        }
    }
    println!(
        "{read} messages read, {} refused:\n{}",
        refused.len(),
        refused.join("\n")
    );
    // The corpora hold a few deliberately broken messages; nearly all are real mail.
    assert!(read >= 500, "only {read} messages read");
    assert!(
        refused.len() * 20 <= read,
        "too many refused: {}",
        refused.len()
    );
}

#[test]
fn list_and_bulk_mail_is_recognised() {
    let dir = corpus().join("spamassassin-ham-sample");
    let (mut list, mut total) = (0, 0);
    for path in messages(&dir) {
        if let Ok(m) = parse(&std::fs::read(&path).expect("readable"), MAX_BYTES) {
            total += 1;
            if matches!(m.automatic, Some(Automatic::List | Automatic::Bulk)) {
                list += 1;
            }
        }
    }
    // 307 of the sample's 400 messages say in their headers that they are list or bulk mail
    // (List-*, Mailing-List, X-BeenThere or Precedence; Python's email package counts the
    // same). The other 93 carry no such header: 74 of them are the corpus's "hard ham"
    // newsletters, 19 are personal mail.
    assert!(total >= 399, "only {total} of the sample parsed");
    assert!(
        list >= 307,
        "{list} of {total} recognised as list or bulk mail"
    );
}

#[test]
fn replies_from_a_dozen_clients_come_down_to_what_was_written() {
    let dir = corpus().join("talon-replies/standard_replies");
    let mut checked = 0;
    for path in messages(&dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
    {
        let m = parse(&std::fs::read(&path).expect("readable"), MAX_BYTES).expect("a reply");
        // Every one of these answers "Hello" above or below the quoted "Hi" (talon's fixtures).
        assert_eq!(m.reply, "Hello", "{}:\n{}", path.display(), m.text);
        checked += 1;
    }
    assert_eq!(checked, 12);
}

#[test]
fn bounces_name_the_mail_that_bounced() {
    let dir = corpus().join("ruby-mail-fixtures/multipart_report_emails");
    let mut bounces = 0;
    let mut with_ids = 0;
    for path in messages(&dir) {
        let Ok(m) = parse(&std::fs::read(&path).expect("readable"), MAX_BYTES) else {
            continue;
        };
        if m.automatic == Some(Automatic::Bounce) {
            bounces += 1;
            with_ids += usize::from(!m.bounced_ids.is_empty());
        }
    }
    assert!(bounces >= 3, "only {bounces} bounces recognised");
    assert!(with_ids >= 1, "no bounce named the original message");
}

#[test]
fn attachments_are_kept() {
    let dir = corpus().join("ruby-mail-fixtures/attachment_emails");
    let mut files = 0;
    for path in messages(&dir) {
        if let Ok(m) = parse(&std::fs::read(&path).expect("readable"), MAX_BYTES) {
            for a in &m.attachments {
                assert!(
                    !a.filename.is_empty() && a.content_type.contains('/'),
                    "{}: {a:?}",
                    path.display()
                );
                files += usize::from(!a.data.is_empty());
            }
        }
    }
    assert!(files >= 5, "only {files} attachments with content");
}

#[test]
fn oversized_and_empty_messages_are_refused() {
    assert!(matches!(
        parse(&[b'a'; 100], 10),
        Err(frontline_mail::Refusal::TooLarge { .. })
    ));
    assert!(parse(b"", MAX_BYTES).is_err());
    assert!(matches!(
        parse(b"Subject: no sender\r\n\r\nbody", MAX_BYTES),
        Err(frontline_mail::Refusal::NoSender)
    ));
}
