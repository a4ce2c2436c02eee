//! The baseline reader (`filter::baseline::Baseline::parse`).
//!
//! Properties: a text is a baseline or an error that renders as `main` renders it; a baseline
//! read, written the way `--write-baseline` writes it and read again, is the same baseline.

#![no_main]

use deploycheck::filter::baseline::Baseline;
use deploycheck_fuzz::{render_error, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    match Baseline::parse("baseline.json", &text) {
        Err(error) => {
            render_error(&error);
        }
        Ok(baseline) => {
            let written = baseline.to_text().expect("a baseline serializes");
            let again = Baseline::parse("baseline.json", &written)
                .unwrap_or_else(|error| panic!("{error}: the baseline as written:\n{written}"));
            assert_eq!(again.version, baseline.version);
            assert_eq!(again.findings, baseline.findings);
        }
    }
});
