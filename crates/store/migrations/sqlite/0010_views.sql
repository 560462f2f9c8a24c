-- Saved views, canned responses and ticket presence (sqlite). Keep in step with
-- ../postgres/0010_views.sql.

-- A saved view: a built-in queue narrowed by filters and read in an order, named by the agent
-- who saved it. Private views are the owner's; shared ones are seen by a group's members or by
-- every agent.
CREATE TABLE saved_views (
    id              INTEGER PRIMARY KEY,
    owner_id        BIGINT NOT NULL REFERENCES users (id),
    name            TEXT NOT NULL,
    -- private, group or everyone.
    visibility      TEXT NOT NULL,
    -- The group a view with visibility 'group' is shared with.
    shared_group_id BIGINT REFERENCES agent_groups (id),
    -- The queue and filters, as JSON ({"queue": "open", "priorities": ["P1"], …}).
    filters         TEXT NOT NULL,
    -- priority, created, updated or due; `-` prefix for descending.
    sort            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (owner_id, name)
);
CREATE INDEX saved_views_shared ON saved_views (visibility, shared_group_id);

-- Reply templates with placeholders. owner_id NULL: the desk's, kept by admins; otherwise an
-- agent's own.
CREATE TABLE canned_responses (
    id         INTEGER PRIMARY KEY,
    owner_id   BIGINT REFERENCES users (id),
    name       TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX canned_responses_desk_name ON canned_responses (name) WHERE owner_id IS NULL;
CREATE UNIQUE INDEX canned_responses_own_name ON canned_responses (owner_id, name)
    WHERE owner_id IS NOT NULL;

-- Who has a ticket page open: each open page renews its row every few seconds and a row not
-- renewed for a few seconds no longer counts, so every node sharing the database sees the same
-- viewers. Nothing here needs to survive a crash. A SQLite desk runs one node, which keeps
-- its viewers in memory; the table is here so both databases have the same tables.
CREATE TABLE ticket_viewers (
    ticket_id BIGINT NOT NULL,
    user_id   BIGINT NOT NULL,
    seen_at   BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX ticket_viewers_seen ON ticket_viewers (seen_at);

-- The console's assignee pickers list the desk's team on every queue and ticket page; with
-- tens of thousands of requesters they must not read the whole users table.
CREATE INDEX users_role ON users (role, name);
