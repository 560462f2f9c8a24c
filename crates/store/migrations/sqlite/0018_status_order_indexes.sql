-- Queues of several statuses in time order (SQLite). The PostgreSQL side,
-- ../postgres/0018_status_order_indexes.sql, adds (status, updated_at, id) and
-- (status, created_at, id) so each status is read as an ordered range and merged.
--
-- SQLite gets no such index: with them, its planner chose worse plans elsewhere on every
-- queue page (230-250 ms p50 instead of 10-15 ms at 1M tickets, measured with and without
-- them on the same desk). A time-ordered list of several statuses walks tickets_updated or
-- tickets_created instead and checks each ticket's status (crates/store/src/list.rs), which
-- finds a page of the solved queue in under a millisecond where reading and sorting every
-- solved ticket took 911 ms.

SELECT 1;
