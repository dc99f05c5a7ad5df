//! Watching over the account while the app runs: a gentle background check of the user and its
//! devices (and one when the window gains focus), which keeps what it reads and logs what changed
//! ([`crate::offline`]); a new device, a connected account whose verification failed, and a token
//! the person asked for running out become OS notifications that lead to the right section.

use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use serde::Serialize;
use ts_rs::TS;
use userdesk_fapi::TokenService;

use crate::account::Devices;
use crate::account_store::now_ms;
use crate::accounts::AccountRef;
use crate::controller::Controller;
use crate::error::CommandResult;
use crate::events::{AccountsChanged, Event};
use crate::security_log::{SecurityEvent, SecurityEventKind};
use crate::shell::Shell;

/// How often the background check runs.
pub const WATCH_INTERVAL: Duration = Duration::from_secs(5 * 60);
/// A window gaining focus checks at most this often.
const FOCUS_THROTTLE: Duration = Duration::from_secs(30);

/// The section a notification leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NoticeSection {
    Devices,
    Connected,
    Tokens,
}

/// An OS notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
    pub section: NoticeSection,
    /// The account it concerns (its id in the app): opening the notification shows it.
    pub account_id: String,
}

/// The watcher's state, in the controller.
#[derive(Default)]
pub(crate) struct Watch {
    /// One read-modify-write of an account's file at a time.
    pub(crate) files: tokio::sync::Mutex<()>,
    /// Where the latest notification leads (the account, the section), until the UI takes it.
    pending_section: Mutex<Option<(String, NoticeSection)>>,
    last_focus_check: Mutex<Option<Instant>>,
    /// A session that ended elsewhere, found while reading the user: the UI says so once.
    session_ended: Mutex<bool>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A poisoned lock only means a thread panicked while holding a plain value.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<S: Shell> Controller<S> {
    /// Starts the background check, every `every`, for as long as the controller lives.
    pub fn start_watching(self: &Arc<Self>, every: Duration) {
        let controller: Weak<Self> = Arc::downgrade(self);
        self.runtime.spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await; // the first tick is now: the UI reads the user at start anyway
            loop {
                ticks.tick().await;
                let Some(controller) = controller.upgrade() else { return };
                controller.check_every_account().await;
            }
        });
    }

    /// The window gained focus: checks the account, at most every 30 s.
    pub fn on_window_focused(self: &Arc<Self>) {
        {
            let mut last = lock(&self.watch.last_focus_check);
            if last.is_some_and(|at| at.elapsed() < FOCUS_THROTTLE) {
                return;
            }
            *last = Some(Instant::now());
        }
        let controller = self.clone();
        self.runtime.spawn(async move { controller.check_every_account().await });
    }

    /// Checks the shown account (the UI asks after a sign-in).
    pub async fn check_account(&self) -> CommandResult<()> {
        let account = self.account().await?;
        self.check(&account).await
    }

    /// Checks every account the app holds, one after the other.
    pub async fn check_every_account(&self) {
        let all = match self.accounts.read().await.as_ref() {
            Ok(accounts) => accounts.all(),
            Err(_) => return,
        };
        for account in all {
            if let Err(error) = self.check(&account).await {
                tracing::debug!("the background check did not reach an instance: {}", error.message);
            }
        }
    }

    /// Reads the user and the devices of `account`, keeping them and noting (and announcing) what
    /// changed. Nothing to do when it is signed out.
    async fn check(&self, account: &AccountRef) -> CommandResult<()> {
        if !account.client.has_token() {
            return Ok(());
        }
        let user = match account.client.me().await {
            Ok(user) => user,
            Err(error) if error.is_signed_out() => {
                self.note_session_ended(account).await;
                return Ok(());
            }
            Err(error) => return Err(error.into()),
        };
        self.remember_user(account, &user).await;
        // Its user is known now (a first reading names it).
        let Ok(account) = self.account_of(Some(&account.id)).await else { return Ok(()) };
        let sessions = account.client.get_sessions().await?;
        let devices = Devices { current_session_id: account.client.session_id(), sessions };
        self.remember_devices(&account, &devices).await;
        Ok(())
    }

    /// `account`'s session ended elsewhere: it is marked signed out and what the app kept of it
    /// forgotten; when it is the one shown, the UI says so once.
    pub(crate) async fn note_session_ended(&self, account: &AccountRef) {
        let Ok(now) = self.account_of(Some(&account.id)).await else { return };
        if now.user_id.is_none() {
            return;
        }
        self.note_signed_out(&account.id).await;
        if self.account().await.is_ok_and(|shown| shown.id == account.id) {
            *lock(&self.watch.session_ended) = true;
        } else {
            self.shell.emit(Event::AccountsChanged(AccountsChanged { message: None }));
        }
    }

    /// `true` once after the session of the account this device showed ended elsewhere (revoked,
    /// expired), as opposed to the person signing out here.
    pub fn take_session_ended(&self) -> bool {
        std::mem::take(&mut *lock(&self.watch.session_ended))
    }

    /// Where the latest notification leads, once: the UI opens it when the window is shown. The
    /// account it concerns is shown first (the UI hears `accounts-changed` when that switched).
    pub async fn take_notice_section(&self) -> Option<NoticeSection> {
        let (account_id, section) = lock(&self.watch.pending_section).take()?;
        if self.account().await.is_ok_and(|shown| shown.id != account_id) {
            let _ = self.show_account(&account_id).await;
        }
        Some(section)
    }

    /// Sends a notification for each event of `account` the person should hear of at once.
    pub(crate) fn announce(&self, account: &AccountRef, events: &[SecurityEvent]) {
        for event in events {
            let notice = match event.kind {
                SecurityEventKind::SignInSeen => Notice {
                    title: "New sign-in to your account".into(),
                    body: format!("{}. Not you? Sign it out in Devices.", event.detail),
                    section: NoticeSection::Devices,
                    account_id: account.id.clone(),
                },
                SecurityEventKind::ConnectedAccountFailed => Notice {
                    title: "A connected account needs attention".into(),
                    body: format!(
                        "{}: its verification failed. Reconnect it in Connected accounts.",
                        event.detail
                    ),
                    section: NoticeSection::Connected,
                    account_id: account.id.clone(),
                },
                _ => continue,
            };
            self.notify(notice);
        }
    }

    fn notify(&self, notice: Notice) {
        *lock(&self.watch.pending_section) = Some((notice.account_id.clone(), notice.section));
        self.shell.notify(&notice);
    }

    /// A token the person asked for: says so when it expires (if the app still runs then).
    pub(crate) fn watch_token(self: &Arc<Self>, account_id: String, service: TokenService, expires_at: i64) {
        let wait = Duration::from_millis(u64::try_from(expires_at.saturating_sub(now_ms())).unwrap_or(0));
        let controller = Arc::downgrade(self);
        self.runtime.spawn(async move {
            tokio::time::sleep(wait).await;
            let Some(controller) = controller.upgrade() else { return };
            controller.notify(Notice {
                title: "A token you asked for has expired".into(),
                body: format!("Your {} token is no longer valid. Get a new one in Tokens.", service.as_str()),
                section: NoticeSection::Tokens,
                account_id,
            });
        });
    }
}
