-- Lockouts (issue 11 §2): failed sign-in verifications counted per user, not per sign-in, so that
-- starting new sign-ins does not give new guesses. Wrong passwords and wrong second-factor codes
-- (totp, phone_code, backup_code) count; a successful sign-in clears the row. Reaching the limit
-- sets `locked_until` (the server clock's milliseconds); once that has passed the user may sign
-- in again and the count starts over. No row: no failures. Depends on 0001 only.
CREATE TABLE user_lockouts (
    user_id         TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    locked_until    INTEGER,
    updated_at      INTEGER NOT NULL
);
