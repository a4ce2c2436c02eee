//! Deployment manifests: the files that say how the application is built and started
//! (`Dockerfile`, Railway's config as code in `railway.toml`/`railway.json`, a `Procfile`), read
//! with spans like the .env inputs, so that a finding about a start command or a healthcheck
//! points at the line that wrote it.
//!
//! Each reader turns a text into a model of its own ([`dockerfile`], [`railway_config`],
//! [`procfile`]); [`command`] understands the start commands they hold (which server, which
//! host and port it binds, `--reload`, workers, migrations). The checks that pair them with the
//! environment they run in are the engine's (`engine::deployment`).

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

/// The spans of values a deployment file gives a secret's name: a Dockerfile's
/// `ENV SECRET_KEY=...` and `ARG API_TOKEN=...`, Railway's `registryCredentials`.
pub fn secret_value_spans(manifest: &Manifest, is_secret: &dyn Fn(&str) -> bool) -> Vec<Span> {
    let mut spans = Vec::new();
    // Railway's `registryCredentials` holds a registry password: the whole table is masked.
    if let Manifest::Railway(config) = manifest {
        let deploys = std::iter::once(&config.deploy).chain(
            config
                .environments
                .iter()
                .map(|(_, overrides)| &overrides.deploy),
        );
        spans.extend(
            deploys.filter_map(|deploy| Some(deploy.registry_credentials.as_ref()?.span.clone())),
        );
    }
    if let Manifest::Dockerfile(file) = manifest {
        let args = file
            .global_args
            .iter()
            .chain(file.stages.iter().flat_map(|stage| {
                stage
                    .instructions
                    .iter()
                    .flat_map(|instruction| match &instruction.body {
                        dockerfile::Body::Arg(args) => args.as_slice(),
                        _ => &[],
                    })
            }));
        for arg in args {
            if let Some(default) = arg.default.as_ref().filter(|_| is_secret(&arg.name.text)) {
                spans.push(default.span.clone());
            }
        }
        for stage in &file.stages {
            for instruction in &stage.instructions {
                if let dockerfile::Body::Env(pairs) = &instruction.body {
                    for (name, value) in pairs {
                        if is_secret(&name.text) {
                            spans.push(value.span.clone());
                        }
                    }
                }
            }
        }
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
