//! A small township built straight in the database, with tokens for each role, so that a
//! feature's tests need not go through every other feature's endpoints first.
//!
//! Shape (tenant code given by the test):
//! - grid `g1` (village) with micro-grids `m1`, `m2`; grid `g2` (enterprise) with `m3`
//! - `admin` (tenant_admin), `supervisor` (whole township), `grid_supervisor` (grid g1 only)
//! - `leader1` leads m1 and m2; `leader2` leads m3; `idle_leader` leads nothing
//! - households: `h1`, `h2` in m1, `h3` in m2, `h4` in m3, each with its own phone and ID
//!   number (`CONTACTS`)
//!
//! Every user's password is `PASSWORD`.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use lianxin::auth::tokens::TokenKeys;
use lianxin::db::schema::{
    departments, grids, households, leader_assignments, micro_grids, tenants, users,
};
use lianxin::domain::Role;
use secrecy::SecretString;
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::harness::{TestApp, JWT_SECRET};

pub const PASSWORD: &str = "township-pass-2026";

/// The phone and ID number of `h1` to `h4`, each different in the digits a mask shows and in
/// those it hides, so that a value taken from another row cannot pass for the right one.
pub const CONTACTS: [(&str, &str); 4] = [
    ("13812345678", "11010519491231002X"),
    ("13987654321", "330482195603120817"),
    ("15024681357", "33048219781105143X"),
    ("18655550199", "330482200102203570"),
];
/// `CONTACTS` as a supervisor sees them (docs/security.md, "What is masked").
pub const MASKED: [(&str, &str); 4] = [
    ("138****5678", "110105********002X"),
    ("139****4321", "330482********0817"),
    ("150****1357", "330482********143X"),
    ("186****0199", "330482********3570"),
];
/// `h1`'s phone and ID number.
pub const PHONE: &str = CONTACTS[0].0;
pub const ID_NUMBER: &str = CONTACTS[0].1;

static HASH: OnceCell<String> = OnceCell::const_new();

async fn password_hash() -> String {
    HASH.get_or_init(|| async {
        lianxin::auth::passwords::hash(SecretString::from(PASSWORD))
            .await
            .unwrap()
    })
    .await
    .clone()
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub token: String,
}

#[derive(Debug, Clone)]
pub struct Township {
    pub id: Uuid,
    pub code: String,
    pub g1: Uuid,
    pub g2: Uuid,
    pub m1: Uuid,
    pub m2: Uuid,
    pub m3: Uuid,
    pub admin: User,
    pub supervisor: User,
    pub grid_supervisor: User,
    pub leader1: User,
    pub leader2: User,
    pub idle_leader: User,
    pub h1: Uuid,
    pub h2: Uuid,
    pub h3: Uuid,
    pub h4: Uuid,
}

/// An access token as login would issue it.
pub fn token(user: Uuid, tenant: Option<Uuid>, role: Role, grid: Option<Uuid>) -> String {
    TokenKeys::new(&SecretString::from(JWT_SECRET), 900).issue(user, tenant, role, grid, 0)
}

/// Creates a platform admin (username `operator`) and returns its token.
pub async fn platform_admin(app: &TestApp) -> User {
    let mut conn = app.db().await;
    let id = Uuid::now_v7();
    diesel::sql_query("INSERT INTO platform_admins (id, username, display_name, password_hash) VALUES ($1, 'operator', '市平台运维', $2)")
        .bind::<diesel::sql_types::Uuid, _>(id)
        .bind::<diesel::sql_types::Text, _>(password_hash().await)
        .execute(&mut conn)
        .await
        .unwrap();
    User {
        id,
        username: "operator".into(),
        token: token(id, None, Role::PlatformAdmin, None),
    }
}

