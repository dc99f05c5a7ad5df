//! The accounts the app holds, one of them shown. Each account has its own session and its own
//! pending browser round trips. On a single-session instance (Clerk's default) each account is a
//! client of its own, with its own token in the keychain; on a multi-session instance the accounts
//! added there share one client, as Clerk's SDKs do: one token, a session per person, each account
//! naming its own (`_clerk_session_id`) and switching making it the client's active one (`touch`).
//! So several accounts of one instance and accounts of several instances sit side by side, and
//! switching needs no sign-in.
//!
//! The list is kept in `<data dir>/accounts.json`: for each account its id here, its instance
//! setting, the keychain entry of its token and the user's id — nothing a person could be named
//! by. Who each account is (name, address, picture) comes from what the app keeps of it, sealed
//! (`account_store`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use userdesk_fapi::models::User;
use userdesk_fapi::native_flow::{FlowRegistry, DEFAULT_FLOW_LIFETIME};
use userdesk_fapi::Client;

use crate::account_store::{self, now_ms, AccountId};
use crate::connection::{self, Connection, InstanceKind, TokenStorage};
use crate::controller::Controller;
use crate::error::{CommandError, CommandResult};
use crate::events::{AccountsChanged, Event};
use crate::settings::InstanceSetting;
use crate::shell::Shell;

/// One account in the switcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AccountSummary {
    /// The account's id in this app (not the user's id on the instance).
    pub id: String,
    pub instance_kind: InstanceKind,
    /// "Embedded account server", or the instance's host.
    pub instance_label: String,
    /// Who is signed in; `None` while the account is being added, or once it was signed out.
    pub person: Option<AccountPerson>,
    /// The one the window shows.
    pub active: bool,
    /// Its session ended elsewhere (revoked, expired): it needs signing in again.
    pub signed_out: bool,
}

/// Who an account is, as the switcher and the tray show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AccountPerson {
    /// "Ada Lovelace", else the primary address, else the username.
    pub name: String,
    pub email: Option<String>,
    /// The profile picture; `None` for the default avatar.
    pub image_url: Option<String>,
}

impl AccountPerson {
    pub(crate) fn of(user: &User) -> Self {
        let name = [user.first_name.as_deref(), user.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let email = user.primary_email_address().map(|email| email.email_address.clone());
        let name = if !name.is_empty() {
            name
        } else {
            email.clone().or_else(|| user.username.clone()).unwrap_or_else(|| user.id.clone())
        };
        Self { name, email, image_url: user.has_image.then(|| user.image_url.clone()) }
    }
}

/// An account as `accounts.json` keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SavedAccount {
    id: String,
    instance: InstanceSetting,
    token_entry: String,
    user_id: Option<String>,
    last_used_at: i64,
    /// Its session ended elsewhere; signing in again clears it.
    #[serde(default)]
    signed_out: bool,
    /// Its session, where the account shares its client (`token_entry`) with others of a
    /// multi-session instance; `None` for a client of its own, which follows its one session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct SavedAccounts {
    active: String,
    accounts: Vec<SavedAccount>,
}

/// One account, as the controller holds it.
pub(crate) struct Slot {
    saved: SavedAccount,
    instance_key: String,
    person: Option<AccountPerson>,
    /// `None` until its instance is open (or when it could not be).
    client: Option<(Arc<Client>, TokenStorage)>,
    flows: Arc<FlowRegistry>,
}

impl Slot {
    /// Being added: not signed in yet (its client has no session), and never was.
    fn being_added(&self) -> bool {
        let signed_in = self.client.as_ref().is_some_and(|(client, _)| client.session_id().is_some());
        self.saved.user_id.is_none() && !self.saved.signed_out && !signed_in
    }
}

/// Everything the commands of one account need, taken out of the lock.
#[derive(Clone)]
pub(crate) struct AccountRef {
    pub id: String,
    pub instance_key: String,
    pub user_id: Option<String>,
    pub client: Arc<Client>,
    pub flows: Arc<FlowRegistry>,
}

