//! `Procfile`: the process types of an application (`web: gunicorn app:app`), read with spans.
//!
//! Railway runs one process of a Procfile as the start command, when the config does not set
//! one: Railpack takes `web`, else `worker`, else any other (`railwayapp/railpack` at
//! `b5e80580`, `core/providers/procfile/procfile.go`, docs `config/procfile.mdx`); Nixpacks takes
//! `web`, else `worker`, else the first name in alphabetical order, never `release`, which it
//! runs after the build instead (`railwayapp/nixpacks` at `f51d7fd5`,
//! `src/providers/procfile.rs`, docs `configuration/procfile.md`). [`Procfile::railway_start`]
//! follows Nixpacks' order, which is deterministic (Railpack's "any other" is a Go map
//! iteration, in no fixed order).
//!
//! The line grammar is Heroku's, as foreman documents it: "A valid Procfile entry is captured
//! by this regex: `/^([A-Za-z0-9_]+):\s*(.+)$/`. All other lines are ignored."
//! (`ddollar/foreman`, `lib/foreman/procfile.rb`; honcho's `PROCFILE_LINE` in
//! `honcho/environ.py` is the same, and later versions of both allow `-` in a name, as here).
//! Both read `\r\n` as a line break. honcho rejects a name written twice ("process names must
//! be unique within a Procfile"), foreman's lookup takes the first.
//!
//! Railpack and Nixpacks do not use that grammar: they read the Procfile as YAML into a map of
//! strings (`App.ReadYAML` with `gopkg.in/yaml.v2`; `app.read_yaml` with serde_yaml). Where the
//! two readings part, this reader reports it, since the file may work under `foreman start` and
//! not on Railway:
//! - a line that is not `name: command` is skipped by Heroku's tools; YAML continues the
//!   command above with an indented line, and fails on others ([`ProblemKind::Syntax`]);
//! - `: ` inside a command (`web: echo a: b`) is a YAML error: the build fails
//!   ([`ProblemKind::InvalidValue`], at the `:`; quoting the command avoids it);
//! - ` #` ends a YAML value (a comment), as it ends a command in `sh`: the command is read up to
//!   it;
//! - a name written twice ([`ProblemKind::Duplicate`]); [`Procfile::get`] takes the first.
//!
//! A line whose first non-blank character is `#` is a comment; blank lines are skipped.

use super::Text;
use super::railway_config::{Problem, ProblemKind};
use crate::source::Span;

/// A Procfile as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Procfile {
    /// In file order (a name written twice: both).
    pub processes: Vec<Process>,
    /// In file order.
    pub problems: Vec<Problem>,
}

/// One `name: command` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    pub name: Text,
    /// Without the blanks around it, nor a trailing ` # comment`.
    pub command: Text,
    /// The line, without its line break.
    pub span: Span,
}

impl Procfile {
    /// The first process of that name.
    pub fn get(&self, name: &str) -> Option<&Process> {
        self.processes
            .iter()
            .find(|process| process.name.text == name)
    }

    /// The `web` process: the one that receives HTTP traffic.
    pub fn web(&self) -> Option<&Process> {
        self.get("web")
    }

    /// The process Railway starts when no start command is set: `web`, else `worker`, else the
    /// first name in alphabetical order other than `release` (Nixpacks' order).
    pub fn railway_start(&self) -> Option<&Process> {
        self.web().or_else(|| self.get("worker")).or_else(|| {
            self.processes
                .iter()
                .filter(|process| process.name.text != "release")
                .min_by(|a, b| a.name.text.cmp(&b.name.text))
        })
    }
}

/// Read a Procfile. Never fails: a line that is not a process is a [`Problem`].
pub fn parse(text: &str) -> Procfile {
    let mut procfile = Procfile::default();
    let mut offset = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut seen = std::collections::HashSet::new();
    while offset < text.len() {
        let line_end = text[offset..]
            .find('\n')
            .map_or(text.len(), |index| offset + index);
        let next = (line_end + 1).min(text.len());
        let mut end = line_end;
        if text[offset..end].ends_with('\r') {
            end -= 1;
        }
        if let Some(process) = read_line(text, offset..end, &mut procfile.problems) {
            if !seen.insert(process.name.text.clone()) {
                procfile.problems.push(Problem {
                    span: process.name.span.clone(),
                    kind: ProblemKind::Duplicate,
                    message: format!(
                        "the process `{}` is written twice: Heroku-style tools disagree on \
                         which one runs, and YAML readers (Railway's builders) may reject it",
                        process.name.text
                    ),
                    suggestion: None,
                });
            }
            procfile.processes.push(process);
        }
        offset = next;
    }
    procfile
        .problems
        .sort_by_key(|problem| (problem.span.start, problem.span.end));
    procfile
}

fn is_blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t')
}

