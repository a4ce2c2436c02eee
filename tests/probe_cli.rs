//! `deploycheck probe` and `deploycheck lint --probe` as users run them, against real
//! PostgreSQL and Redis servers on loopback: exit statuses, where findings point, every output
//! format keeping credentials out, TLS trust, timeouts, flag errors, and no connection at all
//! without `--probe`.
//!
//! The servers come from `common::servers` (skipped with a notice where the binaries are
//! missing, except under CI).

mod common;

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::files::Scratch;
use common::probe::{rules, the};
use common::servers::{PASSWORD, Postgres, Redis, SilentListener, encode, free_port};
use serde_json::Value;

/// What a run of the binary left behind.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl Run {
    /// The findings of a `--format json` run.
    fn findings(&self) -> Vec<Value> {
        let document: Value = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("not JSON ({error}):\n{}", self.stdout));
        assert_eq!(document["version"], 1, "{}", self.stdout);
        document["findings"]
            .as_array()
            .cloned()
            .unwrap_or_else(|| panic!("no findings array:\n{}", self.stdout))
    }

    fn both(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// The example application's configuration: its Settings class gives the pool sizes defaults
/// (a configuration without a Settings class has none).
const EXAMPLE_CONFIG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/examples/deploycheck.toml"
);

fn deploycheck(args: &[&str]) -> Run {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(args)
        // Far from any project configuration file a parent directory might hold.
        .current_dir(std::env::temp_dir())
        // `--format github` appends to this file when set (as on GitHub Actions).
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("run deploycheck");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed: started.elapsed(),
    }
}

/// A `.env.production` in a directory of its own (no `.env.example` beside it).
struct EnvFile {
    path: PathBuf,
    text: String,
    _dir: Scratch,
}

impl EnvFile {
    fn write(entries: &[(&str, &str)]) -> Self {
        let dir = Scratch::new();
        let text: String = entries
            .iter()
            .map(|(key, value)| format!("{key}={value}\n"))
            .collect();
        let path = dir.write(".env.production", &text);
        EnvFile {
            path,
            text,
            _dir: dir,
        }
    }

    fn path(&self) -> &str {
        self.path.to_str().expect("UTF-8 temporary path")
    }

    /// `(line, column, end_column)` of `key`'s value, 1-based, end exclusive.
    fn value_position(&self, key: &str) -> (u64, u64, u64) {
        let prefix = format!("{key}=");
        let (index, line) = self
            .text
            .lines()
            .enumerate()
            .find(|(_, line)| line.starts_with(&prefix))
            .unwrap_or_else(|| panic!("{key} is not in the file"));
        let column = prefix.chars().count() as u64 + 1;
        let end = line.chars().count() as u64 + 1;
        (index as u64 + 1, column, end)
    }
}

/// The finding points at exactly `key`'s value in `file`.
fn assert_points_at(finding: &Value, file: &EnvFile, key: &str) {
    let (line, column, end_column) = file.value_position(key);
    assert_eq!(finding["file"], file.path(), "{finding:#}");
    assert_eq!(finding["line"], line, "{finding:#}");
    assert_eq!(finding["column"], column, "{finding:#}");
    assert_eq!(finding["end_line"], line, "{finding:#}");
    assert_eq!(finding["end_column"], end_column, "{finding:#}");
}

/// Neither `secret`, nor its percent-encoded form, nor any four characters of either.
fn assert_no_trace_of(text: &str, secret: &str, context: &str) {
    for form in [secret.to_string(), encode(secret)] {
        let chars: Vec<char> = form.chars().collect();
        for window in chars.windows(4) {
            let fragment: String = window.iter().collect();
            assert!(
                !text.contains(&fragment),
                "{context}: the output holds {fragment:?}, part of a password:\n{text}"
            );
        }
    }
}

/// A production configuration for the two servers, with pools (5 + 2) small enough for the
/// test cluster's 17 connections.
fn configuration(database_url: &str, redis_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("ENVIRONMENT", "production".to_string()),
        ("DEBUG", "false".to_string()),
        ("DATABASE_URL", database_url.to_string()),
        ("REDIS_URL", redis_url.to_string()),
        ("DB_POOL_SIZE", "5".to_string()),
        ("DB_MAX_OVERFLOW", "2".to_string()),
    ]
}

