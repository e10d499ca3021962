//! Group commit for single visits.
//!
//! On a Monday morning hundreds of phones send their visits one at a time. Each visit alone
//! costs a statement and a commit, and the commit (waiting for the WAL to reach the disk) is
//! most of it. So `POST /visits` hands its visit to this writer, which stores whatever visits
//! have arrived while its previous statements ran, of every phone of a township, in one
//! statement and one commit, and answers each request with its own outcome once that commit
//! is durable. A quiet server sends each visit on its own at once: nothing waits for company.
//!
//! Each visit keeps its own recorder, scope and session check inside the statement
//! (`queries::record`), so sharing a statement changes no answer; a statement that fails is
//! run again one visit at a time, so one visit's failure is never another's.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use diesel_async::RunQueryDsl;
use prometheus::Histogram;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::db::{DbConn, DbPool};
use crate::error::{AppError, AppResult};
use crate::visits::queries::{self, Recorder};
use crate::visits::sync::{self, Outcome};
use crate::visits::types::NewVisit;

/// The most visits one shared statement carries, so that a flood of visits is cut into
/// statements of bounded time. A bound, not a tuned figure: under the benchmark's 32
/// connections groups average five.
const MAX_GROUP: usize = 64;

/// Visits waiting for a writer; past this `record` waits for room (bounded by the request's
/// deadline) instead of the queue growing without end.
const QUEUE: usize = 4096;

struct Job {
    who: Recorder,
    visit: NewVisit,
    answer: oneshot::Sender<AppResult<Outcome>>,
}

/// The handle requests use; cheap to share.
pub struct VisitWriter {
    jobs: mpsc::Sender<Job>,
    /// The receiving half until `start` moves it onto the runtime.
    idle: Mutex<Option<WriterTask>>,
}

struct WriterTask {
    jobs: mpsc::Receiver<Job>,
    pool: DbPool,
    timeout: Duration,
    writers: usize,
    group_size: Histogram,
}

impl VisitWriter {
    /// A writer using up to `writers` connections of `pool` at once, each statement bounded
    /// by `timeout`. It records nothing until `start`.
    pub fn new(
        pool: DbPool,
        writers: usize,
        timeout: Duration,
        group_size: Histogram,
    ) -> VisitWriter {
        let (jobs, receiver) = mpsc::channel(QUEUE);
        VisitWriter {
            jobs,
            idle: Mutex::new(Some(WriterTask {
                jobs: receiver,
                pool,
                timeout,
                writers: writers.max(1),
                group_size,
            })),
        }
    }

    /// Starts the writer on the current Tokio runtime (once; later calls do nothing).
    pub fn start(&self) {
        let task = self.idle.lock().ok().and_then(|mut idle| idle.take());
        if let Some(task) = task {
            tokio::spawn(task.run());
        }
    }

    /// Records one visit and answers once it is durable (or failed).
    pub async fn record(&self, who: Recorder, visit: NewVisit) -> AppResult<Outcome> {
        let (answer, outcome) = oneshot::channel();
        let job = Job { who, visit, answer };
        self.jobs
            .send(job)
            .await
            .map_err(|_| AppError::Unavailable)?;
        outcome.await.unwrap_or(Err(AppError::Unavailable))
    }
}

/// One writer's connection, kept from group to group (`None` until first needed, and again
/// after the database failed to answer on it).
type Slot = Option<WriterConn>;

/// How long a generic plan is kept. It was made for the tables as they were: planned while
/// a new township's visits table was nearly empty, it reads that table from end to end and
/// goes on doing so as the table grows (measured on a fresh database, 320 households, 10 s
/// of writes: 1,780 visits/s with plans kept, 6,040/s remade every second). Planning costs
/// about 3 ms, so remaking them every few seconds costs nothing worth counting.
const PLAN_LIFETIME: Duration = Duration::from_secs(2);

/// A connection that never returns to the pool: it carries the writer's plan setting.
struct WriterConn {
    conn: Option<DbConn>,
    planned: Instant,
}

impl Drop for WriterConn {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            drop(deadpool::managed::Object::take(conn));
        }
    }
}

