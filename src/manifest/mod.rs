//! Deployment manifests: the files that say how the application is built and started
//! (`Dockerfile`, Railway's config as code in `railway.toml`/`railway.json`, a `Procfile`), read
//! with spans like the .env inputs, so that a finding about a start command or a healthcheck
//! points at the line that wrote it.
//!
//! Each reader turns a text into a model of its own ([`dockerfile`], [`railway_config`],
//! [`procfile`]); [`command`] understands the start commands they hold (which server, which
//! host and port it binds, `--reload`, workers, migrations). The checks that pair them with the
//! environment they run in are the engine's (`engine::deployment`).

pub mod alembic;
pub mod command;
pub mod dependencies;
pub mod dockerfile;
pub mod images;
pub mod procfile;
pub mod python;
pub mod railway_config;

use std::ops::Range;

use crate::cli::InputFormatArg;
use crate::engine::deployment::Manifest;
use crate::source::Span;

/// A kind of deployment file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dockerfile,
    RailwayToml,
    RailwayJson,
    Procfile,
}

impl Kind {
    /// The kind a file's name says: `Dockerfile`, `Dockerfile.prod`, `api.Dockerfile` (the names
    /// `docker build` and Railway's `dockerfilePath` conventions use), `railway.toml`,
    /// `railway.json`, `Procfile`.
    pub fn of_name(path: &str) -> Option<Kind> {
        let name = path
            .rsplit(['/', std::path::MAIN_SEPARATOR])
            .next()
            .unwrap_or(path);
        let dockerfile = name.eq_ignore_ascii_case("dockerfile")
            || name
                .get(..11)
                .is_some_and(|start| start.eq_ignore_ascii_case("dockerfile."))
                && name.len() > 11
            || name.len() > 11
                && name
                    .get(name.len() - 11..)
                    .is_some_and(|end| end.eq_ignore_ascii_case(".dockerfile"));
        match name {
            _ if dockerfile => Some(Kind::Dockerfile),
            "railway.toml" => Some(Kind::RailwayToml),
            "railway.json" => Some(Kind::RailwayJson),
            "Procfile" => Some(Kind::Procfile),
            _ => None,
        }
    }

    /// The kind `--input-format` names for every input, else the one the name says; `None` for a
    /// configuration (.env, Railway variables).
    pub fn of_format(format: InputFormatArg, path: &str) -> Option<Kind> {
        match format {
            InputFormatArg::Auto => Kind::of_name(path),
            InputFormatArg::Dockerfile => Some(Kind::Dockerfile),
            InputFormatArg::RailwayConfig if path.ends_with(".json") => Some(Kind::RailwayJson),
            InputFormatArg::RailwayConfig => Some(Kind::RailwayToml),
            InputFormatArg::Procfile => Some(Kind::Procfile),
            InputFormatArg::Dotenv
            | InputFormatArg::RailwayJson
            | InputFormatArg::RailwayKv
            | InputFormatArg::RailwayTable => None,
        }
    }
}

/// Is a `railway.json` Railway's config as code, rather than `railway variables --json`
/// output saved under that name? Variables are a flat object of strings; the config's values
/// are tables (`build`, `deploy`, `environments`) or its `$schema`.
pub fn is_railway_config_json(text: &str) -> bool {
    match serde_json::from_str::<serde_json::Value>(text.trim_start_matches('\u{feff}')) {
        Ok(serde_json::Value::Object(map)) => map
            .iter()
            .any(|(key, value)| key == "$schema" || value.is_object() || value.is_array()),
        // Not JSON at all: the config reader reports where it breaks, as Railway would refuse
        // it; an array or a scalar is no variables output either.
        Ok(_) | Err(_) => true,
    }
}

/// Read a deployment file of a kind.
pub fn read(kind: Kind, text: &str) -> Manifest {
    match kind {
        Kind::Dockerfile => Manifest::Dockerfile(dockerfile::parse(text)),
        Kind::RailwayToml => Manifest::Railway(Box::new(railway_config::parse(
            text,
            railway_config::ConfigFormat::Toml,
        ))),
        Kind::RailwayJson => Manifest::Railway(Box::new(railway_config::parse(
            text,
            railway_config::ConfigFormat::Json,
        ))),
        Kind::Procfile => Manifest::Procfile(procfile::parse(text)),
    }
}

