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

/// `column IN (…)` over ticket statuses, with the statuses written into the SQL as literals
/// (`'open'`); a text that is no status becomes `NULL`, which matches nothing, as a bound value
/// would. Not bound: the partial indexes on `status <> 'closed'` make SQLite check whether a
/// bound status implies their condition, and then plan the statement again whenever that
/// value changes — a tenth of the console's time at 1,000,000 tickets.
pub fn status_in(column: &str, statuses: &[String]) -> String {
    let literals: Vec<String> = statuses
        .iter()
        .map(|text| {
            frontline_domain::Status::ALL
                .iter()
                .find(|s| s.as_str() == text)
                .map_or_else(|| "NULL".to_owned(), |s| format!("'{}'", s.as_str()))
        })
        .collect();
    format!("{column} IN ({})", literals.join(", "))
}

#[cfg(test)]
mod status_tests {
    use super::status_in;

    #[test]
    fn statuses_are_literals_and_strangers_match_nothing() {
        let statuses = ["open".to_owned(), "x') OR 1=1 --".to_owned()];
        assert_eq!(
            status_in("t.status", &statuses),
            "t.status IN ('open', NULL)"
        );
    }
}
