//! SARIF 2.1.0 output, for GitHub code scanning and other SARIF viewers.
//!
//! One log, one run. `tool.driver.rules` holds the documentation of every rule that fired
//! (sorted by id), and each finding becomes a `result` pointing at its span.
//!
//! Choices a consumer may want to know about:
//! - Columns count Unicode code points (`run.columnKind = "unicodeCodePoints"`), and a lone `\r`
//!   ends a line like `\r\n` and `\n` do (`run.newlineSequences`), as in [`SourceFile::line_col`].
//!   `endColumn` is exclusive, as SARIF defines it.
//! - `artifactLocation.uri` is the path as the user gave it, with `\` turned into `/` and
//!   characters that are not allowed in a URI percent-encoded. A relative path stays relative
//!   (GitHub resolves it against the repository root, so run deploycheck from there); an absolute
//!   path becomes a `file://` URI. Standard input (`-`) has no path: it is reported as the
//!   relative URI `stdin` with the description "standard input".
//! - `partialFingerprints["deploycheck/v1"]` identifies a result across runs even when lines move:
//!   a hash of the rule id, the artifact URI, the key and the occurrence of that
//!   (rule, file, key) triple. It never involves a value.
//! - `run.properties.inputs` lists each configuration judged with its profile (`.env` as
//!   production, `.env.staging` as staging); `run.properties.profile` is present when they all
//!   share one.
//! - No timestamps or other run-dependent data: the same input gives the same bytes.
//!
//! [`SourceFile::line_col`]: crate::source::SourceFile::line_col

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Location, Report, is_stdin, location, placeholders_in_words, span_location};
use crate::finding::{Finding, Severity};
use crate::rules::RuleDoc;
use crate::source::SourceFile;

/// The schema every log names; the schema file in `tests/schemas/` is the same document.
const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The name of the fingerprint in `partialFingerprints`. Bump the version when the inputs of
/// the hash change, so consumers do not match old and new fingerprints.
pub const FINGERPRINT_NAME: &str = "deploycheck/v1";

/// The URI used for a source read from standard input.
pub const STDIN_URI: &str = "stdin";

/// Write the report as a SARIF 2.1.0 log (pretty-printed JSON, then a newline).
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let log = build(report);
    super::json::write_pretty(out, &log)
}

/// The SARIF level of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn build<'a>(report: &'a Report<'a>) -> Log<'a> {
    // Every rule that fired, by id; a rule without documentation still gets a descriptor so
    // that `ruleIndex` always points somewhere.
    let mut fired: BTreeMap<&str, Severity> = BTreeMap::new();
    for finding in report.findings {
        fired.entry(&finding.rule).or_insert(finding.severity);
    }
    let rule_index: BTreeMap<&str, usize> = fired
        .keys()
        .enumerate()
        .map(|(index, id)| (*id, index))
        .collect();
    let rules = fired
        .iter()
        .map(|(id, severity)| match report.rule(id) {
            Some(doc) => descriptor(doc),
            None => undocumented_descriptor(id, *severity),
        })
        .collect();

    let mut occurrences: BTreeMap<(&str, String, Option<&str>), usize> = BTreeMap::new();
    let results = report
        .findings
        .iter()
        .map(|finding| {
            let file = report.sources.get(finding.source);
            let uri = artifact_uri(file);
            let occurrence = occurrences
                .entry((finding.rule.as_str(), uri.clone(), finding.key.as_deref()))
                .or_insert(0);
            let fingerprint = fingerprint(&finding.rule, &uri, finding.key.as_deref(), *occurrence);
            *occurrence += 1;
            result(
                report,
                finding,
                rule_index.get(finding.rule.as_str()).copied(),
                fingerprint,
            )
        })
        .collect();

    Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "deploycheck",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: information_uri(),
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            newline_sequences: ["\r\n", "\n", "\r"],
            results,
            properties: RunProperties {
                profile: report.profile(),
                inputs: report
                    .inputs
                    .iter()
                    .map(|input| RunInput {
                        file: &input.file,
                        profile: &input.profile,
                    })
                    .collect(),
            },
        }],
    }
}

/// Where to learn about deploycheck: the package's homepage or repository, when set and valid.
fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|uri| is_absolute_uri(uri))
}

fn is_absolute_uri(text: &str) -> bool {
    !text.is_empty() && url::Url::parse(text).is_ok()
}

fn descriptor(doc: &RuleDoc) -> ReportingDescriptor<'_> {
    let mut tags: Vec<&str> = doc.tags.iter().map(String::as_str).collect();
    // SARIF requires tags to be distinct.
    tags.sort_unstable();
    tags.dedup();
    ReportingDescriptor {
        id: &doc.id,
        name: &doc.id,
        short_description: Some(Text::plain(placeholders_in_words(&doc.summary))),
        full_description: Some(Text::plain(placeholders_in_words(&doc.why))),
        help: Some(Text {
            text: placeholders_in_words(&doc.help),
            markdown: Some(help_markdown(doc)),
        }),
        help_uri: doc.url.as_deref().filter(|url| is_absolute_uri(url)),
        default_configuration: Configuration {
            level: level(doc.severity),
        },
        properties: DescriptorProperties { tags },
    }
}

