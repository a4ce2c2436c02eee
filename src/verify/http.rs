//! The HTTP client `verify` speaks through: one request on one fresh connection, bounded as a
//! whole by a timeout, answering with the status, headers, a capped body and, over TLS, the
//! certificate the server presented.
//!
//! ## How it is built, and why
//! The client is hyper 1.x's connection-level HTTP/1.1 client (`hyper::client::conn::http1`)
//! over a TCP stream and TLS session that this module opens itself, with the probes' code:
//! - **DNS and connect** are [`crate::probe::net::connect_tcp`], so a name that does not
//!   resolve ([`Failure::Dns`]) and a port nobody listens on ([`Failure::Refused`]) stay apart,
//!   as the probes already tell them apart.
//! - **TLS** is tokio-rustls with the probes' own client configuration
//!   ([`crate::probe::tls::TlsSettings`], full verification: the chain to the webpki roots or a
//!   `--ca` file, and the host name). The handshake's own `rustls::Error` is at hand, so
//!   [`Failure::Tls`] says *which* check failed (expired, unknown issuer, name mismatch), and the
//!   session hands over the leaf certificate for [`Certificate`].
//! - **HTTP/1.1 framing** is hyper's: responses come from arbitrary servers and from Railway's
//!   edge proxy, and their framing (chunked bodies with extensions and trailers, bodies ended by
//!   the connection closing, `HEAD`, `1xx`, `204` and `304` without a body, conflicting
//!   `Content-Length`s) is where a hand-written parser goes wrong. The Redis probe writes its
//!   own protocol code because RESP is a page long; HTTP/1.1 is not.
//!
//! Why not a complete client such as reqwest: it reads `HTTP_PROXY`/`HTTPS_PROXY` from the
//! environment (a request would then reach a host other than the URL's), it pools and reuses
//! connections (every request here must measure a fresh connection, and a dead host must fail
//! once, not per pooled retry), its errors say "connect error" or "timed out" without the stage
//! or the rustls reason, and the leaf certificate needs an extra feature and a downcast. With
//! the connection-level API every step is ours and nothing happens that the code does not say.
//!
//! HTTP/1.1 is enough: no ALPN is offered, so a server never switches to HTTP/2, and what the
//! checks read (status, headers, small bodies, latency) is the same in both versions.
//!
//! The connection is driven on the caller's task next to the request (no `tokio::spawn`), so
//! dropping the future, as the timeout does, closes the socket and leaves nothing running. The
//! future is not `Send` (the probes' connect records its stage in a `Cell`): drive it on the
//! current-thread runtime, as the probes' futures are.
//!
//! The certificate's dates and names come from `x509-parser` (rusticata): rustls and webpki
//! check validity but do not hand it out, x509-parser is already locked in this crate's graph
//! (rcgen, the tests' certificate maker, parses with it), and it parses without any crypto
//! feature turned on.
//!
//! Credentials: a URL's user name, password and query reach neither the server's `Host` nor
//! any error text. [`Failure`]'s texts name no URL at all (the caller knows which it asked
//! for), and [`Request`]'s `Debug` masks a password and credential query values with
//! [`crate::secret::mask_url_secrets`]. The user info is not sent as Basic authentication.

use std::borrow::Cow;
use std::cell::Cell;
use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::header::{ACCEPT, CONNECTION, HOST, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use hyper_util::rt::TokioIo;
use rustls::pki_types::{ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;
use url::{Position, Url};

use crate::probe::net::{self, ConnectFailure, Stage};
use crate::probe::tls::{self, RootsError, TlsSettings, Verification};
use crate::probe::url_parts;

/// The most of a response body that is kept; the rest is not read ([`Response::truncated`]).
pub const MAX_BODY: usize = 1024 * 1024;

/// How the client connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// Upper bound for each request's whole life: DNS, connect, TLS, headers and body.
    pub timeout: Duration,
    /// Extra trusted CA certificates (`--ca`): each file's name, for errors, and its PEM bytes.
    pub ca_pems: Vec<(String, Vec<u8>)>,
    /// The `User-Agent` header sent with every request.
    pub user_agent: String,
}

/// A setup mistake found before any request is made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum ClientError {
    #[error("{file}: no usable PEM certificate in the CA file: {reason}")]
    #[diagnostic(help("the file must contain `-----BEGIN CERTIFICATE-----` blocks"))]
    CaFileNotPem { file: String, reason: String },
    #[error("{file}: a certificate in the CA file cannot be a trust root: {reason}")]
    CaCertificateRejected { file: String, reason: String },
    #[error("cannot set up TLS for the HTTP client: {0}")]
    TlsSetup(String),
    #[error("the user agent {0:?} cannot be sent as a header value")]
    UserAgent(String),
}

