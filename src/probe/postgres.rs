//! The PostgreSQL probe: translate the SQLAlchemy URL the application uses into a
//! `tokio_postgres` connection, connect the way asyncpg would, read a few settings, and turn
//! what happened into findings.
//!
//! TLS modes mirror asyncpg (`asyncpg/connect_utils.py`), whose default is `prefer`:
//! `disable` never encrypts; `allow` tries plain first and TLS if the server refuses plain;
//! `prefer` uses TLS when the server offers it and falls back to plain when the TLS attempt
//! fails; `require` insists on TLS. None of those check the certificate. `verify-ca` checks the
//! chain, `verify-full` the chain and the host name. `ssl=true` means what Python's `ssl=True`
//! means to asyncpg: a default SSL context, which verifies fully. libpq's `sslmode=` is read
//! the same way, for `postgresql+psycopg2://` and plain `postgresql://` URLs.
//!
//! Only `SELECT`s run; nothing is written, not even a session setting.

use std::cell::Cell;
use std::error::Error as _;
use std::net::IpAddr;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout_at};
use tokio_postgres::config::SslMode as DriverSslMode;
use tokio_postgres::error::SqlState;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::{Client, SimpleQueryMessage};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::net::{self, ConnectFailure, Stage, endpoint};
use super::tls::{TlsSettings, Verification};
use super::url_parts::{self, decode};
use super::{
    Located, Migrations, ProbeInput, ProbeOptions, budget, finding_at, insecure_tls_finding, mask,
    milliseconds, seconds, skipped_finding, unset_note,
};
use crate::finding::Label;
use crate::host::{is_private_address, is_private_host};
use crate::manifest::alembic::VersionTable;
use crate::rules::{Raised, RuleId};

const DEFAULT_PORT: u16 = 5432;

/// asyncpg's and libpq's TLS modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().replace('_', "-").as_str() {
            "disable" | "false" | "0" | "no" | "off" => Some(SslMode::Disable),
            "allow" => Some(SslMode::Allow),
            "prefer" => Some(SslMode::Prefer),
            "require" => Some(SslMode::Require),
            "verify-ca" => Some(SslMode::VerifyCa),
            "verify-full" | "true" | "1" | "yes" | "on" => Some(SslMode::VerifyFull),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    fn verification(self) -> Verification {
        match self {
            SslMode::VerifyCa => Verification::Chain,
            SslMode::VerifyFull => Verification::Full,
            _ => Verification::None,
        }
    }
}

/// Everything needed to connect, decoded from the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PostgresTarget {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) user: String,
    pub(crate) password: Option<String>,
    /// The password as written in the URL (still percent-encoded), for masking.
    pub(crate) password_as_written: Option<String>,
    pub(crate) dbname: String,
    pub(crate) ssl_mode: SslMode,
}

impl PostgresTarget {
    fn secrets(&self) -> Vec<&str> {
        [&self.password, &self.password_as_written]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect()
    }

    fn endpoint(&self) -> String {
        endpoint(&self.host, self.port)
    }
}

