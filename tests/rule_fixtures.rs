//! Every built-in rule has `fixtures/<rule-id>/` with a failing and a passing input: the
//! failing one must raise the rule, the passing one must not; both outputs are snapshotted.

mod common;

use common::cli;
use std::path::Path;

fn fixture_dirs() -> Vec<(String, std::path::PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures/")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_dir())
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            find(&entry.path(), "fail").map(|_| (name, entry.path()))
        })
        .collect();
    dirs.sort();
    dirs
}

/// `fail.env`, `fail.json`, `fail.txt`...
pub fn find(dir: &Path, stem: &str) -> Option<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.file_stem().is_some_and(|s| s == stem))
        .collect();
    found.sort();
    found.into_iter().next()
}

/// Extra arguments a fixture needs (`fixtures/<rule>/args`, one per line), or its `fail` or
/// `pass` input alone (`args.fail`, `args.pass`).
fn extra_args(dir: &Path, stem: &str) -> Vec<String> {
    std::fs::read_to_string(dir.join(format!("args.{stem}")))
        .or_else(|_| std::fs::read_to_string(dir.join("args")))
        .map(|text| {
            text.lines()
                .map(str::to_owned)
                .filter(|l| !l.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Each rule's fixtures are judged on their own: a failure names every rule that failed, not
/// only the first (each one's snapshot differences are printed above the summary).
#[test]
fn failing_fixtures_raise_their_rule_and_passing_ones_do_not() {
    let dirs = fixture_dirs();
    assert!(
        dirs.len() >= 29,
        "expected a fixture per built-in rule, found {}",
        dirs.len()
    );
    let mut failed = Vec::new();
    for (rule, dir) in dirs {
        for (stem, should_fire) in [("fail", true), ("pass", false)] {
            let outcome =
                std::panic::catch_unwind(|| check_fixture(&rule, &dir, stem, should_fire));
            if outcome.is_err() {
                failed.push(format!("{rule}/{stem}"));
            }
        }
    }
    assert!(
        failed.is_empty(),
        "fixtures that failed: {}",
        failed.join(", ")
    );
}

/// One fixture: the rule fires on `fail` and nothing fires on `pass`; both outputs match their
/// snapshots.
fn check_fixture(rule: &str, dir: &Path, stem: &str, should_fire: bool) {
    let extra = extra_args(dir, stem);
    let path = find(dir, stem).unwrap_or_else(|| panic!("fixtures/{rule}/ lacks a {stem} input"));
    let relative = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .expect("relative")
        .to_string_lossy()
        .replace('\\', "/");
    let mut args: Vec<&str> = extra.iter().map(String::as_str).collect();
    args.push(&relative);
    let mut json_args = vec!["lint", "--format", "json"];
    json_args.extend(args.iter().copied());
    let json = cli::run(&json_args, "");
    assert!(json.error.is_empty(), "{relative}: {}", json.error);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON output");
    let ids = cli::rule_ids(&report);
    assert_eq!(
        ids.iter().any(|id| id == rule),
        should_fire,
        "{relative}: {rule} fired = {}; findings: {ids:?}",
        !should_fire
    );
    if !should_fire {
        assert!(ids.is_empty(), "{relative} should be clean, found {ids:?}");
    }
    let mut human_args = vec!["lint"];
    human_args.extend(extra.iter().map(String::as_str));
    human_args.push(&relative);
    let human = cli::run(&human_args, "");
    insta::assert_snapshot!(format!("{rule}__{stem}__human"), human.stdout);
    insta::assert_snapshot!(format!("{rule}__{stem}__json"), json.stdout);
}