impl WriterTask {
    async fn run(mut self) {
        let (free, mut writers) = mpsc::channel::<Slot>(self.writers);
        for _ in 0..self.writers {
            let _ = free.try_send(None);
        }
        loop {
            // A free writer first, then whatever has queued meanwhile: under load the
            // queue fills while every writer is busy, and the next one takes it all.
            let Some(mut slot) = writers.recv().await else {
                return;
            };
            let Some(first) = self.jobs.recv().await else {
                return;
            };
            let mut group = vec![first];
            while group.len() < MAX_GROUP {
                match self.jobs.try_recv() {
                    Ok(job) => group.push(job),
                    Err(_) => break,
                }
            }
            self.group_size.observe(group.len() as f64);
            let pool = self.pool.clone();
            let timeout = self.timeout;
            let free = free.clone();
            tokio::spawn(async move {
                for (tenant_id, jobs) in by_tenant(group) {
                    write(&pool, &mut slot, timeout, tenant_id, jobs).await;
                }
                let _ = free.send(slot).await;
            });
        }
    }
}

fn by_tenant(group: Vec<Job>) -> HashMap<Uuid, Vec<Job>> {
    let mut tenants: HashMap<Uuid, Vec<Job>> = HashMap::new();
    for job in group {
        tenants.entry(job.who.tenant_id).or_default().push(job);
    }
    tenants
}

/// A connection for a writer to keep. The recording statement always runs its generic plan
/// on it: left to choose (`auto`), PostgreSQL plans this statement afresh at every execution,
/// because the generic plan's estimate looks dearer than a custom one, and planning it costs
/// more than running it (at 16 clients: 3,080 statements/s planned each time, 4,350 with
/// the generic plan). The connection is the writer's alone and never goes back to the pool,
/// so the setting touches nothing else; while held it counts in `LIANXIN_POOL_SIZE`.
/// Not on Citus: its planner cannot route a generic plan of this statement (its parameters
/// are unknown there: "could not create distributed plan"), and it plans each execution with
/// the values instead.
async fn connect(pool: &DbPool, timeout: Duration) -> AppResult<DbConn> {
    use diesel_async::SimpleAsyncConnection;
    let mut conn = pool.get().await?;
    let setup = conn.batch_execute(
        "SELECT set_config('plan_cache_mode', CASE WHEN EXISTS \
         (SELECT FROM pg_extension WHERE extname = 'citus') THEN 'auto' ELSE 'force_generic_plan' END, false)",
    );
    match tokio::time::timeout(timeout, setup).await {
        Ok(Ok(())) => Ok(conn),
        _ => {
            drop(deadpool::managed::Object::take(conn));
            Err(AppError::Unavailable)
        }
    }
}

/// Stores one tenant's jobs and answers each.
async fn write(pool: &DbPool, slot: &mut Slot, timeout: Duration, tenant_id: Uuid, jobs: Vec<Job>) {
    let writer = match slot {
        Some(writer) => writer,
        None => match connect(pool, timeout).await {
            Ok(conn) => slot.insert(WriterConn {
                conn: Some(conn),
                planned: Instant::now(),
            }),
            Err(_) => return answer_all(jobs, || AppError::Unavailable),
        },
    };
    let Some(conn) = writer.conn.as_mut() else {
        return answer_all(jobs, || AppError::Unavailable);
    };
    if writer.planned.elapsed() > PLAN_LIFETIME {
        use diesel_async::SimpleAsyncConnection;
        // The prepared statements stay; their next execution plans them anew.
        let discard = conn.batch_execute("DISCARD PLANS");
        if !matches!(tokio::time::timeout(timeout, discard).await, Ok(Ok(()))) {
            *slot = None;
            return answer_all(jobs, || AppError::Unavailable);
        }
        writer.planned = Instant::now();
    }
    // Enough rounds for every job alone, and a few more for ids in flight elsewhere.
    let mut rounds_left = jobs.len() + 4;
    let mut pending = jobs;
    let mut one_at_a_time = false;
    while !pending.is_empty() {
        if rounds_left == 0 {
            return answer_all(pending, || AppError::Unavailable);
        }
        rounds_left -= 1;
        // Distinct ids per statement: a phone's retry racing its own first attempt goes in
        // the next round, sees the stored visit and answers as a replay.
        let (round, later) = if one_at_a_time {
            let later = pending.split_off(1);
            (pending, later)
        } else {
            distinct_ids(pending)
        };
        pending = later;
        match store(conn, timeout, tenant_id, round).await {
            // Ids a concurrent request was storing at that moment: ask again.
            Ok(in_flight) => pending.extend(in_flight),
            // No answer in time, or the connection broke (PostgreSQL stopped or restarted):
            // it may be dead without knowing it, so it is never used again.
            Err(Failure::TimedOut(round) | Failure::Error(round, AppError::Unavailable)) => {
                *slot = None;
                answer_all(round, || AppError::Unavailable);
                return answer_all(pending, || AppError::Unavailable);
            }
            // Ordered locking makes this rare; the statement is idempotent: run it again.
            Err(Failure::Deadlock(round)) => pending.extend(round),
            Err(Failure::Error(mut round, error)) if round.len() == 1 => {
                if let Some(job) = round.pop() {
                    let _ = job.answer.send(Err(error));
                }
            }
            // It failed for all; run each on its own, so the one it was about fails alone.
            Err(Failure::Error(round, _)) => {
                one_at_a_time = true;
                pending.extend(round);
            }
        }
    }
}

