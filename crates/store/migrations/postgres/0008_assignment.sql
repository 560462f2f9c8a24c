-- Automatic assignment (postgres). Keep in step with ../sqlite/0008_assignment.sql.

-- How a group hands out tickets that enter it without an assignee: manual (no row, or this
-- mode), round_robin or least_loaded. last_user_id is the round robin's place.
CREATE TABLE group_assignment (
    group_id     BIGINT PRIMARY KEY REFERENCES agent_groups (id),
    mode         TEXT NOT NULL,
    last_user_id BIGINT,
    updated_at   BIGINT NOT NULL
);

-- Whether an agent can take tickets now: their working hours (a calendar; none means
-- always), an out-of-office flag, and their skills.
CREATE TABLE agent_availability (
    user_id       BIGINT PRIMARY KEY REFERENCES users (id),
    calendar_id   BIGINT REFERENCES calendars (id),
    out_of_office BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE agent_skills (
    user_id BIGINT NOT NULL REFERENCES users (id),
    skill   TEXT NOT NULL,
    PRIMARY KEY (user_id, skill)
);

-- The skill a category's tickets need; automatic assignment picks only agents who have it.
CREATE TABLE category_skills (
    category_id BIGINT PRIMARY KEY REFERENCES categories (id),
    skill       TEXT NOT NULL
);
