//! Invariants of the built-in ruleset: unique, well-named ids; documentation; a fixture each.

use std::collections::BTreeSet;
use std::path::Path;

use deploycheck::rules::{self, CheckKind, Predicate, RuleId};

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
            .all(|check| matches!(check.predicate, Predicate::Probe | Predicate::Verify));
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
        "environment-not-production",
        "debug-enabled",
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

/// Every rule the program raises itself (through the typed `RuleId` list) is declared in the
/// built-in TOML with a program-raised kind, and every such TOML rule has a `RuleId`: severity
/// and help come from the TOML alone, so a missing entry would leave a finding without them.
#[test]
fn raised_rule_ids_and_the_toml_agree_both_ways() {
    let set = rules::builtin::load().expect("built-in rules load");
    for id in RuleId::ALL {
        let rule = set
            .rule(id.as_str())
            .unwrap_or_else(|| panic!("{id} is raised from Rust but not declared in rules/"));
        assert!(
            rule.raised_by_program(),
            "{id} is raised from Rust, but its TOML check kind is not probe, notice or suppression"
        );
    }
    for rule in set.rules.iter().filter(|rule| rule.raised_by_program()) {
        assert!(
            RuleId::ALL.iter().any(|id| id.as_str() == rule.doc.id),
            "{} has a program-raised kind but no RuleId: nothing can raise it",
            rule.doc.id
        );
    }
}

/// `--no-builtin` keeps exactly the `general` pack and the rules the program raises, so no
/// probe or suppression finding can lose its rule, and the general checks are not silently
/// dropped.
#[test]
fn no_builtin_keeps_the_program_raised_rules() {
    let sources = deploycheck::cli::RuleSources {
        rule_paths: Vec::new(),
        no_builtin: true,
        settings: None,
        config: None,
        isolated: true,
        max_input_size: None,
    };
    let set = rules::load::load(
        &sources,
        None,
        &deploycheck::source::read::Reader::default(),
    )
    .expect("rules load");
    let mut kept: Vec<&str> = set.rules.iter().map(|rule| rule.doc.id.as_str()).collect();
    let builtin = rules::builtin::load().expect("built-in rules load");
    let general = builtin
        .rules
        .iter()
        .filter(|rule| rule.doc.pack.as_deref() == Some(rules::GENERAL_PACK))
        .map(|rule| rule.doc.id.as_str());
    let mut expected: Vec<&str> = RuleId::ALL.iter().map(|id| id.as_str()).collect();
    expected.extend(general);
    kept.sort_unstable();
    expected.sort_unstable();
    expected.dedup();
    assert_eq!(kept, expected);
    assert!(kept.contains(&"unparseable-line") && kept.contains(&"duplicate-key"));
    assert!(!kept.contains(&"debug-enabled"));
}

/// Every built-in rule belongs to one of the documented packs, and README.md lists each pack
/// and each role.
#[test]
fn every_rule_has_a_documented_pack_and_readme_lists_the_roles() {
    let set = rules::builtin::load().expect("built-in rules load");
    let readme = readme();
    let packs = [
        "general",
        "dotenv-syntax",
        "fastapi",
        "database",
        "sqlalchemy-asyncpg",
        "psycopg",
        "redis",
        "cors",
        "secrets",
        "railway",
        "example",
        "probes",
        "deployment",
        "verify",
        "migrations",
    ];
    for rule in &set.rules {
        let pack = rule.doc.pack.as_deref().unwrap_or_default();
        assert!(
            packs.contains(&pack),
            "{} has no known pack: {pack:?}",
            rule.doc.id
        );
    }
    for pack in packs {
        assert!(
            readme.contains(&format!("| `{pack}` |")),
            "README.md's pack table lacks `{pack}`"
        );
    }
    for role in rules::Role::ALL {
        assert!(
            readme.contains(&format!("| `{}` |", role.name())),
            "README.md's role table lacks `{}`",
            role.name()
        );
    }
}

/// Every `rules/*.toml` file is embedded in the binary.
#[test]
fn every_rule_file_is_embedded() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("rules/ lists")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".toml"))
        .map(|name| format!("rules/{name}"))
        .collect();
    let mut embedded: Vec<String> = rules::builtin::FILES
        .iter()
        .map(|file| file.path.to_owned())
        .collect();
    on_disk.sort();
    embedded.sort();
    assert_eq!(on_disk, embedded);
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md reads")
}

/// README's rule table lists every built-in rule, with its severity.
#[test]
fn readme_lists_every_rule() {
    let readme = readme();
    let set = rules::builtin::load().expect("built-in rules load");
    for rule in &set.rules {
        let row = format!("| `{}` | {} |", rule.doc.id, rule.doc.severity);
        assert!(
            readme.contains(&row),
            "README.md's rule table lacks `{row}`"
        );
    }
}

/// README's check-kind table lists every kind, and every option of it.
#[test]
fn readme_lists_every_check_kind() {
    let readme = readme();
    let table: Vec<&str> = readme
        .lines()
        .skip_while(|line| !line.starts_with("| kind | holds when | options |"))
        .take_while(|line| line.starts_with('|'))
        .collect();
    assert!(!table.is_empty(), "README.md has no check-kind table");
    for kind in CheckKind::ALL {
        let name = format!("`{}`", kind.name());
        let row = table
            .iter()
            .find(|line| {
                line.split('|')
                    .nth(1)
                    .is_some_and(|cell| cell.contains(&name))
            })
            .unwrap_or_else(|| panic!("README.md's kind table lacks {name}"));
        for option in kind.options() {
            if matches!(*option, "variable" | "variables" | "role" | "except-role") {
                continue;
            }
            assert!(
                row.contains(&format!("`{option}")),
                "README.md's row for {name} lacks the option `{option}`"
            );
        }
    }
}
