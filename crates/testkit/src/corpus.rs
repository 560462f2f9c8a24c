//! The shared mail corpora (`shared/data/email`, beside the checkout as CI lays it out, or
//! at `$FRONTLINE_SHARED_DATA/email` for a checkout elsewhere), and the message files in
//! them, for the mail tests of every crate.

use std::path::{Path, PathBuf};

/// The folder of the shared mail corpora; panics, saying where it looked, when it is not
/// there (a corpus test that finds nothing must fail, not pass).
pub fn email_corpus() -> PathBuf {
    let dir = match std::env::var_os("FRONTLINE_SHARED_DATA") {
        Some(shared) => PathBuf::from(shared).join("email"),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/email"),
    };
    assert!(
        dir.is_dir(),
        "the shared mail corpora are expected at {} (the repository's ../shared, or set \
         FRONTLINE_SHARED_DATA)",
        dir.display()
    );
    dir
}

/// Every file below `dir` that holds a message, sorted: not the corpora's notes (SOURCE,
/// LICENSE, README), expected texts (`*_reply_text`) or hidden files and folders.
pub fn messages(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("the corpus folder {}: {e}", d.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if !(name.starts_with("SOURCE")
                || name.starts_with("LICENSE")
                || name.starts_with("README")
                || name.ends_with("_reply_text"))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
