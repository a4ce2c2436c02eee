//! The rules the program raises itself (live probes, input readers, suppressions), named by a
//! typed [`RuleId`] instead of a string literal at each place that raises one.
//!
//! The rule files stay the one source of each rule's severity, help and documentation: code
//! says *which* rule and *what* happened ([`Raised`]); [`RuleSet::complete`](super::RuleSet::complete) turns that
//! into a [`Finding`](crate::finding::Finding) with the rule set's severity and help, and fails loudly (an internal
//! error, exit 2) when the rule is not in the set, instead of dropping the finding. A registry
//! test checks both directions: every [`RuleId`] has a built-in rule of a program-raised kind,
//! and every built-in rule of such a kind has a [`RuleId`].
//!
//! The one other kind of rule the program raises is a rule file's own `http` check, run by the
//! probes: it has no [`RuleId`] (no built-in rule has such a check), so it is named by the id
//! its rule was loaded with ([`RaisedRule::Declared`]) and completed the same way.

use crate::finding::Label;
use crate::source::{SourceId, Span};

macro_rules! raised_rules {
    ($($(#[doc = $doc:literal])* $variant:ident = $id:literal,)*) => {
        /// A rule the program raises itself.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId {
            $($(#[doc = $doc])* $variant,)*
        }

        impl RuleId {
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant),*];

            /// The rule's id in the rule files.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $id,)*
                }
            }
        }
    };
}

raised_rules! {
    /// The dotenv reader stopped expanding `${VAR}` references at its size limit.
    InterpolationTooLarge = "interpolation-too-large",
    /// The `--kv` reader reconstructed multi-line values.
    RailwayKvLossy = "railway-kv-lossy",
    /// The table reader's output is a best guess.
    RailwayTableLossy = "railway-table-lossy",
    ProbePostgresUnreachable = "probe-postgres-unreachable",
    ProbePostgresAuthFailed = "probe-postgres-auth-failed",
    ProbePostgresDatabaseMissing = "probe-postgres-database-missing",
    ProbePostgresTlsFailed = "probe-postgres-tls-failed",
    ProbePostgresUnencrypted = "probe-postgres-unencrypted",
    ProbePoolExceedsMaxConnections = "probe-pool-exceeds-max-connections",
    ProbePostgresInfo = "probe-postgres-info",
    ProbeRedisUnreachable = "probe-redis-unreachable",
    ProbeRedisAuthFailed = "probe-redis-auth-failed",
    ProbeRedisTlsFailed = "probe-redis-tls-failed",
    ProbeRedisDatabaseMissing = "probe-redis-database-missing",
    ProbeRedisMaxConnections = "probe-redis-max-connections",
    ProbeRedisInfo = "probe-redis-info",
    ProbeInsecureTls = "probe-insecure-tls",
    /// An `http` check of a rule file got no answer from its API.
    ProbeHttpUnreachable = "probe-http-unreachable",
    ProbeSkipped = "probe-skipped",
    SuppressionWithoutReason = "suppression-without-reason",
    UnusedSuppression = "unused-suppression",
    /// A .env key no field of the Settings class reads.
    UnknownKey = "unknown-key",
    /// The same key under `extra='ignore'` or `'allow'` (opt-in).
    UnusedKey = "unused-key",
    /// Raised from the Settings class where a variable alone cannot tell (nested sub-fields, a
    /// required field set to `None`); the engine raises it for plain variables.
    MissingRequiredVariable = "missing-required-variable",
    InvalidFloat = "invalid-float",
    /// Outside a `Literal` or `Enum`.
    InvalidChoice = "invalid-choice",
    /// A complex field's value is not JSON.
    InvalidJson = "invalid-json",
    InvalidUrl = "invalid-url",
    /// An email address or a duration in a format the type rejects.
    InvalidFormat = "invalid-format",
    /// Outside `ge`/`le`/`min_length`/`pattern`...
    ValueOutOfRange = "value-out-of-range",
    /// Several Settings classes and none named.
    SettingsClassAmbiguous = "settings-class-ambiguous",
    StartCommandBindsLocalhost = "start-command-binds-localhost",
    StartCommandFixedPort = "start-command-fixed-port",
    DockerfileExecFormVariable = "dockerfile-exec-form-variable",
    StartCommandReload = "start-command-reload",
    /// Warning with several instances; the program lowers it one step with one.
    StartCommandMigrations = "start-command-migrations",
    DockerfileHealthcheckToolMissing = "dockerfile-healthcheck-tool-missing",
    DockerfileHealthcheckPythonImport = "dockerfile-healthcheck-python-import",
    HealthcheckPathMismatch = "healthcheck-path-mismatch",
    RailwayHealthcheckMissing = "railway-healthcheck-missing",
    RailwayHealthcheckHostRejected = "railway-healthcheck-host-rejected",
    RailwayConfigUnknownField = "railway-config-unknown-field",
    ManifestUnparseable = "manifest-unparseable",
    ConnectionsExceedServerLimit = "connections-exceed-server-limit",
    RestartPolicyNever = "restart-policy-never",
    VerifyUnreachable = "verify-unreachable",
    HealthCheckFailed = "health-check-failed",
    ReadinessDependencyDown = "readiness-dependency-down",
    CorsRejectsOwnOrigin = "cors-rejects-own-origin",
    CorsAllowsForeignOrigin = "cors-allows-foreign-origin",
    CorsReflectsOrigin = "cors-reflects-origin",
    ApiDocsExposed = "api-docs-exposed",
    TracebackExposed = "traceback-exposed",
    TlsCertificateExpiring = "tls-certificate-expiring",
    HttpNotRedirected = "http-not-redirected",
    HstsMissing = "hsts-missing",
    LatencyOverBudget = "latency-over-budget",
    VerifyUnexpectedAnswer = "verify-unexpected-answer",
    RedirectToOtherHost = "redirect-to-other-host",
    AlembicMultipleHeads = "alembic-multiple-heads",
    AlembicBrokenChain = "alembic-broken-chain",
    AlembicDuplicateRevision = "alembic-duplicate-revision",
    /// The Alembic configuration or a migration script cannot be read statically.
    AlembicUnreadable = "alembic-unreadable",
    ProbeMigrationsPending = "probe-migrations-pending",
    ProbeMigrationsUnknownRevision = "probe-migrations-unknown-revision",
    ProbeMigrationsTableMissing = "probe-migrations-table-missing",
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which rule a [`Raised`] finding is of.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RaisedRule {
    /// A built-in rule the program raises, by its typed id.
    Program(RuleId),
    /// A rule file's own rule whose check the program runs (an `http` check under `--probe`),
    /// by the id the loaded rule has: never a literal in the code.
    Declared(String),
}

impl RaisedRule {
    pub fn as_str(&self) -> &str {
        match self {
            RaisedRule::Program(id) => id.as_str(),
            RaisedRule::Declared(id) => id,
        }
    }
}

impl std::fmt::Display for RaisedRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<RuleId> for RaisedRule {
    fn from(id: RuleId) -> Self {
        RaisedRule::Program(id)
    }
}

impl PartialEq<RuleId> for RaisedRule {
    fn eq(&self, other: &RuleId) -> bool {
        *self == RaisedRule::Program(*other)
    }
}

/// What the program found, before the rule set gives it a severity and help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raised {
    pub rule: RaisedRule,
    /// One sentence saying what is wrong. Never holds a secret value.
    pub message: String,
    /// A fix specific to this finding (a corrected value, a number), appended to the rule's
    /// help or filled into its `{suggestion}`. Never holds a secret value.
    pub suggestion: Option<String>,
    pub source: SourceId,
    pub key: Option<String>,
    pub span: Span,
    pub labels: Vec<Label>,
    /// The program judged this case milder than the rule's usual one (migrations in the start
    /// command of a single instance; pending migrations the deploy runs): this many severity
    /// steps below the rule's.
    pub milder: u8,
}

