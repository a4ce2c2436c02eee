//! The PostgreSQL probe against real clusters (and against ports that refuse or stay silent).

mod common;

use std::time::{Duration, Instant};

use common::files::Scratch;
use common::probe::{input_with_database, input_with_redis, located, options, probe, rules, the};
use common::servers::{PASSWORD, Postgres, SilentListener, encode, free_port};
use deploycheck::finding::Severity;
use deploycheck::probe::{self, ProbeError, ProbeInput, ProbeOptions};
use deploycheck::source::read::Reader;

#[test]
fn plain_cluster() {
    let Some((postgres, _)) = Postgres::start(false) else {
        return;
    };
    let timeout = options(Duration::from_secs(10));

    // Healthy, asyncpg's default `prefer` against a server without TLS: plain, on loopback.
    let url = postgres.url("asyncpg", PASSWORD, "postgres", "");
    let findings = probe(&input_with_database(&url), &timeout);
    assert_eq!(rules(&findings), ["probe-postgres-info"], "{findings:#?}");
    let info = &findings[0];
    assert_eq!(info.severity, Severity::Info);
    assert_eq!(info.key.as_deref(), Some("DATABASE_URL"));
    assert_eq!(info.span, 0..1);
    assert!(info.message.starts_with("PostgreSQL 1"), "{}", info.message);
    assert!(
        info.message.contains("max_connections 20"),
        "{}",
        info.message
    );
    assert!(
        info.message.contains("3 reserved for superusers"),
        "{}",
        info.message
    );
    assert!(info.message.contains("TLS off"), "{}", info.message);
    assert!(
        info.message.contains("statement_timeout 0"),
        "{}",
        info.message
    );
    assert!(info.message.contains(" ms"), "{}", info.message);

    // libpq spelling with psycopg2.
    let url = postgres.url("psycopg2", PASSWORD, "postgres", "?sslmode=disable");
    let findings = probe(&input_with_database(&url), &timeout);
    assert_eq!(rules(&findings), ["probe-postgres-info"], "{findings:#?}");

    // Wrong password.
    let url = postgres.url("asyncpg", "wrong-pass", "postgres", "");
    let findings = probe(&input_with_database(&url), &timeout);
    let failure = the(&findings, "probe-postgres-auth-failed");
    assert_eq!(failure.severity, Severity::Error);
    assert!(
        failure.message.contains("password authentication failed"),
        "{}",
        failure.message
    );
    assert_eq!(findings.len(), 1);

    // Missing database.
    let url = postgres.url("asyncpg", PASSWORD, "no_such_db", "");
    let findings = probe(&input_with_database(&url), &timeout);
    let failure = the(&findings, "probe-postgres-database-missing");
    assert!(
        failure.message.contains("`no_such_db`"),
        "{}",
        failure.message
    );

    // TLS required, server has none.
    let url = postgres.url("asyncpg", PASSWORD, "postgres", "?ssl=require");
    let findings = probe(&input_with_database(&url), &timeout);
    let failure = the(&findings, "probe-postgres-tls-failed");
    assert!(
        failure.message.contains("does not support TLS"),
        "{}",
        failure.message
    );
    assert_eq!(findings.len(), 1);

    // Pools: (10 + 20) × 1 > 20 − 3.
    let url = postgres.url("asyncpg", PASSWORD, "postgres", "");
    let mut input = input_with_database(&url);
    input.db_pool_size = Some(located(10, "DB_POOL_SIZE", 40));
    input.db_max_overflow = Some(located(20, "DB_MAX_OVERFLOW", 60));
    let findings = probe(&input, &timeout);
    let pool = the(&findings, "probe-pool-exceeds-max-connections");
    assert_eq!(pool.severity, Severity::Error);
    assert_eq!(pool.key.as_deref(), Some("DB_POOL_SIZE"));
    assert_eq!(pool.span, 40..41);
    assert!(pool.message.contains("30 connections"), "{}", pool.message);
    assert!(pool.message.contains("allows 17"), "{}", pool.message);
    assert_eq!(pool.labels.len(), 2);

    // 5 + 3 = 8 fits in 17 for one process, not for three replicas × WEB_CONCURRENCY 1.
    input.db_pool_size = Some(located(5, "DB_POOL_SIZE", 40));
    input.db_max_overflow = Some(located(3, "DB_MAX_OVERFLOW", 60));
    let findings = probe(&input, &timeout);
    assert_eq!(rules(&findings), ["probe-postgres-info"], "{findings:#?}");
    input.web_concurrency = Some(located(1, "WEB_CONCURRENCY", 80));
    let three_replicas = ProbeOptions {
        replicas: 3,
        ..timeout.clone()
    };
    let findings = probe(&input, &three_replicas);
    let pool = the(&findings, "probe-pool-exceeds-max-connections");
    assert!(pool.message.contains("24 connections"), "{}", pool.message);
    assert!(pool.message.contains("× 3 processes"), "{}", pool.message);
}

