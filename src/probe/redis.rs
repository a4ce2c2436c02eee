//! The Redis probe: a minimal RESP2 client over tokio (and tokio-rustls for `rediss://`) that
//! authenticates, selects the database, and reads the version and `maxclients`.
//!
//! Why not the `redis` crate: the probe must tell DNS failure, refused connection, timeout,
//! TLS failure and rejected credentials apart, and the crate folds those into broad error
//! kinds; it must use the same rustls configuration as the PostgreSQL probe (ring provider,
//! `--probe-ca` roots, `--probe-insecure`); and current releases need a newer Rust than this
//! crate's minimum. The probe sends five commands (`AUTH`, `SELECT`, `PING`, `INFO`,
//! `CONFIG GET`), which need a few dozen lines of protocol.
//!
//! URL handling follows redis-py, which the application uses: `redis://[[user]:password@]host
//! [:port][/db]`, `rediss://` for TLS with the certificate and host name checked unless
//! `ssl_cert_reqs=none` (or `ssl_check_hostname=false` for the name alone), `?db=N`.

use std::cell::Cell;
use std::io;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufStream};
use tokio::time::{Instant, timeout_at};
use tokio_rustls::TlsConnector;

use super::net::{self, ConnectFailure, Stage, endpoint};
use super::tls::{TlsSettings, Verification};
use super::url_parts::{self, decode};
use super::{
    Located, ProbeInput, ProbeOptions, budget, finding_at, insecure_tls_finding, mask,
    milliseconds, seconds, skipped_finding, unset_note,
};
use crate::rules::{Raised, RuleId};

const DEFAULT_PORT: u16 = 6379;
/// No reply the probe asks for comes near this; a bigger one means a confused peer.
const MAX_REPLY_BYTES: u64 = 4 * 1024 * 1024;

/// Everything needed to connect, decoded from the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RedisTarget {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) username: Option<String>,
    pub(crate) password: Option<String>,
    pub(crate) password_as_written: Option<String>,
    pub(crate) database: u32,
    /// `None` for `redis://`.
    pub(crate) tls: Option<Verification>,
}

impl RedisTarget {
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

/// Decode a `redis://` or `rediss://` URL; `None` for anything else or a malformed one.
pub(crate) fn parse_redis_url(text: &str) -> Option<RedisTarget> {
    let url = crate::secret::parse_client_url(text.trim()).ok()?;
    let secure = match url.scheme().to_ascii_lowercase().as_str() {
        "redis" | "valkey" => false,
        "rediss" | "valkeys" => true,
        _ => return None,
    };
    let host = url_parts::host(&url)?;
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let query_value = |name: &str| {
        query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.to_ascii_lowercase())
    };
    let username = Some(decode(url.username())?).filter(|name| !name.is_empty());
    let (password, password_as_written) = match url.password() {
        Some(written) => (Some(decode(written)?), Some(written.to_string())),
        None => (None, None),
    };
    let path = url.path().trim_start_matches('/');
    let database = if !path.is_empty() {
        path.parse().ok()?
    } else if let Some(db) = query_value("db") {
        db.parse().ok()?
    } else {
        0
    };
    let tls = secure.then(|| {
        if query_value("ssl_cert_reqs").is_some_and(|reqs| reqs == "none") {
            Verification::None
        } else if query_value("ssl_check_hostname")
            .is_some_and(|check| matches!(check.as_str(), "false" | "0" | "no" | "off"))
        {
            Verification::Chain
        } else {
            Verification::Full
        }
    });
    Some(RedisTarget {
        host,
        port: url.port().unwrap_or(DEFAULT_PORT),
        username,
        password,
        password_as_written,
        database,
        tls,
    })
}

/// One RESP2 reply other than an error (that is a [`RespError::Server`]); arrays hold scalars
/// only, which is all the probe's commands return.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reply {
    Simple(String),
    Integer(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
}