/// Why a request got no response. Every text is one line and names no URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The host name did not resolve.
    Dns(String),
    /// Every address of the host refused the connection: nothing listens on that port.
    Refused,
    /// The TCP connection failed otherwise (network unreachable, reset, ...).
    Connect(String),
    /// No complete response within the timeout, a server that accepts and stays silent
    /// included.
    Timeout,
    /// The TLS handshake failed; says which check (expired, unknown issuer, name mismatch).
    Tls(String),
    /// The server's answer is not a usable HTTP/1.1 response, or the connection broke off.
    Protocol(String),
    /// The request cannot be made as given (a scheme other than http/https, no host, a header
    /// that cannot be sent).
    Request(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Dns(reason) => write!(f, "DNS lookup failed: {reason}"),
            Failure::Refused => f.write_str("connection refused (nothing listens on that port)"),
            Failure::Connect(reason) => write!(f, "cannot connect: {reason}"),
            Failure::Timeout => f.write_str("no complete response within the timeout"),
            Failure::Tls(reason) => write!(f, "TLS handshake failed: {reason}"),
            Failure::Protocol(reason) => write!(f, "HTTP exchange failed: {reason}"),
            Failure::Request(reason) => write!(f, "the request cannot be made: {reason}"),
        }
    }
}

impl std::error::Error for Failure {}

/// The request methods the checks use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Head,
    /// CORS preflights.
    Options,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }

    fn to_http(self) -> hyper::Method {
        match self {
            Method::Get => hyper::Method::GET,
            Method::Head => hyper::Method::HEAD,
            Method::Options => hyper::Method::OPTIONS,
        }
    }
}

/// One request. `Host`, `User-Agent` and `Accept: */*` are added unless `headers` names them;
/// `Connection: close` is always sent. The URL's fragment is not sent.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// A request without extra headers.
    pub fn new(method: Method, url: Url) -> Self {
        Self {
            method,
            url,
            headers: Vec::new(),
        }
    }

    /// The request with one more header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Hides the URL's password and credential query values, and the values of credential headers.
impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let secret = ["authorization", "proxy-authorization", "cookie"]
                    .iter()
                    .any(|credential| name.eq_ignore_ascii_case(credential))
                    || crate::secret::is_secret_name(name);
                let value = if secret {
                    crate::secret::MASK
                } else {
                    value.as_str()
                };
                (name.as_str(), value)
            })
            .collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &crate::secret::mask_url_secrets(self.url.as_str()))
            .field("headers", &headers)
            .finish()
    }
}

/// What the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// Names lower-cased. A name's values are in the order received; names are in the order
    /// each first appeared.
    pub headers: Vec<(String, String)>,
    /// At most [`MAX_BODY`] bytes.
    pub body: Vec<u8>,
    /// The body was longer than [`MAX_BODY`]; the rest was not read.
    pub truncated: bool,
    /// From sending the request to the end of the body (or of what was kept of it).
    pub elapsed: Duration,
    /// Over https: the leaf certificate the server presented (`None` if it cannot be parsed,
    /// which a certificate rustls accepted hardly ever is).
    pub certificate: Option<Certificate>,
}

