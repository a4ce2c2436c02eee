//! Rules: the TOML schema ([`schema`]), its validation into runtime rules ([`validate`]), and
//! the built-in set ([`builtin`]).
//!
//! A rule file holds the application's settings schema (`[variables.NAME]`) and rules
//! (`[[rules]]`), each with its documentation, an optional `when` condition and one or more
//! typed checks. Everything is validated at load time; a mistake is an error pointing into the
//! rule file, never a surprise during evaluation.

pub mod builtin;
pub mod kind;
pub mod load;
pub mod raised;
pub mod role;
pub mod schema;
pub mod spanned;
pub mod url_template;
pub mod validate;

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;

pub use kind::CheckKind;
pub use raised::{Raised, RaisedRule, RuleId};
pub use role::{Binding, Role, Why};
pub use url_template::UrlTemplate;

use crate::error::Error;
use crate::finding::{Finding, Severity};
use crate::source::Span;

/// A rule's documentation: what `explain` prints and what SARIF's `tool.driver.rules` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDoc {
    /// Kebab-case id naming what is flagged, e.g. `debug-enabled`.
    pub id: String,
    /// The default severity.
    pub severity: Severity,
    /// One line: what the rule flags.
    pub summary: String,
    /// Why it is a problem.
    pub why: String,
    /// How to fix it.
    pub help: String,
    /// A configuration that triggers the rule.
    pub example_bad: String,
    /// The same configuration, fixed.
    pub example_good: String,
    /// Further reading.
    pub url: Option<String>,
    /// Tags for selection, e.g. `security`, `database`.
    pub tags: Vec<String>,
    /// Off unless selected by its id (`select`/`extend-select`): a rule not everyone wants.
    pub opt_in: bool,
    /// The pack it belongs to (`general`, `cors`, `sqlalchemy-asyncpg`, ...): selectable like a
    /// tag; `--no-builtin` removes every built-in pack but `general`.
    pub pack: Option<String>,
}

/// The type of a settings variable, as the application declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum VariableType {
    String,
    Bool,
    Int,
    Url,
    JsonList,
    LogLevel,
    Secret,
}

impl VariableType {
    pub const NAMES: &'static [&'static str] = &[
        "string",
        "bool",
        "int",
        "url",
        "json-list",
        "log-level",
        "secret",
    ];

    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "string" => VariableType::String,
            "bool" => VariableType::Bool,
            "int" => VariableType::Int,
            "url" => VariableType::Url,
            "json-list" => VariableType::JsonList,
            "log-level" => VariableType::LogLevel,
            "secret" => VariableType::Secret,
            _ => return None,
        })
    }
}

/// One variable of the application's settings schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub name: String,
    pub kind: VariableType,
    pub required: bool,
    /// The value the application uses when the variable is absent.
    pub default: Option<String>,
    /// Mask its value in every output.
    pub secret: bool,
    pub description: Option<String>,
    /// What an empty value (`KEY=`) means to the application.
    pub empty: EmptyValue,
    /// The text the application reads as `None` (pydantic-settings' `env_parse_none_str`):
    /// not judged by the variable's type.
    pub none_text: Option<String>,
    /// Its roles by type, name and parent (the configuration's `[roles]` apply over these).
    pub roles: Vec<Binding>,
    /// The values the application accepts (`Literal`, `Enum`), as the environment spells them.
    pub choices: Option<Vec<String>>,
    /// The application's own code sees the raw value first (a before-validator): it may
    /// rewrite it (a scheme, a comma-separated list), so no rule judges its form.
    pub rewritten_by_app: bool,
}

impl Variable {
    /// A variable of the given name and type, with nothing else known.
    pub fn named(name: &str, kind: VariableType) -> Self {
        Variable {
            name: name.to_owned(),
            kind,
            required: false,
            default: None,
            secret: kind == VariableType::Secret,
            description: None,
            empty: EmptyValue::Missing,
            none_text: None,
            roles: Vec::new(),
            choices: None,
            rewritten_by_app: false,
        }
    }
}

