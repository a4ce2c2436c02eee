//! Reporters: one module per output format. Each turns findings (already redacted) into text.
//! Nothing else in the crate prints.

use crate::finding::Finding;
use crate::rules::RuleDoc;
use crate::source::Sources;

/// Everything a reporter may need.
pub struct Report<'a> {
    /// The sources; reporters show `SourceFile::redacted`, never `text`.
    pub sources: &'a Sources,
    /// Findings in report order, secrets already masked.
    pub findings: &'a [Finding],
    /// The profile the configuration was judged under.
    pub profile: &'a str,
    /// Documentation of every rule that may appear in `findings`.
    pub rules: &'a [RuleDoc],
}

impl Report<'_> {
    /// The documentation of a rule by id.
    pub fn rule(&self, id: &str) -> Option<&RuleDoc> {
        self.rules.iter().find(|rule| rule.id == id)
    }
}

pub mod human;
pub mod json;

/// 1-based `(line, column, end_line, end_column)` of a finding; columns count characters and
/// the end is exclusive (for an empty span, the end is the start).
pub fn location(
    report: &Report,
    finding: &crate::finding::Finding,
) -> (usize, usize, usize, usize) {
    let file = report.sources.get(finding.source);
    let (line, column) = file.line_col(finding.span.start);
    let (end_line, end_column) = file.line_col(finding.span.end.max(finding.span.start));
    (line, column, end_line, end_column)
}
