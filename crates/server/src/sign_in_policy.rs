//! Which first factors an instance lets people sign in with ([`crate::Config::first_factors`]),
//! and the strategies' names as Clerk spells them.

/// A first-factor strategy this server implements (besides `oauth_*`, which have their own flow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstFactor {
    /// The account's password.
    Password,
    /// A six-digit code emailed to a verified address of the user's.
    EmailCode,
    /// A link emailed to a verified address, opened in a browser.
    EmailLink,
    /// A six-digit code sent by SMS to a verified phone number of the user's.
    PhoneCode,
    /// Forgot password: an emailed code, then a new password.
    ResetPasswordEmailCode,
    /// Forgot password: an SMS code, then a new password.
    ResetPasswordPhoneCode,
}

impl FirstFactor {
    /// Every strategy, in the order a sign-in lists them.
    pub const ALL: [FirstFactor; 6] = [
        FirstFactor::Password,
        FirstFactor::EmailCode,
        FirstFactor::EmailLink,
        FirstFactor::PhoneCode,
        FirstFactor::ResetPasswordEmailCode,
        FirstFactor::ResetPasswordPhoneCode,
    ];

    /// As Clerk names it (`strategy`).
    pub fn as_str(self) -> &'static str {
        match self {
            FirstFactor::Password => "password",
            FirstFactor::EmailCode => "email_code",
            FirstFactor::EmailLink => "email_link",
            FirstFactor::PhoneCode => "phone_code",
            FirstFactor::ResetPasswordEmailCode => "reset_password_email_code",
            FirstFactor::ResetPasswordPhoneCode => "reset_password_phone_code",
        }
    }

    /// Read from a form or the store; `None` for any other strategy.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|factor| factor.as_str() == text)
    }

    /// `true` for the strategies that go to an email address (else a phone number, or neither).
    pub fn uses_email(self) -> bool {
        matches!(self, FirstFactor::EmailCode | FirstFactor::EmailLink | FirstFactor::ResetPasswordEmailCode)
    }

    /// `true` for the strategies that go to a phone number.
    pub fn uses_phone(self) -> bool {
        matches!(self, FirstFactor::PhoneCode | FirstFactor::ResetPasswordPhoneCode)
    }

    /// `true` for the forgot-password strategies.
    pub fn is_reset(self) -> bool {
        matches!(self, FirstFactor::ResetPasswordEmailCode | FirstFactor::ResetPasswordPhoneCode)
    }
}

/// The first factors an instance enables. The default is what Userdesk always offered (a
/// password) plus email codes and forgot-password; [`FirstFactors::email_code_only`] is a
/// passwordless instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstFactors {
    /// Sign in with the account's password (`password`).
    pub password: bool,
    /// A code emailed to a verified address (`email_code`).
    pub email_code: bool,
    /// A link emailed to a verified address (`email_link`).
    pub email_link: bool,
    /// A code sent by SMS to a verified phone number (`phone_code`); verified phone numbers then
    /// identify people too.
    pub phone_code: bool,
    /// Forgot password (`reset_password_email_code`, and `reset_password_phone_code` when
    /// `phone_code` is on); only with `password`.
    pub reset_password: bool,
}

impl Default for FirstFactors {
    fn default() -> Self {
        Self { password: true, email_code: true, email_link: false, phone_code: false, reset_password: true }
    }
}

impl FirstFactors {
    /// A passwordless instance: people sign in with a code emailed to them, and nothing else.
    pub fn email_code_only() -> Self {
        Self {
            password: false,
            email_code: true,
            email_link: false,
            phone_code: false,
            reset_password: false,
        }
    }

    /// Every strategy this server implements.
    pub fn all() -> Self {
        Self { password: true, email_code: true, email_link: true, phone_code: true, reset_password: true }
    }

    /// `true` when the instance enables `factor`.
    pub fn allows(self, factor: FirstFactor) -> bool {
        match factor {
            FirstFactor::Password => self.password,
            FirstFactor::EmailCode => self.email_code,
            FirstFactor::EmailLink => self.email_link,
            FirstFactor::PhoneCode => self.phone_code,
            FirstFactor::ResetPasswordEmailCode => self.password && self.reset_password,
            FirstFactor::ResetPasswordPhoneCode => self.password && self.reset_password && self.phone_code,
        }
    }

    /// The enabled strategies, in [`FirstFactor::ALL`]'s order.
    pub fn enabled(self) -> Vec<FirstFactor> {
        FirstFactor::ALL.into_iter().filter(|factor| self.allows(*factor)).collect()
    }

    /// As a sign-in keeps them (`sign_ins.first_factors`): the strategies, space-separated.
    pub fn stored(self) -> String {
        self.enabled().iter().map(|factor| factor.as_str()).collect::<Vec<_>>().join(" ")
    }

    /// Read back from [`FirstFactors::stored`]; `None` (an OAuth or older sign-in) offers the
    /// password only, as sign-ins did before.
    pub fn from_stored(stored: Option<&str>) -> Self {
        let Some(stored) = stored else {
            return Self {
                password: true,
                email_code: false,
                email_link: false,
                phone_code: false,
                reset_password: false,
            };
        };
        let has = |factor: FirstFactor| stored.split(' ').any(|s| s == factor.as_str());
        Self {
            password: has(FirstFactor::Password),
            email_code: has(FirstFactor::EmailCode),
            email_link: has(FirstFactor::EmailLink),
            phone_code: has(FirstFactor::PhoneCode),
            reset_password: has(FirstFactor::ResetPasswordEmailCode),
        }
    }

    /// `true` when people can sign in with an email address (and a factor that uses it).
    pub fn email_identifies(self) -> bool {
        self.password || self.email_code || self.email_link
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_factors_read_back_the_same() {
        for factors in [FirstFactors::default(), FirstFactors::email_code_only(), FirstFactors::all()] {
            assert_eq!(FirstFactors::from_stored(Some(&factors.stored())), factors);
        }
        assert!(!FirstFactors::email_code_only().allows(FirstFactor::Password));
        assert!(!FirstFactors::email_code_only().allows(FirstFactor::ResetPasswordEmailCode));
        assert!(!FirstFactors::default().allows(FirstFactor::ResetPasswordPhoneCode), "phone codes off");
        let legacy = FirstFactors::from_stored(None);
        assert_eq!(legacy.enabled(), vec![FirstFactor::Password]);
    }
}
