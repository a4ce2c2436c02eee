//! The python-dotenv conformance corpus (`fixtures/dotenv-corpus/`): for every recorded case,
//! the .env reader must give the values, key order and skipped lines python-dotenv 1.2.4 gave.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use deploycheck::source::dotenv::{DotenvOptions, parse};
use deploycheck::source::{Parsed, SourceFile};
use serde_json::Value;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dotenv-corpus")
}

fn case_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(corpus_dir())
        .expect("corpus directory is readable")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".env").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

fn read_json(case: &str, suffix: &str) -> Value {
    let path = corpus_dir().join(format!("{case}.{suffix}.json"));
    let text = fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path:?}: {error}"));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{path:?}: {error}"))
}

/// What python-dotenv's dict holds: last value per key.
fn last_wins(parsed: &Parsed, raw: bool) -> BTreeMap<String, Option<String>> {
    parsed
        .entries
        .iter()
        .map(|entry| {
            let value = if raw {
                entry.raw_value.clone()
            } else {
                entry.value.clone()
            };
            (entry.key.clone(), value)
        })
        .collect()
}

/// Keys in the order a python dict keeps them: first insertion.
fn key_order(parsed: &Parsed) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    for entry in &parsed.entries {
        if !order.contains(&entry.key) {
            order.push(entry.key.clone());
        }
    }
    order
}

fn expected_values(json: &Value, case: &str) -> BTreeMap<String, Option<String>> {
    let object = json
        .as_object()
        .unwrap_or_else(|| panic!("{case}: values are an object"));
    object
        .iter()
        .map(|(key, value)| {
            let value = match value {
                Value::Null => None,
                Value::String(text) => Some(text.clone()),
                other => panic!("{case}: unexpected value {other}"),
            };
            (key.clone(), value)
        })
        .collect()
}

/// python-dotenv's warning names the line where it started reading the statement, which is the
/// line after the previous statement: possibly a blank line above the skipped one.
fn warned_lines(meta: &Value) -> Vec<usize> {
    meta["warnings"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|warning| {
            warning
                .strip_prefix("python-dotenv could not parse statement starting at line ")?
                .parse()
                .ok()
        })
        .collect()
}

fn check_case(case: &str) -> Result<(), String> {
    let bytes = fs::read(corpus_dir().join(format!("{case}.env"))).map_err(|e| e.to_string())?;
    let expected = read_json(case, "expected");
    let raw = read_json(case, "raw");
    let meta = read_json(case, "meta");
    let Ok(text) = String::from_utf8(bytes) else {
        // The caller rejects such a file before parsing; python-dotenv fails on it as a whole.
        return match expected.get("__dotenv_error__") {
            Some(_) => Ok(()),
            None => Err("not UTF-8, but python-dotenv read it".into()),
        };
    };
    if expected.get("__dotenv_error__").is_some() {
        return Err("valid UTF-8, but python-dotenv failed on it".into());
    }

    let interpolated = parse(
        &text,
        &DotenvOptions {
            interpolate: true,
            ..DotenvOptions::default()
        },
    );
    let literal = parse(&text, &DotenvOptions::default());

    let want = expected_values(&expected, case);
    let got = last_wins(&interpolated, false);
    if got != want {
        return Err(format!(
            "interpolated values\n  got  {got:?}\n  want {want:?}"
        ));
    }
    let want_raw = expected_values(&raw, case);
    let got_raw = last_wins(&literal, false);
    if got_raw != want_raw {
        return Err(format!(
            "raw values\n  got  {got_raw:?}\n  want {want_raw:?}"
        ));
    }
    if last_wins(&interpolated, true) != want_raw {
        return Err("raw_value of the interpolated parse differs from raw.json".into());
    }
    let want_order: Vec<String> = meta["key_order"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|key| key.as_str().map(str::to_owned))
        .collect();
    if key_order(&interpolated) != want_order {
        return Err(format!(
            "key order\n  got  {:?}\n  want {want_order:?}",
            key_order(&interpolated)
        ));
    }

    let warned = warned_lines(&meta);
    if interpolated.errors.len() != warned.len() {
        return Err(format!(
            "{} skipped statements, python-dotenv warned {} times: {:?}",
            interpolated.errors.len(),
            warned.len(),
            interpolated.errors
        ));
    }
    let source = SourceFile::new(case, text.clone());
    // Lines as python-dotenv counts them: `\r\n`, `\r` and `\n` each end one.
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = normalized.split('\n').collect();
    for (error, &warned_line) in interpolated.errors.iter().zip(&warned) {
        let line = source.line_of(error.span.start);
        let only_blank_between = (warned_line..line)
            .all(|number| lines.get(number - 1).is_none_or(|l| l.trim().is_empty()));
        if line < warned_line || !only_blank_between {
            return Err(format!(
                "skipped statement on line {line}, python-dotenv warned about line {warned_line}"
            ));
        }
    }
    if literal.errors != interpolated.errors {
        return Err("interpolation changed the skipped statements".into());
    }
    Ok(())
}

#[test]
fn every_corpus_case_matches_python_dotenv() {
    let cases = case_names();
    assert!(cases.len() >= 90, "corpus not found: {} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            check_case(case)
                .err()
                .map(|why| format!("case {case}: {why}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from python-dotenv:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
