//! Idempotent recording: what a phone's retried or queued visits come to. Shared by the
//! single and the batch endpoint, so both answer a replay, a conflict or a foreign household
//! the same way.

use std::collections::HashMap;

use diesel::result::Error as DieselError;
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
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

/// Records every valid item, in one statement for all (retried only for the rare item whose
/// id a concurrent request was storing at the same moment). Answers in the order given.
///
/// `first`: the answer of the first `queries::record` of exactly the valid, distinct items,
/// when the caller already sent it (pipelined with the session check).
pub async fn record_all(
    conn: &mut AsyncPgConnection,
    who: &Recorder<'_>,
    items: Vec<Result<NewVisit, AppError>>,
    mut first: Option<QueryResult<Vec<Recorded>>>,
) -> AppResult<Vec<Outcome>> {
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
        let batch: Vec<&NewVisit> = pending.iter().filter_map(|&i| visits[i].as_ref()).collect();
        let answer = match first.take() {
            Some(answer) => answer,
            None => queries::record(conn, who, &batch).await,
        };
        let answers = match answer {
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
            outcomes[i] = match answer {
                Recorded::Created(stored) => Some(Outcome::Created(stored)),
                Recorded::Existing { visit: stored, .. }
                    if visit.is_replay_of(&stored, who.user_id) =>
                {
                    Some(Outcome::Replayed(stored))
                }
                Recorded::Existing { in_scope: true, .. } => {
                    Some(Outcome::Failed(AppError::conflict(CONFLICT)))
                }
                // Someone else's visit id with a household the caller may not see: nothing
                // of it is shown, not even that the id exists.
                Recorded::Existing {
                    in_scope: false, ..
                }
                | Recorded::OutOfScope => Some(Outcome::Failed(AppError::NotFound)),
                Recorded::InFlight => {
                    in_flight.push(i);
                    None
                }
            };
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

fn is_deadlock(error: &DieselError) -> bool {
    matches!(error, DieselError::DatabaseError(_, info) if info.message().contains("deadlock"))
}
