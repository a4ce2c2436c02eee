//! Finding the settings class: every class deriving from `BaseSettings` in a project
//! ([`find_settings_classes`]), or the one a `settings = "..."` specification names
//! ([`resolve_spec`]).
//!
//! The walk is the `ignore` crate's (ripgrep's): it honours `.gitignore` the way git does, which
//! hand-written walking gets wrong in the details (negations, anchored patterns, nested ignore
//! files). On top of that it skips what is never the application: virtual environments (a
//! directory holding `pyvenv.cfg`, or named `.venv`, `venv`, `env`, `site-packages`), vendored
//! JavaScript, `tests/`, `test/`, `fixtures/` and `__pycache__`.
//!
//! Cost: parsing is the expensive step, so a file is parsed only when its text mentions
//! `BaseSettings` or the name of a settings class already found (a class can derive from
//! `BaseSettings` through a project base defined in another file). On a typical project that is
//! one or two files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use aho_corasick::AhoCorasick;

use super::ReadError;
use super::reader::{ClassRef, Project};
use super::syntax::Binding;
use crate::source::read::Reader;

/// Directory names that never hold the application's settings.
const SKIPPED_DIRECTORIES: &[&str] = &[
    ".git",
    ".venv",
    "venv",
    "env",
    "site-packages",
    "node_modules",
    "tests",
    "test",
    "fixtures",
    "__pycache__",
];

/// Every class under `root` that derives from `BaseSettings`, directly or through project
/// bases, as (file, class name), sorted; a class that another found class derives from is a
/// base, not a candidate, and is left out. Files that cannot be read or parsed are skipped: they
/// are not the application's settings, or the reader will say so when named.
pub fn find_settings_classes(root: &Path, reader: &Reader) -> Vec<(PathBuf, String)> {
    let sources = python_sources(root, reader);
    let mut project = Project::new(root, reader);
    let mut found: BTreeSet<(PathBuf, String)> = BTreeSet::new();
    let mut bases: BTreeSet<(PathBuf, String)> = BTreeSet::new();
    let mut searched_names: Vec<String> = Vec::new();
    let mut names = vec!["BaseSettings".to_owned()];
    let mut parsed = vec![false; sources.len()];
    // Each round looks for files mentioning a name not looked for yet: first `BaseSettings`,
    // then the classes found to derive from it.
    while !names.is_empty() {
        let Ok(matcher) = AhoCorasick::new(&names) else {
            break;
        };
        searched_names.append(&mut names);
        for (index, (path, text)) in sources.iter().enumerate() {
            if parsed[index] || !matcher.is_match(text) {
                continue;
            }
            parsed[index] = true;
            let Ok(module) = project.load(path) else {
                continue;
            };
            for class_index in 0..module.classes.len() {
                let name = module.classes[class_index].name.clone();
                // A later class of the same name replaces the earlier one in Python.
                let is_bound = matches!(
                    module.bindings.get(&name),
                    Some(Binding::Class(bound)) if *bound == class_index
                );
                let class = ClassRef {
                    module: Rc::clone(&module),
                    index: class_index,
                };
                if is_bound && project.is_settings_class(&class) {
                    if !searched_names.contains(&name) && !names.contains(&name) {
                        names.push(name.clone());
                    }
                    // The project's own bases of this class are not the application's
                    // settings: the class that derives from them is.
                    let lineage = project.lineage(&class);
                    for base in lineage.classes.iter().filter(|base| !base.same(&class)) {
                        bases.insert((base.module.path.clone(), base.def().name.clone()));
                    }
                    found.insert((path.clone(), name));
                }
            }
        }
    }
    found.difference(&bases).cloned().collect()
}

