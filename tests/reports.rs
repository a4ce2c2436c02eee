//! The SARIF, GitHub Actions and JUnit reporters on one report that exercises what they must get
//! right: several severities, labels, standard input, multi-byte characters, a multi-line span,
//! an undocumented rule, markup characters in messages and secrets in the sources (masked here
//! as the loader masks them; `tests/leaks.rs` checks that the binary itself shows none).

use deploycheck::finding::{Finding, Label, Severity};
use deploycheck::report::{Report, ReportInput, github, junit, sarif};
use deploycheck::rules::RuleDoc;
use deploycheck::source::{SourceFile, SourceId, Sources, Span};
use serde_json::Value;

const SECRET_VALUE: &str = "hunter2-very-secret";
const URL_PASSWORD: &str = "p4ssw0rd";

const MAIN_ENV: &str = "DEBUG=true\n\
APP_NAME=\"Café ☕ app\"\n\
SECRET_KEY=hunter2-very-secret\n\
DATABASE_URL=postgres://app:p4ssw0rd@db.internal:5432/app\n\
DEBUG=false\n";

const STDIN_TEXT: &str = "REDIS_URL=redis://cache:6379\n";

const BROKEN_ENV: &str = "GREETING=\"hello\nworld\n";

struct Fixture {
    sources: Sources,
    findings: Vec<Finding>,
    rules: Vec<RuleDoc>,
    inputs: Vec<ReportInput>,
}

impl Fixture {
    fn report(&self) -> Report<'_> {
        Report {
            sources: &self.sources,
            findings: &self.findings,
            inputs: &self.inputs,
            rules: &self.rules,
        }
    }
}

/// Each source a path of its own, judged under `profile`.
fn inputs(sources: &Sources, profile: &str) -> Vec<ReportInput> {
    sources
        .iter()
        .map(|(id, file)| ReportInput {
            file: file.name.clone(),
            profile: profile.to_owned(),
            sources: vec![id],
        })
        .collect()
}

/// The byte span of the `occurrence`-th (0-based) match of `needle` in `text`.
fn span_of(text: &str, needle: &str, occurrence: usize) -> Span {
    let start = text
        .match_indices(needle)
        .nth(occurrence)
        .map(|(start, _)| start)
        .unwrap_or_else(|| panic!("{needle:?} not in fixture"));
    start..start + needle.len()
}

fn finding(
    rule: &str,
    severity: Severity,
    source: SourceId,
    key: Option<&str>,
    span: Span,
    message: &str,
    help: Option<&str>,
) -> Finding {
    Finding {
        rule: rule.to_owned(),
        severity,
        message: message.to_owned(),
        help: help.map(str::to_owned),
        source,
        key: key.map(str::to_owned),
        span,
        labels: Vec::new(),
    }
}

fn doc(id: &str, severity: Severity, url: Option<&str>, tags: &[&str]) -> RuleDoc {
    RuleDoc {
        id: id.to_owned(),
        severity,
        summary: format!("{id} summary"),
        why: format!("Why {id} matters."),
        help: format!("How to fix {id}."),
        example_bad: "DEBUG=true".to_owned(),
        example_good: "DEBUG=false".to_owned(),
        url: url.map(str::to_owned),
        tags: tags.iter().map(|tag| (*tag).to_owned()).collect(),
        opt_in: false,
        pack: None,
    }
}

