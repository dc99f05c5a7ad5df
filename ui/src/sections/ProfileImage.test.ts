import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { emit } from '@tauri-apps/api/event';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { AvatarDropEvent, AvatarPreview, AvatarUploadProgress, CommandError, User } from '$lib/bindings';
import { actions, fakeBackend, makeUser, type Call } from '../test-support';
import { EVENTS } from '$lib/bindings';

const OLD_IMAGE = 'https://img.example.test/old.png';
const NEW_IMAGE = 'https://img.example.test/new.png';

/** A landscape photo of 1200 × 800 source pixels (the data URL is a scaled-down stand-in). */
function preview(more: Partial<AvatarPreview> = {}): AvatarPreview {
  return {
    id: 'prv_1',
    data_url: 'data:image/png;base64,iVBORw0KGgo=',
    width: 1200,
    height: 800,
    format: 'JPEG',
    byte_length: 2_400_000,
    ...more,
  };
}

type Handler = (args: Record<string, unknown>) => unknown;

async function signedIn(user: User = makeUser(), handlers: Record<string, Handler> = {}) {
  const calls = fakeBackend({
    signedIn: user,
    handlers: {
      avatar_discard: () => null,
      avatar_upload: () => makeUser({ has_image: true, image_url: NEW_IMAGE }),
      ...handlers,
    },
  });
  const ue = userEvent.setup();
  render(App);
  await screen.findByTestId('profile-first-name');
  return { calls, ue };
}

const drop = (event: AvatarDropEvent) => emit(EVENTS.AVATAR_DROP, event);
const progress = (event: AvatarUploadProgress) => emit(EVENTS.AVATAR_UPLOAD_PROGRESS, event);
const uploads = (calls: Call[]) => actions(calls).filter((c) => c.cmd === 'avatar_upload');

async function openEditor(p: AvatarPreview = preview()) {
  await drop({ kind: 'processing' });
  await drop({ kind: 'ready', preview: p });
  const editor = await screen.findByTestId('avatar-editor');
  await waitFor(() => expect(within(editor).getByTestId('avatar-crop')).toHaveFocus());
  return editor;
}

