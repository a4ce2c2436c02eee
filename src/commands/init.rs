//! `init [DIR]`: adopt deploycheck in a project. Look at it ([`survey`]), decide every file to
//! write ([`configuration`], [`pyproject`], [`workflow`], [`pre_commit`]), then write them, in
//! that order, so that a refusal (exit 2) leaves everything as it was.
//!
//! A file the user has is never overwritten: one that differs from what `init` would write is
//! shown as a unified diff and left alone (exit 1) unless `--force`; one that is the same is up
//! to date (exit 0). Files that `init` adds to rather than replaces (a pyproject.toml without
//! `[tool.deploycheck]`, a `.pre-commit-config.yaml`) keep every byte they held. Nothing is
//! written outside DIR: not through a symbolic link, not into a directory that leads out of it.
//! What is printed holds names and paths; a diff of a file that exists is masked by the secrets
//! the project's .env files hold, the secrets URLs and keys embed, and the values written beside
//! a secret's name (`RAILWAY_TOKEN: "…"` in a workflow), before it is shown.

mod configuration;
mod pre_commit;
mod pyproject;
mod survey;
mod workflow;

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex::Regex;

use crate::cli::{CiProvider, InitArgs};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::secret;
use crate::source::SourceFile;
use crate::source::read::Reader;
use crate::streams::Streams;

pub use configuration::Placement;
pub use pre_commit::REPOSITORY_URL;
pub use workflow::SERVICE_PLACEHOLDER;

/// The configuration text `init` would write for the project in `dir` (deploycheck.toml's, or
/// the `[tool.deploycheck]` section), for tests that load it with the configuration reader.
pub fn configuration_text(dir: &Path, placement: Placement) -> Result<String, Error> {
    let reader = Reader::new(None);
    let survey = survey::survey(dir, &reader)?;
    Ok(configuration::render(&survey, placement))
}

/// A file to write.
struct Plan {
    /// Relative to DIR, `/`-separated.
    name: &'static str,
    /// Its whole new text.
    text: String,
    /// Whether the file may be written over without `--force` because the new text only adds
    /// to what it holds.
    adds: bool,
}

pub fn run(args: InitArgs, streams: &mut Streams, reader: &Reader) -> Result<ExitStatus, Error> {
    let dir = &args.dir;
    if !dir.exists() {
        return Err(Error::NotFound {
            path: dir.display().to_string(),
        });
    }
    if !dir.is_dir() {
        return Err(Error::Usage {
            message: format!("{}: not a directory", dir.display()),
            help: Some("give the project's directory, e.g. `deploycheck init .`".to_owned()),
        });
    }
    let survey = survey::survey(dir, reader)?;
    let out = &mut *streams.stdout;
    report_found(&survey, dir, out)?;

    let mut plans = Vec::new();
    if args.pyproject {
        plans.push(pyproject_plan(&survey, dir, args.force, reader)?);
    } else {
        if survey.pyproject == Some(true) && !survey.has_config_file {
            return Err(Error::Usage {
                message: format!(
                    "{}: has a [tool.deploycheck] table, which a new deploycheck.toml would take \
                     the place of",
                    shown(dir, "pyproject.toml")
                ),
                help: Some(
                    "update the table with `deploycheck init --pyproject` (`--force` replaces \
                     it), or remove it to use deploycheck.toml"
                        .to_owned(),
                ),
            });
        }
        plans.push(Plan {
            name: "deploycheck.toml",
            text: configuration::render(&survey, Placement::File),
            adds: false,
        });
    }
    if let Some(CiProvider::Github) = args.ci {
        plans.push(Plan {
            name: ".github/workflows/deploycheck.yml",
            text: workflow::render(&survey),
            adds: false,
        });
    }
    let mut hook_present = false;
    if args.pre_commit {
        let name = ".pre-commit-config.yaml";
        let path = survey.root.join(name);
        let existing = match survey.pre_commit {
            Some(_) => Some(reader.read_path(&path)?),
            None => None,
        };
        match pre_commit::add_hook(existing.as_deref()) {
            pre_commit::Change::Create(text) => plans.push(Plan {
                name,
                text,
                adds: false,
            }),
            pre_commit::Change::Append(text) => plans.push(Plan {
                name,
                text,
                adds: true,
            }),
            pre_commit::Change::Present => hook_present = true,
            pre_commit::Change::Refused(why) => {
                return Err(Error::Usage {
                    message: format!(
                        "{}: cannot add the deploycheck hook as text: {why}",
                        shown(dir, name)
                    ),
                    help: Some(format!(
                        "add this entry to its `repos:` list by hand:\n{}",
                        pre_commit::manual_entry()
                    )),
                });
            }
        }
    }
    // Every target is checked before anything is written.
    let targets: Vec<PathBuf> = plans
        .iter()
        .map(|plan| target(&survey.root, dir, plan.name))
        .collect::<Result<_, _>>()?;

    let mut status = ExitStatus::Success;
    for (plan, path) in plans.iter().zip(&targets) {
        let name = shown(dir, plan.name);
        let existing = if path.exists() {
            Some(reader.read_path(path)?)
        } else {
            None
        };
        match existing {
            None => {
                write(path, &plan.text)?;
                writeln!(out, "wrote {name}")?;
            }
            Some(existing) if existing == plan.text => {
                writeln!(out, "{name} is up to date")?;
            }
            Some(_) if plan.adds => {
                write(path, &plan.text)?;
                writeln!(out, "updated {name} (added to it; the rest kept as it was)")?;
            }
            Some(_) if args.force => {
                write(path, &plan.text)?;
                writeln!(out, "replaced {name} (--force)")?;
            }
            Some(existing) => {
                diff(&survey, &name, &existing, &plan.text, out)?;
                writeln!(
                    out,
                    "{name} exists and differs from the above: not written (`--force` replaces \
                     it)"
                )?;
                status = ExitStatus::Failure;
            }
        }
    }
    if hook_present {
        writeln!(
            out,
            "{} already runs the deploycheck hook: not changed",
            shown(dir, ".pre-commit-config.yaml")
        )?;
    }
    if status == ExitStatus::Success {
        next_steps(&survey, dir, &args, out)?;
    }
    out.flush()?;
    Ok(status)
}

