//! The profile picture: a photo the person dropped, picked or pasted becomes a pending picture
//! with a preview for the crop editor; the square they choose is made into the avatar and
//! uploaded. Files are read and images decoded here, never in the webview, which never names a
//! path.

use std::collections::VecDeque;
use std::fs::File;
use std::future::Future;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use ts_rs::TS;
use userdesk_avatar::{CropRect, Limits, Options, Pixels};
use userdesk_fapi::models::User;
use userdesk_fapi::{Client, ProfileImageUpload, UploadProgress};

use crate::controller::Controller;
use crate::error::{CommandError, CommandResult};
use crate::events::{DragDrop, Event};
use crate::shell::{ClipboardImage, Shell};

/// The preview's longest side: sharp enough for a crop editor, small enough to cross IPC quickly.
const PREVIEW_MAX_SIDE: u32 = 1024;
/// The avatar's side (a smaller crop keeps its own size: the pipeline never enlarges).
const AVATAR_SIDE: u32 = 512;
/// Pending pictures kept at once; each holds its original file (up to 40 MiB), so the oldest go.
const MAX_PENDING: usize = 3;

/// A picture read and ready for the crop editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub struct AvatarPreview {
    /// The pending picture, for `avatar_upload` and `avatar_discard`.
    pub id: String,
    /// The whole picture, upright, scaled to fit in 1024 × 1024: a `data:image/jpeg;base64,…`
    /// URL (PNG when it has transparency).
    pub data_url: String,
    /// The upright picture's own width: crops are measured in its pixels.
    pub width: u32,
    /// The upright picture's own height.
    pub height: u32,
    /// "JPEG", "PNG", "WebP", "GIF" or "BMP"; "Pasted" for pixels from the clipboard.
    pub format: String,
    /// The file's size in bytes; `None` for a pasted picture, which is pixels, not a file.
    pub byte_length: Option<u64>,
}

/// The square to keep, in the upright picture's pixels ([`AvatarPreview::width`] × `height`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub struct AvatarCrop {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// What happens as files are dragged onto the window, sent as the `avatar-drop` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AvatarDropEvent {
    /// Files entered the window: show the drop zone.
    Enter {
        files: u32,
    },
    /// They left without being dropped.
    Leave,
    /// A file was dropped and is being read.
    Processing,
    Ready {
        preview: AvatarPreview,
    },
    Failed {
        error: CommandError,
    },
}

/// How far an upload is, sent as the `avatar-upload-progress` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub struct AvatarUploadProgress {
    pub preview_id: String,
    /// Bytes of the request sent so far.
    pub sent: u64,
    /// Bytes of the whole request.
    pub total: u64,
}

/// A picture the person chose, kept until it is uploaded or discarded.
#[derive(Debug, Clone)]
struct PendingPicture {
    /// Processed again at upload with the chosen crop.
    source: Source,
    /// Upright size.
    width: u32,
    height: u32,
}

/// What a pending picture was made from.
#[derive(Debug, Clone)]
enum Source {
    /// A picture file's bytes, as read.
    File(Arc<Vec<u8>>),
    /// Pixels pasted from the clipboard: already decoded, never encoded in between.
    Pixels(Arc<Pixels>),
}

impl Source {
    fn avatar(&self, options: &Options) -> Result<userdesk_avatar::Avatar, userdesk_avatar::Error> {
        match self {
            Source::File(bytes) => userdesk_avatar::process(bytes, options),
            Source::Pixels(pixels) => userdesk_avatar::process_pixels(pixels, options),
        }
    }
}

/// The pending pictures and the upload in flight.
pub(crate) struct Avatars {
    pending: Mutex<VecDeque<(String, PendingPicture)>>,
    /// The upload in flight: its number and what cancels it.
    upload: Mutex<Option<(u64, oneshot::Sender<()>)>>,
    uploads_started: AtomicU64,
    /// Increases with every drop; a drop's result is shown only if no later drop came.
    drops: AtomicU64,
    limits: Limits,
}

impl Default for Avatars {
    fn default() -> Self {
        Self::with_limits(Limits::default())
    }
}

impl Avatars {
    pub(crate) fn with_limits(limits: Limits) -> Self {
        Self {
            pending: Mutex::new(VecDeque::new()),
            upload: Mutex::new(None),
            uploads_started: AtomicU64::new(0),
            drops: AtomicU64::new(0),
            limits,
        }
    }

