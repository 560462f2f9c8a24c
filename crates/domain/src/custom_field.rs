//! Custom fields an admin defines per ticket type, and the validation of their values.
//!
//! A value is checked on every write against its definition and normalised, so that filters
//! compare like with like: numbers in their shortest form, dates as `YYYY-MM-DD`, booleans as
//! `true`/`false`, a multi-select as one indexed value per option.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{DomainError, TicketType};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Number,
    Date,
    Select,
    MultiSelect,
    Checkbox,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldDef {
    /// The name used in JSON and in filters (`cf.<key>`): lower case, digits and `_`.
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    /// The choices of a select or multi-select.
    #[serde(default)]
    pub options: Vec<String>,
    /// The ticket types the field applies to; empty means all.
    #[serde(default)]
    pub ticket_types: Vec<TicketType>,
    #[serde(default)]
    pub required: bool,
}

impl CustomFieldDef {
    /// Checks the definition itself.
    pub fn validate(&self) -> Result<(), DomainError> {
        let key_ok = !self.key.is_empty()
            && self.key.len() <= 40
            && self.key.starts_with(|c: char| c.is_ascii_lowercase())
            && self
                .key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok {
            return Err(DomainError::new(
                "key",
                "must start with a letter and use only a-z, 0-9 and _ (at most 40)",
            ));
        }
        crate::text::clean_text("label", &self.label, 100, false)?;
        let selects = matches!(self.kind, FieldKind::Select | FieldKind::MultiSelect);
        if selects && self.options.is_empty() {
            return Err(DomainError::new(
                "options",
                "a select field needs at least one option",
            ));
        }
        if !selects && !self.options.is_empty() {
            return Err(DomainError::new(
                "options",
                "only select fields have options",
            ));
        }
        for (i, o) in self.options.iter().enumerate() {
            crate::text::clean_text("options", o, 100, false)?;
            if self.options[..i].contains(o) {
                return Err(DomainError::new(
                    "options",
                    format!("{o:?} is listed twice"),
                ));
            }
        }
        Ok(())
    }

    pub fn applies_to(&self, ticket_type: TicketType) -> bool {
        self.ticket_types.is_empty() || self.ticket_types.contains(&ticket_type)
    }

    /// Checks one value and returns it normalised, with the strings to index for filters.
    /// `null` clears the field.
    pub fn normalise(&self, value: &Value) -> Result<(Value, Vec<String>), DomainError> {
        let field = format!("custom_fields.{}", self.key);
        let err = |m: &str| DomainError::new(field.clone(), m.to_owned());
        if value.is_null() {
            return if self.required {
                Err(err("is required"))
            } else {
                Ok((Value::Null, Vec::new()))
            };
        }
        match self.kind {
            FieldKind::Text => {
                let s = value.as_str().ok_or_else(|| err("must be text"))?;
                let s = crate::text::clean_text(&field, s, 2000, true)?;
                let index = vec![s.chars().take(200).collect()];
                Ok((Value::String(s), index))
            }
            FieldKind::Number => {
                let n = value
                    .as_f64()
                    .filter(|n| n.is_finite())
                    .ok_or_else(|| err("must be a number"))?;
                Ok((value.clone(), vec![number_key(n)]))
            }
            FieldKind::Date => {
                let s = value
                    .as_str()
                    .ok_or_else(|| err("must be a date such as 2026-03-31"))?;
                let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| err("must be a date such as 2026-03-31"))?;
                let s = d.format("%Y-%m-%d").to_string();
                Ok((Value::String(s.clone()), vec![s]))
            }
            FieldKind::Checkbox => {
                let b = value
                    .as_bool()
                    .ok_or_else(|| err("must be true or false"))?;
                Ok((Value::Bool(b), vec![b.to_string()]))
            }
            FieldKind::Select => {
                let s = value
                    .as_str()
                    .ok_or_else(|| err("must be one of the options"))?;
                self.option(s, &field)?;
                Ok((value.clone(), vec![s.to_owned()]))
            }
            FieldKind::MultiSelect => {
                let items = value
                    .as_array()
                    .ok_or_else(|| err("must be a list of options"))?;
                let mut chosen: Vec<String> = Vec::new();
                for item in items {
                    let s = item
                        .as_str()
                        .ok_or_else(|| err("must be a list of options"))?;
                    self.option(s, &field)?;
                    if !chosen.iter().any(|c| c == s) {
                        chosen.push(s.to_owned());
                    }
                }
                if self.required && chosen.is_empty() {
                    return Err(err("is required"));
                }
                let normalised = Value::Array(chosen.iter().cloned().map(Value::String).collect());
                Ok((normalised, chosen))
            }
        }
    }

    /// Normalises a filter value from a query string the way stored values are indexed.
    pub fn filter_key(&self, text: &str) -> Result<String, DomainError> {
        let field = format!("cf.{}", self.key);
        match self.kind {
            FieldKind::Number => text
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(number_key)
                .ok_or_else(|| DomainError::new(field, "must be a number")),
            FieldKind::Checkbox => match text {
                "true" | "false" => Ok(text.to_owned()),
                _ => Err(DomainError::new(field, "must be true or false")),
            },
            FieldKind::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|d| d.format("%Y-%m-%d").to_string())
                .map_err(|_| DomainError::new(field, "must be a date such as 2026-03-31")),
            FieldKind::Select | FieldKind::MultiSelect => {
                self.option(text, &field)?;
                Ok(text.to_owned())
            }
            FieldKind::Text => Ok(text.chars().take(200).collect()),
        }
    }

    fn option(&self, s: &str, field: &str) -> Result<(), DomainError> {
        if self.options.iter().any(|o| o == s) {
            Ok(())
        } else {
            Err(DomainError::new(
                field,
                format!("{s:?} is not one of: {}", self.options.join(", ")),
            ))
        }
    }
}

