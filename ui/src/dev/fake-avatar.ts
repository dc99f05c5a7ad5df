// Dev-server only: a stand-in for the profile picture commands and events. Pictures are read and
// cropped with a canvas, so the whole flow can be tried in a plain browser:
//   - Upload photo "picks" a generated landscape photo;
//   - a file dragged from the file manager onto the page goes through the same `avatar-drop`
//     events as the Rust side sends (enter, leave, processing, ready or failed);
//   - a paste "reads" the same generated photo from the clipboard;
//   - uploads report progress for about two seconds and can be cancelled.
// Query parameters:
//   ?avatar=set     the demo user starts with a picture
//   ?avatar=fail    every upload fails
//   ?avatar=slow    uploads take about ten seconds
import { emit } from '@tauri-apps/api/event';
import type { AvatarCrop, AvatarDropEvent, AvatarPreview, CommandError } from '$lib/bindings';
import type { FakeAccount, Handler } from './fake-account';
import { EVENTS } from '$lib/bindings';

/** The longest side of a preview's data URL; the source keeps its own size. */
const PREVIEW_SIDE = 640;
/** The uploaded picture's side. */
const OUTPUT_SIDE = 256;

function decode(blob: Blob): Promise<HTMLImageElement> {
  const url = URL.createObjectURL(blob);
  return new Promise<HTMLImageElement>((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('undecodable'));
    image.src = url;
  }).finally(() => URL.revokeObjectURL(url));
}

function canvas(width: number, height: number): [HTMLCanvasElement, CanvasRenderingContext2D] {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const g = c.getContext('2d');
  if (!g) throw new Error('no 2D canvas');
  return [c, g];
}

/** A landscape "photo": sky, sun, hills and someone standing on them. */
function demoPhoto(): HTMLCanvasElement {
  const [c, g] = canvas(PREVIEW_SIDE, Math.round((PREVIEW_SIDE * 2) / 3));
  const sky = g.createLinearGradient(0, 0, 0, c.height);
  sky.addColorStop(0, '#3b6fd8');
  sky.addColorStop(0.65, '#f3b27a');
  g.fillStyle = sky;
  g.fillRect(0, 0, c.width, c.height);
  g.fillStyle = '#ffe6a3';
  g.beginPath();
  g.arc(c.width * 0.78, c.height * 0.32, 46, 0, Math.PI * 2);
  g.fill();
  const hill = (color: string, base: number, amp: number, phase: number) => {
    g.fillStyle = color;
    g.beginPath();
    g.moveTo(0, c.height);
    for (let x = 0; x <= c.width; x += 8) g.lineTo(x, base + Math.sin(x / 90 + phase) * amp);
    g.lineTo(c.width, c.height);
    g.fill();
  };
  hill('#5f7f4a', c.height * 0.66, 18, 0.5);
  hill('#3e5f34', c.height * 0.78, 12, 2.1);
  // Someone on the hill, a little right of centre.
  const cx = c.width * 0.54;
  const top = c.height * 0.36;
  g.fillStyle = '#2b2b3a';
  g.beginPath();
  g.arc(cx, top, 30, 0, Math.PI * 2);
  g.fill();
  g.beginPath();
  g.ellipse(cx, top + 110, 58, 80, 0, Math.PI, 0);
  g.fill();
  g.fillRect(cx - 58, top + 108, 116, c.height - top);
  return c;
}

type Stored = { preview: AvatarPreview; source: CanvasImageSource; sourceWidth: number };

export class FakeAvatar {
  #fake: FakeAccount;
  #mode: string | null;
  #next = 1;
  #previews = new Map<string, Stored>();
  #cancel: (() => void) | null = null;
  /** Whether someone is signed in (set by the mock). */
  signedIn: () => boolean = () => true;

  constructor(fake: FakeAccount, query: URLSearchParams) {
    this.#fake = fake;
    this.#mode = query.get('avatar');
    if (this.#mode === 'set') {
      const [c, g] = canvas(OUTPUT_SIDE, OUTPUT_SIDE);
      g.drawImage(demoPhoto(), 210, 40, 220, 220, 0, 0, OUTPUT_SIDE, OUTPUT_SIDE);
      this.#fake.user = { ...this.#fake.user, has_image: true, image_url: c.toDataURL('image/png') };
    }
  }