impl Response {
    /// The first value of the header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers_named(name).next()
    }

    /// Every value of the header `name` (any case), in order.
    pub fn headers_named<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        self.headers
            .iter()
            .filter(move |(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body as text, invalid UTF-8 replaced.
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// The leaf certificate a server presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The subject's distinguished name, e.g. `CN=api.example.com`.
    pub subject: String,
    /// The issuer's distinguished name.
    pub issuer: String,
    pub not_before: SystemTime,
    pub not_after: SystemTime,
}

impl Certificate {
    /// Parse a DER certificate; `None` when it is not one or its dates are out of range.
    fn from_der(der: &[u8]) -> Option<Self> {
        let (_, parsed) = x509_parser::parse_x509_certificate(der).ok()?;
        let validity = parsed.validity();
        Some(Self {
            subject: parsed.subject().to_string(),
            issuer: parsed.issuer().to_string(),
            not_before: system_time(validity.not_before.timestamp())?,
            not_after: system_time(validity.not_after.timestamp())?,
        })
    }
}

/// Unix seconds as a `SystemTime`, before 1970 included.
fn system_time(seconds: i64) -> Option<SystemTime> {
    let magnitude = Duration::from_secs(seconds.unsigned_abs());
    if seconds >= 0 {
        UNIX_EPOCH.checked_add(magnitude)
    } else {
        UNIX_EPOCH.checked_sub(magnitude)
    }
}

/// Sends requests, each on a fresh connection; cheap to share by reference.
#[derive(Debug, Clone)]
pub struct Client {
    timeout: Duration,
    tls: Arc<ClientConfig>,
    user_agent: HeaderValue,
    /// The flag that adds a trusted CA, as an unknown issuer's explanation names it.
    ca_flag: &'static str,
}

impl Client {
    /// Load the trusted roots (the built-in ones and every CA file). A file that holds no
    /// certificate is an error naming the file.
    pub fn new(options: ClientOptions) -> Result<Client, ClientError> {
        let mut extra_roots = Vec::with_capacity(options.ca_pems.len());
        for (file, pem) in &options.ca_pems {
            extra_roots.push(tls::pem_certificates(pem).map_err(|reason| {
                ClientError::CaFileNotPem {
                    file: file.clone(),
                    reason,
                }
            })?);
        }
        let settings =
            TlsSettings::with_extra_roots(extra_roots, false).map_err(|error| match error {
                RootsError::Rejected { file, reason } => ClientError::CaCertificateRejected {
                    file: options
                        .ca_pems
                        .get(file)
                        .map(|(name, _)| name.clone())
                        .unwrap_or_default(),
                    reason,
                },
                RootsError::Setup(reason) => ClientError::TlsSetup(reason),
            })?;
        let user_agent = HeaderValue::from_str(&options.user_agent)
            .map_err(|_| ClientError::UserAgent(options.user_agent.clone()))?;
        Ok(Client {
            timeout: options.timeout,
            tls: settings.client_config(Verification::Full),
            user_agent,
            ca_flag: "--ca",
        })
    }

    /// The client of the probes' `http` checks ([`crate::probe::api`]): the probes' trust
    /// (`--probe-ca`, and `--probe-insecure`, which accepts any certificate), each request
    /// bounded by `timeout`.
    pub(crate) fn for_probes(tls: &TlsSettings, timeout: Duration) -> Client {
        let user_agent = format!("deploycheck/{} (probe)", env!("CARGO_PKG_VERSION"));
        Client {
            timeout,
            tls: tls.client_config(Verification::Full),
            user_agent: HeaderValue::from_str(&user_agent)
                .unwrap_or_else(|_| HeaderValue::from_static("deploycheck")),
            ca_flag: "--probe-ca",
        }
    }

    /// Send one request on a fresh connection to the URL's host and read the response. A
    /// redirect is returned as it is, never followed.
    pub async fn send(&self, request: &Request) -> Result<Response, Failure> {
        let target = Target::of(&request.url)?;
        let http_request = self.http_request(request, &target)?;
        tokio::time::timeout(self.timeout, self.exchange(&target, http_request))
            .await
            .unwrap_or(Err(Failure::Timeout))
    }

    /// The request hyper sends: origin-form target, default headers, no body.
    fn http_request(
        &self,
        request: &Request,
        target: &Target,
    ) -> Result<hyper::Request<Empty<Bytes>>, Failure> {
        let path_and_query = &request.url[Position::BeforePath..Position::AfterQuery];
        let uri: hyper::Uri = path_and_query.parse().map_err(|_| {
            Failure::Request("the URL's path and query are not a valid request target".into())
        })?;
        let mut headers = HeaderMap::new();
        for (name, value) in &request.headers {
            let header_name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Failure::Request(format!("{name:?} is not a valid header name")))?;
            let header_value = HeaderValue::from_str(value).map_err(|_| {
                // The value may be a credential: it is not shown.
                Failure::Request(format!(
                    "the value of the header `{header_name}` holds a character that cannot be \
                     sent (a line break or another control character)"
                ))
            })?;
            headers.append(header_name, header_value);
        }
        let host = HeaderValue::from_str(&target.host_header)
            .map_err(|_| Failure::Request("the URL's host cannot be sent as `Host`".into()))?;
        for (name, value) in [
            (HOST, host),
            (USER_AGENT, self.user_agent.clone()),
            (ACCEPT, HeaderValue::from_static("*/*")),
        ] {
            if !headers.contains_key(&name) {
                headers.insert(name, value);
            }
        }
        // One request per connection: the server closes it after the response.
        headers.insert(CONNECTION, HeaderValue::from_static("close"));
        let mut http_request = hyper::Request::new(Empty::<Bytes>::new());
        *http_request.method_mut() = request.method.to_http();
        *http_request.uri_mut() = uri;
        *http_request.headers_mut() = headers;
        Ok(http_request)
    }

    /// Connect, shake hands over https, and run the exchange.
    async fn exchange(
        &self,
        target: &Target,
        http_request: hyper::Request<Empty<Bytes>>,
    ) -> Result<Response, Failure> {
        // The stage is the probes' way to word a timeout; `Failure::Timeout` needs none.
        let stage = Cell::new(Stage::Resolving);
        let stream = net::connect_tcp(&target.host, target.port, &stage)
            .await
            .map_err(|failure| match failure {
                ConnectFailure::Dns(reason) => Failure::Dns(reason),
                ConnectFailure::Refused => Failure::Refused,
                ConnectFailure::Other(reason) => Failure::Connect(reason),
            })?;
        let Some(server_name) = &target.server_name else {
            return http1(stream, http_request, None).await;
        };
        let tls_stream = TlsConnector::from(self.tls.clone())
            .connect(server_name.clone(), stream)
            .await
            .map_err(|error| Failure::Tls(tls_reason(&error, &target.host, self.ca_flag)))?;
        let certificate = tls_stream
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|chain| chain.first())
            .and_then(|leaf| Certificate::from_der(leaf));
        http1(tls_stream, http_request, certificate).await
    }
}

