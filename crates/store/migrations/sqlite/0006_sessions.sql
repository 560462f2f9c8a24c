-- Browser sessions and sign-in throttling (SQLite). Times are microseconds since the Unix epoch.
-- Keep in step with ../postgres/0006_sessions.sql.
--
-- A session is known only by the SHA-256 of its cookie value, so a copy of the database
-- signs nobody in. Each session carries its own CSRF token for the forms it renders.

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- One row per failed sign-in, under two keys: the account ('account:<email>') and the
-- client address ('address:<ip>'). Counted over a sliding window, pruned as it goes.
CREATE TABLE sign_in_failures (
    id     INTEGER PRIMARY KEY,
    key    TEXT NOT NULL,
    at     BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