/// Translate a SQLAlchemy (or libpq) URL. `None` when it is not a PostgreSQL URL or lacks a
/// TCP host, a user or a known TLS mode; the configuration rules report those.
pub(crate) fn parse_database_url(text: &str) -> Option<PostgresTarget> {
    let url = crate::secret::parse_client_url(text.trim()).ok()?;
    let scheme = url.scheme().to_ascii_lowercase();
    let dialect = scheme.split('+').next().unwrap_or_default();
    if dialect != "postgresql" && dialect != "postgres" {
        return None;
    }
    let host = url_parts::host(&url)?;
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let query_value = |name: &str| {
        query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let user = match decode(url.username())? {
        user if user.is_empty() => query_value("user")?,
        user => user,
    };
    if user.is_empty() {
        return None;
    }
    let (password, password_as_written) = match url.password() {
        Some(written) => (Some(decode(written)?), Some(written.to_string())),
        None => (query_value("password"), None),
    };
    let dbname = match decode(url.path().trim_start_matches('/'))? {
        name if name.is_empty() => user.clone(),
        name => name,
    };
    // asyncpg gives its `ssl` argument precedence over `sslmode` from the DSN.
    let ssl_mode = match query_value("ssl").or_else(|| query_value("sslmode")) {
        Some(mode) => SslMode::parse(&mode)?,
        None => SslMode::Prefer,
    };
    Some(PostgresTarget {
        host,
        port: url.port().unwrap_or(DEFAULT_PORT),
        user,
        password,
        password_as_written,
        dbname,
        ssl_mode,
    })
}

/// Why a session could not be had.
#[derive(Debug)]
enum Failure {
    Connect(ConnectFailure),
    TimedOut(Stage),
    Tls(String),
    Auth {
        reason: String,
        /// `pg_hba.conf` refused this kind of connection (e.g. plain when TLS is required).
        host_based: bool,
    },
    DatabaseMissing(String),
    /// The server answered with something else (too many clients, shutting down, ...).
    Other(String),
}

/// What the server told us.
#[derive(Debug, Default)]
struct Facts {
    version: Option<String>,
    max_connections: Option<i64>,
    superuser_reserved: Option<i64>,
    /// PostgreSQL 16's `reserved_connections` (for roles with `pg_use_reserved_connections`).
    reserved: Option<i64>,
    statement_timeout: Option<String>,
    encrypted: Option<bool>,
    latency: Option<Duration>,
    /// A settings query the server refused; the session itself worked.
    query_error: Option<String>,
}

struct Session {
    client: Client,
    connection: JoinHandle<Result<(), tokio_postgres::Error>>,
    link: Link,
}

/// How the session's connection was made.
#[derive(Debug, Clone, Copy)]
struct Link {
    /// The address actually connected to.
    peer: Option<IpAddr>,
    /// Whether TLS was asked for on this connection.
    tls_attempted: bool,
}

/// Probe `input.database_url`, if it is there and understood.
pub(crate) async fn probe(
    input: &ProbeInput,
    options: &ProbeOptions,
    tls: &TlsSettings,
) -> Vec<Raised> {
    let Some(located) = &input.database_url else {
        return Vec::new();
    };
    let Some(target) = parse_database_url(&located.value) else {
        return vec![skipped_finding(
            located,
            "PostgreSQL",
            "a PostgreSQL URL with a TCP host, a user and a known ssl mode",
        )];
    };
    let deadline = super::deadline(options.timeout);
    let stage = Cell::new(Stage::Resolving);
    let outcome = match timeout_at(deadline, start_session(&target, tls, &stage)).await {
        Ok(Ok(session)) => match timeout_at(deadline, async {
            let facts = read_facts(&session.client, &stage).await;
            let versions = match &input.migrations {
                Some(migrations) => {
                    Some(read_versions(&session.client, &migrations.version_table).await)
                }
                None => None,
            };
            (facts, versions)
        })
        .await
        {
            Ok(facts) => Ok((facts, session)),
            Err(_) => Err(Failure::TimedOut(stage.get())),
        },
        Ok(Err(failure)) => Err(failure),
        Err(_) => Err(Failure::TimedOut(stage.get())),
    };

    let mut findings = Vec::new();
    if tls.insecure && target.ssl_mode.verification() != Verification::None {
        findings.push(insecure_tls_finding(located, "PostgreSQL"));
    }
    match outcome {
        Ok(((facts, versions), session)) => {
            findings.extend(session_findings(
                input,
                options,
                located,
                &target,
                &facts,
                session.link,
            ));
            if let (Some(migrations), Some(versions)) = (&input.migrations, versions) {
                findings.extend(migration_findings(located, &target, migrations, &versions));
            }
            let Session {
                client, connection, ..
            } = session;
            // Dropping the client makes the connection send Terminate and finish.
            drop(client);
            let _ = timeout_at(deadline, connection).await;
        }
        Err(failure) => findings.push(failure_finding(located, &target, options, failure)),
    }
    findings
}

/// Connect as the URL's TLS mode says, with asyncpg's fallbacks for `allow` and `prefer`.
async fn start_session(
    target: &PostgresTarget,
    tls: &TlsSettings,
    stage: &Cell<Stage>,
) -> Result<Session, Failure> {
    let verification = target.ssl_mode.verification();
    match target.ssl_mode {
        SslMode::Disable => connect(target, DriverSslMode::Disable, verification, tls, stage).await,
        SslMode::Allow => {
            match connect(target, DriverSslMode::Disable, verification, tls, stage).await {
                Err(Failure::Auth {
                    host_based: true, ..
                }) => connect(target, DriverSslMode::Require, verification, tls, stage).await,
                other => other,
            }
        }
        SslMode::Prefer => {
            match connect(target, DriverSslMode::Prefer, verification, tls, stage).await {
                Err(Failure::Tls(_)) => {
                    connect(target, DriverSslMode::Disable, verification, tls, stage).await
                }
                other => other,
            }
        }
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
            connect(target, DriverSslMode::Require, verification, tls, stage).await
        }
    }
}

