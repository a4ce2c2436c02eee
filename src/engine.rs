//! The engine: entries × rules → findings. Pure and synchronous: no I/O, no printing, no exit.
//!
//! Layers (one per input; later ones override earlier ones, as pydantic-settings merges
//! `env_file` tuples and the environment) form one [`Config`]. Each rule whose `when` holds runs
//! its checks against the *effective* value of each target variable: the value the winning
//! layer sets, or the variable's declared default when no layer sets it.

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::finding::{self, Finding, Label};
use crate::rules::{
    Check, Condition, ElementCheck, Predicate, Rule, RuleSet, SecretCheck, Targets, UrlCheck,
};
use crate::secret::{self, MASK};
use crate::source::{Entry, Parsed, SourceId, Sources, Span};

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

/// What the engine judges.
pub struct Input<'a> {
    pub sources: &'a Sources,
    /// Lowest precedence first.
    pub layers: &'a [Layer],
    pub profile: &'a str,
    /// The `.env.example` the configuration is compared with, if any.
    pub example: Option<&'a Layer>,
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

/// The merged configuration of all layers.
pub struct Config<'a> {
    rules: &'a RuleSet,
    /// Every assignment by normalised key, in precedence order (the last one wins).
    assignments: BTreeMap<String, Vec<Assignment<'a>>>,
    /// Where findings without a place of their own point.
    pub primary: SourceId,
}

impl<'a> Config<'a> {
    pub fn build(rules: &'a RuleSet, layers: &'a [Layer], primary: SourceId) -> Self {
        let mut config = Config {
            rules,
            assignments: BTreeMap::new(),
            primary,
        };
        for (index, layer) in layers.iter().enumerate() {
            for entry in &layer.parsed.entries {
                let key = config.normalize(&entry.key);
                config.assignments.entry(key).or_default().push(Assignment {
                    entry,
                    source: layer.source,
                    layer: index,
                });
            }
        }
        config
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
            _ => None,
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
        if self.is_secret(key) {
            MASK.to_owned()
        } else {
            secret::mask_url_passwords(value)
        }
    }
}

/// Evaluate every rule against the input. Findings come back in report order.
pub fn evaluate(rules: &RuleSet, input: &Input) -> Vec<Finding> {
    let primary = input
        .layers
        .first()
        .map_or(SourceId(0), |layer| layer.source);
    let config = Config::build(rules, input.layers, primary);
    let mut findings = Vec::new();
    for rule in &rules.rules {
        if let Some(when) = &rule.when {
            if !config.holds(when, input.profile) {
                continue;
            }
        }
        let mut run = RuleRun {
            rule,
            config: &config,
            input,
            findings: &mut findings,
        };
        for check in &rule.checks {
            run.check(check);
        }
    }
    finding::sort(&mut findings);
    findings
}

/// A problem one check found, before it becomes a [`Finding`].
struct Problem {
    detail: String,
    /// A narrower place than the value as a whole (a query parameter, a list element).
    span: Option<Span>,
    suggestion: Option<String>,
}

impl Problem {
    fn new(detail: impl Into<String>) -> Self {
        Problem {
            detail: detail.into(),
            span: None,
            suggestion: None,
        }
    }
}

/// The value a check judges, and where it came from.
struct Judged<'a> {
    /// The name shown in messages: as written in the input, else as declared.
    name: String,
    value: &'a str,
    assignment: Option<Assignment<'a>>,
    shown: String,
}

struct RuleRun<'r, 'a> {
    rule: &'r Rule,
    config: &'r Config<'a>,
    input: &'r Input<'r>,
    findings: &'r mut Vec<Finding>,
}

