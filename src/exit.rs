//! How a run ends: 0 (nothing at or above `--fail-on`), 1 (findings that are), 2 (the run could
//! not judge the configuration). The one place that decides exit statuses.

use crate::cli::FailOn;
use crate::finding::{Finding, Severity};

/// How a run ended: 0, 1 or 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum ExitStatus {
    /// Nothing at or above `--fail-on`.
    #[default]
    Success,
    /// Findings at or above `--fail-on`.
    Failure,
    /// The run could not judge the configuration.
    Error,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        }
    }

    /// 1 when a finding reaches the threshold, else 0.
    pub fn of(findings: &[Finding], fail_on: FailOn) -> Self {
        let threshold = match fail_on {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
            FailOn::Never => return ExitStatus::Success,
        };
        if findings.iter().any(|f| f.severity >= threshold) {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        }
    }
}
