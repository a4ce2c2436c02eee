//! The network steps both probes share: name lookup and TCP connect, the stage a probe was in
//! when its time ran out, and which hosts count as private.

use std::cell::Cell;
use std::io;
use std::net::{IpAddr, SocketAddr};

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

/// Whether traffic to `host` stays on a private network: loopback, RFC 1918, IPv6 unique-local,
/// link-local, `localhost` and Railway's private network (`*.railway.internal`).
pub fn is_private_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(address) = host.parse::<IpAddr>() {
        return is_private_address(address);
    }
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "railway.internal"
        || host.ends_with(".railway.internal")
}

/// Whether `address` is loopback, RFC 1918, unique-local or link-local.
pub(crate) fn is_private_address(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_link_local(),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private_address(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || (first & 0xfe00) == 0xfc00 // fc00::/7 unique local
                || (first & 0xffc0) == 0xfe80 // fe80::/10 link local
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_hosts() {
        for host in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.1.1",
            "::1",
            "[::1]",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "localhost",
            "LOCALHOST.",
            "postgres.railway.internal",
            "redis.Railway.Internal",
        ] {
            assert!(is_private_host(host), "{host} should be private");
        }
    }

    #[test]
    fn public_hosts() {
        for host in [
            "8.8.8.8",
            "172.32.0.1",
            "192.169.0.1",
            "2001:db8::1",
            "::ffff:8.8.8.8",
            "db.example.com",
            "roundhouse.proxy.rlwy.net",
            "railway.internal.example.com",
            "notlocalhost",
        ] {
            assert!(!is_private_host(host), "{host} should be public");
        }
    }

    #[test]
    fn endpoint_brackets_ipv6() {
        assert_eq!(endpoint("::1", 5432), "[::1]:5432");
        assert_eq!(endpoint("db", 5432), "db:5432");
    }
}
