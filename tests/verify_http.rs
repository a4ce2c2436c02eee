//! `verify`'s HTTP client against servers started here: raw HTTP/1.1 answers written by the test
//! on loopback, and TLS with certificates made here with rcgen, trusted through `ca_pems`.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use deploycheck::verify::http::{
    Client, ClientError, ClientOptions, Failure, MAX_BODY, Method, Request, Response,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use url::Url;

/// Short, so the silent-server tests are quick; loopback answers in well under it.
const TIMEOUT: Duration = Duration::from_millis(300);

fn client(ca_pems: Vec<(String, Vec<u8>)>) -> Client {
    Client::new(ClientOptions {
        timeout: TIMEOUT,
        ca_pems,
        user_agent: "deploycheck-test/1".into(),
    })
    .expect("client")
}

fn url(text: &str) -> Url {
    Url::parse(text).expect("test URL")
}

async fn get(client: &Client, address: &str) -> Result<Response, Failure> {
    client.send(&Request::new(Method::Get, url(address))).await
}

/// Read a request head (up to the blank line) byte by byte.
async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> String {
    let mut head = Vec::new();
    let mut byte = [0_u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// Read the request head, write `response`, close. Hands back the head.
async fn answer<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S, response: &[u8]) -> String {
    let head = read_head(stream).await;
    // The client may stop reading (a truncated body): a failed write is its business.
    let _ = stream.write_all(response).await;
    let _ = stream.shutdown().await;
    head
}

/// A plain HTTP server on 127.0.0.1 answering one connection with `response`.
async fn serve_once(response: impl Into<Vec<u8>>) -> (u16, JoinHandle<String>) {
    let response = response.into();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("accept");
        answer(&mut stream, &response).await
    });
    (port, server)
}

/// A port that accepts connections and never says anything.
async fn silent_server() -> (u16, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    (port, server)
}

/// A port nothing listens on.
async fn refused_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    listener.local_addr().expect("address").port()
}

/// A test CA and a server certificate it signed.
struct Pki {
    ca_pem: String,
    server: rustls::ServerConfig,
}

struct Leaf<'a> {
    names: &'a [&'a str],
    not_before: (i32, u8, u8),
    not_after: (i32, u8, u8),
}

const VALID: Leaf<'static> = Leaf {
    names: &["localhost", "127.0.0.1"],
    not_before: (2024, 1, 1),
    // 2223331200 in Unix seconds.
    not_after: (2040, 6, 15),
};

fn pki(leaf: &Leaf<'_>) -> Pki {
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "deploycheck verify test CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);

    let server_key = rcgen::KeyPair::generate().expect("server key");
    let names: Vec<String> = leaf.names.iter().map(|name| name.to_string()).collect();
    let mut params = rcgen::CertificateParams::new(names).expect("server params");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, leaf.names[0]);
    let (year, month, day) = leaf.not_before;
    params.not_before = rcgen::date_time_ymd(year, month, day);
    let (year, month, day) = leaf.not_after;
    params.not_after = rcgen::date_time_ymd(year, month, day);
    let server_cert = params
        .signed_by(&server_key, &issuer)
        .expect("server certificate");

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(vec![server_cert.der().clone()], key)
    .expect("server config");
    Pki {
        ca_pem: ca_cert.pem(),
        server,
    }
}

impl Pki {
    fn ca_pems(&self) -> Vec<(String, Vec<u8>)> {
        vec![("test-ca.pem".to_string(), self.ca_pem.clone().into_bytes())]
    }
}

/// An https server on 127.0.0.1 answering one connection with `response`. Hands back the
/// request head, or why the handshake failed.
async fn serve_tls_once(
    pki: &Pki,
    response: impl Into<Vec<u8>>,
) -> (u16, JoinHandle<Result<String, String>>) {
    let response = response.into();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(pki.server.clone()));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("accept");
        let mut tls = acceptor
            .accept(stream)
            .await
            .map_err(|error| error.to_string())?;
        Ok(answer(&mut tls, &response).await)
    });
    (port, server)
}

