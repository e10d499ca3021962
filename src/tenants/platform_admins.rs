//! City operators: created from the command line only, never over HTTP.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use crate::auth::passwords;
use crate::db::schema::platform_admins;
use crate::db::DbPool;
use crate::error::{AppError, AppResult};

/// Creates a platform admin; 409 if the username is taken, 422 for a weak password.
pub async fn create(
    pool: &DbPool,
    username: &str,
    display_name: &str,
    password: SecretString,
) -> AppResult<Uuid> {
    let username = username.trim();
    if username.is_empty() || username.chars().count() > 64 {
        return Err(AppError::invalid("username", "must be 1–64 characters"));
    }
    passwords::check_strength(password.expose_secret())
        .map_err(|p| AppError::invalid("password", p))?;
    let hash = passwords::hash(password).await?;
    let id = Uuid::now_v7();
    let mut conn = pool.get().await?;
    diesel::insert_into(platform_admins::table)
        .values((
            platform_admins::id.eq(id),
            platform_admins::username.eq(username),
            platform_admins::display_name.eq(display_name.trim()),
            platform_admins::password_hash.eq(hash),
        ))
        .execute(&mut conn)
        .await?;
    Ok(id)
}
