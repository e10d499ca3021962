//! `lianxin calendar-import --tenant CODE FILE`: a year's holidays and make-up working days
//! into a township's calendar at once, from a CSV file `date,workday,note` (a header row
//! `date,workday,note` or `日期,上班,备注` optional; `workday` true/false, 1/0, 上班/休息).
//! `--tenant CODE --china 2026` loads the State Council's schedule the binary knows.
//! All or nothing: any bad line stops the import with every bad line's number.

use std::path::Path;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, AuditAction};
use crate::db::schema::{calendar_days, tenants};
use crate::db::DbPool;
use crate::domain::{day::parse_day, holidays, Name};
use crate::error::AppError;

/// One day of the file.
#[derive(Debug, PartialEq)]
pub struct Day {
    pub date: NaiveDate,
    pub workday: bool,
    pub note: Option<String>,
}

/// Reads the file's text: every day, or every problem as `line N: …`.
pub fn parse(text: &str) -> Result<Vec<Day>, Vec<String>> {
    let text = text.trim_start_matches('\u{feff}');
    let (mut days, mut problems) = (Vec::new(), Vec::new());
    for (index, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        if index == 0 && matches!(fields[0], "date" | "日期") {
            continue;
        }
        match day(&fields) {
            Ok(day) => days.push(day),
            Err(problem) => problems.push(format!("line {}: {problem}", index + 1)),
        }
    }
    if problems.is_empty() {
        Ok(days)
    } else {
        Err(problems)
    }
}

fn day(fields: &[&str]) -> Result<Day, String> {
    let [date, workday, rest @ ..] = fields else {
        return Err("expected date,workday,note".into());
    };
    let date = parse_day(date)?;
    let workday = match *workday {
        "true" | "1" | "上班" | "是" => true,
        "false" | "0" | "休息" | "放假" | "否" => false,
        other => return Err(format!("workday {other:?} is not true/false (上班/休息)")),
    };
    let note = rest.join(",");
    let note = match note.trim() {
        "" => None,
        note => Some(
            Name::parse(note)
                .map_err(|e| format!("note: {e}"))?
                .into_inner(),
        ),
    };
    Ok(Day {
        date,
        workday,
        note,
    })
}

/// The national schedule of `year`, as the binary knows it.
pub fn china(year: i32) -> anyhow::Result<Vec<Day>> {
    let known = match year {
        2026 => holidays::CHINA_2026,
        _ => anyhow::bail!("the national schedule of {year} is not built in; import a file"),
    };
    known
        .iter()
        .map(|(date, workday, note)| {
            Ok(Day {
                date: parse_day(date).map_err(anyhow::Error::msg)?,
                workday: *workday,
                note: Some((*note).to_owned()),
            })
        })
        .collect()
}

/// Stores `days` in the township `tenant` (each replacing that day's exception), with one
/// audit record for the import.
pub async fn run(pool: &DbPool, tenant: &str, days: Vec<Day>, source: &str) -> anyhow::Result<()> {
    let mut conn = pool.get().await?;
    let tenant_id: Uuid = tenants::table
        .filter(tenants::code.eq(tenant))
        .select(tenants::id)
        .first(&mut conn)
        .await
        .optional()?
        .ok_or_else(|| anyhow::anyhow!("no township with the code `{tenant}`"))?;
    let count = days.len();
    conn.transaction(async |conn| {
        diesel::sql_query(crate::db::scoped::scope_sql(Some(tenant_id)))
            .execute(conn)
            .await?;
        for day in &days {
            diesel::insert_into(calendar_days::table)
                .values((
                    calendar_days::tenant_id.eq(tenant_id),
                    calendar_days::day.eq(day.date),
                    calendar_days::workday.eq(day.workday),
                    calendar_days::note.eq(day.note.as_deref()),
                ))
                .on_conflict((calendar_days::tenant_id, calendar_days::day))
                .do_update()
                .set((
                    calendar_days::workday.eq(excluded(calendar_days::workday)),
                    calendar_days::note.eq(excluded(calendar_days::note)),
                ))
                .execute(conn)
                .await?;
        }
        let detail = json!({"days": count, "source": source});
        audit::record_unattended(
            conn,
            tenant_id,
            AuditAction::CalendarImport,
            "calendar",
            None,
            Some(detail),
        )
        .await?;
        Ok::<_, AppError>(())
    })
    .await
    .map_err(|e| anyhow::anyhow!("{}", e.body().error.message_with_fields()))?;
    println!("{count} calendar days stored for `{tenant}`");
    Ok(())
}

/// Reads `file` and stores its days.
pub async fn run_file(pool: &DbPool, tenant: &str, file: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read {} as UTF-8 text: {e}", file.display()))?;
    let days = parse(&text).map_err(|problems| anyhow::anyhow!("{}", problems.join("\n")))?;
    run(pool, tenant, days, &file.display().to_string()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_reads_with_either_header_and_every_bad_line_is_told() {
        let days = parse(
            "\u{feff}日期,上班,备注\n2026-10-01,休息,国庆节\n\n2026-10-10,true,国庆节调休上班\n",
        )
        .unwrap();
        assert_eq!(days.len(), 2);
        assert_eq!(days[1].date, NaiveDate::from_ymd_opt(2026, 10, 10).unwrap());
        assert!(days[1].workday);
        assert_eq!(days[0].note.as_deref(), Some("国庆节"));
        let problems =
            parse("date,workday,note\n2026-13-01,false,x\n2026-10-02,maybe,\n2026-10-03")
                .unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("line 2:"));
        assert_eq!(china(2026).unwrap().len(), holidays::CHINA_2026.len());
        assert!(china(2031).is_err());
    }
}
