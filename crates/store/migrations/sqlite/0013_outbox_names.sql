-- Names and files on outbound mail (sqlite). Keep in step with ../postgres/0013_outbox_names.sql.
--
-- A message shows who sends it and to whom by name ("Ana Agent (IT Help)" <help@x.org>),
-- and an agent's reply carries the files of its comment. Names are kept as they were when
-- the message was composed; the files by their attachment ids, read at send time (the bytes
-- stay once in blobs), so the outbox row remains the whole recipe for its message.

-- The mailbox's display name ("IT Help"); NULL shows the bare address.
ALTER TABLE mailboxes ADD COLUMN name TEXT;

ALTER TABLE outbox ADD COLUMN sender_name TEXT;
ALTER TABLE outbox ADD COLUMN recipient_name TEXT;
-- Attachment ids, one a line, in the order they are attached; NULL for none.
ALTER TABLE outbox ADD COLUMN attachment_ids TEXT;
