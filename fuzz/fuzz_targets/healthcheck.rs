//! What the healthcheck rules read besides the Dockerfile itself: a `python -c` snippet
//! (`manifest::python::snippet`, tree-sitter and the `exec` strings it follows), the code word
//! of a `python -c` command line (`python_c_code`), what a `RUN` installs
//! (`manifest::images::installed_tools`), what an image reference ships (`shipped_tools`), and
//! the secrets of a command line (`manifest::command_secret_spans`).
//!
//! Properties:
//! - every range a snippet reports lies inside the code, on character boundaries, and names
//!   what is written there;
//! - the code word found is one of the words, and its start inside it on a boundary;
//! - every secret span lies inside the input, on character boundaries;
//! - everything is deterministic.

#![no_main]

use deploycheck::manifest::{Text, command_secret_spans, images, python};
use deploycheck_fuzz::{check_span, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);

    let snippet = python::snippet(&text);
    for import in &snippet.imports {
        check_span(&text, &import.range, "import");
    }
    for used in &snippet.unbound {
        check_span(&text, &used.range, "use");
        assert!(
            text[used.range.clone()].contains(used.name.as_str())
                || used.range.is_empty()
                || text[used.range.clone()].contains('\\'),
            "the use of `{}` at {:?} is not written there",
            used.name,
            used.range
        );
    }
    assert_eq!(python::snippet(&text), snippet, "not deterministic");

    let words: Vec<&str> = text.split_whitespace().collect();
    if let Some(found) = python::python_c_code(&words) {
        let word = words
            .get(found.word)
            .expect("the code word is one of the words");
        assert!(
            word.is_char_boundary(found.start.min(word.len())),
            "start inside a character"
        );
    }

    assert_eq!(
        images::installed_tools(&text),
        images::installed_tools(&text)
    );
    let _ = images::shipped_tools(&text, &[("PYTHON_VERSION", "3.12")]);

    let command = Text::verbatim(text.clone(), 0..text.len());
    let is_secret = |name: &str| name.to_ascii_uppercase().contains("SECRET");
    for span in command_secret_spans(&command, &is_secret) {
        check_span(&text, &span, "secret");
    }
});
