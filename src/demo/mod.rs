//! The demo township: 新埭镇 (tenant `xindai`) as the newspaper article describes it — 11
//! village and community grids with 581 micro-grids, 4 enterprise grids with 245, 322
//! leaders, their households — plus N weeks of visits and residents' requests.
//!
//! Everything comes from one seeded RNG, so every run builds the same township. The rows go
//! to PostgreSQL by COPY in one transaction (a failed seed leaves nothing behind), generated
//! on a blocking thread while the COPY session streams them: a year of history (about a
//! million visits) takes well under a minute.

mod copy;
mod emit;
mod history;
mod names;
mod tasks;
mod texts;
mod township;
mod variation;

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{TimeZone, Utc};
use diesel::sql_types::{Bool, Text};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use futures_util::SinkExt;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::SeedableRng;
use secrecy::SecretString;
use tokio::sync::mpsc;

use crate::db::DbPool;
use copy::{CopyWriter, Message};

pub const TENANT_CODE: &str = "xindai";
pub const TENANT_NAME: &str = "新埭镇";
/// The demo password when `LIANXIN_DEMO_PASSWORD` is not set. It is no secret: the demo
/// township holds made-up people only.
pub const DEFAULT_PASSWORD: &str = "xindai-demo-2026";
pub const PASSWORD_VARIABLE: &str = "LIANXIN_DEMO_PASSWORD";

/// The RNG seed; the article appeared in April 2020.
const SEED: u64 = 20200415;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// What a grid is: a village (its micro-grids are 村民小组 of 20–40 families), a community
/// (about 50 resident households each) or an industrial park (a handful of enterprises).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Village,
    Community,
    Park,
}

#[derive(Debug, Clone)]
pub struct GridSpec {
    pub name: &'static str,
    pub area: Area,
    pub micro_grids: u32,
}

/// The size of the township to seed.
#[derive(Debug, Clone)]
pub struct DemoShape {
    pub grids: Vec<GridSpec>,
    pub leaders: u32,
    /// Village and community micro-grids that have a messaging group.
    pub groups: u32,
}

const fn grid(name: &'static str, area: Area, micro_grids: u32) -> GridSpec {
    GridSpec {
        name,
        area,
        micro_grids,
    }
}

impl DemoShape {
    /// The article's township: 581 village and community micro-grids in 11 grids, 245
    /// enterprise micro-grids in 4 parks, 322 leaders, 372 messaging groups.
    pub fn xindai() -> DemoShape {
        use Area::*;
        DemoShape {
            grids: vec![
                grid("新埭社区", Community, 60),
                grid("虹桥社区", Community, 55),
                grid("鱼圻塘村", Village, 55),
                grid("星光村", Village, 52),
                grid("姚浜村", Village, 48),
                grid("泗泾村", Village, 50),
                grid("杨庄浜村", Village, 54),
                grid("创新村", Village, 51),
                grid("南星村", Village, 49),
                grid("大齐塘村", Village, 53),
                grid("和平村", Village, 54),
                grid("新埭工业园区东片", Park, 70),
                grid("新埭工业园区西片", Park, 65),
                grid("星光小微企业园", Park, 58),
                grid("泗泾工业功能区", Park, 52),
            ],
            leaders: 322,
            groups: 372,
        }
    }

    /// A small township of the same make, for tests.
    pub fn small() -> DemoShape {
        use Area::*;
        DemoShape {
            grids: vec![
                grid("新埭社区", Community, 2),
                grid("鱼圻塘村", Village, 3),
                grid("新埭工业园区东片", Park, 2),
            ],
            leaders: 3,
            groups: 4,
        }
    }
}

/// What a seed wrote.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub households: usize,
    pub visits: usize,
    pub issues: usize,
    pub rows: u64,
    pub elapsed: Duration,
}

