//! `GET /stats/chart`: the breakdown as an SVG bar chart, for a dashboard or a report.
//!
//! One row per grid, micro-grid, leader or week: a bar for the visits (scaled to the largest)
//! and the coverage as a figure and a thin bar of its own (scaled to 100%). Text is left to
//! the viewer's fonts (SVG `<text>`), so Chinese names show wherever a browser runs and the
//! server needs no font of its own.

use std::fmt::Write;

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::export::title;
use super::figures;
use super::scope;
use super::types::{ChartQuery, Lang, Row};
use crate::auth::Caller;
use crate::error::{AppResult, ErrorBody};

const WIDTH: u32 = 960;
const LABEL: u32 = 260;
const BAR: u32 = 520;
const ROW: u32 = 26;
const TOP: u32 = 64;

#[utoipa::path(
    get, path = "/api/v1/stats/chart", tag = "stats",
    params(ChartQuery),
    responses(
        (status = 200, description = "an SVG picture: a bar per row for visits, and coverage",
         content_type = "image/svg+xml", body = String),
        (status = 400, description = "unknown `by` or `lang`; a date or id that does not parse", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "leaders and platform admins", body = ErrorBody),
        (status = 404, description = "scope outside the tenant or the supervisor's grid", body = ErrorBody),
        (status = 422, description = "`from` after `to`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn chart(caller: Caller, query: web::Query<ChartQuery>) -> AppResult<HttpResponse> {
    let (mut conn, asked) = scope::asked(
        &caller,
        (query.from, query.to),
        query.grid_id,
        query.micro_grid_id,
    )
    .await?;
    let rows = figures::rows(&mut conn, asked.params(), query.by).await?;
    let svg = draw(
        &title(&asked.town, query.by, query.lang, &asked.range),
        query.lang,
        &rows,
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"))
        // Figures change with every visit; a dashboard asks again when it wants them new.
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(svg))
}

/// The picture: title, legend, then a row per breakdown row.
pub fn draw(title: &str, lang: Lang, rows: &[Row]) -> String {
    let (visits, coverage, none) = match lang {
        Lang::Zh => ("走访人次", "覆盖率", "此范围内没有数据"),
        Lang::En => ("visits", "coverage", "nothing in this range"),
    };
    let height = TOP + ROW * (rows.len().max(1) as u32) + 16;
    let most = rows.iter().map(|r| r.visits).max().unwrap_or(0).max(1) as f64;
    let mut svg = String::with_capacity(512 + rows.len() * 400);
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="13">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="16" y="26" font-size="17" font-weight="bold">{}</text>
<rect x="{LABEL}" y="38" width="12" height="10" fill="#2f6fb0"/><text x="{}" y="48">{visits}</text>
<rect x="{}" y="38" width="12" height="10" fill="#e08a2c"/><text x="{}" y="48">{coverage}</text>
"##,
        escape(title),
        LABEL + 18,
        LABEL + 110,
        LABEL + 128,
    );
    if rows.is_empty() {
        let _ = writeln!(svg, r#"<text x="16" y="{}">{none}</text>"#, TOP + 14);
    }
    for (i, row) in rows.iter().enumerate() {
        let y = TOP + ROW * i as u32;
        let long = (row.visits as f64 / most * f64::from(BAR)).round();
        let covered = (row.coverage.clamp(0.0, 1.0) * f64::from(BAR)).round();
        let _ = writeln!(
            svg,
            r##"<g><title>{name}: {visits} {v}, {coverage} {c:.1}%</title><text x="{lx}" y="{ty}" text-anchor="end">{name}</text><rect x="{LABEL}" y="{y}" width="{long}" height="14" fill="#2f6fb0"/><rect x="{LABEL}" y="{cy}" width="{covered}" height="4" fill="#e08a2c"/><text x="{nx}" y="{ty}">{v} · {c:.1}%</text></g>"##,
            name = escape(&row.name),
            v = row.visits,
            c = row.coverage * 100.0,
            lx = LABEL - 8,
            ty = y + 12,
            cy = y + 16,
            nx = LABEL + BAR + 8,
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Text as XML character data or attribute value: names are typed by people.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and newlines are not allowed in XML 1.0.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, visits: i64, coverage: f64) -> Row {
        Row {
            key: name.into(),
            name: name.into(),
            households: 10,
            visits,
            households_visited: 0,
            coverage,
            issues_raised: 0,
            issues_resolved: 0,
            on_time_rate: None,
            median_working_days: None,
        }
    }

    #[test]
    fn names_are_escaped_and_the_largest_bar_is_full_width() {
        let svg = draw(
            "新埭镇 <按网格>",
            Lang::Zh,
            &[row("东 & \"西\" <村>", 40, 0.5), row("南村", 10, 1.0)],
        );
        assert!(svg.contains("新埭镇 &lt;按网格&gt;"));
        assert!(svg.contains("东 &amp; &quot;西&quot; &lt;村&gt;"));
        assert!(!svg.contains("<村>"));
        assert!(svg.contains(&format!(r#"width="{BAR}" height="14""#)));
        assert!(svg.contains(&format!(r#"width="{}" height="14""#, BAR / 4)));
        assert!(svg.contains("50.0%") && svg.contains("100.0%"));
    }

    #[test]
    fn control_characters_never_reach_the_picture() {
        assert_eq!(escape("a\u{0}b\u{1b}c\td"), "abc\td");
    }

    #[test]
    fn an_empty_breakdown_says_so() {
        assert!(draw("t", Lang::En, &[]).contains("nothing in this range"));
    }
}
