//! Start commands: which server a command starts, what it binds, whether it reloads, how many
//! workers it runs and whether it migrates a database on the way, read the way the shell and the
//! servers themselves read it. The rules on start commands (`start-command-binds-localhost`,
//! `start-command-fixed-port`, `dockerfile-exec-form-variable`, `start-command-reload`,
//! `start-command-migrations`, the connections budget) are built on [`analyze`].
//!
//! # What each server does, from its source
//!
//! Read from the pinned releases (uvicorn 0.54.0, gunicorn 27.0.1, Hypercorn 0.18.0,
//! fastapi-cli 0.0.34, see `.ci/requirements.txt`) and checked by running them:
//! `fixtures/start-commands/recorded.json` is what the real servers bound or how they failed on
//! every case of `cases.json`, and `tests/start_commands.rs` holds [`analyze`] to it.
//!
//! - **uvicorn** (`uvicorn/main.py`): `@click.command(context_settings={"auto_envvar_prefix":
//!   "UVICORN"})`, so every option without an envvar of its own is also read from `UVICORN_<NAME>`
//!   (`UVICORN_HOST`, `UVICORN_PORT`, `UVICORN_WORKERS`, `UVICORN_RELOAD`, `UVICORN_UDS`, ...), the
//!   command line first. `--host` defaults to `"127.0.0.1"` and `--port` (`type=int`) to `8000`:
//!   a literal `$PORT` fails with `Invalid value for '--port': '$PORT' is not a valid integer.`
//!   `--workers` defaults to `None`, which `uvicorn/config.py` (`if workers is None and
//!   "WEB_CONCURRENCY" in os.environ`) replaces by `WEB_CONCURRENCY`. `--uds`/`--fd` replace the
//!   host and port. `python -m uvicorn` runs the same `main` (`uvicorn/__main__.py`).
//! - **gunicorn** (`gunicorn/config.py`): `Bind` has `action = "append"` and a default computed
//!   at import, `['0.0.0.0:{PORT}']` when `PORT` is in the environment, else
//!   `['127.0.0.1:8000']`; `Workers` defaults to `int(os.environ.get("WEB_CONCURRENCY", 1))`.
//!   `Config.get_cmd_args_from_env` splits `GUNICORN_CMD_ARGS` with `shlex.split`, and
//!   `gunicorn/app/base.py` (`load_config`) applies it before the command line, which wins.
//!   Addresses go through `gunicorn/util.py` `parse_address`: `unix:PATH`, `fd://N`,
//!   `[v6]:port`, `host:port` (split on `:`), `host` (port 8000), and `""` or `:PORT` (all
//!   interfaces); a port that `int()` refuses raises `'$PORT' is not a valid port number.`
//!   Its parser is argparse's (`Config.parser`), which takes unique prefixes of long options
//!   (`--bin` for `--bind`) and `-bVALUE`.
//! - **Hypercorn** (`hypercorn/__main__.py`, `hypercorn/config.py`): argparse again, `-b/--bind`
//!   appended, `-w/--workers`, `--reload`, `--debug`; `Config._bind = ["127.0.0.1:8000"]`;
//!   `_create_sockets` strips `[]`, splits the last `:` and on a port `int()` refuses keeps the
//!   whole text as the host with port 8000, which then fails to bind. It reads no environment
//!   variable.
//! - **fastapi-cli** (`fastapi_cli/cli.py`): `fastapi run` has `host = "0.0.0.0"`, `fastapi dev`
//!   `host = "127.0.0.1"` and `reload = True` (`--no-reload`); both have `port` with
//!   `envvar="PORT"` and default 8000, and hand `workers` (`run` only) to `uvicorn.run`, where
//!   `WEB_CONCURRENCY` applies as above; `UVICORN_*` does not (that is uvicorn's click command,
//!   which `fastapi` does not go through).
//!
//! Not modelled: configuration files (`gunicorn.conf.py` in the working directory,
//! `hypercorn --config`, a `[tool.fastapi]` table), which no command line shows; `--env-file`.
//!
//! # Shell words and their spans
//!
//! A finding must underline the bytes written, and neither `shlex` nor `shell-words` says where
//! a word came from, nor knows `&&`, `;`, `|` or `$VAR` (to them `a&&b` is one word and `$PORT`
//! literal text). So the shell form is read by a small POSIX scanner here (`scan`): quotes,
//! backslashes, comments, the operators that end a simple command, redirections, and the
//! parameter expansions `$NAME`, `${NAME}`, `${NAME:-word}` (and `-`, `=`, `:=`, `+`, `:+`, `?`,
//! `:?`), keeping the file offset of every byte. The `shlex` crate is the reference it is held
//! to: the fuzz target (`fuzz/fuzz_targets/start_command.rs`) checks that on text without
//! operators, expansions or comments both split into the same words; and `GUNICORN_CMD_ARGS`,
//! which gunicorn splits with Python's `shlex.split`, is split with it here.
//!
//! Expansion follows the environment [`analyze`] is given. `None` for a variable means not
//! known: a bare `$PORT` stays [`Port::Variable`]; `${PORT:-8000}` takes its default (the
//! variable not being set is the only way to get it), and [`Setting::variables`] still says the
//! value follows `PORT`. Field splitting and globbing are not performed: hosts and ports hold
//! neither spaces nor `*`.
//!
//! Everything is linear in the input: each byte is scanned once per level of `sh -c`, and the
//! levels are bounded (`MAX_DEPTH`), as is the text that expansions add (`budget`).

use std::collections::HashMap;
use std::ops::Range;

use crate::manifest::Text;
use crate::source::Span;

/// How a start command is written.
#[derive(Debug, Clone, Copy)]
pub enum CommandLine<'a> {
    /// Words run as they are (a Dockerfile `CMD ["uvicorn", ...]`): no shell expands `$PORT`.
    Exec(&'a [Text]),
    /// A command line `/bin/sh -c` runs (a Dockerfile shell form, Railway's `startCommand`, a
    /// Procfile line).
    Shell(&'a Text),
}

/// What a start command runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Each ASGI/WSGI server the command starts (normally one).
    pub servers: Vec<Server>,
    /// Each database migration the command runs.
    pub migrations: Vec<Migration>,
    /// Parameter references (`$PORT`, `${PORT:-8000}`, as written) in exec-form words, which no
    /// shell expands: the program receives them literally. A `sh -c "..."` script is expanded.
    pub unexpanded: Vec<(String, Span)>,
}

