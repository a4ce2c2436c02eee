//! An Alembic project read the way Alembic reads it (`alembic/config.py`,
//! `alembic/script/base.py` of Alembic 1.20.1): where the migration scripts are, and each
//! script's `revision`, `down_revision`, `branch_labels` and `depends_on`, with their spans.
//!
//! Where the scripts are:
//! - `alembic.ini` in the project directory, section `[alembic]`, read as Python's
//!   `ConfigParser` reads it ([`Ini`]: `key = value` or `key: value`, keys lower-cased,
//!   indented lines continue a value, whole-line `#`/`;` comments, `%(here)s` and
//!   `%(other)s` interpolation with `%%` for `%`);
//! - `[tool.alembic]` in `pyproject.toml` (Alembic 1.16 and later), for each option the
//!   `.ini` does not set (the `.ini` wins option by option, as `Config.get_alembic_option`
//!   says); `%(here)s` is the directory of the file that set the option;
//! - `script_location` names the script directory; the scripts are in its `versions/`, unless
//!   `version_locations` names other directories: split on `path_separator` (else the
//!   deprecated `version_path_separator`; `space`, `newline`, `os`, `:` or `;`), else, with
//!   neither, on commas and spaces as Alembic's legacy rule does; a list in `[tool.alembic]`;
//! - with no configuration at all, `alembic/` when it holds `env.py` (what `alembic init
//!   alembic` makes).
//!
//! Relative paths are taken from the project directory: Alembic resolves them against the
//! directory it runs in, and it finds `alembic.ini` only when it runs beside it. A
//! `package:resource` location (`myapp:migrations`) is not followed, nor is `sourceless`.
//!
//! A script is every `*.py` file directly in a version directory (or below it, with
//! `recursive_version_locations = true`), except `__init__.py` and `.#` editor files, in
//! file-name order, each file once. Its fields are read statically with the settings reader's
//! Python parser ([`crate::appsettings::syntax`]): a string, `None`, or a tuple or list of
//! strings; anything else (a computed value, a syntax error) is a [`Script::problem`] and the
//! script is left out of the history's judgement, which then cannot be complete.
//!
//! The configuration's own text can hold the database URL (`sqlalchemy.url`): only the
//! options read here are shown, every other value is masked by span ([`Ini::masked_text`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::appsettings::syntax::{self, Binding, Expr, ExprKind};
use crate::source::Span;
use crate::source::read::Reader;

/// Python's `MAX_INTERPOLATION_DEPTH`.
const MAX_INTERPOLATION_DEPTH: usize = 10;

/// The options of `[alembic]` this reader uses; the values of the others are masked.
const READ_OPTIONS: &[&str] = &[
    "script_location",
    "version_locations",
    "path_separator",
    "version_path_separator",
    "recursive_version_locations",
    "here",
];

/// A revision identifier (or branch label) as written, with the span of its string literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub value: String,
    pub span: Span,
}

/// What one migration script declares.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScriptFields {
    /// `revision`; `None` when the script does not assign it (see [`read_script`]).
    pub revision: Option<Written>,
    /// `down_revision`: empty for a base; several for a merge.
    pub down_revision: Vec<Written>,
    /// Where `down_revision`'s value is written (the line a broken chain points at).
    pub down_revision_span: Option<Span>,
    pub branch_labels: Vec<Written>,
    pub depends_on: Vec<Written>,
    /// Why the script's fields cannot be read statically, with the place; the other fields
    /// are then not to be trusted.
    pub problem: Option<(Span, String)>,
}

/// A migration script of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// The path as shown in reports (relative to the current directory where it can be).
    pub name: String,
    pub text: String,
    pub fields: ScriptFields,
}

/// Where Alembic keeps its version table, as `env.py` says (`context.configure(
/// version_table=..., version_table_schema=...)`), read cheaply: the first literal keyword
/// argument of each name in the file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionTable {
    pub schema: Option<String>,
    pub name: String,
    /// `env.py` passes a value that is not a plain literal: the table may be another.
    pub uncertain: bool,
}

impl Default for VersionTable {
    fn default() -> Self {
        VersionTable {
            schema: None,
            name: "alembic_version".to_owned(),
            uncertain: false,
        }
    }
}

