-- Frontline ticket core (SQLite). Times are microseconds since the Unix epoch (UTC).
-- Keep in step with ../postgres/0001_ticket_core.sql: same tables, columns and indexes.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE organizations (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    domain         TEXT UNIQUE,
    shared_tickets BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT NOT NULL
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL,
    organization_id BIGINT REFERENCES organizations (id),
    password_hash   TEXT,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      BIGINT NOT NULL
);
CREATE INDEX users_org ON users (organization_id);

CREATE TABLE agent_groups (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE TABLE group_members (
    group_id BIGINT NOT NULL REFERENCES agent_groups (id),
    user_id  BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE categories (
    id        INTEGER PRIMARY KEY,
    path      TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    parent_id BIGINT REFERENCES categories (id)
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    token_hash   TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE custom_fields (
    key        TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    position   BIGINT NOT NULL
);

CREATE TABLE tickets (
    id                  INTEGER PRIMARY KEY,
    subject             TEXT NOT NULL,
    description         TEXT NOT NULL,
    status              TEXT NOT NULL,
    ticket_type         TEXT NOT NULL,
    impact              TEXT NOT NULL,
    urgency             TEXT NOT NULL,
    priority            BIGINT NOT NULL,
    priority_overridden BOOLEAN NOT NULL DEFAULT FALSE,
    category_id         BIGINT REFERENCES categories (id),
    requester_id        BIGINT NOT NULL REFERENCES users (id),
    organization_id     BIGINT REFERENCES organizations (id),
    group_id            BIGINT REFERENCES agent_groups (id),
    assignee_id         BIGINT REFERENCES users (id),
    channel             TEXT NOT NULL,
    custom_fields       TEXT NOT NULL DEFAULT '{}',
    merged_into_id      BIGINT REFERENCES tickets (id),
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    first_response_at   BIGINT,
    resolved_at         BIGINT,
    closed_at           BIGINT
);
-- The agent queue: one status, most urgent first, oldest first.
CREATE INDEX tickets_queue ON tickets (status, priority, created_at, id);
CREATE INDEX tickets_priority ON tickets (priority, created_at, id);
CREATE INDEX tickets_created ON tickets (created_at, id);
CREATE INDEX tickets_updated ON tickets (updated_at, id);
CREATE INDEX tickets_requester ON tickets (requester_id, created_at, id);
CREATE INDEX tickets_assignee ON tickets (assignee_id, status);
CREATE INDEX tickets_group ON tickets (group_id, status);
CREATE INDEX tickets_org ON tickets (organization_id, created_at, id);
CREATE INDEX tickets_category ON tickets (category_id);

CREATE TABLE ticket_tags (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    tag       TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags (tag, ticket_id);

CREATE TABLE ticket_watchers (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    user_id   BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (ticket_id, user_id)
);

CREATE TABLE ticket_field_values (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    field_key TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (field_key, value, ticket_id)
);
CREATE INDEX ticket_field_values_ticket ON ticket_field_values (ticket_id);

CREATE TABLE ticket_links (
    source_id  BIGINT NOT NULL REFERENCES tickets (id),
    kind       TEXT NOT NULL,
    target_id  BIGINT NOT NULL REFERENCES tickets (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (source_id, kind, target_id)
);
CREATE INDEX ticket_links_target ON ticket_links (target_id);

CREATE TABLE comments (
    id               INTEGER PRIMARY KEY,
    ticket_id        BIGINT NOT NULL REFERENCES tickets (id),
    author_id        BIGINT NOT NULL REFERENCES users (id),
    body             TEXT NOT NULL,
    internal         BOOLEAN NOT NULL,
    source_ticket_id BIGINT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX comments_ticket ON comments (ticket_id, id);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size   BIGINT NOT NULL,
    data   BLOB NOT NULL
);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    comment_id   BIGINT NOT NULL REFERENCES comments (id),
    ticket_id    BIGINT NOT NULL REFERENCES tickets (id),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL REFERENCES blobs (sha256),
    created_at   BIGINT NOT NULL
);
CREATE INDEX attachments_comment ON attachments (comment_id);
CREATE INDEX attachments_ticket ON attachments (ticket_id);

CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    actor_id  BIGINT REFERENCES users (id),
    at        BIGINT NOT NULL,
    kind      TEXT NOT NULL,
    field     TEXT,
    old_value TEXT,
    new_value TEXT,
    internal  BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX events_ticket ON events (ticket_id, id);
CREATE INDEX events_at ON events (at);

CREATE TABLE idempotency_keys (
    user_id      BIGINT NOT NULL REFERENCES users (id),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    ticket_id    BIGINT NOT NULL REFERENCES tickets (id),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