async fn connect(
    target: &PostgresTarget,
    mode: DriverSslMode,
    verification: Verification,
    tls: &TlsSettings,
    stage: &Cell<Stage>,
) -> Result<Session, Failure> {
    let stream = net::connect_tcp(&target.host, target.port, stage)
        .await
        .map_err(Failure::Connect)?;
    let peer = stream.peer_addr().ok().map(|address| address.ip());
    stage.set(Stage::StartingSession);

    let mut config = tokio_postgres::Config::new();
    config
        .host(&target.host)
        .port(target.port)
        .user(&target.user)
        .dbname(&target.dbname)
        .application_name("deploycheck")
        .ssl_mode(mode);
    if let Some(password) = &target.password {
        config.password(password);
    }
    let mut make_tls = MakeRustlsConnect::new((*tls.client_config(verification)).clone());
    let connector = match MakeTlsConnect::<TcpStream>::make_tls_connect(&mut make_tls, &target.host)
    {
        Ok(connector) => connector,
        Err(never) => match never {},
    };
    let (client, connection) = config
        .connect_raw(stream, connector)
        .await
        .map_err(|error| classify(&error, &target.secrets()))?;
    Ok(Session {
        client,
        connection: tokio::spawn(connection),
        link: Link {
            peer,
            tls_attempted: mode != DriverSslMode::Disable,
        },
    })
}

/// Sort a driver error into a [`Failure`]. tokio-postgres keeps its error kinds private, so
/// TLS and authentication errors are told apart by their fixed descriptions.
fn classify(error: &tokio_postgres::Error, secrets: &[&str]) -> Failure {
    if let Some(db_error) = error.as_db_error() {
        let reason = mask(db_error.message(), secrets);
        let code = db_error.code();
        return if *code == SqlState::INVALID_PASSWORD {
            Failure::Auth {
                reason,
                host_based: false,
            }
        } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
            Failure::Auth {
                reason,
                host_based: true,
            }
        } else if *code == SqlState::INVALID_CATALOG_NAME {
            Failure::DatabaseMissing(reason)
        } else {
            Failure::Other(format!("{} ({})", reason, code.code()))
        };
    }
    let summary = error.to_string();
    let cause = error
        .source()
        .map(|cause| mask(&cause.to_string(), secrets));
    let detail = cause.clone().unwrap_or_else(|| summary.clone());
    match summary.as_str() {
        "error performing TLS handshake" => Failure::Tls(detail),
        "authentication error" => Failure::Auth {
            reason: detail,
            host_based: false,
        },
        _ => Failure::Other(match cause {
            Some(cause) => format!("{summary}: {cause}"),
            None => summary,
        }),
    }
}

const FACTS_QUERY: &str = "SELECT current_setting('server_version'), \
     current_setting('max_connections'), \
     current_setting('superuser_reserved_connections'), \
     current_setting('reserved_connections', true), \
     current_setting('statement_timeout'), \
     (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid())";

async fn read_facts(client: &Client, stage: &Cell<Stage>) -> Facts {
    stage.set(Stage::Querying);
    let mut facts = Facts::default();
    let started = Instant::now();
    if client.simple_query("SELECT 1").await.is_ok() {
        facts.latency = Some(started.elapsed());
    }
    match client.simple_query(FACTS_QUERY).await {
        Ok(messages) => {
            if let Some(row) = messages.iter().find_map(|message| match message {
                SimpleQueryMessage::Row(row) => Some(row),
                _ => None,
            }) {
                let text = |index: usize| row.get(index).map(str::to_string);
                let number = |index: usize| row.get(index).and_then(|value| value.parse().ok());
                facts.version = text(0);
                facts.max_connections = number(1);
                facts.superuser_reserved = number(2);
                facts.reserved = number(3);
                facts.statement_timeout = text(4);
                facts.encrypted = row.get(5).map(|value| value == "t");
            }
        }
        Err(error) => {
            facts.query_error = Some(match error.as_db_error() {
                Some(db_error) => db_error.message().to_string(),
                None => error.to_string(),
            });
        }
    }
    facts
}

