//! The desk's people and configuration: users, organizations, groups, categories, custom
//! fields, the priority matrix and the default group. Agents read them; managers and admins change them.

pub mod assignment;
pub mod categories;
pub mod custom_fields;
pub mod default_group;
pub mod groups;
pub mod organizations;
pub mod priority_matrix;
pub mod sla;
pub mod users;
