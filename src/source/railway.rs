//! Readers for `railway variables` output: `--json`, `--kv` and the default table.
//!
//! The Railway CLI prints a service's variables in three shapes, and only one of them is
//! lossless. `--json` is a flat object of strings and is read exactly ([`parse_json`]). `--kv`
//! prints `KEY=value` lines with no quoting, so a value holding a newline runs onto the next
//! lines; [`parse_kv`] recovers where each variable starts from two guarantees of the CLI (keys
//! are identifiers and come out sorted). The default table wraps long values inside a box;
//! [`parse_table`] rejoins the wrapped rows by the rules of the wrapping library the CLI uses, which
//! cannot always tell a wrapped row from a newline, so the result is a best guess and a notice says
//! so. Every span points into the text exactly as given, ANSI colour codes included.

use std::cmp::Reverse;

use unicode_width::UnicodeWidthChar;

use super::{Entry, InputFormat, Notice, Parsed, Span, SyntaxError};
use crate::error::line_col;

/// Rule id of the notice pushed when `--kv` values had to be reconstructed.
pub const KV_LOSSY_RULE: &str = "railway-kv-lossy";
/// Rule id of the notice pushed for every table input.
pub const TABLE_LOSSY_RULE: &str = "railway-table-lossy";

/// The Railway CLI never draws a box wider than this, whatever the terminal. A narrower box was
/// sized to fit its widest value line, so nothing in it was wrapped.
const MAX_BOX_WIDTH: usize = 80;

/// A `railway variables` text that cannot be read at all.
///
/// Messages name keys but never values: a value may be a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum RailwayError {
    /// The `--json` text is not valid JSON, or ends before the object is closed.
    #[error("invalid JSON at line {line}, column {column}: {reason}")]
    #[diagnostic(
        code(deploycheck::railway_json),
        help(
            "`railway variables --json` prints one flat object of strings; was the output cut short?"
        )
    )]
    InvalidJson {
        reason: String,
        line: usize,
        column: usize,
        #[label("{reason}")]
        span: Span,
    },
    /// A variable's value in the `--json` text is not a string.
    #[error("`{key}` is {kind}, expected a string (line {line}, column {column})")]
    #[diagnostic(
        code(deploycheck::railway_json),
        help("`railway variables --json` prints every value as a string; quote it")
    )]
    NotAString {
        key: String,
        kind: &'static str,
        line: usize,
        column: usize,
        #[label("not a string")]
        span: Span,
    },
    /// The `--json` text holds something other than an object.
    #[error("the JSON text is {kind}, expected an object of variables")]
    #[diagnostic(
        code(deploycheck::railway_json),
        help("`railway variables --json` prints one flat object: {{\"KEY\": \"value\", ...}}")
    )]
    NotAnObject {
        kind: &'static str,
        #[label("expected `{{`")]
        span: Span,
    },
    /// The table's frame is broken: a border is missing, a line is ragged, a row sits outside
    /// the box, or the text ends before the bottom border.
    #[error("broken `railway variables` table at line {line}: {reason}")]
    #[diagnostic(
        code(deploycheck::railway_table),
        help(
            "paste the whole table unchanged, or better, use `railway variables --json`, which is lossless"
        )
    )]
    BrokenTable {
        reason: String,
        line: usize,
        #[label("{reason}")]
        span: Span,
    },
}

impl RailwayError {
    /// The bytes of the input the error is about.
    pub fn span(&self) -> Span {
        match self {
            RailwayError::InvalidJson { span, .. }
            | RailwayError::NotAString { span, .. }
            | RailwayError::NotAnObject { span, .. }
            | RailwayError::BrokenTable { span, .. } => span.clone(),
        }
    }
}

/// Guess the format of an input from its shape.
///
/// A JSON object (first non-whitespace character `{`) is `--json`; a box (first non-blank line,
/// after removing colour codes, starting with `╔`) is the table; anything else is dotenv. `--kv`
/// output looks like a dotenv file, so it is never guessed here: see [`looks_like_kv`].
pub fn detect(text: &str) -> InputFormat {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if body.trim_start().starts_with('{') {
        return InputFormat::RailwayJson;
    }
    let stripped = AnsiStripped::new(body);
    let first_line = stripped.text.lines().find(|line| !line.trim().is_empty());
    if first_line.is_some_and(|line| line.trim_start().starts_with('╔')) {
        InputFormat::RailwayTable
    } else {
        InputFormat::Dotenv
    }
}

/// Whether a text that [`detect`] calls dotenv is more likely `railway variables --kv` output.
///
/// The heuristic wants three things at once:
/// - a line setting one of the ids Railway injects into every service (`RAILWAY_PROJECT_ID=`,
///   `RAILWAY_ENVIRONMENT_ID=`, `RAILWAY_SERVICE_ID=`): hand-written .env files rarely carry them;
/// - no comment line and no `export ` line, which `--kv` never prints;
/// - the `KEY=` lines with conventional keys (no lowercase letter) strictly increasing, as the CLI
///   sorts its keys (lines with other keys may be inside multi-line values and are ignored).
///
/// A `--kv` output saved as `.env` and edited by hand fails it, which is fine: it is then a
/// dotenv file. The caller should still let the user override the guess.
pub fn looks_like_kv(text: &str) -> bool {
    const INJECTED_IDS: [&str; 3] = [
        "RAILWAY_PROJECT_ID=",
        "RAILWAY_ENVIRONMENT_ID=",
        "RAILWAY_SERVICE_ID=",
    ];
    let mut has_injected_id = false;
    let mut previous_key: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with("export ") {
            return false;
        }
        if INJECTED_IDS.iter().any(|id| line.starts_with(id)) {
            has_injected_id = true;
        }
        let Some(key) = kv_key(line) else { continue };
        if key.bytes().any(|byte| byte.is_ascii_lowercase()) {
            continue;
        }
        if previous_key.is_some_and(|previous| previous >= key) {
            return false;
        }
        previous_key = Some(key);
    }
    has_injected_id
}

// ---------------------------------------------------------------------------------------------
// --json
// ---------------------------------------------------------------------------------------------