#[test]
fn tls_cluster() {
    let Some((postgres, Some(certificates))) = Postgres::start(true) else {
        return;
    };
    let timeout = options(Duration::from_secs(10));

    // `prefer` and `require` encrypt without checking the certificate, as asyncpg does.
    for query in ["", "?ssl=require", "?ssl=prefer"] {
        let url = postgres.url("asyncpg", PASSWORD, "postgres", query);
        let findings = probe(&input_with_database(&url), &timeout);
        assert_eq!(
            rules(&findings),
            ["probe-postgres-info"],
            "{query}: {findings:#?}"
        );
        assert!(
            findings[0].message.contains("TLS on"),
            "{}",
            findings[0].message
        );
    }

    // Verifying modes fail against an unknown CA...
    for query in ["?ssl=verify-full", "?ssl=verify-ca", "?sslmode=verify-full"] {
        let url = postgres.url("asyncpg", PASSWORD, "postgres", query);
        let findings = probe(&input_with_database(&url), &timeout);
        let failure = the(&findings, "probe-postgres-tls-failed");
        assert!(
            failure.message.to_lowercase().contains("unknown"),
            "{query}: {}",
            failure.message
        );
    }

    // ...and pass once the CA is given.
    let with_ca = ProbeOptions {
        ca_files: vec![certificates.ca.clone()],
        ..timeout.clone()
    };
    for query in ["?ssl=verify-full", "?ssl=verify-ca"] {
        let url = postgres.url("asyncpg", PASSWORD, "postgres", query);
        let findings = probe(&input_with_database(&url), &with_ca);
        assert_eq!(
            rules(&findings),
            ["probe-postgres-info"],
            "{query}: {findings:#?}"
        );
        assert!(
            findings[0].message.contains("TLS on"),
            "{}",
            findings[0].message
        );
    }

    // `--probe-insecure` connects without the CA, and says so.
    let insecure = ProbeOptions {
        insecure: true,
        ..timeout.clone()
    };
    let url = postgres.url("asyncpg", PASSWORD, "postgres", "?ssl=verify-full");
    let findings = probe(&input_with_database(&url), &insecure);
    assert_eq!(
        the(&findings, "probe-insecure-tls").severity,
        Severity::Warning
    );
    the(&findings, "probe-postgres-info");

    // The server takes TCP clients over TLS only: `disable` is turned away by pg_hba.conf,
    // `allow` retries with TLS as asyncpg does.
    let url = postgres.url("asyncpg", PASSWORD, "postgres", "?ssl=disable");
    let findings = probe(&input_with_database(&url), &timeout);
    let failure = the(&findings, "probe-postgres-auth-failed");
    assert!(
        failure.message.contains("pg_hba.conf"),
        "{}",
        failure.message
    );
    let url = postgres.url("asyncpg", PASSWORD, "postgres", "?ssl=allow");
    let findings = probe(&input_with_database(&url), &timeout);
    assert_eq!(rules(&findings), ["probe-postgres-info"], "{findings:#?}");
    assert!(
        findings[0].message.contains("TLS on"),
        "{}",
        findings[0].message
    );

    // Wrong password over TLS is still an authentication failure.
    let url = postgres.url("asyncpg", "wrong-pass", "postgres", "?ssl=require");
    let findings = probe(&input_with_database(&url), &timeout);
    the(&findings, "probe-postgres-auth-failed");
}

