-- Mailroom account store, migration 0001 (SQLite).
-- The PostgreSQL twin is ../postgres/0001_accounts.sql; keep both in step.
-- Times are Unix epoch seconds. Names (domains, local parts, tenants) are stored lowercase;
-- domains in their ASCII (punycode) form, with the Unicode form beside them.

CREATE TABLE tenants (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE CHECK (name <> '' AND name = lower(name)),
    display_name    TEXT NOT NULL DEFAULT '',
    max_domains     INTEGER CHECK (max_domains IS NULL OR max_domains >= 0),
    max_users       INTEGER CHECK (max_users IS NULL OR max_users >= 0),
    max_quota_bytes INTEGER CHECK (max_quota_bytes IS NULL OR max_quota_bytes >= 0),
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
);

CREATE TABLE volumes (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (name <> ''),
    path       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
);

INSERT INTO volumes (id, name, path) VALUES (1, 'default', '');

CREATE TABLE domains (
    id                     INTEGER PRIMARY KEY,
    name                   TEXT NOT NULL UNIQUE CHECK (name <> '' AND name = lower(name)),
    unicode_name           TEXT,
    tenant_id              INTEGER REFERENCES tenants (id) ON DELETE RESTRICT,
    volume_id              INTEGER NOT NULL DEFAULT 1 REFERENCES volumes (id) ON DELETE RESTRICT,
    active                 INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    max_users              INTEGER CHECK (max_users IS NULL OR max_users >= 0),
    max_aliases            INTEGER CHECK (max_aliases IS NULL OR max_aliases >= 0),
    default_quota_bytes    INTEGER CHECK (default_quota_bytes IS NULL OR default_quota_bytes >= 0),
    default_quota_messages INTEGER CHECK (default_quota_messages IS NULL OR default_quota_messages >= 0),
    catchall               TEXT,
    created_at             INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
);

CREATE INDEX domains_tenant ON domains (tenant_id);

CREATE TABLE domain_aliases (
    name         TEXT PRIMARY KEY CHECK (name <> '' AND name = lower(name)),
    unicode_name TEXT,
    domain_id    INTEGER NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
);

CREATE INDEX domain_aliases_domain ON domain_aliases (domain_id);

CREATE TABLE users (
    id                 INTEGER PRIMARY KEY,
    domain_id          INTEGER NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    local_part         TEXT NOT NULL CHECK (local_part <> '' AND local_part = lower(local_part)),
    password_hash      TEXT NOT NULL DEFAULT '',
    scram_sha256       TEXT,
    cram_md5           TEXT,
    display_name       TEXT NOT NULL DEFAULT '',
    quota_bytes        INTEGER CHECK (quota_bytes IS NULL OR quota_bytes >= 0),
    quota_messages     INTEGER CHECK (quota_messages IS NULL OR quota_messages >= 0),
    disable_smtp       INTEGER NOT NULL DEFAULT 0 CHECK (disable_smtp IN (0, 1)),
    disable_pop3       INTEGER NOT NULL DEFAULT 0 CHECK (disable_pop3 IN (0, 1)),
    disable_imap       INTEGER NOT NULL DEFAULT 0 CHECK (disable_imap IN (0, 1)),
    disable_web        INTEGER NOT NULL DEFAULT 0 CHECK (disable_web IN (0, 1)),
    created_at         INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
    last_login_at      INTEGER,
    last_login_service TEXT,
    last_login_ip      TEXT,
    UNIQUE (domain_id, local_part)
);

CREATE TABLE aliases (
    id         INTEGER PRIMARY KEY,
    domain_id  INTEGER NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    local_part TEXT NOT NULL CHECK (local_part <> '' AND local_part = lower(local_part)),
    target     TEXT NOT NULL CHECK (target <> ''),
    created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
    UNIQUE (domain_id, local_part, target)
);

CREATE TABLE relay_networks (
    id         INTEGER PRIMARY KEY,
    cidr       TEXT NOT NULL UNIQUE,
    note       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
);

CREATE TABLE access_rules (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('mail_from', 'helo', 'rcpt_to')),
    domain_id  INTEGER REFERENCES domains (id) ON DELETE CASCADE,
    pattern    TEXT NOT NULL CHECK (pattern <> '' AND pattern = lower(pattern)),
    note       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
);

CREATE UNIQUE INDEX access_rules_unique ON access_rules (kind, COALESCE(domain_id, 0), pattern);

CREATE TABLE admins (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE CHECK (name <> '' AND name = lower(name)),
    password_hash TEXT NOT NULL DEFAULT '',
    scope         TEXT NOT NULL CHECK (scope IN ('global', 'tenant', 'domain')),
    tenant_id     INTEGER REFERENCES tenants (id) ON DELETE CASCADE,
    domain_id     INTEGER REFERENCES domains (id) ON DELETE CASCADE,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
    last_login_at INTEGER,
    CHECK ((scope = 'global' AND tenant_id IS NULL AND domain_id IS NULL)
        OR (scope = 'tenant' AND tenant_id IS NOT NULL AND domain_id IS NULL)
        OR (scope = 'domain' AND domain_id IS NOT NULL AND tenant_id IS NULL))
);