/// What an empty value means for a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EmptyValue {
    /// A required variable that is empty (or blank) is missing: the hand-written schema's
    /// reading, where an empty secret or URL is as good as none.
    #[default]
    Missing,
    /// The empty string is a value like any other, judged by the field's type (pydantic's
    /// reading: `''` is a valid `str` and an invalid `int`).
    Value,
    /// An empty value counts as not set (pydantic-settings' `env_ignore_empty=True`): the
    /// default applies, or the variable is missing.
    Unset,
}

/// Where a rule was defined: the rule file's name and the rule's span in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub span: Span,
}

/// A validated rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub doc: RuleDoc,
    /// Overrides the message checks produce (`{key}`, `{value}`, `{detail}` filled in).
    pub message: Option<String>,
    pub unsuppressible: bool,
    pub when: Option<Condition>,
    pub checks: Vec<Check>,
    pub origin: Origin,
}

impl Rule {
    /// Is this a rule the program raises itself (a probe, an input reader, a suppression)?
    pub fn raised_by_program(&self) -> bool {
        self.checks
            .iter()
            .any(|check| check.kind.raised_by_program())
    }

    /// The message of a finding: the rule's `message` template when it has one, else `detail`.
    pub fn message_for(&self, fill: &Fill) -> String {
        match &self.message {
            Some(template) => fill.render(template),
            None => fill.detail.to_owned(),
        }
    }

    /// The help of a finding: the rule's help with its placeholders filled in, and a
    /// finding-specific suggestion appended when the help does not place it itself.
    pub fn help_for(&self, fill: &Fill) -> Option<String> {
        if self.doc.help.is_empty() {
            return fill.suggestion.map(str::to_owned);
        }
        let mut help = fill.render(&self.doc.help);
        if let Some(suggestion) = fill.suggestion {
            if !self.doc.help.contains("{suggestion}") {
                help.push_str(": ");
                help.push_str(suggestion);
            }
        }
        Some(help)
    }
}

/// What fills a rule's `{key}`, `{value}`, `{detail}` and `{suggestion}` placeholders. The
/// value is the shown (masked) one: nothing here may hold a secret.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fill<'a> {
    pub key: &'a str,
    pub value: &'a str,
    pub detail: &'a str,
    pub suggestion: Option<&'a str>,
}

impl Fill<'_> {
    fn render(&self, template: &str) -> String {
        template
            .replace("{key}", self.key)
            .replace("{value}", self.value)
            .replace("{detail}", self.detail)
            .replace("{suggestion}", self.suggestion.unwrap_or(""))
    }
}

/// What a condition or a check is about: a variable by name, or the variables bound to a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Variable(String),
    Role(Role),
}

/// When a rule applies.
#[derive(Debug, Clone)]
pub enum Condition {
    Profile(Vec<String>),
    Equals {
        variable: Subject,
        value: String,
    },
    OneOf {
        variable: Subject,
        values: Vec<String>,
    },
    Set {
        variable: Subject,
        set: bool,
    },
    Matches {
        variable: Subject,
        pattern: Pattern,
    },
    /// The database URL selects one of these drivers (by its `+driver`, else the project's).
    Driver(Vec<crate::project::Driver>),
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
}

/// A rule's regular expression, compiled the first time a check uses it: a run compiles only
/// the patterns of the rules that judge something, not those of every rule loaded. A user's
/// rule file has each pattern compiled as it is validated (a bad one is an error pointing at
/// it); the built-in ones are compiled by a test ([`builtin`]), so compiling them later cannot
/// fail.
///
/// Clones share the compiled form: a pattern written twice in a file is compiled once.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: std::sync::Arc<str>,
    compiled: std::sync::Arc<std::sync::OnceLock<Regex>>,
}

impl Pattern {
    /// A pattern compiled already.
    pub fn compiled(regex: Regex) -> Self {
        Pattern {
            source: regex.as_str().into(),
            compiled: std::sync::Arc::new(std::sync::OnceLock::from(regex)),
        }
    }

