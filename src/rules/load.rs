//! Which rule files make up a run's rule set: the built-ins (or, under `--no-builtin`, the
//! built-in rules the program raises itself), then every `--rules` path and configured path.

use std::path::{Path, PathBuf};

use super::{EmptyValue, RuleSet, Variable, VariableType, builtin, validate};
use crate::appsettings::{AppSettings, FieldDefault, FieldType};
use crate::cli::RuleSources;
use crate::error::Error;
use crate::source::read;

/// Load the built-in rules, the application's Settings class as the schema, and every rule path
/// of `sources`.
///
/// `--no-builtin` drops the built-in checks but keeps the rules for findings the program raises
/// itself (probes, input readers, suppressions): without them a probe failure would have no
/// severity, and must not disappear from a gate.
pub fn load(sources: &RuleSources, app: Option<&AppSettings>) -> Result<RuleSet, Error> {
    let builtin = builtin::load()?;
    let mut set = if sources.no_builtin {
        builtin.raised_by_program()
    } else {
        builtin
    };
    if let Some(app) = app {
        use_settings_class(&mut set, app);
    }
    for path in &sources.rule_paths {
        for file in rule_files(path)? {
            let name = file.display().to_string();
            let text = read::read_path(&file)?;
            let (file_set, case_sensitive_set) = validate::load(&name, &text)?;
            set.extend(file_set, case_sensitive_set);
        }
    }
    Ok(set)
}

/// The application's Settings class replaces the hand-written schema of the example application
/// (`rules/app.toml`): no variable is required, defaulted or typed unless the class says so.
/// Each environment name a field is read from becomes a variable; the types the engine's rules
/// judge (`bool`, `int`) carry over, and a field the application validates itself (a before-
/// or wrap-validator) is a plain string, so no type rule judges it.
fn use_settings_class(set: &mut RuleSet, app: &AppSettings) {
    set.variables.clear();
    set.case_sensitive = app.config.case_sensitive.value;
    let empty = if app.config.env_ignore_empty.value {
        EmptyValue::Unset
    } else {
        EmptyValue::Value
    };
    let delimiter = app.config.nested_delimiter();
    let mut declare =
        |name: String, kind, required, default: Option<String>, secret, description| {
            set.variables.insert(
                name.clone(),
                Variable {
                    name,
                    kind,
                    required,
                    default,
                    secret,
                    description: Some(description),
                    empty,
                    none_text: app.config.env_parse_none_str.value.clone(),
                },
            );
        };
    for field in &app.fields {
        // A nested model's sub-fields, one level down, are variables of their own
        // (`DATABASE__PORT`), so that the typed rules judge them too (corpus case 022).
        if let (FieldType::Nested(model), Some(delimiter)) = (&field.ty, delimiter) {
            if !field.validated_by_app && !model.validated_by_app_all {
                for parent in &field.env_names {
                    for sub in &model.fields {
                        let kind = if sub.validated_by_app {
                            VariableType::String
                        } else {
                            variable_type(&sub.ty)
                        };
                        for sub_name in &sub.env_names {
                            declare(
                                format!("{parent}{delimiter}{sub_name}"),
                                kind,
                                false,
                                None,
                                sub.secret,
                                format!("{}.{}.{}", app.class_name, field.name, sub.name),
                            );
                        }
                    }
                }
            }
        }
        let kind = if field.validated_by_app || app.validated_by_app_all {
            VariableType::String
        } else {
            variable_type(&field.ty)
        };
        let default = match &field.default {
            Some(FieldDefault::Literal {
                value: Some(value), ..
            }) => value.as_env_text(),
            Some(FieldDefault::Literal { value: None, .. })
            | Some(FieldDefault::Expression(_))
            | Some(FieldDefault::Factory(_))
            | None => None,
        };
        // A field read under several names (AliasChoices) is missing only when all are; a
        // nested model may come in delimiter sub-keys (`DATABASE__HOST`); a class with a
        // model-level before-validator may fill fields in itself. None of these is judged by
        // the per-name `required` check.
        let several_names = field.env_names.len() > 1;
        let by_sub_keys = matches!(field.ty, FieldType::Nested(_)) && delimiter.is_some();
        let required =
            field.required && !several_names && !by_sub_keys && !app.validated_by_app_all;
        for name in &field.env_names {
            declare(
                name.clone(),
                kind,
                required,
                default.clone(),
                field.secret,
                format!(
                    "{}.{} ({}:{})",
                    app.class_name,
                    field.name,
                    field.declared_at.file.display(),
                    field.declared_at.line
                ),
            );
        }
    }
}

/// The variable type a field's type gives: the ones the engine's typed rules judge (`bool`,
/// `int`) carry over; the Settings-class checks judge the others.
fn variable_type(ty: &FieldType) -> VariableType {
    match ty {
        FieldType::Bool => VariableType::Bool,
        FieldType::Int => VariableType::Int,
        FieldType::Str
        | FieldType::Bytes
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
        | FieldType::Nested(_)
        | FieldType::Union(_)
        | FieldType::Unknown(_) => VariableType::String,
    }
}

/// A rule file, or the `*.toml` files of a directory in name order.
fn rule_files(path: &Path) -> Result<Vec<PathBuf>, Error> {
    if !path.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let entries = std::fs::read_dir(path).map_err(|error| Error::Unreadable {
        path: path.display().to_string(),
        reason: error.to_string(),
    })?;
    let mut files: Vec<_> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|file| file.extension().is_some_and(|ext| ext == "toml") && file.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Error::NoRuleFiles {
            path: path.to_owned(),
        });
    }
    Ok(files)
}
