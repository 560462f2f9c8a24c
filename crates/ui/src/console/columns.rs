//! The queue table's column headers that order the list: a click orders by the column, a
//! second click turns the order round, and the column the list is ordered by says so to
//! assistive technology (`aria-sort`).

use frontline_domain::{Sort, SortKey};

/// One orderable header: where it leads and what it says of the order on screen.
pub(crate) struct SortHead {
    pub href: String,
    /// `ascending`, `descending`, or empty when the list is not in this column's order.
    pub aria: &'static str,
    /// "▲", "▼" or empty: the same, for the eye.
    pub arrow: &'static str,
}

/// The orderable headers of the queue table.
pub(crate) struct SortHeads {
    /// The ticket number: newest first, then oldest first.
    pub number: SortHead,
    /// Most urgent first, then least.
    pub priority: SortHead,
    /// SLA due soonest first, then latest.
    pub due: SortHead,
    /// Recently changed first, then longest untouched.
    pub updated: SortHead,
}

impl SortHeads {
    /// The headers of a list in `sort` order, each leading to `link` of its order.
    pub fn of(sort: Sort, link: impl Fn(Sort) -> String) -> Self {
        let head = |key: SortKey, first_descending: bool| {
            let current = sort.key == key;
            let descending = if current {
                !sort.descending
            } else {
                first_descending
            };
            let href = link(Sort { key, descending });
            let (aria, arrow) = match (current, sort.descending) {
                (false, _) => ("", ""),
                (true, false) => ("ascending", "▲"),
                (true, true) => ("descending", "▼"),
            };
            SortHead { href, aria, arrow }
        };
        Self {
            number: head(SortKey::Created, true),
            priority: head(SortKey::Priority, false),
            due: head(SortKey::Due, false),
            updated: head(SortKey::Updated, true),
        }
    }
}