    /// A pattern known to compile, compiled when first used.
    pub fn deferred(source: String) -> Self {
        Pattern {
            source: source.into(),
            compiled: std::sync::Arc::default(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn regex(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            Regex::new(&self.source).unwrap_or_else(|error| {
                panic!(
                    "built-in pattern `{}` does not compile: {error}",
                    self.source
                )
            })
        })
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.regex().is_match(text)
    }
}

/// Which variables a check looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Targets {
    /// The named variables.
    Named(Vec<String>),
    /// The variables bound to a role, except those also bound to `except`.
    Role { role: Role, except: Option<Role> },
    /// Every variable the schema declares with this type.
    OfType(VariableType),
    /// Every variable the schema declares `required`.
    Required,
    /// Every key the configuration sets, declared or not.
    Every,
    /// The check is about the input as a whole (syntax, duplicates).
    Input,
}

/// One typed predicate applied to each target.
#[derive(Debug, Clone)]
pub struct Check {
    /// The kind as written (`kind = "..."`).
    pub kind: CheckKind,
    pub targets: Targets,
    pub predicate: Predicate,
}

/// What must hold. A check yields a finding where its predicate does not hold.
#[derive(Debug, Clone)]
pub enum Predicate {
    /// The variable is set to a non-empty value.
    Required,
    /// The variable is not set explicitly.
    Unset,
    /// A check of each target's effective value.
    Value(ValueCheck),
    /// The raw text (before interpolation) does not contain the pattern.
    RawContains(Pattern),
    /// Every statement parses (python-dotenv skips none).
    Syntax,
    /// No key is set twice.
    DuplicateKey,
    /// Reported by an input reader (e.g. a lossy `railway variables` format).
    Notice,
    /// Every `${NAME}` reference names a defined variable.
    UnresolvedReference,
    /// Every key the `.env.example` documents is set (or has a default).
    ExampleMissingKey,
    /// Every key set is documented in the `.env.example`.
    ExampleUndocumentedKey,
    /// No secret keeps the `.env.example`'s value.
    ExampleValueCopied,
    /// Reported by a live probe (`--probe`); documentation only here.
    Probe,
    /// Reported about a suppression comment or entry; documentation only here.
    Suppression,
    /// Reported from the application's Settings class; documentation only here.
    SettingsClass,
    /// Reported about the deployment files; documentation only here.
    Deployment,
    /// Reported by `deploycheck verify`; documentation only here.
    Verify,
    /// Reported about the Alembic migration history; documentation only here.
    Migrations,
    /// The value times the deployment's instance count is at most `max`.
    SharedQuota { max: i64 },
    /// Under `--probe`, an API answers a request made with the value as expected; run by the
    /// probes ([`crate::probe`]), not the engine.
    Http(HttpCheck),
}

/// What an `http` check asks, and what it expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpCheck {
    pub url: UrlTemplate,
    /// The status that means the value was accepted.
    pub expect_status: u16,
    /// The rule's own bound on the request; `--probe-timeout` when `None`.
    pub timeout: Option<std::time::Duration>,
}

/// A check of one effective value.
#[derive(Debug, Clone)]
pub enum ValueCheck {
    Equals {
        value: String,
        case_sensitive: bool,
    },
    OneOf {
        values: Vec<String>,
        case_sensitive: bool,
    },
    NoneOf {
        values: Vec<String>,
        case_sensitive: bool,
    },
    /// A valid pydantic boolean, and when `is` is given, that value.
    Bool {
        is: Option<bool>,
    },
    /// A valid pydantic integer within bounds.
    Int {
        min: Option<i64>,
        max: Option<i64>,
    },
    Matches(Pattern),
    NotMatches(Pattern),
    Url(UrlCheck),
    JsonList {
        element: Option<ElementCheck>,
        /// Judge a value that is not a JSON list by its comma-separated items.
        split_invalid: bool,
    },
    Secret(SecretCheck),
    /// The value the application treats as production (from the field's `Literal`/`Enum`
    /// values, or the configuration's `production-value`); else not a known development name.
    ProductionValue,
    /// A bare host name (a URL assembled from parts).
    Host(HostCheck),
}

/// What a `host` check requires.
#[derive(Debug, Clone, Default)]
pub struct HostCheck {
    pub forbid_local_host: bool,
    /// Hosts (glob patterns) that are flagged.
    pub forbid_hosts: Vec<String>,
}