/// A server the command starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub program: Program,
    /// The invocation in the file (its simple command, launcher and prefixes included).
    pub span: Span,
    /// The address it binds: an IP address or host name, `unix:PATH` for a Unix socket,
    /// `fd://N` for an inherited socket. An empty gunicorn or Hypercorn host (`-b :8000`) binds
    /// every interface and reads `0.0.0.0`.
    pub host: Setting<String>,
    /// The TCP port; [`Port::Invalid`] also when there is none (a Unix socket, with its address
    /// as the text).
    pub port: Setting<Port>,
    /// Where auto-reload is switched on (`--reload`, Hypercorn's `--debug`, `fastapi dev`
    /// without `--no-reload`); for `UVICORN_RELOAD` or `GUNICORN_CMD_ARGS`, the invocation.
    pub reload: Option<Span>,
    /// The worker processes asked for; `None` when nothing asks (one worker).
    pub workers: Option<Setting<Workers>>,
    /// A configuration file is named (`-c`/`--config`): it may set what the command line does
    /// not, so a default read here may not be what the server binds.
    pub configured: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Program {
    Uvicorn,
    /// `worker_class` as given (`-k`, `--worker-class`, `GUNICORN_CMD_ARGS`); `None` is
    /// gunicorn's `sync` worker.
    Gunicorn {
        worker_class: Option<String>,
    },
    Hypercorn,
    FastapiRun,
    FastapiDev,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Port {
    Number(u16),
    /// A variable whose value is not known here (`$PORT` in a shell form); for a command
    /// substitution (`$(cat port)`), its text.
    Variable {
        name: String,
    },
    /// Text the server cannot take as a port (a literal `$PORT` in an exec form) and exits on.
    Invalid(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Workers {
    Number(u32),
    Variable { name: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
    /// The variables the value was expanded from, in order (`--port ${PORT:-8000}`: `PORT`,
    /// whatever the value). Empty for a literal, an environment variable or a default.
    pub variables: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Written on the command line: the option and its value.
    Flag(Span),
    /// Read by the server from this environment variable (`UVICORN_HOST`, `PORT`,
    /// `WEB_CONCURRENCY`, `GUNICORN_CMD_ARGS`).
    Environment(String),
    /// The server's default.
    Default,
}

/// A database migration run by the start command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub tool: MigrationTool,
    /// Its simple command in the file.
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationTool {
    /// `alembic upgrade`, `python -m alembic upgrade`.
    Alembic,
    /// `manage.py migrate`, `django-admin migrate`, `python -m django migrate`.
    Django,
    /// `flask db upgrade` (Flask-Migrate).
    FlaskMigrate,
}

/// Levels of `sh -c` followed (a script that runs itself through a variable never ends).
const MAX_DEPTH: usize = 8;

/// What a start command starts, given what its environment holds (`env` answers `None` for a
/// variable it does not know).
pub fn analyze(command: CommandLine<'_>, env: &dyn Fn(&str) -> Option<String>) -> Analysis {
    let mut analysis = Analysis::default();
    let mut run = Run {
        env,
        budget: 0,
        analysis: &mut analysis,
    };
    match command {
        CommandLine::Shell(text) => {
            run.budget = budget(text.text.len());
            run.script(text, &mut Vars::default(), 0);
        }
        CommandLine::Exec(words) => {
            run.budget = budget(words.iter().map(|word| word.text.len()).sum());
            let words: Vec<Word> = words.iter().map(Word::literal).collect();
            let script = run.command(&words, &mut Vars::default(), false, 0);
            // Only a program this analysis knows is known not to expand `$PORT` itself: a
            // wrapper it does not know (`tini --`, `dumb-init`, `doppler run --`) may run a
            // shell.
            if !run.analysis.servers.is_empty() || !run.analysis.migrations.is_empty() {
                for (index, word) in words.iter().enumerate() {
                    if Some(index) != script {
                        unexpanded_references(word, &mut run.analysis.unexpanded);
                    }
                }
            }
        }
    }
    analysis
}

/// The simple commands of a shell command line, each word with its quotes removed (expansions
/// as written) and its span: what the analysis reads, for the fuzz target to hold to `shlex`.
#[doc(hidden)]
pub fn shell_words(text: &Text) -> Vec<Vec<(String, Span)>> {
    scan(text)
        .into_iter()
        .map(|words| {
            words
                .into_iter()
                .map(|word| {
                    let mut written = String::new();
                    for piece in &word.pieces {
                        match piece {
                            Piece::Literal(mapped)
                            | Piece::Parameter {
                                written: mapped, ..
                            }
                            | Piece::Opaque(mapped) => written.push_str(&mapped.text),
                        }
                    }
                    (written, word.span)
                })
                .collect()
        })
        .collect()
}

/// How many bytes the scripts of `sh -c` levels may add up to: text that expansions put into a
/// script is scanned again by the inner shell, and a variable may hold text naming itself.
fn budget(input: usize) -> usize {
    input.saturating_mul(MAX_DEPTH).saturating_add(1 << 16)
}

// --- the shell's words ------------------------------------------------------------------------

/// A word of a command line, before expansion.
#[derive(Debug, Clone)]
struct Word {
    /// Where it is written in the file.
    span: Span,
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone)]
enum Piece {
    /// Text taken as it is (quotes removed), with the file offset of each byte.
    Literal(Mapped),
    /// `$NAME`, `${NAME}`, `${NAME<op>word}`.
    Parameter {
        name: String,
        operator: Option<Operator>,
        written: Mapped,
    },
    /// An expansion whose value is not known: `$(...)`, `` `...` ``, `$1`, `${#NAME}`, ...
    Opaque(Mapped),
}

/// Text with the file offset of each byte.
#[derive(Debug, Clone, Default)]
struct Mapped {
    text: String,
    offsets: Vec<usize>,
}

impl Mapped {
    fn push(&mut self, text: &str, offsets: impl Iterator<Item = usize>) {
        self.text.push_str(text);
        self.offsets.extend(offsets.take(text.len()));
        // Keep one offset per byte whatever the iterator held.
        let last = self.offsets.last().copied().unwrap_or(0);
        self.offsets.resize(self.text.len(), last);
    }
}

#[derive(Debug, Clone)]
struct Operator {
    kind: OperatorKind,
    /// `:-` rather than `-`: an empty value counts as unset.
    colon: bool,
    /// The word after the operator, as written.
    word: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OperatorKind {
    /// `-` and `=`: the word when unset.
    Default,
    /// `+`: the word when set.
    Alternative,
    /// `?`: an error when unset.
    Error,
}

impl Word {
    /// An exec-form word: all literal.
    fn literal(text: &Text) -> Word {
        let mut mapped = Mapped::default();
        mapped.push(&text.text, byte_offsets(text, 0..text.text.len()));
        Word {
            span: text.span_of(0..text.text.len()),
            pieces: vec![Piece::Literal(mapped)],
        }
    }

    /// The text of a word that holds no expansion.
    fn plain(&self) -> Option<String> {
        let mut text = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(mapped) => text.push_str(&mapped.text),
                Piece::Parameter { .. } | Piece::Opaque(_) => return None,
            }
        }
        Some(text)
    }
}

/// The file offset of each byte of `range` in `text`.
fn byte_offsets(text: &Text, range: Range<usize>) -> impl Iterator<Item = usize> + '_ {
    range.map(move |index| text.span_of(index..index + 1).start)
}

/// The simple commands of a shell command line, in order: words up to `;`, `&`, `|`, `&&`,
/// `||`, a newline or a parenthesis; comments and redirections (with their targets) left out.
fn scan(text: &Text) -> Vec<Vec<Word>> {
    Scanner {
        text,
        bytes: text.text.as_bytes(),
        commands: Vec::new(),
        command: Vec::new(),
        word: None,
        redirection_target: false,
    }
    .run()
}

struct Scanner<'t> {
    text: &'t Text,
    bytes: &'t [u8],
    commands: Vec<Vec<Word>>,
    command: Vec<Word>,
    /// The word being read: its first byte and pieces.
    word: Option<(usize, Vec<Piece>)>,
    /// The next word is a redirection's target.
    redirection_target: bool,
}

impl Scanner<'_> {
    fn run(mut self) -> Vec<Vec<Word>> {
        let mut index = 0;
        while index < self.bytes.len() {
            index = match self.bytes[index] {
                b' ' | b'\t' => {
                    self.end_word(index);
                    index + 1
                }
                b'\n' | b';' | b'&' | b'|' | b'(' | b')' => {
                    self.end_word(index);
                    self.end_command();
                    let doubled = matches!(self.bytes[index], b'&' | b'|' | b';')
                        && self.bytes.get(index + 1) == Some(&self.bytes[index]);
                    index + 1 + usize::from(doubled)
                }
                b'<' | b'>' => {
                    if self.io_number() {
                        self.word = None;
                    } else {
                        self.end_word(index);
                    }
                    let mut end = index + 1;
                    while matches!(self.bytes.get(end), Some(b'<' | b'>' | b'&' | b'|' | b'-')) {
                        end += 1;
                    }
                    self.redirection_target = true;
                    end
                }
                b'#' if self.word.is_none() => self.bytes[index..]
                    .iter()
                    .position(|&byte| byte == b'\n')
                    .map_or(self.bytes.len(), |at| index + at),
                b'\\' => {
                    self.start_word(index);
                    match self.bytes.get(index + 1) {
                        Some(b'\n') => index + 2,
                        Some(_) => self.literal_char(index + 1),
                        None => self.literal_char(index),
                    }
                }
                b'\'' => {
                    self.start_word(index);
                    let close = self.find(index + 1, b'\'');
                    self.literal_range(index + 1..close);
                    close + 1
                }
                b'"' => {
                    self.start_word(index);
                    self.double_quoted(index + 1)
                }
                b'$' | b'`' => {
                    self.start_word(index);
                    self.expansion(index)
                }
                _ => {
                    self.start_word(index);
                    self.literal_char(index)
                }
            };
        }
        self.end_word(self.bytes.len());
        self.end_command();
        self.commands
    }

    /// The inside of `"..."` from `index`; returns the index past the closing quote.
    fn double_quoted(&mut self, mut index: usize) -> usize {
        while index < self.bytes.len() {
            index = match self.bytes[index] {
                b'"' => return index + 1,
                b'\\' => match self.bytes.get(index + 1) {
                    Some(b'$' | b'`' | b'"' | b'\\') => self.literal_char(index + 1),
                    Some(b'\n') => index + 2,
                    _ => self.literal_char(index),
                },
                b'$' | b'`' => self.expansion(index),
                _ => self.literal_char(index),
            };
        }
        index
    }

    /// The expansion starting with `$` or `` ` `` at `index`; returns the index past it.
    fn expansion(&mut self, index: usize) -> usize {
        let bytes = self.bytes;
        if bytes[index] == b'`' {
            let mut end = index + 1;
            while end < bytes.len() && bytes[end] != b'`' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            let end = (end + 1).min(bytes.len());
            self.push_opaque(index..end);
            return end;
        }
        match bytes.get(index + 1) {
            Some(b'{') => {
                let close = self.matching(index + 2, b'{', b'}');
                let end = (close + 1).min(bytes.len());
                match parse_braced(&self.text.text[index + 2..close]) {
                    Some((name, operator)) => self.push_parameter(name, operator, index..end),
                    None => self.push_opaque(index..end),
                }
                end
            }
            Some(b'(') => {
                let close = self.matching(index + 2, b'(', b')');
                let end = (close + 1).min(bytes.len());
                self.push_opaque(index..end);
                end
            }
            Some(&byte) if byte == b'_' || byte.is_ascii_alphabetic() => {
                let end = index
                    + 1
                    + bytes[index + 1..]
                        .iter()
                        .position(|&byte| !(byte == b'_' || byte.is_ascii_alphanumeric()))
                        .unwrap_or(bytes.len() - index - 1);
                let name = self.text.text[index + 1..end].to_owned();
                self.push_parameter(name, None, index..end);
                end
            }
            Some(byte) if byte.is_ascii_digit() || b"@*#?$!-".contains(byte) => {
                self.push_opaque(index..index + 2);
                index + 2
            }
            _ => self.literal_char(index),
        }
    }

    /// The index of the byte closing an opening (`{` or `(`) just before `from`, nested
    /// openings and backslashes taken into account; the end of the text when there is none.
    fn matching(&self, from: usize, open: u8, close: u8) -> usize {
        let mut depth = 1usize;
        let mut index = from;
        while index < self.bytes.len() {
            let byte = self.bytes[index];
            if byte == b'\\' {
                index += 2;
                continue;
            }
            if byte == open {
                depth += 1;
            } else if byte == close {
                depth -= 1;
                if depth == 0 {
                    return index;
                }
            }
            index += 1;
        }
        self.bytes.len()
    }

    fn find(&self, from: usize, byte: u8) -> usize {
        self.bytes
            .get(from..)
            .and_then(|rest| rest.iter().position(|&b| b == byte))
            .map_or(self.bytes.len(), |at| from + at)
    }

    /// A word made only of digits so far is a redirection's file descriptor (`2>&1`).
    fn io_number(&self) -> bool {
        match &self.word {
            Some((start, pieces)) => match pieces.as_slice() {
                [Piece::Literal(mapped)] => {
                    !mapped.text.is_empty()
                        && mapped.text.bytes().all(|byte| byte.is_ascii_digit())
                        && self.bytes.get(*start..*start + mapped.text.len())
                            == Some(mapped.text.as_bytes())
                }
                _ => false,
            },
            None => false,
        }
    }

    fn start_word(&mut self, index: usize) {
        if self.word.is_none() {
            self.word = Some((index, Vec::new()));
        }
    }

    fn end_word(&mut self, end: usize) {
        if let Some((start, pieces)) = self.word.take() {
            if std::mem::take(&mut self.redirection_target) {
                return;
            }
            self.command.push(Word {
                span: self.text.span_of(start..end),
                pieces,
            });
        }
    }

    fn end_command(&mut self) {
        self.redirection_target = false;
        if !self.command.is_empty() {
            self.commands.push(std::mem::take(&mut self.command));
        }
    }

    /// The character at `index`, taken literally; returns the index past it.
    fn literal_char(&mut self, index: usize) -> usize {
        let end = index + char_width(self.bytes[index]).min(self.bytes.len() - index);
        self.literal_range(index..end);
        end
    }

    fn literal_range(&mut self, range: Range<usize>) {
        let Some(text) = self.text.text.get(range.clone()) else {
            return;
        };
        if text.is_empty() {
            return;
        }
        let offsets = byte_offsets(self.text, range);
        let Some((_, pieces)) = &mut self.word else {
            return;
        };
        if let Some(Piece::Literal(mapped)) = pieces.last_mut() {
            mapped.push(text, offsets);
        } else {
            let mut mapped = Mapped::default();
            mapped.push(text, offsets);
            pieces.push(Piece::Literal(mapped));
        }
    }

    fn mapped(&self, range: Range<usize>) -> Mapped {
        let mut mapped = Mapped::default();
        if let Some(text) = self.text.text.get(range.clone()) {
            mapped.push(text, byte_offsets(self.text, range));
        }
        mapped
    }

    fn push_parameter(&mut self, name: String, operator: Option<Operator>, range: Range<usize>) {
        let written = self.mapped(range);
        if let Some((_, pieces)) = &mut self.word {
            pieces.push(Piece::Parameter {
                name,
                operator,
                written,
            });
        }
    }

    fn push_opaque(&mut self, range: Range<usize>) {
        let written = self.mapped(range);
        if let Some((_, pieces)) = &mut self.word {
            pieces.push(Piece::Opaque(written));
        }
    }
}

