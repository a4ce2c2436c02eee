//! What the project installs, as far as its database URL is concerned: the PostgreSQL drivers
//! among its dependencies, and whether SQLAlchemy (whose `dialect+driver://` URLs the driver
//! rules judge) is one of them.
//!
//! A URL that selects a driver the project does not install fails at start-up
//! (`ModuleNotFoundError`), and the help must never propose one it does not install: telling a
//! psycopg project to switch to `postgresql+asyncpg://` breaks it. So the driver is read from
//! the project, in order: the configuration's `[database] driver`; the scheme the Settings class
//! builds or defaults to (`PostgresDsn.build(scheme="postgresql+psycopg", ...)`); the
//! dependencies, from the nearest directory (between the Settings class, or the input, and the
//! project root) holding `pyproject.toml` (PEP 621 `dependencies`, optional dependencies and
//! dependency groups, Poetry's tables), `requirements*.txt` (also under `requirements/`),
//! `uv.lock` or `poetry.lock`. Requirement specifiers are read as pip reads them
//! (`psycopg[binary]>=3.1`, `psycopg2-binary==2.9.9 ; python_version < "3.13"`), names
//! normalised as PEP 503 says.
//! When none of these says, the driver is unknown and no driver rule runs.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::source::read::Reader;

/// A PostgreSQL driver SQLAlchemy can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Driver {
    Asyncpg,
    /// psycopg 3.
    Psycopg,
    Psycopg2,
    Pg8000,
}

impl Driver {
    pub const ALL: &'static [Driver] = &[
        Driver::Asyncpg,
        Driver::Psycopg,
        Driver::Psycopg2,
        Driver::Pg8000,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Driver::Asyncpg => "asyncpg",
            Driver::Psycopg => "psycopg",
            Driver::Psycopg2 => "psycopg2",
            Driver::Pg8000 => "pg8000",
        }
    }

    pub fn parse(name: &str) -> Option<Driver> {
        Self::ALL.iter().copied().find(|d| d.name() == name)
    }

    /// The scheme that selects it in an SQLAlchemy URL.
    pub fn scheme(self) -> &'static str {
        match self {
            Driver::Asyncpg => "postgresql+asyncpg",
            Driver::Psycopg => "postgresql+psycopg",
            Driver::Psycopg2 => "postgresql+psycopg2",
            Driver::Pg8000 => "postgresql+pg8000",
        }
    }

    /// The distributions that install it (PEP 503 names).
    fn packages(self) -> &'static [&'static str] {
        match self {
            Driver::Asyncpg => &["asyncpg"],
            Driver::Psycopg => &["psycopg", "psycopg-binary", "psycopg-c"],
            Driver::Psycopg2 => &["psycopg2", "psycopg2-binary"],
            Driver::Pg8000 => &["pg8000"],
        }
    }

    /// Is it libpq underneath (which rejects URI parameters it does not know)?
    pub fn uses_libpq(self) -> bool {
        match self {
            Driver::Psycopg | Driver::Psycopg2 => true,
            Driver::Asyncpg | Driver::Pg8000 => false,
        }
    }
}

impl fmt::Display for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What an SQLAlchemy URL's scheme selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeDriver {
    /// Not a PostgreSQL URL at all (another database, or not SQLAlchemy's form).
    NotPostgres,
    /// `postgres://`: not a dialect SQLAlchemy knows (removed in 1.4).
    UnknownDialect,
    /// `postgresql://`: SQLAlchemy's default driver, psycopg2 up to SQLAlchemy 2.0 and psycopg
    /// (3) from 2.1 (recorded in `fixtures/drivers/`).
    Default,
    /// `postgresql+DRIVER://`.
    Driver(Driver),
    /// `postgresql+something://` SQLAlchemy has no driver for.
    UnknownDriver,
}

