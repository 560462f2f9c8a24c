//! Who may appear in a generated ticket's story: its requester and the agents who can work it.

use frontline_domain::{CategoryId, GroupId, OrganizationId, UserId};

/// An agent as the trail names them.
#[derive(Debug, Clone)]
pub struct Agent {
    pub id: UserId,
    pub email: String,
}

/// Who may appear in a ticket's story.
pub struct Cast<'a> {
    pub requester: (UserId, Option<OrganizationId>),
    /// The agents of the topic's group, and of tier 1 (first contact).
    pub specialists: &'a [Agent],
    pub tier1: &'a [Agent],
    pub group_id: GroupId,
    pub group_name: &'a str,
    pub tier1_id: GroupId,
    pub tier1_name: &'a str,
    pub category_id: CategoryId,
}
