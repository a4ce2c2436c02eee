//! Between the engine and the report: which findings the user asked to see. In order:
//! [`select`] (select/ignore, per-file ignores and severities), [`suppress`] (inline comments and
//! `[[suppress]]` entries), and [`baseline`] (findings accepted earlier). The lint pipeline
//! (`crate::pipeline`) runs them in that order.

pub mod baseline;
pub mod suppress;

use crate::error::Error;
use crate::finding::Finding;
use crate::rules::RuleDoc;
use crate::settings::{LintSettings, Selection};

/// Apply the selection, per-file ignores and severity overrides to one input's findings.
///
/// A finding whose rule is not among `docs` is a bug, and fails the run: dropping it would let
/// a gate pass on a finding nobody saw.
pub fn select(
    settings: &LintSettings,
    findings: Vec<Finding>,
    path: Option<&str>,
    docs: &[RuleDoc],
) -> Result<Vec<Finding>, Error> {
    let per_file: Vec<&crate::config::PerFile> = path
        .map(|p| settings.per_file(p).collect())
        .unwrap_or_default();
    let mut kept = Vec::with_capacity(findings.len());
    for mut finding in findings {
        let Some(doc) = docs.iter().find(|doc| doc.id == finding.rule) else {
            return Err(Error::Internal {
                message: format!(
                    "a `{}` finding was raised, but no such rule is loaded",
                    finding.rule
                ),
            });
        };
        if !enabled(settings, &per_file, doc) {
            continue;
        }
        if let Some(level) = settings.severity.get(&finding.rule) {
            finding.severity = *level;
        }
        for entry in &per_file {
            if let Some(level) = entry.severity.get(&finding.rule) {
                finding.severity = *level.get_ref();
            }
        }
        kept.push(finding);
    }
    Ok(kept)
}

/// Does the selection, and no per-file ignore of `path`, leave the rule on? What [`select`]
/// keeps; the probes ask it before sending a rule's `http` check, so that a rule turned off
/// asks no API.
pub fn rule_enabled(settings: &LintSettings, doc: &RuleDoc, path: Option<&str>) -> bool {
    let per_file: Vec<&crate::config::PerFile> = path
        .map(|p| settings.per_file(p).collect())
        .unwrap_or_default();
    enabled(settings, &per_file, doc)
}

fn enabled(settings: &LintSettings, per_file: &[&crate::config::PerFile], doc: &RuleDoc) -> bool {
    settings.selection.enabled(doc)
        && !per_file.iter().any(|entry| {
            entry
                .ignore
                .iter()
                .any(|s| Selection::matches(s.get_ref(), doc))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::source::SourceId;

    fn settings() -> LintSettings {
        use clap::Parser;
        let cli = crate::cli::Cli::try_parse_from(["deploycheck", "lint", ".env"]).expect("parses");
        let crate::cli::Command::Lint(args) = cli.command else {
            panic!("lint parses as lint");
        };
        let rules = crate::rules::builtin::load().expect("built-ins");
        crate::settings::resolve(&args, crate::config::Config::default(), &rules).expect("resolve")
    }

    /// `probe --no-builtin` used to print "No problems found." for two dead endpoints: a
    /// finding of a rule missing from the set was dropped by the selection filter.
    #[test]
    fn a_finding_of_an_unknown_rule_fails_instead_of_vanishing() {
        let finding = Finding {
            rule: "probe-postgres-unreachable".to_owned(),
            severity: Severity::Error,
            message: "unreachable".to_owned(),
            help: None,
            source: SourceId(0),
            key: None,
            span: 0..0,
            labels: Vec::new(),
        };
        let error = select(&settings(), vec![finding.clone()], None, &[]).unwrap_err();
        assert!(matches!(error, Error::Internal { .. }), "{error:?}");
        let docs = crate::rules::builtin::load().expect("built-ins").docs();
        let kept = select(&settings(), vec![finding], None, &docs).expect("known rule");
        assert_eq!(kept.len(), 1);
    }
}
