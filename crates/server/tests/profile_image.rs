//! The profile image (issue #5) as the app uses it: uploads through `userdesk-fapi` with their
//! progress, the picture served to an `<img>` without the token, replacement and removal, the
//! default avatar, and every refusal as a ClerkErrors answer.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Reply, TestServer};
use reqwest::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use tokio::io::AsyncWriteExt;
use userdesk_avatar::Format;
use userdesk_fapi::{Client, Error, ProfileImageUpload, UploadProgress};
use userdesk_server::{IMAGES_DIR, PROFILE_IMAGE_MAX_BYTES};

/// RGB pixels that compress badly, so a small picture still spans several upload chunks.
fn noise(width: u32, height: u32) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    (0..width * height * 3)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect()
}

fn jpeg(width: u16, height: u16) -> Vec<u8> {
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&noise(u32::from(width), u32::from(height)), width, height, jpeg_encoder::ColorType::Rgb)
        .expect("a JPEG");
    out
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("a PNG header");
    writer.write_image_data(&noise(width, height)).expect("PNG data");
    writer.finish().expect("a PNG");
    out
}

fn upload(bytes: Vec<u8>, content_type: &str, file_name: &str) -> ProfileImageUpload {
    ProfileImageUpload { bytes, content_type: content_type.into(), file_name: file_name.into() }
}

/// Uploads, recording every progress report.
async fn set_image(
    client: &Client,
    picture: ProfileImageUpload,
) -> (userdesk_fapi::models::Image, Vec<UploadProgress>) {
    let reports = Arc::new(Mutex::new(Vec::new()));
    let recorder = reports.clone();
    let image = client
        .set_profile_image(picture, move |progress| recorder.lock().expect("reports").push(progress))
        .await
        .expect("the picture is accepted");
    let reports = reports.lock().expect("reports").clone();
    (image, reports)
}

async fn refused(client: &Client, picture: ProfileImageUpload) -> Error {
    client.set_profile_image(picture, |_| {}).await.expect_err("the picture is refused")
}

/// A public GET, as an `<img>` makes it: no token, no `_is_native`.
async fn fetch(url: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let response = reqwest::get(url).await.expect("the server answers");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.expect("a body").to_vec();
    (status, headers, body)
}

fn header(headers: &reqwest::header::HeaderMap, name: impl reqwest::header::AsHeaderName) -> &str {
    headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or("")
}

fn assert_served_forever(headers: &reqwest::header::HeaderMap) {
    assert_eq!(header(headers, CACHE_CONTROL), "public, max-age=31536000, immutable");
    assert_eq!(header(headers, "x-content-type-options"), "nosniff");
}

/// The files in the server's image directory.
fn stored_files(server: &TestServer) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(server.dir.path().join(IMAGES_DIR))
        .expect("the image directory exists")
        .map(|entry| entry.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn assert_not_found(status: StatusCode, body: &[u8]) {
    assert_eq!(status, StatusCode::NOT_FOUND);
    let errors: serde_json::Value = serde_json::from_slice(body).expect("a JSON body");
    assert_eq!(errors["errors"][0]["code"], "resource_not_found", "{errors}");
}

#[tokio::test]
async fn an_uploaded_jpeg_becomes_the_picture_everyone_sees() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let picture = jpeg(400, 400);
    assert!(picture.len() > 3 * 64 * 1024, "spans several chunks: {} bytes", picture.len());

    let (image, reports) = set_image(&client, upload(picture.clone(), "image/jpeg", "me.jpg")).await;
    assert!(image.id.starts_with("img_"), "{}", image.id);
    assert_eq!(image.object.as_deref(), Some("image"));
    assert_eq!(image.name.as_deref(), Some("me.jpg"));
    assert_eq!(image.public_url, format!("{}/v1/images/{}", server.url, image.id));

    // Progress moves chunk by chunk up to the whole body (the picture and its framing).
    assert!(reports.len() >= 5, "{reports:?}");
    assert!(reports.windows(2).all(|pair| pair[0].sent < pair[1].sent), "{reports:?}");
    let last = reports.last().expect("a report");
    assert_eq!(last.sent, last.total);
    assert!(last.total > picture.len() as u64);

    let me = client.me().await.expect("me");
    assert!(me.has_image);
    assert_eq!(me.image_url, image.public_url);
    assert_eq!(me.profile_image_url.as_deref(), Some(image.public_url.as_str()), "the deprecated name too");
    let session = client.get_client().await.expect("client").expect("a client");
    let public = session.sessions[0].public_user_data.as_ref().expect("public user data");
    assert!(public.has_image);
    assert_eq!(public.image_url.as_deref(), Some(image.public_url.as_str()));

    let (status, headers, body) = fetch(&me.image_url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, CONTENT_TYPE), "image/jpeg");
    assert_served_forever(&headers);
    let served = userdesk_avatar::probe(&body).expect("a whole picture is served");
    assert_eq!((served.format, served.width, served.height), (Format::Jpeg, 400, 400));
    assert!(body != picture, "what is served was encoded by the server, not passed through");
}