    /// Reads the file at `path` (size checked before it is read) into a pending picture.
    async fn open_file(&self, path: PathBuf) -> CommandResult<AvatarPreview> {
        let limits = self.limits;
        let (picture, preview) = blocking(move || prepare_file(read_picture(&path, limits)?, limits)).await?;
        self.keep(&preview.id, picture);
        Ok(preview)
    }

    /// Makes a pending picture of a picture file's bytes.
    #[cfg(test)]
    async fn open_bytes(&self, bytes: Vec<u8>) -> CommandResult<AvatarPreview> {
        let limits = self.limits;
        let (picture, preview) = blocking(move || prepare_file(bytes, limits)).await?;
        self.keep(&preview.id, picture);
        Ok(preview)
    }

    /// Forgets a pending picture; an unknown id is not an error (it may have been dropped already).
    fn discard(&self, id: &str) {
        self.lock_pending().retain(|(kept, _)| kept != id);
    }

    /// Makes the avatar from the pending picture `id` cropped to `crop`, uploads it (reporting
    /// through `on_progress`) and returns the user as reloaded afterwards. The pending picture
    /// stays until this succeeds, so a failed upload can be tried again.
    async fn upload(
        &self,
        client: Arc<Client>,
        id: &str,
        crop: AvatarCrop,
        on_progress: impl Fn(UploadProgress) + Send + Sync + 'static,
    ) -> CommandResult<User> {
        let picture = self.pending(id)?;
        let crop = square_crop(crop, picture.width, picture.height)?;
        let options = Options { size: AVATAR_SIDE, crop: Some(crop), limits: self.limits };
        let user = self
            .cancellable(async move {
                let source = picture.source;
                let avatar = blocking(move || source.avatar(&options).map_err(avatar_error)).await?;
                let extension = if avatar.mime == "image/png" { "png" } else { "jpg" };
                let upload = ProfileImageUpload {
                    bytes: avatar.bytes,
                    content_type: avatar.mime.to_owned(),
                    file_name: format!("avatar.{extension}"),
                };
                client.set_profile_image(upload, on_progress).await?;
                Ok(client.me().await?)
            })
            .await?;
        self.discard(id);
        Ok(user)
    }

    /// Stops the upload in flight, if any: its `upload` call fails with `upload_cancelled`.
    fn cancel_upload(&self) {
        if let Some((_, cancel)) = self.lock_upload().take() {
            // The upload may have finished a moment ago and dropped its receiver: nothing to stop.
            let _ = cancel.send(());
        }
    }

    /// Runs `work` as the one upload in flight, until it ends or [`Self::cancel_upload`] stops it
    /// (which drops `work`, and with it the request).
    async fn cancellable<T>(&self, work: impl Future<Output = CommandResult<T>>) -> CommandResult<T> {
        let (cancel, cancelled) = oneshot::channel();
        let number = self.uploads_started.fetch_add(1, Ordering::Relaxed);
        {
            let mut upload = self.lock_upload();
            if upload.is_some() {
                return Err(CommandError::new(
                    "avatar_busy",
                    "A profile picture is already uploading. Wait for it or cancel it first.",
                ));
            }
            *upload = Some((number, cancel));
        }
        let _in_flight = UploadInFlight { slot: &self.upload, number };
        tokio::select! {
            result = work => result,
            Ok(()) = cancelled => Err(CommandError::new("upload_cancelled", "The upload was cancelled.")),
        }
    }

    /// Starts counting a new drop; its number is what [`Self::is_latest_drop`] compares.
    fn begin_drop(&self) -> u64 {
        self.drops.fetch_add(1, Ordering::Relaxed) + 1
    }

    fn is_latest_drop(&self, drop: u64) -> bool {
        self.drops.load(Ordering::Relaxed) == drop
    }

    fn keep(&self, id: &str, picture: PendingPicture) {
        let mut pending = self.lock_pending();
        while pending.len() >= MAX_PENDING {
            pending.pop_front();
        }
        pending.push_back((id.to_owned(), picture));
    }

    fn pending(&self, id: &str) -> CommandResult<PendingPicture> {
        self.lock_pending()
            .iter()
            .find(|(kept, _)| kept == id)
            .map(|(_, picture)| picture.clone())
            .ok_or_else(|| {
                CommandError::new(
                    "avatar_not_found",
                    "This picture is no longer open in Userdesk. Choose it again.",
                )
            })
    }

