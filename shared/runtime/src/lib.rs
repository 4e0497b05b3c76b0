//! The function runtime: a binary's `main` (`function!`, `scheduled!`, `stream!`), the
//! state it builds once per cold start from its declaration, whether a caller's session
//! is current, health checks, and request metrics.

mod caller;
pub mod health;
pub mod metrics;
pub mod serve;
pub mod session;
pub mod state;
