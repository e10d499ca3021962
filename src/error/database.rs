//! What a database error means for the request, and the answer it becomes.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::{AppError, NUL_REFUSED};

impl From<DieselError> for AppError {
    fn from(error: DieselError) -> Self {
        match DbFailure::of(&error) {
            DbFailure::NotFound => AppError::NotFound,
            DbFailure::UniqueKey(constraint) => {
                tracing::debug!(?constraint, "unique violation");
                AppError::conflict(unique_key_message(constraint))
            }
            DbFailure::Unavailable => AppError::Unavailable,
            DbFailure::Nul => AppError::bad_request(NUL_REFUSED),
            DbFailure::Retry | DbFailure::Other => AppError::internal(error),
        }
    }
}

/// What a database error means for the request.
///
/// Told apart by the SQLSTATE, through the `DatabaseErrorKind` diesel maps it to, and by the
/// constraint a violation names; never by the message where diesel gives a kind, since the
/// message is in the server's language. diesel (2.3) maps only the constraint violations,
/// serialization failures and a lost socket, and does not hand out the SQLSTATE of the others
/// (`Unknown`). Those few are recognised by PostgreSQL's message, which every session of the
/// service receives in English whatever the server's `lc_messages` (`db::pool` sets it), and
/// which `unmapped_state` names by the SQLSTATE each stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbFailure<'a> {
    NotFound,
    /// 23505: a unique key holds the value already (its constraint, when PostgreSQL names it).
    UniqueKey(Option<&'a str>),
    /// No socket (closed, unreachable), 08xxx, 53300, 57014 (statement timeout), 57P01–03
    /// (shutting down, crashed, starting up), or a transaction left broken by one of them.
    Unavailable,
    /// 40001 or 40P01: a serialization failure or a deadlock; run the transaction again.
    Retry,
    /// 22021 or 22P05: text with U+0000, which PostgreSQL's text cannot hold.
    Nul,
    /// Anything else is a bug.
    Other,
}

impl DbFailure<'_> {
    pub fn of(error: &DieselError) -> DbFailure<'_> {
        let (kind, info) = match error {
            DieselError::NotFound => return DbFailure::NotFound,
            DieselError::BrokenTransactionManager => return DbFailure::Unavailable,
            DieselError::DatabaseError(kind, info) => (kind, info),
            _ => return DbFailure::Other,
        };
        match kind {
            DatabaseErrorKind::UniqueViolation => DbFailure::UniqueKey(info.constraint_name()),
            DatabaseErrorKind::SerializationFailure => DbFailure::Retry,
            // No SQLSTATE at all: the socket failed (PostgreSQL stopped or the network broke).
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
                DbFailure::Unavailable
            }
            DatabaseErrorKind::Unknown => match unmapped_state(info.message()) {
                Some("40P01") => DbFailure::Retry,
                Some("22021" | "22P05") => DbFailure::Nul,
                Some(_) => DbFailure::Unavailable,
                None => DbFailure::Other,
            },
            _ => DbFailure::Other,
        }
    }
}

/// The SQLSTATE behind one of PostgreSQL's English messages, for the states diesel does not
/// map to a kind and the service must answer other than with a 500.
fn unmapped_state(message: &str) -> Option<&'static str> {
    // In order: the first that the message contains. The last ones are the families' common
    // words (`terminating connection due to …`, `canceling statement due to … timeout`).
    const STATES: &[(&str, &str)] = &[
        ("deadlock detected", "40P01"),
        ("invalid byte sequence for encoding", "22021"),
        ("unsupported unicode escape sequence", "22P05"),
        ("too many clients", "53300"),
        ("connection slots are reserved", "53300"),
        ("starting up", "57P03"),
        ("shutting down", "57P03"),
        ("not yet accepting", "57P03"),
        ("recovery mode", "57P03"),
        ("terminating", "57P01"),
        ("timeout", "57014"),
        ("timed out", "57014"),
        ("connection", "08000"),
    ];
    let message = message.to_ascii_lowercase();
    STATES
        .iter()
        .find(|(text, _)| message.contains(text))
        .map(|(_, state)| *state)
}

/// The unique keys a request can run into, by constraint name, and what the client is told
/// of each; any other key is "a record with the same key exists already".
const UNIQUE_KEYS: &[(&str, &str)] = &[
    ("tenants_code_key", "this township code is taken"),
    (
        "users_tenant_id_username_key",
        "this username is taken in the township",
    ),
    (
        "departments_tenant_id_name_key",
        "the township has a department of this name",
    ),
];