impl<'a> RuleRun<'_, 'a> {
    fn push(
        &mut self,
        key: Option<String>,
        (source, span): (SourceId, Span),
        detail: String,
        value: Option<&str>,
        suggestion: Option<String>,
        labels: Vec<Label>,
    ) {
        let message = match &self.rule.message {
            Some(template) => fill(
                template,
                key.as_deref().unwrap_or(""),
                value.unwrap_or(""),
                &detail,
                suggestion.as_deref(),
            ),
            None => detail.clone(),
        };
        let help = (!self.rule.doc.help.is_empty()).then(|| {
            let mut help = fill(
                &self.rule.doc.help,
                key.as_deref().unwrap_or(""),
                value.unwrap_or(""),
                &detail,
                suggestion.as_deref(),
            );
            if let Some(suggestion) = &suggestion {
                if !self.rule.doc.help.contains("{suggestion}") {
                    help.push_str(&format!(": {suggestion}"));
                }
            }
            help
        });
        self.findings.push(Finding {
            rule: self.rule.doc.id.clone(),
            severity: self.rule.doc.severity,
            message,
            help,
            source,
            key,
            span,
            labels,
        });
    }

    /// A finding with no value to show, no suggestion and no extra labels.
    fn flag(&mut self, key: Option<String>, at: (SourceId, Span), detail: String) {
        self.push(key, at, detail, None, None, Vec::new());
    }

    fn target_names(&self, targets: &Targets) -> Vec<String> {
        let rules = self.config.rules;
        match targets {
            Targets::Named(names) => names.clone(),
            Targets::OfType(kind) => rules
                .variables
                .values()
                .filter(|v| v.kind == *kind)
                .map(|v| v.name.clone())
                .collect(),
            Targets::Required => rules
                .variables
                .values()
                .filter(|v| v.required)
                .map(|v| v.name.clone())
                .collect(),
            Targets::Every => self.config.winners().map(|a| a.entry.key.clone()).collect(),
            Targets::Input => Vec::new(),
        }
    }

    fn check(&mut self, check: &Check) {
        match &check.predicate {
            Predicate::Syntax => return self.syntax(),
            Predicate::DuplicateKey => return self.duplicates(),
            Predicate::Notice => return self.notices(),
            Predicate::UnresolvedReference => return self.unresolved(),
            Predicate::ExampleMissingKey => return self.example_missing(),
            Predicate::ExampleUndocumentedKey => return self.example_undocumented(),
            Predicate::ExampleValueCopied => return self.example_copied(),
            Predicate::Probe | Predicate::Suppression => return,
            Predicate::RawContains(pattern) => return self.raw_contains(&check.targets, pattern),
            _ => {}
        }
        for name in self.target_names(&check.targets) {
            let effective = self.config.effective(&name);
            match &check.predicate {
                Predicate::Required => self.required(&name, effective),
                Predicate::Unset => {
                    if let Effective::Set(a) | Effective::NoValue(a) = effective {
                        let detail = format!("`{}` is set", a.entry.key);
                        self.flag(
                            Some(a.entry.key.clone()),
                            (a.source, value_span(a.entry)),
                            detail,
                        );
                    }
                }
                predicate => {
                    let Some(judged) = self.judged(&name, effective) else {
                        continue;
                    };
                    let problems = judge(predicate, &judged);
                    self.report(&judged, problems);
                }
            }
        }
    }

    fn judged(&self, name: &str, effective: Effective<'a>) -> Option<Judged<'a>> {
        let required = self.config.rules.variable(name).is_some_and(|v| v.required);
        let (value, assignment) = match effective {
            Effective::Set(a) => (a.entry.value.as_deref()?, Some(a)),
            Effective::Default(value) => (value, None),
            Effective::NoValue(_) | Effective::Absent => return None,
        };
        // An empty required variable is `missing-required-variable`'s to report.
        if required && value.is_empty() {
            return None;
        }
        let name = assignment.map_or_else(|| name.to_owned(), |a| a.entry.key.clone());
        Some(Judged {
            shown: self.config.shown(&name, value),
            name,
            value,
            assignment,
        })
    }

    fn report(&mut self, judged: &Judged<'a>, problems: Vec<Problem>) {
        for problem in problems {
            let (source, span, detail) = match judged.assignment {
                Some(a) => {
                    let span = problem
                        .span
                        .map(|narrow| {
                            locate(self.input.sources, a, &narrow)
                                .unwrap_or_else(|| value_span(a.entry))
                        })
                        .unwrap_or_else(|| value_span(a.entry));
                    (a.source, span, problem.detail)
                }
                None => (
                    self.config.primary,
                    0..0,
                    format!(
                        "{} (the default, as `{}` is not set)",
                        problem.detail, judged.name
                    ),
                ),
            };
            self.push(
                Some(judged.name.clone()),
                (source, span),
                detail,
                Some(&judged.shown),
                problem.suggestion,
                Vec::new(),
            );
        }
    }

    fn required(&mut self, name: &str, effective: Effective<'a>) {
        let primary = self.config.primary;
        match effective {
            Effective::Set(a)
                if a.entry
                    .value
                    .as_deref()
                    .is_some_and(|v| v.trim().is_empty()) =>
            {
                let detail = format!("required variable `{}` is empty", a.entry.key);
                self.push(
                    Some(a.entry.key.clone()),
                    (a.source, value_span(a.entry)),
                    detail,
                    Some(""),
                    None,
                    Vec::new(),
                );
            }
            Effective::NoValue(a) => {
                let detail = format!(
                    "required variable `{}` has no value (it is written without `=`)",
                    a.entry.key
                );
                self.flag(
                    Some(a.entry.key.clone()),
                    (a.source, a.entry.key_span.clone()),
                    detail,
                );
            }
            Effective::Absent => {
                let detail = format!("required variable `{name}` is not set");
                self.flag(Some(name.to_owned()), (primary, 0..0), detail);
            }
            _ => {}
        }
    }

    fn syntax(&mut self) {
        for layer in self.input.layers {
            let file = self.input.sources.get(layer.source);
            for error in &layer.parsed.errors {
                let line = file.line_of(error.span.start);
                let mut detail = format!(
                    "python-dotenv skips the statement on line {line}: {}",
                    error.message
                );
                if let Some((first, last)) = error.swallowed_lines {
                    if first == last {
                        detail.push_str(&format!("; the unclosed quote swallows line {first}"));
                    } else {
                        detail.push_str(&format!(
                            "; the unclosed quote swallows lines {first}-{last}"
                        ));
                    }
                }
                self.flag(None, (layer.source, error.span.clone()), detail);
            }
        }
    }

    fn duplicates(&mut self) {
        for layer in self.input.layers {
            let file = self.input.sources.get(layer.source);
            let mut first_seen: BTreeMap<String, &Entry> = BTreeMap::new();
            for entry in &layer.parsed.entries {
                let key = self.config.normalize(&entry.key);
                match first_seen.get(&key) {
                    None => {
                        first_seen.insert(key, entry);
                    }
                    Some(first) => {
                        let first_line = file.line_of(first.key_span.start);
                        let detail = if first.key == entry.key {
                            format!(
                                "`{}` is set again (first on line {first_line}); this later value wins",
                                entry.key
                            )
                        } else {
                            format!(
                                "`{}` sets `{}` again (first on line {first_line}; keys are case-insensitive); this later value wins",
                                entry.key, first.key
                            )
                        };
                        let label = Label {
                            source: layer.source,
                            span: first.key_span.clone(),
                            text: "first set here".to_owned(),
                        };
                        self.push(
                            Some(entry.key.clone()),
                            (layer.source, entry.key_span.clone()),
                            detail,
                            None,
                            None,
                            vec![label],
                        );
                    }
                }
            }
        }
    }

    fn notices(&mut self) {
        for layer in self.input.layers {
            for notice in layer
                .parsed
                .notices
                .iter()
                .filter(|n| n.rule == self.rule.doc.id)
            {
                self.flag(
                    None,
                    (layer.source, notice.span.clone()),
                    notice.message.clone(),
                );
            }
        }
    }

    fn unresolved(&mut self) {
        for layer in self.input.layers {
            // A reference with a `:-default` is how one asks for a fallback: not a mistake.
            for reference in layer
                .parsed
                .unresolved
                .iter()
                .filter(|r| r.default.is_none())
            {
                let detail = format!(
                    "`${{{}}}` in `{}` names a variable defined neither earlier in the file nor in the environment; python-dotenv substitutes its default or an empty string",
                    reference.name, reference.key
                );
                self.flag(
                    Some(reference.key.clone()),
                    (layer.source, reference.span.clone()),
                    detail,
                );
            }
        }
    }

    /// The example's keys, first assignment of each, in file order.
    fn example_entries(&self) -> Vec<(SourceId, Entry)> {
        let Some(example) = self.input.example else {
            return Vec::new();
        };
        let mut seen = std::collections::BTreeSet::new();
        example
            .parsed
            .entries
            .iter()
            .filter(|entry| seen.insert(self.config.normalize(&entry.key)))
            .map(|entry| (example.source, entry.clone()))
            .collect()
    }

    fn example_missing(&mut self) {
        let example_name = match self.input.example {
            Some(example) => self.input.sources.get(example.source).name.clone(),
            None => return,
        };
        for (source, entry) in self.example_entries() {
            // A required variable is `missing-required-variable`'s to report.
            if self
                .config
                .rules
                .variable(&entry.key)
                .is_some_and(|v| v.required)
            {
                continue;
            }
            if matches!(
                self.config.effective(&entry.key),
                Effective::Absent | Effective::NoValue(_)
            ) {
                let detail = format!(
                    "`{}` is documented in {example_name} but not set here, and the application has no default for it",
                    entry.key
                );
                let label = Label {
                    source,
                    span: entry.key_span.clone(),
                    text: "documented here".to_owned(),
                };
                self.push(
                    Some(entry.key.clone()),
                    (self.config.primary, 0..0),
                    detail,
                    None,
                    None,
                    vec![label],
                );
            }
        }
    }

    fn example_undocumented(&mut self) {
        let Some(example) = self.input.example else {
            return;
        };
        let example_name = self.input.sources.get(example.source).name.clone();
        let documented: std::collections::BTreeSet<String> = example
            .parsed
            .entries
            .iter()
            .map(|entry| self.config.normalize(&entry.key))
            .collect();
        let winners: Vec<Assignment<'a>> = self.config.winners().collect();
        for a in winners {
            let layer_kind = self.input.layers[a.layer].kind;
            // The environment is not a file anyone documents; Railway injects RAILWAY_*.
            if layer_kind == LayerKind::Environment || a.entry.key.starts_with("RAILWAY_") {
                continue;
            }
            if !documented.contains(&self.config.normalize(&a.entry.key)) {
                let detail = format!(
                    "`{}` is set but not documented in {example_name}",
                    a.entry.key
                );
                self.flag(
                    Some(a.entry.key.clone()),
                    (a.source, a.entry.key_span.clone()),
                    detail,
                );
            }
        }
    }

    fn example_copied(&mut self) {
        let example_name = match self.input.example {
            Some(example) => self.input.sources.get(example.source).name.clone(),
            None => return,
        };
        for (source, entry) in self.example_entries() {
            let Some(example_value) = entry.value.as_deref().filter(|v| !v.is_empty()) else {
                continue;
            };
            if !self.config.is_secret(&entry.key) {
                continue;
            }
            if let Effective::Set(a) = self.config.effective(&entry.key) {
                if a.entry.value.as_deref() == Some(example_value) {
                    let detail = format!(
                        "`{}` has the same value as in {example_name}: a placeholder copied into a real configuration",
                        a.entry.key
                    );
                    let label = Label {
                        source,
                        span: entry.value_span.clone().unwrap_or(entry.key_span.clone()),
                        text: "the example's value".to_owned(),
                    };
                    self.push(
                        Some(a.entry.key.clone()),
                        (a.source, value_span(a.entry)),
                        detail,
                        None,
                        None,
                        vec![label],
                    );
                }
            }
        }
    }

    fn raw_contains(&mut self, targets: &Targets, pattern: &regex::Regex) {
        let names: Option<Vec<String>> = match targets {
            Targets::Every => None,
            other => Some(
                self.target_names(other)
                    .iter()
                    .map(|n| self.config.normalize(n))
                    .collect(),
            ),
        };
        let assignments: Vec<Assignment<'a>> = self.config.all_assignments().collect();
        for a in assignments {
            if let Some(names) = &names {
                if !names.contains(&self.config.normalize(&a.entry.key)) {
                    continue;
                }
            }
            let Some(span) = a.entry.value_span.clone() else {
                continue;
            };
            let text = &self.input.sources.get(a.source).text;
            let Some(raw) = text.get(span.clone()) else {
                continue;
            };
            if let Some(found) = pattern.find(raw) {
                let at = span.start + found.start()..span.start + found.end();
                let detail = format!(
                    "`{}` holds `{}`, which python-dotenv does not understand",
                    a.entry.key,
                    found.as_str()
                );
                self.flag(Some(a.entry.key.clone()), (a.source, at), detail);
            }
        }
    }
}

