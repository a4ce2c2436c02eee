//! The parts of a connection URL both probes read the same way: the host and the user info,
//! percent-decoded as the drivers (asyncpg, redis-py) decode them.

use percent_encoding::percent_decode_str;
use url::{Host, Url};

/// `text` percent-decoded; `None` when the result is not UTF-8.
pub(crate) fn decode(text: &str) -> Option<String> {
    percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|decoded| decoded.into_owned())
}

/// The URL's host, percent-decoded, an IPv6 address without its brackets; `None` when the URL
/// has no host (a Unix socket) or an undecodable one.
pub(crate) fn host(url: &Url) -> Option<String> {
    let host = match url.host()? {
        Host::Domain(domain) => decode(domain)?,
        Host::Ipv4(address) => address.to_string(),
        Host::Ipv6(address) => address.to_string(),
    };
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(
            decode("p%40ss%3Aw%2Fo%25rd").as_deref(),
            Some("p@ss:w/o%rd")
        );
        assert_eq!(decode("plain").as_deref(), Some("plain"));
        // Not UTF-8 once decoded.
        assert_eq!(decode("%ff"), None);
    }

    #[test]
    fn hosts() {
        let host_of = |text: &str| host(&Url::parse(text).expect("test URL"));
        assert_eq!(host_of("redis://cache:6379").as_deref(), Some("cache"));
        assert_eq!(
            host_of("postgresql://u@[::1]:5432/d").as_deref(),
            Some("::1")
        );
        assert_eq!(
            host_of("postgresql://u@10.0.0.1/d").as_deref(),
            Some("10.0.0.1")
        );
        assert_eq!(
            host_of("postgresql://u@my%2Ddb/d").as_deref(),
            Some("my-db")
        );
        assert_eq!(host_of("postgresql:///d"), None);
        assert_eq!(host_of("unix:///run/redis.sock"), None);
    }
}
