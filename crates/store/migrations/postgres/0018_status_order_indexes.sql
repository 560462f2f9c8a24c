-- Queues of several statuses in time order (PostgreSQL). Keep in step with
-- ../sqlite/0018_status_order_indexes.sql, which says why SQLite has no such index.
--
-- "Solved & closed" (resolved, closed) is read most recently changed first, and any queue may
-- be ordered by when tickets were opened or changed. These give each status an ordered range
-- of its own, read one branch a status and merged, as the agent queue reads tickets_queue
-- (crates/store/src/list.rs), so a page costs the same however many tickets are solved.

CREATE INDEX tickets_status_updated ON tickets (status, updated_at, id);
CREATE INDEX tickets_status_created ON tickets (status, created_at, id);
