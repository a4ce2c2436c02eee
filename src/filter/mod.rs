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
        if !settings.selection.enabled(doc) {
            continue;
        }
        let ignored_here = per_file.iter().any(|entry| {
            entry
                .ignore
                .iter()
                .any(|s| Selection::matches(s.get_ref(), doc))
        });
        if ignored_here {
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
