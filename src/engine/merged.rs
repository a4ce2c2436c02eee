//! Merging layers into what the application sees: one input per layer (later ones override
//! earlier ones, as pydantic-settings merges `env_file` tuples and the environment), keys
//! matched as the settings class matches them, and each variable's *effective* value: the one
//! the winning layer sets, or the declared default when no layer sets it.

use std::collections::BTreeMap;

use crate::rules::{Condition, RuleSet};
use crate::secret;
use crate::source::{Entry, Parsed, SourceId};

/// Where a layer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerKind {
    /// A .env file (or standard input in that format).
    Dotenv,
    /// `railway variables` output: what Railway injects.
    Railway,
    /// The process environment (`--process-env`).
    Environment,
}

/// One input's contribution to the configuration.
#[derive(Debug, Clone)]
pub struct Layer {
    pub source: SourceId,
    pub kind: LayerKind,
    pub parsed: Parsed,
}

/// One assignment of a key, and where it came from.
#[derive(Debug, Clone, Copy)]
pub struct Assignment<'a> {
    pub entry: &'a Entry,
    pub source: SourceId,
    pub layer: usize,
}

/// The value the application ends up with for a variable.
#[derive(Debug, Clone, Copy)]
pub enum Effective<'a> {
    /// A layer sets it.
    Set(Assignment<'a>),
    /// A layer names it without `=` (python-dotenv's `None`).
    NoValue(Assignment<'a>),
    /// No layer sets it; the schema's default applies.
    Default(&'a str),
    /// No layer sets it and there is no default.
    Absent,
}

/// The merged configuration of all layers: what the application ends up with.
pub struct Merged<'a> {
    pub(super) rules: &'a RuleSet,
    /// Every assignment by normalised key, in precedence order (the last one wins).
    assignments: BTreeMap<String, Vec<Assignment<'a>>>,
    /// Where findings without a place of their own point.
    pub primary: SourceId,
}

impl<'a> Merged<'a> {
    /// The layers merged; findings without a place of their own point at the first layer.
    pub fn build(rules: &'a RuleSet, layers: &'a [Layer]) -> Self {
        let primary = layers.first().map_or(SourceId(0), |layer| layer.source);
        let mut merged = Merged {
            rules,
            assignments: BTreeMap::new(),
            primary,
        };
        for (index, layer) in layers.iter().enumerate() {
            for entry in &layer.parsed.entries {
                let key = merged.normalize(&entry.key);
                merged.assignments.entry(key).or_default().push(Assignment {
                    entry,
                    source: layer.source,
                    layer: index,
                });
            }
        }
        merged
    }

    /// The key as the application looks it up (lower-cased unless keys are case-sensitive).
    pub fn normalize(&self, key: &str) -> String {
        if self.rules.case_sensitive {
            key.to_owned()
        } else {
            key.to_lowercase()
        }
    }

    /// The winning assignment of a key, if any layer sets it.
    pub fn assignment(&self, name: &str) -> Option<Assignment<'a>> {
        self.assignments
            .get(&self.normalize(name))
            .and_then(|list| list.last().copied())
    }

    pub fn effective(&self, name: &str) -> Effective<'a> {
        match self.assignment(name) {
            Some(assignment) if assignment.entry.value.is_some() => Effective::Set(assignment),
            Some(assignment) => Effective::NoValue(assignment),
            None => match self.rules.variable(name).and_then(|v| v.default.as_deref()) {
                Some(default) => Effective::Default(default),
                None => Effective::Absent,
            },
        }
    }

    /// The effective value as text (set or default).
    pub fn value(&self, name: &str) -> Option<&'a str> {
        match self.effective(name) {
            Effective::Set(assignment) => assignment.entry.value.as_deref(),
            Effective::Default(value) => Some(value),
            Effective::NoValue(_) | Effective::Absent => None,
        }
    }

    /// The winning assignment of every key set, in key order.
    pub fn winners(&self) -> impl Iterator<Item = Assignment<'a>> + '_ {
        self.assignments
            .values()
            .filter_map(|list| list.last().copied())
    }

    /// Every assignment, in key order then precedence order.
    pub fn all_assignments(&self) -> impl Iterator<Item = Assignment<'a>> + '_ {
        self.assignments.values().flatten().copied()
    }

    /// Is the key secret (declared so, or named like a secret)?
    pub fn is_secret(&self, key: &str) -> bool {
        self.rules.is_secret(key)
    }

    /// Does the condition hold for this configuration under `profile`?
    pub fn holds(&self, condition: &Condition, profile: &str) -> bool {
        match condition {
            Condition::Profile(names) => names.iter().any(|name| name == profile),
            Condition::Equals { variable, value } => self.value(variable) == Some(value.as_str()),
            Condition::OneOf { variable, values } => self
                .value(variable)
                .is_some_and(|v| values.iter().any(|candidate| candidate == v)),
            Condition::Set { variable, set } => {
                matches!(
                    self.effective(variable),
                    Effective::Set(_) | Effective::NoValue(_)
                ) == *set
            }
            Condition::Matches { variable, pattern } => {
                self.value(variable).is_some_and(|v| pattern.is_match(v))
            }
            Condition::All(all) => all.iter().all(|c| self.holds(c, profile)),
            Condition::Any(any) => any.iter().any(|c| self.holds(c, profile)),
            Condition::Not(inner) => !self.holds(inner, profile),
        }
    }

    /// The value as messages may show it: masked whole for a secret, URL passwords masked else.
    pub fn shown(&self, key: &str, value: &str) -> String {
        secret::shown(value, self.is_secret(key))
    }
}
