//! Reading a household roster (花名册) as township offices keep them: a CSV saved from Excel
//! (UTF-8, with or without BOM) or the Excel workbook itself, English or Chinese headers in
//! any order. Pure: bytes in, rows of checked households (or every problem) out; the micro-
//! grid names are resolved against the database by the caller.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::error::FieldErrors;
use crate::households::types::{HouseholdDraft, NewHousehold};

/// Most data rows one roster may hold; a township's whole roster fits comfortably.
pub const MAX_ROWS: usize = 50_000;

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// The legacy binary Excel format (OLE2), which we do not read.
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0];
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The roster's columns. `micro_grid`, `kind`, `name` and `address` are required; the rest
/// may be left out of the header (or left blank in a row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Column {
    MicroGrid,
    Kind,
    Name,
    Address,
    Phone,
    IdNumber,
    Members,
    Tags,
    Note,
}

impl Column {
    const REQUIRED: [Column; 4] = [
        Column::MicroGrid,
        Column::Kind,
        Column::Name,
        Column::Address,
    ];

    /// The column a header cell names, English (any case) or Chinese.
    fn from_header(header: &str) -> Option<Column> {
        let header = header.trim().to_lowercase();
        Some(match header.as_str() {
            "micro_grid" | "微网格" => Column::MicroGrid,
            "kind" | "类型" => Column::Kind,
            "name" | "户主/名称" | "户主" | "名称" => Column::Name,
            "address" | "地址" => Column::Address,
            "phone" | "电话" => Column::Phone,
            "id_number" | "身份证号" => Column::IdNumber,
            "members" | "人数" => Column::Members,
            "tags" | "标签" => Column::Tags,
            "note" | "备注" => Column::Note,
            _ => return None,
        })
    }

    /// The API's field name, used in problems.
    pub fn field(self) -> &'static str {
        match self {
            Column::MicroGrid => "micro_grid",
            Column::Kind => "kind",
            Column::Name => "name",
            Column::Address => "address",
            Column::Phone => "phone",
            Column::IdNumber => "id_number",
            Column::Members => "members",
            Column::Tags => "tags",
            Column::Note => "note",
        }
    }
}

/// One spreadsheet cell as the file holds it. Excel keeps typed numbers (a phone typed
/// into a General cell is the float 13812345678); CSV has only text.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

impl Cell {
    /// The cell as a person reads it: whole numbers without `.0` or an exponent.
    fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => text.trim().to_owned(),
            Cell::Number(n) => number_text(*n),
        }
    }

    fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => text.trim().is_empty(),
            Cell::Number(_) => false,
        }
    }
}

/// Largest integer a float holds exactly: an 18-digit ID number stored as a number in
/// Excel has lost its last digits already.
const EXACT_FLOAT: f64 = 9_007_199_254_740_992.0;

fn number_text(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e17 {
        format!("{}", n as i64)
    } else {
        // Rust prints floats without an exponent, so 1.5 stays "1.5" and nothing becomes
        // "1.3812345678e10".
        format!("{n}")
    }
}

/// A roster row, read but not yet checked; `row` is its spreadsheet row number.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawRow {
    pub row: usize,
    pub cells: BTreeMap<Column, Cell>,
}

/// A checked roster row: its household, or its problems (`field: problem`). The micro-grid
/// is still a name, looked up later.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterRow {
    pub row: usize,
    pub micro_grid: String,
    pub household: Result<NewHousehold, Vec<String>>,
}

/// What was wrong with a file as a whole (not with a row).
#[derive(Debug, Clone, PartialEq)]
pub struct FileProblem {
    /// `file` or `header`.
    pub field: &'static str,
    pub problem: String,
}

impl FileProblem {
    fn file(problem: impl Into<String>) -> FileProblem {
        FileProblem {
            field: "file",
            problem: problem.into(),
        }
    }

    fn header(problem: impl Into<String>) -> FileProblem {
        FileProblem {
            field: "header",
            problem: problem.into(),
        }
    }

    pub fn into_fields(self) -> FieldErrors {
        let mut fields = FieldErrors::new();
        fields.insert(self.field.to_owned(), vec![self.problem]);
        fields
    }
}

/// Is the upload a workbook? By content first (an XLSX is a ZIP), then by what the client
/// said it is.
pub fn looks_like_xlsx(bytes: &[u8], file_name: Option<&str>, content_type: Option<&str>) -> bool {
    bytes.starts_with(ZIP_MAGIC)
        || file_name.is_some_and(|n| n.to_lowercase().ends_with(".xlsx"))
        || content_type.is_some_and(|t| t.contains("spreadsheetml"))
}

