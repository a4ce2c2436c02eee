//! The pre-commit hook as users get it: `pre-commit try-repo` builds this repository with
//! `cargo install` (language: rust) and runs `deploycheck lint` on the files the hook's
//! `files` pattern selects, in a throwaway git repository.
//!
//! Needs the `pre-commit` tool (`pip install pre-commit`), git and cargo. Without pre-commit
//! (or when this checkout is not a git repository) a test prints a notice and returns early,
//! except under CI (`CI` set), where that is a failure: a green run must mean the hook ran.
//!
//! `try-repo` keeps its own cache in a fresh temporary directory on every call (whatever
//! PRE_COMMIT_HOME says), so each call runs `cargo install` again. The builds share one target
//! directory beside this test's own, and are unoptimised: the first build takes a couple of
//! minutes, later ones (later calls, later test runs) seconds, as only the deploycheck crate is
//! recompiled. The optimisation level is not what is under test; the hook's wiring is.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::files::Scratch;

/// A cold `cargo install` on a busy two-core machine takes minutes; a hung one must still end.
const TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// A production file that DEBUG=True breaks (and nothing else).
const BAD: &str = include_str!("../fixtures/debug-enabled/fail.env");
/// The same file with DEBUG off: clean.
const GOOD: &str = include_str!("../fixtures/debug-enabled/pass.env");
/// A DATABASE_URL that is not a URL: an error under any profile.
const BAD_ANY_PROFILE: &str = include_str!("../fixtures/database-url-invalid/fail.env");

fn notice(message: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{message}, which is required under CI");
    }
    #[allow(clippy::disallowed_macros)]
    {
        eprintln!("notice: {message}; skipping this pre-commit test");
    }
}

/// This repository's root, if pre-commit can use it: a git work tree whose top is the
/// package root (where .pre-commit-hooks.yaml is).
fn hook_repository() -> Option<PathBuf> {
    if Command::new("pre-commit")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_err()
    {
        notice("pre-commit is not installed (pip install pre-commit)");
        return None;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let top = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()));
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    match top {
        Some(top) if same(&top, root) => Some(root.to_owned()),
        _ => {
            notice("this checkout is not the top of a git repository, which try-repo needs");
            None
        }
    }
}

/// Where the hook builds: beside this test binary's target directory (`target/debug/deps/`
/// → `target/pre-commit-hook/`), so that it honours a custom CARGO_TARGET_DIR and survives
/// between runs.
fn hook_target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.join("pre-commit-hook")))
        .unwrap_or_else(|| std::env::temp_dir().join("deploycheck-pre-commit-hook"))
}

fn run(program: &str, args: &[&str], cwd: &Path) {
    let status = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::null())
        .status()
        .unwrap_or_else(|error| panic!("cannot run {program}: {error}"));
    assert!(status.success(), "{program} {args:?} failed");
}

/// A fresh git repository holding `files` (path, content), all staged.
fn project(files: &[(&str, &str)]) -> Scratch {
    let dir = Scratch::new();
    run("git", &["init", "--quiet"], dir.path());
    run(
        "git",
        &["config", "user.name", "deploycheck test"],
        dir.path(),
    );
    run(
        "git",
        &["config", "user.email", "test@example.invalid"],
        dir.path(),
    );
    for (path, content) in files {
        dir.write(path, content);
    }
    // `--all-files` means the files git knows.
    run("git", &["add", "--all"], dir.path());
    dir
}

struct Outcome {
    code: Option<i32>,
    /// stdout and stderr together, as a user sees them.
    output: String,
}

