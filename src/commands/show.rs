//! `show`: what python-dotenv's `dotenv_values` returns (across layers, with `--sources`).

use crate::cli::{ShowArgs, ShowFormat};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::inputs::Loader;
use crate::inputs::{Judging, load_units};
use crate::report::{escape_controls, is_hidden_control};
use crate::settings::configured_rules;
use crate::source::dotenv;
use crate::source::read::Reader;
use crate::streams::Streams;

pub fn run(args: ShowArgs, streams: &mut Streams, reader: &Reader) -> Result<ExitStatus, Error> {
    let (rules, reader) = configured_rules(
        &args.rules,
        Some(&args.path.iter().map(String::as_str).collect::<Vec<_>>()),
        reader,
    )?;
    let mut loader = Loader::new(&rules, streams.stdin, &reader);
    loader.interpolate = !args.no_interpolate;
    let paths: Vec<String> = match &args.path {
        Some(path) => vec![path.clone()],
        None if args.layers.any() || args.layers.process_env => Vec::new(),
        None => vec!["-".to_owned()],
    };
    let judging = Judging {
        explicit_profile: &|_| None,
        default_profile: None,
        example: None,
    };
    let units = load_units(&mut loader, &paths, &args.layers, &judging)?;
    let layers = units
        .into_iter()
        .next()
        .map(|unit| unit.layers)
        .unwrap_or_default();
    // python-dotenv returns a dict: a key keeps its first position and takes its last value.
    // Across layers, the later layer wins (pydantic-settings' precedence).
    let mut values: Vec<(String, Option<String>, String)> = Vec::new();
    let mut position: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for layer in &layers {
        let file = loader.sources.get(layer.source);
        for entry in &layer.parsed.entries {
            let origin = format!("{}:{}", file.name, file.line_of(entry.key_span.start));
            // A line of key material read as a key is named masked, `--reveal` or not.
            let key = loader.redactor.shown_key(entry, file);
            let value = if args.reveal {
                entry.value.clone()
            } else {
                // A secret's value copied under an innocent name, or interpolated into another
                // value, is still the secret.
                loader.redactor.shown(entry, rules.is_secret(&entry.key))
            };
            match position.get(&key) {
                Some(&index) => {
                    values[index].1 = value;
                    values[index].2 = origin;
                }
                None => {
                    position.insert(key.clone(), values.len());
                    values.push((key, value, origin));
                }
            }
        }
    }
    let out = &mut *streams.stdout;
    match (args.format, args.sources) {
        (ShowFormat::Json, false) => {
            let mut map = serde_json::Map::new();
            for (key, value, _) in values {
                map.insert(
                    key,
                    value.map_or(serde_json::Value::Null, serde_json::Value::String),
                );
            }
            crate::report::json::write_pretty(out, &serde_json::Value::Object(map))?;
        }
        (ShowFormat::Json, true) => {
            let mut map = serde_json::Map::new();
            for (key, value, origin) in values {
                map.insert(key, serde_json::json!({ "value": value, "source": origin }));
            }
            crate::report::json::write_pretty(out, &serde_json::Value::Object(map))?;
        }
        (ShowFormat::Dotenv, sources) => {
            for (key, value, origin) in values {
                if sources {
                    writeln!(out, "# from {}", escape_controls(&origin))?;
                }
                let (line, lossy) = dotenv_assignment(&key, value.as_deref());
                if lossy {
                    writeln!(
                        out,
                        "# control characters python-dotenv cannot quote, shown as \\u{{..}}: \
                         this line does not read back to the same value"
                    )?;
                }
                writeln!(out, "{line}")?;
            }
        }
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// One line (or, for a multi-line value, statement) of `show --format dotenv`, and whether it
/// is lossy: `KEY` for a key without a value, else `KEY=` and the value quoted so that
/// python-dotenv (without interpolation) reads it back unchanged.
///
/// A key python-dotenv would not read back unquoted (`'my key'`, `'a=b'`) is single-quoted,
/// as it was written. A key holding `'` cannot be quoted and is written as it is: python-dotenv
/// reads it back unless it also holds a blank, `=` or `#` (only Railway's can), or starts with a
/// BOM and comes first. A control character in a key is shown escaped ([`escape_controls`]),
/// which makes the line lossy, as one in a value without an escape of python-dotenv's does
/// ([`dotenv_quote`]).
pub fn dotenv_assignment(key: &str, value: Option<&str>) -> (String, bool) {
    let mut lossy = key.chars().any(is_hidden_control);
    let key = escape_controls(key);
    let key = if dotenv::is_unquoted_key(&key) || key.contains('\'') {
        key.into_owned()
    } else {
        format!("'{key}'")
    };
    match value {
        None => (key, lossy),
        Some(value) => {
            let (value, value_lossy) = dotenv_quote(value);
            lossy |= value_lossy;
            (format!("{key}={value}"), lossy)
        }
    }
}

/// The value quoted for a .env line, and whether it is lossy.
///
/// Single quotes when python-dotenv reads them back unchanged (no `'`, `\` or control
/// character, `\r` among them, which it reads as a line break), else double quotes with
/// python-dotenv's escapes (`\a \b \f \n \r \t \v` among them). A control character
/// python-dotenv has no escape for (ESC, DEL, the other C0 and C1 controls, bidirectional
/// overrides) is not written raw, which would reach the terminal, but as `\u{1b}`
/// ([`escape_controls`]), which python-dotenv reads as those six characters: the value is then
/// lossy. `$` is escaped by neither quoting, so `${` stays literal only with `--no-interpolate`
/// on the reading side; show it as it is.
fn dotenv_quote(value: &str) -> (String, bool) {
    if !value.contains(['\'', '\\']) && !value.chars().any(is_hidden_control) {
        return (format!("'{value}'"), false);
    }
    let mut quoted = String::from("\"");
    let mut lossy = false;
    for c in value.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            '\u{7}' => quoted.push_str("\\a"),
            '\u{8}' => quoted.push_str("\\b"),
            '\u{b}' => quoted.push_str("\\v"),
            '\u{c}' => quoted.push_str("\\f"),
            c if is_hidden_control(c) => {
                quoted.extend(c.escape_unicode());
                lossy = true;
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    (quoted, lossy)
}
