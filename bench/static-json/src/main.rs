//! `static-json [ADDR]`: answers every `GET /v1/me` with the same JSON bytes (a signed-in demo
//! account's answer, `me.json`), on a multi-threaded tokio runtime as `userdesk-server` has.
//! Prints `listening on http://ADDR` first, as `userdesk-server` does.

use std::io::Write;

use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use axum::Router;

/// A `GET /v1/me` answer of the demo account, so both servers send about the same bytes.
const BODY: &str = include_str!("../me.json");

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on http://{}", listener.local_addr()?)?;
    stdout.flush()?;
    let app = Router::new().route("/v1/me", get(|| async { ([(CONTENT_TYPE, "application/json")], BODY) }));
    axum::serve(listener, app).await
}