/// Where a URL sends the request.
struct Target {
    /// For DNS and connect: IPv6 without brackets.
    host: String,
    port: u16,
    /// `host[:port]` as the URL writes it (the port only when not the scheme's default).
    host_header: String,
    /// `Some` for https.
    server_name: Option<ServerName<'static>>,
}

impl Target {
    fn of(url: &Url) -> Result<Self, Failure> {
        let tls = match url.scheme() {
            "http" => false,
            "https" => true,
            other => {
                return Err(Failure::Request(format!(
                    "`{other}` URLs cannot be requested, only http and https"
                )));
            }
        };
        let (Some(host), Some(host_str), Some(port)) = (
            url_parts::host(url),
            url.host_str(),
            url.port_or_known_default(),
        ) else {
            return Err(Failure::Request("the URL has no host".into()));
        };
        let host_header = match url.port() {
            Some(port) => format!("{host_str}:{port}"),
            None => host_str.to_string(),
        };
        let server_name =
            if tls {
                Some(ServerName::try_from(host.clone()).map_err(|_| {
                    Failure::Request(format!("`{host}` is not a name TLS can verify"))
                })?)
            } else {
                None
            };
        Ok(Self {
            host,
            port,
            host_header,
            server_name,
        })
    }
}

/// Send `request` over `io` with HTTP/1.1 and read the response, keeping at most [`MAX_BODY`]
/// bytes of its body.
async fn http1<T>(
    io: T,
    request: hyper::Request<Empty<Bytes>>,
    certificate: Option<Certificate>,
) -> Result<Response, Failure>
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
        .handshake::<_, Empty<Bytes>>(TokioIo::new(io))
        .await
        .map_err(protocol_failure)?;
    let started = Instant::now();
    let exchange = async move {
        let response = sender
            .send_request(request)
            .await
            .map_err(protocol_failure)?;
        let (parts, mut body) = response.into_parts();
        let mut kept = Vec::new();
        let mut truncated = false;
        while let Some(frame) = body.frame().await {
            let Ok(data) = frame.map_err(protocol_failure)?.into_data() else {
                // Trailers.
                continue;
            };
            let room = MAX_BODY.saturating_sub(kept.len());
            if data.len() > room {
                kept.extend_from_slice(data.get(..room).unwrap_or_default());
                truncated = true;
                break;
            }
            kept.extend_from_slice(&data);
        }
        Ok::<_, Failure>((parts, kept, truncated))
    };
    // The connection does the reading and writing; it is polled here, beside the exchange,
    // until the exchange has what it needs. Its own error reaches the exchange too (the
    // response or the body fails), so it is not reported twice.
    let mut connection = std::pin::pin!(connection);
    let mut exchange = std::pin::pin!(exchange);
    let mut connection_open = true;
    let (parts, body, truncated) = loop {
        tokio::select! {
            result = &mut exchange => break result?,
            _ = &mut connection, if connection_open => connection_open = false,
        }
    };
    let elapsed = started.elapsed();
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    Ok(Response {
        status: parts.status.as_u16(),
        headers,
        body,
        truncated,
        elapsed,
        certificate,
    })
}

