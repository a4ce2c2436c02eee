//! The engine: entries × rules → findings. Pure and synchronous: no I/O, no printing, no exit.
//!
//! The layers of one configuration merge into a [`Merged`] view (`merged`). Each rule whose
//! `when` holds runs its checks: value checks against the *effective* value of each target
//! variable ([`predicate`], one module per family), and input-level checks against the inputs
//! as written (`input_checks`: syntax, duplicates, reader notices, `.env.example` drift).
//! Every check kind is handled by an exhaustive `match`, so a new kind does not compile until
//! it is run here.

pub mod connections;
pub mod deployment;
mod input_checks;
mod merged;
pub mod migrations;
pub mod predicate;
pub mod settings_class;

pub use merged::{Assignment, Effective, Layer, LayerKind, Merged};
pub use predicate::json_list::parse_json_list;
pub use predicate::scalar::{parse_bool, parse_int};
pub use predicate::secret::{estimated_bits, longest_run};
pub use predicate::url::glob_match;

use crate::finding::{self, Finding, Label};
use crate::rules::{
    Check, EmptyValue, Fill, Predicate, Raised, Rule, RuleSet, Targets, ValueCheck, VariableType,
};
use crate::source::{Entry, SourceId, Sources, Span};
use predicate::{Judged, Problem};

/// What the engine judges.
pub struct Input<'a> {
    pub sources: &'a Sources,
    /// Lowest precedence first.
    pub layers: &'a [Layer],
    pub profile: &'a str,
    /// The `.env.example` the configuration is compared with, if any.
    pub example: Option<&'a Layer>,
    /// How many processes the deployment files run (instances × workers), for `shared-quota`
    /// checks; `None` when they say neither.
    pub instances: Option<&'a connections::Count>,
}