/// The value's place in the source; the key's where the value is empty.
fn value_span(entry: &Entry) -> Span {
    match &entry.value_span {
        Some(span) if !span.is_empty() => span.clone(),
        _ => entry.key_span.clone(),
    }
}

/// Find `needle` (a piece of the value) in the value as written.
fn locate(sources: &Sources, a: Assignment, needle: &Span) -> Option<Span> {
    // `needle` is a range into the *value*; map it through the text as written when the value
    // appears verbatim there (unquoted or quoted without escapes).
    let value = a.entry.value.as_deref()?;
    let written_span = a.entry.value_span.clone()?;
    let written = sources.get(a.source).text.get(written_span.clone())?;
    let piece = value.get(needle.clone())?;
    let offset = written
        .find(value)
        .map(|start| start + needle.start)
        .or_else(|| written.find(piece))?;
    Some(written_span.start + offset..written_span.start + offset + piece.len())
}

fn fill(template: &str, key: &str, value: &str, detail: &str, suggestion: Option<&str>) -> String {
    template
        .replace("{key}", key)
        .replace("{value}", value)
        .replace("{detail}", detail)
        .replace("{suggestion}", suggestion.unwrap_or(""))
}

/// Run a value predicate.
fn judge(predicate: &Predicate, judged: &Judged) -> Vec<Problem> {
    let name = &judged.name;
    let value = judged.value;
    let shown = &judged.shown;
    match predicate {
        Predicate::Equals {
            value: expected,
            case_sensitive,
        } if !same(value, expected, *case_sensitive) => {
            return vec![Problem::new(format!(
                "`{name}` is `{shown}`, expected `{expected}`"
            ))];
        }
        Predicate::OneOf {
            values,
            case_sensitive,
        } if !values.iter().any(|v| same(value, v, *case_sensitive)) => {
            return vec![Problem::new(format!(
                "`{name}` is `{shown}`, expected one of {}",
                values.join(", ")
            ))];
        }
        Predicate::NoneOf {
            values,
            case_sensitive,
        } if values.iter().any(|v| same(value, v, *case_sensitive)) => {
            return vec![Problem::new(format!("`{name}` is `{shown}`"))];
        }
        Predicate::Bool { is } => match (parse_bool(value), is) {
            (None, None) => {
                return vec![Problem::new(format!(
                    "`{name}` is `{shown}`, which pydantic does not accept as a boolean (true: 1 on t true y yes; false: 0 off f false n no)"
                ))];
            }
            (Some(parsed), Some(expected)) if parsed != *expected => {
                return vec![Problem::new(format!("`{name}` is `{shown}` ({parsed})"))];
            }
            _ => {}
        },
        Predicate::Int { min, max } => match parse_int(value) {
            None if min.is_none() && max.is_none() => {
                return vec![Problem::new(format!(
                    "`{name}` is `{shown}`, which pydantic does not accept as an integer"
                ))];
            }
            None => {}
            Some(number) => {
                let low = min.is_some_and(|m| number < m as i128);
                let high = max.is_some_and(|m| number > m as i128);
                if low || high {
                    let bound = match (min, max) {
                        (Some(lo), Some(hi)) => format!("outside {lo}..{hi}"),
                        (Some(lo), None) => format!("below the minimum of {lo}"),
                        (None, Some(hi)) => format!("above the maximum of {hi}"),
                        (None, None) => String::new(),
                    };
                    return vec![Problem::new(format!("`{name}` is {number}, {bound}"))];
                }
            }
        },
        Predicate::Matches(pattern) if !pattern.is_match(value) => {
            return vec![Problem::new(format!(
                "`{name}` does not match `{}`",
                pattern.as_str()
            ))];
        }
        Predicate::NotMatches(pattern) if pattern.is_match(value) => {
            return vec![Problem::new(format!(
                "`{name}` matches `{}`",
                pattern.as_str()
            ))];
        }
        Predicate::Url(check) => return judge_url(check, judged),
        Predicate::JsonList { element } => return judge_list(element.as_ref(), judged),
        Predicate::Secret(check) => return judge_secret(check, judged),
        _ => {}
    }
    Vec::new()
}

