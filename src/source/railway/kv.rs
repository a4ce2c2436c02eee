//! The `railway variables --kv` reader: where each variable starts when nothing marks it.
//!
//! `--kv` prints `KEY=value` with the value as is, so a value holding newlines runs onto the next
//! lines, and a line of such a value can itself read `NAME=…`. Two guarantees of the CLI say which
//! lines start variables: keys are identifiers, and they come out sorted (byte order). The lines
//! that start a variable are therefore chosen as the longest strictly increasing run of `KEY=`
//! lines, found in `O(n log n)`; every other line continues the value above it. Equally long runs
//! are told apart by how much their lines look like variable names (upper-case names, values not
//! starting with `=`), then by preferring earlier lines.
//!
//! False starts come mostly from PEM bodies, whose base64 lines can read `KEY=` or `KEY==`: lines
//! that are padded base64 (24 or more letters and digits mixing cases and digits, then `=` or
//! `==`) are never taken as variable starts.

use std::cmp::Reverse;

use super::KV_LOSSY_RULE;
use crate::source::{Entry, Notice, Parsed, Span, SyntaxError};

/// The key of a line that could start a variable in `--kv` output: an identifier
/// (`[A-Za-z_][A-Za-z0-9_]*`) followed by `=`.
pub(super) fn kv_key(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    let first = *bytes.first()?;
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return None;
    }
    let key_length = bytes
        .iter()
        .position(|&byte| !(byte.is_ascii_alphanumeric() || byte == b'_'))?;
    (bytes[key_length] == b'=').then(|| &line[..key_length])
}

/// One line of the `--kv` text: its bytes, line break excluded.
struct KvLine<'text> {
    start: usize,
    text: &'text str,
}

/// Read `--kv` text; see [`parse_kv`](super::parse_kv) for what comes back.
pub(super) fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let crlf = text.contains('\n') && text.matches('\n').count() == text.matches("\r\n").count();
    let line_break = if crlf { "\r\n" } else { "\n" };
    let body = text.strip_suffix(line_break).unwrap_or(text);
    if body.is_empty() {
        return parsed;
    }

    let mut lines = Vec::new();
    let mut start = 0;
    for piece in body.split(line_break) {
        lines.push(KvLine { start, text: piece });
        start += piece.len() + line_break.len();
    }

    let Some(first_start) = lines.iter().position(|line| kv_key(line.text).is_some()) else {
        if !body.trim().is_empty() {
            parsed.errors.push(SyntaxError {
                span: trimmed_span(body, 0..body.len()),
                message: "no `KEY=value` line".to_owned(),
                swallowed_lines: None,
                unterminated: false,
            });
        }
        return parsed;
    };
    if first_start > 0 {
        let before = 0..lines[first_start - 1].start + lines[first_start - 1].text.len();
        if !text[before.clone()].trim().is_empty() {
            parsed.errors.push(SyntaxError {
                span: trimmed_span(text, before),
                message: "text before the first `KEY=value` line".to_owned(),
                swallowed_lines: None,
                unterminated: false,
            });
        }
    }

    let candidates: Vec<KvCandidate> = lines
        .iter()
        .enumerate()
        .skip(first_start)
        .filter(|(line_index, line)| *line_index == first_start || !is_base64_line(line.text))
        .filter_map(|(line_index, line)| {
            let key = kv_key(line.text)?;
            Some(KvCandidate {
                line_index,
                key,
                plausibility: start_plausibility(key, &line.text[key.len() + 1..]),
            })
        })
        .collect();
    let starts = choose_variable_starts(&candidates);

    let mut multi_line_keys = Vec::new();
    let mut first_multi_line_span = None;
    for (position, &start_line) in starts.iter().enumerate() {
        let end_line = starts.get(position + 1).map_or(lines.len(), |&next| next);
        let first = &lines[start_line];
        let Some(key) = kv_key(first.text) else {
            continue;
        };
        let key_span = first.start..first.start + key.len();
        let value_start = key_span.end + 1;
        let last = &lines[end_line - 1];
        let value_end = last.start + last.text.len();
        let value = text[value_start..value_end].replace(line_break, "\n");
        let statement_span = first.start..value_end;
        if end_line - start_line > 1 {
            multi_line_keys.push(key.to_owned());
            first_multi_line_span.get_or_insert_with(|| statement_span.clone());
        }
        parsed.entries.push(Entry {
            key: key.to_owned(),
            value: Some(value.clone()),
            raw_value: Some(value),
            key_span,
            value_span: Some(value_start..value_end),
            statement_span,
            substitutions: Vec::new(),
            secret_ranges: Vec::new(),
        });
    }

    if let Some(span) = first_multi_line_span {
        let count = multi_line_keys.len();
        parsed.notices.push(Notice {
            rule: KV_LOSSY_RULE,
            message: format!(
                "{count} value{plural} several lines ({keys}): `railway variables --kv` does \
                 not mark where a value ends, so {pronoun} reconstructed from the order of the \
                 keys; use `railway variables --json` for exact values",
                plural = if count == 1 { " spans" } else { "s span" },
                keys = multi_line_keys.join(", "),
                pronoun = if count == 1 { "it was" } else { "they were" },
            ),
            span,
        });
    }
    parsed
}