describe('dropping a photo on the window', () => {
  it('covers the window while a file is dragged over it, and uncovers it when it leaves', async () => {
    await signedIn();

    await drop({ kind: 'enter', files: 1 });
    expect(await screen.findByTestId('drop-overlay')).toHaveTextContent('Drop a photo to use it as your profile picture');

    await drop({ kind: 'leave' });
    await waitFor(() => expect(screen.queryByTestId('drop-overlay')).not.toBeInTheDocument());
  });

  it('warns in the overlay when several files are dragged', async () => {
    await signedIn();

    await drop({ kind: 'enter', files: 3 });

    expect(await screen.findByTestId('drop-overlay')).toHaveTextContent('One photo at a time');
  });

  it('opens the editor on the centred square and uploads it as it is', async () => {
    const { calls, ue } = await signedIn(makeUser({ has_image: true, image_url: OLD_IMAGE }));

    const editor = await openEditor();

    expect(editor).toHaveAttribute('role', 'dialog');
    expect(editor).toHaveTextContent('1200 × 800 px · JPEG · 2.3 MB');
    expect(within(editor).getByTestId('avatar-crop')).toHaveAttribute('data-crop', '200,0,800,800');
    await ue.click(screen.getByTestId('avatar-editor-save'));

    expect(await screen.findByTestId('toast')).toHaveTextContent('Profile picture updated');
    expect(uploads(calls)).toEqual([
      { cmd: 'avatar_upload', args: { previewId: 'prv_1', crop: { x: 200, y: 0, width: 800, height: 800 } } },
    ]);
    expect(screen.queryByTestId('avatar-editor')).not.toBeInTheDocument();
    expect(screen.getByTestId('profile-image')).toHaveAttribute('src', NEW_IMAGE);
    // The sidebar shows the new picture too.
    expect(screen.getByRole('complementary').querySelector('img')).toHaveAttribute('src', NEW_IMAGE);
    expect(actions(calls).map((c) => c.cmd)).not.toContain('avatar_discard');
  });

  it('centres a portrait photo vertically', async () => {
    const { calls, ue } = await signedIn();

    await openEditor(preview({ width: 600, height: 900 }));
    await ue.click(screen.getByTestId('avatar-editor-save'));

    await screen.findByTestId('toast');
    expect(uploads(calls)[0]!.args.crop).toEqual({ x: 0, y: 150, width: 600, height: 600 });
  });

  it('uploads the crop chosen with the zoom slider and the arrow keys', async () => {
    const { calls, ue } = await signedIn();
    await openEditor();

    // Zoom 2: the square is half the shorter side (400), still centred.
    await fireEvent.input(screen.getByTestId('avatar-zoom'), { target: { value: '2' } });
    expect(screen.getByTestId('avatar-crop')).toHaveAttribute('data-crop', '400,200,400,400');
    // Each arrow moves by 5% of the side (20 px); with Shift, 25% (100 px).
    await ue.keyboard('{ArrowRight}{ArrowRight}{Shift>}{ArrowDown}{/Shift}');
    expect(screen.getByTestId('avatar-crop')).toHaveAttribute('data-crop', '440,300,400,400');
    await ue.click(screen.getByTestId('avatar-editor-save'));

    await screen.findByTestId('toast');
    expect(uploads(calls)[0]!.args.crop).toEqual({ x: 440, y: 300, width: 400, height: 400 });
  });

  it('keeps the crop inside the picture however far it is moved', async () => {
    const { calls, ue } = await signedIn();
    await openEditor();

    await ue.keyboard('{+}{+}{+}{+}'); // zoom 2: 400 × 400
    await ue.keyboard('{Shift>}{ArrowLeft}{ArrowLeft}{ArrowLeft}{ArrowLeft}{ArrowLeft}{ArrowUp}{ArrowUp}{ArrowUp}{/Shift}');
    expect(screen.getByTestId('avatar-crop')).toHaveAttribute('data-crop', '0,0,400,400');
    // Zooming back out past 1 stops at the whole shorter side, moved back inside the picture.
    await ue.keyboard('{-}{-}{-}{-}{-}{-}');
    await ue.click(screen.getByTestId('avatar-editor-save'));

    await screen.findByTestId('toast');
    expect(uploads(calls)[0]!.args.crop).toEqual({ x: 0, y: 0, width: 800, height: 800 });
  });

  it('moves the crop when the photo is dragged, and zooms with the wheel', async () => {
    const { calls, ue } = await signedIn();
    await openEditor();
    const crop = screen.getByTestId('avatar-crop');

    // The 800 px square fills the 280 px viewport: dragging the photo 70 px right shows 200
    // source pixels further left.
    await fireEvent.pointerDown(crop, { pointerId: 1, button: 0, clientX: 100, clientY: 100 });
    await fireEvent.pointerMove(crop, { pointerId: 1, clientX: 170, clientY: 100 });
    await fireEvent.pointerUp(crop, { pointerId: 1, clientX: 170, clientY: 100 });
    expect(crop).toHaveAttribute('data-crop', '0,0,800,800');
    await fireEvent.wheel(crop, { deltaY: -200 });
    const zoomed = crop.getAttribute('data-crop')!.split(',').map(Number);
    expect(zoomed[2]).toBeLessThan(800);
    await ue.click(screen.getByTestId('avatar-editor-save'));

    await screen.findByTestId('toast');
    const sent = uploads(calls)[0]!.args.crop as Record<string, number>;
    expect([sent.x, sent.y, sent.width, sent.height]).toEqual(zoomed);
  });

  it('switches to the Profile section when a photo is dropped elsewhere', async () => {
    const { ue } = await signedIn();
    await ue.click(screen.getByTestId('nav-tokens'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Tokens' })).toBeVisible();

    await drop({ kind: 'processing' });

    expect(await screen.findByRole('heading', { level: 1, name: 'Profile' })).toBeVisible();
    expect(screen.getByTestId('nav-profile')).toHaveAttribute('aria-current', 'page');
    expect(screen.getByTestId('avatar-editor')).toHaveTextContent('Reading the photo');
    expect(screen.getByTestId('avatar-editor-save')).toBeDisabled();
    await drop({ kind: 'ready', preview: preview() });
    await waitFor(() => expect(screen.getByTestId('avatar-editor-save')).toBeEnabled());
  });

  it('says why a dropped file cannot be used and keeps the current picture', async () => {
    const { calls } = await signedIn(makeUser({ has_image: true, image_url: OLD_IMAGE }));
    const error: CommandError = {
      code: 'other',
      message: 'notes.pdf isn’t a picture. Drop a PNG, JPEG, GIF or WebP photo.',
      field: null,
    };

    await drop({ kind: 'processing' });
    await drop({ kind: 'failed', error });

    expect(await screen.findByTestId('avatar-error')).toHaveTextContent(error.message);
    expect(screen.queryByTestId('avatar-editor')).not.toBeInTheDocument();
    expect(screen.getByTestId('profile-image')).toHaveAttribute('src', OLD_IMAGE);
    expect(actions(calls)).toEqual([]);
  });

  it('ignores drops while signed out', async () => {
    const calls = fakeBackend({ signedIn: null, handlers: { avatar_discard: () => null } });
    render(App);
    await screen.findByTestId('signin-identifier');

    await drop({ kind: 'enter', files: 1 });
    await drop({ kind: 'ready', preview: preview() });

    expect(screen.queryByTestId('drop-overlay')).not.toBeInTheDocument();
    expect(screen.queryByTestId('avatar-editor')).not.toBeInTheDocument();
    // The preview the Rust side made is let go.
    await waitFor(() => expect(actions(calls)).toEqual([{ cmd: 'avatar_discard', args: { previewId: 'prv_1' } }]));
  });
});

describe('uploading', () => {
  function pendingUpload() {
    const pending: { resolve: (u: User) => void; reject: (e: CommandError) => void } = {
      resolve: () => undefined,
      reject: () => undefined,
    };
    const handlers: Record<string, Handler> = {
      avatar_upload: () =>
        new Promise((resolve, reject) => {
          pending.resolve = resolve;
          pending.reject = reject;
        }),
      avatar_cancel_upload: () => {
        pending.reject({ code: 'upload_cancelled', message: 'The upload was cancelled.', field: null });
        return null;
      },
    };
    return { pending, handlers };
  }

  it('fills the progress bar as the bytes go out', async () => {
    const { pending, handlers } = pendingUpload();
    const { ue } = await signedIn(makeUser(), handlers);
    await openEditor();

    await ue.click(screen.getByTestId('avatar-editor-save'));
    const bar = await screen.findByTestId('avatar-upload-progress');
    expect(bar).not.toHaveAttribute('aria-valuenow');
    expect(screen.getByTestId('avatar-editor-save')).toBeDisabled();

    await progress({ preview_id: 'prv_1', sent: 25_000, total: 100_000 });
    await waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '25'));
    // Another preview's upload is not this one.
    await progress({ preview_id: 'prv_other', sent: 99_000, total: 100_000 });
    await tick();
    expect(bar).toHaveAttribute('aria-valuenow', '25');
    await progress({ preview_id: 'prv_1', sent: 75_000, total: 100_000 });
    await waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '75'));
    expect(screen.getByTestId('avatar-editor')).toHaveTextContent('75%');

    pending.resolve(makeUser({ has_image: true, image_url: NEW_IMAGE }));
    expect(await screen.findByTestId('toast')).toHaveTextContent('Profile picture updated');
    expect(screen.queryByTestId('avatar-editor')).not.toBeInTheDocument();
  });

  it('Cancel stops the upload and closes quietly, keeping the picture', async () => {
    const { handlers } = pendingUpload();
    const { calls, ue } = await signedIn(makeUser({ has_image: true, image_url: OLD_IMAGE }), handlers);
    await openEditor();

    await ue.click(screen.getByTestId('avatar-editor-save'));
    await screen.findByTestId('avatar-upload-progress');
    // Escape does not interrupt an upload: only Cancel does.
    await ue.keyboard('{Escape}');
    expect(screen.getByTestId('avatar-editor')).toBeVisible();
    await ue.click(screen.getByTestId('avatar-editor-cancel'));

    await waitFor(() => expect(screen.queryByTestId('avatar-editor')).not.toBeInTheDocument());
    await waitFor(() => expect(actions(calls).map((c) => c.cmd)).toEqual(['avatar_upload', 'avatar_cancel_upload', 'avatar_discard']));
    expect(screen.queryByTestId('avatar-error')).not.toBeInTheDocument();
    expect(screen.queryByTestId('toast')).not.toBeInTheDocument();
    expect(screen.getByTestId('profile-image')).toHaveAttribute('src', OLD_IMAGE);
  });

  it('shows a failed upload in the editor, which stays open to try again', async () => {
    let fail = true;
    const { calls, ue } = await signedIn(makeUser(), {
      avatar_upload: () => {
        if (fail) throw { code: 'network', message: 'The server did not answer.', field: null };
        return makeUser({ has_image: true, image_url: NEW_IMAGE });
      },
    });
    await openEditor();

    await ue.click(screen.getByTestId('avatar-editor-save'));

    const error = await within(screen.getByTestId('avatar-editor')).findByTestId('avatar-error');
    expect(error).toHaveTextContent('The server did not answer.');
    expect(screen.getAllByTestId('avatar-error')).toHaveLength(1);
    fail = false;
    await ue.click(screen.getByTestId('avatar-editor-save'));
    expect(await screen.findByTestId('toast')).toHaveTextContent('Profile picture updated');
    expect(uploads(calls)).toHaveLength(2);
  });

  it('Escape closes the editor without saving and lets the photo go', async () => {
    const { calls, ue } = await signedIn(makeUser({ has_image: true, image_url: OLD_IMAGE }));
    await openEditor();

    await ue.keyboard('{Escape}');

    expect(screen.queryByTestId('avatar-editor')).not.toBeInTheDocument();
    expect(actions(calls)).toEqual([{ cmd: 'avatar_discard', args: { previewId: 'prv_1' } }]);
    expect(screen.getByTestId('profile-image')).toHaveAttribute('src', OLD_IMAGE);
  });
});

