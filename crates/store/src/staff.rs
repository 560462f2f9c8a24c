//! The desk's team as the console's pickers list it: agents, managers and admins, by name,
//! read through the `users (role, name)` index so that a desk with many requesters pays
//! only for its team.

use sqlx::AssertSqlSafe;

use crate::conn::on;
use crate::{Conn, Result};

impl Conn<'_> {
    /// `(email, name)` of every agent, manager and admin, by name, at most `limit`.
    pub async fn staff_members(&mut self, limit: i64) -> Result<Vec<(String, String)>> {
        let sql = format!(
            "SELECT email, name FROM users WHERE role IN ('agent', 'manager', 'admin') \
             ORDER BY name, email {}",
            crate::dialect::limit(limit)
        );
        Ok(on!(self, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
            .fetch_all(c)
            .await?))
    }
}