/// `jpeg` with an EXIF segment (APP1) holding a GPS position, as a phone writes it.
fn jpeg_with_gps(width: u16, height: u16) -> Vec<u8> {
    let plain = jpeg(width, height);
    // Big-endian TIFF: IFD0 with one entry, GPSInfo (0x8825), pointing at a GPS IFD with
    // GPSLatitudeRef = "N" and a marker string a search of the served bytes would find.
    let mut tiff: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&[0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0]);
    tiff.extend_from_slice(&[0, 1, 0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0, 0, 0, 0, 0]);
    tiff.extend_from_slice(GPS_MARKER);
    let mut segment = b"Exif\0\0".to_vec();
    segment.extend_from_slice(&tiff);
    let length = u16::try_from(segment.len() + 2).expect("a small segment");
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&segment);
    out.extend_from_slice(&plain[2..]);
    out
}

const GPS_MARKER: &[u8] = b"51.5007N-0.1246W";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

#[tokio::test]
async fn a_photo_with_a_gps_position_is_served_without_it() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let picture = jpeg_with_gps(300, 200);
    assert!(contains(&picture, b"Exif\0\0") && contains(&picture, GPS_MARKER));
    assert_eq!(userdesk_avatar::probe(&picture).expect("still a JPEG").width, 300);

    // Any client, not only ours (which strips metadata itself): here the raw file as a camera
    // wrote it.
    let (image, _) = set_image(&client, upload(picture, "image/jpeg", "holiday.jpg")).await;
    let (status, _, body) = fetch(&image.public_url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!contains(&body, b"Exif") && !contains(&body, GPS_MARKER), "no EXIF, no position");
    assert!(!body.windows(2).any(|marker| marker == [0xFF, 0xE1]), "no APP1 segment at all");
    let served = userdesk_avatar::probe(&body).expect("a whole picture");
    assert_eq!((served.width, served.height), (300, 200), "the whole picture, not cropped");
    // And the file on disk is the served one.
    let stored = std::fs::read(server.dir.path().join(IMAGES_DIR).join(&image.id)).expect("the stored file");
    assert!(stored == body);
}

#[tokio::test]
async fn a_camera_sized_picture_is_kept_at_most_1024_pixels_a_side() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let (image, _) = set_image(&client, upload(jpeg(2048, 1536), "image/jpeg", "big.jpg")).await;
    let (_, _, body) = fetch(&image.public_url).await;
    let served = userdesk_avatar::probe(&body).expect("a whole picture");
    assert_eq!((served.width, served.height), (1024, 768));
}