/// Reads the file's rows: the header row and the data rows after it, blank rows skipped.
pub fn read(
    bytes: &[u8],
    file_name: Option<&str>,
    content_type: Option<&str>,
) -> Result<Vec<RawRow>, FileProblem> {
    if bytes.iter().all(u8::is_ascii_whitespace) || bytes == BOM {
        return Err(FileProblem::file("the file is empty"));
    }
    if bytes.starts_with(OLE_MAGIC) {
        return Err(FileProblem::file(
            "old Excel files (.xls) are not read; save the roster as .xlsx or as CSV UTF-8",
        ));
    }
    let grid = if looks_like_xlsx(bytes, file_name, content_type) {
        xlsx_cells(bytes)?
    } else {
        csv_cells(bytes)?
    };
    rows(grid)
}

/// The CSV's records as cells, each with its line number.
fn csv_cells(bytes: &[u8]) -> Result<Vec<(usize, Vec<Cell>)>, FileProblem> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() {
        return Err(FileProblem::file(
            "not a CSV in UTF-8 nor an XLSX workbook; in Excel choose \"CSV UTF-8\" or save as .xlsx",
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut grid = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| FileProblem::file(format!("unreadable CSV: {e}")))?;
        // The line the record starts on is the row a spreadsheet shows for it (CSV has
        // no blank-row markers otherwise; quoted line breaks inside a cell are rare).
        let line = record
            .position()
            .map_or(grid.len() + 1, |p| p.line() as usize);
        let cells = record.iter().map(|c| Cell::Text(c.to_owned())).collect();
        grid.push((line, cells));
        if grid.len() > MAX_ROWS + 1 {
            return Err(too_many_rows());
        }
    }
    Ok(grid)
}

/// The first sheet's cells, each row with its spreadsheet row number.
fn xlsx_cells(bytes: &[u8]) -> Result<Vec<(usize, Vec<Cell>)>, FileProblem> {
    let unreadable = |e: &dyn std::fmt::Display| {
        FileProblem::file(format!("not a readable XLSX workbook ({e})"))
    };
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let range = match workbook.worksheet_range_at(0) {
        Some(range) => range.map_err(|e| unreadable(&e))?,
        None => return Err(FileProblem::file("the workbook has no sheet")),
    };
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let first_col = range.start().map_or(0, |(_, col)| col as usize);
    if range.height() > MAX_ROWS + 1 {
        return Err(too_many_rows());
    }
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            // Columns left of the used range are empty; keep positions for the header.
            let mut cells = vec![Cell::Empty; first_col];
            cells.extend(row.iter().map(cell_of));
            (first_row + i + 1, cells)
        })
        .collect())
}

fn cell_of(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::Int(n) => Cell::Number(*n as f64),
        Data::Float(n) => Cell::Number(*n),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.to_owned()),
        Data::DateTime(d) => Cell::Number(d.as_f64()),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}

fn too_many_rows() -> FileProblem {
    FileProblem::file(format!(
        "at most {MAX_ROWS} rows per import; split the roster"
    ))
}

/// Maps the header row to columns and the data rows to `RawRow`s.
fn rows(grid: Vec<(usize, Vec<Cell>)>) -> Result<Vec<RawRow>, FileProblem> {
    let mut lines = grid
        .into_iter()
        .filter(|(_, cells)| !cells.iter().all(Cell::is_blank));
    let Some((_, header)) = lines.next() else {
        return Err(FileProblem::file("the file is empty"));
    };
    let columns = header_columns(&header)?;
    let mut rows = Vec::new();
    for (row, cells) in lines {
        let mut raw = RawRow {
            row,
            cells: BTreeMap::new(),
        };
        for (position, cell) in cells.into_iter().enumerate() {
            if let Some(Some(column)) = columns.get(position) {
                raw.cells.insert(*column, cell);
            }
        }
        rows.push(raw);
        if rows.len() > MAX_ROWS {
            return Err(too_many_rows());
        }
    }
    if rows.is_empty() {
        return Err(FileProblem::file("the file has a header but no households"));
    }
    Ok(rows)
}

