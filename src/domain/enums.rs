//! The closed vocabularies of the contract. Stored as text (see the migrations), sent as the
//! same lower-case words.

/// Defines a string enum that (de)serialises as its words in JSON, in the database and in
/// query strings, and documents itself in the OpenAPI schema.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "must be one of: {}",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    diesel::pg::Pg,
                >>::from_sql(bytes)?;
                text.parse().map_err(Into::into)
            }
        }
    };
}

text_enum!(
    /// What a user may do; see design.md "Who uses it".
    Role {
        PlatformAdmin => "platform_admin",
        TenantAdmin => "tenant_admin",
        Supervisor => "supervisor",
        Leader => "leader",
        Handler => "handler",
    }
);

text_enum!(
    /// A village/community grid holds families; an enterprise grid holds enterprises.
    GridKind { Village => "village", Enterprise => "enterprise" }
);

text_enum!(
    /// A village household, a resident household of a community, or an enterprise.
    HouseholdKind { Village => "village", Resident => "resident", Enterprise => "enterprise" }
);

text_enum!(
    /// How a visit was made: at the door, by phone, in the messaging group, otherwise.
    VisitMethod { Door => "door", Phone => "phone", Group => "group", Other => "other" }
);

text_enum!(
    /// What residents ask for: road stakes, housing approval, land acquisition, low-income
    /// allowance, anything else.
    IssueCategory {
        Road => "road",
        Housing => "housing",
        Land => "land",
        Welfare => "welfare",
        Other => "other",
    }
);

text_enum!(
    /// Where an issue stands; see `issues` for the legal transitions. `assigned` (routed to
    /// a department), `accepted` (the department signed for it) and `done` (reported done,
    /// awaiting the leader's verification) are the township's workflow (docs/workflow.md).
    IssueStatus {
        Open => "open",
        Escalated => "escalated",
        Resolved => "resolved",
        Assigned => "assigned",
        Accepted => "accepted",
        Done => "done",
    }
);

text_enum!(
    /// How a task sent down to the leaders repeats: each week or each month a new round, whose
    /// households are done again only by a visit of that round.
    TaskRepeat { Weekly => "weekly", Monthly => "monthly" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_through_text_and_json() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), *role);
            let json = serde_json::to_string(role).unwrap();
            assert_eq!(json, format!("\"{role}\""));
        }
        assert_eq!(
            "escalated".parse::<IssueStatus>().unwrap(),
            IssueStatus::Escalated
        );
    }

    #[test]
    fn unknown_words_are_refused_with_the_choices() {
        let problem = "boss".parse::<Role>().unwrap_err();
        assert!(problem.contains("tenant_admin"), "{problem}");
        assert!("Door".parse::<VisitMethod>().is_err());
        assert!(serde_json::from_str::<GridKind>("\"farm\"").is_err());
    }

    #[test]
    fn the_openapi_schema_lists_the_same_words() {
        // `$text` must reach utoipa as a plain literal: captured as `:literal` it arrives
        // wrapped and utoipa silently documented `TenantAdmin` instead of `tenant_admin`.
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(Role::schema()).unwrap();
        let words: Vec<&str> = schema["enum"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|w| w.as_str())
            .collect();
        assert_eq!(
            words,
            [
                "platform_admin",
                "tenant_admin",
                "supervisor",
                "leader",
                "handler"
            ]
        );
        let schema = serde_json::to_value(VisitMethod::schema()).unwrap();
        assert_eq!(schema["enum"][0], "door");
    }
}
