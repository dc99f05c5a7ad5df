-- Verifying email addresses and phone numbers by code or link, and the development outbox.

-- `code_hash` (0001) keeps a one-time code as `hex(salt):hex(sha256(salt || code))`.
-- An email link's token is long and random, so its plain SHA-256 is enough; unique so that a
-- link names one verification. Kept after use, so a second visit can say "already used".
ALTER TABLE verifications ADD COLUMN link_token_hash TEXT;
CREATE UNIQUE INDEX verifications_link_token ON verifications(link_token_hash)
    WHERE link_token_hash IS NOT NULL;
-- Where the browser goes after an email link verified the address (checked at prepare time).
ALTER TABLE verifications ADD COLUMN redirect_url TEXT;
-- When the last code or link was sent: the resend cooldown counts from here.
ALTER TABLE verifications ADD COLUMN sent_at INTEGER;

-- Development mode records every email and SMS the server would send, instead of sending it.
-- Production instances leave it empty.
CREATE TABLE outbox (
    id         TEXT PRIMARY KEY NOT NULL,
    to_address TEXT NOT NULL,
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    code       TEXT,
    link       TEXT,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    sent_at    INTEGER NOT NULL
);
CREATE INDEX outbox_sent ON outbox(sent_at);
