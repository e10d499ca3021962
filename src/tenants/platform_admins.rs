//! City operators: created from the command line only, never over HTTP.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use crate::auth::passwords;
use crate::db::schema::platform_admins;
use crate::db::DbPool;
use crate::domain::{Name, Username};
use crate::error::{AppError, AppResult, Problems};
use crate::users::types::check_password;

/// Creates a platform admin; 409 if the username is taken, 422 for a weak password.
pub async fn create(
    pool: &DbPool,
    username: &str,
    display_name: &str,
    password: SecretString,
) -> AppResult<Uuid> {
    // The same rules as a township's staff: a name typed at a login screen.
    let mut problems = Problems::new();
    let username = problems.check("username", Username::parse(username));
    let display_name = problems.check("display_name", Name::parse(display_name));
    check_password(
        &mut problems,
        "password",
        password.expose_secret(),
        username.as_ref().map_or("", Username::as_str),
    );
    problems.finish()?;
    let (Some(username), Some(display_name)) = (username, display_name) else {
        return Err(AppError::internal(anyhow::anyhow!("checked above")));
    };
    let hash = passwords::hash(password).await?;
    let id = Uuid::now_v7();
    let mut conn = pool.get().await?;
    diesel::insert_into(platform_admins::table)
        .values((
            platform_admins::id.eq(id),
            platform_admins::username.eq(username.as_str()),
            platform_admins::display_name.eq(display_name.as_str()),
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
