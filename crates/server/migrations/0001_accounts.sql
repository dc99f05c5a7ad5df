-- The account store of the embedded server.
--
-- Conventions: ids are Clerk-style prefixed strings (`user_…`, `idn_…`, `sess_…`); timestamps are
-- Unix milliseconds (INTEGER); JSON documents are TEXT checked with json_valid(); booleans are
-- INTEGER 0/1. Later features add tables (external accounts and their OAuth state, TOTP, backup
-- codes, profile images, sign-ups) that reference these, rather than widening them.

CREATE TABLE users (
    id                       TEXT PRIMARY KEY NOT NULL,
    external_id              TEXT UNIQUE,
    -- NOCASE: usernames are ASCII (letters, digits, `_`, `-`), so this is Clerk's
    -- case-insensitive uniqueness, enforced by the database rather than by a racy check.
    username                 TEXT COLLATE NOCASE UNIQUE,
    first_name               TEXT,
    last_name                TEXT,
    -- argon2 PHC string; NULL when the user has no password (e.g. OAuth-only accounts).
    password_hash            TEXT,
    password_updated_at      INTEGER,
    -- The primary identifications. Deferred so that a user and their first email can be
    -- inserted in one transaction in either order.
    primary_email_address_id TEXT REFERENCES identifications(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    primary_phone_number_id  TEXT REFERENCES identifications(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    public_metadata          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(public_metadata) AND json_type(public_metadata) = 'object'),
    private_metadata         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(private_metadata) AND json_type(private_metadata) = 'object'),
    unsafe_metadata          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(unsafe_metadata) AND json_type(unsafe_metadata) = 'object'),
    delete_self_enabled      INTEGER NOT NULL DEFAULT 1 CHECK (delete_self_enabled IN (0, 1)),
    create_organization_enabled INTEGER NOT NULL DEFAULT 0 CHECK (create_organization_enabled IN (0, 1)),
    banned                   INTEGER NOT NULL DEFAULT 0 CHECK (banned IN (0, 1)),
    locked                   INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
    last_sign_in_at          INTEGER,
    last_active_at           INTEGER,
    legal_accepted_at        INTEGER,
    mfa_enabled_at           INTEGER,
    mfa_disabled_at          INTEGER,
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL
);

-- Email addresses and phone numbers: the things a person signs in with or is reached at.
CREATE TABLE identifications (
    id                         TEXT PRIMARY KEY NOT NULL,
    user_id                    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind                       TEXT NOT NULL CHECK (kind IN ('email_address', 'phone_number')),
    -- Emails are stored lower-cased; NOCASE keeps the uniqueness right for older rows too.
    value                      TEXT NOT NULL COLLATE NOCASE,
    reserved                   INTEGER NOT NULL DEFAULT 0 CHECK (reserved IN (0, 1)),
    reserved_for_second_factor INTEGER NOT NULL DEFAULT 0 CHECK (reserved_for_second_factor IN (0, 1)),
    default_second_factor      INTEGER NOT NULL DEFAULT 0 CHECK (default_second_factor IN (0, 1)),
    created_at                 INTEGER NOT NULL,
    updated_at                 INTEGER NOT NULL,
    UNIQUE (kind, value)
);
CREATE INDEX identifications_user ON identifications(user_id);

-- Devices. A native client is known by a random token, of which only the SHA-256 is kept.
CREATE TABLE clients (
    id                           TEXT PRIMARY KEY NOT NULL,
    token_hash                   TEXT NOT NULL UNIQUE,
    -- The sign-in under way on this client, if any (cleared when it completes).
    sign_in_id                   TEXT REFERENCES sign_ins(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    last_active_session_id       TEXT REFERENCES sessions(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    last_authentication_strategy TEXT,
    created_at                   INTEGER NOT NULL,
    updated_at                   INTEGER NOT NULL
);

-- A signed-in user on a client. Ended and removed sessions are kept (with their status) so the
-- account's session history can be shown; the activity columns record where a session came from.
CREATE TABLE sessions (
    id             TEXT PRIMARY KEY NOT NULL,
    client_id      TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status         TEXT NOT NULL CHECK (status IN ('active', 'pending', 'ended', 'removed', 'revoked', 'expired', 'abandoned')),
    -- The identifier the person signed in with (shown as the session's public identifier).
    identifier     TEXT NOT NULL,
    user_agent     TEXT,
    ip_address     TEXT,
    last_active_at INTEGER NOT NULL,
    expire_at      INTEGER NOT NULL,
    abandon_at     INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX sessions_client ON sessions(client_id, status);
CREATE INDEX sessions_user ON sessions(user_id, status);

-- A sign-in attempt. Its factor verifications live in `verifications`.
CREATE TABLE sign_ins (
    id                 TEXT PRIMARY KEY NOT NULL,
    client_id          TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    status             TEXT NOT NULL CHECK (status IN ('abandoned', 'needs_identifier', 'needs_first_factor', 'needs_second_factor', 'needs_client_trust', 'needs_new_password', 'needs_protect_check', 'complete')),
    identifier         TEXT,
    identification_id  TEXT REFERENCES identifications(id) ON DELETE SET NULL,
    user_id            TEXT REFERENCES users(id) ON DELETE CASCADE,
    created_session_id TEXT REFERENCES sessions(id) ON DELETE SET NULL,
    abandon_at         INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX sign_ins_client ON sign_ins(client_id);

-- Verifications of whatever needs proving: an identification (email or phone), or a factor of a
-- sign-in. Exactly one owner is set; later owners (sign-ups, external accounts) add a column.
-- `code_hash` holds a one-time code's hash for the `*_code` strategies.
CREATE TABLE verifications (
    id                TEXT PRIMARY KEY NOT NULL,
    identification_id TEXT UNIQUE REFERENCES identifications(id) ON DELETE CASCADE,
    sign_in_id        TEXT REFERENCES sign_ins(id) ON DELETE CASCADE,
    sign_in_factor    TEXT CHECK (sign_in_factor IN ('first', 'second')),
    status            TEXT NOT NULL CHECK (status IN ('unverified', 'verified', 'transferable', 'failed', 'expired')),
    strategy          TEXT NOT NULL,
    attempts          INTEGER,
    code_hash         TEXT,
    expire_at         INTEGER,
    error             TEXT CHECK (error IS NULL OR json_valid(error)),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    CHECK ((identification_id IS NULL) <> (sign_in_id IS NULL)),
    CHECK ((sign_in_id IS NULL) = (sign_in_factor IS NULL)),
    UNIQUE (sign_in_id, sign_in_factor)
);
