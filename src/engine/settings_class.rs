//! What the application's own Settings class would reject, judged on the merged layers: keys of
//! its .env files that no field reads (`unknown-key`), and values its field types and
//! constraints refuse (`invalid-float`, `invalid-choice`, `invalid-json`, `invalid-url`,
//! `value-out-of-range`). Booleans, integers and required fields are the engine's typed rules'
//! (`invalid-boolean`, `invalid-integer`, `missing-required-variable`): the class's fields
//! become the rule set's variables (`rules::load`).
//!
//! Each behaviour follows pydantic-settings 2.16.3 as recorded by running it
//! (`fixtures/settings/`, `tests/settings_corpus.rs`), not as documented:
//! - Extra keys come from the env *files* only (the process environment is looked up field by
//!   field), and only keys with a non-empty value count. A key is read by a field when it equals
//!   one of the field's environment names, or, for a complex field (a model, list, set, tuple or
//!   dict), merely starts with one (the nested-delimiter form `DATABASE__HOST`).
//! - An empty value is a value (`''` is a valid `str`, not a valid `int`) unless
//!   `env_ignore_empty` makes it unset.
//! - A field the application validates itself (a before-, wrap- or plain validator, or a
//!   `model_validator(mode="before")`) gets no type finding: its code sees the raw text first.

use super::merged::{Effective, Layer, LayerKind, Merged};
use crate::appsettings::{
    AppSettings, Constraint, Extra, Field, FieldType, LiteralValue, Number, UrlType,
};
use crate::rules::{Raised, RuleId};
use crate::source::{Entry, SourceId, Span};

/// Every finding the class raises on one configuration.
pub fn check(app: &AppSettings, merged: &Merged, layers: &[Layer]) -> Vec<Raised> {
    let mut raised = unknown_keys(app, layers);
    raised.extend(nested_sub_keys(app, merged, layers));
    if !app.validated_by_app_all {
        for field in &app.fields {
            raised.extend(judge_field(app, merged, field));
        }
    }
    raised
}

fn normalize(app: &AppSettings, key: &str) -> String {
    if app.config.case_sensitive.value {
        key.to_owned()
    } else {
        key.to_lowercase()
    }
}

/// `unknown-key`: under `extra='forbid'`, each key of an env file that no field reads.
fn unknown_keys(app: &AppSettings, layers: &[Layer]) -> Vec<Raised> {
    // Names that cannot be known (an alias the reader could not evaluate, an alias generator)
    // would make any key a false positive.
    let extra = &app.config.extra;
    let names_known = app.fields.iter().all(|field| !field.env_names.is_empty());
    if !extra.is_known() || !names_known || app.config.alias_generator {
        return Vec::new();
    }
    let rule = match extra.value {
        Extra::Forbid => RuleId::UnknownKey,
        Extra::Ignore | Extra::Allow => RuleId::UnusedKey,
    };
    // What reads a key, worked out once rather than per key and field: the exact names; a
    // field's Python name, when the field has no alias (its lower-cased key reaches the model as
    // that field's input, prefix or not: corpus cases 009, 010, 036); and `FIELD<delimiter>` for
    // a complex field (without a delimiter such a key is extra: cases 021, 027).
    let delimiter = app.config.nested_delimiter();
    let mut exact = std::collections::HashSet::new();
    let mut python_names = std::collections::HashSet::new();
    let mut nested_prefixes = Vec::new();
    for field in &app.fields {
        let prefixed = normalize(
            app,
            &format!("{}{}", app.config.env_prefix.value, field.name),
        );
        if field.env_names.len() == 1 && field.env_names[0] == prefixed {
            python_names.insert(field.name.as_str());
        }
        for name in &field.env_names {
            let name = normalize(app, name);
            if let Some(delimiter) = delimiter.filter(|_| is_complex(&field.ty)) {
                nested_prefixes.push(format!("{name}{delimiter}"));
            }
            exact.insert(name);
        }
    }
    let read = |key: &str| {
        let normalized = normalize(app, key);
        exact.contains(&normalized)
            || python_names.contains(key.to_lowercase().as_str())
            || nested_prefixes
                .iter()
                .any(|prefix| normalized.starts_with(prefix.as_str()))
    };
    let upper: Vec<String> = app
        .fields
        .iter()
        .flat_map(|field| field.env_names.iter().map(|name| name.to_uppercase()))
        .collect();
    let candidates: Vec<&str> = upper.iter().map(String::as_str).collect();
    let mut raised = Vec::new();
    for layer in layers
        .iter()
        .filter(|layer| layer.kind == LayerKind::Dotenv)
    {
        for entry in &layer.parsed.entries {
            let empty = entry.value.as_deref().is_none_or(str::is_empty);
            if empty || read(&entry.key) {
                continue;
            }
            let message = if rule == RuleId::UnknownKey {
                format!(
                    "`{}` is read by no field of {}, which forbids extra keys: the application \
                     refuses to start (\"Extra inputs are not permitted\")",
                    entry.key, app.class_name
                )
            } else {
                format!(
                    "`{}` is read by no field of {}: the application ignores it",
                    entry.key, app.class_name
                )
            };
            let mut finding = Raised::new(rule, message, layer.source, entry.key_span.clone())
                .with_key(entry.key.clone());
            if let Some(near) = crate::suggest::closest(&entry.key.to_uppercase(), &candidates) {
                finding = finding.with_suggestion(format!("did you mean `{near}`?"));
            }
            raised.push(finding);
        }
    }
    raised
}

