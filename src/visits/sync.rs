//! Idempotent recording: what a phone's retried or queued visits come to. Shared by the
//! single and the batch endpoint, so both answer a replay, a conflict or a foreign household
//! the same way.

use std::collections::HashMap;

use diesel::result::Error as DieselError;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use crate::error::{AppError, AppResult, DbFailure};
use crate::visits::queries::{self, Recorded, Recorder};
use crate::visits::types::{NewVisit, Visit};

/// How one visit ended.
#[derive(Debug)]
pub enum Outcome {
    /// Stored by this request: 201.
    Created(Visit),
    /// Stored before with the same content: 200 and nothing new.
    Replayed(Visit),
    /// 404, 409 or 422.
    Failed(AppError),
}

const CONFLICT: &str = "this visit id is stored already with different content";

/// The answer to a visit linked to a task its household is not part of.
pub fn not_of_task() -> AppError {
    AppError::invalid("task_id", "the household is not one of this task's")
}

/// Fails, in place, each visit whose `task_id` names no household of that task.
pub async fn check_task_links(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
    items: &mut [Result<NewVisit, AppError>],
) -> AppResult<()> {
    let links: Vec<(Uuid, Uuid)> = items
        .iter()
        .filter_map(|item| item.as_ref().ok())
        .filter_map(|v| v.task_id.map(|task| (task, v.household_id)))
        .collect();
    let unknown = queries::unknown_task_links(conn, tenant_id, &links).await?;
    if unknown.is_empty() {
        return Ok(());
    }
    for item in items.iter_mut() {
        let link = item
            .as_ref()
            .ok()
            .and_then(|v| Some((v.task_id?, v.household_id)));
        if link.is_some_and(|link| unknown.contains(&link)) {
            *item = Err(not_of_task());
        }
    }
    Ok(())
}

/// Records every valid item of one recorder, in one statement for all (retried only for the
/// rare item whose id a concurrent request was storing at the same moment). Answers in the
/// order given.
pub async fn record_all(
    conn: &mut AsyncPgConnection,
    who: &Recorder,
    mut items: Vec<Result<NewVisit, AppError>>,
) -> AppResult<Vec<Outcome>> {
    check_task_links(conn, who.tenant_id, &mut items).await?;
    let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(items.len());
    let mut visits: Vec<Option<NewVisit>> = Vec::with_capacity(items.len());
    // A later item reusing an earlier item's id is answered from the earlier one.
    let mut first_of: HashMap<Uuid, usize> = HashMap::new();
    let mut duplicates: Vec<(usize, usize)> = Vec::new();
    let mut pending: Vec<usize> = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Ok(visit) => {
                match first_of.get(&visit.id) {
                    Some(&j) => duplicates.push((i, j)),
                    None => {
                        first_of.insert(visit.id, i);
                        pending.push(i);
                    }
                }
                visits.push(Some(visit));
                outcomes.push(None);
            }
            Err(problem) => {
                visits.push(None);
                outcomes.push(Some(Outcome::Failed(problem)));
            }
        }
    }

    for attempt in 0..4 {
        if pending.is_empty() {
            break;
        }
        let batch: Vec<(&Recorder, &NewVisit)> = pending
            .iter()
            .filter_map(|&i| visits[i].as_ref().map(|v| (who, v)))
            .collect();
        // In a savepoint: the request is one transaction (db::scoped), and a deadlock aborts
        // only what this attempt did, so the retry can run in the same transaction.
        let attempt_result = conn
            .transaction(async |conn| queries::record(conn, who.tenant_id, &batch).await)
            .await;
        let answers = match attempt_result {
            Ok(answers) => answers,
            // Ordered locking makes this rare; the statement is idempotent, so run it again.
            Err(e) if is_deadlock(&e) && attempt < 3 => continue,
            Err(e) => return Err(e.into()),
        };
        let mut in_flight = Vec::new();
        for (&i, answer) in pending.iter().zip(answers) {
            let Some(visit) = visits[i].as_ref() else {
                continue;
            };
            outcomes[i] = settle(answer, visit, who.user_id);
            if outcomes[i].is_none() {
                in_flight.push(i);
            }
        }
        pending = in_flight;
    }
    if !pending.is_empty() {
        return Err(AppError::Unavailable);
    }

    for (i, j) in duplicates {
        let same = visits[i] == visits[j];
        outcomes[i] = Some(match (&outcomes[j], same) {
            (Some(Outcome::Created(v) | Outcome::Replayed(v)), true) => {
                Outcome::Replayed(v.clone())
            }
            (Some(Outcome::Failed(AppError::NotFound)), true) => {
                Outcome::Failed(AppError::NotFound)
            }
            (Some(Outcome::Failed(AppError::Conflict(_))), true) => {
                Outcome::Failed(AppError::conflict(CONFLICT))
            }
            _ => Outcome::Failed(AppError::conflict(
                "this visit id is used by an earlier item of the batch with different content",
            )),
        });
    }
    Ok(outcomes
        .into_iter()
        .map(|o| o.unwrap_or(Outcome::Failed(AppError::Unavailable)))
        .collect())
}

/// What one answer of `queries::record` means for the visit sent; `None` while a concurrent
/// request is storing the same id (ask again).
pub fn settle(answer: Recorded, visit: &NewVisit, recorder: Uuid) -> Option<Outcome> {
    match answer {
        Recorded::Created(stored) => Some(Outcome::Created(stored)),
        Recorded::Existing { visit: stored, .. } if visit.is_replay_of(&stored, recorder) => {
            Some(Outcome::Replayed(stored))
        }
        Recorded::Existing { in_scope: true, .. } => {
            Some(Outcome::Failed(AppError::conflict(CONFLICT)))
        }
        // Someone else's visit id with a household the caller may not see: nothing of it is
        // shown, not even that the id exists.
        Recorded::Existing {
            in_scope: false, ..
        }
        | Recorded::OutOfScope => Some(Outcome::Failed(AppError::NotFound)),
        Recorded::SessionEnded => Some(Outcome::Failed(AppError::Unauthenticated(
            "the session has ended; log in again",
        ))),
        Recorded::InFlight => None,
    }
}

/// A deadlock (or a serialization failure): the attempt may simply run again.
pub fn is_deadlock(error: &DieselError) -> bool {
    DbFailure::of(error) == DbFailure::Retry
}
