//! The .env reader: python-dotenv 1.2.4's grammar, with byte spans.
//!
//! The applications deploycheck looks after read their .env through pydantic-settings, which
//! calls python-dotenv's `dotenv_values`. A linter that reads the file any other way reports on a
//! configuration the application never sees, so this module reproduces python-dotenv 1.2.4
//! statement for statement: the same keys, values, skipped lines and `${VAR}` expansion, plus the
//! byte spans python-dotenv does not keep.
//!
//! # Why not the `dotenvy` crate
//!
//! dotenvy (0.15.7) implements a different dialect: on the 97 cases of
//! `fixtures/dotenv-corpus/` its result differs from python-dotenv's on 46. It expands bare
//! `$VAR`, treats backslashes in unquoted values as escapes, rejects keys such as `MY-KEY`, values
//! such as `B=two words` or `JSON={"a": 1}` and a leading BOM, fails on the rest of the file after
//! an unclosed quote, and strips the quotes out of `CORS_ORIGINS=["https://a.com"]`. It also
//! keeps no spans.
//!
//! # How python-dotenv reads a file (and how this module mirrors it)
//!
//! The text is decoded with universal newlines (`\r\n` and a lone `\r` become `\n`) and a leading
//! BOM is dropped; `Normalized` does the same and maps every offset back to the original text,
//! so all spans index the bytes the user wrote. python-dotenv's `Reader` then applies a chain of
//! anchored regular expressions per statement; each function below names the expression it
//! stands for. A statement that fails part-way is skipped from its start to the end of the line
//! on which the failure happened (`_rest_of_line`), and reading resumes on the next line.
//!
//! Quoted values may span lines. python-dotenv looks for the closing quote anywhere after the
//! opening one, so a quote left open on line 3 is closed by the next quote in the file (say on
//! line 7) and lines 4 to 7 become part of the value. Two outcomes follow:
//! - only whitespace or a comment follows that later quote: python-dotenv accepts the value as
//!   it is, multi-line; this is an [`Entry`] whose `value_span` covers lines 3 to 7, not an error;
//! - anything else follows it (the usual case, e.g. line 7 is `B="x"`): the whole statement, lines
//!   3 to 7, is skipped. This is a [`SyntaxError`] whose `swallowed_lines` is `Some((4, 7))`: the
//!   lines after the statement's first line that went down with it.
//!
//! When no later quote closes it, python-dotenv skips only the line of the opening quote
//! (`swallowed_lines` is `None`).
//!
//! # Linear time
//!
//! A quote that is never closed makes python-dotenv scan to the end of the file. Every opening
//! quote is itself an unescaped quote, so after one failed scan no later quote of the same kind
//! can exist and this happens at most once per kind; `Reader` also remembers failed scans, so no
//! input can make it rescan to the end. Comment cutting and `${VAR}` matching are single passes.
//! The one place python-dotenv's result itself can outgrow the input is expansion (each
//! `A=${A}${A}` doubles `A`): past `INTERPOLATION_LIMIT` (16 MiB) of expanded bytes, expansion
//! stops and a [`Notice`] under `interpolation-too-large` says where; later values are kept
//! as written.
//!
//! # One file
//!
//! About 830 lines before the tests, over the house's ~800: python-dotenv's parser is one
//! module (`parser.py` and `main.py`'s `resolve_variables`), and this file follows it statement
//! by statement, so that a difference against the corpus can be traced to one place on each
//! side. Splitting it would separate the lexer's helpers from the one grammar that uses them.

use std::collections::{BTreeMap, HashMap};

use super::{Entry, Notice, Parsed, Span, Substitution, SyntaxError, UnresolvedReference};

/// Options for [`parse`].
#[derive(Debug, Clone, Default)]
pub struct DotenvOptions {
    /// Expand `${VAR}` and `${VAR:-default}` as python-dotenv's `interpolate=True` does.
    pub interpolate: bool,
    /// Names visible to interpolation after the file's own earlier keys (the process
    /// environment, when the user asks for it). Empty by default.
    pub environment: BTreeMap<String, String>,
}

/// Parse a .env text exactly as python-dotenv 1.2.4's `dotenv_values` does.
///
/// - `entries` are in file order, duplicates included (the last one is the one python-dotenv
///   keeps). `raw_value` is the value after quote and escape handling; `value` is the same after
///   `${VAR}` expansion when `options.interpolate`, else equal to `raw_value`.
/// - `errors` are the statements python-dotenv skipped with its "could not parse statement"
///   warning. python-dotenv names the line after the previous statement, which can be a blank
///   line above; here `span` starts at the skipped statement's first non-blank byte.
/// - `unresolved` (only when interpolating) lists each `${NAME}` whose name was given no value,
///   neither earlier in the file nor in `options.environment`, with the default python-dotenv used
///   instead. A name declared earlier without `=` (`NAME` alone) also counts: python-dotenv then
///   substitutes the empty string and ignores any default, so `default` is `None` for it.
pub fn parse(text: &str, options: &DotenvOptions) -> Parsed {
    let normalized = Normalized::new(text);
    let mut reader = Reader::new(&normalized.text);
    let mut lines = LineCounter::default();
    let mut parsed = Parsed::default();
    let mut interpolator = options
        .interpolate
        .then(|| Interpolator::new(options, &normalized));

    while let Some(statement) = reader.next_statement() {
        match statement {
            Statement::Skipped(skipped) => {
                let first_line = lines.line_at(&normalized.text, skipped.span.start);
                let newlines = normalized.text[skipped.span.clone()]
                    .bytes()
                    .filter(|&byte| byte == b'\n')
                    .count();
                parsed.errors.push(SyntaxError {
                    span: normalized.original_span(&skipped.span),
                    message: skipped.message.to_owned(),
                    swallowed_lines: (newlines > 0)
                        .then_some((first_line + 1, first_line + newlines)),
                    unterminated: matches!(
                        skipped.message,
                        UNCLOSED_SINGLE_QUOTE | UNCLOSED_DOUBLE_QUOTE | UNCLOSED_QUOTED_KEY
                    ),
                });
            }
            Statement::Assignment(assignment) => {
                let raw_value = assignment.value.as_ref().map(|value| value.raw.clone());
                let (value, substitutions) = match interpolator.as_mut() {
                    Some(interpolator) => interpolator.value_of(&assignment, &mut parsed),
                    None => (raw_value.clone(), Vec::new()),
                };
                parsed.entries.push(Entry {
                    key: assignment.key,
                    value,
                    raw_value,
                    key_span: normalized.original_span(&assignment.key_span),
                    value_span: assignment
                        .value
                        .as_ref()
                        .map(|source| normalized.original_span(&source.span)),
                    statement_span: normalized.original_span(&assignment.statement_span),
                    substitutions,
                    secret_ranges: Vec::new(),
                });
            }
        }
    }
    parsed
}