/// A problem with the configuration itself (an unreadable `alembic.ini`, a
/// `version_locations` with a separator Alembic refuses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub span: Span,
    pub message: String,
}

/// The configuration file that located the scripts, for findings that point into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFile {
    pub name: String,
    /// The text with every value this reader does not use masked.
    pub text: String,
}

/// An Alembic project: its configuration, script directories and scripts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// `alembic.ini` or `pyproject.toml`; `None` for the default `alembic/` directory.
    pub config: Option<ConfigFile>,
    pub problems: Vec<ConfigProblem>,
    /// The script directory (`script_location`), as shown.
    pub script_location: String,
    /// The directories the scripts were read from, as shown.
    pub version_locations: Vec<String>,
    /// In the order Alembic loads them.
    pub scripts: Vec<Script>,
    pub version_table: VersionTable,
}

/// The Alembic project of `dir`, if it has one: `alembic.ini`, `[tool.alembic]` in
/// `pyproject.toml`, or an `alembic/env.py`.
pub fn find(dir: &Path, reader: &Reader) -> Option<Project> {
    let ini_path = dir.join("alembic.ini");
    let toml_path = dir.join("pyproject.toml");
    let ini_text = ini_path.is_file().then(|| reader.read_path(&ini_path));
    let toml = toml_path
        .is_file()
        .then(|| reader.read_path(&toml_path).ok())
        .flatten()
        .and_then(|text| tool_alembic(&text));
    let default_dir = dir.join("alembic");
    if ini_text.is_none() && toml.is_none() && !default_dir.join("env.py").is_file() {
        return None;
    }
    let mut problems = Vec::new();
    let here = absolute(dir);
    let mut config = None;
    let ini = match ini_text {
        Some(Ok(text)) => {
            let (ini, ini_problems) = Ini::parse(&text);
            problems.extend(ini_problems);
            config = Some(ConfigFile {
                name: shown(&ini_path),
                text: ini.masked_text(&text),
            });
            Some(ini)
        }
        Some(Err(error)) => {
            problems.push(ConfigProblem {
                span: 0..0,
                message: format!("alembic.ini cannot be read: {error}"),
            });
            config = Some(ConfigFile {
                name: shown(&ini_path),
                text: String::new(),
            });
            None
        }
        None => None,
    };
    if config.is_none() && toml.is_some() {
        config = Some(ConfigFile {
            name: shown(&toml_path),
            // Findings about `[tool.alembic]` name the option; the file itself is not shown.
            text: String::new(),
        });
    }
    let here_text = here.display().to_string();
    let option = |name: &str| -> Result<Option<String>, String> {
        if let Some(ini) = &ini {
            if let Some(value) = ini.get("alembic", name, &here_text)? {
                return Ok(Some(value));
            }
        }
        Ok(toml.as_ref().and_then(|toml| toml.string(name, &here_text)))
    };
    let mut note = |message: String| {
        problems.push(ConfigProblem {
            span: 0..0,
            message,
        })
    };
    let script_location = match option("script_location") {
        Ok(Some(location)) => Some(location),
        Ok(None) if ini.is_none() && toml.is_none() => Some("alembic".to_owned()),
        Ok(None) => {
            note("no `script_location` in `[alembic]` (or `[tool.alembic]`): Alembic cannot find the migration scripts".to_owned());
            None
        }
        Err(message) => {
            note(message);
            None
        }
    };
    let recursive = match option("recursive_version_locations") {
        Ok(Some(value)) => value == "true",
        Ok(None) => toml.as_ref().is_some_and(|toml| toml.recursive),
        Err(message) => {
            note(message);
            false
        }
    };
    let version_locations: Option<Vec<String>> = match &ini {
        Some(ini) => match ini.get("alembic", "version_locations", &here_text) {
            Ok(Some(text)) if !text.is_empty() => {
                match split_version_locations(ini, &text, &here_text) {
                    Ok(list) => Some(list),
                    Err(message) => {
                        note(message);
                        None
                    }
                }
            }
            Ok(_) => toml
                .as_ref()
                .and_then(|toml| toml.list("version_locations", &here_text)),
            Err(message) => {
                note(message);
                None
            }
        },
        None => toml
            .as_ref()
            .and_then(|toml| toml.list("version_locations", &here_text)),
    };
    let version_table = read_version_table(
        script_location
            .as_deref()
            .map(|location| dir.join(location)),
        reader,
    );
    let Some(script_location) = script_location else {
        return Some(Project {
            config,
            problems,
            script_location: String::new(),
            version_locations: Vec::new(),
            scripts: Vec::new(),
            version_table,
        });
    };
    if is_resource(&script_location) {
        problems.push(ConfigProblem {
            span: 0..0,
            message: format!(
                "`script_location = {script_location}` names a package resource, which is not followed"
            ),
        });
    }
    let locations: Vec<PathBuf> = match version_locations {
        Some(list) => list.iter().map(|location| dir.join(location)).collect(),
        None => vec![dir.join(&script_location).join("versions")],
    };
    let mut scripts = Vec::new();
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    for location in &locations {
        if !location.is_dir() {
            continue;
        }
        for path in list_scripts(location, recursive) {
            let real = path.canonicalize().unwrap_or_else(|_| path.clone());
            if !seen.insert(real) {
                continue;
            }
            let name = shown(&path);
            let file_name = path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            let (text, fields) = match reader.read_path(&path) {
                Ok(text) => {
                    let fields = read_script(&text, &file_name);
                    (text, fields)
                }
                Err(error) => (
                    String::new(),
                    ScriptFields {
                        problem: Some((0..0, format!("the script cannot be read: {error}"))),
                        ..ScriptFields::default()
                    },
                ),
            };
            scripts.push(Script { name, text, fields });
        }
    }
    Some(Project {
        config,
        problems,
        script_location: shown(&dir.join(&script_location)),
        version_locations: locations.iter().map(|path| shown(path)).collect(),
        scripts,
        version_table,
    })
}

