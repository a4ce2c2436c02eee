//! `show`: what python-dotenv's `dotenv_values` returns (across layers, with `--sources`).

use crate::cli::{ShowArgs, ShowFormat};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::inputs::Loader;
use crate::inputs::load_units;
use crate::settings::configured_rules;
use crate::source::dotenv;
use crate::streams::Streams;

pub fn run(args: ShowArgs, streams: &mut Streams) -> Result<ExitStatus, Error> {
    let rules = configured_rules(
        &args.rules,
        Some(&args.path.iter().map(String::as_str).collect::<Vec<_>>()),
    )?;
    let mut loader = Loader::new(&rules, streams.stdin);
    loader.interpolate = !args.no_interpolate;
    let paths: Vec<String> = match &args.path {
        Some(path) => vec![path.clone()],
        None if args.layers.any() || args.layers.process_env => Vec::new(),
        None => vec!["-".to_owned()],
    };
    let units = load_units(&mut loader, &paths, &args.layers, &|_| None, None, None)?;
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
            match position.get(&entry.key) {
                Some(&index) => {
                    values[index].1 = entry.value.clone();
                    values[index].2 = origin;
                }
                None => {
                    position.insert(entry.key.clone(), values.len());
                    values.push((entry.key.clone(), entry.value.clone(), origin));
                }
            }
        }
    }
    if !args.reveal {
        for (key, value, _) in &mut values {
            if let Some(text) = value {
                // A secret's value copied under an innocent name is still the secret.
                *text = loader.redactor.shown(text, rules.is_secret(key));
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
            serde_json::to_writer_pretty(&mut *out, &serde_json::Value::Object(map))
                .map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        (ShowFormat::Json, true) => {
            let mut map = serde_json::Map::new();
            for (key, value, origin) in values {
                map.insert(key, serde_json::json!({ "value": value, "source": origin }));
            }
            serde_json::to_writer_pretty(&mut *out, &serde_json::Value::Object(map))
                .map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        (ShowFormat::Dotenv, sources) => {
            for (key, value, origin) in values {
                if sources {
                    writeln!(out, "# from {origin}")?;
                }
                writeln!(out, "{}", dotenv_assignment(&key, value.as_deref()))?;
            }
        }
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// One line (or, for a multi-line value, statement) of `show --format dotenv`: `KEY` for a key
/// without a value, else `KEY=` and the value quoted so that python-dotenv (without
/// interpolation) reads it back unchanged.
///
/// A key python-dotenv would not read back unquoted (`'my key'`, `'a=b'`) is single-quoted,
/// as it was written. A key holding `'` cannot be quoted and is written as it is: python-dotenv
/// reads it back unless it also holds a blank, `=` or `#` (only Railway's can), or starts with a
/// BOM and comes first.
pub fn dotenv_assignment(key: &str, value: Option<&str>) -> String {
    let key = if dotenv::is_unquoted_key(key) || key.contains('\'') {
        key.to_owned()
    } else {
        format!("'{key}'")
    };
    match value {
        None => key,
        Some(value) => format!("{key}={}", dotenv_quote(value)),
    }
}

/// Single quotes when python-dotenv reads them back unchanged (no `'` or `\`, and no `\r`,
/// which it reads as a line break), else double quotes with escapes. `$` is escaped by neither,
/// so `${` stays literal only with `--no-interpolate` on the reading side; show it as it is.
fn dotenv_quote(value: &str) -> String {
    if !value.contains(['\'', '\\', '\r']) {
        return format!("'{value}'");
    }
    let mut quoted = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}