/// What a `url` check requires.
#[derive(Debug, Clone, Default)]
pub struct UrlCheck {
    /// Allowed schemes; empty means any.
    pub schemes: Vec<String>,
    pub require_host: bool,
    pub forbid_local_host: bool,
    /// Hosts (glob patterns, `*` for any run of characters) that are flagged.
    pub forbid_hosts: Vec<String>,
    /// Hosts exempt from the `schemes` requirement (e.g. a private network).
    pub exempt_hosts: Vec<String>,
    /// Private-network addresses (RFC 1918, ULA, link-local, loopback) are exempt from `schemes`.
    pub exempt_private_hosts: bool,
    pub forbidden_params: Vec<String>,
    pub required_params: Vec<String>,
    /// Query parameters allowed; any other is flagged (empty: any).
    pub known_params: Vec<String>,
    /// The scheme must select a driver the project installs (see [`crate::project`]).
    pub driver_scheme: bool,
}

/// Per-element checks of a JSON list of origins.
#[derive(Debug, Clone, Default)]
pub struct ElementCheck {
    /// Elements that are flagged.
    pub forbid: Vec<String>,
    /// Elements the other element checks leave alone (another rule judges them).
    pub skip: Vec<String>,
    pub schemes: Vec<String>,
    pub forbid_local_host: bool,
    pub origin_only: bool,
}

/// What a `secret` check requires.
#[derive(Debug, Clone, Default)]
pub struct SecretCheck {
    pub min_length: Option<usize>,
    pub min_bits: Option<f64>,
    pub min_distinct: Option<usize>,
    /// The longest allowed run of repeated or sequential characters (`aaaa`, `abcd`, `4321`).
    pub max_run: Option<usize>,
    /// Known placeholders, compared case-insensitively.
    pub placeholders: Vec<String>,
    /// The placeholder patterns as one (case-insensitive, anchored alternation).
    pub placeholder_pattern: Option<Pattern>,
}

/// The pack of the checks that need no knowledge of the application (syntax, duplicates, the
/// Settings class's types and required fields, unknown keys): `--no-builtin` keeps it.
pub const GENERAL_PACK: &str = "general";

/// The loaded, validated rules and settings schema.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub case_sensitive: bool,
    /// Declared variables by name (as written in the rule file).
    pub variables: BTreeMap<String, Variable>,
    /// Rules in load order; a later rule with the same id replaced the earlier one in place.
    pub rules: Vec<Rule>,
    /// Keys secret by name: the built-in forms and the configuration's `secret-names`.
    pub secret_names: crate::secret::SecretNames,
    /// The configuration's `[roles]`: a role named there is bound to these variables only.
    pub configured_roles: BTreeMap<Role, Vec<String>>,
    /// The variables are the application's whole schema (its Settings class): a key no
    /// variable declares is not read, so no role binds it.
    pub closed: bool,
    /// What the project says about itself (production value, database driver).
    pub app: AppFacts,
    /// The variables `http` checks send to an API: secret whatever their name, so that no
    /// output shows the value sent.
    pub sent_to_apis: BTreeSet<String>,
}

/// What the project says about itself, beyond its variables.
#[derive(Debug, Clone, Default)]
pub struct AppFacts {
    /// The configuration's `[environment] production-value`.
    pub production_value: Option<String>,
    pub database: crate::project::Database,
}