fn env_file(entries: &[(&'static str, String)]) -> EnvFile {
    let borrowed: Vec<(&str, &str)> = entries
        .iter()
        .map(|(key, value)| (*key, value.as_str()))
        .collect();
    EnvFile::write(&borrowed)
}

#[test]
fn healthy_servers_give_only_information() {
    let Some((postgres, _)) = Postgres::start(false) else {
        return;
    };
    let Some((redis, _)) = Redis::start(false) else {
        return;
    };
    let file = env_file(&configuration(
        &postgres.url("asyncpg", PASSWORD, "postgres", ""),
        &redis.url("redis", PASSWORD, "/0"),
    ));

    let run = deploycheck(&["probe", "--format", "json", file.path()]);
    assert_eq!(run.code, Some(0), "{}", run.both());
    let findings = run.findings();
    assert_eq!(
        rules(&findings),
        ["probe-postgres-info", "probe-redis-info"],
        "{findings:#?}"
    );
    let postgres_info = the(&findings, "probe-postgres-info");
    assert_eq!(postgres_info["severity"], "info");
    assert_eq!(postgres_info["key"], "DATABASE_URL");
    assert_points_at(postgres_info, &file, "DATABASE_URL");
    let message = postgres_info["message"].as_str().unwrap_or_default();
    for needle in [
        format!("at 127.0.0.1:{}", postgres.port),
        "max_connections 20".to_string(),
        "TLS off".to_string(),
    ] {
        assert!(message.contains(&needle), "{message}");
    }
    let redis_info = the(&findings, "probe-redis-info");
    assert_eq!(redis_info["key"], "REDIS_URL");
    assert_points_at(redis_info, &file, "REDIS_URL");
    let message = redis_info["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!("at 127.0.0.1:{}", redis.port))
            && message.contains("maxclients 64"),
        "{message}"
    );
    assert_no_trace_of(&run.both(), PASSWORD, "probe --format json");

    // REDIS_MAX_CONNECTIONS is unset: its default 10 × 7 replicas exceeds maxclients 64, and the
    // finding points at the URL of the server it overflows.
    let run = deploycheck(&[
        "probe",
        "--config",
        EXAMPLE_CONFIG,
        "--replicas",
        "7",
        "--format",
        "json",
        file.path(),
    ]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    let findings = run.findings();
    let redis_pool = the(&findings, "probe-redis-max-connections");
    assert_eq!(redis_pool["key"], "REDIS_MAX_CONNECTIONS");
    assert_points_at(redis_pool, &file, "REDIS_URL");
    let message = redis_pool["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("70 connections")
            && message.contains("(REDIS_MAX_CONNECTIONS is not set: this is its default)"),
        "{message}"
    );

    // Information is below every threshold but `info`.
    let run = deploycheck(&[
        "probe",
        "--fail-on",
        "info",
        "--format",
        "json",
        file.path(),
    ]);
    assert_eq!(run.code, Some(1), "{}", run.both());

    // The human report: both findings under their lines, credentials masked, an honest count.
    let run = deploycheck(&["probe", file.path()]);
    assert_eq!(run.code, Some(0), "{}", run.both());
    let (database_line, database_column, _) = file.value_position("DATABASE_URL");
    let (redis_line, redis_column, _) = file.value_position("REDIS_URL");
    for needle in [
        format!(
            "{}:{database_line}:{database_column}: info[probe-postgres-info]",
            file.path()
        ),
        format!(
            "{}:{redis_line}:{redis_column}: info[probe-redis-info]",
            file.path()
        ),
        "DATABASE_URL=postgresql+asyncpg://postgres:*".to_string(),
        "No problems found; 2 infos.".to_string(),
    ] {
        assert!(
            run.stdout.contains(&needle),
            "lacks {needle:?}:\n{}",
            run.stdout
        );
    }
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert_no_trace_of(&run.both(), PASSWORD, "probe (human)");

    // `lint --probe`: the lint rules (127.0.0.1 is no production host; with the example
    // application's configuration, the pools are below its documented range and required
    // secrets are missing) and the probes, in one report.
    let run = deploycheck(&[
        "lint",
        "--config",
        EXAMPLE_CONFIG,
        "--probe",
        "--format",
        "json",
        file.path(),
    ]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    let findings = run.findings();
    let ids = rules(&findings);
    for rule in [
        "probe-postgres-info",
        "probe-redis-info",
        "database-url-local-host",
        "redis-url-local-host",
        "pool-size-out-of-range",
    ] {
        assert!(ids.contains(&rule), "lint --probe lacks {rule}: {ids:?}");
    }
    assert_points_at(the(&findings, "probe-postgres-info"), &file, "DATABASE_URL");

    // Plain `lint` has the same lint findings and no probe findings.
    let run = deploycheck(&[
        "lint",
        "--config",
        EXAMPLE_CONFIG,
        "--format",
        "json",
        file.path(),
    ]);
    let lint_only = run.findings();
    let lint_ids = rules(&lint_only);
    assert!(
        lint_ids.iter().all(|rule| !rule.starts_with("probe-")),
        "{lint_ids:?}"
    );
    let mut without_probes: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|rule| !rule.starts_with("probe-"))
        .collect();
    let mut expected = lint_ids.clone();
    without_probes.sort_unstable();
    expected.sort_unstable();
    assert_eq!(without_probes, expected);
}

/// Passwords no message, help or snippet could contain by chance.
const POSTGRES_RIGHT: &str = "Qv7#Lm2@Zx9!Kd4";
const POSTGRES_WRONG: &str = "Hj4$Tb8&Wn3^Ys6";
const REDIS_RIGHT: &str = "Pk6*Ds1~Gy5=Rf0";
const REDIS_WRONG: &str = "Fc2+Ur7;Ne8?Oa1";

#[test]
fn wrong_passwords_fail_without_showing_any_password() {
    let Some((postgres, _)) = Postgres::start_with_password(false, POSTGRES_RIGHT) else {
        return;
    };
    let Some((redis, _)) = Redis::start_with_password(false, REDIS_RIGHT, &[]) else {
        return;
    };
    let file = env_file(&configuration(
        &postgres.url("asyncpg", POSTGRES_WRONG, "postgres", ""),
        &redis.url("redis", REDIS_WRONG, "/0"),
    ));

    let run = deploycheck(&["probe", "--format", "json", file.path()]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    let findings = run.findings();
    assert_eq!(
        rules(&findings),
        ["probe-postgres-auth-failed", "probe-redis-auth-failed"],
        "{findings:#?}"
    );
    let postgres_failure = the(&findings, "probe-postgres-auth-failed");
    assert_eq!(postgres_failure["severity"], "error");
    assert_points_at(postgres_failure, &file, "DATABASE_URL");
    assert!(
        postgres_failure["message"]
            .as_str()
            .is_some_and(|message| message.contains("password authentication failed")),
        "{postgres_failure:#}"
    );
    let redis_failure = the(&findings, "probe-redis-auth-failed");
    assert_points_at(redis_failure, &file, "REDIS_URL");
    assert!(
        redis_failure["message"]
            .as_str()
            .is_some_and(|message| message.contains("WRONGPASS")),
        "{redis_failure:#}"
    );

    for command in [&["probe"][..], &["lint", "--probe"][..]] {
        for format in ["human", "json", "sarif", "github", "junit"] {
            let mut args = command.to_vec();
            args.extend(["--format", format, file.path()]);
            let run = deploycheck(&args);
            let context = args.join(" ");
            assert_eq!(run.code, Some(1), "{context}: {}", run.both());
            for rule in ["probe-postgres-auth-failed", "probe-redis-auth-failed"] {
                assert!(
                    run.stdout.contains(rule),
                    "{context} lacks {rule}:\n{}",
                    run.stdout
                );
            }
            for password in [POSTGRES_RIGHT, POSTGRES_WRONG, REDIS_RIGHT, REDIS_WRONG] {
                assert_no_trace_of(&run.both(), password, &context);
            }
        }
    }
}

#[test]
fn pools_are_compared_with_max_connections() {
    let Some((postgres, _)) = Postgres::start(false) else {
        return;
    };
    // No REDIS_URL: only PostgreSQL and its pools are judged.
    let database_url = postgres.url("asyncpg", PASSWORD, "postgres", "");
    let entries = |pool: &str, overflow: &str| {
        vec![
            ("DATABASE_URL", database_url.clone()),
            ("DB_POOL_SIZE", pool.to_string()),
            ("DB_MAX_OVERFLOW", overflow.to_string()),
        ]
    };

    // (5 + 2) × 1 fits in max_connections 20 − 3 reserved; × 3 replicas does not.
    let file = env_file(&entries("5", "2"));
    let run = deploycheck(&["probe", "--format", "json", file.path()]);
    assert_eq!(run.code, Some(0), "{}", run.both());
    assert_eq!(rules(&run.findings()), ["probe-postgres-info"]);

    let run = deploycheck(&["probe", "--replicas", "3", "--format", "json", file.path()]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    let findings = run.findings();
    let pool = the(&findings, "probe-pool-exceeds-max-connections");
    assert_eq!(pool["severity"], "error");
    assert_eq!(pool["key"], "DB_POOL_SIZE");
    assert_points_at(pool, &file, "DB_POOL_SIZE");
    let message = pool["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("21 connections") && message.contains("allows 17"),
        "{message}"
    );

    // WEB_CONCURRENCY multiplies like replicas do.
    let mut with_workers = entries("5", "2");
    with_workers.push(("WEB_CONCURRENCY", "3".to_string()));
    let workers_file = env_file(&with_workers);
    let run = deploycheck(&["probe", "--format", "json", workers_file.path()]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    assert_points_at(
        the(&run.findings(), "probe-pool-exceeds-max-connections"),
        &workers_file,
        "DB_POOL_SIZE",
    );

    // The human report underlines DB_POOL_SIZE and labels DB_MAX_OVERFLOW and the URL.
    let run = deploycheck(&["probe", "--replicas", "3", file.path()]);
    let (line, column, _) = file.value_position("DB_POOL_SIZE");
    for needle in [
        format!(
            "{}:{line}:{column}: error[probe-pool-exceeds-max-connections]",
            file.path()
        ),
        "╰── DB_MAX_OVERFLOW".to_string(),
        "╰── the server named here".to_string(),
    ] {
        assert!(
            run.stdout.contains(&needle),
            "lacks {needle:?}:\n{}",
            run.stdout
        );
    }

    // Unset, the application's defaults (10 + 20) apply; the finding points at the URL whose
    // server they overflow, and says the values are defaults.
    let defaults = env_file(&[("DATABASE_URL", database_url.clone())]);
    let run = deploycheck(&[
        "probe",
        "--config",
        EXAMPLE_CONFIG,
        "--format",
        "json",
        defaults.path(),
    ]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    let findings = run.findings();
    let pool = the(&findings, "probe-pool-exceeds-max-connections");
    assert_points_at(pool, &defaults, "DATABASE_URL");
    let message = pool["message"].as_str().unwrap_or_default();
    assert!(
        message
            .contains("(DB_POOL_SIZE and DB_MAX_OVERFLOW are not set: these are their defaults)")
            && message.contains("30 connections"),
        "{message}"
    );

    // `lint --probe` reports the same, next to the lint findings.
    let run = deploycheck(&[
        "lint",
        "--probe",
        "--replicas",
        "3",
        "--format",
        "json",
        file.path(),
    ]);
    assert_points_at(
        the(&run.findings(), "probe-pool-exceeds-max-connections"),
        &file,
        "DB_POOL_SIZE",
    );
}

#[test]
fn verify_full_trusts_only_the_given_ca() {
    let Some((postgres, certificates)) = Postgres::start(true) else {
        return;
    };
    let Some(certificates) = certificates else {
        panic!("a TLS cluster comes with certificates");
    };
    let ca = certificates.ca.to_str().expect("UTF-8 path");
    let file = env_file(&[
        (
            "DATABASE_URL",
            postgres.url("asyncpg", PASSWORD, "postgres", "?ssl=verify-full"),
        ),
        ("DB_POOL_SIZE", "5".to_string()),
        ("DB_MAX_OVERFLOW", "2".to_string()),
    ]);

    // The test CA is not among the built-in roots.
    let run = deploycheck(&["probe", "--format", "json", file.path()]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    let findings = run.findings();
    assert_eq!(rules(&findings), ["probe-postgres-tls-failed"]);
    let failure = the(&findings, "probe-postgres-tls-failed");
    assert_points_at(failure, &file, "DATABASE_URL");
    let message = failure["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("verify-full") && message.contains("UnknownIssuer"),
        "{message}"
    );
    assert!(
        failure["help"]
            .as_str()
            .is_some_and(|help| help.contains("--probe-ca")),
        "{failure:#}"
    );

    let run = deploycheck(&["probe", "--probe-ca", ca, "--format", "json", file.path()]);
    assert_eq!(run.code, Some(0), "{}", run.both());
    let findings = run.findings();
    assert_eq!(rules(&findings), ["probe-postgres-info"]);
    let info = findings[0]["message"].as_str().unwrap_or_default();
    assert!(info.contains("TLS on"), "{info}");

    // `lint --probe` takes the same flag.
    let run = deploycheck(&[
        "lint",
        "--probe",
        "--probe-ca",
        ca,
        "--format",
        "json",
        file.path(),
    ]);
    let findings = run.findings();
    let ids = rules(&findings);
    assert!(ids.contains(&"probe-postgres-info"), "{ids:?}");
    assert!(!ids.contains(&"probe-postgres-tls-failed"), "{ids:?}");

    let run = deploycheck(&["probe", "--probe-insecure", "--format", "json", file.path()]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    let findings = run.findings();
    assert_eq!(
        rules(&findings),
        ["probe-insecure-tls", "probe-postgres-info"],
        "{findings:#?}"
    );
    let warning = the(&findings, "probe-insecure-tls");
    assert_eq!(warning["severity"], "warning");
    assert_points_at(warning, &file, "DATABASE_URL");
    // A warning is below `--fail-on error`.
    let run = deploycheck(&[
        "probe",
        "--probe-insecure",
        "--fail-on",
        "error",
        file.path(),
    ]);
    assert_eq!(run.code, Some(0), "{}", run.both());
    assert!(
        run.stdout.contains("warning[probe-insecure-tls]"),
        "{}",
        run.stdout
    );
}

#[test]
fn rediss_verifies_against_the_given_ca() {
    let Some((redis, certificates)) = Redis::start(true) else {
        return;
    };
    let Some(certificates) = certificates else {
        panic!("a TLS Redis comes with certificates");
    };
    let ca = certificates.ca.to_str().expect("UTF-8 path");
    let file = env_file(&[("REDIS_URL", redis.url("rediss", PASSWORD, "/0"))]);

    let run = deploycheck(&["probe", "--format", "json", file.path()]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    assert_points_at(
        the(&run.findings(), "probe-redis-tls-failed"),
        &file,
        "REDIS_URL",
    );

    let run = deploycheck(&["probe", "--probe-ca", ca, "--format", "json", file.path()]);
    assert_eq!(run.code, Some(0), "{}", run.both());
    let findings = run.findings();
    let info = the(&findings, "probe-redis-info")["message"]
        .as_str()
        .unwrap_or_default();
    assert!(info.contains("TLS on"), "{info}");
}

#[test]
fn two_dead_endpoints_cost_one_timeout() {
    let database = SilentListener::start();
    let cache = SilentListener::start();
    let file = env_file(&[
        (
            "DATABASE_URL",
            format!(
                "postgresql+asyncpg://app:{}@127.0.0.1:{}/app",
                encode(POSTGRES_WRONG),
                database.port
            ),
        ),
        (
            "REDIS_URL",
            format!(
                "redis://:{}@127.0.0.1:{}/0",
                encode(REDIS_WRONG),
                cache.port
            ),
        ),
    ]);
    let run = deploycheck(&[
        "probe",
        "--probe-timeout",
        "2s",
        "--format",
        "json",
        file.path(),
    ]);
    assert!(
        run.elapsed < Duration::from_millis(3500),
        "took {:?}",
        run.elapsed
    );
    assert!(
        run.elapsed >= Duration::from_secs(2),
        "took {:?}",
        run.elapsed
    );
    assert_eq!(run.code, Some(1), "{}", run.both());
    let findings = run.findings();
    for (rule, key) in [
        ("probe-postgres-unreachable", "DATABASE_URL"),
        ("probe-redis-unreachable", "REDIS_URL"),
    ] {
        let finding = the(&findings, rule);
        assert_points_at(finding, &file, key);
        let message = finding["message"].as_str().unwrap_or_default();
        assert!(message.contains("timed out after 2 s"), "{message}");
        let help = finding["help"].as_str().unwrap_or_default();
        assert!(help.contains("--probe-timeout"), "{help}");
    }
    assert!(database.connections() >= 1 && cache.connections() >= 1);
    for password in [POSTGRES_WRONG, REDIS_WRONG] {
        assert_no_trace_of(&run.both(), password, "timeouts");
    }
}

#[test]
fn bad_probe_flags_are_usage_errors() {
    let dir = Scratch::new();
    let file = env_file(&[(
        "DATABASE_URL",
        "postgresql+asyncpg://app:pw-1234@127.0.0.1:9/app".to_string(),
    )]);

    let run = deploycheck(&["probe", "--probe-timeout", "banana", file.path()]);
    assert_eq!(run.code, Some(2), "{}", run.both());
    assert!(run.stderr.contains("--probe-timeout"), "{}", run.stderr);
    assert!(run.stdout.is_empty());

    for command in [&["probe"][..], &["lint", "--probe"][..]] {
        let missing = dir.path().join("no-such-ca.pem");
        let missing = missing.to_str().expect("UTF-8 path");
        let mut args = command.to_vec();
        args.extend(["--probe-ca", missing, file.path()]);
        let run = deploycheck(&args);
        assert_eq!(run.code, Some(2), "{}", run.both());
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        let naming: Vec<&str> = run
            .stderr
            .lines()
            .filter(|line| line.contains(missing))
            .collect();
        assert_eq!(naming.len(), 1, "{}", run.stderr);
        assert!(
            naming[0].contains("cannot read the CA file"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }

    // A file that is no certificate: named too.
    let not_pem = dir.write("not-a-ca.pem", "hello\n");
    let not_pem = not_pem.to_str().expect("UTF-8 path");
    let run = deploycheck(&["probe", "--probe-ca", not_pem, file.path()]);
    assert_eq!(run.code, Some(2), "{}", run.both());
    assert!(run.stderr.contains(not_pem), "{}", run.stderr);

    for command in [&["probe"][..], &["lint", "--probe"][..]] {
        let mut args = command.to_vec();
        args.extend(["--replicas", "0", file.path()]);
        let run = deploycheck(&args);
        assert_eq!(run.code, Some(2), "{}", run.both());
        assert!(run.stderr.contains("--replicas"), "{}", run.stderr);
    }
}

#[test]
fn nothing_connects_without_probe() {
    let database = SilentListener::start();
    let cache = SilentListener::start();
    let file = env_file(&configuration(
        &format!(
            "postgresql+asyncpg://app:{}@127.0.0.1:{}/app",
            encode(POSTGRES_RIGHT),
            database.port
        ),
        &format!(
            "redis://:{}@127.0.0.1:{}/0",
            encode(REDIS_RIGHT),
            cache.port
        ),
    ));
    for args in [
        &["lint", file.path()][..],
        &["lint", "--format", "json", file.path()][..],
        &["show", file.path()][..],
    ] {
        let run = deploycheck(args);
        assert_ne!(run.code, Some(2), "{args:?}: {}", run.both());
    }
    // Probe options alone do not turn probing on: they are a usage error.
    let run = deploycheck(&[
        "lint",
        "--probe-timeout",
        "1s",
        "--replicas",
        "2",
        file.path(),
    ]);
    assert_eq!(run.code, Some(2), "{}", run.both());
    assert!(
        run.stderr.contains("have no effect without --probe"),
        "{}",
        run.stderr
    );
    // Give a connection the linter might have opened time to be accepted.
    thread::sleep(Duration::from_millis(300));
    assert_eq!(database.connections(), 0, "lint connected to PostgreSQL");
    assert_eq!(cache.connections(), 0, "lint connected to Redis");

    // The same file with --probe does connect: the listeners do see connections.
    let run = deploycheck(&["lint", "--probe", "--probe-timeout", "1s", file.path()]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    thread::sleep(Duration::from_millis(100));
    assert!(
        database.connections() >= 1,
        "--probe did not reach PostgreSQL"
    );
    assert!(cache.connections() >= 1, "--probe did not reach Redis");
}

#[test]
fn a_probe_that_cannot_run_says_so() {
    // Nothing to probe: an empty report would read as a pass.
    let file = env_file(&[("ENVIRONMENT", "production".to_string())]);
    let run = deploycheck(&["probe", "--format", "json", file.path()]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    let findings = run.findings();
    assert_eq!(rules(&findings), ["probe-skipped"]);
    let skipped = &findings[0];
    assert_eq!(skipped["severity"], "warning");
    assert_eq!(skipped["key"], Value::Null);
    assert_eq!(
        (&skipped["line"], &skipped["column"]),
        (&1.into(), &1.into())
    );
    assert!(
        skipped["message"]
            .as_str()
            .is_some_and(|message| message.contains("neither `DATABASE_URL` nor `REDIS_URL`")),
        "{skipped:#}"
    );
    // `lint --probe` says so too when no Settings class requires the URLs...
    let run = deploycheck(&["lint", "--probe", "--format", "json", file.path()]);
    let ids = rules(&run.findings()).join(" ");
    assert!(ids.contains("probe-skipped"), "{ids}");
    // ...and leaves it to missing-required-variable when one does.
    let run = deploycheck(&[
        "lint",
        "--config",
        EXAMPLE_CONFIG,
        "--probe",
        "--format",
        "json",
        file.path(),
    ]);
    let ids = rules(&run.findings()).join(" ");
    assert!(!ids.contains("probe-skipped"), "{ids}");
    assert!(ids.contains("missing-required-variable"), "{ids}");

    // Set, but not something to connect to: an unresolved Railway reference, a unix socket.
    let file = env_file(&[
        ("DATABASE_URL", "${{Postgres.DATABASE_URL}}".to_string()),
        ("REDIS_URL", "unix:///run/redis.sock".to_string()),
    ]);
    for command in [&["probe"][..], &["lint", "--probe"][..]] {
        let mut args = command.to_vec();
        args.extend(["--format", "json", file.path()]);
        let run = deploycheck(&args);
        assert_eq!(run.code, Some(1), "{}", run.both());
        let findings = run.findings();
        let skipped: Vec<&Value> = findings
            .iter()
            .filter(|finding| finding["rule"] == "probe-skipped")
            .collect();
        assert_eq!(skipped.len(), 2, "{findings:#?}");
        assert_points_at(skipped[0], &file, "DATABASE_URL");
        assert_points_at(skipped[1], &file, "REDIS_URL");
        assert!(
            skipped[0]["message"]
                .as_str()
                .is_some_and(|message| message.starts_with("PostgreSQL was not probed")),
            "{:#}",
            skipped[0]
        );
    }
}

#[test]
fn findings_point_at_the_layer_that_set_the_url() {
    // Nothing listens on these ports: refused at once, no server needed.
    let (base_port, override_port) = (free_port(), free_port());
    let url = |port: u16, password: &str| {
        format!(
            "postgresql+asyncpg://app:{}@127.0.0.1:{port}/app",
            encode(password)
        )
    };
    let base = env_file(&[
        ("ENVIRONMENT", "production".to_string()),
        ("DATABASE_URL", url(base_port, POSTGRES_RIGHT)),
    ]);
    let layer = env_file(&[("DATABASE_URL", url(override_port, POSTGRES_WRONG))]);
    let run = deploycheck(&[
        "probe",
        "--env-file",
        base.path(),
        "--env-file",
        layer.path(),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    let findings = run.findings();
    let failure = the(&findings, "probe-postgres-unreachable");
    assert_points_at(failure, &layer, "DATABASE_URL");
    let message = failure["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!("127.0.0.1:{override_port}")) && message.contains("refused"),
        "{message}"
    );
    for password in [POSTGRES_RIGHT, POSTGRES_WRONG] {
        assert_no_trace_of(&run.both(), password, "layers");
    }
}

#[test]
fn probe_ignores_the_example_file() {
    let file = env_file(&[(
        "DATABASE_URL",
        format!(
            "postgresql+asyncpg://app:{}@127.0.0.1:{}/app",
            encode(POSTGRES_RIGHT),
            free_port()
        ),
    )]);
    // A .env.example beside the file that python-dotenv could not read either: `lint` stops at
    // it, `probe` never compares with it.
    let example = file.path.with_file_name(".env.example");
    fs::write(&example, b"A=\x00\n").expect("write .env.example");
    let run = deploycheck(&["lint", file.path()]);
    assert_eq!(run.code, Some(2), "{}", run.both());
    assert!(run.stderr.contains(".env.example"), "{}", run.stderr);
    let run = deploycheck(&["probe", "--format", "json", file.path()]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    assert_eq!(rules(&run.findings()), ["probe-postgres-unreachable"]);
}

/// `probe` under a pseudo-terminal (util-linux `script`), its output as the terminal got it:
/// standard output and standard error together. `None` (after a notice, or a failure under CI)
/// when `script` is missing.
fn on_a_terminal(args: &[&str]) -> Option<String> {
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_deploycheck"))
        .chain(args.iter().copied())
        .map(|arg| format!("'{}'", arg.replace('\'', r"'\''")))
        .collect();
    let output = Command::new("script")
        .args([
            "--quiet",
            "--return",
            "--command",
            &quoted.join(" "),
            "/dev/null",
        ])
        .current_dir(std::env::temp_dir())
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdin(Stdio::null())
        .output();
    match output {
        Ok(output) => Some(String::from_utf8_lossy(&output.stdout).into_owned()),
        Err(_) => {
            common::servers::unavailable("util-linux `script` (a pseudo-terminal)");
            None
        }
    }
}

/// A probe that waits on a server that never answers shows what it is doing on the terminal,
/// then clears the line; the JSON report and a captured stderr never carry it.
#[test]
fn a_waiting_probe_shows_a_progress_line_on_a_terminal_only() {
    let database = SilentListener::start();
    let file = env_file(&[(
        "DATABASE_URL",
        format!(
            "postgresql+asyncpg://app:{}@127.0.0.1:{}/app",
            encode(POSTGRES_WRONG),
            database.port
        ),
    )]);
    let args = ["probe", "--probe-timeout", "2500ms", file.path()];
    let Some(terminal) = on_a_terminal(&args) else {
        return;
    };
    let line = "\r\x1b[2Kdeploycheck probe: probing PostgreSQL (";
    assert!(terminal.contains(line), "{terminal:?}");
    assert!(terminal.contains("(2s)"), "the seconds tick: {terminal:?}");
    // Cleared before the report is written: the report starts on a clean line.
    let cleared = terminal.rfind("\r\x1b[2K").unwrap();
    assert!(
        terminal[cleared..].contains("probe-"),
        "the report follows the cleared line: {terminal:?}"
    );
    assert!(!terminal.contains(POSTGRES_WRONG), "{terminal}");

    let mut json = args.to_vec();
    json.extend(["--format", "json"]);
    let terminal = on_a_terminal(&json).unwrap();
    assert!(
        !terminal.contains("\x1b[2K"),
        "JSON on a terminal: {terminal:?}"
    );

    let captured = deploycheck(&args);
    assert!(!captured.both().contains("\x1b[2K"), "{}", captured.both());
}