impl Reply {
    fn text(&self) -> Option<String> {
        match self {
            Reply::Simple(text) => Some(text.clone()),
            Reply::Bulk(Some(bytes)) => Some(String::from_utf8_lossy(bytes).into_owned()),
            Reply::Integer(number) => Some(number.to_string()),
            _ => None,
        }
    }
}

/// Why one command got no usable reply.
#[derive(Debug, thiserror::Error)]
enum RespError {
    /// The server answered with an error reply.
    #[error("{0}")]
    Server(ServerError),
    /// What came back is no reply this client reads: not RESP at all (a TLS port, another
    /// protocol), or malformed, or too large.
    #[error("{0}")]
    Protocol(String),
    /// Writing the command failed.
    #[error("{0}")]
    Send(#[source] io::Error),
    /// Reading the reply failed.
    #[error("{0}")]
    Receive(#[source] io::Error),
    /// The server closed the connection before its reply was complete.
    #[error("the server closed the connection")]
    Closed,
}

impl RespError {
    /// Whether the server hung up (closed or reset the connection), as a TLS-only port does
    /// when it is spoken to in plain text.
    fn hung_up(&self) -> bool {
        match self {
            RespError::Closed => true,
            RespError::Send(error) | RespError::Receive(error) => matches!(
                error.kind(),
                io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe
            ),
            RespError::Server(_) | RespError::Protocol(_) => false,
        }
    }
}

/// An error reply, `-KIND message`: Redis starts each with an upper-case word saying what kind
/// of error it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}")]
struct ServerError {
    kind: ErrorKind,
    /// The whole reply, as the server wrote it.
    line: String,
}

/// The kinds of error reply the probe tells apart.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ErrorKind {
    /// `NOAUTH`: the command needs authentication first.
    NoAuth,
    /// `WRONGPASS`: AUTH with a wrong user name or password (Redis 6 and later).
    WrongPass,
    /// `NOPERM`: the ACL user may not run the command or touch the key.
    NoPerm,
    /// `ERR`: the generic kind (unknown command, bad database index, AUTH before Redis 6, ...).
    Err,
    /// Any other kind (`LOADING`, `BUSY`, a proxy's own ...).
    Other(String),
}

impl ServerError {
    fn parse(line: String) -> Self {
        let word = line.split_once(' ').map_or(line.as_str(), |(word, _)| word);
        let kind = match word.to_ascii_uppercase().as_str() {
            "NOAUTH" => ErrorKind::NoAuth,
            "WRONGPASS" => ErrorKind::WrongPass,
            "NOPERM" => ErrorKind::NoPerm,
            "ERR" => ErrorKind::Err,
            other => ErrorKind::Other(other.to_string()),
        };
        ServerError { kind, line }
    }

    /// The reply after its kind.
    fn message(&self) -> &str {
        self.line.split_once(' ').map_or("", |(_, message)| message)
    }