/// The length of the UTF-8 sequence a byte starts.
fn char_width(byte: u8) -> usize {
    match byte {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// The inside of `${...}`: a name and its operator, or `None` for what is not a named
/// parameter (`${#NAME}`, `${1}`, `${NAME%suffix}`, ...).
fn parse_braced(inside: &str) -> Option<(String, Option<Operator>)> {
    let name_end = inside
        .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .unwrap_or(inside.len());
    let name = &inside[..name_end];
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let rest = &inside[name_end..];
    if rest.is_empty() {
        return Some((name.to_owned(), None));
    }
    let (colon, rest) = match rest.strip_prefix(':') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let kind = match rest.as_bytes().first() {
        Some(b'-' | b'=') => OperatorKind::Default,
        Some(b'+') => OperatorKind::Alternative,
        Some(b'?') => OperatorKind::Error,
        _ => return None,
    };
    Some((
        name.to_owned(),
        Some(Operator {
            kind,
            colon,
            word: rest[1..].to_owned(),
        }),
    ))
}

/// `$NAME` and `${...}` in an exec-form word, as written.
fn unexpanded_references(word: &Word, out: &mut Vec<(String, Span)>) {
    for piece in &word.pieces {
        let Piece::Literal(mapped) = piece else {
            continue;
        };
        let bytes = mapped.text.as_bytes();
        let mut index = 0;
        while index < bytes.len() {
            if bytes[index] != b'$' {
                index += 1;
                continue;
            }
            let end = match bytes.get(index + 1) {
                Some(b'{') => bytes[index..]
                    .iter()
                    .position(|&byte| byte == b'}')
                    .map_or(bytes.len(), |at| index + at + 1),
                Some(&byte) if byte == b'_' || byte.is_ascii_alphabetic() => {
                    index
                        + 1
                        + bytes[index + 1..]
                            .iter()
                            .position(|&byte| !(byte == b'_' || byte.is_ascii_alphanumeric()))
                            .unwrap_or(bytes.len() - index - 1)
                }
                _ => {
                    index += 1;
                    continue;
                }
            };
            let start = mapped
                .offsets
                .get(index)
                .copied()
                .unwrap_or(word.span.start);
            let last = mapped.offsets.get(end - 1).copied().unwrap_or(start);
            out.push((
                mapped.text[index..end].to_owned(),
                start..(last + 1).max(start),
            ));
            index = end;
        }
    }
}

// --- expansion ----------------------------------------------------------------------------------

/// A word after expansion.
#[derive(Debug, Clone, Default)]
struct Value {
    text: String,
    /// The parts of `text` whose value is not known (written as they are), and the variable
    /// (or, for `$(...)` and the like, the text) each stands for.
    unknown: Vec<(Range<usize>, String)>,
    variables: Vec<String>,
}

impl Value {
    fn known(text: impl Into<String>) -> Value {
        Value {
            text: text.into(),
            ..Value::default()
        }
    }

    /// The part of the value from byte `start` (a char boundary) on.
    fn from(&self, start: usize) -> Value {
        self.part(start..self.text.len())
    }

    fn part(&self, range: Range<usize>) -> Value {
        let text = self.text.get(range.clone()).unwrap_or_default().to_owned();
        let unknown = self
            .unknown
            .iter()
            .filter(|(at, _)| at.start < range.end && range.start < at.end)
            .map(|(at, name)| {
                let start = at.start.max(range.start) - range.start;
                let end = at.end.min(range.end) - range.start;
                (start..end, name.clone())
            })
            .collect();
        Value {
            text,
            unknown,
            variables: self.variables.clone(),
        }
    }

    /// The first variable of the value not known, if any.
    fn first_unknown(&self) -> Option<&str> {
        self.unknown.first().map(|(_, name)| name.as_str())
    }
}

/// The variables a command line has set (`NAME=value;`, `export NAME=value`), over those of
/// the shell that runs it (`sh -c` inside a command line). A map: a command line may assign
/// many times, and each lookup stays constant.
#[derive(Default)]
struct Vars<'p> {
    parent: Option<&'p Vars<'p>>,
    own: HashMap<String, String>,
}

impl Vars<'_> {
    fn get(&self, name: &str) -> Option<&String> {
        self.own
            .get(name)
            .or_else(|| self.parent.and_then(|parent| parent.get(name)))
    }
}

/// Variables for expansion: the ones the command line set, then the environment.
struct Scope<'e> {
    env: &'e dyn Fn(&str) -> Option<String>,
    vars: &'e Vars<'e>,
}

impl Scope<'_> {
    fn get(&self, name: &str) -> Option<String> {
        match self.vars.get(name) {
            Some(value) => Some(value.clone()),
            None => (self.env)(name),
        }
    }
}

fn expand(word: &Word, scope: &Scope<'_>) -> Value {
    let mut value = Value::default();
    for piece in &word.pieces {
        match piece {
            Piece::Literal(mapped) => value.text.push_str(&mapped.text),
            Piece::Parameter {
                name,
                operator,
                written,
            } => {
                value.variables.push(name.clone());
                let set = scope.get(name);
                let expanded = match operator {
                    None => set,
                    Some(operator) => {
                        let is_set = set
                            .as_ref()
                            .is_some_and(|set| !(operator.colon && set.is_empty()));
                        match (operator.kind, is_set) {
                            (OperatorKind::Default | OperatorKind::Error, true) => set,
                            (OperatorKind::Default, false) => operator_word(&operator.word),
                            (OperatorKind::Alternative, true) => operator_word(&operator.word),
                            (OperatorKind::Alternative, false) => Some(String::new()),
                            (OperatorKind::Error, false) => None,
                        }
                    }
                };
                match expanded {
                    Some(text) => value.text.push_str(&text),
                    None => push_unknown(&mut value, &written.text, name),
                }
            }
            Piece::Opaque(written) => push_unknown(&mut value, &written.text, &written.text),
        }
    }
    value
}

fn push_unknown(value: &mut Value, written: &str, name: &str) {
    let start = value.text.len();
    value.text.push_str(written);
    value
        .unknown
        .push((start..value.text.len(), name.to_owned()));
}

/// The word of `${NAME:-word}` when it is literal (quotes removed); `None` when it expands.
fn operator_word(word: &str) -> Option<String> {
    if word.contains(['$', '`', '\\']) {
        return None;
    }
    Some(word.chars().filter(|c| !matches!(c, '"' | '\'')).collect())
}

/// A word expanded as a Text whose bytes map to the file (to scan a `sh -c` script).
fn mapped_text(word: &Word, scope: &Scope<'_>) -> Text {
    let mut mapped = Mapped::default();
    for piece in &word.pieces {
        match piece {
            Piece::Literal(literal) => {
                mapped.push(&literal.text, literal.offsets.iter().copied());
            }
            Piece::Parameter { written, .. } | Piece::Opaque(written) => {
                let single = Word {
                    span: 0..0,
                    pieces: vec![piece.clone()],
                };
                let value = expand(&single, scope);
                if value.unknown.is_empty() {
                    // A known value is scanned again by the inner shell; its bytes are where
                    // the reference is written.
                    let at = written.offsets.first().copied().unwrap_or(word.span.start);
                    mapped.push(&value.text, std::iter::repeat(at));
                } else {
                    mapped.push(&written.text, written.offsets.iter().copied());
                }
            }
        }
    }
    let mut offsets = mapped.offsets;
    offsets.push(offsets.last().map_or(word.span.start, |&last| last + 1));
    Text::mapped(mapped.text, offsets)
}

// --- commands -----------------------------------------------------------------------------------

struct Run<'r> {
    env: &'r dyn Fn(&str) -> Option<String>,
    /// Bytes of `sh -c` scripts still allowed.
    budget: usize,
    analysis: &'r mut Analysis,
}

/// A word with its expansion.
struct Arg<'w> {
    word: &'w Word,
    value: Value,
}

