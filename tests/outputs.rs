//! What deploycheck writes: `-o FILE`, `--write-baseline FILE` and the GitHub step summary.
//! None may be a file the run reads, however it is named, and a write that fails leaves the
//! file as it was. Each test is named after the defect it guards against.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use common::files::Scratch;

fn run_in(dir: &Path, args: &[&str], step_summary: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_deploycheck"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY");
    if let Some(path) = step_summary {
        command.env("GITHUB_STEP_SUMMARY", path);
    }
    command.output().expect("run deploycheck")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file under `dir` with its text.
fn contents(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("list") {
        let entry = entry.expect("entry");
        let path = entry.path();
        if path.is_file() {
            files.insert(
                entry.file_name().to_string_lossy().into_owned(),
                String::from_utf8_lossy(&std::fs::read(&path).expect("read")).into_owned(),
            );
        }
    }
    files
}

/// DEBUG on: one finding, so that every run has a report to write.
const ENV: &str = "ENVIRONMENT=production\nDEBUG=true\n";

/// `deploycheck lint .env.production -o .env.production` replaced the configuration with the
/// report, though README promised that nothing deploycheck reads is ever written to; so did
/// `--write-baseline`, and `-o` onto a rule file, the configuration, the example, the baseline
/// or the Settings class, also through `./`, a symlink or a hard link. Each is refused before
/// anything is written, naming both paths.
#[test]
fn an_output_onto_a_file_the_run_reads_is_refused_and_the_file_kept() {
    let dir = Scratch::new();
    dir.write(".env.production", ENV);
    dir.write(".env.example", "ENVIRONMENT=\nDEBUG=\n");
    dir.write(
        "rules.toml",
        "[variables.DEBUG]\ntype = \"bool\"\ndescription = \"debug mode\"\n",
    );
    dir.write("deploycheck.toml", "fail-on = \"error\"\n");
    dir.write(
        "config.py",
        "from pydantic_settings import BaseSettings\n\n\
         class Settings(BaseSettings):\n    environment: str = \"production\"\n    debug: bool = False\n",
    );
    let written = run_in(
        dir.path(),
        &[
            "lint",
            "--write-baseline",
            "baseline.json",
            ".env.production",
        ],
        None,
    );
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(".env.production", dir.path().join("link.env"))
            .expect("symlink");
        std::fs::hard_link(
            dir.path().join(".env.production"),
            dir.path().join("hard.env"),
        )
        .expect("hard link");
    }
    let before = contents(dir.path());

    let mut cases: Vec<(Vec<&str>, &str, &str)> = vec![
        (
            vec!["lint", ".env.production", "-o", ".env.production"],
            ".env.production",
            ".env.production",
        ),
        (
            vec!["lint", ".env.production", "-o", "./.env.production"],
            "./.env.production",
            ".env.production",
        ),
        (
            vec![
                "lint",
                "--rules",
                "rules.toml",
                ".env.production",
                "-o",
                "rules.toml",
            ],
            "rules.toml",
            "rules.toml",
        ),
        (
            vec!["lint", ".env.production", "-o", "deploycheck.toml"],
            "deploycheck.toml",
            "deploycheck.toml",
        ),
        (
            vec![
                "lint",
                "--example",
                ".env.example",
                ".env.production",
                "-o",
                ".env.example",
            ],
            ".env.example",
            ".env.example",
        ),
        (
            vec!["lint", ".env.production", "-o", ".env.example"],
            ".env.example",
            ".env.example",
        ),
        (
            vec![
                "lint",
                "--baseline",
                "baseline.json",
                ".env.production",
                "-o",
                "baseline.json",
            ],
            "baseline.json",
            "baseline.json",
        ),
        (
            vec!["lint", ".env.production", "-o", "config.py"],
            "config.py",
            "config.py",
        ),
        (
            vec![
                "lint",
                "--write-baseline",
                ".env.production",
                ".env.production",
            ],
            ".env.production",
            ".env.production",
        ),
        (
            vec![
                "lint",
                "--write-baseline",
                "deploycheck.toml",
                ".env.production",
            ],
            "deploycheck.toml",
            "deploycheck.toml",
        ),
        (
            // Refused before the baseline is written, not after.
            vec![
                "lint",
                "--write-baseline",
                "fresh.json",
                ".env.production",
                "-o",
                "rules.toml",
                "--rules",
                "rules.toml",
            ],
            "rules.toml",
            "rules.toml",
        ),
        (
            vec!["probe", ".env.production", "-o", ".env.production"],
            ".env.production",
            ".env.production",
        ),
    ];
    if cfg!(unix) {
        cases.push((
            vec!["lint", ".env.production", "-o", "link.env"],
            "link.env",
            ".env.production",
        ));
        cases.push((
            vec!["lint", ".env.production", "-o", "hard.env"],
            "hard.env",
            ".env.production",
        ));
        cases.push((
            vec!["lint", "link.env", "--write-baseline", "hard.env"],
            "hard.env",
            "link.env",
        ));
    }
    for (args, output, input) in cases {
        let result = run_in(dir.path(), &args, None);
        let message = stderr(&result);
        assert_eq!(result.status.code(), Some(2), "{args:?}: {message}");
        assert!(
            message.contains(output) && message.contains(input),
            "{args:?}: names both {output} and {input}: {message}"
        );
        assert!(message.contains("reads"), "{args:?}: {message}");
        assert_eq!(contents(dir.path()), before, "{args:?}: no file changed");
    }
}