    /// Whether the server rejected, or still wants, the credentials.
    fn is_auth(&self) -> bool {
        match &self.kind {
            ErrorKind::NoAuth | ErrorKind::WrongPass => true,
            // Before Redis 6 a bad AUTH was a plain ERR; some proxies still answer so.
            ErrorKind::Err => {
                let message = self.message().to_ascii_lowercase();
                message.starts_with("invalid password")
                    || message.starts_with("invalid username-password pair")
            }
            ErrorKind::NoPerm | ErrorKind::Other(_) => false,
        }
    }
}

/// Why a session could not be had.
#[derive(Debug)]
enum Failure {
    Connect(ConnectFailure),
    TimedOut(Stage),
    Tls(String),
    /// The server rejected the credentials, or wants some and the URL has none.
    Auth(ServerError),
    /// SELECT was refused for another reason than authentication.
    DatabaseMissing(ServerError),
    /// A command got no usable reply: the server closed, reset, sent garbage, or refused PING
    /// (e.g. too many clients).
    Exchange {
        command: &'static str,
        error: RespError,
    },
}

#[derive(Debug, Default)]
struct Facts {
    version: Option<String>,
    max_clients: Option<i64>,
    latency: Option<Duration>,
}

/// Probe `input.redis_url`, if it is there and understood.
pub(crate) async fn probe(
    input: &ProbeInput,
    options: &ProbeOptions,
    tls: &TlsSettings,
) -> Vec<Raised> {
    let Some(located) = &input.redis_url else {
        return Vec::new();
    };
    let Some(target) = parse_redis_url(&located.value) else {
        return vec![skipped_finding(
            located,
            "Redis",
            "a redis:// or rediss:// URL with a host and a numeric database",
        )];
    };
    let deadline = super::deadline(options.timeout);
    let stage = Cell::new(Stage::Resolving);
    let outcome = match timeout_at(deadline, session(&target, tls, &stage, deadline)).await {
        Ok(result) => result,
        Err(_) => Err(Failure::TimedOut(stage.get())),
    };
    let mut findings = Vec::new();
    if tls.insecure
        && target
            .tls
            .is_some_and(|verification| verification != Verification::None)
    {
        findings.push(insecure_tls_finding(located, "Redis"));
    }
    match outcome {
        Ok(facts) => findings.extend(session_findings(input, options, located, &target, &facts)),
        Err(failure) => findings.push(failure_finding(located, &target, options, failure)),
    }
    findings
}

async fn session(
    target: &RedisTarget,
    tls: &TlsSettings,
    stage: &Cell<Stage>,
    deadline: Instant,
) -> Result<Facts, Failure> {
    let stream = net::connect_tcp(&target.host, target.port, stage)
        .await
        .map_err(Failure::Connect)?;
    stage.set(Stage::StartingSession);
    match target.tls {
        None => converse(BufStream::new(stream), target, stage, deadline).await,
        Some(verification) => {
            let server_name = ServerName::try_from(target.host.clone())
                .map_err(|error| Failure::Tls(error.to_string()))?;
            let connector = TlsConnector::from(tls.client_config(verification));
            stage.set(Stage::TlsHandshake);
            let stream = connector
                .connect(server_name, stream)
                .await
                .map_err(|error| Failure::Tls(tls_error_text(&error)))?;
            stage.set(Stage::StartingSession);
            converse(BufStream::new(stream), target, stage, deadline).await
        }
    }
}

/// The rustls error inside an I/O error, which says more than the wrapper.
fn tls_error_text(error: &std::io::Error) -> String {
    match error.get_ref() {
        Some(inner) => inner.to_string(),
        None => error.to_string(),
    }
}

async fn converse<S>(
    mut stream: BufStream<S>,
    target: &RedisTarget,
    stage: &Cell<Stage>,
    deadline: Instant,
) -> Result<Facts, Failure>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if let Some(password) = &target.password {
        let mut command = vec!["AUTH"];
        if let Some(username) = &target.username {
            command.push(username);
        }
        command.push(password);
        // Any refusal of AUTH is about the credentials, whatever its kind.
        match request(&mut stream, &command).await {
            Ok(_) => {}
            Err(RespError::Server(refusal)) => return Err(Failure::Auth(refusal)),
            Err(error) => return Err(failed("AUTH", error)),
        }
    }
    if target.database != 0 {
        let database = target.database.to_string();
        match request(&mut stream, &["SELECT", &database]).await {
            Ok(_) => {}
            Err(RespError::Server(refusal)) if !refusal.is_auth() => {
                return Err(Failure::DatabaseMissing(refusal));
            }
            Err(error) => return Err(failed("SELECT", error)),
        }
    }

