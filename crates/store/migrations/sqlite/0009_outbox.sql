-- Outbound mail (sqlite). Times are microseconds since the Unix epoch (UTC).
-- Keep in step with ../postgres/0009_outbox.sql.
--
-- Every message Frontline sends is rendered once, stored here with its Message-ID, and sent
-- by a durable `mail.send` job: a server that is down delays mail and loses none. The
-- Message-ID also goes to mail_threads (direction 'out'), where replies are threaded.

CREATE TABLE outbox (
    id             INTEGER PRIMARY KEY,
    -- NULL for mail about no ticket.
    ticket_id      BIGINT REFERENCES tickets (id),
    -- ticket_created, agent_reply, status_changed, ticket_resolved, assigned, mentioned,
    -- notification: the template it was rendered from.
    kind           TEXT NOT NULL,
    mailbox_id     BIGINT NOT NULL REFERENCES mailboxes (id),
    sender         TEXT NOT NULL,
    -- Addresses, one a line.
    recipients     TEXT NOT NULL,
    subject        TEXT NOT NULL,
    message_id     TEXT NOT NULL UNIQUE,
    in_reply_to    TEXT,
    -- Message-IDs, one a line, oldest first.
    refs           TEXT,
    -- auto-generated, auto-replied, or NULL for mail a person's action wrote.
    auto_submitted TEXT,
    body_text      TEXT NOT NULL,
    body_html      TEXT,
    -- queued, sent, failed.
    state          TEXT NOT NULL DEFAULT 'queued',
    attempts       BIGINT NOT NULL DEFAULT 0,
    last_error     TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    sent_at        BIGINT
);
CREATE INDEX outbox_ticket ON outbox (ticket_id, id);
CREATE INDEX outbox_state ON outbox (state, id);
-- Loop guard: how much automatic mail one address got lately.
CREATE INDEX outbox_recipient ON outbox (recipients, created_at);

-- Templates an administrator changed; the ones shipped in the binary are used otherwise.
CREATE TABLE mail_templates (
    name       TEXT PRIMARY KEY,
    subject    TEXT NOT NULL,
    body_text  TEXT NOT NULL,
    body_html  TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    updated_at BIGINT NOT NULL
);