pub fn scheme_driver(scheme: &str) -> SchemeDriver {
    let scheme = scheme.to_ascii_lowercase();
    match scheme.split_once('+') {
        None => match scheme.as_str() {
            "postgresql" => SchemeDriver::Default,
            "postgres" => SchemeDriver::UnknownDialect,
            _ => SchemeDriver::NotPostgres,
        },
        Some(("postgresql", driver)) => match Driver::parse(driver) {
            Some(driver) => SchemeDriver::Driver(driver),
            None => SchemeDriver::UnknownDriver,
        },
        Some(("postgres", _)) => SchemeDriver::UnknownDialect,
        Some(_) => SchemeDriver::NotPostgres,
    }
}

/// Where the drivers a project uses were learnt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriverSource {
    /// The configuration's `[database] driver`.
    Configured,
    /// The scheme the Settings class builds or defaults to.
    SettingsClass(PathBuf),
    /// A dependency file.
    Dependencies(PathBuf),
}

impl fmt::Display for DriverSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DriverSource::Configured => f.write_str("the configuration's `[database] driver`"),
            DriverSource::SettingsClass(path) => write!(
                f,
                "the scheme the Settings class spells out in {}",
                crate::settings::shown_path(path)
            ),
            DriverSource::Dependencies(path) => {
                write!(
                    f,
                    "the dependencies in {}",
                    crate::settings::shown_path(path)
                )
            }
        }
    }
}

/// The drivers a project uses, and whether it uses SQLAlchemy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Database {
    /// Empty: not known.
    pub drivers: Vec<Driver>,
    /// SQLAlchemy is a dependency (or the driver was configured, which says the URL is
    /// SQLAlchemy's).
    pub sqlalchemy: bool,
    pub source: Option<DriverSource>,
}

impl Database {
    /// The drivers SQLAlchemy URLs may select, when known.
    pub fn known_drivers(&self) -> Option<&[Driver]> {
        (self.sqlalchemy && !self.drivers.is_empty()).then_some(self.drivers.as_slice())
    }

    pub fn configured(driver: Driver) -> Self {
        Database {
            drivers: vec![driver],
            sqlalchemy: true,
            source: Some(DriverSource::Configured),
        }
    }

    /// What the Settings class's source says: the drivers of the `postgresql+DRIVER` schemes
    /// it spells out (a default URL, a `build(scheme=...)`), when they agree on one.
    pub fn from_settings_source(path: &Path, text: &str) -> Option<Self> {
        let mut found = BTreeSet::new();
        let mut rest = text;
        while let Some(at) = rest.find("postgresql+") {
            let tail = &rest[at + "postgresql+".len()..];
            let name: String = tail
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if let Some(driver) = Driver::parse(&name) {
                found.insert(driver);
            }
            rest = tail;
        }
        (found.len() == 1).then(|| Database {
            drivers: found.into_iter().collect(),
            sqlalchemy: true,
            source: Some(DriverSource::SettingsClass(path.to_owned())),
        })
    }

    /// What the dependency files say, from `start` up to `root` (inclusive): the nearest
    /// directory holding one decides.
    pub fn from_dependencies(start: &Path, root: Option<&Path>, reader: &Reader) -> Self {
        for dir in start.ancestors() {
            if let Some(found) = dependencies_in(dir, reader) {
                let drivers = Driver::ALL
                    .iter()
                    .copied()
                    .filter(|driver| driver.packages().iter().any(|p| found.names.contains(*p)))
                    .collect();
                return Database {
                    drivers,
                    sqlalchemy: found.names.contains("sqlalchemy")
                        || found.names.contains("sqlmodel"),
                    source: Some(DriverSource::Dependencies(found.file)),
                };
            }
            if root.is_none_or(|root| dir == root) {
                break;
            }
        }
        Database::default()
    }
}

/// The dependency names one directory's files declare.
struct Found {
    names: BTreeSet<String>,
    /// The first file read (for messages).
    file: PathBuf,
}

