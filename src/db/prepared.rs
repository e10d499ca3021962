//! Hand-written SQL that is prepared once per connection and reused.
//!
//! `diesel::sql_query` never caches its statement: every call parses, plans and costs one
//! extra round trip. A hot statement (recording a visit) instead implements `Prepared`: its
//! text is a constant with `$name` placeholders, each bound by name with its SQL type. A name
//! may appear several times (it is bound at each place); the text never changes, so the
//! connection's statement cache keys it by type.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::Untyped;
use diesel::QueryResult;

pub trait Prepared {
    /// A `'static` type naming this statement in the connection's cache.
    type Id: 'static;
    /// The SQL, with `$name` placeholders (a name is letters, digits and `_`).
    const SQL: &'static str;
    /// Binds the value of the placeholder `name`.
    fn bind<'b>(&'b self, name: &str, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()>;
}

/// Runs a `Prepared` with `diesel_async::RunQueryDsl` (`load`, `get_result`, `execute`);
/// rows are read by name (`QueryableByName`).
pub struct Statement<T>(pub T);

impl<T: Prepared> QueryFragment<Pg> for Statement<T> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let mut rest = T::SQL;
        while let Some(at) = rest.find('$') {
            out.push_sql(&rest[..at]);
            let after = &rest[at + 1..];
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            self.0.bind(&after[..len], &mut out)?;
            rest = &after[len..];
        }
        out.push_sql(rest);
        Ok(())
    }
}

impl<T: Prepared> QueryId for Statement<T> {
    type QueryId = T::Id;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<T: Prepared> Query for Statement<T> {
    type SqlType = Untyped;
}

/// The error for a placeholder the statement does not know: a bug in its `bind`.
pub fn unknown_placeholder(name: &str) -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(format!("unknown placeholder ${name}").into())
}

#[cfg(test)]
mod tests {
    use diesel::sql_types::{Integer, Text};

    use super::*;

    struct Pair {
        name: String,
        n: i32,
    }

    impl Prepared for Pair {
        type Id = Pair;
        const SQL: &'static str =
            "SELECT $name::text AS a, $n AS b WHERE $name <> '' AND x::int = $n";

        fn bind<'b>(&'b self, name: &str, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
            match name {
                "name" => out.push_bind_param::<Text, _>(&self.name),
                "n" => out.push_bind_param::<Integer, _>(&self.n),
                other => Err(unknown_placeholder(other)),
            }
        }
    }

    #[test]
    fn placeholders_become_numbered_binds_and_casts_survive() {
        let statement = Statement(Pair {
            name: "张".into(),
            n: 7,
        });
        let sql = diesel::debug_query::<Pg, _>(&statement).to_string();
        assert!(
            sql.starts_with(
                "SELECT $1::text AS a, $2 AS b WHERE $3 <> '' AND x::int = $4 -- binds: [\"张\", 7, \"张\", 7]"
            ),
            "{sql}"
        );
    }
}
