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
/// they would cover if sent through the API today.
pub async fn seed(tx: &Transaction<'_>) -> anyhow::Result<()> {
    for task in TASKS {
        let id = uuid::Uuid::now_v7().to_string();
        let tags: Vec<&str> = task.tag.into_iter().collect();
        let task: [&(dyn ToSql + Sync); 8] = [
            &TENANT_CODE,
            &id,
            &task.title,
            &task.description,
            &task.days,
            &task.repeat,
            &tags,
            &task.first_grid,
        ];
        tx.execute(
            "INSERT INTO tasks (tenant_id, id, title, description, due_on, repeat, grid_ids, tags, \
                                created_by) \
             SELECT t.id, $2::text::uuid, $3, $4, \
                    (now() AT TIME ZONE t.timezone)::date + $5::int4, $6::text, \
                    CASE WHEN $8::bool THEN ARRAY(SELECT g.id FROM grids g WHERE g.tenant_id = t.id \
                                            ORDER BY g.name LIMIT 1) ELSE '{}' END, \
                    $7::text[], (SELECT u.id FROM users u WHERE u.tenant_id = t.id \
                         AND u.role = 'tenant_admin' ORDER BY u.username LIMIT 1) \
             FROM tenants t WHERE t.code = $1",
            &task,
        )
        .await?;
        let cover: [&(dyn ToSql + Sync); 2] = [&TENANT_CODE, &id];
        tx.execute(
            "INSERT INTO task_households (tenant_id, task_id, household_id) \
             SELECT h.tenant_id, k.id, h.id \
             FROM tasks k JOIN tenants t ON t.id = k.tenant_id \
             JOIN households h ON h.tenant_id = k.tenant_id \
             JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id \
             WHERE t.code = $1 AND k.id = $2::text::uuid \
               AND (cardinality(k.grid_ids) = 0 OR m.grid_id = ANY(k.grid_ids)) \
               AND (cardinality(k.tags) = 0 OR h.tags && k.tags)",
            &cover,
        )
        .await?;
    }
    Ok(())
}
