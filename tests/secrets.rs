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

/// Keys named in the short forms real projects use (issue 8): `show` printed
/// `DB_PASS=hunter2-real-pass` in clear.
const SHORT_NAMES: &str = "DB_PASS=hunter2-real-pass
POSTGRES_PWD=Pg-Pwd-Leak-2468
REDIS_PWD=Redis-Pwd-Leak-1357
PASS=Bare-Pass-Leak-9753
SMTP_PASSWD=Smtp-Passwd-Leak-8642
GPG_PASSPHRASE=Gpg-Phrase-Leak-1122
SLACK_BOT_TOKEN=xoxb-Slack-Leak-3344
OAUTH_CLIENT_SECRET=Client-Secret-Leak-5566
GOOGLE_CREDENTIALS=Google-Creds-Leak-7788
PASSAGE_COUNT=12
COMPASS_URL=https://compass.example.com
";

#[test]
fn show_masks_values_of_short_secret_names() {
    for format in ["json", "dotenv"] {
        let outcome = common::cli::run(&["show", "--format", format, "-"], SHORT_NAMES);
        assert_eq!(outcome.code, 0, "{}", outcome.error);
        for leak in [
            "hunter2-real-pass",
            "Pg-Pwd-Leak",
            "Redis-Pwd-Leak",
            "Bare-Pass-Leak",
            "Smtp-Passwd-Leak",
            "Gpg-Phrase-Leak",
            "Slack-Leak",
            "Client-Secret-Leak",
            "Google-Creds-Leak",
        ] {
            assert!(
                !outcome.stdout.contains(leak),
                "show --format {format} leaks {leak}:\n{}",
                outcome.stdout
            );
        }
        // Names that merely contain `PASS` are not secrets.
        assert!(outcome.stdout.contains("12"), "{}", outcome.stdout);
        assert!(
            outcome.stdout.contains("https://compass.example.com"),
            "{}",
            outcome.stdout
        );
    }
}

#[test]
fn lint_snippets_mask_values_of_short_secret_names() {
    // An unknown line next to each secret puts it in a snippet's context.
    let text = "DB_PASS=hunter2-real-pass\nDEBUG=true\nPOSTGRES_PWD=Pg-Pwd-Leak-2468\n";
    let outcome = common::cli::run(&["lint", "-"], text);
    assert!(outcome.stdout.contains("DEBUG=true"), "{}", outcome.stdout);
    assert!(!outcome.stdout.contains("hunter2"), "{}", outcome.stdout);
    assert!(!outcome.stdout.contains("Pg-Pwd"), "{}", outcome.stdout);
}

fn config_file(name: &str, text: &str) -> (common::files::Scratch, String) {
    let dir = common::files::Scratch::new();
    let path = dir.write(name, text);
    let path = path.to_str().expect("UTF-8 path").to_owned();
    (dir, path)
}

#[test]
fn secret_names_setting_masks_more_keys() {
    let input = "TLS_CERT=Cert-Leak-1234\nsigning_cert=Cert-Leak-5678\nDEBUG=true\n";
    for (name, text) in [
        ("deploycheck.toml", "secret-names = [\"*_CERT\"]\n"),
        (
            "pyproject.toml",
            "[project]\nname = \"api\"\n\n[tool.deploycheck]\nsecret-names = [\"*_cert\"]\n",
        ),
    ] {
        let (_dir, path) = config_file(name, text);
        let shown = common::cli::run(&["show", "--config", &path, "-"], input);
        assert_eq!(shown.code, 0, "{}", shown.error);
        assert!(
            !shown.stdout.contains("Cert-Leak"),
            "{name}: {}",
            shown.stdout
        );
        let linted = common::cli::run(&["lint", "--config", &path, "-"], input);
        assert!(linted.stdout.contains("DEBUG=true"), "{}", linted.stdout);
        assert!(
            !linted.stdout.contains("Cert-Leak"),
            "{name}: {}",
            linted.stdout
        );
    }
    // Without the setting, the key is not secret by name.
    let shown = common::cli::run(&["show", "--isolated", "-"], input);
    assert!(shown.stdout.contains("Cert-Leak-1234"), "{}", shown.stdout);
}