    // A panic while holding these locks cannot leave their contents half-changed, so a poisoned
    // lock is still usable.
    fn lock_pending(&self) -> std::sync::MutexGuard<'_, VecDeque<(String, PendingPicture)>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_upload(&self) -> std::sync::MutexGuard<'_, Option<(u64, oneshot::Sender<()>)>> {
        self.upload.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Frees the upload slot when its upload ends, however it ends.
struct UploadInFlight<'a> {
    slot: &'a Mutex<Option<(u64, oneshot::Sender<()>)>>,
    number: u64,
}

impl Drop for UploadInFlight<'_> {
    fn drop(&mut self) {
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        // Cancelled, the slot may already hold the next upload: leave that one alone.
        if slot.as_ref().is_some_and(|(number, _)| *number == self.number) {
            *slot = None;
        }
    }
}

impl<S: Shell> Controller<S> {
    /// Asks for a picture with the system's open dialog and opens it for the crop editor;
    /// `None` when the person cancels.
    pub async fn avatar_pick_file(&self) -> CommandResult<Option<AvatarPreview>> {
        match self.shell.pick_picture().await? {
            Some(path) => self.avatars.open_file(path).await.map(Some),
            None => Ok(None),
        }
    }

    /// Opens the picture on the system clipboard (a paste). Read by the shell, not the webview:
    /// WebKitGTK hands a page no image data on paste.
    pub async fn avatar_from_clipboard(&self) -> CommandResult<AvatarPreview> {
        let limits = self.avatars.limits;
        let shell = self.shell.clone();
        let (picture, preview) = blocking(move || {
            // Reading waits for the program that owns the clipboard: off the async threads.
            prepare_pixels(shell.clipboard_image()?, limits)
        })
        .await?;
        self.avatars.keep(&preview.id, picture);
        Ok(preview)
    }

    /// Makes the avatar of the pending picture `preview_id` cropped to `crop` and uploads it,
    /// reporting progress as `avatar-upload-progress` events; returns the user reloaded.
    pub async fn avatar_upload(&self, preview_id: &str, crop: AvatarCrop) -> CommandResult<User> {
        let client = self.client().await?;
        let shell = self.shell.clone();
        let id = preview_id.to_owned();
        let on_progress = move |progress: UploadProgress| {
            shell.emit(Event::AvatarUploadProgress(AvatarUploadProgress {
                preview_id: id.clone(),
                sent: progress.sent,
                total: progress.total,
            }))
        };
        self.avatars.upload(client, preview_id, crop, on_progress).await
    }

    pub fn avatar_cancel_upload(&self) {
        self.avatars.cancel_upload();
    }

    pub fn avatar_discard(&self, preview_id: &str) {
        self.avatars.discard(preview_id);
    }

    /// Removes the profile picture and returns the user reloaded, showing the default avatar.
    pub async fn avatar_remove(&self) -> CommandResult<User> {
        let client = self.client().await?;
        match client.delete_profile_image().await {
            // Already gone (removed on another device): what the person asked for is the case.
            Err(error) if error.status() == Some(404) => {}
            result => {
                result?;
            }
        }
        Ok(client.me().await?)
    }

    /// Turns the window's drag-and-drop into `avatar-drop` events; a dropped file is read and
    /// previewed in the background. Called on the GUI's thread.
    pub fn on_drag_drop(self: &Arc<Self>, event: DragDrop) {
        let emit = |event: AvatarDropEvent| self.shell.emit(Event::AvatarDrop(event));
        match event {
            DragDrop::Enter { files } => {
                emit(AvatarDropEvent::Enter { files: u32::try_from(files).unwrap_or(u32::MAX) })
            }
            DragDrop::Leave => emit(AvatarDropEvent::Leave),
            DragDrop::Drop { paths } => {
                let drop = self.avatars.begin_drop();
                let path = match dropped_file(&paths) {
                    Ok(path) => path,
                    Err(error) => return emit(AvatarDropEvent::Failed { error }),
                };
                emit(AvatarDropEvent::Processing);
                let controller = self.clone();
                self.runtime.spawn(async move {
                    let avatars = &controller.avatars;
                    let result = avatars.open_file(path).await;
                    if !avatars.is_latest_drop(drop) {
                        // Another file was dropped meanwhile: the UI waits for that one instead.
                        if let Ok(preview) = result {
                            avatars.discard(&preview.id);
                        }
                        return;
                    }
                    controller.shell.emit(Event::AvatarDrop(match result {
                        Ok(preview) => AvatarDropEvent::Ready { preview },
                        Err(error) => AvatarDropEvent::Failed { error },
                    }));
                });
            }
        }
    }
}