describe('the picture card', () => {
  it('Upload photo opens the picked photo in the editor', async () => {
    const { calls, ue } = await signedIn(makeUser(), { avatar_pick_file: () => preview({ id: 'prv_picked' }) });

    await ue.click(screen.getByTestId('profile-image-upload'));
    await screen.findByTestId('avatar-editor');
    await ue.click(screen.getByTestId('avatar-editor-save'));

    await screen.findByTestId('toast');
    expect(actions(calls).map((c) => c.cmd)).toEqual(['avatar_pick_file', 'avatar_upload']);
    expect(uploads(calls)[0]!.args.previewId).toBe('prv_picked');
  });

  it('does nothing when the file picker is cancelled, and says why a picked file is refused', async () => {
    let answer: () => unknown = () => null;
    const { ue } = await signedIn(makeUser({ has_image: true, image_url: OLD_IMAGE }), { avatar_pick_file: () => answer() });

    await ue.click(screen.getByTestId('profile-image-upload'));
    await waitFor(() => expect(screen.getByTestId('profile-image-upload')).toBeEnabled());
    expect(screen.queryByTestId('avatar-editor')).not.toBeInTheDocument();
    expect(screen.queryByTestId('avatar-error')).not.toBeInTheDocument();

    answer = () => {
      throw { code: 'avatar_damaged', message: 'holiday.jpg is damaged and can’t be read.', field: null };
    };
    await ue.click(screen.getByTestId('profile-image-upload'));

    expect(await screen.findByTestId('avatar-error')).toHaveTextContent('holiday.jpg is damaged and can’t be read.');
    expect(screen.getByTestId('profile-image')).toHaveAttribute('src', OLD_IMAGE);
  });

  it('shows the initials and no Remove when there is no picture', async () => {
    await signedIn(makeUser({ has_image: false }));

    expect(screen.queryByTestId('profile-image')).not.toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'Default avatar of Grace Hopper' })).toHaveTextContent('GH');
    expect(screen.queryByTestId('profile-image-remove')).not.toBeInTheDocument();
    expect(screen.getByText('or drop a photo on the window, or paste one')).toBeVisible();
  });

  it('Remove asks first, then goes back to the default avatar', async () => {
    const { calls, ue } = await signedIn(makeUser({ has_image: true, image_url: OLD_IMAGE }), {
      avatar_remove: () => makeUser({ has_image: false }),
    });

    await ue.click(screen.getByTestId('profile-image-remove'));
    expect(await screen.findByTestId('confirm-dialog')).toHaveTextContent('Remove your profile picture?');
    await ue.click(screen.getByTestId('confirm-cancel'));
    expect(actions(calls)).toEqual([]);
    expect(screen.getByTestId('profile-image')).toBeInTheDocument();

    await ue.click(screen.getByTestId('profile-image-remove'));
    await ue.click(await screen.findByTestId('confirm-accept'));

    expect(await screen.findByTestId('toast')).toHaveTextContent('Profile picture removed');
    expect(actions(calls)).toEqual([{ cmd: 'avatar_remove', args: {} }]);
    expect(screen.queryByTestId('profile-image')).not.toBeInTheDocument();
    expect(screen.queryByTestId('profile-image-remove')).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('profile-image-upload')).toHaveFocus());
  });

  it('keeps the picture and says why when removing fails', async () => {
    const { ue } = await signedIn(makeUser({ has_image: true, image_url: OLD_IMAGE }), {
      avatar_remove: () => {
        throw { code: 'network', message: 'The server did not answer.', field: null };
      },
    });

    await ue.click(screen.getByTestId('profile-image-remove'));
    await ue.click(await screen.findByTestId('confirm-accept'));

    expect(await screen.findByTestId('avatar-error')).toHaveTextContent('The server did not answer.');
    expect(screen.getByTestId('profile-image')).toHaveAttribute('src', OLD_IMAGE);
  });
});

