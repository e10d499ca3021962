//! Who is calling and what they may do: passwords, tokens, the caller extractor, the
//! login and session endpoints.

pub mod caller;
pub mod handlers;
mod hs256;
mod login;
mod me;
pub mod passwords;
mod refresh;
pub mod scope;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod types;

pub use caller::Caller;
pub use scope::{Scope, ScopeKeys};
