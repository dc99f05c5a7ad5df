//! Browser round trips: connecting an account, asking it for more scopes, and signing in through
//! a provider. Each starts a flow in the registry; the deep link that ends it completes only a
//! flow this app started, once.

use std::sync::{Arc, PoisonError};

use serde::Serialize;
use ts_rs::TS;
use userdesk_fapi::models::User;
use userdesk_fapi::native_flow::FlowKind;
use userdesk_fapi::FlowResult;

use crate::accounts::AccountRef;
use crate::controller::Controller;
use crate::error::{CommandError, CommandResult};
use crate::events::Event;
use crate::shell::Shell;
use crate::sign_in::SecondFactorStep;

/// A browser round trip the app started; the UI shows a waiting state until it finishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OAuthStarted {
    pub flow_id: String,
    /// Where the system browser was sent.
    pub authorization_url: String,
}

/// How a round trip ended, sent to the UI as the `oauth-finished` event: which flow, and its
/// outcome (tagged by `status`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OAuthFinished {
    pub flow_id: String,
    /// The account (its id in the app) that started the round trip, and in which it completed,
    /// whichever account is shown now.
    pub account_id: String,
    pub kind: OAuthFlowKind,
    /// The provider's strategy (`oauth_github`); `None` for a reauthorization, whose account says.
    pub strategy: Option<String>,
    #[serde(flatten)]
    pub outcome: OAuthOutcome,
}

/// What a round trip came to.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OAuthOutcome {
    /// The account is connected (or has its new scopes).
    AccountVerified {
        user: Box<User>,
        external_account_id: String,
    },
    /// The provider refused or the person denied; the account, if one was made, says why too.
    AccountFailed {
        user: Box<User>,
        external_account_id: Option<String>,
        error: CommandError,
    },
    SignedIn {
        user: Box<User>,
        /// The sign-in created the account.
        new_user: bool,
    },
    /// The provider vouched for the person; the account's second factor is still asked: finish
    /// with `attempt_second_factor`.
    NeedsSecondFactor {
        second_factor: SecondFactorStep,
    },
    SignInFailed {
        error: CommandError,
    },
    /// The flow's result could not be read (server down, …).
    Error {
        error: CommandError,
    },
}

/// What a round trip was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OAuthFlowKind {
    Connect,
    Reauthorize,
    SignIn,
}

impl<S: Shell> Controller<S> {
    /// The OAuth strategies the instance has enabled, e.g. `oauth_github`.
    pub async fn oauth_strategies(&self) -> CommandResult<Vec<String>> {
        Ok(self.client().await?.environment().await?.enabled_oauth_strategies())
    }

    /// Starts connecting an account and sends the browser to the provider.
    pub async fn connect_external_account(
        &self,
        strategy: &str,
        scopes: &[String],
    ) -> CommandResult<OAuthStarted> {
        let shown = self.account().await?;
        let (flow_id, redirect_url) = shown.flows.start(FlowKind::Connect { strategy: strategy.to_owned() });
        let account = shown.client.create_external_account(strategy, &redirect_url, scopes).await;
        self.open_browser(
            &shown,
            flow_id,
            account.map(|a| a.verification.and_then(|v| v.external_verification_redirect_url)),
        )
    }

    /// Starts asking a connected account for more scopes.
    pub async fn reauthorize_external_account(
        &self,
        id: &str,
        scopes: &[String],
    ) -> CommandResult<OAuthStarted> {
        let shown = self.account().await?;
        let (flow_id, redirect_url) =
            shown.flows.start(FlowKind::Reauthorize { external_account_id: id.to_owned() });
        let account = shown.client.reauthorize_external_account(id, scopes, &redirect_url).await;
        self.open_browser(
            &shown,
            flow_id,
            account.map(|a| a.verification.and_then(|v| v.external_verification_redirect_url)),
        )
    }