describe('pasting a photo', () => {
  // What the page sees of a paste in WebKitGTK: an event without the image's data.
  const paste = (target: Element) => fireEvent.paste(target, { clipboardData: { files: [], items: [], types: [], getData: () => '' } });

  it('has the Rust side read the clipboard and opens the picture in the editor', async () => {
    const pasted = preview({ id: 'prv_pasted', format: 'Pasted', byte_length: null });
    const { calls } = await signedIn(makeUser(), { avatar_from_clipboard: () => pasted });

    await paste(screen.getByRole('heading', { level: 1, name: 'Profile' }));

    const editor = await screen.findByTestId('avatar-editor');
    await waitFor(() => expect(within(editor).getByTestId('avatar-crop')).toHaveAttribute('data-crop', '200,0,800,800'));
    // Pixels, not a file: no file size to show.
    expect(editor).toHaveTextContent('1200 × 800 px · Pasted');
    expect(editor).not.toHaveTextContent('MB');
    expect(actions(calls)).toEqual([{ cmd: 'avatar_from_clipboard', args: {} }]);
  });

  it('leaves a paste into a text field alone', async () => {
    const { calls } = await signedIn(makeUser(), { avatar_from_clipboard: () => preview() });

    await paste(screen.getByTestId('profile-first-name'));

    expect(screen.queryByTestId('avatar-editor')).not.toBeInTheDocument();
    expect(actions(calls)).toEqual([]);
  });

  it('says so when the clipboard holds no picture, and keeps the current one', async () => {
    await signedIn(makeUser({ has_image: true, image_url: OLD_IMAGE }), {
      avatar_from_clipboard: () => {
        throw { code: 'avatar_clipboard_empty', message: 'There is no picture on the clipboard.', field: null };
      },
    });

    await paste(document.body);

    expect(await screen.findByTestId('avatar-error')).toHaveTextContent('There is no picture on the clipboard.');
    expect(screen.queryByTestId('avatar-editor')).not.toBeInTheDocument();
    expect(screen.getByTestId('profile-image')).toHaveAttribute('src', OLD_IMAGE);
  });
});
