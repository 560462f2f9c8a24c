//! Text and prefix matching that means the same on SQLite and PostgreSQL.
//!
//! A text filter (`q`) is split into terms: words separated by white space, or a "quoted
//! phrase"; a ticket matches when every term, in any order, is in its subject or description,
//! letter case ignored in every script. PostgreSQL's `ILIKE` folds case beyond ASCII; SQLite's
//! `LIKE` and `lower()` fold ASCII only, so there a term with other letters is also matched by
//! a `GLOB` whose classes hold each letter's cases (`écran` → `*[éÉ][cC][rR][aA][nN]*`), behind
//! a `LIKE` that narrows the rows first (`%_cran%`). No extra column, writes stay as they are,
//! and ASCII terms run the `LIKE` they always did. Measured on 200,000 rows in one scan: an
//! ASCII term 140 ms, `écran` 187 ms, a term without ASCII letters (`ошибка`, GLOB alone)
//! 810 ms — until the search engine lands. Category subtrees keep their case: `GLOB` on SQLite (whose `LIKE` would fold
//! ASCII), `LIKE` on PostgreSQL.

use crate::dialect::like_escape;

/// The terms of a text filter: words, and "quoted phrases" kept whole (an unclosed quote runs
/// to the end). Empty when the text has nothing to search for.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, part) in text.split('"').enumerate() {
        if i % 2 == 1 {
            let phrase = part.split_whitespace().collect::<Vec<_>>().join(" ");
            if !phrase.is_empty() {
                out.push(phrase);
            }
        } else {
            out.extend(part.split_whitespace().map(str::to_owned));
        }
    }
    out
}

/// The condition that every term of `text` is in one of `columns`, with each pattern bound
/// through `bind` (which answers the placeholder); `None` when there is no term.
pub(crate) fn all_terms(
    postgres: bool,
    columns: &[&str],
    text: &str,
    bind: &mut dyn FnMut(String) -> String,
) -> Option<String> {
    all_terms_in(postgres, columns, None, text, bind)
}

/// [`all_terms`], where a term may also be in one of the comments (replies and notes) of the
/// ticket whose id is the column `comments_of`.
pub(crate) fn all_terms_in(
    postgres: bool,
    columns: &[&str],
    comments_of: Option<&str>,
    text: &str,
    bind: &mut dyn FnMut(String) -> String,
) -> Option<String> {
    let clauses: Vec<String> = terms(text)
        .iter()
        .map(|term| {
            let pattern = Pattern::bound(postgres, term, bind);
            let mut any: Vec<String> = columns.iter().map(|c| pattern.on(c)).collect();
            if let Some(id) = comments_of {
                // Asked per ticket, through comments_ticket, as the list walks its order's
                // index: PostgreSQL would turn an EXISTS into a semi-join that reads every
                // comment (5.8 s a page at 1M tickets); a scalar subquery with a LIMIT it
                // keeps as a subplan. SQLite runs either per row.
                any.push(format!(
                    "(SELECT 1 FROM comments cm WHERE cm.ticket_id = {id} AND {} LIMIT 1) \
                     IS NOT NULL",
                    pattern.on("cm.body")
                ));
            }
            format!("({})", any.join(" OR "))
        })
        .collect();
    (!clauses.is_empty()).then(|| clauses.join(" AND "))
}

/// One term's bound patterns, to be matched against any column.
enum Pattern {
    /// `ILIKE` (PostgreSQL) or `LIKE` (SQLite, an ASCII term) with this placeholder.
    Like { op: &'static str, m: String },
    /// SQLite, a term beyond ASCII: a rough `LIKE` first, with `_` for each letter beyond
    /// ASCII, so the slower `GLOB` only reads the rows that could match.
    Glob { rough: String, exact: String },
}

impl Pattern {
    fn bound(postgres: bool, term: &str, bind: &mut dyn FnMut(String) -> String) -> Self {
        if postgres || term.is_ascii() {
            // PostgreSQL's ILIKE folds every script; SQLite's LIKE folds ASCII, all an ASCII
            // term needs.
            let op = if postgres { "ILIKE" } else { "LIKE" };
            Pattern::Like {
                op,
                m: bind(format!("%{}%", like_escape(term))),
            }
        } else {
            Pattern::Glob {
                rough: bind(format!("%{}%", rough_like(term))),
                exact: bind(format!("*{}*", any_case_glob(term))),
            }
        }
    }

