//! What the ordered, administrator-configured lists (SLA policies, automation rules) share:
//! their order is set as a whole.

use crate::{CoreError, Result};

/// The positions (from 1) that put the list in the order of `ids`, each with its id. `ids`
/// must name every one of `current` exactly once; `what` names an entry in the error.
pub(crate) fn new_positions<I: Copy + Ord>(
    current: impl IntoIterator<Item = I>,
    ids: &[I],
    what: &str,
) -> Result<Vec<(I, i64)>> {
    let mut current: Vec<I> = current.into_iter().collect();
    let mut wanted = ids.to_vec();
    current.sort_unstable();
    wanted.sort_unstable();
    if current != wanted {
        return Err(CoreError::invalid(
            "ids",
            format!("name every {what} exactly once, in the new order"),
        ));
    }
    Ok(ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i64::try_from(i).unwrap_or(i64::MAX) + 1))
        .collect())
}