#[test]
fn an_invalid_secret_names_glob_points_into_the_configuration() {
    let (_dir, path) = config_file("deploycheck.toml", "secret-names = [\"ok_*\", \"[x\"]\n");
    let outcome = common::cli::run(&["show", "--config", &path, "-"], "A=1\n");
    assert_eq!(outcome.code, 2);
    assert!(
        outcome
            .error
            .contains("deploycheck.toml:1:25: invalid glob `[x`"),
        "{}",
        outcome.error
    );
}

/// Regression (issue 8): masking by searching every message for the secret string `secret`
/// turned the help into `import ****s; print(****s.token_urlsafe(48))` and the message into
/// `not a ****`. Values are masked by span in the source only.
#[test]
fn secret_key_secret_leaves_the_help_and_message_readable() {
    let text = "ENVIRONMENT=production\nSECRET_KEY=secret\n";
    let (_, report) = common::cli::lint_json(&["--select", "secret-key-placeholder", "-"], text);
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{report:#}");
    let message = findings[0]["message"].as_str().expect("message");
    let help = findings[0]["help"].as_str().expect("help");
    assert!(message.contains("not a secret"), "{message}");
    assert!(help.contains("import secrets"), "{help}");
    assert!(help.contains("secrets.token_urlsafe(48)"), "{help}");
    // The snippet still hides the value: `SECRET_KEY=******`.
    let human = common::cli::run(&["lint", "--select", "secret-key-placeholder", "-"], text);
    assert!(
        human.stdout.contains("SECRET_KEY=******\n"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("import secrets;"), "{}", human.stdout);
    assert!(human.stdout.contains("not a secret"), "{}", human.stdout);
}

/// Messages are no longer searched for secret strings, so a check that quotes a piece of a
/// secret's value (a list element, a parsed number, a raw match) must mask the piece itself.
#[test]
fn checks_quoting_part_of_a_secret_value_mask_it() {
    let dir = common::files::Scratch::new();
    let rules = dir.write(
        "rules.toml",
        r#"
[variables.API_TOKENS]
type = "json-list"
[variables.UNLOCK_SECRET]
type = "int"

[[rules]]
id = "token-not-an-origin"
severity = "error"
summary = "s"
check = { kind = "json-list", variable = "API_TOKENS", element = { origin-only = true } }

[[rules]]
id = "unlock-too-small"
severity = "error"
summary = "s"
check = { kind = "int", variable = "UNLOCK_SECRET", min = 100000000 }

[[rules]]
id = "secret-holds-marker"
severity = "error"
summary = "s"
check = { kind = "raw-contains", variable = "UNLOCK_SECRET", pattern = "[0-9]{5}" }
"#,
    );
    let rules = rules.display().to_string();
    let input = "API_TOKENS=[\"TokPiece-Quartz-8127\"]\nUNLOCK_SECRET=73519\n";
    for format in ["human", "json"] {
        let outcome = cli::run(
            &[
                "lint",
                "--isolated",
                "--no-builtin",
                "--rules",
                &rules,
                "--format",
                format,
                "-",
            ],
            input,
        );
        assert!(outcome.error.is_empty(), "{}", outcome.error);
        for id in [
            "token-not-an-origin",
            "unlock-too-small",
            "secret-holds-marker",
        ] {
            assert!(
                outcome.stdout.contains(id),
                "{format}: {id} missing: {}",
                outcome.stdout
            );
        }
        for secret in ["TokPiece-Quartz-8127", "73519"] {
            assert!(
                !outcome.stdout.contains(secret),
                "{format} shows `{secret}`: {}",
                outcome.stdout
            );
        }
    }
}

/// Every output of deploycheck for the .env text `input`: `lint` in the five formats, `show` in
/// each format with and without `--sources`, and `diff` in both formats against a file with the
/// same lines, each value replaced. `extra` goes to every command (`--rules FILE`). Returns what
/// each wrote (its report and its error), named by its arguments.
fn every_output(input: &str, extra: &[&str]) -> Vec<(String, String)> {
    every_output_beside(input, &[], extra)
}

/// [`every_output`], with `files` (name, text) written beside the input (a `pyproject.toml`
/// that decides the database driver).
fn every_output_beside(
    input: &str,
    files: &[(&str, &str)],
    extra: &[&str],
) -> Vec<(String, String)> {
    let dir = common::files::Scratch::new();
    for (name, text) in files {
        dir.write(name, text);
    }
    let path = dir.write(".env.production", input);
    let path = path.to_str().expect("UTF-8 path").to_owned();
    let other: String = input
        .lines()
        .map(|line| match line.split_once('=') {
            Some((key, _)) => format!("{key}=other-value\n"),
            None => format!("{line}\n"),
        })
        .collect();
    let other = dir.write("other.env", other);
    let other = other.to_str().expect("UTF-8 path").to_owned();
    let isolated: &[&str] = if extra.contains(&"--config") {
        &[]
    } else {
        &["--isolated"]
    };
    let mut commands: Vec<Vec<&str>> = Vec::new();
    for format in ["human", "json", "sarif", "github", "junit"] {
        commands.push(vec!["lint", "--format", format]);
    }
    for format in ["json", "dotenv"] {
        commands.push(vec!["show", "--format", format]);
        commands.push(vec!["show", "--format", format, "--sources"]);
    }
    for format in ["human", "json"] {
        commands.push(vec!["diff", "--format", format]);
    }
    commands
        .into_iter()
        .map(|mut args| {
            args.extend_from_slice(isolated);
            args.extend_from_slice(extra);
            args.push(&path);
            if args[0] == "diff" {
                args.push(&other);
            }
            let outcome = cli::run(&args, "");
            let what = args.join(" ");
            (what, format!("{}\n{}", outcome.stdout, outcome.error))
        })
        .collect()
}

/// Fails, listing every output that holds any of `secrets`.
fn assert_nowhere(outputs: &[(String, String)], secrets: &[&str]) {
    let leaks: Vec<String> = outputs
        .iter()
        .flat_map(|(what, output)| {
            secrets
                .iter()
                .filter(|secret| output.contains(*secret))
                .map(move |secret| format!("`{what}` shows {secret:?}:\n{output}"))
        })
        .collect();
    assert!(leaks.is_empty(), "{}", leaks.join("\n\n"));
}

/// Regression (issue 11, item 8): `--rules .env.production` and `--config railway.json` drew
/// the TOML error under a snippet of the file, secrets included. A file that is not TOML with
/// the tables of its kind is named, never quoted; a .env whose values are all quoted is valid
/// TOML, and is stopped by its keys.
#[test]
fn a_wrong_file_given_as_rules_or_configuration_is_named_not_shown() {
    let dir = common::files::Scratch::new();
    let files = [
        (
            ".env.production",
            "SECRET_KEY=Rf8EnvAsRulesLeak-41\nDATABASE_URL=postgresql://app:Rf8UrlLeak-42@db/app\n",
        ),
        ("quoted.env", "SECRET_KEY=\"Rf8QuotedEnvLeak-43\"\n"),
        ("railway.json", "{\"SECRET_KEY\": \"Rf8JsonLeak-44\"}\n"),
    ];
    let secrets = [
        "Rf8EnvAsRulesLeak",
        "Rf8UrlLeak",
        "Rf8QuotedEnvLeak",
        "Rf8JsonLeak",
    ];
    for (name, text) in files {
        let path = dir.write(name, text);
        let path = path.to_str().expect("UTF-8 path");
        for flag in ["--rules", "--config"] {
            let outputs = every_output("DEBUG=false\n", &[flag, path]);
            for (what, output) in &outputs {
                assert!(output.contains(&format!("{path}:1:")), "{what}: {output}");
            }
            assert_nowhere(&outputs, &secrets);
        }
    }
    // A rule file's own mistakes still point into it with the line shown.
    let rules = dir.write(
        "rules.toml",
        "[[rules]]\nid = \"x-flagged\"\nseverity = \"loud\"\nsummary = \"s\"\ncheck = { kind = \"required\", variable = \"A\" }\n",
    );
    let outcome = cli::run(
        &["lint", "--rules", rules.to_str().expect("UTF-8 path"), "-"],
        "A=1\n",
    );
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.error.contains("severity = \"loud\""),
        "{}",
        outcome.error
    );
}

/// A project that installs asyncpg, so that `database-url-wrong-driver` proposes a rewritten URL.
const ASYNCPG_PROJECT: (&str, &str) = (
    "pyproject.toml",
    "[project]\nname = \"api\"\ndependencies = [\"sqlalchemy\", \"asyncpg\", \"redis\"]\n",
);

/// Regression (issue 11, item 5): a URL password holding `/ # ? ,` or a space was printed
/// (snippets, `show`, `diff`). SQLAlchemy reads the password up to the first `@` after
/// `user:`; urllib (redis-py) up to the authority's last `@`; both readings are masked.
#[test]
fn url_passwords_with_delimiters_are_masked_everywhere() {
    let input = "\
DATABASE_URL=postgresql://app:Ab3/xYzQkLeak9==@db.example.com:5432/app
BACKUP_DATABASE_URL=postgresql+asyncpg://app:Ab3#xYzHash?Qm,Le ak9@db.example.com:5432/app
REDIS_URL=redis://default:Rd5At@Sign,Pw@redis.example.com:6379/0
DEBUG=true
";
    let outputs = every_output_beside(input, &[ASYNCPG_PROJECT], &[]);
    let linted = &outputs[0].1;
    assert!(linted.contains("DEBUG=true"), "{linted}");
    // The help rewrites the Redis URL; its password holds `@` and `,`.
    assert!(linted.contains("rediss://"), "{linted}");
    assert_nowhere(
        &outputs,
        &[
            "xYzQkLeak9",
            "xYzHash",
            "Qm,Le ak9",
            "Le ak9",
            "Rd5At",
            "Sign,Pw",
        ],
    );
}

/// Regression (issue 11, item 6): `?password=` (asyncpg, libpq and redis-py all take it as the
/// password) and other credential parameters were printed in every format, through the
/// rewritten URLs of `database-url-wrong-driver` and `redis-url-without-tls` too, and by
/// `show` and `diff`.
#[test]
fn credential_query_parameters_are_masked_everywhere() {
    let input = "\
DATABASE_URL=postgresql://app@db.example.com:5432/app?password=Qp6QueryLeak-1&ssl=require
REDIS_URL=redis://redis.example.com:6379/0?password=Qp6RedisQueryLeak-2
CACHE_URL=redis://redis.example.com:6379/1?db=1&passwd=Qp6Passwd-3&pwd=Qp6Pwd-4
SEARCH_URL=postgresql://db/app?sslpassword=Qp6SslPw-5&secret=Qp6Secret-6&token=Qp6Token-7
ANALYTICS_URL=https://api.example.com/v1?api_key=Qp6ApiKey-8&apikey=Qp6Apikey-9&access_token=Qp6Access-10&auth=Qp6Auth-11
DEBUG=true
";
    let outputs = every_output_beside(input, &[ASYNCPG_PROJECT], &[]);
    let linted = &outputs[0].1;
    for rule in ["database-url-wrong-driver", "redis-url-without-tls"] {
        assert!(linted.contains(rule), "{rule}: {linted}");
    }
    assert!(linted.contains("?password=****"), "{linted}");
    assert_nowhere(
        &outputs,
        &[
            "Qp6QueryLeak",
            "Qp6RedisQueryLeak",
            "Qp6Passwd",
            "Qp6Pwd",
            "Qp6SslPw",
            "Qp6Secret",
            "Qp6Token",
            "Qp6ApiKey",
            "Qp6Apikey",
            "Qp6Access",
            "Qp6Auth",
        ],
    );
}

/// Regression (issue 11, item 9): a PEM value whose closing quote is missing. python-dotenv
/// reads its body lines as keys, and those keys (the private key itself) were printed in
/// snippets, by `show` and by `diff`. Keys read from an unterminated quoted value, keys that
/// are long base64 runs, and PEM bodies are masked in every output.
#[test]
fn key_material_read_as_keys_is_masked_everywhere() {
    // No later quote closes it: python-dotenv skips line 1 and reads lines 2 to 4 as keys.
    let unterminated = "\
SIGNING_PEM=\"-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7Km9Leak1
VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dKm9Leak2==
Km9Leak3Tail
-----END PRIVATE KEY-----
DEBUG=true
";
    // A later quote closes it: the whole block is one skipped statement.
    let swallowed = "\
TLS_CLIENT=\"-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAKm9Leak4xYzQ0b3RoZXJsaW5lb2ZrZXltYXRlcmlhbA
Km9Leak5Short
-----END RSA PRIVATE KEY-----
DEBUG=true
LOG_LEVEL=\"info\"
";
    // A base64 key cut over lines, no PEM markers, under a name that is not secret.
    let base64 = "\
SERVICE_BLOB='QmFzZTY0S2V5TWF0ZXJpYWxLbTlMZWFrNg
QmFzZTY0S2V5TWF0ZXJpYWxLbTlMZWFrNwAAAAAAAAAAAAAA
Km9Leak8Base
DEBUG=true
";
    // A well-quoted private key under an innocent name: its body is masked too.
    let innocent = "\
SAML_SP_PEM=\"-----BEGIN PRIVATE KEY-----
Km9Leak9InnocentNameBody
-----END PRIVATE KEY-----\"
DEBUG=true
";
    for input in [unterminated, swallowed, base64, innocent] {
        let outputs = every_output(input, &[]);
        assert!(outputs[0].1.contains("DEBUG=true"), "{}", outputs[0].1);
        assert_nowhere(
            &outputs,
            &[
                "Km9Leak",
                "MIIEvQIBADANBgkqhkiG9w0BAQEF",
                "VJTUt9Us8cKjMzEfYyjiWA4R4",
                "MIIEowIBAAKCAQEA",
                "QmFzZTY0S2V5TWF0ZXJpYWx",
            ],
        );
    }
    // The keys are still there, masked and told apart by their line.
    let shown = cli::run(&["show", "--isolated", "-"], unterminated);
    assert!(
        shown.stdout.contains("\"**** (line 2)\": null"),
        "{}",
        shown.stdout
    );
    assert!(
        shown.stdout.contains("\"**** (line 3)\""),
        "{}",
        shown.stdout
    );
}

/// Regression (issue 11, item 7): a secret interpolated into another variable
/// (`GREETING=hello-${SECRET_KEY}`) was printed by `show` and `diff` when the secret was short
/// or came from the environment, and by lint messages that quote a value (`LOG_LEVEL` is
/// `<the secret>`). The bytes `${NAME}` puts into a value are marked by the parser and masked
/// wherever the value lands, through other variables too.
#[test]
fn interpolated_secrets_are_masked_everywhere() {
    let input = "\
SECRET_KEY=It7SecretKeyInterpolatedLeakValue-0001
DB_PASS=q-7
GREETING=hello-${SECRET_KEY}
MOTD=pw-${DB_PASS}-end
LOG_LEVEL=${SECRET_KEY}
ENVIRONMENT=dev-${DB_PASS}
CHAINED=${GREETING}
TWICE=x-${CHAINED}
FALLBACK=${API_TOKEN:-It7DefaultTokenLeak}
CORS_ORIGINS=[\"https://app.example.com\",\"https://${DB_PASS}.example.com\"]
DEBUG=true
";
    let outputs = every_output(input, &[]);
    let linted = &outputs[0].1;
    assert!(linted.contains("log-level-invalid"), "{linted}");
    assert_nowhere(&outputs, &["It7SecretKey", "q-7", "It7DefaultToken"]);
    // What is not a secret stays readable.
    let shown = cli::run(&["show", "--isolated", "-"], input);
    for readable in ["\"hello-****\"", "\"pw-****-end\"", "\"x-hello-****\""] {
        assert!(
            shown.stdout.contains(readable),
            "{readable}: {}",
            shown.stdout
        );
    }
}

/// A secret of one input copied into another (pasted under an innocent name, quoted in a
/// comment) is masked in the other's snippets, whichever input is read first: inputs are
/// judged one by one, each masked for its own secrets as it is read, and for every other
/// input's once all are judged.
#[test]
fn a_secret_of_one_input_is_masked_in_another() {
    let dir = common::files::Scratch::new();
    // `a.env` sorts first and quotes the key `b.env` holds; DEBUG puts a snippet around it.
    let copy = dir.write(
        "a.env",
        "NOTE=Cp7SecretOfAnotherInput-0042\n# old: Cp7SecretOfAnotherInput-0042\nDEBUG=true\n",
    );
    let owner = dir.write(
        "b.env",
        "SECRET_KEY=Cp7SecretOfAnotherInput-0042\nDEBUG=true\n",
    );
    let (copy, owner) = (
        copy.to_str().expect("UTF-8"),
        owner.to_str().expect("UTF-8"),
    );
    for paths in [[copy, owner], [owner, copy]] {
        let outcome = cli::run(&["lint", "--isolated", paths[0], paths[1]], "");
        assert_eq!(outcome.code, 1, "{}", outcome.error);
        assert!(outcome.stdout.contains("# old: ****"), "{}", outcome.stdout);
        assert!(
            !outcome.stdout.contains("Cp7SecretOfAnotherInput"),
            "{}",
            outcome.stdout
        );
    }
}

/// Within one configuration too: the first layer is searched for the secrets of the layers
/// read after it (it was searched only for those read before).
#[test]
fn a_secret_of_a_later_layer_is_masked_in_an_earlier_one() {
    let dir = common::files::Scratch::new();
    let first = dir.write(
        "a.env",
        "ENVIRONMENT=production\nDATABASE_URL=Later-Secret-4242\n",
    );
    let second = dir.write("b.env", "SECRET_KEY=Later-Secret-4242\n");
    let (first, second) = (first.to_string_lossy(), second.to_string_lossy());
    let outcome = cli::run(
        &[
            "lint",
            "--isolated",
            "--env-file",
            &first,
            "--env-file",
            &second,
        ],
        "",
    );
    assert_eq!(outcome.code, 1, "{}", outcome.error);
    assert!(
        outcome.stdout.contains("DATABASE_URL"),
        "{}",
        outcome.stdout
    );
    assert!(
        !outcome.stdout.contains("Later-Secret"),
        "b.env's secret shows in a.env:\n{}",
        outcome.stdout
    );
}

/// A name that says what about a secret it holds (its URL, its lifetime) is not a secret:
/// `TOKEN_URL=https://auth.example.com/token` was flagged as a placeholder secret, and
/// `ACCESS_TOKEN_EXPIRE_MINUTES=60` (FastAPI's template) shown as `**`.
#[test]
fn settings_about_a_secret_are_not_secrets() {
    let text = "ENVIRONMENT=production\nACCESS_TOKEN_EXPIRE_MINUTES=60\n\
                TOKEN_URL=https://auth.example.com/token\nDEBUG=maybe\n";
    let outcome = cli::run(&["lint", "--isolated", "--format", "json", "-"], text);
    let report: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|finding| finding["rule"].as_str())
        .collect();
    assert!(!rules.contains(&"secret-placeholder"), "{}", outcome.stdout);
    let shown = cli::run(&["show", "--format", "json", "-"], text);
    assert!(shown.stdout.contains("\"60\""), "{}", shown.stdout);
    assert!(
        shown.stdout.contains("https://auth.example.com/token"),
        "{}",
        shown.stdout
    );
}
