//! What a Python project depends on, and whether an imported module comes with it: the
//! second half of `dockerfile-healthcheck-python-import` (a `python -c` healthcheck that
//! imports a module the image does not have fails with `ModuleNotFoundError` on every run).
//!
//! [`project_distributions`] reads what a project declares: `pyproject.toml` (`[project]`
//! `dependencies` and `optional-dependencies`, `[dependency-groups]`, Poetry's
//! `[tool.poetry.dependencies]`, `dev-dependencies` and groups, `[tool.uv] dev-dependencies`,
//! `[tool.pdm] dev-dependencies`), `requirements*.txt` and `requirements/*.txt` (with their
//! `-r` includes, relative to the including file), and the locks that list every installed
//! distribution, transitive ones included: `uv.lock`, `poetry.lock`, `pylock*.toml`, and a
//! requirements file compiled by pip-tools or `uv pip compile` (it carries `# via` comments).
//! Names are normalized as PEP 503 says (`PyYAML` and `pyyaml`, `python_dotenv` and
//! `python-dotenv` are one). Files are read up to a size and a count, so a strange checkout
//! cannot make the read hang.
//!
//! [`provides`] answers for one module. Its evidence, in order:
//!
//! 1. The standard library: `sys.stdlib_module_names` of CPython 3.11.7, 3.12.1 and 3.13.0,
//!    united (`python-names.txt`, recorded by `scripts/python_modules.py`). Always there.
//! 2. The project's own code: a package or module at the root or under `src/`, or the
//!    project's own name. Always there (the healthcheck runs beside the application).
//! 3. A distribution that installs the module: `importlib.metadata.packages_distributions()`
//!    recorded from two real environments (the CI venv, Python 3.11.7, and one with the
//!    FastAPI stack and the usual differently-named packages, Python 3.12.1; the header of
//!    `python-names.txt` lists every distribution and version), plus a documented table
//!    (`module-distributions.txt`) for names the environments did not hold (`cv2`,
//!    `sklearn`, ...). A module no table places gives `Unknown` (it may be the application's
//!    own, or a package we do not know), unless the project declares a distribution of the
//!    module's very name. Namespace roots (`google`, `azure`, ...) are never placed.
//!
//! The rule promises no finding on a file the application accepts, and a module may be
//! installed without being declared: httpx comes with fastapi's `standard` extra, requests with
//! many SDKs. So `No` is said only when nothing could install it: a lock is present and does
//! not list the distribution, or, without a lock, no distribution of the recorded environments
//! requires it (the `[required]` section of `python-names.txt`: every `Requires-Dist`, extras
//! included, of the recorded environments; httpx, requests, PyYAML, python-dotenv are all in
//! it). A `RUN pip install` in the Dockerfile is the caller's to look at.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::python::recorded;

/// The most read of a manifest or requirements file.
const MAX_MANIFEST_SIZE: u64 = 4 * 1024 * 1024;
/// The most read of a lock file (a large uv.lock is a few megabytes).
const MAX_LOCK_SIZE: u64 = 32 * 1024 * 1024;
/// The most requirements files read, includes counted.
const MAX_REQUIREMENT_FILES: usize = 64;
/// The most directory entries looked at in one directory.
const MAX_DIRECTORY_ENTRIES: usize = 4096;

/// What a project declares and locks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Distributions {
    /// The PEP 503 names of the distributions the project declares.
    pub declared: BTreeSet<String>,
    /// The PEP 503 names a lock lists (transitive ones included); `None` without a lock.
    pub locked: Option<BTreeSet<String>>,
    /// Top-level module names of the project's own code, and its own name as a module.
    pub local_modules: BTreeSet<String>,
    /// The files read, in the order read.
    pub files: Vec<PathBuf>,
}