/// The reason of the TLS failure a GET of `address` ends in.
async fn tls_failure(client: &Client, address: &str) -> String {
    match get(client, address).await {
        Err(Failure::Tls(reason)) => reason,
        other => panic!("not a TLS failure: {other:?}"),
    }
}

const OK_RESPONSE: &str = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
    X-B: first\r\nSet-Cookie: a=1\r\nX-A: second\r\nset-cookie: b=2\r\n\
    Content-Length: 15\r\n\r\n{\"status\":\"ok\"}";

#[tokio::test]
async fn a_200_with_headers_and_body() {
    let (port, server) = serve_once(OK_RESPONSE).await;
    let request = Request::new(
        Method::Get,
        url(&format!("http://127.0.0.1:{port}/health?x=1#fragment")),
    )
    .with_header("Origin", "https://app.example.com");
    let response = client(Vec::new()).send(&request).await.expect("response");
    assert_eq!(response.status, 200);
    assert_eq!(response.body, b"{\"status\":\"ok\"}");
    assert!(!response.truncated);
    assert_eq!(response.certificate, None);
    assert_eq!(response.header("CONTENT-TYPE"), Some("application/json"));
    assert_eq!(
        response.headers_named("set-cookie").collect::<Vec<_>>(),
        ["a=1", "b=2"]
    );
    // Lower-cased names, in the order each first appeared.
    let names: Vec<&str> = response.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "content-type",
            "x-b",
            "set-cookie",
            "set-cookie",
            "x-a",
            "content-length"
        ]
    );

    let head = server.await.expect("server").to_lowercase();
    assert!(head.starts_with("get /health?x=1 http/1.1\r\n"), "{head}");
    assert!(
        head.contains(&format!("\r\nhost: 127.0.0.1:{port}\r\n")),
        "{head}"
    );
    assert!(head.contains("\r\nconnection: close\r\n"), "{head}");
    assert!(
        head.contains("\r\nuser-agent: deploycheck-test/1\r\n"),
        "{head}"
    );
    assert!(
        head.contains("\r\norigin: https://app.example.com\r\n"),
        "{head}"
    );
}

#[tokio::test]
async fn a_chunked_body_is_read_whole() {
    let (port, _server) = serve_once(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
         5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
    )
    .await;
    let response = get(&client(Vec::new()), &format!("http://127.0.0.1:{port}/"))
        .await
        .expect("response");
    assert_eq!(response.body_text(), "hello world");
}

#[tokio::test]
async fn a_head_response_has_no_body_to_wait_for() {
    // A GET would wait for the 100 bytes the length announces and time out.
    let (port, server) = serve_once("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n").await;
    let response = client(Vec::new())
        .send(&Request::new(
            Method::Head,
            url(&format!("http://127.0.0.1:{port}/")),
        ))
        .await
        .expect("response");
    assert_eq!(response.status, 200);
    assert!(response.body.is_empty());
    assert!(
        server
            .await
            .expect("server")
            .starts_with("HEAD / HTTP/1.1\r\n")
    );
}

#[tokio::test]
async fn a_redirect_is_returned_not_followed() {
    let (target_port, target) = serve_once(OK_RESPONSE).await;
    let location = format!("http://127.0.0.1:{target_port}/elsewhere");
    let (port, _server) = serve_once(format!(
        "HTTP/1.1 301 Moved Permanently\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n"
    ))
    .await;
    let response = get(&client(Vec::new()), &format!("http://127.0.0.1:{port}/"))
        .await
        .expect("response");
    assert_eq!(response.status, 301);
    assert_eq!(response.header("location"), Some(location.as_str()));
    assert!(!target.is_finished(), "the redirect target was contacted");
    target.abort();
}

#[tokio::test]
async fn a_body_above_the_limit_is_truncated() {
    let length = 2 * MAX_BODY + 17;
    let mut response = format!("HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n").into_bytes();
    response.resize(response.len() + length, b'x');
    let (port, _server) = serve_once(response).await;
    let response = get(&client(Vec::new()), &format!("http://127.0.0.1:{port}/"))
        .await
        .expect("response");
    assert!(response.truncated);
    assert_eq!(response.body.len(), MAX_BODY);
    assert!(response.body.iter().all(|&byte| byte == b'x'));
}