/// `myapp:migrations`: a relative name with a colon, which Alembic reads as a package resource.
fn is_resource(location: &str) -> bool {
    !Path::new(location).is_absolute() && location.contains(':')
}

/// The `.py` files of a version directory as `Script._list_py_dir` lists them: sorted by name
/// within each directory, subdirectories (sorted) only when recursive, `__pycache__` skipped;
/// then `_only_source_rev_file`: a name ending in `.py` that starts neither with `.#` nor with
/// `__init__`.
fn list_scripts(dir: &Path, recursive: bool) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        if current
            .file_name()
            .is_some_and(|name| name.to_string_lossy().ends_with("__pycache__"))
        {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        let mut files = Vec::new();
        let mut dirs = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
        files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        for file in files {
            let name = file
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.ends_with(".py") && !name.starts_with(".#") && !name.starts_with("__init__") {
                found.push(file);
            }
        }
        if recursive {
            // Depth first, in name order: the stack takes them in reverse.
            dirs.sort();
            pending.extend(dirs.into_iter().rev());
        }
    }
    found
}

/// A script's fields, read statically. `file_name` gives the revision of a script that does not
/// assign one, as Alembic's legacy rule does (`ae1027a6acf.py`: hexadecimal digits only).
pub fn read_script(text: &str, file_name: &str) -> ScriptFields {
    let mut fields = ScriptFields::default();
    let module = match syntax::parse_source(Path::new(file_name), text) {
        Ok(module) => module,
        Err(error) => {
            let span = match &error {
                crate::appsettings::ReadError::Syntax { line, .. } => line_span(text, *line),
                _other => 0..0,
            };
            fields.problem = Some((span, format!("the script does not parse: {error}")));
            return fields;
        }
    };
    let assigned = |name: &str| match module.bindings.get(name) {
        Some(Binding::Assignment(expr)) => Some(expr),
        Some(Binding::Class(_)) | Some(Binding::Import(_)) | None => None,
    };
    let mut problem: Option<(Span, String)> = None;
    let mut note = |span: Span, message: String| {
        problem.get_or_insert((span, message));
    };
    let ids = |name: &str, expr: &Expr, note: &mut dyn FnMut(Span, String)| -> Vec<Written> {
        identifiers(expr).unwrap_or_else(|| {
            note(
                expr.span.clone(),
                format!(
                    "`{name}` is not a string, a tuple of strings or None: deploycheck reads it \
                     without running the script"
                ),
            );
            Vec::new()
        })
    };
    match assigned("revision") {
        Some(expr) => match &expr.kind {
            ExprKind::Str(value) => {
                fields.revision = Some(Written {
                    value: value.clone(),
                    span: expr.span.clone(),
                });
            }
            _not_a_string => note(
                expr.span.clone(),
                "`revision` is not a string: deploycheck reads it without running the script"
                    .to_owned(),
            ),
        },
        None => {
            let stem = file_name.strip_suffix(".py").unwrap_or_default();
            if !stem.is_empty()
                && stem
                    .bytes()
                    .all(|byte| matches!(byte, b'a'..=b'f' | b'0'..=b'9'))
            {
                fields.revision = Some(Written {
                    value: stem.to_owned(),
                    span: 0..0,
                });
            } else {
                note(
                    0..0,
                    "the script assigns no `revision`: Alembic refuses to load it".to_owned(),
                );
            }
        }
    }
    match assigned("down_revision") {
        Some(expr) => {
            fields.down_revision = ids("down_revision", expr, &mut note);
            fields.down_revision_span = Some(expr.span.clone());
        }
        None => note(
            fields.revision.as_ref().map_or(0..0, |r| r.span.clone()),
            "the script assigns no `down_revision`: Alembic fails to load it".to_owned(),
        ),
    }
    if let Some(expr) = assigned("branch_labels") {
        fields.branch_labels = ids("branch_labels", expr, &mut note);
    }
    if let Some(expr) = assigned("depends_on") {
        fields.depends_on = ids("depends_on", expr, &mut note);
    }
    fields.problem = problem;
    fields
}