/// Seeds the article's township with `weeks` of history unless tenant `xindai` exists;
/// returns whether it seeded. `database_url` is for the COPY session (diesel has no COPY).
pub async fn seed(
    pool: &DbPool,
    database_url: &str,
    weeks: u32,
    progress: bool,
) -> anyhow::Result<bool> {
    let seeded = seed_with(pool, database_url, &DemoShape::xindai(), weeks, progress).await?;
    if let (Some(s), true) = (&seeded, progress) {
        println!(
            "seeded {TENANT_NAME} ({TENANT_CODE}): {} households, {} visits, {} issues; {} rows in {:.1} s ({:.0} rows/s)",
            s.households,
            s.visits,
            s.issues,
            s.rows,
            s.elapsed.as_secs_f64(),
            s.rows as f64 / s.elapsed.as_secs_f64().max(0.001)
        );
    }
    if seeded.is_none() && progress {
        println!("{TENANT_NAME} ({TENANT_CODE}) exists already; nothing seeded");
    }
    Ok(seeded.is_some())
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = Bool)]
    exists: bool,
}

/// Seeds a township of `shape`; `None` if the demo tenant exists already.
pub async fn seed_with(
    pool: &DbPool,
    database_url: &str,
    shape: &DemoShape,
    weeks: u32,
    progress: bool,
) -> anyhow::Result<Option<Seeded>> {
    let started = Instant::now();
    // Cheap check first: hashing the password and opening a session are wasted otherwise.
    let mut conn = pool.get().await.context("no database connection")?;
    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM tenants WHERE code = $1) AS exists")
            .bind::<Text, _>(TENANT_CODE)
            .get_result(&mut conn)
            .await?;
    drop(conn);
    if found.exists {
        return Ok(None);
    }
    let password = password()?;
    // Hashed once for every user: argon2 is slow by design.
    let hash = crate::auth::passwords::hash(SecretString::from(password))
        .await
        .map_err(|_| anyhow::anyhow!("cannot hash the demo password"))?;

    let (mut client, connection) = tokio_postgres::connect(database_url, tokio_postgres::NoTls)
        .await
        .context("cannot open the COPY session")?;
    let session = tokio::spawn(connection);
    let tx = client.transaction().await?;
    // Two seeds racing: the second waits here and then sees the tenant. On Citus, the index
    // DDL after reading the reference table `tenants` must use one connection per worker
    // (on plain PostgreSQL the setting is an unused placeholder).
    tx.batch_execute(
        "SET LOCAL statement_timeout = 0; SET LOCAL citus.multi_shard_modify_mode = 'sequential'; \
         SELECT pg_advisory_xact_lock(7274201)",
    )
    .await?;
    let exists = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM tenants WHERE code = $1)",
            &[&TENANT_CODE],
        )
        .await?;
    if exists.get::<_, bool>(0) {
        return Ok(None);
    }

    let rebuild = defer_visit_indexes(&tx).await?;

    let (end_ms, set_up_ms) = timeline(weeks);
    let (sender, mut receiver) = mpsc::channel(8);
    let shape = shape.clone();
    // The generator takes the hash along; the offices' handlers, written here, need it too.
    let handlers_hash = hash.clone();
    let generator = tokio::task::spawn_blocking(move || {
        let mut rng = StdRng::seed_from_u64(SEED);
        let mut ids = township::Ids(StdRng::seed_from_u64(SEED.rotate_left(17)));
        let town = township::build(&shape, set_up_ms, &mut rng, &mut ids);
        let history = history::simulate(&town, weeks, end_ms, &mut rng, &mut ids);
        emit::emit(
            &mut CopyWriter::new(sender),
            &town,
            &history,
            &hash,
            &mut ids,
        )
    });

    let bar = progress_bar(progress);
    let mut sink = None;
    while let Some(message) = receiver.recv().await {
        match message {
            Message::Total(rows) => bar.set_length(rows),
            Message::Table { name, sql } => {
                if let Some(done) = sink.take() {
                    finish(done).await?;
                }
                bar.set_message(name);
                sink = Some(Box::pin(tx.copy_in::<_, bytes::Bytes>(&sql).await?));
            }
            Message::Rows { data, count } => {
                let copying = sink.as_mut().context("rows before a table")?;
                copying.send(data).await?;
                bar.inc(count);
            }
        }
    }
    if let Some(done) = sink.take() {
        finish(done).await?;
    }
    let emitted = generator
        .await
        .context("the demo generator failed")?
        .map_err(|_| anyhow::anyhow!("the demo generator stopped early"))?;
    bar.set_message("visits indexes");
    for definition in rebuild {
        tx.batch_execute(&definition).await?;
    }
    // The statistics' visit rollup, made from the copied visits in one pass (COPY bypasses
    // the recording statement that keeps it otherwise).
    bar.set_message("visit rollup");
    tx.query_one(
        "SELECT visit_days_rebuild(id) FROM tenants WHERE code = $1",
        &[&TENANT_CODE],
    )
    .await?;
    // The township's offices, each with one handler, so that issues can be routed in the
    // demo (docs/workflow.md); the holidays and make-up working days their limits count.
    bar.set_message("offices and calendar");
    for (name, username) in DEPARTMENTS {
        let id = uuid::Uuid::now_v7().to_string();
        let display_name = format!("{name}经办人");
        let department: [&(dyn tokio_postgres::types::ToSql + Sync); 3] = [&TENANT_CODE, &id, name];
        tokio_postgres::Transaction::execute(
            &tx,
            "INSERT INTO departments (tenant_id, id, name) \
             SELECT id, $2::text::uuid, $3 FROM tenants WHERE code = $1",
            &department,
        )
        .await?;
        let user = uuid::Uuid::now_v7().to_string();
        let handler: [&(dyn tokio_postgres::types::ToSql + Sync); 6] = [
            &TENANT_CODE,
            &user,
            username,
            &display_name,
            &id,
            &handlers_hash,
        ];
        tokio_postgres::Transaction::execute(
            &tx,
            "INSERT INTO users (tenant_id, id, username, display_name, role, department_id, \
                                password_hash) \
             SELECT id, $2::text::uuid, $3, $4, 'handler', $5::text::uuid, $6 \
             FROM tenants WHERE code = $1",
            &handler,
        )
        .await?;
    }
    for (day, worked, note) in crate::domain::holidays::CHINA_2026 {
        let values: [&(dyn tokio_postgres::types::ToSql + Sync); 4] =
            [&TENANT_CODE, day, worked, note];
        tokio_postgres::Transaction::execute(
            &tx,
            "INSERT INTO calendar_days (tenant_id, day, workday, note) \
             SELECT id, $2::text::date, $3, $4 FROM tenants WHERE code = $1",
            &values,
        )
        .await?;
    }
    // A priority group's own interval (docs/workflow.md): the lone elderly every 3 days, so
    // their leaders' due lists show the rule at work.
    let township: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&TENANT_CODE];
    tokio_postgres::Transaction::execute(
        &tx,
        "INSERT INTO tag_intervals (tenant_id, tag, visit_interval_days) \
         SELECT id, '独居老人', 3 FROM tenants WHERE code = $1",
        &township,
    )
    .await?;
    bar.set_message("tasks");
    tasks::seed(&tx).await?;
    tx.commit().await?;
    bar.finish_and_clear();
    // Fresh statistics, so the first queries on a million new rows are planned well.
    client
        .batch_execute("ANALYZE households, visits, visit_days, issues, issue_events")
        .await?;
    drop(client);
    let _ = session.await;
    Ok(Some(Seeded {
        households: emitted.households,
        visits: emitted.visits,
        issues: emitted.issues,
        rows: emitted.rows,
        elapsed: started.elapsed(),
    }))
}