fn fixture() -> Fixture {
    let mut sources = Sources::new();
    let mut main = SourceFile::new("config/.env", MAIN_ENV);
    main.redact(span_of(MAIN_ENV, SECRET_VALUE, 0));
    main.redact(span_of(MAIN_ENV, URL_PASSWORD, 0));
    let main = sources.add(main);
    let stdin = sources.add(SourceFile::new("-", STDIN_TEXT));
    let broken = sources.add(SourceFile::new("deploy\\prod env.env", BROKEN_ENV));
    sources.add(SourceFile::new("clean.env", "LOG_LEVEL=info\n"));

    let mut duplicate = finding(
        "duplicate-key",
        Severity::Warning,
        main,
        Some("DEBUG"),
        span_of(MAIN_ENV, "DEBUG", 1),
        "DEBUG is set twice; the last value wins.",
        None,
    );
    duplicate.labels.push(Label {
        source: main,
        span: span_of(MAIN_ENV, "DEBUG", 0),
        text: "first set here".to_owned(),
    });

    let mut findings = vec![
        finding(
            "debug-enabled",
            Severity::Error,
            main,
            Some("DEBUG"),
            span_of(MAIN_ENV, "true", 0),
            "DEBUG is enabled in production.",
            Some("Set DEBUG=false."),
        ),
        finding(
            "app-name-decorated",
            Severity::Info,
            main,
            Some("APP_NAME"),
            span_of(MAIN_ENV, "app\"", 0).start..span_of(MAIN_ENV, "app\"", 0).start + 3,
            "APP_NAME ends in \"app\" | consider a shorter name.",
            None,
        ),
        finding(
            "secret-in-repo",
            Severity::Error,
            main,
            Some("SECRET_KEY"),
            span_of(MAIN_ENV, SECRET_VALUE, 0),
            "SECRET_KEY holds a secret in a committed file.",
            Some("Move it to the platform's secret store."),
        ),
        finding(
            "url-password",
            Severity::Warning,
            main,
            Some("DATABASE_URL"),
            span_of(MAIN_ENV, "postgres://", 0).start..MAIN_ENV.find("\nDEBUG=false").unwrap_or(0),
            "DATABASE_URL has the password inline (\"user:<password>@host\") & in the repo.",
            Some("Use <a secret reference> instead."),
        ),
        duplicate,
        finding(
            "redis-without-tls",
            Severity::Warning,
            stdin,
            Some("REDIS_URL"),
            span_of(STDIN_TEXT, "redis://", 0),
            "REDIS_URL uses redis:// without TLS, 100% in clear.",
            Some("Use rediss://.\nRailway's private network is the exception."),
        ),
        finding(
            "missing-required",
            Severity::Info,
            broken,
            None,
            0..0,
            "SECRET_KEY is not set.",
            None,
        ),
        finding(
            "unclosed-quote",
            Severity::Error,
            broken,
            Some("GREETING"),
            span_of(BROKEN_ENV, "\"hello\nworld", 0),
            "The quote opened here swallows the next line.",
            None,
        ),
    ];
    deploycheck::finding::sort(&mut findings);

    let rules = vec![
        doc(
            "debug-enabled",
            Severity::Error,
            Some("https://docs.example.org/rules/debug-enabled"),
            &["security", "fastapi", "security"],
        ),
        doc("app-name-decorated", Severity::Info, None, &[]),
        doc(
            "secret-in-repo",
            Severity::Error,
            Some("not a url"),
            &["security"],
        ),
        doc("url-password", Severity::Warning, None, &["database"]),
        doc("duplicate-key", Severity::Warning, None, &[]),
        doc("redis-without-tls", Severity::Warning, None, &["redis"]),
        doc("missing-required", Severity::Error, None, &[]),
        doc("never-fired", Severity::Error, None, &[]),
        // `unclosed-quote` deliberately has no documentation.
    ];
    Fixture {
        inputs: inputs(&sources, "production"),
        sources,
        findings,
        rules,
    }
}

