//! The application's own settings class as the schema: find the `BaseSettings` subclass of a
//! FastAPI + pydantic-settings project ([`discover`]), and read it statically ([`reader`]) into
//! what deploycheck understands of it ([`model`]). No Python runs: nothing is imported or
//! executed, so reading a project costs milliseconds and works where no interpreter is.
//!
//! The parser is tree-sitter with tree-sitter-python, chosen over the alternatives on evidence:
//! - ruff's parser is the most faithful Python parser in Rust, but crates.io has it only as
//!   `ruff_python_parser` 0.0.x, described there as "an internal component crate of Ruff", with
//!   no stability promise; its latest release requires Rust 1.95.
//! - tree-sitter-python is the grammar GitHub and most editors use, released regularly by the
//!   tree-sitter organisation, and tree-sitter is error-tolerant: a syntax error is located
//!   (reported with its line) instead of ending the parse.
//!
//! Versions: tree-sitter 0.27 requires Rust 1.90, above this crate's `rust-version` of 1.85; the
//! 0.26 line (rust-version 1.77) loads the grammars that tree-sitter-python 0.25 ships (ABI 15),
//! so the crate keeps its MSRV. The same reasoning picks `ignore` 0.4.30 (0.4.35 needs 1.88).
//! The C parts (the parser runtime and the grammar) compile with the `cc` crate; no
//! system library is needed.
//!
//! Reading never fails on what it does not understand: an expression it cannot evaluate is
//! recorded as unknown, a type from a third-party package is an unknown type. Its only errors
//! ([`ReadError`]) are a file it cannot read or parse, and a class or module that is not there.

pub mod discover;
pub mod model;
pub mod reader;
pub(crate) mod syntax;
mod types;

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

pub use discover::{find_settings_classes, resolve_spec};
pub use model::{
    AppSettings, ConfigState, ConfigValue, Constraint, Constraints, EnvPrefixTarget, Extra, Field,
    FieldDefault, FieldType, LiteralValue, Location, NestedModel, Number, SettingsConfig, UrlType,
};
pub use reader::read_settings;

/// Why the settings class could not be read.
#[derive(Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum ReadError {
    #[error("{path}: cannot read: {reason}")]
    Unreadable { path: PathBuf, reason: String },

    #[error("{path}:{line}:{column}: Python syntax error")]
    #[diagnostic(help("the settings class is read from the file as it is; fix the syntax first"))]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
    },

    #[error("{path}: no class `{class}`")]
    #[diagnostic(help("name the class as `path/to/config.py:ClassName`"))]
    ClassNotFound { path: PathBuf, class: String },

    #[error("{path}: no class derives from BaseSettings")]
    #[diagnostic(help("name the class as `path/to/config.py:ClassName`"))]
    NoSettingsClass { path: PathBuf },

    #[error("{path}: several classes derive from BaseSettings: {}", classes.join(", "))]
    #[diagnostic(help("name one as `path/to/config.py:ClassName`"))]
    SeveralSettingsClasses { path: PathBuf, classes: Vec<String> },

    #[error("no module `{module}` under {root} or {root}/src")]
    #[diagnostic(help(
        "use a path (`app/core/config.py:Settings`) or the module as Python imports it"
    ))]
    ModuleNotFound { module: String, root: PathBuf },
}
