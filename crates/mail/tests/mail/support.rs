//! Where the test messages are: the shared corpora beside the checkout (or at
//! `$FRONTLINE_SHARED_DATA/email`) and the hand-made ones in `tests/data`.

use std::path::Path;

pub const MAX_BYTES: usize = 25 * 1024 * 1024;

pub use frontline_testkit::corpus::{email_corpus as corpus, messages};

/// A hand-made message from `tests/data`.
pub fn data(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