/// What the database's version table holds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Versions {
    /// No such table.
    Missing,
    /// The revisions in it (none: at base).
    At(Vec<String>),
    /// The query failed otherwise (no privilege on the table).
    Unreadable(String),
}

/// A name as a PostgreSQL identifier, quoted (SQLAlchemy quotes only names that need it, and a
/// quoted lower-case name is the same name).
fn quoted_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `SELECT version_num FROM alembic_version`, in the schema `env.py` names, else on the
/// search path as Alembic looks it up.
async fn read_versions(client: &Client, table: &VersionTable) -> Versions {
    let name = match &table.schema {
        Some(schema) => format!(
            "{}.{}",
            quoted_identifier(schema),
            quoted_identifier(&table.name)
        ),
        None => quoted_identifier(&table.name),
    };
    match client
        .simple_query(&format!("SELECT version_num FROM {name}"))
        .await
    {
        Ok(messages) => {
            let mut versions: Vec<String> = messages
                .iter()
                .filter_map(|message| match message {
                    SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
                    _not_a_row => None,
                })
                .collect();
            versions.sort();
            versions.dedup();
            Versions::At(versions)
        }
        Err(error) => match error.as_db_error() {
            Some(db_error)
                if *db_error.code() == SqlState::UNDEFINED_TABLE
                    || *db_error.code() == SqlState::INVALID_SCHEMA_NAME =>
            {
                Versions::Missing
            }
            Some(db_error) => Versions::Unreadable(db_error.message().to_owned()),
            None => Versions::Unreadable(error.to_string()),
        },
    }
}

/// `` `a`, `b` and 3 more ``: revision ids for a message (they are no secret).
fn revision_list(ids: &[&str]) -> String {
    const SHOWN: usize = 5;
    let quoted: Vec<String> = ids.iter().take(SHOWN).map(|id| format!("`{id}`")).collect();
    let mut text = quoted.join(", ");
    if ids.len() > SHOWN {
        text.push_str(&format!(" and {} more", ids.len() - SHOWN));
    }
    text
}

/// The database's Alembic revisions against the code's history.
fn migration_findings(
    located: &Located<String>,
    target: &PostgresTarget,
    migrations: &Migrations,
    versions: &Versions,
) -> Vec<Raised> {
    let graph = &migrations.graph;
    let table = match &migrations.version_table.schema {
        Some(schema) => format!("{schema}.{}", migrations.version_table.name),
        None => migrations.version_table.name.clone(),
    };
    let database = format!("database `{}` at {}", target.dbname, target.endpoint());
    let heads: Vec<&str> = graph
        .heads()
        .into_iter()
        .map(|head| graph.revisions[head].id.as_str())
        .collect();
    let current = match versions {
        Versions::Missing => {
            let uncertain = if migrations.version_table.uncertain {
                " (env.py names its version table with a value deploycheck cannot read; this \
                 is the default)"
            } else {
                ""
            };
            return vec![finding_at(
                located,
                RuleId::ProbeMigrationsTableMissing,
                format!(
                    "{database} has no `{table}` table{uncertain}: Alembic never migrated it; \
                     `alembic upgrade heads` would apply all {} revisions of {}",
                    graph.revisions.len(),
                    migrations.location
                ),
            )];
        }
        Versions::Unreadable(reason) => {
            return vec![finding_at(
                located,
                RuleId::ProbeSkipped,
                format!(
                    "the migrations of {database} were not compared: `{table}` cannot be read: {}",
                    mask(reason, &target.secrets())
                ),
            )];
        }
        Versions::At(current) => current,
    };
    // A script that could not be read may be the one declaring the database's revision; a
    // broken chain or a duplicated id stops Alembic before any upgrade (the static rules say
    // why): there is no upgrade to count.
    if !migrations.complete || !graph.missing().is_empty() || !graph.duplicates().is_empty() {
        return Vec::new();
    }
    let pending = match graph.pending(current) {
        Ok(pending) => pending,
        Err(unknown) => {
            let ids: Vec<&str> = unknown.iter().map(String::as_str).collect();
            return vec![finding_at(
                located,
                RuleId::ProbeMigrationsUnknownRevision,
                format!(
                    "{database} is at revision {}, which no script in {} declares: the code \
                     being deployed does not have it, and `alembic upgrade` stops with \
                     \"Can't locate revision\"",
                    revision_list(&ids),
                    migrations.location
                ),
            )];
        }
    };
    if pending.is_empty() {
        return Vec::new();
    }
    // Oldest first: fewer ancestors, then load order.
    let mut ordered: Vec<(usize, usize)> = pending
        .iter()
        .map(|index| (graph.ancestors(&[*index], true).len(), *index))
        .collect();
    ordered.sort_unstable();
    let ids: Vec<&str> = ordered
        .iter()
        .map(|(_, index)| graph.revisions[*index].id.as_str())
        .collect();
    let at = if current.is_empty() {
        "has no revision yet (an empty version table)".to_owned()
    } else {
        let current: Vec<&str> = current.iter().map(String::as_str).collect();
        format!("is at {}", revision_list(&current))
    };
    let heads_text = match heads.as_slice() {
        [one] => format!("head `{one}`"),
        several => format!("heads {}", revision_list(several)),
    };
    let count = pending.len();
    let revisions = if count == 1 { "revision" } else { "revisions" };
    let stated = format!(
        "{database} {at}: `alembic upgrade heads` would apply {count} {revisions} ({}) up to \
         {heads_text}",
        revision_list(&ids)
    );
    match &migrations.upgrade {
        Some(runner) => vec![
            finding_at(
                located,
                RuleId::ProbeMigrationsPending,
                format!("{stated}, which {runner} runs on deploy"),
            )
            .milder_by(2),
        ],
        None => vec![finding_at(
            located,
            RuleId::ProbeMigrationsPending,
            format!(
                "{stated}, and neither a start command nor Railway's `preDeployCommand` runs \
                 `alembic upgrade`: the new code would run against the old schema"
            ),
        )],
    }
}

