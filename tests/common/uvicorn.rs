//! The FastAPI application of `tests/verify_app` under a real uvicorn, for the `verify` tests:
//! one app whose variant (readiness down, CORS, docs, slow, traceback, HSTS) is chosen by
//! `VERIFY_*` environment variables, on a free loopback port, over plain HTTP or TLS with a
//! certificate made here ([`Tls`]); and a port that accepts and never answers ([`silent_port`]).
//!
//! uvicorn is looked up on PATH (`.ci/run` puts its virtual environment first), then in
//! `target/ci-venv` of this checkout. Without it, or without FastAPI next to it, a test prints a
//! notice and returns early, except under CI (`CI` set), where that is a failure
//! ([`servers::unavailable`](super::servers::unavailable)).

use std::fs;
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::files::Scratch;
use super::servers::{SilentListener, free_port, unavailable};

/// How long uvicorn may take to import the app and listen (a cold start on a busy 2-core CI
/// machine takes about a second).
const STARTUP_LIMIT: Duration = Duration::from_secs(20);

/// A running uvicorn serving `tests/verify_app/app.py`; its process group is killed on drop.
pub struct App {
    /// `http://127.0.0.1:PORT`, or `https://localhost:PORT` with TLS (the name the certificate
    /// is made for).
    pub url: String,
    pub port: u16,
    child: Child,
    dir: Scratch,
}

/// Where uvicorn's stdout and stderr go: a file, so a chatty run (tracebacks, access lines)
/// can never block the server on a full pipe.
const LOG: &str = "uvicorn.log";

fn uvicorn_binary() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("uvicorn"))
            .find(|candidate| candidate.is_file())
    });
    on_path.or_else(|| {
        let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-venv/bin/uvicorn");
        venv.is_file().then_some(venv)
    })
}

/// Start the app with the `VERIFY_*` variables of `variant` (any others inherited from the
/// environment are removed, so a variant is exactly what the test wrote), over TLS with `tls`.
/// `None` when uvicorn or FastAPI is missing (after [`unavailable`]); panics with uvicorn's
/// output when it does not listen within 20 s.
pub fn start(variant: &[(&str, &str)], tls: Option<&Tls>) -> Option<App> {
    let Some(uvicorn) = uvicorn_binary() else {
        unavailable("uvicorn (with FastAPI; `.ci/run` installs both)");
        return None;
    };
    // A free port is released before uvicorn binds it; another test may take it meanwhile.
    for _ in 0..3 {
        match launch(&uvicorn, variant, tls) {
            Launch::Listening(app) => return Some(app),
            Launch::PortTaken => continue,
            Launch::Unavailable(output) => {
                unavailable(&format!("FastAPI for {} ({output})", uvicorn.display()));
                return None;
            }
        }
    }
    panic!("uvicorn found its free port taken three times in a row");
}

enum Launch {
    Listening(App),
    PortTaken,
    Unavailable(String),
}

fn launch(uvicorn: &Path, variant: &[(&str, &str)], tls: Option<&Tls>) -> Launch {
    let dir = Scratch::new();
    let port = free_port();
    let app_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/verify_app");
    let mut command = Command::new(uvicorn);
    command.arg("app:app").arg("--app-dir").arg(&app_dir).args([
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
    ]);
    if let Some(tls) = tls {
        command
            .arg("--ssl-keyfile")
            .arg(&tls.key_path)
            .arg("--ssl-certfile")
            .arg(&tls.cert_path);
    }
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("VERIFY_") {
            command.env_remove(name);
        }
    }
    // No __pycache__ in the source tree.
    command.env("PYTHONDONTWRITEBYTECODE", "1");
    for (name, value) in variant {
        assert!(
            name.starts_with("VERIFY_"),
            "{name}: the app reads VERIFY_* only"
        );
        command.env(name, value);
    }
    let log = fs::File::create(dir.path().join(LOG)).expect("log file");
    let child = command
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log handle"))
        .stderr(log)
        // Its own process group, so drop ends anything it started with it.
        .process_group(0)
        .spawn()
        .expect("start uvicorn");
    let mut app = App {
        url: match tls {
            None => format!("http://127.0.0.1:{port}"),
            Some(_) => format!("https://localhost:{port}"),
        },
        port,
        child,
        dir,
    };
    let started = Instant::now();
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            // uvicorn binds after importing the app and running its startup: it answers now.
            return Launch::Listening(app);
        }
        if let Some(status) = app.child.try_wait().expect("wait for uvicorn") {
            let output = app.output();
            if output.contains("address already in use") {
                return Launch::PortTaken;
            }
            if output.contains("No module named 'fastapi'") {
                return Launch::Unavailable(output.trim().to_owned());
            }
            panic!("uvicorn exited ({status}) before listening on {port}:\n{output}");
        }
        if started.elapsed() > STARTUP_LIMIT {
            let output = app.output();
            panic!(
                "uvicorn did not listen on {port} within {} s:\n{output}",
                STARTUP_LIMIT.as_secs()
            );
        }
        thread::sleep(Duration::from_millis(50));
    }
}