    let mut facts = Facts::default();
    let started = Instant::now();
    // Without a password, PING is the first thing the server must answer: still session start.
    request(&mut stream, &["PING"])
        .await
        .map_err(|error| failed("PING", error))?;
    facts.latency = Some(started.elapsed());
    stage.set(Stage::Querying);
    if let Some(info) = optional_request(&mut stream, &["INFO", "server"])
        .await?
        .and_then(|reply| reply.text())
    {
        facts.version =
            info_field(&info, "redis_version").or_else(|| info_field(&info, "valkey_version"));
    }
    if let Some(info) = optional_request(&mut stream, &["INFO", "clients"])
        .await?
        .and_then(|reply| reply.text())
    {
        facts.max_clients = info_field(&info, "maxclients").and_then(|value| value.parse().ok());
    }
    if facts.max_clients.is_none() {
        if let Some(Reply::Array(Some(items))) =
            optional_request(&mut stream, &["CONFIG", "GET", "maxclients"]).await?
        {
            facts.max_clients = items
                .get(1)
                .and_then(Reply::text)
                .and_then(|value| value.parse().ok());
        }
    }
    // A polite close (TLS close_notify, then FIN); the answers are in hand either way.
    let _ = timeout_at(deadline, stream.shutdown()).await;
    Ok(facts)
}

/// The reply to a command the server may refuse, `None` when it does: a managed service may
/// deny INFO or CONFIG (unknown command, NOPERM), which is no failure of the session.
async fn optional_request<S>(
    stream: &mut BufStream<S>,
    command: &[&'static str],
) -> Result<Option<Reply>, Failure>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    match request(stream, command).await {
        Ok(reply) => Ok(Some(reply)),
        Err(RespError::Server(_)) => Ok(None),
        Err(error) => Err(failed(command[0], error)),
    }
}

/// What an error in `command`'s exchange means for the session: an error reply about the
/// credentials is [`Failure::Auth`] whatever the command; anything else ends the session.
fn failed(command: &'static str, error: RespError) -> Failure {
    match error {
        RespError::Server(refusal) if refusal.is_auth() => Failure::Auth(refusal),
        error => Failure::Exchange { command, error },
    }
}

/// `name:value` from an INFO section.
fn info_field(info: &str, name: &str) -> Option<String> {
    info.lines().find_map(|line| {
        let (key, value) = line.trim_end_matches('\r').split_once(':')?;
        (key == name).then(|| value.trim().to_string())
    })
}

/// Send one command and read its reply; an error reply is [`RespError::Server`].
async fn request<S>(stream: &mut BufStream<S>, command: &[&str]) -> Result<Reply, RespError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut encoded = format!("*{}\r\n", command.len()).into_bytes();
    for part in command {
        encoded.extend_from_slice(format!("${}\r\n", part.len()).as_bytes());
        encoded.extend_from_slice(part.as_bytes());
        encoded.extend_from_slice(b"\r\n");
    }
    stream.write_all(&encoded).await.map_err(RespError::Send)?;
    stream.flush().await.map_err(RespError::Send)?;
    read_reply(stream, true).await
}

