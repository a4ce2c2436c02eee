//! Real servers for the probe tests: PostgreSQL clusters and redis-server instances on free
//! loopback ports in scratch directories, stopped on drop; and listeners that never answer.
//!
//! Without the server binaries a test prints a notice and returns early, except under CI
//! (`CI` set), where a missing server is a failure: a green run must mean the probes ran.
#![allow(clippy::disallowed_macros)] // tests may print notices

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::files::Scratch;

pub const PASSWORD: &str = "s3cret p@ss:word/%";

/// Skip (or, under CI, fail) because `what` is missing.
// The notice is for the person running the tests; the test harness captures it like any output.
#[allow(clippy::disallowed_macros)]
pub fn unavailable(what: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is required under CI but is not available");
    }
    eprintln!("notice: {what} not available; skipping this probe test");
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local address").port()
}

/// Percent-encode a password for a URL's userinfo.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

fn wait_for_port(port: u16, limit: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        thread::sleep(Duration::from_millis(50));
    }
    false
}

fn running_as_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("Uid:"))
                .map(|ids| ids.split_whitespace().next() == Some("0"))
        })
        .unwrap_or(false)
}

fn user_exists(name: &str) -> bool {
    fs::read_to_string("/etc/passwd")
        .map(|passwd| {
            passwd
                .lines()
                .any(|line| line.split(':').next() == Some(name))
        })
        .unwrap_or(false)
}

/// A CA and a server certificate for `localhost` and `127.0.0.1`, as PEM files in `dir`.
pub struct Certificates {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Certificates {
    pub fn generate(dir: &Path, name: &str) -> Self {
        let ca_key = rcgen::KeyPair::generate().expect("CA key");
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(
            rcgen::DnType::CommonName,
            format!("deploycheck test CA {name}"),
        );
        ca_params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
        let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);

        let server_key = rcgen::KeyPair::generate().expect("server key");
        let mut server_params =
            rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .expect("server params");
        server_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        let server_cert = server_params
            .signed_by(&server_key, &issuer)
            .expect("server certificate");

        let certificates = Certificates {
            ca: dir.join(format!("{name}-ca.pem")),
            cert: dir.join(format!("{name}-server.pem")),
            key: dir.join(format!("{name}-server.key")),
        };
        fs::write(&certificates.ca, ca_cert.pem()).expect("write CA");
        fs::write(&certificates.cert, server_cert.pem()).expect("write certificate");
        fs::write(&certificates.key, server_key.serialize_pem()).expect("write key");
        fs::set_permissions(&certificates.key, fs::Permissions::from_mode(0o600))
            .expect("key permissions");
        certificates
    }
}

/// A PostgreSQL cluster with scram password auth for user `postgres`, `max_connections=20`,
/// listening on 127.0.0.1 only; with TLS, `pg_hba.conf` accepts TCP clients over TLS only.
pub struct Postgres {
    pub port: u16,
    bin: PathBuf,
    data: PathBuf,
    as_postgres_user: bool,
    dir: Scratch,
}

/// The newest `/usr/lib/postgresql/*/bin` with `initdb`, else `initdb` on PATH.
fn postgres_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
    })
}

impl Postgres {
    /// Start a cluster; `tls` turns on `ssl` with a freshly generated certificate. `None` when
    /// the binaries are missing (after [`unavailable`]).
    pub fn start(tls: bool) -> Option<(Self, Option<Certificates>)> {
        Self::start_with_password(tls, PASSWORD)
    }

