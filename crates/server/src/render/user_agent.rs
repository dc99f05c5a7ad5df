//! What a `User-Agent` says about the device, for the list of active sessions: the app or browser
//! and its version, the device (operating system) and whether it is a phone or tablet.
//!
//! A small hand parser rather than a database of agents: it knows Userdesk's own agent
//! (`Userdesk/<version> (<OS>)`) and the common browsers (Chrome, Edge, Firefox, Safari, Opera),
//! and falls back to the first `product/version` token, so a client such as
//! `userdesk-fapi/0.1.0` still shows by name.

/// The parts of an agent the session list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Device {
    /// `Userdesk`, `Chrome`, `Safari`, …
    pub browser_name: Option<String>,
    /// `0.1.0`, `124.0.6367.91`, …
    pub browser_version: Option<String>,
    /// `Linux`, `Windows`, `Macintosh`, `iPhone`, `iPad`, `Android`, `ChromeOS`, …
    pub device_type: Option<String>,
    /// Phones and tablets.
    pub is_mobile: bool,
}

/// Browsers by the token that names them, most specific first: Edge and Opera agents also say
/// `Chrome` and `Safari`, Chrome's also says `Safari`.
const BROWSERS: [(&str, &str); 10] = [
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Version/", "Safari"),
];

/// The version after `token` (up to the next space, `;` or `)`).
fn version_after<'a>(agent: &'a str, token: &str) -> Option<&'a str> {
    let start = agent.find(token)? + token.len();
    let rest = &agent[start..];
    let end = rest.find([' ', ';', ')']).unwrap_or(rest.len());
    Some(&rest[..end]).filter(|version| !version.is_empty())
}

/// The first parenthesised comment of an agent: `Windows NT 10.0; Win64; x64`.
fn platform(agent: &str) -> Option<&str> {
    let start = agent.find('(')? + 1;
    let end = agent[start..].find(')')? + start;
    Some(agent[start..end].trim())
}

/// The device an agent's platform comment names, and whether it is mobile.
fn device_of(platform: &str) -> (Option<&'static str>, bool) {
    let has = |needle: &str| platform.to_ascii_lowercase().contains(&needle.to_ascii_lowercase());
    if has("iPhone") || has("iPod") {
        (Some("iPhone"), true)
    } else if has("iPad") {
        (Some("iPad"), true)
    } else if has("Android") {
        (Some("Android"), true)
    } else if has("Windows") {
        (Some("Windows"), false)
    } else if has("Macintosh") || has("Mac OS X") || has("macOS") {
        (Some("Macintosh"), false)
    } else if has("CrOS") || has("ChromeOS") {
        (Some("ChromeOS"), false)
    } else if has("Linux") || has("X11") || has("Ubuntu") || has("Fedora") {
        (Some("Linux"), false)
    } else if has("FreeBSD") || has("OpenBSD") || has("NetBSD") {
        (Some("BSD"), false)
    } else {
        (None, false)
    }
}

/// Reads an agent. Unknown parts stay `None`.
pub fn parse(agent: &str) -> Device {
    let agent = agent.trim();
    if agent.is_empty() {
        return Device::default();
    }
    let comment = platform(agent);
    let (device, mut is_mobile) = comment.map(device_of).unwrap_or((None, false));
    if agent.contains("Mobile") || agent.contains("Mobi/") {
        is_mobile = true;
    }

    // Userdesk's own agent: `Userdesk/<version> (<OS>)`; the OS is shown as the app says it
    // ("Linux", "macOS", "Windows"), whatever else the comment holds.
    if let Some(rest) = agent.strip_prefix("Userdesk/") {
        let version = rest.split([' ', '(']).next().filter(|v| !v.is_empty());
        let os = comment.and_then(|c| c.split(';').next()).map(str::trim).filter(|os| !os.is_empty());
        return Device {
            browser_name: Some("Userdesk".into()),
            browser_version: version.map(str::to_owned),
            device_type: os.map(str::to_owned).or(device.map(str::to_owned)),
            is_mobile,
        };
    }

    let browser = if agent.starts_with("Mozilla/") {
        BROWSERS.iter().find(|(token, name)| {
            // `Version/…` marks Safari only together with `Safari/`.
            agent.contains(token) && (*name != "Safari" || agent.contains("Safari/"))
        })
    } else {
        None
    };
    let (browser_name, browser_version) = match browser {
        Some((token, name)) => (Some((*name).to_owned()), version_after(agent, token).map(str::to_owned)),
        None => {
            // Any other client: its first product token, `name/version`.
            let first = agent.split_whitespace().next().unwrap_or(agent);
            match first.split_once('/') {
                Some((name, version)) if !name.is_empty() && name != "Mozilla" => {
                    (Some(name.to_owned()), Some(version.to_owned()).filter(|v| !v.is_empty()))
                }
                _ => (None, None),
            }
        }
    };
    Device { browser_name, browser_version, device_type: device.map(str::to_owned), is_mobile }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(agent: &str) -> (Option<String>, Option<String>, Option<String>, bool) {
        let device = parse(agent);
        (device.browser_name, device.browser_version, device.device_type, device.is_mobile)
    }

    fn expect(
        name: &str,
        version: &str,
        device: &str,
        mobile: bool,
    ) -> (Option<String>, Option<String>, Option<String>, bool) {
        (Some(name.into()), Some(version.into()), Some(device.into()), mobile)
    }

    #[test]
    fn userdesks_own_agent() {
        assert_eq!(seen("Userdesk/0.1.0 (Linux)"), expect("Userdesk", "0.1.0", "Linux", false));
        assert_eq!(seen("Userdesk/1.2.3 (macOS; aarch64)"), expect("Userdesk", "1.2.3", "macOS", false));
        assert_eq!(seen("Userdesk/0.1.0 (Windows)"), expect("Userdesk", "0.1.0", "Windows", false));
        assert_eq!(seen("Userdesk/0.1.0"), (Some("Userdesk".into()), Some("0.1.0".into()), None, false));
    }

    #[test]
    fn common_browsers() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.91 Safari/537.36";
        assert_eq!(seen(chrome), expect("Chrome", "124.0.6367.91", "Windows", false));
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67";
        assert_eq!(seen(edge), expect("Edge", "124.0.2478.67", "Windows", false));
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
        assert_eq!(seen(firefox), expect("Firefox", "125.0", "Linux", false));
        let safari = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15";
        assert_eq!(seen(safari), expect("Safari", "17.4.1", "Macintosh", false));
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
        assert_eq!(seen(iphone), expect("Safari", "17.4", "iPhone", true));
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36";
        assert_eq!(seen(android), expect("Chrome", "124.0.6367.82", "Android", true));
        let ipad_chrome = "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1";
        assert_eq!(seen(ipad_chrome), expect("Chrome", "124.0.6367.88", "iPad", true));
        let opera = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36 OPR/109.0.0.0";
        assert_eq!(seen(opera), expect("Opera", "109.0.0.0", "Linux", false));
        let chromebook = "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
        assert_eq!(seen(chromebook), expect("Chrome", "124.0.0.0", "ChromeOS", false));
    }

    #[test]
    fn other_clients_and_junk() {
        assert_eq!(
            seen("userdesk-fapi/0.1.0"),
            (Some("userdesk-fapi".into()), Some("0.1.0".into()), None, false)
        );
        assert_eq!(seen("curl/8.5.0"), (Some("curl".into()), Some("8.5.0".into()), None, false));
        assert_eq!(seen(""), (None, None, None, false));
        assert_eq!(seen("((("), (None, None, None, false));
        assert_eq!(seen("Mozilla/5.0 (compatible)").0, None);
    }
}
