-- Profile images (issue #5). The picture is a file in the data directory's `profile_images/`,
-- named by `image_id`: random, never reused and never overwritten in place, so its URL can be
-- cached forever. The row says which file is the user's and what it is; replacing or removing the
-- picture changes the row first and removes the old file after. Depends on 0001 only.
ALTER TABLE users ADD COLUMN image_id TEXT;
-- The media type sniffed from the content (never the one the client claimed).
ALTER TABLE users ADD COLUMN image_content_type TEXT CHECK ((image_id IS NULL) = (image_content_type IS NULL));
-- The uploaded file's name, when the upload gave one (multipart `filename`).
ALTER TABLE users ADD COLUMN image_file_name TEXT;
CREATE UNIQUE INDEX users_image_id ON users (image_id);
