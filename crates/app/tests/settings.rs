//! Settings: a new instance is reached before anything is saved, so a mistyped one changes
//! nothing; backup codes are saved where the person chose.

mod common;

use common::App;
use userdesk_app::{ErrorCode, InstanceKind, InstanceSetting, Settings, Theme};

#[tokio::test]
async fn an_instance_that_does_not_answer_leaves_the_app_as_it_was() {
    let (app, user) = App::signed_in().await;
    let controller = &app.controller;
    let before = controller.app_info().await.unwrap();
    assert_eq!(before.instance.kind, InstanceKind::Embedded);
    assert!(before.dev_outbox && before.demo_account.is_some());

    // Nothing listens on the discard port.
    let unreachable = Settings {
        instance: InstanceSetting::FapiUrl { url: "http://127.0.0.1:9".into() },
        theme: Theme::Dark,
        ..Settings::default()
    };
    let refused = controller.save_settings(unreachable).await.unwrap_err();
    assert_eq!((refused.code, refused.field.as_deref()), (ErrorCode::Network, Some("url")));
    assert!(refused.message.contains("No Clerk-compatible instance answered"), "{}", refused.message);
    let bad_key = Settings {
        instance: InstanceSetting::PublishableKey { key: "pk_nonsense".into() },
        ..Settings::default()
    };
    assert_eq!(controller.save_settings(bad_key).await.unwrap_err().field.as_deref(), Some("key"));
    // The token and every code would cross the network in the clear.
    let plain = Settings {
        instance: InstanceSetting::FapiUrl { url: "http://accounts.example.com".into() },
        ..Settings::default()
    };
    let refused = controller.save_settings(plain).await.unwrap_err();
    assert_eq!((refused.reason.as_str(), refused.field.as_deref()), ("invalid_settings", Some("url")));
    assert!(refused.message.contains("https://"), "{}", refused.message);
    assert!(app.shell.desktop().saved_settings.is_empty(), "nothing saved");
    assert_eq!(controller.settings().await.unwrap(), Settings::default());
    assert_eq!(controller.current_user().await.unwrap(), Some(user), "still connected and signed in");

    let dark = Settings { theme: Theme::Dark, ..Settings::default() };
    let info = controller.save_settings(dark.clone()).await.unwrap();
    assert_eq!(info.instance, before.instance, "the same server: not restarted");
    assert_eq!(app.shell.desktop().saved_settings, std::slice::from_ref(&dark));
    assert_eq!(controller.settings().await.unwrap(), dark);
    app.stop().await;
}

#[tokio::test]
async fn backup_codes_are_saved_where_the_person_chose_readable_by_them_only() {
    let (app, _) = App::signed_in().await;
    let codes = vec!["abcd-1234".to_owned(), "efgh-5678".to_owned()];
    assert!(!app.controller.save_backup_codes(&codes).await.unwrap(), "cancelled");
    let path = app.data.path().join("codes.txt");
    app.shell.desktop().save_path = Some(path.clone());
    assert!(app.controller.save_backup_codes(&codes).await.unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("abcd-1234\nefgh-5678\n"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    app.stop().await;
}