fn same(a: &str, b: &str, case_sensitive: bool) -> bool {
    if case_sensitive {
        a == b
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

/// pydantic's string-to-bool rules (case-insensitive).
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.to_lowercase().as_str() {
        "1" | "on" | "t" | "true" | "y" | "yes" => Some(true),
        "0" | "off" | "f" | "false" | "n" | "no" => Some(false),
        _ => None,
    }
}

/// pydantic's (lax) string-to-int rules: surrounding whitespace, a sign, `_` between digits,
/// and a fractional part of zeros (`8080.0`) are accepted; hex, spaces inside, exponents are not.
pub fn parse_int(value: &str) -> Option<i128> {
    let text = value.trim();
    let (negative, text) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (integer, fraction) = match text.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (text, None),
    };
    if let Some(fraction) = fraction {
        if fraction.is_empty() || !fraction.bytes().all(|b| b == b'0') {
            return None;
        }
    }
    if integer.is_empty()
        || integer.starts_with('_')
        || integer.ends_with('_')
        || integer.contains("__")
    {
        return None;
    }
    if !integer.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    let digits: String = integer.chars().filter(|c| *c != '_').collect();
    let number = digits.parse::<i128>().unwrap_or(i128::MAX);
    Some(if negative { -number } else { number })
}

/// `localhost`, loopback and unspecified addresses.
pub fn is_local_host(host: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback() || ip.is_unspecified(),
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || ip
                    .to_ipv4_mapped()
                    .is_some_and(|v4| v4.is_loopback() || v4.is_unspecified())
        }
        Err(_) => false,
    }
}