  handlers(): Record<string, Handler> {
    return {
      avatar_pick_file: () => this.#store(demoPhoto(), 2400, 1600, 'jpeg', 1_843_200),
      avatar_from_clipboard: () => this.#store(demoPhoto(), 2400, 1600, 'jpeg', 1_843_200),
      avatar_upload: (a) => this.#upload(String(a.previewId), a.crop as AvatarCrop),
      avatar_cancel_upload: () => {
        this.#cancel?.();
        return null;
      },
      avatar_discard: (a) => {
        this.#previews.delete(String(a.previewId));
        return null;
      },
      avatar_remove: () => {
        this.#fake.user = { ...this.#fake.user, has_image: false, image_url: '', updated_at: Date.now() };
        return this.#fake.user;
      },
    };
  }

  /** Reads a file into a preview with the browser's decoder; what it cannot read fails the drop. */
  async read(blob: Blob, name: string): Promise<AvatarPreview> {
    const format = blob.type.replace(/^image\//, '') || 'png';
    const image = await decode(blob).catch(() => {
      throw { code: 'other', message: `${name} can’t be read as a picture.`, field: null } satisfies CommandError;
    });
    const { naturalWidth: width, naturalHeight: height } = image;
    const scale = Math.min(1, PREVIEW_SIDE / Math.max(width, height));
    const [c, g] = canvas(Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale)));
    g.drawImage(image, 0, 0, c.width, c.height);
    return this.#store(c, width, height, format, blob.size, image);
  }

  /** Follows files dragged over the page and dropped on it, as the Rust side does for the window. */
  installDropBridge(): void {
    let depth = 0;
    const send = (event: AvatarDropEvent) => void emit(EVENTS.AVATAR_DROP, event);
    const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
    window.addEventListener('dragenter', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (depth++ === 0 && this.signedIn()) send({ kind: 'enter', files: e.dataTransfer?.items.length ?? 1 });
    });
    window.addEventListener('dragover', (e) => {
      if (hasFiles(e)) e.preventDefault();
    });
    window.addEventListener('dragleave', (e) => {
      if (!hasFiles(e)) return;
      if (--depth <= 0) {
        depth = 0;
        if (this.signedIn()) send({ kind: 'leave' });
      }
    });
    window.addEventListener('drop', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      if (!this.signedIn()) return;
      const file = e.dataTransfer?.files[0];
      if (!file) return;
      send({ kind: 'processing' });
      this.read(file, file.name).then(
        (preview) => send({ kind: 'ready', preview }),
        (error: CommandError) => send({ kind: 'failed', error }),
      );
    });
  }

  #store(
    shown: HTMLCanvasElement,
    width: number,
    height: number,
    format: string,
    byteLength: number,
    source: CanvasImageSource = shown,
  ): AvatarPreview {
    const preview: AvatarPreview = {
      id: `prv_${this.#next++}`,
      data_url: shown.toDataURL('image/png'),
      width,
      height,
      format,
      byte_length: byteLength,
    };
    const sourceWidth = source === shown ? shown.width : width;
    this.#previews.set(preview.id, { preview, source, sourceWidth });
    return preview;
  }

  #upload(previewId: string, crop: AvatarCrop) {
    const stored = this.#previews.get(previewId)!;
    const total = Math.max(60_000, Math.round((stored.preview.byte_length ?? 480_000) / 8));
    const steps = this.#mode === 'slow' ? 80 : 16;
    return new Promise((resolve, reject) => {
      let sent = 0;
      const timer = setInterval(() => {
        sent = Math.min(total, sent + Math.ceil(total / steps));
        void emit(EVENTS.AVATAR_UPLOAD_PROGRESS, { preview_id: previewId, sent, total });
        if (sent < total) return;
        clearInterval(timer);
        this.#cancel = null;
        if (this.#mode === 'fail') {
          reject({ code: 'network', message: 'The server did not answer. Check your connection and try again.', field: null });
          return;
        }
        this.#previews.delete(previewId);
        // The crop is in source pixels; the stored image may be the scaled-down preview.
        const k = stored.sourceWidth / stored.preview.width;
        const [c, g] = canvas(OUTPUT_SIDE, OUTPUT_SIDE);
        g.drawImage(stored.source, crop.x * k, crop.y * k, crop.width * k, crop.height * k, 0, 0, OUTPUT_SIDE, OUTPUT_SIDE);
        this.#fake.user = { ...this.#fake.user, has_image: true, image_url: c.toDataURL('image/png'), updated_at: Date.now() };
        resolve(this.#fake.user);
      }, 120);
      this.#cancel = () => {
        clearInterval(timer);
        this.#cancel = null;
        reject({ code: 'upload_cancelled', message: 'The upload was cancelled.', field: null });
      };
    });
  }
}