#[test]
fn closed_port_is_unreachable() {
    let port = free_port();
    let url = format!(
        "postgresql+asyncpg://app:{}@127.0.0.1:{port}/db",
        encode(PASSWORD)
    );
    let findings = probe(&input_with_database(&url), &options(Duration::from_secs(5)));
    let failure = the(&findings, "probe-postgres-unreachable");
    assert_eq!(failure.severity, Severity::Error);
    assert!(failure.message.contains("refused"), "{}", failure.message);
}

#[test]
fn unknown_host_is_a_dns_failure() {
    let url = "postgresql+asyncpg://app:pw@deploycheck-test-host.invalid:5432/db";
    let findings = probe(&input_with_database(url), &options(Duration::from_secs(5)));
    let failure = the(&findings, "probe-postgres-unreachable");
    assert!(
        failure.message.contains("DNS lookup"),
        "{}",
        failure.message
    );
}

#[test]
fn silent_server_times_out() {
    let listener = SilentListener::start();
    let url = format!(
        "postgresql+asyncpg://app:{}@127.0.0.1:{}/db",
        encode(PASSWORD),
        listener.port
    );
    let started = Instant::now();
    let findings = probe(&input_with_database(&url), &options(Duration::from_secs(1)));
    let elapsed = started.elapsed();
    let failure = the(&findings, "probe-postgres-unreachable");
    assert!(
        failure.message.contains("timed out after 1 s"),
        "{}",
        failure.message
    );
    assert!(
        failure.message.contains("start the session"),
        "{}",
        failure.message
    );
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
}

#[test]
fn two_dead_endpoints_time_out_together() {
    let postgres_listener = SilentListener::start();
    let redis_listener = SilentListener::start();
    let mut input = input_with_database(&format!(
        "postgresql+asyncpg://app:pw@127.0.0.1:{}/db",
        postgres_listener.port
    ));
    input.redis_url =
        input_with_redis(&format!("redis://127.0.0.1:{}", redis_listener.port)).redis_url;
    let started = Instant::now();
    let findings = probe(&input, &options(Duration::from_secs(2)));
    let elapsed = started.elapsed();
    the(&findings, "probe-postgres-unreachable");
    the(&findings, "probe-redis-unreachable");
    // Concurrent: one timeout's worth, not two.
    assert!(elapsed < Duration::from_millis(3500), "took {elapsed:?}");
}

#[test]
fn urls_that_cannot_be_probed_are_reported_as_skipped() {
    for url in [
        "postgresql+asyncpg:///db",
        "sqlite:///app.db",
        "postgresql+asyncpg://u:p@h/db?ssl=sometimes",
        "${{Postgres.DATABASE_URL}}",
    ] {
        let findings = probe(&input_with_database(url), &options(Duration::from_secs(1)));
        assert_eq!(rules(&findings), ["probe-skipped"], "{url}");
        let skipped = &findings[0];
        assert_eq!(skipped.severity, Severity::Warning);
        assert_eq!(skipped.key.as_deref(), Some("DATABASE_URL"));
        assert_eq!(skipped.span, 0..1);
        assert!(
            skipped.message.starts_with("PostgreSQL was not probed"),
            "{}",
            skipped.message
        );
    }
    // An absent URL is the configuration rules' to report.
    assert!(probe(&ProbeInput::default(), &ProbeOptions::default()).is_empty());
}

#[test]
fn bad_ca_files_are_setup_errors() {
    let dir = Scratch::new();
    let missing = dir.path().join("missing.pem");
    let options = ProbeOptions {
        ca_files: vec![missing],
        ..ProbeOptions::default()
    };
    assert!(matches!(
        probe::run(&ProbeInput::default(), &options, &Reader::default()),
        Err(ProbeError::CaFileUnreadable { .. })
    ));

    let not_pem = dir.write("not.pem", "hello");
    let options = ProbeOptions {
        ca_files: vec![not_pem],
        ..ProbeOptions::default()
    };
    assert!(matches!(
        probe::run(&ProbeInput::default(), &options, &Reader::default()),
        Err(ProbeError::CaFileNotPem { .. })
    ));
}
