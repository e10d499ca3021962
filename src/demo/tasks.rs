//! Two tasks sent down in the demo township (docs/workflow.md), so that the leaders' phones
//! and the console's 任务 show one at work: a weekly round of the lone elderly (独居老人) in
//! the whole township, and a one-off winter fire-safety reminder in the first grid.

use tokio_postgres::types::ToSql;
use tokio_postgres::Transaction;

use super::TENANT_CODE;

/// One demo task as sent down.
struct DemoTask {
    title: &'static str,
    description: &'static str,
    /// Days from today to the first round's last day.
    days: i32,
    repeat: Option<&'static str>,
    tag: Option<&'static str>,
    /// Only the first grid (by name); otherwise the whole township.
    first_grid: bool,
}

const TASKS: [DemoTask; 2] = [
    DemoTask {
        title: "独居老人每周探视",
        description: "每周上门或电话问候一次，看看身体、吃饭、取暖，有困难当场记下。",
        days: 6,
        repeat: Some("weekly"),
        tag: Some("独居老人"),
        first_grid: false,
    },
    DemoTask {
        title: "冬季防火安全提醒",
        description: "入户检查电热毯、煤炉和电线，提醒不要用炭火取暖、出门断电。",
        days: 14,
        repeat: None,
        tag: None,
        first_grid: true,
    },
];

/// Sends the demo's tasks down, from the township's first admin, covering the households
/// they would cover if sent through the API today. Each statement names the township's id,
/// so that on Citus it goes to the township's worker whole.
pub async fn seed(tx: &Transaction<'_>) -> anyhow::Result<()> {
    let code: [&(dyn ToSql + Sync); 1] = [&TENANT_CODE];
    let township = tx
        .query_one(
            "SELECT id::text, (now() AT TIME ZONE timezone)::date::text FROM tenants \
             WHERE code = $1",
            &code,
        )
        .await?;
    let (tenant, today): (String, String) = (township.get(0), township.get(1));
    let tenant_only: [&(dyn ToSql + Sync); 1] = [&tenant];
    let admin: String = tx
        .query_one(
            "SELECT id::text FROM users WHERE tenant_id = $1::text::uuid \
             AND role = 'tenant_admin' ORDER BY username LIMIT 1",
            &tenant_only,
        )
        .await?
        .get(0);
    let first_grid: String = tx
        .query_one(
            "SELECT id::text FROM grids WHERE tenant_id = $1::text::uuid ORDER BY name LIMIT 1",
            &tenant_only,
        )
        .await?
        .get(0);
    for task in TASKS {
        let id = uuid::Uuid::now_v7().to_string();
        let tags: Vec<&str> = task.tag.into_iter().collect();
        let grids: Vec<&str> = task
            .first_grid
            .then_some(first_grid.as_str())
            .into_iter()
            .collect();
        let values: [&(dyn ToSql + Sync); 10] = [
            &tenant,
            &id,
            &task.title,
            &task.description,
            &today,
            &task.days,
            &task.repeat,
            &grids,
            &tags,
            &admin,
        ];
        tx.execute(
            "INSERT INTO tasks (tenant_id, id, title, description, due_on, repeat, grid_ids, tags, \
                                created_by) \
             VALUES ($1::text::uuid, $2::text::uuid, $3, $4, $5::text::date + $6::int4, $7::text, \
                     $8::text[]::uuid[], $9::text[], $10::text::uuid)",
            &values,
        )
        .await?;
        let cover: [&(dyn ToSql + Sync); 4] = [&tenant, &id, &grids, &tags];
        tx.execute(
            "INSERT INTO task_households (tenant_id, task_id, household_id) \
             SELECT h.tenant_id, $2::text::uuid, h.id \
             FROM households h \
             JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id \
             WHERE h.tenant_id = $1::text::uuid \
               AND (cardinality($3::text[]) = 0 OR m.grid_id = ANY($3::text[]::uuid[])) \
               AND (cardinality($4::text[]) = 0 OR h.tags && $4::text[])",
            &cover,
        )
        .await?;
    }
    Ok(())
}