/// Does python-dotenv read `key`, written unquoted at the start of a line, as this key
/// (`_unquoted_key`: `[^=\#\s]+`)? Not when it starts with a quote (a quoted key) or a BOM
/// (dropped at the start of a file). `show --format dotenv` quotes the other keys.
pub fn is_unquoted_key(key: &str) -> bool {
    !key.is_empty()
        && !key.starts_with(['\'', '\u{feff}'])
        && !key.contains(|c| c == '=' || c == '#' || is_space(c))
}

/// Python's `\s` (and `str.isspace`): Unicode whitespace plus the separators U+001C..U+001F,
/// which Rust's `char::is_whitespace` leaves out. Spelled out so that it is python's table.
fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{1f}'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// python-dotenv's `[^\S\r\n]`: whitespace that does not end a line.
fn is_line_space(c: char) -> bool {
    is_space(c) && c != '\n' && c != '\r'
}

/// The text python-dotenv parses (universal newlines, no BOM), with the way back to the
/// original offsets.
struct Normalized {
    text: String,
    /// Length in bytes of the BOM dropped from the start (0 or 3).
    bom_len: usize,
    /// For each `\r\n` of the original, the normalized offset of its `\n` (the `\r` is dropped).
    /// Sorted, as they are found in order.
    dropped_carriage_returns: Vec<usize>,
}

impl Normalized {
    fn new(original: &str) -> Self {
        let (bom_len, body) = match original.strip_prefix('\u{feff}') {
            Some(rest) => ('\u{feff}'.len_utf8(), rest),
            None => (0, original),
        };
        let bytes = body.as_bytes();
        let mut text = String::with_capacity(body.len());
        let mut dropped_carriage_returns = Vec::new();
        let mut copied_up_to = 0;
        for (index, &byte) in bytes.iter().enumerate() {
            if byte != b'\r' {
                continue;
            }
            text.push_str(&body[copied_up_to..index]);
            if bytes.get(index + 1) == Some(&b'\n') {
                // The `\n` that follows is copied with the next run, at this offset.
                dropped_carriage_returns.push(text.len());
            } else {
                text.push('\n');
            }
            copied_up_to = index + 1;
        }
        text.push_str(&body[copied_up_to..]);
        Self {
            text,
            bom_len,
            dropped_carriage_returns,
        }
    }

    /// The original offset of a normalized offset. An offset on the `\n` of a `\r\n` maps to
    /// its `\r`, so a span ending at a line break excludes the whole `\r\n`, and a span covering
    /// the `\n` covers both bytes.
    fn original(&self, offset: usize) -> usize {
        let dropped_before = self
            .dropped_carriage_returns
            .partition_point(|&newline| newline < offset);
        offset + self.bom_len + dropped_before
    }

    fn original_span(&self, span: &Span) -> Span {
        self.original(span.start)..self.original(span.end)
    }
}

/// 1-based line numbers of increasing offsets, counted incrementally so that numbering every
/// skipped statement stays linear.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    newlines: usize,
}

impl LineCounter {
    fn line_at(&mut self, text: &str, offset: usize) -> usize {
        if offset > self.offset {
            self.newlines += text.as_bytes()[self.offset..offset]
                .iter()
                .filter(|&&byte| byte == b'\n')
                .count();
            self.offset = offset;
        }
        self.newlines + 1
    }
}

/// How a value was written; decides escape decoding and how offsets map back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    Unquoted,
    Single,
    Double,
}

impl Quoting {
    /// What `\` followed by `next` decodes to, if it is an escape in this quoting
    /// (python-dotenv's `_single_quote_escapes` / `_double_quote_escapes`).
    fn escape(self, next: u8) -> Option<char> {
        match (self, next) {
            (Quoting::Single | Quoting::Double, b'\\') => Some('\\'),
            (Quoting::Single | Quoting::Double, b'\'') => Some('\''),
            (Quoting::Double, b'"') => Some('"'),
            (Quoting::Double, b'a') => Some('\u{7}'),
            (Quoting::Double, b'b') => Some('\u{8}'),
            (Quoting::Double, b'f') => Some('\u{c}'),
            (Quoting::Double, b'n') => Some('\n'),
            (Quoting::Double, b'r') => Some('\r'),
            (Quoting::Double, b't') => Some('\t'),
            (Quoting::Double, b'v') => Some('\u{b}'),
            _ => None,
        }
    }
}

/// A value as read, before interpolation. Spans here are normalized offsets.
struct ValueSource {
    raw: String,
    /// The value as written, quotes included.
    span: Span,
    quoting: Quoting,
}

struct Assignment {
    key: String,
    key_span: Span,
    value: Option<ValueSource>,
    statement_span: Span,
}

