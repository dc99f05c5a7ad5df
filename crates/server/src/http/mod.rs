//! HTTP leaves every handler shares: reading forms and query strings, the HTML pages, the value
//! rules, the host guard, and the extractors for the client, its signed-in session and where a
//! request comes from. Nothing here imports a handler (`crate::api`).

pub mod activity;
pub mod form;
pub mod host_guard;
pub mod html;
pub mod native_client;
pub mod rewrite;
pub mod signed_in;
pub mod validate;
