//! Settings, from the environment (and a `.env` file). Secrets are `SecretString`s: they
//! print as `[REDACTED]` wherever a `Settings` is logged or debugged.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

#[derive(Debug, Clone)]
pub struct Settings {
    /// Where PostgreSQL is; `None` runs the embedded cluster in `data_dir`.
    pub database_url: Option<SecretString>,
    /// HMAC key for access tokens, 32+ bytes. Generated and kept in `data_dir` for the
    /// embedded cluster; required with `database_url`.
    pub jwt_secret: Option<SecretString>,
    pub bind: String,
    pub data_dir: PathBuf,
    /// Largest number of pooled connections; defaults to 8 per core. A write spends most of
    /// its time waiting for its commit to reach the disk, not on a core: with 4 per core the
    /// visit writes stalled at half the rate 16 connections reach on 2 cores (docs/performance.md).
    pub pool_size: usize,
    /// How many connections single visits are written on at once (group commit,
    /// `visits::writer`); defaults to 2 per core. Fewer writers make bigger groups.
    pub visit_writers: usize,
    /// How long a request waits for a connection or a statement before it answers 503.
    pub db_timeout: Duration,
    /// How long a handler may run before the client gets 503; a stuck request must not hold
    /// a worker (and a pooled connection) forever. Longer than the slowest export.
    pub request_timeout: Duration,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// Failed logins allowed per (address, tenant, username) within `login_window`.
    pub login_max_failures: u32,
    /// Failed logins allowed per address within `login_window`, whoever they target.
    pub login_max_failures_per_ip: u32,
    pub login_window: Duration,
    /// Origins allowed by CORS; empty (the default) allows none.
    pub cors_origins: Vec<String>,
    /// Whether to take the client address from `X-Forwarded-For` (behind a proxy only).
    pub trust_proxy: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{name} is not valid: {problem}")]
    Invalid { name: &'static str, problem: String },
    #[error("LIANXIN_JWT_SECRET is required (32 or more bytes) when DATABASE_URL is set")]
    MissingJwtSecret,
}

impl Settings {
    /// Reads the process environment, after loading `.env` if there is one.
    pub fn from_env() -> Result<Settings, SettingsError> {
        let _ = dotenvy::dotenv();
        Settings::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
        let non_empty = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let number = |name: &'static str, default: u64| -> Result<u64, SettingsError> {
            match non_empty(name) {
                None => Ok(default),
                Some(text) => text.trim().parse().map_err(|_| SettingsError::Invalid {
                    name,
                    problem: format!("{text:?} is not a whole number"),
                }),
            }
        };
        let database_url = non_empty("DATABASE_URL").map(SecretString::from);
        let jwt_secret = non_empty("LIANXIN_JWT_SECRET").map(SecretString::from);
        if let Some(secret) = &jwt_secret {
            if secret.expose_secret().len() < 32 {
                return Err(SettingsError::Invalid {
                    name: "LIANXIN_JWT_SECRET",
                    problem: "must be at least 32 bytes".into(),
                });
            }
        }
        if database_url.is_some() && jwt_secret.is_none() {
            return Err(SettingsError::MissingJwtSecret);
        }
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Settings {
            database_url,
            jwt_secret,
            bind: non_empty("LIANXIN_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            data_dir: PathBuf::from(
                non_empty("LIANXIN_DATA_DIR").unwrap_or_else(|| ".lianxin".into()),
            ),
            // At least 2: the visit writer keeps up to half of them.
            pool_size: (number("LIANXIN_POOL_SIZE", (cores * 8) as u64)? as usize).max(2),
            visit_writers: (number("LIANXIN_VISIT_WRITERS", (cores * 2) as u64)? as usize).max(1),
            db_timeout: Duration::from_millis(number("LIANXIN_DB_TIMEOUT_MS", 2000)?),
            request_timeout: Duration::from_secs(
                number("LIANXIN_REQUEST_TIMEOUT_SECS", 60)?.max(1),
            ),
            access_ttl: Duration::from_secs(number("LIANXIN_ACCESS_TTL_SECS", 900)?),
            refresh_ttl: Duration::from_secs(number("LIANXIN_REFRESH_TTL_SECS", 30 * 24 * 3600)?),
            login_max_failures: number("LIANXIN_LOGIN_MAX_FAILURES", 5)? as u32,
            login_max_failures_per_ip: number("LIANXIN_LOGIN_MAX_FAILURES_PER_IP", 50)? as u32,
            login_window: Duration::from_secs(number("LIANXIN_LOGIN_WINDOW_SECS", 300)?),
            cors_origins: non_empty("LIANXIN_CORS_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            trust_proxy: non_empty("LIANXIN_TRUST_PROXY").is_some_and(|v| v == "1" || v == "true"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_run_the_embedded_cluster() {
        let s = settings(&[]).unwrap();
        assert!(s.database_url.is_none());
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.data_dir, PathBuf::from(".lianxin"));
    }

    #[test]
    fn an_external_database_needs_a_long_secret() {
        assert!(matches!(
            settings(&[("DATABASE_URL", "postgres://x")]),
            Err(SettingsError::MissingJwtSecret)
        ));
        assert!(settings(&[
            ("DATABASE_URL", "postgres://x"),
            ("LIANXIN_JWT_SECRET", "short")
        ])
        .is_err());
        let secret = "s".repeat(32);
        assert!(settings(&[
            ("DATABASE_URL", "postgres://x"),
            ("LIANXIN_JWT_SECRET", &secret)
        ])
        .is_ok());
    }

    #[test]
    fn secrets_do_not_print() {
        let secret = "a-very-secret-value-of-32-bytes!!";
        let s = settings(&[
            ("DATABASE_URL", "postgres://u:pw@h/db"),
            ("LIANXIN_JWT_SECRET", secret),
        ])
        .unwrap();
        let printed = format!("{s:?}");
        assert!(
            !printed.contains(secret) && !printed.contains(":pw@"),
            "{printed}"
        );
    }
}