/// The `.py` files under `root` that discovery looks at, with their text.
fn python_sources(root: &Path, reader: &Reader) -> Vec<(PathBuf, String)> {
    let walker = ignore::WalkBuilder::new(root)
        // `.gitignore` applies even outside a git work tree (a project unpacked from an archive).
        .require_git(false)
        .filter_entry(|entry| {
            let is_directory = entry.file_type().is_some_and(|kind| kind.is_dir());
            if !is_directory || entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            !SKIPPED_DIRECTORIES.contains(&name.as_ref())
                && !entry.path().join("pyvenv.cfg").is_file()
        })
        .build();
    let mut sources = Vec::new();
    for entry in walker.flatten() {
        let is_file = entry.file_type().is_some_and(|kind| kind.is_file());
        if !is_file
            || entry
                .path()
                .extension()
                .is_none_or(|extension| extension != "py")
        {
            continue;
        }
        if let Ok(text) = reader.read_path(entry.path()) {
            sources.push((entry.into_path(), text));
        }
    }
    sources.sort();
    sources
}

/// Resolve a `settings` specification against the project root:
/// - `app/core/config.py:Settings`: a file and a class;
/// - `app.core.config:Settings`: a module as Python imports it (uvicorn's `app.main:app`
///   form), looked up under `root` and `root/src`;
/// - `app/core/config.py` or `app.core.config`: the one `BaseSettings` class in it.
pub fn resolve_spec(
    root: &Path,
    spec: &str,
    reader: &Reader,
) -> Result<(PathBuf, String), ReadError> {
    let (location, class) = match spec.rsplit_once(':') {
        // `C:\...` on Windows: a drive letter, not a class.
        Some((location, class)) if !class.starts_with(['\\', '/']) && !class.is_empty() => {
            (location, Some(class))
        }
        Some(_) | None => (spec, None),
    };
    let file = spec_file(root, location)?;
    if let Some(class) = class {
        return Ok((file, class.to_owned()));
    }
    let mut project = Project::new(root, reader);
    let module = project.load(&file)?;
    let mut classes = Vec::new();
    for (index, class) in module.classes.iter().enumerate() {
        let reference = ClassRef {
            module: Rc::clone(&module),
            index,
        };
        if project.is_settings_class(&reference) && !classes.contains(&class.name) {
            classes.push(class.name.clone());
        }
    }
    match classes.len() {
        0 => Err(ReadError::NoSettingsClass { path: file }),
        1 => Ok((file, classes.remove(0))),
        _several => Err(ReadError::SeveralSettingsClasses {
            path: file,
            classes,
        }),
    }
}

