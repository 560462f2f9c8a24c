-- Inbound mail told apart from its redeliveries, and quarantine handled by an admin (postgres).
-- Keep in step with ../sqlite/0015_inbound_redelivery.sql.
--
-- message_key was the bare <Message-ID>, so a different message reusing an id (a client's
-- bug, a forged id) was answered 250 and dropped as a copy. New messages are keyed by the
-- Message-ID and the SHA-256 of the message without its trace headers (see
-- crates/core/src/mail/receive.rs); the unique key on message_key stays and now refuses
-- only a true redelivery. Rows stored before keep their bare-id key; the receiver compares
-- a new message with such a row by content before calling it a copy.
--
-- message_id holds the Message-ID alone (without brackets), which a reply's In-Reply-To is
-- looked up by when its original is still waiting to be ingested.
--
-- handled_by and handled_at record the admin who released a quarantined (or ignored)
-- message or discarded it (state 'discarded', kept whole for the record).

ALTER TABLE inbound_messages ADD COLUMN message_id TEXT;
UPDATE inbound_messages SET message_id = substr(message_key, 2, length(message_key) - 2)
    WHERE message_key LIKE '<%>';
CREATE INDEX inbound_messages_message_id ON inbound_messages (message_id, state);

ALTER TABLE inbound_messages ADD COLUMN handled_by BIGINT REFERENCES users (id);
ALTER TABLE inbound_messages ADD COLUMN handled_at BIGINT;
