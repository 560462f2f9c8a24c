//! Where SQLite and PostgreSQL differ, in one place. Everything else is shared SQL.

use frontline_domain::Status;
use frontline_domain::ticket_list::SlaFilter;

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

/// `LIMIT n` with the number written into the SQL. Not bound: SQLite (3.47 and later) reads a
/// bound LIMIT while it plans and then plans the statement again whenever it is bound anew,
/// which is on every run; measured on the console at 100,000 tickets, re-parsing took 12% of
/// the server's time. The few limits the desk uses each keep their own cached statement.
pub fn limit(n: i64) -> String {
    format!("LIMIT {}", n.max(0))
}

/// The clause for tickets in SLA state `sla`, reading the `tickets` columns under `prefix`
/// (`"t."` or `""`), with the due time as the SLA queue index orders it (none last) so the
/// range it reads is bounded; `bind` binds a value and returns its placeholder.
pub fn sla_clause(prefix: &str, sla: SlaFilter, mut bind: impl FnMut(i64) -> String) -> String {
    match sla {
        SlaFilter::Breached => format!("{prefix}sla_breached"),
        SlaFilter::DueBetween { after, until } => {
            let due = format!("COALESCE({prefix}sla_due_at, {})", i64::MAX);
            let a = bind(after.as_micros());
            let u = bind(until.as_micros());
            format!("{due} > {a} AND {due} <= {u}")
        }
    }
}

/// `LIMIT` for the statements built with their values bound as they go (the ticket list and
/// the console's counts): written in on SQLite, as [`limit`] says, and bound on PostgreSQL
/// through `bind`. On PostgreSQL the written limit made the queue's pages by cursor 1.3 times
/// and the console's pages 1.1 to 1.4 times slower at 100,000 tickets (alternating runs of
/// the README's bench, 2026-12-04); bound, they are as fast as before the change.
pub fn limit_bound(pg: bool, n: i64, bind: impl FnOnce(i64) -> String) -> String {
    if pg {
        format!("LIMIT {}", bind(n.max(0)))
    } else {
        limit(n)
    }
}

/// `column IN (…)` over ticket statuses, with the statuses written into the SQL as literals
/// (`'open'`). Not bound: the partial indexes on `status <> 'closed'` make SQLite check
/// whether a bound status implies their condition, and then plan the statement again whenever
/// that value changes — a tenth of the console's time at 1,000,000 tickets.
pub fn status_in(column: &str, statuses: &[Status]) -> String {
    let literals: Vec<String> = statuses
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    format!("{column} IN ({})", literals.join(", "))
}

#[cfg(test)]
mod status_tests {
    use frontline_domain::Status;

    use super::status_in;

    #[test]
    fn statuses_are_literals() {
        assert_eq!(
            status_in("t.status", &[Status::Open, Status::Pending]),
            "t.status IN ('open', 'pending')"
        );
    }
}
