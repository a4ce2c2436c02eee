//! deploycheck: catch a broken production configuration before it is deployed.
//!
//! The stages, in the order [`pipeline`] runs them for `lint` and `probe`: [`settings`] (the
//! command line over [`config`] over defaults) and [`rules`] (load and validate the declarative
//! ruleset) → [`inputs`] and [`source`] (read .env files and `railway variables` output into
//! entries with byte spans, masking secrets by span) → [`engine`] (pure, synchronous: entries ×
//! rules → findings) → [`probe`] (optional live checks; the only async code) → [`filter`]
//! (selection, suppressions, baseline) → [`report`] (one module per output format), written by
//! [`output`] (never onto a file the run read) → [`exit`].
//! [`app`] dispatches a parsed command line to [`commands`], which call the pipeline; the
//! pipeline judges the configurations of a run in parallel ([`parallel`]).

// A tool failure ends the run once, so a large `Err` (it carries the source for the snippet)
// costs nothing that matters.
#![allow(clippy::result_large_err)]

pub mod app;
pub mod appsettings;
pub mod cli;
pub mod commands;
pub mod config;
pub mod engine;
pub mod error;
pub mod exit;
pub mod filter;
pub mod finding;
pub mod host;
pub mod inputs;
pub mod manifest;
pub mod output;
pub mod parallel;
pub mod pipeline;
pub mod probe;
pub mod progress;
pub mod project;
pub mod report;
pub mod rules;
pub mod secret;
pub mod settings;
pub mod source;
pub mod streams;
pub mod suggest;
pub mod tomlfile;
pub mod verify;
