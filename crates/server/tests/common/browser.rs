//! A browser for OAuth round trips, as the person's system browser plays it: it follows
//! redirects one at a time (so each hop can be looked at), reads the development provider's
//! consent page, and submits its form as a person would (hidden fields, edited text fields,
//! checked boxes, the chosen option, the button pressed). It stops at the first URL that is not
//! `http(s)`: the app's deep link.

use reqwest::header::{ACCEPT, LOCATION};
use reqwest::StatusCode;

/// Where the browser stopped.
#[derive(Debug, Clone)]
pub enum Landed {
    /// A URL the browser hands to another app (the deep link).
    App(String),
    /// A page.
    Page { url: String, status: StatusCode, body: String },
}

impl Landed {
    /// The deep link, or a panic saying where the browser is instead.
    #[track_caller]
    pub fn deep_link(&self) -> &str {
        match self {
            Landed::App(url) => url,
            Landed::Page { url, status, body } => {
                panic!("expected the app's deep link, got {status} {url}:\n{body}")
            }
        }
    }

    /// The page, or a panic.
    #[track_caller]
    pub fn page(&self) -> (&str, StatusCode, &str) {
        match self {
            Landed::Page { url, status, body } => (url, *status, body),
            Landed::App(url) => panic!("expected a page, got the deep link {url}"),
        }
    }
}

/// What the person does on the consent page.
#[derive(Debug, Clone, Default)]
pub struct Consent {
    approve: bool,
    edits: Vec<(String, String)>,
    unchecked: Vec<String>,
}

impl Consent {
    /// Approve, changing nothing.
    pub fn approve() -> Self {
        Self { approve: true, ..Self::default() }
    }

    /// Deny.
    pub fn deny() -> Self {
        Self::default()
    }

    /// Types `value` into the field `name` (`first_name`, `email`, `username`, `avatar_url`, …)
    /// or chooses it (`simulate`).
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.edits.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Chooses a way for the round trip to fail (`token_error`, `userinfo_garbage`, …).
    pub fn simulate(self, what: &str) -> Self {
        self.with("simulate", what)
    }

    /// Unticks a checkbox (a scope: `grant:<scope>`, or `email_verified`).
    pub fn untick(mut self, name: &str) -> Self {
        self.unchecked.push(name.to_owned());
        self
    }
}

/// A form control.
#[derive(Debug, Clone)]
struct Control {
    tag: String,
    kind: String,
    name: String,
    value: String,
    checked: bool,
}

/// A page's (first) form: its action and controls.
#[derive(Debug, Clone)]
pub struct Form {
    pub action: String,
    controls: Vec<Control>,
    /// `select` name → its options' values, the selected one first if any.
    selects: Vec<(String, Vec<String>, Option<String>)>,
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The attributes of a tag's text (`<input type="x" name="y" checked>`).
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag.trim_start_matches('<');
    rest = rest.trim_start_matches(|c: char| c.is_ascii_alphanumeric());
    loop {
        rest = rest.trim_start();
        if rest.is_empty() || rest.starts_with('>') || rest.starts_with("/>") {
            break;
        }
        let end = rest.find(|c: char| c == '=' || c.is_whitespace() || c == '>').unwrap_or(rest.len());
        let name = rest[..end].to_ascii_lowercase();
        rest = &rest[end..];
        if let Some(after) = rest.strip_prefix("=\"") {
            let close = after.find('"').expect("a closing quote");
            out.push((name, unescape(&after[..close])));
            rest = &after[close + 1..];
        } else {
            out.push((name, String::new()));
        }
    }
    out
}

fn attribute<'a>(attributes: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

impl Form {
    /// Reads the first `<form>` of `html`.
    pub fn parse(html: &str) -> Self {
        let start = html.find("<form").expect("the page has a form");
        let end = html[start..].find("</form>").map(|i| start + i).expect("the form ends");
        let form = &html[start..end];
        let tag_end = form.find('>').expect("the form tag ends");
        let action = attribute(&attributes(&form[..=tag_end]), "action").expect("an action").to_owned();
        let mut controls = Vec::new();
        let mut selects = Vec::new();
        let mut at = 0;
        while let Some(offset) = form[at..].find('<') {
            let open = at + offset;
            let close = open + form[open..].find('>').expect("tags end");
            let tag = &form[open..=close];
            let name_of = |tag: &str| {
                tag.trim_start_matches('<')
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase()
            };
            let tag_name = name_of(tag);
            let attrs = attributes(tag);
            match tag_name.as_str() {
                "input" | "button" => controls.push(Control {
                    tag: tag_name.clone(),
                    kind: attribute(&attrs, "type").unwrap_or("text").to_owned(),
                    name: attribute(&attrs, "name").unwrap_or("").to_owned(),
                    value: attribute(&attrs, "value").unwrap_or("").to_owned(),
                    checked: attribute(&attrs, "checked").is_some(),
                }),
                "select" => {
                    selects.push((attribute(&attrs, "name").unwrap_or("").to_owned(), Vec::new(), None))
                }
                "option" => {
                    if let Some((_, options, selected)) = selects.last_mut() {
                        let value = attribute(&attrs, "value").unwrap_or("").to_owned();
                        if attribute(&attrs, "selected").is_some() {
                            *selected = Some(value.clone());
                        }
                        options.push(value);
                    }
                }
                _ => {}
            }
            at = close + 1;
        }
        Self { action, controls, selects }
    }

