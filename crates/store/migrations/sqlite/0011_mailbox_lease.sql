-- One IMAP poller per mailbox across nodes (sqlite). Keep in step with
-- ../postgres/0011_mailbox_lease.sql. Times are microseconds since the Unix epoch (UTC).
--
-- A node polls a mailbox only while it holds the mailbox's lease: it takes the lease when
-- nobody holds it or the holder's lease ran out, renews it while it polls, and gives it back
-- when it stops. A node that dies stops renewing, and another takes the mailbox over once
-- the lease has run out. (Two pollers at once would still store each message once, by the
-- unique keys of 0005; the lease saves the doubled work.)

ALTER TABLE mailboxes ADD COLUMN poll_owner TEXT;
ALTER TABLE mailboxes ADD COLUMN poll_until BIGINT;
