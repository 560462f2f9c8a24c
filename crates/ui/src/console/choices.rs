//! The choices the console's forms offer: the orders of a list, priorities, a "none" or
//! "any" choice before a list of names, and whom a saved view may be shared with.

use frontline_core::Actor;
use frontline_core::views::parse_sort;
use frontline_domain::Sort;

use crate::view::Opt;

/// The orders an agent may pick: (value in the URL, label).
const SORTS: [(&str, &str); 8] = [
    ("priority", "Most urgent first"),
    ("-priority", "Least urgent first"),
    ("due", "SLA due first"),
    ("-due", "SLA due last"),
    ("-created", "Newest first"),
    ("created", "Oldest first"),
    ("-updated", "Recently changed first"),
    ("updated", "Longest untouched first"),
];

pub(crate) struct SortOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// The orders on offer, `sort` selected.
pub(crate) fn sort_choices(sort: Sort) -> Vec<SortOption> {
    SORTS
        .iter()
        .map(|(value, label)| SortOption {
            value,
            label,
            selected: parse_sort(value) == Some(sort),
        })
        .collect()
}

/// `first` (no priority: "Any", or "From impact and urgency"), then P1 to P4; `selected`
/// chosen.
pub(crate) fn priority_choices(first: (&str, &str), selected: &str) -> Vec<Opt> {
    Opt::list(
        std::iter::once(first).chain(["P1", "P2", "P3", "P4"].map(|p| (p, p))),
        selected,
    )
}

/// A choice of nothing labelled `none` ("Any", "None"), then `choices` as `(value, label)`;
/// `selected` chosen by value.
pub(crate) fn with_none(
    none: &str,
    choices: impl IntoIterator<Item = (String, String)>,
    selected: &str,
) -> Vec<Opt> {
    Opt::list(
        std::iter::once((String::new(), none.to_owned())).chain(choices),
        selected,
    )
}

/// Names as choices whose value is the name itself.
pub(crate) fn named(names: Vec<String>) -> impl Iterator<Item = (String, String)> {
    names.into_iter().map(|n| (n.clone(), n))
}

/// Who a new view may be shared with: the agent alone, or one of the agent's groups; those
/// who configure the desk may share with any group and with every agent.
pub(crate) fn share_choices(
    actor: &Actor,
    all_groups: &[String],
    my_groups: Vec<String>,
) -> Vec<(String, String)> {
    let everyone = actor.role.can_configure();
    let groups = if everyone {
        all_groups.to_vec()
    } else {
        my_groups
    };
    let mut shares = vec![("private".to_owned(), "Only me".to_owned())];
    shares.extend(
        groups
            .into_iter()
            .map(|g| (format!("group:{g}"), format!("The {g} group"))),
    );
    if everyone {
        shares.push(("everyone".to_owned(), "Every agent".to_owned()));
    }
    shares
}