    /// The names of the checkboxes, ticked or not.
    pub fn checkboxes(&self) -> Vec<(String, bool)> {
        self.controls.iter().filter(|c| c.kind == "checkbox").map(|c| (c.name.clone(), c.checked)).collect()
    }

    /// A field's value as the page shows it.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.controls.iter().find(|c| c.name == name && c.tag == "input").map(|c| c.value.as_str())
    }

    /// The pairs a browser submits when `button` (`name`, `value`) is pressed after `consent`'s edits.
    pub fn submission(&self, consent: &Consent, button: (&str, &str)) -> Vec<(String, String)> {
        let edited = |name: &str, value: &str| {
            consent
                .edits
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| value.to_owned())
        };
        let mut pairs = Vec::new();
        for control in &self.controls {
            if control.name.is_empty() || control.tag == "button" {
                continue;
            }
            match control.kind.as_str() {
                "checkbox" => {
                    if control.checked && !consent.unchecked.contains(&control.name) {
                        pairs.push((
                            control.name.clone(),
                            if control.value.is_empty() { "on".into() } else { control.value.clone() },
                        ));
                    }
                }
                "submit" => {}
                _ => pairs.push((control.name.clone(), edited(&control.name, &control.value))),
            }
        }
        for (name, options, selected) in &self.selects {
            let chosen = selected.clone().or_else(|| options.first().cloned()).unwrap_or_default();
            pairs.push((name.clone(), edited(name, &chosen)));
        }
        pairs.push((button.0.to_owned(), button.1.to_owned()));
        pairs
    }
}

/// The browser.
pub struct Browser {
    http: reqwest::Client,
    /// Every URL it went to, in order.
    pub history: Vec<String>,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    /// A browser with no cookies and no automatic redirects.
    pub fn new() -> Self {
        let http =
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Self { http, history: Vec::new() }
    }

    async fn land(&mut self, mut response: reqwest::Response) -> Landed {
        loop {
            let url = response.url().to_string();
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .expect("a redirect says where")
                    .to_owned();
                let next = response.url().join(&location).expect("a valid Location").to_string();
                if !next.starts_with("http://") && !next.starts_with("https://") {
                    self.history.push(next.clone());
                    return Landed::App(next);
                }
                self.history.push(next.clone());
                response =
                    self.http.get(&next).header(ACCEPT, "text/html").send().await.expect("the page loads");
                continue;
            }
            let body = response.text().await.expect("a body");
            return Landed::Page { url, status, body };
        }
    }

    /// Goes to `url` and follows redirects.
    pub async fn visit(&mut self, url: &str) -> Landed {
        self.history.push(url.to_owned());
        let response = self.http.get(url).header(ACCEPT, "text/html").send().await.expect("the page loads");
        self.land(response).await
    }

    /// Submits the form of the page at `page_url` as `consent` says, and follows redirects.
    pub async fn consent(&mut self, page_url: &str, html: &str, consent: &Consent) -> Landed {
        let form = Form::parse(html);
        let button = ("decision", if consent.approve { "approve" } else { "deny" });
        let action =
            url::Url::parse(page_url).expect("page url").join(&form.action).expect("action").to_string();
        self.history.push(action.clone());
        let response = self
            .http
            .post(&action)
            .header(ACCEPT, "text/html")
            .form(&form.submission(consent, button))
            .send()
            .await
            .expect("the form posts");
        self.land(response).await
    }

    /// The whole browser part of a round trip: the provider's page at `authorize_url`, the
    /// person's `consent`, and the redirects back to the app (or to a page where it stopped).
    pub async fn round_trip(&mut self, authorize_url: &str, consent: &Consent) -> Landed {
        let landed = self.visit(authorize_url).await;
        let (url, status, body) = landed.page();
        assert_eq!(status, StatusCode::OK, "the consent page: {body}");
        let (url, body) = (url.to_owned(), body.to_owned());
        self.consent(&url, &body, consent).await
    }

    /// The server's callback URL this browser went through (with `code` and `state`).
    pub fn callback_url(&self) -> Option<&str> {
        self.history.iter().map(String::as_str).find(|url| url.contains("/v1/oauth_callback?"))
    }
}
