//! The rule-file loader (`rules::validate::load`): TOML, then validation.
//!
//! Properties: a text is either a rule set whose rules point inside the text (on character
//! boundaries) or an error whose snippet does, and that error renders as `main` renders it;
//! a loaded set merges into the built-in rules.

#![no_main]

use deploycheck::rules::{builtin, validate};
use deploycheck_fuzz::{check_span, render_error, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    match validate::load("fuzz.toml", &text) {
        Err(error) => {
            render_error(&error);
        }
        Ok((set, case_sensitive_set)) => {
            for rule in &set.rules {
                assert_eq!(rule.origin.file, "fuzz.toml");
                check_span(&text, &rule.origin.span, &format!("rule `{}`", rule.doc.id));
                assert!(
                    validate::is_kebab_case(&rule.doc.id),
                    "rule id `{}` loaded",
                    rule.doc.id
                );
            }
            let mut all = builtin::load().expect("the built-in rules load");
            all.extend(set, case_sensitive_set);
            let _ = all.docs();
        }
    }
});
