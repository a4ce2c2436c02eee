//! What the paths a lint names stand for: a file is itself, `-` is standard input, and a
//! directory stands for the files found under it that deploycheck lints. The one place that
//! decides which found files are inputs ([`is_input_name`]) and in which order inputs are
//! judged and reported ([`sort_by_path`]).
//!
//! Found files are chosen by name with the pre-commit hook's rule ([`is_dotenv_name`]), so that
//! `deploycheck lint .` in CI and the hook on a commit judge the same files. The walk is the
//! `ignore` crate's, as ripgrep walks: `.gitignore` (also outside a git work tree, as in a
//! project unpacked from an archive), `.ignore`, `.git/info/exclude` and the global git excludes
//! apply; hidden files are looked at (`.env` is one) but `.git` is not; links are not followed,
//! neither to directories nor to files (ripgrep without `-L`), and only regular files are taken
//! (a named pipe a secrets manager serves as `.env` would block the run): name such a file to
//! lint it. A directory that yields no input is an error, never a pass: a gate that judged
//! nothing must not succeed.

use std::path::{Component, Path, PathBuf};

use crate::error::Error;

/// Is this the name of a .env file the pre-commit hook lints? The .env part of its `files`
/// pattern in `.pre-commit-hooks.yaml` (which [`is_input_name`] quotes whole), applied to the
/// last component of `path`: that is `.env`, `.env.anything` or `anything.env`, unless it is a template
/// ([`is_template_name`]). The `regex` crate has no look-ahead, so the rule is written out here;
/// `tests/pre_commit.rs` checks both on a table of names (with Python's `re`, which pre-commit
/// uses, when it is installed).
pub fn is_dotenv_name(path: &str) -> bool {
    let name = last_component(path);
    let dotenv = name == ".env"
        || name
            .strip_prefix(".env.")
            .is_some_and(|rest| !rest.is_empty())
        || name
            .strip_suffix(".env")
            .is_some_and(|rest| !rest.is_empty());
    dotenv && !is_template_name(name)
}

/// Is the last component of `path` a template (`.env.example`, `example.env`,
/// `.env.sample.local`, `config.template.env`): documentation full of placeholders, never a
/// target of its own? It holds `example`, `sample` or `template` as a word (`\b` on each side,
/// as Python's `re` reads `\b`: a letter, digit or `_` on one side only), case-sensitive, as the
/// hook's look-ahead says.
pub fn is_template_name(path: &str) -> bool {
    let name = last_component(path);
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    ["example", "sample", "template"].iter().any(|word| {
        name.match_indices(word).any(|(start, _)| {
            let before = name[..start].chars().next_back();
            let after = name[start + word.len()..].chars().next();
            !before.is_some_and(is_word) && !after.is_some_and(is_word)
        })
    })
}

/// Is a file found under a directory an input? The one test the walk applies: a .env file
/// ([`is_dotenv_name`]) or a deployment file ([`crate::manifest::Kind::of_name`]: `Dockerfile`,
/// `Dockerfile.prod`, `api.Dockerfile`, `railway.toml`, `railway.json`, `Procfile`), unless it
/// is a template (`Dockerfile.example`). The pre-commit hook's `files` pattern, which
/// `tests/pre_commit.rs` checks against this on a table of names:
///
/// ```text
/// (^|/)(?![^/]*\b(example|sample|template)\b)(\.env(\.[^/]+)?|[^/]+\.env|(?i:dockerfile)(\.[^/]+)?|[^/]+\.(?i:dockerfile)|railway\.(toml|json)|Procfile)$
/// ```
pub fn is_input_name(name: &str) -> bool {
    is_dotenv_name(name)
        || crate::manifest::Kind::of_name(name).is_some() && !is_template_name(name)
}

/// The last component of a path written with `/` (or `\` on Windows).
fn last_component(path: &str) -> &str {
    path.rsplit(['/', std::path::MAIN_SEPARATOR])
        .next()
        .unwrap_or(path)
}

