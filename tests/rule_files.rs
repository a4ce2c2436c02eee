//! User rule files: loading, replacing built-ins, and every kind of mistake reported as an
//! error pointing at the line of the rule file (exit 2), never a panic.

mod common;

use common::cli;
use common::files::Scratch;

/// A rule file alone in a scratch directory, removed on drop.
struct RuleFile {
    path: String,
    _dir: Scratch,
}

impl RuleFile {
    fn path(&self) -> &str {
        &self.path
    }
}

fn rule_file(text: &str) -> RuleFile {
    let dir = Scratch::new();
    let path = dir.write("rules.toml", text);
    RuleFile {
        path: path.to_str().expect("utf-8 path").to_owned(),
        _dir: dir,
    }
}

fn lint_with_rules(rules: &str, env: &str) -> cli::Outcome {
    let file = rule_file(rules);
    cli::run(&["lint", "--no-builtin", "--rules", file.path(), "-"], env)
}

fn assert_rule_error(rules: &str, line: usize, needle: &str) {
    let file = rule_file(rules);
    let outcome = cli::run(
        &["lint", "--no-builtin", "--rules", file.path(), "-"],
        "A=1\n",
    );
    assert_eq!(outcome.code, 2, "expected exit 2 for {rules:?}");
    let first = outcome
        .error
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    assert!(
        first.contains(&format!("{}:{line}:", file.path())),
        "first line names the file and line {line}: {first}"
    );
    assert!(
        outcome.error.contains(needle),
        "error mentions {needle:?}: {}",
        outcome.error
    );
}

#[test]
fn unknown_field_points_at_its_line() {
    assert_rule_error(
        "[[rules]]\nid = \"x-flagged\"\nseverity = \"error\"\nsummary = \"s\"\ncolour = \"red\"\ncheck = { kind = \"required\", variable = \"A\" }\n",
        5,
        "unknown field `colour`",
    );
}

#[test]
fn unknown_check_kind() {
    assert_rule_error(
        "[[rules]]\nid = \"x-flagged\"\nseverity = \"error\"\nsummary = \"s\"\ncheck = { kind = \"telepathy\", variable = \"A\" }\n",
        5,
        "unknown check kind `telepathy`",
    );
}

#[test]
fn bad_regex() {
    assert_rule_error(
        "[[rules]]\nid = \"x-flagged\"\nseverity = \"error\"\nsummary = \"s\"\n\ncheck = { kind = \"matches\", variable = \"A\", pattern = \"([a-z\" }\n",
        6,
        "invalid regex",
    );
}

#[test]
fn bad_severity() {
    assert_rule_error(
        "[[rules]]\nid = \"x-flagged\"\nseverity = \"fatal\"\nsummary = \"s\"\ncheck = { kind = \"required\", variable = \"A\" }\n",
        3,
        "unknown severity `fatal`",
    );
}

#[test]
fn field_that_does_not_apply_to_the_kind() {
    assert_rule_error(
        "[[rules]]\nid = \"x-flagged\"\nseverity = \"error\"\nsummary = \"s\"\ncheck = { kind = \"bool\", variable = \"A\", max = 3 }\n",
        5,
        "`max` does not apply to a `bool` check",
    );
}

#[test]
fn id_not_naming_what_is_flagged() {
    assert_rule_error(
        "[[rules]]\nid = \"avoid-debug\"\nseverity = \"error\"\nsummary = \"s\"\ncheck = { kind = \"required\", variable = \"A\" }\n",
        2,
        "starts with `avoid-`",
    );
    assert_rule_error(
        "[[rules]]\nid = \"Debug_On\"\nseverity = \"error\"\nsummary = \"s\"\ncheck = { kind = \"required\", variable = \"A\" }\n",
        2,
        "not kebab-case",
    );
}