impl App {
    /// `url` followed by `path` (which starts with `/`).
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// What uvicorn wrote so far (startup lines, access lines, tracebacks).
    pub fn output(&self) -> String {
        fs::read_to_string(self.dir.path().join(LOG)).unwrap_or_default()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // Only while uvicorn is unreaped does its id still name its group (made by
        // `process_group(0)`); the negative id signals the whole group.
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.child.id())])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// A private CA and a leaf certificate for `localhost` and `127.0.0.1` signed by it, as PEM
/// files in a scratch directory removed on drop. Trust `ca_pem` (or `ca_path`, for `--ca`).
pub struct Tls {
    pub ca_pem: String,
    pub ca_path: PathBuf,
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
    /// The leaf's `notAfter`, to the second.
    pub not_after: SystemTime,
    dir: Scratch,
}

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

impl Tls {
    /// A leaf that expires in 90 days, as an ACME certificate does.
    pub fn valid() -> Tls {
        Tls::expiring_in(90)
    }

    /// A leaf whose `notAfter` is `days` days from now (negative: already expired that long
    /// ago), and whose `notBefore` is 30 days before now or `notAfter`, whichever is earlier.
    /// A TLS client refuses an expired leaf in the handshake; `expiring_in(5)` is the
    /// valid-but-expiring-soon case.
    pub fn expiring_in(days: i64) -> Tls {
        let now = SystemTime::now();
        let offset = DAY * u32::try_from(days.unsigned_abs()).expect("days fit in u32");
        let not_after = if days >= 0 {
            now + offset
        } else {
            now - offset
        };
        let not_before = not_after.min(now) - DAY * 30;

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

        let leaf_key = rcgen::KeyPair::generate().expect("leaf key");
        let mut leaf_params =
            rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .expect("leaf params");
        leaf_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        leaf_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        // `time` is rcgen's dependency, not ours: its type is reached through rcgen's own
        // constructor, never named.
        let certificate_time = |at: SystemTime| {
            let since_epoch = at.duration_since(UNIX_EPOCH).expect("after 1970");
            rcgen::date_time_ymd(1970, 1, 1) + Duration::from_secs(since_epoch.as_secs())
        };
        leaf_params.not_before = certificate_time(not_before);
        leaf_params.not_after = certificate_time(not_after);
        let leaf_cert = leaf_params
            .signed_by(&leaf_key, &issuer)
            .expect("leaf certificate");

        let dir = Scratch::new();
        let ca_pem = ca_cert.pem();
        let ca_path = dir.write("ca.pem", &ca_pem);
        let cert_path = dir.write("server.pem", leaf_cert.pem());
        let key_path = dir.write("server.key", leaf_key.serialize_pem());
        fs::set_permissions(&key_path, fs::Permissions::from_mode(0o600)).expect("key permissions");
        Tls {
            ca_pem,
            ca_path,
            cert_path,
            key_path,
            // The certificate holds whole seconds.
            not_after: UNIX_EPOCH
                + Duration::from_secs(
                    not_after
                        .duration_since(UNIX_EPOCH)
                        .expect("after 1970")
                        .as_secs(),
                ),
            dir,
        }
    }

    /// The scratch directory holding the PEM files (for a test's own files next to them).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// A loopback port that accepts connections and never answers, for as long as the returned
/// listener lives: [`SilentListener`], which holds every accepted socket (no RST, no FIN).
pub fn silent_port() -> (SilentListener, u16) {
    let listener = SilentListener::start();
    let port = listener.port;
    (listener, port)
}
