// The profile picture: a photo arrives (dropped on the window, pasted, or picked), the Rust side
// reads it into a preview, the editor crops it and Save uploads the crop. The user store stays the
// one copy of the user: an upload or a removal puts the returned user there.
//
// `avatar-drop` events come from the Rust side, which sees file drops instead of the webview:
// enter/leave drive the overlay, processing/ready/failed the editor.
import * as api from '../api';
import type { AvatarCrop, AvatarDropEvent, AvatarPreview, AvatarUploadProgress, CommandError } from '../bindings';
import { onSignedOut } from '../signed-out';
import { confirmation } from './confirm.svelte';
import { nav } from './nav.svelte';
import { toasts } from './toast.svelte';
import { user } from './user.svelte';

class AvatarStore {
  /** A file is being dragged over the window: the drop overlay shows. */
  dragging = $state(false);
  /** How many files are being dragged (a drop of several is refused). */
  dragFiles = $state(0);
  /** The editor is open: reading a photo (`preview` still null) or cropping one. */
  editing = $state(false);
  /** A photo is being read into a preview. */
  reading = $state(false);
  /** The photo being cropped. */
  preview = $state.raw<AvatarPreview | null>(null);
  uploading = $state(false);
  /** Bytes sent by the upload in progress; null until the first report. */
  progress = $state.raw<{ sent: number; total: number } | null>(null);
  /** The file picker is open. */
  picking = $state(false);
  removing = $state(false);
  /** Why the last photo, upload or removal failed; the editor shows it when open, else the card. */
  error = $state<string | null>(null);

  /** The preview being uploaded (progress reports name it). */
  #uploadingId: string | null = null;
  #uploadCancelled = false;
  /** Bumped whenever the editor closes, so a photo still being read then is not opened after. */
  #session = 0;
  /** The editor was closed while a dropped file was being read: its result is not wanted. */
  #dropUnwanted = false;

  constructor() {
    onSignedOut(() => this.reset());
  }

  /** Starts following the Rust side's drop and progress events; the returned function stops. */
  listen(): () => void {
    const subscriptions = [
      api.onAvatarDrop((event) => this.onDrop(event)),
      api.onAvatarUploadProgress((progress) => this.onProgress(progress)),
    ];
    for (const s of subscriptions) {
      // Without these events drops do nothing; the buttons and paste still work.
      s.catch((err: unknown) => console.error('Userdesk: cannot follow profile picture events', err));
    }
    return () => {
      for (const s of subscriptions) void s.then((stop) => stop()).catch(() => undefined);
      this.reset();
    };
  }

  onDrop(event: AvatarDropEvent): void {
    if (!user.current || this.uploading) {
      this.dragging = false;
      if (event.kind === 'ready') this.#discard(event.preview.id);
      return;
    }
    switch (event.kind) {
      case 'enter':
        this.#dropUnwanted = false;
        this.dragging = true;
        this.dragFiles = event.files;
        return;
      case 'leave':
        this.dragging = false;
        return;
      case 'processing':
        this.dragging = false;
        this.#dropUnwanted = false;
        nav.go('profile');
        this.#startReading();
        return;
      case 'ready':
        this.dragging = false;
        if (this.#dropUnwanted) {
          this.#dropUnwanted = false;
          this.#discard(event.preview.id);
          return;
        }
        nav.go('profile');
        this.#open(event.preview);
        return;
      case 'failed':
        this.dragging = false;
        if (this.#dropUnwanted) {
          this.#dropUnwanted = false;
          return;
        }
        nav.go('profile');
        this.#fail(event.error);
        return;
    }
  }

