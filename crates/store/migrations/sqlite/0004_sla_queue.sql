-- SLA escalation and SLA queues (sqlite). Keep in step with ../postgres/0004_sla_queue.sql.

-- When a breached target's escalation (notify, move, raise priority) was applied; set once,
-- so a timer that runs twice escalates once.
ALTER TABLE ticket_slas ADD COLUMN escalated_at BIGINT;

-- Each ticket's SLA state for queues, kept by the reconcile that writes ticket_slas, in the
-- same transaction: the earliest due time of a target still counting (not met, not paused;
-- in the past when overdue), and whether any target breached.
ALTER TABLE tickets ADD COLUMN sla_due_at BIGINT;
ALTER TABLE tickets ADD COLUMN sla_breached BOOLEAN NOT NULL DEFAULT FALSE;

UPDATE tickets SET
    sla_due_at = (SELECT MIN(s.due_at) FROM ticket_slas s
                  WHERE s.ticket_id = tickets.id AND s.met_at IS NULL),
    sla_breached = EXISTS (SELECT 1 FROM ticket_slas s
                           WHERE s.ticket_id = tickets.id AND s.breached_at IS NOT NULL)
WHERE id IN (SELECT ticket_id FROM ticket_slas);

-- "Due soonest" queues: one ordered range per status, tickets without a due time last (the
-- largest BIGINT stands for none; lists sort by exactly this expression).
CREATE INDEX tickets_sla_due ON tickets (status, COALESCE(sla_due_at, 9223372036854775807), id);
-- Breached tickets are few: a partial index keeps them at hand without costing other rows.
CREATE INDEX tickets_sla_breached ON tickets (status, COALESCE(sla_due_at, 9223372036854775807), id) WHERE sla_breached;
