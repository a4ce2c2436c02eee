//! The Alembic revision graph as Alembic's `RevisionMap` computes it
//! (`alembic/script/revision.py`, Alembic 1.20.1), and the checks of a project's migration
//! history: several heads, a `down_revision` naming no script, a revision id declared twice.
//!
//! What Alembic does, and this module with it:
//! - Scripts are taken in load order; a revision id seen again replaces the earlier script in
//!   the map (with a warning, "Revision X is present more than once"), but both stay in the set
//!   of heads, and only the one in the map has its `down_revision` followed: the earlier script
//!   of a duplicated id is a head of its own whatever follows it.
//! - Branch labels are names in the same map: a `depends_on` may name a label, and means the
//!   revision that carries it. A `down_revision` may not: Alembic checks the graph for cycles on
//!   a copy of the map made before the labels are added (`_detect_cycles`), and stops there
//!   with a `KeyError` on the label.
//! - A head is a revision no other revision names in its `down_revision`; `depends_on` does
//!   not count (that is `_real_heads`, which `alembic heads` does not show). Two branches, one
//!   depending on the other, are two heads, and `alembic upgrade head` refuses them.
//! - A `down_revision` or `depends_on` naming nothing in the map stops Alembic with a
//!   `KeyError` on every command that loads the scripts (`heads`, `upgrade`, `history`).
//! - What `alembic upgrade heads` applies from a database at some revisions: every ancestor of
//!   the heads, following `down_revision` and `depends_on`, that is not an ancestor of (or one
//!   of) the database's revisions.
//!
//! `fixtures/alembic/` holds histories with what the real Alembic said about each
//! (`scripts/alembic_corpus.py`); `tests/alembic_corpus.rs` holds this module to it.

use std::collections::{BTreeMap, BTreeSet};

use crate::finding::Label;
use crate::manifest::alembic::{Project, Script};
use crate::rules::{Raised, RuleId};
use crate::source::SourceId;

/// One revision of the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub id: String,
    pub down_revision: Vec<String>,
    pub depends_on: Vec<String>,
    pub branch_labels: Vec<String>,
}

/// A link that names nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// The revision (index into [`Graph::revisions`]) that names it.
    pub from: usize,
    pub name: String,
    /// In `depends_on` rather than `down_revision`.
    pub dependency: bool,
}

/// The revisions of a project, in load order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Graph {
    pub revisions: Vec<Revision>,
    /// Each id and branch label to the revision it means (the last script of a duplicated id).
    map: BTreeMap<String, usize>,
    /// The order ids first entered the map (Alembic's `OrderedDict`), then labels.
    map_order: Vec<String>,
}

impl Graph {
    pub fn new(revisions: Vec<Revision>) -> Graph {
        let mut map = BTreeMap::new();
        let mut map_order = Vec::new();
        for (index, revision) in revisions.iter().enumerate() {
            if map.insert(revision.id.clone(), index).is_none() {
                map_order.push(revision.id.clone());
            }
        }
        // A label already used (as an id or a label) makes Alembic stop with "Branch name ...
        // already used": the first one stays here.
        for (index, revision) in revisions.iter().enumerate() {
            if map.get(&revision.id) != Some(&index) {
                continue;
            }
            for label in &revision.branch_labels {
                if !map.contains_key(label) {
                    map.insert(label.clone(), index);
                    map_order.push(label.clone());
                }
            }
        }
        Graph {
            revisions,
            map,
            map_order,
        }
    }

    /// The revision an id or a branch label means.
    pub fn get(&self, name: &str) -> Option<usize> {
        self.map.get(name).copied()
    }