/// The one regular file among what was dropped.
fn dropped_file(paths: &[PathBuf]) -> CommandResult<PathBuf> {
    match paths {
        [] => Err(not_a_file()),
        [path] => {
            let metadata = std::fs::metadata(path).map_err(|error| unreadable(path, &error))?;
            if metadata.is_file() {
                Ok(path.clone())
            } else {
                Err(not_a_file())
            }
        }
        _ => Err(CommandError::new("avatar_too_many_files", "Drop one picture at a time.")),
    }
}

fn not_a_file() -> CommandError {
    CommandError::new("avatar_not_a_file", "That is not a file. Drop one picture, not a folder.")
}

fn unreadable(path: &Path, error: &std::io::Error) -> CommandError {
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into());
    CommandError::new("avatar_unreadable", format!("Userdesk could not read “{name}”: {error}."))
}

/// Reads a picture file whole, refusing from its size alone when it is over the limit.
fn read_picture(path: &Path, limits: Limits) -> CommandResult<Vec<u8>> {
    let max = limits.max_input_bytes;
    // Checked before opening: opening a named pipe would wait for a writer.
    let metadata = std::fs::metadata(path).map_err(|error| unreadable(path, &error))?;
    if !metadata.is_file() {
        return Err(not_a_file());
    }
    if metadata.len() > max {
        return Err(avatar_error(userdesk_avatar::Error::TooLarge { size: metadata.len(), max }));
    }
    let file = File::open(path).map_err(|error| unreadable(path, &error))?;
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    // The file may grow while it is read: never take more than one byte past the limit.
    file.take(max.saturating_add(1)).read_to_end(&mut bytes).map_err(|error| unreadable(path, &error))?;
    if bytes.len() as u64 > max {
        return Err(avatar_error(userdesk_avatar::Error::TooLarge { size: bytes.len() as u64, max }));
    }
    Ok(bytes)
}

/// Checks and previews a picture file: CPU work, run it off the async threads.
fn prepare_file(bytes: Vec<u8>, limits: Limits) -> CommandResult<(PendingPicture, AvatarPreview)> {
    let info = userdesk_avatar::probe(&bytes).map_err(avatar_error)?;
    let preview = userdesk_avatar::preview(&bytes, PREVIEW_MAX_SIDE, limits).map_err(avatar_error)?;
    let preview = AvatarPreview {
        id: random_id()?,
        data_url: data_url(&preview),
        width: info.width,
        height: info.height,
        format: info.format.name().to_owned(),
        byte_length: Some(bytes.len() as u64),
    };
    let picture =
        PendingPicture { source: Source::File(Arc::new(bytes)), width: info.width, height: info.height };
    Ok((picture, preview))
}

/// Checks and previews pixels from the clipboard, kept as they are for the upload.
fn prepare_pixels(image: ClipboardImage, limits: Limits) -> CommandResult<(PendingPicture, AvatarPreview)> {
    let ClipboardImage { width, height, rgba } = image;
    let pixels = Pixels::new(width, height, true, rgba)
        .filter(|_| width > 0 && height > 0)
        .ok_or_else(|| CommandError::new("avatar_damaged", "The picture on the clipboard cannot be read."))?;
    let preview = userdesk_avatar::preview_pixels(&pixels, PREVIEW_MAX_SIDE, limits).map_err(avatar_error)?;
    let preview = AvatarPreview {
        id: random_id()?,
        data_url: data_url(&preview),
        width,
        height,
        format: "Pasted".to_owned(),
        byte_length: None,
    };
    let picture = PendingPicture { source: Source::Pixels(Arc::new(pixels)), width, height };
    Ok((picture, preview))
}

fn data_url(image: &userdesk_avatar::Avatar) -> String {
    format!("data:{};base64,{}", image.mime, base64::engine::general_purpose::STANDARD.encode(&image.bytes))
}

