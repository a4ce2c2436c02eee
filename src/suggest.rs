//! "Did you mean": the nearest known name to a word the user typed (rule ids, tags, check
//! kinds, configuration keys), by edit distance.

/// The candidate nearest to `word` by edit distance, if near enough to be a typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (edit_distance(word, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len() / 3).max(2))
        .min()
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push(
                (previous[j] + cost)
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}

/// "did you mean `fail-on`?" for serde's ``unknown field `fial-on`, expected one of `a`, `b` ``
/// (or ``expected `a` ``) error message, when one of the expected names is near.
pub fn unknown_field_help(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|name| !name.is_empty())
        .collect();
    closest(field, &expected).map(|near| format!("did you mean `{near}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_are_suggested() {
        assert_eq!(closest("fial-on", &["fail-on", "profile"]), Some("fail-on"));
        assert_eq!(closest("zzzzzzzz", &["fail-on", "profile"]), None);
    }

    #[test]
    fn serde_unknown_field_messages_get_a_suggestion() {
        let message = "unknown field `fial-on`, expected one of `profile`, `rules`, `fail-on`";
        assert_eq!(
            unknown_field_help(message).as_deref(),
            Some("did you mean `fail-on`?")
        );
        assert_eq!(
            unknown_field_help("unknown field `timout`, expected `timeout`").as_deref(),
            Some("did you mean `timeout`?")
        );
        assert_eq!(
            unknown_field_help("unknown field `zzzzzzzz`, expected `timeout`"),
            None
        );
        assert_eq!(unknown_field_help("invalid type: string"), None);
    }
}
