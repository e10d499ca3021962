//! The monthly statement's workbook: a title, a header, a row per day and a total.

use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Date};
use diesel::QueryableByName;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::error::{AppError, AppResult};

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const HEADERS: [&str; 6] = [
    "日期",
    "走访户数",
    "走访人次",
    "反映诉求",
    "当场解决",
    "交办部门",
];

/// One day's work.
#[derive(Debug, QueryableByName)]
pub struct Day {
    #[diesel(sql_type = Date)]
    pub day: NaiveDate,
    #[diesel(sql_type = BigInt)]
    pub households: i64,
    #[diesel(sql_type = BigInt)]
    pub visits: i64,
    #[diesel(sql_type = BigInt)]
    pub raised: i64,
    #[diesel(sql_type = BigInt)]
    pub solved: i64,
    #[diesel(sql_type = BigInt)]
    pub routed: i64,
}

/// The workbook; `households` is the month's distinct count (the days' counts can repeat a
/// household, so the total row does not add them up).
pub fn xlsx(title: &str, days: &[Day], households: i64) -> AppResult<Vec<u8>> {
    build(title, days, households).map_err(AppError::internal)
}

fn build(title: &str, days: &[Day], households: i64) -> Result<Vec<u8>, XlsxError> {
    let bold = Format::new().set_bold();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("民情日志")?;
    sheet.write_string_with_format(0, 0, title, &bold)?;
    for (col, header) in (0u16..).zip(HEADERS) {
        sheet.write_string_with_format(1, col, header, &bold)?;
    }
    let mut row = 2u32;
    for day in days {
        sheet.write_string(row, 0, day.day.format("%Y-%m-%d").to_string())?;
        let counts = [
            day.households,
            day.visits,
            day.raised,
            day.solved,
            day.routed,
        ];
        for (col, n) in (1u16..).zip(counts) {
            sheet.write_number(row, col, n as f64)?;
        }
        row += 1;
    }
    let sum = |f: fn(&Day) -> i64| days.iter().map(f).sum::<i64>() as f64;
    sheet.write_string_with_format(row, 0, "合计", &bold)?;
    sheet.write_number_with_format(row, 1, households as f64, &bold)?;
    sheet.write_number_with_format(row, 2, sum(|d| d.visits), &bold)?;
    sheet.write_number_with_format(row, 3, sum(|d| d.raised), &bold)?;
    sheet.write_number_with_format(row, 4, sum(|d| d.solved), &bold)?;
    sheet.write_number_with_format(row, 5, sum(|d| d.routed), &bold)?;
    sheet.set_column_width(0, 14.0)?;
    for col in 1..6u16 {
        sheet.set_column_width(col, 12.0)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    workbook.save_to_buffer()
}