/// Delimiter sub-keys of a nested model (`DATABASE__PORT`), one level down: a key no sub-field
/// reads is `unknown-key` when the nested model forbids extras (a `BaseModel` ignores them by
/// default: corpus cases 026, 095), and a value is judged by the sub-field's type (booleans and
/// integers by the typed rules, as the sub-keys are variables too).
fn nested_sub_keys(app: &AppSettings, merged: &Merged, layers: &[Layer]) -> Vec<Raised> {
    let Some(delimiter) = app.config.nested_delimiter() else {
        return Vec::new();
    };
    let mut raised = Vec::new();
    for field in app.fields.iter().filter(|field| !field.validated_by_app) {
        let FieldType::Nested(model) = &field.ty else {
            continue;
        };
        // The sub-fields given in sub-keys, and where the first sub-key is.
        let mut given: Vec<String> = Vec::new();
        let mut first_sub_key: Option<(crate::source::SourceId, Span)> = None;
        let prefixes: Vec<String> = field
            .env_names
            .iter()
            .map(|parent| format!("{}{delimiter}", normalize(app, parent)))
            .collect();
        let json_form = field
            .env_names
            .iter()
            .any(|name| matches!(merged.effective(name), Effective::Set(_)));
        for layer in layers {
            for entry in &layer.parsed.entries {
                let Some(value) = entry.value.as_deref().filter(|value| !value.is_empty()) else {
                    continue;
                };
                let key = normalize(app, &entry.key);
                let Some(sub_key) = prefixes
                    .iter()
                    .find_map(|prefix| key.strip_prefix(prefix.as_str()))
                else {
                    continue;
                };
                let sub = model.fields.iter().find(|sub| {
                    sub.env_names
                        .iter()
                        .any(|name| normalize(app, name) == sub_key)
                });
                if let Some(sub) = sub {
                    given.push(sub.name.clone());
                }
                first_sub_key.get_or_insert((layer.source, entry.key_span.clone()));
                let span = match &entry.value_span {
                    Some(span) if !span.is_empty() => span.clone(),
                    _ => entry.key_span.clone(),
                };
                match sub {
                    None => {
                        let forbids = model.config.extra.is_known()
                            && model.config.extra.value == Extra::Forbid;
                        if forbids && layer.kind == LayerKind::Dotenv {
                            raised.push(
                                Raised::new(
                                    RuleId::UnknownKey,
                                    format!(
                                        "`{}` names no field of {}, which forbids extra keys: \
                                         the application refuses to start",
                                        entry.key, model.class_name
                                    ),
                                    layer.source,
                                    entry.key_span.clone(),
                                )
                                .with_key(entry.key.clone()),
                            );
                        }
                    }
                    Some(sub) if sub.validated_by_app || model.validated_by_app_all => {}
                    Some(sub) => {
                        let secret = sub.secret || merged.is_secret(&entry.key);
                        let shown = crate::secret::shown_value(value, secret, &entry.secret_ranges);
                        let problem = match judge_type(&sub.ty, value) {
                            Err((rule, why)) => Some((rule, why)),
                            Ok(parsed) => out_of_range(&sub.constraints, &parsed, value)
                                .map(|why| (RuleId::ValueOutOfRange, why)),
                        };
                        if let Some((rule, why)) = problem {
                            raised.push(
                                Raised::new(
                                    rule,
                                    format!("`{}` is `{shown}`, {why}", entry.key),
                                    layer.source,
                                    span,
                                )
                                .with_key(entry.key.clone()),
                            );
                        }
                    }
                }
            }
        }
        // A nested model built from sub-keys (or required and given no other way) needs its
        // required sub-fields (corpus case 026).
        if json_form || model.validated_by_app_all || (first_sub_key.is_none() && !field.required) {
            continue;
        }
        let (source, span) = first_sub_key.unwrap_or((merged.primary, 0..0));
        let parent = field
            .env_names
            .first()
            .map_or_else(|| field.name.to_uppercase(), |name| name.to_uppercase());
        for sub in model.fields.iter().filter(|sub| sub.required) {
            if given.contains(&sub.name) {
                continue;
            }
            let key = format!("{parent}{delimiter}{}", sub.name.to_uppercase());
            raised.push(
                Raised::new(
                    RuleId::MissingRequiredVariable,
                    format!(
                        "required variable `{key}` is not set: {} needs `{}`, and `{parent}` \
                         is not given as JSON",
                        model.class_name, sub.name
                    ),
                    source,
                    span.clone(),
                )
                .with_key(key),
            );
        }
    }
    raised
}

