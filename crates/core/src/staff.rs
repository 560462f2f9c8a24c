//! The desk's team for the console's pickers (assignee selects, bulk changes): one indexed
//! read instead of a pass over every person on the desk.

use crate::{Actor, People, Result};

/// At most this many people are offered.
const MOST: i64 = 1000;

impl People {
    /// `(email, name)` of every agent, manager and admin, by name.
    pub async fn staff_members(&self, actor: &Actor) -> Result<Vec<(String, String)>> {
        actor.require_staff()?;
        let mut pc = self.core.store.read().await?;
        Ok(pc.conn().staff_members(MOST).await?)
    }
}
