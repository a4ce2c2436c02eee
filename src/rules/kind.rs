//! The check kinds (`check = { kind = "..." }`), each declared once: its name, the options it
//! takes and what it means, in the one `check_kinds!` table below.
//!
//! Everything else about a kind is an exhaustive `match` over [`CheckKind`]: validation
//! ([`super::validate`]) turns each into a [`super::Predicate`], and the engine runs each
//! predicate. Adding a kind here therefore fails to compile until both handle it, and a test
//! fails until README.md's kind table lists it. Before this, a kind was spelled in seven places
//! and a forgotten one fell through a `_ =>` arm into a silent no-op.

/// Declares [`CheckKind`] with its name, options and documentation from one table.
macro_rules! check_kinds {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $name:literal, options: [$($option:literal),* $(,)?];
    )*) => {
        /// A check kind, as `kind = "..."` names it in a rule file.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum CheckKind {
            $($(#[doc = $doc])* $variant,)*
        }

        impl CheckKind {
            /// Every kind, in the order the documentation lists them.
            pub const ALL: &'static [CheckKind] = &[$(CheckKind::$variant),*];

            /// The name a rule file uses.
            pub fn name(self) -> &'static str {
                match self {
                    $(CheckKind::$variant => $name,)*
                }
            }

            /// The options the kind accepts besides `kind` (validation rejects the others).
            pub fn options(self) -> &'static [&'static str] {
                match self {
                    $(CheckKind::$variant => &[$($option),*],)*
                }
            }

            /// What the kind checks, in one line.
            pub fn summary(self) -> &'static str {
                match self {
                    $(CheckKind::$variant => concat!($($doc),*).trim_ascii(),)*
                }
            }
        }
    };
}

check_kinds! {
    /// The variable is set and not empty (default targets: every `required` variable).
    Required = "required", options: ["variable", "variables", "role", "except-role"];
    /// The variable is not set explicitly.
    Unset = "unset", options: ["variable", "variables", "role", "except-role"];
    /// The value equals `value`.
    Equals = "equals", options: ["variable", "variables", "role", "except-role", "value", "case-sensitive"];
    /// The value is one of `values`.
    OneOf = "one-of", options: ["variable", "variables", "role", "except-role", "values", "case-sensitive"];
    /// The value is none of `values`.
    NoneOf = "none-of", options: ["variable", "variables", "role", "except-role", "values", "case-sensitive"];
    /// A pydantic boolean, and `is` when given.
    Bool = "bool", options: ["variable", "variables", "role", "except-role", "is"];
    /// A pydantic integer within `min`..`max`.
    Int = "int", options: ["variable", "variables", "role", "except-role", "min", "max"];
    /// The value matches `pattern`.
    Matches = "matches", options: ["variable", "variables", "role", "except-role", "pattern"];
    /// The value does not match `pattern`.
    NotMatches = "not-matches", options: ["variable", "variables", "role", "except-role", "pattern"];
    /// A URL with the scheme, host and query parameters asked for.
    Url = "url", options: [
        "variable", "variables", "role", "except-role", "schemes", "require-host", "forbid-local-host", "forbid-hosts",
        "exempt-hosts", "exempt-private-hosts", "forbidden-params", "required-params",
        "known-params", "driver-scheme",
    ];
    /// A JSON array of strings, each element passing `element`'s checks (`split-invalid`: judge
    /// a value that is not JSON by its comma-separated items).
    JsonList = "json-list", options: ["variable", "variables", "role", "except-role", "element", "split-invalid"];
    /// A strong secret: long, random-looking, not a placeholder.
    Secret = "secret", options: [
        "variable", "variables", "role", "except-role", "min-length", "min-bits", "min-distinct", "max-run",
        "placeholders", "placeholder-patterns",
    ];
    /// The value the application treats as production: one of the field's `Literal`/`Enum`
    /// values that names production, or the configuration's `production-value`; for a plain
    /// string, not a well-known development name.
    ProductionValue = "production-value", options: ["variable", "variables", "role", "except-role"];
    /// A bare host name (a URL assembled from parts) that is not local or forbidden.
    Host = "host", options: [
        "variable", "variables", "role", "except-role", "forbid-local-host", "forbid-hosts",
    ];
    /// The raw text (before interpolation) does not match `pattern`.
    RawContains = "raw-contains", options: ["variable", "variables", "role", "except-role", "pattern"];
    /// Every statement parses (python-dotenv skips none).
    Syntax = "syntax", options: [];
    /// No key is set twice in one input.
    DuplicateKey = "duplicate-key", options: [];
    /// The input's reader raised no notice under this rule's id.
    Notice = "notice", options: [];
    /// Every `${NAME}` reference names a defined variable.
    UnresolvedReference = "unresolved-reference", options: [];
    /// Every key the `.env.example` documents is set, or has a default.
    ExampleMissingKey = "example-missing-key", options: [];
    /// Every key set is documented in the `.env.example`.
    ExampleUndocumentedKey = "example-undocumented-key", options: [];
    /// No secret keeps the `.env.example`'s value.
    ExampleValueCopied = "example-value-copied", options: [];
    /// Raised by a live probe (`--probe`); the rule documents it and sets its severity.
    Probe = "probe", options: [];
    /// Raised about a suppression; the rule documents it and sets its severity.
    Suppression = "suppression", options: [];
    /// Raised from the application's Settings class (unknown keys, types, constraints); the rule
    /// documents it and sets its severity.
    SettingsClass = "settings-class", options: [];
    /// Raised about the deployment files (Dockerfile, railway.toml/json, Procfile) and the
    /// environment they run in; the rule documents it and sets its severity.
    Deployment = "deployment", options: [];
    /// Raised by `deploycheck verify` about the deployed service; the rule documents it and
    /// sets its severity.
    Verify = "verify", options: [];
    /// Raised about the project's Alembic migration history; the rule documents it and sets
    /// its severity.
    Migrations = "migrations", options: [];
    /// A per-instance quota (a rate limit each process enforces on its own) times the number
    /// of instances the deployment files run is at most `max`, the quota they share.
    SharedQuota = "shared-quota", options: ["variable", "variables", "role", "except-role", "max"];
    /// Under `--probe`: a GET of `url`, `{value}` replaced by the variable's value (encoded for
    /// its place), answers `expect-status` within `timeout`.
    Http = "http", options: ["variable", "url", "expect-status", "timeout"];
}