#[tokio::test]
async fn a_new_picture_replaces_the_old_one_whose_url_is_gone() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let (first, _) = set_image(&client, upload(jpeg(64, 64), "image/jpeg", "old.jpg")).await;
    // The type served is the content's, not the one the app claimed.
    let picture = png(80, 60);
    let (second, _) = set_image(&client, upload(picture, "image/jpeg", "new.jpg")).await;
    assert_ne!(first.id, second.id);

    assert_eq!(client.me().await.expect("me").image_url, second.public_url);
    let (status, headers, body) = fetch(&second.public_url).await;
    assert_eq!(status, StatusCode::OK);
    // Re-encoded: opaque pixels become a JPEG.
    assert_eq!(header(&headers, CONTENT_TYPE), "image/jpeg");
    let served = userdesk_avatar::probe(&body).expect("a whole picture");
    assert_eq!((served.format, served.width, served.height), (Format::Jpeg, 80, 60));
    let (status, _, body) = fetch(&first.public_url).await;
    assert_not_found(status, &body);
    assert_eq!(stored_files(&server), vec![second.id.clone()], "the old file is removed");
}

#[tokio::test]
async fn removing_the_picture_brings_back_the_default_avatar() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let default_url = client.me().await.expect("me").image_url;
    assert!(default_url.starts_with(&format!("{}/v1/images/default/", server.url)), "{default_url}");
    assert!(default_url.ends_with("/DU"), "the demo user is Demo User: {default_url}");

    let (image, _) = set_image(&client, upload(png(32, 32), "image/png", "me.png")).await;
    let deleted = client.delete_profile_image().await.expect("removed");
    assert_eq!(deleted.object, "image");
    assert_eq!(deleted.id.as_deref(), Some(image.id.as_str()));
    assert!(deleted.deleted);

    let me = client.me().await.expect("me");
    assert!(!me.has_image);
    assert_eq!(me.image_url, default_url, "the same URL as before, for the app's cache");
    let (status, headers, body) = fetch(&me.image_url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, CONTENT_TYPE), "image/svg+xml");
    assert_served_forever(&headers);
    let svg = String::from_utf8(body).expect("SVG is text");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{svg}");
    assert!(svg.contains(">DU</text>"), "{svg}");

    let (status, _, body) = fetch(&image.public_url).await;
    assert_not_found(status, &body);
    assert!(stored_files(&server).is_empty());

    let again = client.delete_profile_image().await.expect_err("nothing to remove");
    assert_eq!(again.status(), Some(404));
    assert_eq!(again.code(), "resource_not_found");
}

#[tokio::test]
async fn default_avatars_show_names_else_username_else_email() {
    let server = TestServer::start().await;
    let client = server.user_client("jane@example.com", None).await;
    let initial = client.me().await.expect("me").image_url;
    assert!(initial.ends_with("/J"), "{initial}");

    client
        .update_user(&userdesk_fapi::UpdateUserParams {
            first_name: Some("élodie".into()),
            last_name: Some("ßmith".into()),
            ..Default::default()
        })
        .await
        .expect("names");
    let url = client.me().await.expect("me").image_url;
    assert!(url.ends_with("/%C3%89S"), "upper-cased, two letters: {url}");
    let (status, _, body) = fetch(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).contains(">ÉS</text>"));

    // The colour belongs to the user, not to their name.
    let colour = |url: &str| url.split('/').rev().nth(1).map(str::to_owned);
    assert_eq!(colour(&url), colour(&initial));
}

#[tokio::test]
async fn image_urls_name_nothing_but_images() {
    let server = TestServer::start().await;
    for path in [
        "/v1/images/img_0000000000000000000000000000",
        "/v1/images/img_000000000000000000000000000",
        "/v1/images/..%2Fuserdesk.db",
        "/v1/images/%2E%2E",
        "/v1/images/default/zzzzzz/AB",
        "/v1/images/default/5b3fd6/%3Cscript%3E",
        "/v1/images/default/5b3fd6/ABC",
    ] {
        let (status, _, body) = fetch(&format!("{}{path}", server.url)).await;
        assert_not_found(status, &body);
    }
}

