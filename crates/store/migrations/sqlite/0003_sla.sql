-- SLA management (sqlite): business-hours calendars, SLA policies, and the state of each
-- ticket's SLA targets. Keep in step with ../postgres/0003_sla.sql.

CREATE TABLE calendars (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    -- The calendar as JSON: time_zone, week (shifts per weekday), holidays.
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE sla_policies (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    -- Policies are tried in this order; the first whose conditions match applies.
    position    BIGINT NOT NULL,
    calendar_id BIGINT NOT NULL REFERENCES calendars (id),
    -- Conditions, targets, pause statuses and warning share as JSON.
    definition  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- One row per ticket and target while a policy applies: what the API shows, what queues
-- sort by, and what the SLA timers check against (warned_at / breached_at make each warning
-- and breach happen once).
CREATE TABLE ticket_slas (
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id),
    target      TEXT NOT NULL,
    policy_id   BIGINT NOT NULL REFERENCES sla_policies (id),
    state       TEXT NOT NULL,
    goal        BIGINT NOT NULL,
    elapsed     BIGINT NOT NULL,
    started_at  BIGINT NOT NULL,
    due_at      BIGINT,
    warn_at     BIGINT,
    met_at      BIGINT,
    breached_at BIGINT,
    warned_at   BIGINT,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, target)
);
CREATE INDEX ticket_slas_due ON ticket_slas (due_at);
