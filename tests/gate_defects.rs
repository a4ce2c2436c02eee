//! Regressions for ways a CI gate passed, or a mistake went unexplained, when it must not:
//! each test is named after the defect it guards against.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use common::files::Scratch;
use common::process::{Finished, run_within};

fn deploycheck() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_deploycheck"));
    command
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1");
    command
}

/// Many findings: far more output than a pipe buffers, so the writer meets the closed pipe.
fn noisy_env() -> String {
    let mut text = String::from("ENVIRONMENT=production\nDEBUG=true\n");
    for index in 0..3000 {
        text.push_str(&format!("DUPLICATED=value-{index}\n"));
    }
    text
}

/// Run `command`, read one byte of its output as `head -c1` would, close the pipe, and return
/// its exit code.
fn exit_code_read_by_head(mut command: Command) -> Option<i32> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    child.wait().expect("wait").code()
}

/// `set -o pipefail; deploycheck lint .env.production | head -1` used to exit 0: a reader that
/// stops early turned a failing gate into a passing one.
#[test]
fn a_closed_output_pipe_keeps_the_failing_status() {
    let dir = Scratch::new();
    let env = dir.path().join(".env.production");
    std::fs::write(&env, noisy_env()).expect("write");
    for format in ["human", "json", "github", "sarif", "junit"] {
        let mut command = deploycheck();
        command
            .args(["lint", "--isolated", "--format", format])
            .arg(&env);
        assert_eq!(
            exit_code_read_by_head(command),
            Some(1),
            "`lint --format {format} | head` must keep the failing status"
        );
    }
}

/// `-o` to a full disk is an error naming the file, exit 2, never a silent success.
#[test]
fn output_to_a_full_disk_is_an_error() {
    let dir = Scratch::new();
    let env = dir.path().join(".env.production");
    std::fs::write(&env, noisy_env()).expect("write");
    let output = deploycheck()
        .args(["lint", "--isolated", "-o", "/dev/full"])
        .arg(&env)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("/dev/full"), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
}

/// A typo in deploycheck.toml used to be reported with the whole list of keys and no hint.
#[test]
fn a_configuration_typo_gets_did_you_mean() {
    let dir = Scratch::new();
    std::fs::write(dir.path().join("deploycheck.toml"), "fial-on = \"error\"\n").expect("write");
    std::fs::write(dir.path().join(".env"), "DEBUG=false\n").expect("write");
    let output = deploycheck()
        .args(["lint", ".env"])
        .current_dir(dir.path())
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("did you mean `fail-on`?"), "{stderr}");

    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.deploycheck.probe]\ntimout = \"2s\"\n",
    )
    .expect("write");
    std::fs::remove_file(dir.path().join("deploycheck.toml")).expect("remove");
    let output = deploycheck()
        .args(["lint", ".env"])
        .current_dir(dir.path())
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("did you mean `timeout`?"), "{stderr}");
}

/// A rule file with a misspelt check kind or field says which one was meant.
#[test]
fn a_rule_file_typo_gets_did_you_mean() {
    let dir = Scratch::new();
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[[rules]]\nid = \"port-low\"\nseverity = \"warning\"\nsummary = \"low port\"\n\
         check = { kind = \"itn\", variable = \"PORT\" }\n",
    )
    .expect("write");
    std::fs::write(dir.path().join(".env"), "PORT=80\n").expect("write");
    let output = deploycheck()
        .args(["lint", "--isolated", "--rules"])
        .arg(&rules)
        .arg(dir.path().join(".env"))
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("did you mean `int`?"), "{stderr}");
}

/// `TERM=dumb` cannot show colour escapes: `--color auto` on such a terminal prints none, as
/// with `NO_COLOR`. (Checked on the decision itself, as a test has no terminal.)
#[test]
fn term_dumb_turns_colour_off() {
    use deploycheck::cli::ColorChoice;
    use deploycheck::streams::color_decision;
    use std::ffi::OsStr;
    let xterm = Some(OsStr::new("xterm-256color"));
    let dumb = Some(OsStr::new("dumb"));
    assert!(color_decision(ColorChoice::Auto, true, None, xterm));
    assert!(color_decision(ColorChoice::Auto, true, None, None));
    assert!(!color_decision(ColorChoice::Auto, true, None, dumb));
    assert!(!color_decision(
        ColorChoice::Auto,
        true,
        Some(OsStr::new("1")),
        xterm
    ));
    assert!(color_decision(
        ColorChoice::Auto,
        true,
        Some(OsStr::new("")),
        xterm
    ));
    assert!(!color_decision(ColorChoice::Auto, false, None, xterm));
    assert!(color_decision(ColorChoice::Always, true, None, dumb));
}