/// The spans of secrets a deployment file holds, found by what they are (its readers' spans),
/// never by searching the rendered report:
/// - the value of a Dockerfile `ENV SECRET_KEY=...`, `ARG API_TOKEN=...`, and of an unknown
///   instruction `DB_PASSWORD=...` (a continuation that lost its `\`);
/// - in every command (RUN, CMD, ENTRYPOINT, HEALTHCHECK, Railway's start, pre-deploy and build
///   commands, a Procfile's processes): assignments to a secret's name (`API_TOKEN=... cmd`,
///   `env API_TOKEN=...`), `-u user:password` and `--password=...`, an `Authorization:` header;
/// - in Railway's config, `registryCredentials` whatever its form, and any string value whose
///   key is a secret's name, known field or not ([`config_secret_spans`]).
pub fn secret_value_spans(
    manifest: &Manifest,
    text: &str,
    is_secret: &dyn Fn(&str) -> bool,
) -> Vec<Span> {
    let mut spans = Vec::new();
    match manifest {
        Manifest::Railway(config) => {
            let sections = std::iter::once((&config.build, &config.deploy)).chain(
                config
                    .environments
                    .iter()
                    .map(|(_, overrides)| (&overrides.build, &overrides.deploy)),
            );
            for (build, deploy) in sections {
                spans.extend(deploy.registry_credentials.as_ref().map(|v| v.span.clone()));
                let commands = [
                    &deploy.start_command,
                    &build.build_command,
                    &deploy.cron_schedule,
                ];
                for value in commands.into_iter().flatten() {
                    let text = value
                        .text
                        .clone()
                        .unwrap_or_else(|| Text::verbatim(value.value.clone(), value.span.clone()));
                    spans.extend(command_secret_spans(&text, is_secret));
                }
                for command in deploy.pre_deploy_command.iter().flat_map(|v| &v.value) {
                    spans.extend(command_secret_spans(command, is_secret));
                }
            }
            spans.extend(config_secret_spans(text, is_secret));
        }
        Manifest::Procfile(procfile) => {
            for process in &procfile.processes {
                spans.extend(command_secret_spans(&process.command, is_secret));
            }
        }
        Manifest::Dockerfile(file) => {
            for arg in &file.global_args {
                if let Some(default) = arg.default.as_ref().filter(|_| is_secret(&arg.name.text)) {
                    spans.push(default.span.clone());
                }
            }
            for instruction in file.stages.iter().flat_map(|stage| &stage.instructions) {
                match &instruction.body {
                    dockerfile::Body::Arg(args) => {
                        for arg in args {
                            if let Some(default) =
                                arg.default.as_ref().filter(|_| is_secret(&arg.name.text))
                            {
                                spans.push(default.span.clone());
                            }
                        }
                    }
                    dockerfile::Body::Env(pairs) => {
                        for (name, value) in pairs {
                            if is_secret(&name.text) {
                                spans.push(value.span.clone());
                            }
                        }
                    }
                    dockerfile::Body::Command(command) => {
                        spans.extend(form_secret_spans(&command.form, is_secret));
                    }
                    dockerfile::Body::Healthcheck(dockerfile::Healthcheck::Check {
                        command,
                        ..
                    }) => spans.extend(form_secret_spans(&command.form, is_secret)),
                    dockerfile::Body::Healthcheck(dockerfile::Healthcheck::None(_))
                    | dockerfile::Body::Expose(_)
                    | dockerfile::Body::Files { .. }
                    | dockerfile::Body::Other(_) => {}
                }
                // An unknown instruction written `NAME=value`: its value.
                if instruction.keyword == dockerfile::Keyword::Other {
                    let word = text
                        .get(instruction.keyword_span.clone())
                        .unwrap_or_default();
                    if let Some((name, _)) = word.split_once('=') {
                        if is_secret(name) {
                            let start = instruction.keyword_span.start + name.len() + 1;
                            spans.push(start..instruction.span.end);
                        }
                    }
                }
            }
        }
    }
    spans
}