impl AccountRef {
    /// Where what the app keeps of this account is filed; `None` before its user is known.
    pub(crate) fn store_id(&self) -> Option<AccountId> {
        Some(AccountId { instance: self.instance_key.clone(), user_id: self.user_id.clone()? })
    }
}

/// The app's accounts and the instances they are on.
pub(crate) struct Accounts {
    connections: HashMap<String, Connection>,
    slots: Vec<Slot>,
    active: String,
    data_dir: PathBuf,
    scheme: String,
    user_agent: String,
}

impl Accounts {
    /// The accounts kept in `data_dir`; a first start (or an app from before the switcher) gets
    /// one account on the instance of `setting`, which keeps the token entry it had. `Err` when
    /// there is no account and `setting` names no instance (a mistyped key).
    pub(crate) fn load(
        setting: &InstanceSetting,
        data_dir: &Path,
        scheme: &str,
        user_agent: &str,
    ) -> CommandResult<Self> {
        let saved = std::fs::read(data_dir.join(ACCOUNTS_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<SavedAccounts>(&bytes).ok())
            .filter(|saved| saved.accounts.iter().any(|a| a.id == saved.active));
        let mut accounts = Self {
            connections: HashMap::new(),
            slots: Vec::new(),
            active: String::new(),
            data_dir: data_dir.to_owned(),
            scheme: scheme.to_owned(),
            user_agent: user_agent.to_owned(),
        };
        if let Some(saved) = saved {
            for account in saved.accounts {
                // An instance setting that no longer parses (edited by hand) is dropped.
                if let Ok(instance_key) = connection::instance_key(&account.instance) {
                    accounts.push(account, instance_key);
                }
            }
            accounts.active = saved.active;
            if accounts.slot(&accounts.active).is_none() {
                accounts.active = accounts.slots.first().map(|s| s.saved.id.clone()).unwrap_or_default();
            }
        }
        if accounts.slots.is_empty() {
            // A first start, or before the switcher: one token per instance, and a pointer to the
            // user shown.
            let instance_key = connection::instance_key(setting)?;
            let user_id = account_store::legacy_last_account(data_dir, &instance_key);
            let id = accounts.add(setting.clone(), instance_key, user_id, None);
            let _ = std::fs::rename(data_dir.join("pending-flows.json"), flows_file(data_dir, &id));
            accounts.active = id;
            accounts.save();
        }
        Ok(accounts)
    }

    fn push(&mut self, saved: SavedAccount, instance_key: String) {
        let flows = FlowRegistry::persistent(
            self.scheme.clone(),
            DEFAULT_FLOW_LIFETIME,
            flows_file(&self.data_dir, &saved.id),
        );
        self.slots.push(Slot { saved, instance_key, person: None, client: None, flows: Arc::new(flows) });
    }

    /// A new account on an instance, signed out; its id. `shared_entry`: the token entry of the
    /// client it shares with other accounts (multi-session), else it gets a client of its own.
    fn add(
        &mut self,
        instance: InstanceSetting,
        instance_key: String,
        user_id: Option<String>,
        shared_entry: Option<String>,
    ) -> String {
        let id = new_id();
        // The first account of an instance keeps the entry the app used before the switcher.
        let taken = self.slots.iter().any(|slot| slot.saved.token_entry == instance_key);
        let token_entry = shared_entry.unwrap_or_else(|| {
            if taken {
                format!("{instance_key}#{id}")
            } else {
                instance_key.clone()
            }
        });
        let saved = SavedAccount {
            id: id.clone(),
            instance,
            token_entry,
            user_id,
            last_used_at: now_ms(),
            signed_out: false,
            session_id: None,
        };
        self.push(saved, instance_key);
        id
    }

    fn save(&self) {
        let saved = SavedAccounts {
            active: self.active.clone(),
            accounts: self.slots.iter().map(|slot| slot.saved.clone()).collect(),
        };
        let written = serde_json::to_vec_pretty(&saved)
            .map_err(std::io::Error::other)
            .and_then(|bytes| userdesk_fapi::private_file::write(&self.data_dir.join(ACCOUNTS_FILE), &bytes));
        if let Err(error) = written {
            tracing::warn!("the list of accounts was not saved: {error}");
        }
    }

    fn slot(&self, id: &str) -> Option<&Slot> {
        self.slots.iter().find(|slot| slot.saved.id == id)
    }

    fn slot_mut(&mut self, id: &str) -> Option<&mut Slot> {
        self.slots.iter_mut().find(|slot| slot.saved.id == id)
    }

    /// `true` when account `id` shares its client with another account (multi-session).
    fn shares_client(&self, id: &str) -> bool {
        let Some(slot) = self.slot(id) else { return false };
        self.slots
            .iter()
            .any(|other| other.saved.id != id && other.saved.token_entry == slot.saved.token_entry)
    }

    /// The account whose session is `session_id` among those sharing account `id`'s client.
    fn holding_session(&self, id: &str, session_id: &str) -> Option<String> {
        let entry = &self.slot(id)?.saved.token_entry;
        self.slots
            .iter()
            .filter(|slot| slot.saved.id != id && &slot.saved.token_entry == entry)
            .find(|slot| {
                slot.client.as_ref().and_then(|(client, _)| client.session_id()).as_deref()
                    == Some(session_id)
            })
            .map(|slot| slot.saved.id.clone())
    }

    pub(crate) fn active_slot(&self) -> Option<&Slot> {
        self.slot(&self.active)
    }

    /// The connection of the shown account's instance.
    pub(crate) fn active_connection(&self) -> CommandResult<&Connection> {
        let slot = self.active_slot().ok_or_else(no_account)?;
        self.connections.get(&slot.instance_key).ok_or_else(not_open)
    }

    pub(crate) fn active_setting(&self) -> Option<InstanceSetting> {
        self.active_slot().map(|slot| slot.saved.instance.clone())
    }

    pub(crate) fn active_token_storage(&self) -> Option<TokenStorage> {
        self.active_slot().and_then(|slot| slot.client.as_ref().map(|(_, storage)| storage.clone()))
    }

    /// The account `id` (the shown one when `None`), ready for a command.
    pub(crate) fn account(&self, id: Option<&str>) -> CommandResult<AccountRef> {
        let slot = self.slot(id.unwrap_or(&self.active)).ok_or_else(no_account)?;
        let (client, _) = slot.client.as_ref().ok_or_else(not_open)?;
        Ok(AccountRef {
            id: slot.saved.id.clone(),
            instance_key: slot.instance_key.clone(),
            user_id: slot.saved.user_id.clone(),
            client: client.clone(),
            flows: slot.flows.clone(),
        })
    }

    /// Every account whose instance is open.
    pub(crate) fn all(&self) -> Vec<AccountRef> {
        self.slots.iter().filter_map(|slot| self.account(Some(&slot.saved.id)).ok()).collect()
    }

    /// The account whose pending round trips include the flow `link` names.
    pub(crate) fn holding_flow(&self, link: &str) -> Option<AccountRef> {
        let slot = self.slots.iter().find(|slot| slot.flows.holds(link))?;
        self.account(Some(&slot.saved.id)).ok()
    }

    pub(crate) fn summaries(&self) -> Vec<AccountSummary> {
        self.slots
            .iter()
            .map(|slot| AccountSummary {
                id: slot.saved.id.clone(),
                instance_kind: kind_of(&slot.saved.instance),
                instance_label: match self.connections.get(&slot.instance_key) {
                    Some(connection) => connection.info.label.clone(),
                    None => label_of(&slot.instance_key, &slot.saved.instance),
                },
                person: slot.person.clone(),
                active: slot.saved.id == self.active,
                signed_out: slot.saved.signed_out,
            })
            .collect()
    }

    /// Instances some account is on whose connection is not open yet.
    pub(crate) fn unopened(&self) -> Vec<(String, InstanceSetting)> {
        let mut wanted: Vec<(String, InstanceSetting)> = Vec::new();
        for slot in &self.slots {
            if !self.connections.contains_key(&slot.instance_key)
                && !wanted.iter().any(|(key, _)| key == &slot.instance_key)
            {
                wanted.push((slot.instance_key.clone(), slot.saved.instance.clone()));
            }
        }
        wanted
    }

    /// Takes an open connection in and gives every account on its instance a client. Returns the
    /// connection when one to that instance was already open (two were opened at once), for the
    /// caller to close.
    #[must_use]
    pub(crate) fn attach(&mut self, connection: Connection, shell: &impl Shell) -> Option<Connection> {
        let extra = if self.connections.contains_key(&connection.instance_key) {
            Some(connection)
        } else {
            self.connections.insert(connection.instance_key.clone(), connection);
            None
        };
        self.give_clients(shell);
        extra
    }

    /// Gives a client to every account whose instance is open and that has none yet: a handle
    /// on the client it shares with other accounts, where it shares one, naming its own session.
    fn give_clients(&mut self, shell: &impl Shell) {
        for at in 0..self.slots.len() {
            if self.slots[at].client.is_some() {
                continue;
            }
            let entry = &self.slots[at].saved.token_entry;
            let sharing = self
                .slots
                .iter()
                .enumerate()
                .filter(|(other, slot)| *other != at && &slot.saved.token_entry == entry);
            let shared = sharing.clone().find_map(|(_, slot)| slot.client.clone());
            let shares = sharing.count() > 0;
            let session_id = self.slots[at].saved.session_id.clone();
            let client = match shared {
                Some((client, storage)) => Some((Arc::new(client.session_handle(session_id)), storage)),
                None => {
                    let slot = &self.slots[at];
                    let Some(connection) = self.connections.get(&slot.instance_key) else { continue };
                    match connection.client(&slot.saved.token_entry, &self.data_dir, &self.user_agent, shell)
                    {
                        Ok((client, storage)) => {
                            // Kept by an account that shared its client: named even once alone,
                            // as the client's active session may be none or someone else's.
                            if shares || session_id.is_some() {
                                client.hold_session(session_id);
                            }
                            Some((client, storage))
                        }
                        Err(error) => {
                            tracing::warn!("an account's client could not be made: {}", error.message);
                            None
                        }
                    }
                }
            };
            self.slots[at].client = client;
        }
    }

    /// Makes `id` the shown account.
    fn activate(&mut self, id: &str) {
        self.active = id.to_owned();
        if let Some(slot) = self.slot_mut(id) {
            slot.saved.last_used_at = now_ms();
        }
        self.save();
    }

    /// Closes the connections no account uses any more (an embedded server stops).
    fn close_unused(&mut self) -> Vec<Connection> {
        let used: Vec<String> = self.slots.iter().map(|slot| slot.instance_key.clone()).collect();
        let unused: Vec<String> =
            self.connections.keys().filter(|key| !used.contains(key)).cloned().collect();
        unused.iter().filter_map(|key| self.connections.remove(key)).collect()
    }

    /// Every connection, for quitting.
    pub(crate) fn take_connections(&mut self) -> Vec<Connection> {
        self.connections.drain().map(|(_, connection)| connection).collect()
    }
}

const ACCOUNTS_FILE: &str = "accounts.json";

fn flows_file(data_dir: &Path, account_id: &str) -> PathBuf {
    data_dir.join(format!("pending-flows-{account_id}.json"))
}

fn new_id() -> String {
    let mut bytes = [0u8; 6];
    // Without the system's randomness the time will do: ids only need to differ within this app.
    if getrandom::fill(&mut bytes).is_err() {
        bytes.copy_from_slice(&now_ms().to_le_bytes()[..6]);
    }
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn kind_of(setting: &InstanceSetting) -> InstanceKind {
    match setting {
        InstanceSetting::Embedded => InstanceKind::Embedded,
        InstanceSetting::PublishableKey { .. } => InstanceKind::Clerk,
        InstanceSetting::FapiUrl { .. } => InstanceKind::Url,
    }
}

fn label_of(instance_key: &str, setting: &InstanceSetting) -> String {
    match setting {
        InstanceSetting::Embedded => "Embedded account server".to_owned(),
        _ => url::Url::parse(instance_key)
            .ok()
            .and_then(|url| url.host_str().map(str::to_owned))
            .unwrap_or_else(|| instance_key.to_owned()),
    }
}

/// Ends `account`'s session on its instance, and forgets its token unless its client is shared
/// with other accounts (then only this person's session goes). An instance that cannot be reached
/// keeps the session (the person can end it from another device), but nothing of it stays here.
async fn sign_out_and_forget(account: &AccountRef, shares_client: bool) {
    if account.client.has_token() {
        match account.client.sign_out().await {
            Ok(()) => {}
            Err(error) if error.is_signed_out() => {}
            Err(error) => tracing::warn!("the account's session was not ended: {error}"),
        }
    }
    if !shares_client {
        let _ = account.client.forget_token();
    }
}

fn no_account() -> CommandError {
    CommandError::new("account_not_found", "That account is no longer in Userdesk.")
}

fn not_open() -> CommandError {
    CommandError::new("internal", "The account's instance is still being opened.")
}

impl<S: Shell> Controller<S> {
    /// Every account in the app, the shown one marked.
    pub async fn accounts(&self) -> CommandResult<Vec<AccountSummary>> {
        Ok(self.accounts.read().await.as_ref().map_err(Clone::clone)?.summaries())
    }

    /// Starts adding an account: a new, signed-out account on the shown account's instance is
    /// shown (the sign-in screen); the others stay signed in. Settings can change its instance.
    /// On a multi-session instance the new account joins the shown one's client, which from then
    /// on names each person's session.
    pub async fn add_account(&self) -> CommandResult<Vec<AccountSummary>> {
        let shown = self.account().await?;
        let signed_in = shown.user_id.is_some() && shown.client.session_id().is_some();
        // Unreachable, the instance's mode is unknown: a client of its own works on both.
        let multi_session = signed_in
            && matches!(shown.client.environment().await, Ok(environment) if environment.multi_session());
        let mut accounts = self.accounts.write().await;
        let accounts = accounts.as_mut().map_err(|e| e.clone())?;
        let active = accounts.active_slot().ok_or_else(no_account)?;
        if active.being_added() {
            // Already adding one.
            return Ok(accounts.summaries());
        }
        let (setting, key) = (active.saved.instance.clone(), active.instance_key.clone());
        let still_shown = accounts.active == shown.id;
        let shared_entry = match accounts.slot_mut(&shown.id) {
            Some(slot) if multi_session && still_shown => {
                let session_id = shown.client.session_id();
                shown.client.hold_session(session_id.clone());
                slot.saved.session_id = session_id;
                Some(slot.saved.token_entry.clone())
            }
            _ => None,
        };
        let id = accounts.add(setting, key, None, shared_entry);
        accounts.give_clients(&*self.shell);
        accounts.activate(&id);
        self.tell_shell(accounts);
        Ok(accounts.summaries())
    }

    /// Shows another account, at once: it stays signed in. Its instance is opened first if it
    /// was not (an embedded server starts).
    pub async fn switch_account(&self, id: &str) -> CommandResult<Vec<AccountSummary>> {
        let setting = {
            let accounts = self.accounts.read().await;
            let accounts = accounts.as_ref().map_err(Clone::clone)?;
            let slot = accounts.slot(id).ok_or_else(no_account)?;
            (slot.client.is_none()).then(|| slot.saved.instance.clone())
        };
        if let Some(setting) = setting {
            let connection = Connection::open(&setting, &self.data_dir, &*self.shell).await?;
            let extra =
                self.accounts.write().await.as_mut().map_err(|e| e.clone())?.attach(connection, &*self.shell);
            if let Some(extra) = extra {
                extra.close().await;
            }
        }
        let mut guard = self.accounts.write().await;
        let accounts = guard.as_mut().map_err(|e| e.clone())?;
        accounts.slot(id).ok_or_else(no_account)?;
        let leaving = accounts.active.clone();
        accounts.activate(id);
        // An account being added that was left before signing in is dropped.
        if leaving != id && accounts.slot(&leaving).is_some_and(Slot::being_added) {
            self.drop_slot(accounts, &leaving).await;
        }
        let touch = if accounts.shares_client(id) { accounts.account(Some(id)).ok() } else { None };
        let setting = accounts.active_setting();
        self.tell_shell(accounts);
        let summaries = accounts.summaries();
        drop(guard);
        if let Some(account) = touch.filter(|account| account.client.session_id().is_some()) {
            // The client's active session becomes this person's, as Clerk's SDKs do on a switch:
            // other tools of the instance see who is in use. The account names its session in
            // every request, so a failure here changes nothing the person sees.
            if let Err(error) = account.client.touch_session().await {
                tracing::debug!("the switched-to session was not made the client's active one: {error}");
            }
        }
        if let Some(setting) = setting {
            self.keep_instance_setting(setting).await;
        }
        Ok(summaries)
    }

    /// Shows account `id` from outside the window (the tray, a notification): the UI is told.
    pub async fn show_account(&self, id: &str) -> CommandResult<()> {
        self.switch_account(id).await?;
        self.shell.emit(Event::AccountsChanged(AccountsChanged { message: None }));
        Ok(())
    }

    /// Shows the signed-in account used most recently when the shown one is not signed in.
    pub(crate) async fn show_signed_in_account(&self) -> CommandResult<Vec<AccountSummary>> {
        let next = {
            let accounts = self.accounts.read().await;
            let accounts = accounts.as_ref().map_err(Clone::clone)?;
            let shown_signed_in = accounts.active_slot().is_some_and(|slot| slot.saved.user_id.is_some());
            let next = accounts
                .slots
                .iter()
                .filter(|slot| slot.saved.user_id.is_some())
                .max_by_key(|slot| slot.saved.last_used_at)
                .map(|slot| slot.saved.id.clone());
            next.filter(|_| !shown_signed_in)
        };
        match next {
            Some(id) => self.switch_account(&id).await,
            None => self.accounts().await,
        }
    }

    /// Signs an account out and forgets it (its token, what the app kept of it); the others stay.
    /// When it was the shown one, the account used most recently is shown, or the sign-in
    /// screen of the same instance when none is left.
    pub async fn remove_account(&self, id: &str) -> CommandResult<Vec<AccountSummary>> {
        let (account, shares_client) = {
            let accounts = self.accounts.read().await;
            let accounts = accounts.as_ref().map_err(Clone::clone)?;
            (accounts.account(Some(id)), accounts.shares_client(id))
        };
        if let Ok(account) = &account {
            sign_out_and_forget(account, shares_client).await;
        }
        let mut guard = self.accounts.write().await;
        let accounts = guard.as_mut().map_err(|e| e.clone())?;
        accounts.slot(id).ok_or_else(no_account)?;
        self.drop_slot(accounts, id).await;
        let setting = accounts.active_setting();
        self.tell_shell(accounts);
        let summaries = accounts.summaries();
        drop(guard);
        if let Some(setting) = setting {
            self.keep_instance_setting(setting).await;
        }
        Ok(summaries)
    }

    /// Forgets account `id` entirely and, when it was shown, shows another.
    async fn drop_slot(&self, accounts: &mut Accounts, id: &str) {
        let Some(at) = accounts.slots.iter().position(|slot| slot.saved.id == id) else { return };
        let slot = accounts.slots.remove(at);
        slot.flows.discard();
        if let Some(user_id) = &slot.saved.user_id {
            let _writing = self.watch.files.lock().await;
            account_store::forget(
                &*self.shell,
                &self.data_dir,
                &AccountId { instance: slot.instance_key.clone(), user_id: user_id.clone() },
            );
        }
        if accounts.active == id {
            let next =
                accounts.slots.iter().max_by_key(|slot| slot.saved.last_used_at).map(|s| s.saved.id.clone());
            match next {
                Some(next) => accounts.activate(&next),
                None => {
                    // None left: the sign-in screen of the same instance, on the entry it had.
                    let id = accounts.add(slot.saved.instance.clone(), slot.instance_key.clone(), None, None);
                    accounts.give_clients(&*self.shell);
                    accounts.activate(&id);
                }
            }
        } else {
            accounts.save();
        }
        for connection in accounts.close_unused() {
            connection.close().await;
        }
    }

    /// Shows the most recent account on the instance `setting` names, or starts adding one there
    /// (Settings changed the instance). The connection is opened and checked before anything
    /// changes, so a mistyped key leaves the app as it was.
    pub(crate) async fn use_instance(&self, setting: &InstanceSetting) -> CommandResult<()> {
        let key = connection::instance_key(setting)?;
        let (open, existing) = {
            let accounts = self.accounts.read().await;
            let accounts = accounts.as_ref().map_err(Clone::clone)?;
            let existing = accounts
                .slots
                .iter()
                .filter(|slot| slot.instance_key == key)
                .max_by_key(|slot| slot.saved.last_used_at)
                .map(|slot| slot.saved.id.clone());
            (accounts.connections.contains_key(&key), existing)
        };
        let connection = if open { None } else { Some(self.connect_checked(setting).await?) };
        let mut guard = self.accounts.write().await;
        let accounts = guard.as_mut().map_err(|e| e.clone())?;
        let id = match existing {
            Some(id) => id,
            None => {
                let leaving = accounts.active.clone();
                let id = accounts.add(setting.clone(), key.clone(), None, None);
                if leaving != id && accounts.slot(&leaving).is_some_and(Slot::being_added) {
                    self.drop_slot(accounts, &leaving).await;
                }
                id
            }
        };
        let extra = match connection {
            Some(connection) => accounts.attach(connection, &*self.shell),
            None => {
                accounts.give_clients(&*self.shell);
                None
            }
        };
        accounts.activate(&id);
        for connection in accounts.close_unused().into_iter().chain(extra) {
            connection.close().await;
        }
        self.tell_shell(accounts);
        Ok(())
    }

    /// Notes who account `account` is now that its user was read. A person already in the app on
    /// the same instance under another account is not added twice: the new sign-in is ended and
    /// the existing account shown. `false` when that happened.
    pub(crate) async fn note_person(&self, account: &AccountRef, user: &User) -> bool {
        let mut guard = self.accounts.write().await;
        let Ok(accounts) = guard.as_mut() else { return true };
        let duplicate = accounts
            .slots
            .iter()
            .find(|slot| {
                slot.saved.id != account.id
                    && slot.instance_key == account.instance_key
                    && slot.saved.user_id.as_deref() == Some(user.id.as_str())
            })
            .map(|slot| slot.saved.id.clone());
        if let Some(existing) = duplicate {
            let shares_client = accounts.shares_client(&account.id);
            let was_shown = accounts.active == account.id;
            let Some(at) = accounts.slots.iter().position(|slot| slot.saved.id == account.id) else {
                return false;
            };
            let slot = accounts.slots.remove(at);
            slot.flows.discard();
            if was_shown {
                accounts.activate(&existing);
            } else {
                accounts.save();
            }
            self.tell_shell(accounts);
            drop(guard);
            sign_out_and_forget(account, shares_client).await;
            self.tell_already_in(user);
            return false;
        }
        let Some(slot) = accounts.slot_mut(&account.id) else { return false };
        let person = AccountPerson::of(user);
        let changed = slot.person.as_ref() != Some(&person) || slot.saved.signed_out;
        slot.person = Some(person);
        // A session of a shared client is the account's to remember (a new one after signing in
        // again).
        let session_id = account.client.session_id().filter(|_| account.client.holds_session());
        let new_session = session_id.is_some() && slot.saved.session_id != session_id;
        if slot.saved.user_id.as_deref() != Some(user.id.as_str()) || slot.saved.signed_out || new_session {
            slot.saved.user_id = Some(user.id.clone());
            slot.saved.signed_out = false;
            if new_session {
                slot.saved.session_id = session_id;
            }
            accounts.save();
        }
        if changed {
            self.tell_shell(accounts);
            drop(guard);
            // The switcher names the account from now on.
            self.shell.emit(Event::AccountsChanged(AccountsChanged { message: None }));
        }
        true
    }

    /// Multi-session: a sign-in refused because that person is already signed in on this client
    /// (the server names their session) shows their account instead, and says so. `None` for
    /// any other error, or when no account here holds that session.
    pub(crate) async fn show_holder_of(&self, error: &userdesk_fapi::Error) -> Option<User> {
        if error.code() != "identifier_already_signed_in" {
            return None;
        }
        let session_id = error.clerk_error()?.meta.get("session_id")?.as_str()?.to_owned();
        let existing = {
            let accounts = self.accounts.read().await;
            let accounts = accounts.as_ref().ok()?;
            accounts.holding_session(&accounts.active, &session_id)?
        };
        self.switch_account(&existing).await.ok()?;
        let account = self.account().await.ok()?;
        let user = account.client.me().await.ok()?;
        self.tell_already_in(&user);
        Some(user)
    }

    /// The person just signed in is already in the app, under the account now shown: the UI says so.
    fn tell_already_in(&self, user: &User) {
        self.shell.emit(Event::AccountsChanged(AccountsChanged {
            message: Some(format!(
                "{} is already in Userdesk: it is shown now.",
                AccountPerson::of(user).name
            )),
        }));
    }

    /// Account `id`'s session ended elsewhere: it stays in the list, marked, until it signs in
    /// again or is removed; what the app kept of it is forgotten.
    pub(crate) async fn note_signed_out(&self, id: &str) {
        let mut guard = self.accounts.write().await;
        let Ok(accounts) = guard.as_mut() else { return };
        let Some(slot) = accounts.slot_mut(id) else { return };
        slot.saved.signed_out = true;
        let user_id = slot.saved.user_id.take();
        let instance = slot.instance_key.clone();
        accounts.save();
        self.tell_shell(accounts);
        drop(guard);
        if let Some(user_id) = user_id {
            let _writing = self.watch.files.lock().await;
            account_store::forget(&*self.shell, &self.data_dir, &AccountId { instance, user_id });
        }
    }

    /// Fills in who each account is from what the app kept of it (at start, before any reading).
    pub(crate) async fn recall_people(&self) {
        let mut guard = self.accounts.write().await;
        let Ok(accounts) = guard.as_mut() else { return };
        for slot in &mut accounts.slots {
            let Some(user_id) = slot.saved.user_id.clone() else { continue };
            let id = AccountId { instance: slot.instance_key.clone(), user_id };
            if let Some(record) = account_store::load(&*self.shell, &self.data_dir, &id) {
                slot.person = Some(AccountPerson::of(&record.user));
            }
        }
        self.tell_shell(accounts);
    }

    /// The tray lists the accounts.
    fn tell_shell(&self, accounts: &Accounts) {
        self.shell.accounts_changed(&accounts.summaries());
    }
}