/// A hyper error as one line: its text and its causes'.
fn protocol_failure(error: hyper::Error) -> Failure {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    Failure::Protocol(text)
}

/// Why a TLS handshake with `host` failed, in words a deploy log reader acts on.
fn tls_reason(error: &io::Error, host: &str, ca_flag: &str) -> String {
    let Some(rustls_error) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    else {
        return match error.kind() {
            io::ErrorKind::UnexpectedEof => {
                "the server closed the connection during the handshake".to_string()
            }
            _ => error.to_string(),
        };
    };
    match rustls_error {
        rustls::Error::InvalidCertificate(certificate_error) => match certificate_error {
            CertificateError::Expired => "the server's certificate has expired".to_string(),
            CertificateError::ExpiredContext { not_after, .. } => format!(
                "the server's certificate has expired (it was valid until {})",
                utc(*not_after)
            ),
            CertificateError::NotValidYet => {
                "the server's certificate is not valid yet".to_string()
            }
            CertificateError::NotValidYetContext { not_before, .. } => format!(
                "the server's certificate is not valid yet (it is valid from {})",
                utc(*not_before)
            ),
            CertificateError::UnknownIssuer => format!(
                "the server's certificate is not signed by a trusted CA (unknown issuer); a \
                 private CA must be given with {ca_flag}"
            ),
            CertificateError::NotValidForName => {
                format!("the server's certificate is not valid for `{host}` (name mismatch)")
            }
            CertificateError::NotValidForNameContext { presented, .. } => format!(
                "the server's certificate is not valid for `{host}` (name mismatch: it names {})",
                if presented.is_empty() {
                    "no host".to_string()
                } else {
                    presented
                        .iter()
                        .map(|name| presented_name(name))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
            // rustls's enum is non-exhaustive: its own words for the rest (revoked, bad
            // signature, unsupported algorithm, ...).
            other => format!("the server's certificate was rejected: {other}"),
        },
        rustls::Error::AlertReceived(alert) => {
            format!("the server ended the handshake with the alert {alert:?}")
        }
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => format!(
            "the server did not answer as a TLS server ({rustls_error}); does it serve plain \
             http on this port?"
        ),
        other => other.to_string(),
    }
}

/// A name webpki found in a certificate, as a reader writes it: `DnsName("a.example")` and
/// `IpAddress(10.0.0.1)` become `a.example` and `10.0.0.1`.
fn presented_name(name: &str) -> &str {
    name.strip_prefix("DnsName(\"")
        .and_then(|rest| rest.strip_suffix("\")"))
        .or_else(|| {
            name.strip_prefix("IpAddress(")
                .and_then(|rest| rest.strip_suffix(')'))
        })
        .unwrap_or(name)
}

/// `2026-01-31T12:00:00Z`.
fn utc(time: UnixTime) -> String {
    UNIX_EPOCH
        .checked_add(Duration::from_secs(time.as_secs()))
        .map_or_else(
            || format!("{} seconds after 1970", time.as_secs()),
            |time| humantime::format_rfc3339_seconds(time).to_string(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("test URL")
    }

    #[test]
    fn targets() {
        let target = Target::of(&url("https://user:pw@Example.COM/a?b#c")).expect("target");
        assert_eq!(target.host, "example.com");
        assert_eq!(target.port, 443);
        assert_eq!(target.host_header, "example.com");
        assert!(target.server_name.is_some());

        let target = Target::of(&url("http://[::1]:8080/")).expect("target");
        assert_eq!(target.host, "::1");
        assert_eq!(target.port, 8080);
        assert_eq!(target.host_header, "[::1]:8080");
        assert!(target.server_name.is_none());

        // The scheme's default port is not written into `Host`.
        let target = Target::of(&url("http://api.example.com:80/")).expect("target");
        assert_eq!(target.host_header, "api.example.com");

        assert!(matches!(
            Target::of(&url("ftp://example.com/")),
            Err(Failure::Request(_))
        ));
        assert!(matches!(
            Target::of(&url("file:///etc/passwd")),
            Err(Failure::Request(_))
        ));
    }

    fn client() -> Client {
        Client::new(ClientOptions {
            timeout: Duration::from_secs(1),
            ca_pems: Vec::new(),
            user_agent: "deploycheck-test".into(),
        })
        .expect("client")
    }

    #[test]
    fn request_target_and_default_headers() {
        let request = Request::new(
            Method::Options,
            url("https://u:secret@api.example.com:8443/p%20q?x=1&token=t#frag"),
        )
        .with_header("Origin", "https://app.example.com")
        .with_header("user-agent", "custom")
        .with_header("Connection", "keep-alive");
        let target = Target::of(&request.url).expect("target");
        let built = client()
            .http_request(&request, &target)
            .expect("request builds");
        assert_eq!(built.method(), hyper::Method::OPTIONS);
        assert_eq!(built.uri().to_string(), "/p%20q?x=1&token=t");
        let header = |name: &str| {
            built
                .headers()
                .get_all(name)
                .iter()
                .map(|value| value.to_str().expect("ASCII"))
                .collect::<Vec<_>>()
        };
        assert_eq!(header("host"), ["api.example.com:8443"]);
        assert_eq!(header("user-agent"), ["custom"]);
        assert_eq!(header("accept"), ["*/*"]);
        assert_eq!(header("connection"), ["close"]);
        assert_eq!(header("origin"), ["https://app.example.com"]);
    }

    #[test]
    fn a_header_value_that_cannot_be_sent_is_not_shown() {
        let request = Request::new(Method::Get, url("http://example.com/"))
            .with_header("Authorization", "Bearer s3cr3t\r\nX-Injected: 1");
        let target = Target::of(&request.url).expect("target");
        let failure = client()
            .http_request(&request, &target)
            .expect_err("a line break cannot be sent");
        let text = failure.to_string();
        assert!(text.contains("`authorization`"), "{text}");
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(matches!(failure, Failure::Request(_)));
    }

    #[test]
    fn request_debug_hides_credentials() {
        let request = Request::new(
            Method::Get,
            url("https://admin:hunter2@api.example.com/?access_token=abc123&page=2"),
        )
        .with_header("Authorization", "Bearer tok3n")
        .with_header("Origin", "https://app.example.com");
        let debug = format!("{request:?}");
        for secret in ["hunter2", "abc123", "tok3n"] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
        assert!(debug.contains("page=2"), "{debug}");
        assert!(debug.contains("https://app.example.com"), "{debug}");
    }

    #[test]
    fn presented_names_lose_their_wrapping() {
        assert_eq!(
            presented_name("DnsName(\"api.example.com\")"),
            "api.example.com"
        );
        assert_eq!(presented_name("IpAddress(10.0.0.1)"), "10.0.0.1");
        assert_eq!(presented_name("something else"), "something else");
    }

    #[test]
    fn unix_seconds_before_and_after_1970() {
        assert_eq!(
            system_time(86_400),
            Some(UNIX_EPOCH + Duration::from_secs(86_400))
        );
        assert_eq!(
            system_time(-86_400),
            UNIX_EPOCH.checked_sub(Duration::from_secs(86_400))
        );
        assert_eq!(system_time(0), Some(UNIX_EPOCH));
    }

    #[test]
    fn a_certificate_that_is_not_der_is_none() {
        assert_eq!(Certificate::from_der(b"not a certificate"), None);
        assert_eq!(Certificate::from_der(&[]), None);
    }

    #[test]
    fn user_agent_with_a_line_break_is_a_setup_error() {
        let error = Client::new(ClientOptions {
            timeout: Duration::from_secs(1),
            ca_pems: Vec::new(),
            user_agent: "a\nb".into(),
        })
        .expect_err("not a header value");
        assert!(matches!(error, ClientError::UserAgent(_)));
    }
}
