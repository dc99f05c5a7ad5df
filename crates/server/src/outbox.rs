//! What the server sends: verification emails and SMS, and where they go.
//!
//! In [`Mode::Development`] nothing leaves the machine: every message is recorded in the
//! development outbox (a table), where the app ([`crate::RunningServer::outbox`]) and a person
//! (`GET /dev/outbox`, `/dev/outbox.html`) can read the codes and links. In
//! [`Mode::Production`] there is no outbox and no relay yet, so a verification cannot be
//! prepared there ([`Error::DeliveryNotConfigured`]).

use std::time::Duration;

use serde::Serialize;
use sqlx::SqliteConnection;

use crate::config::Mode;
use crate::error::{Error, Result};
use crate::store;

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum OutboxChannel {
    /// An email.
    Email,
    /// A text message.
    Sms,
}

impl OutboxChannel {
    /// `email` or `sms`, as stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxChannel::Email => "email",
            OutboxChannel::Sms => "sms",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "email" => Some(OutboxChannel::Email),
            "sms" => Some(OutboxChannel::Sms),
            _ => None,
        }
    }
}

/// One email or SMS the server would have sent (development mode only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OutboxMessage {
    /// Its id (`msg_…`).
    pub id: String,
    /// The email address or E.164 phone number it is for.
    pub to: String,
    /// Email or SMS.
    pub channel: OutboxChannel,
    /// The one-time code it carries, if any.
    pub code: Option<String>,
    /// The verification link it carries, if any.
    pub link: Option<String>,
    /// When it was "sent" (Unix ms).
    pub sent_at: i64,
    /// The email's subject (for an SMS, a short description).
    pub subject: String,
    /// The text a person would read.
    pub body: String,
}

/// A message about to be sent.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub to: String,
    pub channel: OutboxChannel,
    pub code: Option<String>,
    pub link: Option<String>,
    pub subject: String,
    pub body: String,
}

/// "10 minutes", "1 minute", "45 seconds".
fn lifetime_text(lifetime: Duration) -> String {
    let secs = lifetime.as_secs();
    let (n, unit) =
        if secs >= 60 && secs.is_multiple_of(60) { (secs / 60, "minute") } else { (secs.max(1), "second") };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

impl Outgoing {
    /// The email with a code that verifies `address`.
    pub fn email_code(address: &str, code: &str, lifetime: Duration) -> Self {
        Self {
            to: address.to_owned(),
            channel: OutboxChannel::Email,
            code: Some(code.to_owned()),
            link: None,
            subject: format!("{code} is your Userdesk verification code"),
            body: format!(
                "Enter this code to verify {address}:\n\n{code}\n\nIt works once and expires in {}. \
                 If you did not ask for it, ignore this email.",
                lifetime_text(lifetime)
            ),
        }
    }

    /// The email with a link that verifies `address`.
    pub fn email_link(address: &str, link: &str, lifetime: Duration) -> Self {
        Self {
            to: address.to_owned(),
            channel: OutboxChannel::Email,
            code: None,
            link: Some(link.to_owned()),
            subject: "Verify your email address".to_owned(),
            body: format!(
                "Open this link to verify {address}:\n\n{link}\n\nIt works once and expires in {}. \
                 If you did not ask for it, ignore this email.",
                lifetime_text(lifetime)
            ),
        }
    }

    /// The email with a link that signs its owner in (a sign-in's `email_link` first factor).
    pub fn sign_in_link(address: &str, link: &str, lifetime: Duration) -> Self {
        Self {
            subject: "Your Userdesk sign-in link".to_owned(),
            body: format!(
                "Open this link to sign in to Userdesk:\n\n{link}\n\nIt works once and expires in {}. \
                 If you did not ask for it, ignore this email: nobody can sign in without it.",
                lifetime_text(lifetime)
            ),
            ..Self::email_link(address, link, lifetime)
        }
    }

    /// The SMS with a code that verifies `number`.
    pub fn sms_code(number: &str, code: &str, lifetime: Duration) -> Self {
        Self {
            to: number.to_owned(),
            channel: OutboxChannel::Sms,
            code: Some(code.to_owned()),
            link: None,
            subject: "Verification code (SMS)".to_owned(),
            body: format!(
                "{code} is your Userdesk verification code. It expires in {}.",
                lifetime_text(lifetime)
            ),
        }
    }
}

/// Fails unless this instance can deliver on `channel` (checked before anything is written).
pub(crate) fn ensure_deliverable(mode: Mode, channel: OutboxChannel) -> Result<()> {
    match mode {
        Mode::Development | Mode::Desktop => Ok(()),
        Mode::Production => Err(Error::DeliveryNotConfigured(match channel {
            OutboxChannel::Email => "email",
            OutboxChannel::Sms => "SMS",
        })),
    }
}

/// Sends `message`: in development, records it in the outbox as part of the caller's
/// transaction, so a message exists exactly when the verification it carries does.
pub(crate) async fn send(conn: &mut SqliteConnection, mode: Mode, message: Outgoing) -> Result<()> {
    ensure_deliverable(mode, message.channel)?;
    let id = store::outbox::insert(conn, &message).await?;
    tracing::info!(outbox = %id, to = %message.to, channel = message.channel.as_str(), "recorded in the development outbox");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_read_naturally() {
        assert_eq!(lifetime_text(Duration::from_secs(600)), "10 minutes");
        assert_eq!(lifetime_text(Duration::from_secs(60)), "1 minute");
        assert_eq!(lifetime_text(Duration::from_secs(90)), "90 seconds");
        assert_eq!(lifetime_text(Duration::from_millis(300)), "1 second");
    }

    #[test]
    fn messages_carry_what_they_say() {
        let email = Outgoing::email_code("a@example.com", "012345", Duration::from_secs(600));
        assert!(email.subject.contains("012345"));
        assert!(email.body.contains("a@example.com") && email.body.contains("10 minutes"));
        let sms = Outgoing::sms_code("+14155550100", "999999", Duration::from_secs(600));
        assert_eq!(sms.channel, OutboxChannel::Sms);
        assert!(sms.body.starts_with("999999"));
        assert!(ensure_deliverable(Mode::Production, OutboxChannel::Sms).is_err());
    }
}
