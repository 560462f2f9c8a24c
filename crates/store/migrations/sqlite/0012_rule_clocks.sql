-- The clocks time rules measure from (sqlite). Keep in step with ../postgres/0012_rule_clocks.sql.
-- Times are microseconds since the Unix epoch (UTC).
--
-- Each is empty until it first moves, and reads as the ticket's creation until then: a new
-- ticket has had its status, and has gone without a reply from either side, since it was
-- opened. The core sets them in the transaction of the change (rules' own replies move no
-- reply clock: they measure people).

-- When the status last changed ("pending for three days").
ALTER TABLE tickets ADD COLUMN status_changed_at BIGINT;
-- The last public reply from the requester's side (the requester, a watcher, a mail from
-- someone who is not staff), and from the desk's side.
ALTER TABLE tickets ADD COLUMN requester_replied_at BIGINT;
ALTER TABLE tickets ADD COLUMN agent_replied_at BIGINT;

-- Tickets that are still worked get their clocks from the audit trail; closed ones are never
-- looked at by time rules (closed is final).
UPDATE tickets SET status_changed_at = e.at
FROM (SELECT ticket_id, MAX(at) AS at FROM events
      WHERE kind = 'field_changed' AND field = 'status' GROUP BY ticket_id) e
WHERE e.ticket_id = tickets.id AND tickets.status <> 'closed';
UPDATE tickets SET requester_replied_at = e.at
FROM (SELECT ticket_id, MAX(at) AS at FROM events
      WHERE kind = 'replied' AND field = 'requester' GROUP BY ticket_id) e
WHERE e.ticket_id = tickets.id AND tickets.status <> 'closed';
UPDATE tickets SET agent_replied_at = e.at
FROM (SELECT ticket_id, MAX(at) AS at FROM events
      WHERE kind = 'replied' AND field IN ('agent', 'manager', 'admin') GROUP BY ticket_id) e
WHERE e.ticket_id = tickets.id AND tickets.status <> 'closed';

-- The time scan reads one ordered range of a clock per rule, only over tickets that are still
-- worked (at 1,000,000 tickets most are closed): each index holds exactly the expression and
-- the condition the scan's query names (store/src/rules.rs), so neither database reads a
-- closed ticket or sorts.
CREATE INDEX tickets_rule_status_since ON tickets ((COALESCE(status_changed_at, created_at)), id)
    WHERE status <> 'closed' AND merged_into_id IS NULL;
CREATE INDEX tickets_rule_requester_reply ON tickets ((COALESCE(requester_replied_at, created_at)), id)
    WHERE status <> 'closed' AND merged_into_id IS NULL;
CREATE INDEX tickets_rule_agent_reply ON tickets ((COALESCE(agent_replied_at, created_at)), id)
    WHERE status <> 'closed' AND merged_into_id IS NULL;
CREATE INDEX tickets_rule_sla_due ON tickets (sla_due_at, id)
    WHERE status <> 'closed' AND merged_into_id IS NULL AND sla_due_at IS NOT NULL;