/// `pre-commit try-repo <this repository> deploycheck ARGS` in `project`.
fn try_repo(hook_repository: &Path, project: &Path, args: &[&str]) -> Outcome {
    let scratch = Scratch::new();
    let log_path = scratch.path().join("output.log");
    let log = fs::File::create(&log_path).expect("create the log");
    let started = Instant::now();
    let mut child = Command::new("pre-commit")
        .arg("try-repo")
        .arg(hook_repository)
        .arg("deploycheck")
        .args(args)
        .current_dir(project)
        // Keep pre-commit's own cache and log out of the user's home.
        .env("PRE_COMMIT_HOME", scratch.path().join("pre-commit-home"))
        .env("PRE_COMMIT_COLOR", "never")
        .env("CARGO_TARGET_DIR", hook_target_dir())
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("share the log"))
        .stderr(log)
        .spawn()
        .expect("run pre-commit");
    let code = loop {
        match child.try_wait().expect("wait for pre-commit") {
            Some(status) => break status.code(),
            None if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                let output = fs::read_to_string(&log_path).unwrap_or_default();
                panic!("pre-commit try-repo took more than {TIMEOUT:?}:\n{output}");
            }
            None => std::thread::sleep(Duration::from_millis(200)),
        }
    };
    let elapsed = started.elapsed();
    let output = fs::read_to_string(&log_path).expect("read the log");
    #[allow(clippy::disallowed_macros)]
    {
        eprintln!("pre-commit try-repo {args:?}: {elapsed:.1?}");
    }
    Outcome { code, output }
}

#[test]
fn hook_fails_a_bad_production_file_and_passes_a_good_one() {
    let Some(repository) = hook_repository() else {
        return;
    };
    let bad = project(&[(".env.production", BAD)]);
    let outcome = try_repo(&repository, bad.path(), &["--files", ".env.production"]);
    assert_eq!(outcome.code, Some(1), "{}", outcome.output);
    assert!(
        outcome
            .output
            .contains(".env.production:3:7: error[debug-enabled]"),
        "the hook's output lacks the finding:\n{}",
        outcome.output
    );
    // The findings reach the user, but the secrets in the file do not.
    assert!(
        !outcome.output.contains("Kx9vQ2mLp7RtZ4wN"),
        "{}",
        outcome.output
    );

    let good = project(&[(".env.production", GOOD)]);
    let outcome = try_repo(&repository, good.path(), &["--files", ".env.production"]);
    assert_eq!(outcome.code, Some(0), "{}", outcome.output);
    assert!(
        outcome.output.contains("Passed"),
        "the hook did not run: {}",
        outcome.output
    );
}