/// Hosts on a private network: local ones, RFC 1918 / CGNAT / link-local IPv4, ULA and
/// link-local IPv6, and single-label names (a compose or cluster service such as `redis`).
pub fn is_private_host(host: &str) -> bool {
    if is_local_host(host) {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => {
            let [a, b, ..] = ip.octets();
            ip.is_private() || ip.is_link_local() || (a == 100 && (64..128).contains(&b))
        }
        Ok(IpAddr::V6(ip)) => {
            let first = ip.segments()[0];
            (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
        Err(_) => !bare.contains('.'),
    }
}

/// A `*` glob, case-insensitive.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let pattern = pattern.to_lowercase();
    let text = text.to_lowercase();
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text.ends_with(last) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

fn judge_url(check: &UrlCheck, judged: &Judged) -> Vec<Problem> {
    let name = &judged.name;
    let value = judged.value;
    let url = match url::Url::parse(value) {
        Ok(url) => url,
        Err(error) => {
            return if check.require_host {
                vec![Problem::new(format!(
                    "`{name}` is not a valid URL ({error})"
                ))]
            } else {
                Vec::new()
            };
        }
    };
    let host = url.host_str().unwrap_or("").to_owned();
    if host.is_empty() {
        return if check.require_host {
            vec![Problem::new(format!("`{name}` has no host"))]
        } else {
            Vec::new()
        };
    }
    let mut problems = Vec::new();
    let scheme = url.scheme();
    let exempt = check.exempt_hosts.iter().any(|p| glob_match(p, &host))
        || (check.exempt_private_hosts && is_private_host(&host));
    if !check.schemes.is_empty() && !check.schemes.iter().any(|s| s == scheme) && !exempt {
        let wanted = &check.schemes[0];
        let rewritten = format!("{wanted}{}", &value[scheme.len().min(value.len())..]);
        let mut problem = Problem::new(format!(
            "`{name}` uses the scheme `{scheme}://`, expected `{wanted}://`"
        ));
        problem.span = Some(0..scheme.len().min(value.len()));
        problem.suggestion = Some(secret::mask_url_passwords(&rewritten));
        problems.push(problem);
    }
    if check.forbid_local_host && is_local_host(&host) {
        let mut problem = Problem::new(format!(
            "`{name}` points at `{host}`, this machine, not a server the deployment can reach"
        ));
        problem.span = value.find(&host).map(|at| at..at + host.len());
        problems.push(problem);
    }
    if let Some(pattern) = check.forbid_hosts.iter().find(|p| glob_match(p, &host)) {
        let mut problem =
            Problem::new(format!("`{name}` points at `{host}` (matches `{pattern}`)"));
        problem.span = value.find(&host).map(|at| at..at + host.len());
        problems.push(problem);
    }
    let params: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    for param in &check.forbidden_params {
        if params.iter().any(|p| p == param) {
            let mut problem =
                Problem::new(format!("`{name}` carries the query parameter `{param}`"));
            let needle = format!("{param}=");
            problem.span = value.find(&needle).map(|at| at..at + needle.len() - 1);
            problems.push(problem);
        }
    }
    for param in &check.required_params {
        if !params.iter().any(|p| p == param) {
            problems.push(Problem::new(format!(
                "`{name}` lacks the query parameter `{param}`"
            )));
        }
    }
    problems
}

/// The elements of a JSON list of strings, or why the text is not one.
pub fn parse_json_list(value: &str) -> Result<Vec<String>, String> {
    match serde_json::from_str::<serde_json::Value>(value) {
        Ok(serde_json::Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                serde_json::Value::String(text) => Ok(text),
                other => Err(format!("an element is {other}, not a string")),
            })
            .collect(),
        Ok(_) => Err("it is JSON but not an array".to_owned()),
        Err(error) => Err(format!("it is not JSON ({error})")),
    }
}

fn judge_list(element: Option<&ElementCheck>, judged: &Judged) -> Vec<Problem> {
    let name = &judged.name;
    let parsed = parse_json_list(judged.value);
    let Some(element) = element else {
        return match parsed {
            Ok(_) => Vec::new(),
            Err(why) => vec![Problem::new(format!(
                "`{name}` is not a JSON array of strings: {why}; pydantic-settings fails to start"
            ))],
        };
    };
    // An invalid list still tells what was meant: judge the comma-split value.
    let items = parsed.unwrap_or_else(|_| {
        judged
            .value
            .trim_matches(|c| c == '[' || c == ']')
            .split(',')
            .map(|item| item.trim().trim_matches('"').trim().to_owned())
            .filter(|item| !item.is_empty())
            .collect()
    });
    let mut problems = Vec::new();
    for item in &items {
        let shown = secret::mask_url_passwords(item);
        let mut item_problems = Vec::new();
        if element.forbid.iter().any(|f| f == item) {
            item_problems.push(format!("`{name}` allows the origin `{shown}`"));
        } else if item == "*" {
            // The wildcard is `cors-wildcard-origin`'s to judge, not a malformed origin.
        } else {
            let (scheme, rest) = match item.split_once("://") {
                Some((scheme, rest)) => (Some(scheme), rest),
                None => (None, item.as_str()),
            };
            let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = authority.rsplit('@').next().unwrap_or("");
            let host = if host.starts_with('[') {
                host.split(']')
                    .next()
                    .map(|h| format!("{h}]"))
                    .unwrap_or_default()
            } else {
                host.split(':').next().unwrap_or("").to_owned()
            };
            if element.forbid_local_host && is_local_host(&host) {
                item_problems.push(format!("`{name}` allows the local origin `{shown}`"));
            }
            if let Some(scheme) = scheme {
                if !element.schemes.is_empty() && !element.schemes.iter().any(|s| s == scheme) {
                    item_problems.push(format!(
                        "`{name}` allows the origin `{shown}` over `{scheme}`"
                    ));
                }
            }
            if element.origin_only {
                let why = if scheme.is_none() {
                    Some("has no scheme")
                } else if rest.ends_with('/') && !rest[..rest.len() - 1].contains('/') {
                    Some("ends with `/`")
                } else if rest.contains('?') {
                    Some("has a query")
                } else if rest.contains('#') {
                    Some("has a fragment")
                } else if rest.contains('/') {
                    Some("has a path")
                } else {
                    None
                };
                if let Some(why) = why {
                    item_problems.push(format!(
                        "the origin `{shown}` in `{name}` {why}; browsers send `scheme://host[:port]`, so it never matches"
                    ));
                }
            }
        }
        for detail in item_problems {
            let mut problem = Problem::new(detail);
            problem.span = judged
                .value
                .find(item.as_str())
                .map(|at| at..at + item.len());
            problems.push(problem);
        }
    }
    problems
}

fn judge_secret(check: &SecretCheck, judged: &Judged) -> Vec<Problem> {
    let name = &judged.name;
    let value = judged.value;
    let lowered = value.to_lowercase();
    let mut problems = Vec::new();
    if check.placeholders.contains(&lowered)
        || check.placeholder_patterns.iter().any(|p| p.is_match(value))
    {
        problems.push(Problem::new(format!(
            "`{name}` is a well-known placeholder, not a secret"
        )));
    }
    let mut reasons = Vec::new();
    let length = value.chars().count();
    if let Some(min) = check.min_length {
        if length < min {
            reasons.push(format!("{length} characters long (at least {min} needed)"));
        }
    }
    if let Some(min) = check.min_bits {
        let bits = estimated_bits(value);
        if bits < min {
            reasons.push(format!(
                "about {bits:.0} bits of entropy (at least {min:.0} needed)"
            ));
        }
    }
    if let Some(min) = check.min_distinct {
        let mut distinct: Vec<char> = value.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < min {
            reasons.push(format!(
                "only {} distinct characters (at least {min} needed)",
                distinct.len()
            ));
        }
    }
    if let Some(max) = check.max_run {
        let run = longest_run(value);
        if run > max {
            reasons.push(format!("a run of {run} repeated or sequential characters"));
        }
    }
    if !reasons.is_empty() {
        problems.push(Problem::new(format!(
            "`{name}` is weak: {}",
            reasons.join(", ")
        )));
    }
    problems
}

/// Length × log2(size of the character classes used): an upper bound on a random string's
/// entropy, which is what a key generator's output has.
pub fn estimated_bits(value: &str) -> f64 {
    let mut pool = 0u32;
    if value.chars().any(|c| c.is_ascii_lowercase()) {
        pool += 26;
    }
    if value.chars().any(|c| c.is_ascii_uppercase()) {
        pool += 26;
    }
    if value.chars().any(|c| c.is_ascii_digit()) {
        pool += 10;
    }
    if value.chars().any(|c| c.is_ascii_punctuation() || c == ' ') {
        pool += 33;
    }
    if !value.is_ascii() {
        pool += 100;
    }
    if pool == 0 {
        return 0.0;
    }
    value.chars().count() as f64 * f64::from(pool).log2()
}

/// The longest run of one repeated character or of consecutive code points (up or down).
pub fn longest_run(value: &str) -> usize {
    let chars: Vec<u32> = value.chars().map(u32::from).collect();
    if chars.is_empty() {
        return 0;
    }
    let mut longest = 1;
    for step in [0i64, 1, -1] {
        let mut run = 1;
        for pair in chars.windows(2) {
            if i64::from(pair[1]) - i64::from(pair[0]) == step {
                run += 1;
                longest = longest.max(run);
            } else {
                run = 1;
            }
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pydantic_booleans() {
        for text in ["1", "on", "T", "true", "Y", "YES", "True"] {
            assert_eq!(parse_bool(text), Some(true), "{text}");
        }
        for text in ["0", "OFF", "f", "False", "n", "no"] {
            assert_eq!(parse_bool(text), Some(false), "{text}");
        }
        for text in ["", "2", "enabled", "truee", " true"] {
            assert_eq!(parse_bool(text), None, "{text}");
        }
    }

    #[test]
    fn pydantic_integers() {
        assert_eq!(parse_int("8080"), Some(8080));
        assert_eq!(parse_int("8_080"), Some(8080));
        assert_eq!(parse_int("8080.0"), Some(8080));
        assert_eq!(parse_int(" -5 "), Some(-5));
        for text in [
            "0x50", "80 80", "8080.5", "1e3", "", "_80", "8__0", "ten", "8080.",
        ] {
            assert_eq!(parse_int(text), None, "{text}");
        }
    }

    #[test]
    fn hosts() {
        for host in [
            "localhost",
            "127.0.0.1",
            "127.1.2.3",
            "[::1]",
            "::1",
            "0.0.0.0",
            "app.localhost",
        ] {
            assert!(is_local_host(host), "{host}");
        }
        for host in ["db.example.com", "10.0.0.1", "localhost.example.com"] {
            assert!(!is_local_host(host), "{host}");
        }
        for host in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "fd00::1",
            "redis",
            "100.64.0.1",
        ] {
            assert!(is_private_host(host), "{host}");
        }
        for host in ["8.8.8.8", "redis.example.com", "172.32.0.1"] {
            assert!(!is_private_host(host), "{host}");
        }
    }

    #[test]
    fn globs() {
        assert!(glob_match("*.railway.internal", "redis.railway.internal"));
        assert!(!glob_match(
            "*.railway.internal",
            "railway.internal.evil.com"
        ));
        assert!(glob_match("*.proxy.rlwy.net", "roundhouse.proxy.rlwy.net"));
        assert!(glob_match("exact.host", "EXACT.host"));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "ac"));
    }

    #[test]
    fn secret_strength_measures() {
        assert_eq!(longest_run("xabcdex"), 5);
        assert_eq!(longest_run("aaaa"), 4);
        assert_eq!(longest_run("987x"), 3);
        assert_eq!(longest_run("a"), 1);
        assert!(estimated_bits("aaaaaaaa") < 40.0);
        assert!(estimated_bits("Zq8#kP2!mW9$vL4@xR7&nT5*bY3^cF6%") > 128.0);
    }
}
