//! What a Dockerfile's base image ships (curl, wget, a shell, Python), and which of curl and
//! wget a `RUN` installs: the two halves of `dockerfile-healthcheck-tool-missing`.
//!
//! A `HEALTHCHECK CMD curl -f http://localhost:8000/health` on `python:3.12-slim` fails on
//! every run: the slim images purge the wget they build with and never had curl
//! (`python 3.12/slim-bookworm/Dockerfile`: `apt-mark auto '.*'` then `apt-get purge -y
//! --auto-remove`). The container is marked unhealthy and restarted though the application is
//! fine. No Docker engine is asked: the answers come from `base-images.toml`, where each row
//! cites the upstream Dockerfile (docker-library/python and buildpack-deps, nodejs/docker-node,
//! distroless, Chainguard's apko configs, uv's and tiangolo's images) it was read from. An
//! image the table does not name gives `None`, and so no finding.
//!
//! A reference is matched as Docker resolves it: `docker.io/`, `index.docker.io/` and
//! `library/` are dropped (`docker.io/library/python` is `python`), a digest (`@sha256:...`)
//! is ignored (it pins the bytes of a tag, not another kind of image), and a missing tag is
//! `latest`. ARG references (`python:${PYTHON_VERSION}-slim`) are resolved from the ARG values
//! the caller passes (`$X`, `${X}`, `${X:-default}`, `${X-default}`); what stays unresolved
//! matches any text, and a row that would match only because of that (a catch-all tag `*`),
//! or an unresolved repository name, gives `None` rather than a guess.
//!
//! [`installed_tools`] reads a `RUN` text (continuations already joined) as shell commands
//! split at `&&`, `||`, `;`, `|`, `&` and newlines, and looks for package-manager installs
//! (`apt-get`/`apt`/`aptitude install`, `apk add`, `dnf`/`microdnf`/`yum`/`tdnf install`,
//! `zypper install`). `pip install` installs Python packages, never the binaries. A package
//! list it cannot read (`$PACKAGES`, `$(cat packages.txt)`) counts as installing both tools:
//! an unknown install must not produce a finding.

use std::sync::OnceLock;

use serde::Deserialize;

/// The longest reference read; a longer one is no image name this table knows.
const MAX_REFERENCE_LEN: usize = 512;

/// Stands for text an unresolved ARG reference would put in a reference.
const UNRESOLVED: char = '\u{1}';

/// A healthcheck tool that a package manager can install.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tool {
    Curl,
    Wget,
}

impl Tool {
    pub fn as_str(self) -> &'static str {
        match self {
            Tool::Curl => "curl",
            Tool::Wget => "wget",
        }
    }
}

/// What a base image has on its PATH.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tools {
    pub curl: bool,
    /// GNU wget or busybox's `wget` applet.
    pub wget: bool,
    /// `/bin/sh`, which `HEALTHCHECK CMD <shell form>` runs through.
    pub shell: bool,
    /// A Python interpreter (`python3`).
    pub python: bool,
}

impl Tools {
    pub fn has(&self, tool: Tool) -> bool {
        match tool {
            Tool::Curl => self.curl,
            Tool::Wget => self.wget,
        }
    }
}

/// One row of `base-images.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    name: String,
    tag: String,
    /// `None`: the table does not answer for these images.
    tools: Option<Vec<String>>,
    #[allow(dead_code, reason = "documentation of the row, checked by a test")]
    source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    image: Vec<Row>,
}

const BASE_IMAGES: &str = include_str!("base-images.toml");

fn table() -> &'static [Row] {
    static TABLE: OnceLock<Vec<Row>> = OnceLock::new();
    // A broken built-in table answers nothing (a test parses it, so it never ships broken).
    TABLE.get_or_init(|| {
        toml::from_str::<Table>(BASE_IMAGES)
            .map(|table| table.image)
            .unwrap_or_default()
    })
}