/// An `http` check's URL, status and timeout are checked when the file loads, each error
/// pointing at the line of the field at fault.
#[test]
fn http_check_mistakes_point_at_the_field() {
    let rule = |fields: &str| {
        format!(
            "[[rules]]\nid = \"key-rejected\"\nseverity = \"error\"\nsummary = \"s\"\n\
             [rules.check]\nkind = \"http\"\nvariable = \"API_KEY\"\n{fields}"
        )
    };
    let good_url = "url = \"https://api.example.com/v1?key={value}\"\n";
    for (fields, line, needle) in [
        (
            "url = \"https://api.example.com/v1?key=abc\"\nexpect-status = 200\n".to_owned(),
            8,
            "the URL has no `{value}`",
        ),
        (
            "url = \"ftp://files.example.com/{value}\"\nexpect-status = 200\n".to_owned(),
            8,
            "`ftp` URLs cannot be asked, only http and https",
        ),
        (
            "url = \"https://{value}.example.com/\"\nexpect-status = 200\n".to_owned(),
            8,
            "not in the host",
        ),
        (
            "url = \"https://api.example.com/#{value}\"\nexpect-status = 200\n".to_owned(),
            8,
            "fragment",
        ),
        (
            "url = \"https:// {value}\"\nexpect-status = 200\n".to_owned(),
            8,
            "not a URL",
        ),
        (
            format!("{good_url}expect-status = 999\n"),
            9,
            "`expect-status` 999 is not an HTTP status (100 to 599)",
        ),
        (
            format!("{good_url}expect-status = 200\ntimeout = \"soon\"\n"),
            10,
            "`timeout`:",
        ),
        (
            format!("{good_url}expect-status = 200\ntimeout = \"0s\"\n"),
            10,
            "the timeout must be above zero",
        ),
        (
            format!("{good_url}expect-status = 200\nvariables = [\"OTHER\"]\n"),
            10,
            "`variables` does not apply to a `http` check",
        ),
        (
            format!("{good_url}expect-status = 200\npattern = \"x\"\n"),
            10,
            "`pattern` does not apply to a `http` check",
        ),
    ] {
        assert_rule_error(&rule(&fields), line, needle);
    }
    // What a check lacks is said about the check.
    let file = rule_file(&rule("expect-status = 200\n"));
    let outcome = cli::run(
        &["lint", "--no-builtin", "--rules", file.path(), "-"],
        "A=1\n",
    );
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.error.contains("an `http` check needs `url`"),
        "{}",
        outcome.error
    );
    let file = rule_file(&rule(good_url));
    let outcome = cli::run(
        &["lint", "--no-builtin", "--rules", file.path(), "-"],
        "A=1\n",
    );
    assert_eq!(outcome.code, 2);
    assert!(
        outcome
            .error
            .contains("an `http` check needs `expect-status`"),
        "{}",
        outcome.error
    );
    let file = rule_file(
        "[[rules]]\nid = \"key-rejected\"\nseverity = \"error\"\nsummary = \"s\"\n\
         check = { kind = \"http\", url = \"https://a.example.com/{value}\", expect-status = 200 }\n",
    );
    let outcome = cli::run(
        &["lint", "--no-builtin", "--rules", file.path(), "-"],
        "A=1\n",
    );
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.error.contains("an `http` check needs `variable`"),
        "{}",
        outcome.error
    );
    // A valid one loads, and plain `lint` asks nothing (the host does not exist).
    let outcome = lint_with_rules(
        &rule(&format!(
            "{good_url}expect-status = 200\ntimeout = \"2s\"\n"
        )),
        "API_KEY=abc\n",
    );
    assert_eq!(outcome.code, 0, "{}", outcome.error);
}

#[test]
fn broken_toml() {
    assert_rule_error("[[rules]\nid = 1\n", 1, "");
}

#[test]
fn unknown_variable_type() {
    assert_rule_error(
        "[variables.PORT]\ntype = \"integer\"\n",
        2,
        "unknown variable type `integer`",
    );
}

#[test]
fn missing_rule_file_and_empty_directory() {
    let outcome = cli::run(
        &["lint", "--rules", "/nonexistent/rules.toml", "-"],
        "A=1\n",
    );
    assert_eq!(outcome.code, 2);
    assert!(
        outcome
            .error
            .contains("/nonexistent/rules.toml: no such file"),
        "{}",
        outcome.error
    );
    let dir = Scratch::new();
    let outcome = cli::run(
        &["lint", "--rules", dir.path().to_str().expect("path"), "-"],
        "A=1\n",
    );
    assert_eq!(outcome.code, 2);
    assert!(outcome.error.contains("no rule files"), "{}", outcome.error);
}

#[test]
fn user_rules_run_and_replace_builtins() {
    let rules = r#"
[variables.PORT]
type = "int"
default = "8000"

[[rules]]
id = "port-privileged"
severity = "warning"
summary = "PORT below 1024"
help = "use a port above 1024"
check = { kind = "int", variable = "PORT", min = 1024 }
"#;
    let outcome = lint_with_rules(rules, "PORT=80\n");
    assert_eq!(outcome.code, 1, "{}", outcome.stdout);
    assert!(
        outcome.stdout.contains("warning[port-privileged]"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome
            .stdout
            .contains("`PORT` is 80, below the minimum of 1024"),
        "{}",
        outcome.stdout
    );
    assert_eq!(lint_with_rules(rules, "PORT=8080\n").code, 0);

    // A user rule with a built-in id replaces it: here `debug-enabled` becomes a warning.
    let replacement = r#"
[[rules]]
id = "debug-enabled"
severity = "info"
summary = "DEBUG on"
check = { kind = "bool", variable = "DEBUG", is = false }
"#;
    let file = rule_file(replacement);
    let (_, report) = cli::lint_json(
        &["--rules", file.path(), "--profile", "development", "-"],
        "DEBUG=1\n",
    );
    let debug: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "debug-enabled")
        .collect();
    assert_eq!(
        debug.len(),
        1,
        "replacement applies in every profile: {report}"
    );
    assert_eq!(debug[0]["severity"], "info");
}

#[test]
fn conditions_select_rules() {
    let rules = r#"
[[rules]]
id = "worker-without-queue"
severity = "error"
summary = "a worker needs a queue"
help = "set QUEUE_URL"
when = { all = [{ variable = "ROLE", one-of = ["worker", "cron"] }, { not = { variable = "QUEUE_URL", set = true } }] }
check = { kind = "required", variable = "QUEUE_URL" }
"#;
    assert_eq!(lint_with_rules(rules, "ROLE=worker\n").code, 1);
    assert_eq!(lint_with_rules(rules, "ROLE=web\n").code, 0);
    assert_eq!(
        lint_with_rules(rules, "ROLE=cron\nQUEUE_URL=redis://q\n").code,
        0
    );
}

#[test]
fn case_sensitive_switch() {
    let rules = r#"
[settings]
case-sensitive = true

[variables.DEBUG]
type = "bool"

[[rules]]
id = "debug-enabled"
severity = "error"
summary = "debug on"
check = { kind = "bool", variable = "DEBUG", is = false }
"#;
    // With case-sensitive keys, `debug` is another variable and does not set DEBUG.
    assert_eq!(lint_with_rules(rules, "debug=true\n").code, 0);
    assert_eq!(lint_with_rules(rules, "DEBUG=true\n").code, 1);
}