/// Read `railway variables --json`: a flat JSON object whose values are all strings.
///
/// Lossless. `key_span` covers the key's characters inside its quotes, `value_span` the value's
/// string literal with its quotes, `statement_span` runs from the key to the end of the value.
/// A key given twice yields two entries, in order (the CLI never prints one twice).
pub fn parse_json(text: &str) -> Result<Parsed, RailwayError> {
    JsonReader::new(text).read_object()
}

/// A hand-written scanner for one flat object of strings: serde_json does not give the byte
/// spans a diagnostic needs. Linear in the text, never recursive.
struct JsonReader<'text> {
    text: &'text str,
    bytes: &'text [u8],
    position: usize,
}

impl<'text> JsonReader<'text> {
    fn new(text: &'text str) -> Self {
        let position = if text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        Self {
            text,
            bytes: text.as_bytes(),
            position,
        }
    }

    fn read_object(mut self) -> Result<Parsed, RailwayError> {
        self.skip_whitespace();
        match self.peek() {
            Some(b'{') => self.position += 1,
            Some(_) => {
                let start = self.position;
                let Some(kind) = self.value_kind() else {
                    return Err(self.syntax_error("expected a JSON object starting with `{`"));
                };
                return Err(RailwayError::NotAnObject {
                    kind,
                    span: start..self.token_end(start),
                });
            }
            None => return Err(self.syntax_error("the text is empty; expected a JSON object")),
        }

        let mut parsed = Parsed::default();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.position += 1;
            return self.finish(parsed);
        }
        loop {
            self.skip_whitespace();
            match self.peek() {
                Some(b'"') => {}
                Some(b'}') => return Err(self.syntax_error("trailing comma before `}`")),
                Some(_) => return Err(self.syntax_error("expected a key in double quotes")),
                None => return Err(self.end_of_input_error()),
            }
            let (key, key_literal) = self.read_string()?;
            let key_span = key_literal.start + 1..key_literal.end - 1;

            self.skip_whitespace();
            match self.peek() {
                Some(b':') => self.position += 1,
                Some(_) => {
                    return Err(self.syntax_error(&format!("expected `:` after the key `{key}`")));
                }
                None => return Err(self.end_of_input_error()),
            }
            self.skip_whitespace();
            match self.peek() {
                Some(b'"') => {}
                Some(_) => {
                    let start = self.position;
                    let Some(kind) = self.value_kind() else {
                        return Err(self.syntax_error(&format!(
                            "the value of `{key}` is not valid JSON (a string in double quotes \
                             was expected)"
                        )));
                    };
                    let (line, column) = line_col(self.text, start);
                    return Err(RailwayError::NotAString {
                        key,
                        kind,
                        line,
                        column,
                        span: start..self.token_end(start),
                    });
                }
                None => return Err(self.end_of_input_error()),
            }
            let (value, value_span) = self.read_string()?;
            parsed.entries.push(Entry {
                key,
                value: Some(value.clone()),
                raw_value: Some(value),
                statement_span: key_span.start..value_span.end,
                key_span,
                value_span: Some(value_span),
            });

            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.position += 1,
                Some(b'}') => {
                    self.position += 1;
                    return self.finish(parsed);
                }
                Some(_) => return Err(self.syntax_error("expected `,` or `}` after a value")),
                None => return Err(self.end_of_input_error()),
            }
        }
    }

    /// After the closing `}`: only whitespace may follow.
    fn finish(mut self, parsed: Parsed) -> Result<Parsed, RailwayError> {
        self.skip_whitespace();
        if self.position < self.bytes.len() {
            return Err(self.syntax_error("text after the end of the JSON object"));
        }
        Ok(parsed)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.position += 1;
        }
    }

    /// What the value at the current position is, for a message like "`KEY` is a number";
    /// `None` when no JSON value starts there.
    fn value_kind(&self) -> Option<&'static str> {
        match self.peek()? {
            b'{' => Some("an object"),
            b'[' => Some("an array"),
            b'"' => Some("a string"),
            b'-' | b'0'..=b'9' => Some("a number"),
            b't' | b'f' => Some("a boolean"),
            b'n' => Some("null"),
            _ => None,
        }
    }

    /// End of the scalar token starting at `start` (one byte for `{` or `[`), for a label.
    fn token_end(&self, start: usize) -> usize {
        match self.bytes.get(start) {
            Some(b'{' | b'[') | None => (start + 1).min(self.bytes.len()),
            Some(_) => {
                let mut end = start;
                while let Some(byte) = self.bytes.get(end) {
                    if matches!(byte, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    end += 1;
                }
                // The token may end inside a multi-byte character: widen to a boundary.
                while !self.text.is_char_boundary(end) {
                    end += 1;
                }
                end.max(start + 1).min(self.bytes.len())
            }
        }
    }

    /// Read a string literal at the current position (which holds `"`). Returns the decoded
    /// text and the span of the literal, quotes included.
    fn read_string(&mut self) -> Result<(String, Span), RailwayError> {
        let start = self.position;
        self.position += 1;
        let mut decoded = String::new();
        loop {
            let run_start = self.position;
            while let Some(byte) = self.peek() {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    break;
                }
                self.position += 1;
            }
            // The run stops only at ASCII bytes, so both ends are character boundaries.
            decoded.push_str(&self.text[run_start..self.position]);
            match self.peek() {
                Some(b'"') => {
                    self.position += 1;
                    return Ok((decoded, start..self.position));
                }
                Some(b'\\') => self.read_escape(&mut decoded)?,
                Some(b'\n' | b'\r') => {
                    return Err(self.syntax_error(
                        "line break inside a string (the string is not closed on its line)",
                    ));
                }
                Some(_) => {
                    return Err(self.syntax_error("control character inside a string"));
                }
                None => {
                    let (line, column) = line_col(self.text, start);
                    return Err(self.syntax_error(&format!(
                        "the text ends inside the string that starts at line {line}, column \
                         {column} (truncated?)"
                    )));
                }
            }
        }
    }

    /// Read the escape sequence at the current position (which holds `\`).
    fn read_escape(&mut self, decoded: &mut String) -> Result<(), RailwayError> {
        let escape_start = self.position;
        self.position += 1;
        let Some(kind) = self.peek() else {
            return Err(self.end_of_input_error());
        };
        self.position += 1;
        let simple = match kind {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            b'u' => None,
            _ => {
                self.position = escape_start;
                return Err(self.syntax_error("invalid escape sequence in a string"));
            }
        };
        if let Some(character) = simple {
            decoded.push(character);
            return Ok(());
        }
        let first = self.read_hex4(escape_start)?;
        let code_point = match first {
            0xD800..=0xDBFF => {
                // A high surrogate must be followed by `\u` and a low surrogate.
                if self.bytes.get(self.position..self.position + 2) != Some(b"\\u".as_slice()) {
                    self.position = escape_start;
                    return Err(self.syntax_error("unpaired surrogate in a `\\u` escape"));
                }
                self.position += 2;
                let second = self.read_hex4(escape_start)?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    self.position = escape_start;
                    return Err(self.syntax_error("unpaired surrogate in a `\\u` escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => {
                self.position = escape_start;
                return Err(self.syntax_error("unpaired surrogate in a `\\u` escape"));
            }
            other => other,
        };
        match char::from_u32(code_point) {
            Some(character) => {
                decoded.push(character);
                Ok(())
            }
            None => {
                self.position = escape_start;
                Err(self.syntax_error("invalid `\\u` escape"))
            }
        }
    }

    fn read_hex4(&mut self, escape_start: usize) -> Result<u32, RailwayError> {
        let mut value = 0;
        for _ in 0..4 {
            let digit = match self.peek() {
                Some(byte) => (byte as char).to_digit(16),
                None => return Err(self.end_of_input_error()),
            };
            let Some(digit) = digit else {
                self.position = escape_start;
                return Err(self.syntax_error("`\\u` must be followed by four hex digits"));
            };
            value = value * 16 + digit;
            self.position += 1;
        }
        Ok(value)
    }

    fn syntax_error(&self, reason: &str) -> RailwayError {
        let start = self.position.min(self.bytes.len());
        let mut end = (start + 1).min(self.bytes.len());
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        let (line, column) = line_col(self.text, start);
        RailwayError::InvalidJson {
            reason: reason.to_owned(),
            line,
            column,
            span: start..end,
        }
    }

    fn end_of_input_error(&self) -> RailwayError {
        self.syntax_error("the text ends before the JSON object is closed (truncated?)")
    }
}

// ---------------------------------------------------------------------------------------------
// --kv
// ---------------------------------------------------------------------------------------------

/// The key of a line that could start a variable in `--kv` output: an identifier
/// (`[A-Za-z_][A-Za-z0-9_]*`) followed by `=`.
fn kv_key(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    let first = *bytes.first()?;
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return None;
    }
    let key_length = bytes
        .iter()
        .position(|&byte| !(byte.is_ascii_alphanumeric() || byte == b'_'))?;
    (bytes[key_length] == b'=').then(|| &line[..key_length])
}