/// Does the type take any text as it is (`str`, or a union with it)?
fn accepts_any_text(ty: &FieldType) -> bool {
    match ty {
        FieldType::Str | FieldType::Unknown(_) => true,
        FieldType::Union(members) => members.iter().any(accepts_any_text),
        FieldType::Bytes
        | FieldType::Bool
        | FieldType::Int
        | FieldType::Float
        | FieldType::Literal(_)
        | FieldType::Enum { .. }
        | FieldType::List(_)
        | FieldType::Set(_)
        | FieldType::Tuple { .. }
        | FieldType::Dict { .. }
        | FieldType::Url(_)
        | FieldType::Email
        | FieldType::Path
        | FieldType::Timedelta
        | FieldType::Datetime
        | FieldType::Nested(_) => false,
    }
}

/// A type whose environment value is JSON, and whose keys may be nested under its name.
fn is_complex(ty: &FieldType) -> bool {
    match ty {
        FieldType::List(_)
        | FieldType::Set(_)
        | FieldType::Tuple { .. }
        | FieldType::Dict { .. }
        | FieldType::Nested(_) => true,
        FieldType::Union(members) => members.iter().any(is_complex),
        FieldType::Str
        | FieldType::Bytes
        | FieldType::Bool
        | FieldType::Int
        | FieldType::Float
        | FieldType::Literal(_)
        | FieldType::Enum { .. }
        | FieldType::Url(_)
        | FieldType::Email
        | FieldType::Path
        | FieldType::Timedelta
        | FieldType::Datetime
        | FieldType::Unknown(_) => false,
    }
}

