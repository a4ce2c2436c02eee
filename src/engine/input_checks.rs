//! Input-level checks: what the inputs say as written, rather than one variable's value.
//! Statements python-dotenv skips, keys set twice, notices the readers raised, unresolved
//! `${VAR}` references, raw text python-dotenv does not understand, and drift from the
//! `.env.example`.

use std::collections::BTreeMap;

use super::{Assignment, Effective, LayerKind, RuleRun, value_span};
use crate::finding::Label;
use crate::rules::Targets;
use crate::source::{Entry, SourceId};

impl<'a> RuleRun<'_, 'a> {
    pub(super) fn syntax(&mut self) {
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

    pub(super) fn duplicates(&mut self) {
        for layer in self.input.layers {
            let file = self.input.sources.get(layer.source);
            let mut first_seen: BTreeMap<String, &Entry> = BTreeMap::new();
            for entry in &layer.parsed.entries {
                let key = self.merged.normalize(&entry.key);
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

    pub(super) fn unresolved(&mut self) {
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
            .filter(|entry| seen.insert(self.merged.normalize(&entry.key)))
            .map(|entry| (example.source, entry.clone()))
            .collect()
    }

    pub(super) fn example_missing(&mut self) {
        let example_name = match self.input.example {
            Some(example) => self.input.sources.get(example.source).name.clone(),
            None => return,
        };
        for (source, entry) in self.example_entries() {
            // A required variable is `missing-required-variable`'s to report.
            if self
                .merged
                .rules
                .variable(&entry.key)
                .is_some_and(|v| v.required)
            {
                continue;
            }
            if matches!(
                self.merged.effective(&entry.key),
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
                    (self.merged.primary, 0..0),
                    detail,
                    None,
                    None,
                    vec![label],
                );
            }
        }
    }

    pub(super) fn example_undocumented(&mut self) {
        let Some(example) = self.input.example else {
            return;
        };
        let example_name = self.input.sources.get(example.source).name.clone();
        let documented: std::collections::BTreeSet<String> = example
            .parsed
            .entries
            .iter()
            .map(|entry| self.merged.normalize(&entry.key))
            .collect();
        let winners: Vec<Assignment<'a>> = self.merged.winners().collect();
        for a in winners {
            let layer_kind = self.input.layers[a.layer].kind;
            // The environment is not a file anyone documents; Railway injects RAILWAY_*.
            if layer_kind == LayerKind::Environment || a.entry.key.starts_with("RAILWAY_") {
                continue;
            }
            if !documented.contains(&self.merged.normalize(&a.entry.key)) {
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

    pub(super) fn example_copied(&mut self) {
        let example_name = match self.input.example {
            Some(example) => self.input.sources.get(example.source).name.clone(),
            None => return,
        };
        for (source, entry) in self.example_entries() {
            let Some(example_value) = entry.value.as_deref().filter(|v| !v.is_empty()) else {
                continue;
            };
            if !self.merged.is_secret(&entry.key) {
                continue;
            }
            if let Effective::Set(a) = self.merged.effective(&entry.key) {
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

    pub(super) fn raw_contains(&mut self, targets: &Targets, pattern: &crate::rules::Pattern) {
        let names: Option<Vec<String>> = match targets {
            Targets::Every => None,
            other => Some(
                self.target_names(other)
                    .iter()
                    .map(|n| self.merged.normalize(n))
                    .collect(),
            ),
        };
        let assignments: Vec<Assignment<'a>> = self.merged.all_assignments().collect();
        for a in assignments {
            if let Some(names) = &names {
                if !names.contains(&self.merged.normalize(&a.entry.key)) {
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
            if let Some(found) = pattern.regex().find(raw) {
                let at = span.start + found.start()..span.start + found.end();
                // The match is a piece of the value: a secret's is not shown.
                let shown =
                    crate::secret::shown(found.as_str(), self.merged.is_secret(&a.entry.key));
                let detail = format!(
                    "`{}` holds `{shown}`, which python-dotenv does not understand",
                    a.entry.key
                );
                self.flag(Some(a.entry.key.clone()), (a.source, at), detail);
            }
        }
    }
}