impl Run<'_> {
    /// Every simple command of a shell command line; `set` is the variables assigned so far.
    fn script(&mut self, text: &Text, vars: &mut Vars<'_>, depth: usize) {
        if depth > MAX_DEPTH || text.text.len() > self.budget {
            return;
        }
        self.budget -= text.text.len();
        for words in scan(text) {
            self.command(&words, vars, true, depth);
        }
    }

    /// One simple command. Returns the index of the word that is a shell's `-c` script, in an
    /// exec form (that word is expanded by that shell).
    fn command(
        &mut self,
        words: &[Word],
        vars: &mut Vars<'_>,
        shell: bool,
        depth: usize,
    ) -> Option<usize> {
        let first = words.first()?;
        let last = words.last().unwrap_or(first);
        let span = first.span.start.min(last.span.start)..last.span.end.max(first.span.end);
        let scope = Scope {
            env: self.env,
            vars: &*vars,
        };
        let args: Vec<Arg> = words
            .iter()
            .map(|word| Arg {
                word,
                value: expand(word, &scope),
            })
            .collect();
        // The command's own environment: the assignments before it and `env NAME=value`.
        let mut prefix: Vec<(String, String)> = Vec::new();
        let mut at = 0;
        while let Some(arg) = args.get(at) {
            if shell && RESERVED.contains(&arg.value.text.as_str()) && arg.word.plain().is_some() {
                at += 1;
                continue;
            }
            match shell.then(|| assignment(&arg.value.text)).flatten() {
                Some(assigned) => {
                    prefix.push(assigned);
                    at += 1;
                }
                None => break,
            }
        }
        if at == args.len() {
            // Only assignments: they set shell variables for what follows.
            vars.own.extend(prefix);
            return None;
        }
        let mut program = Invocation {
            args: &args,
            at,
            span,
            prefix,
            vars: &*vars,
            env: self.env,
            exported: Vec::new(),
        };
        let script = self.program(&mut program, shell, depth);
        let exported = program.exported;
        vars.own.extend(exported);
        script
    }

    /// The command from `invocation.at` on: launchers are stepped over until a program is
    /// known.
    fn program(
        &mut self,
        invocation: &mut Invocation<'_, '_>,
        shell: bool,
        depth: usize,
    ) -> Option<usize> {
        loop {
            let arg = invocation.args.get(invocation.at)?;
            let name = basename(&arg.value.text);
            invocation.at += 1;
            match name {
                "exec" | "nohup" | "command" => {}
                // Init processes and wrappers that run the rest of the line as the command.
                "tini"
                | "tini-static"
                | "dumb-init"
                | "gosu"
                | "su-exec"
                | "ddtrace-run"
                | "opentelemetry-instrument"
                | "newrelic-admin"
                | "doppler" => {
                    invocation.skip_wrapper_options(name);
                }
                "env" => {
                    while let Some(arg) = invocation.args.get(invocation.at) {
                        let text = &arg.value.text;
                        if text == "-u" || text == "--unset" {
                            invocation.at += 2;
                        } else if text.starts_with('-') {
                            invocation.at += 1;
                        } else if let Some(assigned) = assignment(text) {
                            invocation.prefix.push(assigned);
                            invocation.at += 1;
                        } else {
                            break;
                        }
                    }
                }
                "export" if shell => {
                    let assigned = invocation.args[invocation.at..]
                        .iter()
                        .filter_map(|arg| assignment(&arg.value.text));
                    invocation.exported.extend(assigned);
                    return None;
                }
                "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" => {
                    return self.shell(invocation, depth);
                }
                "uv" | "poetry" | "pipenv" | "pdm" | "hatch" | "rye" => {
                    if invocation.value(0) != Some("run") {
                        return None;
                    }
                    invocation.at += 1;
                    if invocation.skip_launcher_options() {
                        return self.python_module(invocation);
                    }
                }
                "uvx" => {
                    invocation.skip_launcher_options();
                }
                _ if is_python(name) => return self.python(invocation),
                _ => {
                    invocation.at -= 1;
                    return self.tool(invocation, name);
                }
            }
        }
    }

    /// `sh -c SCRIPT`: the script is a command line of its own.
    fn shell(&mut self, invocation: &mut Invocation<'_, '_>, depth: usize) -> Option<usize> {
        let mut command_string = false;
        while let Some(arg) = invocation.args.get(invocation.at) {
            let text = arg.value.text.as_str();
            if text == "--" {
                invocation.at += 1;
                break;
            }
            if text == "-o" || text == "+o" {
                invocation.at += 2;
                continue;
            }
            if !(text.starts_with('-') || text.starts_with('+')) || text.starts_with("--") {
                if text.starts_with("--") {
                    invocation.at += 1;
                    continue;
                }
                break;
            }
            command_string |= text.starts_with('-') && text.contains('c');
            invocation.at += 1;
        }
        if !command_string {
            return None;
        }
        let index = invocation.at;
        let script = invocation.args.get(index)?;
        let scope = Scope {
            env: self.env,
            vars: invocation.vars,
        };
        let text = mapped_text(script.word, &scope);
        // The inner shell sees the outer one's variables and the command's assignments.
        let mut vars = Vars {
            parent: Some(invocation.vars),
            own: invocation.prefix.iter().cloned().collect(),
        };
        self.script(&text, &mut vars, depth + 1);
        Some(index)
    }

    /// `python [options] -m MODULE ...` or `python [options] SCRIPT ...`.
    fn python(&mut self, invocation: &mut Invocation<'_, '_>) -> Option<usize> {
        while let Some(text) = invocation.value(0) {
            if text == "-m" {
                invocation.at += 1;
                return self.python_module(invocation);
            }
            if let Some(module) = text.strip_prefix("-m") {
                let module = module.to_owned();
                invocation.at += 1;
                return self.module(invocation, &module);
            }
            if text == "-c" || text == "-" || text.starts_with("-c") {
                return None;
            }
            if matches!(text, "-W" | "-X" | "--check-hash-based-pycs") {
                invocation.at += 2;
            } else if text.starts_with('-') {
                invocation.at += 1;
            } else {
                break;
            }
        }
        let script = invocation.value(0)?.to_owned();
        self.tool(invocation, basename(&script))
    }

    /// The module named by the next word (`-m MODULE`, `uv run -m MODULE`).
    fn python_module(&mut self, invocation: &mut Invocation<'_, '_>) -> Option<usize> {
        let module = invocation.value(0)?.to_owned();
        invocation.at += 1;
        self.module(invocation, &module)
    }

    /// `python -m MODULE` with the words after it.
    fn module(&mut self, invocation: &mut Invocation<'_, '_>, module: &str) -> Option<usize> {
        let name = match module {
            "uvicorn" | "gunicorn" | "hypercorn" | "fastapi" | "alembic" | "flask" => module,
            "django" => "django-admin",
            _ => return None,
        };
        // `tool` reads the program's arguments after the word at `at`.
        invocation.at -= 1;
        self.tool(invocation, name)
    }

    /// A program by name, its arguments after the word at `invocation.at`.
    fn tool(&mut self, invocation: &mut Invocation<'_, '_>, name: &str) -> Option<usize> {
        let after = invocation.at + 1;
        let args = invocation.args.get(after..).unwrap_or_default();
        let server = match name {
            "uvicorn" => Some(uvicorn(invocation, args)),
            "gunicorn" => Some(gunicorn(invocation, args)),
            "hypercorn" => Some(hypercorn(invocation, args)),
            "fastapi" => fastapi(invocation, args),
            "alembic" => {
                self.migration(
                    invocation,
                    args,
                    MigrationTool::Alembic,
                    ALEMBIC_VALUES,
                    &["upgrade"],
                );
                None
            }
            "manage.py" | "django-admin" => {
                self.migration(invocation, args, MigrationTool::Django, &[], &["migrate"]);
                None
            }
            "flask" => {
                self.migration(
                    invocation,
                    args,
                    MigrationTool::FlaskMigrate,
                    FLASK_VALUES,
                    &["db", "upgrade"],
                );
                None
            }
            _ => None,
        };
        if let Some(server) = server {
            self.analysis.servers.push(server);
        }
        None
    }

    fn migration(
        &mut self,
        invocation: &Invocation<'_, '_>,
        args: &[Arg<'_>],
        tool: MigrationTool,
        values: &[&str],
        subcommand: &[&str],
    ) {
        let mut positionals = Vec::new();
        let mut index = 0;
        while let Some(arg) = args.get(index) {
            let text = arg.value.text.as_str();
            if text.starts_with('-') {
                let takes_value = !text.contains('=') && values.contains(&text);
                index += 1 + usize::from(takes_value);
                continue;
            }
            positionals.push(text);
            if positionals.len() == subcommand.len() {
                break;
            }
            index += 1;
        }
        if positionals == subcommand {
            self.analysis.migrations.push(Migration {
                tool,
                span: invocation.span.clone(),
            });
        }
    }
}

/// Words that start a compound command rather than name a program.
const RESERVED: &[&str] = &[
    "!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "time",
];
const ALEMBIC_VALUES: &[&str] = &["-c", "--config", "-n", "--name", "-x"];
const FLASK_VALUES: &[&str] = &["-A", "--app", "-e", "--env-file"];
/// Options of `uv run`, `poetry run` and the like that take a value.
const LAUNCHER_VALUES: &[&str] = &[
    "--with",
    "--with-editable",
    "--with-requirements",
    "--python",
    "-p",
    "--env-file",
    "--directory",
    "--project",
    "--package",
    "--extra",
    "--group",
    "--only-group",
    "--no-group",
    "--index",
    "--default-index",
    "--index-url",
    "--extra-index-url",
    "--find-links",
    "-f",
    "--config-file",
    "--cache-dir",
    "--color",
    "--from",
    "-C",
];

/// A simple command being read: its words, the next one to read, its span and environment.
struct Invocation<'a, 'w> {
    args: &'a [Arg<'w>],
    at: usize,
    span: Span,
    /// The command's own assignments (`PORT=8000 uvicorn`, `env PORT=8000 uvicorn`).
    prefix: Vec<(String, String)>,
    /// The variables the command line set before it.
    vars: &'a Vars<'a>,
    env: &'a dyn Fn(&str) -> Option<String>,
    /// What `export NAME=value` sets for the commands after it.
    exported: Vec<(String, String)>,
}

impl Invocation<'_, '_> {
    fn value(&self, ahead: usize) -> Option<&str> {
        self.args
            .get(self.at + ahead)
            .map(|arg| arg.value.text.as_str())
    }

