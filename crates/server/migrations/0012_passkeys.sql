-- Passkeys (issue 14): WebAuthn credentials of users, checked by webauthn-rs.
-- Depends on 0001 (`users`, `sign_ins`).

-- The WebAuthn user handle of each user who registered a passkey: a random UUID (no personal
-- data on the authenticator), the same for all their passkeys, so a discoverable credential
-- names its user.
CREATE TABLE passkey_user_handles (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    handle  TEXT NOT NULL UNIQUE
);

-- A passkey. While its registration is under way (`verified = 0`) `registration` holds the
-- ceremony's state as webauthn-rs serialises it (single use: cleared when verified) and
-- `registration_expire_at` its end. Once verified, `credential_id` (base64url) finds it and
-- `credential` holds webauthn-rs's credential JSON: public key, signature counter, flags.
CREATE TABLE passkeys (
    id                     TEXT PRIMARY KEY NOT NULL,
    user_id                TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name                   TEXT NOT NULL,
    verified               INTEGER NOT NULL DEFAULT 0,
    registration           TEXT,
    registration_expire_at INTEGER NOT NULL,
    credential_id          TEXT UNIQUE,
    credential             TEXT,
    last_used_at           INTEGER,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    CHECK (verified = 0 OR (credential_id IS NOT NULL AND credential IS NOT NULL AND registration IS NULL))
);
CREATE INDEX passkeys_user ON passkeys(user_id);

-- The passkey ceremony of a sign-in's first factor (`strategy=passkey`): webauthn-rs's
-- authentication state and the request options it sent (shown as the verification's `nonce`),
-- one per sign-in, deleted when used (a replayed assertion finds none).
-- `user_id` NULL: discoverable, any user's passkey may answer.
CREATE TABLE passkey_sign_ins (
    sign_in_id TEXT PRIMARY KEY NOT NULL REFERENCES sign_ins(id) ON DELETE CASCADE,
    user_id    TEXT REFERENCES users(id) ON DELETE CASCADE,
    state      TEXT NOT NULL,
    options    TEXT NOT NULL,
    expire_at  INTEGER NOT NULL
);
