//! The `railway variables --json` reader (`source::railway::parse_json`).
//!
//! Properties:
//! - every span (entries, or the error's) lies inside the input, on character boundaries;
//! - the reader agrees with serde_json: what it accepts serde_json reads as an object of
//!   strings with the same keys and values in the same order, what it rejects serde_json
//!   rejects or finds holding something other than strings (a BOM aside, which it skips);
//! - each key span holds the key's characters and each value span the string literal, which
//!   serde_json decodes to the value.

#![no_main]

use deploycheck::source::railway::parse_json;
use deploycheck_fuzz::{check_parsed, check_span, text};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let result = parse_json(&text);
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let reference: Option<Vec<(String, String)>> = match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(object)) => object
            .into_iter()
            .map(|(key, value)| match value {
                Value::String(value) => Some((key, value)),
                _ => None,
            })
            .collect(),
        _ => None,
    };
    match result {
        Err(error) => {
            check_span(&text, &error.span(), &format!("error `{error}`"));
            assert!(
                reference.is_none(),
                "rejected ({error}) what serde_json reads as an object of strings"
            );
        }
        Ok(parsed) => {
            check_parsed(&text, &parsed);
            for entry in &parsed.entries {
                let value_span = entry.value_span.clone().expect("a JSON value");
                let literal = &text[value_span];
                let decoded: String = serde_json::from_str(literal)
                    .unwrap_or_else(|error| panic!("value literal {literal:?}: {error}"));
                assert_eq!(
                    Some(&decoded),
                    entry.value.as_ref(),
                    "the value of {}",
                    entry.key
                );
                let key_literal = &text[entry.key_span.start - 1..entry.key_span.end + 1];
                let key: String = serde_json::from_str(key_literal)
                    .unwrap_or_else(|error| panic!("key literal {key_literal:?}: {error}"));
                assert_eq!(key, entry.key);
            }
            // serde_json keeps the last of duplicate keys, at the first one's place.
            let mut read: Vec<(String, String)> = Vec::new();
            for entry in parsed.entries {
                let value = entry.value.expect("a JSON value");
                match read.iter_mut().find(|(key, _)| *key == entry.key) {
                    Some(known) => known.1 = value,
                    None => read.push((entry.key, value)),
                }
            }
            assert_eq!(Some(read), reference, "serde_json reads it otherwise");
        }
    }
});