fn undocumented_descriptor(id: &str, severity: Severity) -> ReportingDescriptor<'_> {
    ReportingDescriptor {
        id,
        name: id,
        short_description: None,
        full_description: None,
        help: None,
        help_uri: None,
        default_configuration: Configuration {
            level: level(severity),
        },
        properties: DescriptorProperties { tags: Vec::new() },
    }
}

/// The rule's documentation as Markdown: what GitHub shows under "Rule help".
fn help_markdown(doc: &RuleDoc) -> String {
    let mut markdown = placeholders_in_words(&format!(
        "{}\n\n{}\n\n**How to fix:** {}\n",
        doc.summary, doc.why, doc.help
    ));
    for (title, example) in [("Flagged", &doc.example_bad), ("Fixed", &doc.example_good)] {
        if example.trim().is_empty() {
            continue;
        }
        let fence = code_fence(example);
        markdown.push_str(&format!(
            "\n**{title}:**\n\n{fence}dotenv\n{}\n{fence}\n",
            placeholders_in_words(example.trim_end())
        ));
    }
    if let Some(url) = &doc.url {
        markdown.push_str(&format!("\nSee {url}\n"));
    }
    markdown
}

/// A backtick fence longer than any run of backticks in `text`, so the text cannot close it.
fn code_fence(text: &str) -> String {
    let mut longest = 0;
    let mut current = 0;
    for character in text.chars() {
        if character == '`' {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

fn result<'a>(
    report: &'a Report<'a>,
    finding: &'a Finding,
    rule_index: Option<usize>,
    fingerprint: String,
) -> SarifResult<'a> {
    let file = report.sources.get(finding.source);
    let text = match &finding.help {
        Some(help) => format!("{}\n\n{}", finding.message, help),
        None => finding.message.clone(),
    };
    let related_locations = finding
        .labels
        .iter()
        .enumerate()
        .map(|(index, label)| {
            let label_file = report.sources.get(label.source);
            SarifLocation {
                // Ids make two labels at the same place distinct, as SARIF requires.
                id: Some(index + 1),
                physical_location: physical_location(
                    label_file,
                    span_location(label_file, &label.span),
                ),
                logical_locations: Vec::new(),
                message: Some(Text::plain(label.text.clone())),
            }
        })
        .collect();
    SarifResult {
        rule_id: &finding.rule,
        rule_index,
        level: level(finding.severity),
        message: Text::plain(text),
        locations: vec![SarifLocation {
            id: None,
            physical_location: physical_location(file, location(report, finding)),
            logical_locations: finding
                .key
                .as_deref()
                .map(|key| LogicalLocation {
                    name: key,
                    kind: "variable",
                })
                .into_iter()
                .collect(),
            message: None,
        }],
        related_locations,
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_NAME, fingerprint)]),
    }
}

fn physical_location(file: &SourceFile, location: Location) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: artifact_uri(file),
            description: is_stdin(file).then(|| Text::plain("standard input".to_owned())),
        },
        region: Region {
            start_line: location.line,
            start_column: location.column,
            end_line: location.end_line,
            end_column: location.end_column,
        },
    }
}

/// The URI of a source: see the module documentation.
pub fn artifact_uri(file: &SourceFile) -> String {
    if is_stdin(file) {
        return STDIN_URI.to_owned();
    }
    let path = file.name.replace('\\', "/");
    let bytes = path.as_bytes();
    let windows_drive =
        bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    if windows_drive {
        // `C:/x` → `file:///C:/x`; the drive colon is the one colon left as is.
        format!("file:///{}:{}", &path[..1], encode_path(&path[2..]))
    } else if path.starts_with('/') {
        format!("file://{}", encode_path(&path))
    } else {
        encode_path(path.strip_prefix("./").unwrap_or(&path))
    }
}

