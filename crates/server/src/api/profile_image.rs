//! The profile image: `POST`/`DELETE /v1/me/profile_image` (signed in), and the pictures
//! themselves at `GET /v1/images/{id}` and the generated default avatars at
//! `GET /v1/images/default/{colour}[/{initials}]` (public: an `<img>` cannot send the token).
//!
//! An upload is read whole (up to [`PROFILE_IMAGE_MAX_BYTES`] of picture), its format sniffed and
//! the whole picture decoded (`userdesk-avatar`) before anything is stored, so a truncated or
//! disguised file is refused rather than served. What is stored is the picture re-encoded by the
//! same pipeline the app runs — upright, at most [`STORED_MAX_SIDE`] pixels a side, JPEG (PNG
//! where transparency is used) — never the uploaded bytes: whatever client uploaded it, no EXIF,
//! GPS position, camera serial or comment is ever served to anyone.

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::BodyExt;
use userdesk_avatar::Limits;
use userdesk_fapi::models::{DeletedObject, Envelope, Image};

use crate::error::{Error, FieldError, Result};
use crate::http::form::media_type;
use crate::http::signed_in::SignedIn;
use crate::image_files::{is_image_id, new_image_id};
use crate::render;
use crate::state::AppState;
use crate::store::users::{self, ProfileImage};

/// The largest picture accepted (10 MiB), as uploaded.
pub const PROFILE_IMAGE_MAX_BYTES: usize = 10 * 1024 * 1024;
/// The largest upload body: the picture and the multipart framing around it.
const UPLOAD_BODY_LIMIT: usize = PROFILE_IMAGE_MAX_BYTES + 64 * 1024;
/// An oversized body is still read (and dropped) up to this much, so that the client, which is
/// still sending, gets to read the refusal instead of a reset connection.
const DRAIN_LIMIT: usize = 4 * UPLOAD_BODY_LIMIT;
/// The longest side of a stored picture. The app uploads 512 × 512; other clients may send a
/// camera's full size, which no avatar needs.
const STORED_MAX_SIDE: u32 = 1024;
/// Pictures and default avatars never change at a URL: ids are never reused, and a default
/// avatar's URL holds everything it shows.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The signed-in routes (behind native-client authentication).
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/v1/me/profile_image",
        post(upload)
            .delete(remove)
            // The global limit is sized for forms; only this route takes a picture.
            .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
    )
}

/// The public routes.
pub fn public_router() -> Router<AppState> {
    Router::new()
        .route("/v1/images/{image_id}", get(serve_image))
        .route("/v1/images/default/{colour}", get(serve_default_without_initials))
        .route("/v1/images/default/{colour}/{initials}", get(serve_default))
}

/// A picture as it arrived.
struct Upload {
    bytes: Bytes,
    file_name: Option<String>,
}

/// `POST /v1/me/profile_image`: multipart `file`, or the raw bytes as `application/octet-stream`.
async fn upload(
    State(state): State<AppState>,
    signed_in: SignedIn,
    request: Request,
) -> Result<Json<Envelope<Image>>> {
    let (parts, body) = request.into_parts();
    let kind = media_type(&parts.headers)?;
    let bytes = read_body(body, &parts.headers).await?;
    let upload = match kind.as_deref() {
        Some("multipart/form-data") => {
            let request = Request::from_parts(parts, Body::from(bytes));
            from_multipart(Multipart::from_request(request, &state).await.map_err(|rejection| {
                Error::MalformedBody(format!("the multipart body cannot be read ({})", rejection.body_text()))
            })?)
            .await?
        }
        Some("application/octet-stream") => Upload { bytes, file_name: None },
        Some(other) => return Err(Error::UnsupportedMediaType(other.to_owned())),
        None => return Err(Error::UnsupportedMediaType("(none)".into())),
    };
    if upload.bytes.len() > PROFILE_IMAGE_MAX_BYTES {
        return Err(too_large().into());
    }
    let picture = reencode(upload.bytes).await?;

    let image = ProfileImage {
        id: new_image_id(),
        content_type: picture.mime.to_owned(),
        file_name: upload.file_name,
    };
    state.images.write_new(&image.id, picture.bytes).await?;
    let user_id = &signed_in.session.user_id;
    let stored = async {
        let mut tx = state.db.write().await?;
        let replaced = users::set_image(&mut tx, user_id, &image).await?;
        let client = render::client(&mut tx, &state.base_url, &signed_in.client_id).await?;
        tx.commit().await?;
        Ok::<_, Error>((replaced, client))
    }
    .await;
    let (replaced, client) = match stored {
        Ok(stored) => stored,
        Err(error) => {
            state.images.remove(&image.id).await;
            return Err(error);
        }
    };
    if let Some(replaced) = replaced {
        state.images.remove(&replaced).await;
    }
    tracing::info!(user = %user_id, image = %image.id, content_type = %image.content_type, "profile image set");
    let public_url = render::profile_image::uploaded_url(&state.base_url, &image.id);
    Ok(Json(Envelope {
        response: Image { object: Some("image".into()), id: image.id, name: image.file_name, public_url },
        client: Some(client),
    }))
}

