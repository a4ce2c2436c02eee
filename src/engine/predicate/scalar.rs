//! Scalar predicates: equality, lists of allowed or forbidden values, patterns, and pydantic's
//! rules for booleans and integers (what the settings class accepts, not what looks right).

use crate::rules::Pattern;

use super::{Judged, Problem};

pub(super) fn judge_equals(expected: &str, case_sensitive: bool, judged: &Judged) -> Vec<Problem> {
    if same(judged.value, expected, case_sensitive) {
        return Vec::new();
    }
    let (name, shown) = (&judged.name, &judged.shown);
    vec![Problem::new(format!(
        "`{name}` is `{shown}`, expected `{expected}`"
    ))]
}

pub(super) fn judge_one_of(
    values: &[String],
    case_sensitive: bool,
    judged: &Judged,
) -> Vec<Problem> {
    if values.iter().any(|v| same(judged.value, v, case_sensitive)) {
        return Vec::new();
    }
    let (name, shown) = (&judged.name, &judged.shown);
    vec![Problem::new(format!(
        "`{name}` is `{shown}`, expected one of {}",
        values.join(", ")
    ))]
}

pub(super) fn judge_none_of(
    values: &[String],
    case_sensitive: bool,
    judged: &Judged,
) -> Vec<Problem> {
    if !values.iter().any(|v| same(judged.value, v, case_sensitive)) {
        return Vec::new();
    }
    let (name, shown) = (&judged.name, &judged.shown);
    vec![Problem::new(format!("`{name}` is `{shown}`"))]
}

pub(super) fn judge_bool(is: Option<bool>, judged: &Judged) -> Vec<Problem> {
    let (name, shown) = (&judged.name, &judged.shown);
    match (parse_bool(judged.value), is) {
        (None, None) => vec![Problem::new(format!(
            "`{name}` is `{shown}`, which pydantic does not accept as a boolean (true: 1 on t true y yes; false: 0 off f false n no)"
        ))],
        (Some(parsed), Some(expected)) if parsed != expected => {
            vec![Problem::new(format!("`{name}` is `{shown}` ({parsed})"))]
        }
        // Not a boolean, but this check only asks for a value (`invalid-boolean` judges the
        // form); or a boolean that is what is asked for.
        (None, Some(_)) | (Some(_), _) => Vec::new(),
    }
}

pub(super) fn judge_int(min: Option<i64>, max: Option<i64>, judged: &Judged) -> Vec<Problem> {
    let (name, shown) = (&judged.name, &judged.shown);
    match parse_int(judged.value) {
        None if min.is_none() && max.is_none() => vec![Problem::new(format!(
            "`{name}` is `{shown}`, which pydantic does not accept as an integer"
        ))],
        // A bounds check leaves the form to `invalid-integer`.
        None => Vec::new(),
        Some(number) => {
            let low = min.is_some_and(|m| number < i128::from(m));
            let high = max.is_some_and(|m| number > i128::from(m));
            if !(low || high) {
                return Vec::new();
            }
            let bound = match (min, max) {
                (Some(lo), Some(hi)) => format!("outside {lo}..{hi}"),
                (Some(lo), None) => format!("below the minimum of {lo}"),
                (None, Some(hi)) => format!("above the maximum of {hi}"),
                (None, None) => String::new(),
            };
            let number = judged.shown_piece(&number.to_string());
            vec![Problem::new(format!("`{name}` is {number}, {bound}"))]
        }
    }
}

/// `matches` (`want_match`) or `not-matches`.
pub(super) fn judge_matches(pattern: &Pattern, want_match: bool, judged: &Judged) -> Vec<Problem> {
    if pattern.is_match(judged.value) == want_match {
        return Vec::new();
    }
    let name = &judged.name;
    let verb = if want_match {
        "does not match"
    } else {
        "matches"
    };
    vec![Problem::new(format!(
        "`{name}` {verb} `{}`",
        pattern.as_str()
    ))]
}

