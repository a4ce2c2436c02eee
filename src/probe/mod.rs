//! Live, read-only checks of the PostgreSQL and Redis servers a configuration names, and of the
//! API keys its rule files' `http` checks send to their APIs ([`api`]).
//!
//! This is the only asynchronous code in the crate, and it stays inside: [`run`] builds a
//! current-thread tokio runtime, drives every probe concurrently on it, and hands back plain
//! [`Raised`] findings (the rule set gives them severity and help). Every probe's whole life (DNS, connect, TLS, authentication, queries) is bounded
//! by [`ProbeOptions::timeout`], so two dead endpoints cost one timeout, not two, and nothing can
//! hang. Anything about the servers is a finding; only the user's own setup mistakes (an
//! unreadable `--probe-ca` file) are a [`ProbeError`].
//!
//! Credentials are used, never shown: every server or driver message that reaches a finding goes
//! through [`mask`] first.

pub mod api;
pub(crate) mod net;
mod postgres;
mod redis;
pub(crate) mod tls;
pub(crate) mod url_parts;

use crate::engine::connections::{Budget, Count};
use std::fmt;
use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::Duration;

use regex::{NoExpand, Regex};

use crate::rules::{Raised, RuleId};
use crate::secret::MASK;
use crate::source::read::Reader;
use crate::source::{SourceId, Span};

/// How the probes connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeOptions {
    /// Upper bound for each probe's whole life, from DNS lookup to the last answer.
    pub timeout: Duration,
    /// Extra CA certificates (PEM) trusted besides the built-in Mozilla roots.
    pub ca_files: Vec<PathBuf>,
    /// Accept any server certificate (reported as a warning).
    pub insecure: bool,
    /// How many copies of the service run; each holds its own pools.
    pub replicas: u32,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            ca_files: Vec::new(),
            insecure: false,
            replicas: 1,
        }
    }
}

/// Where a URL came from, so findings can point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub source: SourceId,
    pub key: String,
    pub span: Span,
}

/// The effective values the probes need (defaults already applied by the caller).
///
/// A value the configuration does not set (an application default) is located exactly where
/// the URL it sizes is (same source, same span): findings about it point there, and say it is
/// a default (see `unset_note`).
///
/// Its `Debug` output hides the URLs' credentials.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProbeInput {
    /// SQLAlchemy URL, e.g. `postgresql+asyncpg://u:p@h:5432/db?ssl=require`.
    pub database_url: Option<Located<String>>,
    pub redis_url: Option<Located<String>>,
    pub db_pool_size: Option<Located<i64>>,
    pub db_max_overflow: Option<Located<i64>>,
    pub redis_max_connections: Option<Located<i64>>,
    pub web_concurrency: Option<Located<i64>>,
    /// Instances and workers per instance as the deployment files say (`numReplicas`,
    /// `--workers`): they replace `--replicas` and `WEB_CONCURRENCY` where given.
    pub deployment: crate::engine::connections::Processes,
    /// The rule files' `http` checks whose variable is set (their `Debug` hides the values).
    pub api_checks: Vec<api::ApiCheck>,
    /// The project's Alembic history, to compare with the database's `alembic_version`.
    pub migrations: Option<Migrations>,
}

/// What the PostgreSQL probe compares the database's `alembic_version` with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrations {
    pub graph: crate::engine::migrations::Graph,
    /// Every script was read: a revision the graph lacks is really not in the code.
    pub complete: bool,
    /// Where the scripts are, for messages (`alembic/versions`).
    pub location: String,
    pub version_table: crate::manifest::alembic::VersionTable,
    /// Where the deployment runs `alembic upgrade` (`` `preDeployCommand` in railway.toml ``),
    /// if it does.
    pub upgrade: Option<String>,
}