/// The inputs the paths a lint names stand for, in the order they are judged and reported:
/// sorted by path ([`sort_by_path`]), whatever order they were named in, each once. A directory
/// stands for the inputs found under it, named from the directory as it was typed
/// (`app/.env`, and `.env` for `.`, as pre-commit names them, so that baselines and per-file
/// settings match either way); a file named twice, or named and found (`lint . .env`), is
/// judged once, under the name that was given first.
pub fn inputs(paths: &[String]) -> Result<Vec<String>, Error> {
    let mut inputs = Vec::with_capacity(paths.len());
    for path in paths {
        if path != "-" && Path::new(path).is_dir() {
            let found = walk(path)?;
            if found.is_empty() {
                return Err(Error::NoInputsFound { path: path.clone() });
            }
            inputs.extend(found);
        } else {
            inputs.push(path.clone());
        }
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut keyed: Vec<(Option<PathBuf>, String)> = inputs
        .into_iter()
        .map(|path| (order_key(&path, &cwd), path))
        .collect();
    // A stable sort: of two names of one file, the one given first stays.
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.dedup_by(|later, earlier| later.0 == earlier.0);
    Ok(keyed.into_iter().map(|(_, path)| path).collect())
}

/// Sort `items` by the input path each names, in the order [`inputs`] gives: standard input
/// first, then paths component by component (a directory's files together: `app/.env` before
/// `app.env`), relative ones as from the current directory, `./` and repeated `/` making no
/// difference. Stable.
pub fn sort_by_path<T>(items: &mut [T], path: impl Fn(&T) -> &str) {
    let cwd = std::env::current_dir().unwrap_or_default();
    items.sort_by_cached_key(|item| order_key(path(item), &cwd));
}

/// `None` for standard input, else the path made absolute, without `.` components (`..` stays:
/// through a link it is not the parent it looks like).
fn order_key(path: &str, cwd: &Path) -> Option<PathBuf> {
    (path != "-").then(|| {
        cwd.join(path)
            .components()
            .filter(|part| *part != Component::CurDir)
            .collect()
    })
}

/// The inputs under `dir`, unsorted.
fn walk(dir: &str) -> Result<Vec<String>, Error> {
    let root = Path::new(dir);
    // `.` names its files as pre-commit does (`.env`, `app/.env`), not `./.env`.
    let is_current = root.components().all(|part| part == Component::CurDir);
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        // `.gitignore` applies even outside a git work tree (a project unpacked from an archive).
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| {
            let is_directory = entry.file_type().is_some_and(|kind| kind.is_dir());
            !(is_directory && entry.depth() > 0 && entry.file_name() == ".git")
        })
        .build();
    let mut found = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            // A directory that cannot be read may hold inputs: the run cannot judge them.
            Err(error) if error.io_error().is_some() => {
                return Err(Error::Unreadable {
                    path: dir.to_owned(),
                    reason: error.to_string(),
                });
            }
            // A pattern of an ignore file that cannot be parsed: the rest of the file still
            // applies, as ripgrep does; at worst a file meant to be ignored is judged.
            Err(_) => continue,
        };
        let is_file = entry.file_type().is_some_and(|kind| kind.is_file());
        if !is_file || !is_input_name(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let name = if is_current {
            relative.to_path_buf()
        } else {
            root.join(relative)
        };
        match name.into_os_string().into_string() {
            Ok(name) => found.push(name),
            Err(name) => {
                return Err(Error::Unreadable {
                    path: PathBuf::from(name).display().to_string(),
                    reason: "the path is not valid UTF-8".to_owned(),
                });
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_sort_by_path_and_name_each_file_once() {
        let named = |paths: &[&str]| -> Vec<String> {
            inputs(&paths.iter().map(|p| p.to_string()).collect::<Vec<_>>()).expect("no walk")
        };
        assert_eq!(
            named(&[
                "app.env",
                "app/.env",
                "-",
                "./app/.env",
                ".env",
                "app//.env"
            ]),
            ["-", ".env", "app/.env", "app.env"]
        );
        assert_eq!(named(&["./b.env", "b.env"]), ["./b.env"]);
        let cwd = std::env::current_dir().expect("a current directory");
        let absolute = cwd.join("b.env").display().to_string();
        assert_eq!(named(&["b.env", &absolute, "a.env"]), ["a.env", "b.env"]);
    }
}
