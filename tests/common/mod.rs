//! What the integration tests share, one module per concern:
//! - [`cli`]: run deploycheck in-process, as the binary would, and read its JSON report;
//! - [`files`]: scratch directories for a test's files, removed on drop;
//! - [`process`]: run the binary as a child process, killed if it outlives a bound;
//! - [`http_stub`]: an HTTP(S) stub on loopback for the probes' `http` checks;
//! - [`servers`]: real PostgreSQL and Redis servers (and silent listeners) on loopback;
//! - [`probe`]: run the probes through the library and look findings up by rule;
//! - [`uvicorn`]: the FastAPI app of `tests/verify_app` under uvicorn, plain or TLS, for `verify`.
//!
//! Each test binary declares `mod common;` and uses its own part.
#![allow(dead_code)]

pub mod cli;
pub mod files;
pub mod http_stub;
pub mod probe;
pub mod process;
pub mod servers;
pub mod uvicorn;
