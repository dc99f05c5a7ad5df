-- Sign-up from the instance's settings (issue 12): a phone number besides the email address,
-- each verified on its own (email by code or link, phone by SMS code). The email address's
-- verification moves out of `sign_ups` into one row per field. Depends on 0004.

CREATE TABLE sign_up_verifications (
    sign_up_id      TEXT NOT NULL REFERENCES sign_ups(id) ON DELETE CASCADE,
    field           TEXT NOT NULL CHECK (field IN ('email_address', 'phone_number')),
    strategy        TEXT NOT NULL CHECK (strategy IN ('email_code', 'email_link', 'phone_code')),
    status          TEXT NOT NULL CHECK (status IN ('unverified', 'verified', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Only hashes are kept; a verified or failed verification forgets its code and link.
    code_hash       TEXT,
    link_token_hash TEXT UNIQUE,
    -- Where the browser goes once the link verified the address (`redirect_url` at prepare time).
    redirect_url    TEXT,
    expire_at       INTEGER NOT NULL,
    sent_at         INTEGER NOT NULL,
    PRIMARY KEY (sign_up_id, field)
);

INSERT INTO sign_up_verifications
    (sign_up_id, field, strategy, status, attempts, code_hash, expire_at, sent_at)
SELECT id, 'email_address', 'email_code', verification_status, COALESCE(verification_attempts, 0),
       verification_code_hash, COALESCE(verification_expire_at, updated_at),
       COALESCE(verification_sent_at, updated_at)
FROM sign_ups WHERE verification_status IS NOT NULL;

ALTER TABLE sign_ups DROP COLUMN verification_status;
ALTER TABLE sign_ups DROP COLUMN verification_attempts;
ALTER TABLE sign_ups DROP COLUMN verification_code_hash;
ALTER TABLE sign_ups DROP COLUMN verification_expire_at;
ALTER TABLE sign_ups DROP COLUMN verification_sent_at;

-- E.164, as `identifications.value` keeps phone numbers.
ALTER TABLE sign_ups ADD COLUMN phone_number TEXT;