/// The failures where no later quote closes the one a statement opened (see
/// [`SyntaxError::unterminated`]).
const UNCLOSED_SINGLE_QUOTE: &str = "unclosed single quote";
const UNCLOSED_DOUBLE_QUOTE: &str = "unclosed double quote";
const UNCLOSED_QUOTED_KEY: &str = "unclosed quote in key";

struct Skipped {
    span: Span,
    message: &'static str,
}

enum Statement {
    Assignment(Assignment),
    Skipped(Skipped),
}

/// The kinds of search for a closing quote; each remembers its own failures.
#[derive(Debug, Clone, Copy)]
enum QuoteScan {
    SingleQuotedValue,
    DoubleQuotedValue,
    QuotedKey,
}

/// python-dotenv's `Reader` over the normalized text.
///
/// Each step either advances `position` past what its expression matched or fails without
/// moving, like `Reader.read_regex`, so that a failure leaves `position` where python-dotenv's
/// `_rest_of_line` starts.
struct Reader<'a> {
    text: &'a str,
    position: usize,
    /// Per [`QuoteScan`], an offset from which a search for the closing quote found none; a
    /// search from any later offset cannot find one either.
    no_closing_quote_from: [Option<usize>; 3],
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            position: 0,
            no_closing_quote_from: [None; 3],
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.position..].chars().next()
    }

    /// Advance over the characters that satisfy `accept`.
    fn skip(&mut self, accept: impl Fn(char) -> bool) {
        let rest = &self.text[self.position..];
        let stop = rest
            .char_indices()
            .find(|&(_, c)| !accept(c))
            .map_or(rest.len(), |(index, _)| index);
        self.position += stop;
    }

    /// Offset of the `\n` ending the line that holds `offset`, or the end of the text.
    fn line_end(&self, offset: usize) -> usize {
        self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |index| offset + index)
    }

    /// `offset` moved back over trailing line whitespace, but not before `start`.
    fn trim_end(&self, start: usize, offset: usize) -> usize {
        start
            + self.text[start..offset]
                .trim_end_matches(is_line_space)
                .len()
    }

    /// python-dotenv's `parse_stream` loop: the next statement that assigns a key or was
    /// skipped; comments and blank lines yield nothing.
    fn next_statement(&mut self) -> Option<Statement> {
        loop {
            // `_multiline_whitespace`
            self.skip(is_space);
            if self.position >= self.text.len() {
                return None;
            }
            let start = self.position;
            match self.binding(start) {
                Ok(Some(assignment)) => return Some(Statement::Assignment(assignment)),
                Ok(None) => continue,
                Err(message) => {
                    // `_rest_of_line`, from where the failure happened.
                    let line_end = self.line_end(self.position);
                    self.position = (line_end + 1).min(self.text.len());
                    return Some(Statement::Skipped(Skipped {
                        span: start..self.trim_end(start, line_end),
                        message,
                    }));
                }
            }
        }
    }

    /// python-dotenv's `parse_binding` from the first non-blank byte: `Ok(None)` for a comment.
    fn binding(&mut self, start: usize) -> Result<Option<Assignment>, &'static str> {
        self.export_prefix();
        let key = self.key()?;
        // `_whitespace`
        self.skip(is_line_space);
        let value = if self.peek() == Some('=') {
            // `_equal_sign`
            self.position += 1;
            let after_equal_sign = self.position;
            self.skip(is_line_space);
            if self.position > after_equal_sign && self.peek() == Some('#') {
                // `KEY= # comment`: an empty value; the comment is read below.
                Some(ValueSource {
                    raw: String::new(),
                    span: self.position..self.position,
                    quoting: Quoting::Unquoted,
                })
            } else {
                Some(self.value()?)
            }
        } else {
            None
        };
        // `_comment`
        let before_comment = self.position;
        self.skip(is_line_space);
        if self.peek() == Some('#') {
            self.position = self.line_end(self.position);
        } else {
            self.position = before_comment;
        }
        let statement_end = self.trim_end(start, self.position);
        // `_end_of_line`
        let before_end_of_line = self.position;
        self.skip(is_line_space);
        match self.peek() {
            None => {}
            Some('\n') => self.position += 1,
            Some(_) => {
                self.position = before_end_of_line;
                return Err(match &value {
                    Some(_) => "text after closing quote",
                    None => "text after key where `=` was expected",
                });
            }
        }
        Ok(key.map(|(key, key_span)| Assignment {
            key,
            key_span,
            value,
            statement_span: start..statement_end,
        }))
    }

    /// `_export`: `export` followed by line whitespace.
    fn export_prefix(&mut self) {
        let rest = &self.text[self.position..];
        let is_export = rest
            .strip_prefix("export")
            .is_some_and(|after| after.chars().next().is_some_and(is_line_space));
        if is_export {
            self.position += "export".len();
            self.skip(is_line_space);
        }
    }

    /// `parse_key`: `None` for a comment.
    fn key(&mut self) -> Result<Option<(String, Span)>, &'static str> {
        match self.peek() {
            Some('#') => Ok(None),
            Some('\'') => {
                // `_single_quoted_key`: `'([^']+)'`
                let open = self.position;
                if self.text.as_bytes().get(open + 1) == Some(&b'\'') {
                    return Err("empty quoted key");
                }
                let close = self
                    .closing_quote(open, QuoteScan::QuotedKey)
                    .ok_or(UNCLOSED_QUOTED_KEY)?;
                self.position = close + 1;
                Ok(Some((
                    self.text[open + 1..close].to_owned(),
                    open + 1..close,
                )))
            }
            next => {
                // `_unquoted_key`: `[^=\#\s]+`
                let start = self.position;
                self.skip(|c| c != '=' && c != '#' && !is_space(c));
                if self.position == start {
                    return Err(if next == Some('=') {
                        "missing key"
                    } else {
                        "missing key after `export`"
                    });
                }
                Ok(Some((
                    self.text[start..self.position].to_owned(),
                    start..self.position,
                )))
            }
        }
    }

    /// `parse_value`, after `=` and its trailing whitespace.
    fn value(&mut self) -> Result<ValueSource, &'static str> {
        let start = self.position;
        let (quoting, kind, unclosed) = match self.peek() {
            Some('\'') => (
                Quoting::Single,
                QuoteScan::SingleQuotedValue,
                UNCLOSED_SINGLE_QUOTE,
            ),
            Some('"') => (
                Quoting::Double,
                QuoteScan::DoubleQuotedValue,
                UNCLOSED_DOUBLE_QUOTE,
            ),
            None | Some('\n') => {
                return Ok(ValueSource {
                    raw: String::new(),
                    span: start..start,
                    quoting: Quoting::Unquoted,
                });
            }
            Some(_) => {
                // `_unquoted_value`, then `re.sub(r"\s+#.*", "", part).rstrip()`
                let line_end = self.line_end(start);
                let raw = unquoted_value(&self.text[start..line_end]);
                self.position = line_end;
                return Ok(ValueSource {
                    raw: raw.to_owned(),
                    span: start..start + raw.len(),
                    quoting: Quoting::Unquoted,
                });
            }
        };
        let close = self.closing_quote(start, kind).ok_or(unclosed)?;
        self.position = close + 1;
        Ok(ValueSource {
            raw: decode_escapes(&self.text[start + 1..close], quoting, None),
            span: start..close + 1,
            quoting,
        })
    }

    /// Offset of the quote closing the one at `open`.
    ///
    /// For values (`'((?:\\.|[^'\\])*)'`, and the same with `"`, both DOTALL) a backslash
    /// always takes the next character with it, newlines included; for a key (`'([^']+)'`) the
    /// first `'` closes.
    fn closing_quote(&mut self, open: usize, scan: QuoteScan) -> Option<usize> {
        let from = open + 1;
        let dead_from = &mut self.no_closing_quote_from[scan as usize];
        if dead_from.is_some_and(|dead_from| from >= dead_from) {
            return None;
        }
        let bytes = self.text.as_bytes();
        let quote = match scan {
            QuoteScan::QuotedKey => {
                let found = self.text[from..].find('\'').map(|index| from + index);
                if found.is_none() {
                    *dead_from = Some(from);
                }
                return found;
            }
            QuoteScan::SingleQuotedValue => b'\'',
            QuoteScan::DoubleQuotedValue => b'"',
        };
        let mut index = from;
        while index < bytes.len() {
            match bytes[index] {
                // The escaped character may be multi-byte: its continuation bytes are never a
                // quote or a backslash, so stepping over them one by one is harmless.
                b'\\' => index += 2,
                byte if byte == quote => return Some(index),
                _ => index += 1,
            }
        }
        *dead_from = Some(from);
        None
    }
}

