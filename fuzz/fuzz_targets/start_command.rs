//! Start commands (`manifest::command::analyze`), as a shell command line and as exec-form
//! words.
//!
//! Properties:
//! - no panic, whatever the input and whatever the environment holds (a variable that holds a
//!   `sh -c` of itself included);
//! - every span the analysis returns lies inside the input, on character boundaries, and the
//!   shell scanner's word spans too;
//! - the analysis is deterministic;
//! - on text without shell operators, expansions or comments, the scanner's words are the words
//!   the `shlex` crate splits it into (the scanner exists for the spans and operators shlex does
//!   not give, and must not otherwise split differently).

#![no_main]

use deploycheck::manifest::Text;
use deploycheck::manifest::command::{Analysis, CommandLine, Origin, analyze, shell_words};
use deploycheck_fuzz::{check_span, text};
use libfuzzer_sys::fuzz_target;

/// Exec-form words are the input split on this byte.
const WORD_SEPARATOR: char = '\u{1f}';

fn env(name: &str) -> Option<String> {
    match name {
        "PORT" => Some("8080".to_owned()),
        "HOST" => Some("0.0.0.0".to_owned()),
        "WEB_CONCURRENCY" => Some("4".to_owned()),
        // Text that names itself: every `sh -c "$LOOP"` level expands it again.
        "LOOP" => Some("sh -c \"$LOOP\" && uvicorn a:a --port $LOOP".to_owned()),
        "GUNICORN_CMD_ARGS" => Some("-b '[::1]:9' -w \"2\" --reload".to_owned()),
        _ => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let text = text(data);

    let shell = Text::verbatim(text.clone(), 0..text.len());
    let analysis = analyze(CommandLine::Shell(&shell), &env);
    check_analysis(&text, &analysis);
    assert_eq!(
        analysis,
        analyze(CommandLine::Shell(&shell), &env),
        "not deterministic"
    );
    let commands = shell_words(&shell);
    for (word, span) in commands.iter().flatten() {
        check_span(&text, span, &format!("the word {word:?}"));
    }
    same_words_as_shlex(&text, &commands);

    let mut words = Vec::new();
    let mut start = 0;
    for part in text.split(WORD_SEPARATOR) {
        words.push(Text::verbatim(part, start..start + part.len()));
        start += part.len() + WORD_SEPARATOR.len_utf8();
    }
    let analysis = analyze(CommandLine::Exec(&words), &env);
    check_analysis(&text, &analysis);
    assert_eq!(
        analysis,
        analyze(CommandLine::Exec(&words), &env),
        "not deterministic"
    );
});

fn check_analysis(text: &str, analysis: &Analysis) {
    for server in &analysis.servers {
        check_span(text, &server.span, "a server's invocation");
        for (origin, what) in [
            (&server.host.origin, "its host"),
            (&server.port.origin, "its port"),
        ] {
            if let Origin::Flag(span) = origin {
                check_span(text, span, what);
            }
        }
        if let Some(workers) = &server.workers
            && let Origin::Flag(span) = &workers.origin
        {
            check_span(text, span, "its workers");
        }
        if let Some(reload) = &server.reload {
            check_span(text, reload, "its reload");
        }
    }
    for migration in &analysis.migrations {
        check_span(text, &migration.span, "a migration");
    }
    for (reference, span) in &analysis.unexpanded {
        check_span(text, span, &format!("the unexpanded {reference:?}"));
    }
}

fn same_words_as_shlex(text: &str, commands: &[Vec<(String, deploycheck::source::Span)>]) {
    if text.contains([';', '&', '|', '(', ')', '<', '>', '$', '`', '#', '\n']) {
        return;
    }
    let Some(expected) = shlex::split(text) else {
        return;
    };
    let words: Vec<&str> = commands
        .iter()
        .flatten()
        .map(|(word, _)| word.as_str())
        .collect();
    assert_eq!(
        words, expected,
        "the scanner and shlex split {text:?} apart"
    );
}
