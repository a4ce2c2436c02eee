//! Inputs: the texts the user gave (files, stdin, the files a directory stands for:
//! [`discover`]) and what each says.
//!
//! Every reader turns a text into [`Parsed`]: the assignments it makes ([`Entry`]) with byte spans
//! into the original text, the statements it had to skip ([`SyntaxError`]), and references it
//! could not resolve. Spans always index the text exactly as it was read (before any `\r\n`
//! normalisation or BOM removal), so a diagnostic can underline the bytes the user wrote.

pub mod discover;
pub mod dotenv;
pub mod load;
pub mod railway;
pub mod read;

use std::ops::Range;

/// A byte range into a [`SourceFile`]'s text.
pub type Span = Range<usize>;

/// Index of a [`SourceFile`] in a [`Sources`] set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceId(pub usize);

/// One input text, as given by the user.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name as the user gave it: a path, or `-` for stdin.
    pub name: String,
    /// The text exactly as read. It may hold secrets: render [`SourceFile::redacted`] instead.
    pub text: String,
    /// The text with every secret byte replaced by `*` (same length, so spans hold).
    pub redacted: String,
    line_starts: Vec<usize>,
    /// The characters before every [`CHAR_BLOCK`]-th byte, so that a column costs at most a
    /// block's worth of counting however long its line is (a minified line with thousands of
    /// findings made the count from the line's start quadratic).
    chars_before_block: Vec<usize>,
}