/// An unquoted value: the line cut at the first whitespace run that is followed by `#`, then
/// right-trimmed (python-dotenv's `re.sub(r"\s+#.*", "", part).rstrip()`), in one pass.
fn unquoted_value(part: &str) -> &str {
    let mut space_run_start = None;
    let mut cut = part.len();
    for (index, c) in part.char_indices() {
        if is_space(c) {
            space_run_start.get_or_insert(index);
        } else {
            if let (Some(run_start), '#') = (space_run_start, c) {
                cut = run_start;
                break;
            }
            space_run_start = None;
        }
    }
    part[..cut].trim_end_matches(is_space)
}

/// python-dotenv's `decode_escapes` for a quoted value's content.
///
/// With `offsets`, also records for each byte of the result the offset in `content` it came
/// from (an escape's decoded byte maps to its backslash), plus one entry for the end.
fn decode_escapes(content: &str, quoting: Quoting, mut offsets: Option<&mut Vec<usize>>) -> String {
    let bytes = content.as_bytes();
    let mut decoded = String::with_capacity(content.len());
    let mut copied_up_to = 0;
    let copy = |decoded: &mut String, offsets: &mut Option<&mut Vec<usize>>, range: Span| {
        decoded.push_str(&content[range.clone()]);
        if let Some(offsets) = offsets {
            offsets.extend(range);
        }
    };
    while let Some(found) = content[copied_up_to..].find('\\') {
        let backslash = copied_up_to + found;
        copy(&mut decoded, &mut offsets, copied_up_to..backslash);
        match bytes
            .get(backslash + 1)
            .and_then(|&next| quoting.escape(next))
        {
            Some(escaped) => {
                let before = decoded.len();
                decoded.push(escaped);
                if let Some(offsets) = offsets.as_deref_mut() {
                    offsets.extend(std::iter::repeat_n(backslash, decoded.len() - before));
                }
                copied_up_to = backslash + 2;
            }
            None => {
                // Not an escape: the backslash stays, and the next character (never a
                // backslash, which would have been an escape) is read normally.
                copy(&mut decoded, &mut offsets, backslash..backslash + 1);
                copied_up_to = backslash + 1;
            }
        }
    }
    copy(&mut decoded, &mut offsets, copied_up_to..content.len());
    if let Some(offsets) = offsets {
        offsets.push(content.len());
    }
    decoded
}

/// One `${NAME}` or `${NAME:-default}` found in a value (python-dotenv's `_posix_variable`).
struct Reference<'v> {
    /// Byte range of `${...}` in the value.
    range: Span,
    name: &'v str,
    default: Option<&'v str>,
}