/// Whether a `KEY=` line is rather a padded base64 line from inside a multi-line value (a PEM
/// body): a long run of letters and digits mixing upper case, lower case and digits, with no
/// `_`, ending in `=` or `==`. No environment variable name looks like that.
fn is_base64_line(line: &str) -> bool {
    const MIN_BASE64_RUN: usize = 24;
    let run = line.trim_end_matches('=');
    let padding = line.len() - run.len();
    (1..=2).contains(&padding)
        && run.len() >= MIN_BASE64_RUN
        && run.bytes().all(|byte| byte.is_ascii_alphanumeric())
        && run.bytes().any(|byte| byte.is_ascii_uppercase())
        && run.bytes().any(|byte| byte.is_ascii_lowercase())
        && run.bytes().any(|byte| byte.is_ascii_digit())
}

/// A `--kv` line that could start a variable.
#[derive(Debug, Clone)]
struct KvCandidate<'text> {
    line_index: usize,
    key: &'text str,
    /// How much the line looks like a real variable start; breaks ties between equally long
    /// runs (see [`start_plausibility`]).
    plausibility: u32,
}

/// How much a `KEY=value` line looks like the start of a variable rather than a line inside a
/// multi-line value. Only ever breaks ties between equally long key runs.
///
/// False candidates come from multi-line values, mostly base64 bodies of PEM keys, whose lines can
/// read as `KEY=` or `KEY==` (padding). Such text almost always mixes upper and lower case, while
/// environment variable names are conventionally upper case; and a real value rarely starts with
/// `=`.
fn start_plausibility(key: &str, value: &str) -> u32 {
    let conventional_name = !key.bytes().any(|byte| byte.is_ascii_lowercase());
    let not_padding = !value.starts_with('=');
    u32::from(conventional_name) + u32::from(not_padding)
}

/// Choose which candidate lines start variables: the first candidate always does, then the
/// longest chain of later candidates whose keys strictly increase from it.
///
/// Ties between equally long chains go to the chain with the greater total
/// [`start_plausibility`], then to the chain whose last start is the earlier line (and so on,
/// backwards along the chain). The last rule is arbitrary but deterministic: once length and
/// plausibility agree, nothing in the text says which of two look-alike lines is the real start.
///
/// `O(n log n)`: a Fenwick tree over key ranks holds, for each rank, the best chain ending at a
/// key of that rank seen so far. Returns line indexes in increasing order.
fn choose_variable_starts(candidates: &[KvCandidate]) -> Vec<usize> {
    let Some(first) = candidates.first() else {
        return Vec::new();
    };
    // Only keys above the first key can follow it.
    let followers: Vec<&KvCandidate> = candidates[1..]
        .iter()
        .filter(|candidate| candidate.key > first.key)
        .collect();
    let mut ranked_keys: Vec<&str> = followers.iter().map(|candidate| candidate.key).collect();
    ranked_keys.sort_unstable();
    ranked_keys.dedup();

    // A chain's quality: (length, total plausibility, earliness of its last line).
    type Quality = (usize, u32, Reverse<usize>);
    let mut tree: Vec<Option<(Quality, usize)>> = vec![None; ranked_keys.len() + 1];
    let mut predecessor: Vec<Option<usize>> = vec![None; followers.len()];
    let mut best: Option<(Quality, usize)> = None;

    for (index, candidate) in followers.iter().enumerate() {
        // 1-based rank; keys of lower rank are those strictly smaller.
        let rank = ranked_keys.partition_point(|key| *key < candidate.key) + 1;
        let mut before: Option<(Quality, usize)> = None;
        let mut position = rank - 1;
        while position > 0 {
            if tree[position].is_some_and(|entry| before.is_none_or(|found| entry.0 > found.0)) {
                before = tree[position];
            }
            position &= position - 1;
        }
        predecessor[index] = before.map(|(_, previous)| previous);
        let (length, plausibility) = before.map_or((0, 0), |((length, plausibility, _), _)| {
            (length, plausibility)
        });
        let quality: Quality = (
            length + 1,
            plausibility + candidate.plausibility,
            Reverse(candidate.line_index),
        );
        let mut position = rank;
        while position < tree.len() {
            if tree[position].is_none_or(|entry| quality > entry.0) {
                tree[position] = Some((quality, index));
            }
            position += position & position.wrapping_neg();
        }
        if best.is_none_or(|found| quality > found.0) {
            best = Some((quality, index));
        }
    }

    let mut chain = Vec::new();
    let mut cursor = best.map(|(_, index)| index);
    while let Some(index) = cursor {
        chain.push(followers[index].line_index);
        cursor = predecessor[index];
    }
    chain.push(first.line_index);
    chain.reverse();
    chain
}