#[test]
fn hook_leaves_templates_alone_and_finds_env_files_anywhere() {
    let Some(repository) = hook_repository() else {
        return;
    };
    // Placeholders that would fail the lint, in every template spelling.
    let templates = [
        (".env.example", BAD),
        (".env.sample", BAD),
        ("config/.env.template", BAD),
        ("example.env", BAD),
    ];
    let only_templates = project(&templates);
    let outcome = try_repo(&repository, only_templates.path(), &["--all-files"]);
    assert_eq!(outcome.code, Some(0), "{}", outcome.output);
    assert!(
        outcome.output.contains("(no files to check)"),
        "the hook looked at a template:\n{}",
        outcome.output
    );

    // Real configurations beside them are checked, whatever they are named and wherever they
    // are; the templates still are not.
    let mut files = templates.to_vec();
    files.extend([
        ("prod.env", BAD),
        ("config/.env.staging", BAD_ANY_PROFILE),
        // Deployment files are the hook's too.
        ("Dockerfile", "FROM python:3.12-slim\nCMD uvicorn app:app\n"),
    ]);
    let mixed = project(&files);
    let outcome = try_repo(&repository, mixed.path(), &["--all-files"]);
    assert_eq!(outcome.code, Some(1), "{}", outcome.output);
    for finding in [
        "prod.env:3:7: error[debug-enabled]",
        "config/.env.staging:4:14: error[database-url-invalid]",
        "Dockerfile:2:5: error[start-command-binds-localhost]",
    ] {
        assert!(
            outcome.output.contains(finding),
            "the hook's output lacks {finding:?}:\n{}",
            outcome.output
        );
    }
    for template in [".env.sample:", "config/.env.template:", "example.env:"] {
        assert!(
            !outcome
                .output
                .lines()
                .any(|line| line.starts_with(template)),
            "the hook linted {template}:\n{}",
            outcome.output
        );
    }

    // `deploycheck lint .` in CI judges the files the hook judges.
    let output = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(["lint", "--format", "json", "."])
        .current_dir(mixed.path())
        .output()
        .expect("run deploycheck");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let linted: Vec<&str> = report["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|input| input["file"].as_str().expect("file"))
        .collect();
    assert_eq!(linted, ["Dockerfile", "config/.env.staging", "prod.env"]);
}

/// Names and whether the hook's `files` pattern selects them.
const NAMES: &[(&str, bool)] = &[
    (".env", true),
    (".env.production", true),
    (".env.production.local", true),
    (".env.production.bak", true),
    ("prod.env", true),
    ("x.env", true),
    ("..env", true),
    ("app/.env", true),
    ("app/config/staging.env", true),
    // A directory's name is not the file's.
    ("sample/.env", true),
    ("examples/prod.env", true),
    // Templates: `example`, `sample`, `template` as a word of the file's name.
    (".env.example", false),
    (".env.sample", false),
    (".env.template", false),
    (".env.sample.local", false),
    ("app/.env.template", false),
    ("example.env", false),
    ("my-example.env", false),
    ("config.template.env", false),
    // Not as a word: `_` is a word character, and so is the `s` of `examples`.
    (".env.examples", true),
    (".env.my_example", true),
    ("template_prod.env", true),
    // The look-ahead is case-sensitive.
    (".env.EXAMPLE", true),
    // Not .env files.
    (".envrc", false),
    ("env", false),
    (".env.", false),
    (".ENV", false),
    ("prod.env.bak", false),
    ("environment.py", false),
    (".env/config", false),
    // Deployment files.
    ("Dockerfile", true),
    ("docker/Dockerfile", true),
    ("Dockerfile.prod", true),
    ("api.Dockerfile", true),
    ("dockerfile", true),
    ("DOCKERFILE", true),
    ("api.dockerfile", true),
    ("Dockerfile.", false),
    (".Dockerfile", false),
    ("Dockerfiles", false),
    ("Dockerfile.example", false),
    ("Dockerfile.template", false),
    ("railway.toml", true),
    ("deploy/railway.json", true),
    ("railway.yaml", false),
    ("Railway.toml", false),
    ("Procfile", true),
    ("Procfile.dev", false),
    ("procfile", false),
];

/// The rule `deploycheck lint DIR` chooses files by is the hook's `files` pattern: its
/// documentation quotes the pattern, both give the expected answer on a table of names, and,
/// where Python is installed, so does Python's `re` (pre-commit's) with the pattern itself.
#[test]
fn the_hook_pattern_and_lint_dir_choose_the_same_names() {
    use deploycheck::source::discover::is_input_name;
    for (name, expected) in NAMES {
        assert_eq!(is_input_name(name), *expected, "{name}");
    }

    let hooks = include_str!("../.pre-commit-hooks.yaml");
    let pattern = hooks
        .lines()
        .find_map(|line| line.trim().strip_prefix("files: '"))
        .and_then(|rest| rest.strip_suffix('\''))
        .expect("the hook's files pattern");
    assert!(
        include_str!("../src/source/discover.rs").contains(&format!("/// {pattern}\n")),
        "is_input_name's documentation quotes another pattern than the hook's {pattern}"
    );

    let script = "import re, sys\n\
                  pattern = re.compile(sys.argv[1])\n\
                  for name in sys.argv[2:]:\n    \
                  print(bool(pattern.search(name)))\n";
    let python = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(pattern)
        .args(NAMES.iter().map(|(name, _)| name))
        .output();
    let Ok(python) = python.map_err(|_| notice("python3 is not installed")) else {
        return;
    };
    assert!(python.status.success(), "{:?}", python);
    let answers: Vec<bool> = String::from_utf8_lossy(&python.stdout)
        .lines()
        .map(|line| line == "True")
        .collect();
    let expected: Vec<bool> = NAMES.iter().map(|(_, expected)| *expected).collect();
    assert_eq!(answers, expected, "Python's re on {NAMES:?}");
}