/// The plan for `--pyproject`: the existing pyproject.toml with the table added, or replaced
/// under `--force`.
fn pyproject_plan(
    survey: &survey::Survey,
    dir: &Path,
    force: bool,
    reader: &Reader,
) -> Result<Plan, Error> {
    let name = "pyproject.toml";
    let Some(has_table) = survey.pyproject else {
        return Err(Error::Usage {
            message: format!("{}: no such file, for --pyproject", shown(dir, name)),
            help: Some(
                "run `deploycheck init` without --pyproject to write deploycheck.toml".to_owned(),
            ),
        });
    };
    if survey.has_config_file {
        return Err(Error::Usage {
            message: format!(
                "{}: exists, and deploycheck reads it before [tool.deploycheck] in \
                 pyproject.toml",
                shown(dir, "deploycheck.toml")
            ),
            help: Some(
                "remove deploycheck.toml to keep the configuration in pyproject.toml, or run \
                 `deploycheck init` without --pyproject to update deploycheck.toml"
                    .to_owned(),
            ),
        });
    }
    let existing = reader.read_path(&survey.root.join(name))?;
    let table = configuration::render(survey, Placement::Pyproject);
    let text = pyproject::with_table(&existing, &table).map_err(|why| Error::Usage {
        message: format!(
            "{}: cannot write [tool.deploycheck] as text: {why}",
            shown(dir, name)
        ),
        help: Some(
            "remove the `deploycheck` settings from it, then run `deploycheck init --pyproject` \
             again"
                .to_owned(),
        ),
    })?;
    Ok(Plan {
        name,
        text,
        // Adding a table changes nothing the file held; replacing one was asked for. A table
        // that is there and differs is any file that differs: its diff, exit 1.
        adds: !has_table || force,
    })
}

/// A target's path, checked: a regular file or nothing, reached without leaving DIR (no
/// symbolic link on the way or at the end).
fn target(root: &Path, dir: &Path, name: &str) -> Result<PathBuf, Error> {
    let path = root.join(name);
    let refuse = |why: &str| Error::Usage {
        message: format!("{}: {why}", shown(dir, name)),
        help: Some(format!(
            "`deploycheck init` writes only regular files inside {}; write this one by hand",
            dir.display()
        )),
    };
    let mut walked = root.to_path_buf();
    for part in Path::new(name).components() {
        walked.push(part);
        match std::fs::symlink_metadata(&walked) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                return Err(refuse("is reached through a symbolic link"));
            }
            Ok(metadata) if walked == path && !metadata.is_file() => {
                return Err(refuse("exists and is not a regular file"));
            }
            Ok(metadata) if walked != path && !metadata.is_dir() => {
                return Err(refuse("a part of its path is not a directory"));
            }
            Ok(_) | Err(_) => {}
        }
    }
    Ok(path)
}

