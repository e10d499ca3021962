//! Who is calling and what they may do: passwords, tokens, the caller extractor, the scope
//! rule and the login throttle. The endpoints that sign in and out are in `account`; this
//! module sits below every feature and imports none.

pub mod caller;
mod hs256;
pub mod passwords;
pub mod revoke;
pub mod scope;
pub mod throttle;
pub mod tokens;

pub use caller::Caller;
pub use scope::Scope;
