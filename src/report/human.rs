//! `--format human`: one miette diagnostic per finding (rule id, severity, message, the source
//! lines with the value underlined, help), then a summary line.
//!
//! Control characters and bidirectional overrides in the inputs (keys, values, file names)
//! reach the terminal escaped ([`escape_controls`]), in messages and in snippets alike: a
//! snippet shows its lines escaped, and the spans miette underlines are moved through the
//! escapes, so underlines stay under the characters they point at.

use std::io::Write;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use owo_colors::OwoColorize;

use super::{Report, escape_controls, is_hidden_control, location};
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
        let spans = std::iter::once(finding.span.clone()).chain(
            finding
                .labels
                .iter()
                .filter(same_file)
                .map(|l| l.span.clone()),
        );
        let excerpts = drawable.then(|| Excerpts::new(file, spans));
        let mut labels = Vec::new();
        if let Some(excerpts) = &excerpts {
            if !file_level {
                labels.push(LabeledSpan::new_primary_with_span(
                    None,
                    excerpts.shown_span(&finding.span),
                ));
            }
            labels.extend(finding.labels.iter().filter(same_file).map(|label| {
                LabeledSpan::new_with_span(
                    Some(escape_controls(&label.text).into_owned()),
                    excerpts.shown_span(&label.span),
                )
            }));
        }
        // The rule id goes in the location line above, not in miette's code line.
        let mut diagnostic = MietteDiagnostic::new(escape_controls(&finding.message))
            .with_severity(match finding.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            })
            .with_labels(labels);
        if let Some(help) = &finding.help {
            diagnostic = diagnostic.with_help(escape_controls(help));
        }
        let diagnostic = match excerpts {
            Some(excerpts) => miette::Report::new(diagnostic).with_source_code(excerpts),
            None => miette::Report::new(diagnostic),
        };
        let mut rendered = String::new();
        if handler
            .render_report(&mut rendered, diagnostic.as_ref())
            .is_err()
        {
            rendered = format!("{}\n", escape_controls(&finding.message));
        }
        // The location first, as compilers print it: editors and terminals make it clickable.
        let location = format!("{}:{line}:{column}:", escape_controls(&file.name));
        let tag = format!("{}[{}]", finding.severity, escape_controls(&finding.rule));
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
///
/// miette sees the lines as shown: control characters escaped, and a lone `\r` (a line break
/// for python-dotenv and for deploycheck's line numbers) as `\n`, which miette also counts. Its
/// offsets are the file's, moved by what the escapes before them added ([`Excerpts::shown_span`]).
/// An escape is at most six characters per byte (`\u{1b}`), so a line short enough to draw
/// ([`crate::source::MAX_SNIPPET_LINE`]) stays far below the column where miette panics.
struct Excerpts {
    name: String,
    windows: Vec<Window>,
}

struct Window {
    /// Byte offset of the window's lines in the file.
    start: usize,
    /// The same place in the offsets miette sees: `start` plus what the escapes of the windows
    /// before it added.
    shown_start: usize,
    /// 0-based line of the window's first line.
    first_line: usize,
    /// The lines as written (columns are counted in them).
    written: String,
    /// The lines as shown.
    text: String,
    /// After each escape, its end in `written` and in `text`, ascending.
    escapes: Vec<(usize, usize)>,
}

impl Window {
    /// The offset in `text` of an offset in `written` (on a character boundary).
    fn shown(&self, written: usize) -> usize {
        match self.escapes.partition_point(|&(end, _)| end <= written) {
            0 => written,
            after => {
                let (written_end, shown_end) = self.escapes[after - 1];
                shown_end + (written - written_end)
            }
        }
    }

    /// The offset in `written` of an offset in `text` that starts a character of `written`.
    fn written(&self, shown: usize) -> usize {
        match self.escapes.partition_point(|&(_, end)| end <= shown) {
            0 => shown,
            after => {
                let (written_end, shown_end) = self.escapes[after - 1];
                written_end + (shown - shown_end)
            }
        }
    }
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
        let mut added = 0;
        let windows = merged
            .into_iter()
            .map(|(first_line, last)| {
                let bytes = file.lines_span(first_line, last);
                let start = bytes.start;
                let written = file.redacted[bytes].to_owned();
                let mut text = String::with_capacity(written.len());
                let mut escapes = Vec::new();
                let mut characters = written.char_indices().peekable();
                while let Some((at, c)) = characters.next() {
                    match c {
                        '\r' if characters.peek().is_none_or(|&(_, next)| next != '\n') => {
                            text.push('\n');
                        }
                        // Part of `\r\n`, which miette reads as one line break.
                        '\r' => text.push(c),
                        c if is_hidden_control(c) => {
                            text.extend(c.escape_unicode());
                            escapes.push((at + c.len_utf8(), text.len()));
                        }
                        c => text.push(c),
                    }
                }
                let window = Window {
                    start,
                    shown_start: start + added,
                    first_line,
                    written,
                    text,
                    escapes,
                };
                added += window.text.len() - window.written.len();
                window
            })
            .collect();
        Excerpts {
            name: escape_controls(&file.name).into_owned(),
            windows,
        }
    }

    /// A span of the file as miette sees it. Every span given to [`Excerpts::new`] is in a
    /// window.
    fn shown_span(&self, span: &Span) -> SourceSpan {
        let end = span.end.max(span.start);
        let Some(window) = self
            .windows
            .iter()
            .find(|w| span.start >= w.start && end <= w.start + w.written.len())
        else {
            return (span.start..end).into();
        };
        let start = window.shown(span.start - window.start);
        let end = window.shown(end - window.start);
        SourceSpan::new((window.shown_start + start).into(), end - start)
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
            .find(|w| offset >= w.shown_start && offset + length <= w.shown_start + w.text.len())
            .ok_or(MietteError::OutOfBounds)?;
        let text = window.text.as_bytes();
        let local_start = offset - window.shown_start;
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
            // of the line as written, as in every other place deploycheck gives a column).
            let line = line_of(local_start);
            let column = window.written[window.written(starts[line])..window.written(local_start)]
                .chars()
                .count();
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
                (window.shown_start + context_start).into(),
                context_end - context_start,
            ),
            window.first_line + first,
            0,
            last - first + 1,
        )))
    }
}