/// Every match of `\$\{(?P<name>[^\}:]*)(?::-(?P<default>[^\}]*))?\}` in `value`, as
/// `re.finditer` finds them, in linear time.
fn references(value: &str) -> Vec<Reference<'_>> {
    let bytes = value.as_bytes();
    let mut found = Vec::new();
    // The last answer of each forward search, reused while later searches start before it:
    // searches start at increasing offsets, so each byte is looked at a bounded number of times.
    let mut name_stop = NextMatch::default();
    let mut closing_brace = NextMatch::default();
    let mut search_from = 0;
    while let Some(index) = value[search_from..].find("${") {
        let start = search_from + index;
        let name_start = start + 2;
        let Some(stop) = name_stop.find(bytes, name_start, |byte| byte == b'}' || byte == b':')
        else {
            // No `}` or `:` anywhere after: no later `${` can match either.
            break;
        };
        let matched = if bytes[stop] == b'}' {
            Some((stop + 1, None))
        } else if bytes.get(stop + 1) == Some(&b'-') {
            closing_brace
                .find(bytes, stop + 2, |byte| byte == b'}')
                .map(|close| (close + 1, Some(&value[stop + 2..close])))
        } else {
            None
        };
        match matched {
            Some((end, default)) => {
                found.push(Reference {
                    range: start..end,
                    name: &value[name_start..stop],
                    default,
                });
                search_from = end;
            }
            None => search_from = start + 1,
        }
    }
    found
}

/// A forward byte search that remembers its last answer.
#[derive(Default)]
struct NextMatch {
    searched_from: usize,
    answer: Option<Option<usize>>,
}

impl NextMatch {
    fn find(&mut self, bytes: &[u8], from: usize, accept: impl Fn(u8) -> bool) -> Option<usize> {
        // A search from `searched_from` that found `answer` gives the same answer from any
        // offset between the two.
        if let Some(answer) = self.answer {
            if from >= self.searched_from && answer.is_none_or(|found| from <= found) {
                return answer;
            }
        }
        let answer = bytes
            .get(from..)
            .and_then(|rest| rest.iter().position(|&byte| accept(byte)))
            .map(|index| from + index);
        self.searched_from = from;
        self.answer = Some(answer);
        answer
    }
}

/// Bytes that `${VAR}` substitutions may add to the values of one file, in total.
///
/// Each value can repeat earlier ones (`A=${A}${A}` doubles `A`), so a few lines can ask for
/// more memory than exists; python-dotenv would exhaust it. Real files stay far below this.
const INTERPOLATION_LIMIT: usize = 16 << 20;

/// python-dotenv's `resolve_variables`, as `dotenv_values` calls it (`override=True`): each
/// value sees the file's earlier keys first, then the environment, then its default.
struct Interpolator<'a> {
    options: &'a DotenvOptions,
    normalized: &'a Normalized,
    /// The file's keys so far, with their expanded values (`None`: declared without `=`).
    file_values: HashMap<String, Option<String>>,
    /// What substitutions may still add, over the whole file.
    budget: usize,
    /// Set once the budget ran out: from then on values stay as written.
    exhausted: bool,
}

impl<'a> Interpolator<'a> {
    fn new(options: &'a DotenvOptions, normalized: &'a Normalized) -> Self {
        Self {
            options,
            normalized,
            file_values: HashMap::new(),
            budget: INTERPOLATION_LIMIT,
            exhausted: false,
        }
    }

    /// The expanded value of `assignment` and what was substituted where, recording unresolved
    /// references (and, once, the notice that expansion stopped) in `parsed`.
    fn value_of(
        &mut self,
        assignment: &Assignment,
        parsed: &mut Parsed,
    ) -> (Option<String>, Vec<Substitution>) {
        let mut substitutions = Vec::new();
        let value = assignment.value.as_ref().map(|source| {
            if self.exhausted {
                return source.raw.clone();
            }
            let mut unresolved = Vec::new();
            match self.expand(source, &assignment.key, &mut unresolved) {
                Some((expanded, done)) => {
                    parsed.unresolved.append(&mut unresolved);
                    substitutions = done;
                    expanded
                }
                None => {
                    self.exhausted = true;
                    parsed.notices.push(Notice {
                        rule: crate::rules::RuleId::InterpolationTooLarge,
                        message: format!(
                            "`${{...}}` expansion stopped here: the expanded values would exceed \
                             {} MiB; this value and the ones after it are used as written",
                            INTERPOLATION_LIMIT >> 20
                        ),
                        span: self.normalized.original_span(&assignment.statement_span),
                    });
                    source.raw.clone()
                }
            }
        });
        self.file_values
            .insert(assignment.key.clone(), value.clone());
        (value, substitutions)
    }

    /// One value's expansion, and what each reference put where; `None` when it would overrun
    /// the budget.
    fn expand(
        &mut self,
        source: &ValueSource,
        key: &str,
        unresolved: &mut Vec<UnresolvedReference>,
    ) -> Option<(String, Vec<Substitution>)> {
        let raw = &source.raw;
        let mut expanded = String::with_capacity(raw.len());
        let mut substitutions = Vec::new();
        let mut substituted = |name: &str, start: usize, expanded: &str| {
            if expanded.len() > start {
                substitutions.push(Substitution {
                    name: name.to_owned(),
                    range: start..expanded.len(),
                });
            }
        };
        let mut copied_up_to = 0;
        // Offsets of the raw value's bytes in the quoted content, computed once if needed.
        let mut content_offsets: Option<Vec<usize>> = None;
        for reference in references(raw) {
            expanded.push_str(&raw[copied_up_to..reference.range.start]);
            copied_up_to = reference.range.end;
            let resolved = match self.file_values.get(reference.name) {
                Some(Some(value)) => Some(value.as_str()),
                // Declared without `=`: python-dotenv finds `None` and substitutes "".
                Some(None) => None,
                None => self
                    .options
                    .environment
                    .get(reference.name)
                    .map(String::as_str),
            };
            let start = expanded.len();
            if let Some(value) = resolved {
                self.budget = self.budget.checked_sub(value.len())?;
                expanded.push_str(value);
                substituted(reference.name, start, &expanded);
                continue;
            }
            let declared_without_value = self.file_values.contains_key(reference.name);
            let default = reference.default.filter(|_| !declared_without_value);
            expanded.push_str(default.unwrap_or(""));
            substituted(reference.name, start, &expanded);
            let span = reference_span(
                source,
                &reference.range,
                &self.normalized.text,
                &mut content_offsets,
            );
            unresolved.push(UnresolvedReference {
                name: reference.name.to_owned(),
                key: key.to_owned(),
                span: self.normalized.original_span(&span),
                default: default.map(str::to_owned),
            });
        }
        expanded.push_str(&raw[copied_up_to..]);
        Some((expanded, substitutions))
    }
}