fn session_findings(
    input: &ProbeInput,
    options: &ProbeOptions,
    located: &Located<String>,
    target: &PostgresTarget,
    facts: &Facts,
    link: Link,
) -> Vec<Raised> {
    let mut findings = Vec::new();
    let server = target.endpoint();
    // When the server could not say, what we negotiated is the best answer there is.
    let encrypted = facts.encrypted.or(match target.ssl_mode {
        SslMode::Disable => Some(false),
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => Some(true),
        SslMode::Allow | SslMode::Prefer if !link.tls_attempted => Some(false),
        SslMode::Allow | SslMode::Prefer => None,
    });

    let unknown = || "unknown".to_string();
    let mut info = format!(
        "PostgreSQL {} at {server}: max_connections {}, {} reserved for superusers",
        facts.version.clone().unwrap_or_else(unknown),
        facts
            .max_connections
            .map_or_else(unknown, |n| n.to_string()),
        facts
            .superuser_reserved
            .map_or_else(unknown, |n| n.to_string()),
    );
    if let Some(reserved) = facts.reserved.filter(|&reserved| reserved > 0) {
        info.push_str(&format!(
            ", {reserved} reserved for pg_use_reserved_connections"
        ));
    }
    info.push_str(&format!(
        ", TLS {}, statement_timeout {}",
        match encrypted {
            Some(true) => "on",
            Some(false) => "off",
            None => "unknown",
        },
        facts.statement_timeout.clone().unwrap_or_else(unknown),
    ));
    if let Some(latency) = facts.latency {
        info.push_str(&format!(", round trip {}", milliseconds(latency)));
    }
    if let Some(error) = &facts.query_error {
        info.push_str(&format!(
            " (settings could not be read: {})",
            mask(error, &target.secrets())
        ));
    }
    findings.push(finding_at(located, RuleId::ProbePostgresInfo, info));

    let private = is_private_host(&target.host) || link.peer.is_some_and(is_private_address);
    if encrypted == Some(false) && !private {
        findings.push(finding_at(
            located,
            RuleId::ProbePostgresUnencrypted,
            format!(
                "the connection to PostgreSQL at {server} is not encrypted, and the host is not on \
                 a private network (ssl mode `{}`)",
                target.ssl_mode.as_str()
            ),
        ));
    }

    if let Some(finding) = pool_finding(input, options, located, facts) {
        findings.push(finding);
    }
    findings
}