fn render_to_string(
    render: fn(&Report, &mut dyn std::io::Write) -> std::io::Result<()>,
    report: &Report,
) -> String {
    let mut out = Vec::new();
    render(report, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("reporters write UTF-8")
}

fn sarif_json(report: &Report) -> Value {
    serde_json::from_str(&render_to_string(sarif::render, report)).expect("SARIF output is JSON")
}

fn schema_validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(include_str!("schemas/sarif-schema-2.1.0.json")).expect("schema");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn schema_errors(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// SARIF

#[test]
fn sarif_output_is_valid_against_the_sarif_2_1_0_schema() {
    let fixture = fixture();
    let log = sarif_json(&fixture.report());
    let validator = schema_validator();
    assert_eq!(schema_errors(&validator, &log), Vec::<String>::new());
}

#[test]
fn sarif_schema_check_rejects_a_broken_log() {
    // Guards the test above: the validator must actually look at regions, levels and URIs.
    let fixture = fixture();
    let validator = schema_validator();
    let good = sarif_json(&fixture.report());

    let mut zero_line = good.clone();
    zero_line["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(!schema_errors(&validator, &zero_line).is_empty());

    let mut bad_level = good.clone();
    bad_level["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!schema_errors(&validator, &bad_level).is_empty());

    let mut bad_help_uri = good.clone();
    bad_help_uri["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = Value::from("not a url");
    assert!(!schema_errors(&validator, &bad_help_uri).is_empty());

    let mut unknown_field = good;
    unknown_field["runs"][0]["results"][0]["severity"] = Value::from("error");
    assert!(!schema_errors(&validator, &unknown_field).is_empty());
}

#[test]
fn sarif_empty_report_is_valid_and_has_no_rules() {
    let sources = Sources::new();
    let report = Report {
        sources: &sources,
        findings: &[],
        inputs: &inputs(&sources, "production"),
        rules: &[],
    };
    let log = sarif_json(&report);
    assert_eq!(
        schema_errors(&schema_validator(), &log),
        Vec::<String>::new()
    );
    assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()));
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"],
        Value::Array(Vec::new())
    );
}

/// Whether `text` is made only of characters RFC 3986 allows in a URI, with every `%` starting
/// a `%HH` escape. (The schema's `uri-reference` format check is lenient, so check it here.)
fn is_strict_uri_reference(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'%' {
            let escape = bytes.get(index + 1..index + 3);
            if !escape.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                return false;
            }
            index += 3;
            continue;
        }
        let allowed = byte.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&byte);
        if !allowed {
            return false;
        }
        index += 1;
    }
    true
}

#[test]
fn sarif_artifact_uris_are_strict_uri_references() {
    let fixture = fixture();
    let log = sarif_json(&fixture.report());
    let mut uris = Vec::new();
    for result in log["runs"][0]["results"].as_array().expect("results") {
        let locations = result["locations"].as_array().into_iter().flatten();
        let related = result["relatedLocations"].as_array().into_iter().flatten();
        for location in locations.chain(related) {
            let uri = location["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri");
            uris.push(uri.to_owned());
        }
    }
    assert!(uris.contains(&"deploy/prod%20env.env".to_owned()));
    for uri in &uris {
        assert!(
            is_strict_uri_reference(uri),
            "{uri:?} is not a valid URI reference"
        );
    }
    assert!(!is_strict_uri_reference("a b"));
    assert!(!is_strict_uri_reference("50%.env"));
}

#[test]
fn sarif_header_names_the_tool_and_version() {
    let fixture = fixture();
    let log = sarif_json(&fixture.report());
    assert_eq!(log["version"], "2.1.0");
    assert!(
        log["$schema"]
            .as_str()
            .is_some_and(|uri| uri.contains("sarif"))
    );
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "deploycheck");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(runs[0]["columnKind"], "unicodeCodePoints");
    assert_eq!(runs[0]["properties"]["profile"], "production");
}

