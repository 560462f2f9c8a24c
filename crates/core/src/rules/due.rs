//! Time rules on the SLA due time, when the due time moves. The scan (`time`) reads each
//! rule's index range forward from where it stopped, so a ticket whose due time moves to a
//! point the scan may already have passed (a raised priority, another policy, a reopen)
//! would never be found. Such a ticket gets a job of its own instead, queued in the
//! transaction that moved the due time, which runs the rule on that ticket for that period
//! in the job's transaction. `rule_firings` keeps it to once per ticket and period if the
//! scan finds the ticket too.
//!
//! A due time still ahead of where any scan can have reached (the rule comes due after
//! now, plus [`CLOCK_SKEW_MICROS`] for another node's clock) needs no job: the scan reaches
//! it in time. So a desk queues these jobs only for due times that move into the past of a
//! rule, which is rare.

use frontline_domain::rules::{Since, Trigger};
use frontline_domain::{RuleId, TicketId, Timestamp};
use frontline_store::Conn;
use frontline_store::jobs::NewJob;
use serde::{Deserialize, Serialize};

use crate::{CoreError, Result, Rules};

/// The job kind; its payload is a [`DueCall`].
pub const DUE_JOB: &str = "rules.due";

/// How far another node's clock may run ahead of this one's, so its scan has gone further.
const CLOCK_SKEW_MICROS: i64 = 5 * 60 * 1_000_000;

const MINUTE_MICROS: i64 = 60_000_000;

/// Run rule `rule_id` on ticket `ticket_id` for the period of due time `due_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueCall {
    pub rule_id: RuleId,
    pub ticket_id: TicketId,
    pub due_at: i64,
}

impl Rules {
    /// The ticket's SLA due time became `due_at` (reconcile, in the caller's transaction):
    /// queues a [`DUE_JOB`] for every enabled time rule on the due time that the scan may
    /// already have passed it for.
    pub(crate) async fn due_time_moved(
        &self,
        c: &mut Conn<'_>,
        ticket_id: TicketId,
        due_at: i64,
        now: Timestamp,
    ) -> Result<()> {
        let set = self.core.rules.get(c).await?;
        for loaded in set.rules.iter().filter(|r| r.rule.enabled) {
            let (Trigger::Time, Some(time)) = (loaded.rule.trigger, loaded.rule.time) else {
                continue;
            };
            if time.since != Since::SlaDueAt {
                continue;
            }
            let comes_due = due_at + time.offset_minutes() * MINUTE_MICROS;
            if comes_due > now.as_micros() + CLOCK_SKEW_MICROS {
                continue;
            }
            let call = DueCall {
                rule_id: loaded.id,
                ticket_id,
                due_at,
            };
            let payload = serde_json::to_string(&call)
                .map_err(|e| CoreError::Internal(format!("due call: {e}")))?;
            let job = NewJob {
                kind: DUE_JOB.to_owned(),
                payload,
                dedup_key: Some(format!("rule:{}:due:{ticket_id}:{due_at}", loaded.id)),
                run_at: comes_due.max(now.as_micros()),
                max_attempts: 10,
            };
            c.enqueue_job(&job, now.as_micros()).await?;
            tracing::debug!(
                %ticket_id,
                rule_id = %loaded.id,
                "due time moved behind the scan"
            );
        }
        Ok(())
    }

    /// What a [`DUE_JOB`] does, in the job's transaction: runs the rule on the ticket if the
    /// rule still measures from the due time and the ticket is still in that period. True
    /// when the rule fired.
    pub async fn fire_due_rule(&self, c: &mut Conn<'_>, call: &DueCall) -> Result<bool> {
        let set = self.core.rules.get(c).await?;
        let still = set.rules.iter().any(|r| {
            r.id == call.rule_id
                && r.rule.enabled
                && r.rule.trigger == Trigger::Time
                && r.rule.time.is_some_and(|t| t.since == Since::SlaDueAt)
        });
        if !still {
            return Ok(false);
        }
        self.fire_time_rule_in(
            c,
            &set,
            call.rule_id,
            Since::SlaDueAt,
            call.due_at,
            call.ticket_id,
        )
        .await
    }
}
