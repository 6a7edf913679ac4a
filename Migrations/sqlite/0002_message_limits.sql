-- Mailroom account store, migration 0002 (SQLite): message size limits and the submission
-- sender rule per domain and per user.
-- The PostgreSQL twin is ../postgres/0002_message_limits.sql; keep both in step.
-- max_message_bytes: NULL = no limit of its own (a user inherits the domain's; a domain has
-- none), otherwise at least 65536 (RFC 5321 section 4.5.3.1.7 requires 64k octets of text).
-- sender_login_match: NULL = the global smtp.sender_login_match.

ALTER TABLE domains ADD COLUMN max_message_bytes INTEGER
    CHECK (max_message_bytes IS NULL OR max_message_bytes >= 65536);

ALTER TABLE domains ADD COLUMN sender_login_match TEXT
    CHECK (sender_login_match IS NULL OR sender_login_match IN ('aliases', 'domain', 'off'));

ALTER TABLE users ADD COLUMN max_message_bytes INTEGER
    CHECK (max_message_bytes IS NULL OR max_message_bytes >= 65536);
