//! The profile picture from each way in (a drop on the window, the open dialog, a paste) to the
//! uploaded avatar, with progress, cancel and removal, against the real embedded server.

mod common;

use std::path::PathBuf;

use common::App;
use userdesk_app::{AvatarCrop, AvatarDropEvent, ClipboardImage, DragDrop, Event};

/// A 3 × 2 red PNG.
const PNG: &[u8; 73] = include_bytes!("fixtures/red-3x2.png");

fn drop_event(event: Event) -> AvatarDropEvent {
    match event {
        Event::AvatarDrop(drop) => drop,
        other => panic!("expected a drop event, got {other:?}"),
    }
}

fn photo(app: &App, name: &str, bytes: &[u8]) -> PathBuf {
    let path = app.data.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[tokio::test]
async fn a_dropped_photo_is_previewed_uploaded_with_progress_and_removed() {
    let (app, user) = App::signed_in().await;
    assert!(!user.has_image);
    let controller = &app.controller;
    let path = photo(&app, "photo.png", PNG);

    controller.on_drag_drop(DragDrop::Enter { files: 1 });
    controller.on_drag_drop(DragDrop::Drop { paths: vec![path] });
    assert_eq!(drop_event(app.next_event().await), AvatarDropEvent::Enter { files: 1 });
    assert_eq!(drop_event(app.next_event().await), AvatarDropEvent::Processing);
    let AvatarDropEvent::Ready { preview } = drop_event(app.next_event().await) else {
        panic!("the photo should be ready for the crop editor");
    };
    assert_eq!((preview.width, preview.height, preview.format.as_str()), (3, 2, "PNG"));

    let crop = AvatarCrop { x: 1, y: 0, width: 2, height: 2 };
    let user = controller.avatar_upload(&preview.id, crop).await.unwrap();
    assert!(user.has_image, "the reloaded user shows the new picture");
    let progress: Vec<_> = app
        .shell
        .take_events()
        .into_iter()
        .map(|event| match event {
            Event::AvatarUploadProgress(progress) => progress,
            other => panic!("expected upload progress, got {other:?}"),
        })
        .collect();
    let last = progress.last().expect("progress was reported");
    assert_eq!(
        (last.preview_id.as_str(), last.sent),
        (preview.id.as_str(), last.total),
        "ends at the whole body"
    );
    let again = controller.avatar_upload(&preview.id, crop).await.unwrap_err();
    assert_eq!(again.reason, "avatar_not_found", "forgotten once uploaded");

    assert!(!controller.avatar_remove().await.unwrap().has_image, "back to the default avatar");
    assert!(!controller.avatar_remove().await.unwrap().has_image, "removing twice is not an error");
    app.stop().await;
}

#[tokio::test]
async fn a_damaged_file_or_two_files_dropped_are_refused_and_the_picture_kept() {
    let (app, _) = App::signed_in().await;
    let controller = &app.controller;
    let damaged = photo(&app, "damaged.png", &PNG[..50]);
    controller.on_drag_drop(DragDrop::Drop { paths: vec![damaged.clone(), damaged.clone()] });
    let AvatarDropEvent::Failed { error } = drop_event(app.next_event().await) else { panic!("two files") };
    assert_eq!(error.reason, "avatar_too_many_files");

    controller.on_drag_drop(DragDrop::Drop { paths: vec![damaged] });
    assert_eq!(drop_event(app.next_event().await), AvatarDropEvent::Processing);
    let AvatarDropEvent::Failed { error } = drop_event(app.next_event().await) else { panic!("damaged") };
    assert_eq!(error.reason, "avatar_damaged");
    assert_eq!(error.message, "This picture is damaged and cannot be read.");
    assert!(!controller.current_user().await.unwrap().unwrap().has_image, "nothing was uploaded");
    app.stop().await;
}

#[tokio::test]
async fn the_open_dialog_and_a_paste_give_pictures_for_the_crop_editor() {
    let (app, _) = App::signed_in().await;
    let controller = &app.controller;
    assert_eq!(controller.avatar_pick_file().await.unwrap(), None, "cancelled: nothing opens");
    app.shell.desktop().picture_to_pick = Some(photo(&app, "picked.png", PNG));
    let picked = controller.avatar_pick_file().await.unwrap().expect("the picked picture");
    assert_eq!((picked.width, picked.height), (3, 2));

    let empty = controller.avatar_from_clipboard().await.unwrap_err();
    assert_eq!(empty.reason, "avatar_clipboard_empty");
    let rgba = [[0, 120, 255, 255]; 4 * 4].into_iter().flatten().collect();
    app.shell.desktop().clipboard = Some(ClipboardImage { width: 4, height: 4, rgba });
    let pasted = controller.avatar_from_clipboard().await.unwrap();
    assert_eq!((pasted.width, pasted.height, pasted.format.as_str()), (4, 4, "Pasted"));
    let user =
        controller.avatar_upload(&pasted.id, AvatarCrop { x: 0, y: 0, width: 4, height: 4 }).await.unwrap();
    assert!(user.has_image, "a pasted picture uploads like a file");

    controller.avatar_discard(&picked.id);
    let gone = controller.avatar_upload(&picked.id, AvatarCrop { x: 0, y: 0, width: 2, height: 2 }).await;
    assert_eq!(gone.unwrap_err().reason, "avatar_not_found");
    app.stop().await;
}
