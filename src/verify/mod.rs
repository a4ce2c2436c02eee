//! `deploycheck verify URL`: the post-deployment checklist run against the live application.
//!
//! [`http`] is the one HTTP client the checks speak through: one request per fresh connection,
//! bounded by a timeout, over the same rustls trust as the probes, never following a redirect
//! and never contacting any host but the URL's own. Like [`crate::probe`], the async code stays
//! behind the command's own current-thread runtime.

pub mod http;