enum Failure {
    /// The database did not answer in time; the connection is suspect.
    TimedOut(Vec<Job>),
    /// PostgreSQL chose this statement to break a deadlock.
    Deadlock(Vec<Job>),
    /// The statement failed, for all of them.
    Error(Vec<Job>, AppError),
}

/// One statement for `jobs` (distinct ids), pipelined after the tenant setting; answers the
/// settled ones and gives back those whose id is in flight elsewhere.
async fn store(
    conn: &mut DbConn,
    timeout: Duration,
    tenant_id: Uuid,
    jobs: Vec<Job>,
) -> Result<Vec<Job>, Failure> {
    let outcome = {
        let shared: &diesel_async::AsyncPgConnection = conn;
        let items: Vec<(&Recorder, &NewVisit)> =
            jobs.iter().map(|job| (&job.who, &job.visit)).collect();
        // The statement in a transaction of its own, scoped to the township with `SET LOCAL`
        // (db::scoped: the setting reaches Citus workers and ends with the transaction), all
        // four sent at once: one round trip. A failed statement makes COMMIT roll back.
        let scope = crate::db::scoped::scope_sql(Some(tenant_id));
        let begin = diesel::sql_query("BEGIN").execute(&mut &*shared);
        let set_tenant = diesel::sql_query(&scope).execute(&mut &*shared);
        let record = queries::record(shared, tenant_id, &items);
        let commit = async { diesel::sql_query("COMMIT").execute(&mut &*shared).await };
        // `join`, not `try_join`: all are awaited before the connection is used again. On
        // Citus `record` is several statements (visits::routed), so COMMIT waits for them.
        tokio::time::timeout(timeout, async {
            let (begin, set_tenant, (record, commit)) = if crate::db::on_citus() {
                futures_util::join!(begin, set_tenant, async {
                    let record = record.await;
                    (record, commit.await)
                })
            } else {
                let (begin, set_tenant, record, commit) =
                    futures_util::join!(begin, set_tenant, record, commit);
                (begin, set_tenant, (record, commit))
            };
            (begin.and(set_tenant).and(commit), record)
        })
        .await
    };
    let answers = match outcome {
        Err(_) => return Err(Failure::TimedOut(jobs)),
        Ok((Err(error), _) | (_, Err(error))) if sync::is_deadlock(&error) => {
            return Err(Failure::Deadlock(jobs))
        }
        Ok((Err(error), _) | (_, Err(error))) => return Err(Failure::Error(jobs, error.into())),
        Ok((Ok(_), Ok(answers))) => answers,
    };
    let mut in_flight = Vec::new();
    for (job, answer) in jobs.into_iter().zip(answers) {
        match sync::settle(answer, &job.visit, job.who.user_id) {
            Some(outcome) => {
                let _ = job.answer.send(Ok(outcome));
            }
            None => in_flight.push(job),
        }
    }
    Ok(in_flight)
}

/// Splits off the first job of every id; the rest wait for the next round.
fn distinct_ids(jobs: Vec<Job>) -> (Vec<Job>, Vec<Job>) {
    let mut seen = HashSet::new();
    jobs.into_iter().partition(|job| seen.insert(job.visit.id))
}

fn answer_all(jobs: Vec<Job>, error: impl Fn() -> AppError) {
    for job in jobs {
        // The request may have given up (its deadline passed); the phone will retry.
        let _ = job.answer.send(Err(error()));
    }
}
