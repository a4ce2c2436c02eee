//! deploycheck: catch a broken production configuration before it is deployed.
//!
//! The pipeline: [`source`] (read .env files and `railway variables` output into entries with
//! byte spans) → [`rules`] (load and validate the declarative ruleset) → [`engine`] (pure,
//! synchronous: entries × rules → findings) → [`probe`] (optional live checks; the only async
//! code) → [`report`] (one module per output format).

pub mod finding;
pub mod probe;
pub mod report;
pub mod rules;
pub mod source;