/// `(DB_POOL_SIZE + DB_MAX_OVERFLOW) × processes` against the connections the server grants
/// ordinary roles.
fn pool_finding(
    input: &ProbeInput,
    options: &ProbeOptions,
    located_url: &Located<String>,
    facts: &Facts,
) -> Option<Raised> {
    let max_connections = facts.max_connections?;
    let pool_size = input.db_pool_size.as_ref()?;
    let max_overflow = input.db_max_overflow.as_ref()?;
    if pool_size.value < 0 || max_overflow.value < 0 {
        return None;
    }
    let reserved =
        facts.superuser_reserved.unwrap_or(0).max(0) + facts.reserved.unwrap_or(0).max(0);
    let available = max_connections - reserved;
    let budget = budget(input, options, pool_size.value, max_overflow.value);
    let processes = budget.processes();
    let total = budget.total()?;
    if total <= available {
        return None;
    }
    let mut finding = finding_at(
        pool_size,
        RuleId::ProbePoolExceedsMaxConnections,
        format!(
            "the pools may open {total} connections ((DB_POOL_SIZE {} + DB_MAX_OVERFLOW {}) × \
             {processes} process{}), but PostgreSQL allows {available} \
             (max_connections {max_connections} − {reserved} reserved){}",
            pool_size.value,
            max_overflow.value,
            if processes == 1 { "" } else { "es" },
            unset_note(&[pool_size, max_overflow], located_url),
        ),
    );
    // Defaults point at the URL; label each place only once.
    for (source, span, text) in [
        (max_overflow.source, &max_overflow.span, "DB_MAX_OVERFLOW"),
        (
            located_url.source,
            &located_url.span,
            "the server named here",
        ),
    ] {
        let seen = (source == pool_size.source && *span == pool_size.span)
            || finding
                .labels
                .iter()
                .any(|label| label.source == source && label.span == *span);
        if !seen {
            finding.labels.push(Label {
                source,
                span: span.clone(),
                text: text.to_string(),
            });
        }
    }
    Some(finding)
}

