-- Reverification (issue 12): when a session last proved who uses it, and the step-up under way.
-- Depends on 0001 and 0004 (`sessions.second_factor_verified_at`).

-- When the session's first factor was last verified; NULL: at its sign-in (`created_at`), so
-- sessions from before this migration count from their sign-in. A reverification moves it (and
-- `second_factor_verified_at` for a second factor). Milliseconds of the server's clock.
ALTER TABLE sessions ADD COLUMN first_factor_verified_at INTEGER;

-- A session's reverification (`POST /v1/client/sessions/{id}/verify`): one per session, a new
-- one replaces it. `first_*` / `second_*` hold each factor's verification: its strategy and
-- status, the attempts at it, and for codes the salted hash (`one_time_code`), where it was sent
-- (an email address or phone number of the user), its expiry and when it was sent (the resend
-- cooldown).
CREATE TABLE session_reverifications (
    session_id            TEXT PRIMARY KEY NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    level                 TEXT NOT NULL CHECK (level IN ('first_factor', 'second_factor', 'multi_factor')),
    status                TEXT NOT NULL CHECK (status IN ('needs_first_factor', 'needs_second_factor', 'complete')),
    first_strategy        TEXT,
    first_status          TEXT,
    first_attempts        INTEGER NOT NULL DEFAULT 0,
    first_code_hash       TEXT,
    first_target_id       TEXT,
    first_expire_at       INTEGER,
    first_sent_at         INTEGER,
    second_strategy       TEXT,
    second_status         TEXT,
    second_attempts       INTEGER NOT NULL DEFAULT 0,
    second_code_hash      TEXT,
    second_target_id      TEXT,
    second_expire_at      INTEGER,
    second_sent_at        INTEGER,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