    /// Steps over a wrapper's own words up to the command it runs: everything up to `--` when
    /// there is one, else its options (`gosu USER cmd`, `su-exec USER cmd`: the user too;
    /// `newrelic-admin run-program cmd`, `doppler run -- cmd`).
    fn skip_wrapper_options(&mut self, wrapper: &str) {
        if let Some(dashes) = self.args[self.at..]
            .iter()
            .position(|arg| arg.value.text == "--")
        {
            self.at += dashes + 1;
            return;
        }
        while self.value(0).is_some_and(|text| text.starts_with('-')) {
            self.at += 1;
        }
        if matches!(wrapper, "gosu" | "su-exec" | "doppler") || wrapper == "newrelic-admin" {
            self.at += 1;
        }
    }

    /// Steps over a launcher's options; `true` when `-m`/`--module` says a module follows.
    fn skip_launcher_options(&mut self) -> bool {
        while let Some(text) = self.value(0) {
            if text == "--" {
                self.at += 1;
                return false;
            }
            if text == "-m" || text == "--module" {
                self.at += 1;
                return true;
            }
            if !text.starts_with('-') {
                return false;
            }
            let takes_value = !text.contains('=') && LAUNCHER_VALUES.contains(&text);
            self.at += 1 + usize::from(takes_value);
        }
        false
    }

    /// What the program's environment holds: the command's assignments, the variables set
    /// before it, then the environment given.
    fn getenv(&self, name: &str) -> Option<String> {
        self.prefix
            .iter()
            .rev()
            .find(|(set, _)| set == name)
            .map(|(_, value)| value)
            .or_else(|| self.vars.get(name))
            .cloned()
            .or_else(|| (self.env)(name))
    }
}

fn basename(text: &str) -> &str {
    text.rsplit('/').next().unwrap_or(text)
}

fn is_python(name: &str) -> bool {
    name.strip_prefix("python").is_some_and(|version| {
        version
            .bytes()
            .all(|byte| byte.is_ascii_digit() || byte == b'.')
    })
}

/// `NAME=value`.
fn assignment(text: &str) -> Option<(String, String)> {
    let (name, value) = text.split_once('=')?;
    let valid = name.starts_with(|c: char| c == '_' || c.is_ascii_alphabetic())
        && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
    valid.then(|| (name.to_owned(), value.to_owned()))
}

// --- the servers' command lines -----------------------------------------------------------------

/// The options a server's parser knows, as the pinned release defines them (recorded by
/// `scripts/start_commands.py` into `recorded.json`, which `tests/start_commands.rs` compares
/// with these tables): which take a value, and all the names a unique prefix of which argparse
/// accepts.
#[derive(Debug)]
pub struct OptionTable {
    /// `uvicorn`, `gunicorn`, `hypercorn`, `fastapi`, `fastapi run`, `fastapi dev`.
    pub command: &'static str,
    pub flags: &'static [&'static str],
    pub values: &'static [&'static str],
}

/// Every table, for the test that holds them to the recording.
pub fn option_tables() -> [&'static OptionTable; 6] {
    [
        &UVICORN,
        &GUNICORN,
        &HYPERCORN,
        &FASTAPI,
        &FASTAPI_RUN,
        &FASTAPI_DEV,
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Parser {
    /// click (uvicorn, and fastapi-cli through Typer): exact names, `--name=value`, `-xVALUE`.
    Click,
    /// argparse (gunicorn, Hypercorn): also unique prefixes of long names, `-x=VALUE`.
    Argparse,
}

/// An option given on the command line.
struct Given {
    /// Its name as the table spells it.
    name: &'static str,
    value: Option<Value>,
    /// The option and its value.
    span: Span,
}

impl Given {
    fn is(&self, names: &[&str]) -> bool {
        names.contains(&self.name)
    }
}

/// The options of a command line (unknown ones are taken as flags: a server refuses them, and
/// taking a value for them could hide the options that follow), and the positional words.
fn parse_options<'a>(
    args: &'a [Arg<'a>],
    table: &OptionTable,
    parser: Parser,
) -> (Vec<Given>, Vec<&'a Arg<'a>>) {
    let mut given = Vec::new();
    let mut positionals = Vec::new();
    let mut index = 0;
    while let Some(arg) = args.get(index) {
        index += 1;
        let text = arg.value.text.as_str();
        if text == "--" {
            positionals.extend(args.get(index..).unwrap_or_default());
            break;
        }
        let span = arg.word.span.clone();
        if let Some(long) = text.strip_prefix("--") {
            let (name, inline) = match long.find('=') {
                Some(at) => (&text[..at + 2], Some(arg.value.from(at + 3))),
                None => (text, None),
            };
            let Some((name, takes_value)) = find_long(table, name, parser) else {
                continue;
            };
            let (value, span) = if !takes_value || inline.is_some() {
                (inline, span)
            } else {
                take_next(args, &mut index, span)
            };
            given.push(Given { name, value, span });
        } else if text.len() > 1 && text.starts_with('-') {
            // A cluster of short flags, ending at the first that takes a value.
            for (at, short) in text.char_indices().skip(1) {
                let mut buffer = [0u8; 8];
                let written = format!("-{}", short.encode_utf8(&mut buffer));
                let Some((name, takes_value)) = find_exact(table, &written) else {
                    break;
                };
                if !takes_value {
                    given.push(Given {
                        name,
                        value: None,
                        span: span.clone(),
                    });
                    continue;
                }
                let mut rest = at + short.len_utf8();
                if parser == Parser::Argparse && text[rest..].starts_with('=') {
                    rest += 1;
                }
                let (value, span) = if rest < text.len() {
                    (Some(arg.value.from(rest)), span.clone())
                } else {
                    take_next(args, &mut index, span.clone())
                };
                given.push(Given { name, value, span });
                break;
            }
        } else {
            positionals.push(arg);
        }
    }
    (given, positionals)
}

fn take_next(args: &[Arg<'_>], index: &mut usize, span: Span) -> (Option<Value>, Span) {
    match args.get(*index) {
        Some(next) => {
            *index += 1;
            let end = next.word.span.end.max(span.end);
            (Some(next.value.clone()), span.start..end)
        }
        None => (None, span),
    }
}

fn find_exact(table: &OptionTable, name: &str) -> Option<(&'static str, bool)> {
    let value = table.values.iter().find(|known| **known == name);
    let flag = table.flags.iter().find(|known| **known == name);
    value
        .map(|name| (*name, true))
        .or(flag.map(|name| (*name, false)))
}

fn find_long(table: &OptionTable, name: &str, parser: Parser) -> Option<(&'static str, bool)> {
    if let Some(found) = find_exact(table, name) {
        return Some(found);
    }
    if parser == Parser::Click {
        return None;
    }
    let mut matches = table
        .values
        .iter()
        .map(|known| (*known, true))
        .chain(table.flags.iter().map(|known| (*known, false)))
        .filter(|(known, _)| known.starts_with("--") && known.starts_with(name));
    let found = matches.next()?;
    matches.next().is_none().then_some(found)
}

/// The last time an option is given.
fn last<'g>(given: &'g [Given], names: &[&str]) -> Option<&'g Given> {
    given.iter().rev().find(|given| given.is(names))
}

fn flag_setting<T>(given: &Given, value: T) -> Setting<T> {
    Setting {
        value,
        origin: Origin::Flag(given.span.clone()),
        variables: given
            .value
            .as_ref()
            .map(|value| value.variables.clone())
            .unwrap_or_default(),
    }
}

fn env_setting<T>(name: &str, value: T) -> Setting<T> {
    Setting {
        value,
        origin: Origin::Environment(name.to_owned()),
        variables: Vec::new(),
    }
}

fn default_setting<T>(value: T) -> Setting<T> {
    Setting {
        value,
        origin: Origin::Default,
        variables: Vec::new(),
    }
}

/// An integer as Python's `int()` reads text (which click's `int` type and argparse's
/// `type=int` use): blanks around, a sign, `_` between digits.
fn python_int(text: &str) -> Option<i128> {
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits
            .bytes()
            .all(|byte| byte.is_ascii_digit() || byte == b'_')
    {
        return None;
    }
    let mut number: i128 = 0;
    for byte in digits.bytes().filter(u8::is_ascii_digit) {
        number = number
            .saturating_mul(10)
            .saturating_add(i128::from(byte - b'0'));
    }
    Some(if negative { -number } else { number })
}

fn port_of(value: &Value) -> Port {
    match value.first_unknown() {
        Some(name) => Port::Variable {
            name: name.to_owned(),
        },
        None => port_of_text(&value.text),
    }
}

fn port_of_text(text: &str) -> Port {
    match python_int(text).and_then(|number| u16::try_from(number).ok()) {
        Some(number) => Port::Number(number),
        None => Port::Invalid(text.to_owned()),
    }
}

fn workers_of(value: &Value) -> Option<Workers> {
    match value.first_unknown() {
        Some(name) => Some(Workers::Variable {
            name: name.to_owned(),
        }),
        None => workers_of_text(&value.text),
    }
}

fn workers_of_text(text: &str) -> Option<Workers> {
    python_int(text)
        .and_then(|number| u32::try_from(number).ok())
        .map(Workers::Number)
}

/// click's boolean from text (`BoolParamType`).
fn click_true(text: &str) -> bool {
    matches!(
        text.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "t" | "yes" | "y" | "on"
    )
}

/// What an empty host binds: every IPv4 interface.
fn bound_host(host: &str) -> String {
    if host.is_empty() {
        "0.0.0.0".to_owned()
    } else {
        host.to_owned()
    }
}

/// A Unix socket or an inherited descriptor: an address that is not a TCP port.
fn socket_address(text: &str) -> Option<(String, Port)> {
    if text.starts_with("unix:") || text.starts_with("fd://") {
        return Some((text.to_owned(), Port::Invalid(text.to_owned())));
    }
    None
}

/// A host and port for an address, with the setting's origin and variables.
fn address_settings(
    host: String,
    port: Port,
    port_written: bool,
    setting: impl Fn(String) -> Setting<String>,
) -> (Setting<String>, Setting<Port>) {
    let host = setting(host);
    let port = if port_written {
        Setting {
            value: port,
            origin: host.origin.clone(),
            variables: host.variables.clone(),
        }
    } else {
        default_setting(port)
    };
    (host, port)
}