impl Township {
    pub async fn create(app: &TestApp, code: &str) -> Township {
        let mut conn = app.db().await;
        let hash = password_hash().await;
        let tenant = Uuid::now_v7();
        diesel::insert_into(tenants::table)
            .values((
                tenants::id.eq(tenant),
                tenants::code.eq(code),
                tenants::name.eq(format!("{code}镇")),
            ))
            .execute(&mut conn)
            .await
            .unwrap();
        let (g1, g2) = (Uuid::now_v7(), Uuid::now_v7());
        for (id, name, kind) in [
            (g1, "新埭村网格", "village"),
            (g2, "工业园区网格", "enterprise"),
        ] {
            diesel::insert_into(grids::table)
                .values((
                    grids::tenant_id.eq(tenant),
                    grids::id.eq(id),
                    grids::name.eq(name),
                    grids::kind.eq(kind),
                ))
                .execute(&mut conn)
                .await
                .unwrap();
        }
        let user = |username: &str, role: Role, grid: Option<Uuid>| {
            let id = Uuid::now_v7();
            let row = (
                users::tenant_id.eq(tenant),
                users::id.eq(id),
                users::username.eq(username.to_owned()),
                users::display_name.eq(format!("{username}的名字")),
                users::role.eq(role.as_str()),
                users::grid_id.eq(grid),
                users::password_hash.eq(hash.clone()),
                users::phone.eq(Some("13900001111")),
            );
            (
                row,
                User {
                    id,
                    username: username.to_owned(),
                    token: token(id, Some(tenant), role, grid),
                },
            )
        };
        let people = [
            user("admin", Role::TenantAdmin, None),
            user("supervisor", Role::Supervisor, None),
            user("grid_supervisor", Role::Supervisor, Some(g1)),
            user("leader1", Role::Leader, None),
            user("leader2", Role::Leader, None),
            user("idle_leader", Role::Leader, None),
        ];
        for (row, _) in &people {
            diesel::insert_into(users::table)
                .values(row.clone())
                .execute(&mut conn)
                .await
                .unwrap();
        }
        let [admin, supervisor, grid_supervisor, leader1, leader2, idle_leader] =
            people.map(|(_, user)| user);
        let (m1, m2, m3) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        for (id, grid, name, leader, group) in [
            (m1, g1, "新埭村第1微网格", leader1.id, Some("新埭村1组群")),
            (m2, g1, "新埭村第2微网格", leader1.id, None),
            (m3, g2, "工业园区第1微网格", leader2.id, Some("园区企业群")),
        ] {
            diesel::insert_into(micro_grids::table)
                .values((
                    micro_grids::tenant_id.eq(tenant),
                    micro_grids::id.eq(id),
                    micro_grids::grid_id.eq(grid),
                    micro_grids::name.eq(name),
                    micro_grids::group_name.eq(group),
                    micro_grids::leader_id.eq(Some(leader)),
                ))
                .execute(&mut conn)
                .await
                .unwrap();
            diesel::insert_into(leader_assignments::table)
                .values((
                    leader_assignments::tenant_id.eq(tenant),
                    leader_assignments::id.eq(Uuid::now_v7()),
                    leader_assignments::micro_grid_id.eq(id),
                    leader_assignments::user_id.eq(leader),
                ))
                .execute(&mut conn)
                .await
                .unwrap();
        }
        let household = |micro_grid: Uuid,
                         kind: &str,
                         name: &str,
                         (phone, id_number): (&'static str, &'static str)| {
            let id = Uuid::now_v7();
            (
                id,
                (
                    households::tenant_id.eq(tenant),
                    households::id.eq(id),
                    households::micro_grid_id.eq(micro_grid),
                    households::kind.eq(kind.to_owned()),
                    households::name.eq(name.to_owned()),
                    households::address.eq(format!("{name}家, 新埭村")),
                    households::phone.eq(Some(phone)),
                    households::id_number.eq(Some(id_number)),
                    households::members.eq(Some(4)),
                ),
            )
        };
        let rows = [
            household(m1, "village", "张建国", CONTACTS[0]),
            household(m1, "village", "李秀英", CONTACTS[1]),
            household(m2, "village", "王德明", CONTACTS[2]),
            household(m3, "enterprise", "嘉兴新埭电子有限公司", CONTACTS[3]),
        ];
        for (_, row) in &rows {
            diesel::insert_into(households::table)
                .values(row.clone())
                .execute(&mut conn)
                .await
                .unwrap();
        }
        let [h1, h2, h3, h4] = rows.map(|(id, _)| id);
        Township {
            id: tenant,
            code: code.to_owned(),
            g1,
            g2,
            m1,
            m2,
            m3,
            admin,
            supervisor,
            grid_supervisor,
            leader1,
            leader2,
            idle_leader,
            h1,
            h2,
            h3,
            h4,
        }
    }

    /// A department of the township named `name`, and a handler of it (username
    /// `handler_<n>`, where n counts the township's departments), straight in the database.
    pub async fn department(&self, app: &TestApp, name: &str) -> (Uuid, User) {
        let mut conn = app.db().await;
        let id = Uuid::now_v7();
        diesel::insert_into(departments::table)
            .values((
                departments::tenant_id.eq(self.id),
                departments::id.eq(id),
                departments::name.eq(name),
            ))
            .execute(&mut conn)
            .await
            .unwrap();
        let user = Uuid::now_v7();
        let username = format!("handler_{}", id.simple());
        diesel::insert_into(users::table)
            .values((
                users::tenant_id.eq(self.id),
                users::id.eq(user),
                users::username.eq(&username),
                users::display_name.eq(format!("{name}经办人")),
                users::role.eq(Role::Handler.as_str()),
                users::department_id.eq(Some(id)),
                users::password_hash.eq(password_hash().await),
            ))
            .execute(&mut conn)
            .await
            .unwrap();
        let handler = User {
            id: user,
            username,
            token: token(user, Some(self.id), Role::Handler, None),
        };
        (id, handler)
    }

    /// Which of `h1` to `h4` `household` is (an index into `CONTACTS` and `MASKED`).
    pub fn index_of(&self, household: Uuid) -> usize {
        [self.h1, self.h2, self.h3, self.h4]
            .iter()
            .position(|h| *h == household)
            .expect("one of the fixture's households")
    }
}
