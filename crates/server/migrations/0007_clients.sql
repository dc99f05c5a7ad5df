-- When a client was last used (issue 11 §2). Clients are made only when a request needs one to
-- write (a sign-in or sign-up starting), and one that never got a session and has nothing under
-- way is deleted once unused for `Config::client_idle_lifetime`: without this column an
-- abandoned client would stay forever. Existing clients count as used when last changed.
ALTER TABLE clients ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
UPDATE clients SET last_used_at = updated_at;
CREATE INDEX clients_last_used ON clients(last_used_at);
-- Deleting a client cascades into these; without an index each deletion scans them.
CREATE INDEX oauth_states_client ON oauth_states(client_id);
CREATE INDEX oauth_nonces_client ON oauth_nonces(client_id);
