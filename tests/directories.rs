//! `deploycheck lint DIR` and `lint .`: a directory stands for the .env files under it, chosen
//! as the pre-commit hook chooses them, `.gitignore` respected, each linted as if it had been
//! named, reported in path order.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::files::Scratch;

fn run_in(dir: &Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(["--color", "never"])
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run deploycheck");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "JSON expected; stdout {} stderr {}",
            stdout(output),
            stderr(output)
        )
    })
}

/// The files of a JSON report's inputs, in report order.
fn input_files(report: &serde_json::Value) -> Vec<String> {
    report["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|input| input["file"].as_str().expect("file").to_owned())
        .collect()
}

/// The files the findings of a JSON report point into, each once, in report order.
fn finding_files(report: &serde_json::Value) -> Vec<String> {
    let mut files: Vec<String> = Vec::new();
    for finding in report["findings"].as_array().expect("findings") {
        let file = finding["file"].as_str().expect("file").to_owned();
        if !files.contains(&file) {
            files.push(file);
        }
    }
    files
}

/// A project as a team has it: .env files to lint, a template beside them, files `.gitignore`
/// excludes, and links. No `.git`: `.gitignore` applies outside a work tree too.
fn project() -> Scratch {
    let dir = Scratch::new();
    // The template documents LOG_LEVEL and SECRET_KEY; linted itself, DEBUG=true would fail.
    dir.write(".env.example", "DEBUG=true\nLOG_LEVEL=info\nSECRET_KEY=\n");
    dir.write(".env", "DEBUG=true\n");
    dir.write(
        ".env.production",
        "DEBUG=false\nLOG_LEVEL=info\nSECRET_KEY=Qm4vT8pZ2xL7nR3wK9cB5hJ1fD6gS0aY\n",
    );
    dir.write("sub/prod.env", "DEBUG=True\n");
    // Other templates, anywhere.
    dir.write("sub/.env.sample.local", "DEBUG=true\n");
    dir.write("config.template.env", "DEBUG=true\n");
    // Excluded by .gitignore: a file, and a dependency directory.
    dir.write(".gitignore", "ignored.env\nnode_modules/\n");
    dir.write("ignored.env", "DEBUG=true\n");
    dir.write("node_modules/pkg/.env", "DEBUG=true\n");
    // Not .env files by name.
    dir.write(".envrc", "export DEBUG=true\n");
    dir.write("env", "DEBUG=true\n");
    #[cfg(unix)]
    {
        // Links found while walking are not followed, to directories or to files.
        std::os::unix::fs::symlink("sub", dir.path().join("linked")).expect("symlink");
        std::os::unix::fs::symlink(".env", dir.path().join("link.env")).expect("symlink");
    }
    dir
}

#[test]
fn a_directory_is_linted_as_its_env_files_named_one_by_one() {
    let dir = project();
    let output = run_in(dir.path(), &["lint", "--format", "json", "."], "");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(
        input_files(&report),
        [".env", ".env.production", "sub/prod.env"]
    );
    assert_eq!(report["profile"], "production");
    assert_eq!(finding_files(&report), [".env", "sub/prod.env"]);
    // `.env.example` is the example of its siblings, not a target.
    let drift: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["rule"] == "missing-example-key")
        .map(|finding| finding["key"].as_str().expect("key"))
        .collect();
    assert_eq!(drift, ["LOG_LEVEL", "SECRET_KEY"]);

    // The same report as naming the files, in any order.
    let human = run_in(dir.path(), &["lint", "."], "");
    for named in [
        &["lint", ".env", ".env.production", "sub/prod.env"][..],
        &["lint", "sub/prod.env", ".env.production", ".env"],
    ] {
        let output = run_in(dir.path(), named, "");
        assert_eq!(stdout(&output), stdout(&human), "{named:?}");
        assert_eq!(output.status.code(), human.status.code());
    }
    insta::assert_snapshot!("lint_directory", stdout(&human));
}

#[test]
fn a_directory_named_from_elsewhere_names_its_files_from_there() {
    let dir = project();
    let parent = dir.path().parent().expect("a parent");
    let name = dir
        .path()
        .file_name()
        .and_then(|name| name.to_str())
        .expect("a UTF-8 name");
    for typed in [name.to_owned(), format!("{name}/"), format!("./{name}")] {
        let output = run_in(parent, &["lint", "--format", "json", &typed], "");
        let prefix = typed.trim_end_matches('/');
        assert_eq!(
            input_files(&json(&output)),
            [
                format!("{prefix}/.env"),
                format!("{prefix}/.env.production"),
                format!("{prefix}/sub/prod.env"),
            ],
            "{typed}"
        );
    }
}

