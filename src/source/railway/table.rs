//! The default `railway variables` table: its frame, its rows and its cells.
//!
//! The box is `╔═ Variables for <service> ═╗`, rows `║ KEY │ value ║` separated by `║───║`, and
//! `╚═╝`. Values longer than the value column were wrapped onto continuation rows with an empty
//! key cell, and a newline in a value also starts a new row; this file reads the frame and
//! collects each variable's rows, and `rejoin.rs` decides how the rows go back together.
//!
//! The frame is checked strictly (every border and plain-text row as wide as the top border, the
//! column separator in one place), because a table cut or edited by hand would otherwise be read
//! as different values without a word. Only a box of the CLI's maximum width
//! ([`MAX_BOX_WIDTH`]) can hold wrapped rows: in a narrower one every row break is a newline.

use super::ansi::AnsiStripped;
use super::rejoin::join_rows;
use super::{RailwayError, TABLE_LOSSY_RULE, text_width};
use crate::source::{Entry, Notice, Parsed, Span};

/// The Railway CLI never draws a box wider than this, whatever the terminal. A narrower box was
/// sized to fit its widest value line, so nothing in it was wrapped.
const MAX_BOX_WIDTH: usize = 80;

/// One line of the ANSI-stripped table text.
#[derive(Debug, Clone, Copy)]
struct TableLine<'text> {
    /// Offset of the line in the stripped text.
    start: usize,
    /// The line without its line break and trailing whitespace.
    text: &'text str,
}

/// One row of the table: a key cell and a value cell, as offsets into the stripped text.
#[derive(Debug, Clone)]
struct TableRow<'text> {
    /// Display width of the key cell, padding included: the first column's width.
    key_cell_width: usize,
    key: &'text str,
    key_span: Span,
    /// The value cell without its padding.
    value: &'text str,
    value_span: Span,
}

/// A variable being read: its key row and its continuation rows.
struct PendingVariable<'text> {
    key_row: TableRow<'text>,
    continuation_rows: Vec<TableRow<'text>>,
}

pub(super) struct TableReader<'text> {
    original: &'text str,
    stripped: AnsiStripped,
}

impl<'text> TableReader<'text> {
    pub(super) fn new(original: &'text str) -> Self {
        Self {
            original,
            stripped: AnsiStripped::new(original),
        }
    }