/// Write a whole file, creating its directory (inside DIR: [`target`] checked the way).
fn write(path: &Path, text: &str) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|error| Error::Unwritable {
            path: parent.display().to_string(),
            reason: error.to_string(),
        })?;
    }
    crate::output::replace_whole(path, |out| {
        out.write_all(text.as_bytes())?;
        Ok(())
    })
}

/// A path under DIR as the user would write it (`deploycheck.toml` for `.`).
fn shown(dir: &Path, name: &str) -> String {
    if dir
        .components()
        .all(|part| part == std::path::Component::CurDir)
    {
        name.to_owned()
    } else {
        dir.join(name).display().to_string()
    }
}

/// A text with the project's secrets masked, by the spans the redactor and the URL and key
/// readers find in it (never by rewriting what `init` itself writes).
fn masked(survey: &survey::Survey, text: &str) -> String {
    let mut file = SourceFile::new("", text);
    let mut spans = secret::embedded_secret_ranges(text);
    spans.extend(survey.redactor.find(text));
    spans.extend(named_secret_values(text));
    file.redact_all(spans);
    file.redacted
}

/// The values of `NAME: value` and `NAME = value` lines (YAML, TOML) whose name says it holds a
/// secret: a token written into a workflow by hand is in no .env file for the redactor to know.
/// Workflow expressions (`${{ secrets.RAILWAY_TOKEN }}`) hold no secret and stay visible.
fn named_secret_values(text: &str) -> Vec<Range<usize>> {
    static LINE: OnceLock<Regex> = OnceLock::new();
    let line = LINE.get_or_init(|| {
        Regex::new(
            r#"(?m)^[ \t]*(?:-[ \t]+)?["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*[:=][ \t]*([^\r\n]*)"#,
        )
        .expect("a valid pattern")
    });
    line.captures_iter(text)
        .filter_map(|found| {
            let (name, value) = (found.get(1)?, found.get(2)?);
            let shown = value.as_str().trim_end();
            let secret = secret::is_secret_name(name.as_str())
                && !shown.trim_matches(['"', '\'']).is_empty()
                && !shown.starts_with("${{")
                && !matches!(shown.chars().next(), Some('|' | '>' | '#'));
            secret.then(|| value.start()..value.start() + shown.len())
        })
        .collect()
}

/// A unified diff from the file as it is to what `init` would write.
fn diff(
    survey: &survey::Survey,
    name: &str,
    existing: &str,
    new: &str,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let old = masked(survey, existing);
    let new = masked(survey, new);
    let diff = similar::TextDiff::from_lines(&old, &new);
    write!(
        out,
        "{}",
        diff.unified_diff().context_radius(3).header(
            &format!("{name} (as it is)"),
            &format!("{name} (as init would write it)")
        )
    )?;
    if !new.ends_with('\n') || !old.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
}

