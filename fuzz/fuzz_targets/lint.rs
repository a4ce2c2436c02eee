//! A whole `deploycheck lint -` of the input, in-process (`pipeline::check_loaded` with the
//! rules and settings loaded once, then `pipeline::report` in every format), under the
//! configuration in `fuzz/lint/`: the built-in rules, keys secret by a `secret-names` glob and
//! by declaration, and rules whose messages quote values. The format is detected from the input, so this is also the target of the
//! format detector; the input is read as standard input is (invalid UTF-8 and NUL bytes are
//! errors).
//!
//! Properties:
//! - a lint ends in findings or in an error that renders as `main` renders it;
//! - every finding's span and label lies inside its source, on character boundaries;
//! - the JSON and SARIF reports are JSON;
//! - no secret value appears in any report (human with and without colour, JSON, SARIF, GitHub
//!   and its step summary, JUnit) nor in an error: the value of each key that is secret by name,
//!   by `secret-names` or by declaration, and each URL password of any value (as urllib and as
//!   SQLAlchemy read it) and each credential query parameter (`?password=`), when 6 characters
//!   or longer, also where `${...}` interpolated it into another value. Where a RESTRICTION
//!   below says so, a value is not looked for: each says why.

#![no_main]

use clap::Parser;
use deploycheck::cli::{Cli, Command, LintArgs, LintFormat};
use deploycheck::pipeline::{self, Loaded, Mode, Outcome};
use deploycheck::progress::Progress;
use deploycheck::report::{Report, github};
use deploycheck::rules::RuleSet;
use deploycheck::settings::{self, LintSettings, SettingsClass};
use deploycheck::source::dotenv::DotenvOptions;
use deploycheck::source::read::Reader;
use deploycheck::source::{Entry, SourceFile, load};
use deploycheck_fuzz::{check_span, render_error};
use libfuzzer_sys::fuzz_target;

const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/lint/deploycheck.toml");

/// Secrets shorter than this are not looked for: a 3-letter value turns up in any text.
const MIN_SECRET_LEN: usize = 6;

struct Context {
    args: LintArgs,
    /// What step 1 of a lint makes of the arguments, once: the rules, the settings and the
    /// (absent) Settings class.
    rules: RuleSet,
    settings: LintSettings,
    class: SettingsClass,
    reader: Reader,
    /// Text the tool writes whatever the input: the rules' documentation and messages, as the
    /// `Debug` of the rule set (a secret that happens to be one of its words is not a leak).
    tool_words: String,
}

/// The context, made once per thread (a [`Reader`] is not shared between threads) and kept for
/// the whole run.
fn context() -> &'static Context {
    thread_local! {
        static CONTEXT: &'static Context = Box::leak(Box::new(make_context()));
    }
    CONTEXT.with(|context| *context)
}

fn make_context() -> Context {
    let cli = Cli::try_parse_from([
        "deploycheck",
        "lint",
        "--config",
        CONFIG,
        "--no-example",
        "-",
    ])
    .expect("the lint arguments parse");
    let Command::Lint(args) = cli.command else {
        unreachable!("a lint command line")
    };
    let (rules, settings, class, reader) = settings::for_lint(&args, &Reader::default())
        .unwrap_or_else(|error| panic!("{}", render_error(&error)));
    let tool_words = format!("{rules:?}");
    Context {
        args,
        rules,
        settings,
        class,
        reader,
        tool_words,
    }
}

fuzz_target!(|data: &[u8]| {
    let context = context();
    let secrets = secrets(context, data);
    let mut stdin = data;
    let outcome = match pipeline::check_loaded(
        &context.args,
        Mode::Lint { probe: false },
        &mut stdin,
        Loaded {
            rules: &context.rules,
            settings: &context.settings,
            class: &context.class,
            reader: &context.reader,
        },
        &Progress::hidden(),
    ) {
        Ok(outcome) => outcome,
        Err(error) => {
            let rendered = render_error(&error);
            check_no_secret(&secrets, "the error", &rendered);
            return;
        }
    };
    for finding in &outcome.findings {
        let file = outcome.sources.get(finding.source);
        check_span(
            &file.text,
            &finding.span,
            &format!("finding {}", finding.rule),
        );
        for label in &finding.labels {
            let file = outcome.sources.get(label.source);
            check_span(
                &file.text,
                &label.span,
                &format!("label of {}", finding.rule),
            );
        }
    }
    for (what, output) in reports(context, &outcome) {
        if what.contains("json") || what.contains("sarif") {
            let value: serde_json::Value = serde_json::from_str(&output)
                .unwrap_or_else(|error| panic!("{what} is not JSON ({error}):\n{output}"));
            let mut strings = String::new();
            collect_strings(&value, &mut strings);
            check_no_secret(&secrets, &what, &strings);
        }
        check_no_secret(&secrets, &what, &output);
        check_no_secret(&secrets, &what, &unescaped(&output));
    }
});

