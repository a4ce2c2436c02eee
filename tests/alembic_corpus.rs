//! deploycheck's reading of Alembic projects against what Alembic itself said about them:
//! `fixtures/alembic/recorded.json` holds, for every history of `fixtures/alembic/<case>/`, the
//! output of `alembic heads` and `alembic history`, the scripts Alembic loaded and in which
//! order, its revision map's heads (or the error that stopped it) and what `alembic upgrade
//! heads` would apply from each revision (`scripts/alembic_corpus.py`, re-checked in CI).

use std::collections::BTreeSet;
use std::path::Path;

use deploycheck::engine::migrations::{Graph, History};
use deploycheck::manifest::alembic;
use deploycheck::source::read::Reader;
use serde_json::Value;

fn recording() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/alembic/recorded.json"
    ))
    .expect("fixtures/alembic/recorded.json");
    serde_json::from_str(&text).expect("JSON")
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("a list: {value}"))
        .iter()
        .map(|item| item.as_str().expect("a string").to_owned())
        .collect()
}

fn ids(graph: &Graph, indexes: impl IntoIterator<Item = usize>) -> BTreeSet<String> {
    indexes
        .into_iter()
        .map(|index| graph.revisions[index].id.clone())
        .collect()
}

/// `b2, c3 (x1) -> d4 (label) (mergepoint), message`: the revision, its parents and its
/// dependencies, as `alembic history` prints them.
fn history_line(line: &str) -> (String, BTreeSet<String>, BTreeSet<String>) {
    let (left, right) = line.split_once(" -> ").expect("an arrow");
    let revision = right
        .split([' ', ','])
        .next()
        .expect("a revision")
        .to_owned();
    let (parents, dependencies) = match left.split_once(" (") {
        Some((parents, rest)) => (parents, rest.trim_end_matches(')')),
        None => (left, ""),
    };
    let set = |text: &str| -> BTreeSet<String> {
        text.split(", ")
            .filter(|part| !part.is_empty() && *part != "<base>")
            .map(str::to_owned)
            .collect()
    };
    (revision, set(parents), set(dependencies))
}