impl RuleSet {
    /// Merge a later rule file into this set: its variables and rules replace same-named ones.
    pub fn extend(&mut self, other: RuleSet, case_sensitive_set: bool) {
        if case_sensitive_set {
            self.case_sensitive = other.case_sensitive;
        }
        self.variables.extend(other.variables);
        self.sent_to_apis.extend(other.sent_to_apis);
        for rule in other.rules {
            match self
                .rules
                .iter_mut()
                .find(|known| known.doc.id == rule.doc.id)
            {
                Some(known) => *known = rule,
                None => self.rules.push(rule),
            }
        }
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|rule| rule.doc.id == id)
    }

    /// The declared variable a key refers to, honouring case sensitivity.
    pub fn variable(&self, key: &str) -> Option<&Variable> {
        if self.case_sensitive {
            self.variables.get(key)
        } else {
            self.variables.get(key).or_else(|| {
                self.variables
                    .values()
                    .find(|v| v.name.eq_ignore_ascii_case(key))
            })
        }
    }

    /// Is the key secret (declared so, or named like a secret)? The one answer every output
    /// that masks values asks.
    pub fn is_secret(&self, key: &str) -> bool {
        self.variable(key).is_some_and(|v| v.secret)
            || self.secret_names.is_secret(key)
            || self.sent_to_apis.iter().any(|name| {
                if self.case_sensitive {
                    name == key
                } else {
                    name.eq_ignore_ascii_case(key)
                }
            })
    }

    /// The roles of a key: the configuration's `[roles]` first (a role named there binds only
    /// the variables listed), then what its type, name and parent say (a declared variable's
    /// own inference, else the key's name, unless the schema is closed).
    pub fn roles_of(&self, key: &str) -> Vec<Binding> {
        let same = |a: &str, b: &str| {
            if self.case_sensitive {
                a == b
            } else {
                a.eq_ignore_ascii_case(b)
            }
        };
        let mut bindings: Vec<Binding> = self
            .configured_roles
            .iter()
            .filter(|(_, names)| names.iter().any(|name| same(name, key)))
            .map(|(role, _)| Binding {
                role: *role,
                why: Why::Configured,
            })
            .collect();
        let inferred = match self.variable(key) {
            Some(variable) => {
                let mut roles = variable.roles.clone();
                if !roles.iter().any(|b| b.role == Role::Secret) && self.is_secret(key) {
                    roles.push(Binding {
                        role: Role::Secret,
                        why: Why::SecretName,
                    });
                }
                roles
            }
            None if self.closed => Vec::new(),
            None => role::infer(&role::undeclared_clues(key, self.is_secret(key))),
        };
        for binding in inferred {
            let configured = self.configured_roles.contains_key(&binding.role);
            if !configured && !bindings.iter().any(|b| b.role == binding.role) {
                bindings.push(binding);
            }
        }
        bindings
    }

    pub fn docs(&self) -> Vec<RuleDoc> {
        self.rules.iter().map(|rule| rule.doc.clone()).collect()
    }

    /// What `--no-builtin` keeps of the built-ins: the `general` pack (syntax, duplicates, the
    /// Settings class's checks) and the rules the program raises itself (probes, input readers,
    /// suppressions), without which their findings would have no severity. A rule with both
    /// kinds of check keeps only the check the program raises.
    pub fn without_audit_packs(mut self) -> Self {
        self.rules.retain(|rule| {
            rule.raised_by_program() || rule.doc.pack.as_deref() == Some(GENERAL_PACK)
        });
        for rule in &mut self.rules {
            if rule.doc.pack.as_deref() != Some(GENERAL_PACK) {
                rule.checks.retain(|check| check.kind.raised_by_program());
            }
        }
        self.variables.clear();
        self
    }

    /// The finding for something the program raised, with the rule set's severity and help.
    ///
    /// A rule missing from the set is a bug (the registry test checks every [`RuleId`] against
    /// the built-ins, and `--no-builtin` keeps them): it fails the run rather than drop the
    /// finding, since a dropped probe failure would let a CI gate pass.
    pub fn complete(&self, raised: Raised) -> Result<Finding, Error> {
        let id = raised.rule.as_str();
        let rule = self.rule(id).ok_or_else(|| Error::Internal {
            message: format!("the rule `{id}` was raised but is not in the loaded rule set"),
        })?;
        let fill = Fill {
            key: raised.key.as_deref().unwrap_or(""),
            value: "",
            detail: &raised.message,
            suggestion: raised.suggestion.as_deref(),
        };
        Ok(Finding {
            rule: id.to_owned(),
            severity: (0..raised.milder).fold(rule.doc.severity, |severity, _| severity.milder()),
            message: rule.message_for(&fill),
            help: rule.help_for(&fill),
            source: raised.source,
            key: raised.key,
            span: raised.span,
            labels: raised.labels,
        })
    }

    /// [`RuleSet::complete`] for each.
    pub fn complete_all(
        &self,
        raised: impl IntoIterator<Item = Raised>,
    ) -> Result<Vec<Finding>, Error> {
        raised.into_iter().map(|r| self.complete(r)).collect()
    }
}
