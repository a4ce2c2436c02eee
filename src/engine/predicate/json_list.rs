//! JSON-list predicates: a value pydantic-settings parses as a JSON array of strings (CORS
//! origins, allowed hosts), and per-element checks of origins.

use super::{Judged, Problem};
use crate::host::is_local_host;
use crate::rules::ElementCheck;

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

pub(super) fn judge_list(
    element: Option<&ElementCheck>,
    split_invalid: bool,
    judged: &Judged,
) -> Vec<Problem> {
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
    // An invalid list still tells what was meant (`CORS_ORIGINS=https://a.com,http://localhost`):
    // with `split-invalid`, judge the comma-split value; without it, the elements of a value
    // that is not a list are not judged (whether it is a list is the element-less check's job).
    let items = match parsed {
        Ok(items) => items,
        Err(_) if split_invalid => judged
            .value
            .trim_matches(|c| c == '[' || c == ']')
            .split(',')
            .map(|item| item.trim().trim_matches('"').trim().to_owned())
            .filter(|item| !item.is_empty())
            .collect(),
        Err(_) => return Vec::new(),
    };
    let mut problems = Vec::new();
    for item in &items {
        let shown = judged.shown_piece(item);
        let mut item_problems = Vec::new();
        if element.forbid.iter().any(|f| f == item) {
            item_problems.push(format!("`{name}` allows the origin `{shown}`"));
        } else if element.skip.iter().any(|s| s == item) {
            // Another rule's to judge (`*` is `cors-wildcard-origin`'s, not a malformed origin).
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
