//! `init --pre-commit`: the deploycheck hook in `.pre-commit-config.yaml`.
//!
//! A team's pre-commit file is theirs: its comments, its order and its indentation style stay
//! as they wrote them. So the entry is added as text, not by parsing the YAML and writing it
//! back (which would drop every comment): after the last line of the `repos:` block, indented
//! as the block's own items are, with the file's own line ending. Shapes this cannot place an
//! entry in without rewriting a line (`repos: [...]` in flow style, no `repos:` key) are
//! refused with the entry to add by hand.

use std::sync::OnceLock;

use regex::Regex;

/// The repository pre-commit clones the hook from: Cargo's `repository` field, the one place
/// it is written (README "Adopting deploycheck in a project").
pub const REPOSITORY_URL: &str = env!("CARGO_PKG_REPOSITORY");

/// The hook's id in this repository's `.pre-commit-hooks.yaml`.
const HOOK_ID: &str = "deploycheck";

/// The tag of this release, which the entry pins.
fn rev() -> String {
    format!("v{}", env!("CARGO_PKG_VERSION"))
}

/// What adding the hook comes to.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    /// No file: this one.
    Create(String),
    /// The file with the entry added (everything it held kept byte for byte).
    Append(String),
    /// The file runs the hook already.
    Present,
    /// The entry cannot be placed without rewriting the user's lines: why.
    Refused(String),
}

/// Does a pre-commit configuration already run the deploycheck hook (`id: deploycheck`)?
pub fn has_hook(text: &str) -> bool {
    static ID: OnceLock<Regex> = OnceLock::new();
    ID.get_or_init(|| {
        Regex::new(r#"(?m)^[ \t-]*id:[ \t]*["']?deploycheck["']?[ \t]*(#.*)?\r?$"#)
            .expect("a valid pattern")
    })
    .is_match(text)
}

/// A new `.pre-commit-config.yaml` running the hook.
fn new_file() -> String {
    format!(
        "# pre-commit's hooks (https://pre-commit.com): `pre-commit install` runs them on every \
         commit.\nrepos:\n{}",
        entry("  ", "- ", "\n")
    )
}

/// The `- repo:` entry, its dash at `indent`, each item's dash written as `dash` (`- `, or
/// `-   ` in pre-commit's own sample style).
fn entry(indent: &str, dash: &str, newline: &str) -> String {
    let content = format!("{indent}{}", " ".repeat(dash.len()));
    [
        format!(
            "{indent}# deploycheck: the .env files and deployment files of each commit, before \
             they are deployed"
        ),
        format!("{indent}{dash}repo: {REPOSITORY_URL}"),
        format!("{content}rev: {}", rev()),
        format!("{content}hooks:"),
        format!("{content}  {dash}id: {HOOK_ID}"),
    ]
    .iter()
    .map(|line| format!("{line}{newline}"))
    .collect()
}

/// Add the hook to the configuration `existing` (`None`: there is none).
pub fn add_hook(existing: Option<&str>) -> Change {
    let Some(text) = existing else {
        return Change::Create(new_file());
    };
    if has_hook(text) {
        return Change::Present;
    }
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let bare = |line: &str| line.trim_end_matches(['\n', '\r']).to_owned();
    let Some(repos) = lines.iter().position(|line| {
        let line = bare(line);
        line.strip_prefix("repos:")
            .is_some_and(|rest| rest.trim().is_empty() || rest.trim_start().starts_with('#'))
    }) else {
        let flow = lines.iter().any(|line| line.starts_with("repos:"));
        return Change::Refused(if flow {
            "its `repos:` is written in flow style (`[...]`)".to_owned()
        } else {
            "it has no `repos:` list".to_owned()
        });
    };
    // The block runs until a line at column 0 that is not one of its items (the next key, a
    // document marker); comments and blank lines after its last line belong to what follows.
    let mut last = repos;
    let mut item: Option<(String, String)> = None;
    for (index, line) in lines.iter().enumerate().skip(repos + 1) {
        let line = bare(line);
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = &line[..line.len() - trimmed.len()];
        let is_item = trimmed == "-" || trimmed.starts_with("- ");
        if indent.is_empty() && (!is_item || line.starts_with("---")) {
            break;
        }
        if is_item && item.is_none() {
            let after_dash = &trimmed[1..];
            let spaces = after_dash.len() - after_dash.trim_start().len();
            item = Some((indent.to_owned(), format!("-{}", " ".repeat(spaces.max(1)))));
        }
        last = index;
    }
    let (indent, dash) = item.unwrap_or_else(|| ("  ".to_owned(), "- ".to_owned()));
    let mut out = String::with_capacity(text.len() + 256);
    for line in &lines[..=last] {
        out.push_str(line);
    }
    if !out.ends_with('\n') {
        out.push_str(newline);
    }
    out.push_str(&entry(&indent, &dash, newline));
    for line in &lines[last + 1..] {
        out.push_str(line);
    }
    Change::Append(out)
}

/// The entry to add by hand, for a file [`add_hook`] refused.
pub fn manual_entry() -> String {
    entry("  ", "- ", "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn appended(text: &str) -> String {
        match add_hook(Some(text)) {
            Change::Append(out) => out,
            other => panic!("expected an append, got {other:?}"),
        }
    }

    #[test]
    fn the_entry_goes_after_the_repos_block_in_its_style() {
        let text = "\
# our hooks
repos:
-   repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v4.6.0
    hooks:
    -   id: trailing-whitespace

# pre-commit.ci
ci:
    autofix_prs: false
";
        let out = appended(text);
        assert!(out.contains(&format!(
            "-   repo: {REPOSITORY_URL}\n    rev: {}\n    hooks:\n      -   id: deploycheck\n",
            rev()
        )));
        assert!(out.ends_with(
            "      -   id: deploycheck\n\n# pre-commit.ci\nci:\n    autofix_prs: false\n"
        ));
        assert!(has_hook(&out));
        // Everything the user wrote is still there, byte for byte: only the entry was added.
        assert_eq!(out.replacen(&entry("", "-   ", "\n"), "", 1), text);
    }

    #[test]
    fn indented_items_and_crlf_are_kept() {
        let text = "repos:\r\n  - repo: local\r\n    hooks:\r\n      - id: x\r\n";
        let out = appended(text);
        assert!(out.starts_with(text));
        assert!(out.contains(&format!("\r\n  - repo: {REPOSITORY_URL}\r\n    rev: ")));
        assert!(!out.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn a_file_without_a_final_newline_gets_one_before_the_entry() {
        let out = appended("repos:\n  - repo: local\n    hooks:\n      - id: x");
        assert!(out.starts_with("repos:\n  - repo: local\n    hooks:\n      - id: x\n"));
    }

    #[test]
    fn present_refused_and_created() {
        assert_eq!(
            add_hook(Some(
                "repos:\n  - repo: x\n    hooks:\n      - id: deploycheck\n"
            )),
            Change::Present
        );
        assert!(matches!(add_hook(Some("repos: []\n")), Change::Refused(_)));
        assert!(matches!(
            add_hook(Some("default_stages: [commit]\n")),
            Change::Refused(_)
        ));
        let Change::Create(text) = add_hook(None) else {
            panic!("a new file");
        };
        assert!(has_hook(&text));
        assert!(!has_hook(
            "repos:\n  - repo: x\n    hooks:\n      - id: deploycheck-extra\n"
        ));
    }
}
