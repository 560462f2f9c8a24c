//! Every message of the shared corpora read by `frontline_mail::parse` and compared with
//! what CPython's email package (policy `default`) reads from the same bytes, recorded in
//! tests/data/cpython_expect.json by scripts/mail_expect.py: the subject (whitespace
//! collapsed), the sender's address, text wherever CPython finds a body, and the same set of
//! file names (both made safe as `FileName`s; unnamed files are not compared).
//!
//! Where our reading differs on purpose, or CPython's is wrong, the file is listed in
//! `DIFFERENCES` with the reason; a listed file that comes to agree must leave the list.

use std::collections::BTreeSet;

use frontline_domain::FileName;
use frontline_mail::parse;
use serde_json::Value;

use crate::support::{MAX_BYTES, corpus};

const EXPECT: &str = include_str!("../data/cpython_expect.json");

/// Files where the two readings differ, each with why that is right.
const DIFFERENCES: &[(&str, &str)] = &[
    (
        "php-mime-parser-fixtures/issue126",
        "two Content-Type headers: CPython takes the first (text/plain, the MIME source as text), mail-parser the last (multipart: a preamble and a file)",
    ),
    (
        "php-mime-parser-fixtures/issue84",
        "a stray line among the headers: CPython starts the body there (no From, no Subject), we read on as fields follow",
    ),
    (
        "php-mime-parser-fixtures/issue133",
        "unquoted filename=attach/01: CPython stops at the '/', we keep the last path component",
    ),
    (
        "php-mime-parser-fixtures/issue149",
        "iso-8859-8-i subject: CPython has no codec by that name (U+FFFD), we read the Hebrew",
    ),
    (
        "ruby-mail-fixtures/attachment_emails/attachment_with_base64_encoded_name.eml",
        "unquoted name==?utf-8?B?...?=: CPython finds no name, we decode it",
    ),
    (
        "ruby-mail-fixtures/attachment_emails/attachment_with_unquoted_name.eml",
        "unquoted name with spaces: CPython keeps the first word, we the whole name",
    ),
    (
        "ruby-mail-fixtures/plain_emails/raw_email_incorrect_header.eml",
        "a stray line among the headers: CPython starts the body there (no From, no Subject), we read on as fields follow",
    ),
    (
        "ruby-mail-fixtures/mime_emails/raw_email_with_binary_encoded.eml",
        "unquoted boundary with '=': CPython does not split the parts and loses the image",
    ),
    (
        "ruby-mail-fixtures/plain_emails/mix_caps_content_type.eml",
        "From: Big Bug bb@bug.com (no angle brackets): neither reading is the address",
    ),
    (
        "ruby-mail-fixtures/plain_emails/raw_email_multiple_from.eml",
        "From: two bare addresses: CPython takes the first, mail-parser joins them",
    ),
    (
        "ruby-mail-fixtures/rfc2822/example13.eml",
        "obsolete From with a comment and spaces in the domain: CPython reads no address, mail-parser keeps the spaces",
    ),
];

/// What one message's reading disagrees on, in words; empty when it agrees.
fn disagreements(expect: &Value, raw: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let str_of = |key: &str| expect[key].as_str().map(str::to_owned);
    let ours = match parse(raw, MAX_BYTES) {
        Ok(m) => m,
        Err(e) => {
            if str_of("from").is_some() {
                out.push(format!("refused ({e}) where CPython reads a sender"));
            }
            return out;
        }
    };
    let subject = collapse(&ours.subject);
    let theirs = str_of("subject").unwrap_or_default();
    if subject != theirs {
        out.push(format!("subject {subject:?}, CPython {theirs:?}"));
    }
    if str_of("from").as_deref() != Some(ours.from.address.as_str()) {
        out.push(format!(
            "sender {:?}, CPython {:?}",
            ours.from.address,
            str_of("from")
        ));
    }
    if expect["has_text"].as_bool() == Some(true) && ours.text.trim().is_empty() {
        out.push("no text where CPython reads a body".into());
    }
    let ours_names: BTreeSet<String> = ours
        .attachments
        .iter()
        .map(|a| a.filename.clone())
        .filter(|n| !is_numbered(n))
        .collect();
    let theirs_names: BTreeSet<String> = expect["attachments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(FileName::parse)
        .map(FileName::into_string)
        .collect();
    if ours_names != theirs_names {
        out.push(format!("files {ours_names:?}, CPython {theirs_names:?}"));
    }
    out
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The name given to a file sent without one.
fn is_numbered(name: &str) -> bool {
    name.strip_prefix("attachment-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[test]
fn every_corpus_message_reads_as_cpython_reads_it() {
    let root = corpus();
    let expect: Vec<Value> = serde_json::from_str(EXPECT).expect("the fixture is JSON");
    assert!(
        expect.len() > 500,
        "only {} messages in the fixture",
        expect.len()
    );
    let (mut agree, mut compared) = (0, 0);
    let mut unexpected = Vec::new();
    let mut listed_but_agreeing = Vec::new();
    for e in &expect {
        let file = e["file"].as_str().expect("every entry names its file");
        if e.get("error").is_some() {
            continue; // CPython could not read it: nothing to compare with
        }
        let raw = std::fs::read(root.join(file)).unwrap_or_else(|err| panic!("{file}: {err}"));
        compared += 1;
        let found = disagreements(e, &raw);
        let listed = DIFFERENCES.iter().any(|(f, _)| *f == file);
        match (found.is_empty(), listed) {
            (true, false) => agree += 1,
            (true, true) => listed_but_agreeing.push(file),
            (false, true) => {}
            (false, false) => unexpected.push(format!("{file}: {}", found.join("; "))),
        }
    }
    println!(
        "{agree} of {compared} corpus messages read as CPython reads them, {} listed differences",
        DIFFERENCES.len()
    );
    assert!(
        unexpected.is_empty(),
        "{} messages read otherwise than CPython reads them:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(
        listed_but_agreeing.is_empty(),
        "these now agree with CPython; take them off DIFFERENCES: {listed_but_agreeing:?}"
    );
}