/// One line of the `--kv` text: its bytes, line break excluded.
struct KvLine<'text> {
    start: usize,
    text: &'text str,
}

/// Read `railway variables --kv`: `KEY=value` lines, values printed literally.
///
/// There is no quoting, escaping, comment or interpolation: everything after the first `=` is the
/// value. A value holding newlines continues on the following lines, and nothing marks where it
/// ends, so the reader relies on the CLI's guarantees: keys are identifiers and come out sorted
/// (byte order). The lines that start a variable are chosen as the longest strictly increasing
/// run of `KEY=` lines, found in `O(n log n)`; every other line continues the value above it.
/// Equally long runs are told apart by how much their lines look like variable names (upper-case
/// names, values not starting with `=`), then by preferring earlier lines. When any value spans
/// several lines, a [`KV_LOSSY_RULE`] notice says so.
///
/// Lines that are padded base64 (24 or more letters and digits mixing cases and digits, then `=`
/// or `==`, as at the end of a PEM body) are never taken as variable starts. The first line that
/// could start a variable always does (the CLI's first line is a key); text
/// before it is a [`SyntaxError`]. The file's final line break is not part of the last value. A
/// file whose every `\n` is preceded by `\r` is read as CRLF text; otherwise a `\r` is kept as part
/// of the value.
pub fn parse_kv(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let crlf = text.contains('\n') && text.matches('\n').count() == text.matches("\r\n").count();
    let line_break = if crlf { "\r\n" } else { "\n" };
    let body = text.strip_suffix(line_break).unwrap_or(text);
    if body.is_empty() {
        return parsed;
    }

    let mut lines = Vec::new();
    let mut start = 0;
    for piece in body.split(line_break) {
        lines.push(KvLine { start, text: piece });
        start += piece.len() + line_break.len();
    }

    let Some(first_start) = lines.iter().position(|line| kv_key(line.text).is_some()) else {
        if !body.trim().is_empty() {
            parsed.errors.push(SyntaxError {
                span: trimmed_span(body, 0..body.len()),
                message: "no `KEY=value` line".to_owned(),
                swallowed_lines: None,
            });
        }
        return parsed;
    };
    if first_start > 0 {
        let before = 0..lines[first_start - 1].start + lines[first_start - 1].text.len();
        if !text[before.clone()].trim().is_empty() {
            parsed.errors.push(SyntaxError {
                span: trimmed_span(text, before),
                message: "text before the first `KEY=value` line".to_owned(),
                swallowed_lines: None,
            });
        }
    }

    let candidates: Vec<KvCandidate> = lines
        .iter()
        .enumerate()
        .skip(first_start)
        .filter(|(line_index, line)| *line_index == first_start || !is_base64_line(line.text))
        .filter_map(|(line_index, line)| {
            let key = kv_key(line.text)?;
            Some(KvCandidate {
                line_index,
                key,
                plausibility: start_plausibility(key, &line.text[key.len() + 1..]),
            })
        })
        .collect();
    let starts = choose_variable_starts(&candidates);

    let mut multi_line_keys = Vec::new();
    let mut first_multi_line_span = None;
    for (position, &start_line) in starts.iter().enumerate() {
        let end_line = starts.get(position + 1).map_or(lines.len(), |&next| next);
        let first = &lines[start_line];
        let Some(key) = kv_key(first.text) else {
            continue;
        };
        let key_span = first.start..first.start + key.len();
        let value_start = key_span.end + 1;
        let last = &lines[end_line - 1];
        let value_end = last.start + last.text.len();
        let value = text[value_start..value_end].replace(line_break, "\n");
        let statement_span = first.start..value_end;
        if end_line - start_line > 1 {
            multi_line_keys.push(key.to_owned());
            first_multi_line_span.get_or_insert_with(|| statement_span.clone());
        }
        parsed.entries.push(Entry {
            key: key.to_owned(),
            value: Some(value.clone()),
            raw_value: Some(value),
            key_span,
            value_span: Some(value_start..value_end),
            statement_span,
        });
    }

    if let Some(span) = first_multi_line_span {
        let count = multi_line_keys.len();
        parsed.notices.push(Notice {
            rule: KV_LOSSY_RULE,
            message: format!(
                "{count} value{plural} several lines ({keys}): `railway variables --kv` does \
                 not mark where a value ends, so {pronoun} reconstructed from the order of the \
                 keys; use `railway variables --json` for exact values",
                plural = if count == 1 { " spans" } else { "s span" },
                keys = multi_line_keys.join(", "),
                pronoun = if count == 1 { "it was" } else { "they were" },
            ),
            span,
        });
    }
    parsed
}

