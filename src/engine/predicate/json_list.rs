//! JSON-list predicates: a value pydantic-settings parses as a JSON array of strings (CORS
//! origins, allowed hosts), and per-element checks of origins.

use super::{Judged, Problem};
use crate::host::is_local_host;
use crate::rules::ElementCheck;
use crate::source::Span;

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
    // Each element comes with its place in the value, found as it is read: searching the value
    // for each element was quadratic in a long list, and put repeated elements all on the first.
    let value = judged.value;
    let items: Vec<(String, Option<Span>)> = match parsed {
        Ok(items) => {
            let spans = string_spans(value);
            if spans.len() == items.len() {
                items.into_iter().zip(spans.into_iter().map(Some)).collect()
            } else {
                items.into_iter().map(|item| (item, None)).collect()
            }
        }
        Err(_) if split_invalid => value
            .trim_matches(|c| c == '[' || c == ']')
            .split(',')
            .map(|item| item.trim().trim_matches('"').trim())
            .filter(|item| !item.is_empty())
            .map(|item| {
                // A piece of `value`, so its offset is where it starts in memory.
                let start = item.as_ptr() as usize - value.as_ptr() as usize;
                (item.to_owned(), Some(start..start + item.len()))
            })
            .collect(),
        Err(_) => return Vec::new(),
    };
    let mut problems = Vec::new();
    for (item, span) in &items {
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
            problem.span = span.clone();
            problems.push(problem);
        }
    }
    problems
}

/// The bytes of each string of a JSON array of strings, inside its quotes and as written
/// (escapes and all), in order. Every `"` outside a string opens one: the array holds nothing else.
fn string_spans(list: &str) -> Vec<Span> {
    let bytes = list.as_bytes();
    let mut spans = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'"' {
            let start = index + 1;
            index = start;
            while index < bytes.len() && bytes[index] != b'"' {
                index += if bytes[index] == b'\\' { 2 } else { 1 };
            }
            spans.push(start..index.min(bytes.len()));
        }
        index += 1;
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_spans_cover_each_element_as_written() {
        let list = r#"[ "a", "b\"c\\", "", "é☕" ,"a"]"#;
        let pieces: Vec<&str> = string_spans(list)
            .into_iter()
            .map(|span| &list[span])
            .collect();
        assert_eq!(pieces, ["a", r#"b\"c\\"#, "", "é☕", "a"]);
        assert_eq!(
            parse_json_list(list).map(|items| items.len()),
            Ok(pieces.len())
        );
    }
}
