//! What the audit log records: a closed list, so a new write cannot invent an action by a
//! typo and every action keeps the `<entity>.<verb>` shape. The words are stored in
//! `audit_log.action` and filtered on (`GET /audit?action=`): they never change.

use diesel::pg::Pg;
use diesel::serialize::{Output, ToSql};
use diesel::sql_types::Text;

/// Declares the enum, its list and its words in one place, so none can be left out.
macro_rules! actions {
    ($($variant:ident => $word:literal),+ $(,)?) => {
        /// Every action the audit log holds.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::expression::AsExpression)]
        #[diesel(sql_type = Text)]
        pub enum AuditAction {
            $($variant),+
        }

        impl AuditAction {
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant),+];

            /// The word stored and filtered on: `<entity>.<verb>`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $word),+
                }
            }
        }
    };
}

actions! {
    TenantCreate => "tenant.create",
    UserCreate => "user.create",
    UserUpdate => "user.update",
    UserPassword => "user.password",
    AuthLogin => "auth.login",
    AuthLogout => "auth.logout",
    AuthRefreshReuse => "auth.refresh_reuse",
    GridCreate => "grid.create",
    GridUpdate => "grid.update",
    MicroGridCreate => "micro_grid.create",
    MicroGridUpdate => "micro_grid.update",
    MicroGridAssignLeader => "micro_grid.assign_leader",
    MicroGridRemoveLeader => "micro_grid.remove_leader",
    HouseholdCreate => "household.create",
    HouseholdUpdate => "household.update",
    HouseholdAssign => "household.assign",
    HouseholdImport => "household.import",
    TagUpdate => "tag.update",
    VisitCreate => "visit.create",
    IssueRaise => "issue.raise",
    IssueEscalate => "issue.escalate",
    IssueResolve => "issue.resolve",
    IssueReopen => "issue.reopen",
    IssueFeedback => "issue.feedback",
    IssueAssign => "issue.assign",
    IssueAccept => "issue.accept",
    IssueExtend => "issue.extend",
    IssueExtension => "issue.extension",
    IssueDone => "issue.done",
    IssueVerify => "issue.verify",
    DepartmentCreate => "department.create",
    DepartmentUpdate => "department.update",
    CalendarSet => "calendar.set",
    CalendarDelete => "calendar.delete",
    CalendarImport => "calendar.import",
    TaskCreate => "task.create",
    TaskClose => "task.close",
    StatsExport => "stats.export",
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Bound as its word, so SQL that writes audit records takes the action as a parameter
/// instead of a literal of its own.
impl ToSql<Text, Pg> for AuditAction {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> diesel::serialize::Result {
        <str as ToSql<Text, Pg>>::to_sql(self.as_str(), out)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::AuditAction;

    #[test]
    fn every_action_is_entity_dot_verb_and_its_own() {
        let shape = regex::Regex::new(r"^[a-z_]+\.[a-z_]+$").unwrap();
        let mut seen = HashSet::new();
        for action in AuditAction::ALL {
            assert!(shape.is_match(action.as_str()), "{action}");
            assert!(seen.insert(action.as_str()), "{action} twice");
        }
    }
}
