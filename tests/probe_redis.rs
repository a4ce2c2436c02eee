//! The Redis probe against real redis-server instances (plain and TLS-only), and against ports
//! that refuse or stay silent.

mod common;

use std::time::{Duration, Instant};

use common::probe::{input_with_redis, located, options, probe, rules, the};
use common::servers::{PASSWORD, Redis, SilentListener, encode, free_port};
use deploycheck::finding::Severity;
use deploycheck::probe::ProbeOptions;

#[test]
fn plain_server() {
    let Some((redis, _)) = Redis::start(false) else {
        return;
    };
    let timeout = options(Duration::from_secs(10));

    // Healthy, with and without the ACL user name.
    for url in [
        redis.url("redis", PASSWORD, ""),
        redis.url("redis", PASSWORD, "/2"),
        format!(
            "redis://default:{}@127.0.0.1:{}/0",
            encode(PASSWORD),
            redis.port
        ),
    ] {
        let findings = probe(&input_with_redis(&url), &timeout);
        assert_eq!(rules(&findings), ["probe-redis-info"], "{findings:#?}");
        let info = &findings[0];
        assert_eq!(info.severity, Severity::Info);
        assert_eq!(info.key.as_deref(), Some("REDIS_URL"));
        assert_eq!(info.span, 100..101);
        assert!(info.message.starts_with("Redis 7."), "{}", info.message);
        assert!(info.message.contains("maxclients 64"), "{}", info.message);
        assert!(info.message.contains("TLS off"), "{}", info.message);
        assert!(info.message.contains(" ms"), "{}", info.message);
    }

    // Wrong password, and none at all.
    let findings = probe(
        &input_with_redis(&redis.url("redis", "wrong-pass", "")),
        &timeout,
    );
    let failure = the(&findings, "probe-redis-auth-failed");
    assert_eq!(failure.severity, Severity::Error);
    assert!(failure.message.contains("WRONGPASS"), "{}", failure.message);
    assert_eq!(findings.len(), 1);
    let findings = probe(
        &input_with_redis(&format!("redis://127.0.0.1:{}", redis.port)),
        &timeout,
    );
    let failure = the(&findings, "probe-redis-auth-failed");
    assert!(failure.message.contains("NOAUTH"), "{}", failure.message);

    // A database index past `databases` (16).
    let findings = probe(
        &input_with_redis(&redis.url("redis", PASSWORD, "/99")),
        &timeout,
    );
    let failure = the(&findings, "probe-redis-database-missing");
    assert!(
        failure.message.contains("database 99"),
        "{}",
        failure.message
    );

    // TLS asked of a plain port, which takes the ClientHello for an unfinished command.
    let findings = probe(
        &input_with_redis(&redis.url("rediss", PASSWORD, "")),
        &options(Duration::from_secs(1)),
    );
    let failure = the(&findings, "probe-redis-tls-failed");
    assert!(
        failure.message.contains("plain Redis"),
        "{}",
        failure.message
    );
    assert_eq!(findings.len(), 1);

    // Pools against maxclients 64: 10 × 1 fits, 10 × 3 replicas × 3 workers does not.
    let mut input = input_with_redis(&redis.url("redis", PASSWORD, ""));
    input.redis_max_connections = Some(located(10, "REDIS_MAX_CONNECTIONS", 120));
    let findings = probe(&input, &timeout);
    assert_eq!(rules(&findings), ["probe-redis-info"], "{findings:#?}");
    input.web_concurrency = Some(located(3, "WEB_CONCURRENCY", 140));
    let replicated = ProbeOptions {
        replicas: 3,
        ..timeout.clone()
    };
    let findings = probe(&input, &replicated);
    let pool = the(&findings, "probe-redis-max-connections");
    assert_eq!(pool.severity, Severity::Error);
    assert_eq!(pool.key.as_deref(), Some("REDIS_MAX_CONNECTIONS"));
    assert_eq!(pool.span, 120..121);
    assert!(pool.message.contains("90 connections"), "{}", pool.message);
    assert!(pool.message.contains("allows 64"), "{}", pool.message);
}