impl Raised {
    /// A finding about the input at `span`, with no key, suggestion or labels yet.
    pub fn new(
        rule: impl Into<RaisedRule>,
        message: impl Into<String>,
        source: SourceId,
        span: Span,
    ) -> Self {
        Raised {
            rule: rule.into(),
            message: message.into(),
            suggestion: None,
            source,
            key: None,
            span,
            labels: Vec::new(),
            milder: 0,
        }
    }

    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// One severity step below the rule's ([`Raised::milder`]).
    pub fn milder(self) -> Self {
        self.milder_by(1)
    }

    /// `steps` severity steps below the rule's (an error two steps milder is an info).
    pub fn milder_by(mut self, steps: u8) -> Self {
        self.milder = self.milder.saturating_add(steps);
        self
    }

    pub fn with_suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    #[test]
    fn completion_takes_severity_and_help_from_the_rule_set() {
        let set = crate::rules::builtin::load().expect("built-ins");
        let raised = Raised::new(RuleId::ProbeSkipped, "not probed", SourceId(0), 0..0)
            .with_key("DATABASE_URL")
            .with_suggestion("use a TCP URL");
        let finding = set.complete(raised.clone()).expect("a built-in rule");
        let rule = set.rule("probe-skipped").expect("declared");
        assert_eq!(finding.severity, rule.doc.severity);
        assert_eq!(finding.message, "not probed");
        let help = finding.help.expect("help");
        assert!(help.starts_with(&rule.doc.help), "{help}");
        assert!(help.ends_with(": use a TCP URL"), "{help}");
        // A rule missing from the set fails loudly rather than dropping the finding.
        assert!(RuleSet::default().complete(raised).is_err());
    }
}
