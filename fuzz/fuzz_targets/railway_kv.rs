//! The `railway variables --kv` reader (`source::railway::parse_kv`).
//!
//! Properties:
//! - every span lies inside the input, on character boundaries;
//! - each key span holds the key, an identifier; each value span holds the value as written
//!   (`--kv` has no quoting), line breaks normalized to `\n` in a CRLF text;
//! - the keys come out in the order they are written, strictly increasing (the CLI sorts them).

#![no_main]

use deploycheck::source::railway::parse_kv;
use deploycheck_fuzz::{check_parsed, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let parsed = parse_kv(&text);
    check_parsed(&text, &parsed);
    let crlf = text.contains('\n') && text.matches('\n').count() == text.matches("\r\n").count();
    for entry in &parsed.entries {
        assert_eq!(text[entry.key_span.clone()], entry.key);
        let first = entry.key.as_bytes()[0];
        assert!(
            (first.is_ascii_alphabetic() || first == b'_')
                && entry
                    .key
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_'),
            "`{}` is not an identifier",
            entry.key
        );
        let span = entry.value_span.clone().expect("a --kv value");
        let written = &text[span];
        let written = if crlf {
            written.replace("\r\n", "\n")
        } else {
            written.to_owned()
        };
        assert_eq!(
            Some(&written),
            entry.value.as_ref(),
            "the value of {}",
            entry.key
        );
    }
    for pair in parsed.entries.windows(2) {
        assert!(
            pair[0].key < pair[1].key && pair[0].statement_span.end <= pair[1].statement_span.start,
            "`{}` then `{}`",
            pair[0].key,
            pair[1].key
        );
    }
});
