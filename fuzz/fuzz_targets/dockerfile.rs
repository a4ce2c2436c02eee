//! The Dockerfile reader (`manifest::dockerfile::parse`).
//!
//! Properties:
//! - every span (problems, stages, instructions, keywords, heredoc markers, texts) lies inside
//!   the input, on character boundaries;
//! - a verbatim text is the input at its span; in a mapped text every byte is the input byte at
//!   its offset, or was produced by a JSON escape whose backslash is at that offset, and the
//!   offsets never go back;
//! - instructions are in order and do not overlap, each keyword inside its instruction;
//! - an exec form's elements, written again as a JSON array, read back the same;
//! - reading is deterministic.

#![no_main]

use deploycheck::manifest::Text;
use deploycheck::manifest::dockerfile::{
    Body, Command, CommandForm, Dockerfile, Healthcheck, parse,
};
use deploycheck_fuzz::{check_span, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let file = parse(&text);
    for problem in &file.errors {
        check_span(
            &text,
            &problem.span,
            &format!("problem `{}`", problem.message),
        );
    }
    for piece in file.texts() {
        check_text(&text, piece);
    }
    check_instructions(&text, &file);
    round_trip(&file);
    assert_eq!(parse(&text), file, "a second read differs");
});

fn check_text(input: &str, piece: &Text) {
    let what = format!("text {:?}", piece.text);
    check_span(input, &piece.span, &what);
    let bytes = input.as_bytes();
    let mut previous = piece.span.start;
    for (at, byte) in piece.text.bytes().enumerate() {
        let written = piece.span_of(at..at + 1);
        check_span_bytes(input, &written, &what);
        let offset = written.start;
        assert!(
            offset >= previous,
            "{what}: byte {at} maps back to {offset}, before {previous}"
        );
        previous = offset;
        let source = bytes[offset];
        assert!(
            source == byte || source == b'\\',
            "{what}: byte {at} ({byte:#x}) maps to {offset}, which holds {source:#x}"
        );
    }
    // A text whose bytes are all the input's, in one run, is the input at its span.
    if piece.span.len() == piece.text.len() && piece.span_of(0..piece.text.len()) == piece.span {
        let contiguous = (0..piece.text.len())
            .all(|at| piece.span_of(at..at + 1).start == piece.span.start + at);
        if contiguous {
            assert_eq!(
                &input[piece.span.clone()],
                piece.text,
                "{what}: not the input at its span"
            );
        }
    }
}

/// A byte's span may start inside a character (the second byte of `é`); it stays inside the
/// input.
fn check_span_bytes(input: &str, span: &std::ops::Range<usize>, what: &str) {
    assert!(
        span.start <= span.end && span.end <= input.len(),
        "{what}: byte span {span:?} outside the input"
    );
}

fn check_instructions(input: &str, file: &Dockerfile) {
    let mut previous_end = 0;
    for stage in &file.stages {
        check_span(input, &stage.from.span, "FROM");
        assert!(
            stage.from.span.start >= previous_end,
            "FROM {:?} overlaps",
            stage.from.span
        );
        previous_end = stage.from.span.end;
        for instruction in &stage.instructions {
            let span = &instruction.span;
            check_span(input, span, "instruction");
            check_span(input, &instruction.keyword_span, "keyword");
            assert!(
                span.start >= previous_end,
                "instruction {span:?} overlaps the one before"
            );
            assert!(
                span.start <= instruction.keyword_span.start
                    && instruction.keyword_span.end <= span.end,
                "keyword {:?} outside its instruction {span:?}",
                instruction.keyword_span
            );
            previous_end = span.end;
            let heredocs = match &instruction.body {
                Body::Command(Command { heredocs, .. }) | Body::Files { heredocs, .. } => {
                    heredocs.as_slice()
                }
                _ => &[],
            };
            for heredoc in heredocs {
                check_span(input, &heredoc.marker, "heredoc marker");
                assert!(
                    span.start <= heredoc.marker.start && heredoc.marker.end <= span.end,
                    "heredoc marker {:?} outside its instruction {span:?}",
                    heredoc.marker
                );
            }
            if let Body::Healthcheck(Healthcheck::None(none)) = &instruction.body {
                check_span(input, none, "HEALTHCHECK NONE");
            }
        }
    }
}

/// Exec forms written again as `CMD <json>` read back with the same elements.
fn round_trip(file: &Dockerfile) {
    for stage in &file.stages {
        for instruction in &stage.instructions {
            let command = match &instruction.body {
                Body::Command(command) => command,
                Body::Healthcheck(Healthcheck::Check { command, .. }) => command,
                _ => continue,
            };
            let CommandForm::Exec(elements) = &command.form else {
                continue;
            };
            let elements: Vec<&str> = elements
                .iter()
                .map(|element| element.text.as_str())
                .collect();
            let json = serde_json::to_string(&elements).expect("strings serialise");
            let again = parse(&format!("FROM a\nCMD {json}\n"));
            let read: Option<Vec<&str>> =
                again
                    .stages
                    .first()
                    .and_then(|stage| match &stage.instructions.first()?.body {
                        Body::Command(Command {
                            form: CommandForm::Exec(read),
                            ..
                        }) => Some(read.iter().map(|element| element.text.as_str()).collect()),
                        _ => None,
                    });
            assert_eq!(
                read.as_deref(),
                Some(elements.as_slice()),
                "CMD {json} does not read back"
            );
        }
    }
}
