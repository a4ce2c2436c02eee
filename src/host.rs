//! Which hosts are this machine, and which are on a private network: the one definition the
//! configuration rules (`forbid-local-host`, `exempt-private-hosts`) and the probes
//! (`probe-postgres-unencrypted`) share.
//!
//! *Local* ([`is_local_host`]) means the connection never leaves the machine the check runs on,
//! which in a deployment is the wrong machine:
//! - `localhost` and any name under `.localhost` (RFC 6761 §6.3: always loopback);
//! - IPv4 loopback `127.0.0.0/8` and the unspecified `0.0.0.0` (RFC 1122 §3.2.1.3; connecting
//!   to `0.0.0.0` reaches this host on Linux and macOS);
//! - IPv6 loopback `::1` and unspecified `::` (RFC 4291 §2.5.2, §2.5.3), and both IPv4 forms
//!   written as IPv4-mapped IPv6 (`::ffff:127.0.0.1`, RFC 4291 §2.5.5.2).
//!
//! *Private* ([`is_private_host`]) means traffic to the host does not cross the public
//! Internet, so a plain-text connection to it is no leak to warn about. Local hosts, and:
//! - RFC 1918 `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`;
//! - RFC 6598 shared address space `100.64.0.0/10` (carrier-grade NAT, and the overlay
//!   networks built on it, such as Tailscale's);
//! - RFC 3927 IPv4 link-local `169.254.0.0/16`;
//! - RFC 4193 IPv6 unique-local `fc00::/7` and RFC 4291 §2.5.6 link-local `fe80::/10`;
//! - any of those written as an IPv4-mapped IPv6 address;
//! - single-label names (`redis`, `db`): a compose or cluster service name, resolved through
//!   search domains; the public DNS has no such hosts (ICANN forbids dotless domains, SSAC
//!   report SAC053);
//! - Railway's private network, `railway.internal` and every name under it.
//!
//! Names are compared case-insensitively and without a trailing dot (`LOCALHOST.` is
//! `localhost`); an IPv6 address may be written with or without its URL brackets.

use std::net::IpAddr;

