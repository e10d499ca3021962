//! The suite on a Citus cluster (docs/scaling.md; `scripts/drills/citus.py --tests` starts one
//! and runs the suite on it).
//!
//! `LIANXIN_TEST_CITUS=<coordinator URL>;<worker URL>;…` — a superuser's URL to any database
//! of each node — runs every test against the coordinator. A database copied from a template
//! on the coordinator alone would name shards that no worker holds, so every database the
//! harness makes exists under the same name on every node: the template is migrated once on
//! the coordinator with the workers added (the migrations distribute its tables), and each
//! test's database is then copied from it on every node. The coordinator's copy holds the
//! metadata (shards, and their placements by host and port), each worker's copy exactly the
//! shards that metadata places there. Without the variable every function here does nothing.

use std::sync::OnceLock;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use reqwest::Url;

struct Cluster {
    coordinator: Url,
    workers: Vec<Url>,
}

fn cluster() -> Option<&'static Cluster> {
    static CLUSTER: OnceLock<Option<Cluster>> = OnceLock::new();
    CLUSTER
        .get_or_init(|| {
            let spec = std::env::var("LIANXIN_TEST_CITUS").ok()?;
            let mut nodes = spec
                .split(';')
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(|u| Url::parse(u).expect("LIANXIN_TEST_CITUS: a URL per node"));
            let coordinator = nodes.next()?;
            let workers: Vec<Url> = nodes.collect();
            assert!(
                !workers.is_empty(),
                "LIANXIN_TEST_CITUS: the coordinator's URL, then its workers'"
            );
            Some(Cluster {
                coordinator,
                workers,
            })
        })
        .as_ref()
}

/// The coordinator's URL to its maintenance database, when the suite runs on Citus.
pub fn coordinator() -> Option<String> {
    cluster().map(|c| at(&c.coordinator, "postgres"))
}

fn at(node: &Url, database: &str) -> String {
    let mut url = node.clone();
    url.set_path(database);
    url.to_string()
}

fn address(node: &Url) -> (String, u16) {
    let host = node.host_str().unwrap_or("localhost").to_string();
    (host, node.port().unwrap_or(5432))
}

async fn run(node: &Url, database: &str, sql: &str) {
    let mut conn = AsyncPgConnection::establish(&at(node, database))
        .await
        .unwrap_or_else(|e| panic!("connect to Citus node {node}: {e}"));
    diesel::sql_query(sql)
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("on Citus node {node}, {sql}: {e}"));
}

async fn on_workers(database: &str, sql: &str) {
    if let Some(cluster) = cluster() {
        let all = cluster.workers.iter().map(|w| run(w, database, sql));
        futures_util::future::join_all(all).await;
    }
}

/// Called once the coordinator has the new, empty database `name` (the template being
/// built): the same database on every worker, Citus in each, the workers added. The
/// migrations then distribute its tables.
pub async fn join_workers(name: &str) {
    let Some(cluster) = cluster() else {
        return;
    };
    on_workers(
        "postgres",
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await;
    on_workers("postgres", &format!("CREATE DATABASE {name}")).await;
    on_workers(name, "CREATE EXTENSION citus").await;
    let coordinator = &cluster.coordinator;
    run(coordinator, name, "CREATE EXTENSION citus").await;
    let (host, port) = address(coordinator);
    run(
        coordinator,
        name,
        &format!("SELECT citus_set_coordinator_host('{host}', {port})"),
    )
    .await;
    for worker in &cluster.workers {
        let (host, port) = address(worker);
        run(
            coordinator,
            name,
            &format!("SELECT citus_add_node('{host}', {port})"),
        )
        .await;
    }
}

/// Called before the coordinator renames the migrated template `from` to `to`: a database
/// can be renamed or copied only when nobody is connected to it, and Citus keeps sessions
/// open in it on every node (its maintenance daemon, the coordinator's cached connections to
/// the workers). They end here, coordinator first, and nothing starts them again until a
/// session opens in that database, which nobody does in a template. Then the workers' copy
/// takes the new name.
pub async fn seal(from: &str, to: &str) {
    let Some(cluster) = cluster() else {
        return;
    };
    let end_sessions = format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{from}' AND pid <> pg_backend_pid()"
    );
    run(&cluster.coordinator, "postgres", &end_sessions).await;
    on_workers("postgres", &end_sessions).await;
    on_workers("postgres", &format!("ALTER DATABASE {from} RENAME TO {to}")).await;
}

/// Called once the coordinator has copied `template` to `name`: the same copy on every worker.
pub async fn copy(template: &str, name: &str) {
    on_workers(
        "postgres",
        &format!("CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY"),
    )
    .await;
}

/// Called once the coordinator has dropped a test's database: the workers' copies go too.
/// A drop can fail: Citus's maintenance daemon in that database ends when told to only once
/// its current call to a worker returns, and `DROP DATABASE` waits for it 5 s at most. So
/// each node is asked again (the coordinator first, whose daemon calls the workers) until
/// the database is gone, lest left-over daemons load the cluster for the tests after.
pub async fn drop(name: &str) {
    let Some(cluster) = cluster() else {
        return;
    };
    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    for node in std::iter::once(&cluster.coordinator).chain(&cluster.workers) {
        for _ in 0..5 {
            if let Ok(mut conn) = AsyncPgConnection::establish(&at(node, "postgres")).await {
                if diesel::sql_query(&sql).execute(&mut conn).await.is_ok() {
                    break;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}