#[test]
fn sarif_rules_are_the_fired_rules_sorted_by_id_and_results_point_at_them() {
    let fixture = fixture();
    let log = sarif_json(&fixture.report());
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let ids: Vec<&str> = rules
        .iter()
        .filter_map(|rule| rule["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "app-name-decorated",
            "debug-enabled",
            "duplicate-key",
            "missing-required",
            "redis-without-tls",
            "secret-in-repo",
            "unclosed-quote",
            "url-password",
        ]
    );
    for result in log["runs"][0]["results"].as_array().expect("results") {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }

    let debug = &rules[1];
    assert_eq!(debug["shortDescription"]["text"], "debug-enabled summary");
    assert_eq!(
        debug["fullDescription"]["text"],
        "Why debug-enabled matters."
    );
    assert_eq!(debug["help"]["text"], "How to fix debug-enabled.");
    assert!(
        debug["help"]["markdown"]
            .as_str()
            .is_some_and(|markdown| markdown.contains("```dotenv\nDEBUG=true\n```"))
    );
    assert_eq!(
        debug["helpUri"],
        "https://docs.example.org/rules/debug-enabled"
    );
    assert_eq!(debug["defaultConfiguration"]["level"], "error");
    assert_eq!(
        debug["properties"]["tags"],
        serde_json::json!(["fastapi", "security"])
    );

    // An invalid URL is left out rather than making the log invalid.
    assert!(rules[5].get("helpUri").is_none());
    assert_eq!(rules[3]["defaultConfiguration"]["level"], "error");
    assert_eq!(rules[0]["defaultConfiguration"]["level"], "note");
    // A rule without documentation still has a descriptor, levelled from its finding.
    assert_eq!(rules[6]["id"], "unclosed-quote");
    assert!(rules[6].get("help").is_none());
    assert_eq!(rules[6]["defaultConfiguration"]["level"], "error");
}

fn result_for<'a>(log: &'a Value, rule: &str) -> &'a Value {
    log["runs"][0]["results"]
        .as_array()
        .and_then(|results| results.iter().find(|result| result["ruleId"] == rule))
        .unwrap_or_else(|| panic!("no result for {rule}"))
}

fn region(result: &Value) -> [u64; 4] {
    let region = &result["locations"][0]["physicalLocation"]["region"];
    ["startLine", "startColumn", "endLine", "endColumn"]
        .map(|field| region[field].as_u64().expect("region number"))
}

#[test]
fn sarif_regions_count_characters_with_an_exclusive_end() {
    let fixture = fixture();
    let log = sarif_json(&fixture.report());
    // `DEBUG=true`: "true" is columns 7..=10, so endColumn is 11.
    assert_eq!(region(result_for(&log, "debug-enabled")), [1, 7, 1, 11]);
    // `APP_NAME="Café ☕ app"`: "é" and "☕" take 2 and 3 bytes but one column each.
    assert_eq!(
        region(result_for(&log, "app-name-decorated")),
        [2, 18, 2, 21]
    );
    // A span over a line break ends on the next line.
    assert_eq!(region(result_for(&log, "unclosed-quote")), [1, 10, 2, 6]);
    // A file-level finding is an empty region at the start.
    assert_eq!(region(result_for(&log, "missing-required")), [1, 1, 1, 1]);
}

#[test]
fn sarif_results_carry_level_message_and_uri() {
    let fixture = fixture();
    let log = sarif_json(&fixture.report());
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), fixture.findings.len());
    let levels: Vec<&str> = results
        .iter()
        .filter_map(|result| result["level"].as_str())
        .collect();
    assert!(levels.contains(&"error") && levels.contains(&"warning") && levels.contains(&"note"));

    let debug = result_for(&log, "debug-enabled");
    assert_eq!(
        debug["message"]["text"],
        "DEBUG is enabled in production.\n\nSet DEBUG=false."
    );
    let artifact = &debug["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(artifact["uri"], "config/.env");
    assert_eq!(
        debug["locations"][0]["logicalLocations"][0],
        serde_json::json!({"name": "DEBUG", "kind": "variable"})
    );

    let stdin = &result_for(&log, "redis-without-tls")["locations"][0]["physicalLocation"];
    assert_eq!(stdin["artifactLocation"]["uri"], sarif::STDIN_URI);
    assert_eq!(
        stdin["artifactLocation"]["description"]["text"],
        "standard input"
    );

    let broken = &result_for(&log, "unclosed-quote")["locations"][0]["physicalLocation"];
    assert_eq!(broken["artifactLocation"]["uri"], "deploy/prod%20env.env");
    // A finding about the whole file has no variable.
    assert!(
        result_for(&log, "missing-required")["locations"][0]
            .get("logicalLocations")
            .is_none()
    );
}

