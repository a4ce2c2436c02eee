//! `init --pyproject`: the configuration as `[tool.deploycheck]` in the project's existing
//! pyproject.toml, where these teams keep ruff's, mypy's and pytest's.
//!
//! The file is the team's: it is edited as text, never parsed and written back (which would
//! drop its comments and reorder its tables). A new table is appended after everything the file
//! holds; with `--force`, an existing one (`[tool.deploycheck]` and its sub-tables, from its
//! first header to the next table that is not deploycheck's) is replaced where it stands. Either
//! way the result is parsed again and must be the old file with exactly the new table in place
//! of the old one; when it is not (the table was written as dotted keys under `[tool]`, or in
//! an inline table), the edit is refused rather than guessed.

use std::sync::OnceLock;

use regex::Regex;

/// Does the text have a `[tool.deploycheck]` table? The configuration reader's own test.
pub fn has_table(text: &str) -> bool {
    crate::config::has_tool_table(text)
}

/// A header of deploycheck's own tables: `[tool.deploycheck]`, `[tool.deploycheck.roles]`,
/// `[[tool.deploycheck.suppress]]`, `[tool.deploycheck.per-file.".env"]`.
fn is_own_header(line: &str) -> bool {
    static HEADER: OnceLock<Regex> = OnceLock::new();
    HEADER
        .get_or_init(|| {
            Regex::new(r#"^\s*\[\[?\s*(tool|"tool")\s*\.\s*(deploycheck|"deploycheck")\s*[.\]]"#)
                .expect("a valid pattern")
        })
        .is_match(line)
}

/// Any table header.
fn is_header(line: &str) -> bool {
    line.trim_start().starts_with('[')
}

/// The file with `table` (a `[tool.deploycheck]` section, starting with its header) added
/// after everything in it, or put in place of the existing table. `Err` says why the edit
/// could not be made as text.
pub fn with_table(existing: &str, table: &str) -> Result<String, String> {
    let newline = if existing.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let table = if newline == "\n" {
        table.to_owned()
    } else {
        table.replace('\n', newline)
    };
    let updated = if has_table(existing) {
        replace_table(existing, &table)
    } else {
        let mut out = existing.to_owned();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(newline);
        }
        if !out.trim().is_empty() {
            out.push_str(newline);
        }
        out.push_str(&table);
        out
    };
    check(existing, &updated, &table)?;
    Ok(updated)
}

/// Put `table` where the file's deploycheck tables are: from the first of their headers to the
/// next header of another table (comment lines right above that header stay with it), every
/// later deploycheck table removed the same way.
fn replace_table(existing: &str, table: &str) -> String {
    let lines: Vec<&str> = existing.split_inclusive('\n').collect();
    let mut keep = vec![true; lines.len()];
    let mut index = 0;
    let mut first = None;
    while index < lines.len() {
        if !is_own_header(lines[index]) {
            index += 1;
            continue;
        }
        first.get_or_insert(index);
        let start = index;
        let mut end = index + 1;
        // Through deploycheck's sub-tables, to the next table that is another tool's.
        while end < lines.len() && (!is_header(lines[end]) || is_own_header(lines[end])) {
            end += 1;
        }
        // A comment block attached to the next header is that table's.
        if end < lines.len() {
            while end > start + 1 && lines[end - 1].trim_start().starts_with('#') {
                end -= 1;
            }
        }
        for kept in &mut keep[start..end] {
            *kept = false;
        }
        index = end.max(index + 1);
    }
    let first = first.unwrap_or(lines.len());
    let mut out = String::with_capacity(existing.len() + table.len());
    for (index, line) in lines.iter().enumerate() {
        if index == first {
            out.push_str(table);
            if index + 1 < lines.len() && !table.ends_with("\n\n") && !table.ends_with("\r\n\r\n") {
                // A blank line before whatever table came after it.
                let after = lines[first..].iter().zip(&keep[first..]).find(|(_, k)| **k);
                if after.is_some_and(|(line, _)| !line.trim().is_empty()) {
                    out.push_str(if table.ends_with("\r\n") {
                        "\r\n"
                    } else {
                        "\n"
                    });
                }
            }
        }
        if keep[index] {
            out.push_str(line);
        }
    }
    if first == lines.len() {
        out.push_str(table);
    }
    out
}

