//! What the fuzz targets check, shared: spans, error rendering, and the text of a fuzz input.
//!
//! Every check panics with a message naming the property and the offending value, so that a
//! crash artifact says what broke, not only where.

use deploycheck::error::Error;
use deploycheck::source::{Parsed, Span};

/// The fuzz input as text. Invalid UTF-8 becomes U+FFFD (three bytes each), so hostile bytes
/// still reach the readers, as multi-byte characters where they would have split one.
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// A span returned by a reader lies inside `text`, in order, on character boundaries.
pub fn check_span(text: &str, span: &Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} is not inside the text ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} cuts a character"
    );
}

/// Every span of a reader's result: entries (value and key inside the statement), skipped
/// statements, unresolved references and notices.
pub fn check_parsed(text: &str, parsed: &Parsed) {
    for entry in &parsed.entries {
        let key = &entry.key;
        check_span(text, &entry.key_span, &format!("key span of `{key}`"));
        check_span(
            text,
            &entry.statement_span,
            &format!("statement of `{key}`"),
        );
        assert!(
            within(&entry.key_span, &entry.statement_span),
            "key span {:?} of `{key}` is outside its statement {:?}",
            entry.key_span,
            entry.statement_span
        );
        if let Some(value_span) = &entry.value_span {
            check_span(text, value_span, &format!("value span of `{key}`"));
            // An empty value after trailing blanks (`KEY=   `) sits where the blanks end, past
            // the statement, which ends at its last non-blank byte.
            assert!(
                value_span.is_empty() || within(value_span, &entry.statement_span),
                "value span {value_span:?} of `{key}` is outside its statement {:?}",
                entry.statement_span
            );
            assert!(
                entry.key_span.end <= value_span.start,
                "the value span {value_span:?} of `{key}` starts before its key ends ({:?})",
                entry.key_span
            );
        }
    }
    for error in &parsed.errors {
        check_span(
            text,
            &error.span,
            &format!("skipped statement ({})", error.message),
        );
    }
    for reference in &parsed.unresolved {
        check_span(text, &reference.span, &format!("`${{{}}}`", reference.name));
        assert!(
            text[reference.span.clone()].starts_with("${")
                && text[reference.span.clone()].ends_with('}'),
            "the span of `${{{}}}` holds {:?}",
            reference.name,
            &text[reference.span.clone()]
        );
    }
    for notice in &parsed.notices {
        check_span(text, &notice.span, &format!("notice {}", notice.message));
    }
}

fn within(inner: &Span, outer: &Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// Render a tool error as `main` does (miette's graphical handler, 100 columns), after checking
/// that the span it points at lies in the text it quotes. Returns the rendered text.
pub fn render_error(error: &Error) -> String {
    if let Error::RuleFile {
        source_code, span, ..
    } = error
    {
        if let Some(span) = span {
            let text = source_code.inner();
            let span: Span = span.offset()..span.offset() + span.len();
            check_span(text, &span, &format!("error `{error}`"));
        }
    }
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100);
    let mut rendered = String::new();
    if handler.render_report(&mut rendered, error).is_err() {
        rendered = format!("error: {error}\n");
    }
    rendered
}
