//! What the app remembers of the signed-in account, and what it does with it: the read-only view
//! when the instance cannot be reached, the security log, and the data export. Every reading of
//! the user or its devices from the instance goes through [`Controller::remember_user`] or
//! [`Controller::remember_devices`], which keep it (sealed, [`crate::account_store`]) and log what
//! changed since the last reading.

use serde::Serialize;
use serde_json::json;
use ts_rs::TS;
use userdesk_fapi::models::User;

use crate::account::Devices;
use crate::account_store::{self, now_ms, AccountId, AccountRecord};
use crate::accounts::AccountRef;
use crate::controller::Controller;
use crate::error::{CommandError, CommandResult};
use crate::security_log::{self, SecurityEvent, SecurityEventKind};
use crate::shell::Shell;

/// The account as the app last knew it, shown read-only while the instance cannot be reached.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OfflineView {
    /// When the user was last read from the instance (Unix ms).
    pub saved_at: i64,
    pub user: User,
    /// The devices when they were last listed, if they were.
    pub devices: Option<Devices>,
}

impl<S: Shell> Controller<S> {
    /// What the app kept of the shown account, when this device is still signed in to it; for
    /// the UI to open on when the instance does not answer.
    pub async fn offline_view(&self) -> CommandResult<Option<OfflineView>> {
        let account = self.account().await?;
        if !account.client.has_token() {
            return Ok(None);
        }
        let Some(id) = account.store_id() else { return Ok(None) };
        let record = account_store::load(&*self.shell, &self.data_dir, &id);
        Ok(record.map(|record| OfflineView {
            saved_at: record.saved_at,
            user: record.user,
            devices: record.devices,
        }))
    }

    /// Keeps `user` as who `account` is, and logs (and announces) what changed.
    pub(crate) async fn remember_user(&self, account: &AccountRef, user: &User) {
        self.keep_user(account, user, true).await;
    }

    /// The same for a user a round trip in front of the person returned: what changed is logged
    /// but not notified (the window shows it, a denied consent say, as it happens).
    pub(crate) async fn remember_user_seen(&self, account: &AccountRef, user: &User) {
        self.keep_user(account, user, false).await;
    }

    async fn keep_user(&self, account: &AccountRef, user: &User, notify: bool) {
        if !self.note_person(account, user).await {
            return;
        }
        let client = &account.client;
        let id = AccountId { instance: account.instance_key.clone(), user_id: user.id.clone() };
        let _writing = self.watch.files.lock().await;
        let now = now_ms();
        let record = match account_store::load(&*self.shell, &self.data_dir, &id) {
            Some(mut record) => {
                let mut events = security_log::user_changes(&record.user, user, now);
                if record.session_id != client.session_id() {
                    // Signed in again on this device: its devices list was of the old session.
                    record.devices = None;
                    record.session_id = client.session_id();
                }
                let failed = security_log::failed_connections(user);
                for account in &failed {
                    if !record.failed_connections.contains(&account.id) {
                        events.push(SecurityEvent {
                            at: now,
                            kind: SecurityEventKind::ConnectedAccountFailed,
                            detail: security_log::connection_name(account),
                        });
                    }
                }
                record.failed_connections = failed.into_iter().map(|a| a.id.clone()).collect();
                record.user = user.clone();
                record.saved_at = now;
                if notify {
                    self.announce(account, &events);
                }
                security_log::append(&mut record.log, events);
                record
            }
            // The first reading (or the file was damaged): what is there now is the baseline.
            None => AccountRecord {
                saved_at: now,
                user: user.clone(),
                session_id: client.session_id(),
                devices: None,
                devices_saved_at: None,
                seen_sessions: Vec::new(),
                failed_connections: security_log::failed_connections(user)
                    .into_iter()
                    .map(|a| a.id.clone())
                    .collect(),
                log: Vec::new(),
            },
        };
        if let Err(error) = account_store::save(&*self.shell, &self.data_dir, &id, &record) {
            tracing::warn!("the account's data was not kept: {error}");
        }
    }