/// Whether `host` is this machine: `localhost`, `*.localhost`, a loopback or an unspecified
/// address (also in IPv4-mapped form).
pub fn is_local_host(host: &str) -> bool {
    let host = bare(host);
    if let Ok(address) = host.parse::<IpAddr>() {
        return is_local_address(address);
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// Whether a server bound to `host` is reachable from this machine only: `localhost`,
/// `*.localhost` or a loopback address. Unlike [`is_local_host`], the unspecified address
/// (`0.0.0.0`, `::`) is not: bound, it means every interface.
pub fn is_loopback_host(host: &str) -> bool {
    let host = bare(host);
    if let Ok(address) = host.parse::<IpAddr>() {
        return match address {
            IpAddr::V4(v4) => v4.is_loopback(),
            IpAddr::V6(v6) => {
                v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
            }
        };
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// Whether traffic to `host` stays off the public Internet: a local host, a private,
/// shared (CGNAT), unique-local or link-local address, a single-label name, or a name under
/// `railway.internal`. See the module documentation for the reasons.
pub fn is_private_host(host: &str) -> bool {
    let host = bare(host);
    if let Ok(address) = host.parse::<IpAddr>() {
        return is_private_address(address);
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    if name.is_empty() {
        return false;
    }
    !name.contains('.')
        || name == "localhost"
        || name.ends_with(".localhost")
        || name == "railway.internal"
        || name.ends_with(".railway.internal")
}

/// Whether `address` is local (loopback, unspecified) or on a private network (RFC 1918,
/// RFC 6598, link-local, unique-local), also when an IPv4 address is written IPv4-mapped.
pub fn is_private_address(address: IpAddr) -> bool {
    if is_local_address(address) {
        return true;
    }
    match address {
        IpAddr::V4(v4) => {
            let [first, second, ..] = v4.octets();
            let shared = first == 100 && (second & 0b1100_0000) == 0b0100_0000; // 100.64.0.0/10
            v4.is_private() || v4.is_link_local() || shared
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private_address(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            (first & 0xfe00) == 0xfc00 // fc00::/7 unique local
                || (first & 0xffc0) == 0xfe80 // fe80::/10 link local
        }
    }
}

/// Loopback or unspecified, also in IPv4-mapped form.
fn is_local_address(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_unspecified(),
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| v4.is_loopback() || v4.is_unspecified())
        }
    }
}

/// `host` without the brackets a URL puts around an IPv6 address.
fn bare(host: &str) -> &str {
    host.trim_start_matches('[').trim_end_matches(']')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_hosts() {
        for host in [
            "localhost",
            "LOCALHOST.",
            "app.localhost",
            "127.0.0.1",
            "127.1.2.3",
            "0.0.0.0",
            "::1",
            "[::1]",
            "::",
            "::ffff:127.0.0.1",
            "[::ffff:0.0.0.0]",
        ] {
            assert!(is_local_host(host), "{host} should be local");
            assert!(is_private_host(host), "{host} is local, so private");
        }
    }

    #[test]
    fn a_bind_is_loopback_only_on_loopback_addresses() {
        for host in [
            "localhost",
            "127.0.0.1",
            "127.0.1.1",
            "::1",
            "[::1]",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_loopback_host(host), "{host} binds loopback");
        }
        for host in ["0.0.0.0", "::", "[::]", "10.0.0.5", "example.com", ""] {
            assert!(!is_loopback_host(host), "{host} is reachable from outside");
        }
    }

    #[test]
    fn hosts_that_are_not_local() {
        for host in [
            "db.example.com",
            "10.0.0.1",
            "localhost.example.com",
            "notlocalhost",
            "redis",
            "postgres.railway.internal",
            "fd00::1",
            "::ffff:10.0.0.1",
            "",
        ] {
            assert!(!is_local_host(host), "{host} should not be local");
        }
    }

    #[test]
    fn private_hosts() {
        for host in [
            // RFC 1918, with the edges of 172.16.0.0/12.
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            // RFC 6598, with both edges of 100.64.0.0/10.
            "100.64.0.1",
            "100.127.255.255",
            // Link-local and unique-local.
            "169.254.1.1",
            "fd12:3456::1",
            "fd00::1",
            "[fc00::1]",
            "fe80::1",
            // IPv4-mapped.
            "::ffff:10.0.0.1",
            "::ffff:100.64.0.1",
            // Single-label names.
            "redis",
            "db.",
            "Postgres",
            // Railway's private network.
            "postgres.railway.internal",
            "redis.Railway.Internal",
            "railway.internal.",
        ] {
            assert!(is_private_host(host), "{host} should be private");
        }
    }

    #[test]
    fn public_hosts() {
        for host in [
            "8.8.8.8",
            "172.32.0.1",
            "172.15.255.255",
            "192.169.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "169.255.0.1",
            "2001:db8::1",
            "fec0::1",
            "::ffff:8.8.8.8",
            "db.example.com",
            "redis.example.com",
            "roundhouse.proxy.rlwy.net",
            "railway.internal.example.com",
            "notrailway.internal",
            "",
            ".",
        ] {
            assert!(!is_private_host(host), "{host} should be public");
        }
    }

    #[test]
    fn private_addresses() {
        for (address, private) in [
            ("127.0.0.1", true),
            ("172.18.0.2", true),
            ("100.100.100.100", true),
            ("fe80::1", true),
            ("::ffff:192.168.0.1", true),
            ("203.0.113.7", false),
            ("2606:4700::1111", false),
        ] {
            let parsed: IpAddr = address.parse().expect("test address");
            assert_eq!(is_private_address(parsed), private, "{address}");
        }
    }
}
