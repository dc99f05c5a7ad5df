//! The profile picture: uploading it as a streamed multipart body with progress, and removing it.

use std::convert::Infallible;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures_util::StreamExt;
use reqwest::Method;

use crate::client::{RequestBody, StreamedBody};
use crate::models::{DeletedObject, Envelope, Image};
use crate::{Client, Result};

/// How much of the body is handed to the connection at a time, and so how often progress moves.
const CHUNK_SIZE: usize = 64 * 1024;

/// How long an upload may take in all; the client's usual timeout is sized for small requests,
/// and 10 MB over a slow uplink takes minutes.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Progress of an upload, in bytes of the request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadProgress {
    /// Bytes handed to the connection so far.
    pub sent: u64,
    /// Bytes of the whole body (the picture and its multipart framing).
    pub total: u64,
}

/// A picture to upload as the profile image.
#[derive(Clone, PartialEq, Eq)]
pub struct ProfileImageUpload {
    /// The file's content.
    pub bytes: Vec<u8>,
    /// Its media type as the app knows it, e.g. `image/png`; the server checks the content itself.
    pub content_type: String,
    /// Its file name, e.g. `me.png`.
    pub file_name: String,
}

impl fmt::Debug for ProfileImageUpload {
    // Megabytes of pixels help nobody reading a log; their count does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileImageUpload")
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .field("content_type", &self.content_type)
            .field("file_name", &self.file_name)
            .finish()
    }
}

impl Client {
    /// Sets the user's profile picture (`POST /v1/me/profile_image`).
    ///
    /// Streams the picture as multipart `file`, calling `on_progress` as the body is sent. Dropping the
    /// future cancels the upload; the server keeps nothing of a partial body.
    pub async fn set_profile_image(
        &self,
        upload: ProfileImageUpload,
        on_progress: impl Fn(UploadProgress) + Send + Sync + 'static,
    ) -> Result<Image> {
        let multipart = MultipartFile::new(upload);
        let total = multipart.len();
        let content_type = format!("multipart/form-data; boundary={}", multipart.boundary);
        let mut sent = 0u64;
        // Each chunk is reported when the connection asks for it, i.e. as it is handed over to be written.
        let chunks = futures_util::stream::iter(multipart.into_chunks()).map(move |chunk| {
            sent += chunk.len() as u64;
            on_progress(UploadProgress { sent, total });
            Ok::<Bytes, Infallible>(chunk)
        });
        let body = StreamedBody {
            body: reqwest::Body::wrap_stream(chunks),
            content_type,
            content_length: total,
            timeout: UPLOAD_TIMEOUT,
        };
        let envelope: Envelope<Image> =
            self.send_body(Method::POST, "v1/me/profile_image", RequestBody::Streamed(body), None).await?;
        Ok(envelope.response)
    }

    /// Removes the user's profile picture (`DELETE /v1/me/profile_image`); the user then shows the
    /// generated default avatar. Fails with `resource_not_found` (404) when there is none.
    pub async fn delete_profile_image(&self) -> Result<DeletedObject> {
        self.send_enveloped(Method::DELETE, "v1/me/profile_image", None).await
    }
}

/// A `multipart/form-data` body of one part, `file`.
struct MultipartFile {
    boundary: String,
    head: Bytes,
    content: Bytes,
    tail: Bytes,
}

impl MultipartFile {
    fn new(upload: ProfileImageUpload) -> Self {
        let boundary = boundary_absent_from(&upload.bytes, random_u128);
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
             Content-Type: {}\r\n\r\n",
            quoted_file_name(&upload.file_name),
            header_safe_content_type(&upload.content_type),
        );
        let tail = format!("\r\n--{boundary}--\r\n");
        MultipartFile {
            boundary,
            head: Bytes::from(head),
            content: Bytes::from(upload.bytes),
            tail: Bytes::from(tail),
        }
    }

    fn len(&self) -> u64 {
        (self.head.len() + self.content.len() + self.tail.len()) as u64
    }

    /// The framing and the content in chunks of at most [`CHUNK_SIZE`]; slices share the content.
    fn into_chunks(self) -> Vec<Bytes> {
        let mut chunks = vec![self.head];
        let mut start = 0;
        while start < self.content.len() {
            let end = (start + CHUNK_SIZE).min(self.content.len());
            chunks.push(self.content.slice(start..end));
            start = end;
        }
        chunks.push(self.tail);
        chunks
    }
}

