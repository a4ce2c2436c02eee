//! `--format human`: one miette diagnostic per finding (rule id, severity, message, the source
//! lines with the value underlined, help), then a summary line.

use std::io::Write;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

use super::{Report, location};
use crate::finding::{Severity, Summary};

/// How to draw.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

pub fn render(report: &Report, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    for finding in report.findings {
        let file = report.sources.get(finding.source);
        let super::Location { line, column, .. } = location(report, finding);
        // A finding about the file as a whole (an unset variable) has no place to underline.
        let file_level = finding.span.is_empty() && finding.span.start == 0;
        let mut labels = Vec::new();
        if !file_level {
            labels.push(LabeledSpan::new_primary_with_span(
                None,
                finding.span.clone(),
            ));
        }
        labels.extend(
            finding
                .labels
                .iter()
                .filter(|label| label.source == finding.source)
                .map(|label| {
                    LabeledSpan::new_with_span(Some(label.text.clone()), label.span.clone())
                }),
        );
        // The rule id goes in the location line above, not in miette's code line.
        let mut diagnostic = MietteDiagnostic::new(finding.message.clone())
            .with_severity(match finding.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            })
            .with_labels(labels);
        if let Some(help) = &finding.help {
            diagnostic = diagnostic.with_help(help.clone());
        }
        let diagnostic = miette::Report::new(diagnostic)
            .with_source_code(NamedSource::new(file.name.clone(), file.redacted.clone()));
        let mut rendered = String::new();
        if handler
            .render_report(&mut rendered, diagnostic.as_ref())
            .is_err()
        {
            rendered = format!("{}\n", finding.message);
        }
        // The location first, as compilers print it: editors and terminals make it clickable.
        writeln!(
            out,
            "{}:{line}:{column}: {}[{}]",
            file.name, finding.severity, finding.rule
        )?;
        out.write_all(rendered.as_bytes())?;
        writeln!(out)?;
    }
    let summary = Summary::of(report.findings);
    let total = summary.errors + summary.warnings + summary.infos;
    if total == 0 {
        writeln!(out, "No problems found.")
    } else {
        writeln!(
            out,
            "Found {} ({}, {}, {}).",
            plural(total, "problem"),
            plural(summary.errors, "error"),
            plural(summary.warnings, "warning"),
            plural(summary.infos, "info"),
        )
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}
