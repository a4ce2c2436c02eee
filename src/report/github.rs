//! GitHub Actions output: one workflow command per finding, which GitHub turns into an annotation
//! on the file and line, plus a Markdown job summary of all findings.
//!
//! GitHub shows at most 10 annotations of each kind (error, warning, notice) per step, so the
//! caller should also append [`step_summary`] to the file named by `$GITHUB_STEP_SUMMARY`: it
//! lists every finding.
//!
//! Format: `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=deploycheck (rule-id)::message`
//! with `warning` for warnings and `notice` for infos. `endColumn` is exclusive, as in SARIF.
//! GitHub accepts `col`/`endColumn` only when the annotation starts and ends on the same line, so a
//! multi-line span gives `line` and `endLine` only. A finding in standard input has no file to
//! annotate: it gets no `file` property, and its message starts with `<stdin>:line:col: `.
//!
//! Every message and property is one line of the step's output, which the runner reads as a
//! workflow command: line breaks are percent-encoded as GitHub documents, and every other
//! control character and bidirectional override is escaped as the human format escapes it
//! ([`escape_controls`](super::escape_controls)), so a value cannot end the command, start
//! another, or reach the log's terminal emulation.

use std::io::{self, Write};

use super::{Report, display_name, is_hidden_control, is_stdin, location};
use crate::finding::{Finding, Severity, Summary};

/// Write one workflow command per finding, in report order.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for finding in report.findings {
        writeln!(out, "{}", command(report, finding))?;
    }
    Ok(())
}

/// The workflow command name for a severity.
pub fn command_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn command(report: &Report, finding: &Finding) -> String {
    let file = report.sources.get(finding.source);
    let location = location(report, finding);
    let mut properties: Vec<(&str, String)> = Vec::new();
    if !is_stdin(file) {
        properties.push(("file", file.name.clone()));
    }
    properties.push(("line", location.line.to_string()));
    let one_line = location.line == location.end_line;
    if one_line {
        properties.push(("col", location.column.to_string()));
    }
    properties.push(("endLine", location.end_line.to_string()));
    if one_line {
        properties.push(("endColumn", location.end_column.to_string()));
    }
    properties.push(("title", format!("deploycheck ({})", finding.rule)));

    let mut message = String::new();
    if is_stdin(file) {
        message.push_str(&format!(
            "{}:{}:{}: ",
            display_name(file),
            location.line,
            location.column
        ));
    }
    message.push_str(&finding.message);
    if let Some(help) = &finding.help {
        message.push('\n');
        message.push_str(help);
    }

    let properties = properties
        .iter()
        .map(|(name, value)| format!("{name}={}", escape_property(value)))
        .collect::<Vec<_>>()
        .join(",");
    format!(
        "::{} {}::{}",
        command_name(finding.severity),
        properties,
        escape_data(&message)
    )
}

/// Escape the message part of a workflow command (after `::`).
pub fn escape_data(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '%' => escaped.push_str("%25"),
            '\r' => escaped.push_str("%0D"),
            '\n' => escaped.push_str("%0A"),
            other if is_hidden_control(other) => escaped.extend(other.escape_unicode()),
            other => escaped.push(other),
        }
    }
    escaped
}

