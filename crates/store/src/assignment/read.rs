//! Reading back what automatic assignment was told (`assignment` writes it): every agent's
//! working hours and out-of-office flag, their skills, and the skill each category needs, for
//! the pages that show and change them.

use frontline_domain::{Availability, CategoryId, UserId};

use super::AvailabilityRow;
use crate::conn::on;
use crate::{Conn, Result};

impl Conn<'_> {
    /// Every agent's configured availability, by user id.
    pub async fn availabilities(&mut self) -> Result<Vec<Availability>> {
        let rows: Vec<AvailabilityRow> = on!(self, |c| {
            sqlx::query_as(
            "SELECT user_id, calendar_id, out_of_office FROM agent_availability ORDER BY user_id"
        )
        .fetch_all(c)
        .await?
        });
        Ok(rows.into_iter().map(Availability::from).collect())
    }

    /// Every agent's skills as `(user id, skill)`, by user and skill.
    pub async fn all_agent_skills(&mut self) -> Result<Vec<(UserId, String)>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT user_id, skill FROM agent_skills ORDER BY user_id, skill"
        )
        .fetch_all(c)
        .await?)
        .into_iter()
        .map(|(u, s)| (UserId::new(u), s))
        .collect())
    }

    /// The skill each category needs, as `(category id, skill)`.
    pub async fn category_skills(&mut self) -> Result<Vec<(CategoryId, String)>> {
        let rows: Vec<(i64, String)> = on!(self, |c| sqlx::query_as(
            "SELECT category_id, skill FROM category_skills ORDER BY category_id"
        )
        .fetch_all(c)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(id, skill)| (CategoryId::new(id), skill))
            .collect())
    }
}
