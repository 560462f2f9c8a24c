//! Where the test messages are: the shared corpora beside the checkout (or at
//! `$FRONTLINE_SHARED_DATA/email`) and the hand-made ones in `tests/data`.

use std::path::{Path, PathBuf};

pub const MAX_BYTES: usize = 25 * 1024 * 1024;

/// The shared mail corpora: `$FRONTLINE_SHARED_DATA/email` when set (a worktree elsewhere),
/// else `../shared/data/email` beside the repository, as in CI.
pub fn corpus() -> PathBuf {
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

/// A hand-made message from `tests/data`.
pub fn data(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file below `dir` that holds a message (not the corpora's notes or expected texts).
pub fn messages(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)
            .expect("readable corpus folder")
            .flatten()
        {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if path.is_dir() {
                if !name.starts_with('.') {
                    stack.push(path);
                }
            } else if !(name.starts_with('.')
                || name.starts_with("SOURCE")
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
