//! Which shape a text is: `railway variables --json`, the table, `--kv`, or a .env file.
//!
//! Only the shape is looked at, never the meaning: a JSON object or a box is unmistakable, but
//! `--kv` output is also a valid .env file, so it is told apart by what the CLI always does and a
//! hand-written file rarely does (see [`looks_like_kv`]), and the user can override the guess.

use super::ansi::AnsiStripped;
use super::kv::kv_key;
use crate::source::InputFormat;

/// Guess the format of an input from its shape.
///
/// A JSON object (first non-whitespace character `{`) is `--json`; a box (first non-blank line,
/// after removing colour codes, starting with `╔`) is the table; anything else is dotenv. `--kv`
/// output looks like a dotenv file, so it is never guessed here: see [`looks_like_kv`].
pub fn detect(text: &str) -> InputFormat {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if body.trim_start().starts_with('{') {
        return InputFormat::RailwayJson;
    }
    // Colour codes are stripped line by line up to the first line with text: a large .env file
    // is not copied to find out that it starts with a key.
    let first_line = body
        .lines()
        .map(|line| AnsiStripped::new(line).text)
        .find(|line| !line.trim().is_empty());
    if first_line.is_some_and(|line| line.trim_start().starts_with('╔')) {
        InputFormat::RailwayTable
    } else {
        InputFormat::Dotenv
    }
}

/// Whether a text that [`detect`] calls dotenv is more likely `railway variables --kv` output.
///
/// The heuristic wants three things at once:
/// - a line setting one of the ids Railway injects into every service (`RAILWAY_PROJECT_ID=`,
///   `RAILWAY_ENVIRONMENT_ID=`, `RAILWAY_SERVICE_ID=`): hand-written .env files rarely carry them;
/// - no comment line and no `export ` line, which `--kv` never prints;
/// - the `KEY=` lines with conventional keys (no lowercase letter) strictly increasing, as the CLI
///   sorts its keys (lines with other keys may be inside multi-line values and are ignored).
///
/// A `--kv` output saved as `.env` and edited by hand fails it, which is fine: it is then a
/// dotenv file. The caller should still let the user override the guess.
pub fn looks_like_kv(text: &str) -> bool {
    const INJECTED_IDS: [&str; 3] = [
        "RAILWAY_PROJECT_ID=",
        "RAILWAY_ENVIRONMENT_ID=",
        "RAILWAY_SERVICE_ID=",
    ];
    let mut has_injected_id = false;
    let mut previous_key: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with("export ") {
            return false;
        }
        if INJECTED_IDS.iter().any(|id| line.starts_with(id)) {
            has_injected_id = true;
        }
        let Some(key) = kv_key(line) else { continue };
        if key.bytes().any(|byte| byte.is_ascii_lowercase()) {
            continue;
        }
        if previous_key.is_some_and(|previous| previous >= key) {
            return false;
        }
        previous_key = Some(key);
    }
    has_injected_id
}
