//! Categories: the tree a ticket is filed under ("Hardware/Laptop"), each node kept by its
//! whole path.
use crate::CategoryId;

/// One node of the category tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: CategoryId,
    /// The whole path, `/`-separated: `Hardware/Laptop`.
    pub path: String,
    /// The last segment of the path: `Laptop`.
    pub name: String,
    /// The node one level up; `None` at the top.
    pub parent_id: Option<CategoryId>,
}