#[test]
fn tls_server() {
    let Some((redis, Some(certificates))) = Redis::start(true) else {
        return;
    };
    let timeout = options(Duration::from_secs(10));
    let url = redis.url("rediss", PASSWORD, "");

    // The certificate is checked by default: unknown CA.
    let findings = probe(&input_with_redis(&url), &timeout);
    let failure = the(&findings, "probe-redis-tls-failed");
    assert!(
        failure.message.contains("UnknownIssuer"),
        "{}",
        failure.message
    );

    // Known CA.
    let with_ca = ProbeOptions {
        ca_files: vec![certificates.ca.clone()],
        ..timeout.clone()
    };
    let findings = probe(&input_with_redis(&url), &with_ca);
    assert_eq!(rules(&findings), ["probe-redis-info"], "{findings:#?}");
    assert!(
        findings[0].message.contains("TLS on"),
        "{}",
        findings[0].message
    );

    // redis-py's opt-out of verification.
    let findings = probe(
        &input_with_redis(&format!("{url}?ssl_cert_reqs=none")),
        &timeout,
    );
    assert_eq!(rules(&findings), ["probe-redis-info"], "{findings:#?}");

    // --probe-insecure works and warns.
    let insecure = ProbeOptions {
        insecure: true,
        ..timeout.clone()
    };
    let findings = probe(&input_with_redis(&url), &insecure);
    assert_eq!(
        the(&findings, "probe-insecure-tls").severity,
        Severity::Warning
    );
    the(&findings, "probe-redis-info");

    // Wrong password over TLS.
    let findings = probe(
        &input_with_redis(&redis.url("rediss", "wrong-pass", "")),
        &with_ca,
    );
    the(&findings, "probe-redis-auth-failed");

    // Plain protocol against the TLS port: the server hangs up.
    let findings = probe(
        &input_with_redis(&redis.url("redis", PASSWORD, "")),
        &timeout,
    );
    let failure = the(&findings, "probe-redis-unreachable");
    assert!(failure.message.contains("rediss://"), "{}", failure.message);
    assert!(
        failure
            .help
            .as_deref()
            .unwrap_or_default()
            .contains("rediss://"),
        "{failure:#?}"
    );
}

#[test]
fn closed_port_is_unreachable() {
    let url = format!("redis://:{}@127.0.0.1:{}/0", encode(PASSWORD), free_port());
    let findings = probe(&input_with_redis(&url), &options(Duration::from_secs(5)));
    let failure = the(&findings, "probe-redis-unreachable");
    assert!(failure.message.contains("refused"), "{}", failure.message);
}

#[test]
fn silent_server_times_out() {
    let listener = SilentListener::start();
    let url = format!(
        "redis://:{}@127.0.0.1:{}/0",
        encode(PASSWORD),
        listener.port
    );
    let started = Instant::now();
    let findings = probe(&input_with_redis(&url), &options(Duration::from_secs(1)));
    let elapsed = started.elapsed();
    let failure = the(&findings, "probe-redis-unreachable");
    assert!(
        failure.message.contains("timed out after 1 s"),
        "{}",
        failure.message
    );
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
}

#[test]
fn urls_that_cannot_be_probed_are_reported_as_skipped() {
    for url in [
        "unix:///run/redis.sock",
        "redis://h/not-a-db",
        "memcached://h",
    ] {
        let findings = probe(&input_with_redis(url), &options(Duration::from_secs(1)));
        assert_eq!(findings.len(), 1, "{url}: {findings:#?}");
        let skipped = &findings[0];
        assert_eq!(skipped.rule, "probe-skipped");
        assert_eq!(skipped.severity, Severity::Warning);
        assert_eq!(skipped.key.as_deref(), Some("REDIS_URL"));
        assert_eq!(skipped.span, 100..101);
        assert!(
            skipped.message.starts_with("Redis was not probed"),
            "{}",
            skipped.message
        );
    }
}

#[test]
fn refused_introspection_is_not_an_error() {
    // Like a managed service's restricted user: PING and SELECT only, no INFO, no CONFIG.
    let Some((redis, _)) = Redis::start_with(
        false,
        &[
            "--user",
            "limited",
            "on",
            ">limited-pass",
            "~*",
            "-@all",
            "+ping",
            "+select",
        ],
    ) else {
        return;
    };
    let url = format!("redis://limited:limited-pass@127.0.0.1:{}/1", redis.port);
    let mut input = input_with_redis(&url);
    input.redis_max_connections = Some(located(1000, "REDIS_MAX_CONNECTIONS", 120));
    let findings = probe(&input, &options(Duration::from_secs(10)));
    assert_eq!(rules(&findings), ["probe-redis-info"], "{findings:#?}");
    assert!(
        findings[0].message.starts_with("Redis unknown at")
            && findings[0].message.contains("maxclients unknown"),
        "{}",
        findings[0].message
    );
}
