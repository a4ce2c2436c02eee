//! An HTTP stub on loopback for the probes' `http` checks: plain or TLS (with the certificates
//! of [`super::servers::Certificates`]), answering every connection with what the test's
//! function makes of the request head, and counting connections and keeping request heads so a
//! test can say what was (or was not) asked.
//!
//! Threads and blocking sockets, not tokio: the binary under test runs in its own process, and
//! the stub only has to answer it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::servers::Certificates;

/// What the stub answers a request head with: the whole response, head and body.
pub type Answer = dyn Fn(&str) -> Vec<u8> + Send + Sync;

/// A stub server, listening for the test's whole life.
pub struct HttpStub {
    pub port: u16,
    connections: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
}

impl HttpStub {
    /// Plain HTTP on 127.0.0.1.
    pub fn start(answer: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static) -> Self {
        Self::listen(None, Arc::new(answer))
    }

    /// HTTPS on 127.0.0.1, with the server certificate of `certificates`.
    pub fn start_tls(
        certificates: &Certificates,
        answer: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static,
    ) -> Self {
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&certificates.cert)
            .expect("read the certificate")
            .collect::<Result<_, _>>()
            .expect("a PEM certificate");
        let key = PrivateKeyDer::from_pem_file(&certificates.key).expect("a PEM key");
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server config");
        Self::listen(Some(Arc::new(config)), Arc::new(answer))
    }

    fn listen(tls: Option<Arc<rustls::ServerConfig>>, answer: Arc<Answer>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let (counted, kept) = (connections.clone(), heads.clone());
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counted.fetch_add(1, Ordering::SeqCst);
                let (tls, answer, kept) = (tls.clone(), answer.clone(), kept.clone());
                thread::spawn(move || serve(stream, tls, &*answer, &kept));
            }
        });
        HttpStub {
            port,
            connections,
            heads,
        }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The request heads read so far, in order.
    pub fn heads(&self) -> Vec<String> {
        self.heads
            .lock()
            .map(|heads| heads.clone())
            .unwrap_or_default()
    }
}

/// One connection: the head, the answer, the end (a failed handshake ends it early).
fn serve(
    stream: TcpStream,
    tls: Option<Arc<rustls::ServerConfig>>,
    answer: &Answer,
    kept: &Mutex<Vec<String>>,
) {
    match tls {
        None => exchange(stream, answer, kept),
        Some(config) => {
            let Ok(connection) = rustls::ServerConnection::new(config) else {
                return;
            };
            let mut tls_stream = rustls::StreamOwned::new(connection, stream);
            exchange(&mut tls_stream, answer, kept);
            tls_stream.conn.send_close_notify();
            let _ = tls_stream.flush();
        }
    }
}

fn exchange(mut stream: impl Read + Write, answer: &Answer, kept: &Mutex<Vec<String>>) {
    let mut head = Vec::new();
    let mut byte = [0_u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let response = answer(&head);
    if let Ok(mut heads) = kept.lock() {
        heads.push(head);
    }
    let _ = stream.write_all(&response);
    let _ = stream.flush();
}

/// A complete response: the status line's code and reason, a body of `content_type`.
pub fn response(status: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The request target (`/path?query`) of a request head.
pub fn target(head: &str) -> &str {
    head.split_whitespace().nth(1).unwrap_or_default()
}
