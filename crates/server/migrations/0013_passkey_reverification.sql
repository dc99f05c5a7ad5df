-- Reverification by passkey (issue 14): a session reverification's first factor with
-- `strategy=passkey`. Depends on 0009 (`session_reverifications`).
-- `first_passkey_state`: webauthn-rs's authentication state while the ceremony is under way,
-- cleared by the attempt that answers it (used once, right or wrong). `first_nonce`: the request
-- options sent to the client (the verification's `nonce`), as long as the state lives.
ALTER TABLE session_reverifications ADD COLUMN first_passkey_state TEXT;
ALTER TABLE session_reverifications ADD COLUMN first_nonce TEXT;