/// How many bytes apart [`SourceFile`] keeps its character counts.
const CHAR_BLOCK: usize = 256;

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = line_starts(&text);
        let mut chars_before_block = Vec::with_capacity(text.len() / CHAR_BLOCK + 1);
        let mut chars = 0;
        for block in text.as_bytes().chunks(CHAR_BLOCK) {
            chars_before_block.push(chars);
            chars += count_chars(block);
        }
        chars_before_block.push(chars);
        Self {
            name: name.into(),
            redacted: text.clone(),
            text,
            line_starts,
            chars_before_block,
        }
    }

    /// 1-based line and column (in characters) of a byte offset, as [`line_col`] counts them.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        // The same count as `line_col`, through the line starts and character counts found once
        // at construction: reports ask for the position of every finding, which must not rescan
        // the file, nor a long line once per finding on it.
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        position(
            &self.text,
            line,
            self.line_starts[line],
            offset,
            |start, end| self.chars_before(end) - self.chars_before(start),
        )
    }

    /// The 0-based line of a byte offset.
    fn line_index(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    /// The characters before a byte offset on a character boundary.
    fn chars_before(&self, offset: usize) -> usize {
        let block = offset / CHAR_BLOCK;
        self.chars_before_block[block]
            + count_chars(&self.text.as_bytes()[block * CHAR_BLOCK..offset])
    }

    /// Can a snippet show `span`: does every line it touches stay within [`MAX_SNIPPET_LINE`]
    /// bytes? As [`snippet_fits`], through the line starts: a long line with many findings is
    /// not rescanned for each.
    pub fn snippet_fits(&self, span: &Span) -> bool {
        lines_fit(&self.text, &self.line_starts, span)
    }

    /// The bytes of 0-based lines `first..=last` (clamped to the text), line breaks included.
    pub fn lines_span(&self, first: usize, last: usize) -> Span {
        let first = first.min(self.line_starts.len() - 1);
        let start = self.line_starts[first];
        let end = self
            .line_starts
            .get(last + 1)
            .copied()
            .unwrap_or(self.text.len());
        start..end.max(start)
    }

    /// 1-based line number of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_index(offset) + 1
    }

    /// Replace the bytes of `span` with `*` in [`SourceFile::redacted`].
    pub fn redact(&mut self, span: Span) {
        self.redact_all([span]);
    }

    /// Replace the bytes of every span with `*` in [`SourceFile::redacted`], in one pass over
    /// the text however many spans there are. Line breaks stay, so lines and spans hold.
    pub fn redact_all(&mut self, spans: impl IntoIterator<Item = Span>) {
        let mut bytes = std::mem::take(&mut self.redacted).into_bytes();
        for span in spans {
            // Whole characters only, so the text stays UTF-8 and keeps its length.
            let mut end = span.end.min(bytes.len());
            while !self.text.is_char_boundary(end) {
                end += 1;
            }
            let start = floor_char_boundary(&self.text, span.start.min(end));
            for byte in &mut bytes[start..end] {
                if *byte != b'\n' && *byte != b'\r' {
                    *byte = b'*';
                }
            }
        }
        // Cannot fail (whole characters became `*`); lossy conversion keeps it panic-free anyway.
        self.redacted = String::from_utf8(bytes)
            .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`: the one way positions are
/// counted, for inputs, rule files and the tool's own errors alike.
///
/// A lone `\r` counts as a line break, as it does for python-dotenv; `\r\n` is one break.
/// A leading BOM takes no column, as editors do not show it.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let (line, line_start) = line_breaks(text)
        .take_while(|&start| start <= offset)
        .enumerate()
        .last()
        .map_or((0, 0), |(index, start)| (index + 1, start));
    position(text, line, line_start, offset, |start, end| {
        text[start..end].chars().count()
    })
}

/// The longest line a snippet is drawn for. miette's graphical renderer panics on a label
/// past column 65,535 (a `u16`), and a snippet of a longer line is unreadable anyway: a finding
/// there is reported with its location line and message, without the snippet.
pub const MAX_SNIPPET_LINE: usize = 4096;

/// Can a snippet show `span` of `text`: does every line it touches stay within
/// [`MAX_SNIPPET_LINE`] bytes? (For a text read once, as an error's; an input's
/// [`SourceFile::snippet_fits`] keeps its line starts.)
pub fn snippet_fits(text: &str, span: &Span) -> bool {
    lines_fit(text, &line_starts(text), span)
}

/// Does every line of `text` (starting at `line_starts`) that `span` touches stay within
/// [`MAX_SNIPPET_LINE`] bytes, its line break not counted?
fn lines_fit(text: &str, line_starts: &[usize], span: &Span) -> bool {
    let line_of = |offset: usize| {
        let offset = offset.min(text.len());
        line_starts.partition_point(|&start| start <= offset) - 1
    };
    let first = line_of(span.start);
    let last = line_of(span.end.max(span.start));
    (first..=last).all(|line| {
        let start = line_starts[line];
        let end = line_starts.get(line + 1).copied().unwrap_or(text.len());
        // The line's own break, `\n`, `\r` or `\r\n`, is its last byte or two.
        let content = text.as_bytes()[start..end]
            .strip_suffix(b"\n")
            .unwrap_or(&text.as_bytes()[start..end]);
        content.strip_suffix(b"\r").unwrap_or(content).len() <= MAX_SNIPPET_LINE
    })
}

/// The 1-based position of `offset`, on the 0-based `line` that starts at byte `line_start`;
/// `chars(start, end)` counts the characters between two offsets on character boundaries.
fn position(
    text: &str,
    line: usize,
    line_start: usize,
    offset: usize,
    chars: impl Fn(usize, usize) -> usize,
) -> (usize, usize) {
    // An offset inside a character counts as that character (and one inside the BOM, as the BOM).
    let offset = floor_char_boundary(text, offset);
    let mut start = line_start;
    if line == 0 && text.starts_with('\u{feff}') {
        start = '\u{feff}'.len_utf8().min(offset);
    }
    (line + 1, chars(start, offset) + 1)
}

/// The characters UTF-8 `bytes` hold (those not continuing a character), whole or cut anywhere.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&byte| (byte as i8) >= -0x40).count()
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Where each line but the first starts: after a `\n`, and after a `\r` not followed by `\n`.
fn line_breaks(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    (0..bytes.len()).filter_map(move |index| match bytes[index] {
        b'\n' => Some(index + 1),
        b'\r' if bytes.get(index + 1) != Some(&b'\n') => Some(index + 1),
        _ => None,
    })
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(line_breaks(text)).collect()
}

/// All sources of one run, addressed by [`SourceId`].
#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, file: SourceFile) -> SourceId {
        self.files.push(file);
        SourceId(self.files.len() - 1)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn get(&self, id: SourceId) -> &SourceFile {
        &self.files[id.0]
    }

    pub fn get_mut(&mut self, id: SourceId) -> &mut SourceFile {
        &mut self.files[id.0]
    }

    pub fn iter(&self) -> impl Iterator<Item = (SourceId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(index, file)| (SourceId(index), file))
    }

    /// Add every file of `other`, in order: the file `other` numbers `n` is numbered `n` plus
    /// the files this set held.
    pub fn extend(&mut self, other: Sources) {
        self.files.extend(other.files);
    }
}

impl IntoIterator for Sources {
    type Item = SourceFile;
    type IntoIter = std::vec::IntoIter<SourceFile>;

    fn into_iter(self) -> Self::IntoIter {
        self.files.into_iter()
    }
}

/// The format of an input text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Dotenv,
    RailwayJson,
    RailwayKv,
    RailwayTable,
}

/// One assignment found in a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The key as written (after `export ` and quotes are removed).
    pub key: String,
    /// The value the application sees; `None` for a key written without `=`.
    pub value: Option<String>,
    /// The value before `${VAR}` interpolation (equal to `value` where none applies).
    pub raw_value: Option<String>,
    /// Bytes of the key as written (inside quotes, for a quoted key).
    pub key_span: Span,
    /// Bytes of the value as written, quotes included; `None` when there is no `=`.
    pub value_span: Option<Span>,
    /// The whole statement, from its first byte (after leading whitespace) to the end of its
    /// value or comment, excluding the line break.
    pub statement_span: Span,
    /// Each `${NAME}` python-dotenv expanded in `value`, with the bytes it put there (the
    /// name's value, or the default); substitutions of nothing are left out.
    pub substitutions: Vec<Substitution>,
    /// The bytes of `value` that hold a secret's value copied in by `${NAME}`, directly or
    /// through another variable. Filled by `secret::redact_source`, which knows which names are
    /// secret; empty until then.
    pub secret_ranges: Vec<Span>,
}

/// A `${NAME}` reference python-dotenv expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substitution {
    /// The name referred to.
    pub name: String,
    /// The bytes of the entry's `value` the expansion produced.
    pub range: Span,
}

/// A statement that the reader (like python-dotenv) skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The bytes that were skipped (the statement python-dotenv gave up on).
    pub span: Span,
    /// What is wrong, in a few words: `unclosed double quote`, `text after closing quote`...
    pub message: String,
    /// For an unclosed quote that a later quote closed: the 1-based first and last line that the
    /// quoted value swallowed (python-dotenv reads them as part of the value).
    ///
    /// These are the lines after the statement's own first line (the line of `span.start`) down
    /// to the line of the later quote, all skipped with the statement. `None` when the skipped
    /// statement is one line, as for a quote that nothing closes (only its line is lost).
    pub swallowed_lines: Option<(usize, usize)>,
    /// No later quote closed the quote this statement opened (a value's or a key's): python-dotenv
    /// read the lines after it as statements of their own, though they were meant as part of the
    /// quoted text (a PEM body becomes keys). `secret::redact_source` masks them.
    pub unterminated: bool,
}

/// A `${NAME}` reference to a name defined neither earlier in the file nor (when asked) in the
/// process environment. python-dotenv replaces it with its default or the empty string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnresolvedReference {
    /// The name referred to.
    pub name: String,
    /// The key whose value holds the reference.
    pub key: String,
    /// The bytes of `${...}` in the source text.
    pub span: Span,
    /// The default written as `${NAME:-default}`, which python-dotenv substituted instead;
    /// `None` when the empty string was substituted.
    pub default: Option<String>,
}

/// Something a reader wants the user to know about the input as a whole (e.g. a lossy format).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The rule id the notice reports under, e.g. `railway-table-lossy`.
    pub rule: crate::rules::RuleId,
    pub message: String,
    pub span: Span,
}

/// What a reader made of one text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    pub errors: Vec<SyntaxError>,
    pub unresolved: Vec<UnresolvedReference>,
    pub notices: Vec<Notice>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_crlf_once_and_a_lone_cr_as_a_break() {
        let file = SourceFile::new("t", "A\r\nBc\rC\nD");
        let positions: Vec<(usize, usize)> = (0..=file.text.len())
            .map(|offset| file.line_col(offset))
            .collect();
        assert_eq!(
            positions,
            [
                (1, 1), // A
                (1, 2), // \r
                (1, 3), // \n
                (2, 1), // B
                (2, 2), // c
                (2, 3), // \r
                (3, 1), // C
                (3, 2), // \n
                (4, 1), // D
                (4, 2), // end
            ]
        );
    }

    #[test]
    fn the_free_line_col_counts_as_the_source_file_does() {
        // `line_col` serves texts that are not inputs (rule files, Railway errors); it once had a
        // copy of its own that took a lone `\r` for part of the line and gave the BOM a column.
        // The long line crosses the source file's counting blocks, some inside a character.
        let long = format!(
            "\u{feff}K={}\nB={}\r\n",
            "é☕a".repeat(300),
            "x".repeat(700)
        );
        for text in [
            "A\r\nBc\rC\nD",
            "\u{feff}A=é1\nB",
            "\r\r\n\n",
            "",
            "é\r",
            &long,
        ] {
            let file = SourceFile::new("t", text);
            for offset in 0..=text.len() + 1 {
                assert_eq!(
                    line_col(text, offset),
                    file.line_col(offset),
                    "{text:?} at {offset}"
                );
            }
        }
        // Rule-file errors reach it through `crate::error`.
        assert_eq!(crate::error::line_col("A\rB", 2), (2, 1));
        assert_eq!(crate::error::line_col("\u{feff}AB", 4), (1, 2));
    }

    #[test]
    fn snippets_fit_lines_up_to_the_limit_whatever_their_break() {
        let at_limit = "x".repeat(MAX_SNIPPET_LINE);
        let over = "x".repeat(MAX_SNIPPET_LINE + 1);
        for text in [
            format!("A=1\n{at_limit}\r\nB=2\r{over}"),
            format!("{over}\n{at_limit}\r"),
        ] {
            let file = SourceFile::new("t", text.as_str());
            for start in [0, 2, 4, 5, MAX_SNIPPET_LINE + 5, text.len() - 1, text.len()] {
                for end in [start, start + 1, text.len()] {
                    let span = start..end;
                    assert_eq!(
                        file.snippet_fits(&span),
                        snippet_fits(&text, &span),
                        "{span:?}"
                    );
                }
            }
        }
        let file = SourceFile::new("t", format!("A=1\n{at_limit}\r\nB=2\r{over}"));
        assert!(file.snippet_fits(&(0..3)));
        assert!(file.snippet_fits(&(4..5)));
        assert!(!file.snippet_fits(&(4..file.text.len())));
        assert!(!file.snippet_fits(&(file.text.len() - 1..file.text.len())));
    }

    #[test]
    fn line_col_gives_no_column_to_a_bom() {
        let file = SourceFile::new("t", "\u{feff}A=é1\nB");
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(3), (1, 1));
        assert_eq!(file.line_col(5), (1, 3));
        assert_eq!(file.line_col(7), (1, 4));
        assert_eq!(file.line_col(9), (2, 1));
    }
}
