//! The export files: CSV that Excel on Windows opens with correct Chinese (UTF-8 with BOM,
//! RFC 4180 quoting), and an Excel workbook with number formats and a native chart.
//! The columns are the breakdown's, in the contract's order; rows carry no personal data.

use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, XlsxError};

use super::types::{By, Lang, Row};
use crate::error::{AppError, AppResult};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The header row for `by` in `lang`: the JSON key names in English, the office's words in
/// Chinese.
pub fn headers(by: By, lang: Lang) -> [&'static str; 10] {
    match lang {
        Lang::En => [
            "key",
            "name",
            "households",
            "visits",
            "households_visited",
            "coverage",
            "issues_raised",
            "issues_resolved",
            "on_time_rate",
            "median_working_days",
        ],
        Lang::Zh => {
            let (key, name) = match by {
                By::Grid => ("网格编号", "网格"),
                By::MicroGrid => ("微网格编号", "微网格"),
                By::Leader => ("网格长编号", "网格长"),
                By::Week => ("周次", "日期"),
                By::Tag => ("标签", "标签"),
            };
            [
                key,
                name,
                "户数",
                "走访人次",
                "走访户数",
                "覆盖率",
                "诉求数",
                "已解决",
                "按时办结率",
                "办结用时中位数（工作日）",
            ]
        }
    }
}

/// Coverage in CSV: a fraction with four decimals (Excel shows it as a percentage on request;
/// the XLSX export formats it so already).
pub fn csv_coverage(coverage: f64) -> String {
    format!("{coverage:.4}")
}

pub fn csv(by: By, lang: Lang, rows: &[Row]) -> AppResult<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(UTF8_BOM.to_vec());
    writer
        .write_record(headers(by, lang))
        .map_err(AppError::internal)?;
    for row in rows {
        writer
            .write_record([
                row.key.clone(),
                inert(&row.name),
                row.households.to_string(),
                row.visits.to_string(),
                row.households_visited.to_string(),
                csv_coverage(row.coverage),
                row.issues_raised.to_string(),
                row.issues_resolved.to_string(),
                row.on_time_rate.map(csv_coverage).unwrap_or_default(),
                row.median_working_days
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            ])
            .map_err(AppError::internal)?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))
}

/// A name as a cell Excel shows and never runs: names are typed by people, and one that
/// starts like a formula (`=HYPERLINK(…)`) would be evaluated when the file is opened. The
/// leading apostrophe is OWASP's advice for CSV; the XLSX writes strings as strings anyway.
fn inert(name: &str) -> String {
    if name.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{name}")
    } else {
        name.to_owned()
    }
}

/// Sheet names: the rows, and the chart of them.
pub fn sheet_names(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Zh => ("统计", "图表"),
        Lang::En => ("stats", "chart"),
    }
}

pub fn xlsx(by: By, lang: Lang, title: &str, rows: &[Row]) -> AppResult<Vec<u8>> {
    build_xlsx(by, lang, title, rows).map_err(AppError::internal)
}