fn number_key(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def(kind: FieldKind, options: &[&str]) -> CustomFieldDef {
        CustomFieldDef {
            key: "f".into(),
            label: "F".into(),
            kind,
            options: options.iter().map(|s| s.to_string()).collect(),
            ticket_types: vec![],
            required: false,
        }
    }

    #[test]
    fn each_kind_accepts_its_own_values_only() {
        let cases = [
            (def(FieldKind::Text, &[]), json!("hello"), json!(3)),
            (def(FieldKind::Number, &[]), json!(2.5), json!("2.5")),
            (
                def(FieldKind::Date, &[]),
                json!("2026-02-28"),
                json!("2026-02-30"),
            ),
            (def(FieldKind::Checkbox, &[]), json!(true), json!("yes")),
            (def(FieldKind::Select, &["a", "b"]), json!("a"), json!("c")),
            (
                def(FieldKind::MultiSelect, &["a", "b"]),
                json!(["a", "b"]),
                json!(["a", "z"]),
            ),
        ];
        for (d, good, bad) in cases {
            assert!(d.validate().is_ok());
            assert!(d.normalise(&good).is_ok(), "{:?} {good}", d.kind);
            assert!(d.normalise(&bad).is_err(), "{:?} {bad}", d.kind);
        }
    }

    #[test]
    fn numbers_index_the_same_from_json_and_query() {
        let d = def(FieldKind::Number, &[]);
        let (_, idx) = d.normalise(&json!(4.0)).unwrap_or_default();
        assert_eq!(idx, vec![d.filter_key("4").unwrap_or_default()]);
    }

    #[test]
    fn multi_select_drops_repeats() {
        let d = def(FieldKind::MultiSelect, &["a", "b"]);
        let (v, idx) = d.normalise(&json!(["a", "a", "b"])).unwrap_or_default();
        assert_eq!(v, json!(["a", "b"]));
        assert_eq!(idx, vec!["a", "b"]);
    }

    #[test]
    fn required_fields_cannot_be_cleared() {
        let mut d = def(FieldKind::Text, &[]);
        d.required = true;
        assert!(d.normalise(&Value::Null).is_err());
    }

    #[test]
    fn bad_definitions_are_refused() {
        assert!(def(FieldKind::Select, &[]).validate().is_err());
        assert!(def(FieldKind::Text, &["a"]).validate().is_err());
        assert!(def(FieldKind::Select, &["a", "a"]).validate().is_err());
        let mut d = def(FieldKind::Text, &[]);
        d.key = "Bad Key".into();
        assert!(d.validate().is_err());
    }
}