    pub(super) fn read(&self) -> Result<Parsed, RailwayError> {
        let lines = self.lines();
        let mut index = 0;
        while lines
            .get(index)
            .is_some_and(|line: &TableLine| line.text.trim().is_empty())
        {
            index += 1;
        }
        let Some(top) = lines.get(index) else {
            return Err(self.error_at_end("the text holds no table"));
        };
        if !(top.text.starts_with('╔') && top.text.ends_with('╗')) {
            return Err(self.error(top, "expected the top border `╔═…═╗` of a table"));
        }
        let box_width = text_width(top.text);
        // Wrapping only happens in a box that hit the CLI's maximum width.
        let wrapping_possible = box_width >= MAX_BOX_WIDTH;

        let mut parsed = Parsed::default();
        let mut first_column_width: Option<usize> = None;
        let mut pending: Option<PendingVariable> = None;
        let mut after_separator = false;
        let mut bottom = None;
        for line in &lines[index + 1..] {
            let first = line.text.chars().next();
            if first == Some('╚') {
                self.check_border(line, box_width, '╚', '═', '╝', "bottom border")?;
                if after_separator {
                    return Err(self.error(line, "a row separator right before the bottom border"));
                }
                bottom = Some(line);
                break;
            }
            if first != Some('║') {
                if line.text.trim().is_empty() && parsed.entries.is_empty() && pending.is_none() {
                    // A table of no variables is a top border, an empty line, a bottom border.
                    continue;
                }
                return Err(self.error(
                    line,
                    "expected a row `║ … ║`, a separator `║───║` or the bottom border `╚═…═╝`",
                ));
            }
            // A row's second character is the space after `║`; a separator's is `─`.
            if line.text.chars().nth(1) == Some('─') {
                self.check_border(line, box_width, '║', '─', '║', "row separator")?;
                let Some(variable) = pending.take() else {
                    return Err(self.error(line, "a row separator with no variable above it"));
                };
                parsed
                    .entries
                    .push(self.finish_variable(variable, box_width, wrapping_possible));
                after_separator = true;
                continue;
            }
            let row = self.read_row(line, box_width, &mut first_column_width)?;
            if row.key.is_empty() {
                match pending.as_mut() {
                    Some(variable) => variable.continuation_rows.push(row),
                    None => {
                        return Err(self.error(line, "a continuation row with no key row above it"));
                    }
                }
            } else {
                if let Some(variable) = pending.take() {
                    if !after_separator {
                        return Err(self.error(
                            line,
                            &format!(
                                "`{}` starts without a row separator `║───║` above it",
                                row.key
                            ),
                        ));
                    }
                    parsed.entries.push(self.finish_variable(
                        variable,
                        box_width,
                        wrapping_possible,
                    ));
                }
                pending = Some(PendingVariable {
                    key_row: row,
                    continuation_rows: Vec::new(),
                });
            }
            after_separator = false;
        }

        let Some(bottom) = bottom else {
            return Err(self.error_at_end("the table has no bottom border `╚═…═╝` (truncated?)"));
        };
        if let Some(variable) = pending.take() {
            parsed
                .entries
                .push(self.finish_variable(variable, box_width, wrapping_possible));
        }
        let bottom_end = bottom.start + bottom.text.len();
        if let Some(extra) = lines
            .iter()
            .find(|line| line.start > bottom_end && !line.text.trim().is_empty())
        {
            return Err(self.error(extra, "text after the bottom border of the table"));
        }

        let reconstructed = parsed
            .entries
            .iter()
            .filter(|entry| {
                entry
                    .value_span
                    .as_ref()
                    .is_some_and(|span| self.original[span.clone()].contains('\n'))
            })
            .count();
        parsed.notices.push(Notice {
            rule: TABLE_LOSSY_RULE,
            message: if reconstructed == 0 {
                "the `railway variables` table is lossy: a newline inside a value looks the same as \
                 a wrapped row, and trailing spaces are lost; use `railway variables --json` for \
                 exact values"
                    .to_owned()
            } else {
                format!(
                    "the `railway variables` table is lossy: {reconstructed} value{plural} spread \
                     over several rows {verb} rejoined by guessing whether each row break was a \
                     wrap or a newline, and trailing spaces are lost; use `railway variables \
                     --json` for exact values",
                    plural = if reconstructed == 1 { "" } else { "s" },
                    verb = if reconstructed == 1 { "was" } else { "were" },
                )
            },
            span: self
                .stripped
                .original_span(top.start..top.start + top.text.len()),
        });
        Ok(parsed)
    }

