//! `deploycheck completions SHELL` and `deploycheck man`: generated from the same clap
//! definition the parser uses, so they must name every subcommand and flag users can type.

mod common;

use std::process::{Command, Output, Stdio};

use common::files::Scratch;

fn deploycheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .output()
        .expect("run deploycheck")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const SUBCOMMANDS: [&str; 11] = [
    "lint",
    "show",
    "rules",
    "explain",
    "verify",
    "probe",
    "diff",
    "schema",
    "init",
    "completions",
    "man",
];

#[test]
fn bash_completion_knows_the_subcommands_and_their_flags() {
    let output = deploycheck(&["completions", "bash"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let script = text(&output.stdout);
    for needle in
        SUBCOMMANDS
            .iter()
            .copied()
            .chain(["--fail-on", "--format", "--probe-timeout", "--out-dir"])
    {
        assert!(script.contains(needle), "bash completion lacks {needle:?}");
    }
    // The possible values of a value enum are offered, not just the flag.
    assert!(
        script.contains("sarif"),
        "bash completion lacks --format values"
    );
    assert!(
        script.contains("complete -F _deploycheck"),
        "bash completion does not register itself"
    );
}

#[test]
fn bash_completion_is_valid_bash() {
    let output = deploycheck(&["completions", "bash"]);
    let dir = Scratch::new();
    let script = dir.write("deploycheck.bash", &output.stdout);
    let checked = Command::new("bash").arg("-n").arg(&script).output();
    match checked {
        Ok(checked) => assert!(
            checked.status.success(),
            "bash -n rejects the completion script: {}",
            text(&checked.stderr)
        ),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            #[allow(clippy::disallowed_macros)]
            {
                eprintln!("bash is not installed: syntax check skipped");
            }
        }
        Err(error) => panic!("cannot run bash: {error}"),
    }
}

#[test]
fn every_shell_gets_a_script_naming_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = deploycheck(&["completions", shell]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{shell}: {}",
            text(&output.stderr)
        );
        let script = text(&output.stdout);
        for subcommand in SUBCOMMANDS {
            assert!(
                script.contains(subcommand),
                "{shell} completion lacks {subcommand:?}"
            );
        }
        // fish spells long flags `-l fail-on`.
        assert!(
            script.contains("fail-on"),
            "{shell} completion lacks --fail-on"
        );
    }
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let output = deploycheck(&["completions", "tcsh"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("tcsh"), "{stderr}");
    assert!(
        stderr.contains("bash"),
        "the error lists the shells: {stderr}"
    );
    // No shell at all is a usage error too.
    assert_eq!(deploycheck(&["completions"]).status.code(), Some(2));
}

#[test]
fn man_page_is_roff_for_deploycheck() {
    let output = deploycheck(&["man"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let page = text(&output.stdout);
    let title = page
        .lines()
        .find(|line| line.starts_with(".TH "))
        .unwrap_or_else(|| panic!("no .TH line:\n{page}"));
    assert!(title.starts_with(".TH deploycheck 1"), "{title}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "man page lacks {section}");
    }
    // The subcommands are listed under their full names.
    for subcommand in SUBCOMMANDS {
        assert!(
            page.contains(&format!("deploycheck\\-{subcommand}")),
            "man page lacks deploycheck-{subcommand}"
        );
    }
    // The exit statuses (from the after-help) are documented.
    assert!(
        page.contains("Exit status"),
        "man page lacks the exit statuses"
    );
}

#[test]
fn man_out_dir_writes_a_page_per_subcommand() {
    let dir = Scratch::new();
    let out_dir = dir.path().join("man1");
    let output = deploycheck(&["man", "--out-dir", out_dir.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let listed: Vec<String> = text(&output.stdout).lines().map(str::to_owned).collect();
    let mut expected = vec!["deploycheck.1".to_owned()];
    expected.extend(
        SUBCOMMANDS
            .iter()
            .map(|name| format!("deploycheck-{name}.1")),
    );
    assert_eq!(listed.len(), expected.len(), "{listed:?}");
    for name in &expected {
        let path = out_dir.join(name);
        assert!(
            listed.contains(&path.display().to_string()),
            "{name} not listed: {listed:?}"
        );
        let page = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let stem = name.trim_end_matches(".1");
        assert!(
            page.contains(&format!(".TH {stem} 1")),
            "{name} has no title of its own"
        );
        // Every page says which program and version it documents, in its footer.
        let version = concat!("\"deploycheck ", env!("CARGO_PKG_VERSION"), "\"");
        assert!(page.contains(version), "{name} lacks {version}");
    }
    let lint = std::fs::read_to_string(out_dir.join("deploycheck-lint.1")).expect("lint page");
    assert!(lint.contains("fail\\-on"), "lint page lacks --fail-on");
    assert!(!out_dir.join("deploycheck-help.1").exists());
}