impl fmt::Debug for ProbeInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let masked_url = |url: &Option<Located<String>>| {
            url.as_ref().map(|located| Located {
                value: mask(&located.value, &[]),
                source: located.source,
                key: located.key.clone(),
                span: located.span.clone(),
            })
        };
        f.debug_struct("ProbeInput")
            .field("database_url", &masked_url(&self.database_url))
            .field("redis_url", &masked_url(&self.redis_url))
            .field("db_pool_size", &self.db_pool_size)
            .field("db_max_overflow", &self.db_max_overflow)
            .field("redis_max_connections", &self.redis_max_connections)
            .field("web_concurrency", &self.web_concurrency)
            .field("deployment", &self.deployment)
            .field("api_checks", &self.api_checks)
            .field("migrations", &self.migrations)
            .finish()
    }
}

/// A setup mistake that stops the probes before any connection is made.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ProbeError {
    #[error("{}: cannot read the CA file: {cause}", path.display())]
    #[diagnostic(help(
        "`--probe-ca` takes a readable PEM file holding one or more CA certificates"
    ))]
    CaFileUnreadable {
        path: PathBuf,
        /// Said in the message's one line, not as a chained cause.
        cause: std::io::Error,
    },
    #[error("{}: no usable PEM certificate in the CA file: {reason}", path.display())]
    #[diagnostic(help("the file must contain `-----BEGIN CERTIFICATE-----` blocks"))]
    CaFileNotPem { path: PathBuf, reason: String },
    #[error("{}: a certificate in the CA file cannot be a trust root: {reason}", path.display())]
    CaCertificateRejected { path: PathBuf, reason: String },
    #[error("cannot set up TLS for the probes: {0}")]
    TlsSetup(String),
    #[error("cannot start the probe runtime")]
    Runtime(#[source] std::io::Error),
}

/// Probe the servers `input` names and report what was found.
///
/// Returns no findings for an absent URL (the configuration rules report those), and a
/// `probe-skipped` warning for one that is set but cannot be understood.
pub fn run(
    input: &ProbeInput,
    options: &ProbeOptions,
    reader: &Reader,
) -> Result<Vec<Raised>, ProbeError> {
    let tls = tls::TlsSettings::load(&options.ca_files, options.insecure, reader)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(ProbeError::Runtime)?;
    let findings = runtime.block_on(async {
        let (mut postgres_findings, redis_findings, api_findings) = tokio::join!(
            postgres::probe(input, options, &tls),
            redis::probe(input, options, &tls),
            api::probe(input, options, &tls),
        );
        postgres_findings.extend(redis_findings);
        postgres_findings.extend(api_findings);
        postgres_findings
    });
    // A DNS lookup still running on a blocking thread must not hold up the exit.
    runtime.shutdown_background();
    Ok(findings)
}

/// Hide credentials in a message about a connection: every `user:password@` in it, and every
/// occurrence of each of `secrets` (pass both the raw and the percent-encoded password), each
/// replaced by [`MASK`], as the reports mask the configuration itself.
///
/// The one place the tool searches text for secrets: server and driver messages are text it did
/// not write and has no spans for. Everything from the user's own inputs is masked by span.
pub fn mask(text: &str, secrets: &[&str]) -> String {
    masked(text, secrets).unwrap_or_else(|| WITHHELD.to_owned())
}

/// Below this many characters a secret is not masked inside a text: the text is withheld. A
/// one-letter password replaced everywhere it occurs garbles the text (`B****d Request`), and
/// where the masks fall spells the password out.
pub(crate) const MIN_MASKED_LENGTH: usize = 8;

/// What [`mask`] shows instead of a text that holds a secret too short to mask.
const WITHHELD: &str =
    "(the text is not shown: it holds a credential too short to be masked in it)";

