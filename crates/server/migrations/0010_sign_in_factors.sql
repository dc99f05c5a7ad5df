-- Sign-in as the instance configures it (issue 12): first factors by code (`email_code`,
-- `phone_code`, `reset_password_*`) and the new-device check (`needs_client_trust`).
-- Depends on 0001 and 0002.

-- The email address or phone number a sign-in's code went to (first factor, or the client-trust
-- second factor, both kept in `verifications` with `sign_in_factor`). Only a sign-in's
-- verifications use it; an identification's own verification has `identification_id`.
ALTER TABLE verifications ADD COLUMN target_identification_id TEXT
    REFERENCES identifications(id) ON DELETE SET NULL;

-- The first-factor strategies the instance enabled when the sign-in identified its user
-- (space-separated, `Config::first_factors`): what the sign-in offers and accepts. NULL: made
-- before this migration or by OAuth, which offer only `password`.
ALTER TABLE sign_ins ADD COLUMN first_factors TEXT;