/// gunicorn's `util.parse_address`: the host, the port, and whether the port was written.
fn gunicorn_address(value: &Value) -> (String, Port, bool) {
    let text = value.text.as_str();
    if let Some((host, port)) = socket_address(text) {
        return (host, port, true);
    }
    let start = if text.starts_with("tcp://") { 6 } else { 0 };
    let netloc = &text[start..];
    let (host, port) = if let (true, Some(close)) = (netloc.contains('['), netloc.find(']')) {
        // `netloc.split(']')[0][1:]`, and what follows the first `]:` up to the next one.
        let mut host = netloc[..close].chars();
        host.next();
        let port = netloc.find("]:").map(|at| {
            let port_start = start + at + 2;
            let port_end = text[port_start..]
                .find("]:")
                .map_or(text.len(), |next| port_start + next);
            port_start..port_end
        });
        (host.as_str(), port)
    } else if let Some(colon) = netloc.find(':') {
        let port_start = start + colon + 1;
        let port_end = netloc[colon + 1..]
            .find(':')
            .map_or(text.len(), |at| port_start + at);
        (&netloc[..colon], Some(port_start..port_end))
    } else {
        (netloc, None)
    };
    let host = bound_host(&host.to_lowercase());
    match port {
        Some(range) => (host, port_of(&value.part(range)), true),
        None => (host, Port::Number(8000), false),
    }
}

/// Hypercorn's `Config._create_sockets`.
fn hypercorn_address(value: &Value) -> (String, Port, bool) {
    let text = value.text.as_str();
    if let Some((host, port)) = socket_address(text) {
        return (host, port, true);
    }
    let stripped: String = text.chars().filter(|c| !matches!(c, '[' | ']')).collect();
    match stripped.rfind(':') {
        Some(colon) => {
            let port_text = &stripped[colon + 1..];
            // The port's bytes in the text as written, unless a bracket was among them.
            let port = if text.ends_with(port_text) {
                port_of(&value.part(text.len() - port_text.len()..text.len()))
            } else {
                port_of_text(port_text)
            };
            (bound_host(&stripped[..colon]), port, true)
        }
        None => (bound_host(&stripped), Port::Number(8000), false),
    }
}

