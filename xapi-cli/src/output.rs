//! Output formats: JSON, NDJSON, CSV and aligned text tables.
//!
//! A JSON reply is written whole in `json`. In the other formats the items of a collection
//! reply (`{"value": [...]}`) are the rows, and any other object is one row. CSV and table
//! columns come from `--select` when given, else from the properties of the first row. Nested
//! objects and arrays are written as compact JSON in a cell.

use std::io::{self, Write};

use clap::ValueEnum;
use serde_json::Value;

/// Widest table cell, in characters; longer values are cut and end in `…`.
const MAX_TABLE_CELL: usize = 60;

/// The format replies are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// JSON: pretty-printed on a terminal, compact otherwise.
    Json,
    /// One compact JSON value per line: each item of a collection, or the whole reply.
    Ndjson,
    /// Comma-separated values with a header line (RFC 4180 quoting, LF line ends).
    Csv,
    /// Columns aligned with spaces, with a header line.
    Table,
}

/// Returns the rows of a reply: the items of a collection, else the reply itself.
pub fn rows_of(value: &Value) -> Vec<Value> {
    match value.get("value").and_then(Value::as_array) {
        Some(items) if value.is_object() => items.clone(),
        _ => vec![value.clone()],
    }
}

/// Writes a whole JSON reply in `format`.
pub fn write_reply(
    out: &mut dyn Write,
    format: Format,
    pretty: bool,
    columns: &[String],
    value: &Value,
) -> io::Result<()> {
    if format == Format::Json {
        write_json(out, value, pretty)?;
        return out.write_all(b"\n");
    }
    let mut writer = RowWriter::new(format, pretty, columns.to_vec());
    writer.write_page(out, &rows_of(value))?;
    writer.finish(out)
}

fn write_json(out: &mut dyn Write, value: &Value, pretty: bool) -> io::Result<()> {
    match pretty {
        true => serde_json::to_writer_pretty(&mut *out, value)?,
        false => serde_json::to_writer(&mut *out, value)?,
    }
    Ok(())
}

/// Writes rows a page at a time, so that a long listing never has to be held in memory.
pub struct RowWriter {
    format: Format,
    pretty: bool,
    columns: Vec<String>,
    /// Table column widths, fixed by the first page.
    widths: Vec<usize>,
    rows_written: u64,
    header_written: bool,
    /// Widest table cell in characters; `None` never cuts.
    max_cell: Option<usize>,
}

impl RowWriter {
    /// Creates a writer whose CSV and table columns are `columns`, or the first row's
    /// properties when `columns` is empty.
    pub fn new(format: Format, pretty: bool, columns: Vec<String>) -> Self {
        RowWriter {
            format,
            pretty,
            columns,
            widths: Vec::new(),
            rows_written: 0,
            header_written: false,
            max_cell: Some(MAX_TABLE_CELL),
        }
    }

    /// Keeps table cells whole however long they are.
    pub fn without_cell_limit(mut self) -> Self {
        self.max_cell = None;
        self
    }

    /// Writes one page of rows.
    ///
    /// Table column widths are measured on the first page; a longer value on a later page
    /// widens its line instead of the column.
    pub fn write_page(&mut self, out: &mut dyn Write, rows: &[Value]) -> io::Result<()> {
        match self.format {
            Format::Json => self.write_json_items(out, rows),
            Format::Ndjson => {
                for row in rows {
                    serde_json::to_writer(&mut *out, row)?;
                    out.write_all(b"\n")?;
                }
                self.rows_written += rows.len() as u64;
                Ok(())
            }
            Format::Csv => self.write_csv(out, rows),
            Format::Table => self.write_table(out, rows),
        }
    }

    /// Ends the output (closes the JSON array).
    pub fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.format == Format::Json {
            match (self.rows_written, self.pretty) {
                (0, _) => out.write_all(b"[]\n")?,
                (_, true) => out.write_all(b"\n]\n")?,
                (_, false) => out.write_all(b"]\n")?,
            }
        }
        out.flush()
    }

    /// Streams items as the elements of one JSON array.
    fn write_json_items(&mut self, out: &mut dyn Write, rows: &[Value]) -> io::Result<()> {
        for row in rows {
            let separator: &[u8] = match (self.rows_written, self.pretty) {
                (0, true) => b"[\n",
                (0, false) => b"[",
                (_, true) => b",\n",
                (_, false) => b",",
            };
            out.write_all(separator)?;
            if self.pretty {
                let text = serde_json::to_string_pretty(row)?;
                let indented: Vec<String> = text.lines().map(|line| format!("  {line}")).collect();
                out.write_all(indented.join("\n").as_bytes())?;
            } else {
                serde_json::to_writer(&mut *out, row)?;
            }
            self.rows_written += 1;
        }
        Ok(())
    }

    /// Picks the columns from the first row when none were given.
    fn settle_columns(&mut self, rows: &[Value]) {
        if !self.columns.is_empty() {
            return;
        }
        self.columns = match rows.first() {
            Some(Value::Object(fields)) => fields.keys().cloned().collect(),
            Some(_) => vec!["value".to_owned()],
            None => Vec::new(),
        };
    }

    fn write_csv(&mut self, out: &mut dyn Write, rows: &[Value]) -> io::Result<()> {
        self.settle_columns(rows);
        if !self.header_written && !self.columns.is_empty() {
            let header: Vec<String> = self.columns.iter().map(|name| csv_field(name)).collect();
            writeln!(out, "{}", header.join(","))?;
            self.header_written = true;
        }
        for row in rows {
            let fields: Vec<String> = self
                .columns
                .iter()
                .map(|column| csv_field(&cell_text(cell(row, column))))
                .collect();
            writeln!(out, "{}", fields.join(","))?;
        }
        self.rows_written += rows.len() as u64;
        Ok(())
    }

    fn write_table(&mut self, out: &mut dyn Write, rows: &[Value]) -> io::Result<()> {
        self.settle_columns(rows);
        if self.columns.is_empty() {
            return Ok(());
        }
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|row| {
                self.columns
                    .iter()
                    .map(|column| table_cell(cell(row, column), self.max_cell))
                    .collect()
            })
            .collect();
        if !self.header_written {
            self.widths = self
                .columns
                .iter()
                .enumerate()
                .map(|(index, name)| {
                    let widest = cells
                        .iter()
                        .map(|line| line[index].chars().count())
                        .max()
                        .unwrap_or(0);
                    widest.max(name.chars().count())
                })
                .collect();
            let header = self.columns.clone();
            let rule: Vec<String> = self.widths.iter().map(|width| "-".repeat(*width)).collect();
            self.write_table_line(out, &header)?;
            self.write_table_line(out, &rule)?;
            self.header_written = true;
        }
        for line in &cells {
            self.write_table_line(out, line)?;
        }
        self.rows_written += rows.len() as u64;
        Ok(())
    }

    fn write_table_line(&self, out: &mut dyn Write, cells: &[String]) -> io::Result<()> {
        let mut line = String::new();
        for (index, text) in cells.iter().enumerate() {
            if index > 0 {
                line.push_str("  ");
            }
            line.push_str(text);
            let padding = self.widths[index].saturating_sub(text.chars().count());
            line.extend(std::iter::repeat_n(' ', padding));
        }
        writeln!(out, "{}", line.trim_end())
    }
}

