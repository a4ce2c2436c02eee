//! The Alembic migration-script reader (`manifest::alembic::read_script`): the input as a
//! script of a `versions/` directory, read without running it.
//!
//! Properties:
//! - reading ends, in fields or a problem, whatever the syntax (no panic, no hang);
//! - every span (the revision, each `down_revision`, branch label and dependency, the
//!   `down_revision` value, the problem) lies inside the input, on character boundaries;
//! - an identifier read from the text is written there as a string literal: its span starts
//!   with a quote or a string prefix, and ends with a quote;
//! - reading is deterministic, and the graph built from one script has no more heads than
//!   revisions.

#![no_main]

use deploycheck::engine::migrations::{Graph, Revision};
use deploycheck::manifest::alembic::read_script;
use deploycheck_fuzz::{check_span, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let fields = read_script(&text, "b2_add_users.py");
    assert_eq!(
        fields,
        read_script(&text, "b2_add_users.py"),
        "not deterministic"
    );
    if let Some((span, message)) = &fields.problem {
        check_span(&text, span, &format!("problem `{message}`"));
        assert!(!message.is_empty(), "a problem without a message");
    }
    if let Some(span) = &fields.down_revision_span {
        check_span(&text, span, "down_revision value");
    }
    let written = fields
        .revision
        .iter()
        .chain(&fields.down_revision)
        .chain(&fields.branch_labels)
        .chain(&fields.depends_on);
    for id in written {
        check_span(&text, &id.span, &format!("identifier `{}`", id.value));
        let literal = &text[id.span.clone()];
        assert!(
            literal.ends_with(['"', '\'']) && literal.contains(['"', '\'']),
            "identifier `{}` at {:?} is not a string literal: {literal:?}",
            id.value,
            id.span
        );
    }
    if let (Some(revision), None) = (&fields.revision, &fields.problem) {
        let names = |ids: &[deploycheck::manifest::alembic::Written]| -> Vec<String> {
            ids.iter().map(|id| id.value.clone()).collect()
        };
        let graph = Graph::new(vec![Revision {
            id: revision.value.clone(),
            down_revision: names(&fields.down_revision),
            depends_on: names(&fields.depends_on),
            branch_labels: names(&fields.branch_labels),
        }]);
        assert!(graph.heads().len() <= 1);
        let _ = graph.missing();
        let _ = graph.pending(&[revision.value.clone()]);
    }
});
