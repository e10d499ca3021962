//! Rows in PostgreSQL's COPY text format, cut into chunks for a channel to the COPY session.
//! The demo's text is our own (no tabs, newlines or backslashes), but every field is still
//! escaped so that a future word list cannot break the stream.

use std::fmt::Write as _;

use bytes::{BufMut, Bytes, BytesMut};
use tokio::sync::mpsc::Sender;
use uuid::Uuid;

/// What the generator sends to the COPY session, in order.
pub enum Message {
    /// How many rows there will be in all (for the progress bar).
    Total(u64),
    /// Start a new `COPY … FROM STDIN` (finishing the previous one).
    Table {
        name: &'static str,
        sql: String,
    },
    Rows {
        data: Bytes,
        count: u64,
    },
}

/// The receiving side went away (the seed failed there); stop generating.
#[derive(Debug)]
pub struct Closed;

const CHUNK: usize = 1 << 20;

pub struct CopyWriter {
    sender: Sender<Message>,
    buf: BytesMut,
    rows: u64,
    at_row_start: bool,
}

impl CopyWriter {
    pub fn new(sender: Sender<Message>) -> CopyWriter {
        CopyWriter {
            sender,
            buf: BytesMut::with_capacity(CHUNK + 4096),
            rows: 0,
            at_row_start: true,
        }
    }

    pub fn total(&mut self, rows: u64) -> Result<(), Closed> {
        self.sender
            .blocking_send(Message::Total(rows))
            .map_err(|_| Closed)
    }

    /// Starts `COPY table (columns) FROM STDIN`.
    pub fn table(&mut self, table: &'static str, columns: &str) -> Result<(), Closed> {
        self.flush()?;
        let sql = format!("COPY {table} ({columns}) FROM STDIN");
        self.sender
            .blocking_send(Message::Table { name: table, sql })
            .map_err(|_| Closed)
    }

    fn separator(&mut self) {
        if !self.at_row_start {
            self.buf.put_u8(b'\t');
        }
        self.at_row_start = false;
    }

    pub fn text(&mut self, value: &str) -> &mut Self {
        self.separator();
        if value
            .bytes()
            .any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
        {
            for c in value.chars() {
                match c {
                    '\\' => self.buf.put_slice(b"\\\\"),
                    '\t' => self.buf.put_slice(b"\\t"),
                    '\n' => self.buf.put_slice(b"\\n"),
                    '\r' => self.buf.put_slice(b"\\r"),
                    c => self.buf.put_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
                }
            }
        } else {
            self.buf.put_slice(value.as_bytes());
        }
        self
    }

    pub fn null(&mut self) -> &mut Self {
        self.separator();
        self.buf.put_slice(b"\\N");
        self
    }

    pub fn opt_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.text(v),
            None => self.null(),
        }
    }

    pub fn uuid(&mut self, id: Uuid) -> &mut Self {
        self.separator();
        self.buf.put_slice(
            id.hyphenated()
                .encode_lower(&mut Uuid::encode_buffer())
                .as_bytes(),
        );
        self
    }

    pub fn int(&mut self, value: i64) -> &mut Self {
        self.separator();
        let _ = write!(Fmt(&mut self.buf), "{value}");
        self
    }

    pub fn opt_int(&mut self, value: Option<i64>) -> &mut Self {
        match value {
            Some(v) => self.int(v),
            None => self.null(),
        }
    }

    pub fn bool(&mut self, value: bool) -> &mut Self {
        self.separator();
        self.buf.put_u8(if value { b't' } else { b'f' });
        self
    }

    pub fn opt_bool(&mut self, value: Option<bool>) -> &mut Self {
        match value {
            Some(v) => self.bool(v),
            None => self.null(),
        }
    }

    /// A `timestamptz` from Unix milliseconds, written in UTC.
    pub fn time(&mut self, millis: i64) -> &mut Self {
        self.separator();
        let at = chrono::DateTime::from_timestamp_millis(millis).unwrap_or_default();
        let _ = write!(
            Fmt(&mut self.buf),
            "{}+00",
            at.naive_utc().format("%Y-%m-%d %H:%M:%S%.3f")
        );
        self
    }

    pub fn opt_time(&mut self, millis: Option<i64>) -> &mut Self {
        match millis {
            Some(t) => self.time(t),
            None => self.null(),
        }
    }

    /// A `text[]` of words that need no quoting (no commas, quotes, braces or spaces).
    pub fn words(&mut self, words: &[&str]) -> &mut Self {
        self.separator();
        self.buf.put_u8(b'{');
        for (i, word) in words.iter().enumerate() {
            if i > 0 {
                self.buf.put_u8(b',');
            }
            debug_assert!(!word.contains([',', '"', '{', '}', ' ', '\\']));
            self.buf.put_slice(word.as_bytes());
        }
        self.buf.put_u8(b'}');
        self
    }

    /// Ends the row; sends the chunk when it is big enough.
    pub fn end_row(&mut self) -> Result<(), Closed> {
        self.buf.put_u8(b'\n');
        self.at_row_start = true;
        self.rows += 1;
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    pub fn flush(&mut self) -> Result<(), Closed> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let data = self.buf.split().freeze();
        let count = std::mem::take(&mut self.rows);
        self.sender
            .blocking_send(Message::Rows { data, count })
            .map_err(|_| Closed)
    }
}

/// `fmt::Write` into the buffer without an intermediate `String`.
struct Fmt<'a>(&'a mut BytesMut);

impl std::fmt::Write for Fmt<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.put_slice(s.as_bytes());
        Ok(())
    }
}