/// Reads the whole body, refusing one larger than [`UPLOAD_BODY_LIMIT`] — after reading it to
/// its end (up to [`DRAIN_LIMIT`]), so the refusal reaches a client that is still sending.
async fn read_body(mut body: Body, headers: &HeaderMap) -> Result<Bytes> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > DRAIN_LIMIT as u64) {
        return Err(too_large().into());
    }
    let capacity = declared.map_or(0, |length| usize::try_from(length).unwrap_or(0).min(UPLOAD_BODY_LIMIT));
    let mut bytes = Vec::with_capacity(capacity);
    let mut received = 0usize;
    while let Some(frame) = body.frame().await {
        // The client went away (or cancelled the upload): nothing is kept.
        let frame = frame.map_err(|e| Error::MalformedBody(format!("the upload was interrupted ({e})")))?;
        let Ok(data) = frame.into_data() else { continue };
        received = received.saturating_add(data.len());
        if received > DRAIN_LIMIT {
            break;
        }
        if received <= UPLOAD_BODY_LIMIT {
            bytes.extend_from_slice(&data);
        }
    }
    if received > UPLOAD_BODY_LIMIT {
        return Err(too_large().into());
    }
    Ok(Bytes::from(bytes))
}

/// The one `file` field of a multipart body.
async fn from_multipart(mut multipart: Multipart) -> Result<Upload> {
    let mut upload = None;
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or("").to_owned();
        if name != "file" {
            return Err(FieldError::unknown(&name).into());
        }
        if upload.is_some() {
            return Err(FieldError::format_invalid("file", "`file` was given more than once.").into());
        }
        let file_name = field.file_name().and_then(clean_file_name);
        let bytes = field.bytes().await.map_err(multipart_error)?;
        upload = Some(Upload { bytes, file_name });
    }
    upload.ok_or_else(|| FieldError::missing("file").into())
}

fn multipart_error(error: axum::extract::multipart::MultipartError) -> Error {
    Error::MalformedBody(format!("the multipart body cannot be read ({})", error.body_text()))
}

/// The name of the uploaded file without any directory a client put in it, or control
/// characters; at most 255 characters.
fn clean_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base.chars().filter(|c| !c.is_control()).take(255).collect();
    let clean = clean.trim();
    (!clean.is_empty()).then(|| clean.to_owned())
}

/// Decodes the whole picture and encodes it anew without metadata, off the async threads.
async fn reencode(bytes: Bytes) -> Result<userdesk_avatar::Avatar> {
    let encoded = tokio::task::spawn_blocking(move || {
        let limits = Limits { max_input_bytes: PROFILE_IMAGE_MAX_BYTES as u64, ..Limits::default() };
        userdesk_avatar::preview(&bytes, STORED_MAX_SIDE, limits)
    })
    .await
    .map_err(|e| Error::Internal(format!("re-encoding a profile image stopped: {e}")))?;
    encoded.map_err(refusal)
}

/// Why a picture is refused, as a 422 naming `file`.
fn refusal(error: userdesk_avatar::Error) -> Error {
    use userdesk_avatar::Error as Avatar;
    let (code, message) = match &error {
        Avatar::Empty => ("image_not_supported", "is empty"),
        Avatar::Unsupported { .. } => ("image_not_supported", "is not a supported image"),
        Avatar::TooLarge { .. } | Avatar::TooManyPixels { .. } | Avatar::TooMuchMemory { .. } => {
            ("image_too_large", "is too large")
        }
        Avatar::Corrupt { .. } => ("image_damaged", "is damaged"),
        _ => return Error::Internal(format!("checking a profile image: {error}")),
    };
    FieldError::new(code, "file", message, sentence(&error.to_string())).into()
}

fn too_large() -> FieldError {
    FieldError::new(
        "image_too_large",
        "file",
        "is too large",
        format!("Profile images may be at most {} MB.", PROFILE_IMAGE_MAX_BYTES / (1024 * 1024)),
    )
}

/// `text` with a capital first letter and a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut sentence: String =
        chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    if !sentence.ends_with('.') {
        sentence.push('.');
    }
    sentence
}

/// `DELETE /v1/me/profile_image`: back to the default avatar.
async fn remove(State(state): State<AppState>, signed_in: SignedIn) -> Result<Json<Envelope<DeletedObject>>> {
    let mut tx = state.db.write().await?;
    let removed = users::clear_image(&mut tx, &signed_in.session.user_id)
        .await?
        .ok_or(Error::NotFound("profile image"))?;
    let client = render::client(&mut tx, &state.base_url, &signed_in.client_id).await?;
    tx.commit().await?;
    state.images.remove(&removed).await;
    tracing::info!(user = %signed_in.session.user_id, image = %removed, "profile image removed");
    Ok(Json(Envelope {
        response: DeletedObject { object: "image".into(), id: Some(removed), slug: None, deleted: true },
        client: Some(client),
    }))
}