/// `span` without leading and trailing whitespace (the whole span if it is all whitespace).
fn trimmed_span(text: &str, span: Span) -> Span {
    let slice = &text[span.clone()];
    let trimmed = slice.trim();
    if trimmed.is_empty() {
        return span;
    }
    let leading = slice.len() - slice.trim_start().len();
    span.start + leading..span.start + leading + trimmed.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(line_index: usize, key: &'static str) -> KvCandidate<'static> {
        KvCandidate {
            line_index,
            key,
            plausibility: start_plausibility(key, "value"),
        }
    }

    #[test]
    fn longest_increasing_run_wins() {
        // B, A, C, D: B then C, D (A cannot follow B).
        let candidates = [
            candidate(0, "B"),
            candidate(1, "A"),
            candidate(2, "C"),
            candidate(3, "D"),
        ];
        assert_eq!(choose_variable_starts(&candidates), vec![0, 2, 3]);
    }

    #[test]
    fn greedy_would_be_fooled_but_the_longest_run_is_not() {
        // A greedy scan takes M right after A and then must drop C, D, E.
        let candidates = [
            candidate(0, "A"),
            candidate(1, "M"),
            candidate(2, "C"),
            candidate(3, "D"),
            candidate(4, "E"),
        ];
        assert_eq!(choose_variable_starts(&candidates), vec![0, 2, 3, 4]);
    }

    #[test]
    fn equal_runs_prefer_the_plausible_name_then_the_earlier_line() {
        // A then either `Zq9` (line 1, mixed case) or `B` (line 2): the conventional name wins.
        let candidates = [candidate(0, "A"), candidate(1, "Zq9"), candidate(2, "B")];
        assert_eq!(choose_variable_starts(&candidates), vec![0, 2]);
        // A then either C (line 1) or B (line 2), equally plausible: the earlier line wins.
        let candidates = [candidate(0, "A"), candidate(1, "C"), candidate(2, "B")];
        assert_eq!(choose_variable_starts(&candidates), vec![0, 1]);
    }

    #[test]
    fn duplicate_keys_start_one_variable() {
        let candidates = [candidate(0, "A"), candidate(1, "B"), candidate(2, "B")];
        assert_eq!(choose_variable_starts(&candidates), vec![0, 1]);
    }

    #[test]
    fn base64_lines_are_recognised() {
        assert!(is_base64_line(
            "Xo6aGe5tR2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvufGh=="
        ));
        assert!(is_base64_line("MIIBIjANBgkqhkiG9w0BAQEFAAOC="));
        assert!(!is_base64_line("DATABASE_URL="));
        assert!(
            !is_base64_line("ABCDEFGHIJKLMNOPQRSTUVWXYZ=="),
            "no digit, no lower case"
        );
        assert!(!is_base64_line("Xo6aGe5t=="), "too short to tell");
    }
}