/// A loopback port nothing listens on: connections are refused at once.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// `deploycheck probe --no-builtin .env.production` against two dead endpoints printed
/// `No problems found.` and exited 0: the probe findings' rules were not loaded, and the
/// findings were dropped.
#[test]
fn probe_with_no_builtin_still_reports_dead_servers() {
    let dir = Scratch::new();
    let env = dir.write(
        ".env.production",
        format!(
            "DATABASE_URL=postgresql+asyncpg://app:pw@127.0.0.1:{}/app\n\
             REDIS_URL=redis://127.0.0.1:{}/0\n",
            closed_port(),
            closed_port()
        ),
    );
    for command in [&["probe"][..], &["lint", "--probe"][..]] {
        let output = deploycheck()
            .args(command)
            .args(["--isolated", "--no-builtin", "--probe-timeout", "5s"])
            .args(["--format", "json"])
            .arg(&env)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{command:?}: {stderr}");
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let rules: Vec<&str> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|finding| finding["rule"].as_str().expect("rule"))
            .collect();
        assert!(rules.contains(&"probe-postgres-unreachable"), "{rules:?}");
        assert!(rules.contains(&"probe-redis-unreachable"), "{rules:?}");
    }
}

/// `diff` is a gate as well (exit 1 when the inputs differ): a closed pipe used to turn that
/// into 0.
#[test]
fn a_closed_output_pipe_keeps_the_diff_status() {
    let dir = Scratch::new();
    let mut a = String::new();
    let mut b = String::new();
    for index in 0..3000 {
        a.push_str(&format!("SETTING_{index}=a-{index}\n"));
        b.push_str(&format!("SETTING_{index}=b-{index}\n"));
    }
    let a = dir.write("a.env", a);
    let b = dir.write("b.env", b);
    let mut command = deploycheck();
    command.args(["diff", "--isolated"]).arg(&a).arg(&b);
    assert_eq!(exit_code_read_by_head(command), Some(1));
}

/// A FIFO as any input blocked the run forever (opening one waits for a writer); a symlink to
/// `/dev/zero` read until memory ran out. Anything but a regular file is refused before it is
/// opened.
#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_as_any_input_is_refused_not_read() {
    let scratch = Scratch::new();
    let fifo = scratch.path().join("pipe.env");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", scratch.path().join("zero.env")).expect("symlink");
    let good = scratch.write(".env.production", "DEBUG=false\n");
    let good = good.to_str().expect("UTF-8");
    let fifo = fifo.to_str().expect("UTF-8");
    let zero = scratch.path().join("zero.env");
    let zero = zero.to_str().expect("UTF-8");
    for args in [
        vec!["lint", fifo],
        vec!["lint", zero],
        vec!["show", fifo],
        vec!["lint", "--rules", fifo, good],
        vec!["lint", "--config", fifo, good],
        vec!["lint", "--baseline", fifo, good],
        vec!["lint", "--example", fifo, good],
        vec!["lint", "--env-file", good, "--env-file", fifo],
    ] {
        let mut command = deploycheck();
        command.args(&args);
        let Finished { code, stderr, .. } = run_within(command, b"", 20);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("not a regular file"), "{args:?}: {stderr}");
    }
}