/// What the image `reference` (as written after `FROM`) ships, with `args` the ARG values
/// known at that point (name, value). `None` when the table does not know the image.
pub fn shipped_tools(reference: &str, args: &[(&str, &str)]) -> Option<Tools> {
    if reference.len() > MAX_REFERENCE_LEN {
        return None;
    }
    let (name, tag) = normalized(&substitute(reference, args));
    if name.contains(UNRESOLVED) {
        return None;
    }
    let row = table()
        .iter()
        .find(|row| glob(&row.name, &name) && glob(&row.tag, &tag))?;
    if row.tag == "*" && tag.contains(UNRESOLVED) {
        return None;
    }
    let listed = row.tools.as_ref()?;
    let has = |tool: &str| listed.iter().any(|listed| listed == tool);
    Some(Tools {
        curl: has("curl"),
        wget: has("wget"),
        shell: has("shell"),
        python: has("python"),
    })
}

/// The repository name (lowercase, without Docker Hub's prefixes) and the tag.
fn normalized(reference: &str) -> (String, String) {
    let reference = reference.trim();
    let reference = reference.split('@').next().unwrap_or(reference);
    let last_slash = reference.rfind('/').map_or(0, |at| at + 1);
    let (name, tag) = match reference[last_slash..].find(':') {
        Some(colon) => (
            &reference[..last_slash + colon],
            &reference[last_slash + colon + 1..],
        ),
        None => (reference, "latest"),
    };
    let mut name = name.to_ascii_lowercase();
    for prefix in [
        "docker.io/",
        "index.docker.io/",
        "registry-1.docker.io/",
        "library/",
    ] {
        if let Some(rest) = name.strip_prefix(prefix) {
            name = rest.to_owned();
        }
    }
    (name, tag.to_ascii_lowercase())
}

/// `reference` with its ARG references replaced by their values, or by [`UNRESOLVED`].
fn substitute(reference: &str, args: &[(&str, &str)]) -> String {
    let value = |name: &str| {
        args.iter()
            .rev()
            .find(|(arg, _)| *arg == name)
            .map(|(_, value)| *value)
    };
    let mut out = String::with_capacity(reference.len());
    let mut rest = reference;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(braced) = after.strip_prefix('{') {
            let Some(close) = braced.find('}') else {
                out.push(UNRESOLVED);
                return out;
            };
            let inner = &braced[..close];
            let name_end = inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len());
            let (name, modifier) = inner.split_at(name_end);
            let set = value(name);
            let replaced = match modifier {
                "" => set,
                _ if modifier.starts_with(":-") => {
                    Some(set.filter(|v| !v.is_empty()).unwrap_or(&modifier[2..]))
                }
                _ if modifier.starts_with('-') => Some(set.unwrap_or(&modifier[1..])),
                // `:+`, `+` and anything else: not resolved here.
                _other => None,
            };
            match replaced {
                Some(replaced) => out.push_str(replaced),
                None => out.push(UNRESOLVED),
            }
            rest = &braced[close + 1..];
        } else {
            let name_end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            match value(&after[..name_end]) {
                Some(replaced) if name_end > 0 => out.push_str(replaced),
                _unresolved => out.push(UNRESOLVED),
            }
            rest = &after[name_end..];
        }
    }
    out.push_str(rest);
    out
}

/// Whether `text` matches `pattern`, where `*` matches any text: the usual linear-backtracking
/// wildcard match (each `*` resumes at most once per text position).
fn glob(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&byte| byte == b'*')
}

/// Which of curl and wget the shell text of a `RUN` installs with a system package manager,
/// sorted and without repeats.
pub fn installed_tools(run: &str) -> Vec<Tool> {
    let mut installed = Vec::new();
    for command in commands(run) {
        let words: Vec<&str> = command.iter().map(String::as_str).collect();
        for package in installed_packages(&words) {
            match tool_of(package) {
                Some(tool) => installed.push(tool),
                None if package.contains('$') || package.contains('`') => {
                    installed.extend([Tool::Curl, Tool::Wget])
                }
                None => {}
            }
        }
    }
    installed.sort();
    installed.dedup();
    installed
}

