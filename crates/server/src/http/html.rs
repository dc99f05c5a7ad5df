//! The few HTML pages the server shows a person in a browser (the email link's result, the
//! development outbox, the OAuth callback's errors, the development provider's consent page):
//! one small self-contained layout, light and dark, no scripts, and every value escaped.
//!
//! [`protect_pages`] gives every HTML response a Content-Security-Policy that allows nothing but
//! these style sheets (by hash) and forbids framing (clickjacking the consent page's Approve).

use std::sync::LazyLock;

use axum::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_FRAME_OPTIONS};
use axum::http::HeaderValue;
use axum::response::Response;
use sha2::{Digest, Sha256};

/// Escapes text for HTML content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
:root { color-scheme: light dark; --bg: #f6f7f9; --card: #fff; --text: #1c1e21; --muted: #5f6670;
  --line: #e3e6ea; --ok: #1a7f37; --bad: #b42318; --accent: #3b5bdb; }
@media (prefers-color-scheme: dark) { :root { --bg: #16181c; --card: #1f2227; --text: #e8eaed;
  --muted: #a0a6ad; --line: #30343a; --ok: #4ac26b; --bad: #ff6b5e; --accent: #8ea6ff; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
main { max-width: 46rem; margin: 4rem auto; padding: 0 1rem; }
main.wide { max-width: 76rem; margin-top: 2rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 1.5rem 1.75rem; }
h1 { font-size: 1.35rem; margin: 0 0 .5rem; }
h1.ok { color: var(--ok); } h1.bad { color: var(--bad); }
p { margin: .5rem 0; color: var(--muted); }
table { width: 100%; border-collapse: collapse; margin-top: 1rem; font-size: 14px; table-layout: fixed; }
th, td { text-align: left; vertical-align: top; padding: .55rem .5rem; border-top: 1px solid var(--line);
  overflow-wrap: anywhere; }
col.when { width: 7.5rem; } col.to { width: 15rem; } col.carries { width: 16rem; }
th { color: var(--muted); font-weight: 600; }
code { font: 600 1.05em ui-monospace, SFMono-Regular, Menlo, monospace; letter-spacing: .08em; }
a { color: var(--accent); word-break: break-all; }
.tag { display: inline-block; padding: 0 .45rem; border-radius: 999px; border: 1px solid var(--line);
  color: var(--muted); font-size: 12px; }
";

/// The development provider's consent form's style sheet (in its own `<style>` element).
pub const FORM_STYLE: &str = "
form { margin-top: 1rem; }
fieldset { border: 1px solid var(--line); border-radius: 10px; margin: 0 0 1rem; padding: .75rem 1rem 1rem; }
legend { color: var(--muted); font-weight: 600; padding: 0 .35rem; }
label { display: block; margin: .55rem 0 .2rem; font-weight: 600; font-size: 14px; }
label.check { display: flex; gap: .5rem; align-items: center; font-weight: 400; margin: .35rem 0; }
input[type=text], input[type=email], input[type=url], select { width: 100%; padding: .5rem .6rem; font: inherit;
  color: var(--text); background: var(--bg); border: 1px solid var(--line); border-radius: 8px; }
input:focus-visible, select:focus-visible, button:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1rem; }
.actions { display: flex; gap: .75rem; justify-content: flex-end; margin-top: 1.25rem; }
button { font: inherit; font-weight: 600; padding: .55rem 1.2rem; border-radius: 8px; cursor: pointer;
  border: 1px solid var(--line); background: var(--card); color: var(--text); }
button.approve { background: var(--accent); border-color: var(--accent); color: #fff; }
.note { font-size: 13px; }
.error { color: var(--bad); font-weight: 600; }
summary { cursor: pointer; color: var(--muted); }
code.scope { letter-spacing: 0; font-size: 14px; }
";

/// The policy of every HTML page: nothing loads (no scripts, images, fonts or frames), the two
/// inline style sheets above run by their hashes, the page cannot be framed, no `<base>`.
/// No `form-action`: the consent form's answer is redirected on to the app's own scheme or a
/// loopback page, and browsers apply `form-action` to those redirects too.
static PAGE_POLICY: LazyLock<HeaderValue> = LazyLock::new(|| {
    let hashes: Vec<String> = [STYLE, FORM_STYLE]
        .iter()
        .map(|css| format!("'sha256-{}'", data_encoding::BASE64.encode(&Sha256::digest(css.as_bytes()))))
        .collect();
    let policy = format!(
        "default-src 'none'; style-src {}; frame-ancestors 'none'; base-uri 'none'",
        hashes.join(" ")
    );
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"))
});

/// For the outermost layer (`api::router`): an HTML response gets [`PAGE_POLICY`] and
/// `X-Frame-Options: DENY` (for browsers without `frame-ancestors`), whichever handler made it.
pub fn protect_pages(response: &mut Response) {
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().to_ascii_lowercase().starts_with("text/html"));
    if is_html {
        let headers = response.headers_mut();
        headers.insert(CONTENT_SECURITY_POLICY, PAGE_POLICY.clone());
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
}

/// Whether a page reports success or a problem (colours its heading).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Ok,
    Problem,
    Plain,
}

/// A whole page: `title` and `heading` are text (escaped here); `body` is HTML the caller built
/// from escaped parts.
pub fn page(title: &str, heading: &str, tone: Tone, body: &str) -> String {
    layout(title, heading, tone, body, "")
}

/// [`page`] with room for a table.
pub fn wide_page(title: &str, heading: &str, tone: Tone, body: &str) -> String {
    layout(title, heading, tone, body, " class=\"wide\"")
}

fn layout(title: &str, heading: &str, tone: Tone, body: &str, main_class: &str) -> String {
    let class = match tone {
        Tone::Ok => " class=\"ok\"",
        Tone::Problem => " class=\"bad\"",
        Tone::Plain => "",
    };
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{} · Userdesk</title><style>{STYLE}</style></head>\
         <body><main{main_class}><div class=\"card\"><h1{class}>{}</h1>{body}</div></main></body></html>\n",
        escape(title),
        escape(heading),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        let html = page("<t>", "<h>", Tone::Ok, "<p>ok</p>");
        assert!(
            html.contains("&lt;t&gt; · Userdesk") && html.contains("&lt;h&gt;") && html.contains("<p>ok</p>")
        );
    }
}