#[test]
fn directories_files_and_standard_input_mix_and_each_file_is_linted_once() {
    let dir = project();
    let output = run_in(
        dir.path(),
        &[
            "lint",
            "--format",
            "json",
            "sub",
            ".",
            ".env",
            "./sub/prod.env",
            "-",
        ],
        "DEBUG=yes\n",
    );
    let report = json(&output);
    assert_eq!(
        input_files(&report),
        ["-", ".env", ".env.production", "sub/prod.env"],
        "standard input first, then in path order, each under the name given first"
    );
    assert_eq!(finding_files(&report), ["-", ".env", "sub/prod.env"]);
    // A file named explicitly is linted whatever its name.
    let output = run_in(dir.path(), &["lint", "--format", "json", ".", "env"], "");
    assert_eq!(
        input_files(&json(&output)),
        [".env", ".env.production", "env", "sub/prod.env"]
    );
}

#[test]
fn a_directory_with_no_env_file_is_an_error_not_a_pass() {
    let dir = Scratch::new();
    std::fs::create_dir(dir.path().join("empty")).expect("mkdir");
    // Only templates and ignored files.
    dir.write("docs/.env.example", "DEBUG=true\n");
    dir.write("docs/.gitignore", "*.env\n");
    dir.write("docs/local.env", "DEBUG=true\n");
    for (path, others) in [
        ("empty", &[][..]),
        ("docs", &[][..]),
        ("empty", &["docs"][..]),
    ] {
        let mut args = vec!["lint", path];
        args.extend_from_slice(others);
        let output = run_in(dir.path(), &args, "");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let first_line = stderr(&output)
            .lines()
            .find(|line| !line.trim().is_empty())
            .unwrap_or_default()
            .to_owned();
        assert!(
            first_line.contains(&format!(
                "{path}: no .env or deployment files found under this directory"
            )),
            "{first_line}"
        );
        assert!(stderr(&output).contains("help:"), "{}", stderr(&output));
        assert!(output.stdout.is_empty(), "no report");
    }
}

#[test]
fn git_metadata_is_never_walked_and_git_excludes_apply() {
    let dir = Scratch::new();
    dir.write(".env", "DEBUG=false\n");
    dir.write(".git/hooks/hook.env", "DEBUG=true\n");
    dir.write(".git/info/exclude", "excluded.env\n");
    dir.write("excluded.env", "DEBUG=true\n");
    dir.write(".ignore", "by-ignore-file.env\n");
    dir.write("by-ignore-file.env", "DEBUG=true\n");
    let output = run_in(dir.path(), &["lint", "--format", "json", "."], "");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(input_files(&json(&output)), [".env"]);
}

#[test]
fn inputs_under_two_configurations_are_reported_in_path_order() {
    // A monorepo: the root's configuration, and the worker's own, which ignores DEBUG.
    let dir = Scratch::new();
    dir.write("deploycheck.toml", "");
    dir.write("worker/deploycheck.toml", "ignore = [\"debug-enabled\"]\n");
    for name in [".env", "app/.env", "worker/.env", "zeta/.env"] {
        dir.write(name, "DEBUG=true\n");
    }
    let output = run_in(dir.path(), &["lint", "--format", "json", "."], "");
    let report = json(&output);
    assert_eq!(
        input_files(&report),
        [".env", "app/.env", "worker/.env", "zeta/.env"]
    );
    assert_eq!(finding_files(&report), [".env", "app/.env", "zeta/.env"]);
}

#[test]
fn a_directory_that_cannot_be_read_is_an_error() {
    // Root reads any directory, so only an unprivileged run can see this error.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = Scratch::new();
        dir.write(".env", "DEBUG=false\n");
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).expect("mkdir");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
        if std::fs::read_dir(&locked).is_err() {
            let output = run_in(dir.path(), &["lint", "."], "");
            assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
            assert!(
                stderr(&output).contains("cannot read"),
                "{}",
                stderr(&output)
            );
        }
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}