/// What was found, one line per kind of thing.
fn report_found(survey: &survey::Survey, dir: &Path, out: &mut dyn Write) -> Result<(), Error> {
    use survey::SettingsFound;
    writeln!(out, "deploycheck init: looked at {}", dir.display())?;
    let mut line = |label: &str, text: String| writeln!(out, "  {label:<17} {text}");
    let none = || "none found".to_owned();
    line(
        "Settings class",
        match &survey.settings {
            SettingsFound::One { spec, fields } => format!("{spec} ({fields} fields)"),
            SettingsFound::Unreadable { spec, .. } => format!("{spec} (could not be read)"),
            SettingsFound::Several(specs) => format!("several, none chosen: {}", specs.join(", ")),
            SettingsFound::None => none(),
        },
    )?;
    let files: Vec<String> = survey
        .configurations
        .iter()
        .map(|file| {
            if file.railway_output {
                format!("{} (railway variables output)", file.name)
            } else {
                format!("{} ({})", file.name, file.profile)
            }
        })
        .collect();
    line(
        ".env files",
        if files.is_empty() {
            none()
        } else {
            files.join(", ")
        },
    )?;
    if !survey.templates.is_empty() {
        line(".env.example", survey.templates.join(", "))?;
    }
    let deployment: Vec<String> = survey
        .deployment
        .iter()
        .map(|(name, _)| name.clone())
        .collect();
    line(
        "deployment files",
        if deployment.is_empty() {
            none()
        } else {
            deployment.join(", ")
        },
    )?;
    let roles: Vec<String> = survey
        .roles
        .iter()
        .map(|(role, variables)| {
            let names: Vec<&str> = variables.iter().map(|(name, _)| name.as_str()).collect();
            format!("{} {}", role.name(), names.join("|"))
        })
        .collect();
    line(
        "roles",
        if roles.is_empty() {
            none()
        } else {
            roles.join(", ")
        },
    )?;
    if !survey.secrets.is_empty() {
        line(
            "secrets",
            format!("{} (masked in every output)", survey.secrets.join(", ")),
        )?;
    }
    line(
        "database driver",
        match survey.driver_text() {
            Some((drivers, source)) => format!("{drivers} (by {source})"),
            None => "not known".to_owned(),
        },
    )?;
    line(
        "pre-commit",
        match survey.pre_commit {
            Some(true) => ".pre-commit-config.yaml, with the deploycheck hook".to_owned(),
            Some(false) => ".pre-commit-config.yaml, without the deploycheck hook".to_owned(),
            None => none(),
        },
    )?;
    let workflows: Vec<String> = survey
        .workflows
        .iter()
        .map(|(name, mentions)| {
            if *mentions {
                format!("{name} (runs deploycheck)")
            } else {
                name.clone()
            }
        })
        .collect();
    line(
        "GitHub workflows",
        if workflows.is_empty() {
            none()
        } else {
            workflows.join(", ")
        },
    )?;
    if let Some(has_table) = survey.pyproject {
        line(
            "pyproject.toml",
            if has_table {
                "with [tool.deploycheck]".to_owned()
            } else {
                "without [tool.deploycheck] (`--pyproject` writes the configuration there)"
                    .to_owned()
            },
        )?;
    }
    Ok(())
}

/// What to do next, for what was written.
fn next_steps(
    survey: &survey::Survey,
    dir: &Path,
    args: &InitArgs,
    out: &mut dyn Write,
) -> Result<(), Error> {
    if args.ci.is_some() {
        if survey.uses_railway() {
            writeln!(
                out,
                "next: name the Railway service in {} (RAILWAY_SERVICE), and add a project token \
                 as the repository secret RAILWAY_TOKEN",
                shown(dir, ".github/workflows/deploycheck.yml")
            )?;
        }
        let in_repository = survey.root.join(".git").exists();
        let below_repository = survey
            .root
            .ancestors()
            .skip(1)
            .any(|above| above.join(".git").exists());
        if !in_repository && below_repository {
            writeln!(
                out,
                "note: GitHub reads workflows only from .github/workflows at the top of the \
                 repository: move the workflow there, and run deploycheck in {}",
                dir.display()
            )?;
        }
    }
    if args.pre_commit {
        writeln!(
            out,
            "next: `pre-commit install` runs the hook on every commit"
        )?;
    }
    let lint = if dir
        .components()
        .all(|part| part == std::path::Component::CurDir)
    {
        "deploycheck lint .".to_owned()
    } else {
        format!("deploycheck lint {}", dir.display())
    };
    writeln!(
        out,
        "then: `{lint}` judges the project with this configuration"
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked_by_name(text: &str) -> String {
        let mut file = SourceFile::new("", text);
        file.redact_all(named_secret_values(text));
        file.redacted
    }

    #[test]
    fn values_beside_secret_names_are_masked() {
        let text = "env:\n  RAILWAY_TOKEN: \"8f2d0c1e\"\n  - API_KEY: sk_live_abc # theirs\n\
                    SECRET_KEY = 'abc'\n  APP_NAME: api\n\
                    RAILWAY_TOKEN: ${{ secrets.RAILWAY_TOKEN }}\n  DB_PASSWORD:\n";
        let out = masked_by_name(text);
        for secret in ["8f2d0c1e", "sk_live_abc", "abc'"] {
            assert!(!out.contains(secret), "{out}");
        }
        assert!(out.contains("APP_NAME: api\n"), "{out}");
        assert!(
            out.contains("RAILWAY_TOKEN: ${{ secrets.RAILWAY_TOKEN }}\n"),
            "{out}"
        );
        assert!(out.contains("DB_PASSWORD:\n"), "{out}");
        assert_eq!(out.len(), text.len());
    }
}
