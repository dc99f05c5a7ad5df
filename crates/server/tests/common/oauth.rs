//! The app's side of OAuth round trips, exactly as the app does them: a flow started in the
//! `FlowRegistry` (its deep link is the redirect URL), the request that starts the round trip,
//! the person's browser, the deep link handed back to the registry, and `Client::complete_flow`.

use std::time::Duration;

use userdesk_fapi::models::ExternalAccount;
use userdesk_fapi::native_flow::{CompletedFlow, FlowKind, FlowRegistry};
use userdesk_fapi::{Client, FlowResult};

use super::browser::{Browser, Consent};

/// The app's scheme.
pub const SCHEME: &str = "dev.userdesk.app";

/// The app's registry of flows.
pub fn flows() -> FlowRegistry {
    FlowRegistry::new(SCHEME, Duration::from_secs(600))
}

/// A round trip the app went through.
pub struct Trip {
    /// The deep link the browser ended at.
    pub deep_link: String,
    /// What the registry made of it.
    pub flow: CompletedFlow,
    /// What the client read from the server.
    pub result: FlowResult,
    /// The browser (its history has the callback URL).
    pub browser: Browser,
    /// The provider's authorization URL the round trip started at.
    pub authorize_url: String,
}

fn scopes(scopes: &[&str]) -> Vec<String> {
    scopes.iter().map(|s| (*s).to_owned()).collect()
}

async fn finish(client: &Client, flows: &FlowRegistry, authorize_url: String, consent: &Consent) -> Trip {
    let mut browser = Browser::new();
    let deep_link = browser.round_trip(&authorize_url, consent).await.deep_link().to_owned();
    let flow = flows.accept(&deep_link).unwrap_or_else(|e| panic!("the app refuses {deep_link}: {e}"));
    let result = client.complete_flow(&flow).await.expect("the result is read");
    Trip { deep_link, flow, result, browser, authorize_url }
}

/// Starts connecting `strategy` (asking `additional` scopes too): the account as created.
pub async fn start_connect(
    client: &Client,
    flows: &FlowRegistry,
    strategy: &str,
    additional: &[&str],
) -> ExternalAccount {
    let (_, redirect_url) = flows.start(FlowKind::Connect { strategy: strategy.to_owned() });
    client
        .create_external_account(strategy, &redirect_url, &scopes(additional))
        .await
        .expect("the account is created")
}

/// The provider's authorization URL of an account under way.
#[track_caller]
pub fn authorize_url(account: &ExternalAccount) -> String {
    account
        .verification
        .as_ref()
        .and_then(|v| v.external_verification_redirect_url.clone())
        .expect("an account under way says where to verify it")
}

/// Connects `strategy` with `consent` at the provider.
pub async fn connect(client: &Client, strategy: &str, additional: &[&str], consent: &Consent) -> Trip {
    let flows = flows();
    let account = start_connect(client, &flows, strategy, additional).await;
    finish(client, &flows, authorize_url(&account), consent).await
}

/// Reauthorizes `account_id` asking `additional` scopes, with `consent`.
pub async fn reauthorize(client: &Client, account_id: &str, additional: &[&str], consent: &Consent) -> Trip {
    let flows = flows();
    let (_, redirect_url) = flows.start(FlowKind::Reauthorize { external_account_id: account_id.to_owned() });
    let account = client
        .reauthorize_external_account(account_id, &scopes(additional), &redirect_url)
        .await
        .expect("reauthorization starts");
    finish(client, &flows, authorize_url(&account), consent).await
}

/// Signs in through `strategy` with `consent`.
pub async fn sign_in(client: &Client, strategy: &str, consent: &Consent) -> Trip {
    let flows = flows();
    let (flow_id, redirect_url) = flows.start(FlowKind::SignIn { strategy: strategy.to_owned() });
    let sign_in = client.sign_in_with_oauth(strategy, &redirect_url).await.expect("the sign-in starts");
    flows.attach_sign_in(&flow_id, &sign_in.id);
    let authorize_url = sign_in
        .first_factor_verification
        .as_ref()
        .and_then(|v| v.external_verification_redirect_url.clone())
        .expect("the sign-in says where to go");
    finish(client, &flows, authorize_url, consent).await
}

/// The query parameter `name` of `url`.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url).ok()?.query_pairs().find(|(n, _)| n == name).map(|(_, v)| v.into_owned())
}