/// `util.to_tuple` of a literal: `None` is none, a string is one, a tuple or list of strings
/// is each. `None` (the Rust one) for anything else.
fn identifiers(expr: &Expr) -> Option<Vec<Written>> {
    let one = |expr: &Expr| match &expr.kind {
        ExprKind::Str(value) => Some(Written {
            value: value.clone(),
            span: expr.span.clone(),
        }),
        _not_a_string => None,
    };
    match &expr.kind {
        ExprKind::None => Some(Vec::new()),
        ExprKind::Str(_) => one(expr).map(|id| vec![id]),
        ExprKind::Tuple(items) | ExprKind::List(items) => items.iter().map(one).collect(),
        _other => None,
    }
}

/// The span of a 1-based line, without its line break.
fn line_span(text: &str, line: usize) -> Span {
    let mut start = 0;
    for (index, current) in text.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            let end = start + current.trim_end_matches(['\n', '\r']).len();
            return start..end;
        }
        start += current.len();
    }
    text.len()..text.len()
}

/// `version_table=` and `version_table_schema=` in `env.py`.
fn read_version_table(script_dir: Option<PathBuf>, reader: &Reader) -> VersionTable {
    let mut table = VersionTable::default();
    let Some(text) = script_dir
        .map(|dir| dir.join("env.py"))
        .filter(|path| path.is_file())
        .and_then(|path| reader.read_path(&path).ok())
    else {
        return table;
    };
    for (keyword, schema) in [("version_table_schema", true), ("version_table", false)] {
        let mut rest = text.as_str();
        while let Some(at) = rest.find(keyword) {
            let after = &rest[at + keyword.len()..];
            let before_ok = rest[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            rest = after;
            let Some(value) = after.trim_start().strip_prefix('=') else {
                continue;
            };
            if !before_ok || value.starts_with('=') {
                continue;
            }
            let value = value.trim_start();
            let literal = value
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'')
                .and_then(|quote| {
                    let inner = &value[1..];
                    inner.find(quote).map(|end| inner[..end].to_owned())
                });
            match literal {
                Some(literal) if schema => table.schema = Some(literal),
                Some(literal) => table.name = literal,
                None => table.uncertain = true,
            }
            break;
        }
    }
    table
}