    /// Starts signing in through a provider.
    pub async fn sign_in_with_oauth(&self, strategy: &str) -> CommandResult<OAuthStarted> {
        let shown = self.account().await?;
        let (flow_id, redirect_url) = shown.flows.start(FlowKind::SignIn { strategy: strategy.to_owned() });
        let sign_in = shown.client.sign_in_with_oauth(strategy, &redirect_url).await;
        if let Ok(sign_in) = &sign_in {
            shown.flows.attach_sign_in(&flow_id, &sign_in.id);
        }
        self.open_browser(
            &shown,
            flow_id,
            sign_in.map(|s| s.first_factor_verification.and_then(|v| v.external_verification_redirect_url)),
        )
    }

    pub async fn destroy_external_account(&self, id: &str) -> CommandResult<()> {
        self.client().await?.destroy_external_account(id).await?;
        Ok(())
    }

    /// Forgets a flow the person cancelled: its callback, if it still comes, is dropped.
    pub async fn cancel_oauth(&self, flow_id: &str) {
        if let Ok(accounts) = self.accounts.read().await.as_ref() {
            for account in accounts.all() {
                account.flows.cancel(flow_id);
            }
        }
    }

    /// A deep link that arrived while the app runs: its flow is completed in the background and
    /// the UI told how it ended; the window comes forward.
    pub fn deliver_link(self: &Arc<Self>, url: String) {
        let controller = self.clone();
        self.runtime.spawn(async move {
            if let Some(finished) = controller.complete_oauth(&url).await {
                controller.shell.emit(Event::OAuthFinished(Box::new(finished)));
                controller.shell.focus_window();
            }
        });
    }

    /// The link that started the app (the browser's redirect while the app was closed):
    /// completed now, its result kept for [`Self::launch_oauth_result`], which the UI asks before
    /// it loads the user.
    pub fn complete_at_launch(self: &Arc<Self>, url: String) {
        let controller = self.clone();
        let completion = self.runtime.spawn(async move { controller.complete_oauth(&url).await });
        *self.launch_flow.lock().unwrap_or_else(PoisonError::into_inner) = Some(completion);
    }

    /// How the flow whose link started the app ended, once; `None` when no link started it (or
    /// the link named no flow of this app).
    pub async fn launch_oauth_result(&self) -> CommandResult<Option<OAuthFinished>> {
        let completion = self.launch_flow.lock().unwrap_or_else(PoisonError::into_inner).take();
        let Some(completion) = completion else { return Ok(None) };
        match completion.await {
            Ok(finished) => Ok(finished),
            Err(error) => {
                tracing::error!("the link that started the app could not be completed: {error}");
                Ok(None)
            }
        }
    }

    /// Completes the flow a deep link names, in the account that started it. Links that name no
    /// pending flow are dropped here, before any request: the app acts only on round trips it
    /// started.
    pub async fn complete_oauth(&self, url: &str) -> Option<OAuthFinished> {
        let holder = match self.accounts.read().await.as_ref() {
            // A link no account started is checked by the shown one's registry, to say why not.
            Ok(accounts) => accounts.holding_flow(url).or_else(|| accounts.account(None).ok()),
            Err(_) => None,
        };
        let Some(account) = holder else {
            tracing::warn!("dropped a deep link: no account is open");
            return None;
        };
        let flow = match account.flows.accept(url) {
            Ok(flow) => flow,
            Err(reason) => {
                tracing::warn!("dropped a deep link: {reason}");
                return None;
            }
        };
        let result = account.client.complete_flow(&flow).await.map_err(CommandError::from);
        let (kind, strategy) = match &flow.kind {
            FlowKind::Connect { strategy } => (OAuthFlowKind::Connect, Some(strategy.clone())),
            FlowKind::Reauthorize { .. } => (OAuthFlowKind::Reauthorize, None),
            FlowKind::SignIn { strategy } => (OAuthFlowKind::SignIn, Some(strategy.clone())),
        };
        let outcome = match result {
            Ok(FlowResult::AccountVerified { user, external_account }) => OAuthOutcome::AccountVerified {
                user: Box::new(user),
                external_account_id: external_account.id,
            },
            Ok(FlowResult::AccountFailed { user, external_account, error }) => OAuthOutcome::AccountFailed {
                user: Box::new(user),
                external_account_id: external_account.map(|a| a.id),
                error: error.into(),
            },
            Ok(FlowResult::SignedIn { user, new_user }) => {
                OAuthOutcome::SignedIn { user: Box::new(user), new_user }
            }
            Ok(FlowResult::NeedsSecondFactor { sign_in }) => {
                OAuthOutcome::NeedsSecondFactor { second_factor: SecondFactorStep::of(*sign_in) }
            }
            Ok(FlowResult::SignInFailed { error }) => OAuthOutcome::SignInFailed { error: error.into() },
            Err(error) => OAuthOutcome::Error { error },
        };
        if let OAuthOutcome::AccountVerified { user, .. }
        | OAuthOutcome::AccountFailed { user, .. }
        | OAuthOutcome::SignedIn { user, .. } = &outcome
        {
            self.remember_user_seen(&account, user).await;
        }
        Some(OAuthFinished { flow_id: flow.id, account_id: account.id, kind, strategy, outcome })
    }