fn uvicorn(invocation: &Invocation<'_, '_>, args: &[Arg<'_>]) -> Server {
    let (given, _) = parse_options(args, &UVICORN, Parser::Click);
    let env = |name: &str| invocation.getenv(&format!("UVICORN_{name}"));
    let text_of = |given: &Given| {
        given
            .value
            .as_ref()
            .map(|value| value.text.clone())
            .unwrap_or_default()
    };
    let socket = last(&given, &["--uds"])
        .map(|uds| flag_setting(uds, format!("unix:{}", text_of(uds))))
        .or_else(|| env("UDS").map(|uds| env_setting("UVICORN_UDS", format!("unix:{uds}"))))
        .or_else(|| {
            last(&given, &["--fd"]).map(|fd| flag_setting(fd, format!("fd://{}", text_of(fd))))
        })
        .or_else(|| env("FD").map(|fd| env_setting("UVICORN_FD", format!("fd://{fd}"))));
    let (host, port) = match socket {
        Some(socket) => {
            let port = Setting {
                value: Port::Invalid(socket.value.clone()),
                origin: socket.origin.clone(),
                variables: socket.variables.clone(),
            };
            (socket, port)
        }
        None => {
            let host = match last(&given, &["--host"]) {
                Some(host) => flag_setting(host, text_of(host)),
                None => match env("HOST") {
                    Some(host) => env_setting("UVICORN_HOST", host),
                    None => default_setting("127.0.0.1".to_owned()),
                },
            };
            let port = match last(&given, &["--port"]) {
                Some(port) => flag_setting(
                    port,
                    port.value
                        .as_ref()
                        .map_or(Port::Invalid(String::new()), port_of),
                ),
                None => match env("PORT") {
                    Some(port) => env_setting("UVICORN_PORT", port_of_text(&port)),
                    None => default_setting(Port::Number(8000)),
                },
            };
            (host, port)
        }
    };
    let reload = match last(&given, &["--reload"]) {
        Some(reload) => Some(reload.span.clone()),
        None => env("RELOAD")
            .is_some_and(|reload| click_true(&reload))
            .then(|| invocation.span.clone()),
    };
    let workers = match last(&given, &["--workers"]) {
        Some(workers) => workers
            .value
            .as_ref()
            .and_then(workers_of)
            .map(|value| flag_setting(workers, value)),
        None => env("WORKERS")
            .and_then(|workers| workers_of_text(&workers))
            .map(|value| env_setting("UVICORN_WORKERS", value))
            .or_else(|| web_concurrency(invocation)),
    };
    Server {
        program: Program::Uvicorn,
        span: invocation.span.clone(),
        host,
        port,
        reload,
        workers,
        configured: false,
    }
}

fn web_concurrency(invocation: &Invocation<'_, '_>) -> Option<Setting<Workers>> {
    invocation
        .getenv("WEB_CONCURRENCY")
        .and_then(|workers| workers_of_text(&workers))
        .map(|value| env_setting("WEB_CONCURRENCY", value))
}

fn gunicorn(invocation: &Invocation<'_, '_>, args: &[Arg<'_>]) -> Server {
    let (given, _) = parse_options(args, &GUNICORN, Parser::Argparse);
    // GUNICORN_CMD_ARGS, split as `shlex.split` does; the command line wins over it.
    let from_env_words: Vec<Word> = invocation
        .getenv("GUNICORN_CMD_ARGS")
        .and_then(|args| shlex::split(&args))
        .unwrap_or_default()
        .into_iter()
        .map(|text| {
            let mut mapped = Mapped::default();
            let span = invocation.span.clone();
            mapped.push(&text, std::iter::repeat(span.start));
            Word {
                span,
                pieces: vec![Piece::Literal(mapped)],
            }
        })
        .collect();
    let from_env_args: Vec<Arg> = from_env_words
        .iter()
        .map(|word| Arg {
            word,
            value: Value::known(word.plain().unwrap_or_default()),
        })
        .collect();
    let (from_env, _) = parse_options(&from_env_args, &GUNICORN, Parser::Argparse);
    let find = |names: &[&str]| -> Option<(&Given, bool)> {
        last(&given, names)
            .map(|found| (found, true))
            .or_else(|| last(&from_env, names).map(|found| (found, false)))
    };
    let bind = first_bind(&given)
        .map(|found| (found, true))
        .or_else(|| first_bind(&from_env).map(|found| (found, false)));
    let (host, port) = match bind {
        Some(found @ (given, _)) => {
            let value = given.value.clone().unwrap_or_default();
            let (host, port, written) = gunicorn_address(&value);
            address_settings(host, port, written, |host| gunicorn_setting(found, host))
        }
        None => match invocation.getenv("PORT") {
            Some(port) => {
                let (host, port, _) = gunicorn_address(&Value::known(format!("0.0.0.0:{port}")));
                (env_setting("PORT", host), env_setting("PORT", port))
            }
            None => (
                default_setting("127.0.0.1".to_owned()),
                default_setting(Port::Number(8000)),
            ),
        },
    };
    let workers = match find(&["-w", "--workers"]) {
        Some(found @ (given, _)) => given
            .value
            .as_ref()
            .and_then(workers_of)
            .map(|value| gunicorn_setting(found, value)),
        None => web_concurrency(invocation),
    };
    let worker_class = find(&["-k", "--worker-class"])
        .and_then(|(given, _)| given.value.as_ref())
        .map(|value| value.text.clone());
    let reload = find(&["--reload"]).map(|(given, on_line)| {
        if on_line {
            given.span.clone()
        } else {
            invocation.span.clone()
        }
    });
    Server {
        program: Program::Gunicorn { worker_class },
        span: invocation.span.clone(),
        host,
        port,
        reload,
        workers,
        configured: given.iter().any(|given| given.is(&["-c", "--config"])),
    }
}

/// Binds are appended: the first one stands for them.
fn first_bind(given: &[Given]) -> Option<&Given> {
    given.iter().find(|given| given.is(&["-b", "--bind"]))
}

/// A setting from the command line (`true`) or from `GUNICORN_CMD_ARGS`.
fn gunicorn_setting<T>((given, on_line): (&Given, bool), value: T) -> Setting<T> {
    if on_line {
        flag_setting(given, value)
    } else {
        env_setting("GUNICORN_CMD_ARGS", value)
    }
}

fn hypercorn(invocation: &Invocation<'_, '_>, args: &[Arg<'_>]) -> Server {
    let (given, _) = parse_options(args, &HYPERCORN, Parser::Argparse);
    let (host, port) = match given.iter().find(|given| given.is(&["-b", "--bind"])) {
        Some(bind) => {
            let value = bind.value.clone().unwrap_or_default();
            let (host, port, written) = hypercorn_address(&value);
            address_settings(host, port, written, |host| flag_setting(bind, host))
        }
        None => (
            default_setting("127.0.0.1".to_owned()),
            default_setting(Port::Number(8000)),
        ),
    };
    let reload = last(&given, &["--reload", "--debug"]).map(|given| given.span.clone());
    let workers = last(&given, &["-w", "--workers"]).and_then(|given| {
        given
            .value
            .as_ref()
            .and_then(workers_of)
            .map(|value| flag_setting(given, value))
    });
    Server {
        program: Program::Hypercorn,
        span: invocation.span.clone(),
        host,
        port,
        reload,
        workers,
        configured: given.iter().any(|given| given.is(&["-c", "--config"])),
    }
}

fn fastapi(invocation: &Invocation<'_, '_>, args: &[Arg<'_>]) -> Option<Server> {
    // The group's own options come before the subcommand.
    let at = args
        .iter()
        .position(|arg| !arg.value.text.starts_with('-'))?;
    let subcommand = &args[at];
    let (program, table, default_host) = match subcommand.value.text.as_str() {
        "run" => (Program::FastapiRun, &FASTAPI_RUN, "0.0.0.0"),
        "dev" => (Program::FastapiDev, &FASTAPI_DEV, "127.0.0.1"),
        _ => return None,
    };
    let (given, _) = parse_options(&args[at + 1..], table, Parser::Click);
    let host = match last(&given, &["--host"]) {
        Some(host) => flag_setting(
            host,
            host.value
                .as_ref()
                .map(|value| value.text.clone())
                .unwrap_or_default(),
        ),
        None => default_setting(default_host.to_owned()),
    };
    let port = match last(&given, &["--port"]) {
        Some(port) => flag_setting(
            port,
            port.value
                .as_ref()
                .map_or(Port::Invalid(String::new()), port_of),
        ),
        None => match invocation.getenv("PORT") {
            Some(port) => env_setting("PORT", port_of_text(&port)),
            None => default_setting(Port::Number(8000)),
        },
    };
    let reload = match (last(&given, &["--reload", "--no-reload"]), &program) {
        (Some(given), _) if given.is(&["--reload"]) => Some(given.span.clone()),
        (None, Program::FastapiDev) => Some(subcommand.word.span.clone()),
        _ => None,
    };
    let workers = match &program {
        Program::FastapiRun => match last(&given, &["--workers"]) {
            Some(workers) => workers
                .value
                .as_ref()
                .and_then(workers_of)
                .map(|value| flag_setting(workers, value)),
            None => web_concurrency(invocation),
        },
        _ => None,
    };
    Some(Server {
        program,
        span: invocation.span.clone(),
        host,
        port,
        reload,
        workers,
        configured: false,
    })
}

// The tables, as `scripts/start_commands.py` lists them from the pinned releases (click's
// `--help` is added when parsing, and is not listed).
const UVICORN: OptionTable = OptionTable {
    command: "uvicorn",
    flags: &[
        "--access-log",
        "--date-header",
        "--factory",
        "--http2",
        "--no-access-log",
        "--no-date-header",
        "--no-proxy-headers",
        "--no-server-header",
        "--no-use-colors",
        "--proxy-headers",
        "--reload",
        "--reset-contextvars",
        "--server-header",
        "--use-colors",
        "--version",
    ],
    values: &[
        "--app-dir",
        "--backlog",
        "--env-file",
        "--fd",
        "--forwarded-allow-ips",
        "--h11-max-incomplete-event-size",
        "--header",
        "--host",
        "--http",
        "--interface",
        "--lifespan",
        "--limit-concurrency",
        "--limit-max-requests",
        "--limit-max-requests-jitter",
        "--log-config",
        "--log-level",
        "--loop",
        "--port",
        "--reload-delay",
        "--reload-dir",
        "--reload-exclude",
        "--reload-include",
        "--root-path",
        "--ssl-ca-certs",
        "--ssl-cert-reqs",
        "--ssl-certfile",
        "--ssl-ciphers",
        "--ssl-keyfile",
        "--ssl-keyfile-password",
        "--ssl-version",
        "--timeout-graceful-shutdown",
        "--timeout-keep-alive",
        "--timeout-worker-healthcheck",
        "--uds",
        "--workers",
        "--ws",
        "--ws-max-queue",
        "--ws-max-size",
        "--ws-per-message-deflate",
        "--ws-ping-interval",
        "--ws-ping-timeout",
    ],
};
const GUNICORN: OptionTable = OptionTable {
    command: "gunicorn",
    flags: &[
        "--capture-output",
        "--casefold-http-method",
        "--check-config",
        "--daemon",
        "--disable-redirect-access-to-syslog",
        "--do-handshake-on-connect",
        "--enable-backlog-metric",
        "--enable-stdio-inheritance",
        "--help",
        "--initgroups",
        "--log-syslog",
        "--no-control-socket",
        "--no-sendfile",
        "--permit-obsolete-folding",
        "--permit-unconventional-http-method",
        "--permit-unconventional-http-version",
        "--preload",
        "--print-config",
        "--reload",
        "--reuse-port",
        "--spew",
        "--strip-header-spaces",
        "--suppress-ragged-eofs",
        "--version",
        "-D",
        "-R",
        "-h",
        "-v",
    ],
    values: &[
        "--access-logfile",
        "--access-logformat",
        "--asgi-disconnect-grace-period",
        "--asgi-lifespan",
        "--asgi-loop",
        "--backlog",
        "--bind",
        "--ca-certs",
        "--cert-reqs",
        "--certfile",
        "--chdir",
        "--ciphers",
        "--config",
        "--control-socket",
        "--control-socket-mode",
        "--dirty-app",
        "--dirty-graceful-timeout",
        "--dirty-threads",
        "--dirty-timeout",
        "--dirty-workers",
        "--dogstatsd-tags",
        "--env",
        "--error-logfile",
        "--forwarded-allow-ips",
        "--forwarder-headers",
        "--graceful-timeout",
        "--group",
        "--header-map",
        "--http-parser",
        "--http-protocols",
        "--http2-cleartext",
        "--http2-initial-window-size",
        "--http2-max-concurrent-streams",
        "--http2-max-frame-size",
        "--http2-max-header-list-size",
        "--keep-alive",
        "--keyfile",
        "--limit-request-field_size",
        "--limit-request-fields",
        "--limit-request-line",
        "--log-config",
        "--log-config-json",
        "--log-file",
        "--log-level",
        "--log-syslog-facility",
        "--log-syslog-prefix",
        "--log-syslog-to",
        "--logger-class",
        "--max-requests",
        "--max-requests-jitter",
        "--name",
        "--paste",
        "--paste-global",
        "--paster",
        "--pid",
        "--protocol",
        "--proxy-allow-from",
        "--proxy-protocol",
        "--pythonpath",
        "--reload-engine",
        "--reload-extra-file",
        "--root-path",
        "--ssl-version",
        "--statsd-host",
        "--statsd-prefix",
        "--threads",
        "--timeout",
        "--umask",
        "--user",
        "--uwsgi-allow-from",
        "--websocket-max-message-size",
        "--worker-class",
        "--worker-connections",
        "--worker-tmp-dir",
        "--workers",
        "-b",
        "-c",
        "-e",
        "-g",
        "-k",
        "-m",
        "-n",
        "-p",
        "-t",
        "-u",
        "-w",
    ],
};
const HYPERCORN: OptionTable = OptionTable {
    command: "hypercorn",
    flags: &["--daemon", "--debug", "--help", "--reload", "-D", "-h"],
    values: &[
        "--access-log",
        "--access-logfile",
        "--access-logformat",
        "--backlog",
        "--bind",
        "--ca-certs",
        "--cert-reqs",
        "--certfile",
        "--ciphers",
        "--config",
        "--error-log",
        "--error-logfile",
        "--graceful-timeout",
        "--group",
        "--insecure-bind",
        "--keep-alive",
        "--keyfile",
        "--keyfile-password",
        "--log-config",
        "--log-file",
        "--log-level",
        "--max-requests",
        "--max-requests-jitter",
        "--pid",
        "--quic-bind",
        "--read-timeout",
        "--root-path",
        "--server-name",
        "--statsd-host",
        "--statsd-prefix",
        "--umask",
        "--user",
        "--verify-mode",
        "--websocket-ping-interval",
        "--worker-class",
        "--workers",
        "-b",
        "-c",
        "-g",
        "-k",
        "-m",
        "-p",
        "-u",
        "-w",
    ],
};
const FASTAPI: OptionTable = OptionTable {
    command: "fastapi",
    flags: &[
        "--install-completion",
        "--no-verbose",
        "--show-completion",
        "--verbose",
        "--version",
    ],
    values: &[],
};
const FASTAPI_RUN: OptionTable = OptionTable {
    command: "fastapi run",
    flags: &[
        "--no-proxy-headers",
        "--no-reload",
        "--proxy-headers",
        "--reload",
        "--verbose",
        "-v",
    ],
    values: &[
        "--app",
        "--entrypoint",
        "--forwarded-allow-ips",
        "--host",
        "--port",
        "--root-path",
        "--workers",
        "-e",
    ],
};
const FASTAPI_DEV: OptionTable = OptionTable {
    command: "fastapi dev",
    flags: &[
        "--no-proxy-headers",
        "--no-reload",
        "--proxy-headers",
        "--reload",
        "--verbose",
        "-v",
    ],
    values: &[
        "--app",
        "--entrypoint",
        "--forwarded-allow-ips",
        "--host",
        "--port",
        "--reload-dir",
        "--root-path",
        "-e",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(command: &str, env: &[(&str, &str)]) -> (Text, Analysis) {
        let text = Text::verbatim(command, 0..command.len());
        let lookup = |name: &str| {
            env.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        };
        let analysis = analyze(CommandLine::Shell(&text), &lookup);
        (text, analysis)
    }

    fn exec(words: &[&str]) -> (String, Analysis) {
        // Written as a JSON array, each word between quotes.
        let mut written = String::from("[");
        let mut texts = Vec::new();
        for word in words {
            written.push('"');
            let start = written.len();
            written.push_str(word);
            texts.push(Text::verbatim(*word, start..written.len()));
            written.push_str("\", ");
        }
        written.push(']');
        let analysis = analyze(CommandLine::Exec(&texts), &|_| None);
        (written, analysis)
    }

    fn one(analysis: &Analysis) -> &Server {
        assert_eq!(analysis.servers.len(), 1, "{analysis:#?}");
        &analysis.servers[0]
    }

    fn written<'t>(text: &'t str, origin: &Origin) -> &'t str {
        match origin {
            Origin::Flag(span) => &text[span.clone()],
            other => panic!("not a flag: {other:?}"),
        }
    }

    #[test]
    fn uvicorn_defaults_to_localhost_8000() {
        let (_, analysis) = shell("uvicorn app.main:app", &[]);
        let server = one(&analysis);
        assert_eq!(server.program, Program::Uvicorn);
        assert_eq!(server.host.value, "127.0.0.1");
        assert_eq!(server.host.origin, Origin::Default);
        assert_eq!(server.port.value, Port::Number(8000));
        assert_eq!(server.workers, None);
        assert_eq!(server.reload, None);
    }

    #[test]
    fn flags_in_every_spelling_with_their_spans() {
        let (text, analysis) = shell(
            "cd /app && exec uvicorn app:app --host=0.0.0.0 --port \"${PORT}\" --reload",
            &[("PORT", "8080")],
        );
        let server = one(&analysis);
        assert_eq!(server.host.value, "0.0.0.0");
        assert_eq!(written(&text.text, &server.host.origin), "--host=0.0.0.0");
        assert_eq!(server.port.value, Port::Number(8080));
        assert_eq!(server.port.variables, ["PORT"]);
        assert_eq!(
            written(&text.text, &server.port.origin),
            "--port \"${PORT}\""
        );
        assert_eq!(&text.text[server.reload.clone().unwrap()], "--reload");
        assert_eq!(&text.text[server.span.clone()], &text.text[11..]);
    }

    #[test]
    fn a_variable_not_known_stays_a_variable_and_a_default_applies() {
        let (_, analysis) = shell("uvicorn app:app --port $PORT", &[]);
        assert_eq!(
            one(&analysis).port.value,
            Port::Variable {
                name: "PORT".into()
            }
        );
        let (_, analysis) = shell("uvicorn app:app --port ${PORT:-8000}", &[]);
        let port = &one(&analysis).port;
        assert_eq!(port.value, Port::Number(8000));
        assert_eq!(port.variables, ["PORT"]);
    }

    #[test]
    fn exec_form_passes_port_literally() {
        let (written, analysis) =
            exec(&["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "$PORT"]);
        assert_eq!(one(&analysis).port.value, Port::Invalid("$PORT".into()));
        assert_eq!(analysis.unexpanded.len(), 1);
        let (reference, span) = &analysis.unexpanded[0];
        assert_eq!(reference, "$PORT");
        assert_eq!(&written[span.clone()], "$PORT");
    }

    #[test]
    fn exec_form_through_a_shell_is_expanded() {
        let (written, analysis) = exec(&[
            "/bin/sh",
            "-c",
            "uvicorn app:app --host 0.0.0.0 --port $PORT",
        ]);
        assert!(analysis.unexpanded.is_empty());
        let server = one(&analysis);
        assert_eq!(
            server.port.value,
            Port::Variable {
                name: "PORT".into()
            }
        );
        assert_eq!(written_span(&written, &server.port.origin), "--port $PORT");
    }

    fn written_span<'t>(text: &'t str, origin: &Origin) -> &'t str {
        written(text, origin)
    }

    #[test]
    fn gunicorn_binds_port_from_the_environment() {
        let (_, analysis) = shell(
            "gunicorn -k uvicorn.workers.UvicornWorker -w 4 app:app",
            &[("PORT", "9000")],
        );
        let server = one(&analysis);
        assert_eq!(
            server.program,
            Program::Gunicorn {
                worker_class: Some("uvicorn.workers.UvicornWorker".into())
            }
        );
        assert_eq!(server.host.value, "0.0.0.0");
        assert_eq!(server.port.value, Port::Number(9000));
        assert_eq!(server.port.origin, Origin::Environment("PORT".into()));
        assert_eq!(server.workers.as_ref().unwrap().value, Workers::Number(4));
    }

    #[test]
    fn gunicorn_bind_spellings() {
        for (command, host, port) in [
            ("gunicorn -b :8001 app:app", "0.0.0.0", Port::Number(8001)),
            (
                "gunicorn -b0.0.0.0:8002 app:app",
                "0.0.0.0",
                Port::Number(8002),
            ),
            (
                "gunicorn --bin=[::1]:8003 app:app",
                "::1",
                Port::Number(8003),
            ),
            (
                "gunicorn --bind localhost app:app",
                "localhost",
                Port::Number(8000),
            ),
            (
                "gunicorn --bind unix:/tmp/g.sock app:app",
                "unix:/tmp/g.sock",
                Port::Invalid("unix:/tmp/g.sock".into()),
            ),
        ] {
            let (_, analysis) = shell(command, &[]);
            let server = one(&analysis);
            assert_eq!(
                (server.host.value.as_str(), &server.port.value),
                (host, &port),
                "{command}"
            );
        }
    }

    #[test]
    fn gunicorn_cmd_args_apply_below_the_command_line() {
        let (_, analysis) = shell(
            "gunicorn app:app -w 2",
            &[(
                "GUNICORN_CMD_ARGS",
                "--bind=0.0.0.0:7000 --workers 8 --reload",
            )],
        );
        let server = one(&analysis);
        assert_eq!(server.port.value, Port::Number(7000));
        assert_eq!(
            server.port.origin,
            Origin::Environment("GUNICORN_CMD_ARGS".into())
        );
        assert_eq!(server.workers.as_ref().unwrap().value, Workers::Number(2));
        assert!(server.reload.is_some());
    }

    #[test]
    fn launchers_and_prefixes() {
        for command in [
            "python -m uvicorn app:app --port 5000",
            "python3 -u -m uvicorn app:app --port 5000",
            "uv run --with x uvicorn app:app --port 5000",
            "poetry run uvicorn app:app --port 5000",
            "pipenv run python -m uvicorn app:app --port 5000",
            "FOO=1 env BAR=2 exec uvicorn app:app --port 5000",
            "sh -c 'uvicorn app:app --port 5000'",
            "bash -lc \"exec uvicorn app:app --port 5000\"",
        ] {
            let (_, analysis) = shell(command, &[]);
            assert_eq!(one(&analysis).port.value, Port::Number(5000), "{command}");
        }
    }

    #[test]
    fn migrations_in_chains() {
        let (text, analysis) = shell(
            "alembic upgrade head && python manage.py migrate; flask db upgrade || python -m alembic -c x.ini upgrade head\nuvicorn app:app",
            &[],
        );
        let tools: Vec<_> = analysis.migrations.iter().map(|m| m.tool).collect();
        assert_eq!(
            tools,
            [
                MigrationTool::Alembic,
                MigrationTool::Django,
                MigrationTool::FlaskMigrate,
                MigrationTool::Alembic
            ]
        );
        assert_eq!(
            &text.text[analysis.migrations[0].span.clone()],
            "alembic upgrade head"
        );
        assert_eq!(analysis.servers.len(), 1);
        let (_, analysis) = shell("alembic downgrade -1 && alembic current", &[]);
        assert!(analysis.migrations.is_empty());
    }

    #[test]
    fn fastapi_run_and_dev() {
        let (_, analysis) = shell("fastapi run app/main.py", &[("PORT", "4000")]);
        let server = one(&analysis);
        assert_eq!(server.program, Program::FastapiRun);
        assert_eq!(server.host.value, "0.0.0.0");
        assert_eq!(server.port.value, Port::Number(4000));
        assert_eq!(server.reload, None);
        let (text, analysis) = shell("fastapi dev app/main.py", &[]);
        let server = one(&analysis);
        assert_eq!(server.host.value, "127.0.0.1");
        assert_eq!(&text.text[server.reload.clone().unwrap()], "dev");
        let (_, analysis) = shell("fastapi dev --no-reload", &[]);
        assert_eq!(one(&analysis).reload, None);
    }

    #[test]
    fn uvicorn_environment_variables() {
        let (_, analysis) = shell(
            "uvicorn app:app",
            &[
                ("UVICORN_HOST", "0.0.0.0"),
                ("UVICORN_PORT", "7000"),
                ("WEB_CONCURRENCY", "3"),
            ],
        );
        let server = one(&analysis);
        assert_eq!(
            server.host.origin,
            Origin::Environment("UVICORN_HOST".into())
        );
        assert_eq!(server.port.value, Port::Number(7000));
        let workers = server.workers.as_ref().unwrap();
        assert_eq!(workers.value, Workers::Number(3));
        assert_eq!(
            workers.origin,
            Origin::Environment("WEB_CONCURRENCY".into())
        );
    }

    #[test]
    fn hypercorn_binds() {
        let (_, analysis) = shell("hypercorn app:app --bind 0.0.0.0:$PORT -w 2 --debug", &[]);
        let server = one(&analysis);
        assert_eq!(server.host.value, "0.0.0.0");
        assert_eq!(
            server.port.value,
            Port::Variable {
                name: "PORT".into()
            }
        );
        assert!(server.reload.is_some());
        let (_, analysis) = exec(&["hypercorn", "app:app", "-b", "0.0.0.0:$PORT"]);
        assert_eq!(one(&analysis).port.value, Port::Invalid("$PORT".into()));
    }

    #[test]
    fn shell_syntax_is_not_a_program() {
        let (_, analysis) = shell("echo 'uvicorn app:app' > /dev/null 2>&1 # uvicorn x", &[]);
        assert!(analysis.servers.is_empty());
        let (_, analysis) = shell(
            "PORT=9 ; export HOST=0.0.0.0; uvicorn a:a --port $PORT --host $HOST",
            &[],
        );
        let server = one(&analysis);
        assert_eq!(server.port.value, Port::Number(9));
        assert_eq!(server.host.value, "0.0.0.0");
    }

    #[test]
    fn spans_through_a_nested_script_point_into_the_file() {
        let command = "sh -c \"uvicorn app:app --port \\$PORT\"";
        let (text, analysis) = shell(command, &[]);
        let server = one(&analysis);
        assert_eq!(written(&text.text, &server.port.origin), "--port \\$PORT");
    }

    #[test]
    fn large_inputs_stay_linear() {
        // Many assignments then many expansions, nested scripts, an unclosed `${`.
        let mut command = "A=1;".repeat(20_000);
        command.push_str(&"uvicorn a:a --port $A ".repeat(5_000));
        command.push(';');
        command.push_str(&"sh -c 'sh -c \"uvicorn a:a\"' ; ".repeat(2_000));
        command.push_str(&"${".repeat(20_000));
        let started = std::time::Instant::now();
        let (_, analysis) = shell(&command, &[("LOOP", "sh -c \"$LOOP\"")]);
        assert_eq!(analysis.servers.len(), 2_001);
        let (_, analysis) = shell(
            &"sh -c \"$LOOP\"; ".repeat(1_000),
            &[("LOOP", "sh -c \"$LOOP\"")],
        );
        assert!(analysis.servers.is_empty());
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
    }
}