/// Whether a `KEY=` line is rather a padded base64 line from inside a multi-line value (a PEM
/// body): a long run of letters and digits mixing upper case, lower case and digits, with no
/// `_`, ending in `=` or `==`. No environment variable name looks like that.
fn is_base64_line(line: &str) -> bool {
    const MIN_BASE64_RUN: usize = 24;
    let run = line.trim_end_matches('=');
    let padding = line.len() - run.len();
    (1..=2).contains(&padding)
        && run.len() >= MIN_BASE64_RUN
        && run.bytes().all(|byte| byte.is_ascii_alphanumeric())
        && run.bytes().any(|byte| byte.is_ascii_uppercase())
        && run.bytes().any(|byte| byte.is_ascii_lowercase())
        && run.bytes().any(|byte| byte.is_ascii_digit())
}

/// A `--kv` line that could start a variable.
#[derive(Debug, Clone)]
struct KvCandidate<'text> {
    line_index: usize,
    key: &'text str,
    /// How much the line looks like a real variable start; breaks ties between equally long
    /// runs (see [`start_plausibility`]).
    plausibility: u32,
}

/// How much a `KEY=value` line looks like the start of a variable rather than a line inside a
/// multi-line value. Only ever breaks ties between equally long key runs.
///
/// False candidates come from multi-line values, mostly base64 bodies of PEM keys, whose lines can
/// read as `KEY=` or `KEY==` (padding). Such text almost always mixes upper and lower case, while
/// environment variable names are conventionally upper case; and a real value rarely starts with
/// `=`.
fn start_plausibility(key: &str, value: &str) -> u32 {
    let conventional_name = !key.bytes().any(|byte| byte.is_ascii_lowercase());
    let not_padding = !value.starts_with('=');
    u32::from(conventional_name) + u32::from(not_padding)
}

/// Choose which candidate lines start variables: the first candidate always does, then the
/// longest chain of later candidates whose keys strictly increase from it.
///
/// Ties between equally long chains go to the chain with the greater total
/// [`start_plausibility`], then to the chain whose last start is the earlier line (and so on,
/// backwards along the chain). The last rule is arbitrary but deterministic: once length and
/// plausibility agree, nothing in the text says which of two look-alike lines is the real start.
///
/// `O(n log n)`: a Fenwick tree over key ranks holds, for each rank, the best chain ending at a
/// key of that rank seen so far. Returns line indexes in increasing order.
fn choose_variable_starts(candidates: &[KvCandidate]) -> Vec<usize> {
    let Some(first) = candidates.first() else {
        return Vec::new();
    };
    // Only keys above the first key can follow it.
    let followers: Vec<&KvCandidate> = candidates[1..]
        .iter()
        .filter(|candidate| candidate.key > first.key)
        .collect();
    let mut ranked_keys: Vec<&str> = followers.iter().map(|candidate| candidate.key).collect();
    ranked_keys.sort_unstable();
    ranked_keys.dedup();

    // A chain's quality: (length, total plausibility, earliness of its last line).
    type Quality = (usize, u32, Reverse<usize>);
    let mut tree: Vec<Option<(Quality, usize)>> = vec![None; ranked_keys.len() + 1];
    let mut predecessor: Vec<Option<usize>> = vec![None; followers.len()];
    let mut best: Option<(Quality, usize)> = None;

    for (index, candidate) in followers.iter().enumerate() {
        // 1-based rank; keys of lower rank are those strictly smaller.
        let rank = ranked_keys.partition_point(|key| *key < candidate.key) + 1;
        let mut before: Option<(Quality, usize)> = None;
        let mut position = rank - 1;
        while position > 0 {
            if tree[position].is_some_and(|entry| before.is_none_or(|found| entry.0 > found.0)) {
                before = tree[position];
            }
            position &= position - 1;
        }
        predecessor[index] = before.map(|(_, previous)| previous);
        let (length, plausibility) = before.map_or((0, 0), |((length, plausibility, _), _)| {
            (length, plausibility)
        });
        let quality: Quality = (
            length + 1,
            plausibility + candidate.plausibility,
            Reverse(candidate.line_index),
        );
        let mut position = rank;
        while position < tree.len() {
            if tree[position].is_none_or(|entry| quality > entry.0) {
                tree[position] = Some((quality, index));
            }
            position += position & position.wrapping_neg();
        }
        if best.is_none_or(|found| quality > found.0) {
            best = Some((quality, index));
        }
    }

    let mut chain = Vec::new();
    let mut cursor = best.map(|(_, index)| index);
    while let Some(index) = cursor {
        chain.push(followers[index].line_index);
        cursor = predecessor[index];
    }
    chain.push(first.line_index);
    chain.reverse();
    chain
}

