//! Merging layers into what the application sees: one input per layer (later ones override
//! earlier ones, as pydantic-settings merges `env_file` tuples and the environment), keys
//! matched as the settings class matches them, and each variable's *effective* value: the one
//! the winning layer sets, or the declared default when no layer sets it.

use std::collections::BTreeMap;

use crate::project::{self, Driver, SchemeDriver};
use crate::rules::{Binding, Condition, Role, RuleSet, Subject};
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
    /// Each role's variables (as declared, else as written), and why each has it.
    roles: BTreeMap<Role, Vec<(String, Binding)>>,
}

impl<'a> Merged<'a> {
    /// The layers merged; findings without a place of their own point at the first layer.
    pub fn build(rules: &'a RuleSet, layers: &'a [Layer]) -> Self {
        let primary = layers.first().map_or(SourceId(0), |layer| layer.source);
        let mut merged = Merged {
            rules,
            assignments: BTreeMap::new(),
            primary,
            roles: BTreeMap::new(),
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
        merged.bind_roles();
        merged
    }

    /// Bind each role to its variables: the declared ones, and the keys set that no variable
    /// declares (unless the schema is closed, when [`RuleSet::roles_of`] binds none of them).
    fn bind_roles(&mut self) {
        let mut names: Vec<String> = self.rules.variables.keys().cloned().collect();
        for assignment in self.winners() {
            if self.rules.variable(&assignment.entry.key).is_none() {
                names.push(assignment.entry.key.clone());
            }
        }
        // A configured name that is neither declared nor set still has its role (its default,
        // or its absence, is judged by the rules that look at absence).
        for configured in self.rules.configured_roles.values().flatten() {
            if !names
                .iter()
                .any(|name| self.normalize(name) == self.normalize(configured))
            {
                names.push(configured.clone());
            }
        }
        let mut roles: BTreeMap<Role, Vec<(String, Binding)>> = BTreeMap::new();
        for name in names {
            for binding in self.rules.roles_of(&name) {
                roles
                    .entry(binding.role)
                    .or_default()
                    .push((name.clone(), binding));
            }
        }
        self.roles = roles;
    }

    /// The variables bound to a role.
    pub fn bound(&self, role: Role) -> impl Iterator<Item = &str> + '_ {
        self.roles
            .get(&role)
            .into_iter()
            .flatten()
            .map(|(name, _)| name.as_str())
    }

    /// Does the variable have this role?
    pub fn has_role(&self, name: &str, role: Role) -> bool {
        let key = self.normalize(name);
        self.bound(role).any(|bound| self.normalize(bound) == key)
    }

    /// The variable a condition's subject names: the variable, or the first one bound to the
    /// role that is set (else the first bound).
    fn subject(&self, subject: &Subject) -> Option<String> {
        match subject {
            Subject::Variable(name) => Some(name.clone()),
            Subject::Role(role) => {
                let bound: Vec<&str> = self.bound(*role).collect();
                let set = bound.iter().find(|name| self.assignment(name).is_some());
                set.or(bound.first()).map(|name| (*name).to_owned())
            }
        }
    }

    /// The variable a role names: the first bound one that is set, else the first bound.
    pub fn role_variable(&self, role: Role) -> Option<String> {
        self.subject(&Subject::Role(role))
    }

    /// The driver the database URL selects: its own `+driver`, else, for a plain
    /// `postgresql://` the application may rewrite, the project's one driver.
    pub fn database_driver(&self) -> Option<Driver> {
        let known = self.rules.app.database.known_drivers();
        let name = self.subject(&Subject::Role(Role::DatabaseUrl))?;
        let value = self.value(&name)?;
        let scheme = value.split_once("://")?.0;
        match project::scheme_driver(scheme) {
            SchemeDriver::Driver(driver) => Some(driver),
            SchemeDriver::Default | SchemeDriver::UnknownDialect => match known {
                Some([only]) => Some(*only),
                Some(_) | None => None,
            },
            SchemeDriver::NotPostgres | SchemeDriver::UnknownDriver => None,
        }
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
            Condition::Equals { variable, value } => {
                self.subject_value(variable) == Some(value.as_str())
            }
            Condition::OneOf { variable, values } => self
                .subject_value(variable)
                .is_some_and(|v| values.iter().any(|candidate| candidate == v)),
            Condition::Set { variable, set } => {
                let effective = self.subject(variable).map(|name| self.effective(&name));
                matches!(effective, Some(Effective::Set(_) | Effective::NoValue(_))) == *set
            }
            Condition::Matches { variable, pattern } => self
                .subject_value(variable)
                .is_some_and(|v| pattern.is_match(v)),
            Condition::Driver(drivers) => self
                .database_driver()
                .is_some_and(|driver| drivers.contains(&driver)),
            Condition::All(all) => all.iter().all(|c| self.holds(c, profile)),
            Condition::Any(any) => any.iter().any(|c| self.holds(c, profile)),
            Condition::Not(inner) => !self.holds(inner, profile),
        }
    }

    fn subject_value(&self, subject: &Subject) -> Option<&'a str> {
        self.subject(subject).and_then(|name| self.value(&name))
    }
}