fn form_secret_spans(
    form: &dockerfile::CommandForm,
    is_secret: &dyn Fn(&str) -> bool,
) -> Vec<Span> {
    match form {
        dockerfile::CommandForm::Shell(text) => command_secret_spans(text, is_secret),
        dockerfile::CommandForm::Exec(exec_words) => {
            let words: Vec<(String, Span)> = exec_words
                .iter()
                .map(|word| (word.text.clone(), word.span.clone()))
                .collect();
            let mut spans = words_secret_spans(&words, is_secret);
            // `sh -c "..."`: the script's own words.
            for word in exec_words {
                spans.extend(command_secret_spans(word, is_secret));
            }
            spans
        }
    }
}

/// The secrets of a shell command line ([`secret_value_spans`]).
pub fn command_secret_spans(text: &Text, is_secret: &dyn Fn(&str) -> bool) -> Vec<Span> {
    command::shell_words(text)
        .iter()
        .flat_map(|words| words_secret_spans(words, is_secret))
        .collect()
}

/// The secrets among one command's words: where a word is written as it reads, the value
/// alone; else the whole word.
fn words_secret_spans(words: &[(String, Span)], is_secret: &dyn Fn(&str) -> bool) -> Vec<Span> {
    let value_span = |(word, span): &(String, Span), value_start: usize| -> Span {
        if span.len() == word.len() {
            span.start + value_start..span.end
        } else {
            span.clone()
        }
    };
    let mut spans = Vec::new();
    for (index, entry) in words.iter().enumerate() {
        let word = entry.0.as_str();
        if let Some((name, _)) = word.split_once('=') {
            let named =
                !name.is_empty() && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
            if named && is_secret(name) {
                spans.push(value_span(entry, name.len() + 1));
            }
            for option in [
                "--password",
                "--http-password",
                "--proxy-password",
                "--user",
                "--proxy-user",
            ] {
                if name == option {
                    spans.push(value_span(entry, name.len() + 1));
                }
            }
        }
        let takes_secret = matches!(
            word,
            "-u" | "--user"
                | "--proxy-user"
                | "--password"
                | "--http-password"
                | "--proxy-password"
        );
        if takes_secret {
            if let Some(next) = words.get(index + 1) {
                spans.push(next.1.clone());
            }
        }
        if let Some(at) = word.to_ascii_lowercase().find("authorization:") {
            spans.push(value_span(entry, at + "authorization:".len()));
        }
    }
    spans
}