#[test]
fn sarif_labels_become_related_locations() {
    let fixture = fixture();
    let log = sarif_json(&fixture.report());
    let duplicate = result_for(&log, "duplicate-key");
    assert_eq!(region(duplicate), [5, 1, 5, 6]);
    let related = duplicate["relatedLocations"].as_array().expect("related");
    assert_eq!(related.len(), 1);
    assert_eq!(related[0]["id"], 1);
    assert_eq!(related[0]["message"]["text"], "first set here");
    let label_region = &related[0]["physicalLocation"]["region"];
    assert_eq!(
        (
            &label_region["startLine"],
            &label_region["startColumn"],
            &label_region["endColumn"]
        ),
        (&Value::from(1), &Value::from(1), &Value::from(6))
    );
    assert!(
        result_for(&log, "debug-enabled")
            .get("relatedLocations")
            .is_none()
    );
}

fn fingerprints(log: &Value) -> Vec<String> {
    log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|result| {
            result["partialFingerprints"][sarif::FINGERPRINT_NAME]
                .as_str()
                .expect("fingerprint")
                .to_owned()
        })
        .collect()
}

#[test]
fn sarif_fingerprints_are_stable_distinct_and_survive_moved_lines() {
    let original = fixture();
    let first = fingerprints(&sarif_json(&original.report()));
    let second = fingerprints(&sarif_json(&original.report()));
    assert_eq!(first, second);
    let mut unique = first.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), first.len(), "fingerprints collide: {first:?}");

    // Moving the whole file down two lines keeps every fingerprint: they depend on rule, file
    // and key, not on positions.
    let mut moved = fixture();
    let shifted_text = format!("\n\n{MAIN_ENV}");
    let mut sources = Sources::new();
    let mut main = SourceFile::new("config/.env", shifted_text);
    main.redact(span_of(&main.text.clone(), SECRET_VALUE, 0));
    sources.add(main);
    for (id, file) in moved.sources.iter().skip(1) {
        let copy = sources.add(SourceFile::new(file.name.clone(), file.text.clone()));
        assert_eq!(copy, id);
    }
    moved.sources = sources;
    for finding in &mut moved.findings {
        if finding.source == SourceId(0) {
            finding.span = finding.span.start + 2..finding.span.end + 2;
            for label in &mut finding.labels {
                label.span = label.span.start + 2..label.span.end + 2;
            }
        }
    }
    let moved_log = sarif_json(&moved.report());
    assert_eq!(fingerprints(&moved_log), first);
    assert_eq!(
        region(result_for(&moved_log, "debug-enabled")),
        [3, 7, 3, 11]
    );

    // A different key gives a different fingerprint.
    let mut renamed = fixture();
    for finding in &mut renamed.findings {
        if finding.rule == "debug-enabled" {
            finding.key = Some("APP_DEBUG".to_owned());
        }
    }
    let renamed_log = sarif_json(&renamed.report());
    let debug_fingerprint = |log: &Value| {
        result_for(log, "debug-enabled")["partialFingerprints"][sarif::FINGERPRINT_NAME].clone()
    };
    assert_ne!(
        debug_fingerprint(&renamed_log),
        debug_fingerprint(&sarif_json(&original.report()))
    );
}