/// The tool a package name (with a version pin or not) provides.
fn tool_of(package: &str) -> Option<Tool> {
    let name = package
        .split(['=', '~', '<', '>', ':'])
        .next()
        .unwrap_or(package);
    // dnf and yum take `name-version`: `curl-7.76.1`.
    let name = match name.find("-") {
        Some(dash) if name[dash + 1..].starts_with(|c: char| c.is_ascii_digit()) => &name[..dash],
        _no_version => name,
    };
    match name {
        // Fedora and RHEL ship the curl binary in `curl-minimal` too.
        "curl" | "curl-minimal" => Some(Tool::Curl),
        "wget" | "wget2" => Some(Tool::Wget),
        _other => None,
    }
}

/// The packages one command installs, if it is a package-manager install.
fn installed_packages<'w>(words: &[&'w str]) -> Vec<&'w str> {
    let mut words = words
        .iter()
        .copied()
        .skip_while(|word| is_assignment(word) || matches!(*word, "sudo" | "env" | "exec"));
    let Some(manager) = words.next() else {
        return Vec::new();
    };
    let manager = manager.rsplit('/').next().unwrap_or(manager);
    let (subcommands, valued): (&[&str], &[&str]) = match manager {
        "apt-get" | "apt" | "aptitude" => (
            &["install"],
            &["-o", "-t", "--target-release", "-c", "--config-file"],
        ),
        "apk" => (
            &["add"],
            &["-t", "--virtual", "-X", "--repository", "-p", "--root"],
        ),
        "dnf" | "microdnf" | "yum" | "tdnf" => (
            &["install"],
            &[
                "--setopt",
                "--repo",
                "--enablerepo",
                "--disablerepo",
                "--releasever",
                "--installroot",
            ],
        ),
        "zypper" => (&["install", "in"], &["-r", "--repo", "--from"]),
        _not_a_manager => return Vec::new(),
    };
    let mut packages = Vec::new();
    let mut installing = false;
    let mut skip_value = false;
    for word in words {
        if skip_value {
            skip_value = false;
        } else if word.starts_with('-') {
            skip_value = valued.contains(&word);
        } else if installing {
            packages.push(word);
        } else if subcommands.contains(&word) {
            installing = true;
        } else {
            // Another subcommand (`update`, `remove`, `del`): nothing installed.
            return Vec::new();
        }
    }
    packages
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Shell text as commands of words: quotes removed, split at control operators. Enough for
/// install commands; not a shell.
fn commands(text: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(open) = quote {
            if c == open {
                quote = None;
            } else if c == '\\' && open == '"' {
                if let Some(next) = chars.next() {
                    word.push(next);
                }
            } else {
                word.push(c);
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                in_word = true;
            }
            '\\' => {
                if let Some(next) = chars.next().filter(|next| *next != '\n') {
                    word.push(next);
                    in_word = true;
                }
            }
            ' ' | '\t' | '\r' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '&' | '|' | ';' | '\n' | '(' | ')' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                if !words.is_empty() {
                    commands.push(std::mem::take(&mut words));
                }
            }
            _other => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    if !words.is_empty() {
        commands.push(words);
    }
    commands
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Tools = Tools {
        curl: false,
        wget: false,
        shell: false,
        python: false,
    };
    const FULL_PYTHON: Tools = Tools {
        curl: true,
        wget: true,
        shell: true,
        python: true,
    };
    const SLIM_PYTHON: Tools = Tools {
        shell: true,
        python: true,
        ..NONE
    };
    const ALPINE_PYTHON: Tools = Tools {
        wget: true,
        shell: true,
        python: true,
        ..NONE
    };

    #[test]
    fn the_table_parses_and_every_row_cites_its_source() {
        let rows = table();
        assert!(rows.len() > 20);
        for row in rows {
            assert!(!row.source.trim().is_empty(), "{row:?}");
            for tool in row.tools.iter().flatten() {
                assert!(
                    ["curl", "wget", "shell", "python"].contains(&tool.as_str()),
                    "{row:?}"
                );
            }
        }
    }

    #[test]
    fn shipped_tools_of_base_images() {
        let cases: &[(&str, Option<Tools>)] = &[
            ("python:3.12-slim", Some(SLIM_PYTHON)),
            ("python:3.12-slim-bookworm", Some(SLIM_PYTHON)),
            ("python:3.13-slim-trixie", Some(SLIM_PYTHON)),
            ("python:3.11-alpine", Some(ALPINE_PYTHON)),
            ("python:3.12-alpine3.23", Some(ALPINE_PYTHON)),
            ("python:3.12", Some(FULL_PYTHON)),
            ("python:3.12-bookworm", Some(FULL_PYTHON)),
            ("python", Some(FULL_PYTHON)),
            ("docker.io/library/python:3.12-slim", Some(SLIM_PYTHON)),
            ("library/python:3.12-slim", Some(SLIM_PYTHON)),
            ("python:3.12-slim@sha256:abcdef", Some(SLIM_PYTHON)),
            ("python@sha256:abcdef", Some(FULL_PYTHON)),
            ("PYTHON:3.12-SLIM", Some(SLIM_PYTHON)),
            ("python:3.13-windowsservercore-ltsc2022", None),
            (
                "gcr.io/distroless/python3-debian12",
                Some(Tools {
                    python: true,
                    ..NONE
                }),
            ),
            (
                "gcr.io/distroless/python3-debian13:nonroot",
                Some(Tools {
                    python: true,
                    ..NONE
                }),
            ),
            (
                "gcr.io/distroless/python3-debian12:debug",
                Some(ALPINE_PYTHON),
            ),
            (
                "cgr.dev/chainguard/python:latest",
                Some(Tools {
                    python: true,
                    ..NONE
                }),
            ),
            ("cgr.dev/chainguard/python:latest-dev", Some(ALPINE_PYTHON)),
            (
                "ghcr.io/astral-sh/uv:python3.12-bookworm-slim",
                Some(SLIM_PYTHON),
            ),
            (
                "ghcr.io/astral-sh/uv:0.6.16-python3.12-alpine",
                Some(ALPINE_PYTHON),
            ),
            (
                "ghcr.io/astral-sh/uv:python3.12-bookworm",
                Some(FULL_PYTHON),
            ),
            (
                "ghcr.io/astral-sh/uv:debian-slim",
                Some(Tools {
                    shell: true,
                    ..NONE
                }),
            ),
            ("ghcr.io/astral-sh/uv:debian", Some(FULL_PYTHON)),
            ("ghcr.io/astral-sh/uv:0.6", Some(NONE)),
            ("ghcr.io/astral-sh/uv:latest", Some(NONE)),
            (
                "debian:bookworm-slim",
                Some(Tools {
                    shell: true,
                    ..NONE
                }),
            ),
            (
                "ubuntu:24.04",
                Some(Tools {
                    shell: true,
                    ..NONE
                }),
            ),
            (
                "alpine:3.20",
                Some(Tools {
                    wget: true,
                    shell: true,
                    ..NONE
                }),
            ),
            (
                "node:22-alpine",
                Some(Tools {
                    wget: true,
                    shell: true,
                    ..NONE
                }),
            ),
            (
                "node:22-bookworm-slim",
                Some(Tools {
                    shell: true,
                    ..NONE
                }),
            ),
            ("node:22", Some(FULL_PYTHON)),
            (
                "tiangolo/uvicorn-gunicorn-fastapi:python3.11",
                Some(FULL_PYTHON),
            ),
            (
                "tiangolo/uvicorn-gunicorn-fastapi:python3.11-slim",
                Some(SLIM_PYTHON),
            ),
            ("myregistry.example/python:3.12-slim", None),
            ("mycompany/base:1", None),
            ("", None),
        ];
        for (reference, expected) in cases {
            assert_eq!(shipped_tools(reference, &[]), *expected, "{reference}");
        }
    }

    #[test]
    fn arg_references_resolve_or_match_what_is_left() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], Option<Tools>);
        let cases: &[Case] = &[
            ("python:${PYTHON_VERSION}-slim", &[], Some(SLIM_PYTHON)),
            (
                "python:${PYTHON_VERSION}-slim",
                &[("PYTHON_VERSION", "3.12")],
                Some(SLIM_PYTHON),
            ),
            ("python:$V-alpine", &[], Some(ALPINE_PYTHON)),
            ("python:${TAG}", &[("TAG", "3.12-slim")], Some(SLIM_PYTHON)),
            ("python:${TAG:-3.12-alpine}", &[], Some(ALPINE_PYTHON)),
            (
                "python:${TAG:-3.12-alpine}",
                &[("TAG", "")],
                Some(ALPINE_PYTHON),
            ),
            (
                "python:${TAG-3.12-alpine}",
                &[("TAG", "3.12-slim")],
                Some(SLIM_PYTHON),
            ),
            // Nothing but the unresolved part decides: no guess.
            ("python:${TAG}", &[], None),
            ("python:3.12-${VARIANT}", &[], None),
            ("${BASE_IMAGE}", &[], None),
            ("${REGISTRY}/python:3.12-slim", &[], None),
            (
                "${REGISTRY}python:3.12-slim",
                &[("REGISTRY", "docker.io/")],
                Some(SLIM_PYTHON),
            ),
            ("python:${UNTERMINATED", &[], None),
            // Odd text gives no answer and no panic.
            ("$", &[], None),
            ("${", &[], None),
            ("${}", &[], None),
            (":", &[], None),
            ("@", &[], None),
            ("/:é", &[], None),
            ("python:é${X:+y}", &[], None),
        ];
        for (reference, args, expected) in cases {
            assert_eq!(
                shipped_tools(reference, args),
                *expected,
                "{reference} {args:?}"
            );
        }
    }

    #[test]
    fn glob_matches() {
        let cases = [
            ("*", "", true),
            ("*slim*", "3.12-slim-bookworm", true),
            ("*python*alpine*", "0.6-python3.12-alpine", true),
            ("*python*alpine*", "alpine-python", false),
            ("python", "python3", false),
            (
                "gcr.io/distroless/python3*",
                "gcr.io/distroless/python3-debian12",
                true,
            ),
            ("a*b*c", &"ab".repeat(200), false),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(glob(pattern, text), expected, "{pattern} {text}");
        }
    }

    #[test]
    fn tools_that_run_commands_install() {
        use Tool::{Curl, Wget};
        let cases: &[(&str, &[Tool])] = &[
            (
                "apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
                &[Curl],
            ),
            (
                "apt-get update; apt-get install -y curl wget",
                &[Curl, Wget],
            ),
            ("apt install -y wget", &[Wget]),
            (
                "DEBIAN_FRONTEND=noninteractive apt-get -y install curl=7.88.1-10",
                &[Curl],
            ),
            (
                "sudo apt-get -o Dpkg::Options::=--force-confold install -y curl",
                &[Curl],
            ),
            (
                "set -eux; apt-get update; apt-get install -y --no-install-recommends ca-certificates curl ; rm -rf /var/lib/apt/lists/*",
                &[Curl],
            ),
            ("apk add --no-cache curl", &[Curl]),
            (
                "apk add --no-cache --virtual .deps gcc && apk add wget",
                &[Wget],
            ),
            ("apk --no-cache add 'curl>8'", &[Curl]),
            ("microdnf install -y curl-minimal", &[Curl]),
            ("dnf install -y curl-7.76.1", &[Curl]),
            ("yum -y install wget && yum clean all", &[Wget]),
            ("zypper in -y curl", &[Curl]),
            ("/usr/bin/apt-get install -y curl", &[Curl]),
            // Not installs of the binaries.
            ("pip install httpx requests", &[]),
            ("uv pip install --system curl-cffi", &[]),
            ("apt-get install -y libcurl4-openssl-dev", &[]),
            ("apt-get remove -y curl", &[]),
            ("apt-get update", &[]),
            ("echo apt-get install curl", &[]),
            ("curl -fsSL https://example.com/x.sh | sh", &[]),
            ("apk add --virtual curl gcc", &[]),
            // A package list that cannot be read may install anything.
            ("apt-get install -y $PACKAGES", &[Curl, Wget]),
            ("apt-get install -y $(cat packages.txt)", &[Curl, Wget]),
            ("", &[]),
        ];
        for (run, expected) in cases {
            assert_eq!(installed_tools(run), expected.to_vec(), "{run}");
        }
    }
}
