//! Regressions for inputs that took time quadratic in their size. Each runs the binary on an
//! input large enough that the quadratic code takes minutes, under a bound at least 20 times
//! what the linear code needs in a debug build, so a regression fails by timeout rather than
//! hanging the suite. Each test is named after the defect it guards against.

mod common;

use common::files::Scratch;
use common::process::{Finished, deploycheck, run_within};

/// Run deploycheck with `args` within `seconds`.
fn run(args: &[&str], seconds: u64) -> Finished {
    let mut command = deploycheck();
    command.args(args);
    run_within(command, b"", seconds)
}

/// A 1 MiB secret of one repeated character took over 8 minutes, in `show` as in `lint`: the
/// redactor's Aho-Corasick automaton was a DFA, whose construction walks, for every state, a
/// failure chain as long as the secret's period allows. A value of `a://` repeated took as
/// long: finding URL passwords scanned the rest of the text after each `://`. The copy under an
/// innocent name must still be masked.
///
/// The linear code takes about 3 s per run here in a debug build on a loaded machine (1.5 of
/// them building the automaton, unoptimized): 60 s is 20 times that, and a small fraction of
/// the quadratic code's hours.
#[test]
fn a_long_periodic_secret_is_masked_in_linear_time() {
    let scratch = Scratch::new();
    let secret = "a".repeat(1 << 20);
    let links = "a://".repeat(1 << 18);
    let env = scratch.write(
        ".env",
        format!("SECRET_KEY={secret}\nBACKUP={secret}\nLINKS={links}\n"),
    );
    let env = env.to_str().expect("UTF-8 path");
    for args in [
        vec!["lint", "--isolated", env],
        vec!["lint", "--isolated", "--format", "json", env],
        vec!["show", "--isolated", env],
        vec!["show", "--isolated", "--format", "dotenv", env],
    ] {
        let run = run(&args, 60);
        assert!(matches!(run.code, Some(0 | 1)), "{args:?}: {}", run.stderr);
        let stdout = String::from_utf8(run.stdout).expect("UTF-8 output");
        assert!(!stdout.contains("aaaaaaaa"), "{args:?} leaks the secret");
    }
}

/// One line of about 1 MB with `count` findings of each kind the issue measured: localhost
/// origins in a JSON list (two findings each: local, and not HTTPS), the same list
/// double-quoted with escaped quotes, the same origins comma-separated, and undefined `${NOPE}`
/// references. Elements and text that raise nothing lie between them: the quadratic code's
/// cost grows with findings times line length, the linear code's mostly with the findings
/// (rendering each costs about 100 µs in a debug build).
fn many_findings_on_one_line(count: usize) -> [(&'static str, String); 4] {
    let pad = "a".repeat(60);
    let elements: Vec<String> = (0..count / 2)
        .flat_map(|port| {
            [
                format!("http://localhost:{port}"),
                format!("https://{pad}{port}.example.com"),
            ]
        })
        .collect();
    let quoted: Vec<String> = elements.iter().map(|e| format!("\"{e}\"")).collect();
    let escaped: Vec<String> = elements.iter().map(|e| format!("\\\"{e}\\\"")).collect();
    let references: String = (0..count).map(|_| format!("${{NOPE}}{pad}")).collect();
    [
        (
            "a JSON list",
            format!("CORS_ORIGINS=[{}]\n", quoted.join(",")),
        ),
        (
            "a quoted JSON list",
            format!("CORS_ORIGINS=\"[{}]\"\n", escaped.join(",")),
        ),
        (
            "a comma-separated list",
            format!("CORS_ORIGINS={}\n", elements.join(",")),
        ),
        ("undefined references", format!("GREETING={references}\n")),
    ]
}

/// 10k localhost CORS origins on one line took 11 s, 20k 46 s; 80k undefined `${NOPE}` 2.2 s in
/// JSON and minutes in the human format. Per finding, the engine searched the whole value for
/// the element it flags and again for the value in the text as written, and the human format
/// scanned the whole line to decide whether it fits a snippet. Each finding must also point at
/// its own element.
///
/// The linear code takes about 3 s per run here in a debug build on a loaded machine; the
/// quadratic code over 4 minutes.
#[test]
fn many_findings_on_one_line_are_reported_in_linear_time() {
    let scratch = Scratch::new();
    let count = 20_000;
    for (what, text) in many_findings_on_one_line(count) {
        let env = scratch.write(".env", text);
        let env = env.to_str().expect("UTF-8 path");
        let json = run(&["lint", "--isolated", "--format", "json", env], 60);
        assert_eq!(json.code, Some(1), "{what}: {}", json.stderr);
        let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
        let findings = report["findings"].as_array().expect("findings");
        assert_eq!(findings.len(), count, "{what}");
        let mut columns: Vec<u64> = findings
            .iter()
            .map(|finding| finding["column"].as_u64().expect("column"))
            .collect();
        columns.dedup();
        let places = if what == "undefined references" {
            count
        } else {
            count / 2
        };
        assert_eq!(columns.len(), places, "{what}: one place per element");
        let human = run(&["lint", "--isolated", env], 60);
        assert_eq!(human.code, Some(1), "{what}: {}", human.stderr);
    }
}

/// A baseline hashed the variable's whole value once per finding: quadratic for many findings
/// in one long value. (JSON output: the human format's own cost is the test above.)
#[test]
fn a_baseline_of_many_findings_on_one_line_is_linear() {
    let scratch = Scratch::new();
    let [.., (_, text)] = many_findings_on_one_line(20_000);
    let env = scratch.write(".env", text);
    let env = env.to_str().expect("UTF-8 path");
    let baseline = scratch.path().join("baseline.json");
    let baseline = baseline.to_str().expect("UTF-8 path");
    for flag in ["--write-baseline", "--baseline"] {
        let run = run(
            &[
                "lint",
                "--isolated",
                "--format",
                "json",
                flag,
                baseline,
                env,
            ],
            60,
        );
        assert_eq!(run.code, Some(0), "{flag}: {}", run.stderr);
    }
}
