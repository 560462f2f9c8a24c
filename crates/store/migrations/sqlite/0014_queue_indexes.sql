-- Indexes for the console's queues (sqlite). Keep in step with ../postgres/0014_queue_indexes.sql.
--
-- A queue page is read as one ordered index range per status (see list.rs): "my tickets"
-- (assignee, status, most urgent first) and "unassigned in my groups" (group, no assignee,
-- status, most urgent first). With only (assignee_id, status) and (group_id, status), the
-- database walked the (status, priority, …) index and looked up every working ticket's row to
-- check its assignee or group: at 1,000,000 tickets, 20,000 row reads for one page. Now each
-- queue reads just its own tickets, already in order, and their counts read the index alone.

DROP INDEX tickets_assignee;
CREATE INDEX tickets_assignee ON tickets (assignee_id, status, priority, created_at, id);

DROP INDEX tickets_group;
CREATE INDEX tickets_group ON tickets (group_id, status, priority, created_at, id);

-- Only tickets nobody holds: a small index, and the whole of the unassigned queue's reads.
CREATE INDEX tickets_unassigned ON tickets (group_id, status, priority, created_at, id)
    WHERE assignee_id IS NULL;