/// The value a field takes from the layers: under its first environment name that is set
/// (pydantic-settings tries an `AliasChoices` in order), with the assignment's source.
fn value_of<'a>(merged: &Merged<'a>, field: &Field) -> Option<(&'a str, &'a Entry, SourceId)> {
    field
        .env_names
        .iter()
        .find_map(|name| match merged.effective(name) {
            Effective::Set(assignment) => assignment
                .entry
                .value
                .as_deref()
                .map(|value| (value, assignment.entry, assignment.source)),
            Effective::NoValue(_) | Effective::Default(_) | Effective::Absent => None,
        })
}

/// What a value turned out to be, for the constraints.
enum Parsed {
    Number(f64),
    /// A string of this many characters.
    Text(usize),
    /// A JSON list of this many items.
    Items(usize),
    /// Valid, with nothing a constraint could judge (or another rule's to judge).
    Other,
}

/// The type and constraint findings for one field.
fn judge_field(app: &AppSettings, merged: &Merged, field: &Field) -> Vec<Raised> {
    // pydantic-settings parses a complex field's value as JSON before any validator runs (case
    // 072): a before-validator spares only the other types, and a union with `str` keeps the
    // raw text (case 092).
    let json_first = is_complex(&field.ty) && !accepts_any_text(&field.ty);
    if field.validated_by_app && !json_first {
        return Vec::new();
    }
    let Some((value, entry, source)) = value_of(merged, field) else {
        return Vec::new();
    };
    if value.is_empty() && app.config.env_ignore_empty.value {
        return Vec::new();
    }
    if let Some(none) = app
        .config
        .env_parse_none_str
        .value
        .as_deref()
        .filter(|none| value == *none)
    {
        // `None`: refused by a required field that does not accept it (corpus case 031).
        if field.required && !field.optional {
            return vec![
                Raised::new(
                    RuleId::MissingRequiredVariable,
                    format!(
                        "required variable `{}` is `{none}`, which the application reads as \
                         None (env_parse_none_str), and the field does not accept None",
                        entry.key
                    ),
                    source,
                    entry.key_span.clone(),
                )
                .with_key(entry.key.clone()),
            ];
        }
        return Vec::new();
    }
    let secret = field.secret || merged.is_secret(&entry.key);
    let shown = crate::secret::shown_value(value, secret, &entry.secret_ranges);
    let key = &entry.key;
    let span: Span = match &entry.value_span {
        Some(span) if !span.is_empty() => span.clone(),
        _ => entry.key_span.clone(),
    };
    let raise = |rule: RuleId, message: String| {
        vec![Raised::new(rule, message, source, span.clone()).with_key(key.clone())]
    };
    let judged_type = if field.validated_by_app {
        // Only the JSON step, which comes before the application's validator.
        match serde_json::from_str::<serde_json::Value>(value) {
            Ok(_) => return Vec::new(),
            Err(_) => judge_type(&field.ty, value),
        }
    } else {
        judge_type(&field.ty, value)
    };
    let parsed = match judged_type {
        Ok(parsed) => parsed,
        Err((rule, why)) => return raise(rule, format!("`{key}` is `{shown}`, {why}")),
    };
    match out_of_range(&field.constraints, &parsed, value) {
        Some(why) => raise(
            RuleId::ValueOutOfRange,
            format!("`{key}` is `{shown}`, {why}"),
        ),
        None => Vec::new(),
    }
}

