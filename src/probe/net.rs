//! The network steps both probes share: name lookup and TCP connect, and the stage a probe was
//! in when its time ran out. Which hosts count as private is [`crate::host`]'s to say.

use std::cell::Cell;
use std::io;
use std::net::SocketAddr;

use tokio::net::TcpStream;

/// What a probe was doing, so a timeout can say where it stuck.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    Resolving,
    Connecting,
    /// The TLS handshake (when the probe runs it itself, as for Redis).
    TlsHandshake,
    /// TLS negotiation, authentication, database selection.
    StartingSession,
    Querying,
}

impl Stage {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Stage::Resolving => "looking up the host name",
            Stage::Connecting => "opening the TCP connection",
            Stage::TlsHandshake => "waiting for the TLS handshake",
            Stage::StartingSession => "waiting for the server to start the session",
            Stage::Querying => "waiting for an answer to a query",
        }
    }
}

/// Why no TCP connection could be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConnectFailure {
    /// The name did not resolve.
    Dns(String),
    /// Every address refused the connection.
    Refused,
    /// Anything else (network unreachable, reset, ...).
    Other(String),
}

impl ConnectFailure {
    /// One phrase for a message: "DNS lookup of `db` failed: ...".
    pub(crate) fn describe(&self, host: &str, port: u16) -> String {
        match self {
            ConnectFailure::Dns(reason) => format!("DNS lookup of `{host}` failed ({reason})"),
            ConnectFailure::Refused => {
                format!(
                    "connection refused by {} (nothing listens there)",
                    endpoint(host, port)
                )
            }
            ConnectFailure::Other(reason) => {
                format!("cannot connect to {}: {reason}", endpoint(host, port))
            }
        }
    }
}

/// `host:port`, with brackets around an IPv6 address.
pub(crate) fn endpoint(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Resolve `host` and connect to the first address that accepts, recording the stage.
pub(crate) async fn connect_tcp(
    host: &str,
    port: u16,
    stage: &Cell<Stage>,
) -> Result<TcpStream, ConnectFailure> {
    stage.set(Stage::Resolving);
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|error| ConnectFailure::Dns(error.to_string()))?
        .collect();
    if addresses.is_empty() {
        return Err(ConnectFailure::Dns("no address found".to_string()));
    }
    stage.set(Stage::Connecting);
    let mut last_failure = ConnectFailure::Refused;
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => {
                // Probes send a handful of small messages and wait for each answer.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(error) if error.kind() == io::ErrorKind::ConnectionRefused => {
                last_failure = ConnectFailure::Refused;
            }
            Err(error) => last_failure = ConnectFailure::Other(error.to_string()),
        }
    }
    Err(last_failure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_brackets_ipv6() {
        assert_eq!(endpoint("::1", 5432), "[::1]:5432");
        assert_eq!(endpoint("db", 5432), "db:5432");
    }
}