#[test]
fn the_graph_is_what_alembic_recorded() {
    let recorded = recording();
    let cases = recorded["cases"].as_object().expect("cases");
    assert!(
        cases.len() >= 12,
        "expected the whole corpus, found {}",
        cases.len()
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/alembic");
    for (name, case) in cases {
        let dir = root.join(name);
        let project = alembic::find(&dir, &Reader::default())
            .unwrap_or_else(|| panic!("{name}: no Alembic project found"));
        assert!(
            project.problems.is_empty(),
            "{name}: {:?}",
            project.problems
        );

        // The scripts, in Alembic's load order.
        let prefix = format!("{}/", dir.display());
        let loaded: Vec<(String, String)> = project
            .scripts
            .iter()
            .map(|script| {
                let absolute = Path::new(env!("CARGO_MANIFEST_DIR")).join(&script.name);
                let name = if Path::new(&script.name).is_absolute() {
                    script.name.clone()
                } else {
                    absolute.display().to_string()
                };
                let revision = script.fields.revision.as_ref().expect("a revision");
                (
                    name.strip_prefix(&prefix).unwrap_or(&name).to_owned(),
                    revision.value.clone(),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = case["scripts"]
            .as_array()
            .expect("scripts")
            .iter()
            .map(|script| {
                (
                    script["file"].as_str().expect("file").to_owned(),
                    script["revision"].as_str().expect("revision").to_owned(),
                )
            })
            .collect();
        assert_eq!(loaded, expected, "{name}: the scripts and their order");

        let history = History::of(&project);
        assert!(history.complete, "{name}");
        let graph = &history.graph;
        let map = &case["map"];
        let cli_failed = case["heads"]["exit"].as_i64() != Some(0);
        if let Some(error) = map["error"].as_str() {
            // A link naming no script: Alembic stops with `KeyError: 'name'`.
            let missing = error
                .strip_prefix("KeyError: '")
                .and_then(|rest| rest.strip_suffix('\''))
                .unwrap_or_else(|| panic!("{name}: an unexpected error {error}"));
            assert!(
                graph.missing().iter().any(|link| link.name == missing),
                "{name}: Alembic stopped on `{missing}`, deploycheck found {:?}",
                graph.missing()
            );
            assert!(cli_failed, "{name}: `alembic heads` should fail too");
            continue;
        }
        assert!(graph.missing().is_empty(), "{name}: {:?}", graph.missing());
        assert!(!cli_failed, "{name}");

        // Heads, from the API and as `alembic heads` printed them.
        let heads = graph.heads();
        let head_ids = ids(graph, heads.iter().copied());
        let recorded_heads: BTreeSet<String> = strings(&map["heads"]).into_iter().collect();
        assert_eq!(head_ids, recorded_heads, "{name}: heads");
        let printed: BTreeSet<String> = strings(&case["heads"]["stdout"])
            .iter()
            .map(|line| line.split(' ').next().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(head_ids, printed, "{name}: `alembic heads`");
        for head in &heads {
            let id = &graph.revisions[*head].id;
            let labels: Vec<String> = graph.labels(*head).into_iter().map(str::to_owned).collect();
            assert_eq!(
                labels,
                strings(&map["labels"][id]),
                "{name}: labels of {id}"
            );
        }

        // Duplicates, which Alembic only warns about.
        let duplicated: BTreeSet<String> =
            graph.duplicates().into_iter().map(|(id, _)| id).collect();
        let warned: BTreeSet<String> = strings(&map["warnings"])
            .iter()
            .filter_map(|warning| {
                warning
                    .strip_prefix("Revision ")
                    .and_then(|rest| rest.strip_suffix(" is present more than once"))
                    .map(str::to_owned)
            })
            .collect();
        assert_eq!(duplicated, warned, "{name}: duplicates");

        // Each revision's parents and dependencies, as `alembic history` prints them.
        if case["history"]["exit"].as_i64() == Some(0) {
            for line in strings(&case["history"]["stdout"]) {
                let (revision, parents, dependencies) = history_line(&line);
                let index = graph.get(&revision).expect("a revision of the graph");
                let found = &graph.revisions[index];
                let down: BTreeSet<String> = found.down_revision.iter().cloned().collect();
                let depends: BTreeSet<String> = found.depends_on.iter().cloned().collect();
                assert_eq!(down, parents, "{name}: parents of {revision}");
                assert_eq!(depends, dependencies, "{name}: dependencies of {revision}");
            }
        }

        // What `alembic upgrade heads` applies from each revision.
        for (state, expected) in case["pending"].as_object().expect("pending") {
            let current: Vec<String> = if state == "<base>" {
                Vec::new()
            } else {
                vec![state.clone()]
            };
            let pending = graph.pending(&current);
            match expected["error"].as_str() {
                None => {
                    let expected: BTreeSet<String> = strings(expected).into_iter().collect();
                    let pending = pending.unwrap_or_else(|unknown| {
                        panic!("{name}: from {state}: unknown {unknown:?}")
                    });
                    assert_eq!(ids(graph, pending), expected, "{name}: from {state}");
                }
                Some(error) if error.contains("Can't locate revision") => {
                    assert_eq!(pending, Err(current.clone()), "{name}: from {state}");
                }
                Some(error) if error.contains("overlaps with other requested revisions") => {
                    // The earlier script of a duplicated id stays a head: the upgrade's
                    // targets overlap. deploycheck reports the duplicate instead.
                    assert!(!graph.duplicates().is_empty(), "{name}: {error}");
                }
                Some(error) => panic!("{name}: from {state}: an unexpected error {error}"),
            }
        }
    }
}

#[test]
fn the_corpus_covers_each_case_the_rules_judge() {
    let recorded = recording();
    let cases = recorded["cases"].as_object().expect("cases");
    for name in [
        "linear",
        "two-heads",
        "merge",
        "branch-labels",
        "depends-on",
        "broken-chain",
        "duplicate-revision",
        "version-locations",
        "pyproject",
    ] {
        assert!(cases.contains_key(name), "the corpus lacks `{name}`");
    }
}
