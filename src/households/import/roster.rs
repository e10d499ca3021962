//! Reading a household roster (花名册) as township offices keep them: a CSV saved from Excel
//! (UTF-8 with or without BOM, or GB18030/GBK as Excel's plain "CSV" on a Chinese Windows)
//! or the Excel workbook itself, English or Chinese headers in
//! any order. Pure: bytes in, rows of checked households (or every problem) out; the micro-
//! grid names are resolved against the database by the caller.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};
use encoding_rs::{DecoderResult, GB18030};

use crate::domain::Name;
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

/// The CSV's records as cells, each with its spreadsheet row number.
fn csv_cells(bytes: &[u8]) -> Result<Vec<(usize, Vec<Cell>)>, FileProblem> {
    let text = csv_text(bytes)?;
    let bytes = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut grid = Vec::new();
    // The row a spreadsheet shows for a record: the line it starts on (csv skips blank
    // lines, and its own line count lags behind CRLF, so count the breaks ourselves), less
    // the line breaks inside earlier quoted cells, which a spreadsheet keeps in one row.
    let (mut counted, mut line, mut inside) = (0usize, 1usize, 0usize);
    for record in reader.records() {
        let record = record.map_err(|e| {
            tracing::info!(error = %e, "an uploaded CSV could not be read");
            FileProblem::file("the file could not be read as CSV; save the roster again as \"CSV UTF-8\" or as .xlsx")
        })?;
        let mut start = record
            .position()
            .map_or(counted, |p| p.byte() as usize)
            .clamp(counted, bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        line += bytes[counted..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted = start;
        let cells = record.iter().map(|c| Cell::Text(c.to_owned())).collect();
        grid.push((line - inside, cells));
        inside += record
            .iter()
            .map(|c| c.matches('\n').count())
            .sum::<usize>();
        if grid.len() > MAX_ROWS + 1 {
            return Err(too_many_rows());
        }
    }
    Ok(grid)
}

/// The CSV's text. Excel saves "CSV UTF-8" with a BOM, and plain "CSV" in the Windows code
/// page, which on a Chinese Windows is GBK; GB18030 is GBK's superset, so reading GB18030
/// reads both. UTF-8 is tried first: GBK text is almost never valid UTF-8, whereas UTF-8
/// read as GB18030 decodes without an error into nonsense. A file with the UTF-8 BOM is
/// UTF-8 and nothing else.
fn csv_text(bytes: &[u8]) -> Result<Cow<'_, str>, FileProblem> {
    let (bytes, marked) = match bytes.strip_prefix(BOM) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    let utf8_error = match std::str::from_utf8(bytes) {
        Ok(text) => return Ok(Cow::Borrowed(text)),
        Err(e) => e,
    };
    let utf8_line = line_of(bytes, utf8_error.valid_up_to());
    if marked {
        return Err(FileProblem::file(format!(
            "read as UTF-8 (the file starts with the UTF-8 byte order mark), but line {utf8_line} \
             is not UTF-8; save the roster again as \"CSV UTF-8\" or as .xlsx"
        )));
    }
    match gb18030(bytes) {
        Ok(text) => Ok(Cow::Owned(text)),
        Err(offset) => Err(FileProblem::file(format!(
            "neither UTF-8 (line {utf8_line} is not) nor GB18030/GBK (line {} is not), the \
             encodings a CSV is read in; in Excel save as \"CSV UTF-8\" or as .xlsx",
            line_of(bytes, offset)
        ))),
    }
}

/// The bytes decoded as GB18030, or the offset of the first byte sequence that is not.
fn gb18030(bytes: &[u8]) -> Result<String, usize> {
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .ok_or(0usize)?;
    let mut text = String::with_capacity(capacity);
    match decoder.decode_to_string_without_replacement(bytes, &mut text, true) {
        (DecoderResult::InputEmpty, _) => Ok(text),
        // `read` ends `after` bytes past a malformed sequence `bad` bytes long.
        (DecoderResult::Malformed(bad, after), read) => {
            Err(read.saturating_sub(usize::from(bad) + usize::from(after)))
        }
        // Cannot happen with the capacity asked for; report the file as undecodable.
        (DecoderResult::OutputFull, read) => Err(read),
    }
}

/// The 1-based line of the byte at `offset`.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

/// Most columns a roster row is read across (it has nine).
const MAX_COLUMNS: u32 = 64;
/// Most a workbook may unpack to: a 20 MiB upload of repeated cells could otherwise unpack
/// to gigabytes (a "zip bomb") before the row cap is ever reached.
const MAX_UNPACKED: u64 = 256 << 20;

/// The first sheet's non-blank cells, row by row with their spreadsheet row numbers. The
/// cells are streamed, not loaded as calamine's dense range: one cell at XFD1048576 would
/// otherwise allocate a million rows of 16,384 cells.
fn xlsx_cells(bytes: &[u8]) -> Result<Vec<(usize, Vec<Cell>)>, FileProblem> {
    // The reader's own words ("Xml error: I/O error: …") tell a township's clerk nothing
    // and show the library's insides: they go to the log, the clerk gets what to do.
    let unreadable = |e: &dyn std::fmt::Display| {
        tracing::info!(error = %e, "an uploaded workbook could not be read");
        FileProblem::file(
            "the file could not be read as an XLSX workbook; open it in Excel and save it again as .xlsx",
        )
    };
    if unpacked_size(bytes).is_some_and(|size| size > MAX_UNPACKED) {
        return Err(FileProblem::file(
            "the workbook unpacks to more than 256 MiB; split the roster",
        ));
    }
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let Some(sheet) = workbook.sheet_names().into_iter().next() else {
        return Err(FileProblem::file("the workbook has no sheet"));
    };
    let mut reader = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|e| unreadable(&e))?;
    let mut rows: BTreeMap<u32, Vec<Cell>> = BTreeMap::new();
    while let Some(cell) = reader.next_cell().map_err(|e| unreadable(&e))? {
        let value = cell_of(cell.get_value());
        if value.is_blank() {
            continue;
        }
        let (row, col) = cell.get_position();
        if col >= MAX_COLUMNS {
            return Err(FileProblem::file(format!(
                "a cell beyond column {MAX_COLUMNS} (row {}); the roster has nine columns",
                row + 1
            )));
        }
        let cells = rows.entry(row).or_default();
        let col = col as usize;
        if cells.len() <= col {
            cells.resize(col + 1, Cell::Empty);
        }
        cells[col] = value;
        if rows.len() > MAX_ROWS + 1 {
            return Err(too_many_rows());
        }
    }
    Ok(rows
        .into_iter()
        .map(|(row, cells)| (row as usize + 1, cells))
        .collect())
}