fn build_xlsx(by: By, lang: Lang, title: &str, rows: &[Row]) -> Result<Vec<u8>, XlsxError> {
    let (data_name, chart_name) = sheet_names(lang);
    let headers = headers(by, lang);
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let mut workbook = Workbook::new();

    let sheet = workbook.add_worksheet();
    sheet.set_name(data_name)?;
    for (col, header) in (0u16..).zip(headers) {
        sheet.write_string_with_format(0, col, header, &bold)?;
    }
    for (r, row) in (1u32..).zip(rows) {
        sheet.write_string(r, 0, &row.key)?;
        sheet.write_string(r, 1, &row.name)?;
        sheet.write_number(r, 2, row.households as f64)?;
        sheet.write_number(r, 3, row.visits as f64)?;
        sheet.write_number(r, 4, row.households_visited as f64)?;
        sheet.write_number_with_format(r, 5, row.coverage, &percent)?;
        sheet.write_number(r, 6, row.issues_raised as f64)?;
        sheet.write_number(r, 7, row.issues_resolved as f64)?;
        // Left empty where nothing was resolved (or routed): no figure, not a zero.
        if let Some(rate) = row.on_time_rate {
            sheet.write_number_with_format(r, 8, rate, &percent)?;
        }
        if let Some(days) = row.median_working_days {
            sheet.write_number(r, 9, days)?;
        }
    }
    // Ids are 36 characters; weeks and numbers are short; names are Chinese (two columns each).
    let key_width = if by == By::Week { 10.0 } else { 38.0 };
    sheet.set_column_width(0, key_width)?;
    sheet.set_column_width(1, 30.0)?;
    for col in 2..10u16 {
        sheet.set_column_width(col, 12.0)?;
    }
    sheet.set_freeze_panes(1, 0)?;

    let chart_sheet = workbook.add_worksheet();
    chart_sheet.set_name(chart_name)?;
    if rows.is_empty() {
        chart_sheet.write_string(0, 0, "-")?;
    } else {
        let last = rows.len() as u32;
        // Visits as columns on the left axis, coverage as a line on a percentage right axis.
        let mut chart = Chart::new(ChartType::Column);
        chart
            .add_series()
            .set_name((data_name, 0, 3))
            .set_categories((data_name, 1, 1, last, 1))
            .set_values((data_name, 1, 3, last, 3));
        let mut line = Chart::new(ChartType::Line);
        line.add_series()
            .set_name((data_name, 0, 5))
            .set_categories((data_name, 1, 1, last, 1))
            .set_values((data_name, 1, 5, last, 5))
            .set_secondary_axis(true);
        chart.combine(&line);
        chart.title().set_name(title);
        chart.y_axis().set_name(headers[3]);
        chart.y2_axis().set_name(headers[5]).set_num_format("0%");
        chart.set_width(960).set_height(480);
        chart_sheet.insert_chart(1, 1, &chart)?;
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str) -> Row {
        Row {
            key: "k".into(),
            name: name.into(),
            households: 3,
            visits: 2,
            households_visited: 1,
            coverage: 1.0 / 3.0,
            issues_raised: 0,
            issues_resolved: 0,
            on_time_rate: None,
            median_working_days: None,
        }
    }

    #[test]
    fn csv_starts_with_bom_and_quotes_commas() {
        let timely = Row {
            on_time_rate: Some(0.5),
            median_working_days: Some(3.0),
            ..row("南")
        };
        let bytes = csv(By::Grid, Lang::Zh, &[row("东,西"), timely]).unwrap();
        assert!(bytes.starts_with(UTF8_BOM));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(
            text,
            "网格编号,网格,户数,走访人次,走访户数,覆盖率,诉求数,已解决,按时办结率,办结用时中位数（工作日）\r\n\
             k,\"东,西\",3,2,1,0.3333,0,0,,\r\n\
             k,南,3,2,1,0.3333,0,0,0.5000,3\r\n",
            "a row without resolutions leaves both cells empty"
        );
    }

    #[test]
    fn csv_names_that_look_like_formulas_stay_text() {
        let bytes = csv(
            By::Grid,
            Lang::En,
            &[row("=HYPERLINK(\"http://x\")"), row("@a"), row("一组")],
        )
        .unwrap();
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(
            text.contains("k,\"'=HYPERLINK(\"\"http://x\"\")\","),
            "{text}"
        );
        assert!(text.contains("k,'@a,"), "{text}");
        assert!(text.contains("k,一组,"), "{text}");
    }

    #[test]
    fn xlsx_builds_with_and_without_rows() {
        assert!(xlsx(By::Week, Lang::En, "t", &[row("a")])
            .unwrap()
            .starts_with(b"PK"));
        assert!(xlsx(By::Week, Lang::Zh, "t", &[])
            .unwrap()
            .starts_with(b"PK"));
    }
}
