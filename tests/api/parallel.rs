//! The test cluster sized for the tests that run at once.

use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

/// Connections one test holds at most: its server's pool (`LIANXIN_POOL_SIZE` in `harness`) and a
/// few direct ones of its own (`TestApp::db`, the template copy, the cleanup).
const CONNECTIONS_PER_TEST: usize = 4 + 4;

/// cargo runs as many tests at once as the machine has cores, each with its own server and
/// pool: PostgreSQL's default of 100 connections is too few from about a dozen cores on
/// ("too many clients already"). The cluster is given enough for this run's test threads,
/// with room for a second run beside it; the setting stays with the cluster, so the
/// restart that applies it happens once on a machine.
pub async fn sized_for_parallel_tests(
    cluster: lianxin::db::cluster::Cluster,
) -> lianxin::db::cluster::Cluster {
    #[derive(QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        n: i32,
    }
    let needed = i32::try_from(test_threads() * CONNECTIONS_PER_TEST * 2 + 20).unwrap();
    let mut conn = AsyncPgConnection::establish(&cluster.url("postgres"))
        .await
        .expect("connect to the test cluster");
    let current: Setting = diesel::sql_query("SELECT current_setting('max_connections')::int AS n")
        .get_result(&mut conn)
        .await
        .unwrap();
    if current.n >= needed {
        return cluster;
    }
    diesel::sql_query(format!("ALTER SYSTEM SET max_connections = {needed}"))
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    tokio::task::spawn_blocking(move || {
        cluster.stop()?;
        lianxin::db::cluster::Cluster::ensure(&cluster.dir)
    })
    .await
    .expect("cluster thread")
    .expect("cannot restart the test cluster with more connections")
}

/// How many tests run at once: `--test-threads`, `RUST_TEST_THREADS`, else one per core.
fn test_threads() -> usize {
    let args: Vec<String> = std::env::args().collect();
    let flag = args
        .iter()
        .enumerate()
        .find_map(|(i, arg)| match arg.as_str() {
            "--test-threads" => args.get(i + 1).cloned(),
            _ => arg.strip_prefix("--test-threads=").map(str::to_owned),
        });
    flag.or_else(|| std::env::var("RUST_TEST_THREADS").ok())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}
