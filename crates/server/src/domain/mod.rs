//! Operations more than one handler performs, between the store (SQL) and the handlers (HTTP):
//! a handler calls these instead of another handler's module. Nothing here imports a handler
//! (`crate::api`); only the identifications' shared steps answer with a rendered envelope.

pub mod identifications;
pub mod lockout;
pub mod passkeys;
pub mod reverification;
pub mod second_factor;
pub mod sessions;
pub mod sign_in_factors;
pub mod sign_ups;
pub mod verification;
