//! The leak test: the real binary, over a file holding every secret form deploycheck masks, in
//! every output format of `lint` and `show` (and `diff`). No secret value, and no 8-character
//! fragment of one, may appear in what the binary writes.
//!
//! It runs the binary on the unmasked file, so it fails when any masking step does (checked by
//! turning the span masking and `show`'s masking off: both made it fail).

mod common;

use std::path::Path;
use std::process::Command;

const FORMS: &str = "fixtures/secrets/forms.env";

/// The secret part of each value in the fixture.
const SECRETS: &[&str] = &[
    "Qv7SecretKeyLeakValue-Kp3",
    "Dp4DbPassLeakValue-Rw8",
    "Pg5PostgresPwdLeak-Zt1",
    "Rd6RedisPwdLeakQuoted-Yx2",
    "Sm7SmtpPasswordLeak-Wq3",
    "Gh8GithubTokenLeak9Vn4",
    "Sl9SlackBotLeak-Mb5",
    "Oa1OpenAiApiKeyLeak-Lc6",
    "St2StripeLeak-Hd7",
    "Oc3ClientSecretLeak-Jf8",
    "Gc4GoogleCredsLeak-Ng9",
    "Se5SentryDsnKeyLeak0a",
    "Fr6FredApiKeyLeak-Tu0",
    "Dx7DeployPassphraseLeak-Pe1",
    "Jw8JwtPrivateKeyLineLeak-Qa2",
    // A URL password with base64's `+`, `/` and `=` (SQLAlchemy takes everything up to `@`).
    "Ub9+Base64/Url=Leak",
    "Rp0RedisUrlLeak-Cs3",
    "Co1CorsUrlLeak-Vd4",
    "Ol2OldCommentedLeak-Ks5",
    "Br3BrokenQuoteLeak-Wz6",
    // camelCase names.
    "Cm4CamelCasePassLeak-Ga9",
    "Ck5CamelCaseKeyLeak-Hb8",
];

/// Every 8-character window of every secret that appears in `output`.
fn leaks(output: &str) -> Vec<String> {
    let mut found = Vec::new();
    for secret in SECRETS {
        let chars: Vec<char> = secret.chars().collect();
        for window in chars.windows(8) {
            let fragment: String = window.iter().collect();
            if output.contains(&fragment) {
                found.push(format!("{fragment} (of {secret})"));
                break;
            }
        }
    }
    found
}

/// Run the binary in the crate's directory; returns stdout and stderr together.
fn run(args: &[&str], summary: Option<&Path>) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_deploycheck"));
    command
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1");
    if let Some(path) = summary {
        command.env("GITHUB_STEP_SUMMARY", path);
    }
    let output = command.output().expect("run deploycheck");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{args:?} failed: {stderr}"
    );
    format!("{}{stderr}", String::from_utf8_lossy(&output.stdout))
}

#[test]
fn no_output_of_the_binary_shows_a_secret_value() {
    let dir = common::files::Scratch::new();
    let summary = dir.path().join("summary.md");
    let mut outputs: Vec<(String, String)> = Vec::new();
    for format in ["human", "json", "sarif", "github", "junit"] {
        let args = ["lint", "--isolated", "--format", format, FORMS];
        let output = run(&args, Some(&summary));
        assert!(
            output.contains("DEBUG"),
            "lint --format {format} reports nothing: {output}"
        );
        outputs.push((format!("lint --format {format}"), output));
    }
    // Colour changes how snippets are cut: check it too.
    outputs.push((
        "lint --color always".to_owned(),
        run(&["--color", "always", "lint", "--isolated", FORMS], None),
    ));
    let summary_text = std::fs::read_to_string(&summary).expect("a step summary");
    outputs.push(("the GitHub step summary".to_owned(), summary_text));
    for format in ["json", "dotenv"] {
        for sources in [false, true] {
            let mut args = vec!["show", "--isolated", "--format", format, FORMS];
            if sources {
                args.push("--sources");
            }
            let output = run(&args, None);
            assert!(output.contains("LOG_LEVEL"), "{args:?}: {output}");
            outputs.push((args.join(" "), output));
        }
    }
    // `diff` against the same keys with other values, so that every value is one it would
    // print if it were not masked.
    let other: String = std::fs::read_to_string(FORMS)
        .expect("the fixture reads")
        .lines()
        .filter_map(|line| {
            let (key, _) = line.split_once('=')?;
            let key = key.trim_start_matches("export ");
            let plain = !key.is_empty() && !key.starts_with('#') && !key.contains(' ');
            plain.then(|| format!("{key}=other-value\n"))
        })
        .collect();
    let other = dir.write("other.env", other);
    let other = other.to_str().expect("UTF-8 path");
    for format in ["human", "json"] {
        let args = ["diff", "--isolated", "--format", format, FORMS, other];
        let output = run(&args, None);
        assert!(output.contains("BACKUP_COPY"), "{args:?}: {output}");
        outputs.push((args.join(" "), output));
    }
    let mut failures = Vec::new();
    for (what, output) in &outputs {
        let found = leaks(output);
        if !found.is_empty() {
            failures.push(format!("{what} shows {found:?}:\n{output}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_leak_check_finds_a_fragment() {
    assert_eq!(leaks("all clear"), Vec::<String>::new());
    assert_eq!(
        leaks("…SecretKeyLeak…"),
        ["SecretKe (of Qv7SecretKeyLeakValue-Kp3)"]
    );
    assert_eq!(
        leaks("x Base64/Url y"),
        ["Base64/U (of Ub9+Base64/Url=Leak)"]
    );
}

/// Regression (issue 11, item 7): a secret of the process environment interpolated into a
/// .env value (`--process-env`) was printed in clear: no input holds its value, so only the
/// parser's record of what `${NAME}` put where can mask it.
#[test]
fn a_secret_interpolated_from_the_environment_is_masked() {
    let dir = common::files::Scratch::new();
    let path = dir.write(
        ".env.production",
        "GREETING=hello-${IT7_API_TOKEN}\nLOG_LEVEL=${IT7_API_TOKEN}\nDEBUG=true\n",
    );
    let path = path.to_str().expect("UTF-8 path");
    let mut outputs = Vec::new();
    for format in ["human", "json", "sarif", "github", "junit"] {
        let args = [
            "lint",
            "--isolated",
            "--process-env",
            "--format",
            format,
            path,
        ];
        outputs.push((
            args.join(" "),
            run_with_env(&args, "IT7_API_TOKEN", "It7EnvTokenLeak-42"),
        ));
    }
    for format in ["json", "dotenv"] {
        for sources in [false, true] {
            let mut args = vec![
                "show",
                "--isolated",
                "--process-env",
                "--format",
                format,
                path,
            ];
            if sources {
                args.push("--sources");
            }
            let output = run_with_env(&args, "IT7_API_TOKEN", "It7EnvTokenLeak-42");
            assert!(output.contains("hello-****"), "{args:?}: {output}");
            outputs.push((args.join(" "), output));
        }
    }
    for (what, output) in &outputs {
        assert!(
            !output.contains("It7EnvToken"),
            "{what} shows the token:\n{output}"
        );
    }
}

/// [`run`] with one more variable in the environment.
fn run_with_env(args: &[&str], name: &str, value: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1")
        .env(name, value)
        .output()
        .expect("run deploycheck");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{args:?} failed: {stderr}"
    );
    format!("{}{stderr}", String::from_utf8_lossy(&output.stdout))
}