/// Returns the value of `column` in `row`. A row that is not an object is its own `value`
/// column.
fn cell<'a>(row: &'a Value, column: &str) -> Option<&'a Value> {
    match row {
        Value::Object(fields) => fields.get(column),
        other if column == "value" => Some(other),
        _ => None,
    }
}

/// Text of a cell: strings as they are, `null` and absent values empty, anything else as
/// compact JSON.
fn cell_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// Formats a table cell on one line, cut to at most `max_cell` characters.
fn table_cell(value: Option<&Value>, max_cell: Option<usize>) -> String {
    let text: String = cell_text(value)
        .chars()
        .map(|character| match character.is_control() {
            true => ' ',
            false => character,
        })
        .collect();
    let Some(max_cell) = max_cell.filter(|max| text.chars().count() > *max) else {
        return text;
    };
    let mut cut: String = text.chars().take(max_cell.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Quotes a CSV field when it contains a comma, quote, line break or edge spaces (RFC 4180).
fn csv_field(text: &str) -> String {
    let needs_quotes =
        text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ');
    match needs_quotes {
        true => format!("\"{}\"", text.replace('"', "\"\"")),
        false => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(format: Format, pretty: bool, columns: &[&str], value: &Value) -> String {
        let mut out = Vec::new();
        let columns: Vec<String> = columns.iter().map(|name| (*name).to_owned()).collect();
        write_reply(&mut out, format, pretty, &columns, value).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn collection() -> Value {
        json!({"value": [
            {"Id": 1, "Name": "a, \"b\"", "Tags": ["x"]},
            {"Id": 22, "Name": null, "Tags": []}
        ]})
    }

    #[test]
    fn csv_quotes_and_nests() {
        assert_eq!(
            render(Format::Csv, false, &[], &collection()),
            "Id,Name,Tags\n1,\"a, \"\"b\"\"\",\"[\"\"x\"\"]\"\n22,,[]\n"
        );
    }

    #[test]
    fn table_aligns_columns() {
        assert_eq!(
            render(Format::Table, false, &["Name", "Id"], &collection()),
            "Name    Id\n------  --\na, \"b\"  1\n        22\n"
        );
    }

    #[test]
    fn ndjson_writes_items() {
        assert_eq!(
            render(Format::Ndjson, false, &[], &collection()),
            "{\"Id\":1,\"Name\":\"a, \\\"b\\\"\",\"Tags\":[\"x\"]}\n{\"Id\":22,\"Name\":null,\"Tags\":[]}\n"
        );
        assert_eq!(
            render(Format::Ndjson, false, &[], &json!({"A": 1})),
            "{\"A\":1}\n"
        );
    }

    #[test]
    fn json_array_streams() {
        let mut writer = RowWriter::new(Format::Json, false, Vec::new());
        let mut out = Vec::new();
        writer.write_page(&mut out, &[json!(1), json!(2)]).unwrap();
        writer.write_page(&mut out, &[json!(3)]).unwrap();
        writer.finish(&mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "[1,2,3]\n");

        let mut writer = RowWriter::new(Format::Json, true, Vec::new());
        let mut out = Vec::new();
        writer.write_page(&mut out, &[json!({"a": 1})]).unwrap();
        writer.finish(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[\n  {\n    \"a\": 1\n  }\n]\n"
        );
    }

    #[test]
    fn long_cells_are_cut() {
        let long = "x".repeat(100);
        let cut = table_cell(Some(&json!(long)), Some(MAX_TABLE_CELL));
        assert_eq!(cut.chars().count(), MAX_TABLE_CELL);
        assert!(cut.ends_with('…'));
        assert_eq!(table_cell(Some(&json!("a\nb")), None), "a b");
        assert_eq!(table_cell(Some(&json!(long)), None).len(), 100);
    }
}
