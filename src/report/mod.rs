//! Reporters: one module per output format. Each turns findings (already redacted) into text.
//! Nothing else in the crate prints.
//!
//! This module also owns what every format needs alike: where a finding sits in line/column
//! terms ([`location`]), how a source is named in human-readable output ([`display_name`]), and
//! which characters text meant for a terminal or a GitHub annotation must not carry as they are
//! ([`is_hidden_control`], [`escape_controls`]).

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use std::borrow::Cow;

use crate::finding::Finding;
use crate::rules::RuleDoc;
use crate::source::{SourceFile, SourceId, Sources, Span};

/// Everything a reporter may need.
pub struct Report<'a> {
    /// The sources; reporters show `SourceFile::redacted`, never `text`.
    pub sources: &'a Sources,
    /// Findings in report order. Their messages never quote a secret: values are masked as
    /// messages are built.
    pub findings: &'a [Finding],
    /// Each configuration judged, in the order given, with its profile.
    pub inputs: &'a [ReportInput],
    /// Documentation of every rule that may appear in `findings`.
    pub rules: &'a [RuleDoc],
}

/// One configuration judged: several paths are judged one by one, each under its own profile
/// (`.env` as production, `.env.staging` as staging).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInput {
    /// The configuration's name: its first input as given.
    pub file: String,
    /// The profile it was judged under.
    pub profile: String,
    /// The sources it was read from (its layers and its `.env.example`).
    pub sources: Vec<SourceId>,
}

impl Report<'_> {
    /// The documentation of a rule by id.
    pub fn rule(&self, id: &str) -> Option<&RuleDoc> {
        self.rules.iter().find(|rule| rule.id == id)
    }

    /// The profile every input was judged under; `None` when they differ (or there are none).
    pub fn profile(&self) -> Option<&str> {
        let first = &self.inputs.first()?.profile;
        self.inputs
            .iter()
            .all(|input| &input.profile == first)
            .then_some(first.as_str())
    }

    /// The input a source belongs to, if it belongs to one (the configuration file does not).
    pub fn input_of(&self, source: SourceId) -> Option<&ReportInput> {
        self.inputs
            .iter()
            .find(|input| input.sources.contains(&source))
    }
}

/// A rule's documentation text read without a finding (`explain`, `rules`, SARIF's rule
/// metadata): the placeholders the engine fills for each finding, said in words, so that no
/// `{key}` reaches the user.
pub fn placeholders_in_words(text: &str) -> String {
    text.replace("`{key}`", "the variable")
        .replace("{key}", "the variable")
        .replace("`{value}`", "its value")
        .replace("{value}", "its value")
        .replace("{detail}", "the problem found")
        .replace("{suggestion}", "the suggested value")
}

/// Where a span sits, 1-based, with columns counted in characters (Unicode scalar values).
///
/// The end is the position of the span's end offset, i.e. just past its last character (an
/// exclusive end, as SARIF's `endColumn`). For an empty span the end equals the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// The line/column location of a finding's primary span.
pub fn location(report: &Report, finding: &Finding) -> Location {
    span_location(report.sources.get(finding.source), &finding.span)
}

/// The line/column location of any span in a file (used for labels too).
///
/// A reversed span (end before start) is treated as empty at its start, so a bad span can
/// never produce an end before the start.
pub fn span_location(file: &SourceFile, span: &Span) -> Location {
    let (line, column) = file.line_col(span.start);
    let (end_line, end_column) = if span.end <= span.start {
        (line, column)
    } else {
        file.line_col(span.end)
    };
    Location {
        line,
        column,
        end_line,
        end_column,
    }
}

/// The name of the source as shown to a person: the path as given, or `<stdin>` for `-`.
pub fn display_name(file: &SourceFile) -> &str {
    if is_stdin(file) {
        "<stdin>"
    } else {
        &file.name
    }
}

/// Is `c` a character that text for a terminal or a GitHub annotation must not carry as it is:
/// a C0 or C1 control character or DEL (escape sequences retitle the window, clear the screen
/// or hide text; a carriage return overwrites the line), or a bidirectional override, embedding
/// or isolate (which reorders the text shown around it, as in "Trojan Source"). Line feeds and
/// tabs are layout and stay.
pub fn is_hidden_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every [`is_hidden_control`] character written as Rust writes it in a string,
/// `\u{1b}` (lower-case hex, as [`char::escape_unicode`]): the one escaping every human-readable
/// output uses (README: "Output formats"). Backslashes are not escaped: this is for reading, not
/// for reading back.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden_control) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hidden_control(c) {
            escaped.extend(c.escape_unicode());
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// Whether the source was read from standard input (named `-` on the command line).
pub fn is_stdin(file: &SourceFile) -> bool {
    file.name == "-"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_columns_in_characters_and_ends_past_the_span() {
        // "é" and "☕" are multi-byte: columns must still count one per character.
        let file = SourceFile::new(".env", "A=1\nNAME=\"é☕ x\"\n");
        let start = file.text.find('x').unwrap_or_default();
        let location = span_location(&file, &(start..start + 1));
        assert_eq!(
            location,
            Location {
                line: 2,
                column: 10,
                end_line: 2,
                end_column: 11,
            }
        );
    }

    #[test]
    fn empty_span_ends_where_it_starts() {
        let file = SourceFile::new(".env", "A=1\n");
        let location = span_location(&file, &(0..0));
        assert_eq!((location.line, location.column), (1, 1));
        assert_eq!((location.end_line, location.end_column), (1, 1));
    }

    #[test]
    fn reversed_span_is_treated_as_empty() {
        let file = SourceFile::new(".env", "A=1\nB=2\n");
        let (start, end) = (5, 2);
        let location = span_location(&file, &(start..end));
        assert_eq!((location.end_line, location.end_column), (2, 2));
        assert_eq!((location.line, location.column), (2, 2));
    }

    #[test]
    fn span_over_a_line_break_ends_on_the_next_line() {
        let file = SourceFile::new(".env", "A=1\r\nB=2\n");
        let location = span_location(&file, &(0..5));
        assert_eq!((location.end_line, location.end_column), (2, 1));
    }

    #[test]
    fn placeholders_read_as_words() {
        assert_eq!(placeholders_in_words("set `{key}`"), "set the variable");
        assert_eq!(
            placeholders_in_words("{key} is {value}: {detail}; try {suggestion}"),
            "the variable is its value: the problem found; try the suggested value"
        );
    }

    #[test]
    fn control_characters_are_escaped_and_layout_stays() {
        assert_eq!(
            escape_controls("a\u{1b}]0;title\u{7}b\r\u{7f}\u{9b}\u{202e}c\n\td"),
            "a\\u{1b}]0;title\\u{7}b\\u{d}\\u{7f}\\u{9b}\\u{202e}c\n\td"
        );
        assert!(matches!(escape_controls("plain é ☕\n"), Cow::Borrowed(_)));
        for c in [
            '\u{0}', '\u{1f}', '\u{85}', '\u{61c}', '\u{200f}', '\u{2066}', '\u{2069}',
        ] {
            assert!(is_hidden_control(c), "{c:?}");
        }
        for c in ['\n', '\t', ' ', 'é', '\u{a0}', '\u{200d}', '\u{2070}'] {
            assert!(!is_hidden_control(c), "{c:?}");
        }
    }

    #[test]
    fn stdin_is_displayed_by_name() {
        assert_eq!(display_name(&SourceFile::new("-", "")), "<stdin>");
        assert_eq!(display_name(&SourceFile::new("a/.env", "")), "a/.env");
    }
}
