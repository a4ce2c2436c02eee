//! No secret value and no URL password appears in any output format, message or snippet,
//! unless `--reveal` asks for it.

mod common;

use common::cli;

const LEAKY: &str = "fixtures/secrets/leaky.env";

const SECRETS: &[&str] = &[
    "Zebra-Umbrella-Quartz-77",
    "LEAKYFREDKEY0000",
    "Pw-DbLeak-4411",
    "Pw-RedisLeak-9922",
    "Pw-CorsLeak-1357",
    "sk_live_LeakyStripe8080",
    "ghp_LeakyToken246810",
    "Pw-AmqpLeak-3141",
    "Line-LeakyPrivate-5555",
    "Quote-Broken-Leak-6060",
    "Pw-Dup-Leak-7070",
    "Pw-Dup-Leak-8080",
    "LeakySentryKey1234",
];

fn assert_no_secret(what: &str, output: &str) {
    for secret in SECRETS {
        assert!(!output.contains(secret), "{what} leaks {secret}:\n{output}");
        // Fragments too: a secret cut by wrapping or a column is still a leak.
        let fragment = &secret[..secret.len() / 2 + 2];
        assert!(
            !output.contains(fragment),
            "{what} leaks part of {secret} ({fragment}):\n{output}"
        );
    }
}

#[test]
fn lint_outputs_hold_no_secret() {
    for profile in ["production", "staging", "development"] {
        for format in ["human", "json"] {
            let outcome = cli::run(
                &["lint", "--format", format, "--profile", profile, LEAKY],
                "",
            );
            assert_eq!(outcome.code, 1, "{format}: {}", outcome.error);
            assert!(!outcome.stdout.is_empty());
            assert_no_secret(
                &format!("lint --format {format} --profile {profile}"),
                &outcome.stdout,
            );
        }
    }
}

#[test]
fn lint_from_stdin_holds_no_secret() {
    let text = std::fs::read_to_string(LEAKY).expect("fixture");
    let outcome = cli::run(&["lint", "-"], &text);
    assert_eq!(outcome.code, 1);
    assert_no_secret("lint -", &outcome.stdout);
}

#[test]
fn show_masks_unless_revealed() {
    for format in ["json", "dotenv"] {
        let outcome = cli::run(&["show", "--format", format, LEAKY], "");
        assert_eq!(outcome.code, 0, "{}", outcome.error);
        assert_no_secret(&format!("show --format {format}"), &outcome.stdout);
    }
    let revealed = cli::run(&["show", "--reveal", LEAKY], "");
    assert!(
        revealed.stdout.contains("Pw-DbLeak-4411"),
        "--reveal shows values: {}",
        revealed.stdout
    );
    assert!(
        revealed.stdout.contains("Zebra-Umbrella-Quartz-77")
            || revealed.stdout.contains("Pw-Dup-Leak-8080")
    );
}

#[test]
fn the_masks_keep_the_shape_of_the_source() {
    // Snippets show `*` in place of secret bytes, so columns still line up with the file.
    let outcome = cli::run(&["lint", LEAKY], "");
    assert!(
        outcome
            .stdout
            .contains("SECRET_KEY=************************"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome
            .stdout
            .contains("postgresql://app:**************@localhost"),
        "{}",
        outcome.stdout
    );
}