/// `version_locations` split as `Config.get_version_locations_list` splits it.
fn split_version_locations(ini: &Ini, text: &str, here: &str) -> Result<Vec<String>, String> {
    let mut separator = None;
    for name in ["path_separator", "version_path_separator"] {
        if let Some(value) = ini.get("alembic", name, here)? {
            separator = Some((name, value));
            break;
        }
    }
    let Some((name, value)) = separator else {
        // The legacy rule: `re.split(r", *|(?: +)")`.
        let mut parts = Vec::new();
        let mut current = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                ',' => {
                    parts.push(std::mem::take(&mut current));
                    while chars.peek() == Some(&' ') {
                        chars.next();
                    }
                }
                ' ' => {
                    parts.push(std::mem::take(&mut current));
                    while chars.peek() == Some(&' ') {
                        chars.next();
                    }
                }
                other => current.push(other),
            }
        }
        parts.push(current);
        return Ok(parts);
    };
    let split = match value.as_str() {
        "space" => " ",
        "newline" => "\n",
        // `os.pathsep` where Alembic runs: a Linux container.
        "os" | ":" => ":",
        ";" => ";",
        other => {
            return Err(format!(
                "`{name} = {other}` is not one of `space`, `newline`, `os`, `:`, `;`: Alembic \
                 stops with a ValueError"
            ));
        }
    };
    Ok(text
        .split(split)
        .filter(|part| !part.is_empty())
        .map(|part| part.trim().to_owned())
        .collect())
}

/// `[tool.alembic]` of a `pyproject.toml`: the options this reader uses.
#[derive(Debug, Clone, Default)]
struct ToolAlembic {
    table: toml::Table,
    recursive: bool,
}

fn tool_alembic(text: &str) -> Option<ToolAlembic> {
    let document: toml::Table = text.parse().ok()?;
    let table = document.get("tool")?.get("alembic")?.as_table()?.clone();
    let recursive = table
        .get("recursive_version_locations")
        .and_then(toml::Value::as_bool)
        .unwrap_or(false);
    Some(ToolAlembic { table, recursive })
}

impl ToolAlembic {
    fn string(&self, name: &str, here: &str) -> Option<String> {
        let value = self.table.get(name)?.as_str()?;
        percent_format(value, here)
    }

    fn list(&self, name: &str, here: &str) -> Option<Vec<String>> {
        let values = self.table.get(name)?.as_array()?;
        values
            .iter()
            .map(|value| value.as_str().and_then(|text| percent_format(text, here)))
            .collect()
    }
}

/// Python's `text % {"here": here}` for the strings of `[tool.alembic]`.
fn percent_format(text: &str, here: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('%') {
            out.push('%');
            rest = tail;
        } else if let Some(tail) = after.strip_prefix("(here)s") {
            out.push_str(here);
            rest = tail;
        } else {
            return None;
        }
    }
    out.push_str(rest);
    Some(out)
}

/// One option of an `.ini` file.
#[derive(Debug, Clone)]
struct IniOption {
    section: String,
    name: String,
    /// The value's lines, joined with `\n` as `ConfigParser` joins them.
    value: String,
    /// Where each of the value's lines is written.
    value_spans: Vec<Span>,
}

/// An `.ini` file as `configparser.ConfigParser` (strict, with `BasicInterpolation`) reads it.
#[derive(Debug, Clone, Default)]
pub struct Ini {
    options: Vec<IniOption>,
    /// What [`Ini::masked_text`] may show besides the values of [`READ_OPTIONS`]: section
    /// headers and option names with their delimiter.
    structure: Vec<Span>,
}