/// A boundary that does not occur in `content`, so the part cannot end early.
fn boundary_absent_from(content: &[u8], mut random: impl FnMut() -> u128) -> String {
    loop {
        let boundary = format!("userdesk-{:032x}", random());
        if !contains(content, boundary.as_bytes()) {
            return boundary;
        }
    }
}

fn random_u128() -> u128 {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_ok() {
        return u128::from_le_bytes(bytes);
    }
    // Only uniqueness within this body matters, which `boundary_absent_from` checks anyway.
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_nanos())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// The file name as a quoted-string of `Content-Disposition`, escaped as browsers do (WHATWG).
fn quoted_file_name(file_name: &str) -> String {
    file_name.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A")
}

/// The media type, unless it could break the part's headers.
fn header_safe_content_type(content_type: &str) -> &str {
    let safe = !content_type.is_empty() && content_type.chars().all(|c| c.is_ascii_graphic() || c == ' ');
    if safe {
        content_type
    } else {
        "application/octet-stream"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(bytes: Vec<u8>) -> ProfileImageUpload {
        ProfileImageUpload { bytes, content_type: "image/png".into(), file_name: "me.png".into() }
    }

    #[test]
    fn the_body_is_one_file_part_in_chunks_of_64_kib() {
        let content: Vec<u8> = (0..150_000u32).map(|i| (i % 251) as u8).collect();
        let multipart = MultipartFile::new(upload(content.clone()));
        let boundary = multipart.boundary.clone();
        let total = multipart.len();
        let chunks = multipart.into_chunks();
        // head, 64 KiB, 64 KiB, the rest, tail
        assert_eq!(chunks.len(), 5);
        assert!(chunks[1..4].iter().all(|chunk| chunk.len() <= CHUNK_SIZE));
        let body: Vec<u8> = chunks.concat();
        assert_eq!(body.len() as u64, total);
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"me.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        );
        assert!(body.starts_with(head.as_bytes()));
        assert!(body.ends_with(format!("\r\n--{boundary}--\r\n").as_bytes()));
        assert_eq!(&body[head.len()..head.len() + content.len()], content.as_slice());
    }

    #[test]
    fn a_boundary_found_in_the_content_is_drawn_again() {
        let content = format!("xx--userdesk-{:032x}\r\n", 7u128);
        let mut draws = [7u128, 8].into_iter();
        let boundary = boundary_absent_from(content.as_bytes(), || draws.next().unwrap_or(9));
        assert_eq!(boundary, format!("userdesk-{:032x}", 8u128));
    }

    /// The app runs uploads in async commands on a multi-threaded runtime.
    #[allow(dead_code)]
    fn uploads_can_move_between_threads(client: &Client) {
        fn sendable<T: Send>(_: T) {}
        sendable(client.set_profile_image(upload(Vec::new()), |_| {}));
        sendable(client.delete_profile_image());
    }

    #[test]
    fn debug_output_counts_the_bytes_instead_of_listing_them() {
        let text = format!("{:?}", upload(vec![7; 1000]));
        assert!(text.contains("1000 bytes") && !text.contains("7, 7"), "{text}");
    }

    #[test]
    fn names_and_types_cannot_break_the_part_headers() {
        assert_eq!(quoted_file_name("a\"b\r\nc.png"), "a%22b%0D%0Ac.png");
        assert_eq!(header_safe_content_type("image/png\r\nX-Evil: 1"), "application/octet-stream");
        assert_eq!(header_safe_content_type(""), "application/octet-stream");
        assert_eq!(header_safe_content_type("image/jpeg"), "image/jpeg");
    }
}
