//! Reading the admin forms and saying what is wrong with them: `Fields` keeps every field in
//! the order it was sent (a rule's rows repeat the same names), and `Problems` holds the
//! messages the pages show next to each field and in a summary at the top.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::CoreError;
use frontline_domain::DomainError;

use crate::error::UiError;

/// What is wrong with a form, by field (`name`, `time.minutes`, `conditions[2].value`, …).
#[derive(Default, Debug)]
pub(crate) struct Problems(Vec<(String, String)>);

impl Problems {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    pub fn into_messages(self) -> Vec<(String, String)> {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The messages about `field` and the parts below it, as one sentence.
    pub fn of(&self, field: &str) -> String {
        self.0
            .iter()
            .filter(|(f, _)| {
                f == field
                    || f.strip_prefix(field)
                        .is_some_and(|r| r.starts_with('.') || r.starts_with('['))
            })
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The messages about `field` itself, not the parts below it.
    pub fn exact(&self, field: &str) -> String {
        self.0
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Every message with the field it is about, in words, for the summary at the top.
    pub fn summary(&self) -> Vec<String> {
        self.0
            .iter()
            .map(|(f, m)| {
                let f = plain_field(f);
                if f.is_empty() {
                    m.clone()
                } else {
                    format!("{f}: {m}")
                }
            })
            .collect()
    }

    /// Takes the problems a core operation reported; any other failure is passed on.
    pub fn from_core(e: CoreError) -> Result<Self, UiError> {
        let mut p = Problems::default();
        match e {
            CoreError::Invalid(errors) => p.extend(errors),
            CoreError::Conflict(m) => p.add("", m),
            CoreError::NotFound(what) => p.add("", format!("no such {what}")),
            other => return Err(other.into()),
        }
        Ok(p)
    }

    /// [`Problems::from_core`] for a form whose conflicts are a name already taken: the
    /// message shows beside the name field.
    pub fn from_core_named(e: CoreError) -> Result<Self, UiError> {
        match e {
            CoreError::Conflict(m) => {
                let mut p = Problems::default();
                p.add("name", m);
                Ok(p)
            }
            other => Problems::from_core(other),
        }
    }

    pub fn extend(&mut self, errors: impl IntoIterator<Item = DomainError>) {
        for e in errors {
            self.add(e.field, e.message);
        }
    }
}

/// One checkbox of a group.
pub(crate) struct Check {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// Checkboxes that share a name, in a fieldset with a legend.
pub(crate) struct CheckGroup {
    pub name: &'static str,
    pub legend: &'static str,
    pub hint: &'static str,
    pub items: Vec<Check>,
}

impl CheckGroup {
    pub fn new<I, V, L>(
        name: &'static str,
        legend: &'static str,
        hint: &'static str,
        items: I,
        checked: &[String],
    ) -> Self
    where
        I: IntoIterator<Item = (V, L)>,
        V: Into<String>,
        L: Into<String>,
    {
        let items = items
            .into_iter()
            .map(|(v, l)| {
                let value = v.into();
                Check {
                    checked: checked.contains(&value),
                    value,
                    label: l.into(),
                }
            })
            .collect();
        Self {
            name,
            legend,
            hint,
            items,
        }
    }
}

/// `conditions[0].value` as "Condition 1, value"; `warn_at_percent` as "warn at percent".
fn plain_field(field: &str) -> String {
    let mut out = Vec::new();
    for part in field.split('.') {
        let word = match part.split_once('[') {
            Some((list, rest)) => {
                let n: usize = rest.trim_end_matches(']').parse().unwrap_or(0);
                let noun = match list {
                    "conditions" => "Condition",
                    "actions" => "Action",
                    other => other,
                };
                format!("{noun} {}", n + 1)
            }
            None => match part {
                "mon" => "Monday".into(),
                "tue" => "Tuesday".into(),
                "wed" => "Wednesday".into(),
                "thu" => "Thursday".into(),
                "fri" => "Friday".into(),
                "sat" => "Saturday".into(),
                "sun" => "Sunday".into(),
                "dates" => "Holidays on one date".into(),
                "yearly" => "Holidays every year".into(),
                other => other.replace('_', " "),
            },
        };
        if !word.is_empty() {
            out.push(word);
        }
    }
    out.join(", ")
}

/// The answer to a form that writes: on to `saved_to` when `outcome` says it was written,
/// otherwise the form again (422), which `again` renders with what is wrong.
pub(crate) async fn answer(
    outcome: Result<(), Problems>,
    saved_to: &str,
    again: impl AsyncFnOnce(Problems) -> Result<String, UiError>,
) -> Result<Response, UiError> {
    match outcome {
        Ok(()) => Ok(Redirect::to(saved_to).into_response()),
        Err(p) => {
            let html = again(p).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

/// The order of `ids` (an ordered list: SLA policies, rules) with `id` one place earlier (`up`) or later; unchanged at the ends.
pub(crate) fn moved<I: PartialEq>(mut ids: Vec<I>, id: I, up: bool) -> Option<Vec<I>> {
    let i = ids.iter().position(|x| *x == id)?;
    let j = if up { i.checked_sub(1)? } else { i + 1 };
    if j >= ids.len() {
        return None;
    }
    ids.swap(i, j);
    Some(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_found_by_field_and_below() {
        let mut p = Problems::default();
        p.add("conditions[1].value", "needs a text");
        p.add("conditions[10]", "unknown");
        p.add("name", "empty");
        assert_eq!(p.of("conditions[1]"), "needs a text");
        assert_eq!(p.of("conditions"), "needs a text; unknown");
        assert_eq!(p.of("name"), "empty");
        assert_eq!(p.of("time"), "");
        assert_eq!(
            p.summary(),
            [
                "Condition 2, value: needs a text",
                "Condition 11: unknown",
                "name: empty"
            ]
        );
    }

    #[test]
    fn moving_swaps_with_the_neighbour_and_stops_at_the_ends() {
        assert_eq!(moved(vec![1, 2, 3], 2, true), Some(vec![2, 1, 3]));
        assert_eq!(moved(vec![1, 2, 3], 2, false), Some(vec![1, 3, 2]));
        assert_eq!(moved(vec![1, 2, 3], 1, true), None);
        assert_eq!(moved(vec![1, 2, 3], 3, false), None);
        assert_eq!(moved(vec![1, 2, 3], 9, true), None);
    }
}