/// An endless standard input was read until memory ran out: every read stops at the limit.
#[test]
fn an_endless_standard_input_ends_at_the_size_limit() {
    let mut command = deploycheck();
    command.args(["lint", "-"]).stdin(Stdio::piped());
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'#'; 1 << 20];
        // Until deploycheck stops reading and the pipe breaks.
        while std::io::Write::write_all(&mut stdin, &chunk).is_ok() {}
    });
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(120) {
            child.kill().ok();
            panic!("still reading after 120 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    writer.join().expect("writer");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("larger than"), "{stderr}");
}

/// `min-bits = nan` (or `-inf`) passed validation and turned the strength check off; `[probe]
/// replicas = 0` was accepted where `--replicas 0` is refused; an absurd `--probe-timeout`
/// was accepted. Each is an error pointing at the value.
#[test]
fn numbers_that_turn_a_check_off_or_hang_a_gate_are_refused() {
    let scratch = Scratch::new();
    for bits in ["nan", "-inf", "inf", "-1.0"] {
        let rules = scratch.write(
            "rules.toml",
            format!(
                "[[rules]]\nid = \"key-weak\"\nseverity = \"error\"\nsummary = \"s\"\n\
                 check = {{ kind = \"secret\", variable = \"K\", min-bits = {bits} }}\n"
            ),
        );
        let output = deploycheck()
            .args(["lint", "--isolated", "--rules"])
            .arg(&rules)
            .arg("-")
            .stdin(Stdio::null())
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{bits}: {stderr}");
        assert!(
            stderr.contains("`min-bits` must be a finite number"),
            "{stderr}"
        );
        assert!(stderr.contains("rules.toml:5:"), "{stderr}");
    }
    let config = scratch.write("deploycheck.toml", "[probe]\nreplicas = 0\n");
    let output = deploycheck()
        .args(["lint", "--config"])
        .arg(&config)
        .arg("-")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("deploycheck.toml:2:12: `probe.replicas` must be at least 1"),
        "{stderr}"
    );
    for timeout in ["18446744073709551615s", "2h"] {
        let output = deploycheck()
            .args(["probe", "--probe-timeout", timeout, "-"])
            .stdin(Stdio::null())
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{timeout}: {stderr}");
        assert!(stderr.contains("at most 10m"), "{stderr}");
    }
    let config = scratch.write("deploycheck.toml", "[probe]\ntimeout = \"3h\"\n");
    let output = deploycheck()
        .args(["probe", "--config"])
        .arg(&config)
        .arg("-")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("at most 10m"), "{stderr}");
}

/// A finding, a rule-file error or a configuration error past column 65,535 panicked inside
/// miette (exit 101), in every format for the errors. Such lines are reported without a snippet.
#[test]
fn findings_and_errors_on_very_long_lines_are_reported_not_panicked_on() {
    let scratch = Scratch::new();
    let mut cases: Vec<(String, String)> = [65_000, 65_530, 65_535, 65_536, 66_000, 70_000]
        .iter()
        .map(|padding| {
            (
                format!("{}DEBUG=true\n", " ".repeat(*padding)),
                "debug-enabled".to_owned(),
            )
        })
        .collect();
    cases.push((
        format!("DEBUG=true{}\n", " ".repeat(10 * 1024 * 1024)),
        "debug-enabled".to_owned(),
    ));
    for (text, rule) in &cases {
        let env = scratch.write(".env.production", text);
        // The 10 MB line in the format that draws snippets; the others at every column.
        let formats: &[&str] = if text.len() > 1 << 20 {
            &["human"]
        } else {
            &["human", "json", "sarif", "github", "junit"]
        };
        for format in formats {
            let output = deploycheck()
                .args(["lint", "--isolated", "--format", format])
                .arg(&env)
                .output()
                .expect("run");
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert_eq!(
                output.status.code(),
                Some(1),
                "{format}, {} bytes: {}",
                text.len(),
                String::from_utf8_lossy(&output.stderr)
            );
            assert!(stdout.contains(rule.as_str()), "{format}: no {rule}");
        }
    }
    let rules = scratch.write("rules.toml", format!("x = [{}bad]\n", " ".repeat(70_000)));
    let config = scratch.write(
        "deploycheck.toml",
        format!("fail-on = {}\"sometimes\"\n", " ".repeat(70_000)),
    );
    for args in [
        vec!["--rules".to_owned(), rules.display().to_string()],
        vec!["--config".to_owned(), config.display().to_string()],
    ] {
        for format in ["human", "json"] {
            let output = deploycheck()
                .args(["lint", "--format", format])
                .args(&args)
                .arg("-")
                .stdin(Stdio::null())
                .output()
                .expect("run");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{args:?} {format}: {stderr}");
            assert!(stderr.contains(":1:700"), "{args:?}: {stderr}");
        }
    }
}

/// A .env text of exactly `size` bytes, without findings under `--isolated`.
fn env_of_size(size: usize) -> String {
    let head = "DEBUG=false\n";
    format!("{head}#{}\n", "x".repeat(size - head.len() - 2))
}

