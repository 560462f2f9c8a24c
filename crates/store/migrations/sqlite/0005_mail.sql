-- The email channel (sqlite). Times are microseconds since the Unix epoch (UTC).
-- Keep in step with ../postgres/0005_mail.sql.
--
-- A message is stored whole in inbound_messages before Frontline acknowledges it (250 after
-- DATA, \Seen on IMAP); a job then turns it into exactly one ticket or comment, or records
-- why not (ignored, quarantined). Both unique keys refuse a second copy of one message: its
-- Message-ID (a hash of the bytes when it has none) across every mailbox, and its IMAP UID.

CREATE TABLE mailboxes (
    id               INTEGER PRIMARY KEY,
    address          TEXT NOT NULL UNIQUE,
    -- imap(s)://USER:PASS@HOST:PORT/FOLDER, with its secret: never logged or shown whole.
    imap_url         TEXT,
    smtp_url         TEXT,
    state            TEXT NOT NULL DEFAULT 'active',
    last_error       TEXT,
    imap_uidvalidity BIGINT,
    imap_last_uid    BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE inbound_messages (
    id            INTEGER PRIMARY KEY,
    mailbox_id    BIGINT REFERENCES mailboxes (id),
    source        TEXT NOT NULL,
    message_key   TEXT NOT NULL UNIQUE,
    uidvalidity   BIGINT,
    uid           BIGINT,
    envelope_from TEXT,
    raw           BLOB NOT NULL,
    size          BIGINT NOT NULL,
    -- received, then ticket, comment, note, ignored or quarantined.
    state         TEXT NOT NULL DEFAULT 'received',
    reason        TEXT,
    sender        TEXT,
    html          TEXT,
    ticket_id     BIGINT REFERENCES tickets (id),
    comment_id    BIGINT REFERENCES comments (id),
    received_at   BIGINT NOT NULL,
    processed_at  BIGINT,
    UNIQUE (mailbox_id, uidvalidity, uid)
);
CREATE INDEX inbound_messages_state ON inbound_messages (state, id);
-- The per-sender rate limit counts a sender's recent messages.
CREATE INDEX inbound_messages_sender ON inbound_messages (sender, processed_at);
CREATE INDEX inbound_messages_ticket ON inbound_messages (ticket_id);

-- Every Message-ID Frontline received or sent for a ticket: a reply's In-Reply-To and
-- References are looked up here.
CREATE TABLE mail_threads (
    message_id TEXT PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id),
    direction  TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX mail_threads_ticket ON mail_threads (ticket_id);
