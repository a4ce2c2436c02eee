//! Secret strength: placeholders, length, estimated entropy, variety and runs.

use super::{Judged, Problem};
use crate::rules::SecretCheck;

pub(super) fn judge_secret(check: &SecretCheck, judged: &Judged) -> Vec<Problem> {
    let name = &judged.name;
    let value = judged.value;
    let lowered = value.to_lowercase();
    let mut problems = Vec::new();
    if check.placeholders.contains(&lowered)
        || check
            .placeholder_pattern
            .as_ref()
            .is_some_and(|pattern| pattern.is_match(value))
    {
        problems.push(Problem::new(format!(
            "`{name}` is a well-known placeholder, not a secret"
        )));
    } else if !check.placeholders.is_empty()
        && judged
            .variable
            .and_then(|variable| variable.default.as_deref())
            .is_some_and(|default| !default.is_empty() && default == value)
    {
        // The default the Settings class states is in the application's source: public to
        // everyone who can read the repository.
        problems.push(Problem::new(format!(
            "`{name}` is the default the Settings class states in the application's source, \
             not a secret"
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
    fn secret_strength_measures() {
        assert_eq!(longest_run("xabcdex"), 5);
        assert_eq!(longest_run("aaaa"), 4);
        assert_eq!(longest_run("987x"), 3);
        assert_eq!(longest_run("a"), 1);
        assert!(estimated_bits("aaaaaaaa") < 40.0);
        assert!(estimated_bits("Zq8#kP2!mW9$vL4@xR7&nT5*bY3^cF6%") > 128.0);
    }
}