/// The 256 MiB limit of every read could not be changed: `--max-input-size SIZE` (and
/// `max-input-size` in the configuration, under the command line) sets it for inputs, standard
/// input, rule files and the example alike. A file at the limit is read; one byte more is
/// refused.
#[test]
fn max_input_size_sets_the_limit_of_every_read() {
    let scratch = Scratch::new();
    let at = scratch.write("at.env", env_of_size(100));
    let over = scratch.write("over.env", env_of_size(101));
    let kib = scratch.write("kib.env", env_of_size(1024));
    let (at, over, kib) = (
        at.to_str().expect("UTF-8"),
        over.to_str().expect("UTF-8"),
        kib.to_str().expect("UTF-8"),
    );
    let run = |args: &[&str], stdin: &str| -> (Option<i32>, String) {
        let mut child = deploycheck()
            .args(args)
            .current_dir(scratch.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), stdin.as_bytes())
            .expect("write stdin");
        let output = child.wait_with_output().expect("wait");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let read = |args: &[&str], stdin: &str| {
        let (code, stderr) = run(args, stdin);
        assert_eq!(code, Some(0), "{args:?}: read at the limit: {stderr}");
    };
    let refused = |args: &[&str], stdin: &str| {
        let (code, stderr) = run(args, stdin);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("larger than 100 bytes"),
            "{args:?}: {stderr}"
        );
    };
    read(&["lint", "--isolated", "--max-input-size", "100", at], "");
    refused(&["lint", "--isolated", "--max-input-size", "100", over], "");
    read(
        &["lint", "--isolated", "--max-input-size", "100B", "-"],
        &env_of_size(100),
    );
    refused(
        &["lint", "--isolated", "--max-input-size", "100", "-"],
        &env_of_size(101),
    );
    read(&["lint", "--isolated", "--max-input-size", "1KiB", kib], "");
    read(
        &["lint", "--isolated", "--max-input-size", "1 kib", kib],
        "",
    );
    let (code, stderr) = run(&["lint", "--isolated", "--max-input-size", "1kB", kib], "");
    assert_eq!(code, Some(2), "1 kB is 1000 bytes: {stderr}");
    assert!(stderr.contains("larger than 1000 bytes"), "{stderr}");
    read(&["show", "--isolated", "--max-input-size", "100", at], "");
    refused(&["show", "--isolated", "--max-input-size", "100", over], "");
    refused(
        &["diff", "--isolated", "--max-input-size", "100", at, over],
        "",
    );
    refused(
        &["probe", "--isolated", "--max-input-size", "100", over],
        "",
    );
    // Rule files and the example are reads like any other.
    let rules = scratch.write("rules.toml", format!("#{}\n", "x".repeat(100)));
    refused(
        &[
            "lint",
            "--isolated",
            "--max-input-size",
            "100",
            "--rules",
            rules.to_str().expect("UTF-8"),
            at,
        ],
        "",
    );
    refused(
        &[
            "lint",
            "--isolated",
            "--max-input-size",
            "100",
            "--example",
            over,
            at,
        ],
        "",
    );

    // The configuration's `max-input-size`, an integer of bytes or a size; the command line
    // wins over it. The configuration file itself is read under the command line's limit.
    for setting in ["100", "\"100 B\""] {
        scratch.write("deploycheck.toml", format!("max-input-size = {setting}\n"));
        read(&["lint", "at.env"], "");
        refused(&["lint", "over.env"], "");
        refused(&["show", "over.env"], "");
        read(&["lint", "--max-input-size", "1KiB", "over.env"], "");
    }

    // Sizes that cannot be a limit are usage errors.
    for size in ["0", "ten", "10XB", "-1", "99999999999999999999"] {
        let flag = format!("--max-input-size={size}");
        let (code, stderr) = run(&["lint", "--isolated", &flag, at], "");
        assert_eq!(code, Some(2), "{size}: {stderr}");
        assert!(stderr.contains("--max-input-size"), "{size}: {stderr}");
    }
    scratch.write("deploycheck.toml", "\nmax-input-size = \"ten\"\n");
    let (code, stderr) = run(&["lint", "at.env"], "");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("deploycheck.toml:2:18"), "{stderr}");
}

/// `database-url-invalid` fired ("invalid port number") on a URL SQLAlchemy accepts: a password
/// holding `/`, `#` or `?` (base64 ones do) ends the authority for the `url` crate, not for
/// `make_url`. The driver rules then never ran on it. A Redis URL is read as redis-py reads it
/// (urllib), where such a password does break the URL.
#[test]
fn a_database_url_sqlalchemy_accepts_is_not_invalid() {
    let text = "DATABASE_URL=postgresql+asyncpg://app:Ab3/xYz#QkLe?ak9==@localhost:5432/app\n\
                REDIS_URL=rediss://default:p/w#x@redis.example.com:6380/0\n";
    let (_, report) = common::cli::lint_json(&["--isolated", "-"], text);
    let ids = common::cli::rule_ids(&report);
    assert!(!ids.contains(&"database-url-invalid".to_owned()), "{ids:?}");
    // Parsed, it is judged: its host is this machine.
    assert!(
        ids.contains(&"database-url-local-host".to_owned()),
        "{ids:?}"
    );
    assert!(ids.contains(&"redis-url-invalid".to_owned()), "{ids:?}");
}
