-- The durable job queue (sqlite). Times are microseconds since the Unix epoch (UTC).
-- Keep in step with ../postgres/0002_jobs.sql.
--
-- A job is 'queued' until a worker finishes it ('done') or gives up on it ('dead'). A worker
-- holds a queued job while locked_until lies in the future (its lease); a worker that dies
-- simply lets the lease run out. Done jobs are kept for a while so that dedup_key keeps
-- refusing a second job for the same cause (one SLA warning per target, one mail per reply).

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    dedup_key    TEXT UNIQUE,
    state        TEXT NOT NULL DEFAULT 'queued',
    run_at       BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    locked_by    TEXT,
    locked_until BIGINT,
    last_error   TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    finished_at  BIGINT
);
-- Workers look for queued jobs that are due, oldest first.
CREATE INDEX jobs_due ON jobs (state, run_at, id);