/// `span` without leading and trailing whitespace (the whole span if it is all whitespace).
fn trimmed_span(text: &str, span: Span) -> Span {
    let slice = &text[span.clone()];
    let trimmed = slice.trim();
    if trimmed.is_empty() {
        return span;
    }
    let leading = slice.len() - slice.trim_start().len();
    span.start + leading..span.start + leading + trimmed.len()
}

// ---------------------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------------------

/// The text without ANSI escape sequences, and where each of its bytes came from.
struct AnsiStripped {
    text: String,
    /// `origin[i]` is the offset in the original text of byte `i` of `text`; one extra entry
    /// holds the original length.
    origin: Vec<usize>,
}

impl AnsiStripped {
    fn new(original: &str) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len() + 1);
        let mut characters = original.char_indices().peekable();
        while let Some((offset, character)) = characters.next() {
            if character == '\u{1b}' {
                skip_escape_sequence(&mut characters);
                continue;
            }
            text.push(character);
            origin.extend(offset..offset + character.len_utf8());
        }
        origin.push(original.len());
        Self { text, origin }
    }

    /// The original span of a span of the stripped text.
    fn original_span(&self, span: Span) -> Span {
        let start = self.origin[span.start.min(self.origin.len() - 1)];
        if span.end <= span.start {
            return start..start;
        }
        let end = self.origin[(span.end - 1).min(self.origin.len() - 1)] + 1;
        start..end.max(start)
    }
}

/// Skip the rest of an escape sequence whose `ESC` was just read: a CSI sequence (`ESC [`
/// parameters, final byte; SGR colours are these), an OSC sequence (`ESC ]` … `BEL` or `ESC \`,
/// used for hyperlinks) or a two-character escape.
fn skip_escape_sequence(characters: &mut std::iter::Peekable<std::str::CharIndices<'_>>) {
    match characters.peek().map(|&(_, character)| character) {
        Some('[') => {
            characters.next();
            while characters
                .peek()
                .is_some_and(|&(_, character)| ('\u{20}'..='\u{3f}').contains(&character))
            {
                characters.next();
            }
            if characters
                .peek()
                .is_some_and(|&(_, character)| ('\u{40}'..='\u{7e}').contains(&character))
            {
                characters.next();
            }
        }
        Some(']') => {
            characters.next();
            while let Some((_, character)) = characters.next() {
                if character == '\u{7}' {
                    break;
                }
                if character == '\u{1b}' {
                    if characters.peek().is_some_and(|&(_, next)| next == '\\') {
                        characters.next();
                    }
                    break;
                }
            }
        }
        Some(character) if ('\u{40}'..='\u{5f}').contains(&character) => {
            characters.next();
        }
        _ => {}
    }
}

/// Display width of a character as the Railway CLI measures it (control characters count 0).
fn char_width(character: char) -> usize {
    character.width().unwrap_or(0)
}

fn text_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

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

/// How two consecutive rows of one value are rejoined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowJoin {
    /// The value held a newline here.
    Newline,
    /// Wrapped at a space, which the wrapping dropped.
    Space,
    /// Wrapped after `/` or a hyphen, or inside a word too long for the column.
    Nothing,
}

/// Read the default `railway variables` table (plain or coloured).
///
/// The box is `╔═ Variables for <service> ═╗`, rows `║ KEY │ value ║` separated by `║───║`, and
/// `╚═╝`. Values longer than the value column were wrapped onto continuation rows with an empty key
/// cell, and a newline in a value also starts a new row; the reader decides, row by row, which
/// happened, by the break rules of `textwrap` (which the CLI wraps with): a break at a space loses
/// the space, a break after `/`, `?` or a hyphen loses nothing, a row filled to the column width
/// was cut inside a word, and a break that the wrapping's optimal fit would not have made was a
/// newline. PEM armour sits on lines of its own, and a PEM body is re-cut at its line length. The reconstruction is a guess in places, so a [`TABLE_LOSSY_RULE`] notice is always
/// pushed. Trailing spaces of a value (and of each of its lines) cannot be recovered: the wrapping
/// drops them and the cell padding hides them. A run of spaces where a row was wrapped comes back
/// as one space. Escape sequences inside a value are removed with the table's colours.
///
/// A box narrower than the CLI's 80-column maximum was sized to its widest value line, so nothing
/// in it was wrapped and its values come back exactly (but for trailing spaces). In an 80-column
/// box, tests on tables re-rendered the CLI's way bring back exactly every single-line value,
/// URL, token, compact JSON and PEM key, and about 70% of multi-line prose; columns narrower than
/// 24 characters (keys longer than 49) are read less well.
///
/// `key_span` covers the key cell's text; `value_span` runs from the first character of the value
/// cell of the first row to the last non-padding character of the last row.
pub fn parse_table(text: &str) -> Result<Parsed, RailwayError> {
    TableReader::new(text).read()
}

struct TableReader<'text> {
    original: &'text str,
    stripped: AnsiStripped,
}

impl<'text> TableReader<'text> {
    fn new(original: &'text str) -> Self {
        Self {
            original,
            stripped: AnsiStripped::new(original),
        }
    }

    fn read(&self) -> Result<Parsed, RailwayError> {
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
            line: line_col(self.original, span.start).0,
            span,
        }
    }

    fn error_at_end(&self, reason: &str) -> RailwayError {
        let end = self.original.len();
        RailwayError::BrokenTable {
            reason: reason.to_owned(),
            line: line_col(self.original, end).0,
            span: end..end,
        }
    }
}