/// The square to cut from a `width` × `height` upright picture. A crop a pixel or two off square
/// (rounding in the editor) is squared to its shorter side; anything else is refused.
fn square_crop(crop: AvatarCrop, width: u32, height: u32) -> CommandResult<CropRect> {
    let rect = CropRect::new(crop.x, crop.y, crop.width, crop.height);
    if !rect.fits(width, height) {
        return Err(CommandError::new(
            "avatar_bad_crop",
            format!("The chosen area does not fit inside the {width} × {height} picture. Choose it again."),
        ));
    }
    let (short, long) = (crop.width.min(crop.height), crop.width.max(crop.height));
    let tolerance = (long / 100).max(2);
    if long - short > tolerance {
        return Err(CommandError::new(
            "avatar_bad_crop",
            format!("The chosen area is {} × {} pixels; it must be square.", crop.width, crop.height),
        ));
    }
    Ok(CropRect::new(crop.x, crop.y, short, short))
}

/// What to tell the person when a picture cannot be used.
fn avatar_error(error: userdesk_avatar::Error) -> CommandError {
    use userdesk_avatar::Error;

    const CHOOSE: &str = "Choose a JPEG, PNG, WebP, GIF or BMP.";
    let mib = |bytes: u64| bytes.div_ceil(1024 * 1024);
    match error {
        Error::Empty => CommandError::new("avatar_empty", "This file is empty. Choose a picture."),
        Error::Unsupported { format: "unknown" } => CommandError::new(
            "avatar_unsupported",
            format!("This file is not a picture Userdesk can use. {CHOOSE}"),
        ),
        Error::Unsupported { format } => CommandError::new(
            "avatar_unsupported",
            format!("This file is not a picture Userdesk can use ({format}). {CHOOSE}"),
        ),
        Error::TooLarge { size, max } => CommandError::new(
            "avatar_too_large",
            format!(
                "This picture is {} MB; pictures can be up to {} MB. Choose a smaller one.",
                mib(size),
                mib(max)
            ),
        ),
        Error::TooManyPixels { width, height, max } => CommandError::new(
            "avatar_too_large",
            format!(
                "This picture is {width} × {height} pixels, more than the {} megapixels Userdesk can \
                 use. Choose a smaller one.",
                max / 1_000_000
            ),
        ),
        Error::TooMuchMemory { .. } => CommandError::new(
            "avatar_too_large",
            "This picture is too large for Userdesk to open. Choose a smaller one.",
        ),
        Error::Corrupt { .. } => {
            CommandError::new("avatar_damaged", "This picture is damaged and cannot be read.")
        }
        Error::InvalidCrop { width, height, .. } => CommandError::new(
            "avatar_bad_crop",
            format!("The chosen area does not fit inside the {width} × {height} picture. Choose it again."),
        ),
        other => {
            tracing::error!("avatar pipeline: {other}");
            CommandError::new("avatar_failed", format!("Userdesk could not process this picture: {other}."))
        }
    }
}

