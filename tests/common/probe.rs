//! Running the probes through the library, as `deploycheck probe` does, with inputs at fixed
//! spans (`DATABASE_URL` at 0, `REDIS_URL` at 100), every run checked for leaked passwords;
//! and looking findings up by rule, in [`Finding`]s or in a JSON report's findings alike.

use std::fmt::Debug;
use std::time::Duration;

use deploycheck::finding::Finding;
use deploycheck::probe::{self, Located, ProbeInput, ProbeOptions};
use deploycheck::rules;
use deploycheck::source::SourceId;
use deploycheck::source::read::Reader;

use super::servers::{PASSWORD, encode};

/// The default options with `timeout`.
pub fn options(timeout: Duration) -> ProbeOptions {
    ProbeOptions {
        timeout,
        ..ProbeOptions::default()
    }
}

/// `value` as if `key` set it at `start` in the first source.
pub fn located<T>(value: T, key: &str, start: usize) -> Located<T> {
    Located {
        value,
        source: SourceId(0),
        key: key.to_string(),
        span: start..start + 1,
    }
}

pub fn input_with_database(url: &str) -> ProbeInput {
    ProbeInput {
        database_url: Some(located(url.to_string(), "DATABASE_URL", 0)),
        ..ProbeInput::default()
    }
}

pub fn input_with_redis(url: &str) -> ProbeInput {
    ProbeInput {
        redis_url: Some(located(url.to_string(), "REDIS_URL", 100)),
        ..ProbeInput::default()
    }
}

/// Run the probes and complete their findings against the built-in rules, as a lint run does;
/// fail on a setup error or on a password in any message or help.
pub fn probe(input: &ProbeInput, options: &ProbeOptions) -> Vec<Finding> {
    let raised = probe::run(input, options, &Reader::default()).expect("probe setup");
    let findings = rules::builtin::load()
        .expect("built-in rules")
        .complete_all(raised)
        .expect("every probe rule is built in");
    assert_no_secret(&findings);
    findings
}

/// No message or help holds [`PASSWORD`] (raw or percent-encoded) or `wrong-pass`.
pub fn assert_no_secret(findings: &[Finding]) {
    for finding in findings {
        for text in [Some(&finding.message), finding.help.as_ref()]
            .into_iter()
            .flatten()
        {
            for secret in [PASSWORD, &encode(PASSWORD), "wrong-pass"] {
                assert!(!text.contains(secret), "secret leaked in {text:?}");
            }
        }
    }
}

/// A finding, from the library or from a JSON report, as far as its rule id.
pub trait RuleId {
    fn rule_id(&self) -> &str;
}

impl RuleId for Finding {
    fn rule_id(&self) -> &str {
        &self.rule
    }
}

impl RuleId for serde_json::Value {
    fn rule_id(&self) -> &str {
        self["rule"].as_str().unwrap_or_default()
    }
}

/// The findings' rule ids, in order.
pub fn rules<F: RuleId>(findings: &[F]) -> Vec<&str> {
    findings.iter().map(RuleId::rule_id).collect()
}

/// The one finding of `rule`.
pub fn the<'a, F: RuleId + Debug>(findings: &'a [F], rule: &str) -> &'a F {
    let matching: Vec<&F> = findings
        .iter()
        .filter(|finding| finding.rule_id() == rule)
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "one {rule} expected, got {:?}: {findings:#?}",
        rules(findings)
    );
    matching[0]
}
