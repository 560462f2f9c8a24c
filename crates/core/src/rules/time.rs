//! Time rules: a periodic scan finds tickets whose instant (created, last updated, status
//! last changed, last reply from either side, SLA due) has passed a rule's age since the last
//! scan, reading one ordered range of that instant's index (migration 0012 for the clocks),
//! and runs the rule on each in its own transaction. `rule_firings` makes a rule act once per
//! ticket and period (the instant it measured from), however many nodes scan at once.
//!
//! The scan only moves forward. Every instant but the SLA due time is set to "now" when it
//! moves, which is ahead of any scan's position (a scan stops at now minus the rule's age);
//! a due time can move anywhere, and one that moves behind the scan is found by a job of
//! its own (`due`).

use frontline_domain::rules::{Since, Trigger};
use frontline_domain::{EventRecord, RuleId, Status, Ticket, TicketId, TicketRecord, Timestamp};
use frontline_store::Conn;
use frontline_store::rules::RuleClocks;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::apply::{Effect, apply_fields, facts_of, run_rules, within_limit, write_effects};
use crate::tickets::Trail;
use crate::{CoreError, Result, Rules};

/// The job kind of rule webhooks; its payload is a [`WebhookCall`].
pub const WEBHOOK_JOB: &str = "webhook";

/// A POST of `body` as JSON to `url`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookCall {
    pub url: String,
    pub body: Value,
}

/// Tickets read from the index per query of the scan.
const SCAN_BATCH: i64 = 200;

impl Rules {
    /// Runs every enabled time rule over the tickets that came of age since its last scan;
    /// returns how many times a rule fired.
    pub async fn run_time_rules(&self) -> Result<usize> {
        let set = {
            let mut read = self.core.store.read().await?;
            self.core.rules.get(&mut read.conn()).await?
        };
        let mut fired = 0;
        for loaded in set.rules.iter().filter(|r| r.rule.enabled) {
            let (Trigger::Time, Some(time)) = (loaded.rule.trigger, loaded.rule.time) else {
                continue;
            };
            let now = self.core.now();
            // Before the SLA due time, the instant still lies ahead: `until` is in the future.
            let until = now.as_micros() - time.offset_minutes() * 60_000_000;
            let mut after = {
                let mut read = self.core.store.read().await?;
                let rows = read.conn().rules().await?;
                match rows.iter().find(|r| r.id == loaded.id) {
                    Some(r) => (r.scanned_at, r.scanned_id),
                    None => continue,
                }
            };
            loop {
                let batch = {
                    let mut read = self.core.store.read().await?;
                    read.conn()
                        .rule_candidates(time.since, after, until, SCAN_BATCH)
                        .await?
                };
                for &(at, id) in &batch {
                    if self
                        .fire_time_rule(&set, loaded.id, time.since, at, id)
                        .await?
                    {
                        fired += 1;
                    }
                }
                let Some(&last) = batch.last() else { break };
                after = last;
                let mut tx = self.core.begin().await?;
                tx.conn()
                    .set_rule_scanned(loaded.id, last.0, last.1)
                    .await?;
                tx.commit().await?;
                if (batch.len() as i64) < SCAN_BATCH {
                    break;
                }
            }
        }
        Ok(fired)
    }

    /// Runs one time rule on one ticket in a transaction of its own; see
    /// [`Desk::fire_time_rule_in`].
    async fn fire_time_rule(
        &self,
        set: &super::RuleSet,
        rule_id: RuleId,
        since: Since,
        period: i64,
        ticket_id: TicketId,
    ) -> Result<bool> {
        let mut tx = self.core.begin().await?;
        let fired = self
            .fire_time_rule_in(&mut tx.conn(), set, rule_id, since, period, ticket_id)
            .await?;
        if fired {
            tx.commit().await?;
        }
        Ok(fired)
    }