/// Where an available module comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provider {
    Stdlib,
    Project,
    /// A distribution the project declares or locks (its PEP 503 name).
    Distribution(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provided {
    Yes(Provider),
    /// Nothing the project installs provides the module; these distributions would.
    No {
        distributions: Vec<String>,
    },
    /// Cannot tell: no finding.
    Unknown,
}

/// A distribution name normalized as PEP 503 says (the project's one normalisation,
/// [`crate::project::normalize`], on the trimmed name).
pub fn normalize(name: &str) -> String {
    crate::project::normalize(name.trim())
}

/// What the project at `root` declares; `None` when it declares nothing (then no finding can
/// be made).
pub fn project_distributions(root: &Path) -> Option<Distributions> {
    let mut found = Distributions::default();
    let pyproject = root.join("pyproject.toml");
    if let Some(text) = read(&pyproject, MAX_MANIFEST_SIZE) {
        found.files.push(pyproject);
        read_pyproject(&text, &mut found);
    }
    let mut requirements: Vec<PathBuf> = entries(root)
        .into_iter()
        .filter(|path| {
            file_name(path)
                .is_some_and(|name| name.starts_with("requirements") && name.ends_with(".txt"))
        })
        .collect();
    requirements.extend(
        entries(&root.join("requirements"))
            .into_iter()
            .filter(|path| file_name(path).is_some_and(|name| name.ends_with(".txt"))),
    );
    requirements.sort();
    let mut seen = HashSet::new();
    for path in requirements {
        read_requirements_file(&path, &mut seen, &mut found);
    }
    for path in entries(root) {
        let Some(name) = file_name(&path) else {
            continue;
        };
        let lock = name == "uv.lock"
            || name == "poetry.lock"
            || (name.starts_with("pylock") && name.ends_with(".toml"));
        let Some(text) = Some(())
            .filter(|_| lock)
            .and_then(|_| read(&path, MAX_LOCK_SIZE))
        else {
            continue;
        };
        found.files.push(path);
        read_lock(&text, &mut found);
    }
    if found.declared.is_empty() && found.locked.is_none() {
        return None;
    }
    for directory in [root.to_owned(), root.join("src")] {
        for path in entries(&directory) {
            let Some(name) = file_name(&path) else {
                continue;
            };
            let module = name.strip_suffix(".py").unwrap_or(name);
            if is_identifier(module) && (module.len() < name.len() || path.is_dir()) {
                found.local_modules.insert(module.to_owned());
            }
        }
    }
    Some(found)
}

/// Whether `module` (a top-level name; `a.b` is taken as `a`) is available to a project
/// that declares `distributions`.
pub fn provides(distributions: &Distributions, module: &str) -> Provided {
    let module = module.split('.').next().unwrap_or(module).trim();
    let names = recorded();
    if names.stdlib.contains(module) {
        return Provided::Yes(Provider::Stdlib);
    }
    if distributions.local_modules.contains(module) {
        return Provided::Yes(Provider::Project);
    }
    let installed = |distribution: &str| {
        distributions.declared.contains(distribution)
            || distributions
                .locked
                .as_ref()
                .is_some_and(|locked| locked.contains(distribution))
    };
    let identity = normalize(module);
    if installed(&identity) {
        return Provided::Yes(Provider::Distribution(identity));
    }
    let documented = documented();
    let mut candidates: Vec<&str> = names
        .distributions
        .get(module)
        .into_iter()
        .chain(documented.distributions.get(module))
        .flatten()
        .copied()
        .collect();
    candidates.sort_by_key(|name| normalize(name));
    candidates.dedup_by_key(|name| normalize(name));
    if let Some(found) = candidates
        .iter()
        .map(|c| normalize(c))
        .find(|c| installed(c))
    {
        return Provided::Yes(Provider::Distribution(found));
    }
    if documented.namespaces.contains(module) {
        let prefix = format!("{identity}-");
        let any_installed = distributions
            .declared
            .iter()
            .chain(distributions.locked.iter().flatten())
            .find(|name| name.starts_with(&prefix));
        return match any_installed {
            Some(name) => Provided::Yes(Provider::Distribution(name.clone())),
            None => Provided::Unknown,
        };
    }
    if candidates.is_empty() {
        return Provided::Unknown;
    }
    let transitive = candidates
        .iter()
        .any(|candidate| names.required.contains(normalize(candidate).as_str()));
    if distributions.locked.is_none() && transitive {
        return Provided::Unknown;
    }
    Provided::No {
        distributions: candidates.into_iter().map(str::to_owned).collect(),
    }
}

struct Documented {
    distributions: HashMap<&'static str, Vec<&'static str>>,
    namespaces: HashSet<&'static str>,
}

const MODULE_DISTRIBUTIONS: &str = include_str!("module-distributions.txt");

fn documented() -> &'static Documented {
    static DOCUMENTED: OnceLock<Documented> = OnceLock::new();
    DOCUMENTED.get_or_init(|| {
        let mut documented = Documented {
            distributions: HashMap::new(),
            namespaces: HashSet::new(),
        };
        let mut section = "";
        for line in MODULE_DISTRIBUTIONS.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name;
                continue;
            }
            let mut fields = line.split_whitespace();
            let Some(module) = fields.next() else {
                continue;
            };
            match section {
                "distributions" => documented
                    .distributions
                    .entry(module)
                    .or_default()
                    .extend(fields),
                "namespaces" => {
                    documented.namespaces.insert(module);
                }
                // The file has no other section; a test checks it.
                _unknown => {}
            }
        }
        documented
    })
}

