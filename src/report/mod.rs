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
