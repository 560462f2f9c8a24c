//! What the agent console's queue list needs besides ticket pages and counts (see `views`): the
//! groups an agent belongs to, and the newest change on the desk (for live updates).

use crate::conn::on;
use crate::{Conn, Result};
use frontline_domain::{GroupId, UserId};

impl Conn<'_> {
    /// The ids and names of the groups a person belongs to, by name.
    pub async fn groups_of(&mut self, user_id: UserId) -> Result<Vec<(GroupId, String)>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT g.id, g.name FROM group_members m JOIN agent_groups g ON g.id = m.group_id \
             WHERE m.user_id = $1 ORDER BY g.name"
        )
        .bind(user_id.get())
        .fetch_all(c)
        .await?)
        .into_iter()
        .map(|(g, n)| (GroupId::new(g), n))
        .collect())
    }

    /// The highest ticket number and the latest change time: when either moves, a queue on
    /// screen may be out of date.
    pub async fn desk_watermark(&mut self) -> Result<(i64, i64)> {
        let (id, at): (Option<i64>, Option<i64>) = on!(self, |c| sqlx::query_as(
            "SELECT (SELECT MAX(id) FROM tickets), (SELECT MAX(updated_at) FROM tickets)"
        )
        .fetch_one(c)
        .await?);
        Ok((id.unwrap_or(0), at.unwrap_or(0)))
    }
}