#[tokio::test]
async fn a_body_of_exactly_the_limit_is_whole() {
    // Close-delimited: no length, the server closing ends the body.
    let mut response = b"HTTP/1.1 200 OK\r\n\r\n".to_vec();
    response.resize(response.len() + MAX_BODY, b'y');
    let (port, _server) = serve_once(response).await;
    let response = get(&client(Vec::new()), &format!("http://127.0.0.1:{port}/"))
        .await
        .expect("response");
    assert!(!response.truncated);
    assert_eq!(response.body.len(), MAX_BODY);
}

#[tokio::test]
async fn a_server_that_accepts_and_stays_silent_times_out() {
    let (port, _server) = silent_server().await;
    let failure = get(&client(Vec::new()), &format!("http://127.0.0.1:{port}/"))
        .await
        .expect_err("no answer");
    assert_eq!(failure, Failure::Timeout);
    // Over https it is the handshake that never comes.
    let failure = get(&client(Vec::new()), &format!("https://127.0.0.1:{port}/"))
        .await
        .expect_err("no handshake");
    assert_eq!(failure, Failure::Timeout);
}

#[tokio::test]
async fn a_closed_port_is_refused() {
    let port = refused_port().await;
    let failure = get(&client(Vec::new()), &format!("http://127.0.0.1:{port}/"))
        .await
        .expect_err("nothing listens");
    assert_eq!(failure, Failure::Refused);
}

#[tokio::test]
async fn an_answer_that_is_not_http_is_a_protocol_failure() {
    let (port, _server) = serve_once("SSH-2.0-OpenSSH_9.6\r\n\r\n").await;
    let failure = get(&client(Vec::new()), &format!("http://127.0.0.1:{port}/"))
        .await
        .expect_err("not HTTP");
    assert!(matches!(failure, Failure::Protocol(_)), "{failure:?}");

    // Closing without a word.
    let (port, _server) = serve_once("").await;
    let failure = get(&client(Vec::new()), &format!("http://127.0.0.1:{port}/"))
        .await
        .expect_err("no answer");
    assert!(matches!(failure, Failure::Protocol(_)), "{failure:?}");
}

#[tokio::test]
async fn tls_with_a_trusted_certificate_reports_it() {
    let pki = pki(&VALID);
    for host in ["localhost", "127.0.0.1"] {
        let (port, server) = serve_tls_once(&pki, OK_RESPONSE).await;
        let response = get(
            &client(pki.ca_pems()),
            &format!("https://{host}:{port}/health"),
        )
        .await
        .expect("response");
        assert_eq!(response.status, 200);
        let certificate = response.certificate.expect("certificate");
        assert_eq!(
            certificate.not_after,
            UNIX_EPOCH + Duration::from_secs(2_223_331_200)
        );
        assert_eq!(certificate.subject, "CN=localhost");
        assert_eq!(certificate.issuer, "CN=deploycheck verify test CA");
        let head = server.await.expect("server").expect("handshake");
        assert!(
            head.contains(&format!("\r\nhost: {host}:{port}\r\n")),
            "{head}"
        );
    }
}

#[tokio::test]
async fn tls_with_an_expired_certificate_fails_the_handshake() {
    let pki = pki(&Leaf {
        not_before: (2020, 1, 1),
        not_after: (2021, 1, 1),
        ..VALID
    });
    let (port, _server) = serve_tls_once(&pki, OK_RESPONSE).await;
    let reason = tls_failure(
        &client(pki.ca_pems()),
        &format!("https://localhost:{port}/"),
    )
    .await;
    assert!(reason.contains("expired"), "{reason}");
    assert!(reason.contains("2021-01-01"), "{reason}");
}

#[tokio::test]
async fn tls_with_an_untrusted_certificate_fails_the_handshake() {
    let pki = pki(&VALID);
    let (port, _server) = serve_tls_once(&pki, OK_RESPONSE).await;
    // The CA is not given.
    let reason = tls_failure(&client(Vec::new()), &format!("https://localhost:{port}/")).await;
    assert!(reason.contains("unknown issuer"), "{reason}");
}

