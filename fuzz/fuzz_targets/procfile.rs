//! The Procfile reader (`manifest::procfile::parse`).
//!
//! Properties:
//! - every span (processes, their names and commands, problems) lies inside the input, on
//!   character boundaries, and problems are in file order;
//! - names and commands are verbatim: each equals the input at its span, inside its line;
//! - a name is letters, digits, `_` and `-`; a command is not empty and has no blank at either
//!   end;
//! - reading is deterministic, and `web` and `railway_start` return one of the processes.

#![no_main]

use deploycheck::manifest::procfile::parse;
use deploycheck_fuzz::{check_span, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let procfile = parse(&text);
    assert_eq!(procfile, parse(&text), "not deterministic");
    let mut previous = 0;
    for problem in &procfile.problems {
        check_span(
            &text,
            &problem.span,
            &format!("problem `{}`", problem.message),
        );
        assert!(problem.span.start >= previous, "problems out of order");
        previous = problem.span.start;
    }
    for process in &procfile.processes {
        check_span(&text, &process.span, "process line");
        assert!(
            !text[process.span.clone()].contains('\n'),
            "a line break in {:?}",
            process.span
        );
        for (part, what) in [(&process.name, "name"), (&process.command, "command")] {
            check_span(&text, &part.span, what);
            assert_eq!(&text[part.span.clone()], part.text, "{what}");
            assert!(
                process.span.start <= part.span.start && part.span.end <= process.span.end,
                "the {what} {:?} is outside its line {:?}",
                part.span,
                process.span
            );
        }
        assert!(
            !process.name.text.is_empty()
                && process
                    .name
                    .text
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-')),
            "name {:?}",
            process.name.text
        );
        let command = &process.command.text;
        assert!(
            !command.is_empty() && command.trim_matches([' ', '\t']) == command,
            "command {command:?}"
        );
    }
    for chosen in [procfile.web(), procfile.railway_start()]
        .into_iter()
        .flatten()
    {
        assert!(procfile.processes.iter().any(|process| process == chosen));
    }
});