/// Rejoin the rows of one value.
///
/// The CLI wraps each line of a value with `textwrap` (optimal fit, Unicode line breaking,
/// hyphen splitting, long words broken), so a row break is one of:
/// - a newline of the value;
/// - a break at spaces, which are dropped (rejoined with one space: a run of several spaces
///   comes back as one);
/// - a break at a Unicode break opportunity that is not a space (after `/`, after `?`...) or
///   after a hyphen between letters or digits, rejoined with nothing;
/// - a break inside a word longer than the column, which fills the row to the column width,
///   rejoined with nothing.
///
/// When the box is narrower than the CLI's maximum width nothing was wrapped: every row break
/// is a newline, and the value comes back exactly (but for trailing spaces). Otherwise each break
/// goes through [`row_join`], and the body of a PEM block through [`pem_body_joins`].
fn join_rows(rows: &[&str], column_width: usize, wrapping_possible: bool) -> String {
    let mut joins = vec![RowJoin::Newline; rows.len().saturating_sub(1)];
    if wrapping_possible {
        // Prose rows in a column this wide nearly always hold a space: a value whose rows hold
        // none is a URL, a token, base64, compact JSON... whose breaks dropped no space.
        let spaceless =
            column_width >= PROSE_MIN_COLUMN_WIDTH && !rows.iter().any(|row| row.contains(' '));
        let armour = armour_lines(rows);
        let mut forced = vec![None; joins.len()];
        for line in &armour {
            for join in &mut forced[line.first..line.last] {
                *join = Some(RowJoin::Space);
            }
            // The armour sits on a line of its own.
            if line.first > 0 {
                forced[line.first - 1] = Some(RowJoin::Newline);
            }
            if let Some(join) = forced.get_mut(line.last) {
                *join = Some(RowJoin::Newline);
            }
        }
        // Backwards, so that whether the next row ends its line is known.
        for index in (0..joins.len()).rev() {
            let (previous, next) = (rows[index], rows[index + 1]);
            joins[index] = forced[index].unwrap_or_else(|| {
                let join = row_join(previous, next, column_width, spaceless);
                let next_ends_its_line =
                    index + 1 == joins.len() || joins[index + 1] == RowJoin::Newline;
                if join == RowJoin::Space
                    && !wrap_is_optimal(previous, next, column_width, next_ends_its_line)
                {
                    RowJoin::Newline
                } else {
                    join
                }
            });
        }
        pem_body_joins(rows, &armour, &mut joins);
    }
    let mut value = String::new();
    for (index, row) in rows.iter().enumerate() {
        if index > 0 {
            match joins[index - 1] {
                RowJoin::Newline => value.push('\n'),
                RowJoin::Space => value.push(' '),
                RowJoin::Nothing => {}
            }
        }
        value.push_str(row);
    }
    value
}

/// Below this value column width a prose row may hold a single word, so a value whose rows
/// hold no space may still have been wrapped at spaces.
const PROSE_MIN_COLUMN_WIDTH: usize = 24;

/// Decide how row `next` continues row `previous` in a column `column_width` wide; `spaceless`
/// says that no row of the value holds a space.
///
/// PEM armour lines are settled before (see [`armour_lines`]). The rules, in order:
/// 1. A row with no space and no room left for the next row's first character is a piece of a
///    word too long for the column (such a piece always starts its row).
/// 2. An empty row, or a row starting with a space, comes from a newline.
/// 3. In a spaceless value, after `/`, `?` starting a query string, a hyphen between
///    alphanumerics, or between wide characters, the break took no character away.
/// 4. Otherwise a space was dropped.
///
/// Rules 3 and 4 only explain a break if `next` would not have fit after `previous`:
/// `textwrap`'s optimal fit never leaves two rows that would fit on one (merging them always
/// lowers its cost). When neither explains it, the break was a newline. [`join_rows`] then
/// applies [`wrap_is_optimal`] to the remaining space breaks.
///
/// What stays ambiguous: a value line that exactly fills the column followed by a newline
/// (read as one word), a newline that the wrapping could have made itself (read as a wrap), and a
/// break at a space right after `/`, `?`, `|` or a hyphen (read as a break without space).
fn row_join(previous: &str, next: &str, column_width: usize, spaceless: bool) -> RowJoin {
    let previous_width = text_width(previous);
    let next_width = text_width(next);
    let next_first_width = next.chars().next().map_or(0, char_width);
    // A piece of a word too long for the column fills its row and holds no space. (A piece of
    // an unbreakable run with spaces, in a very narrow column, may also start with one.)
    let fills_row =
        previous_width <= column_width && previous_width + next_first_width > column_width;
    if fills_row && !previous.is_empty() && (!previous.contains(' ') || next.starts_with(' ')) {
        return RowJoin::Nothing;
    }
    // Wrapping never leaves a row empty, and a wrapped row never starts with a space (spaces
    // stay at the end of the row they follow): only a line of the value can.
    if previous.is_empty() || next.is_empty() || next.starts_with(' ') {
        return RowJoin::Newline;
    }
    // A wrap is only possible where `next` would not have fit after `previous`.
    if (spaceless || breaks_without_space(previous, next))
        && previous_width + next_width > column_width
    {
        return RowJoin::Nothing;
    }
    if !spaceless && previous_width + 1 + next_width > column_width {
        return RowJoin::Space;
    }
    RowJoin::Newline
}

/// `textwrap`'s default penalties (0.16), which the optimality test below reasons with.
const SHORT_LAST_LINE_FRACTION: usize = 4;
const SHORT_LAST_LINE_PENALTY: usize = 25;

