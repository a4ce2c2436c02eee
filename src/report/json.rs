//! `--format json`: deploycheck's own versioned schema (miette's JSON has byte offsets only and
//! no version). Version 1:
//! `{"version":1,"profile":..,"inputs":[{"file","profile"}],"findings":[{"rule","severity",
//! "message","help","file","key","line","column","end_line","end_column"}],
//! "summary":{"errors","warnings","infos"}}`.
//! Lines and columns are 1-based; columns count characters; `end_column` is exclusive.
//! `profile` is the profile every input was judged under, or `null` when they differ; `inputs`
//! (added within version 1) says which input was judged under which.
//!
//! Every JSON document deploycheck prints (this report, SARIF, `show`, `diff`, `schema`,
//! `rules`) goes through [`write_pretty`].

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

use super::{Report, is_hidden_control, location};
use crate::finding::{Severity, Summary};

/// The schema version; bumped on any incompatible change.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    profile: Option<&'a str>,
    inputs: Vec<JsonInput<'a>>,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonInput<'a> {
    file: &'a str,
    profile: &'a str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    file: &'a str,
    key: Option<&'a str>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let findings = report
        .findings
        .iter()
        .map(|finding| {
            let super::Location {
                line,
                column,
                end_line,
                end_column,
            } = location(report, finding);
            JsonFinding {
                rule: &finding.rule,
                severity: finding.severity,
                message: &finding.message,
                help: finding.help.as_deref(),
                file: &report.sources.get(finding.source).name,
                key: finding.key.as_deref(),
                line,
                column,
                end_line,
                end_column,
            }
        })
        .collect();
    let document = Document {
        version: VERSION,
        profile: report.profile(),
        inputs: report
            .inputs
            .iter()
            .map(|input| JsonInput {
                file: &input.file,
                profile: &input.profile,
            })
            .collect(),
        findings,
        summary: Summary::of(report.findings),
    };
    write_pretty(out, &document)
}

/// Write `value` as pretty-printed JSON and a newline.
///
/// serde_json escapes the C0 controls; the other characters a terminal acts on, which JSON
/// allows raw (DEL, C1 controls, bidirectional overrides: [`is_hidden_control`]), are escaped
/// here as `\uXXXX`. A JSON reader gets the same strings; a report printed to a terminal
/// carries nothing it acts on.
pub fn write_pretty(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut *out, ControlsEscaped(PrettyFormatter::new()));
    value.serialize(&mut serializer).map_err(io::Error::from)?;
    writeln!(out)
}

/// serde_json's pretty printer, escaping [`is_hidden_control`] characters in strings too.
struct ControlsEscaped<'a>(PrettyFormatter<'a>);

impl Formatter for ControlsEscaped<'_> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut written = 0;
        for (at, c) in fragment.char_indices() {
            if is_hidden_control(c) {
                writer.write_all(&fragment.as_bytes()[written..at])?;
                // All of them are in the Basic Multilingual Plane: one UTF-16 unit.
                write!(writer, "\\u{:04x}", u32::from(c))?;
                written = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[written..])
    }

    // The layout is the pretty printer's.
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn end_object_key<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_key(writer)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_what_a_terminal_acts_on_and_reads_back_the_same() {
        let text = "a\u{1b}[2J\u{7}\u{7f}\u{9b}\u{202e}é☕\n";
        let mut out = Vec::new();
        write_pretty(&mut out, &serde_json::json!({ "k\u{85}": [text] })).expect("write");
        let printed = String::from_utf8(out).expect("UTF-8");
        assert_eq!(
            printed,
            "{\n  \"k\\u0085\": [\n    \"a\\u001b[2J\\u0007\\u007f\\u009b\\u202eé☕\\n\"\n  ]\n}\n"
        );
        let read: serde_json::Value = serde_json::from_str(&printed).expect("JSON");
        assert_eq!(read["k\u{85}"][0], text);
    }
}
