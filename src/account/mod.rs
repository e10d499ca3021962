//! The signed-in person's own account: logging in and out, refreshing tokens, `GET /me`
//! and changing one's password (api.md "Auth"). Built on `auth` (tokens, passwords, the
//! throttle) and `users`.

pub mod handlers;
mod login;
mod me;
mod refresh;
pub mod sessions;
pub mod types;