fn failure_finding(
    located: &Located<String>,
    target: &PostgresTarget,
    options: &ProbeOptions,
    failure: Failure,
) -> Raised {
    let server = target.endpoint();
    match failure {
        Failure::Connect(failure) => finding_at(
            located,
            RuleId::ProbePostgresUnreachable,
            format!(
                "PostgreSQL at {server} is unreachable: {}",
                mask(
                    &failure.describe(&target.host, target.port),
                    &target.secrets()
                )
            ),
        ),
        Failure::TimedOut(stage) => finding_at(
            located,
            RuleId::ProbePostgresUnreachable,
            format!(
                "PostgreSQL at {server} is unreachable: timed out after {} while {}",
                seconds(options.timeout),
                stage.describe()
            ),
        ),
        Failure::Other(reason) => finding_at(
            located,
            RuleId::ProbePostgresUnreachable,
            format!("PostgreSQL at {server} refused the session: {reason}"),
        ),
        Failure::Tls(reason) => finding_at(
            located,
            RuleId::ProbePostgresTlsFailed,
            format!(
                "TLS with PostgreSQL at {server} failed (ssl mode `{}`): {reason}",
                target.ssl_mode.as_str()
            ),
        ),
        Failure::Auth { reason, .. } => finding_at(
            located,
            RuleId::ProbePostgresAuthFailed,
            format!(
                "PostgreSQL at {server} rejected user `{}`: {reason}",
                target.user
            ),
        ),
        Failure::DatabaseMissing(reason) => finding_at(
            located,
            RuleId::ProbePostgresDatabaseMissing,
            format!(
                "database `{}` does not exist on PostgreSQL at {server}: {reason}",
                target.dbname
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> PostgresTarget {
        parse_database_url(text).unwrap_or_else(|| panic!("{text} should parse"))
    }

    #[test]
    fn asyncpg_url_with_defaults() {
        let target = parse("postgresql+asyncpg://app:pw@db.example.com/appdb");
        assert_eq!(target.host, "db.example.com");
        assert_eq!(target.port, 5432);
        assert_eq!(target.user, "app");
        assert_eq!(target.password.as_deref(), Some("pw"));
        assert_eq!(target.dbname, "appdb");
        // asyncpg's default.
        assert_eq!(target.ssl_mode, SslMode::Prefer);
    }

    #[test]
    fn schemes() {
        for scheme in [
            "postgresql",
            "postgres",
            "postgresql+asyncpg",
            "postgresql+psycopg2",
            "postgresql+psycopg",
            "POSTGRESQL+ASYNCPG",
        ] {
            let target = parse(&format!("{scheme}://u:p@h:6543/d"));
            assert_eq!((target.host.as_str(), target.port), ("h", 6543));
        }
        for other in [
            "mysql://u:p@h/d",
            "redis://h",
            "sqlite:///x.db",
            "not a url",
        ] {
            assert_eq!(parse_database_url(other), None, "{other}");
        }
    }

    #[test]
    fn asyncpg_ssl_modes() {
        for (value, mode) in [
            ("disable", SslMode::Disable),
            ("allow", SslMode::Allow),
            ("prefer", SslMode::Prefer),
            ("require", SslMode::Require),
            ("verify-ca", SslMode::VerifyCa),
            ("verify-full", SslMode::VerifyFull),
            ("verify_full", SslMode::VerifyFull),
            ("true", SslMode::VerifyFull),
            ("false", SslMode::Disable),
            ("REQUIRE", SslMode::Require),
        ] {
            let target = parse(&format!("postgresql+asyncpg://u:p@h/d?ssl={value}"));
            assert_eq!(target.ssl_mode, mode, "ssl={value}");
        }
        assert_eq!(
            parse_database_url("postgresql+asyncpg://u:p@h/d?ssl=maybe"),
            None
        );
    }

    #[test]
    fn ssl_modes_verify_as_asyncpg_does() {
        assert_eq!(SslMode::Prefer.verification(), Verification::None);
        assert_eq!(SslMode::Require.verification(), Verification::None);
        assert_eq!(SslMode::VerifyCa.verification(), Verification::Chain);
        assert_eq!(SslMode::VerifyFull.verification(), Verification::Full);
    }

    #[test]
    fn libpq_sslmode_and_precedence() {
        let target = parse("postgresql://u:p@h/d?sslmode=verify-ca");
        assert_eq!(target.ssl_mode, SslMode::VerifyCa);
        let target = parse("postgresql://u:p@h/d?sslmode=disable&ssl=require");
        assert_eq!(target.ssl_mode, SslMode::Require);
    }

    #[test]
    fn percent_encoded_credentials() {
        let target = parse("postgresql+asyncpg://my%20user:p%40ss%3Aw%2Fo%25rd@h/my%2Ddb");
        assert_eq!(target.user, "my user");
        assert_eq!(target.password.as_deref(), Some("p@ss:w/o%rd"));
        assert_eq!(
            target.password_as_written.as_deref(),
            Some("p%40ss%3Aw%2Fo%25rd")
        );
        assert_eq!(target.dbname, "my-db");
    }

    #[test]
    fn ipv6_hosts() {
        let target = parse("postgresql+asyncpg://u:p@[::1]:5433/d");
        assert_eq!(target.host, "::1");
        assert_eq!(target.port, 5433);
        assert_eq!(target.endpoint(), "[::1]:5433");
        let target = parse("postgresql://u:p@[fd00::5]/d");
        assert_eq!(target.host, "fd00::5");
    }

    #[test]
    fn missing_parts() {
        // No host: a Unix socket or nothing at all; nothing to probe over TCP.
        assert_eq!(parse_database_url("postgresql+asyncpg:///db"), None);
        assert_eq!(
            parse_database_url("postgresql+asyncpg://u:p@/db?host=/var/run/postgresql"),
            None
        );
        // No user.
        assert_eq!(parse_database_url("postgresql://db.example.com/db"), None);
        // The user from the query, as libpq allows; the database defaults to the user.
        let target = parse("postgresql://db.example.com?user=app&password=pw");
        assert_eq!(target.user, "app");
        assert_eq!(target.password.as_deref(), Some("pw"));
        assert_eq!(target.dbname, "app");
        // Bad port.
        assert_eq!(parse_database_url("postgresql://u:p@h:99999/d"), None);
    }

    #[test]
    fn secrets_cover_both_spellings() {
        let target = parse("postgresql://u:p%40ss@h/d");
        assert_eq!(target.secrets(), vec!["p@ss", "p%40ss"]);
    }

    fn located<T>(value: T, key: &str, start: usize) -> Located<T> {
        Located {
            value,
            source: crate::source::SourceId(0),
            key: key.to_string(),
            span: start..start + 1,
        }
    }

    fn facts(encrypted: Option<bool>) -> Facts {
        Facts {
            version: Some("16.4".into()),
            max_connections: Some(100),
            superuser_reserved: Some(3),
            reserved: Some(2),
            statement_timeout: Some("30s".into()),
            encrypted,
            latency: Some(Duration::from_micros(1500)),
            query_error: None,
        }
    }

    fn findings_for(
        url: &str,
        facts: &Facts,
        peer: Option<&str>,
        input: &ProbeInput,
    ) -> Vec<String> {
        let located_url = located(url.to_string(), "DATABASE_URL", 0);
        let link = Link {
            peer: peer.map(|address| address.parse().expect("test address")),
            tls_attempted: true,
        };
        session_findings(
            input,
            &ProbeOptions::default(),
            &located_url,
            &parse(url),
            facts,
            link,
        )
        .into_iter()
        .map(|finding| format!("{}: {}", finding.rule, finding.message))
        .collect()
    }

    #[test]
    fn info_lists_the_facts() {
        let input = ProbeInput::default();
        let findings = findings_for(
            "postgresql://u:p@db.example.com/d",
            &facts(Some(true)),
            None,
            &input,
        );
        assert_eq!(
            findings,
            [
                "probe-postgres-info: PostgreSQL 16.4 at db.example.com:5432: max_connections 100, \
              3 reserved for superusers, 2 reserved for pg_use_reserved_connections, TLS on, \
              statement_timeout 30s, round trip 1.5 ms"
            ]
        );
    }

    #[test]
    fn unencrypted_only_matters_off_private_networks() {
        let input = ProbeInput::default();
        let plain = facts(Some(false));
        let warned = |url: &str, peer: Option<&str>| {
            findings_for(url, &plain, peer, &input)
                .iter()
                .any(|finding| finding.starts_with("probe-postgres-unencrypted"))
        };
        assert!(warned(
            "postgresql://u:p@db.example.com/d",
            Some("203.0.113.7")
        ));
        assert!(warned("postgresql://u:p@203.0.113.7/d", None));
        assert!(!warned(
            "postgresql://u:p@postgres.railway.internal/d",
            None
        ));
        assert!(!warned("postgresql://u:p@10.0.0.5/d", None));
        // A name that resolved to a private address.
        assert!(!warned("postgresql://u:p@db/d", Some("172.18.0.2")));
        assert!(!warned(
            "postgresql://u:p@db.example.com/d",
            Some("172.18.0.2")
        ));
        // A single-label name is a service on the private network, whatever it resolved to.
        assert!(!warned("postgresql://u:p@db/d", Some("203.0.113.7")));
        // Encrypted, or unknown: nothing to say.
        assert!(
            !findings_for(
                "postgresql://u:p@db.example.com/d",
                &facts(Some(true)),
                None,
                &input
            )
            .iter()
            .any(|finding| finding.starts_with("probe-postgres-unencrypted"))
        );
        assert!(
            !findings_for(
                "postgresql://u:p@db.example.com/d",
                &facts(None),
                None,
                &input
            )
            .iter()
            .any(|finding| finding.starts_with("probe-postgres-unencrypted"))
        );
        // Unknown from the server, but `ssl=disable` says plain.
        assert!(
            findings_for(
                "postgresql://u:p@db.example.com/d?ssl=disable",
                &facts(None),
                None,
                &input
            )
            .iter()
            .any(|finding| finding.starts_with("probe-postgres-unencrypted"))
        );
    }

    #[test]
    fn pool_counts_every_reservation() {
        // 100 − 3 − 2 = 95 available.
        let mut input = ProbeInput {
            db_pool_size: Some(located(45, "DB_POOL_SIZE", 10)),
            db_max_overflow: Some(located(50, "DB_MAX_OVERFLOW", 20)),
            ..ProbeInput::default()
        };
        let located_url = located(String::new(), "DATABASE_URL", 0);
        let options = ProbeOptions::default();
        assert!(pool_finding(&input, &options, &located_url, &facts(None)).is_none());
        input.db_max_overflow = Some(located(51, "DB_MAX_OVERFLOW", 20));
        let finding = pool_finding(&input, &options, &located_url, &facts(None))
            .expect("96 > 95 must be reported");
        assert!(finding.message.contains("allows 95"), "{}", finding.message);
        // Negative values are the configuration rules' business.
        input.db_max_overflow = Some(located(-1, "DB_MAX_OVERFLOW", 20));
        assert!(pool_finding(&input, &options, &located_url, &facts(None)).is_none());
    }
}