    /// [`Postgres::start`] with `password` for user `postgres`.
    pub fn start_with_password(tls: bool, password: &str) -> Option<(Self, Option<Certificates>)> {
        let Some(bin) = postgres_bin_dir() else {
            unavailable("PostgreSQL (initdb, pg_ctl)");
            return None;
        };
        let dir = Scratch::new();
        let as_postgres_user = running_as_root();
        if as_postgres_user && !user_exists("postgres") {
            unavailable("a `postgres` user to run initdb as (initdb refuses to run as root)");
            return None;
        }
        let data = dir.path().join("data");
        let password_file = dir.path().join("password");
        fs::write(&password_file, password).expect("password file");
        let certificates = tls.then(|| Certificates::generate(dir.path(), "postgres"));
        if as_postgres_user {
            // initdb refuses to run as root; the cluster belongs to `postgres`.
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("run chown");
            assert!(status.success(), "chown of the cluster directory failed");
        }
        let postgres = Postgres {
            port: free_port(),
            bin,
            data,
            as_postgres_user,
            dir,
        };
        let output = postgres
            .command("initdb")
            .arg("-D")
            .arg(&postgres.data)
            .args(["-U", "postgres", "-E", "UTF8", "--no-sync"])
            .args(["--auth-host=scram-sha-256", "--auth-local=trust"])
            .arg(format!("--pwfile={}", password_file.display()))
            .output()
            .expect("run initdb");
        assert!(
            output.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );

        if certificates.is_some() {
            // TLS or nothing over TCP, as managed services often insist.
            fs::write(
                postgres.data.join("pg_hba.conf"),
                "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n",
            )
            .expect("write pg_hba.conf");
        }
        let socket_dir = postgres.dir.path();
        let mut server_options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=20 -c fsync=off",
            postgres.port,
            socket_dir.display()
        );
        if let Some(certificates) = &certificates {
            server_options.push_str(&format!(
                " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                certificates.cert.display(),
                certificates.key.display()
            ));
        }
        let log = postgres.dir.path().join("server.log");
        let output = postgres
            .command("pg_ctl")
            .arg("-D")
            .arg(&postgres.data)
            .arg("-l")
            .arg(&log)
            .arg("-o")
            .arg(&server_options)
            .args(["-w", "-t", "30", "start"])
            .output()
            .expect("run pg_ctl start");
        assert!(
            output.status.success(),
            "pg_ctl start failed: {}\n{}",
            String::from_utf8_lossy(&output.stderr),
            fs::read_to_string(&log).unwrap_or_default()
        );
        assert!(
            wait_for_port(postgres.port, Duration::from_secs(10)),
            "PostgreSQL does not listen on {}",
            postgres.port
        );
        Some((postgres, certificates))
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres_user {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        };
        command.stdin(Stdio::null());
        command
    }

    /// Run SQL in `database` as `postgres`, through `psql` on the cluster's Unix socket (trust
    /// authentication); panics when it fails.
    pub fn sql(&self, database: &str, statements: &str) {
        let output = self
            .command("psql")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", "postgres", "-h"])
            .arg(self.dir.path())
            .args([
                "-p",
                &self.port.to_string(),
                "-d",
                database,
                "-c",
                statements,
            ])
            .output()
            .expect("run psql");
        assert!(
            output.status.success(),
            "psql failed on {statements:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    pub fn url(&self, driver: &str, password: &str, database: &str, query: &str) -> String {
        format!(
            "postgresql+{driver}://postgres:{}@127.0.0.1:{}/{database}{query}",
            encode(password),
            self.port
        )
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A redis-server child process; killed on drop.
pub struct Redis {
    pub port: u16,
    child: Child,
    dir: Scratch,
}

fn redis_server_binary() -> Option<PathBuf> {
    let installed = PathBuf::from("/usr/bin/redis-server");
    if installed.exists() {
        return Some(installed);
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("redis-server"))
            .find(|candidate| candidate.exists())
    })
}

impl Redis {
    /// Start redis-server requiring [`PASSWORD`]; with `tls`, only a TLS port is opened.
    pub fn start(tls: bool) -> Option<(Self, Option<Certificates>)> {
        Self::start_with(tls, &[])
    }

    /// [`Redis::start`] with further `redis-server` arguments.
    pub fn start_with(tls: bool, extra: &[&str]) -> Option<(Self, Option<Certificates>)> {
        Self::start_with_password(tls, PASSWORD, extra)
    }

    /// [`Redis::start_with`] requiring `password` instead of [`PASSWORD`].
    pub fn start_with_password(
        tls: bool,
        password: &str,
        extra: &[&str],
    ) -> Option<(Self, Option<Certificates>)> {
        let Some(binary) = redis_server_binary() else {
            unavailable("redis-server");
            return None;
        };
        let dir = Scratch::new();
        let port = free_port();
        let mut command = Command::new(binary);
        command
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--requirepass", password, "--maxclients", "64"])
            .arg("--dir")
            .arg(dir.path())
            .args(extra);
        let certificates = tls.then(|| Certificates::generate(dir.path(), "redis"));
        match &certificates {
            None => {
                command.args(["--port", &port.to_string()]);
            }
            Some(certificates) => {
                command
                    .args(["--port", "0", "--tls-port", &port.to_string()])
                    .arg("--tls-cert-file")
                    .arg(&certificates.cert)
                    .arg("--tls-key-file")
                    .arg(&certificates.key)
                    .arg("--tls-ca-cert-file")
                    .arg(&certificates.ca)
                    .args(["--tls-auth-clients", "no"]);
            }
        }
        let log = fs::File::create(dir.path().join("redis.log")).expect("log file");
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .expect("start redis-server");
        let mut redis = Redis { port, child, dir };
        if !wait_for_port(port, Duration::from_secs(10)) {
            let log = fs::read_to_string(redis.dir.path().join("redis.log")).unwrap_or_default();
            let _ = redis.child.kill();
            if tls && log.contains("TLS") {
                unavailable(&format!("redis-server with TLS support ({log})"));
                return None;
            }
            panic!("redis-server did not start: {log}");
        }
        Some((redis, certificates))
    }

    pub fn url(&self, scheme: &str, password: &str, path: &str) -> String {
        format!(
            "{scheme}://:{}@127.0.0.1:{}{path}",
            encode(password),
            self.port
        )
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP listener that accepts connections and never answers; held for the test's life.
pub struct SilentListener {
    pub port: u16,
    _listener: TcpListener,
    accepted: std::sync::Arc<std::sync::Mutex<Vec<TcpStream>>>,
}

impl SilentListener {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let accepted = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let clone = listener.try_clone().expect("clone listener");
        let keep = accepted.clone();
        // Accepting (and keeping) the connections makes the silence total: no RST, no FIN.
        thread::spawn(move || {
            for stream in clone.incoming().flatten() {
                if let Ok(mut kept) = keep.lock() {
                    kept.push(stream);
                }
            }
        });
        SilentListener {
            port,
            _listener: listener,
            accepted,
        }
    }

    /// How many connections were accepted so far (give a connection in flight a moment first).
    pub fn connections(&self) -> usize {
        self.accepted.lock().map_or(0, |kept| kept.len())
    }
}