    /// The revisions in the map (the last script of each id), in Alembic's order.
    fn mapped(&self) -> impl Iterator<Item = usize> + '_ {
        let mut seen = BTreeSet::new();
        self.map_order
            .iter()
            .filter_map(|name| self.map.get(name).copied())
            .filter(move |index| seen.insert(*index))
    }

    /// Every `down_revision` naming no revision id (a branch label included) and every
    /// `depends_on` naming nothing, in load order.
    pub fn missing(&self) -> Vec<Missing> {
        let mut missing = Vec::new();
        for index in self.mapped() {
            let revision = &self.revisions[index];
            for (names, dependency) in [
                (&revision.down_revision, false),
                (&revision.depends_on, true),
            ] {
                for name in names {
                    let found = match self.get(name) {
                        Some(found) if !dependency => self.revisions[found].id == *name,
                        found => found.is_some(),
                    };
                    if !found {
                        missing.push(Missing {
                            from: index,
                            name: name.clone(),
                            dependency,
                        });
                    }
                }
            }
        }
        missing.sort_by_key(|missing| missing.from);
        missing
    }

    /// The heads, as `RevisionMap.heads` (indexes, in load order).
    pub fn heads(&self) -> Vec<usize> {
        let mut is_head = vec![true; self.revisions.len()];
        for index in self.mapped() {
            for name in &self.revisions[index].down_revision {
                if let Some(down) = self.get(name) {
                    is_head[down] = false;
                }
            }
        }
        (0..self.revisions.len())
            .filter(|index| is_head[*index])
            .collect()
    }

    /// Ids declared by more than one script: each id with its scripts' indexes.
    pub fn duplicates(&self) -> Vec<(String, Vec<usize>)> {
        let mut by_id: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (index, revision) in self.revisions.iter().enumerate() {
            by_id.entry(&revision.id).or_default().push(index);
        }
        let mut duplicates: Vec<(String, Vec<usize>)> = by_id
            .into_iter()
            .filter(|(_, indexes)| indexes.len() > 1)
            .map(|(id, indexes)| (id.to_owned(), indexes))
            .collect();
        duplicates.sort_by_key(|(_, indexes)| indexes[0]);
        duplicates
    }

    /// What a revision follows: its `down_revision` and, with `dependencies`, its `depends_on`,
    /// each as the revision it means (names that mean nothing are left out).
    fn parents(&self, index: usize, dependencies: bool) -> impl Iterator<Item = usize> + '_ {
        let revision = &self.revisions[index];
        let depends: &[String] = if dependencies {
            &revision.depends_on
        } else {
            &[]
        };
        revision
            .down_revision
            .iter()
            .chain(depends)
            .filter_map(|name| self.get(name))
    }

    /// The revisions `from` and everything before them (following `depends_on` too with
    /// `dependencies`). Iterative, and ends on a cycle.
    pub fn ancestors(&self, from: &[usize], dependencies: bool) -> BTreeSet<usize> {
        let mut seen: BTreeSet<usize> = BTreeSet::new();
        let mut pending: Vec<usize> = from.to_vec();
        while let Some(index) = pending.pop() {
            if seen.insert(index) {
                pending.extend(self.parents(index, dependencies));
            }
        }
        seen
    }

    /// The branch labels a revision carries: its own and those of the revisions before it.
    pub fn labels(&self, index: usize) -> BTreeSet<&str> {
        self.ancestors(&[index], false)
            .into_iter()
            .flat_map(|ancestor| &self.revisions[ancestor].branch_labels)
            .map(String::as_str)
            .collect()
    }

    /// Several heads on purpose: separate histories (no two heads share a revision), each but
    /// at most one named by a branch label, as Alembic's "multiple bases" are set up
    /// (`alembic revision --head=base --branch-label=...`). Heads that fork from a common
    /// revision are two developers' work, never merged.
    pub fn separate_branches(&self, heads: &[usize]) -> bool {
        let histories: Vec<BTreeSet<usize>> = heads
            .iter()
            .map(|head| self.ancestors(&[*head], false))
            .collect();
        let disjoint = histories.iter().enumerate().all(|(i, a)| {
            histories
                .iter()
                .skip(i + 1)
                .all(|b| a.intersection(b).next().is_none())
        });
        let unlabelled = heads
            .iter()
            .filter(|head| self.labels(**head).is_empty())
            .count();
        disjoint && unlabelled <= 1
    }

    /// What `alembic upgrade heads` applies to a database at `current` (revision ids): every
    /// ancestor of the heads, through `depends_on` too, that the database has not got. `Err`
    /// with the ids the graph does not have.
    pub fn pending(&self, current: &[String]) -> Result<Vec<usize>, Vec<String>> {
        let unknown: Vec<String> = current
            .iter()
            .filter(|id| self.get(id).is_none())
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(unknown);
        }
        let at: Vec<usize> = current.iter().filter_map(|id| self.get(id)).collect();
        let applied = self.ancestors(&at, true);
        let heads: Vec<usize> = self.heads();
        let wanted = self.ancestors(&heads, true);
        Ok(wanted.difference(&applied).copied().collect())
    }
}

/// A project's scripts as a graph: the readable ones, with the index of each revision's
/// script. `complete` is false when a script could not be read (the graph may lack it).
pub struct History<'p> {
    pub graph: Graph,
    pub scripts: Vec<&'p Script>,
    pub complete: bool,
}

