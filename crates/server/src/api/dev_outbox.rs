//! `GET /dev/outbox` and `/dev/outbox.html`: the development outbox, for reading the codes and
//! links the server "sent". Mounted only in development mode (production answers 404).
//!
//! `/dev/outbox` answers JSON (a plain array of [`crate::OutboxMessage`], newest first) unless the
//! request prefers HTML (`Accept: text/html`, as a browser sends); `/dev/outbox.html` is always
//! the page. `?limit=N` (1–500, default 50) bounds the list.

use axum::extract::State;
use axum::http::header::{ACCEPT, CACHE_CONTROL};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::error::{FieldError, Result};
use crate::http::form::Query;
use crate::http::html::{self, Tone};
use crate::outbox::OutboxMessage;
use crate::state::AppState;
use crate::store;

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/dev/outbox", get(negotiated)).route("/dev/outbox.html", get(page))
}

fn limit(query: &Query) -> Result<usize> {
    match query.0.one("limit")? {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(FieldError::format_invalid(
                "limit",
                format!("`limit` must be a number from 1 to {MAX_LIMIT}."),
            )
            .into()),
        },
    }
}

async fn messages(state: &AppState, query: &Query) -> Result<Vec<OutboxMessage>> {
    let limit = limit(query)?;
    let mut conn = state.db.pool().acquire().await?;
    Ok(store::outbox::latest(&mut conn, limit).await?)
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn negotiated(State(state): State<AppState>, headers: HeaderMap, query: Query) -> Result<Response> {
    let prefers_html = headers
        .get(ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.to_ascii_lowercase().contains("text/html"));
    let messages = messages(&state, &query).await?;
    Ok(no_store(if prefers_html {
        Html(render(&messages)).into_response()
    } else {
        Json(messages).into_response()
    }))
}

async fn page(State(state): State<AppState>, query: Query) -> Result<Response> {
    let messages = messages(&state, &query).await?;
    Ok(no_store(Html(render(&messages)).into_response()))
}

/// `2026-05-12 14:03:07 UTC` from Unix ms (civil-from-days, so no date crate is needed).
fn utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", rem / 3600, rem % 3600 / 60, rem % 60)
}

fn render(messages: &[OutboxMessage]) -> String {
    let intro = "<p>Every email and text message this development server would have sent, newest \
                 first. Nothing here left this machine.</p>";
    if messages.is_empty() {
        let body = format!("{intro}<p><em>Nothing has been sent yet.</em></p>");
        return html::page("Outbox", "Development outbox", Tone::Plain, &body);
    }
    let rows: String = messages
        .iter()
        .map(|message| {
            let carries = match (&message.code, &message.link) {
                (Some(code), _) => format!("<code>{}</code>", html::escape(code)),
                (None, Some(link)) => {
                    let link = html::escape(link);
                    format!("<a href=\"{link}\" rel=\"noreferrer\">{link}</a>")
                }
                (None, None) => String::new(),
            };
            format!(
                "<tr><td>{}</td><td><span class=\"tag\">{}</span><br>{}</td><td><strong>{}</strong><br>{}</td><td>{carries}</td></tr>",
                html::escape(&utc(message.sent_at)),
                message.channel.as_str(),
                html::escape(&message.to),
                html::escape(&message.subject),
                html::escape(&message.body).replace('\n', "<br>"),
            )
        })
        .collect();
    let body = format!(
        "{intro}<table><colgroup><col class=\"when\"><col class=\"to\"><col><col class=\"carries\"></colgroup><thead><tr><th>Sent</th><th>To</th><th>Message</th><th>Code or link</th></tr></thead>\
         <tbody>{rows}</tbody></table>"
    );
    html::wide_page("Outbox", "Development outbox", Tone::Plain, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_778_594_587_000), "2026-05-12 14:03:07 UTC");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00:00 UTC");
    }
}
