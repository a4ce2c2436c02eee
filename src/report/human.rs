//! `--format human`: one miette diagnostic per finding (rule id, severity, message, the source
//! lines with the value underlined, help), then a summary line.

use std::io::Write;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use owo_colors::OwoColorize;

use super::{Report, location};
use crate::finding::{Severity, Summary};
use crate::source::{SourceFile, Span};

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
        let same_file = |label: &&crate::finding::Label| label.source == finding.source;
        // A finding on a line too long to draw is reported without its snippet.
        let fits = |span: &crate::source::Span| file.snippet_fits(span);
        let drawable = fits(&finding.span)
            && finding
                .labels
                .iter()
                .filter(same_file)
                .all(|label| fits(&label.span));
        // A finding about the file as a whole (an unset variable) has no place to underline.
        let file_level = finding.span.is_empty() && finding.span.start == 0;
        let mut labels = Vec::new();
        if drawable && !file_level {
            labels.push(LabeledSpan::new_primary_with_span(
                None,
                finding.span.clone(),
            ));
        }
        if drawable {
            labels.extend(finding.labels.iter().filter(same_file).map(|label| {
                LabeledSpan::new_with_span(Some(label.text.clone()), label.span.clone())
            }));
        }
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
        let spans = std::iter::once(finding.span.clone()).chain(
            finding
                .labels
                .iter()
                .filter(same_file)
                .map(|l| l.span.clone()),
        );
        let diagnostic = if drawable {
            miette::Report::new(diagnostic).with_source_code(Excerpts::new(file, spans))
        } else {
            miette::Report::new(diagnostic)
        };
        let mut rendered = String::new();
        if handler
            .render_report(&mut rendered, diagnostic.as_ref())
            .is_err()
        {
            rendered = format!("{}\n", finding.message);
        }
        // The location first, as compilers print it: editors and terminals make it clickable.
        let location = format!("{}:{line}:{column}:", file.name);
        let tag = format!("{}[{}]", finding.severity, finding.rule);
        if style.color {
            let tag = match finding.severity {
                Severity::Error => tag.red().bold().to_string(),
                Severity::Warning => tag.yellow().bold().to_string(),
                Severity::Info => tag.cyan().bold().to_string(),
            };
            writeln!(out, "{} {tag}", location.bold())?;
        } else {
            writeln!(out, "{location} {tag}")?;
        }
        out.write_all(rendered.as_bytes())?;
        writeln!(out)?;
    }
    let summary = Summary::of(report.findings);
    let total = summary.errors + summary.warnings + summary.infos;
    let line = if total == 0 {
        "No problems found.".to_owned()
    } else if summary.errors + summary.warnings == 0 {
        format!("No problems found; {}.", plural(summary.infos, "info"))
    } else {
        format!(
            "Found {} ({}, {}, {}).",
            plural(total, "problem"),
            plural(summary.errors, "error"),
            plural(summary.warnings, "warning"),
            plural(summary.infos, "info"),
        )
    };
    match (style.color, summary.errors + summary.warnings) {
        (false, _) => writeln!(out, "{line}"),
        (true, 0) => writeln!(out, "{}", line.green().bold()),
        (true, _) => writeln!(out, "{}", line.bold()),
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// The few lines around each span of one finding, instead of the whole file: rendering a
/// finding then costs the size of its snippet, not of the file (a large input with many
/// findings stays linear).
struct Excerpts {
    name: String,
    windows: Vec<Window>,
}

struct Window {
    /// Byte offset of `text` in the file.
    start: usize,
    /// 0-based line of `text`'s first line.
    first_line: usize,
    text: String,
}

impl Excerpts {
    /// Lines of context kept around a span; more than miette asks for.
    const CONTEXT: usize = 3;

    fn new(file: &SourceFile, spans: impl Iterator<Item = Span>) -> Self {
        // 0-based line ranges with context, merged where they touch, so that labels close to
        // each other share one snippet as they would over the whole file.
        let mut ranges: Vec<(usize, usize)> = spans
            .map(|span| {
                let first = file.line_of(span.start) - 1;
                let last = file.line_of(span.end.max(span.start)) - 1;
                (first.saturating_sub(Self::CONTEXT), last + Self::CONTEXT)
            })
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (first, last) in ranges {
            match merged.last_mut() {
                Some(previous) if first <= previous.1 + 1 => previous.1 = previous.1.max(last),
                _ => merged.push((first, last)),
            }
        }
        let windows = merged
            .into_iter()
            .map(|(first_line, last)| {
                let bytes = file.lines_span(first_line, last);
                Window {
                    start: bytes.start,
                    first_line,
                    text: file.redacted[bytes].to_owned(),
                }
            })
            .collect();
        Excerpts {
            name: file.name.clone(),
            windows,
        }
    }
}

impl SourceCode for Excerpts {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (offset, length) = (span.offset(), span.len());
        let window = self
            .windows
            .iter()
            .find(|w| offset >= w.start && offset + length <= w.start + w.text.len())
            .ok_or(MietteError::OutOfBounds)?;
        let text = window.text.as_bytes();
        let local_start = offset - window.start;
        let local_end = local_start + length;
        // Line starts within the window.
        let mut starts = vec![0];
        starts.extend(
            text.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let line_of = |at: usize| starts.partition_point(|&s| s <= at) - 1;
        if context_lines_before == 0 && context_lines_after == 0 {
            // The span itself: miette titles the snippet with its line and column (in characters
            // here, as in every other place deploycheck gives a column).
            let line = line_of(local_start);
            let column = window.text[starts[line]..local_start].chars().count();
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.clone(),
                &text[local_start..local_end],
                *span,
                window.first_line + line,
                column,
                text[local_start..local_end]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1,
            )));
        }
        let first = line_of(local_start).saturating_sub(context_lines_before);
        let last = (line_of(
            local_end
                .saturating_sub(usize::from(length > 0))
                .max(local_start),
        ) + context_lines_after)
            .min(starts.len() - 1);
        let context_start = starts[first];
        let context_end = starts
            .get(last + 1)
            .map_or(text.len(), |&s| s.saturating_sub(1));
        let context_end = context_end.max(context_start);
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &text[context_start..context_end],
            SourceSpan::new(
                (window.start + context_start).into(),
                context_end - context_start,
            ),
            window.first_line + first,
            0,
            last - first + 1,
        )))
    }
}