/// Does `value` pass the type? `Err` names the rule and says why not.
fn judge_type(ty: &FieldType, value: &str) -> Result<Parsed, (RuleId, String)> {
    match ty {
        FieldType::Str | FieldType::Bytes | FieldType::Path => {
            Ok(Parsed::Text(value.chars().count()))
        }
        FieldType::Email => {
            if is_email(value) {
                Ok(Parsed::Text(value.chars().count()))
            } else {
                Err((
                    RuleId::InvalidFormat,
                    "which is not an email address (`name@example.com`)".to_owned(),
                ))
            }
        }
        FieldType::Timedelta => {
            if is_duration(value) {
                Ok(Parsed::Other)
            } else {
                Err((
                    RuleId::InvalidFormat,
                    "which pydantic does not read as a duration: ISO 8601 (`PT1H`) or \
                     `[D days, ]HH:MM:SS`"
                        .to_owned(),
                ))
            }
        }
        // `invalid-boolean` and `invalid-integer` judge the form; the number feeds `ge`/`le`.
        FieldType::Bool => Ok(Parsed::Other),
        FieldType::Int => {
            Ok(super::parse_int(value)
                .map_or(Parsed::Other, |number| Parsed::Number(number as f64)))
        }
        FieldType::Datetime | FieldType::Unknown(_) => Ok(Parsed::Other),
        FieldType::Float => parse_float(value).map(Parsed::Number).ok_or_else(|| {
            (
                RuleId::InvalidFloat,
                "which pydantic does not accept as a number".to_owned(),
            )
        }),
        FieldType::Literal(choices) => choice(choices, value),
        FieldType::Enum { values, .. } => choice(values, value),
        FieldType::List(item) | FieldType::Set(item) => {
            match serde_json::from_str::<serde_json::Value>(value) {
                Ok(serde_json::Value::Array(items)) => {
                    if let Some(position) = items.iter().position(|json| !item_fits(item, json)) {
                        return Err((
                            RuleId::InvalidJson,
                            format!(
                                "whose item {} does not fit the field's item type",
                                position + 1
                            ),
                        ));
                    }
                    Ok(Parsed::Items(items.len()))
                }
                Ok(_) => Err((
                    RuleId::InvalidJson,
                    "which is JSON but not a list; pydantic-settings needs a JSON array".to_owned(),
                )),
                Err(_) => Err((
                    RuleId::InvalidJson,
                    "which is not JSON; pydantic-settings parses a list field's value as a JSON \
                     array"
                        .to_owned(),
                )),
            }
        }
        FieldType::Tuple { .. } => match serde_json::from_str::<serde_json::Value>(value) {
            Ok(serde_json::Value::Array(items)) => Ok(Parsed::Items(items.len())),
            Ok(_) => Err((
                RuleId::InvalidJson,
                "which is JSON but not a list; pydantic-settings needs a JSON array".to_owned(),
            )),
            Err(_) => Err((
                RuleId::InvalidJson,
                "which is not JSON; pydantic-settings parses a list field's value as a JSON \
                     array"
                    .to_owned(),
            )),
        },
        FieldType::Dict { .. } | FieldType::Nested(_) => {
            match serde_json::from_str::<serde_json::Value>(value) {
                Ok(serde_json::Value::Object(_)) => Ok(Parsed::Other),
                Ok(_) | Err(_) => Err((
                    RuleId::InvalidJson,
                    "which is not a JSON object; pydantic-settings parses this field's value as \
                     JSON"
                        .to_owned(),
                )),
            }
        }
        FieldType::Url(url) => judge_url(url, value).map(|()| Parsed::Other),
        FieldType::Union(members) => {
            let mut first_error = None;
            for member in members {
                match judge_type(member, value) {
                    Ok(parsed) => return Ok(parsed),
                    Err(error) => {
                        first_error.get_or_insert(error);
                    }
                }
            }
            // An empty union accepts anything the reader could not name.
            first_error.map_or(Ok(Parsed::Other), Err)
        }
    }
}