/// The edit is right when the new file parses to the old one with `tool.deploycheck` being
/// exactly the new table's.
fn check(existing: &str, updated: &str, table: &str) -> Result<(), String> {
    let parse = |text: &str| {
        text.parse::<toml::Table>()
            .map_err(|error| error.to_string())
    };
    let split = |mut whole: toml::Table| {
        let own = whole
            .get_mut("tool")
            .and_then(toml::Value::as_table_mut)
            .and_then(|tool| tool.remove("deploycheck"));
        if whole
            .get("tool")
            .and_then(toml::Value::as_table)
            .is_some_and(toml::Table::is_empty)
        {
            whole.remove("tool");
        }
        (whole, own)
    };
    let (before, _) = split(parse(existing)?);
    let (after, own) = split(
        parse(updated).map_err(|error| format!("the file would not be valid TOML: {error}"))?,
    );
    let (_, wanted) = split(parse(table)?);
    if before != after || own != wanted {
        return Err(
            "its `[tool.deploycheck]` is not written as tables that can be replaced as text \
                    (dotted keys under `[tool]`, or an inline table)"
                .to_owned(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "[tool.deploycheck]\n# found\nsettings = \"app/config.py:Settings\"\n\n\
                         [tool.deploycheck.roles]\ndatabase-url = \"DATABASE_URL\"\n";

    #[test]
    fn a_new_table_is_appended_and_the_rest_kept_byte_for_byte() {
        let existing =
            "[project]\nname = \"api\"   # the service\n\n[tool.ruff]\nline-length = 100";
        let out = with_table(existing, TABLE).expect("appended");
        assert_eq!(out, format!("{existing}\n\n{TABLE}"));
        // Again, with the table there: the same file.
        assert_eq!(with_table(&out, TABLE).expect("replaced"), out);
    }

    #[test]
    fn an_existing_table_is_replaced_where_it_stands() {
        let existing = "[project]\nname = \"api\"\n\n[tool.deploycheck]\nfail-on = \"error\"\n\n\
                        [tool.deploycheck.severity]\ndebug-enabled = \"info\"\n\n\
                        # ruff's settings\n[tool.ruff]\nline-length = 100\n";
        let out = with_table(existing, TABLE).expect("replaced");
        assert_eq!(
            out,
            format!(
                "[project]\nname = \"api\"\n\n{TABLE}\n# ruff's settings\n[tool.ruff]\nline-length = 100\n"
            )
        );
    }

    #[test]
    fn comments_between_its_own_tables_go_with_it() {
        let table = "[tool.deploycheck]\n# found\n\n# what roles are\n[tool.deploycheck.roles]\n\
                     debug = \"DEBUG\"\n\n# [tool.deploycheck.database]\n# driver = \"asyncpg\"\n";
        let existing = "[project]\nname = \"api\"\n";
        let once = with_table(existing, table).expect("appended");
        assert_eq!(with_table(&once, table).expect("replaced"), once);
        let later = format!("{once}\n# ruff\n[tool.ruff]\nline-length = 100\n");
        assert_eq!(with_table(&later, table).expect("replaced"), later);
    }

    #[test]
    fn dotted_keys_are_refused_not_guessed() {
        let existing = "[tool]\ndeploycheck.fail-on = \"error\"\n";
        assert!(with_table(existing, TABLE).is_err());
        let existing = "tool = { deploycheck = { fail-on = \"error\" } }\n";
        assert!(with_table(existing, TABLE).is_err());
    }

    #[test]
    fn crlf_files_get_crlf_lines() {
        let existing = "[project]\r\nname = \"api\"\r\n";
        let out = with_table(existing, TABLE).expect("appended");
        assert!(out.starts_with(existing));
        assert!(!out.replace("\r\n", "").contains('\n'));
    }
}