/// Whether a break at a space between `previous` and `next` could be `textwrap`'s choice.
///
/// Optimal fit minimises the sum over lines of the squared gap at the end of each line (the last
/// line of a paragraph costs nothing, unless it is a single short word), so an optimal layout
/// cannot be improved by moving `next`'s first word up to the end of `previous`:
/// - when `next` ends its line, the move shrinks `previous`'s gap at no cost, which is always
///   better (unless it leaves a single word shorter than a quarter of the column, which costs
///   a small penalty);
/// - otherwise, with `d` the word's width plus its space and `g` the gaps, the move changes the
///   cost by `2d(g_next - g_previous + d)`, better when `g_next + d < g_previous`.
///
/// If the move would be better, the break was not a wrap: it was a newline of the value. The
/// first word is measured generously (see [`split_first_fragment`]), which errs towards "wrap".
/// Rows wider than the column (overflowing lines) are left alone.
fn wrap_is_optimal(
    previous: &str,
    next: &str,
    column_width: usize,
    next_ends_its_line: bool,
) -> bool {
    let previous_width = text_width(previous);
    let next_width = text_width(next);
    if previous_width > column_width || next_width > column_width {
        return true;
    }
    let (first_word, rest) = split_first_fragment(next);
    let moved = 1 + text_width(first_word);
    let previous_gap = column_width - previous_width;
    if moved > previous_gap {
        return true;
    }
    if rest.is_empty() {
        return false;
    }
    if next_ends_its_line {
        let leaves_short_word =
            !rest.contains(' ') && text_width(rest) * SHORT_LAST_LINE_FRACTION < column_width;
        let gain = moved * (2 * previous_gap - moved);
        return leaves_short_word && gain <= SHORT_LAST_LINE_PENALTY;
    }
    let next_gap = column_width - next_width;
    next_gap + moved >= previous_gap
}

/// Split a row at the first space that is surely a break opportunity: the Unicode line breaking
/// rules keep text together across some spaces (after an opening bracket, before closing
/// punctuation, between a quote and an opening bracket...), so only a space run followed by an
/// ASCII letter or digit, and preceded by an ASCII character other than an opening bracket,
/// counts. Returns the first fragment and the rest after the spaces (empty when the whole row is
/// one fragment). Fragments found this way can only be longer than the real ones.
fn split_first_fragment(row: &str) -> (&str, &str) {
    match sure_breaks(row).next() {
        // Both ends sit next to ASCII bytes, so they are character boundaries.
        Some((space_start, space_end)) => (&row[..space_start], &row[space_end..]),
        None => (row, ""),
    }
}

/// The space runs of a row that are surely break opportunities, as byte ranges.
fn sure_breaks(row: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = row.as_bytes();
    let mut index = 0;
    std::iter::from_fn(move || {
        while index < bytes.len() {
            if bytes[index] != b' ' {
                index += 1;
                continue;
            }
            let space_start = index;
            while bytes.get(index) == Some(&b' ') {
                index += 1;
            }
            let before = space_start.checked_sub(1).map(|before| bytes[before]);
            let before_is_sure =
                before.is_some_and(|byte| byte.is_ascii() && !matches!(byte, b'(' | b'[' | b'{'));
            let after_is_alphanumeric = bytes.get(index).is_some_and(u8::is_ascii_alphanumeric);
            if before_is_sure && after_is_alphanumeric {
                return Some((space_start, index));
            }
        }
        None
    })
}

/// A PEM armour line (`-----BEGIN PRIVATE KEY-----`, `-----END …-----`) as rows `first..=last`:
/// in a column narrower than the armour it is wrapped at its spaces.
#[derive(Debug, Clone, Copy)]
struct ArmourLine {
    first: usize,
    last: usize,
    opens: bool,
}

/// The most rows an armour line is looked for over (its label is a few words).
const ARMOUR_MAX_ROWS: usize = 4;

fn armour_lines(rows: &[&str]) -> Vec<ArmourLine> {
    let mut lines = Vec::new();
    let mut index = 0;
    while index < rows.len() {
        let opens = rows[index].starts_with("-----BEGIN");
        if !(opens || rows[index].starts_with("-----END")) {
            index += 1;
            continue;
        }
        let last = (index..rows.len().min(index + ARMOUR_MAX_ROWS)).find(|&candidate| {
            let row = rows[candidate];
            row.ends_with("-----") && (candidate > index || row.contains(' '))
        });
        match last {
            Some(last) => {
                lines.push(ArmourLine {
                    first: index,
                    last,
                    opens,
                });
                index = last + 1;
            }
            None => index += 1,
        }
    }
    lines
}

/// Whether `textwrap` could have broken between `previous` and `next` without dropping a space:
/// after `/` or `|` inside a word; after `?` starting a query string (the last word is a URL, or
/// the next row starts `name=`); after a hyphen with an alphanumeric on both sides (its hyphen
/// splitter); between two wide (CJK) characters, which are written without spaces. A `/` or `|`
/// standing alone after a space was more likely followed by a space too.
fn breaks_without_space(previous: &str, next: &str) -> bool {
    let mut tail = previous.chars().rev();
    let last = tail.next();
    let next_first = next.chars().next();
    if last.is_some_and(|character| char_width(character) == 2)
        && next_first.is_some_and(|character| char_width(character) == 2)
    {
        return true;
    }
    match last {
        Some('/' | '|') => tail.next() != Some(' '),
        Some('?') => {
            let last_word = previous.rsplit(' ').next().unwrap_or(previous);
            let (first_fragment, _) = split_first_fragment(next);
            // A query string follows a URL path, or (in a row cut from a spaceless URL) reads
            // `name=value`.
            last_word.len() > 1
                && (last_word.contains('/')
                    || (!previous.contains(' ') && first_fragment.contains('=')))
        }
        Some('-') => {
            tail.next().is_some_and(char::is_alphanumeric)
                && next_first.is_some_and(char::is_alphanumeric)
        }
        _ => false,
    }
}

/// Line lengths PEM writers use for the base64 body: 64 (RFC 7468, OpenSSL), 70 (OpenSSH),
/// 76 (MIME), in order of preference.
const PEM_BODY_LINE_LENGTHS: [usize; 3] = [64, 70, 76];

