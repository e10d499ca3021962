//! The test harness: every test gets its own server and its own database, copied from a
//! template that is migrated once per schema version. Tests therefore run in parallel and
//! see nothing of each other.
//!
//! The PostgreSQL server is `TEST_DATABASE_URL` (or `DATABASE_URL`) when set — a URL to any
//! database there; the harness creates its own databases beside it — else a throwaway
//! cluster that the harness starts from the installed binaries in the temporary folder
//! (`/tmp/lianxin-test-postgres-$USER`) and leaves running for the next run.
//! `LIANXIN_TEST_CITUS` runs the tests on a Citus cluster instead (the `citus` module).

use std::time::Duration;

use diesel::sql_types::{Bool, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lianxin::config::Settings;
use lianxin::startup::{AppState, Application};
use secrecy::SecretString;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;
use uuid::Uuid;

pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// The server URL, pointing at its maintenance database `postgres`.
static ADMIN_URL: OnceCell<String> = OnceCell::const_new();
static TEMPLATE: OnceCell<String> = OnceCell::const_new();

async fn admin_url() -> &'static str {
    ADMIN_URL
        .get_or_init(|| async {
            let configured = crate::citus::coordinator()
                .or_else(|| std::env::var("TEST_DATABASE_URL").ok())
                .or_else(|| std::env::var("DATABASE_URL").ok())
                .filter(|u| !u.is_empty());
            match configured {
                Some(url) => with_database(&url, "postgres"),
                None => {
                    // In the temporary folder: as root the cluster runs as `postgres`, which
                    // must be able to reach it wherever the checkout lives.
                    let dir =
                        std::env::temp_dir().join(format!("lianxin-test-postgres-{}", whoami()));
                    let cluster = tokio::task::spawn_blocking(move || {
                        lianxin::db::cluster::Cluster::ensure(&dir)
                    })
                    .await
                    .expect("cluster thread")
                    .expect("cannot start a PostgreSQL cluster for the tests");
                    crate::parallel::sized_for_parallel_tests(cluster)
                        .await
                        .url("postgres")
                }
            }
        })
        .await
}

fn whoami() -> String {
    std::env::var("USER").unwrap_or_else(|_| "user".into())
}

/// `url` with its database name replaced.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[host_start..].find('/') {
        Some(slash) => &base[..host_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{server}/{database}?{q}"),
        None => format!("{server}/{database}"),
    }
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = Bool)]
    exists: bool,
}

/// The migrated template for the current migrations, created once (across processes too).
async fn template() -> &'static str {
    TEMPLATE
        .get_or_init(|| async {
            let admin = admin_url().await;
            let name = format!("lianxin_tpl_{}", migrations_hash());
            let mut conn = AsyncPgConnection::establish(admin)
                .await
                .expect("connect to the test server");
            diesel::sql_query("SELECT pg_advisory_lock(727274)")
                .execute(&mut conn)
                .await
                .unwrap();
            let found: Exists = diesel::sql_query(
                "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists",
            )
            .bind::<Text, _>(&name)
            .get_result(&mut conn)
            .await
            .unwrap();
            if !found.exists {
                let building = format!("{name}_building");
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {building}"))
                    .execute(&mut conn)
                    .await;
                diesel::sql_query(format!("CREATE DATABASE {building}"))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                crate::citus::join_workers(&building).await;
                lianxin::db::migrate::run(&with_database(admin, &building))
                    .await
                    .expect("migrations apply");
                crate::citus::seal(&building, &name).await;
                diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {name}"))
                    .execute(&mut conn)
                    .await
                    .unwrap();
            }
            diesel::sql_query("SELECT pg_advisory_unlock(727274)")
                .execute(&mut conn)
                .await
                .unwrap();
            name
        })
        .await
}

fn migrations_hash() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut entries: Vec<_> = walk(&dir);
    entries.sort();
    let mut hasher = Sha256::new();
    for path in entries {
        hasher.update(path.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&path).unwrap());
    }
    hex::encode(&hasher.finalize()[..8])
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// A response: status, headers and the body parsed as JSON (Null when not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl Resp {
    /// The error envelope's code, e.g. "not_found".
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self.body
    }

    /// Asserts the status and that the body is the contract's error envelope with `code`.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        assert_eq!(
            self.code(),
            code,
            "unexpected error code; body: {}",
            self.body
        );
        assert!(
            self.body["error"]["message"].is_string(),
            "error without message: {}",
            self.body
        );
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db_url: String,
    /// The server's own pool (connections as the service's role).
    pub pool: lianxin::db::DbPool,
    db_name: String,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(&[]).await
    }

    /// A server on its own database with extra settings (`LIANXIN_*` names).
    pub async fn spawn_with(overrides: &[(&str, &str)]) -> TestApp {
        let admin = admin_url().await;
        let template = template().await;
        let db_name = format!("lianxin_test_{}", Uuid::new_v4().simple());
        let mut conn = AsyncPgConnection::establish(admin)
            .await
            .expect("connect to the test server");
        diesel::sql_query(format!(
            "CREATE DATABASE {db_name} TEMPLATE {template} STRATEGY FILE_COPY"
        ))
        .execute(&mut conn)
        .await
        .expect("copy the template database");
        crate::citus::copy(template, &db_name).await;
        let db_url = with_database(admin, &db_name);
        let mut pairs: Vec<(String, String)> = vec![
            ("DATABASE_URL".into(), db_url.clone()),
            ("LIANXIN_JWT_SECRET".into(), JWT_SECRET.into()),
            ("LIANXIN_POOL_SIZE".into(), "4".into()),
        ];
        pairs.extend(
            overrides
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let settings = Settings::from_lookup(|name| {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
        .expect("test settings");
        let pool = lianxin::db::pool(&db_url, settings.pool_size, settings.db_timeout).unwrap();
        let state = AppState::new(pool.clone(), settings, &SecretString::from(JWT_SECRET));
        let app = Application::build(state, "127.0.0.1:0").expect("bind");
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run());
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestApp {
            base,
            client,
            db_url,
            pool,
            db_name,
        }
    }

    /// A direct connection to this test's database, as the test server's superuser.
    pub async fn db(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.db_url).await.unwrap()
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Resp {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        into_resp(request.send().await.expect("request sent")).await
    }

    /// `send` with `Accept-Language: language`.
    pub async fn send_in(
        &self,
        language: &str,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Resp {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("accept-language", language);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        into_resp(request.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.send(reqwest::Method::GET, path, Some(token), None)
            .await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.send(reqwest::Method::POST, path, Some(token), Some(&body))
            .await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Resp {
        self.send(reqwest::Method::PATCH, path, Some(token), Some(&body))
            .await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Resp {
        self.send(reqwest::Method::PUT, path, Some(token), Some(&body))
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Resp {
        self.send(reqwest::Method::DELETE, path, Some(token), None)
            .await
    }

    /// A request with a raw body and content type (malformed JSON, uploads…).
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Resp {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        into_resp(request.send().await.expect("request sent")).await
    }
}

pub async fn into_resp(response: reqwest::Response) -> Resp {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap_or_default().to_vec();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        body,
        bytes,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let name = std::mem::take(&mut self.db_name);
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                if let Some(admin) = ADMIN_URL.get() {
                    if let Ok(mut conn) = AsyncPgConnection::establish(admin).await {
                        let _ = diesel::sql_query(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        ))
                        .execute(&mut conn)
                        .await;
                    }
                }
                crate::citus::drop(&name).await;
            });
        })
        .join();
    }
}
