//! Which rule files make up a run's rule set: the built-ins (or, under `--no-builtin`, the
//! built-in rules the program raises itself), then every `--rules` path and configured path.

use std::path::{Path, PathBuf};

use super::{EmptyValue, RuleSet, Variable, VariableType, builtin, role, validate};
use crate::appsettings::{AppSettings, Field, FieldDefault, FieldType, LiteralValue};
use crate::cli::RuleSources;
use crate::error::Error;
use crate::source::read::Reader;

/// Load the built-in rules, the application's Settings class as the schema, and every rule path
/// of `sources`.
///
/// `--no-builtin` drops the built-in audit packs but keeps the `general` pack and the rules for
/// findings the program raises itself (probes, input readers, suppressions): without them a
/// probe failure would have no severity, and must not disappear from a gate.
pub fn load(
    sources: &RuleSources,
    app: Option<&AppSettings>,
    reader: &Reader,
) -> Result<RuleSet, Error> {
    let builtin = builtin::load()?;
    let mut set = if sources.no_builtin {
        builtin.without_audit_packs()
    } else {
        builtin
    };
    if let Some(app) = app {
        use_settings_class(&mut set, app);
    }
    for path in &sources.rule_paths {
        for file in rule_files(path)? {
            let name = file.display().to_string();
            let text = reader.read_path(&file)?;
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
    set.closed = true;
    set.case_sensitive = app.config.case_sensitive.value;
    let empty = if app.config.env_ignore_empty.value {
        EmptyValue::Unset
    } else {
        EmptyValue::Value
    };
    let delimiter = app.config.nested_delimiter();
    let prefix = app.config.env_prefix.value.to_ascii_lowercase();
    let none_text = app.config.env_parse_none_str.value.clone();
    // Named as a team writes them (upper case when matching ignores case), for messages.
    let case_sensitive = set.case_sensitive;
    let mut declare = |mut variable: Variable| {
        if !case_sensitive {
            variable.name = variable.name.to_uppercase();
        }
        set.variables.insert(variable.name.clone(), variable);
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
                            let clues = role::Clues {
                                stem: sub_name,
                                parent: Some(&field.name),
                                type_name: role_type(sub),
                                secret: sub.secret,
                            };
                            declare(Variable {
                                secret: sub.secret,
                                description: Some(format!(
                                    "{}.{}.{}",
                                    app.class_name, field.name, sub.name
                                )),
                                empty,
                                none_text: none_text.clone(),
                                roles: role::infer(&clues),
                                choices: choices(&sub.ty),
                                rewritten_by_app: sub.validated_by_app,
                                ..Variable::named(&format!("{parent}{delimiter}{sub_name}"), kind)
                            });
                        }
                    }
                }
            }
        }
        let rewritten_by_app = field.validated_by_app || app.validated_by_app_all;
        let kind = if rewritten_by_app {
            VariableType::String
        } else {
            variable_type(&field.ty)
        };
        let default = match &field.default {
            Some(FieldDefault::Literal {
                value: Some(value), ..
            }) => value.as_env_text(),
            Some(FieldDefault::Literal {
                value: None,
                written,
            }) => list_as_json(written),
            Some(FieldDefault::Expression(_)) | Some(FieldDefault::Factory(_)) | None => None,
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
            // Roles go by the name after the prefix (`POLAR_ENV` is `ENV` to the class).
            let stem = if name.len() > prefix.len()
                && name
                    .get(..prefix.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(&prefix))
            {
                &name[prefix.len()..]
            } else {
                name.as_str()
            };
            let clues = role::Clues {
                stem,
                parent: None,
                type_name: role_type(field),
                secret: field.secret,
            };
            declare(Variable {
                required,
                default: default.clone(),
                secret: field.secret,
                description: Some(format!(
                    "{}.{} ({}:{})",
                    app.class_name,
                    field.name,
                    field.declared_at.file.display(),
                    field.declared_at.line
                )),
                empty,
                none_text: none_text.clone(),
                roles: role::infer(&clues),
                choices: choices(&field.ty),
                rewritten_by_app,
                ..Variable::named(name, kind)
            });
        }
    }
}

/// A list default of string constants (`["http://localhost:3000"]`, `['*']`) as the JSON the
/// environment would carry, so that the rules judge the default the class states; any other
/// constant has no environment spelling here.
fn list_as_json(written: &str) -> Option<String> {
    let text = written.trim();
    if !(text.starts_with('[') && text.ends_with(']')) {
        return None;
    }
    let as_json = if text.contains('"') {
        text.to_owned()
    } else {
        text.replace('\'', "\"")
    };
    let items: Vec<String> = serde_json::from_str(&as_json).ok()?;
    serde_json::to_string(&items).ok()
}

/// The type name that decides a role (`PostgresDsn`, `RedisDsn`, `SecretStr`), if any.
fn role_type(field: &Field) -> Option<&str> {
    if field.secret {
        return Some("SecretStr");
    }
    if let FieldType::Url(url) = &field.ty {
        Some(url.kind.as_str())
    } else {
        None
    }
}

/// The values a `Literal` or `Enum` field accepts, as the environment spells them.
fn choices(ty: &FieldType) -> Option<Vec<String>> {
    let (FieldType::Literal(values) | FieldType::Enum { values, .. }) = ty else {
        return None;
    };
    Some(
        values
            .iter()
            .filter_map(LiteralValue::as_env_text)
            .collect(),
    )
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
