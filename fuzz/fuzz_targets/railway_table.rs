//! The `railway variables` table reader (`source::railway::parse_table`), plain or coloured.
//!
//! Properties: every span (entries, notices, or the error's) lies inside the input, on
//! character boundaries, keys and values inside their statements; no key is empty.

#![no_main]

use deploycheck::source::railway::parse_table;
use deploycheck_fuzz::{check_parsed, check_span, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    match parse_table(&text) {
        Err(error) => check_span(&text, &error.span(), &format!("error `{error}`")),
        Ok(parsed) => {
            check_parsed(&text, &parsed);
            for entry in &parsed.entries {
                assert!(
                    !entry.key.is_empty(),
                    "an empty key at {:?}",
                    entry.key_span
                );
            }
        }
    }
});