/// String values of Railway's config whose key is a secret's name or `registryCredentials`,
/// in TOML (`KEY = "..."`) or JSON (`"KEY": "..."`), known fields or not: the spans of the
/// strings' contents. A scan of the file's syntax, for values the config reader does not keep
/// (an unknown key, a field of the wrong type).
pub fn config_secret_spans(text: &str, is_secret: &dyn Fn(&str) -> bool) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        // A key: a bare TOML key or a quoted one, then `=` or `:`, then a string.
        let key_start = index;
        let (key, after_key) = if bytes[index] == b'"' {
            match text[index + 1..].find('"') {
                Some(end) => (&text[index + 1..index + 1 + end], index + end + 2),
                None => break,
            }
        } else if bytes[index].is_ascii_alphabetic() || bytes[index] == b'_' {
            let end = text[index..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .map_or(text.len(), |end| index + end);
            (&text[index..end], end)
        } else {
            index += text[index..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let mut at = after_key;
        while at < bytes.len() && matches!(bytes[at], b' ' | b'\t') {
            at += 1;
        }
        let separated = at < bytes.len() && matches!(bytes[at], b'=' | b':');
        if separated && (key == "registryCredentials" || is_secret(key)) {
            at += 1;
            while at < bytes.len() && matches!(bytes[at], b' ' | b'\t') {
                at += 1;
            }
            if let Some(&quote @ (b'"' | b'\'')) = bytes.get(at) {
                let content = at + 1;
                let mut end = content;
                while end < bytes.len() && bytes[end] != quote && bytes[end] != b'\n' {
                    end += if bytes[end] == b'\\' { 2 } else { 1 };
                }
                let mut end = end.min(bytes.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                spans.push(content..end);
                // Past the closing quote (ASCII, so a character boundary), which must not be
                // read as the opening of a key.
                index = (end + 1).min(bytes.len()).max(key_start + 1);
                continue;
            }
        }
        index = after_key.max(key_start + 1);
    }
    spans
}

/// A piece of text read out of a manifest (a word, a command, a value), with where each of its
/// bytes was written: a Dockerfile command continued over several lines, a JSON string with
/// escapes, a word with its quotes removed is not a slice of the file, but a finding about part
/// of it must still underline the bytes the user wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    /// Where the whole text was read from.
    pub span: Span,
    /// `None` when `text` is exactly the bytes at `span`; else the offset in the file of each
    /// byte of `text`, and one more entry for its end.
    offsets: Option<Vec<usize>>,
}

impl Text {
    /// Text that is written verbatim at `span`.
    pub fn verbatim(text: impl Into<String>, span: Span) -> Self {
        let text = text.into();
        debug_assert_eq!(text.len(), span.len());
        Text {
            text,
            span,
            offsets: None,
        }
    }

    /// Text whose `i`-th byte was read from `offsets[i]`; `offsets` has `text.len() + 1`
    /// entries, the last one the file offset just past the text.
    pub fn mapped(text: impl Into<String>, offsets: Vec<usize>) -> Self {
        let text = text.into();
        debug_assert_eq!(offsets.len(), text.len() + 1);
        let start = offsets.first().copied().unwrap_or(0);
        let end = offsets.last().copied().unwrap_or(start);
        Text {
            text,
            span: start..end.max(start),
            offsets: Some(offsets),
        }
    }

    /// The span in the file of the bytes `range` of the text (clamped to the text).
    pub fn span_of(&self, range: Range<usize>) -> Span {
        let end = range.end.min(self.text.len());
        let start = range.start.min(end);
        match &self.offsets {
            None => self.span.start + start..self.span.start + end,
            Some(offsets) => {
                let from = offsets[start];
                // The end of the last byte taken, not the start of the next one: a continuation
                // between them is not part of the range.
                let to = if end > start {
                    offsets[end - 1] + 1
                } else {
                    from
                };
                from..to.max(from)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_values_in_railway_config_text_are_found_by_their_keys() {
        let is_secret = |name: &str| name.eq_ignore_ascii_case("SECRET_KEY");
        let json = r#"{"a": "x", "registryCredentials": "u:p", "v": {"SECRET_KEY": "s1"}}"#;
        let spans = config_secret_spans(json, &is_secret);
        let shown: Vec<&str> = spans.iter().map(|span| &json[span.clone()]).collect();
        assert_eq!(shown, ["u:p", "s1"]);
        let toml = "[deploy]\nSECRET_KEY = 'é\\'x'\nname = \"SECRET_KEY\"\n";
        let spans = config_secret_spans(toml, &is_secret);
        assert_eq!(spans.len(), 1);
        assert!(toml[spans[0].clone()].starts_with('é'));
    }

    #[test]
    fn spans_of_parts_map_back_to_the_file() {
        let verbatim = Text::verbatim("uvicorn app:app", 10..25);
        assert_eq!(verbatim.span_of(0..7), 10..17);
        assert_eq!(verbatim.span_of(8..100), 18..25);
        // "a \\\n b" read as "a  b": bytes 0,1 then 5,6 (continuation at 2..5).
        let mapped = Text::mapped("a  b", vec![0, 1, 5, 6, 7]);
        assert_eq!(mapped.span, 0..7);
        assert_eq!(mapped.span_of(3..4), 6..7);
        assert_eq!(mapped.span_of(0..4), 0..7);
        assert_eq!(mapped.span_of(2..2), 5..5);
    }
}