/// Up to `limit` bytes of a regular file, as UTF-8; `None` if it is not one or cannot be read.
fn read(path: &Path, limit: u64) -> Option<String> {
    let metadata = fs::metadata(path).ok()?;
    if !metadata.is_file() || metadata.len() > limit {
        return None;
    }
    let mut text = String::new();
    fs::File::open(path)
        .ok()?
        .take(limit)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

/// A directory's entries (at most [`MAX_DIRECTORY_ENTRIES`]); none if it cannot be read.
fn entries(directory: &Path) -> Vec<PathBuf> {
    fs::read_dir(directory)
        .map(|entries| {
            entries
                .take(MAX_DIRECTORY_ENTRIES)
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .collect()
        })
        .unwrap_or_default()
}

fn file_name(path: &Path) -> Option<&str> {
    path.file_name().and_then(|name| name.to_str())
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The distribution name a PEP 508 requirement starts with (`pyyaml[x]>=6; marker`),
/// normalized: the project's one reading of a requirement ([`crate::project::requirement_name`]).
fn requirement_name(requirement: &str) -> Option<String> {
    crate::project::requirement_name(requirement)
}

fn read_pyproject(text: &str, found: &mut Distributions) {
    let Ok(table) = toml::from_str::<toml::Table>(text) else {
        return;
    };
    let strings = |value: Option<&toml::Value>| -> Vec<String> {
        value
            .and_then(toml::Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(toml::Value::as_str)
                    .filter_map(requirement_name)
                    .collect()
            })
            .unwrap_or_default()
    };
    let tables = |value: Option<&toml::Value>| -> Vec<toml::Value> {
        value
            .and_then(toml::Value::as_table)
            .map(|table| table.values().cloned().collect())
            .unwrap_or_default()
    };
    let project = table.get("project");
    found
        .declared
        .extend(strings(project.and_then(|p| p.get("dependencies"))));
    for group in tables(project.and_then(|p| p.get("optional-dependencies"))) {
        found.declared.extend(strings(Some(&group)));
    }
    for group in tables(table.get("dependency-groups")) {
        found.declared.extend(strings(Some(&group)));
    }
    let tool = table.get("tool");
    let uv = tool.and_then(|t| t.get("uv"));
    found
        .declared
        .extend(strings(uv.and_then(|uv| uv.get("dev-dependencies"))));
    let pdm = tool.and_then(|t| t.get("pdm"));
    for group in tables(pdm.and_then(|pdm| pdm.get("dev-dependencies"))) {
        found.declared.extend(strings(Some(&group)));
    }
    let poetry = tool.and_then(|t| t.get("poetry"));
    let mut poetry_tables: Vec<&toml::Value> = ["dependencies", "dev-dependencies"]
        .iter()
        .filter_map(|key| poetry.and_then(|poetry| poetry.get(*key)))
        .collect();
    if let Some(groups) = poetry
        .and_then(|poetry| poetry.get("group"))
        .and_then(toml::Value::as_table)
    {
        poetry_tables.extend(
            groups
                .values()
                .filter_map(|group| group.get("dependencies")),
        );
    }
    for dependencies in poetry_tables.into_iter().filter_map(toml::Value::as_table) {
        found.declared.extend(
            dependencies
                .keys()
                .filter(|name| name.as_str() != "python")
                .map(|name| normalize(name)),
        );
    }
    for name in [project, poetry]
        .into_iter()
        .flatten()
        .filter_map(|section| section.get("name").and_then(toml::Value::as_str))
    {
        found
            .local_modules
            .insert(normalize(name).replace('-', "_"));
    }
}

fn read_lock(text: &str, found: &mut Distributions) {
    let Ok(table) = toml::from_str::<toml::Table>(text) else {
        return;
    };
    let locked = found.locked.get_or_insert_with(BTreeSet::new);
    // uv.lock and poetry.lock: [[package]]; PEP 751 pylock.toml: [[packages]].
    for key in ["package", "packages"] {
        let packages = table.get(key).and_then(toml::Value::as_array);
        for package in packages.into_iter().flatten() {
            if let Some(name) = package.get("name").and_then(toml::Value::as_str) {
                locked.insert(normalize(name));
            }
        }
    }
}

/// Reads a requirements file and the files it includes with `-r`, each once.
fn read_requirements_file(path: &Path, seen: &mut HashSet<PathBuf>, found: &mut Distributions) {
    let mut pending = vec![path.to_owned()];
    while let Some(path) = pending.pop() {
        let key = fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if seen.len() >= MAX_REQUIREMENT_FILES || !seen.insert(key) {
            continue;
        }
        let Some(text) = read(&path, MAX_MANIFEST_SIZE) else {
            continue;
        };
        found.files.push(path.clone());
        let requirements = read_requirements(&text);
        if requirements.compiled {
            found
                .locked
                .get_or_insert_with(BTreeSet::new)
                .extend(requirements.names.iter().cloned());
        }
        found.declared.extend(requirements.names);
        let directory = path.parent().unwrap_or(Path::new("."));
        pending.extend(
            requirements
                .includes
                .iter()
                .map(|include| directory.join(include)),
        );
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Requirements {
    names: Vec<String>,
    /// `-r` files, as written.
    includes: Vec<String>,
    /// Written by pip-compile or `uv pip compile` (`# via` comments): the whole environment.
    compiled: bool,
}

/// One requirements file's text, as pip reads it: `\` continues a line, ` #` starts a comment,
/// options are skipped but for `-r` includes and `-e` URLs with `#egg=`.
fn read_requirements(text: &str) -> Requirements {
    let mut found = Requirements::default();
    let mut logical = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            let comment = trimmed.trim_start_matches('#').trim_start();
            found.compiled |= comment.starts_with("via ") || comment == "via";
        }
        if let Some(continued) = line.strip_suffix('\\') {
            logical.push_str(continued);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let entry = std::mem::take(&mut logical);
        read_requirement_line(&entry, &mut found);
    }
    read_requirement_line(&logical, &mut found);
    found
}

fn read_requirement_line(line: &str, found: &mut Requirements) {
    // A comment starts at `#` at the line's start or after whitespace (`#egg=` is no comment).
    let line = match line.find(" #").or_else(|| line.find("\t#")) {
        Some(at) => &line[..at],
        None if line.trim_start().starts_with('#') => "",
        None => line,
    };
    let line = line.trim();
    if line.is_empty() {
        return;
    }
    if let Some(option) = line.strip_prefix('-') {
        let (flag, value) = match option.find(|c: char| c == '=' || c.is_whitespace()) {
            Some(at) => (&option[..at], option[at + 1..].trim()),
            None if !option.starts_with('-') => {
                let first = option.chars().next().map_or(0, char::len_utf8);
                (&option[..first], &option[first..])
            }
            None => (option, ""),
        };
        match flag {
            "r" | "-requirement" if !value.is_empty() => found.includes.push(value.to_owned()),
            "e" | "-editable" => found.names.extend(egg_name(value)),
            // Constraints install nothing; index and other options name no distribution.
            _option => {}
        }
        return;
    }
    if line.contains("://") && !line.contains(" @ ") && !line.contains("@ ") {
        found.names.extend(egg_name(line));
        return;
    }
    if line.starts_with(['.', '/', '~']) {
        return;
    }
    found.names.extend(requirement_name(line));
}

/// The name in a URL's `#egg=name` fragment.
fn egg_name(url: &str) -> Option<String> {
    let fragment = url.split_once("#egg=")?.1;
    let end = fragment.find(['&', ' ', '[']).unwrap_or(fragment.len());
    requirement_name(&fragment[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let path = root.join(path);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).unwrap();
            }
            fs::write(path, text).unwrap();
        }
    }

    fn declared(distributions: &Distributions) -> Vec<&str> {
        distributions.declared.iter().map(String::as_str).collect()
    }

    #[test]
    fn normalizes_as_pep_503_says() {
        for (name, expected) in [
            ("PyYAML", "pyyaml"),
            ("python_dotenv", "python-dotenv"),
            ("zope.interface", "zope-interface"),
            ("A__-.b", "a-b"),
            ("  Foo ", "foo"),
        ] {
            assert_eq!(normalize(name), expected, "{name}");
        }
    }

    #[test]
    fn reads_requirements_lines() {
        let text = "\
# comment
fastapi[standard]>=0.110 ; python_version >= '3.10'
PyYAML==6.0.1  # inline comment
python_dotenv
-r base.txt
--requirement=dev.txt
-c constraints.txt
--index-url https://example.com/simple
-e git+https://github.com/x/y.git#egg=My_Lib
git+https://github.com/x/z.git@main#egg=zlib-ng&subdirectory=py
./local/package
uvicorn \\
    [standard]>=0.29
httpx @ https://files.example/httpx-0.27.0-py3-none-any.whl
requests==2.31.0 \\
    --hash=sha256:abc
";
        let found = read_requirements(text);
        assert_eq!(
            found.names,
            [
                "fastapi",
                "pyyaml",
                "python-dotenv",
                "my-lib",
                "zlib-ng",
                "uvicorn",
                "httpx",
                "requests"
            ]
        );
        assert_eq!(found.includes, ["base.txt", "dev.txt"]);
        for odd in [
            "-é",
            "-",
            "--",
            "-r",
            "#",
            " #egg=x",
            "é",
            "[x]",
            "-e",
            "-rfile.txt",
        ] {
            read_requirements(odd);
        }
        assert_eq!(read_requirements("-rbase.txt").includes, ["base.txt"]);
        assert!(!found.compiled);
        let compiled = "fastapi==0.110.0\n    # via -r requirements.in\nanyio==4.3.0\n    # via\n    #   starlette\n";
        assert!(read_requirements(compiled).compiled);
    }

    #[test]
    fn reads_a_project() {
        let root = tempfile::tempdir().unwrap();
        write(
            root.path(),
            &[
                (
                    "pyproject.toml",
                    r#"
[project]
name = "my-service"
dependencies = ["fastapi>=0.110", "SQLAlchemy[asyncio]"]
[project.optional-dependencies]
yaml = ["PyYAML"]
[dependency-groups]
dev = ["pytest", { include-group = "lint" }]
lint = ["ruff"]
[tool.poetry.dependencies]
python = "^3.12"
python-jose = { version = "*", extras = ["cryptography"] }
[tool.poetry.group.test.dependencies]
respx = "*"
"#,
                ),
                ("requirements.txt", "-r requirements/base.txt\nredis\n"),
                ("requirements/base.txt", "-r ../requirements.txt\nPyJWT\n"),
                ("requirements-dev.txt", "mypy\n"),
                ("app/__init__.py", ""),
                ("src/worker/__init__.py", ""),
                ("manage.py", ""),
                ("README.md", ""),
            ],
        );
        let found = project_distributions(root.path()).unwrap();
        assert_eq!(
            declared(&found),
            [
                "fastapi",
                "mypy",
                "pyjwt",
                "pytest",
                "python-jose",
                "pyyaml",
                "redis",
                "respx",
                "ruff",
                "sqlalchemy"
            ]
        );
        assert_eq!(found.locked, None);
        let local: Vec<&str> = found.local_modules.iter().map(String::as_str).collect();
        assert_eq!(
            local, // Any directory can be imported as a namespace package from the working directory.
            [
                "app",
                "manage",
                "my_service",
                "requirements",
                "src",
                "worker"
            ]
        );
    }

    #[test]
    fn a_project_that_declares_nothing_gives_none() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(project_distributions(root.path()), None);
        write(
            root.path(),
            &[("pyproject.toml", "[tool.ruff]\nline-length = 100\n")],
        );
        assert_eq!(project_distributions(root.path()), None);
        write(root.path(), &[("pyproject.toml", "not = [toml")]);
        assert_eq!(project_distributions(root.path()), None);
    }

    #[test]
    fn reads_locks() {
        let root = tempfile::tempdir().unwrap();
        write(
            root.path(),
            &[
                (
                    "pyproject.toml",
                    "[project]\nname = \"svc\"\ndependencies = [\"fastapi\"]\n",
                ),
                (
                    "uv.lock",
                    "version = 1\n[[package]]\nname = \"fastapi\"\nversion = \"0.110.0\"\n\n[[package]]\nname = \"Starlette\"\nversion = \"0.36.0\"\n",
                ),
            ],
        );
        let found = project_distributions(root.path()).unwrap();
        let locked: Vec<&str> = found.locked.iter().flatten().map(String::as_str).collect();
        assert_eq!(locked, ["fastapi", "starlette"]);
    }

    fn project(declared: &[&str], locked: Option<&[&str]>) -> Distributions {
        Distributions {
            declared: declared.iter().map(|name| normalize(name)).collect(),
            locked: locked.map(|names| names.iter().map(|name| normalize(name)).collect()),
            local_modules: ["app".to_owned()].into(),
            files: Vec::new(),
        }
    }

    #[test]
    fn which_modules_a_project_provides() {
        let yes = |name: &str| Provided::Yes(Provider::Distribution(name.to_owned()));
        let no = |names: &[&str]| Provided::No {
            distributions: names.iter().map(|name| (*name).to_owned()).collect(),
        };
        let direct = project(
            &["fastapi", "PyYAML", "python-jose", "psycopg2-binary"],
            None,
        );
        let locked = project(&["fastapi"], Some(&["fastapi", "starlette", "httpx"]));
        let cases: &[(&Distributions, &str, Provided)] = &[
            (&direct, "sys", Provided::Yes(Provider::Stdlib)),
            (&direct, "urllib.request", Provided::Yes(Provider::Stdlib)),
            (&direct, "tomllib", Provided::Yes(Provider::Stdlib)),
            (&direct, "app", Provided::Yes(Provider::Project)),
            (&direct, "fastapi", yes("fastapi")),
            (&direct, "yaml", yes("pyyaml")),
            (&direct, "jose", yes("python-jose")),
            (&direct, "psycopg2", yes("psycopg2-binary")),
            // Known distributions the project does not install, and that nothing recorded
            // pulls in.
            (&direct, "magic", no(&["python-magic", "python-magic-bin"])),
            (
                &direct,
                "cv2",
                no(&[
                    "opencv-contrib-python",
                    "opencv-contrib-python-headless",
                    "opencv-python",
                    "opencv-python-headless",
                ]),
            ),
            (&direct, "redis", no(&["redis"])),
            // Installed by other distributions: may be there without being declared.
            (&direct, "httpx", Provided::Unknown),
            (&direct, "requests", Provided::Unknown),
            (&direct, "dotenv", Provided::Unknown),
            // redis's `ocsp` extra requires PyJWT.
            (&direct, "jwt", Provided::Unknown),
            // A lock lists every installed distribution.
            (&locked, "httpx", yes("httpx")),
            (&locked, "starlette", yes("starlette")),
            (&locked, "requests", no(&["requests"])),
            (&locked, "yaml", no(&["PyYAML"])),
            // Namespaces and modules no table places.
            (&direct, "google", Provided::Unknown),
            (
                &project(&["google-cloud-storage"], None),
                "google",
                yes("google-cloud-storage"),
            ),
            (&direct, "mycompany_internal", Provided::Unknown),
            (
                &project(&["mycompany-internal"], None),
                "mycompany_internal",
                yes("mycompany-internal"),
            ),
        ];
        for (distributions, module, expected) in cases {
            assert_eq!(provides(distributions, module), *expected, "{module}");
        }
    }

    #[test]
    fn the_documented_table_is_read() {
        let documented = documented();
        assert!(documented.distributions.contains_key("cv2"));
        assert!(documented.namespaces.contains("google"));
        for line in MODULE_DISTRIBUTIONS.lines().map(str::trim) {
            if let Some(section) = line.strip_prefix('[') {
                assert!(
                    ["distributions]", "namespaces]"].contains(&section),
                    "{line}"
                );
            }
        }
    }
}