impl Ini {
    /// Read `text`; each line `ConfigParser` would refuse is a problem (the rest is still read).
    pub fn parse(text: &str) -> (Ini, Vec<ConfigProblem>) {
        let mut ini = Ini::default();
        let mut problems = Vec::new();
        let mut section: Option<String> = None;
        let mut current: Option<usize> = None;
        let mut indent_level = 0usize;
        let mut offset = 0usize;
        for raw in text.split_inclusive('\n') {
            let start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            let trimmed = line.trim();
            if trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            if trimmed.is_empty() {
                // `empty_lines_in_values`: an empty line belongs to the value being continued.
                if let Some(index) = current {
                    ini.options[index].value.push('\n');
                }
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            let value_start = start + indent;
            let value_span = value_start..value_start + trimmed.len();
            if let (Some(index), true) = (current, indent > indent_level) {
                let option = &mut ini.options[index];
                option.value.push('\n');
                option.value.push_str(trimmed);
                option.value_spans.push(value_span);
                continue;
            }
            indent_level = indent;
            if trimmed.starts_with('[') {
                if let Some(end) = trimmed.rfind(']').filter(|end| *end > 1) {
                    let name = trimmed[1..end].to_owned();
                    if ini.options.iter().any(|o| o.section == name)
                        || section.as_deref() == Some(&name)
                    {
                        problems.push(ConfigProblem {
                            span: value_span.clone(),
                            message: format!(
                                "section `[{name}]` appears twice: ConfigParser refuses the file"
                            ),
                        });
                    }
                    ini.structure.push(value_span.clone());
                    section = Some(name);
                    current = None;
                    continue;
                }
            }
            let Some(section_name) = section.clone() else {
                problems.push(ConfigProblem {
                    span: value_span,
                    message: "a line before any `[section]`: ConfigParser refuses the file"
                        .to_owned(),
                });
                continue;
            };
            let delimiter = trimmed.find(['=', ':']);
            let Some(at) = delimiter else {
                problems.push(ConfigProblem {
                    span: value_span,
                    message: "a line that is neither `key = value` nor a `[section]`: ConfigParser refuses the file".to_owned(),
                });
                current = None;
                continue;
            };
            let name = trimmed[..at].trim_end().to_lowercase();
            let value = trimmed[at + 1..].trim_start();
            let value_offset = value_start + trimmed.len() - value.len();
            ini.structure.push(value_start..value_offset);
            if ini
                .options
                .iter()
                .any(|option| option.section == section_name && option.name == name)
            {
                problems.push(ConfigProblem {
                    span: value_span,
                    message: format!("option `{name}` is set twice in `[{section_name}]`: ConfigParser refuses the file"),
                });
            }
            ini.options.push(IniOption {
                section: section_name,
                name,
                value: value.to_owned(),
                value_spans: std::iter::once(value_offset..value_offset + value.len()).collect(),
            });
            current = Some(ini.options.len() - 1);
        }
        for option in &mut ini.options {
            let kept = option.value.trim_end().len();
            option.value.truncate(kept);
        }
        (ini, problems)
    }

    /// The raw value of an option of `section` (or `DEFAULT`).
    fn raw(&self, section: &str, name: &str) -> Option<&str> {
        let find = |section: &str| {
            self.options
                .iter()
                .rev()
                .find(|option| option.section == section && option.name == name)
                .map(|option| option.value.as_str())
        };
        find(section).or_else(|| find("DEFAULT"))
    }

    /// An option's value, interpolated as `BasicInterpolation` does, with `here` the directory
    /// of the file. `Err` where `ConfigParser` raises.
    pub fn get(&self, section: &str, name: &str, here: &str) -> Result<Option<String>, String> {
        let raw = match self.raw(section, name) {
            Some(raw) => raw.to_owned(),
            None if name == "here" => return Ok(Some(here.to_owned())),
            None => return Ok(None),
        };
        self.interpolate(section, name, &raw, here, 1).map(Some)
    }

    fn interpolate(
        &self,
        section: &str,
        option: &str,
        text: &str,
        here: &str,
        depth: usize,
    ) -> Result<String, String> {
        if depth > MAX_INTERPOLATION_DEPTH {
            return Err(format!(
                "`{option}` interpolates itself more than {MAX_INTERPOLATION_DEPTH} levels deep"
            ));
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find('%') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            if let Some(tail) = after.strip_prefix('%') {
                out.push('%');
                rest = tail;
                continue;
            }
            let reference = after.strip_prefix('(').and_then(|inner| {
                inner
                    .find(")s")
                    .map(|end| (&inner[..end], &inner[end + 2..]))
            });
            match reference {
                Some((name, tail)) if !name.is_empty() && !name.contains(')') => {
                    let name = name.to_lowercase();
                    let value = match self.raw(section, &name) {
                        Some(value) => value.to_owned(),
                        None if name == "here" => here.to_owned(),
                        None => {
                            return Err(format!(
                                "`{option}` refers to `%({name})s`, which is not set: \
                                 ConfigParser raises InterpolationMissingOptionError"
                            ));
                        }
                    };
                    if value.contains('%') {
                        out.push_str(&self.interpolate(
                            section,
                            option,
                            &value,
                            here,
                            depth + 1,
                        )?);
                    } else {
                        out.push_str(&value);
                    }
                    rest = tail;
                }
                _bad => {
                    return Err(format!(
                        "`{option}` has a `%` that is neither `%%` nor `%(name)s`: ConfigParser \
                         raises InterpolationSyntaxError"
                    ));
                }
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    /// `text` with everything masked (`*` for each byte but line breaks) except the section
    /// headers, the option names and the values of the options this reader uses, so that a
    /// finding's snippet shows no `sqlalchemy.url` password: neither another option's value, nor
    /// a comment, nor a line `ConfigParser` refuses (a `password = ...` before any section).
    pub fn masked_text(&self, text: &str) -> String {
        let mut shown = vec![false; text.len()];
        let read_values = self
            .options
            .iter()
            .filter(|option| READ_OPTIONS.contains(&option.name.as_str()))
            .flat_map(|option| option.value_spans.iter());
        for span in self.structure.iter().chain(read_values) {
            if let Some(part) = shown.get_mut(span.clone()) {
                part.fill(true);
            }
        }
        let mut bytes = text.as_bytes().to_vec();
        for (byte, shown) in bytes.iter_mut().zip(shown) {
            if !shown && *byte != b'\n' && *byte != b'\r' {
                *byte = b'*';
            }
        }
        // Only whole UTF-8 sequences were replaced (spans start and end at ASCII or at line
        // ends), so this is text; fall back to masking everything if not.
        String::from_utf8(bytes).unwrap_or_else(|_| "*".repeat(text.len()))
    }
}

/// The directory as an absolute path (Alembic's `%(here)s` is absolute).
fn absolute(dir: &Path) -> PathBuf {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf())
}

/// A path as reports show it: relative to the current directory where it can be, without a
/// leading `./`.
fn shown(path: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let relative = if path.is_absolute() {
        path.strip_prefix(&cwd).unwrap_or(path)
    } else {
        path
    };
    let text = relative.display().to_string();
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fields_alembic_reads() {
        let script = "\"\"\"add users\n\nRevision ID: b2\n\"\"\"\nfrom typing import Sequence, Union\n\nrevision: str = \"b2\"\ndown_revision: Union[str, None] = (\"a1\", 'a2')\nbranch_labels = \"core\"\ndepends_on = None\n";
        let fields = read_script(script, "b2_add_users.py");
        assert_eq!(fields.problem, None);
        let revision = fields.revision.expect("a revision");
        assert_eq!(revision.value, "b2");
        assert_eq!(&script[revision.span.clone()], "\"b2\"");
        let down: Vec<&str> = fields
            .down_revision
            .iter()
            .map(|w| w.value.as_str())
            .collect();
        assert_eq!(down, ["a1", "a2"]);
        assert_eq!(&script[fields.down_revision[1].span.clone()], "'a2'");
        assert_eq!(fields.branch_labels[0].value, "core");
        assert!(fields.depends_on.is_empty());
    }

    #[test]
    fn a_base_a_list_and_problems() {
        let fields = read_script("revision = 'a'\ndown_revision = None\n", "a.py");
        assert!(fields.down_revision.is_empty() && fields.problem.is_none());
        let fields = read_script("revision = 'c'\ndown_revision = ['a', 'b']\n", "c.py");
        assert_eq!(fields.down_revision.len(), 2);
        let fields = read_script("revision = make()\ndown_revision = None\n", "x.py");
        assert!(fields.problem.is_some());
        let fields = read_script("revision = 'x'\n", "x.py");
        assert!(
            fields
                .problem
                .expect("no down_revision")
                .1
                .contains("down_revision")
        );
        let fields = read_script("revision = 'x'\ndown_revision = (\n", "x.py");
        assert!(fields.problem.expect("a syntax error").1.contains("parse"));
        // Alembic's legacy rule: the file name is the revision.
        let fields = read_script("down_revision = None\n", "ae1027a6acf.py");
        assert_eq!(fields.revision.expect("from the name").value, "ae1027a6acf");
    }

    #[test]
    fn ini_as_configparser_reads_it() {
        let text = "# a comment\n[alembic]\nscript_location = %(here)s/migrations\nversion_locations = %(here)s/a\n    %(here)s/b\n\n; another\nsqlalchemy.url = postgresql://app:s3cret@db/app\npath_separator = newline\nPercent = 100%%\n";
        let (ini, problems) = Ini::parse(text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            ini.get("alembic", "script_location", "/p").expect("reads"),
            Some("/p/migrations".to_owned())
        );
        assert_eq!(
            ini.get("alembic", "version_locations", "/p")
                .expect("reads"),
            Some("/p/a\n/p/b".to_owned())
        );
        assert_eq!(
            ini.get("alembic", "percent", "/p").expect("reads"),
            Some("100%".to_owned())
        );
        let list = split_version_locations(&ini, "/p/a\n/p/b", "/p").expect("splits");
        assert_eq!(list, ["/p/a", "/p/b"]);
        let masked = ini.masked_text(text);
        assert!(!masked.contains("s3cret"), "{masked}");
        assert!(masked.contains("script_location = %(here)s/migrations"));
        assert!(masked.contains("\n[alembic]\n"), "{masked}");
        assert!(masked.contains("\nsqlalchemy.url = ****"), "{masked}");
        assert_eq!(masked.len(), text.len());
    }

    #[test]
    fn masked_text_hides_comments_and_refused_lines() {
        // A line before any section and a comment are no option: their text is not shown
        // either (a finding about the refused line points at it).
        let text = "db_password = hunter2xyz\n[alembic]\n# token: t0kenxyz\nnot an option\n\
                    script_location = alembic\n";
        let (ini, problems) = Ini::parse(text);
        assert_eq!(problems.len(), 2, "{problems:?}");
        let masked = ini.masked_text(text);
        for secret in ["hunter2xyz", "t0kenxyz", "not an option"] {
            assert!(!masked.contains(secret), "{secret}: {masked}");
        }
        assert!(masked.contains("\nscript_location = alembic\n"), "{masked}");
        assert_eq!(masked.len(), text.len());
    }

    #[test]
    fn legacy_separators_and_bad_ones() {
        let (ini, _) = Ini::parse("[alembic]\nversion_locations = a, b c\n");
        assert_eq!(
            split_version_locations(&ini, "a, b c", "/p").expect("splits"),
            ["a", "b", "c"]
        );
        let (ini, _) = Ini::parse("[alembic]\npath_separator = comma\n");
        assert!(split_version_locations(&ini, "a,b", "/p").is_err());
        let (ini, _) = Ini::parse("[alembic]\nversion_path_separator = ;\n");
        assert_eq!(
            split_version_locations(&ini, "a;b", "/p").expect("splits"),
            ["a", "b"]
        );
    }

    #[test]
    fn ini_problems() {
        let (_, problems) = Ini::parse("key = value\n");
        assert_eq!(problems.len(), 1);
        let (_, problems) = Ini::parse("[alembic]\njust words\n");
        assert_eq!(problems.len(), 1);
        let (ini, _) = Ini::parse("[alembic]\nx = %(missing)s\ny = 50%\n");
        assert!(ini.get("alembic", "x", "/p").is_err());
        assert!(ini.get("alembic", "y", "/p").is_err());
    }

    #[test]
    fn version_table_from_env_py_text() {
        let dir = std::env::temp_dir().join(format!("deploycheck-alembic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch");
        std::fs::write(
            dir.join("env.py"),
            "context.configure(connection=c, version_table='revs', version_table_schema=\"meta\")\n",
        )
        .expect("env.py");
        let table = read_version_table(Some(dir.clone()), &Reader::default());
        assert_eq!(table.name, "revs");
        assert_eq!(table.schema.as_deref(), Some("meta"));
        std::fs::write(
            dir.join("env.py"),
            "context.configure(version_table=TABLE)\n",
        )
        .expect("env.py");
        let table = read_version_table(Some(dir.clone()), &Reader::default());
        assert!(table.uncertain);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