async fn read_reply<S>(stream: &mut BufStream<S>, allow_array: bool) -> Result<Reply, RespError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let line = read_line(stream).await?;
    let (kind, rest) = match line.split_first() {
        Some((kind, rest)) => (*kind, String::from_utf8_lossy(rest).into_owned()),
        None => {
            return Err(RespError::Protocol(
                "empty line from the server".to_string(),
            ));
        }
    };
    let length = || -> Result<i64, RespError> {
        rest.parse()
            .map_err(|_| RespError::Protocol(format!("bad length `{rest}` from the server")))
    };
    match kind {
        b'+' => Ok(Reply::Simple(rest)),
        b'-' => Err(RespError::Server(ServerError::parse(rest))),
        b':' => Ok(Reply::Integer(length()?)),
        b'$' => {
            let length = length()?;
            if length < 0 {
                return Ok(Reply::Bulk(None));
            }
            let length = u64::try_from(length).unwrap_or(u64::MAX);
            if length > MAX_REPLY_BYTES {
                return Err(RespError::Protocol(format!(
                    "reply of {length} bytes is too large"
                )));
            }
            // Exact size was checked above; +2 for the closing CRLF.
            let mut bytes = vec![0; usize::try_from(length).unwrap_or(0) + 2];
            stream
                .read_exact(&mut bytes)
                .await
                .map_err(|error| match error.kind() {
                    io::ErrorKind::UnexpectedEof => RespError::Closed,
                    _ => RespError::Receive(error),
                })?;
            bytes.truncate(bytes.len() - 2);
            Ok(Reply::Bulk(Some(bytes)))
        }
        b'*' if allow_array => {
            let count = length()?;
            if count < 0 {
                return Ok(Reply::Array(None));
            }
            if count > 1024 {
                return Err(RespError::Protocol(format!(
                    "array of {count} items is too large"
                )));
            }
            let mut items = Vec::new();
            for _ in 0..count {
                items.push(Box::pin(read_reply(stream, false)).await?);
            }
            Ok(Reply::Array(Some(items)))
        }
        _ => Err(RespError::Protocol(
            "the server does not speak the Redis protocol (is it a TLS port? then use rediss://)"
                .to_string(),
        )),
    }
}

/// One CRLF-terminated line, without the terminator.
async fn read_line<S>(stream: &mut BufStream<S>) -> Result<Vec<u8>, RespError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut line = Vec::new();
    let read = (&mut *stream)
        .take(MAX_REPLY_BYTES)
        .read_until(b'\n', &mut line)
        .await
        .map_err(RespError::Receive)?;
    if read == 0 {
        return Err(RespError::Closed);
    }
    if !line.ends_with(b"\r\n") {
        return Err(RespError::Protocol(
            "the server sent an unterminated line".to_string(),
        ));
    }
    line.truncate(line.len() - 2);
    Ok(line)
}

fn session_findings(
    input: &ProbeInput,
    options: &ProbeOptions,
    located: &Located<String>,
    target: &RedisTarget,
    facts: &Facts,
) -> Vec<Raised> {
    let mut findings = Vec::new();
    let server = target.endpoint();
    let mut info = format!(
        "Redis {} at {server}: maxclients {}, TLS {}",
        facts.version.as_deref().unwrap_or("unknown"),
        facts
            .max_clients
            .map_or_else(|| "unknown".to_string(), |n| n.to_string()),
        if target.tls.is_some() { "on" } else { "off" },
    );
    if let Some(latency) = facts.latency {
        info.push_str(&format!(", round trip {}", milliseconds(latency)));
    }
    findings.push(finding_at(located, RuleId::ProbeRedisInfo, info));

    if let (Some(max_clients), Some(pool)) = (facts.max_clients, &input.redis_max_connections) {
        let processes = budget(input, options, pool.value, 0).processes();
        let total = pool.value.saturating_mul(processes);
        if pool.value >= 0 && total > max_clients {
            findings.push(finding_at(
                pool,
                RuleId::ProbeRedisMaxConnections,
                format!(
                    "the pools may open {total} connections (REDIS_MAX_CONNECTIONS {} × \
                     {processes} process{}), but Redis allows {max_clients} clients{}",
                    pool.value,
                    if processes == 1 { "" } else { "es" },
                    unset_note(&[pool], located),
                ),
            ));
        }
    }
    findings
}

