//! TLS client settings shared by both probes and `verify`'s HTTP client
//! ([`crate::verify::http`]): which roots are trusted, and how much of the server's certificate
//! is checked.
//!
//! Trust starts from the Mozilla roots compiled in by `webpki-roots` (the same answer on every
//! machine, including minimal containers without a CA bundle), plus any `--probe-ca` files. The
//! crypto provider is rustls' `ring`, passed explicitly so nothing depends on a process-wide
//! default provider.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{self, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use super::ProbeError;
use crate::source::read::Reader;

/// How much of the server certificate a connection checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verification {
    /// Encrypt, but accept any certificate (asyncpg's `require`/`prefer`, `ssl_cert_reqs=none`).
    None,
    /// The chain must lead to a trusted root; the name is not compared (`verify-ca`).
    Chain,
    /// Chain and host name (`verify-full`, `rediss://` by default).
    Full,
}

/// The client configurations a run needs, built once from [`super::ProbeOptions`].
#[derive(Clone)]
pub(crate) struct TlsSettings {
    accept_any: Arc<ClientConfig>,
    chain_only: Arc<ClientConfig>,
    full: Arc<ClientConfig>,
    /// `--probe-insecure`: every connection accepts any certificate.
    pub(crate) insecure: bool,
}

impl TlsSettings {
    /// Load the default roots and every extra CA file. A file that cannot be read or holds no
    /// certificate is the user's mistake and stops the run before any connection is made.
    pub(crate) fn load(
        ca_files: &[PathBuf],
        insecure: bool,
        reader: &Reader,
    ) -> Result<Self, ProbeError> {
        let extra_roots = ca_files
            .iter()
            .map(|path| read_ca_file(path, reader))
            .collect::<Result<Vec<_>, _>>()?;
        Self::with_extra_roots(extra_roots, insecure).map_err(|error| match error {
            RootsError::Rejected { file, reason } => ProbeError::CaCertificateRejected {
                path: ca_files.get(file).cloned().unwrap_or_default(),
                reason,
            },
            RootsError::Setup(reason) => ProbeError::TlsSetup(reason),
        })
    }

    /// The configurations for the built-in roots plus `extra_roots`, one list per CA file. Also
    /// what `verify`'s HTTP client builds on, so both commands trust the same way.
    pub(crate) fn with_extra_roots(
        extra_roots: Vec<Vec<CertificateDer<'static>>>,
        insecure: bool,
    ) -> Result<Self, RootsError> {
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for (file, certificates) in extra_roots.into_iter().enumerate() {
            for certificate in certificates {
                roots
                    .add(certificate)
                    .map_err(|error| RootsError::Rejected {
                        file,
                        reason: error.to_string(),
                    })?;
            }
        }
        let provider = Arc::new(crypto::ring::default_provider());
        let webpki: Arc<dyn ServerCertVerifier> =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|error| RootsError::Setup(error.to_string()))?;
        let build =
            |verifier: Arc<dyn ServerCertVerifier>| -> Result<Arc<ClientConfig>, RootsError> {
                let config = ClientConfig::builder_with_provider(provider.clone())
                    .with_safe_default_protocol_versions()
                    .map_err(|error| RootsError::Setup(error.to_string()))?
                    .dangerous()
                    .with_custom_certificate_verifier(verifier)
                    .with_no_client_auth();
                Ok(Arc::new(config))
            };
        Ok(Self {
            accept_any: build(Arc::new(AcceptAnyCertificate {
                provider: provider.clone(),
            }))?,
            chain_only: build(Arc::new(IgnoreServerName {
                inner: webpki.clone(),
            }))?,
            full: build(webpki)?,
            insecure,
        })
    }

    /// A client configuration checking as much as `verification` asks (nothing when insecure).
    pub(crate) fn client_config(&self, verification: Verification) -> Arc<ClientConfig> {
        if self.insecure {
            return self.accept_any.clone();
        }
        match verification {
            Verification::None => self.accept_any.clone(),
            Verification::Chain => self.chain_only.clone(),
            Verification::Full => self.full.clone(),
        }
    }
}

fn read_ca_file(path: &Path, reader: &Reader) -> Result<Vec<CertificateDer<'static>>, ProbeError> {
    let bytes = reader
        .read_bytes(path)
        .map_err(|error| ProbeError::CaFileUnreadable {
            path: path.to_path_buf(),
            cause: std::io::Error::other(error.to_string()),
        })?;
    pem_certificates(&bytes).map_err(|reason| ProbeError::CaFileNotPem {
        path: path.to_path_buf(),
        reason,
    })
}

/// The certificates of a PEM CA file; why it is unusable when it holds none or a broken block.
pub(crate) fn pem_certificates(bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certificates = CertificateDer::pem_slice_iter(bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| error.to_string())?;
    if certificates.is_empty() {
        return Err("no `BEGIN CERTIFICATE` block found".to_string());
    }
    Ok(certificates)
}

/// Why [`TlsSettings::with_extra_roots`] failed; each caller names the file its own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RootsError {
    /// A certificate of the `file`-th list cannot be a trust root.
    Rejected { file: usize, reason: String },
    /// rustls refused the configuration itself.
    Setup(String),
}

/// `verify-ca`: the chain is checked, the name is not (libpq's and asyncpg's meaning).
#[derive(Debug)]
struct IgnoreServerName {
    inner: Arc<dyn ServerCertVerifier>,
}

impl ServerCertVerifier for IgnoreServerName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Encryption without authentication: any certificate is taken, but the handshake signatures
/// are still checked so the session keys belong to whoever sent the certificate.
struct AcceptAnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl fmt::Debug for AcceptAnyCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AcceptAnyCertificate")
    }
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
