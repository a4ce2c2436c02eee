//! The one model of a result: a [`Finding`]. Every check and probe produces findings; every
//! reporter consumes them. Findings are data, never errors.

use std::fmt;

use serde::Serialize;

use crate::source::{SourceId, Span};

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    /// One step milder (info stays info).
    pub fn milder(self) -> Severity {
        match self {
            Severity::Error => Severity::Warning,
            Severity::Warning | Severity::Info => Severity::Info,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Every severity, the worst first.
    pub const ALL: &'static [Severity] = &[Severity::Error, Severity::Warning, Severity::Info];

    pub fn parse(text: &str) -> Option<Self> {
        Severity::ALL
            .iter()
            .copied()
            .find(|severity| severity.as_str() == text)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary place a finding points at (e.g. the first of two duplicate keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub source: SourceId,
    pub span: Span,
    pub text: String,
}

/// One problem found in a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule id, e.g. `debug-enabled`.
    pub rule: String,
    pub severity: Severity,
    /// One sentence saying what is wrong. Never holds a secret value.
    pub message: String,
    /// How to fix it. Never holds a secret value.
    pub help: Option<String>,
    /// The source the finding points into.
    pub source: SourceId,
    /// The variable concerned; `None` for a finding about the file as a whole.
    pub key: Option<String>,
    /// The bytes the finding underlines (empty at offset 0 for a file-level finding).
    pub span: Span,
    /// Further places worth showing.
    pub labels: Vec<Label>,
}

impl Finding {
    /// The order reports use: source, offset, rule id.
    pub fn sort_key(&self) -> (SourceId, usize, &str, usize) {
        (self.source, self.span.start, &self.rule, self.span.end)
    }
}

/// Sort findings into report order (source, offset, rule id).
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Counts per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Self {
        let mut summary = Summary::default();
        for finding in findings {
            match finding.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info => summary.infos += 1,
            }
        }
        summary
    }
}