/// Does a JSON item fit a scalar item type, as pydantic's lax mode reads it? Other item types
/// are not judged.
fn item_fits(item: &FieldType, json: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (item, json) {
        (FieldType::Int, Value::Number(number)) => {
            number.is_i64() || number.is_u64() || number.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        (FieldType::Int, Value::String(text)) => super::parse_int(text).is_some(),
        (FieldType::Int, _) => false,
        (FieldType::Float, Value::Number(_)) => true,
        (FieldType::Float, Value::String(text)) => parse_float(text).is_some(),
        (FieldType::Float, _) => false,
        (FieldType::Bool, Value::Bool(_)) => true,
        (FieldType::Bool, Value::String(text)) => super::parse_bool(text).is_some(),
        (FieldType::Bool, Value::Number(number)) => {
            number.as_i64().is_some_and(|n| n == 0 || n == 1)
        }
        (FieldType::Bool, _) => false,
        (FieldType::Str, Value::String(_)) => true,
        (FieldType::Str, _) => false,
        (
            FieldType::Bytes
            | FieldType::Literal(_)
            | FieldType::Enum { .. }
            | FieldType::List(_)
            | FieldType::Set(_)
            | FieldType::Tuple { .. }
            | FieldType::Dict { .. }
            | FieldType::Url(_)
            | FieldType::Email
            | FieldType::Path
            | FieldType::Timedelta
            | FieldType::Datetime
            | FieldType::Nested(_)
            | FieldType::Union(_)
            | FieldType::Unknown(_),
            _,
        ) => true,
    }
}

/// One of a `Literal`'s or an `Enum`'s values (strings exactly, case included).
fn choice(choices: &[LiteralValue], value: &str) -> Result<Parsed, (RuleId, String)> {
    let matches = |choice: &LiteralValue| match choice {
        LiteralValue::Str(text) => text == value,
        LiteralValue::Int(number) => super::parse_int(value) == Some(i128::from(*number)),
        LiteralValue::Float(number) => parse_float(value) == Some(*number),
        LiteralValue::Bool(flag) => super::parse_bool(value) == Some(*flag),
        LiteralValue::None => false,
        // A value the reader did not evaluate could be anything.
        LiteralValue::Expression(_) => true,
    };
    if choices.iter().any(matches) {
        return Ok(Parsed::Text(value.chars().count()));
    }
    let accepted: Vec<String> = choices
        .iter()
        .map(|choice| match choice {
            LiteralValue::Str(text) => format!("`{text}`"),
            LiteralValue::Int(number) => format!("`{number}`"),
            LiteralValue::Float(number) => format!("`{number}`"),
            LiteralValue::Bool(flag) => format!("`{flag}`"),
            LiteralValue::None => "`None`".to_owned(),
            LiteralValue::Expression(text) => format!("`{text}`"),
        })
        .collect();
    Err((
        RuleId::InvalidChoice,
        format!("not one of {} (case included)", accepted.join(", ")),
    ))
}

fn judge_url(url_type: &UrlType, value: &str) -> Result<(), (RuleId, String)> {
    let invalid = |why: String| (RuleId::InvalidUrl, why);
    let url = url::Url::parse(value.trim())
        .map_err(|error| invalid(format!("which is not a URL ({error})")))?;
    let scheme = url.scheme();
    if !url_type.allowed_schemes.is_empty()
        && !url_type
            .allowed_schemes
            .iter()
            .any(|allowed| allowed == scheme)
    {
        return Err(invalid(format!(
            "whose scheme `{scheme}` {} does not accept (it takes {})",
            url_type.kind,
            url_type.allowed_schemes.join(", ")
        )));
    }
    // `RedisDsn` fills in `localhost` (its `default_host`) rather than refusing (case 065).
    if url_type.host_required
        && url_type.default_host.is_none()
        && url.host_str().is_none_or(str::is_empty)
    {
        return Err(invalid(format!(
            "which has no host, and {} needs one",
            url_type.kind
        )));
    }
    Ok(())
}

/// An email address as far as can be told without email-validator's full rules: one `@`, a
/// local part, and a domain of dot-separated labels. Lenient on purpose: what it rejects,
/// email-validator rejects too (corpus cases 067, 084).
fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains(char::is_whitespace)
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// A duration pydantic reads from a string: ISO 8601 (`P1DT2H`, `PT30M`) or `[-][D day[s],
/// ]HH:MM[:SS[.f]]`. Plain seconds (`3600`) and units (`1h`) are refused (case 070).
fn is_duration(value: &str) -> bool {
    static FORMS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?x)^\s*[-+]?(?:
                P(?:\d+(?:\.\d+)?[YMWD])*(?:T(?:\d+(?:\.\d+)?[HMS])+)?
              | (?:\d+\s*days?,?\s*)?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?
            )\s*$",
        )
        .expect("literal regex compiles")
    });
    value.trim() != "P" && FORMS.is_match(value)
}