    fn on(&self, c: &str) -> String {
        match self {
            Pattern::Like { op, m } => format!("{c} {op} {m} ESCAPE '\\'"),
            Pattern::Glob { rough, exact } => {
                format!("({c} LIKE {rough} ESCAPE '\\' AND {c} GLOB {exact})")
            }
        }
    }
}

/// A LIKE pattern that every case of `text` matches: ASCII as it is (LIKE folds it), `_` for
/// each other letter that has cases.
fn rough_like(text: &str) -> String {
    text.chars()
        .map(|c| {
            if !c.is_ascii() && any_case_glob(&c.to_string()).starts_with('[') {
                "_".to_owned()
            } else {
                like_escape(&c.to_string())
            }
        })
        .collect()
}

/// The condition that `column` starts with `prefix`, case kept.
pub(crate) fn starts_with(
    postgres: bool,
    column: &str,
    prefix: &str,
    bind: &mut dyn FnMut(String) -> String,
) -> String {
    if postgres {
        let m = bind(format!("{}%", like_escape(prefix)));
        format!("{column} LIKE {m} ESCAPE '\\'")
    } else {
        let m = bind(format!("{}*", glob_escape(prefix)));
        format!("{column} GLOB {m}")
    }
}

/// `text` as a GLOB pattern matching itself exactly.
fn glob_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        push_literal(&mut out, c);
    }
    out
}

/// `text` as a GLOB pattern matching it in any letter case.
fn any_case_glob(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 4);
    for c in text.chars() {
        let mut cases = vec![c];
        for other in [single(c.to_lowercase()), single(c.to_uppercase())]
            .into_iter()
            .flatten()
        {
            if !cases.contains(&other) {
                cases.push(other);
            }
        }
        if cases.len() == 1 {
            push_literal(&mut out, c);
        } else {
            // Letters with case are never `]`, `^` or `-`, the characters special in a class.
            out.push('[');
            out.extend(cases);
            out.push(']');
        }
    }
    out
}

/// The one character a case mapping gives, or `None` when it gives several (`ß` → `SS`).
fn single(mut mapped: impl Iterator<Item = char>) -> Option<char> {
    let first = mapped.next()?;
    mapped.next().is_none().then_some(first)
}

/// `c` matching itself: GLOB's wildcards and `[` go into a class of their own.
fn push_literal(out: &mut String, c: char) {
    if matches!(c, '*' | '?' | '[') {
        out.push('[');
        out.push(c);
        out.push(']');
    } else {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_phrases() {
        assert_eq!(terms("  reset   password "), ["reset", "password"]);
        assert_eq!(
            terms(r#"vpn "password  reset" now"#),
            ["vpn", "password reset", "now"]
        );
        assert_eq!(terms(r#"unclosed "quote here"#), ["unclosed", "quote here"]);
        assert!(terms(r#" "" "#).is_empty());
    }

    #[test]
    fn glob_patterns_fold_case_and_keep_wildcards_literal() {
        assert_eq!(any_case_glob("Écran"), "[Éé][cC][rR][aA][nN]");
        assert_eq!(any_case_glob("100%*?[x]"), "100%[*][?][[][xX]]");
        assert_eq!(any_case_glob("ß"), "ß");
        assert_eq!(glob_escape("a*b/"), "a[*]b/");
        assert_eq!(rough_like("Écran_1%"), r"_cran\_1\%");
        assert_eq!(rough_like("ß€"), "ß€");
    }

    #[test]
    fn every_term_must_match_in_some_column() {
        let mut n = 0;
        let mut bind = |_: String| {
            n += 1;
            format!("${n}")
        };
        assert_eq!(
            all_terms(false, &["s", "d"], "a b", &mut bind).as_deref(),
            Some(
                r"(s LIKE $1 ESCAPE '\' OR d LIKE $1 ESCAPE '\') AND (s LIKE $2 ESCAPE '\' OR d LIKE $2 ESCAPE '\')"
            )
        );
        assert_eq!(
            all_terms(false, &["s"], "é", &mut bind).as_deref(),
            Some(r"((s LIKE $3 ESCAPE '\' AND s GLOB $4))")
        );
        assert_eq!(all_terms(true, &["s"], "  ", &mut bind), None);
    }
}
