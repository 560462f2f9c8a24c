//! Automatic assignment's rows: each group's mode and round-robin place, agents' working
//! hours, out-of-office flags and skills, categories' required skills, and the candidates and
//! their open load for one ticket.

use frontline_domain::{Availability, CalendarId, CategoryId, GroupId, TicketId, UserId};
use sqlx::{AssertSqlSafe, FromRow};

use crate::conn::on;
use crate::{Conn, Result};

mod read;

/// A member of a group who may take a ticket now, with their working hours' calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: UserId,
    pub email: String,
    /// The calendar's definition (JSON), when the agent has working hours.
    pub calendar: Option<String>,
}

/// An `agent_availability` row as stored; read out as an [`Availability`].
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub(crate) struct AvailabilityRow {
    user_id: i64,
    calendar_id: Option<i64>,
    out_of_office: bool,
}

impl From<AvailabilityRow> for Availability {
    fn from(r: AvailabilityRow) -> Self {
        Availability {
            user_id: UserId::new(r.user_id),
            calendar_id: r.calendar_id.map(CalendarId::new),
            out_of_office: r.out_of_office,
        }
    }
}

impl Conn<'_> {
    /// Every group's mode other than manual, by group id.
    pub async fn assignment_modes(&mut self) -> Result<Vec<(GroupId, String)>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT group_id, mode FROM group_assignment WHERE mode <> 'manual' ORDER BY group_id"
        )
        .fetch_all(c)
        .await?)
        .into_iter()
        .map(|(g, m)| (GroupId::new(g), m))
        .collect())
    }

    pub async fn assignment_mode(&mut self, group_id: GroupId) -> Result<Option<String>> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "SELECT mode FROM group_assignment WHERE group_id = $1"
        )
        .bind(group_id.get())
        .fetch_optional(c)
        .await?))
    }

    pub async fn set_assignment_mode(
        &mut self,
        group_id: GroupId,
        mode: &str,
        now: i64,
    ) -> Result<()> {
        on!(self, |c| sqlx::query(
            "INSERT INTO group_assignment (group_id, mode, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (group_id) DO UPDATE SET mode = excluded.mode, \
             updated_at = excluded.updated_at"
        )
        .bind(group_id.get())
        .bind(mode)
        .bind(now)
        .execute(c)
        .await
        .map(drop)?);
        Ok(())
    }

    /// Active staff members of the group who are not out of office and, when `skill` is not
    /// empty, have it; ordered by id (the round robin's order).
    pub async fn assignment_candidates(
        &mut self,
        group_id: GroupId,
        skill: &str,
    ) -> Result<Vec<Candidate>> {
        let rows: Vec<(i64, String, Option<String>)> = on!(self, |c| sqlx::query_as(
            "SELECT u.id, u.email, k.definition AS calendar FROM group_members m \
             JOIN users u ON u.id = m.user_id \
             LEFT JOIN agent_availability a ON a.user_id = u.id \
             LEFT JOIN calendars k ON k.id = a.calendar_id \
             WHERE m.group_id = $1 AND u.active AND u.role IN ('agent', 'manager', 'admin') \
             AND NOT COALESCE(a.out_of_office, FALSE) \
             AND ($2 = '' OR EXISTS (SELECT 1 FROM agent_skills s \
                                     WHERE s.user_id = u.id AND s.skill = $2)) \
             ORDER BY u.id"
        )
        .bind(group_id.get())
        .bind(skill)
        .fetch_all(c)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(id, email, calendar)| Candidate {
                id: UserId::new(id),
                email,
                calendar,
            })
            .collect())
    }

    /// Open tickets assigned to the group's members, counted by assignee and priority rank.
    pub async fn open_load(&mut self, group_id: GroupId) -> Result<Vec<(UserId, i64, i64)>> {
        Ok(on!(self, |c| sqlx::query_as(
            "SELECT t.assignee_id, t.priority, COUNT(*) FROM tickets t \
             JOIN group_members m ON m.user_id = t.assignee_id AND m.group_id = $1 \
             WHERE t.status IN ('new', 'open', 'pending', 'on_hold') \
             GROUP BY t.assignee_id, t.priority"
        )
        .bind(group_id.get())
        .fetch_all(c)
        .await?)
        .into_iter()
        .map(|(u, rank, n)| (UserId::new(u), rank, n))
        .collect())
    }

    /// The round robin's last pick in the group, locked until the transaction ends, so two
    /// nodes assigning into one group at once take turns instead of picking the same agent.
    pub async fn last_assignee(&mut self, group_id: GroupId) -> Result<Option<UserId>> {
        let sql = format!(
            "SELECT last_user_id FROM group_assignment WHERE group_id = $1{}",
            self.for_update()
        );
        Ok(on!(self, |c| sqlx::query_scalar(AssertSqlSafe(sql.clone()))
            .bind(group_id.get())
            .fetch_optional(c)
            .await?)
        .flatten()
        .map(UserId::new))
    }

    pub async fn set_last_assignee(&mut self, group_id: GroupId, user_id: UserId) -> Result<()> {
        on!(self, |c| sqlx::query(
            "UPDATE group_assignment SET last_user_id = $2 WHERE group_id = $1"
        )
        .bind(group_id.get())
        .bind(user_id.get())
        .execute(c)
        .await
        .map(drop)?);
        Ok(())
    }

    pub async fn category_skill(&mut self, category_id: CategoryId) -> Result<Option<String>> {
        Ok(on!(self, |c| sqlx::query_scalar(
            "SELECT skill FROM category_skills WHERE category_id = $1"
        )
        .bind(category_id.get())
        .fetch_optional(c)
        .await?))
    }

    /// Sets or (with `None`) clears the skill a category needs.
    pub async fn set_category_skill(
        &mut self,
        category_id: CategoryId,
        skill: Option<&str>,
    ) -> Result<()> {
        on!(self, |c| sqlx::query(
            "DELETE FROM category_skills WHERE category_id = $1"
        )
        .bind(category_id.get())
        .execute(c)
        .await
        .map(drop)?);
        if let Some(skill) = skill {
            on!(self, |c| sqlx::query(
                "INSERT INTO category_skills (category_id, skill) VALUES ($1, $2)"
            )
            .bind(category_id.get())
            .bind(skill)
            .execute(c)
            .await
            .map(drop)?);
        }
        Ok(())
    }

    /// Replaces an agent's working hours, out-of-office flag and skills.
    pub async fn set_availability(
        &mut self,
        a: &Availability,
        skills: &[String],
        now: i64,
    ) -> Result<()> {
        on!(self, |c| sqlx::query(
            "INSERT INTO agent_availability (user_id, calendar_id, out_of_office, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET \
             calendar_id = excluded.calendar_id, out_of_office = excluded.out_of_office, \
             updated_at = excluded.updated_at"
        )
        .bind(a.user_id.get())
        .bind(a.calendar_id.map(CalendarId::get))
        .bind(a.out_of_office)
        .bind(now)
        .execute(c)
        .await
        .map(drop)?);
        on!(self, |c| sqlx::query(
            "DELETE FROM agent_skills WHERE user_id = $1"
        )
        .bind(a.user_id.get())
        .execute(c)
        .await
        .map(drop)?);
        for s in skills {
            on!(self, |c| sqlx::query(
                "INSERT INTO agent_skills (user_id, skill) VALUES ($1, $2) ON CONFLICT DO NOTHING"
            )
            .bind(a.user_id.get())
            .bind(s)
            .execute(c)
            .await
            .map(drop)?);
        }
        Ok(())
    }

    /// Sets only the assignee of a ticket just written in this transaction.
    pub async fn set_new_ticket_assignee(
        &mut self,
        ticket_id: TicketId,
        user_id: UserId,
    ) -> Result<()> {
        on!(self, |c| sqlx::query(
            "UPDATE tickets SET assignee_id = $2 WHERE id = $1"
        )
        .bind(ticket_id.get())
        .bind(user_id.get())
        .execute(c)
        .await
        .map(drop)?);
        Ok(())
    }
}
