//! City operators: created from the command line only, never over HTTP.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use crate::auth::passwords;
use crate::db::schema::platform_admins;
use crate::db::DbPool;
use crate::error::{AppError, AppResult, Problems};
use crate::users::types::{check_password, check_username};

/// Creates a platform admin; 409 if the username is taken, 422 for a weak password.
pub async fn create(
    pool: &DbPool,
    username: &str,
    display_name: &str,
    password: SecretString,
) -> AppResult<Uuid> {
    // The same rules as a township's staff: a name typed at a login screen.
    let mut problems = Problems::new();
    let username = check_username(&mut problems, "username", username);
    check_password(
        &mut problems,
        "password",
        password.expose_secret(),
        &username,
    );
    problems.finish()?;
    let hash = passwords::hash(password).await?;
    let id = Uuid::now_v7();
    let mut conn = pool.get().await?;
    diesel::insert_into(platform_admins::table)
        .values((
            platform_admins::id.eq(id),
            platform_admins::username.eq(&username),
            platform_admins::display_name.eq(display_name.trim()),
            platform_admins::password_hash.eq(hash),
        ))
        .execute(&mut conn)
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict(_) => {
                AppError::conflict(format!("the username {username} is taken"))
            }
            other => other,
        })?;
    Ok(id)
}