fn spec_file(root: &Path, location: &str) -> Result<PathBuf, ReadError> {
    let looks_like_path = location.ends_with(".py")
        || location.contains('/')
        || location.contains(std::path::MAIN_SEPARATOR);
    if looks_like_path {
        let path = root.join(location);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(ReadError::Unreadable {
                path,
                reason: "no such file".to_owned(),
            })
        };
    }
    let relative: PathBuf = location.split('.').collect();
    for base in [root.to_owned(), root.join("src")] {
        let file = base.join(&relative).with_extension("py");
        if file.is_file() {
            return Ok(file);
        }
        let package = base.join(&relative).join("__init__.py");
        if package.is_file() {
            return Ok(package);
        }
    }
    Err(ReadError::ModuleNotFound {
        module: location.to_owned(),
        root: root.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a scratch directory");
        for (path, source) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("directories");
            std::fs::write(path, source).expect("a file");
        }
        dir
    }

    const SETTINGS: &str = "from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    a: int = 1\n";

    fn found(dir: &tempfile::TempDir) -> Vec<(String, String)> {
        find_settings_classes(dir.path(), &Reader::default())
            .into_iter()
            .map(|(path, class)| {
                let relative = path.strip_prefix(dir.path()).expect("under the root");
                (relative.to_string_lossy().replace('\\', "/"), class)
            })
            .collect()
    }

    #[test]
    fn skips_environments_tests_fixtures_and_ignored_files() {
        let dir = project(&[
            ("app/config.py", SETTINGS),
            (".venv/lib/config.py", SETTINGS),
            ("venv/config.py", SETTINGS),
            ("env/config.py", SETTINGS),
            ("custom-env/pyvenv.cfg", "home = /usr\n"),
            ("custom-env/lib/config.py", SETTINGS),
            ("lib/site-packages/pkg/config.py", SETTINGS),
            ("node_modules/x/config.py", SETTINGS),
            ("tests/config.py", SETTINGS),
            ("test/config.py", SETTINGS),
            ("fixtures/config.py", SETTINGS),
            ("app/__pycache__/config.py", SETTINGS),
            ("build/config.py", SETTINGS),
            (".gitignore", "build/\n"),
            ("app/broken.py", "class Settings(BaseSettings:\n"),
            ("app/other.py", "class NotSettings:\n    a: int\n"),
        ]);
        assert_eq!(
            found(&dir),
            [("app/config.py".to_owned(), "Settings".to_owned())]
        );
    }

    #[test]
    fn follows_project_bases_in_files_that_do_not_mention_base_settings() {
        let dir = project(&[
            ("app/__init__.py", ""),
            (
                "app/base.py",
                "from pydantic_settings import BaseSettings\nclass AppBase(BaseSettings):\n    pass\n",
            ),
            (
                "app/config.py",
                "from app.base import AppBase\nclass Settings(AppBase):\n    a: int = 1\n",
            ),
            (
                "app/models.py",
                "from pydantic import BaseModel\nclass Thing(BaseModel):\n    a: int\n",
            ),
        ]);
        // `AppBase` is found too, but as a base of `Settings` it is not a candidate.
        assert_eq!(
            found(&dir),
            [("app/config.py".to_owned(), "Settings".to_owned())]
        );
    }

    #[test]
    fn resolve_spec_forms() {
        let dir = project(&[
            ("app/__init__.py", ""),
            ("app/core/__init__.py", ""),
            ("app/core/config.py", SETTINGS),
            ("src/svc/settings.py", SETTINGS),
            (
                "two.py",
                "from pydantic_settings import BaseSettings\nclass A(BaseSettings):\n    pass\nclass B(BaseSettings):\n    pass\n",
            ),
            ("none.py", "x = 1\n"),
        ]);
        let root = dir.path();
        let config = root.join("app/core/config.py");
        let table = [
            (
                "app/core/config.py:Settings",
                Ok((config.clone(), "Settings".to_owned())),
            ),
            (
                "app.core.config:Settings",
                Ok((config.clone(), "Settings".to_owned())),
            ),
            (
                "app/core/config.py",
                Ok((config.clone(), "Settings".to_owned())),
            ),
            (
                "app.core.config",
                Ok((config.clone(), "Settings".to_owned())),
            ),
            (
                "svc.settings:Settings",
                Ok((root.join("src/svc/settings.py"), "Settings".to_owned())),
            ),
        ];
        for (spec, expected) in table {
            assert_eq!(
                resolve_spec(root, spec, &Reader::default()),
                expected,
                "{spec}"
            );
        }
        assert!(matches!(
            resolve_spec(root, "two.py", &Reader::default()),
            Err(ReadError::SeveralSettingsClasses { .. })
        ));
        assert!(matches!(
            resolve_spec(root, "none.py", &Reader::default()),
            Err(ReadError::NoSettingsClass { .. })
        ));
        assert!(matches!(
            resolve_spec(root, "app.nope:Settings", &Reader::default()),
            Err(ReadError::ModuleNotFound { .. })
        ));
        assert!(matches!(
            resolve_spec(root, "nope/config.py", &Reader::default()),
            Err(ReadError::Unreadable { .. })
        ));
    }

    #[test]
    fn prefilter_skips_files_without_the_name() {
        // 2,000 modules, one of them the settings: only that one is parsed, so this stays fast.
        let mut files: Vec<(String, String)> = (0..2_000)
            .map(|index| {
                (
                    format!("app/m{index}.py"),
                    format!("def f{index}():\n    return {index}\n"),
                )
            })
            .collect();
        files.push(("app/config.py".to_owned(), SETTINGS.to_owned()));
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(path, source)| (path.as_str(), source.as_str()))
            .collect();
        let dir = project(&borrowed);
        assert_eq!(
            found(&dir),
            [("app/config.py".to_owned(), "Settings".to_owned())]
        );
    }
}
