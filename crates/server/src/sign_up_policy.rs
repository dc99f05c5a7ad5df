//! What an instance asks of people who create an account ([`crate::Config::sign_up`]): which
//! fields it takes and requires, how email addresses are verified, and whether the legal terms
//! must be accepted. `user_settings` in the environment says the same.

use crate::sign_in_policy::FirstFactors;

/// Whether a sign-up takes a field, and whether it must be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// Not asked for, and refused if given.
    Off,
    /// Taken if given.
    Optional,
    /// The sign-up cannot complete without it.
    Required,
}

impl Requirement {
    /// `true` unless [`Requirement::Off`].
    pub fn enabled(self) -> bool {
        self != Requirement::Off
    }

    /// `true` for [`Requirement::Required`].
    pub fn required(self) -> bool {
        self == Requirement::Required
    }
}

/// The legal terms a person accepts by signing up (`legal_accepted`), with where to read them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LegalConsent {
    /// The terms of service (`display_config.terms_url`).
    pub terms_url: Option<String>,
    /// The privacy policy (`display_config.privacy_policy_url`).
    pub privacy_policy_url: Option<String>,
}

/// The sign-up fields, as Clerk names them.
pub const FIELDS: [&str; 6] =
    ["email_address", "phone_number", "username", "first_name", "last_name", "password"];

/// A sign-up's settings. The default is what Userdesk's environment always said: an email
/// address (verified by an emailed code) and a password required; a phone number (verified by an
/// SMS code), a username and names optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUpSettings {
    pub email_address: Requirement,
    /// Verified by an SMS code (`phone_code`).
    pub phone_number: Requirement,
    pub username: Requirement,
    pub first_name: Requirement,
    pub last_name: Requirement,
    /// Never more than [`Requirement::Off`] on an instance whose first factors have no password
    /// ([`SignUpSettings::for_first_factors`]).
    pub password: Requirement,
    /// The email address may be verified by a code (`email_code`).
    pub email_code: bool,
    /// The email address may be verified by a link (`email_link`), which completes the sign-up
    /// in the browser; the client learns of it by reading the sign-up again.
    pub email_link: bool,
    /// `Some`: a sign-up completes only with `legal_accepted=true`.
    pub legal_consent: Option<LegalConsent>,
}

impl Default for SignUpSettings {
    fn default() -> Self {
        Self {
            email_address: Requirement::Required,
            phone_number: Requirement::Optional,
            username: Requirement::Optional,
            first_name: Requirement::Optional,
            last_name: Requirement::Optional,
            password: Requirement::Required,
            email_code: true,
            email_link: false,
            legal_consent: None,
        }
    }
}

impl SignUpSettings {
    /// The requirement of `field` (one of [`FIELDS`]); `Off` for any other name.
    pub fn requirement(&self, field: &str) -> Requirement {
        match field {
            "email_address" => self.email_address,
            "phone_number" => self.phone_number,
            "username" => self.username,
            "first_name" => self.first_name,
            "last_name" => self.last_name,
            "password" => self.password,
            _ => Requirement::Off,
        }
    }

    /// The fields a sign-up must give, in [`FIELDS`]' order, then `legal_accepted` when consent
    /// is asked (as Clerk lists it).
    pub fn required_fields(&self) -> Vec<&'static str> {
        let mut fields: Vec<&'static str> =
            FIELDS.into_iter().filter(|field| self.requirement(field).required()).collect();
        if self.legal_consent.is_some() {
            fields.push("legal_accepted");
        }
        fields
    }

    /// The fields a sign-up may give besides.
    pub fn optional_fields(&self) -> Vec<&'static str> {
        FIELDS.into_iter().filter(|field| self.requirement(field) == Requirement::Optional).collect()
    }

    /// The email verification strategies, in Clerk's order.
    pub fn email_strategies(&self) -> Vec<&'static str> {
        [("email_code", self.email_code), ("email_link", self.email_link)]
            .into_iter()
            .filter_map(|(strategy, on)| on.then_some(strategy))
            .collect()
    }

    /// The settings as the server applies them beside `first_factors`: without password sign-in
    /// a sign-up takes no password (nobody could use it). Refused (the reason as text) when an
    /// enabled email address has no way to be verified, or when no required identifier would let
    /// the new user sign in.
    pub fn for_first_factors(&self, first_factors: FirstFactors) -> Result<Self, String> {
        let mut settings = self.clone();
        if !first_factors.password {
            settings.password = Requirement::Off;
        }
        if settings.email_address.enabled() && !settings.email_code && !settings.email_link {
            return Err("sign-up: an email address needs email_code or email_link to be verified".into());
        }
        let signs_in = (settings.email_address.required() && first_factors.email_identifies())
            || (settings.phone_number.required() && first_factors.phone_code)
            || (settings.username.required() && settings.password.required());
        if !signs_in {
            return Err("sign-up: no required field would let the new user sign in (require an email address, a phone number with phone_code, or a username with a password)".into());
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwordless_instances_take_no_password_at_sign_up() {
        let settings = SignUpSettings::default().for_first_factors(FirstFactors::email_code_only()).unwrap();
        assert_eq!(settings.password, Requirement::Off);
        assert_eq!(settings.required_fields(), vec!["email_address"]);
        assert_eq!(settings.optional_fields(), vec!["phone_number", "username", "first_name", "last_name"]);
    }

    #[test]
    fn settings_nobody_could_sign_in_with_are_refused() {
        let phone_only = SignUpSettings {
            email_address: Requirement::Off,
            phone_number: Requirement::Required,
            ..SignUpSettings::default()
        };
        assert!(phone_only.for_first_factors(FirstFactors::default()).is_err(), "phone_code is off");
        assert!(phone_only.for_first_factors(FirstFactors::all()).is_ok());
        let unverifiable = SignUpSettings { email_code: false, ..SignUpSettings::default() };
        assert!(unverifiable.for_first_factors(FirstFactors::default()).is_err());
        let consent =
            SignUpSettings { legal_consent: Some(LegalConsent::default()), ..SignUpSettings::default() };
        assert_eq!(consent.required_fields(), vec!["email_address", "password", "legal_accepted"]);
    }
}