/// Every report `lint` can write for the outcome.
fn reports(context: &Context, outcome: &Outcome) -> Vec<(String, String)> {
    let report = Report {
        sources: &outcome.sources,
        findings: &outcome.findings,
        inputs: &outcome.inputs,
        rules: &outcome.docs,
    };
    let mut reports = Vec::new();
    let formats = [
        (LintFormat::Human, false, "human"),
        (LintFormat::Human, true, "human in colour"),
        (LintFormat::Json, false, "json"),
        (LintFormat::Sarif, false, "sarif"),
        (LintFormat::Github, false, "github"),
        (LintFormat::Junit, false, "junit"),
    ];
    for (format, color, name) in formats {
        let mut out: Vec<u8> = Vec::new();
        if format == LintFormat::Github {
            // Through the reporter itself: `pipeline::report` would also append the step
            // summary to the file GITHUB_STEP_SUMMARY names, once per input.
            github::render(&report, &mut out).expect("a report renders to memory");
        } else {
            let args = LintArgs {
                format,
                ..context.args.clone()
            };
            pipeline::report(outcome, &args, color, &mut out, &context.reader)
                .unwrap_or_else(|error| panic!("the {name} report: {}", render_error(&error)));
        }
        let text = String::from_utf8(out).unwrap_or_else(|_| panic!("the {name} report is UTF-8"));
        reports.push((format!("the {name} report"), text));
    }
    reports.push((
        "the GitHub step summary".to_owned(),
        github::step_summary(&report),
    ));
    reports
}

/// The secret strings of the input, read as `lint` reads it, that no output may show.
fn secrets(context: &Context, data: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Vec::new();
    };
    let file = SourceFile::new("-", text);
    let options = DotenvOptions {
        interpolate: true,
        ..DotenvOptions::default()
    };
    let Ok((_, parsed)) = load::parse(&file, None, &options) else {
        return Vec::new();
    };
    let is_secret = |entry: &Entry| context.rules.is_secret(&entry.key);
    let mut secrets: Vec<String> = Vec::new();
    // Text the reports show for other reasons: the tool's words, key names, and the values of
    // keys that are not secret as written (not as interpolated: a `${SECRET}` copy must be
    // masked), less their URL passwords. A secret found there too is not looked for:
    // RESTRICTION (not a defect: the same text written twice, once under an innocent name,
    // is that name's value, and a rule may quote it).
    let mut shown_anyway = context.tool_words.clone();
    for entry in &parsed.entries {
        shown_anyway.push('\n');
        shown_anyway.push_str(&entry.key);
        for value in [&entry.value, &entry.raw_value].into_iter().flatten() {
            let passwords = url_passwords(value);
            if is_secret(entry) {
                secrets.push(value.clone());
            } else if Some(value) == entry.raw_value.as_ref() {
                let mut shown = value.clone();
                for password in &passwords {
                    shown = shown.replace(password.as_str(), "\0");
                }
                shown_anyway.push('\n');
                shown_anyway.push_str(&shown);
            }
            secrets.extend(passwords);
        }
    }
    secrets.retain(|secret| {
        secret.chars().count() >= MIN_SECRET_LEN && !shown_anyway.contains(secret.as_str())
    });
    secrets.sort();
    secrets.dedup();
    secrets
}

/// The password of a value that is a URL, as written, as each library that reads one finds it:
/// urllib (redis-py, and the `url` crate alike: the user information ends at the authority's
/// last `@`) and SQLAlchemy (`scheme://user:PASSWORD@`, the password running to the first `@`,
/// `/`, `?`, `#` and blanks included); and the values of credential query parameters
/// (`?password=`, `&sslpassword=`, ...).
///
/// RESTRICTIONS (by design, README "Secrets"): a web URL (`http`, `https`, `ws`, `wss`) ends at
/// a list's delimiters (`"` `'` `,` `]` and blanks), as in a CORS list, so a password of one
/// holding them is not looked for; nor is a password in a value holding a second `://` (a URL
/// ends where the next one starts) or a line break.
fn url_passwords(value: &str) -> Vec<String> {
    let value = value.trim();
    if value.contains('\n') || value.matches("://").count() != 1 {
        return Vec::new();
    }
    let Some((scheme, rest)) = value.split_once("://") else {
        return Vec::new();
    };
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'));
    if !is_scheme {
        return Vec::new();
    }
    let web = ["http", "https", "ws", "wss"]
        .iter()
        .any(|web| scheme.eq_ignore_ascii_case(web));
    let mut found = Vec::new();
    if let Some(password) = url::Url::parse(value)
        .ok()
        .and_then(|url| url.password().map(str::to_owned))
    {
        found.push(password);
    }
    let user_end = rest.find([':', '/', '@']);
    if let Some(colon) = user_end.filter(|&at| rest[at..].starts_with(':')) {
        let after = &rest[colon + 1..];
        if let Some(at) = after.find('@') {
            found.push(after[..at].to_owned());
        }
    }
    for start in rest.match_indices(['?', '&']).map(|(at, _)| at + 1) {
        let pair = &rest[start..];
        let pair = &pair[..pair.find(['&', '#']).unwrap_or(pair.len())];
        if let Some((name, value)) = pair.split_once('=') {
            if matches!(
                name.to_ascii_lowercase().as_str(),
                "password" | "sslpassword" | "pwd" | "token" | "secret"
            ) {
                found.push(value.to_owned());
            }
        }
    }
    if web {
        found.retain(|password| {
            !value.contains(|c: char| c.is_whitespace() || matches!(c, ',' | '\'' | '"' | ']'))
                || password.is_empty()
        });
    }
    found
}

fn check_no_secret(secrets: &[String], what: &str, output: &str) {
    for secret in secrets {
        assert!(
            !output.contains(secret.as_str()),
            "{what} shows the secret {secret:?}:\n{output}"
        );
    }
}

/// The reports' escapes undone, so an escaped secret is found too: GitHub's `%XX` and XML's
/// entities.
fn unescaped(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Every string of a JSON document (keys and values), one per line, unescaped.
fn collect_strings(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::String(text) => {
            out.push_str(text);
            out.push('\n');
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| collect_strings(item, out)),
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                out.push_str(key);
                out.push('\n');
                collect_strings(item, out);
            }
        }
        _ => {}
    }
}