/// On a database without visits (a fresh one, the usual place for a demo), the visits'
/// secondary indexes are dropped for the seed and built again before commit: building an
/// index over a million rows once is several times faster than growing it row by row. The
/// definitions are read from the database, so they are whatever the migrations made them.
/// A database that has visits keeps its indexes: rebuilding them would lock out the other
/// tenants for the whole seed.
async fn defer_visit_indexes(tx: &tokio_postgres::Transaction<'_>) -> anyhow::Result<Vec<String>> {
    let empty: bool = tx
        .query_one("SELECT NOT EXISTS (SELECT 1 FROM visits)", &[])
        .await?
        .get(0);
    if !empty {
        return Ok(Vec::new());
    }
    let indexes = tx
        .query(
            "SELECT c.relname::text, pg_get_indexdef(i.indexrelid) FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE i.indrelid = 'visits'::regclass AND NOT i.indisprimary AND NOT i.indisunique",
            &[],
        )
        .await?;
    let mut definitions = Vec::new();
    for index in indexes {
        let name: String = index.get(0);
        tx.batch_execute(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))
            .await?;
        definitions.push(index.get(1));
    }
    tx.batch_execute("SET LOCAL maintenance_work_mem = '256MB'")
        .await?;
    Ok(definitions)
}

async fn finish(
    mut sink: std::pin::Pin<Box<tokio_postgres::CopyInSink<bytes::Bytes>>>,
) -> anyhow::Result<()> {
    sink.as_mut().finish().await?;
    Ok(())
}