#[tokio::test]
async fn files_that_are_not_whole_supported_pictures_are_refused() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let whole = jpeg(64, 64);
    let heic = [&b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"[..], &[0; 64]].concat();
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("a text file", b"just some notes\n".to_vec(), "image_not_supported"),
        ("zero bytes", Vec::new(), "image_not_supported"),
        ("HEIC", heic, "image_not_supported"),
        ("SVG", br#"<svg xmlns="http://www.w3.org/2000/svg"/>"#.to_vec(), "image_not_supported"),
        ("a truncated JPEG", whole[..whole.len() / 2].to_vec(), "image_damaged"),
    ];
    for (what, bytes, code) in cases {
        let error = refused(&client, upload(bytes, "image/jpeg", "picture.jpg")).await;
        assert_eq!(error.status(), Some(422), "{what}: {error:?}");
        assert_eq!(error.code(), code, "{what}");
        assert_eq!(error.field(), Some("file"), "{what}");
        assert!(!error.to_string().is_empty());
    }
    let heic = refused(&client, upload([&b"\0\0\0\x18ftypheic"[..], &[0; 64]].concat(), "", "x")).await;
    assert!(heic.to_string().contains("HEIC"), "the message names the format: {heic}");

    assert!(!client.me().await.expect("me").has_image);
    assert!(stored_files(&server).is_empty(), "nothing refused is kept");
}

#[tokio::test]
async fn a_picture_over_ten_megabytes_is_refused() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    // A JPEG's start, then enough to pass the limit: refused by size before anything is decoded.
    let mut bytes = jpeg(16, 16);
    bytes.resize(PROFILE_IMAGE_MAX_BYTES + 1, 0);
    let error = refused(&client, upload(bytes, "image/jpeg", "huge.jpg")).await;
    assert_eq!(error.status(), Some(422), "a ClerkErrors answer, not a reset connection: {error:?}");
    assert_eq!(error.code(), "image_too_large");
    assert_eq!(error.field(), Some("file"));
    assert!(error.to_string().contains("10 MB"), "{error}");
    assert!(!client.me().await.expect("me").has_image);
}

