//! The `railway variables` readers against the CLI's real output (`fixtures/railway/`): every
//! format must give back the variables of the lossless `--json` sample, as far as the format
//! allows, and broken input must fail with a clear message and never panic.

use std::collections::BTreeMap;

use deploycheck::source::railway::{
    self, KV_LOSSY_RULE, RailwayError, TABLE_LOSSY_RULE, detect, looks_like_kv, parse_json,
    parse_kv, parse_table,
};
use deploycheck::source::{InputFormat, Parsed, line_col};

fn fixture(name: &str) -> String {
    let path = format!("{}/fixtures/railway/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"))
}

fn variables(parsed: &Parsed) -> BTreeMap<String, String> {
    parsed
        .entries
        .iter()
        .map(|entry| (entry.key.clone(), entry.value.clone().unwrap_or_default()))
        .collect()
}

/// The reference: the JSON sample decoded by serde_json, not by the reader under test.
fn expected_variables() -> BTreeMap<String, String> {
    serde_json::from_str(&fixture("json.json")).expect("json.json is a flat object of strings")
}

/// Every entry's spans must point at what the entry says, in the original text.
fn assert_spans_hold(text: &str, parsed: &Parsed) {
    for entry in &parsed.entries {
        assert_eq!(text.get(entry.key_span.clone()), Some(entry.key.as_str()));
        let value_span = entry
            .value_span
            .clone()
            .expect("every Railway entry has a value");
        assert!(text.get(value_span.clone()).is_some(), "{}", entry.key);
        assert!(entry.statement_span.start <= entry.key_span.start);
        assert!(entry.statement_span.end >= value_span.end);
        assert_eq!(entry.value, entry.raw_value);
    }
}

#[test]
fn detects_the_format_of_each_sample() {
    assert_eq!(detect(&fixture("json.json")), InputFormat::RailwayJson);
    assert_eq!(detect(&fixture("table.txt")), InputFormat::RailwayTable);
    assert_eq!(
        detect(&fixture("table.ansi.txt")),
        InputFormat::RailwayTable
    );
    assert_eq!(detect(&fixture("kv.txt")), InputFormat::Dotenv);
    assert_eq!(detect("\n\n  {\"A\": \"b\"}"), InputFormat::RailwayJson);
    assert_eq!(detect("A=1\nB=2\n"), InputFormat::Dotenv);
    assert_eq!(detect(""), InputFormat::Dotenv);
}

#[test]
fn kv_sample_looks_like_kv_and_a_dotenv_file_does_not() {
    assert!(looks_like_kv(&fixture("kv.txt")));
    assert!(!looks_like_kv("# app\nDEBUG=false\nRAILWAY_PROJECT_ID=x\n"));
    assert!(
        !looks_like_kv("DEBUG=false\nAPP=x\n"),
        "no Railway-injected id"
    );
    assert!(
        !looks_like_kv("RAILWAY_SERVICE_ID=x\nAPP=x\n"),
        "keys out of order"
    );
    assert!(!looks_like_kv(""));
}

#[test]
fn json_sample_reads_exactly() {
    let text = fixture("json.json");
    let parsed = parse_json(&text).expect("the sample is valid");
    assert_eq!(variables(&parsed), expected_variables());
    assert_spans_hold(&text, &parsed);
    assert!(parsed.errors.is_empty() && parsed.notices.is_empty());

    let debug = parsed
        .entries
        .iter()
        .find(|entry| entry.key == "DEBUG")
        .expect("DEBUG is in the sample");
    assert_eq!(&text[debug.value_span.clone().unwrap()], "\"false\"");
    assert_eq!(&text[debug.statement_span.clone()], "DEBUG\": \"false\"");
}

#[test]
fn json_escapes_and_surrogate_pairs_decode() {
    let text = r#"{"A":"tab\there \"q\" \\ \/ \u00e9 \ud83d\ude00 \n"}"#;
    let parsed = parse_json(text).expect("valid");
    assert_eq!(
        parsed.entries[0].value.as_deref(),
        Some("tab\there \"q\" \\ / é 😀 \n")
    );
    assert_eq!(parse_json("{}").expect("valid").entries, Vec::new());
    assert_eq!(parse_json(" { } \n").expect("valid").entries, Vec::new());
}

