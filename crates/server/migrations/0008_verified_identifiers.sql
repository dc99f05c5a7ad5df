-- Only verified email addresses and phone numbers identify a person (issue 11 §4). Before, an
-- address was unique among all identifications, verified or not: anyone could add
-- `victim@example.com` unverified to their own account, and the victim could then neither sign
-- up with it nor sign in, while password sign-ins for it landed in the other account.
--
-- Now: a value is unique among *verified* identifications (a partial unique index on the
-- `verified` column, which the triggers below derive from the verification, so no code path can
-- forget it), and once per user. When one user's copy becomes verified, other users' unverified
-- copies of the same value are removed, as Clerk does.
--
-- SQLite cannot drop a table constraint, so the table is rebuilt (the documented 12-step way).
-- Migrations run with foreign keys off (`store::migrate`), or dropping the old table would
-- cascade into the rows that refer to it; references are checked once all have run.

CREATE TABLE identifications_new (
    id                         TEXT PRIMARY KEY NOT NULL,
    user_id                    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind                       TEXT NOT NULL CHECK (kind IN ('email_address', 'phone_number')),
    value                      TEXT NOT NULL COLLATE NOCASE,
    reserved                   INTEGER NOT NULL DEFAULT 0 CHECK (reserved IN (0, 1)),
    reserved_for_second_factor INTEGER NOT NULL DEFAULT 0 CHECK (reserved_for_second_factor IN (0, 1)),
    default_second_factor      INTEGER NOT NULL DEFAULT 0 CHECK (default_second_factor IN (0, 1)),
    -- 1 while the verification says `verified`: kept by the triggers below, never written by hand.
    verified                   INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
    created_at                 INTEGER NOT NULL,
    updated_at                 INTEGER NOT NULL,
    UNIQUE (user_id, kind, value)
);

INSERT INTO identifications_new (id, user_id, kind, value, reserved, reserved_for_second_factor,
        default_second_factor, verified, created_at, updated_at)
    SELECT i.id, i.user_id, i.kind, i.value, i.reserved, i.reserved_for_second_factor,
           i.default_second_factor,
           EXISTS (SELECT 1 FROM verifications v WHERE v.identification_id = i.id AND v.status = 'verified'),
           i.created_at, i.updated_at
    FROM identifications i;

DROP TABLE identifications;
ALTER TABLE identifications_new RENAME TO identifications;

CREATE INDEX identifications_user ON identifications(user_id);
-- The sign-in lookup, and the rule itself: one verified owner per value.
CREATE UNIQUE INDEX identifications_verified_value ON identifications(kind, value) WHERE verified = 1;

-- An identification's verification becoming verified claims the value: other users' unverified
-- copies go (their verifications and pending links with them), then the flag is set, which the
-- unique index refuses if another user holds the value verified.
CREATE TRIGGER verification_inserted AFTER INSERT ON verifications
WHEN NEW.identification_id IS NOT NULL
BEGIN
    DELETE FROM identifications WHERE NEW.status = 'verified' AND id IN (
        SELECT other.id FROM identifications other JOIN identifications mine ON mine.id = NEW.identification_id
        WHERE other.kind = mine.kind AND other.value = mine.value AND other.user_id <> mine.user_id
          AND other.verified = 0);
    UPDATE identifications SET verified = (NEW.status = 'verified') WHERE id = NEW.identification_id;
END;

CREATE TRIGGER verification_status_changed AFTER UPDATE OF status ON verifications
WHEN NEW.identification_id IS NOT NULL
BEGIN
    DELETE FROM identifications WHERE NEW.status = 'verified' AND id IN (
        SELECT other.id FROM identifications other JOIN identifications mine ON mine.id = NEW.identification_id
        WHERE other.kind = mine.kind AND other.value = mine.value AND other.user_id <> mine.user_id
          AND other.verified = 0);
    UPDATE identifications SET verified = (NEW.status = 'verified') WHERE id = NEW.identification_id;
END;
