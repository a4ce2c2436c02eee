//! Accepting known findings, reviewably: inline `# deploycheck: ignore[rule-id, ...] reason`
//! comments in .env files, `# deploycheck: ignore-file[rule-id] reason` anywhere in one, and
//! `[[suppress]]` entries in the configuration for inputs that cannot carry comments.
//!
//! A suppression without a reason is itself a finding (`suppression-without-reason`); one that
//! matched nothing is another (`unused-suppression`), so stale ones do not pile up. A rule marked
//! `unsuppressible` cannot be silenced.

use std::collections::BTreeSet;

use crate::config::{self, Suppression};
use crate::engine::{Layer, LayerKind};
use crate::finding::Finding;
use crate::rules::{Raised, RuleId, RuleSet};
use crate::source::{SourceId, Sources, Span};

/// One inline directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub source: SourceId,
    /// The comment's bytes.
    pub span: Span,
    /// The 1-based line it covers (unused for a file-wide directive).
    pub line: usize,
    pub file_wide: bool,
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// Why the comment is not a valid directive, if it is not.
    pub malformed: Option<String>,
}

const MARKER: &str = "deploycheck:";

/// Find the directives in a .env text.
pub fn directives(text: &str, source: SourceId) -> Vec<Directive> {
    let mut found = Vec::new();
    let lines: Vec<(usize, &str)> = {
        let mut offset = 0;
        text.split_inclusive('\n')
            .map(|line| {
                let start = offset;
                offset += line.len();
                (start, line.trim_end_matches(['\n', '\r']))
            })
            .collect()
    };
    for (index, (start, line)) in lines.iter().enumerate() {
        let Some(hash) = find_comment(line) else {
            continue;
        };
        let comment = line[hash + 1..].trim_start();
        let Some(body) = comment.strip_prefix(MARKER) else {
            continue;
        };
        let span = start + hash..start + line.len();
        let body = body.trim();
        let own_line = line[..hash].trim().is_empty();
        // A comment on its own line covers the next statement; after a statement, its line.
        let line_number = if own_line {
            lines[index + 1..]
                .iter()
                .position(|(_, next)| {
                    !next.trim().is_empty() && !next.trim_start().starts_with('#')
                })
                .map_or(index + 2, |skip| index + 2 + skip)
        } else {
            index + 1
        };
        let (file_wide, rest) = if let Some(rest) = body.strip_prefix("ignore-file") {
            (true, rest)
        } else if let Some(rest) = body.strip_prefix("ignore") {
            (false, rest)
        } else {
            found.push(Directive {
                source,
                span,
                line: line_number,
                file_wide: false,
                rules: Vec::new(),
                reason: None,
                malformed: Some(
                    "expected `ignore[rule-id] reason` or `ignore-file[rule-id] reason`".to_owned(),
                ),
            });
            continue;
        };
        let parsed = rest
            .trim_start()
            .strip_prefix('[')
            .and_then(|inner| inner.split_once(']'))
            .map(|(ids, reason)| {
                let rules: Vec<String> = ids
                    .split(',')
                    .map(|id| id.trim().to_owned())
                    .filter(|id| !id.is_empty())
                    .collect();
                let reason = reason.trim().trim_start_matches([':', '-', '—']).trim();
                (rules, (!reason.is_empty()).then(|| reason.to_owned()))
            });
        match parsed {
            Some((rules, reason)) if !rules.is_empty() => found.push(Directive {
                source,
                span,
                line: line_number,
                file_wide,
                rules,
                reason,
                malformed: None,
            }),
            _ => found.push(Directive {
                source,
                span,
                line: line_number,
                file_wide,
                rules: Vec::new(),
                reason: None,
                malformed: Some(
                    "name the rules in brackets: `ignore[rule-id, other-id] reason`".to_owned(),
                ),
            }),
        }
    }
    found
}

/// Where a `#` starts a comment: at the start of the line, or after whitespace outside quotes.
fn find_comment(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (index, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q && previous != '\\' => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '#') if previous.is_whitespace() || index == 0 => return Some(index),
            _ => {}
        }
        previous = c;
    }
    None
}

/// What [`apply`] leaves.
pub struct Applied {
    /// The findings no suppression covers.
    pub kept: Vec<Finding>,
    /// Findings about the inline suppressions themselves (stale, malformed, without reason).
    pub raised: Vec<Raised>,
    /// The indices of the `[[suppress]]` entries that matched something (judged over all
    /// inputs by [`unused_config`]).
    pub used_config: BTreeSet<usize>,
}