fn read_line(text: &str, line: Span, problems: &mut Vec<Problem>) -> Option<Process> {
    let bytes = text.as_bytes();
    let content = &text[line.clone()];
    let trimmed = content.trim_start_matches([' ', '\t']);
    if trimmed.trim_end().is_empty() || trimmed.starts_with('#') {
        return None;
    }
    let syntax = |message: &str| Problem {
        span: line.clone(),
        kind: ProblemKind::Syntax,
        message: message.to_owned(),
        suggestion: None,
    };
    if trimmed.len() != content.len() {
        problems.push(syntax(
            "an indented line is not a process: Heroku's tools skip it, and Railway's builders \
             (which read the Procfile as YAML) join it to the command above or fail",
        ));
        return None;
    }
    let name_length = content
        .bytes()
        .take_while(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-'))
        .count();
    if name_length == 0 || bytes.get(line.start + name_length) != Some(&b':') {
        problems.push(syntax(
            "not a `name: command` line (a process name is letters, digits, `_` and `-`, then \
             `:`); Heroku's tools skip it",
        ));
        return None;
    }
    let name_span = line.start..line.start + name_length;
    let mut start = name_span.end + 1;
    while start < line.end && is_blank(bytes[start]) {
        start += 1;
    }
    // YAML ends a plain value at ` #`; so does `sh`, outside quotes.
    let quoted = matches!(bytes.get(start), Some(b'"' | b'\''));
    let mut end = line.end;
    if !quoted && bytes.get(start) == Some(&b'#') {
        // `web: # x`: the whole value is a comment.
        end = start;
    } else if !quoted
        && let Some(comment) = text[start..line.end]
            .find(" #")
            .or_else(|| text[start..line.end].find("\t#"))
    {
        end = start + comment;
    }
    while end > start && is_blank(bytes[end - 1]) {
        end -= 1;
    }
    if start == end {
        problems.push(Problem {
            span: line.clone(),
            kind: ProblemKind::Syntax,
            message: format!("the process `{}` has no command", &text[name_span.clone()]),
            suggestion: None,
        });
        return None;
    }
    if !quoted {
        let command = &text[start..end];
        let colon = command
            .find(": ")
            .or_else(|| command.find(":\t"))
            .or_else(|| command.ends_with(':').then(|| command.len() - 1));
        if let Some(colon) = colon {
            problems.push(Problem {
                span: start + colon..start + colon + 1,
                kind: ProblemKind::InvalidValue,
                message: "`: ` in a command is a YAML error for Railway's builders, which read \
                          the Procfile as YAML; quote the command"
                    .to_owned(),
                suggestion: None,
            });
        }
    }
    Some(Process {
        name: Text::verbatim(&text[name_span.clone()], name_span),
        command: Text::verbatim(&text[start..end], start..end),
        span: line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn processes(procfile: &Procfile) -> Vec<(&str, &str)> {
        procfile
            .processes
            .iter()
            .map(|process| (process.name.text.as_str(), process.command.text.as_str()))
            .collect()
    }

    fn kinds(procfile: &Procfile) -> Vec<ProblemKind> {
        procfile
            .problems
            .iter()
            .map(|problem| problem.kind)
            .collect()
    }

    #[test]
    fn lines_are_read_as_foreman_reads_them() {
        for (text, expected, problems) in [
            (
                "web: gunicorn app:app --bind 0.0.0.0:$PORT\nworker: celery -A app worker\n",
                vec![
                    ("web", "gunicorn app:app --bind 0.0.0.0:$PORT"),
                    ("worker", "celery -A app worker"),
                ],
                vec![],
            ),
            (
                "\u{feff}# comment\r\n\r\nweb:uvicorn main:app   \r\n  # indented comment\n",
                vec![("web", "uvicorn main:app")],
                vec![],
            ),
            (
                "release: alembic upgrade head # migrate\nweb: x",
                vec![("release", "alembic upgrade head"), ("web", "x")],
                vec![],
            ),
            (
                "web: \"quoted # kept\"\n",
                vec![("web", "\"quoted # kept\"")],
                vec![],
            ),
            (
                "my app: x\nweb.1: y\njust a line\n: x\n",
                vec![],
                vec![ProblemKind::Syntax; 4],
            ),
            (
                "web:\nweb:   \nweb: # x\n",
                vec![],
                vec![ProblemKind::Syntax; 3],
            ),
            (
                "web: gunicorn app\n  --workers 2\n",
                vec![("web", "gunicorn app")],
                vec![ProblemKind::Syntax],
            ),
            (
                "web: echo a: b\n",
                vec![("web", "echo a: b")],
                vec![ProblemKind::InvalidValue],
            ),
            (
                "web: a\nweb: b\n",
                vec![("web", "a"), ("web", "b")],
                vec![ProblemKind::Duplicate],
            ),
            ("", vec![], vec![]),
        ] {
            let procfile = parse(text);
            assert_eq!(processes(&procfile), expected, "{text:?}");
            assert_eq!(kinds(&procfile), problems, "{text:?}");
            for process in &procfile.processes {
                assert_eq!(&text[process.command.span.clone()], process.command.text);
                assert_eq!(&text[process.name.span.clone()], process.name.text);
            }
        }
    }

    #[test]
    fn problems_point_at_what_is_wrong() {
        let text = "web: echo a: b\nweb: c\n";
        let procfile = parse(text);
        let spans: Vec<&str> = procfile
            .problems
            .iter()
            .map(|problem| &text[problem.span.clone()])
            .collect();
        assert_eq!(spans, [":", "web"]);
        assert_eq!(
            procfile.web().map(|web| web.command.text.as_str()),
            Some("echo a: b")
        );
    }

    #[test]
    fn railway_starts_web_then_worker_then_the_first_name() {
        for (text, expected) in [
            ("worker: w\nweb: x\n", Some("web")),
            ("release: r\nworker: w\n", Some("worker")),
            ("release: r\nzeta: z\nalpha: a\n", Some("alpha")),
            ("release: r\n", None),
            ("", None),
        ] {
            let procfile = parse(text);
            assert_eq!(
                procfile
                    .railway_start()
                    .map(|process| process.name.text.as_str()),
                expected,
                "{text}"
            );
        }
    }
}
