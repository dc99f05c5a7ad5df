//! What the server knows about the seed's providers: their names, the scopes they usually ask
//! for, the public endpoints of those that need no discovery, and the made-up person each one's
//! development provider proposes.

use super::config::UserInfoFormat;

/// A known provider.
#[derive(Debug, Clone, Copy)]
pub struct KnownProvider {
    /// The provider part of the strategy (`github`).
    pub key: &'static str,
    /// Its name as people know it.
    pub name: &'static str,
    /// The scopes it is usually asked for.
    pub scopes: &'static [&'static str],
    /// The development provider's test identity: first name, last name, username.
    pub persona: (&'static str, &'static str, &'static str),
    /// Its brand colour (the development avatar's background).
    pub colour: &'static str,
}

/// The seed's providers, in its order.
pub const KNOWN: [KnownProvider; 14] = [
    KnownProvider {
        key: "facebook",
        name: "Facebook",
        scopes: &["email", "public_profile"],
        persona: ("Sofia", "Marquez", "sofia.marquez"),
        colour: "#1877f2",
    },
    KnownProvider {
        key: "github",
        name: "GitHub",
        scopes: &["read:user", "user:email"],
        persona: ("Devon", "Okafor", "devokafor"),
        colour: "#24292f",
    },
    KnownProvider {
        key: "google",
        name: "Google",
        scopes: &["openid", "email", "profile"],
        persona: ("Priya", "Raman", "priya.raman"),
        colour: "#4285f4",
    },
    KnownProvider {
        key: "hubspot",
        name: "HubSpot",
        scopes: &["oauth"],
        persona: ("Liam", "Becker", "liam.becker"),
        colour: "#ff7a59",
    },
    KnownProvider {
        key: "tiktok",
        name: "TikTok",
        scopes: &["user.info.basic"],
        persona: ("Mei", "Tanaka", "meitanaka"),
        colour: "#010101",
    },
    KnownProvider {
        key: "gitlab",
        name: "GitLab",
        scopes: &["read_user"],
        persona: ("Jonas", "Lindqvist", "jlindqvist"),
        colour: "#fc6d26",
    },
    KnownProvider {
        key: "discord",
        name: "Discord",
        scopes: &["identify", "email"],
        persona: ("Amara", "Nwosu", "amara_n"),
        colour: "#5865f2",
    },
    KnownProvider {
        key: "twitter",
        name: "X / Twitter",
        scopes: &["users.read", "tweet.read"],
        persona: ("Lucas", "Moreau", "lucasmoreau"),
        colour: "#14171a",
    },
    KnownProvider {
        key: "twitch",
        name: "Twitch",
        scopes: &["user:read:email"],
        persona: ("Kenji", "Watanabe", "kenjiplays"),
        colour: "#9146ff",
    },
    KnownProvider {
        key: "linkedin",
        name: "LinkedIn",
        scopes: &["openid", "profile", "email"],
        persona: ("Hannah", "Schulz", "hannah-schulz"),
        colour: "#0a66c2",
    },
    KnownProvider {
        key: "dropbox",
        name: "Dropbox",
        scopes: &["account_info.read"],
        persona: ("Omar", "Haddad", "omar.haddad"),
        colour: "#0061fe",
    },
    KnownProvider {
        key: "bitbucket",
        name: "Bitbucket",
        scopes: &["account", "email"],
        persona: ("Elena", "Petrova", "epetrova"),
        colour: "#0052cc",
    },
    KnownProvider {
        key: "microsoft",
        name: "Microsoft",
        scopes: &["openid", "email", "profile"],
        persona: ("Daniel", "Kim", "daniel.kim"),
        colour: "#2f2f2f",
    },
    KnownProvider {
        key: "notion",
        name: "Notion",
        scopes: &[],
        persona: ("Chloe", "Dubois", "chloe.dubois"),
        colour: "#37352f",
    },
];

/// The known provider of a strategy (`oauth_github` → GitHub).
pub fn known(strategy: &str) -> Option<&'static KnownProvider> {
    let key = strategy.strip_prefix("oauth_")?;
    KNOWN.iter().find(|provider| provider.key == key)
}

/// Public endpoints of real providers, used when a configuration names neither an issuer nor
/// endpoints.
pub enum Preset {
    /// OIDC discovery from this issuer.
    Issuer(&'static str),
    /// Fixed endpoints (authorize, token, user info) and the user-info format.
    Endpoints(&'static str, &'static str, &'static str, UserInfoFormat),
}

/// The preset of a strategy, if the server knows one.
pub fn preset(strategy: &str) -> Option<Preset> {
    match strategy {
        "oauth_github" => Some(Preset::Endpoints(
            "https://github.com/login/oauth/authorize",
            "https://github.com/login/oauth/access_token",
            "https://api.github.com/user",
            UserInfoFormat::Github,
        )),
        "oauth_google" => Some(Preset::Issuer("https://accounts.google.com")),
        "oauth_gitlab" => Some(Preset::Issuer("https://gitlab.com")),
        _ => None,
    }
}

/// The name shown for a strategy without a configured one: the known provider's, or the custom
/// part in title case (`oauth_custom_acme_sso` → `Acme Sso`).
pub fn display_name(strategy: &str) -> String {
    if let Some(known) = known(strategy) {
        return known.name.to_owned();
    }
    let rest = strategy
        .strip_prefix("oauth_custom_")
        .or_else(|| strategy.strip_prefix("oauth_"))
        .unwrap_or(strategy);
    rest.split('_')
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `true` for a strategy of the form the spec allows: `oauth_` or `oauth_custom_` and then
/// lower-case letters, digits and `_`.
pub fn is_strategy(strategy: &str) -> bool {
    strategy.strip_prefix("oauth_").is_some_and(|rest| {
        !rest.is_empty()
            && !rest.starts_with("token_")
            && rest != "custom_"
            && rest.len() <= 64
            && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_providers_are_all_known_with_different_people() {
        for key in userdesk_fapi::models::OAUTH_PROVIDERS {
            assert!(known(&format!("oauth_{key}")).is_some(), "{key}");
        }
        let mut emails: Vec<_> = KNOWN.iter().map(|p| p.persona.2).collect();
        emails.sort_unstable();
        emails.dedup();
        assert_eq!(emails.len(), KNOWN.len());
    }

    #[test]
    fn names_and_strategies() {
        assert_eq!(display_name("oauth_github"), "GitHub");
        assert_eq!(display_name("oauth_custom_acme_sso"), "Acme Sso");
        assert!(is_strategy("oauth_custom_acme"));
        assert!(is_strategy("oauth_github"));
        for bad in ["oauth_", "oauth_Git", "oauth_token_github", "github", "oauth_a-b", "oauth_custom_"] {
            assert!(!is_strategy(bad), "{bad}");
        }
    }
}