/// pydantic's float from a string: surrounding whitespace, then a decimal or scientific
/// number, `inf` or `nan` (case-insensitive), as recorded in `fixtures/settings/`.
pub fn parse_float(value: &str) -> Option<f64> {
    value.trim().parse::<f64>().ok()
}

/// Why the parsed value breaks the field's constraints, if it does.
fn out_of_range(
    constraints: &crate::appsettings::Constraints,
    parsed: &Parsed,
    value: &str,
) -> Option<String> {
    let known_number = |constraint: &Option<Constraint<Number>>| match constraint {
        Some(Constraint::Known(Number::Int(number))) => Some(*number as f64),
        Some(Constraint::Known(Number::Float(number))) => Some(*number),
        Some(Constraint::Unknown(_)) | None => None,
    };
    let known_length = |constraint: &Option<Constraint<usize>>| match constraint {
        Some(Constraint::Known(length)) => Some(*length),
        Some(Constraint::Unknown(_)) | None => None,
    };
    match parsed {
        Parsed::Number(number) => {
            if let Some(ge) = known_number(&constraints.ge).filter(|ge| number < ge) {
                return Some(format!("below the minimum of {ge} (`ge`)"));
            }
            if let Some(gt) = known_number(&constraints.gt).filter(|gt| number <= gt) {
                return Some(format!("not above {gt} (`gt`)"));
            }
            if let Some(le) = known_number(&constraints.le).filter(|le| number > le) {
                return Some(format!("above the maximum of {le} (`le`)"));
            }
            if let Some(lt) = known_number(&constraints.lt).filter(|lt| number >= lt) {
                return Some(format!("not below {lt} (`lt`)"));
            }
            None
        }
        Parsed::Text(length) | Parsed::Items(length) => {
            let what = match parsed {
                Parsed::Items(_) => "items",
                Parsed::Text(_) | Parsed::Number(_) | Parsed::Other => "characters",
            };
            if let Some(min) = known_length(&constraints.min_length).filter(|min| length < min) {
                return Some(format!("{length} {what}, fewer than `min_length` {min}"));
            }
            if let Some(max) = known_length(&constraints.max_length).filter(|max| length > max) {
                return Some(format!("{length} {what}, more than `max_length` {max}"));
            }
            if let (Parsed::Text(_), Some(Constraint::Known(pattern))) =
                (parsed, &constraints.pattern)
            {
                // A Python pattern this regex engine cannot compile is not judged.
                if let Ok(regex) = regex::Regex::new(pattern) {
                    if !regex.is_match(value) {
                        return Some(format!("which does not match the `pattern` {pattern}"));
                    }
                }
            }
            None
        }
        Parsed::Other => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_pydantic_reads_them() {
        for text in [
            "PT1H",
            "P1DT2H30M",
            "PT0.5S",
            "01:00:00",
            "1:30",
            "2 days, 01:00:00",
        ] {
            assert!(is_duration(text), "{text}");
        }
        for text in ["3600", "1h", "P", "an hour", ""] {
            assert!(!is_duration(text), "{text}");
        }
    }

    #[test]
    fn email_addresses() {
        for text in ["admin@example.com", "a.b+c@mail.example.co.uk"] {
            assert!(is_email(text), "{text}");
        }
        for text in [
            "admin",
            "support@",
            "@example.com",
            "a b@example.com",
            "a@localhost",
        ] {
            assert!(!is_email(text), "{text}");
        }
    }

    #[test]
    fn floats_as_pydantic_reads_them() {
        assert_eq!(parse_float("1e3"), Some(1000.0));
        assert_eq!(parse_float(" .5 "), Some(0.5));
        assert!(parse_float("inf").is_some_and(f64::is_infinite));
        assert_eq!(parse_float("30s"), None);
    }
}