/// The normalized span of the bytes `range` (a `${...}`) of a raw value.
fn reference_span(
    source: &ValueSource,
    range: &Span,
    text: &str,
    content_offsets: &mut Option<Vec<usize>>,
) -> Span {
    let value_start = source.span.start;
    match source.quoting {
        // An unquoted value is a single line copied verbatim.
        Quoting::Unquoted => value_start + range.start..value_start + range.end,
        quoting => {
            let content_start = value_start + 1;
            let offsets = content_offsets.get_or_insert_with(|| {
                let mut offsets = Vec::new();
                let content = &text[content_start..source.span.end - 1];
                decode_escapes(content, quoting, Some(&mut offsets));
                offsets
            });
            // `$` and `}` are never produced by an escape, so both ends are literal bytes.
            match (offsets.get(range.start), offsets.get(range.end - 1)) {
                (Some(&first), Some(&last)) => content_start + first..content_start + last + 1,
                _ => source.span.clone(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_interpolated(text: &str) -> Parsed {
        parse(
            text,
            &DotenvOptions {
                interpolate: true,
                ..DotenvOptions::default()
            },
        )
    }

    /// `(key_span, value_span, statement_span)` of an entry, as text of the original.
    type EntrySpans<'t> = (&'t str, Option<&'t str>, &'t str);

    /// `(span, message, swallowed_lines)` of a skipped statement, the span as original text.
    type SkippedView<'t> = (&'t str, String, Option<(usize, usize)>);

    fn spans(text: &str) -> Vec<EntrySpans<'_>> {
        parse_interpolated(text)
            .entries
            .into_iter()
            .map(|entry| {
                (
                    &text[entry.key_span],
                    entry.value_span.map(|span| &text[span]),
                    &text[entry.statement_span],
                )
            })
            .collect()
    }

    #[test]
    fn spans_index_the_original_text() {
        let cases: &[(&str, &[EntrySpans])] = &[
            (
                "A=1\nB=2",
                &[("A", Some("1"), "A=1"), ("B", Some("2"), "B=2")],
            ),
            (
                "A=1\r\nB=\"x\r\ny\"\r\nC\r\n",
                &[
                    ("A", Some("1"), "A=1"),
                    ("B", Some("\"x\r\ny\""), "B=\"x\r\ny\""),
                    ("C", None, "C"),
                ],
            ),
            (
                "A=1\rB=2\r",
                &[("A", Some("1"), "A=1"), ("B", Some("2"), "B=2")],
            ),
            (
                "\u{feff}A=1\r\nB=2",
                &[("A", Some("1"), "A=1"), ("B", Some("2"), "B=2")],
            ),
            (
                "  export  KEY = 'v' # note  \n",
                &[("KEY", Some("'v'"), "export  KEY = 'v' # note")],
            ),
            ("'my key'=v", &[("my key", Some("v"), "'my key'=v")]),
            (
                "'multi\r\nline'",
                &[("multi\r\nline", None, "'multi\r\nline'")],
            ),
            (
                "\n\n  A='l1\r\nl2'  \r\n\tB=b c  # x  ",
                &[
                    ("A", Some("'l1\r\nl2'"), "A='l1\r\nl2'"),
                    ("B", Some("b c"), "B=b c  # x"),
                ],
            ),
            ("KEY= # c", &[("KEY", Some(""), "KEY= # c")]),
            ("KEY=", &[("KEY", Some(""), "KEY=")]),
            ("a=b#c", &[("a", Some("b#c"), "a=b#c")]),
            ("export=1", &[("export", Some("1"), "export=1")]),
            (
                "MY-KEY=x\u{a0}y",
                &[("MY-KEY", Some("x\u{a0}y"), "MY-KEY=x\u{a0}y")],
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(&spans(text), expected, "input {text:?}");
        }
    }

    #[test]
    fn empty_value_spans_sit_where_the_value_would_start() {
        let text = "KEY=  # c\nOTHER=";
        let entries = parse_interpolated(text).entries;
        assert_eq!(entries[0].value_span, Some(6..6));
        assert_eq!(entries[1].value_span, Some(text.len()..text.len()));
    }

    #[test]
    fn values_are_decoded_as_python_dotenv_does() {
        let text = concat!(
            "S='a\\\\b\\'c\\n'\n",
            "D=\"a\\\\b\\\"c\\n\\x\"\n",
            "U=a\\nb  # comment\n",
            "N\n",
            "E=\n",
            "W=two words\n",
            "J={\"a\": 1}\n",
            "L=[\"https://a.com\"]\n",
        );
        let values: Vec<(String, Option<String>)> = parse_interpolated(text)
            .entries
            .into_iter()
            .map(|entry| (entry.key, entry.value))
            .collect();
        let expected = [
            ("S", Some("a\\b'c\\n")),
            ("D", Some("a\\b\"c\n\\x")),
            ("U", Some("a\\nb")),
            ("N", None),
            ("E", Some("")),
            ("W", Some("two words")),
            ("J", Some("{\"a\": 1}")),
            ("L", Some("[\"https://a.com\"]")),
        ]
        .map(|(key, value)| (key.to_owned(), value.map(str::to_owned)));
        assert_eq!(values, expected);
    }

    #[test]
    fn every_escape_python_dotenv_decodes_and_no_other() {
        let text = concat!(r#"D="\a\b\f\n\r\t\v\\\'\"\x\$""#, "\n", r#"S='\a\\\'"'"#,);
        let values: Vec<Option<String>> = parse(text, &DotenvOptions::default())
            .entries
            .into_iter()
            .map(|entry| entry.value)
            .collect();
        assert_eq!(
            values,
            [
                Some("\u{7}\u{8}\u{c}\n\r\t\u{b}\\'\"\\x\\$".to_owned()),
                Some("\\a\\'\"".to_owned()),
            ]
        );
    }

    #[test]
    fn python_whitespace_includes_information_separators() {
        // U+001C..U+001F are `\s` for python, not for `char::is_whitespace`.
        let parsed = parse_interpolated("\u{1c}A=b\u{1f}#c\n");
        assert_eq!(parsed.entries[0].key, "A");
        assert_eq!(parsed.entries[0].value.as_deref(), Some("b"));
    }

    fn errors(text: &str) -> Vec<SkippedView<'_>> {
        parse_interpolated(text)
            .errors
            .into_iter()
            .map(|error| (&text[error.span], error.message, error.swallowed_lines))
            .collect()
    }

    #[test]
    fn skipped_statements_say_why() {
        let cases: &[(&str, &str, &str)] = &[
            ("a: b", "a: b", "text after key where `=` was expected"),
            ("=value", "=value", "missing key"),
            ("export \nA=1", "export", "missing key after `export`"),
            ("A='x' y", "A='x' y", "text after closing quote"),
            ("A=\"never", "A=\"never", "unclosed double quote"),
            ("A='never  ", "A='never", "unclosed single quote"),
            ("''=x", "''=x", "empty quoted key"),
            ("'key=x", "'key=x", "unclosed quote in key"),
        ];
        for (text, span, message) in cases {
            assert_eq!(
                errors(text),
                vec![(*span, message.to_string(), None)],
                "input {text:?}"
            );
        }
    }

    #[test]
    fn an_unclosed_quote_closed_by_a_later_quote_swallows_the_lines_between() {
        let text = "A=1\nB=\"open\r\nC=2\r\n\r\nD=\"x\" # d\nE=3\n";
        let parsed = parse_interpolated(text);
        assert_eq!(
            errors(text),
            vec![(
                "B=\"open\r\nC=2\r\n\r\nD=\"x\" # d",
                "text after closing quote".to_owned(),
                Some((3, 5)),
            )]
        );
        let keys: Vec<&str> = parsed
            .entries
            .iter()
            .map(|entry| entry.key.as_str())
            .collect();
        assert_eq!(keys, ["A", "E"]);
    }

    #[test]
    fn only_a_quote_nothing_closes_is_unterminated() {
        let unterminated = |text: &str| -> Vec<bool> {
            parse_interpolated(text)
                .errors
                .into_iter()
                .map(|error| error.unterminated)
                .collect()
        };
        assert_eq!(unterminated("A='open\nB=1\n"), [true]);
        assert_eq!(unterminated("A=\"open\nB=1\n"), [true]);
        assert_eq!(unterminated("'key=x\n"), [true]);
        assert_eq!(unterminated("A=\"open\nB=\"x\"\n"), [false]);
        assert_eq!(unterminated("a: b\n"), [false]);
    }

    #[test]
    fn an_unclosed_quote_no_later_quote_closes_loses_only_its_line() {
        let text = "A='open\nB=1\nC=\"x\"\n";
        let parsed = parse_interpolated(text);
        assert_eq!(
            errors(text),
            vec![("A='open", "unclosed single quote".to_owned(), None)]
        );
        let keys: Vec<&str> = parsed
            .entries
            .iter()
            .map(|entry| entry.key.as_str())
            .collect();
        assert_eq!(keys, ["B", "C"]);
    }

    #[test]
    fn a_quote_closed_on_a_later_line_with_nothing_after_is_a_multiline_value() {
        let text = "A=\"open\nB=1\"\nC=2";
        let parsed = parse_interpolated(text);
        assert!(parsed.errors.is_empty());
        assert_eq!(parsed.entries[0].value.as_deref(), Some("open\nB=1"));
        assert_eq!(
            parsed.entries[0].value_span.clone().map(|span| &text[span]),
            Some("\"open\nB=1\"")
        );
        assert_eq!(parsed.entries[1].key, "C");
    }

    #[test]
    fn a_multiline_quoted_key_followed_by_text_is_skipped_whole() {
        assert_eq!(
            errors("'a\nb'c=1\nD=2"),
            vec![(
                "'a\nb'c=1",
                "text after key where `=` was expected".to_owned(),
                Some((2, 2))
            )]
        );
    }

    fn options_with(environment: &[(&str, &str)]) -> DotenvOptions {
        DotenvOptions {
            interpolate: true,
            environment: environment
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
        }
    }

    #[test]
    fn interpolation_prefers_earlier_keys_then_the_environment() {
        let text = "HOST=file\nURL=${HOST}:${PORT}/${DB:-app}${NONE}\nBARE=$HOST\n";
        let parsed = parse(text, &options_with(&[("HOST", "env"), ("PORT", "5432")]));
        assert_eq!(parsed.entries[1].value.as_deref(), Some("file:5432/app"));
        assert_eq!(
            parsed.entries[1].raw_value.as_deref(),
            Some("${HOST}:${PORT}/${DB:-app}${NONE}")
        );
        assert_eq!(parsed.entries[2].value.as_deref(), Some("$HOST"));
        let unresolved: Vec<(&str, &str, &str, Option<&str>)> = parsed
            .unresolved
            .iter()
            .map(|reference| {
                (
                    reference.name.as_str(),
                    reference.key.as_str(),
                    &text[reference.span.clone()],
                    reference.default.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            unresolved,
            [
                ("DB", "URL", "${DB:-app}", Some("app")),
                ("NONE", "URL", "${NONE}", None)
            ]
        );
    }

    #[test]
    fn substitutions_say_what_each_reference_put_where() {
        let text = "S=abc\nE=\nA=x-${S}-${E}-${MISSING:-dflt}-${S}\n";
        let parsed = parse(text, &options_with(&[("ENVVAR", "v")]));
        let a = &parsed.entries[2];
        let value = a.value.as_deref().expect("a value");
        assert_eq!(value, "x-abc--dflt-abc");
        let substituted: Vec<(&str, &str)> = a
            .substitutions
            .iter()
            .map(|s| (s.name.as_str(), &value[s.range.clone()]))
            .collect();
        // `${E}` put nothing there, and is left out.
        assert_eq!(
            substituted,
            [("S", "abc"), ("MISSING", "dflt"), ("S", "abc")]
        );
        let parsed = parse("A=${ENVVAR}\n", &options_with(&[("ENVVAR", "v")]));
        assert_eq!(parsed.entries[0].substitutions[0].range, 0..1);
        assert!(
            parse("A=${S}", &DotenvOptions::default()).entries[0]
                .substitutions
                .is_empty()
        );
    }

    #[test]
    fn unresolved_spans_map_through_escapes_and_line_breaks() {
        let text = "\u{feff}A=\"\\t\\\"x\r\n\r${MISSING:-d}\\n${B}\"\r\nS='\\'${C}'";
        let parsed = parse_interpolated(text);
        let spans: Vec<&str> = parsed
            .unresolved
            .iter()
            .map(|reference| &text[reference.span.clone()])
            .collect();
        assert_eq!(spans, ["${MISSING:-d}", "${B}", "${C}"]);
        assert_eq!(parsed.entries[0].value.as_deref(), Some("\t\"x\n\nd\n"));
    }

    #[test]
    fn a_name_declared_without_value_expands_to_empty_ignoring_the_default() {
        let parsed = parse("N\nA=${N:-d}", &options_with(&[("N", "from environment")]));
        assert_eq!(parsed.entries[1].value.as_deref(), Some(""));
        assert_eq!(parsed.unresolved.len(), 1);
        assert_eq!(parsed.unresolved[0].default, None);
    }

    #[test]
    fn references_follow_python_dotenv_s_pattern() {
        let found: Vec<(&str, Option<&str>)> = references("${A:x} ${A${B}} ${C:-a:b}${D:-} ${E")
            .into_iter()
            .map(|reference| (reference.name, reference.default))
            .collect();
        assert_eq!(found, [("A${B", None), ("C", Some("a:b")), ("D", Some(""))]);
    }

    #[test]
    fn without_interpolation_values_stay_raw_and_nothing_is_unresolved() {
        let parsed = parse("A=${MISSING}", &DotenvOptions::default());
        assert_eq!(parsed.entries[0].value.as_deref(), Some("${MISSING}"));
        assert!(parsed.unresolved.is_empty());
    }

    #[test]
    fn runaway_expansion_stops_with_a_notice() {
        // Each line doubles `A`: 1 KiB * 2^20 would be 1 GiB.
        let mut text = format!("A={}\n", "x".repeat(1024));
        text.push_str(&"A=${A}${A}\n".repeat(20));
        text.push_str("B=${A}\n");
        let parsed = parse_interpolated(&text);
        assert_eq!(parsed.notices.len(), 1);
        assert_eq!(
            parsed.notices[0].rule,
            crate::rules::RuleId::InterpolationTooLarge
        );
        let stopped_at = parsed
            .entries
            .iter()
            .position(|entry| entry.statement_span == parsed.notices[0].span)
            .expect("the notice points at an entry");
        assert!(
            stopped_at > 10,
            "expansion stopped early, at entry {stopped_at}"
        );
        assert!(parsed.entries[stopped_at - 1].value.as_ref().unwrap().len() > 1 << 20);
        for entry in &parsed.entries[stopped_at..] {
            assert_eq!(entry.value, entry.raw_value);
        }
    }

    #[test]
    fn pathological_inputs_parse_in_linear_time() {
        const LINES: usize = 200_000;
        // A double quote never closed, then many lines without quotes.
        let mut text = String::from("A=\"never closed\n");
        for index in 0..LINES {
            text.push_str(&format!("KEY_{index}=value # comment\n"));
        }
        let parsed = parse_interpolated(&text);
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.entries.len(), LINES);

        // Every other line opens a quote that the next line closes, followed by text.
        let mut text = String::new();
        for index in 0..LINES / 2 {
            text.push_str(&format!(
                "OPEN_{index}=\"unclosed\r\nNEXT_{index}=\"x\"\r\n"
            ));
        }
        let parsed = parse_interpolated(&text);
        assert!(parsed.entries.is_empty());
        assert_eq!(parsed.errors.len(), LINES / 2);
        assert_eq!(
            parsed.errors.last().and_then(|error| error.swallowed_lines),
            Some((LINES, LINES))
        );

        // Unclosed quotes of both kinds, and `${` or spaces with nothing to end them.
        let mut text = String::from("D=\"x\nS='y\n");
        text.push_str("V=");
        text.push_str(&"${A:".repeat(LINES));
        text.push_str("\nW=x");
        text.push_str(&" ".repeat(LINES));
        text.push_str("y\n");
        let parsed = parse_interpolated(&text);
        assert_eq!(parsed.errors.len(), 2);
        assert_eq!(parsed.entries.len(), 2);
        assert!(parsed.unresolved.is_empty());
    }
}