/// 128 random bits, hex.
fn random_id() -> CommandResult<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|error| {
        CommandError::new("avatar_failed", format!("The system's random source failed: {error}."))
    })?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|error| {
        tracing::error!("picture processing stopped: {error}");
        Err(CommandError::new("avatar_failed", "Userdesk could not process this picture."))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3 × 2 red PNG.
    const PNG: &[u8; 73] = include_bytes!("../tests/fixtures/red-3x2.png");

    fn crop(x: u32, y: u32, width: u32, height: u32) -> AvatarCrop {
        AvatarCrop { x, y, width, height }
    }

    fn code<T: std::fmt::Debug>(result: CommandResult<T>) -> String {
        result.expect_err("should fail").reason
    }

    #[test]
    fn a_drop_must_be_exactly_one_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let photo = dir.path().join("photo.png");
        std::fs::write(&photo, PNG).unwrap();

        assert_eq!(dropped_file(std::slice::from_ref(&photo)).unwrap(), photo);
        assert_eq!(code(dropped_file(&[photo.clone(), photo.clone()])), "avatar_too_many_files");
        let folder = code(dropped_file(&[dir.path().to_path_buf()]));
        assert_eq!(folder, "avatar_not_a_file");
        assert_eq!(code(dropped_file(&[])), "avatar_not_a_file");
        let missing = dropped_file(&[dir.path().join("gone.png")]).unwrap_err();
        assert_eq!(missing.reason, "avatar_unreadable");
        assert!(missing.message.contains("“gone.png”"), "{}", missing.message);
        assert!(!missing.message.contains(&*dir.path().to_string_lossy()), "names the file, not the path");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_by_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let photo = dir.path().join("photo.png");
        std::fs::write(&photo, PNG).unwrap();
        let limits = |max_input_bytes| Limits { max_input_bytes, ..Limits::default() };

        assert_eq!(read_picture(&photo, limits(73)).unwrap(), PNG);
        let refused = read_picture(&photo, limits(72)).unwrap_err();
        assert_eq!(refused.reason, "avatar_too_large");
        assert_eq!(code(read_picture(dir.path(), limits(1000))), "avatar_not_a_file");
    }

    #[test]
    fn pipeline_errors_read_as_sentences_with_stable_codes() {
        use userdesk_avatar::Error;

        let heic = avatar_error(Error::Unsupported { format: "HEIC" });
        assert_eq!(heic.reason, "avatar_unsupported");
        assert_eq!(
            heic.message,
            "This file is not a picture Userdesk can use (HEIC). Choose a JPEG, PNG, WebP, GIF or BMP."
        );
        let unknown = avatar_error(Error::Unsupported { format: "unknown" });
        assert!(!unknown.message.contains("(unknown)"), "{}", unknown.message);

        let large = avatar_error(Error::TooLarge { size: 50 * 1024 * 1024, max: 40 * 1024 * 1024 });
        assert_eq!(large.reason, "avatar_too_large");
        assert_eq!(
            large.message,
            "This picture is 50 MB; pictures can be up to 40 MB. Choose a smaller one."
        );
        let pixels = avatar_error(Error::TooManyPixels { width: 20_000, height: 10_000, max: 100_000_000 });
        assert_eq!(pixels.reason, "avatar_too_large");
        assert!(pixels.message.contains("20000 × 10000 pixels"), "{}", pixels.message);

        let damaged = avatar_error(userdesk_avatar::process(&PNG[..50], &Options::default()).unwrap_err());
        assert_eq!(damaged.reason, "avatar_damaged");
        assert_eq!(damaged.message, "This picture is damaged and cannot be read.");
        assert_eq!(avatar_error(Error::Empty).reason, "avatar_empty");
    }

    #[test]
    fn a_crop_must_be_a_square_inside_the_picture() {
        assert_eq!(square_crop(crop(10, 0, 100, 100), 200, 100).unwrap(), CropRect::new(10, 0, 100, 100));
        // Rounding in the editor: a pixel off square is squared to the shorter side.
        assert_eq!(square_crop(crop(0, 0, 301, 300), 400, 300).unwrap(), CropRect::new(0, 0, 300, 300));
        assert_eq!(code(square_crop(crop(0, 0, 200, 100), 200, 100)), "avatar_bad_crop");
        assert_eq!(code(square_crop(crop(101, 0, 100, 100), 200, 100)), "avatar_bad_crop");
        assert_eq!(code(square_crop(crop(0, 1, 100, 100), 200, 100)), "avatar_bad_crop");
        assert_eq!(code(square_crop(crop(0, 0, 0, 0), 200, 100)), "avatar_bad_crop");
        assert_eq!(code(square_crop(crop(u32::MAX, 0, 2, 2), u32::MAX, 2)), "avatar_bad_crop");
    }

    #[tokio::test]
    async fn a_picture_file_becomes_a_pending_picture_with_its_preview() {
        let avatars = Avatars::default();
        let preview = avatars.open_bytes(PNG.to_vec()).await.unwrap();
        assert_eq!((preview.width, preview.height), (3, 2));
        assert_eq!(preview.format, "PNG");
        assert_eq!(preview.byte_length, Some(73));
        assert_eq!(preview.id.len(), 32);
        let jpeg = preview.data_url.strip_prefix("data:image/jpeg;base64,").expect("an opaque picture: JPEG");
        let jpeg = base64::engine::general_purpose::STANDARD.decode(jpeg).unwrap();
        assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF]));

        let picture = avatars.pending(&preview.id).unwrap();
        assert!(
            matches!(picture.source, Source::File(bytes) if *bytes == PNG),
            "the original is kept for the upload"
        );
        avatars.discard(&preview.id);
        assert_eq!(code(avatars.pending(&preview.id)), "avatar_not_found");
    }

    #[tokio::test]
    async fn what_is_not_a_picture_is_refused_before_it_is_kept() {
        let avatars = Avatars::default();
        assert_eq!(code(avatars.open_bytes(Vec::new()).await), "avatar_empty");
        assert_eq!(code(avatars.open_bytes(b"hello, world\n".to_vec()).await), "avatar_unsupported");
        assert!(avatars.lock_pending().is_empty());
    }

    #[tokio::test]
    async fn only_the_latest_pictures_are_kept() {
        let avatars = Avatars::default();
        let mut ids = Vec::new();
        for _ in 0..=MAX_PENDING {
            ids.push(avatars.open_bytes(PNG.to_vec()).await.unwrap().id);
        }
        assert_eq!(code(avatars.pending(&ids[0])), "avatar_not_found", "the oldest went");
        for id in &ids[1..] {
            assert!(avatars.pending(id).is_ok());
        }
    }

    #[tokio::test]
    async fn a_failed_upload_keeps_the_picture_for_another_try() {
        let avatars = Avatars::default();
        let preview = avatars.open_bytes(PNG.to_vec()).await.unwrap();
        // Nothing listens on the discard port: the upload fails after the avatar is made.
        let unreachable = url::Url::parse("http://127.0.0.1:9/").unwrap();
        let client = Arc::new(Client::builder(unreachable).build().unwrap());

        let outside = avatars.upload(client.clone(), &preview.id, crop(2, 0, 2, 2), |_| {}).await;
        assert_eq!(code(outside), "avatar_bad_crop");
        let failed = avatars.upload(client.clone(), &preview.id, crop(1, 0, 2, 2), |_| {}).await.unwrap_err();
        assert!(
            !failed.reason.starts_with("avatar_"),
            "the picture was made, the request failed: {failed:?}"
        );
        assert!(avatars.pending(&preview.id).is_ok(), "still there to try again");
        assert!(avatars.lock_upload().is_none(), "the slot is free again");
        let unknown = avatars.upload(client, "no-such-picture", crop(0, 0, 2, 2), |_| {}).await;
        assert_eq!(code(unknown), "avatar_not_found");
    }

    #[tokio::test]
    async fn cancelling_stops_the_upload_in_flight_and_frees_the_slot() {
        let avatars = Arc::new(Avatars::default());
        let running = {
            let avatars = avatars.clone();
            tokio::spawn(
                async move { avatars.cancellable(std::future::pending::<CommandResult<()>>()).await },
            )
        };
        while avatars.lock_upload().is_none() {
            tokio::task::yield_now().await;
        }
        assert_eq!(code(avatars.cancellable(async { Ok(()) }).await), "avatar_busy", "one at a time");
        avatars.cancel_upload();
        assert_eq!(code(running.await.unwrap()), "upload_cancelled");
        assert!(avatars.lock_upload().is_none());
        assert_eq!(avatars.cancellable(async { Ok(7) }).await.unwrap(), 7, "the next upload runs");
        avatars.cancel_upload(); // nothing in flight: no effect
    }

    #[test]
    fn only_the_latest_drop_is_shown() {
        let avatars = Avatars::default();
        let first = avatars.begin_drop();
        assert!(avatars.is_latest_drop(first));
        let second = avatars.begin_drop();
        assert!(!avatars.is_latest_drop(first));
        assert!(avatars.is_latest_drop(second));
    }

    #[test]
    fn a_pasted_picture_is_kept_as_pixels_and_previewed_with_its_transparency() {
        // 3 × 2: a red top row, a transparent bottom row.
        let rgba = [[255, 0, 0, 255]; 3].into_iter().chain([[0, 0, 0, 0]; 3]).flatten().collect::<Vec<u8>>();
        let image = |rgba: &[u8], width, height| ClipboardImage { width, height, rgba: rgba.to_vec() };
        let (picture, preview) = prepare_pixels(image(&rgba, 3, 2), Limits::default()).unwrap();
        assert_eq!((preview.width, preview.height, preview.byte_length), (3, 2, None));
        assert!(preview.data_url.starts_with("data:image/png;base64,"), "transparency kept: a PNG");
        assert!(matches!(picture.source, Source::Pixels(_)), "no encoded file in between");

        let short = prepare_pixels(image(&rgba[..20], 3, 2), Limits::default());
        assert_eq!(code(short), "avatar_damaged");
        assert_eq!(code(prepare_pixels(image(&[], 0, 0), Limits::default())), "avatar_damaged");
        let small = Limits { max_pixels: 5, ..Limits::default() };
        assert_eq!(code(prepare_pixels(image(&rgba, 3, 2), small)), "avatar_too_large");
    }
}