/// Fix the joins inside each PEM block (`-----BEGIN …-----`, base64 rows, `-----END …`).
///
/// The body's lines all have one length except the last, and each was wrapped on its own, so
/// every multiple of that length (below the body's total) falls on a row end. The first of
/// [`PEM_BODY_LINE_LENGTHS`] for which this holds gives the newlines; every other row break in
/// the body was inside a line. A body with anything but base64 rows (encrypted-PEM headers) or
/// with no fitting length keeps the joins of [`row_join`].
fn pem_body_joins(rows: &[&str], armour: &[ArmourLine], joins: &mut [RowJoin]) {
    for pair in armour.windows(2) {
        let (begin, end) = (pair[0], pair[1]);
        if !begin.opens || end.opens {
            continue;
        }
        let body_start = begin.last + 1;
        let body = &rows[body_start..end.first];
        let is_base64 = |row: &&str| {
            !row.is_empty()
                && row
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/' | b'='))
        };
        if body.len() < 2 || !body.iter().all(is_base64) {
            continue;
        }
        // Offsets (in the joined body) where each row but the last ends.
        let mut row_ends = Vec::with_capacity(body.len() - 1);
        let mut total = 0;
        for row in body {
            total += row.len();
            row_ends.push(total);
        }
        row_ends.pop();
        let Some(line_length) = PEM_BODY_LINE_LENGTHS.into_iter().find(|&length| {
            (1..)
                .map(|multiple| multiple * length)
                .take_while(|&offset| offset < total)
                .all(|offset| row_ends.binary_search(&offset).is_ok())
        }) else {
            continue;
        };
        for (position, row_end) in row_ends.iter().enumerate() {
            joins[body_start + position] = if row_end % line_length == 0 {
                RowJoin::Newline
            } else {
                RowJoin::Nothing
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(line_index: usize, key: &'static str) -> KvCandidate<'static> {
        KvCandidate {
            line_index,
            key,
            plausibility: start_plausibility(key, "value"),
        }
    }

    #[test]
    fn longest_increasing_run_wins() {
        // B, A, C, D: B then C, D (A cannot follow B).
        let candidates = [
            candidate(0, "B"),
            candidate(1, "A"),
            candidate(2, "C"),
            candidate(3, "D"),
        ];
        assert_eq!(choose_variable_starts(&candidates), vec![0, 2, 3]);
    }

    #[test]
    fn greedy_would_be_fooled_but_the_longest_run_is_not() {
        // A greedy scan takes M right after A and then must drop C, D, E.
        let candidates = [
            candidate(0, "A"),
            candidate(1, "M"),
            candidate(2, "C"),
            candidate(3, "D"),
            candidate(4, "E"),
        ];
        assert_eq!(choose_variable_starts(&candidates), vec![0, 2, 3, 4]);
    }

    #[test]
    fn equal_runs_prefer_the_plausible_name_then_the_earlier_line() {
        // A then either `Zq9` (line 1, mixed case) or `B` (line 2): the conventional name wins.
        let candidates = [candidate(0, "A"), candidate(1, "Zq9"), candidate(2, "B")];
        assert_eq!(choose_variable_starts(&candidates), vec![0, 2]);
        // A then either C (line 1) or B (line 2), equally plausible: the earlier line wins.
        let candidates = [candidate(0, "A"), candidate(1, "C"), candidate(2, "B")];
        assert_eq!(choose_variable_starts(&candidates), vec![0, 1]);
    }

    #[test]
    fn duplicate_keys_start_one_variable() {
        let candidates = [candidate(0, "A"), candidate(1, "B"), candidate(2, "B")];
        assert_eq!(choose_variable_starts(&candidates), vec![0, 1]);
    }

    #[test]
    fn base64_lines_are_recognised() {
        assert!(is_base64_line(
            "Xo6aGe5tR2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvufGh=="
        ));
        assert!(is_base64_line("MIIBIjANBgkqhkiG9w0BAQEFAAOC="));
        assert!(!is_base64_line("DATABASE_URL="));
        assert!(
            !is_base64_line("ABCDEFGHIJKLMNOPQRSTUVWXYZ=="),
            "no digit, no lower case"
        );
        assert!(!is_base64_line("Xo6aGe5t=="), "too short to tell");
    }

    #[test]
    fn row_joins_follow_the_wrapping_rules() {
        // After `/`: nothing, unless the next row would have fit (then a newline); a full row:
        // nothing; a row broken at a space: a space, unless the next row would have fit.
        assert_eq!(
            row_join("postgresql://", "pg:x", 20, false),
            RowJoin::Newline
        );
        assert_eq!(
            row_join("postgresql://", "postgres:xyzxyzxyz", 20, false),
            RowJoin::Nothing
        );
        assert_eq!(row_join("abcdefghij", "klm", 10, false), RowJoin::Nothing);
        assert_eq!(
            row_join("one two three", "fourteen", 20, false),
            RowJoin::Space
        );
        assert_eq!(row_join("one two", "three", 20, false), RowJoin::Newline);
        assert_eq!(
            row_join("zero-", "downtime rollouts", 20, false),
            RowJoin::Nothing
        );
        assert_eq!(
            row_join("a -", "b rollouts and more", 20, false),
            RowJoin::Space
        );
        assert_eq!(row_join("", "x", 20, false), RowJoin::Newline);
        assert_eq!(row_join("x", "", 20, false), RowJoin::Newline);
    }

    #[test]
    fn pem_bodies_are_recut_at_their_line_length() {
        let line = "A".repeat(64);
        let rows = [
            "-----BEGIN PRIVATE KEY-----",
            &line[..49],
            &line[49..],
            &line[..49],
            &line[49..],
            "QUFB",
            "-----END PRIVATE KEY-----",
        ];
        let value = join_rows(&rows, 49, true);
        let expected =
            format!("-----BEGIN PRIVATE KEY-----\n{line}\n{line}\nQUFB\n-----END PRIVATE KEY-----");
        assert_eq!(value, expected);
    }

    #[test]
    fn ansi_sequences_are_stripped_with_an_offset_map() {
        let text = "\u{1b}[1mKEY\u{1b}[0m é \u{1b}]8;;http://x\u{7}link";
        let stripped = AnsiStripped::new(text);
        assert_eq!(stripped.text, "KEY é link");
        let key = stripped.original_span(0..3);
        assert_eq!(&text[key], "KEY");
        let accent = stripped.original_span(4..6);
        assert_eq!(&text[accent], "é");
        let link = stripped.original_span(7..11);
        assert_eq!(&text[link], "link");
    }
}