    /// Sends the system browser to where the server said the round trip continues; the flow is
    /// forgotten when there is nowhere to go or no browser opens.
    fn open_browser(
        &self,
        account: &AccountRef,
        flow_id: String,
        authorization_url: Result<Option<String>, userdesk_fapi::Error>,
    ) -> CommandResult<OAuthStarted> {
        let opened = match authorization_url {
            Ok(Some(url)) => check_browser_url(&url)
                .and_then(|()| self.shell.open_in_browser(&url).map_err(browser_unavailable))
                .map(|()| url),
            Ok(None) => Err(CommandError::new(
                "oauth_no_redirect",
                "The server did not say where to continue in the browser.",
            )),
            Err(error) => Err(error.into()),
        };
        match opened {
            Ok(authorization_url) => Ok(OAuthStarted { flow_id, authorization_url }),
            Err(error) => {
                account.flows.cancel(&flow_id);
                Err(error)
            }
        }
    }
}

/// Only a web page may be opened for an instance: `https://`, or `http://` on this computer (the
/// embedded server's consent page). Any other URL (`file:`, `smb:`, another app's scheme) would
/// let an instance open files and programs on this computer.
pub(crate) fn check_browser_url(text: &str) -> CommandResult<()> {
    let allowed = url::Url::parse(text).is_ok_and(|url| match url.scheme() {
        "https" => url.host().is_some(),
        "http" => userdesk_fapi::is_loopback(&url),
        _ => false,
    });
    if allowed {
        Ok(())
    } else {
        let shown: String = text.chars().take(80).collect();
        tracing::warn!("refused to open {shown} in the browser");
        Err(CommandError::new(
            "unsafe_redirect",
            format!(
                "The server asked Userdesk to open “{shown}”, which is not a web page. Nothing was opened."
            ),
        ))
    }
}

fn browser_unavailable(error: String) -> CommandError {
    CommandError::new("browser_unavailable", format!("Could not open the web browser: {error}"))
}

#[cfg(test)]
mod tests {
    use super::check_browser_url;

    #[test]
    fn only_web_pages_are_opened_in_the_browser() {
        for allowed in [
            "https://accounts.example.com/oauth/authorize?state=x",
            "http://127.0.0.1:41234/dev/oauth/authorize?x=1",
            "http://localhost:3000/consent",
        ] {
            assert!(check_browser_url(allowed).is_ok(), "{allowed}");
        }
        for refused in [
            "file:///etc/passwd",
            "smb://attacker.example/share",
            "http://accounts.example.com/authorize",
            "javascript:alert(1)",
            "dev.userdesk.app://oauth-callback?flow=x",
            "not a url",
        ] {
            assert_eq!(check_browser_url(refused).unwrap_err().reason, "unsafe_redirect", "{refused}");
        }
    }
}
