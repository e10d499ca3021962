//! The departments' SQL: every statement names the caller's township.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::departments;
use crate::departments::types::Department;
use crate::error::AppResult;
use crate::http::Page;

pub async fn insert(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    name: &str,
) -> AppResult<Department> {
    Ok(diesel::insert_into(departments::table)
        .values((
            departments::tenant_id.eq(tenant),
            departments::id.eq(Uuid::now_v7()),
            departments::name.eq(name),
        ))
        .returning(Department::as_returning())
        .get_result(conn)
        .await?)
}

/// Renames one; `NotFound` when it is not the township's.
pub async fn rename(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    id: Uuid,
    name: &str,
) -> AppResult<Department> {
    Ok(diesel::update(departments::table)
        .filter(departments::tenant_id.eq(tenant))
        .filter(departments::id.eq(id))
        .set(departments::name.eq(name))
        .returning(Department::as_returning())
        .get_result(conn)
        .await?)
}

/// A page of the township's departments by name, and how many there are.
pub async fn list(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    page: Page,
) -> AppResult<(Vec<Department>, i64)> {
    let items = departments::table
        .filter(departments::tenant_id.eq(tenant))
        .order((departments::name.asc(), departments::id.asc()))
        .offset(page.offset())
        .limit(page.limit())
        .select(Department::as_select())
        .load(conn)
        .await?;
    let total = departments::table
        .filter(departments::tenant_id.eq(tenant))
        .count()
        .get_result(conn)
        .await?;
    Ok((items, total))
}

/// Whether `id` is a department of the township (a body naming one is 422 otherwise).
pub async fn exists(conn: &mut AsyncPgConnection, tenant: Uuid, id: Uuid) -> AppResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        departments::table
            .filter(departments::tenant_id.eq(tenant))
            .filter(departments::id.eq(id)),
    ))
    .get_result(conn)
    .await?)
}