/// Drop suppressed findings and raise findings about the inline suppressions themselves.
pub fn apply(
    findings: Vec<Finding>,
    sources: &Sources,
    layers: &[Layer],
    rules: &RuleSet,
    config_suppressions: &[Suppression],
) -> Applied {
    let mut directives: Vec<Directive> = Vec::new();
    for layer in layers
        .iter()
        .filter(|layer| layer.kind == LayerKind::Dotenv)
    {
        directives.extend(self::directives(
            &sources.get(layer.source).text,
            layer.source,
        ));
    }
    // The statement each line starts, so a directive covers a multi-line value whole.
    let mut statements: std::collections::HashMap<(SourceId, usize), usize> =
        std::collections::HashMap::new();
    for layer in layers
        .iter()
        .filter(|layer| layer.kind == LayerKind::Dotenv)
    {
        let file = sources.get(layer.source);
        let spans = layer
            .parsed
            .entries
            .iter()
            .map(|e| e.statement_span.clone());
        for span in spans.chain(layer.parsed.errors.iter().map(|e| e.span.clone())) {
            statements
                .entry((layer.source, file.line_of(span.start)))
                .or_insert(file.line_of(span.end));
        }
    }
    let statement_lines = |source: SourceId, line: usize| -> (usize, usize) {
        (
            line,
            statements.get(&(source, line)).copied().unwrap_or(line),
        )
    };
    // Directives by (source, rule), so each finding looks only at the ones that could match.
    let mut by_rule: std::collections::HashMap<(SourceId, &str), Vec<usize>> =
        std::collections::HashMap::new();
    for (index, directive) in directives
        .iter()
        .enumerate()
        .filter(|(_, d)| d.malformed.is_none())
    {
        for rule in &directive.rules {
            by_rule
                .entry((directive.source, rule.as_str()))
                .or_default()
                .push(index);
        }
    }
    let suppressible = |rule: &str| rules.rule(rule).is_none_or(|r| !r.unsuppressible);
    let mut used_directives: BTreeSet<(usize, String)> = BTreeSet::new();
    let mut used_config: BTreeSet<usize> = BTreeSet::new();
    let mut kept = Vec::new();
    for finding in findings {
        if !suppressible(&finding.rule) {
            kept.push(finding);
            continue;
        }
        let line = sources.get(finding.source).line_of(finding.span.start);
        let file_level = finding.span.is_empty() && finding.span.start == 0;
        let mut suppressed = false;
        let candidates = by_rule
            .get(&(finding.source, finding.rule.as_str()))
            .map_or(&[][..], Vec::as_slice);
        for &index in candidates {
            let directive = &directives[index];
            let covers = directive.file_wide || {
                let (first, last) = statement_lines(directive.source, directive.line);
                !file_level && (first..=last).contains(&line)
            };
            if covers {
                used_directives.insert((index, finding.rule.clone()));
                suppressed = true;
            }
        }
        let name = &sources.get(finding.source).name;
        for (index, entry) in config_suppressions.iter().enumerate() {
            let file_ok = entry
                .file
                .as_ref()
                .is_none_or(|matcher| config::matches(matcher, name));
            let key_ok = entry.key.as_ref().is_none_or(|key| {
                finding.key.as_ref().is_some_and(|k| {
                    if rules.case_sensitive {
                        k == key
                    } else {
                        k.eq_ignore_ascii_case(key)
                    }
                })
            });
            let rule_ok = entry.rule.as_ref().is_none_or(|rule| *rule == finding.rule);
            if file_ok && key_ok && rule_ok {
                used_config.insert(index);
                suppressed = true;
            }
        }
        if !suppressed {
            kept.push(finding);
        }
    }
    let mut raised = Vec::new();
    for (index, directive) in directives.iter().enumerate() {
        if let Some(why) = &directive.malformed {
            raised.push(Raised::new(
                RuleId::UnusedSuppression,
                format!("this `# deploycheck:` comment suppresses nothing: {why}"),
                directive.source,
                directive.span.clone(),
            ));
            continue;
        }
        if directive.reason.is_none() {
            raised.push(Raised::new(
                RuleId::SuppressionWithoutReason,
                "this suppression gives no reason",
                directive.source,
                directive.span.clone(),
            ));
        }
        for rule in &directive.rules {
            if used_directives.contains(&(index, rule.clone())) {
                continue;
            }
            let why = match rules.rule(rule) {
                None => format!("`{rule}` is not a known rule"),
                Some(r) if r.unsuppressible => format!("`{rule}` cannot be suppressed"),
                Some(_) => format!("no `{rule}` finding here to suppress"),
            };
            raised.push(Raised::new(
                RuleId::UnusedSuppression,
                format!("unused suppression: {why}"),
                directive.source,
                directive.span.clone(),
            ));
        }
    }
    Applied {
        kept,
        raised,
        used_config,
    }
}

/// An `unused-suppression` finding for each `[[suppress]]` entry that matched nothing, pointing
/// into the configuration file (registered as `config_source`).
pub fn unused_config(
    config_suppressions: &[Suppression],
    used: &BTreeSet<usize>,
    config_source: SourceId,
) -> Vec<Raised> {
    config_suppressions
        .iter()
        .enumerate()
        .filter(|(index, _)| !used.contains(index))
        .map(|(_, entry)| {
            let what = [
                entry.rule.as_deref().map(|r| format!("rule `{r}`")),
                entry.key.as_deref().map(|k| format!("key `{k}`")),
                entry.file_pattern.as_deref().map(|f| format!("file `{f}`")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            Raised::new(
                RuleId::UnusedSuppression,
                format!("unused suppression ({what}): it matched no finding"),
                config_source,
                entry.span.clone(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_cover_the_next_statement_or_their_own_line() {
        let text = "# deploycheck: ignore[debug-enabled] staging mirror\n\nDEBUG=true\nLOG_LEVEL=DEBUG # deploycheck: ignore[log-level-debug, log-level-invalid]\n# deploycheck: ignore-file[undocumented-key] legacy file\n# deploycheck: nonsense\nA='# deploycheck: ignore[x] inside a value'\n";
        let found = directives(text, SourceId(0));
        assert_eq!(found.len(), 4, "{found:#?}");
        assert_eq!(
            (
                found[0].line,
                found[0].file_wide,
                found[0].reason.as_deref()
            ),
            (3, false, Some("staging mirror"))
        );
        assert_eq!(found[1].line, 4);
        assert_eq!(found[1].rules, ["log-level-debug", "log-level-invalid"]);
        assert_eq!(found[1].reason, None);
        assert!(found[2].file_wide);
        assert!(found[3].malformed.is_some());
    }
}