/// The history ends at today's midnight in the township (so a seed is the same all day) and
/// starts `weeks` earlier; the township was set up (定亲) three days before, at 9:00.
fn timeline(weeks: u32) -> (i64, i64) {
    let zone = chrono_tz::Asia::Shanghai;
    let today = Utc::now().with_timezone(&zone).date_naive();
    let midnight = zone
        .from_local_datetime(&today.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map_or_else(|| Utc::now().timestamp_millis(), |t| t.timestamp_millis());
    let start = midnight - i64::from(weeks) * 7 * DAY_MS;
    (midnight, start - 3 * DAY_MS + 9 * 3600 * 1000)
}

fn progress_bar(visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {msg:18} [{bar:40}] {human_pos}/{human_len} rows, {per_sec}, {eta} left",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// The demo password: `LIANXIN_DEMO_PASSWORD`, or the documented default.
pub fn password() -> anyhow::Result<String> {
    let password = std::env::var(PASSWORD_VARIABLE)
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| DEFAULT_PASSWORD.to_owned());
    crate::auth::passwords::check_strength(&password)
        .map_err(|problem| anyhow::anyhow!("{PASSWORD_VARIABLE} {problem}"))?;
    Ok(password)
}

/// Prints how to log in to the demo township. The password is printed too: it protects
/// made-up data only.
/// The demo township's offices and the username of each one's handler (部门办理人员).
pub const DEPARTMENTS: &[(&str, &str)] = &[
    ("国土所", "guotusuo"),
    ("城建办", "chengjianban"),
    ("民政办", "minzhengban"),
    ("农业农村办", "nongyeban"),
    ("综治办", "zongzhiban"),
];

pub fn print_logins() {
    let source = if std::env::var(PASSWORD_VARIABLE).is_ok_and(|p| !p.is_empty()) {
        format!("from {PASSWORD_VARIABLE}")
    } else {
        format!("the default; set {PASSWORD_VARIABLE} to choose another")
    };
    let password = password().unwrap_or_else(|e| format!("(not usable: {e})"));
    println!("demo township {TENANT_NAME}: tenant \"{TENANT_CODE}\"");
    println!("  admin       township admin (tenant_admin)");
    println!("  supervisor  township supervisor, whole township");
    println!("  leader001 … leader322  micro-grid leaders (微网格长)");
    let handlers: Vec<String> = DEPARTMENTS
        .iter()
        .map(|(name, username)| format!("{username} ({name})"))
        .collect();
    println!("  {}  department handlers", handlers.join(", "));
    println!("  password    {password}  ({source})");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_password_passes_the_strength_rule() {
        assert!(crate::auth::passwords::check_strength(DEFAULT_PASSWORD).is_ok());
    }

    #[test]
    fn the_article_shape_adds_up() {
        let shape = DemoShape::xindai();
        let sum = |parks: bool| -> (usize, u32) {
            let grids: Vec<_> = shape
                .grids
                .iter()
                .filter(|g| (g.area == Area::Park) == parks)
                .collect();
            (grids.len(), grids.iter().map(|g| g.micro_grids).sum())
        };
        assert_eq!(sum(false), (11, 581));
        assert_eq!(sum(true), (4, 245));
        assert_eq!((shape.leaders, shape.groups), (322, 372));
    }
}