    /// Keeps the devices of `account`, and logs (and announces) the devices that signed in or out
    /// since the last listing. This device's own session is never news.
    pub(crate) async fn remember_devices(&self, account: &AccountRef, devices: &Devices) {
        let Some(id) = account.store_id() else { return };
        let _writing = self.watch.files.lock().await;
        let Some(mut record) = account_store::load(&*self.shell, &self.data_dir, &id) else { return };
        // Listed under another session than the one the user was read with: not this account's.
        if record.session_id.is_none() || record.session_id != devices.current_session_id {
            return;
        }
        let now = now_ms();
        let first_listing = record.seen_sessions.is_empty();
        let mut events = Vec::new();
        for session in &devices.sessions {
            if record.seen_sessions.contains(&session.id) {
                continue;
            }
            record.seen_sessions.push(session.id.clone());
            if !first_listing && Some(&session.id) != devices.current_session_id.as_ref() {
                events.push(SecurityEvent {
                    at: now,
                    kind: SecurityEventKind::SignInSeen,
                    detail: security_log::describe_session(session),
                });
            }
        }
        if let Some(before) = &record.devices {
            for session in &before.sessions {
                if !devices.sessions.iter().any(|s| s.id == session.id) {
                    events.push(SecurityEvent {
                        at: now,
                        kind: SecurityEventKind::DeviceSignedOut,
                        detail: security_log::describe_session(session),
                    });
                }
            }
        }
        // Sessions no longer listed cannot come back: forget them, so the list stays small.
        record.seen_sessions.retain(|id| devices.sessions.iter().any(|s| &s.id == id));
        let mut kept = devices.clone();
        // The session tokens are not kept: nothing offline needs them.
        for session in &mut kept.sessions {
            session.last_active_token = None;
        }
        record.devices = Some(kept);
        record.devices_saved_at = Some(now);
        self.announce(account, &events);
        security_log::append(&mut record.log, events);
        if let Err(error) = account_store::save(&*self.shell, &self.data_dir, &id, &record) {
            tracing::warn!("the account's devices were not kept: {error}");
        }
    }

    /// The security log of the account shown, newest first.
    pub async fn security_log(&self) -> CommandResult<Vec<SecurityEvent>> {
        let Some(id) = self.account().await?.store_id() else { return Ok(Vec::new()) };
        Ok(account_store::load(&*self.shell, &self.data_dir, &id).map(|r| r.log).unwrap_or_default())
    }

    /// Everything the account shows, as JSON: read from the instance, or what the app last knew
    /// when it cannot be reached (the file says which).
    pub async fn account_export(&self) -> CommandResult<serde_json::Value> {
        let account = self.account().await?;
        let (client, instance) = (account.client.clone(), account.instance_key.clone());
        let live = async {
            let user = client.me().await?;
            let sessions = client.get_sessions().await?;
            Ok::<_, userdesk_fapi::Error>((user, sessions))
        };
        let (user, sessions, read_at, live) = match live.await {
            Ok((user, sessions)) => {
                self.remember_user(&account, &user).await;
                let account = self.account_of(Some(&account.id)).await?;
                self.remember_devices(
                    &account,
                    &Devices { current_session_id: client.session_id(), sessions: sessions.clone() },
                )
                .await;
                (user, sessions, now_ms(), true)
            }
            Err(error) if matches!(error.code(), "network" | "timeout") => {
                let view = self.offline_view().await?.ok_or_else(|| CommandError::from(error))?;
                let sessions = view.devices.map(|d| d.sessions).unwrap_or_default();
                (view.user, sessions, view.saved_at, false)
            }
            Err(error) => return Err(error.into()),
        };
        let mut sessions = sessions;
        for session in &mut sessions {
            session.last_active_token = None;
        }
        let log = self.security_log().await?;
        let instance_url = self.app_info().await.map(|info| info.instance.fapi_url).unwrap_or(instance);
        Ok(json!({
            "exported_by": crate::connection::user_agent(),
            "instance": instance_url,
            "read_at": read_at,
            "read_from_instance": live,
            "profile": {
                "id": user.id,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "username": user.username,
                "image_url": user.image_url,
                "created_at": user.created_at,
                "last_sign_in_at": user.last_sign_in_at,
                "password_enabled": user.password_enabled,
                "two_factor_enabled": user.two_factor_enabled,
            },
            "email_addresses": user.email_addresses,
            "phone_numbers": user.phone_numbers,
            "connected_accounts": user.external_accounts,
            "passkeys": user.passkeys,
            "sessions": sessions,
            "public_metadata": user.public_metadata,
            "unsafe_metadata": user.unsafe_metadata,
            "security_log": log,
        }))
    }

    /// Asks where to save the export (the system's dialog) and writes it there, readable by this
    /// user only. Returns `false` when the person cancelled.
    pub async fn export_account_data(&self) -> CommandResult<bool> {
        let export = self.account_export().await?;
        let Some(path) = self.shell.choose_save_path("userdesk-account-data.json").await? else {
            return Ok(false);
        };
        let text =
            serde_json::to_vec_pretty(&export).map_err(|e| CommandError::new("internal", e.to_string()))?;
        userdesk_fapi::private_file::write(&path, &text).map_err(|e| {
            CommandError::new("file_not_saved", format!("Could not save {}: {e}", path.display()))
        })?;
        Ok(true)
    }
}
