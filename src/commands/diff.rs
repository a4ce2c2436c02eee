//! `diff A B`: two configurations of any formats, compared key by key.

use std::collections::BTreeMap;

use crate::cli::{DiffArgs, ListFormat};
use crate::engine::Layer;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::inputs::Loader;
use crate::report::escape_controls;
use crate::settings::configured_rules;
use crate::source::read::Reader;
use crate::streams::Streams;

pub fn run(args: DiffArgs, streams: &mut Streams, reader: &Reader) -> Result<ExitStatus, Error> {
    let (rules, reader) = configured_rules(
        &args.rules,
        Some(&[args.a.as_str(), args.b.as_str()]),
        reader,
    )?;
    let mut loader = Loader::new(&rules, streams.stdin, &reader);
    let format = crate::inputs::configuration_format(args.input_format)?;
    let a = loader.load(&args.a, format)?;
    let b = loader.load(&args.b, format)?;
    loader.mask_repeated_secrets();
    let normalize = |key: &str| {
        if rules.case_sensitive {
            key.to_owned()
        } else {
            key.to_lowercase()
        }
    };
    // Each key (as it may be named) with its value (compared) and the value as it may be shown.
    type Values = BTreeMap<String, (String, Option<String>, serde_json::Value)>;
    let values = |layer: &Layer| -> Values {
        let file = loader.sources.get(layer.source);
        layer
            .parsed
            .entries
            .iter()
            .map(|entry| {
                // A line of key material read as a key is named masked.
                let key = loader.redactor.shown_key(entry, file);
                // A secret's value is never shown; one copied under an innocent name or
                // interpolated into another value is masked there.
                let shown = if rules.is_secret(&entry.key) {
                    None
                } else {
                    loader.redactor.shown(entry, false)
                };
                let shown = shown.map_or(serde_json::Value::Null, serde_json::Value::String);
                (normalize(&key), (key, entry.value.clone(), shown))
            })
            .collect()
    };
    let (a_values, b_values) = (values(&a), values(&b));
    let only_a: Vec<&String> = a_values
        .iter()
        .filter(|(k, _)| !b_values.contains_key(*k))
        .map(|(_, (key, _, _))| key)
        .collect();
    let only_b: Vec<&String> = b_values
        .iter()
        .filter(|(k, _)| !a_values.contains_key(*k))
        .map(|(_, (key, _, _))| key)
        .collect();
    let mut different = Vec::new();
    for (normalized, (key, a_value, a_shown)) in &a_values {
        if let Some((_, b_value, b_shown)) = b_values.get(normalized) {
            if a_value != b_value {
                let secret = rules.is_secret(key);
                different.push((key, secret, a_shown, b_shown));
            }
        }
    }
    let (a_name, b_name) = (
        loader.sources.get(a.source).name.clone(),
        loader.sources.get(b.source).name.clone(),
    );
    let same = only_a.is_empty() && only_b.is_empty() && different.is_empty();
    let status = if same {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    };
    let write = |out: &mut dyn std::io::Write| -> Result<(), Error> {
        match args.format {
            ListFormat::Json => {
                let document = serde_json::json!({
                    "version": 1,
                    "a": a_name,
                    "b": b_name,
                    "only_in_a": only_a,
                    "only_in_b": only_b,
                    "different": different.iter().map(|(key, secret, a, b)| serde_json::json!({
                        "key": key, "secret": secret, "a": a, "b": b,
                    })).collect::<Vec<_>>(),
                });
                crate::report::json::write_pretty(out, &document)?;
            }
            ListFormat::Human => {
                // Keys, values and names as a terminal may show them.
                let (a_name, b_name) = (escape_controls(&a_name), escape_controls(&b_name));
                let only_a = only_a.iter().map(|key| escape_controls(key));
                let only_b = only_b.iter().map(|key| escape_controls(key));
                let (only_a, only_b): (Vec<_>, Vec<_>) = (only_a.collect(), only_b.collect());
                for key in &only_a {
                    writeln!(out, "- {key}  (only in {a_name})")?;
                }
                for key in &only_b {
                    writeln!(out, "+ {key}  (only in {b_name})")?;
                }
                for (key, secret, a_value, b_value) in &different {
                    let key = escape_controls(key);
                    if *secret {
                        writeln!(out, "~ {key}  (secret; the values differ)")?;
                    } else {
                        let text = |v: &serde_json::Value| {
                            v.as_str().map_or("(no value)".to_owned(), |s| {
                                format!("`{}`", escape_controls(s))
                            })
                        };
                        writeln!(out, "~ {key}  {} → {}", text(a_value), text(b_value))?;
                    }
                }
                let total = only_a.len() + only_b.len() + different.len();
                if total == 0 {
                    writeln!(
                        out,
                        "{a_name} and {b_name} define the same variables with the same values."
                    )?;
                } else {
                    writeln!(
                        out,
                        "{} only in {a_name}, {} only in {b_name}, {} with different values.",
                        only_a.len(),
                        only_b.len(),
                        different.len()
                    )?;
                }
            }
        }
        out.flush()?;
        Ok(())
    };
    match write(&mut *streams.stdout) {
        Ok(()) => Ok(status),
        // `diff` is a gate too: a reader that went away does not change the verdict.
        Err(error) if crate::pipeline::is_broken_pipe(&error) => Ok(status),
        Err(error) => Err(error),
    }
}
