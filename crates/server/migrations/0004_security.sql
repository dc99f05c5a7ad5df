-- Security (issue #6): two-step verification (authenticator apps, backup codes, the second factor
-- of a sign-in), sign-ups, and what the list of active sessions shows.
--
-- Everything a user owns references `users` with ON DELETE CASCADE, so deleting a user leaves
-- none of it behind. Depends on 0001 only.

-- When the session's second factor was verified (NULL: none was asked), for `fva`. A session's
-- latest activity is its `user_agent` and `ip_address` (0001), refreshed at sign-in and touch.
ALTER TABLE sessions ADD COLUMN second_factor_verified_at INTEGER;

-- An authenticator app (TOTP). One per user: unverified while being set up, verified once a first
-- code confirmed it. The secret is encrypted with the data directory's at-rest key, bound to the
-- user id; `last_used_step` is the time step of the last code accepted, so no code works twice.
CREATE TABLE totps (
    id             TEXT PRIMARY KEY NOT NULL,
    user_id        TEXT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    secret_sealed  TEXT NOT NULL,
    verified       INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
    last_used_step INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

-- Backup codes: each a keyed hash (HMAC-SHA256 under the at-rest key) of a random code, usable
-- once (`used_at`). A new set replaces the old one.
CREATE TABLE backup_codes (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    used_at    INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (user_id, code_hash)
);

-- The second factor of a sign-in whose user has two-step verification: the strategy tried last,
-- the attempts so far (all strategies together; the sign-in is abandoned after too many), and for
-- `phone_code` the number the code went to with the code's salted hash.
CREATE TABLE sign_in_second_factors (
    sign_in_id      TEXT PRIMARY KEY NOT NULL REFERENCES sign_ins(id) ON DELETE CASCADE,
    strategy        TEXT NOT NULL CHECK (strategy IN ('totp', 'phone_code', 'backup_code')),
    status          TEXT NOT NULL CHECK (status IN ('unverified', 'verified', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    phone_number_id TEXT REFERENCES identifications(id) ON DELETE SET NULL,
    code_hash       TEXT,
    expire_at       INTEGER,
    sent_at         INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- A sign-up: what a person gave so far, and the verification of its email address (a code, as
-- for identifications). Complete once the user exists; it then goes with the user.
CREATE TABLE sign_ups (
    id                     TEXT PRIMARY KEY NOT NULL,
    client_id              TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    status                 TEXT NOT NULL CHECK (status IN ('abandoned', 'missing_requirements', 'complete')),
    email_address          TEXT,
    username               TEXT,
    first_name             TEXT,
    last_name              TEXT,
    -- argon2 PHC string, as `users.password_hash`.
    password_hash          TEXT,
    unsafe_metadata        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(unsafe_metadata) AND json_type(unsafe_metadata) = 'object'),
    legal_accepted_at      INTEGER,
    verification_status    TEXT CHECK (verification_status IN ('unverified', 'verified', 'failed')),
    verification_attempts  INTEGER,
    verification_code_hash TEXT,
    verification_expire_at INTEGER,
    verification_sent_at   INTEGER,
    created_user_id        TEXT REFERENCES users(id) ON DELETE CASCADE,
    created_session_id     TEXT REFERENCES sessions(id) ON DELETE SET NULL,
    abandon_at             INTEGER NOT NULL,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
);
CREATE INDEX sign_ups_client ON sign_ups(client_id);
CREATE INDEX sign_ups_user ON sign_ups(created_user_id);