fn same(a: &str, b: &str, case_sensitive: bool) -> bool {
    if case_sensitive {
        a == b
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

/// pydantic's string-to-bool rules (case-insensitive).
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.to_lowercase().as_str() {
        "1" | "on" | "t" | "true" | "y" | "yes" => Some(true),
        "0" | "off" | "f" | "false" | "n" | "no" => Some(false),
        _ => None,
    }
}

/// pydantic's (lax) string-to-int rules: surrounding whitespace, a sign, `_` between digits,
/// and a fractional part of zeros (`8080.0`) are accepted; hex, spaces inside, exponents are not.
pub fn parse_int(value: &str) -> Option<i128> {
    let text = value.trim();
    let (negative, text) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (integer, fraction) = match text.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (text, None),
    };
    if let Some(fraction) = fraction {
        if fraction.is_empty() || !fraction.bytes().all(|b| b == b'0') {
            return None;
        }
    }
    if integer.is_empty()
        || integer.starts_with('_')
        || integer.ends_with('_')
        || integer.contains("__")
    {
        return None;
    }
    if !integer.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    let digits: String = integer.chars().filter(|c| *c != '_').collect();
    let number = digits.parse::<i128>().unwrap_or(i128::MAX);
    Some(if negative { -number } else { number })
}

/// Names that mean production, in the spellings applications use for it.
const PRODUCTION_NAMES: &[&str] = &["production", "prod", "prd", "live"];

/// Names that mean "not production" in any application.
const DEVELOPMENT_NAMES: &[&str] = &[
    "development",
    "develop",
    "dev",
    "local",
    "test",
    "testing",
    "debug",
    "staging",
    "stage",
    "sandbox",
    "qa",
];

/// What the application treats as production, for one environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Production {
    /// This value: the configuration's `production-value`, or the field's `Literal`/`Enum`
    /// member that names production.
    Value(String),
    /// Not known (a plain string): only development names are flagged.
    Unknown,
    /// The field's values name no production environment (a development switch such as
    /// `Literal["development"] | None`): nothing to expect.
    NoneAccepted,
}

pub fn production_value(configured: Option<&str>, choices: Option<&[String]>) -> Production {
    if let Some(value) = configured {
        return Production::Value(value.to_owned());
    }
    match choices {
        None => Production::Unknown,
        Some(choices) => choices
            .iter()
            .find(|choice| PRODUCTION_NAMES.contains(&choice.to_ascii_lowercase().as_str()))
            .map_or(Production::NoneAccepted, |choice| {
                Production::Value(choice.clone())
            }),
    }
}

pub(super) fn judge_production(judged: &Judged) -> Vec<Problem> {
    let choices = judged.variable.and_then(|v| v.choices.as_deref());
    let expected = production_value(judged.app.production_value.as_deref(), choices);
    let (name, shown) = (&judged.name, &judged.shown);
    match expected {
        Production::NoneAccepted => Vec::new(),
        Production::Value(expected) if judged.value == expected => Vec::new(),
        Production::Value(expected) => {
            let mut problem = Problem::new(format!(
                "`{name}` is `{shown}`; the application's production value is `{expected}`"
            ));
            problem.suggestion = Some(format!("`{name}={expected}`"));
            vec![problem]
        }
        Production::Unknown
            if DEVELOPMENT_NAMES.contains(&judged.value.to_ascii_lowercase().as_str()) =>
        {
            vec![Problem::new(format!(
                "`{name}` is `{shown}`, a name for a non-production environment"
            ))]
        }
        Production::Unknown => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pydantic_booleans() {
        for text in ["1", "on", "T", "true", "Y", "YES", "True"] {
            assert_eq!(parse_bool(text), Some(true), "{text}");
        }
        for text in ["0", "OFF", "f", "False", "n", "no"] {
            assert_eq!(parse_bool(text), Some(false), "{text}");
        }
        for text in ["", "2", "enabled", "truee", " true"] {
            assert_eq!(parse_bool(text), None, "{text}");
        }
    }

    #[test]
    fn pydantic_integers() {
        assert_eq!(parse_int("8080"), Some(8080));
        assert_eq!(parse_int("8_080"), Some(8080));
        assert_eq!(parse_int("8080.0"), Some(8080));
        assert_eq!(parse_int(" -5 "), Some(-5));
        for text in [
            "0x50", "80 80", "8080.5", "1e3", "", "_80", "8__0", "ten", "8080.",
        ] {
            assert_eq!(parse_int(text), None, "{text}");
        }
    }
}