fn dependencies_in(dir: &Path, reader: &Reader) -> Option<Found> {
    let mut names = BTreeSet::new();
    let mut files = Vec::new();
    let pyproject = dir.join("pyproject.toml");
    if let Ok(text) = reader.read_path(&pyproject) {
        let before = names.len();
        pyproject_dependencies(&text, &mut names);
        if names.len() > before {
            files.push(pyproject);
        }
    }
    let mut requirement_files: Vec<PathBuf> = Vec::new();
    for folder in [dir.to_path_buf(), dir.join("requirements")] {
        if let Ok(entries) = std::fs::read_dir(&folder) {
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                let is_requirements =
                    name.ends_with(".txt") && (folder != dir || name.starts_with("requirements"));
                if is_requirements && path.is_file() {
                    requirement_files.push(path);
                }
            }
        }
    }
    requirement_files.sort();
    for path in requirement_files {
        if let Ok(text) = reader.read_path(&path) {
            requirements_txt(&text, &mut names);
            files.push(path);
        }
    }
    for lock in ["uv.lock", "poetry.lock"] {
        let path = dir.join(lock);
        if let Ok(text) = reader.read_path(&path) {
            lock_packages(&text, &mut names);
            files.push(path);
        }
    }
    let file = files.into_iter().next()?;
    Some(Found { names, file })
}

/// PEP 503: lower case, runs of `-`, `_` and `.` as one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            separator = true;
            continue;
        }
        if separator && !out.is_empty() {
            out.push('-');
        }
        separator = false;
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The distribution a requirement specifier names (`psycopg[binary]>=3.1 ; python_version <
/// "3.13"` → `psycopg`), or none for an option line, a path or a URL without a name.
pub fn requirement_name(spec: &str) -> Option<String> {
    let spec = spec.trim();
    if spec.is_empty() || spec.starts_with('-') || spec.starts_with('#') {
        return None;
    }
    let name: String = spec
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    if name.is_empty() || name.starts_with('.') {
        return None;
    }
    // `./pkg`, `git+https://...`, `https://...`: not a name.
    let rest = &spec[name.len()..];
    if rest.starts_with(':') || rest.starts_with('/') || rest.starts_with('+') {
        return None;
    }
    Some(normalize(&name))
}

fn requirements_txt(text: &str, names: &mut BTreeSet<String>) {
    for line in text.lines() {
        // A comment starts at ` #` (pip's rule), and line continuations join lines; a name
        // never spans them.
        let line = line.split(" #").next().unwrap_or("");
        if let Some(name) = requirement_name(line) {
            names.insert(name);
        }
    }
}

fn pyproject_dependencies(text: &str, names: &mut BTreeSet<String>) {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return;
    };
    let mut specs = |value: Option<&toml::Value>| {
        if let Some(list) = value.and_then(toml::Value::as_array) {
            for item in list {
                if let Some(name) = item.as_str().and_then(requirement_name) {
                    names.insert(name);
                }
            }
        }
    };
    if let Some(project) = doc.get("project").and_then(toml::Value::as_table) {
        specs(project.get("dependencies"));
        if let Some(optional) = project
            .get("optional-dependencies")
            .and_then(toml::Value::as_table)
        {
            for group in optional.values() {
                specs(Some(group));
            }
        }
    }
    if let Some(groups) = doc.get("dependency-groups").and_then(toml::Value::as_table) {
        for group in groups.values() {
            specs(Some(group));
        }
    }
    let uv_dev = doc
        .get("tool")
        .and_then(|tool| tool.get("uv"))
        .and_then(|uv| uv.get("dev-dependencies"));
    specs(uv_dev);
    // Poetry: `[tool.poetry.dependencies]` and `[tool.poetry.group.NAME.dependencies]`, keyed
    // by name.
    let poetry = doc.get("tool").and_then(|tool| tool.get("poetry"));
    let mut tables: Vec<&toml::Value> = Vec::new();
    if let Some(poetry) = poetry {
        tables.extend(poetry.get("dependencies"));
        tables.extend(poetry.get("dev-dependencies"));
        if let Some(groups) = poetry.get("group").and_then(toml::Value::as_table) {
            tables.extend(groups.values().filter_map(|g| g.get("dependencies")));
        }
    }
    for table in tables.into_iter().filter_map(toml::Value::as_table) {
        names.extend(table.keys().map(|name| normalize(name)));
    }
}

