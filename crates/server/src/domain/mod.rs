//! Operations more than one handler performs, between the store (SQL) and the handlers (HTTP):
//! a handler calls these instead of another handler's module.

pub mod sessions;
