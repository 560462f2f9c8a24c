-- Automation rules (sqlite). Keep in step with ../postgres/0007_rules.sql.

CREATE TABLE rules (
    id            INTEGER PRIMARY KEY,
    -- Rules are considered in this order; a rule that fires may stop the ones after it.
    position      BIGINT NOT NULL,
    -- created, updated or time (also inside the definition; here for the time scan).
    trigger_kind  TEXT NOT NULL,
    -- Name, conditions, time condition, actions, stop and enabled, as JSON.
    definition    TEXT NOT NULL,
    -- Notes and replies a rule writes carry this person as their author.
    author_id     BIGINT NOT NULL REFERENCES users (id),
    -- Time rules: tickets whose instant (created_at / updated_at, then id) is at or before
    -- this point, moved back by the rule's minutes, have been looked at.
    scanned_at    BIGINT NOT NULL DEFAULT 0,
    scanned_id    BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- A time rule fires once per ticket and period (the instant it measures from), however many
-- nodes scan at once.
CREATE TABLE rule_firings (
    rule_id   BIGINT NOT NULL REFERENCES rules (id),
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    period    BIGINT NOT NULL,
    fired_at  BIGINT NOT NULL,
    PRIMARY KEY (rule_id, ticket_id, period)
);
CREATE INDEX rule_firings_ticket ON rule_firings (ticket_id);
