//! JUnit XML output, for CI systems that display test reports (GitLab, Jenkins, Azure...).
//!
//! Shape: `<testsuites>` holds one `<testsuite>` per source (named as given, `<stdin>` for
//! standard input), in the order the sources were given, including sources without findings
//! (an empty suite says "checked, nothing found"). A suite of an input judged under a profile
//! says which in `<properties><property name="profile" value="..."/></properties>`. A suite holds one
//! `<testcase classname="deploycheck.FILE" name="RULE-ID">` per rule that fired in that file,
//! sorted by rule id, and that test case holds one `<failure>` per finding:
//! `type` is the rule id, `message` the finding's message, and the body reads
//! `FILE:LINE:COL: SEVERITY: MESSAGE`, then the help on the next line.
//!
//! Rules that did not fire are not listed as passing test cases: the report says what is wrong,
//! not which of the rules were run. So every listed test case fails, and `failures` (the number
//! of failed test cases, as JUnit defines it) always equals `tests`.
//!
//! No timestamps or durations: the same input gives the same bytes.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{Report, display_name, is_hidden_control, location};
use crate::finding::Finding;
use crate::source::SourceId;

/// Write the report as a JUnit XML document.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // source → rule id → findings, in report order within a rule.
    let mut by_source: BTreeMap<SourceId, BTreeMap<&str, Vec<&Finding>>> = BTreeMap::new();
    for finding in report.findings {
        by_source
            .entry(finding.source)
            .or_default()
            .entry(&finding.rule)
            .or_default()
            .push(finding);
    }
    let total_cases: usize = by_source.values().map(BTreeMap::len).sum();

    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="deploycheck" tests="{total_cases}" failures="{total_cases}">"#
    )?;
    for (id, file) in report.sources.iter() {
        let name = display_name(file);
        let empty = BTreeMap::new();
        let cases = by_source.get(&id).unwrap_or(&empty);
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{}">"#,
            escape(name),
            cases.len(),
            cases.len()
        )?;
        if let Some(input) = report.input_of(id) {
            writeln!(out, "    <properties>")?;
            writeln!(
                out,
                r#"      <property name="profile" value="{}"/>"#,
                escape(&input.profile)
            )?;
            writeln!(out, "    </properties>")?;
        }
        for (rule, findings) in cases {
            writeln!(
                out,
                r#"    <testcase classname="deploycheck.{}" name="{}">"#,
                escape(name),
                escape(rule)
            )?;
            for finding in findings {
                let location = location(report, finding);
                let mut body = format!(
                    "{name}:{}:{}: {}: {}",
                    location.line, location.column, finding.severity, finding.message
                );
                if let Some(help) = &finding.help {
                    body.push('\n');
                    body.push_str(help);
                }
                writeln!(
                    out,
                    r#"      <failure type="{}" message="{}">{}</failure>"#,
                    escape(rule),
                    escape(&finding.message),
                    escape(&body)
                )?;
            }
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// Escape text for XML 1.0 element content and attribute values alike.
///
/// The five markup characters become entities; tab, line feed and carriage return become
/// character references so attribute-value normalisation cannot turn them into spaces (and a
/// `\r` survives line-ending normalisation). Characters XML 1.0 forbids outright (other C0
/// controls, U+FFFE, U+FFFF) cannot be written even as references: they become U+FFFD. DEL, C1
/// controls and bidirectional overrides are written as character references.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' => escaped.push_str("&#9;"),
            '\n' => escaped.push_str("&#10;"),
            '\r' => escaped.push_str("&#13;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => escaped.push('\u{fffd}'),
            // Allowed in XML 1.0 but acted on by a terminal the report is printed to: as
            // references, which an XML reader reads back as the characters.
            other if is_hidden_control(other) => {
                escaped.push_str(&format!("&#x{:x};", u32::from(other)));
            }
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_become_entities() {
        assert_eq!(
            escape(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
    }

    #[test]
    fn whitespace_controls_become_references() {
        assert_eq!(escape("a\tb\nc\r\n"), "a&#9;b&#10;c&#13;&#10;");
    }

    #[test]
    fn characters_forbidden_in_xml_are_replaced() {
        assert_eq!(
            escape("a\u{0}b\u{1b}[31mc\u{b}\u{c}\u{fffe}\u{ffff}é"),
            "a\u{fffd}b\u{fffd}[31mc\u{fffd}\u{fffd}\u{fffd}\u{fffd}é"
        );
    }

    #[test]
    fn characters_a_terminal_acts_on_become_references() {
        assert_eq!(escape("a\u{7f}\u{9b}\u{202e}b"), "a&#x7f;&#x9b;&#x202e;b");
    }

    #[test]
    fn escaped_text_round_trips_through_an_xml_parser() {
        let original = "x <&\"'> \t\n\r y ☕ \u{7f}\u{9b}\u{202e}";
        let document = format!(r#"<r a="{0}">{0}</r>"#, escape(original));
        let parsed = roxmltree::Document::parse(&document).expect("well-formed");
        let root = parsed.root_element();
        assert_eq!(root.attribute("a"), Some(original));
        assert_eq!(root.text(), Some(original));
    }
}