  onProgress(progress: AvatarUploadProgress): void {
    if (!this.uploading || progress.preview_id !== this.#uploadingId) return;
    this.progress = { sent: progress.sent, total: progress.total };
  }

  /** Opens the system's file picker; the chosen photo opens in the editor. */
  async pick(): Promise<void> {
    if (this.picking || this.uploading) return;
    this.picking = true;
    this.error = null;
    try {
      const preview = await api.avatarPickFile();
      if (preview) this.#open(preview);
    } catch (err) {
      this.#fail(err as CommandError);
    } finally {
      this.picking = false;
    }
  }

  /** Reads the picture on the clipboard; it opens in the editor. */
  async paste(): Promise<void> {
    if (this.uploading) return;
    const session = this.#startReading();
    try {
      const preview = await api.avatarFromClipboard();
      if (session !== this.#session) {
        this.#discard(preview.id);
        return;
      }
      this.#open(preview);
    } catch (err) {
      if (session === this.#session) this.#fail(err as CommandError);
    }
  }

  /** Uploads `crop` of the open photo. A cancelled upload closes the editor without a word. */
  async save(crop: AvatarCrop): Promise<void> {
    const preview = this.preview;
    if (!preview || this.uploading || this.reading) return;
    this.uploading = true;
    this.#uploadingId = preview.id;
    this.#uploadCancelled = false;
    this.progress = null;
    this.error = null;
    let saved = false;
    try {
      await user.uploadAvatar(preview.id, crop);
      saved = true;
      if (!this.#uploadCancelled) {
        this.#closeEditor();
        toasts.success('Profile picture updated');
      }
    } catch (err) {
      const e = err as CommandError;
      if (this.#uploadCancelled || e.code === 'upload_cancelled') this.#closeEditor();
      else this.#fail(e);
    } finally {
      this.uploading = false;
      this.#uploadingId = null;
      this.progress = null;
      // An upload that did not finish leaves its preview on the Rust side; a closed editor no
      // longer needs it.
      if (!saved && this.preview !== preview) this.#discard(preview.id);
    }
  }

  /** Stops the upload in progress and closes the editor; the picture stays as it was. */
  async cancelUpload(): Promise<void> {
    if (!this.uploading || this.#uploadCancelled) return;
    this.#uploadCancelled = true;
    this.#closeEditor();
    await api.avatarCancelUpload().catch(() => undefined);
  }

  /** Closes the editor without saving (not while uploading: that is `cancelUpload`). */
  close(): void {
    if (this.uploading || !this.editing) return;
    // A dropped file still being read would open the editor again when it is ready.
    if (this.reading) this.#dropUnwanted = true;
    const preview = this.preview;
    this.#closeEditor();
    this.error = null;
    if (preview) this.#discard(preview.id);
  }

  /** Asks once, then removes the picture: the default avatar shows again. */
  async remove(): Promise<void> {
    if (this.removing || this.uploading) return;
    const ok = await confirmation.ask({
      title: 'Remove your profile picture?',
      message: 'Your account goes back to the default avatar, with your initials, everywhere it appears.',
      confirmLabel: 'Remove',
    });
    if (!ok) return;
    this.removing = true;
    this.error = null;
    try {
      await user.removeAvatar();
      toasts.success('Profile picture removed');
    } catch (err) {
      this.#fail(err as CommandError);
    } finally {
      this.removing = false;
    }
  }

  /** Signed out or unmounted: nothing open, nothing shown. The Rust side forgets its previews itself. */
  reset(): void {
    this.dragging = false;
    this.dragFiles = 0;
    this.editing = false;
    this.reading = false;
    this.preview = null;
    this.uploading = false;
    this.progress = null;
    this.picking = false;
    this.removing = false;
    this.error = null;
    this.#uploadingId = null;
    this.#uploadCancelled = false;
    this.#dropUnwanted = false;
    this.#session++;
  }

  #startReading(): number {
    this.editing = true;
    this.reading = true;
    this.error = null;
    return this.#session;
  }

  #open(preview: AvatarPreview): void {
    const previous = this.preview;
    if (previous && previous.id !== preview.id) this.#discard(previous.id);
    this.preview = preview;
    this.editing = true;
    this.reading = false;
    this.error = null;
  }

  /** Something failed: say why, and keep what was there (the editor's photo, if any). */
  #fail(error: CommandError): void {
    // The session ended: the sign-out has already closed everything; nothing to show.
    if (error.code === 'signed_out') return;
    this.reading = false;
    if (!this.preview) this.editing = false;
    this.error = error.message;
  }

  #closeEditor(): void {
    this.editing = false;
    this.reading = false;
    this.preview = null;
    this.#session++;
  }

  #discard(previewId: string): void {
    // Only frees memory on the Rust side; nothing to tell the person if it fails.
    void api.avatarDiscard(previewId).catch(() => undefined);
  }
}

export const avatar = new AvatarStore();