/// Percent-encode every byte that may not stand as is in a URI path. `:` is encoded too: in the
/// first segment of a relative reference it would read as a scheme.
fn encode_path(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// A stable identity for a result: FNV-1a (64-bit) over the length-prefixed parts, in hex.
///
/// Length prefixes keep `("ab", "c")` and `("a", "bc")` apart. The value of the variable is
/// deliberately not an input: a fingerprint must not leak a secret, even hashed.
pub fn fingerprint(rule: &str, uri: &str, key: Option<&str>, occurrence: usize) -> String {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET_BASIS;
    let mut feed = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    let occurrence = occurrence.to_string();
    let parts: [Option<&str>; 4] = [Some(rule), Some(uri), key, Some(&occurrence)];
    for part in parts {
        match part {
            Some(text) => {
                feed(&[1]);
                feed(&(text.len() as u64).to_le_bytes());
                feed(text.as_bytes());
            }
            // A missing key differs from an empty one.
            None => feed(&[0]),
        }
    }
    format!("{hash:016x}")
}

// The serialized shape: only what deploycheck fills in, field names as SARIF spells them.

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    column_kind: &'static str,
    newline_sequences: [&'static str; 3],
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

/// The run's property bag: the profile every input was judged under (absent when they
/// differ), and each input with its own.
#[derive(Serialize)]
struct RunProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<&'a str>,
    inputs: Vec<RunInput<'a>>,
}

#[derive(Serialize)]
struct RunInput<'a> {
    file: &'a str,
    profile: &'a str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    short_description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    default_configuration: Configuration,
    properties: DescriptorProperties<'a>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct DescriptorProperties<'a> {
    tags: Vec<&'a str>,
}

/// SARIF's `message` and `multiformatMessageString`.
#[derive(Serialize)]
struct Text {
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    markdown: Option<String>,
}

impl Text {
    fn plain(text: String) -> Self {
        Self {
            text,
            markdown: None,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation<'a>>,
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct LogicalLocation<'a> {
    name: &'a str,
    kind: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri_of(name: &str) -> String {
        artifact_uri(&SourceFile::new(name, ""))
    }

    #[test]
    fn relative_paths_stay_relative_with_forward_slashes() {
        assert_eq!(uri_of(".env"), ".env");
        assert_eq!(uri_of("./config/.env.production"), "config/.env.production");
        assert_eq!(uri_of("deploy\\prod.env"), "deploy/prod.env");
    }

    #[test]
    fn characters_outside_uri_paths_are_percent_encoded() {
        assert_eq!(uri_of("my app/.env"), "my%20app/.env");
        assert_eq!(uri_of("a#b?c%d.env"), "a%23b%3Fc%25d.env");
        assert_eq!(uri_of("café.env"), "caf%C3%A9.env");
        // A colon in a relative path would otherwise read as a URI scheme.
        assert_eq!(uri_of("prod:eu.env"), "prod%3Aeu.env");
    }

    #[test]
    fn absolute_paths_become_file_uris() {
        assert_eq!(uri_of("/srv/app/.env"), "file:///srv/app/.env");
        assert_eq!(uri_of("C:\\app\\.env"), "file:///C:/app/.env");
    }

    #[test]
    fn stdin_has_a_fixed_uri() {
        assert_eq!(uri_of("-"), STDIN_URI);
    }

    #[test]
    fn fingerprint_is_stable_and_sensitive_to_each_part() {
        let base = fingerprint("debug-enabled", ".env", Some("DEBUG"), 0);
        assert_eq!(base, fingerprint("debug-enabled", ".env", Some("DEBUG"), 0));
        assert_eq!(base.len(), 16);
        assert!(base.chars().all(|c| c.is_ascii_hexdigit()));
        for other in [
            fingerprint("secret-in-repo", ".env", Some("DEBUG"), 0),
            fingerprint("debug-enabled", "prod.env", Some("DEBUG"), 0),
            fingerprint("debug-enabled", ".env", Some("APP_DEBUG"), 0),
            fingerprint("debug-enabled", ".env", Some("DEBUG"), 1),
            fingerprint("debug-enabled", ".env", None, 0),
            fingerprint("debug-enabled", ".env", Some(""), 0),
        ] {
            assert_ne!(base, other);
        }
        // Length prefixes keep shifted boundaries apart.
        assert_ne!(
            fingerprint("ab", "c", None, 0),
            fingerprint("a", "bc", None, 0)
        );
    }

    #[test]
    fn fingerprint_algorithm_is_pinned() {
        // Values computed independently (FNV-1a 64 over the documented encoding). Changing the
        // algorithm silently would split every existing alert in two: bump FINGERPRINT_NAME.
        assert_eq!(
            fingerprint("debug-enabled", ".env", Some("DEBUG"), 0),
            "18552e185fb20c29"
        );
        assert_eq!(
            fingerprint("duplicate-key", "config/.env", None, 2),
            "e2c4b408e4bddcc6"
        );
    }

    #[test]
    fn code_fence_outgrows_backticks_in_the_example() {
        assert_eq!(code_fence("DEBUG=true"), "```");
        assert_eq!(code_fence("A=````x"), "`````");
    }

    #[test]
    fn levels_follow_severity() {
        assert_eq!(level(Severity::Error), "error");
        assert_eq!(level(Severity::Warning), "warning");
        assert_eq!(level(Severity::Info), "note");
    }
}