    /// Runs one time rule on one ticket, if the ticket is still in the period `period` and
    /// the rule has not acted on it for that period, in the caller's transaction (which
    /// holds nothing of it when this returns false).
    pub(super) async fn fire_time_rule_in(
        &self,
        c: &mut Conn<'_>,
        set: &super::RuleSet,
        rule_id: RuleId,
        since: Since,
        period: i64,
        ticket_id: TicketId,
    ) -> Result<bool> {
        let now = self.core.now();
        let Some(old) = still_in_period(c, ticket_id, since, period).await? else {
            return Ok(false);
        };
        let view = c
            .ticket_view(ticket_id)
            .await?
            .ok_or(CoreError::NotFound("ticket"))?;
        let before = facts_of(&view);
        let mut after = before.clone();
        let cause = format!("t{period}");
        let out = run_rules(
            set,
            Trigger::Time,
            &mut after,
            None,
            Some(rule_id),
            &cause,
            now,
        );
        if out.is_empty() || !within_limit(c, ticket_id, now).await? {
            return Ok(false);
        }
        if !c
            .insert_rule_firing(rule_id, ticket_id, period, now.as_micros())
            .await?
        {
            return Ok(false);
        }
        let mut t = old.clone();
        apply_fields(set, &before, &after, &mut t, now);
        // Only a change of the ticket's fields or tags starts a new period: a reminder (a
        // reply, a note, a notification) leaves `updated_at` alone, so "pending 3 days →
        // remind" happens once and "pending 7 days → resolve" still comes due.
        let fields_change = t != old || after.tags != before.tags;
        let comments = out
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Comment { .. }));
        let changes_ticket = fields_change || comments;
        let mut events = Vec::new();
        if changes_ticket {
            let change = TimeChange {
                old: &old,
                view: &view,
                tags: (&before.tags, &after.tags),
                fields_change,
            };
            events = save_change(c, change, &mut t, now).await?;
        }
        events.extend(out.events.into_iter().map(|mut e| {
            e.ticket_id = ticket_id;
            e
        }));
        c.bulk_events(&events).await?;
        write_effects(set, c, &t, &out.effects, now).await?;
        if t.status != old.status {
            let clocks = RuleClocks {
                status_changed_at: Some(now.as_micros()),
                ..RuleClocks::default()
            };
            c.set_rule_clocks(ticket_id, clocks).await?;
        }
        if changes_ticket {
            self.sla().reconcile_sla(c, ticket_id, now, false).await?;
        }
        tracing::info!(%ticket_id, %rule_id, "time rule fired");
        Ok(true)
    }
}

/// The ticket, locked, if it is still in the period `period` of `since` and not closed.
async fn still_in_period(
    c: &mut Conn<'_>,
    ticket_id: TicketId,
    since: Since,
    period: i64,
) -> Result<Option<TicketRecord>> {
    let Some(old) = c.ticket_for_update(ticket_id).await? else {
        return Ok(None);
    };
    let current = match since {
        Since::CreatedAt => Some(old.times.created_at.as_micros()),
        Since::UpdatedAt => Some(old.times.updated_at.as_micros()),
        other => c.rule_instant(ticket_id, other).await?,
    };
    let open = old.status != Status::Closed;
    Ok((current == Some(period) && open).then_some(old))
}

/// What a time rule changed on a ticket, besides the row it leaves.
struct TimeChange<'a> {
    /// The row and the view before the rule.
    old: &'a TicketRecord,
    view: &'a Ticket,
    /// The tags before and after.
    tags: (&'a [String], &'a [String]),
    /// Fields or tags changed (not only a comment added).
    fields_change: bool,
}

/// Saves `t` under a new version (a new period only when fields changed) with its tags;
/// returns the trail of the field changes.
async fn save_change(
    c: &mut Conn<'_>,
    change: TimeChange<'_>,
    t: &mut TicketRecord,
    now: Timestamp,
) -> Result<Vec<EventRecord>> {
    let ticket_id = change.old.id;
    let mut trail = Trail::new(ticket_id, None, now);
    t.version = change.old.version + 1;
    if change.fields_change {
        t.times.updated_at = now;
    }
    c.save_ticket(t, change.old.version).await?;
    let (before, after) = change.tags;
    if after != before {
        c.set_tags(ticket_id, after).await?;
        trail.changed("tags", Some(before.join(",")), Some(after.join(",")));
    }
    let after_view = c
        .ticket_view(ticket_id)
        .await?
        .ok_or(CoreError::NotFound("ticket"))?;
    crate::tickets::record_row_changes(&mut trail, change.view, &after_view);
    Ok(trail.into_events())
}