impl CheckKind {
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|kind| kind.name() == name)
    }

    /// Kinds whose findings the program raises itself (a probe, an input reader, a suppression)
    /// rather than the engine evaluating a value: their rules stay loaded under `--no-builtin`,
    /// since nothing else could give those findings a severity.
    pub fn raised_by_program(self) -> bool {
        match self {
            CheckKind::Notice
            | CheckKind::Probe
            | CheckKind::Suppression
            | CheckKind::SettingsClass
            | CheckKind::Deployment
            | CheckKind::Verify
            | CheckKind::Migrations => true,
            CheckKind::Required
            | CheckKind::Unset
            | CheckKind::Equals
            | CheckKind::OneOf
            | CheckKind::NoneOf
            | CheckKind::Bool
            | CheckKind::Int
            | CheckKind::Matches
            | CheckKind::NotMatches
            | CheckKind::Url
            | CheckKind::JsonList
            | CheckKind::Secret
            | CheckKind::ProductionValue
            | CheckKind::Host
            | CheckKind::RawContains
            | CheckKind::Syntax
            | CheckKind::DuplicateKey
            | CheckKind::UnresolvedReference
            | CheckKind::ExampleMissingKey
            | CheckKind::ExampleUndocumentedKey
            | CheckKind::ExampleValueCopied
            | CheckKind::SharedQuota
            // Run by the probes, but for a rule file's own rule: its findings carry that rule's
            // id, and no built-in rule has one.
            | CheckKind::Http => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        let mut names: Vec<&str> = CheckKind::ALL.iter().map(|kind| kind.name()).collect();
        for kind in CheckKind::ALL {
            assert_eq!(CheckKind::parse(kind.name()), Some(*kind));
            assert!(!kind.summary().is_empty(), "{kind:?} has no summary");
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CheckKind::ALL.len());
    }
}