/// The sum of the sizes a ZIP's central directory declares for its entries (the zip reader
/// holds each entry to its declared size), or `None` when there is no readable directory
/// (calamine then reports the file unreadable). ZIP64 entries count as too large.
fn unpacked_size(bytes: &[u8]) -> Option<u64> {
    const END: &[u8] = b"PK\x05\x06";
    const ENTRY: &[u8] = b"PK\x01\x02";
    let tail_from = bytes.len().saturating_sub(22 + 65_535);
    let end = bytes[tail_from..]
        .windows(4)
        .rposition(|w| w == END)
        .map(|i| tail_from + i)?;
    let u16_at = |at: usize| -> Option<usize> {
        Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?) as usize)
    };
    let u32_at = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    let entries = u16_at(end + 10)?;
    let mut at = u32_at(end + 16)? as usize;
    let mut total = 0u64;
    for _ in 0..entries {
        if bytes.get(at..at + 4)? != ENTRY {
            return None;
        }
        let size = u32_at(at + 24)?;
        if size == u32::MAX {
            return Some(u64::MAX);
        }
        total += u64::from(size);
        at += 46 + u16_at(at + 28)? + u16_at(at + 30)? + u16_at(at + 32)?;
    }
    Some(total)
}

fn cell_of(data: &DataRef<'_>) -> Cell {
    match data {
        DataRef::Empty => Cell::Empty,
        DataRef::Int(n) => Cell::Number(*n as f64),
        DataRef::Float(n) => Cell::Number(*n),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            Cell::Text(s.clone())
        }
        DataRef::SharedString(s) => Cell::Text((*s).to_owned()),
        DataRef::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.to_owned()),
        DataRef::DateTime(d) => Cell::Number(d.as_f64()),
        DataRef::Error(e) => Cell::Text(format!("#{e:?}")),
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
        // A micro-grid name that no micro-grid could have is this row's problem, and is not
        // looked up (nor echoed whole: a cell may hold megabytes).
        let micro_grid = match Name::parse(&self.text(Column::MicroGrid)).map(Name::into_inner) {
            Ok(name) => name,
            Err(problem) => {
                problems.push(format!("micro_grid: {problem}"));
                String::new()
            }
        };
        let label = self.text(Column::Kind);
        let kind = match kind_of(&label) {
            Some(kind) => kind,
            None => {
                problems.push(if label.is_empty() {
                    "kind: must not be empty".to_owned()
                } else {
                    format!(
                        "kind: “{label}” is not one of village, resident, enterprise \
                         (农户, 村民, 居民, 住户, 企业)"
                    )
                });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::check_char;
    use proptest::prelude::*;

    fn csv_rows(text: &str) -> Result<Vec<RawRow>, FileProblem> {
        read(text.as_bytes(), Some("roster.csv"), Some("text/csv"))
    }

    fn household(row: &RawRow) -> NewHousehold {
        row.check().household.expect("a valid row")
    }

    #[test]
    fn chinese_headers_with_bom_in_any_order() {
        let text = "\u{feff} 户主 ,微网格,类型,地址,标签,人数,电话,身份证号\n\
                    张建国,新埭村第1微网格,农户,新埭村3组12号,\"低保户，独居老人、党员;退役军人\",4,138 1234 5678,11010519491231002x\n";
        let rows = csv_rows(text).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 2);
        let checked = rows[0].check();
        assert_eq!(checked.micro_grid, "新埭村第1微网格");
        let h = checked.household.unwrap();
        assert_eq!(h.name, "张建国");
        assert_eq!(h.kind.as_str(), "village");
        assert_eq!(h.members, Some(4));
        assert_eq!(h.phone.unwrap().as_str(), "13812345678");
        assert_eq!(h.id_number.unwrap().as_str(), "11010519491231002X");
        assert_eq!(h.tags, ["低保户", "独居老人", "党员", "退役军人"]);
    }

    #[test]
    fn gbk_and_gb18030_csv_read_as_the_same_rows_as_utf8() {
        let utf8 = "微网格,类型,户主/名称,地址\n新埭村第1微网格,农户,张建国,新埭村1组\n";
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(utf8);
        assert!(!unmappable);
        assert_ne!(gbk.as_ref(), utf8.as_bytes());
        let rows = read(&gbk, Some("roster.csv"), None).unwrap();
        assert_eq!(rows, csv_rows(utf8).unwrap());
        assert_eq!(household(&rows[0]).name, "张建国");
        // GB18030 beyond GBK: a rare name character (𠀀, four bytes in GB18030).
        let rare = utf8.replace("张建国", "张𠀀");
        let (gb18030, _, _) = GB18030.encode(&rare);
        let rows = read(&gb18030, None, None).unwrap();
        assert_eq!(household(&rows[0]).name, "张𠀀");
    }

    #[test]
    fn only_the_required_columns_are_needed_and_blank_rows_are_skipped() {
        let text = "micro_grid,kind,name,address\n\n,,,\nm1,resident,李梅,新埭镇人民路8号\n";
        let rows = csv_rows(text).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 4);
        let h = household(&rows[0]);
        assert_eq!((h.phone, h.members, h.tags.len()), (None, None, 0));
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        let text = "micro_grid,kind,name,address\r\nm1,农户,甲,地址\r\n\r\nm1,农户,\"乙\n丙\",地址\r\n,,,\r\nm1,农户,丁,地址\r\n";
        let numbers: Vec<usize> = csv_rows(text).unwrap().iter().map(|r| r.row).collect();
        assert_eq!(numbers, [2, 4, 6]);
        let lf: Vec<usize> = csv_rows(&text.replace("\r\n", "\n"))
            .unwrap()
            .iter()
            .map(|r| r.row)
            .collect();
        assert_eq!(lf, [2, 4, 6]);
    }

    #[test]
    fn header_problems_name_every_column() {
        let problem = csv_rows("微网格,名称,地址,颜色,size\nx,y,z,w,v\n").unwrap_err();
        assert_eq!(problem.field, "header");
        assert!(
            problem.problem.contains("颜色, size"),
            "{}",
            problem.problem
        );
        assert!(problem.problem.contains("missing required columns: kind"));
        let repeated = csv_rows("micro_grid,kind,name,address,名称\nx,y,z,w,v\n").unwrap_err();
        assert!(repeated.problem.contains("repeated columns: 名称"));
    }

    #[test]
    fn empty_headerless_and_foreign_files_are_refused() {
        for bytes in [&b""[..], b"\xEF\xBB\xBF", b" \n\r\n", b",,,\n"] {
            assert_eq!(read(bytes, None, None).unwrap_err().field, "file");
        }
        assert!(csv_rows("micro_grid,kind,name,address\n")
            .unwrap_err()
            .problem
            .contains("no households"));
        // Neither UTF-8 nor GB18030 (0xFF is in neither), from line 2 on.
        let foreign = read(b"micro_grid,kind\n\xff\xfe,x\n", None, None).unwrap_err();
        assert_eq!(foreign.field, "file");
        assert!(
            foreign.problem.contains("UTF-8 (line 2"),
            "{}",
            foreign.problem
        );
        assert!(
            foreign.problem.contains("GB18030/GBK (line 2"),
            "{}",
            foreign.problem
        );
        // A UTF-8 BOM and then GBK: the BOM says UTF-8, so no second guess.
        let marked = read(b"\xEF\xBB\xBFmicro_grid\n\xbb\xa7\xd6\xf7\n", None, None);
        assert!(marked.unwrap_err().problem.contains("byte order mark"));
        let xls = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        assert!(read(&xls, None, None).unwrap_err().problem.contains(".xls"));
        // The reader's own message stays out of the answer.
        let broken_zip = b"PK\x03\x04 not really a workbook";
        let problem = read(broken_zip, None, None).unwrap_err().problem;
        assert!(
            problem.starts_with("the file could not be read as an XLSX workbook;"),
            "{problem}"
        );
    }

    fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for (row, col, text) in cells {
            sheet.write_string(*row, *col, *text).unwrap();
        }
        workbook.save_to_buffer().unwrap()
    }

    const XLSX_HEADER: [(u32, u16, &str); 4] = [
        (0, 0, "micro_grid"),
        (0, 1, "kind"),
        (0, 2, "name"),
        (0, 3, "address"),
    ];

    #[test]
    fn far_away_cells_are_read_sparsely_or_refused() {
        let mut cells = XLSX_HEADER.to_vec();
        cells.extend([
            (1_048_575, 0, "m1"),
            (1_048_575, 1, "农户"),
            (1_048_575, 2, "甲"),
        ]);
        cells.push((1_048_575, 3, "地址"));
        let rows = read(&workbook(&cells), None, None).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 1_048_576);
        let mut cells = XLSX_HEADER.to_vec();
        cells.push((1_048_575, 16_383, "x"));
        let problem = read(&workbook(&cells), None, None).unwrap_err();
        assert!(problem.problem.contains("beyond column 64"), "{problem:?}");
    }

    #[test]
    fn a_workbook_that_unpacks_too_far_is_refused_before_reading() {
        let mut bytes = workbook(&XLSX_HEADER);
        let size = unpacked_size(&bytes).unwrap();
        assert!(size > 0 && size < 1 << 20, "{size}");
        // Declare the first entry 4 GiB large, as a zip bomb would.
        let entry = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        bytes[entry + 24..entry + 28].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
        let problem = read(&bytes, None, None).unwrap_err();
        assert!(problem.problem.contains("256 MiB"), "{problem:?}");
    }

    #[test]
    fn kind_labels_map_to_the_api_words() {
        for (label, kind) in [
            ("农户", "village"),
            ("村民", "village"),
            (" Village ", "village"),
            ("居民", "resident"),
            ("住户", "resident"),
            ("企业", "enterprise"),
            ("ENTERPRISE", "enterprise"),
        ] {
            assert_eq!(kind_of(label), Some(kind), "{label}");
        }
        assert_eq!(kind_of("工厂"), None);
    }

    fn row_of(cells: &[(Column, Cell)]) -> RawRow {
        let mut row = RawRow {
            row: 7,
            cells: BTreeMap::new(),
        };
        row.cells.insert(Column::MicroGrid, Cell::Text("m1".into()));
        row.cells.insert(Column::Kind, Cell::Text("企业".into()));
        row.cells
            .insert(Column::Name, Cell::Text("新埭纺织有限公司".into()));
        row.cells
            .insert(Column::Address, Cell::Text("工业园区1号".into()));
        row.cells.extend(cells.iter().cloned());
        row
    }

    #[test]
    fn excel_numbers_read_as_people_wrote_them() {
        let h = household(&row_of(&[
            (Column::Phone, Cell::Number(13812345678.0)),
            (Column::Members, Cell::Number(4.0)),
            (Column::Tags, Cell::Number(2024.0)),
        ]));
        assert_eq!(h.phone.unwrap().as_str(), "13812345678");
        assert_eq!(h.members, Some(4));
        assert_eq!(h.tags, ["2024"]);
        assert_eq!(number_text(1.5), "1.5");
        assert_eq!(number_text(13812345678.0), "13812345678");
        assert_eq!(number_text(330424199001011234.0), "330424199001011260");
    }

    #[test]
    fn every_problem_of_a_row_is_named_with_its_field() {
        let problems = row_of(&[
            (Column::MicroGrid, Cell::Text(" ".into())),
            (Column::Kind, Cell::Text("工厂".into())),
            (Column::Phone, Cell::Text("12345".into())),
            (Column::Members, Cell::Number(4.5)),
            (Column::IdNumber, Cell::Number(330424199001011234.0)),
        ])
        .check()
        .household
        .unwrap_err();
        let fields: Vec<&str> = problems
            .iter()
            .map(|p| p.split(':').next().unwrap())
            .collect();
        assert_eq!(
            fields,
            ["micro_grid", "kind", "members", "id_number", "phone"]
        );
        assert!(problems[3].contains("stored as a number"), "{problems:?}");
        let words = row_of(&[(Column::Members, Cell::Text("四".into()))])
            .check()
            .household
            .unwrap_err();
        assert_eq!(words, ["members: “四” is not a whole number"]);
        let no_kind = row_of(&[(Column::Kind, Cell::Empty)]).check();
        assert_eq!(no_kind.household.unwrap_err(), ["kind: must not be empty"]);
        let zero = row_of(&[(Column::Members, Cell::Text("0".into()))]).check();
        assert_eq!(
            zero.household.unwrap_err(),
            ["members: must be between 1 and 99"]
        );
    }

    #[test]
    fn tags_split_on_every_separator() {
        assert_eq!(
            split_tags(" 低保户,独居老人，党员、残疾人;困难户；"),
            ["低保户", "独居老人", "党员", "残疾人", "困难户"]
        );
    }

    /// A valid ID number from a birth date and a sequence number.
    fn id_number(year: u32, month: u32, day: u32, sequence: u32) -> String {
        let digits = format!("330424{year:04}{month:02}{day:02}{sequence:03}");
        let check = check_char(digits.as_bytes()) as char;
        format!("{digits}{check}")
    }

    const HEADERS_EN: [&str; 9] = [
        "micro_grid",
        "kind",
        "name",
        "address",
        "phone",
        "id_number",
        "members",
        "tags",
        "note",
    ];
    const HEADERS_ZH: [&str; 9] = [
        "微网格",
        "类型",
        "户主/名称",
        "地址",
        "电话",
        "身份证号",
        "人数",
        "标签",
        "备注",
    ];

    fn to_csv(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        writer.write_record(headers).unwrap();
        for row in rows {
            writer.write_record(row).unwrap();
        }
        writer.into_inner().unwrap()
    }

    proptest! {
        #[test]
        fn arbitrary_cells_never_panic(
            cells in proptest::collection::vec(proptest::collection::vec(any::<String>(), 0..11), 1..6),
            chinese in any::<bool>(),
        ) {
            let headers = if chinese { HEADERS_ZH } else { HEADERS_EN };
            let bytes = to_csv(&headers, &cells);
            if let Ok(rows) = read(&bytes, None, None) {
                for row in &rows {
                    let _ = row.check();
                }
            }
        }

        #[test]
        fn arbitrary_bytes_and_numbers_never_panic(
            bytes in proptest::collection::vec(any::<u8>(), 0..300),
            number in any::<f64>(),
        ) {
            let _ = read(&bytes, None, None);
            let mut prefixed = b"PK\x03\x04".to_vec();
            prefixed.extend(&bytes);
            let _ = read(&prefixed, None, None);
            for column in [Column::Phone, Column::IdNumber, Column::Members, Column::Name, Column::Kind] {
                let _ = row_of(&[(column, Cell::Number(number))]).check();
            }
        }

        #[test]
        fn a_valid_row_comes_back_as_the_same_household(
            kind in prop::sample::select(vec!["village", "resident", "enterprise", "农户", "居民", "企业"]),
            name in "[\u{4e00}-\u{9fa5}]{2,4}",
            address in "[\u{4e00}-\u{9fa5}0-9 ,\"]{1,30}[号]",
            phone in proptest::option::of("1[3-9][0-9]{9}"),
            birth in (1930u32..2020, 1u32..13, 1u32..29, 0u32..1000),
            has_id in any::<bool>(),
            members in proptest::option::of(1i64..100),
            tags in proptest::collection::vec("[\u{4e00}-\u{9fa5}a-z]{1,6}", 0..5),
            note in "[\u{4e00}-\u{9fa5} ,\"\n]{0,40}",
            chinese in any::<bool>(),
            reverse in any::<bool>(),
        ) {
            let id = has_id.then(|| id_number(birth.0, birth.1, birth.2, birth.3));
            let values = [
                "新埭村第1微网格".to_owned(),
                kind.to_owned(),
                name.clone(),
                address.clone(),
                phone.clone().unwrap_or_default(),
                id.clone().unwrap_or_default(),
                members.map(|m| m.to_string()).unwrap_or_default(),
                tags.join("、"),
                note.clone(),
            ];
            let headers = if chinese { HEADERS_ZH } else { HEADERS_EN };
            let mut order: Vec<usize> = (0..9).collect();
            if reverse {
                order.reverse();
            }
            let header: Vec<&str> = order.iter().map(|&i| headers[i]).collect();
            let row: Vec<String> = order.iter().map(|&i| values[i].clone()).collect();
            let rows = read(&to_csv(&header, &[row]), None, None).unwrap();
            prop_assert_eq!(rows.len(), 1);
            let checked = rows[0].check();
            prop_assert_eq!(&checked.micro_grid, "新埭村第1微网格");
            let expected = NewHousehold::parse(&HouseholdDraft {
                kind: kind_of(kind).unwrap(),
                name: &name,
                address: &address,
                phone: phone.as_deref(),
                id_number: id.as_deref(),
                members,
                tags: &tags,
                note: Some(&note),
            })
            .unwrap();
            prop_assert_eq!(checked.household.unwrap(), expected);
        }
    }
}
