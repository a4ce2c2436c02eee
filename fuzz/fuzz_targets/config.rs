//! The configuration loader (`config::parse`), as `deploycheck.toml` and as `pyproject.toml`
//! (`[tool.deploycheck]`).
//!
//! Properties: a text is either a configuration or an error whose snippet points inside the
//! text (on character boundaries) and renders as `main` renders it; the configuration keeps the
//! text, and its suppressions' spans lie inside it.

#![no_main]

use std::path::Path;

use deploycheck::config;
use deploycheck_fuzz::{check_span, render_error, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    for name in ["project/deploycheck.toml", "project/pyproject.toml"] {
        match config::parse(Path::new(name), text.clone()) {
            Err(error) => {
                render_error(&error);
            }
            Ok(config) => {
                assert_eq!(config.text, text);
                for suppression in &config.suppress {
                    check_span(&text, &suppression.span, "[[suppress]] entry");
                }
                for path in &config.rules {
                    assert!(
                        path.is_absolute() || path.starts_with("project"),
                        "rule path {path:?} is not resolved against the file's directory"
                    );
                }
            }
        }
    }
});