/// `GET /v1/images/{id}`: an uploaded picture, as its sniffed type.
async fn serve_image(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response> {
    let Ok(Path(image_id)) = path else { return Err(Error::NotFound("image")) };
    // Only ids of our own shape name a file: nothing else reaches the file system.
    if !is_image_id(&image_id) {
        return Err(Error::NotFound("image"));
    }
    let content_type = {
        let mut conn = state.db.pool().acquire().await?;
        users::image_content_type(&mut conn, &image_id).await?.ok_or(Error::NotFound("image"))?
    };
    // Removed since the row was read: as gone as if it had been removed before.
    let bytes = state.images.read(&image_id).await?.ok_or(Error::NotFound("image"))?;
    Ok(cacheable(&content_type, bytes))
}

type PathRejection = axum::extract::rejection::PathRejection;

async fn serve_default_without_initials(path: Result<Path<String>, PathRejection>) -> Result<Response> {
    let Ok(Path(colour)) = path else { return Err(Error::NotFound("image")) };
    default_avatar(&colour, "")
}

async fn serve_default(path: Result<Path<(String, String)>, PathRejection>) -> Result<Response> {
    let Ok(Path((colour, initials))) = path else { return Err(Error::NotFound("image")) };
    default_avatar(&colour, &initials)
}

/// The SVG of a default avatar; any other colour or text than this server's URLs hold is 404.
fn default_avatar(colour: &str, initials: &str) -> Result<Response> {
    let colour_ok =
        colour.len() == 6 && colour.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let initials_ok = initials.chars().count() <= 2 && initials.chars().all(char::is_alphanumeric);
    if !colour_ok || !initials_ok {
        return Err(Error::NotFound("image"));
    }
    Ok(cacheable("image/svg+xml", default_avatar_svg(colour, initials).into_bytes()))
}

/// A square of `colour` with the initials centred, or a head-and-shoulders figure without any.
/// Self-contained: no fonts, images or styles from elsewhere.
fn default_avatar_svg(colour: &str, initials: &str) -> String {
    let ink = ink_for(colour);
    let figure = if initials.is_empty() {
        format!(
            r#"<circle cx="64" cy="50" r="22" fill="{ink}"/><path d="M22 114c4-24 21-38 42-38s38 14 42 38z" fill="{ink}"/>"#
        )
    } else {
        format!(
            r#"<text x="64" y="64" dy="0.35em" text-anchor="middle" fill="{ink}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif" font-size="52" font-weight="600">{}</text>"#,
            xml_escape(initials)
        )
    };
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128"><rect width="128" height="128" fill="#{colour}"/>{figure}</svg>"##
    )
}

/// White on dark backgrounds, near-black on light ones.
fn ink_for(colour: &str) -> &'static str {
    let channel = |at: usize| {
        let value = u8::from_str_radix(colour.get(at..at + 2).unwrap_or("00"), 16).unwrap_or(0);
        let linear = f64::from(value) / 255.0;
        if linear <= 0.04045 {
            linear / 12.92
        } else {
            ((linear + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
    if luminance > 0.4 {
        "#111827"
    } else {
        "#ffffff"
    }
}

fn xml_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// A picture that never changes at its URL.
fn cacheable(content_type: &str, bytes: Vec<u8>) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    match HeaderValue::from_str(content_type) {
        Ok(value) => headers.insert(CONTENT_TYPE, value),
        Err(_) => headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/octet-stream")),
    };
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    headers.insert(HeaderName::from_static("x-content-type-options"), HeaderValue::from_static("nosniff"));
    // Opened on its own, a picture may not run or load anything.
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::profile_image::PALETTE;

    #[test]
    fn the_svg_escapes_text_and_contrasts_with_its_background() {
        let svg = default_avatar_svg("5b3fd6", "<&");
        assert!(svg.contains(">&lt;&amp;</text>"), "{svg}");
        assert!(svg.contains(r##"fill="#5b3fd6""##));
        assert!(!svg.contains("href") && !svg.contains("url("), "nothing from elsewhere: {svg}");
        assert_eq!(ink_for("5b3fd6"), "#ffffff");
        assert_eq!(ink_for("fde68a"), "#111827");
        assert!(PALETTE.iter().all(|colour| ink_for(colour) == "#ffffff"));
    }

    #[test]
    fn default_avatars_refuse_what_no_url_of_ours_holds() {
        assert!(default_avatar("5b3fd6", "AB").is_ok());
        assert!(default_avatar("5b3fd6", "").is_ok());
        for (colour, initials) in [("5B3FD6", "AB"), ("5b3fd", "AB"), ("5b3fd6", "ABC"), ("5b3fd6", "<a")] {
            assert!(default_avatar(colour, initials).is_err(), "{colour} {initials}");
        }
    }

    #[test]
    fn file_names_lose_directories_and_control_characters() {
        assert_eq!(clean_file_name("C:\\Users\\me\\photo.png").as_deref(), Some("photo.png"));
        assert_eq!(clean_file_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(clean_file_name("a\r\nb.jpg").as_deref(), Some("ab.jpg"));
        assert_eq!(clean_file_name("dir/"), None);
    }
}
