//! The few HTML pages the server shows a person in a browser (the email link's result, the
//! development outbox): one small self-contained layout, light and dark, no scripts, and every
//! value escaped.

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