impl<'p> History<'p> {
    pub fn of(project: &'p Project) -> History<'p> {
        let mut revisions = Vec::new();
        let mut scripts = Vec::new();
        let mut complete = project.problems.is_empty();
        for script in &project.scripts {
            let fields = &script.fields;
            let Some(revision) = fields
                .revision
                .as_ref()
                .filter(|_| fields.problem.is_none())
            else {
                complete = false;
                continue;
            };
            let values = |written: &[crate::manifest::alembic::Written]| -> Vec<String> {
                written.iter().map(|w| w.value.clone()).collect()
            };
            revisions.push(Revision {
                id: revision.value.clone(),
                down_revision: values(&fields.down_revision),
                depends_on: values(&fields.depends_on),
                branch_labels: values(&fields.branch_labels),
            });
            scripts.push(script);
        }
        History {
            graph: Graph::new(revisions),
            scripts,
            complete,
        }
    }
}

/// Judge a project's history. `script_sources` gives each of `project.scripts` its source;
/// `config_source` is the configuration file's.
pub fn check(
    project: &Project,
    script_sources: &[SourceId],
    config_source: Option<SourceId>,
) -> Vec<Raised> {
    let mut raised = Vec::new();
    let source_of = |script: &Script| -> SourceId {
        project
            .scripts
            .iter()
            .position(|candidate| std::ptr::eq(candidate, script))
            .and_then(|index| script_sources.get(index).copied())
            .unwrap_or(SourceId(0))
    };
    if let Some(source) = config_source {
        for problem in &project.problems {
            raised.push(Raised::new(
                RuleId::AlembicUnreadable,
                format!("{}; the migration history was not judged", problem.message),
                source,
                problem.span.clone(),
            ));
        }
    }
    for script in &project.scripts {
        if let Some((span, message)) = &script.fields.problem {
            raised.push(Raised::new(
                RuleId::AlembicUnreadable,
                format!("{message}; the history is judged without {}", script.name),
                source_of(script),
                span.clone(),
            ));
        }
    }
    let history = History::of(project);
    let graph = &history.graph;
    for (id, indexes) in graph.duplicates() {
        let files: Vec<&str> = indexes
            .iter()
            .map(|index| file_name(history.scripts[*index]))
            .collect();
        let last = history.scripts[*indexes.last().unwrap_or(&0)];
        let span = |script: &Script| {
            script
                .fields
                .revision
                .as_ref()
                .map_or(0..0, |revision| revision.span.clone())
        };
        let mut finding = Raised::new(
            RuleId::AlembicDuplicateRevision,
            format!(
                "revision `{id}` is declared by {} scripts ({}): Alembic keeps only the last one \
                 it loads, {}, and never runs the other",
                indexes.len(),
                files.join(", "),
                file_name(last)
            ),
            source_of(last),
            span(last),
        );
        for index in &indexes[..indexes.len() - 1] {
            let script = history.scripts[*index];
            finding.labels.push(Label {
                source: source_of(script),
                span: span(script),
                text: format!("also `{id}`"),
            });
        }
        raised.push(finding);
    }
    if !history.complete {
        return raised;
    }
    let missing = graph.missing();
    for link in &missing {
        let script = history.scripts[link.from];
        let fields = &script.fields;
        let (field, written) = if link.dependency {
            ("depends_on", &fields.depends_on)
        } else {
            ("down_revision", &fields.down_revision)
        };
        let span = written
            .iter()
            .find(|w| w.value == link.name)
            .map(|w| w.span.clone())
            .or(fields.down_revision_span.clone())
            .unwrap_or(0..0);
        let what = if graph.get(&link.name).is_some() {
            "a branch label, where only a revision id is followed"
        } else {
            "which no migration script declares"
        };
        raised.push(Raised::new(
            RuleId::AlembicBrokenChain,
            format!(
                "`{field}` of revision `{}` names `{}`, {what}: Alembic stops with KeyError on \
                 every command, `alembic upgrade` included",
                graph.revisions[link.from].id, link.name,
            ),
            source_of(script),
            span,
        ));
    }
    let heads = graph.heads();
    // A duplicated id's earlier script is a head of its own: that finding says why.
    let duplicated = !graph.duplicates().is_empty();
    if missing.is_empty() && !duplicated && heads.len() > 1 && !graph.separate_branches(&heads) {
        let named: Vec<String> = heads
            .iter()
            .map(|head| {
                format!(
                    "`{}` ({})",
                    graph.revisions[*head].id,
                    file_name(history.scripts[*head])
                )
            })
            .collect();
        let revision_span = |script: &Script| {
            script
                .fields
                .revision
                .as_ref()
                .map_or(0..0, |revision| revision.span.clone())
        };
        let first = history.scripts[heads[0]];
        let mut finding = Raised::new(
            RuleId::AlembicMultipleHeads,
            format!(
                "the migration history has {} heads: {}; `alembic upgrade head` stops with \
                 \"Multiple head revisions are present\"",
                heads.len(),
                named.join(", ")
            ),
            source_of(first),
            revision_span(first),
        )
        .with_suggestion(format!(
            "`alembic merge -m \"merge heads\" {}`",
            heads
                .iter()
                .map(|head| graph.revisions[*head].id.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        ));
        for head in &heads[1..] {
            let script = history.scripts[*head];
            finding.labels.push(Label {
                source: source_of(script),
                span: revision_span(script),
                text: "another head".to_owned(),
            });
        }
        raised.push(finding);
    }
    raised
}

/// A script's file name, for messages (the finding's location gives its directory).
fn file_name(script: &Script) -> &str {
    script
        .name
        .rsplit(['/', std::path::MAIN_SEPARATOR])
        .next()
        .unwrap_or(&script.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn revision(id: &str, down: &[&str], depends: &[&str], labels: &[&str]) -> Revision {
        let owned = |names: &[&str]| names.iter().map(|n| n.to_string()).collect();
        Revision {
            id: id.to_owned(),
            down_revision: owned(down),
            depends_on: owned(depends),
            branch_labels: owned(labels),
        }
    }

    fn head_ids(graph: &Graph) -> Vec<&str> {
        graph
            .heads()
            .into_iter()
            .map(|index| graph.revisions[index].id.as_str())
            .collect()
    }

    #[test]
    fn linear_merge_and_dependencies() {
        let linear = Graph::new(vec![
            revision("a", &[], &[], &[]),
            revision("b", &["a"], &[], &[]),
        ]);
        assert_eq!(head_ids(&linear), ["b"]);
        let forked = Graph::new(vec![
            revision("a", &[], &[], &[]),
            revision("b", &["a"], &[], &[]),
            revision("c", &["a"], &[], &[]),
        ]);
        assert_eq!(head_ids(&forked), ["b", "c"]);
        assert!(!forked.separate_branches(&forked.heads()));
        let merged = Graph::new(vec![
            revision("a", &[], &[], &[]),
            revision("b", &["a"], &[], &[]),
            revision("c", &["a"], &[], &[]),
            revision("m", &["b", "c"], &[], &[]),
        ]);
        assert_eq!(head_ids(&merged), ["m"]);
        // depends_on does not make a head stop being one.
        let depends = Graph::new(vec![
            revision("a", &[], &[], &["core"]),
            revision("x", &[], &["core"], &["extra"]),
        ]);
        assert_eq!(head_ids(&depends), ["a", "x"]);
        assert!(depends.separate_branches(&depends.heads()));
        assert_eq!(depends.pending(&[]).map(|p| p.len()), Ok(2));
        assert_eq!(depends.pending(&["a".to_owned()]).map(|p| p.len()), Ok(1));
        assert_eq!(
            depends.pending(&["x".to_owned()]).map(|p| p.len()),
            Ok(0),
            "x depends on a: a database at x has a"
        );
        assert_eq!(
            depends.pending(&["zz".to_owned()]),
            Err(vec!["zz".to_owned()])
        );
    }

    #[test]
    fn duplicates_stay_heads_and_missing_links_are_found() {
        let graph = Graph::new(vec![
            revision("a", &[], &[], &[]),
            revision("b", &["a"], &[], &[]),
            revision("b", &["a"], &[], &[]),
            revision("c", &["b"], &[], &[]),
        ]);
        assert_eq!(head_ids(&graph), ["b", "c"]);
        assert_eq!(graph.duplicates(), [("b".to_owned(), vec![1, 2])]);
        let broken = Graph::new(vec![
            revision("b", &["gone"], &[], &[]),
            revision("c", &["b"], &["nowhere"], &[]),
        ]);
        let links = broken.missing();
        let missing: Vec<(&str, bool)> = links
            .iter()
            .map(|m| (m.name.as_str(), m.dependency))
            .collect();
        assert_eq!(missing, [("gone", false), ("nowhere", true)]);
    }

    #[test]
    fn cycles_end() {
        let graph = Graph::new(vec![
            revision("a", &["b"], &[], &[]),
            revision("b", &["a"], &[], &[]),
        ]);
        assert!(graph.heads().is_empty());
        assert_eq!(graph.ancestors(&[0], true).len(), 2);
    }
}
