//! `schema`: what deploycheck understood of the application's Settings class, so that a team can
//! check it before trusting the findings built on it. The TOML form is a rules file.

use std::io::Write;

use crate::appsettings::{
    AppSettings, Constraint, Constraints, Extra, Field, FieldDefault, FieldType, LiteralValue,
    Number,
};
use crate::cli::{SchemaArgs, SchemaFormat};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::rules::RuleSet;
use crate::settings::{self, shown_path};
use crate::source::read::Reader;
use crate::streams::Streams;

pub fn run(args: SchemaArgs, streams: &mut Streams, reader: &Reader) -> Result<ExitStatus, Error> {
    let input = args.path.as_deref().unwrap_or(".");
    let config = settings::configuration(&args.rules, &[input], reader)?;
    let reader = &reader.with_limit(settings::input_limit(&args.rules, Some(&config)));
    let class = settings::settings_class(&args.rules, &config, &[input], reader)?;
    let rules = settings::project_rules(&args.rules, &config, &class, Some(input), reader)?;
    let Some(app) = class.app else {
        let message = if class.candidates.is_empty() {
            "no pydantic-settings class found in this project".to_owned()
        } else {
            format!(
                "several pydantic-settings classes found: {}",
                class.candidates_text()
            )
        };
        return Err(Error::Usage {
            message,
            help: Some(
                "name it with `--settings app/core/config.py:Settings`, or `settings = \"...\"` \
                 in deploycheck.toml"
                    .to_owned(),
            ),
        });
    };
    let out = &mut *streams.stdout;
    match args.format {
        SchemaFormat::Human => {
            human(&app, out)?;
            human_roles(&rules, out)?;
        }
        SchemaFormat::Json => {
            let mut value = json(&app);
            value["roles"] = json_roles(&rules);
            value["database"] = json_database(&rules.app.database);
            crate::report::json::write_pretty(out, &value)?;
        }
        SchemaFormat::Toml => toml_rules(&app, out)?,
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// The environment names as a team writes them: upper-case when matching ignores case.
fn env_names(app: &AppSettings, field: &Field) -> Vec<String> {
    field
        .env_names
        .iter()
        .map(|name| {
            if app.config.case_sensitive.value {
                name.clone()
            } else {
                name.to_uppercase()
            }
        })
        .collect()
}

fn extra_name(extra: Extra) -> &'static str {
    match extra {
        Extra::Forbid => "forbid",
        Extra::Ignore => "ignore",
        Extra::Allow => "allow",
    }
}

/// The type as a short name (`int`, `Literal['dev', 'prod']`, `list[str]`, `PostgresDsn`).
fn type_name(ty: &FieldType) -> String {
    match ty {
        FieldType::Str => "str".to_owned(),
        FieldType::Bytes => "bytes".to_owned(),
        FieldType::Bool => "bool".to_owned(),
        FieldType::Int => "int".to_owned(),
        FieldType::Float => "float".to_owned(),
        FieldType::Literal(values) => format!("Literal[{}]", literals(values)),
        FieldType::Enum { name, values } => format!("{name}({})", literals(values)),
        FieldType::List(item) => format!("list[{}]", type_name(item)),
        FieldType::Set(item) => format!("set[{}]", type_name(item)),
        FieldType::Tuple { elements, repeated } => {
            let items: Vec<String> = elements.iter().map(type_name).collect();
            if *repeated {
                format!("tuple[{}, ...]", items.join(", "))
            } else {
                format!("tuple[{}]", items.join(", "))
            }
        }
        FieldType::Dict { key, value } => format!("dict[{}, {}]", type_name(key), type_name(value)),
        FieldType::Url(url) => url.kind.clone(),
        FieldType::Email => "EmailStr".to_owned(),
        FieldType::Path => "Path".to_owned(),
        FieldType::Timedelta => "timedelta".to_owned(),
        FieldType::Datetime => "datetime".to_owned(),
        FieldType::Nested(model) => model.class_name.clone(),
        FieldType::Union(members) => {
            let names: Vec<String> = members.iter().map(type_name).collect();
            names.join(" | ")
        }
        FieldType::Unknown(name) => format!("{name} (not judged)"),
    }
}

fn literal(value: &LiteralValue) -> String {
    match value {
        LiteralValue::Str(text) => format!("'{text}'"),
        LiteralValue::Int(number) => number.to_string(),
        LiteralValue::Float(number) => number.to_string(),
        LiteralValue::Bool(flag) => if *flag { "True" } else { "False" }.to_owned(),
        LiteralValue::None => "None".to_owned(),
        LiteralValue::Expression(text) => text.clone(),
    }
}

fn literals(values: &[LiteralValue]) -> String {
    values.iter().map(literal).collect::<Vec<_>>().join(", ")
}

fn default_text(field: &Field) -> Option<String> {
    field.default.as_ref().map(|default| match default {
        FieldDefault::Literal { written, .. } => written.clone(),
        FieldDefault::Expression(text) => format!("{text} (computed)"),
        FieldDefault::Factory(text) => format!("{text}() (factory)"),
    })
}

fn constraints_text(constraints: &Constraints) -> Vec<String> {
    let number = |name: &str, bound: &Option<Constraint<Number>>| {
        bound.as_ref().map(|bound| match bound {
            Constraint::Known(Number::Int(value)) => format!("{name}={value}"),
            Constraint::Known(Number::Float(value)) => format!("{name}={value}"),
            Constraint::Unknown(text) => format!("{name}={text}"),
        })
    };
    let length = |name: &str, bound: &Option<Constraint<usize>>| {
        bound.as_ref().map(|bound| match bound {
            Constraint::Known(value) => format!("{name}={value}"),
            Constraint::Unknown(text) => format!("{name}={text}"),
        })
    };
    [
        number("ge", &constraints.ge),
        number("gt", &constraints.gt),
        number("le", &constraints.le),
        number("lt", &constraints.lt),
        number("multiple_of", &constraints.multiple_of),
        length("min_length", &constraints.min_length),
        length("max_length", &constraints.max_length),
        constraints.pattern.as_ref().map(|pattern| match pattern {
            Constraint::Known(text) | Constraint::Unknown(text) => format!("pattern={text}"),
        }),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn human(app: &AppSettings, out: &mut dyn Write) -> Result<(), Error> {
    let config = &app.config;
    writeln!(
        out,
        "{}:{}: {} (env_prefix {:?}, {}, extra='{}'{}{})",
        shown_path(&app.file),
        app.line,
        app.class_name,
        config.env_prefix.value,
        if config.case_sensitive.value {
            "case-sensitive"
        } else {
            "case-insensitive"
        },
        extra_name(config.extra.value),
        if config.env_ignore_empty.value {
            ", env_ignore_empty"
        } else {
            ""
        },
        match &config.env_nested_delimiter.value {
            Some(delimiter) => format!(", env_nested_delimiter {delimiter:?}"),
            None => String::new(),
        },
    )?;
    for field in &app.fields {
        let mut notes = Vec::new();
        if field.required {
            notes.push("required".to_owned());
        }
        if let Some(default) = default_text(field) {
            notes.push(format!("default {default}"));
        }
        if field.optional {
            notes.push("None allowed".to_owned());
        }
        if field.secret {
            notes.push("secret".to_owned());
        }
        if field.validated_by_app || app.validated_by_app_all {
            notes.push("validated by the application".to_owned());
        }
        notes.extend(constraints_text(&field.constraints));
        let names = if field.env_names.is_empty() {
            "(names unknown)".to_owned()
        } else {
            env_names(app, field).join(" | ")
        };
        writeln!(
            out,
            "  {names}  {}  {}  ({}:{})",
            type_name(&field.ty),
            notes.join(", "),
            shown_path(&field.declared_at.file),
            field.declared_at.line
        )?;
    }
    Ok(())
}

/// Each variable's roles and why, and what decides the database driver (README: "Roles, packs
/// and generic mode").
fn human_roles(rules: &RuleSet, out: &mut dyn Write) -> Result<(), Error> {
    writeln!(out, "roles:")?;
    let mut any = false;
    for name in rules.variables.keys() {
        let bindings = rules.roles_of(name);
        if bindings.is_empty() {
            continue;
        }
        any = true;
        let shown: Vec<String> = bindings
            .iter()
            .map(|binding| format!("{} ({})", binding.role, binding.why))
            .collect();
        writeln!(out, "  {name}: {}", shown.join(", "))?;
    }
    if !any {
        writeln!(
            out,
            "  (none: no field has a role the built-in rules judge)"
        )?;
    }
    let database = &rules.app.database;
    match (database.known_drivers(), &database.source) {
        (Some(drivers), Some(source)) => {
            let names: Vec<&str> = drivers.iter().map(|d| d.name()).collect();
            writeln!(out, "database driver: {} (by {source})", names.join(", "))?;
        }
        (Some(_), None) | (None, _) => writeln!(
            out,
            "database driver: not known (no `[database] driver`, no `postgresql+DRIVER` scheme in \
             the Settings class, no dependency file naming SQLAlchemy and a driver): the driver \
             rules do not run"
        )?,
    }
    Ok(())
}

fn json_roles(rules: &RuleSet) -> serde_json::Value {
    let mut roles = serde_json::Map::new();
    for name in rules.variables.keys() {
        let bindings = rules.roles_of(name);
        if bindings.is_empty() {
            continue;
        }
        let list: Vec<serde_json::Value> = bindings
            .iter()
            .map(|binding| {
                serde_json::json!({ "role": binding.role.name(), "why": binding.why.to_string() })
            })
            .collect();
        roles.insert(name.clone(), serde_json::Value::Array(list));
    }
    serde_json::Value::Object(roles)
}

fn json_database(database: &crate::project::Database) -> serde_json::Value {
    serde_json::json!({
        "drivers": database
            .known_drivers()
            .map(|drivers| drivers.iter().map(|d| d.name()).collect::<Vec<_>>()),
        "source": database.source.as_ref().map(ToString::to_string),
    })
}

fn json(app: &AppSettings) -> serde_json::Value {
    let config = &app.config;
    serde_json::json!({
        "version": 1,
        "class": app.class_name,
        "file": shown_path(&app.file),
        "line": app.line,
        "config": {
            "env_prefix": config.env_prefix.value,
            "case_sensitive": config.case_sensitive.value,
            "extra": extra_name(config.extra.value),
            "env_ignore_empty": config.env_ignore_empty.value,
            "env_nested_delimiter": config.env_nested_delimiter.value,
            "env_parse_none_str": config.env_parse_none_str.value,
            "env_file": config.env_file.value,
        },
        "validated_by_app": app.validated_by_app_all,
        "fields": app.fields.iter().map(|field| serde_json::json!({
            "name": field.name,
            "env_names": env_names(app, field),
            "type": type_name(&field.ty),
            "required": field.required,
            "default": default_text(field),
            "optional": field.optional,
            "secret": field.secret,
            "validated_by_app": field.validated_by_app,
            "constraints": constraints_text(&field.constraints),
            "file": shown_path(&field.declared_at.file),
            "line": field.declared_at.line,
        })).collect::<Vec<_>>(),
    })
}

/// A rules file declaring the class's variables: a service without Python can start from it.
fn toml_rules(app: &AppSettings, out: &mut dyn Write) -> Result<(), Error> {
    let quote = |text: &str| serde_json::Value::String(text.to_owned()).to_string();
    writeln!(
        out,
        "# The settings schema of {} ({}:{}), as deploycheck read it.",
        app.class_name,
        shown_path(&app.file),
        app.line
    )?;
    writeln!(out, "\n[settings]")?;
    writeln!(out, "case-sensitive = {}", app.config.case_sensitive.value)?;
    for field in &app.fields {
        let kind = match &field.ty {
            FieldType::Bool => "bool",
            FieldType::Int => "int",
            FieldType::Url(_) => "url",
            FieldType::List(_) | FieldType::Set(_) | FieldType::Tuple { .. } => "json-list",
            _ if field.secret => "secret",
            FieldType::Str
            | FieldType::Bytes
            | FieldType::Float
            | FieldType::Literal(_)
            | FieldType::Enum { .. }
            | FieldType::Dict { .. }
            | FieldType::Email
            | FieldType::Path
            | FieldType::Timedelta
            | FieldType::Datetime
            | FieldType::Nested(_)
            | FieldType::Union(_)
            | FieldType::Unknown(_) => "string",
        };
        for name in env_names(app, field) {
            writeln!(out, "\n[variables.{}]", quote(&name))?;
            writeln!(out, "type = {}", quote(kind))?;
            if field.required {
                writeln!(out, "required = true")?;
            }
            if let Some(FieldDefault::Literal {
                value: Some(value), ..
            }) = &field.default
            {
                if let Some(text) = value.as_env_text() {
                    writeln!(out, "default = {}", quote(&text))?;
                }
            }
            if field.secret {
                writeln!(out, "secret = true")?;
            }
            writeln!(
                out,
                "description = {}",
                quote(&format!(
                    "{}.{}: {}",
                    app.class_name,
                    field.name,
                    type_name(&field.ty)
                ))
            )?;
        }
    }
    Ok(())
}
