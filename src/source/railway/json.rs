//! The `railway variables --json` reader: a hand-written scanner for one flat object of strings.
//!
//! serde_json does not give the byte spans a diagnostic needs (where a key and its value were
//! written), so the object is scanned by hand. The format is small: one object whose values are
//! all strings, which is all the CLI prints. The scanner is linear in the text and never
//! recursive, and every error points at the byte where reading stopped.

use super::RailwayError;
use crate::source::line_col;
use crate::source::{Entry, Parsed, Span};

/// A hand-written scanner for one flat object of strings: serde_json does not give the byte
/// spans a diagnostic needs. Linear in the text, never recursive.
pub(super) struct JsonReader<'text> {
    text: &'text str,
    bytes: &'text [u8],
    position: usize,
}

impl<'text> JsonReader<'text> {
    pub(super) fn new(text: &'text str) -> Self {
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

    pub(super) fn read_object(mut self) -> Result<Parsed, RailwayError> {
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
                    return Err(RailwayError::NotAString {
                        key,
                        kind,
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
                substitutions: Vec::new(),
                secret_ranges: Vec::new(),
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
        RailwayError::InvalidJson {
            reason: reason.to_owned(),
            span: start..end,
        }
    }

    fn end_of_input_error(&self) -> RailwayError {
        self.syntax_error("the text ends before the JSON object is closed (truncated?)")
    }
}
