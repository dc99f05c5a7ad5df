//! Operations more than one handler performs, between the store (SQL) and the handlers (HTTP):
//! a handler calls these instead of another handler's module. Nothing here renders or imports a
//! handler.

pub mod second_factor;
pub mod sessions;
pub mod verification;
