-- Connected (OAuth) accounts, the OAuth round trips that link them or sign in with them, and the
-- nonces that tell the app a round trip ended.

-- An account at an OAuth provider, connected to a user. Its verification (the OAuth round trip)
-- lives here rather than in `verifications`, whose owner check names only identifications and
-- sign-ins. `provider_user_id` is NULL until a round trip succeeded: an account that never
-- verified is linked to nobody, so a failed connect leaves nothing half-linked. Once set, the
-- unique constraint decides that an identity at a provider belongs to one user only.
CREATE TABLE external_accounts (
    id                       TEXT PRIMARY KEY NOT NULL,
    user_id                  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- Clerk gives every external account an identification id (`idn_…`); it names nothing in
    -- `identifications`, whose kinds are emails and phones.
    identification_id        TEXT NOT NULL UNIQUE,
    -- The strategy, e.g. `oauth_github` or `oauth_custom_acme` (Clerk's `provider`).
    provider                 TEXT NOT NULL,
    provider_user_id         TEXT,
    email_address            TEXT,
    email_address_verified   INTEGER CHECK (email_address_verified IN (0, 1)),
    first_name               TEXT,
    last_name                TEXT,
    username                 TEXT,
    avatar_url               TEXT,
    -- Space-separated, as on the wire.
    approved_scopes          TEXT NOT NULL DEFAULT '',
    verification_status      TEXT NOT NULL CHECK (verification_status IN ('unverified', 'verified', 'failed', 'expired')),
    -- The provider's authorization URL of the round trip under way (state, PKCE challenge,
    -- scopes): where the person is sent to verify.
    verification_redirect_url TEXT,
    verification_expire_at   INTEGER NOT NULL,
    verification_error       TEXT CHECK (verification_error IS NULL OR json_valid(verification_error)),
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL,
    UNIQUE (provider, provider_user_id)
);
CREATE INDEX external_accounts_user ON external_accounts(user_id);

-- One OAuth round trip under way: the `state` sent to the provider (only its SHA-256 kept),
-- bound to the client that started it and to what it is for (connecting or reauthorizing an
-- account, or a sign-in), with the PKCE verifier the code exchange needs. Single use: `used_at`
-- is set by the first callback that names it; expiring (`expire_at`).
CREATE TABLE oauth_states (
    state_hash                   TEXT PRIMARY KEY NOT NULL,
    client_id                    TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    strategy                     TEXT NOT NULL,
    purpose                      TEXT NOT NULL CHECK (purpose IN ('connect', 'reauthorize', 'sign_in')),
    external_account_id          TEXT REFERENCES external_accounts(id) ON DELETE CASCADE,
    sign_in_id                   TEXT REFERENCES sign_ins(id) ON DELETE CASCADE,
    pkce_verifier                TEXT NOT NULL,
    -- Space-separated scopes asked for.
    scopes                       TEXT NOT NULL,
    -- The provider's authorization URL (shown as the sign-in's redirect URL).
    authorize_url                TEXT NOT NULL,
    redirect_url                 TEXT NOT NULL,
    action_complete_redirect_url TEXT,
    -- The app's user agent, for the session a sign-in opens (the callback comes from a browser).
    user_agent                   TEXT,
    expire_at                    INTEGER NOT NULL,
    used_at                      INTEGER,
    created_at                   INTEGER NOT NULL,
    CHECK ((external_account_id IS NULL) <> (sign_in_id IS NULL)),
    CHECK ((purpose = 'sign_in') = (sign_in_id IS NOT NULL))
);
CREATE INDEX oauth_states_account ON oauth_states(external_account_id);
CREATE INDEX oauth_states_sign_in ON oauth_states(sign_in_id);

-- The identity an OAuth sign-in found that no user has yet (the sign-in's verification is
-- `transferable`): what `POST /v1/client/sign_ups` with `transfer=true` makes a user of. Deleted
-- when transferred.
CREATE TABLE oauth_transfers (
    sign_in_id             TEXT PRIMARY KEY NOT NULL REFERENCES sign_ins(id) ON DELETE CASCADE,
    provider               TEXT NOT NULL,
    provider_user_id       TEXT NOT NULL,
    email_address          TEXT,
    email_address_verified INTEGER NOT NULL CHECK (email_address_verified IN (0, 1)),
    first_name             TEXT,
    last_name              TEXT,
    username               TEXT,
    avatar_url             TEXT,
    approved_scopes        TEXT NOT NULL,
    created_at             INTEGER NOT NULL
);

-- `rotating_token_nonce`: handed to the app in the deep link when a round trip ended well, and
-- presented back by the client that started it (only its SHA-256 kept; single use, short-lived).
CREATE TABLE oauth_nonces (
    nonce_hash TEXT PRIMARY KEY NOT NULL,
    client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    expire_at  INTEGER NOT NULL,
    used_at    INTEGER,
    created_at INTEGER NOT NULL
);