#[test]
fn truncated_json_says_where() {
    let text = fixture("json.json");
    let cut = &text[..text.find("\"DEBUG\"").expect("DEBUG in sample") + 9];
    let error = parse_json(cut).expect_err("truncated");
    let message = error.to_string();
    assert!(message.starts_with("invalid JSON: "), "{message}");
    assert!(message.contains("truncated"), "{message}");
    assert!(matches!(error, RailwayError::InvalidJson { .. }));
    // The place is the span's, given once by whoever names the file.
    assert_eq!(line_col(cut, error.span().start).0, 6);
    assert!(!message.contains("line 6"), "{message}");

    let message = parse_json(r#"{"A": "unclosed"#)
        .expect_err("open string")
        .to_string();
    assert!(message.contains("ends inside the string"), "{message}");
    // Where the unclosed string starts, which is not where the error is (the end of the text).
    assert!(message.contains("line 1, column 7"), "{message}");
}

#[test]
fn json_value_that_is_not_a_string_is_named() {
    let error = parse_json("{\n  \"PORT\": 8080\n}").expect_err("a number");
    assert_eq!(error.to_string(), "`PORT` is a number, expected a string");
    assert_eq!(error.span(), 12..16);

    let message = parse_json(r#"{"A": "x", "NESTED": {"B": "c"}}"#)
        .expect_err("nested object")
        .to_string();
    assert!(
        message.starts_with("`NESTED` is an object, expected a string"),
        "{message}"
    );
    for (text, kind) in [
        (r#"{"A": ["x"]}"#, "an array"),
        (r#"{"A": true}"#, "a boolean"),
        (r#"{"A": null}"#, "null"),
    ] {
        let message = parse_json(text).expect_err(kind).to_string();
        assert!(message.starts_with(&format!("`A` is {kind}")), "{message}");
    }
}

#[test]
fn json_top_level_must_be_an_object() {
    let message = parse_json(r#"[{"A": "b"}]"#)
        .expect_err("array")
        .to_string();
    assert_eq!(
        message,
        "the JSON text is an array, expected an object of variables"
    );
    let message = parse_json("").expect_err("empty").to_string();
    assert!(message.contains("empty"), "{message}");
}

#[test]
fn json_syntax_errors_are_clear() {
    for (text, needle) in [
        (r#"{"A": "b",}"#, "trailing comma"),
        (r#"{"A" "b"}"#, "expected `:` after the key `A`"),
        (r#"{"A": "b" "C": "d"}"#, "expected `,` or `}`"),
        (r#"{"A": "b"} extra"#, "text after the end"),
        (r#"{A: "b"}"#, "expected a key in double quotes"),
        (r#"{"A": "\x"}"#, "invalid escape"),
        (r#"{"A": "\ud83d"}"#, "unpaired surrogate"),
        (r#"{"A": "\ude00"}"#, "unpaired surrogate"),
        (r#"{"A": "\u12"}"#, "four hex digits"),
        ("{\"A\": \"line\nbreak\"}", "line break inside a string"),
        (r#"{"A": value}"#, "the value of `A` is not valid JSON"),
        ("API_KEY=x", "expected a JSON object starting with `{`"),
    ] {
        let message = parse_json(text).expect_err(text).to_string();
        assert!(message.contains(needle), "{text}: {message}");
    }
}

#[test]
fn json_error_never_shows_a_value() {
    let message = parse_json(r#"{"API_SECRET_KEY": "hunter2-secret", "PORT": 5}"#)
        .expect_err("number")
        .to_string();
    assert!(!message.contains("hunter2"), "{message}");
}

#[test]
fn kv_sample_reads_exactly() {
    let text = fixture("kv.txt");
    let parsed = parse_kv(&text);
    assert_eq!(variables(&parsed), expected_variables());
    assert_spans_hold(&text, &parsed);
    assert!(parsed.errors.is_empty());

    assert_eq!(parsed.notices.len(), 1);
    let notice = &parsed.notices[0];
    assert_eq!(notice.rule, KV_LOSSY_RULE);
    assert!(
        notice.message.contains("JWT_PRIVATE_KEY"),
        "{}",
        notice.message
    );
    assert!(notice.message.contains("--json"), "{}", notice.message);
    assert!(text[notice.span.clone()].starts_with("JWT_PRIVATE_KEY=-----BEGIN"));
    assert!(text[notice.span.clone()].ends_with("-----END PRIVATE KEY-----"));
}

#[test]
fn kv_with_crlf_line_breaks_reads_the_same() {
    let text = fixture("kv.txt").replace('\n', "\r\n");
    let parsed = parse_kv(&text);
    assert_eq!(variables(&parsed), expected_variables());
    assert_spans_hold(&text, &parsed);
}

#[test]
fn kv_base64_line_inside_a_pem_is_not_a_key() {
    // The last body line reads as `KEY==`, and as a key it would even sort after JWT_PRIVATE_KEY:
    // a greedy reader would end the PEM there and lose PORT into a fake variable.
    let text = "\
API_KEY=abc
JWT_PRIVATE_KEY=-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj
Xo6aGe5tR2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvufGh==
-----END PRIVATE KEY-----
PORT=8080
";
    let parsed = parse_kv(text);
    let got = variables(&parsed);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got["API_KEY"], "abc");
    assert!(got["JWT_PRIVATE_KEY"].contains("\nXo6aGe5t"));
    assert!(got["JWT_PRIVATE_KEY"].ends_with("fGh==\n-----END PRIVATE KEY-----"));
    assert_eq!(got["PORT"], "8080");
    assert_spans_hold(text, &parsed);
    assert_eq!(parsed.notices.len(), 1);
    assert!(
        parsed.notices[0]
            .message
            .contains("1 value spans several lines (JWT_PRIVATE_KEY)")
    );
}

#[test]
fn kv_look_alike_key_out_of_order_is_not_a_key() {
    // `Zed=...` inside a value sorts after every real key that follows it: the longest run
    // of increasing keys leaves it inside the value.
    let text = "A_URL=first line\nZed=not a key\nB_PORT=1\nC_HOST=x\n";
    let parsed = parse_kv(text);
    let got = variables(&parsed);
    assert_eq!(got["A_URL"], "first line\nZed=not a key");
    assert_eq!(got["B_PORT"], "1");
    assert_eq!(got["C_HOST"], "x");
    assert_eq!(got.len(), 3);
}

#[test]
fn kv_keys_out_of_order_cannot_all_start_variables() {
    let text = "B=1\nA=2\nC=3";
    let parsed = parse_kv(text);
    let got = variables(&parsed);
    assert_eq!(got.len(), 2);
    assert_eq!(got["B"], "1\nA=2");
    assert_eq!(got["C"], "3");
    let b = &parsed.entries[0];
    assert_eq!(&text[b.value_span.clone().expect("value")], "1\nA=2");
    assert_eq!(&text[b.statement_span.clone()], "B=1\nA=2");
    assert_eq!(parsed.notices.len(), 1);
    assert_eq!(parsed.notices[0].rule, KV_LOSSY_RULE);
}

#[test]
fn kv_values_are_literal() {
    let text = "A=\"quoted\" # not a comment ${NOT_EXPANDED}\nB= spaced \nC=\n";
    let got = variables(&parse_kv(text));
    assert_eq!(got["A"], "\"quoted\" # not a comment ${NOT_EXPANDED}");
    assert_eq!(got["B"], " spaced ");
    assert_eq!(got["C"], "");
    // Only the file's final line break is dropped: a value ending in a newline keeps it.
    let got = variables(&parse_kv("A=x\n\n"));
    assert_eq!(got["A"], "x\n");
}

#[test]
fn kv_text_before_the_first_key_is_a_syntax_error() {
    let text = "Variables for api:\nA=1\n";
    let parsed = parse_kv(text);
    assert_eq!(variables(&parsed)["A"], "1");
    assert_eq!(parsed.errors.len(), 1);
    assert_eq!(&text[parsed.errors[0].span.clone()], "Variables for api:");
    assert!(parsed.errors[0].message.contains("before the first"));

    let parsed = parse_kv("no assignment here\n");
    assert!(parsed.entries.is_empty());
    assert_eq!(parsed.errors.len(), 1);
    assert!(parse_kv("").entries.is_empty());
    assert!(parse_kv("").errors.is_empty());
}

#[test]
fn large_inputs_are_read_quickly() {
    // Quadratic work on these would take minutes; linear work takes well under a second.
    let keys: Vec<String> = (0..40_000).map(|index| format!("KEY_{index:06}")).collect();
    let mut kv = String::new();
    let mut json = String::from("{");
    for (index, key) in keys.iter().enumerate() {
        // Every other value runs over a second line that looks like an out-of-order key.
        if index % 2 == 0 {
            kv.push_str(&format!("{key}=value\nA_{index}=continued\n"));
        } else {
            kv.push_str(&format!("{key}=value\n"));
        }
        if index > 0 {
            json.push(',');
        }
        json.push_str(&format!("\"{key}\":\"value \\u00e9\""));
    }
    json.push('}');
    let parsed = parse_kv(&kv);
    assert_eq!(parsed.entries.len(), keys.len());
    assert_eq!(
        parsed.entries[0].value.as_deref(),
        Some("value\nA_0=continued")
    );
    let parsed = parse_json(&json).expect("valid");
    assert_eq!(parsed.entries.len(), keys.len());

    let row = format!("║ {:<10} │ {:<65} ║\n", "", "x".repeat(65));
    let mut table = format!(
        "╔{}╗\n║ {:<10} │ {:<65} ║\n",
        "═".repeat(78),
        "BIG",
        "x".repeat(65)
    );
    for _ in 0..40_000 {
        table.push_str(&row);
    }
    table.push_str(&format!("╚{}╝\n", "═".repeat(78)));
    let parsed = parse_table(&table).expect("valid");
    assert_eq!(parsed.entries.len(), 1);
    assert_eq!(
        parsed.entries[0].value.as_ref().map(String::len),
        Some(65 * 40_001)
    );
}

fn table_checks(name: &str) {
    let text = fixture(name);
    let parsed = parse_table(&text).expect("the sample is a well-formed table");
    let expected = expected_variables();
    let got = variables(&parsed);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    assert_spans_hold(&text, &parsed);

    // Every single-line value without spaces must come back exactly.
    for (key, value) in &expected {
        if !value.contains(' ') && !value.contains('\n') {
            assert_eq!(got.get(key), Some(value), "{name}: {key}");
        }
    }
    // And with the wrapping rules, so must these wrapped ones (and the PEM key, thanks to
    // the newline rules).
    for key in [
        "DATABASE_URL",
        "REDIS_URL",
        "SENTRY_DSN",
        "CORS_ORIGINS",
        "APP_TAGLINE",
        "API_SECRET_KEY",
        "JWT_PRIVATE_KEY",
    ] {
        assert_eq!(got.get(key), expected.get(key), "{name}: {key}");
    }
    // In fact the sample comes back whole.
    assert_eq!(got, expected, "{name}");

    assert_eq!(parsed.notices.len(), 1);
    let notice = &parsed.notices[0];
    assert_eq!(notice.rule, TABLE_LOSSY_RULE);
    assert!(notice.message.contains("--json"), "{}", notice.message);
    assert!(text[notice.span.clone()].contains("Variables for api"));
}

#[test]
fn table_sample_reads_back() {
    table_checks("table.txt");
}

#[test]
fn coloured_table_sample_reads_back_with_spans_into_the_coloured_text() {
    table_checks("table.ansi.txt");
    let text = fixture("table.ansi.txt");
    let parsed = parse_table(&text).expect("valid");
    let database = parsed
        .entries
        .iter()
        .find(|entry| entry.key == "DATABASE_URL")
        .expect("in sample");
    let span = database.value_span.clone().expect("has a value");
    assert!(text[span.clone()].starts_with("postgresql://"));
    assert!(text[span].ends_with("s.railway.internal:5432/railway"));
}

#[test]
fn table_value_span_covers_every_row() {
    let text = fixture("table.txt");
    let parsed = parse_table(&text).expect("valid");
    let tagline = parsed
        .entries
        .iter()
        .find(|entry| entry.key == "APP_TAGLINE")
        .expect("in sample");
    let span = tagline.value_span.clone().expect("has a value");
    assert!(text[span.clone()].starts_with("Fast, friendly"));
    assert!(text[span].ends_with("instant rollbacks"));
    let empty = parsed
        .entries
        .iter()
        .find(|entry| entry.key == "EMPTY_OPTIONAL_TOKEN")
        .expect("in sample");
    assert_eq!(empty.value.as_deref(), Some(""));
    assert!(empty.value_span.clone().expect("has a value").is_empty());
}

/// The message of a broken table, after the line its span starts on: `line N: message`.
fn broken_table_message(text: &str) -> String {
    match parse_table(text) {
        Err(error @ RailwayError::BrokenTable { .. }) => {
            let message = error.to_string();
            assert!(
                !message.contains("line"),
                "the place is said once: {message}"
            );
            format!("line {}: {message}", line_col(text, error.span().start).0)
        }
        other => panic!("expected a broken table, got {other:?}"),
    }
}

#[test]
fn broken_table_frames_are_reported_with_their_line() {
    let text = fixture("table.txt");
    let lines: Vec<&str> = text.trim_end().lines().collect();

    let without_bottom = lines[..lines.len() - 1].join("\n");
    let message = broken_table_message(&without_bottom);
    assert!(message.contains("no bottom border"), "{message}");

    // A ragged row: the right border is missing on line 5.
    let mut ragged = lines.clone();
    let cut = ragged[4].trim_end_matches('║').trim_end().to_owned();
    ragged[4] = &cut;
    let message = broken_table_message(&ragged.join("\n"));
    assert!(message.starts_with("line 5:"), "{message}");
    assert!(message.contains("right border"), "{message}");

    // A row outside the box.
    let outside = format!("{text}║ EXTRA │ x ║\n");
    let message = broken_table_message(&outside);
    assert!(
        message.contains("text after the bottom border"),
        "{message}"
    );

    // A row one column short.
    let mut short = lines.clone();
    let shorter = short[1].replacen("  ║", " ║", 1);
    short[1] = &shorter;
    let message = broken_table_message(&short.join("\n"));
    assert!(message.starts_with("line 2:"), "{message}");
    assert!(message.contains("79 columns wide"), "{message}");

    // No top border.
    let message = broken_table_message(&lines[1..].join("\n"));
    assert!(message.contains("top border"), "{message}");

    // The column separator moved.
    let mut moved = lines.clone();
    let shifted = moved[3].replacen(" │ ", "│  ", 1);
    moved[3] = &shifted;
    let message = broken_table_message(&moved.join("\n"));
    assert!(message.starts_with("line 4:"), "{message}");
    assert!(message.contains("not in the same column"), "{message}");

    let message = broken_table_message("");
    assert!(message.contains("no table"), "{message}");
}

#[test]
fn a_narrow_table_was_not_wrapped_so_its_rows_are_newlines() {
    // Box of 36 columns: below the CLI's maximum, so the second row is a newline.
    let text = "\
╔═════════ Variables for api ══════╗
║ GREETING   │ hello               ║
║            │ world               ║
║──────────────────────────────────║
║ PATH_LIKE  │ a/                  ║
║            │ b                   ║
╚══════════════════════════════════╝
";
    let parsed = parse_table(text).expect("valid");
    let got = variables(&parsed);
    assert_eq!(got["GREETING"], "hello\nworld");
    assert_eq!(got["PATH_LIKE"], "a/\nb");
}

#[test]
fn every_truncation_of_the_samples_returns_without_panicking() {
    for name in ["table.txt", "table.ansi.txt", "json.json", "kv.txt"] {
        let text = fixture(name);
        for (cut, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let prefix = &text[..cut];
            let _ = detect(prefix);
            let _ = looks_like_kv(prefix);
            let _ = parse_kv(prefix);
            let table = parse_table(prefix);
            let json = parse_json(prefix);
            // Cut before its last closing character, a sample cannot be whole.
            if name == "json.json" && !prefix.contains('}') {
                assert!(json.is_err(), "{name} cut at {cut}");
            }
            if name.starts_with("table") && !prefix.contains('╝') {
                assert!(table.is_err(), "{name} cut at {cut}");
            }
            for error in json.err().into_iter().chain(table.err()) {
                let span = error.span();
                assert!(prefix.get(span).is_some(), "{name} cut at {cut}: {error}");
            }
        }
    }
}

#[test]
fn readers_do_not_panic_on_odd_bytes() {
    for text in [
        "\u{1b}",
        "\u{1b}[",
        "\u{1b}]8;;http://x",
        "╔",
        "╔╗\n╚╝",
        "╔══╗\n║ │ ║\n╚══╝",
        "╔══════╗\n║ A │ é ║\n╚══════╝",
        "{\"\\u",
        "{\"a\":\"\\ud800\\u",
        "{\"é\":1}",
        "{\"a\":-é}",
        "=\n==\n_=\n",
        "\r\n\r\n",
        "\r",
    ] {
        let _ = detect(text);
        let _ = railway::parse_kv(text);
        let _ = parse_table(text);
        let _ = parse_json(text);
    }
}

#[test]
fn errors_point_at_the_bytes_and_say_what_to_do() {
    // No snippet is rendered (the text may hold secrets): the span gives the caller the place,
    // and the help comes with the error, worded once for the CLI and library users alike.
    let text = "{\n  \"DEBUG\": \"false\",\n  \"PORT\": 8080\n}\n";
    let error = parse_json(text).expect_err("a number");
    assert_eq!(&text[error.span()], "8080");
    assert_eq!(line_col(text, error.span().start), (3, 11));
    assert!(error.help().contains("quote it"), "{}", error.help());

    let error = parse_table("╔══ Variables for api ══╗\n").expect_err("no bottom");
    assert!(error.help().contains("--json"), "{}", error.help());
}

#[test]
fn mangled_samples_never_panic_and_spans_stay_in_bounds() {
    // Deterministic xorshift; each round deletes, duplicates or swaps a few characters
    // (box-drawing characters are three bytes: a byte-indexing slip would panic here).
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound.max(1) as u64) as usize
    };
    for name in ["table.txt", "table.ansi.txt", "json.json", "kv.txt"] {
        let original: Vec<char> = fixture(name).chars().collect();
        for _ in 0..300 {
            let mut characters = original.clone();
            for _ in 0..1 + next(4) {
                let at = next(characters.len());
                match next(3) {
                    0 => {
                        characters.remove(at);
                    }
                    1 => characters.insert(at, characters[next(characters.len())]),
                    _ => {
                        let other = next(characters.len());
                        characters.swap(at, other);
                    }
                }
            }
            let text: String = characters.into_iter().collect();
            let _ = detect(&text);
            let _ = looks_like_kv(&text);
            let kv = parse_kv(&text);
            for entry in &kv.entries {
                assert!(text.get(entry.statement_span.clone()).is_some());
            }
            for result in [parse_table(&text), parse_json(&text)] {
                match result {
                    Ok(parsed) => assert_spans_hold(&text, &parsed),
                    Err(error) => assert!(text.get(error.span()).is_some(), "{error}"),
                }
            }
        }
    }
}