/// Escape a property value of a workflow command: as data, plus `:` and `,`, which end a value.
pub fn escape_property(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in escape_data(text).chars() {
        match character {
            ':' => escaped.push_str("%3A"),
            ',' => escaped.push_str("%2C"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// A Markdown summary of every finding, for `$GITHUB_STEP_SUMMARY`: a heading with the counts,
/// the profile, then one table row per finding in report order.
pub fn step_summary(report: &Report) -> String {
    let summary = Summary::of(report.findings);
    let mut markdown = String::from("## deploycheck\n\n");
    let profiles = match report.profile() {
        Some(profile) => format!(" (profile `{}`)", code_span_text(profile)),
        None if report.inputs.is_empty() => String::new(),
        None => {
            let each: Vec<String> = report
                .inputs
                .iter()
                .map(|input| {
                    format!(
                        "`{}` for {}",
                        code_span_text(&input.profile),
                        table_cell(&input.file)
                    )
                })
                .collect();
            format!(" (profiles {})", each.join(", "))
        }
    };
    if report.findings.is_empty() {
        markdown.push_str(&format!("No problems found{profiles}.\n"));
        return markdown;
    }
    markdown.push_str(&format!(
        "{}, {}, {}{profiles}.\n\n",
        count(summary.errors, "error", "errors"),
        count(summary.warnings, "warning", "warnings"),
        count(summary.infos, "info", "infos"),
    ));
    markdown.push_str("| Severity | Location | Rule | Message |\n");
    markdown.push_str("| --- | --- | --- | --- |\n");
    for finding in report.findings {
        let file = report.sources.get(finding.source);
        let location = location(report, finding);
        let place = format!(
            "{}:{}:{}",
            display_name(file),
            location.line,
            location.column
        );
        let mut message = finding.message.clone();
        if let Some(help) = &finding.help {
            message.push('\n');
            message.push_str(help);
        }
        markdown.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            finding.severity,
            table_cell(&place),
            table_cell(&finding.rule),
            table_cell(&message)
        ));
    }
    markdown
}

fn count(number: usize, singular: &str, plural: &str) -> String {
    format!("{number} {}", if number == 1 { singular } else { plural })
}

/// Text safe inside one Markdown table cell: HTML-significant characters become entities (GitHub
/// would otherwise read them as tags), `|` is escaped so it does not end the cell, line
/// breaks become `<br>` because a raw one would end the row, and other control characters are
/// escaped as everywhere else.
pub fn table_cell(text: &str) -> String {
    let mut cell = String::with_capacity(text.len());
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '&' => cell.push_str("&amp;"),
            '<' => cell.push_str("&lt;"),
            '>' => cell.push_str("&gt;"),
            '|' => cell.push_str("\\|"),
            '\r' => {
                if characters.peek() == Some(&'\n') {
                    characters.next();
                }
                cell.push_str("<br>");
            }
            '\n' => cell.push_str("<br>"),
            other if is_hidden_control(other) => cell.extend(other.escape_unicode()),
            other => cell.push(other),
        }
    }
    cell
}

/// The profile name inside an inline code span: backticks and line breaks would break the span
/// (other control characters are escaped as everywhere else).
fn code_span_text(text: &str) -> String {
    let mut span = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '`' | '\r' | '\n' => span.push('\''),
            other if is_hidden_control(other) => span.extend(other.escape_unicode()),
            other => span.push(other),
        }
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_and_line_breaks_only() {
        assert_eq!(
            escape_data("50% done\r\nnext: a,b"),
            "50%25 done%0D%0Anext: a,b"
        );
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(
            escape_property("C:\\dir,1/50%.env\n"),
            "C%3A\\dir%2C1/50%25.env%0A"
        );
    }

    #[test]
    fn control_characters_cannot_reach_the_runner() {
        assert_eq!(
            escape_data("a\u{1b}[2J\u{7}\u{202e}b\u{85}c"),
            "a\\u{1b}[2J\\u{7}\\u{202e}b\\u{85}c"
        );
        assert_eq!(escape_property("K\u{1b}]0;x\u{7}"), "K\\u{1b}]0;x\\u{7}");
        assert_eq!(table_cell("a\u{1b}|b"), "a\\u{1b}\\|b");
    }

    #[test]
    fn percent_is_escaped_before_anything_else() {
        // Escaping `%` last would turn `%0A` into `%250A`.
        assert_eq!(escape_property("%:"), "%25%3A");
        assert_eq!(escape_data("%\n"), "%25%0A");
    }

    #[test]
    fn table_cells_escape_pipes_html_and_line_breaks() {
        assert_eq!(
            table_cell("a | b <script>&\r\nc\rd\ne"),
            "a \\| b &lt;script&gt;&amp;<br>c<br>d<br>e"
        );
    }

    #[test]
    fn command_names_follow_severity() {
        assert_eq!(command_name(Severity::Error), "error");
        assert_eq!(command_name(Severity::Warning), "warning");
        assert_eq!(command_name(Severity::Info), "notice");
    }
}
