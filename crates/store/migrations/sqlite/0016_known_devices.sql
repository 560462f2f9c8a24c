-- Browsers that have signed in to an account before (SQLite). Keep in step with
-- ../postgres/0016_known_devices.sql. Times are microseconds since the Unix epoch.
--
-- A browser that signed in successfully gets a long-lived cookie; only its SHA-256 is kept,
-- with the account it proved itself for. Failed sign-ins from such a browser are not counted
-- against the account's budget for unknown browsers, so a guesser elsewhere cannot lock its
-- owner out (the OWASP "device cookie"). Throttling keys in sign_in_failures gain
-- 'pair:<email> <ip>' and 'device:<hash>' beside 'account:' and 'address:'.

CREATE TABLE known_devices (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX known_devices_user ON known_devices (user_id);
CREATE INDEX known_devices_expiry ON known_devices (expires_at);