#[tokio::test]
async fn raw_bytes_are_accepted_as_octet_stream() {
    let server = TestServer::start().await;
    let token = server.demo_token().await;
    let raw = server.raw();
    let picture = png(40, 40);
    let reply = raw
        .send(
            raw.request(Method::POST, "/v1/me/profile_image", Some(&token))
                .header(CONTENT_TYPE, "application/octet-stream")
                .body(picture),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let url = reply.body["response"]["public_url"].as_str().expect("a URL").to_owned();
    assert!(reply.body["response"].get("name").is_none(), "no file name was given: {}", reply.body);
    let (status, headers, body) = fetch(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, CONTENT_TYPE), "image/jpeg");
    assert_eq!(userdesk_avatar::probe(&body).expect("a whole picture").width, 40);

    let me = raw.get("/v1/me", Some(&token)).await;
    assert_eq!(me.body["response"]["has_image"], true);

    // Any other body type is refused by name.
    let form = raw.form(Method::POST, "/v1/me/profile_image", Some(&token), "file=x").await;
    assert_eq!(form.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", form.body);
    assert_eq!(form.code(), "unsupported_content_type");
}

#[tokio::test]
async fn a_multipart_body_needs_exactly_one_file() {
    let server = TestServer::start().await;
    let token = server.demo_token().await;
    let raw = server.raw();
    let send = |parts: Vec<(&'static str, Vec<u8>)>| {
        let mut body = Vec::new();
        for (name, content) in parts {
            body.extend_from_slice(
                format!("--B\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"a.png\"\r\n\r\n")
                    .as_bytes(),
            );
            body.extend_from_slice(&content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--B--\r\n");
        raw.request(Method::POST, "/v1/me/profile_image", Some(&token))
            .header(CONTENT_TYPE, "multipart/form-data; boundary=B")
            .body(body)
    };
    let none: Reply = raw.send(send(vec![])).await;
    assert_eq!(
        (none.status, none.code(), none.param()),
        (StatusCode::UNPROCESSABLE_ENTITY, "form_param_missing", Some("file"))
    );
    let other = raw.send(send(vec![("avatar", png(8, 8))])).await;
    assert_eq!(
        (other.status, other.code(), other.param()),
        (StatusCode::UNPROCESSABLE_ENTITY, "form_param_unknown", Some("avatar"))
    );
    let two = raw.send(send(vec![("file", png(8, 8)), ("file", png(8, 8))])).await;
    assert_eq!((two.status, two.param()), (StatusCode::UNPROCESSABLE_ENTITY, Some("file")));
    let one = raw.send(send(vec![("file", png(8, 8))])).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    assert_eq!(one.body["response"]["name"], "a.png");
}

#[tokio::test]
async fn signed_out_clients_can_neither_upload_nor_remove() {
    let server = TestServer::start().await;
    let client = server.client();
    let error = refused(&client, upload(png(8, 8), "image/png", "me.png")).await;
    assert_eq!(error.status(), Some(401));
    assert_eq!(error.code(), "signed_out");
    let error = client.delete_profile_image().await.expect_err("signed out");
    assert_eq!(error.status(), Some(401));

    let raw = server.raw();
    let reply = raw
        .send(
            raw.request(Method::POST, "/v1/me/profile_image", None)
                .header(CONTENT_TYPE, "application/octet-stream")
                .body(png(8, 8)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    assert!(stored_files(&server).is_empty());
}

#[tokio::test]
async fn an_interrupted_upload_leaves_nothing_behind() {
    let server = TestServer::start().await;
    let token = server.demo_token().await;
    let picture = png(64, 64);
    let head = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n";
    let tail = "\r\n--B--\r\n";
    let length = head.len() + picture.len() + tail.len();
    let address = server.url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.expect("connect");
    let request = format!(
        "POST /v1/me/profile_image?_is_native=1 HTTP/1.1\r\nHost: {address}\r\n{AUTHORIZATION}: {token}\r\n\
         Content-Type: multipart/form-data; boundary=B\r\nContent-Length: {length}\r\n\r\n{head}"
    );
    stream.write_all(request.as_bytes()).await.expect("headers");
    // The whole picture, but not the end of the body: then the connection goes away.
    stream.write_all(&picture).await.expect("the picture");
    stream.flush().await.expect("flush");
    drop(stream);

    tokio::time::sleep(Duration::from_millis(300)).await;
    let me = server.raw().get("/v1/me", Some(&token)).await;
    assert_eq!(me.body["response"]["has_image"], false, "{}", me.body);
    assert!(stored_files(&server).is_empty());
}

#[tokio::test]
async fn deleting_the_account_deletes_its_picture() {
    let server = TestServer::start().await;
    let client = server.user_client("leaving@example.com", Some("leaving")).await;
    let (image, _) = set_image(&client, upload(jpeg(48, 48), "image/jpeg", "me.jpg")).await;
    assert_eq!(stored_files(&server), vec![image.id.clone()]);
    client.delete_user().await.expect("account deleted");
    assert!(stored_files(&server).is_empty());
    let (status, _, body) = fetch(&image.public_url).await;
    assert_not_found(status, &body);
}

#[tokio::test]
async fn files_left_by_a_crash_are_removed_at_the_next_start() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let (image, _) = set_image(&client, upload(png(16, 16), "image/png", "me.png")).await;
    let dir = server.dir.path().join(IMAGES_DIR);
    std::fs::write(dir.join(format!("img_{}", "s".repeat(27))), b"orphan").expect("a stray file");
    std::fs::write(dir.join(format!("{}.x.tmp", image.id)), b"half").expect("a temporary file");

    let server = server.restart().await;
    assert_eq!(stored_files(&server), vec![image.id.clone()]);
    let url = format!("{}/v1/images/{}", server.url, image.id);
    assert_eq!(fetch(&url).await.0, StatusCode::OK, "the picture survives a restart");
}