/// `[[package]] name = "..."` of `uv.lock` and `poetry.lock`.
fn lock_packages(text: &str, names: &mut BTreeSet<String>) {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return;
    };
    if let Some(packages) = doc.get("package").and_then(toml::Value::as_array) {
        for package in packages {
            if let Some(name) = package.get("name").and_then(toml::Value::as_str) {
                names.insert(normalize(name));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_names_as_pip_reads_them() {
        assert_eq!(
            requirement_name("psycopg[binary]<4.0.0,>=3.1.13").as_deref(),
            Some("psycopg")
        );
        assert_eq!(
            requirement_name("psycopg2-binary==2.9.9").as_deref(),
            Some("psycopg2-binary")
        );
        assert_eq!(
            requirement_name("SQLAlchemy[asyncio]>=2.0").as_deref(),
            Some("sqlalchemy")
        );
        assert_eq!(
            requirement_name("asyncpg ; python_version < \"3.13\"").as_deref(),
            Some("asyncpg")
        );
        assert_eq!(
            requirement_name("Psycopg_Binary").as_deref(),
            Some("psycopg-binary")
        );
        assert_eq!(requirement_name("-r base.txt"), None);
        assert_eq!(requirement_name("./vendored/pkg"), None);
        assert_eq!(requirement_name("git+https://example.com/x.git"), None);
        assert_eq!(requirement_name("https://example.com/x.whl"), None);
    }

    #[test]
    fn schemes_select_drivers_as_sqlalchemy_does() {
        assert_eq!(scheme_driver("postgresql"), SchemeDriver::Default);
        assert_eq!(
            scheme_driver("postgresql+asyncpg"),
            SchemeDriver::Driver(Driver::Asyncpg)
        );
        assert_eq!(scheme_driver("postgres"), SchemeDriver::UnknownDialect);
        assert_eq!(scheme_driver("postgresql+foo"), SchemeDriver::UnknownDriver);
        assert_eq!(scheme_driver("mysql+aiomysql"), SchemeDriver::NotPostgres);
    }

    #[test]
    fn the_settings_source_names_one_driver_or_none() {
        let path = Path::new("config.py");
        let one = Database::from_settings_source(
            path,
            "return PostgresDsn.build(scheme=\"postgresql+psycopg\", host=h)",
        )
        .expect("one driver");
        assert_eq!(one.drivers, [Driver::Psycopg]);
        assert!(
            Database::from_settings_source(
                path,
                "a = 'postgresql+asyncpg://'\nb = 'postgresql+psycopg2://'"
            )
            .is_none()
        );
        assert!(Database::from_settings_source(path, "DATABASE_URL: str").is_none());
    }

    #[test]
    fn dependency_files_are_read_as_their_tools_read_them() {
        let mut names = BTreeSet::new();
        pyproject_dependencies(
            r#"
[project]
dependencies = ["fastapi[standard]>=0.114", "psycopg[binary]<4,>=3.1"]
[project.optional-dependencies]
async = ["asyncpg"]
[dependency-groups]
dev = ["pytest"]
[tool.poetry.dependencies]
SQLAlchemy = "^2.0"
"#,
            &mut names,
        );
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(
            names,
            ["asyncpg", "fastapi", "psycopg", "pytest", "sqlalchemy"]
        );
        let mut names = BTreeSet::new();
        requirements_txt(
            "# pinned\n-r base.txt\nasyncpg==0.30.0  # the driver\nredis>=5\n\n",
            &mut names,
        );
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(names, ["asyncpg", "redis"]);
        let mut names = BTreeSet::new();
        lock_packages(
            "version = 1\n[[package]]\nname = \"psycopg2-binary\"\nversion = \"2.9.9\"\n",
            &mut names,
        );
        assert!(names.contains("psycopg2-binary"));
        // Not TOML: nothing, no panic.
        pyproject_dependencies("[project\n", &mut names);
    }
}