/// `text` with URL credentials and `secrets` masked, or `None` when a secret shorter than
/// [`MIN_MASKED_LENGTH`] occurs in it (after the URLs' own credentials are masked): such a
/// text is not shown at all.
pub(crate) fn masked(text: &str, secrets: &[&str]) -> Option<String> {
    static USERINFO: LazyLock<Regex> = LazyLock::new(|| {
        // `user:password@` or `:password@`, stopping at whitespace and at `/` so that
        // `scheme://` is kept.
        Regex::new(r"[^\s/@:]*:[^\s/@]*@").expect("literal regex compiles")
    });
    // URL passwords as the configuration's own are found (one with an unescaped `/` too),
    // then any `user:password@` left, user name and all.
    let masked = crate::secret::mask_url_secrets(text);
    let mut masked = USERINFO
        .replace_all(&masked, NoExpand(&format!("{MASK}@")))
        .into_owned();
    let mut secrets: Vec<&str> = secrets.iter().copied().filter(|s| !s.is_empty()).collect();
    if secrets
        .iter()
        .any(|secret| secret.chars().count() < MIN_MASKED_LENGTH && masked.contains(secret))
    {
        return None;
    }
    // Longest first, so a secret containing another is hidden whole.
    secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
    for secret in secrets {
        masked = masked.replace(secret, MASK);
    }
    Some(masked)
}

/// The connection budget ([`crate::engine::connections`]): the deployment files' instances
/// and workers where they give them, else `--replicas` and `WEB_CONCURRENCY`.
fn budget(input: &ProbeInput, options: &ProbeOptions, pool_size: i64, max_overflow: i64) -> Budget {
    let instances = input
        .deployment
        .instances
        .clone()
        .unwrap_or_else(|| Count::new(i64::from(options.replicas.max(1)), ""));
    let workers = input.deployment.workers.clone().unwrap_or_else(|| {
        let workers = input
            .web_concurrency
            .as_ref()
            .map(|located| located.value)
            .filter(|&workers| workers > 0)
            .unwrap_or(1);
        Count::new(workers, "")
    });
    Budget {
        instances,
        workers,
        pool_size,
        max_overflow,
    }
}

/// ` (NAME is not set: this is its default)` for the values among `values` that are defaults,
/// i.e. located at `url` itself rather than where the configuration sets them; else nothing.
fn unset_note<T>(values: &[&Located<T>], url: &Located<String>) -> String {
    let unset: Vec<&str> = values
        .iter()
        .filter(|value| value.source == url.source && value.span == url.span)
        .map(|value| value.key.as_str())
        .collect();
    match unset.as_slice() {
        [] => String::new(),
        [one] => format!(" ({one} is not set: this is its default)"),
        many => format!(
            " ({} are not set: these are their defaults)",
            many.join(" and ")
        ),
    }
}

/// A finding pointing at where `located` was written. Its severity and help come from the
/// rule set (`RuleSet::complete`).
fn finding_at<T>(located: &Located<T>, rule: RuleId, message: String) -> Raised {
    Raised::new(rule, message, located.source, located.span.clone()).with_key(located.key.clone())
}

/// The warning that a URL is set but is not one the probe can connect with, so that a probe
/// that did not run is never mistaken for one that passed.
fn skipped_finding(located: &Located<String>, service: &str, needs: &str) -> Raised {
    finding_at(
        located,
        RuleId::ProbeSkipped,
        format!(
            "{service} was not probed: `{}` is not {needs} (a unix-socket URL is fine for the \
             application, but cannot be probed from here)",
            located.key
        ),
    )
}

/// The warning that a configuration names no server at all (`deploycheck probe` on a file
/// without `DATABASE_URL` and `REDIS_URL`): an empty probe report must not read as a pass.
pub fn nothing_to_probe(source: SourceId) -> Raised {
    Raised::new(
        RuleId::ProbeSkipped,
        "nothing was probed: the configuration sets neither `DATABASE_URL` nor `REDIS_URL` (no variable with the role `database-url` or `redis-url`)",
        source,
        0..0,
    )
}

/// The warning that certificate checks were off for a connection that would have made them.
fn insecure_tls_finding<T>(located: &Located<T>, service: &str) -> Raised {
    finding_at(
        located,
        RuleId::ProbeInsecureTls,
        format!(
            "{service} certificate verification was turned off (--probe-insecure); the probe \
             cannot tell whether the application would trust this server"
        ),
    )
}

