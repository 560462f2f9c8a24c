//! What the ticket page's forms show of a ticket's fields: its custom fields as inputs, and
//! the kinds of link in words. `ticket` renders them; `ticket_edit` reads the forms back.

use frontline_domain::{CustomFieldDef, FieldKind, LinkKind, Ticket};
use serde_json::Value;

use crate::view::Opt;

/// One custom field on the Details form.
pub(crate) struct CustomInput {
    /// The form field's name, `cf.<key>`.
    pub name: String,
    pub id: String,
    pub label: String,
    /// `text`, `number`, `date`, `select`, `multi` or `checkbox`.
    pub kind: &'static str,
    pub value: String,
    /// A select's choices (with "None" first); a multi-select's, each ticked or not.
    pub options: Vec<Opt>,
    pub required: bool,
}

/// The custom fields that apply to the ticket's type, with its values.
pub(crate) fn custom_inputs(defs: &[CustomFieldDef], view: &Ticket) -> Vec<CustomInput> {
    let r = &view.record;
    defs.iter()
        .filter(|d| d.applies_to(r.ticket_type))
        .map(|d| {
            let stored = r.custom_fields.get(&d.key).unwrap_or(&Value::Null);
            let text = match stored {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(true) => "yes".to_owned(),
                _ => String::new(),
            };
            let chosen: Vec<&str> = match stored {
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                Value::String(s) => vec![s.as_str()],
                _ => Vec::new(),
            };
            let options = d
                .options
                .iter()
                .map(|o| Opt {
                    value: o.clone(),
                    label: o.clone(),
                    selected: chosen.contains(&o.as_str()),
                })
                .collect();
            CustomInput {
                name: format!("cf.{}", d.key),
                id: format!("cf-{}", d.key),
                label: d.label.clone(),
                kind: match d.kind {
                    FieldKind::Text => "text",
                    FieldKind::Number => "number",
                    FieldKind::Date => "date",
                    FieldKind::Select => "select",
                    FieldKind::MultiSelect => "multi",
                    FieldKind::Checkbox => "checkbox",
                },
                value: text,
                options,
                required: d.required,
            }
        })
        .collect()
}

/// The link kinds on offer, in words.
pub(crate) fn link_kinds() -> Vec<Opt> {
    Opt::list(
        LinkKind::ALL.map(|k| (k.as_str(), link_label(k))),
        LinkKind::Related.as_str(),
    )
}

/// "related to", "parent of", …
pub(crate) fn link_label(k: LinkKind) -> &'static str {
    match k {
        LinkKind::Related => "Related to",
        LinkKind::ParentOf => "Parent of",
        LinkKind::ChildOf => "Child of",
        LinkKind::DuplicateOf => "Duplicate of",
        LinkKind::DuplicatedBy => "Duplicated by",
    }
}