/// Evaluate every rule against the input, whose layers `merged` merges (built once by the
/// caller, who needs it too). Findings come back in report order.
pub fn evaluate(rules: &RuleSet, input: &Input, merged: &Merged) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in &rules.rules {
        if let Some(when) = &rule.when {
            if !merged.holds(when, input.profile) {
                continue;
            }
        }
        let mut run = RuleRun {
            rule,
            merged,
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

/// What the input readers noticed about the inputs as a whole (a lossy Railway format, an
/// expansion stopped at its limit), to be completed against the rule set like any finding the
/// program raises.
pub fn reader_notices(layers: &[Layer]) -> impl Iterator<Item = Raised> + '_ {
    layers.iter().flat_map(|layer| {
        layer.parsed.notices.iter().map(|notice| {
            Raised::new(
                notice.rule,
                notice.message.clone(),
                layer.source,
                notice.span.clone(),
            )
        })
    })
}

struct RuleRun<'r, 'a> {
    rule: &'r Rule,
    merged: &'r Merged<'a>,
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
        let fill = Fill {
            key: key.as_deref().unwrap_or(""),
            value: value.unwrap_or(""),
            detail: &detail,
            suggestion: suggestion.as_deref(),
        };
        let message = self.rule.message_for(&fill);
        let help = self.rule.help_for(&fill);
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
        let rules = self.merged.rules;
        match targets {
            Targets::Named(names) => names.clone(),
            Targets::Role { role, except } => self
                .merged
                .bound(*role)
                .filter(|name| except.is_none_or(|except| !self.merged.has_role(name, except)))
                .map(str::to_owned)
                .collect(),
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
            Targets::Every => self.merged.winners().map(|a| a.entry.key.clone()).collect(),
            Targets::Input => Vec::new(),
        }
    }

    fn check(&mut self, check: &Check) {
        match &check.predicate {
            Predicate::Syntax => self.syntax(),
            Predicate::DuplicateKey => self.duplicates(),
            Predicate::UnresolvedReference => self.unresolved(),
            Predicate::ExampleMissingKey => self.example_missing(),
            Predicate::ExampleUndocumentedKey => self.example_undocumented(),
            Predicate::ExampleValueCopied => self.example_copied(),
            // Raised by the input readers ([`reader_notices`]), the probes and the suppression
            // pass, and completed against the rule set there: not evaluated here.
            Predicate::Notice
            | Predicate::Probe
            | Predicate::Suppression
            | Predicate::SettingsClass
            | Predicate::Deployment
            | Predicate::Verify
            | Predicate::Migrations => {}
            // Asks an API: only the probes do that, under `--probe` (`crate::probe::api`).
            Predicate::Http(_) => {}
            Predicate::SharedQuota { max } => self.shared_quota(&check.targets, *max),
            Predicate::RawContains(pattern) => self.raw_contains(&check.targets, pattern),
            Predicate::Required => {
                for name in self.target_names(&check.targets) {
                    let effective = self.merged.effective(&name);
                    self.required(&name, effective);
                }
            }
            Predicate::Unset => {
                for name in self.target_names(&check.targets) {
                    if let Effective::Set(a) | Effective::NoValue(a) = self.merged.effective(&name)
                    {
                        let detail = format!("`{}` is set", a.entry.key);
                        self.flag(
                            Some(a.entry.key.clone()),
                            (a.source, value_span(a.entry)),
                            detail,
                        );
                    }
                }
            }
            Predicate::Value(value_check) => {
                for name in self.target_names(&check.targets) {
                    if !self.form_is_judged(value_check, &name) {
                        continue;
                    }
                    let effective = self.merged.effective(&name);
                    if let Some(judged) = self.judged(&name, effective) {
                        let problems = predicate::judge(value_check, &judged);
                        self.report(&judged, problems);
                    }
                }
            }
        }
    }

    /// A per-instance quota times the instances is at most `max`: each instance enforces its
    /// own limit, so together they allow the product. Without deployment files saying how many
    /// instances run, there is nothing to multiply.
    fn shared_quota(&mut self, targets: &Targets, max: i64) {
        let Some(instances) = self.input.instances else {
            return;
        };
        for name in self.target_names(targets) {
            // A value set, or the application's default (the example's 120 a minute is a
            // default; two replicas make it 240).
            let (text, key, at) = match self.merged.effective(&name) {
                Effective::Set(assignment) => (
                    assignment.entry.value.as_deref().unwrap_or_default(),
                    assignment.entry.key.clone(),
                    (assignment.source, value_span(assignment.entry)),
                ),
                Effective::Default(default) => (default, name.clone(), (self.merged.primary, 0..0)),
                Effective::NoValue(_) | Effective::Absent => continue,
            };
            let Some(value) =
                predicate::scalar::parse_int(text).and_then(|value| i64::try_from(value).ok())
            else {
                continue;
            };
            let count = instances.value.max(1);
            let total = value.saturating_mul(count);
            if total <= max {
                continue;
            }
            let detail = format!(
                "`{key}` = {value} per process × {count} processes ({}) allows {total}, above \
                 the shared quota of {max}",
                instances.from
            );
            let suggestion = Some(format!("at most {} per process", max / count));
            self.push(Some(key), at, detail, Some(text), suggestion, Vec::new());
        }
    }

    /// Checks of a value's *form* (is it a JSON list, does its scheme select an installed
    /// driver) run only where the form is known: not on a value the application's own code
    /// rewrites first (a before-validator), and a JSON list only where the schema declares one
    /// (a Settings class's list fields are judged by `invalid-json`; an undeclared key may be
    /// read by code that splits on commas).
    fn form_is_judged(&self, check: &ValueCheck, name: &str) -> bool {
        let variable = self.merged.rules.variable(name);
        let rewritten = variable.is_some_and(|v| v.rewritten_by_app);
        match check {
            ValueCheck::JsonList { element: None, .. } => {
                !rewritten && variable.is_some_and(|v| v.kind == VariableType::JsonList)
            }
            ValueCheck::Url(url) if url.driver_scheme => !rewritten,
            ValueCheck::Equals { .. }
            | ValueCheck::OneOf { .. }
            | ValueCheck::NoneOf { .. }
            | ValueCheck::Bool { .. }
            | ValueCheck::Int { .. }
            | ValueCheck::Matches(_)
            | ValueCheck::NotMatches(_)
            | ValueCheck::Url(_)
            | ValueCheck::JsonList { .. }
            | ValueCheck::Secret(_)
            | ValueCheck::ProductionValue
            | ValueCheck::Host(_) => true,
        }
    }

    fn judged(&self, name: &str, effective: Effective<'a>) -> Option<Judged<'a>> {
        let variable = self.merged.rules.variable(name);
        let required = variable.is_some_and(|v| v.required);
        let empty = variable.map_or(EmptyValue::Missing, |v| v.empty);
        let (value, assignment) = match effective {
            Effective::Set(a) => (a.entry.value.as_deref()?, Some(a)),
            Effective::Default(value) => (value, None),
            Effective::NoValue(_) | Effective::Absent => return None,
        };
        if variable.is_some_and(|v| v.none_text.as_deref() == Some(value)) {
            return None;
        }
        if value.is_empty() {
            match empty {
                // An empty required variable is `missing-required-variable`'s to report.
                EmptyValue::Missing if required => return None,
                EmptyValue::Missing | EmptyValue::Value => {}
                // Not set, for the application: its default applies, which it chose itself.
                EmptyValue::Unset => return None,
            }
        }
        let name = assignment.map_or_else(|| name.to_owned(), |a| a.entry.key.clone());
        let secret_ranges: &[std::ops::Range<usize>] =
            assignment.map_or(&[], |a| &a.entry.secret_ranges);
        let secret = self.merged.is_secret(&name);
        Some(Judged {
            shown: crate::secret::shown_value(value, secret, secret_ranges),
            secret,
            secret_ranges,
            name,
            value,
            assignment,
            variable,
            app: &self.merged.rules.app,
        })
    }

    fn report(&mut self, judged: &Judged<'a>, problems: Vec<Problem>) {
        let mut places = match judged.assignment {
            Some(a) => locate(self.input.sources, a, &problems),
            None => Vec::new(),
        }
        .into_iter();
        for problem in problems {
            let (source, span, detail) = match judged.assignment {
                Some(a) => {
                    let span = places
                        .next()
                        .flatten()
                        .unwrap_or_else(|| value_span(a.entry));
                    (a.source, span, problem.detail)
                }
                None => (
                    self.merged.primary,
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
        let primary = self.merged.primary;
        let empty = self
            .merged
            .rules
            .variable(name)
            .map_or(EmptyValue::Missing, |v| v.empty);
        let missing_when_empty = |value: &str| match empty {
            EmptyValue::Missing => value.trim().is_empty(),
            EmptyValue::Unset => value.is_empty(),
            EmptyValue::Value => false,
        };
        match effective {
            Effective::Set(a) if a.entry.value.as_deref().is_some_and(missing_when_empty) => {
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
            // Set to something, or a default the application supplies: not missing.
            Effective::Set(_) | Effective::Default(_) => {}
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

/// Where each problem's narrower place (a piece of the value) is in the text as written, in
/// the problems' order; `None` for a problem without one, or whose piece is not found.
///
/// One pass for all the problems of a value: a value with thousands of flagged elements used to
/// be searched for in the text once per element, a cost quadratic in the value's length.
/// When the value appears verbatim in the text (unquoted, or quoted without escapes), each
/// piece maps through its offset. Otherwise (escapes, `${VAR}` expansions) each piece is
/// searched for in the text as written, from where the previous one (in value order) was
/// found; a piece that is not written verbatim either (it holds an escape) costs one scan of
/// the rest of the value and gets the whole value's span.
fn locate(sources: &Sources, a: Assignment, problems: &[Problem]) -> Vec<Option<Span>> {
    let mut places = vec![None; problems.len()];
    let (Some(value), Some(written_span)) = (a.entry.value.as_deref(), a.entry.value_span.clone())
    else {
        return places;
    };
    let Some(written) = sources.get(a.source).text.get(written_span.clone()) else {
        return places;
    };
    let mut pieces: Vec<(usize, Span)> = problems
        .iter()
        .enumerate()
        .filter_map(|(index, problem)| Some((index, problem.span.clone()?)))
        .filter(|(_, needle)| value.get(needle.clone()).is_some())
        .collect();
    if pieces.is_empty() {
        return places;
    }
    let absolute =
        |start: usize, len: usize| written_span.start + start..written_span.start + start + len;
    if let Some(offset) = written.find(value) {
        for (index, needle) in pieces {
            places[index] = Some(absolute(offset + needle.start, needle.len()));
        }
        return places;
    }
    pieces.sort_by_key(|(_, needle)| (needle.start, needle.end));
    let mut from = 0;
    for (index, needle) in pieces {
        let piece = &value[needle];
        if let Some(at) = written[from..].find(piece) {
            from += at;
            places[index] = Some(absolute(from, piece.len()));
        }
    }
    places
}
