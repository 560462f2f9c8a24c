//! Where SQLite and PostgreSQL differ, in one place. Everything else is shared SQL.

use crate::Conn;

impl Conn<'_> {
    /// Row lock for a read-then-write inside a transaction. SQLite has one writer at a time,
    /// so the transaction itself is the lock there.
    pub(crate) fn for_update(&self) -> &'static str {
        if self.is_postgres() {
            " FOR UPDATE"
        } else {
            ""
        }
    }

    /// Case-insensitive pattern match. SQLite's LIKE already ignores ASCII case.
    pub(crate) fn ilike(&self) -> &'static str {
        if self.is_postgres() { "ILIKE" } else { "LIKE" }
    }
}

/// Escapes `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`.
pub fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