/// Each position's column (`None` for a blank header cell); unknown, repeated or missing
/// required headers are refused, every one named.
fn header_columns(header: &[Cell]) -> Result<Vec<Option<Column>>, FileProblem> {
    let mut columns = Vec::new();
    let mut unknown = Vec::new();
    let mut repeated = Vec::new();
    for cell in header {
        let text = cell.text();
        let column = match Column::from_header(&text) {
            _ if text.is_empty() => None,
            Some(column) if columns.contains(&Some(column)) => {
                repeated.push(text);
                None
            }
            Some(column) => Some(column),
            None => {
                unknown.push(text);
                None
            }
        };
        columns.push(column);
    }
    let mut problems = Vec::new();
    if !unknown.is_empty() {
        problems.push(format!(
            "unknown columns: {}; the columns are micro_grid, kind, name, address, phone, \
             id_number, members, tags, note (or 微网格, 类型, 户主/名称, 地址, 电话, 身份证号, \
             人数, 标签, 备注)",
            unknown.join(", ")
        ));
    }
    if !repeated.is_empty() {
        problems.push(format!("repeated columns: {}", repeated.join(", ")));
    }
    let missing: Vec<&str> = Column::REQUIRED
        .iter()
        .filter(|c| !columns.contains(&Some(**c)))
        .map(|c| c.field())
        .collect();
    if !missing.is_empty() {
        problems.push(format!("missing required columns: {}", missing.join(", ")));
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(FileProblem::header(problems.join("; ")))
    }
}

/// The kinds as rosters write them: the API's words, or the office's Chinese labels.
/// 农户/村民 are village households, 居民/住户 resident (town) households, 企业 enterprises.
pub fn kind_of(label: &str) -> Option<&'static str> {
    Some(match label.trim().to_lowercase().as_str() {
        "village" | "农户" | "村民" => "village",
        "resident" | "居民" | "住户" => "resident",
        "enterprise" | "企业" => "enterprise",
        _ => return None,
    })
}

/// Tags as one cell: separated by `,` `，` `、` or `;` (also `；`).
pub fn split_tags(cell: &str) -> Vec<String> {
    cell.split([',', '，', '、', ';', '；'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

impl RawRow {
    fn text(&self, column: Column) -> String {
        self.cells.get(&column).map(Cell::text).unwrap_or_default()
    }

    /// Checks the row with the API's rules; the problems read `field: problem`.
    pub fn check(&self) -> RosterRow {
        let mut problems = Vec::new();
        let micro_grid = self.text(Column::MicroGrid);
        if micro_grid.is_empty() {
            problems.push("micro_grid: must not be empty".to_owned());
        }
        let label = self.text(Column::Kind);
        let kind = match kind_of(&label) {
            Some(kind) => kind,
            None => {
                problems.push(format!(
                    "kind: “{label}” is not one of village, resident, enterprise \
                     (农户, 村民, 居民, 住户, 企业)"
                ));
                // Still check the other fields: one answer names every problem.
                "village"
            }
        };
        let members = match self.cells.get(&Column::Members) {
            None => None,
            Some(cell) => match members_of(cell) {
                Ok(members) => members,
                Err(problem) => {
                    problems.push(format!("members: {problem}"));
                    None
                }
            },
        };
        if let Some(Cell::Number(n)) = self.cells.get(&Column::IdNumber) {
            if n.abs() >= EXACT_FLOAT || n.fract() != 0.0 {
                problems.push(
                    "id_number: stored as a number, which loses its last digits; format the \
                     column as text and type the numbers again"
                        .to_owned(),
                );
            }
        }
        let name = self.text(Column::Name);
        let address = self.text(Column::Address);
        let phone = self.text(Column::Phone);
        let id_number = self.text(Column::IdNumber);
        let note = self.text(Column::Note);
        let tags = split_tags(&self.text(Column::Tags));
        let draft = HouseholdDraft {
            kind,
            name: &name,
            address: &address,
            phone: Some(&phone),
            id_number: Some(&id_number),
            members,
            tags: &tags,
            note: Some(&note),
        };
        let parsed = NewHousehold::parse(&draft);
        if let Err(fields) = &parsed {
            for (field, field_problems) in fields {
                if field == "id_number" && problems.iter().any(|p| p.starts_with("id_number")) {
                    continue;
                }
                problems.extend(field_problems.iter().map(|p| format!("{field}: {p}")));
            }
        }
        let household = match parsed {
            Ok(household) if problems.is_empty() => Ok(household),
            _ => Err(problems),
        };
        RosterRow {
            row: self.row,
            micro_grid,
            household,
        }
    }
}

/// Members as a whole number; `4` and Excel's `4.0` alike; blank is absent.
fn members_of(cell: &Cell) -> Result<Option<i64>, String> {
    let bad = || format!("“{}” is not a whole number", cell.text());
    match cell {
        Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e9 => Ok(Some(*n as i64)),
        Cell::Number(_) => Err(bad()),
        _ => {
            let text = cell.text();
            if text.is_empty() {
                return Ok(None);
            }
            if let Ok(n) = text.parse::<i64>() {
                return Ok(Some(n));
            }
            match text.parse::<f64>() {
                Ok(n) if n.fract() == 0.0 && n.abs() < 1e9 => Ok(Some(n as i64)),
                _ => Err(bad()),
            }
        }
    }
}