    /// The stripped text's lines, without line breaks or trailing whitespace.
    fn lines(&self) -> Vec<TableLine<'_>> {
        let mut lines = Vec::new();
        let mut start = 0;
        for piece in self.stripped.text.split('\n') {
            lines.push(TableLine {
                start,
                text: piece.trim_end(),
            });
            start += piece.len() + 1;
        }
        lines
    }

    fn check_border(
        &self,
        line: &TableLine,
        box_width: usize,
        left: char,
        fill: char,
        right: char,
        what: &str,
    ) -> Result<(), RailwayError> {
        let mut characters = line.text.chars();
        let well_formed = characters.next() == Some(left)
            && characters.next_back() == Some(right)
            && characters.all(|character| character == fill);
        if !well_formed {
            return Err(self.error(
                line,
                &format!("malformed {what}: expected `{left}{fill}…{fill}{right}`"),
            ));
        }
        let width = text_width(line.text);
        if width != box_width {
            return Err(self.error(
                line,
                &format!("the {what} is {width} columns wide, but the top border is {box_width}"),
            ));
        }
        Ok(())
    }

    /// Split a row line `║ KEY │ value ║` into its cells.
    fn read_row<'line>(
        &self,
        line: &TableLine<'line>,
        box_width: usize,
        first_column_width: &mut Option<usize>,
    ) -> Result<TableRow<'line>, RailwayError> {
        let text = line.text;
        let Some(inner) = text.strip_prefix("║ ") else {
            return Err(self.error(line, "a row must start with `║ `"));
        };
        let Some(inner) = inner.strip_suffix(" ║") else {
            return Err(self.error(
                line,
                "a row must end with ` ║` (the right border is missing)",
            ));
        };
        // Keys are identifiers, so the first `│` is the column separator (a value may hold one).
        let Some(separator) = inner.find(" │ ") else {
            return Err(self.error(line, "a row without the column separator ` │ `"));
        };
        let key_cell = &inner[..separator];
        let value_cell = &inner[separator + " │ ".len()..];
        let key_width = text_width(key_cell);
        match *first_column_width {
            None => *first_column_width = Some(key_width),
            Some(expected) if expected != key_width => {
                return Err(self.error(
                    line,
                    "the column separator `│` is not in the same column as in the rows above",
                ));
            }
            Some(_) => {}
        }
        let row_width = text_width(text);
        // Characters of unusual width (controls, emoji) may be measured differently by the CLI's
        // version of the width tables: only a plain-text row must fit the box exactly. A row may
        // be wider than the box: the wrapping lets a line overflow the column by a character or
        // two rather than leave a very short line, and such a row has no padding.
        let plain = value_cell
            .chars()
            .all(|character| character == ' ' || character.is_ascii_graphic());
        let overflowing = row_width > box_width && !value_cell.ends_with(' ');
        if plain && row_width != box_width && !overflowing {
            return Err(self.error(
                line,
                &format!("the row is {row_width} columns wide, but the top border is {box_width}"),
            ));
        }

        let inner_start = line.start + "║ ".len();
        let key = key_cell.trim_end();
        let value_start = inner_start + separator + " │ ".len();
        let value = value_cell.trim_end_matches(' ');
        Ok(TableRow {
            key_cell_width: key_width,
            key,
            key_span: inner_start..inner_start + key.len(),
            value,
            value_span: value_start..value_start + value.len(),
        })
    }

    fn finish_variable(
        &self,
        variable: PendingVariable,
        box_width: usize,
        wrapping_possible: bool,
    ) -> Entry {
        let first = &variable.key_row;
        let last = variable.continuation_rows.last().unwrap_or(first);
        // `║ ` + key cell + ` │ ` + value cell + ` ║`.
        let value_column_width = box_width.saturating_sub(first.key_cell_width + 7);
        let cells: Vec<&str> = std::iter::once(first)
            .chain(&variable.continuation_rows)
            .map(|row| row.value)
            .collect();
        let value = join_rows(&cells, value_column_width, wrapping_possible);
        let key_span = self.stripped.original_span(first.key_span.clone());
        let value_span = self
            .stripped
            .original_span(first.value_span.start..last.value_span.end);
        Entry {
            key: first.key.to_owned(),
            value: Some(value.clone()),
            raw_value: Some(value),
            statement_span: key_span.start..value_span.end.max(key_span.end),
            substitutions: Vec::new(),
            secret_ranges: Vec::new(),
            key_span,
            value_span: Some(value_span),
        }
    }

    fn error(&self, line: &TableLine, reason: &str) -> RailwayError {
        let span = self
            .stripped
            .original_span(line.start..line.start + line.text.len());
        RailwayError::BrokenTable {
            reason: reason.to_owned(),
            span,
        }
    }

    fn error_at_end(&self, reason: &str) -> RailwayError {
        let end = self.original.len();
        RailwayError::BrokenTable {
            reason: reason.to_owned(),
            span: end..end,
        }
    }
}