fn unique_key_message(constraint: Option<&str>) -> &'static str {
    constraint
        .and_then(|name| {
            UNIQUE_KEYS.iter().find(|(key, _)| {
                // On Citus a shard's constraint carries the shard's number: `…_key_102008`.
                name == *key
                    || name.strip_prefix(key).is_some_and(|rest| {
                        rest.strip_prefix('_')
                            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                    })
            })
        })
        .map_or(
            "a record with the same key exists already",
            |(_, message)| message,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_error(kind: DatabaseErrorKind, message: &str) -> AppError {
        DieselError::DatabaseError(kind, Box::new(message.to_owned())).into()
    }

    #[test]
    fn a_lost_or_unready_database_is_503_not_500() {
        for (kind, message) in [
            (DatabaseErrorKind::UnableToSendCommand, "connection closed"),
            (
                DatabaseErrorKind::ClosedConnection,
                "server closed the connection",
            ),
            (
                DatabaseErrorKind::Unknown,
                "terminating connection due to administrator command",
            ),
            (
                DatabaseErrorKind::Unknown,
                "the database system is starting up",
            ),
            (
                DatabaseErrorKind::Unknown,
                "canceling statement due to statement timeout",
            ),
        ] {
            let error = db_error(kind, message);
            assert!(
                matches!(error, AppError::Unavailable),
                "{message}: {error:?}"
            );
        }
    }

    #[test]
    fn a_nul_character_in_text_is_a_bad_request() {
        let error = db_error(
            DatabaseErrorKind::Unknown,
            "invalid byte sequence for encoding \"UTF8\": 0x00",
        );
        assert!(matches!(error, AppError::BadRequest(_)), "{error:?}");
    }

    #[test]
    fn a_unique_violation_is_a_conflict_and_other_errors_stay_internal() {
        assert!(matches!(
            db_error(DatabaseErrorKind::UniqueViolation, "duplicate key"),
            AppError::Conflict(_)
        ));
        assert!(matches!(
            db_error(DatabaseErrorKind::Unknown, "syntax error at or near"),
            AppError::Internal(_)
        ));
    }

    /// A violation as PostgreSQL reports it: the constraint is named whatever the language.
    struct Violation(&'static str);

    impl diesel::result::DatabaseErrorInformation for Violation {
        fn message(&self) -> &str {
            "重复键违反唯一约束"
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            Some(self.0)
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    #[test]
    fn a_unique_key_is_told_by_its_constraint_not_by_the_message() {
        let answer_to = |constraint| {
            let error = DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                Box::new(Violation(constraint)),
            );
            match AppError::from(error) {
                AppError::Conflict(message) => message,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(answer_to("tenants_code_key"), "this township code is taken");
        assert_eq!(
            answer_to("users_tenant_id_username_key"),
            "this username is taken in the township"
        );
        // A Citus shard's copy of the constraint.
        assert_eq!(
            answer_to("users_tenant_id_username_key_102008"),
            "this username is taken in the township"
        );
        assert_eq!(
            answer_to("users_tenant_id_username_key_extra"),
            "a record with the same key exists already"
        );
        assert_eq!(
            answer_to("grids_tenant_id_name_key"),
            "a record with the same key exists already"
        );
    }

    #[test]
    fn the_kinds_diesel_maps_need_no_message() {
        for (kind, failure) in [
            (DatabaseErrorKind::SerializationFailure, DbFailure::Retry),
            (DatabaseErrorKind::ClosedConnection, DbFailure::Unavailable),
            (
                DatabaseErrorKind::UnableToSendCommand,
                DbFailure::Unavailable,
            ),
            (DatabaseErrorKind::ForeignKeyViolation, DbFailure::Other),
            (DatabaseErrorKind::CheckViolation, DbFailure::Other),
        ] {
            // Whatever the message says, in whatever language.
            let error =
                DieselError::DatabaseError(kind, Box::new("死锁 deadlock detected".to_owned()));
            assert_eq!(DbFailure::of(&error), failure, "{kind:?}");
        }
        assert_eq!(DbFailure::of(&DieselError::NotFound), DbFailure::NotFound);
    }

    #[test]
    fn a_deadlock_is_retried() {
        let error = DieselError::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("deadlock detected".to_owned()),
        );
        assert_eq!(DbFailure::of(&error), DbFailure::Retry);
    }
}
