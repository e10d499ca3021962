//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes), on the blocking
//! pool so that hashing never stalls the request threads.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use secrecy::{ExposeSecret, SecretString};

use crate::error::{AppError, AppResult};

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for storing.
pub async fn hash(password: SecretString) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        hasher()
            .hash_password(password.expose_secret().as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| AppError::internal(anyhow::anyhow!("hashing failed: {e}")))
    })
    .await
    .map_err(AppError::internal)?
}

/// Whether `password` matches `stored`. With `stored = None` (no such user) a dummy hash is
/// checked instead, so the answer takes as long whether or not the user exists.
pub async fn verify(password: SecretString, stored: Option<String>) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
        let exists = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let matches = hasher()
            .verify_password(password.expose_secret().as_bytes(), stored.as_str())
            .is_ok();
        exists && matches
    })
    .await
    .map_err(AppError::internal)
}

/// The hash of a random string, with the same parameters as real ones.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0J3dQj8kq2ZJ0bHV0Ytq7yW8cJ3bq2m4sS2pXh9l1zA";

/// Problems with a new password: at least 8 characters, and not one of the passwords
/// attackers try first.
pub fn check_strength(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < 8 {
        return Err("must be at least 8 characters");
    }
    if password.chars().count() > 256 {
        return Err("must be at most 256 characters");
    }
    let lower = password.to_lowercase();
    if COMMON_PASSWORDS.contains(&lower.as_str()) || is_monotone(&lower) {
        return Err("is a well-known password; choose another");
    }
    Ok(())
}

/// `check_strength` as a rule a request body declares (`#[validate(custom(…))]`).
pub fn strong(password: &str) -> Result<(), validator::ValidationError> {
    check_strength(password).map_err(crate::domain::rules::problem)
}

/// `aaaaaaaa`, `12345678`-like sequences.
fn is_monotone(password: &str) -> bool {
    let chars: Vec<char> = password.chars().collect();
    chars.windows(2).all(|w| w[0] == w[1])
        || chars.windows(2).all(|w| (w[1] as i64 - w[0] as i64) == 1)
        || chars.windows(2).all(|w| (w[0] as i64 - w[1] as i64) == 1)
}

/// The most common passwords of public breach lists (8+ characters), including the ones
/// common in China.
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password123",
    "12345678",
    "123456789",
    "1234567890",
    "11111111",
    "88888888",
    "66666666",
    "00000000",
    "qwertyui",
    "qwerty123",
    "qwertyuiop",
    "iloveyou",
    "1qaz2wsx",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "zaq12wsx",
    "abc12345",
    "abcd1234",
    "a1234567",
    "a12345678",
    "aa123456",
    "admin123",
    "admin1234",
    "administrator",
    "welcome1",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "dragon123",
    "monkey123",
    "letmein1",
    "trustno1",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "woaini1314",
    "woaini520",
    "5201314520",
    "13145201314",
    "qq123456",
    "wang1234",
    "zhang123",
    "asdfghjk",
    "asdf1234",
    "zxcvbnm1",
    "zxcvbnm123",
    "changeme",
    "lianxin123",
    "123123123",
    "123qweasd",
    "qweasdzxc",
    "1234qwer",
    "q1w2e3r4",
    "987654321",
    "147258369",
    "159357456",
    "112233445566",
    "woaini123",
    "computer",
    "internet",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused() {
        assert!(check_strength("short").is_err());
        assert!(check_strength("password").is_err());
        assert!(check_strength("Password1").is_err());
        assert!(check_strength("87654321").is_err());
        assert!(check_strength("zzzzzzzzzz").is_err());
        assert!(check_strength("新埭镇网格连心2026").is_ok());
        assert!(check_strength("correct horse battery").is_ok());
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_users_never_match() {
        let stored = hash(SecretString::from("correct horse battery"))
            .await
            .unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify(
            SecretString::from("correct horse battery"),
            Some(stored.clone())
        )
        .await
        .unwrap());
        assert!(
            !verify(SecretString::from("wrong horse battery"), Some(stored))
                .await
                .unwrap()
        );
        assert!(!verify(SecretString::from("anything"), None).await.unwrap());
    }
}
