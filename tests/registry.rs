//! Invariants of the built-in ruleset: unique, well-named ids; documentation; a fixture each.

use std::collections::BTreeSet;
use std::path::Path;

use deploycheck::rules::{self, Predicate};

#[test]
fn builtin_rules_load_and_are_documented() {
    let set = rules::builtin::load().expect("built-in rules load");
    let mut seen = BTreeSet::new();
    for rule in &set.rules {
        let doc = &rule.doc;
        assert!(seen.insert(doc.id.clone()), "duplicate id {}", doc.id);
        assert!(
            rules::validate::is_kebab_case(&doc.id),
            "{} is not kebab-case",
            doc.id
        );
        for prefix in ["avoid-", "use-", "prefer-", "do-not-"] {
            assert!(
                !doc.id.starts_with(prefix),
                "{} should name what is flagged",
                doc.id
            );
        }
        for (field, text) in [
            ("summary", &doc.summary),
            ("why", &doc.why),
            ("help", &doc.help),
            ("example.bad", &doc.example_bad),
            ("example.good", &doc.example_good),
        ] {
            assert!(!text.trim().is_empty(), "{} lacks `{field}`", doc.id);
        }
        assert!(!doc.tags.is_empty(), "{} has no tags", doc.id);
        let probe = rule
            .checks
            .iter()
            .all(|check| matches!(check.predicate, Predicate::Probe));
        if !probe {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures")
                .join(&doc.id);
            assert!(dir.is_dir(), "{} has no fixtures/{}/", doc.id, doc.id);
        }
    }
}

/// The full list of ids, so that a rename or removal shows up in review: ids are public
/// interface (configs, suppressions and CI filters name them).
#[test]
fn builtin_rule_ids() {
    let set = rules::builtin::load().expect("built-in rules load");
    let listing: Vec<String> = set
        .rules
        .iter()
        .map(|rule| format!("{} {}", rule.doc.id, rule.doc.severity))
        .collect();
    insta::assert_snapshot!(listing.join("\n"));
}

#[test]
fn the_issue_ids_are_all_present() {
    let set = rules::builtin::load().expect("built-in rules load");
    for id in [
        "unparseable-line",
        "duplicate-key",
        "unresolved-railway-reference",
        "missing-required-variable",
        "invalid-boolean",
        "invalid-integer",
        "cors-origins-not-json",
        "log-level-invalid",
        "database-url-invalid",
        "database-url-wrong-driver",
        "database-url-sslmode-param",
        "redis-url-invalid",
        "secret-key-placeholder",
        "secret-key-weak",
        "fred-api-key-malformed",
        "fred-rate-limit-exceeded",
        "environment-not-production",
        "debug-enabled",
        "pool-settings-without-pooling",
        "database-url-local-host",
        "redis-url-local-host",
        "redis-url-without-tls",
        "cors-localhost-origin",
        "cors-wildcard-origin",
        "cors-insecure-origin",
        "cors-origin-malformed",
        "log-level-debug",
        "pool-size-out-of-range",
    ] {
        assert!(set.rule(id).is_some(), "missing built-in rule {id}");
    }
}