#[tokio::test]
async fn tls_with_a_certificate_for_another_host_fails_the_handshake() {
    let pki = pki(&Leaf {
        names: &["api.example.com"],
        ..VALID
    });
    let (port, _server) = serve_tls_once(&pki, OK_RESPONSE).await;
    let reason = tls_failure(
        &client(pki.ca_pems()),
        &format!("https://127.0.0.1:{port}/"),
    )
    .await;
    assert!(reason.contains("name mismatch"), "{reason}");
    assert!(reason.contains("it names api.example.com"), "{reason}");
}

#[tokio::test]
async fn https_to_a_plain_http_server_is_a_tls_failure() {
    // A plain server that answers at once: it would wait forever for a blank line that a
    // ClientHello does not hold.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let _server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("accept");
        let _ = stream
            .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .await;
        let mut sink = Vec::new();
        let _ = stream.read_to_end(&mut sink).await;
    });
    let reason = tls_failure(&client(Vec::new()), &format!("https://127.0.0.1:{port}/")).await;
    assert!(reason.contains("plain http"), "{reason}");
}

#[tokio::test]
async fn failure_texts_do_not_carry_url_credentials() {
    const PASSWORD: &str = "pa55-w0rd";
    const TOKEN: &str = "t0ken-value";
    let with_credentials = |port: u16, scheme: &str| {
        format!("{scheme}://admin:{PASSWORD}@127.0.0.1:{port}/x?token={TOKEN}")
    };
    let pki = pki(&Leaf {
        not_before: (2020, 1, 1),
        not_after: (2021, 1, 1),
        ..VALID
    });

    let mut failures = Vec::new();
    let refused = refused_port().await;
    failures.push(get(&client(Vec::new()), &with_credentials(refused, "http")).await);
    let (silent, _silent_server) = silent_server().await;
    failures.push(get(&client(Vec::new()), &with_credentials(silent, "http")).await);
    let (expired, _tls_server) = serve_tls_once(&pki, OK_RESPONSE).await;
    failures.push(get(&client(pki.ca_pems()), &with_credentials(expired, "https")).await);
    let (garbage, _garbage_server) = serve_once("nonsense\r\n\r\n").await;
    failures.push(get(&client(Vec::new()), &with_credentials(garbage, "http")).await);
    let failures: Vec<Failure> = failures
        .into_iter()
        .map(|result| result.expect_err("every one fails"))
        .collect();
    assert!(matches!(
        failures.as_slice(),
        [
            Failure::Refused,
            Failure::Timeout,
            Failure::Tls(_),
            Failure::Protocol(_)
        ]
    ));
    for failure in &failures {
        for text in [failure.to_string(), format!("{failure:?}")] {
            assert!(!text.contains(PASSWORD), "{text}");
            assert!(!text.contains(TOKEN), "{text}");
            assert!(!text.contains('\n'), "{text}");
        }
    }
}

#[tokio::test]
async fn url_credentials_are_not_sent_as_the_host() {
    let (port, server) = serve_once(OK_RESPONSE).await;
    get(
        &client(Vec::new()),
        &format!("http://admin:pa55-w0rd@127.0.0.1:{port}/"),
    )
    .await
    .expect("response");
    let head = server.await.expect("server");
    assert!(!head.contains("pa55-w0rd"), "{head}");
    assert!(!head.contains("admin"), "{head}");
}

#[test]
fn a_ca_file_without_a_certificate_is_an_error_naming_it() {
    let error = Client::new(ClientOptions {
        timeout: TIMEOUT,
        ca_pems: vec![(
            "private-ca.pem".to_string(),
            b"not a certificate\n".to_vec(),
        )],
        user_agent: "deploycheck-test/1".into(),
    })
    .expect_err("no certificate");
    assert!(
        matches!(&error, ClientError::CaFileNotPem { file, .. } if file == "private-ca.pem"),
        "{error:?}"
    );
    assert!(error.to_string().starts_with("private-ca.pem: "), "{error}");
}