/// `deploycheck lint - -o .env.production < .env.production` replaced the configuration too:
/// standard input redirected from a file is that file, read like any other.
#[cfg(unix)]
#[test]
fn an_output_onto_the_file_standard_input_reads_is_refused() {
    let dir = Scratch::new();
    let env = dir.write(".env.production", ENV);
    let before = contents(dir.path());
    for args in [
        ["lint", "-", "-o", ".env.production"],
        ["lint", "-", "--write-baseline", ".env.production"],
    ] {
        let result = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("GITHUB_STEP_SUMMARY")
            .stdin(std::fs::File::open(&env).expect("open"))
            .output()
            .expect("run");
        let message = stderr(&result);
        assert_eq!(result.status.code(), Some(2), "{args:?}: {message}");
        assert!(
            message.contains(".env.production") && message.contains("standard input"),
            "{args:?}: {message}"
        );
        assert_eq!(contents(dir.path()), before, "{args:?}");
    }
    // Standard input that is not read is no input: `-o` onto its file is written.
    let result = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(["lint", ".env.production", "-o", "report.txt"])
        .current_dir(dir.path())
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdin(std::fs::File::create(dir.path().join("report.txt")).expect("create"))
        .output()
        .expect("run");
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
}

/// `GITHUB_STEP_SUMMARY` naming an input appended the summary to the configuration. It is
/// refused like any other output, before the report is written.
#[test]
fn a_step_summary_onto_an_input_is_refused_and_the_input_kept() {
    let dir = Scratch::new();
    dir.write(".env.production", ENV);
    let before = contents(dir.path());
    for summary in [".env.production", "./.env.production"] {
        let result = run_in(
            dir.path(),
            &["lint", "--format", "github", ".env.production"],
            Some(summary),
        );
        let message = stderr(&result);
        assert_eq!(result.status.code(), Some(2), "{message}");
        assert!(
            message.contains("GITHUB_STEP_SUMMARY") && message.contains(summary),
            "{message}"
        );
        assert!(result.stdout.is_empty(), "nothing is reported either");
        assert_eq!(contents(dir.path()), before);
    }
    // Any other file is appended to, as before.
    let summary = dir.write("summary.md", "# Earlier step\n");
    let result = run_in(
        dir.path(),
        &["lint", "--format", "github", ".env.production"],
        Some(summary.to_str().expect("UTF-8")),
    );
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    let written = std::fs::read_to_string(&summary).expect("summary");
    assert!(written.starts_with("# Earlier step\n") && written.contains("debug-enabled"));
}

/// `-o` and `--write-baseline` truncated the previous file before writing: a write that failed
/// half-way (a full disk, a file size limit) left half a report or half a baseline. Both are
/// now written to a temporary file beside the destination and renamed over it, so the previous
/// file stays whole and no temporary file is left behind.
#[cfg(unix)]
#[test]
fn a_failed_write_leaves_the_previous_output_whole() {
    let dir = Scratch::new();
    // A hundred duplicated keys: a report and a baseline far above the size limit below.
    let mut env = String::from("ENVIRONMENT=production\n");
    for index in 0..100 {
        env.push_str(&format!("DUPLICATED_{index}=a\nDUPLICATED_{index}=b\n"));
    }
    dir.write(".env.production", env);
    dir.write("report.json", "the previous report\n");
    dir.write("baseline.json", "the previous baseline\n");
    let before = contents(dir.path());
    for args in [
        [
            "lint",
            "--isolated",
            "--format",
            "json",
            "-o",
            "report.json",
        ],
        [
            "lint",
            "--isolated",
            "--format",
            "json",
            "--write-baseline",
            "baseline.json",
        ],
    ] {
        // Writing past 1 KiB fails with EFBIG (the signal that would kill the process instead
        // is ignored, as a CI runner's limit would be met by a failed write).
        let output = Command::new("sh")
            .arg("-c")
            .arg("trap '' XFSZ; ulimit -f 1; exec \"$@\"")
            .arg("sh")
            .arg(env!("CARGO_BIN_EXE_deploycheck"))
            .args(args)
            .arg(".env.production")
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_STEP_SUMMARY")
            .output()
            .expect("run");
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {message}");
        assert!(message.contains("cannot write"), "{args:?}: {message}");
        assert_eq!(
            contents(dir.path()),
            before,
            "{args:?}: the previous file is whole and nothing else is left"
        );
    }
}

/// Writing over a previous report keeps the file's permissions, and a symlink keeps pointing
/// where it did (the file it names is replaced).
#[cfg(unix)]
#[test]
fn an_output_replaced_keeps_its_permissions_and_links() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Scratch::new();
    dir.write(".env.production", ENV);
    let report = dir.write("reports/report.json", "old\n");
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    std::os::unix::fs::symlink("reports/report.json", dir.path().join("latest.json"))
        .expect("symlink");
    let result = run_in(
        dir.path(),
        &[
            "lint",
            "--format",
            "json",
            "-o",
            "latest.json",
            ".env.production",
        ],
        None,
    );
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    let link = std::fs::symlink_metadata(dir.path().join("latest.json")).expect("link");
    assert!(link.file_type().is_symlink(), "the link is kept");
    let written = std::fs::read_to_string(&report).expect("report");
    assert!(written.contains("debug-enabled"), "{written}");
    let mode = std::fs::metadata(&report)
        .expect("stat")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
}
