-- Time spent on tickets (SQLite). Keep in step with ../postgres/0017_time_spent.sql. Times
-- are microseconds since the Unix epoch.
--
-- An agent says how many minutes a reply, an internal note or a phone call took; each entry
-- hangs on the comment it was written with (a call's on the note that logs it). Totals per
-- ticket read by ticket_id, per agent and period by (user_id, created_at).

CREATE TABLE time_entries (
    id         INTEGER PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    comment_id BIGINT REFERENCES comments (id),
    -- reply, note or call
    kind       TEXT NOT NULL,
    minutes    BIGINT NOT NULL CHECK (minutes > 0),
    created_at BIGINT NOT NULL
);
CREATE INDEX time_entries_ticket ON time_entries (ticket_id, id);
CREATE INDEX time_entries_user ON time_entries (user_id, created_at);