fn failure_finding(
    located: &Located<String>,
    target: &RedisTarget,
    options: &ProbeOptions,
    failure: Failure,
) -> Raised {
    let server = target.endpoint();
    let masked = |text: String| mask(&text, &target.secrets());
    let unreachable = |message: String| finding_at(located, RuleId::ProbeRedisUnreachable, message);
    match failure {
        Failure::Connect(failure) => unreachable(format!(
            "Redis at {server} is unreachable: {}",
            mask(
                &failure.describe(&target.host, target.port),
                &target.secrets()
            )
        )),
        // A plain Redis port reads a ClientHello as a command that never ends: silence.
        Failure::TimedOut(Stage::TlsHandshake) => finding_at(
            located,
            RuleId::ProbeRedisTlsFailed,
            format!(
                "TLS with Redis at {server} failed: no handshake answer within {} (the port \
                 probably speaks plain Redis)",
                seconds(options.timeout)
            ),
        ),
        Failure::TimedOut(stage) => unreachable(format!(
            "Redis at {server} is unreachable: timed out after {} while {}",
            seconds(options.timeout),
            stage.describe()
        )),
        Failure::Exchange { command, error } => {
            let reason = match &error {
                RespError::Server(refusal) => refusal.to_string(),
                RespError::Send(cause) => format!("sending {command} failed: {cause}"),
                RespError::Receive(_) | RespError::Protocol(_) | RespError::Closed => {
                    format!("reading the answer to {command} failed: {error}")
                }
            };
            let hint = if target.tls.is_none() && error.hung_up() {
                " (a TLS-only port hangs up on plain commands: is this one for rediss://?)"
            } else {
                ""
            };
            unreachable(format!(
                "Redis at {server} did not complete the session: {}{hint}",
                masked(reason)
            ))
        }
        Failure::Tls(reason) => finding_at(
            located,
            RuleId::ProbeRedisTlsFailed,
            format!(
                "TLS with Redis at {server} failed: {}",
                mask(&reason, &target.secrets())
            ),
        ),
        Failure::Auth(reason) => finding_at(
            located,
            RuleId::ProbeRedisAuthFailed,
            format!(
                "Redis at {server} rejected the credentials: {}",
                masked(reason.to_string())
            ),
        ),
        Failure::DatabaseMissing(reason) => finding_at(
            located,
            RuleId::ProbeRedisDatabaseMissing,
            format!(
                "Redis at {server} refused database {}: {}",
                target.database,
                masked(reason.to_string())
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> RedisTarget {
        parse_redis_url(text).unwrap_or_else(|| panic!("{text} should parse"))
    }

    #[test]
    fn plain_url_with_defaults() {
        let target = parse("redis://cache.railway.internal");
        assert_eq!(target.host, "cache.railway.internal");
        assert_eq!(target.port, 6379);
        assert_eq!(target.username, None);
        assert_eq!(target.password, None);
        assert_eq!(target.database, 0);
        assert_eq!(target.tls, None);
    }

    #[test]
    fn credentials_database_and_tls() {
        let target = parse("rediss://default:p%40ss%3Aword@[::1]:6380/3");
        assert_eq!(target.host, "::1");
        assert_eq!(target.port, 6380);
        assert_eq!(target.username.as_deref(), Some("default"));
        assert_eq!(target.password.as_deref(), Some("p@ss:word"));
        assert_eq!(target.secrets(), vec!["p@ss:word", "p%40ss%3Aword"]);
        assert_eq!(target.database, 3);
        assert_eq!(target.tls, Some(Verification::Full));

        let target = parse("redis://:only-password@h?db=2");
        assert_eq!(target.username, None);
        assert_eq!(target.password.as_deref(), Some("only-password"));
        assert_eq!(target.database, 2);
    }

    #[test]
    fn tls_verification_switches() {
        assert_eq!(
            parse("rediss://h?ssl_cert_reqs=none").tls,
            Some(Verification::None)
        );
        assert_eq!(
            parse("rediss://h?ssl_check_hostname=false").tls,
            Some(Verification::Chain)
        );
        assert_eq!(
            parse("rediss://h?ssl_cert_reqs=required").tls,
            Some(Verification::Full)
        );
    }

    #[test]
    fn rejects_other_urls() {
        for text in [
            "http://h",
            "unix:///tmp/redis.sock",
            "redis:///0",
            "redis://h/notanumber",
            "redis://h:70000",
            "",
        ] {
            assert_eq!(parse_redis_url(text), None, "{text}");
        }
    }

    #[test]
    fn info_fields() {
        let info = "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n";
        assert_eq!(info_field(info, "redis_version").as_deref(), Some("7.0.15"));
        assert_eq!(info_field(info, "maxclients"), None);
    }

    #[test]
    fn error_reply_kinds() {
        let error = ServerError::parse("NOPERM this user has no permissions".to_string());
        assert_eq!(error.kind, ErrorKind::NoPerm);
        assert_eq!(error.message(), "this user has no permissions");
        assert_eq!(error.to_string(), "NOPERM this user has no permissions");
        assert_eq!(
            ServerError::parse("LOADING Redis is loading".to_string()).kind,
            ErrorKind::Other("LOADING".to_string())
        );
        let bare = ServerError::parse("ERR".to_string());
        assert_eq!((&bare.kind, bare.message()), (&ErrorKind::Err, ""));
    }

    #[test]
    fn auth_errors() {
        let is_auth = |line: &str| ServerError::parse(line.to_string()).is_auth();
        assert!(is_auth(
            "WRONGPASS invalid username-password pair or user is disabled."
        ));
        assert!(is_auth("NOAUTH Authentication required."));
        assert!(is_auth("ERR invalid password"));
        assert!(!is_auth("ERR DB index is out of range"));
        assert!(!is_auth(
            "NOPERM this user has no permissions to run 'select'"
        ));
    }

    #[test]
    fn hang_ups() {
        assert!(RespError::Closed.hung_up());
        assert!(RespError::Receive(io::ErrorKind::ConnectionReset.into()).hung_up());
        assert!(!RespError::Receive(io::ErrorKind::TimedOut.into()).hung_up());
        assert!(!RespError::Protocol("bad length".into()).hung_up());
    }

    #[tokio::test(flavor = "current_thread")]
    async fn reads_resp_replies() {
        let (client, mut server) = tokio::io::duplex(1024);
        server
            .write_all(b"+PONG\r\n-ERR nope\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n")
            .await
            .unwrap_or_default();
        let mut stream = BufStream::new(client);
        assert_eq!(
            read_reply(&mut stream, true).await.ok(),
            Some(Reply::Simple("PONG".into()))
        );
        match read_reply(&mut stream, true).await {
            Err(RespError::Server(error)) => {
                assert_eq!(
                    (error.kind, error.line),
                    (ErrorKind::Err, "ERR nope".into())
                );
            }
            other => panic!("an error reply, not {other:?}"),
        }
        assert_eq!(
            read_reply(&mut stream, true).await.ok(),
            Some(Reply::Integer(42))
        );
        assert_eq!(
            read_reply(&mut stream, true).await.ok(),
            Some(Reply::Bulk(Some(b"hello".to_vec())))
        );
        assert_eq!(
            read_reply(&mut stream, true).await.ok(),
            Some(Reply::Bulk(None))
        );
        assert_eq!(
            read_reply(&mut stream, true).await.ok(),
            Some(Reply::Array(Some(vec![
                Reply::Bulk(Some(b"maxclients".to_vec())),
                Reply::Bulk(Some(b"10000".to_vec())),
            ])))
        );
        drop(server);
        assert!(matches!(
            read_reply(&mut stream, true).await,
            Err(RespError::Closed)
        ));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn rejects_non_resp_and_huge_replies() {
        let (client, mut server) = tokio::io::duplex(1024);
        server
            .write_all(b"\x16\x03\x01junk\r\n$99999999999\r\n")
            .await
            .unwrap_or_default();
        let mut stream = BufStream::new(client);
        match read_reply(&mut stream, true).await {
            Err(RespError::Protocol(reason)) => assert!(reason.contains("rediss://"), "{reason}"),
            other => panic!("a protocol error, not {other:?}"),
        }
        assert!(matches!(
            read_reply(&mut stream, true).await,
            Err(RespError::Protocol(_))
        ));
    }
}
