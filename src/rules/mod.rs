//! Rules: the TOML schema, validation into runtime rules, and the built-in set.

use crate::finding::Severity;

/// A rule's documentation: what `explain` prints and what SARIF's `tool.driver.rules` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDoc {
    /// Kebab-case id naming what is flagged, e.g. `debug-enabled`.
    pub id: String,
    /// The default severity.
    pub severity: Severity,
    /// One line: what the rule flags.
    pub summary: String,
    /// Why it is a problem.
    pub why: String,
    /// How to fix it.
    pub help: String,
    /// A configuration that triggers the rule.
    pub example_bad: String,
    /// The same configuration, fixed.
    pub example_good: String,
    /// Further reading.
    pub url: Option<String>,
    /// Tags for selection, e.g. `security`, `database`.
    pub tags: Vec<String>,
}