#[test]
fn sarif_output_is_byte_for_byte_deterministic() {
    let fixture = fixture();
    let first = render_to_string(sarif::render, &fixture.report());
    let second = render_to_string(sarif::render, &fixture.report());
    assert_eq!(first, second);
    assert!(first.ends_with("}\n"));
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions

#[test]
fn github_commands_are_exact() {
    let fixture = fixture();
    let output = render_to_string(github::render, &fixture.report());
    let expected = [
        "::error file=config/.env,line=1,col=7,endLine=1,endColumn=11,title=deploycheck (debug-enabled)::DEBUG is enabled in production.%0ASet DEBUG=false.",
        "::notice file=config/.env,line=2,col=18,endLine=2,endColumn=21,title=deploycheck (app-name-decorated)::APP_NAME ends in \"app\" | consider a shorter name.",
        "::error file=config/.env,line=3,col=12,endLine=3,endColumn=31,title=deploycheck (secret-in-repo)::SECRET_KEY holds a secret in a committed file.%0AMove it to the platform's secret store.",
        "::warning file=config/.env,line=4,col=14,endLine=4,endColumn=58,title=deploycheck (url-password)::DATABASE_URL has the password inline (\"user:<password>@host\") & in the repo.%0AUse <a secret reference> instead.",
        "::warning file=config/.env,line=5,col=1,endLine=5,endColumn=6,title=deploycheck (duplicate-key)::DEBUG is set twice; the last value wins.",
        "::warning line=1,col=11,endLine=1,endColumn=19,title=deploycheck (redis-without-tls)::<stdin>:1:11: REDIS_URL uses redis:// without TLS, 100%25 in clear.%0AUse rediss://.%0ARailway's private network is the exception.",
        "::notice file=deploy\\prod env.env,line=1,col=1,endLine=1,endColumn=1,title=deploycheck (missing-required)::SECRET_KEY is not set.",
        "::error file=deploy\\prod env.env,line=1,endLine=2,title=deploycheck (unclosed-quote)::The quote opened here swallows the next line.",
    ];
    assert_eq!(output.lines().collect::<Vec<_>>(), expected);
    assert!(output.ends_with('\n'));
}

#[test]
fn github_properties_are_escaped() {
    let mut sources = Sources::new();
    let source = sources.add(SourceFile::new("C:\\a,b%.env", "DEBUG=1\n"));
    let findings = [finding(
        "rule:with,odd%chars",
        Severity::Warning,
        source,
        Some("DEBUG"),
        0..5,
        "line one\r\nline two: 50%, done",
        None,
    )];
    let report = Report {
        sources: &sources,
        findings: &findings,
        inputs: &inputs(&sources, "production"),
        rules: &[],
    };
    assert_eq!(
        render_to_string(github::render, &report),
        "::warning file=C%3A\\a%2Cb%25.env,line=1,col=1,endLine=1,endColumn=6,\
         title=deploycheck (rule%3Awith%2Codd%25chars)::line one%0D%0Aline two: 50%25, done\n"
    );
}

#[test]
fn github_step_summary_lists_every_finding() {
    let fixture = fixture();
    let summary = github::step_summary(&fixture.report());
    let expected = "## deploycheck\n\
\n\
3 errors, 3 warnings, 2 infos (profile `production`).\n\
\n\
| Severity | Location | Rule | Message |\n\
| --- | --- | --- | --- |\n\
| error | config/.env:1:7 | debug-enabled | DEBUG is enabled in production.<br>Set DEBUG=false. |\n\
| info | config/.env:2:18 | app-name-decorated | APP_NAME ends in \"app\" \\| consider a shorter name. |\n\
| error | config/.env:3:12 | secret-in-repo | SECRET_KEY holds a secret in a committed file.<br>Move it to the platform's secret store. |\n\
| warning | config/.env:4:14 | url-password | DATABASE_URL has the password inline (\"user:&lt;password&gt;@host\") &amp; in the repo.<br>Use &lt;a secret reference&gt; instead. |\n\
| warning | config/.env:5:1 | duplicate-key | DEBUG is set twice; the last value wins. |\n\
| warning | &lt;stdin&gt;:1:11 | redis-without-tls | REDIS_URL uses redis:// without TLS, 100% in clear.<br>Use rediss://.<br>Railway's private network is the exception. |\n\
| info | deploy\\prod env.env:1:1 | missing-required | SECRET_KEY is not set. |\n\
| error | deploy\\prod env.env:1:10 | unclosed-quote | The quote opened here swallows the next line. |\n";
    assert_eq!(summary, expected);
}

#[test]
fn github_step_summary_without_findings_says_so() {
    let mut sources = Sources::new();
    sources.add(SourceFile::new(".env.staging", "DEBUG=false\n"));
    let report = Report {
        sources: &sources,
        findings: &[],
        inputs: &inputs(&sources, "staging"),
        rules: &[],
    };
    assert_eq!(
        github::step_summary(&report),
        "## deploycheck\n\nNo problems found (profile `staging`).\n"
    );
    assert_eq!(render_to_string(github::render, &report), "");
}

// ---------------------------------------------------------------------------------------------
// JUnit

#[test]
fn junit_output_is_well_formed_with_one_suite_per_source() {
    let fixture = fixture();
    let xml = render_to_string(junit::render, &fixture.report());
    let document = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("8"));
    assert_eq!(root.attribute("failures"), Some("8"));

    let suites: Vec<_> = root
        .children()
        .filter(|node| node.has_tag_name("testsuite"))
        .collect();
    let summary: Vec<(&str, &str, &str)> = suites
        .iter()
        .map(|suite| {
            (
                suite.attribute("name").unwrap_or_default(),
                suite.attribute("tests").unwrap_or_default(),
                suite.attribute("failures").unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("config/.env", "5", "5"),
            ("<stdin>", "1", "1"),
            ("deploy\\prod env.env", "2", "2"),
            ("clean.env", "0", "0"),
        ]
    );

    let main_cases: Vec<(&str, &str)> = suites[0]
        .children()
        .filter(|node| node.has_tag_name("testcase"))
        .map(|case| {
            (
                case.attribute("classname").unwrap_or_default(),
                case.attribute("name").unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        main_cases,
        [
            ("deploycheck.config/.env", "app-name-decorated"),
            ("deploycheck.config/.env", "debug-enabled"),
            ("deploycheck.config/.env", "duplicate-key"),
            ("deploycheck.config/.env", "secret-in-repo"),
            ("deploycheck.config/.env", "url-password"),
        ]
    );
    // A rule that did not fire is not listed.
    assert!(!xml.contains("never-fired"));
}

#[test]
fn junit_failures_round_trip_markup_characters() {
    let fixture = fixture();
    let xml = render_to_string(junit::render, &fixture.report());
    assert!(xml.contains("&lt;password&gt;@host&quot;) &amp; in the repo."));
    let document = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let failure = document
        .descendants()
        .find(|node| node.has_tag_name("failure") && node.attribute("type") == Some("url-password"))
        .expect("url-password failure");
    assert_eq!(
        failure.attribute("message"),
        Some("DATABASE_URL has the password inline (\"user:<password>@host\") & in the repo.")
    );
    assert_eq!(
        failure.text(),
        Some(
            "config/.env:4:14: warning: DATABASE_URL has the password inline \
             (\"user:<password>@host\") & in the repo.\nUse <a secret reference> instead."
        )
    );
    let stdin_failure = document
        .descendants()
        .find(|node| {
            node.has_tag_name("failure") && node.attribute("type") == Some("redis-without-tls")
        })
        .expect("stdin failure");
    assert!(
        stdin_failure
            .text()
            .is_some_and(|text| text.starts_with("<stdin>:1:11: warning: REDIS_URL"))
    );
}

#[test]
fn junit_groups_findings_of_one_rule_into_one_test_case() {
    let mut sources = Sources::new();
    let text = "A=1\nA=2\nA=3\n";
    let source = sources.add(SourceFile::new(".env", text));
    let findings: Vec<Finding> = [4, 8]
        .into_iter()
        .map(|start| {
            finding(
                "duplicate-key",
                Severity::Warning,
                source,
                Some("A"),
                start..start + 1,
                "A is set again.",
                None,
            )
        })
        .collect();
    let report = Report {
        sources: &sources,
        findings: &findings,
        inputs: &inputs(&sources, "production"),
        rules: &[],
    };
    let xml = render_to_string(junit::render, &report);
    let document = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let cases: Vec<_> = document
        .descendants()
        .filter(|node| node.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 1);
    let bodies: Vec<&str> = cases[0]
        .children()
        .filter(|node| node.has_tag_name("failure"))
        .filter_map(|failure| failure.text())
        .collect();
    assert_eq!(
        bodies,
        [
            ".env:2:1: warning: A is set again.",
            ".env:3:1: warning: A is set again."
        ]
    );
}

#[test]
fn junit_control_characters_in_messages_stay_well_formed() {
    let mut sources = Sources::new();
    let source = sources.add(SourceFile::new(".env", "A=1\n"));
    let findings = [finding(
        "odd",
        Severity::Error,
        source,
        None,
        0..1,
        "bell\u{7} escape\u{1b}[0m nul\u{0} <&\"'>",
        None,
    )];
    let report = Report {
        sources: &sources,
        findings: &findings,
        inputs: &inputs(&sources, "production"),
        rules: &[],
    };
    let xml = render_to_string(junit::render, &report);
    let document = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let failure = document
        .descendants()
        .find(|node| node.has_tag_name("failure"))
        .expect("failure");
    assert_eq!(
        failure.attribute("message"),
        Some("bell\u{fffd} escape\u{fffd}[0m nul\u{fffd} <&\"'>")
    );
}

// ---------------------------------------------------------------------------------------------
// Several inputs, each under its own profile

/// `.env` judged as production and `.env.staging` as staging, one finding in each.
fn two_profiles() -> (Sources, Vec<Finding>, Vec<ReportInput>) {
    let mut sources = Sources::new();
    let production = sources.add(SourceFile::new(".env", "DEBUG=true\n"));
    let staging = sources.add(SourceFile::new(".env.staging", "DEBUG=true\n"));
    let findings = vec![
        finding(
            "debug-enabled",
            Severity::Error,
            production,
            Some("DEBUG"),
            6..10,
            "on",
            None,
        ),
        finding(
            "debug-enabled",
            Severity::Error,
            staging,
            Some("DEBUG"),
            6..10,
            "on",
            None,
        ),
    ];
    let inputs = vec![
        ReportInput {
            file: ".env".to_owned(),
            profile: "production".to_owned(),
            sources: vec![production],
        },
        ReportInput {
            file: ".env.staging".to_owned(),
            profile: "staging".to_owned(),
            sources: vec![staging],
        },
    ];
    (sources, findings, inputs)
}

#[test]
fn sarif_carries_each_inputs_profile() {
    let (sources, findings, inputs) = two_profiles();
    let report = Report {
        sources: &sources,
        findings: &findings,
        inputs: &inputs,
        rules: &[],
    };
    let log = sarif_json(&report);
    assert_eq!(
        schema_errors(&schema_validator(), &log),
        Vec::<String>::new()
    );
    let properties = &log["runs"][0]["properties"];
    assert!(properties.get("profile").is_none(), "{properties}");
    assert_eq!(
        properties["inputs"],
        serde_json::json!([
            {"file": ".env", "profile": "production"},
            {"file": ".env.staging", "profile": "staging"},
        ])
    );
}

#[test]
fn junit_suites_carry_their_inputs_profile() {
    let (sources, findings, inputs) = two_profiles();
    let report = Report {
        sources: &sources,
        findings: &findings,
        inputs: &inputs,
        rules: &[],
    };
    let xml = render_to_string(junit::render, &report);
    let document = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let profiles: Vec<(&str, &str)> = document
        .descendants()
        .filter(|node| node.has_tag_name("testsuite"))
        .map(|suite| {
            let property = suite
                .descendants()
                .find(|node| {
                    node.has_tag_name("property") && node.attribute("name") == Some("profile")
                })
                .expect("a profile property");
            (
                suite.attribute("name").expect("name"),
                property.attribute("value").expect("value"),
            )
        })
        .collect();
    assert_eq!(
        profiles,
        [(".env", "production"), (".env.staging", "staging")]
    );
}

#[test]
fn github_step_summary_names_each_inputs_profile() {
    let (sources, findings, inputs) = two_profiles();
    let report = Report {
        sources: &sources,
        findings: &findings,
        inputs: &inputs,
        rules: &[],
    };
    let summary = github::step_summary(&report);
    assert!(
        summary.contains(
            "2 errors, 0 warnings, 0 infos (profiles `production` for .env, `staging` for .env.staging)."
        ),
        "{summary}"
    );
}