/// When a probe started now must be over. A timeout too large for the clock means "no limit
/// worth counting": a year.
fn deadline(timeout: Duration) -> tokio::time::Instant {
    let now = tokio::time::Instant::now();
    now.checked_add(timeout)
        .or_else(|| now.checked_add(Duration::from_secs(365 * 24 * 60 * 60)))
        .unwrap_or(now)
}

/// `1 s`, `2.5 s`: how long a timeout was.
pub(crate) fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{secs:.1} s")
    }
}

/// Milliseconds with one decimal, for latencies.
fn milliseconds(duration: Duration) -> String {
    let milliseconds = duration.as_secs_f64() * 1000.0;
    if milliseconds < 1.0 {
        // Loopback and private networks answer in well under a millisecond.
        format!("{milliseconds:.2} ms")
    } else {
        format!("{milliseconds:.1} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_hides_a_url_password_holding_a_slash() {
        let masked = mask(
            "cannot reach postgresql://app:Ab3/xYzQk9==@db.example.com/app",
            &[],
        );
        assert!(!masked.contains("xYzQk9"), "{masked}");
        assert!(!masked.contains("Ab3"), "{masked}");
    }

    #[test]
    fn a_text_holding_a_short_password_is_withheld_not_garbled() {
        // A one-letter password masked in place would read `p****ssword ****uthentic****tion`.
        let text = "password authentication failed for user \"app\"";
        assert_eq!(mask(text, &["a"]), WITHHELD);
        assert_eq!(masked(text, &["a"]), None);
        // Not in the text: shown as it is. Long enough: masked in place.
        assert_eq!(mask(text, &["zq"]), text);
        assert_eq!(
            mask("bad key Xy7#Xy7#Xy7# given", &["Xy7#Xy7#Xy7#"]),
            "bad key **** given"
        );
        // A short password inside a URL is the URL's, masked with it: the text stays.
        assert_eq!(
            mask("cannot reach postgresql://app:a@db:5432/x", &["a"]),
            WITHHELD,
            "`a` is still in `app` and `cannot`"
        );
        assert_eq!(
            mask("no route to postgresql://u:z@db:5432/x", &["z"]),
            "no route to postgresql://****@db:5432/x"
        );
    }

    #[test]
    fn mask_hides_userinfo_in_urls() {
        assert_eq!(
            mask(
                "could not connect to postgresql+asyncpg://app:s3cr%40t@db:5432/x",
                &[]
            ),
            "could not connect to postgresql+asyncpg://****@db:5432/x"
        );
        assert_eq!(
            mask("redis://:hunter2@cache:6379/0", &[]),
            "redis://****@cache:6379/0"
        );
    }

    #[test]
    fn mask_hides_bare_userinfo_and_secrets() {
        assert_eq!(
            mask("login app:pw@host failed", &[]),
            "login ****@host failed"
        );
        assert_eq!(
            mask(
                "server said: password 's3cr@t-9Kq' rejected, s3cr%40t-9Kq too",
                &["s3cr@t-9Kq", "s3cr%40t-9Kq"]
            ),
            "server said: password '****' rejected, **** too"
        );
    }

    #[test]
    fn mask_keeps_innocent_text() {
        let text = "connection refused (os error 111) at 10.0.0.1:5432";
        assert_eq!(mask(text, &["", "zzz"]), text);
        // A user without a password is not a secret.
        assert_eq!(mask("user app@db", &[]), "user app@db");
    }

    #[test]
    fn mask_hides_longest_secret_first() {
        assert_eq!(
            mask("abcdefgh abcdefghijkl", &["abcdefgh", "abcdefghijkl"]),
            "**** ****"
        );
    }

    #[test]
    fn debug_output_hides_url_credentials() {
        let input = ProbeInput {
            database_url: Some(Located {
                value: "postgresql+asyncpg://app:s3cr3t@db/app".into(),
                source: SourceId(0),
                key: "DATABASE_URL".into(),
                span: 0..1,
            }),
            ..ProbeInput::default()
        };
        let mut input = input;
        input.api_checks.push(api::ApiCheck {
            rule: "widget-key-rejected".into(),
            check: crate::rules::HttpCheck {
                url: crate::rules::UrlTemplate::parse("https://api.example.com/?key={value}")
                    .expect("valid"),
                expect_status: 200,
                timeout: None,
            },
            value: Located {
                value: "k3yV4lue".into(),
                source: SourceId(0),
                key: "WIDGET_KEY".into(),
                span: 2..3,
            },
            railway_reference: false,
        });
        let debug = format!("{input:?}");
        assert!(!debug.contains("s3cr3t"), "{debug}");
        assert!(!debug.contains("k3yV4lue"), "{debug}");
        assert!(
            debug.contains("https://api.example.com/?key=****"),
            "{debug}"
        );
        assert!(
            debug.contains("postgresql+asyncpg://****@db/app"),
            "{debug}"
        );
    }

    #[test]
    fn unset_note_names_the_values_located_at_the_url() {
        let url = Located {
            value: "postgresql://app@db/app".to_string(),
            source: SourceId(0),
            key: "DATABASE_URL".into(),
            span: 13..36,
        };
        let at = |key: &str, source: usize, span: Span| Located {
            value: 10_i64,
            source: SourceId(source),
            key: key.into(),
            span,
        };
        let set = at("DB_POOL_SIZE", 0, 50..52);
        let default_pool = at("DB_POOL_SIZE", 0, 13..36);
        let default_overflow = at("DB_MAX_OVERFLOW", 0, 13..36);
        // The same span in another file is not the URL.
        let elsewhere = at("DB_MAX_OVERFLOW", 1, 13..36);
        assert_eq!(unset_note(&[&set, &elsewhere], &url), "");
        assert_eq!(
            unset_note(&[&set, &default_overflow], &url),
            " (DB_MAX_OVERFLOW is not set: this is its default)"
        );
        assert_eq!(
            unset_note(&[&default_pool, &default_overflow], &url),
            " (DB_POOL_SIZE and DB_MAX_OVERFLOW are not set: these are their defaults)"
        );
    }

    #[test]
    fn timeout_phrases() {
        assert_eq!(seconds(Duration::from_secs(3)), "3 s");
        assert_eq!(seconds(Duration::from_millis(2500)), "2.5 s");
    }

    #[test]
    fn latency_phrases() {
        assert_eq!(milliseconds(Duration::from_micros(1500)), "1.5 ms");
        assert_eq!(milliseconds(Duration::from_micros(250)), "0.25 ms");
    }

    #[test]
    fn total_processes_multiplies_replicas_and_workers() {
        let total_processes =
            |input: &ProbeInput, options: &ProbeOptions| budget(input, options, 1, 0).processes();
        let mut input = ProbeInput::default();
        let options = ProbeOptions {
            replicas: 3,
            ..ProbeOptions::default()
        };
        assert_eq!(total_processes(&input, &options), 3);
        input.web_concurrency = Some(Located {
            value: 4,
            source: SourceId(0),
            key: "WEB_CONCURRENCY".into(),
            span: 0..1,
        });
        assert_eq!(total_processes(&input, &options), 12);
        if let Some(located) = input.web_concurrency.as_mut() {
            located.value = 0;
        }
        assert_eq!(total_processes(&input, &options), 3);
        // The deployment files' counts replace --replicas and WEB_CONCURRENCY.
        input.deployment.instances = Some(Count::new(2, "numReplicas = 2 in railway.toml"));
        input.deployment.workers = Some(Count::new(5, "--workers 5 in Dockerfile"));
        assert_eq!(total_processes(&input, &options), 10);
    }
}
