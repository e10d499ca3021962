//! Who is calling and what they may do: passwords, tokens, the caller extractor, the
//! login and session endpoints.

pub mod caller;
pub mod handlers;
pub mod passwords;
pub mod scope;
pub mod throttle;
pub mod tokens;

pub use caller::Caller;
pub use scope::Scope;
