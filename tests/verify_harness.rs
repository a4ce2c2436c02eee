//! The fixtures of the `verify` tests, checked with the plainest client there is (HTTP/1.1 by
//! hand over a `TcpStream`, and rustls for the TLS variants): each variant of
//! `tests/verify_app/app.py` under uvicorn answers what the verify tests assume, and the silent
//! port stays silent. When a verify test fails, these say whether the fixture or the check moved.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::uvicorn::{self, App, Tls, silent_port};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

const PRODUCTION_ORIGIN: &str = "https://app.example.com";
const FOREIGN_ORIGIN: &str = "https://evil.example";

/// A response as read off the wire.
#[derive(Debug)]
struct Response {
    status: u16,
    /// Names in lower case, in the order sent.
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(sent, _)| sent == name)
            .map(|(_, value)| value.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.body))
    }
}

fn request_text(method: &str, path: &str, headers: &[(&str, &str)]) -> String {
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text
}

fn parse(raw: &[u8]) -> Response {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers in {text:?}"));
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("a status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').expect("a header line");
            (name.to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    Response {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// One plain HTTP/1.1 exchange; `Connection: close`, so the body ends where the stream does.
fn request(app: &App, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", app.port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    stream
        .write_all(request_text(method, path, headers).as_bytes())
        .expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the response");
    parse(&raw)
}

fn get(app: &App, path: &str) -> Response {
    request(app, "GET", path, &[])
}

fn preflight(app: &App, origin: &str) -> Response {
    request(
        app,
        "OPTIONS",
        "/health",
        &[("Origin", origin), ("Access-Control-Request-Method", "GET")],
    )
}

/// The same exchange over TLS, trusting only `tls`'s CA and checking the name `localhost`.
fn request_tls(app: &App, tls: &Tls, path: &str) -> Result<Response, std::io::Error> {
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(tls.ca_pem.as_bytes()) {
        roots
            .add(certificate.expect("CA PEM"))
            .expect("CA accepted");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = ServerName::try_from("localhost").expect("server name");
    let connection = rustls::ClientConnection::new(Arc::new(config), name).expect("connection");
    let socket = TcpStream::connect(("127.0.0.1", app.port)).expect("connect");
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    let mut stream = rustls::StreamOwned::new(connection, socket);
    stream.write_all(request_text("GET", path, &[]).as_bytes())?;
    let mut raw = Vec::new();
    match stream.read_to_end(&mut raw) {
        Ok(_) => {}
        // A server that closes without `close_notify` after a whole response is done too.
        Err(error) if error.kind() == ErrorKind::UnexpectedEof && !raw.is_empty() => {}
        Err(error) => return Err(error),
    }
    Ok(parse(&raw))
}

#[test]
fn healthy_app_answers_every_route() {
    let Some(app) = uvicorn::start(&[], None) else {
        return;
    };
    assert!(app.url.starts_with("http://127.0.0.1:"), "{}", app.url);

    let health = get(&app, "/health");
    assert_eq!(health.status, 200, "{health:?}");
    assert_eq!(health.header("content-type"), Some("application/json"));
    assert_eq!(health.json(), serde_json::json!({"status": "healthy"}));

    let liveness = get(&app, "/health/liveness");
    assert_eq!(liveness.status, 200, "{liveness:?}");
    assert_eq!(liveness.json(), serde_json::json!({"status": "alive"}));

    let readiness = get(&app, "/health/readiness");
    assert_eq!(readiness.status, 200, "{readiness:?}");
    assert_eq!(
        readiness.json(),
        serde_json::json!({"status": "ready", "database": "ok", "redis": "ok"})
    );

    let version = get(&app, "/version");
    assert_eq!(version.status, 200, "{version:?}");
    assert_eq!(version.json(), serde_json::json!({"version": "1.2.3"}));

    let away = get(&app, "/redirect-away");
    assert_eq!(away.status, 302, "{away:?}");
    assert_eq!(away.header("location"), Some("https://elsewhere.example/"));

    // Production defaults: no docs, no HSTS (a proxy adds it, or nobody does).
    for path in ["/docs", "/redoc", "/openapi.json"] {
        let docs = get(&app, path);
        assert_eq!(docs.status, 404, "{path}: {docs:?}");
    }
    assert_eq!(health.header("strict-transport-security"), None);
    let unknown = get(&app, "/no-such-route");
    assert_eq!(unknown.status, 404, "{unknown:?}");
    assert_eq!(unknown.json(), serde_json::json!({"detail": "Not Found"}));
}

#[test]
fn readiness_down_answers_503_naming_the_database() {
    let Some(app) = uvicorn::start(&[("VERIFY_READINESS", "down")], None) else {
        return;
    };
    let readiness = get(&app, "/health/readiness");
    assert_eq!(readiness.status, 503, "{readiness:?}");
    assert_eq!(
        readiness.json(),
        serde_json::json!({"status": "not ready", "database": "down", "redis": "ok"})
    );
    // Only readiness is down.
    assert_eq!(get(&app, "/health").status, 200);
    assert_eq!(get(&app, "/health/liveness").status, 200);
}

#[test]
fn default_cors_allows_the_production_origin_only() {
    let Some(app) = uvicorn::start(&[], None) else {
        return;
    };
    let own = preflight(&app, PRODUCTION_ORIGIN);
    assert_eq!(own.status, 200, "{own:?}");
    assert_eq!(
        own.header("access-control-allow-origin"),
        Some(PRODUCTION_ORIGIN)
    );
    assert_eq!(own.header("access-control-allow-credentials"), None);

    let foreign = preflight(&app, FOREIGN_ORIGIN);
    assert_eq!(foreign.status, 400, "{foreign:?}");
    assert_eq!(foreign.body, "Disallowed CORS origin");
    assert_eq!(foreign.header("access-control-allow-origin"), None);

    // Simple requests: the allowed origin is echoed, a foreign one gets no CORS grant.
    let simple = request(&app, "GET", "/health", &[("Origin", PRODUCTION_ORIGIN)]);
    assert_eq!(simple.status, 200);
    assert_eq!(
        simple.header("access-control-allow-origin"),
        Some(PRODUCTION_ORIGIN)
    );
    let simple = request(&app, "GET", "/health", &[("Origin", FOREIGN_ORIGIN)]);
    assert_eq!(simple.status, 200);
    assert_eq!(simple.header("access-control-allow-origin"), None);
}

#[test]
fn cors_lacking_the_production_origin_rejects_it() {
    let Some(app) = uvicorn::start(
        &[("VERIFY_CORS_ORIGINS", r#"["https://staging.example.com"]"#)],
        None,
    ) else {
        return;
    };
    let own = preflight(&app, PRODUCTION_ORIGIN);
    assert_eq!(own.status, 400, "{own:?}");
    assert_eq!(own.header("access-control-allow-origin"), None);
    let staging = preflight(&app, "https://staging.example.com");
    assert_eq!(staging.status, 200, "{staging:?}");
}

#[test]
fn cors_wildcard_with_credentials_reflects_any_origin() {
    let Some(app) = uvicorn::start(
        &[
            ("VERIFY_CORS_ORIGINS", r#"["*"]"#),
            ("VERIFY_CORS_CREDENTIALS", "1"),
        ],
        None,
    ) else {
        return;
    };
    let foreign = preflight(&app, FOREIGN_ORIGIN);
    assert_eq!(foreign.status, 200, "{foreign:?}");
    assert_eq!(
        foreign.header("access-control-allow-origin"),
        Some(FOREIGN_ORIGIN)
    );
    assert_eq!(
        foreign.header("access-control-allow-credentials"),
        Some("true")
    );

    let simple = request(&app, "GET", "/health", &[("Origin", FOREIGN_ORIGIN)]);
    assert_eq!(simple.status, 200, "{simple:?}");
    assert_eq!(
        simple.header("access-control-allow-origin"),
        Some(FOREIGN_ORIGIN)
    );
    assert_eq!(
        simple.header("access-control-allow-credentials"),
        Some("true")
    );
}

#[test]
fn cors_wildcard_without_credentials_answers_a_star() {
    let Some(app) = uvicorn::start(&[("VERIFY_CORS_ORIGINS", r#"["*"]"#)], None) else {
        return;
    };
    let foreign = preflight(&app, FOREIGN_ORIGIN);
    assert_eq!(foreign.status, 200, "{foreign:?}");
    assert_eq!(foreign.header("access-control-allow-origin"), Some("*"));
    assert_eq!(foreign.header("access-control-allow-credentials"), None);
}

#[test]
fn docs_variant_serves_the_interactive_docs() {
    let Some(app) = uvicorn::start(&[("VERIFY_DOCS", "1")], None) else {
        return;
    };
    for path in ["/docs", "/redoc"] {
        let docs = get(&app, path);
        assert_eq!(docs.status, 200, "{path}: {docs:?}");
        assert!(
            docs.header("content-type")
                .is_some_and(|kind| kind.starts_with("text/html")),
            "{path}: {docs:?}"
        );
    }
    let openapi = get(&app, "/openapi.json");
    assert_eq!(openapi.status, 200, "{openapi:?}");
    assert!(openapi.json()["paths"]["/health/readiness"].is_object());
}

#[test]
fn slow_variant_delays_health_only() {
    let Some(app) = uvicorn::start(&[("VERIFY_SLOW_MS", "400")], None) else {
        return;
    };
    let started = Instant::now();
    let health = get(&app, "/health");
    let slow = started.elapsed();
    assert_eq!(health.status, 200, "{health:?}");
    assert!(slow >= Duration::from_millis(400), "{slow:?}");
    let started = Instant::now();
    assert_eq!(get(&app, "/health/liveness").status, 200);
    let fast = started.elapsed();
    assert!(fast < Duration::from_millis(400), "{fast:?}");
}

#[test]
fn traceback_variant_answers_500_with_the_traceback() {
    let Some(app) = uvicorn::start(&[("VERIFY_TRACEBACK", "1")], None) else {
        return;
    };
    let plain = get(&app, "/health");
    assert_eq!(plain.status, 500, "{plain:?}");
    assert_eq!(
        plain.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert!(
        plain.body.starts_with("Traceback (most recent call last):"),
        "{plain:?}"
    );
    assert!(
        plain
            .body
            .contains("RuntimeError: verify test app: traceback variant"),
        "{plain:?}"
    );

    let html = request(&app, "GET", "/health", &[("Accept", "text/html")]);
    assert_eq!(html.status, 500, "{html:?}");
    assert_eq!(
        html.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(html.body.contains("Traceback"), "{html:?}");
    assert!(html.body.contains("RuntimeError"), "{html:?}");
    // The other routes still answer.
    assert_eq!(get(&app, "/health/liveness").status, 200);
}

#[test]
fn hsts_variant_sends_the_header() {
    let Some(app) = uvicorn::start(&[("VERIFY_HSTS", "1")], None) else {
        return;
    };
    for path in ["/health", "/health/readiness", "/no-such-route"] {
        let response = get(&app, path);
        assert_eq!(
            response.header("strict-transport-security"),
            Some("max-age=31536000"),
            "{path}: {response:?}"
        );
    }
}

#[test]
fn tls_variant_serves_over_https_with_the_test_ca() {
    let tls = Tls::valid();
    let Some(app) = uvicorn::start(&[], Some(&tls)) else {
        return;
    };
    assert!(app.url.starts_with("https://localhost:"), "{}", app.url);
    let health = request_tls(&app, &tls, "/health").expect("TLS exchange");
    assert_eq!(health.status, 200, "{health:?}");
    assert_eq!(health.json(), serde_json::json!({"status": "healthy"}));
    let days_left = tls
        .not_after
        .duration_since(std::time::SystemTime::now())
        .expect("in the future")
        .as_secs()
        / 86_400;
    assert_eq!(days_left, 89);
}

#[test]
fn tls_expiring_soon_is_still_accepted() {
    let tls = Tls::expiring_in(5);
    let Some(app) = uvicorn::start(&[], Some(&tls)) else {
        return;
    };
    let health = request_tls(&app, &tls, "/health").expect("TLS exchange");
    assert_eq!(health.status, 200, "{health:?}");
}

#[test]
fn tls_expired_is_refused_in_the_handshake() {
    let tls = Tls::expiring_in(-1);
    let Some(app) = uvicorn::start(&[], Some(&tls)) else {
        return;
    };
    let error = request_tls(&app, &tls, "/health").expect_err("an expired certificate");
    assert_eq!(error.kind(), ErrorKind::InvalidData, "{error:?}");
    assert!(error.to_string().contains("expired"), "{error}");
}

#[test]
fn silent_port_accepts_and_never_answers() {
    let (listener, port) = silent_port();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .expect("read timeout");
    stream
        .write_all(request_text("GET", "/health", &[]).as_bytes())
        .expect("send");
    let mut byte = [0u8; 1];
    let started = Instant::now();
    let error = stream
        .read(&mut byte)
        .expect_err("no byte, and no end of stream");
    assert!(
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{error:?}"
    );
    assert!(started.elapsed() >= Duration::from_millis(290));
    assert_eq!(listener.connections(), 1);
}
