//! The Dockerfile reader: BuildKit's grammar (moby/buildkit, `frontend/dockerfile/parser` and
//! `frontend/dockerfile/instructions/parse.go`), with a [`Text`] for every piece read, so that a
//! finding about a start command, a healthcheck or an `ENV` value underlines the bytes written.
//!
//! It owns reading only: stages, instructions and their parts, and the statements BuildKit would
//! refuse ([`Problem`]). What the commands mean (server, host, port) is `manifest::command`'s;
//! pairing them with the environment is the engine's.
//!
//! # Why not a crate
//!
//! `dockerfile-parser` (0.9, a pest grammar) says in its README that it does not handle BuildKit's
//! parser directives at all, so a `# escape=\`` file is read with the wrong continuation
//! character; its grammar has no heredocs, so the body of `RUN <<EOF` is read as instructions.
//! Neither it nor the younger `parse-dockerfile` (0.1) gives what [`Text`] needs: for a command
//! continued over lines, or a JSON element with escapes, where each byte of the value was
//! written. BuildKit's parser is small and line-oriented, so this module follows it function by
//! function instead; each function below names the one it stands for.
//!
//! # How BuildKit reads a file (and where this module follows it)
//!
//! - Lines are split on `\n`; trailing `\r`/`\n` are dropped (`trimNewline`), a BOM is dropped
//!   from the first line (`discardBOM`). A line longer than 64 KiB stops `bufio.Scanner`, and the
//!   build fails ([`Problem`]).
//! - Parser directives (`DirectiveParser.ParseLine`): `# name=value` lines at the very top, the
//!   name case-insensitive and one of `syntax`, `escape`, `check`. The first line that is not one
//!   (a blank line, a plain comment, an instruction) ends them. A repeated directive and an escape
//!   other than `\` or `` ` `` are errors.
//! - An instruction's first line loses its leading blanks; a comment line is skipped. A line
//!   ending in the escape character (then blanks) continues (`trimContinuationCharacter`, whose
//!   regular expression refuses an escape preceded by another escape: `a \\` does not continue).
//!   Inside a continued instruction, comment lines and blank lines are skipped and do not end it.
//!   Pieces are joined with nothing in between, so the logical line maps back to the file piece
//!   by piece (`Logical`).
//! - `splitCommand` and `extractBuilderFlags`: the keyword is the first word (case-insensitive);
//!   words starting with `--` right after it are flags (quotes removed, escapes applied), for
//!   every instruction; `--` alone ends them.
//! - `parseMaybeJSON`: arguments starting with `[` that parse as a JSON array of strings are the
//!   exec form; an array holding anything else is an error; anything that is not JSON is the
//!   shell form, kept as written (continuations removed).
//! - Heredocs (`heredocsFromLine`, `heredocFromMatch`): only for `RUN`, `COPY`, `ADD` (also under
//!   `ONBUILD`) in shell form. Each word of the line matching `^(\d*)<<(-?)\s*([^<]*)$` opens one,
//!   in order; a quoted delimiter turns expansion off; `<<-` strips leading tabs from the body and
//!   the terminator. The body is the lines after the instruction up to the delimiter alone on a
//!   line; a missing one is an error. If the line has an unclosed quote, BuildKit's lexer fails
//!   and the line opens no heredoc at all.
//! - `ENV`/`LABEL` (`parseNameVal`): `k=v k2="v 2"`, or the legacy `ENV k v w` when the first
//!   word has no `=`. Values lose their quotes as BuildKit's shell lexer (`shell/lex.go`)
//!   removes them; `$VAR` is kept as written (no expansion). `ARG` (`parseNameOrNameVal`) keeps
//!   `name[=default]`; an `ARG` before the first `FROM` is global.
//! - `FROM image [AS name]` with `--platform=`; stage names are lowercased and must match
//!   `^[a-z][a-z0-9-_.]*$` (`parseBuildStageName`). A stage whose image is the name of an earlier
//!   stage starts from that stage (dockerfile2llb's `addState`: exact match against the
//!   lowercased names, the latest such stage wins).
//! - `HEALTHCHECK NONE` or `HEALTHCHECK [--interval= --timeout= --start-period= --start-interval=
//!   --retries=] CMD ...` (`parseHealthConfig`, `parseHealthcheck`).
//! - Flags are checked against each instruction's set in this BuildKit version (`BFlags.Parse`):
//!   an unknown flag, a duplicate and a missing value are errors.
//!
//! Where BuildKit stops at the first error, this reader records a [`Problem`] and goes on, so
//! one mistake does not hide the rest of the file.
//!
//! Left out: `$VAR` expansion (the engine knows the build arguments, not the reader), the
//! duration syntax of healthcheck options (kept as text), and the byte-wise quirks of
//! `extractBuilderFlags` and `parseHealthConfig`, which test single bytes of a multi-byte
//! character for spaces; here characters are characters.
//!
//! # Linear time
//!
//! Every line is read once: as part of one instruction or as part of one heredoc body. Each
//! instruction's logical line is scanned a fixed number of times (keyword, flags, arguments, a
//! JSON pass that keeps its nesting on a heap stack, heredoc words), and a position in it is
//! mapped back to the file by binary search over its pieces.
//!
//! # One file
//!
//! Over the house's ~800 lines: the JSON reader and the shell-word helpers at the end belong
//! to this grammar alone (BuildKit's JSON rules and lexer quirks, not general ones), and are
//! the first candidates for submodules (`dockerfile/json.rs`, `dockerfile/words.rs`) once the
//! integration settles.

use std::ops::Range;

use super::Text;
use crate::source::Span;

/// A Dockerfile as BuildKit reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// The escape and line-continuation character: `\` unless `# escape=\``.
    pub escape: char,
    /// The `# syntax=` directive's value (the frontend image), when given.
    pub syntax: Option<Text>,
    /// The `ARG`s before the first `FROM`.
    pub global_args: Vec<ArgDecl>,
    /// In file order; the last one is the image that runs (without `--target`).
    pub stages: Vec<Stage>,
    /// What BuildKit would refuse, in file order.
    pub errors: Vec<Problem>,
}

/// A statement BuildKit would refuse, with BuildKit's message where it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub from: From,
    /// After the `FROM`, up to the next `FROM`.
    pub instructions: Vec<Instruction>,
}

/// A `FROM` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct From {
    /// The image (or an earlier stage's name), as written (`$ARG`s unexpanded).
    pub image: Text,
    /// The name after `AS`, as written (BuildKit compares it lowercased).
    pub name: Option<Text>,
    /// The value of `--platform=`.
    pub platform: Option<Text>,
    /// The whole instruction.
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyword {
    From,
    Run,
    Cmd,
    Entrypoint,
    Healthcheck,
    Env,
    Arg,
    Expose,
    Shell,
    Workdir,
    User,
    Copy,
    Add,
    Label,
    StopSignal,
    Volume,
    Onbuild,
    Maintainer,
    /// Not an instruction BuildKit knows (it refuses the file).
    Other,
}

impl Keyword {
    /// The keyword for a word written in any case (BuildKit lowercases it before dispatch).
    pub fn from_word(word: &str) -> Keyword {
        match word.to_ascii_lowercase().as_str() {
            "from" => Keyword::From,
            "run" => Keyword::Run,
            "cmd" => Keyword::Cmd,
            "entrypoint" => Keyword::Entrypoint,
            "healthcheck" => Keyword::Healthcheck,
            "env" => Keyword::Env,
            "arg" => Keyword::Arg,
            "expose" => Keyword::Expose,
            "shell" => Keyword::Shell,
            "workdir" => Keyword::Workdir,
            "user" => Keyword::User,
            "copy" => Keyword::Copy,
            "add" => Keyword::Add,
            "label" => Keyword::Label,
            "stopsignal" => Keyword::StopSignal,
            "volume" => Keyword::Volume,
            "onbuild" => Keyword::Onbuild,
            "maintainer" => Keyword::Maintainer,
            _ => Keyword::Other,
        }
    }

    /// The keyword as the documentation writes it.
    pub fn name(self) -> &'static str {
        match self {
            Keyword::From => "FROM",
            Keyword::Run => "RUN",
            Keyword::Cmd => "CMD",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Env => "ENV",
            Keyword::Arg => "ARG",
            Keyword::Expose => "EXPOSE",
            Keyword::Shell => "SHELL",
            Keyword::Workdir => "WORKDIR",
            Keyword::User => "USER",
            Keyword::Copy => "COPY",
            Keyword::Add => "ADD",
            Keyword::Label => "LABEL",
            Keyword::StopSignal => "STOPSIGNAL",
            Keyword::Volume => "VOLUME",
            Keyword::Onbuild => "ONBUILD",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Other => "(unknown)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub keyword: Keyword,
    pub keyword_span: Span,
    /// The whole instruction: continuation lines and heredoc bodies (with their terminators)
    /// included, line breaks after its last line not.
    pub span: Span,
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// `RUN`, `CMD`, `ENTRYPOINT`, and `SHELL` (always exec form when valid).
    Command(Command),
    Healthcheck(Healthcheck),
    /// Name and value, quotes removed as BuildKit's lexer removes them; no `$VAR` expansion.
    Env(Vec<(Text, Text)>),
    Arg(Vec<ArgDecl>),
    /// The ports (`8000`, `8000/tcp`, `$PORT`), quotes removed.
    Expose(Vec<Text>),
    /// `COPY` and `ADD`: everything after the keyword (flags included), continuations joined,
    /// trimmed; and the files written inline (`COPY <<EOF /app/start.sh`).
    Files {
        args: Text,
        heredocs: Vec<Heredoc>,
    },
    /// Everything after the keyword (flags included), continuations joined, trimmed.
    Other(Text),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgDecl {
    pub name: Text,
    /// After `=`, quotes removed; `None` for a bare `ARG name`.
    pub default: Option<Text>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The flags as BuildKit reads them (`--mount=type=cache,target=/root/.cache`), quotes
    /// removed.
    pub flags: Vec<Text>,
    pub form: CommandForm,
    pub heredocs: Vec<Heredoc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandForm {
    /// The JSON array's elements, unescaped.
    Exec(Vec<Text>),
    /// The command as written, continuations removed (empty for a bare `CMD`).
    Shell(Text),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter, quotes removed.
    pub delimiter: String,
    /// The lines between the instruction and the delimiter, line breaks included; with `<<-`,
    /// without their leading tabs.
    pub body: Text,
    /// `false` when the delimiter was quoted (`<<"EOF"`, `<<'EOF'`): no `$VAR` expansion.
    pub expands: bool,
    /// `<<-`: leading tabs stripped from the body and the terminator.
    pub strips_tabs: bool,
    /// The `<<EOF` word on the instruction's line.
    pub marker: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Healthcheck {
    /// `HEALTHCHECK NONE`: the span of `NONE`. Turns off a check inherited from the base image.
    None(Span),
    Check {
        /// Flag name without `--` (`interval`) and its value (`30s`).
        options: Vec<(Text, Text)>,
        command: Command,
    },
}

impl Stage {
    /// The last instruction with this keyword (the one that takes effect for `CMD`,
    /// `ENTRYPOINT`, `HEALTHCHECK`, `USER`, `WORKDIR`, `SHELL`).
    pub fn last(&self, keyword: Keyword) -> Option<&Instruction> {
        self.instructions
            .iter()
            .rev()
            .find(|instruction| instruction.keyword == keyword)
    }

    /// The instructions with this keyword, in order.
    pub fn all(&self, keyword: Keyword) -> impl Iterator<Item = &Instruction> {
        self.instructions
            .iter()
            .filter(move |instruction| instruction.keyword == keyword)
    }

    /// The stage's name, lowercased as BuildKit keys it.
    pub fn name(&self) -> Option<String> {
        self.from.name.as_ref().map(|name| name.text.to_lowercase())
    }
}

impl Body {
    fn collect_texts<'a>(&'a self, texts: &mut Vec<&'a Text>) {
        match self {
            Body::Command(command) => command.collect_texts(texts),
            Body::Healthcheck(Healthcheck::None(_)) => {}
            Body::Healthcheck(Healthcheck::Check { options, command }) => {
                for (name, value) in options {
                    texts.extend([name, value]);
                }
                command.collect_texts(texts);
            }
            Body::Env(pairs) => {
                for (name, value) in pairs {
                    texts.extend([name, value]);
                }
            }
            Body::Arg(args) => {
                for arg in args {
                    texts.extend(std::iter::once(&arg.name).chain(&arg.default));
                }
            }
            Body::Expose(ports) => texts.extend(ports),
            Body::Files { args, heredocs } => {
                texts.push(args);
                texts.extend(heredocs.iter().map(|heredoc| &heredoc.body));
            }
            Body::Other(text) => texts.push(text),
        }
    }
}

impl Command {
    fn collect_texts<'a>(&'a self, texts: &mut Vec<&'a Text>) {
        texts.extend(&self.flags);
        match &self.form {
            CommandForm::Exec(elements) => texts.extend(elements),
            CommandForm::Shell(text) => texts.push(text),
        }
        texts.extend(self.heredocs.iter().map(|heredoc| &heredoc.body));
    }
}

impl Dockerfile {
    /// The stage that is built and run without `--target`: the last one.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// The stage a `FROM <name>` written after all stages refers to: the last stage named
    /// `name` (BuildKit keys stages by lowercased name, later ones replacing earlier ones, and
    /// looks `<name>` up as written, so `FROM Builder` is an image, not the stage `builder`).
    pub fn stage_named(&self, name: &str) -> Option<&Stage> {
        self.stage_named_before(name, self.stages.len())
    }

    /// The stage a stage starts from, when its `FROM` names an earlier stage.
    pub fn base_stage(&self, index: usize) -> Option<&Stage> {
        let stage = self.stages.get(index)?;
        self.stage_named_before(&stage.from.image.text, index)
    }

    /// The stage and the stages it is built on, nearest first: the last entry's `from.image` is
    /// the image the chain really starts from. Every step goes to an earlier stage, so the chain
    /// ends.
    pub fn ancestry(&self, index: usize) -> Vec<&Stage> {
        let mut chain = Vec::new();
        let mut current = index;
        while let Some(stage) = self.stages.get(current) {
            chain.push(stage);
            match self.base_index(current) {
                Some(base) => current = base,
                None => break,
            }
        }
        chain
    }

    /// Every [`Text`] read, in no particular order: for a check over all of them (masking,
    /// the fuzz target's mapping check).
    pub fn texts(&self) -> Vec<&Text> {
        let mut texts: Vec<&Text> = self.syntax.iter().collect();
        for arg in &self.global_args {
            texts.extend(std::iter::once(&arg.name).chain(&arg.default));
        }
        for stage in &self.stages {
            let from = &stage.from;
            texts.extend(
                std::iter::once(&from.image)
                    .chain(&from.name)
                    .chain(&from.platform),
            );
            for instruction in &stage.instructions {
                instruction.body.collect_texts(&mut texts);
            }
        }
        texts
    }

    fn stage_named_before(&self, name: &str, end: usize) -> Option<&Stage> {
        self.stage_index_before(name, end)
            .and_then(|index| self.stages.get(index))
    }

    fn base_index(&self, index: usize) -> Option<usize> {
        let stage = self.stages.get(index)?;
        self.stage_index_before(&stage.from.image.text, index)
    }

    fn stage_index_before(&self, name: &str, end: usize) -> Option<usize> {
        self.stages
            .get(..end)?
            .iter()
            .rposition(|stage| stage.name().as_deref() == Some(name))
    }
}

/// Read a Dockerfile as BuildKit does. Never fails: what BuildKit would refuse is in `errors`,
/// and the rest is read.
pub fn parse(text: &str) -> Dockerfile {
    let mut reader = Reader {
        text,
        next: 0,
        escape: '\\',
        directives_done: false,
        directives_seen: Vec::new(),
        long_line_reported: false,
        instructions_seen: 0,
        file: Dockerfile {
            escape: '\\',
            syntax: None,
            global_args: Vec::new(),
            stages: Vec::new(),
            errors: Vec::new(),
        },
    };
    reader.read();
    reader.file.escape = reader.escape;
    reader.file
}

/// `bufio.MaxScanTokenSize`: BuildKit's scanner gives up on a longer line.
const MAX_LINE: usize = 64 * 1024;

/// BuildKit's `maxNestingDepth` of Go's JSON decoder.
const MAX_JSON_DEPTH: usize = 10_000;

/// One physical line: `start..content_end` without the line break(s), `end` past them.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    content_end: usize,
    end: usize,
}

struct Reader<'a> {
    text: &'a str,
    next: usize,
    escape: char,
    directives_done: bool,
    directives_seen: Vec<String>,
    long_line_reported: bool,
    instructions_seen: usize,
    file: Dockerfile,
}

/// `reWhitespace` in parser.go: `[\t\v\f\r ]`.
fn is_separator(ch: char) -> bool {
    matches!(ch, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// `\s` of Go's regular expressions.
fn is_regex_space(ch: char) -> bool {
    matches!(ch, '\t' | '\n' | '\u{c}' | '\r' | ' ')
}

impl Reader<'_> {
    fn problem(&mut self, span: Span, message: impl Into<String>) {
        self.file.errors.push(Problem {
            span,
            message: message.into(),
        });
    }

    /// `scanLines` then `trimNewline`.
    fn next_line(&mut self) -> Option<Line> {
        let start = self.next;
        if start >= self.text.len() {
            return None;
        }
        let rest = self.text.get(start..)?;
        let end = rest.find('\n').map_or(self.text.len(), |at| start + at + 1);
        let bytes = self.text.as_bytes();
        let mut content_end = end;
        while content_end > start && matches!(bytes.get(content_end - 1), Some(b'\r' | b'\n')) {
            content_end -= 1;
        }
        self.next = end;
        if end - start > MAX_LINE && !self.long_line_reported {
            self.long_line_reported = true;
            self.problem(
                start..content_end,
                format!(
                    "dockerfile line greater than max allowed size of {}",
                    MAX_LINE - 1
                ),
            );
        }
        Some(Line {
            start,
            content_end,
            end,
        })
    }

    fn slice(&self, range: Range<usize>) -> &str {
        self.text.get(range).unwrap_or("")
    }

    /// `Parse` in parser.go: one instruction per iteration, continuation lines and heredoc
    /// bodies included.
    fn read(&mut self) {
        while let Some(line) = self.next_line() {
            let mut start = line.start;
            if start == 0 && self.slice(0..line.content_end).starts_with('\u{feff}') {
                start += '\u{feff}'.len_utf8();
            }
            let raw = self.slice(start..line.content_end);
            start += raw.len() - raw.trim_start().len();
            if !self.directives_done {
                self.directive(start..line.content_end);
            }
            let content = self.slice(start..line.content_end);
            if content.starts_with('#') {
                continue;
            }
            let (mut continues, piece_end) = self.continuation(start..line.content_end);
            if !continues && piece_end == start {
                continue;
            }
            let mut logical = Logical::new(start);
            logical.push(self.text, start..piece_end);
            let mut end = line.content_end;
            while continues {
                let Some(next) = self.next_line() else { break };
                let raw = self.slice(next.start..next.content_end);
                if raw.trim_start().starts_with('#') || raw.trim_start().is_empty() {
                    continue;
                }
                let (more, piece_end) = self.continuation(next.start..next.content_end);
                logical.push(self.text, next.start..piece_end);
                end = next.content_end;
                continues = more;
            }
            self.instruction(&logical, start..end);
        }
        if self.instructions_seen == 0 {
            let end = self.text.len();
            self.problem(end..end, "file with no instructions");
        } else if self.file.stages.is_empty() {
            let end = self.text.len();
            self.problem(end..end, "dockerfile contains no stages to build");
        }
    }

    /// `DirectiveParser.ParseLine`, on a line whose leading blanks are gone.
    fn directive(&mut self, range: Range<usize>) {
        let line = self.slice(range.clone());
        let Some(after_hash) = line.strip_prefix('#') else {
            self.directives_done = true;
            return;
        };
        let body = after_hash.trim_start();
        // ^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$
        let name_len = body
            .char_indices()
            .find(|&(at, ch)| !(ch.is_ascii_alphabetic() || (at > 0 && ch.is_ascii_digit())))
            .map_or(body.len(), |(at, _)| at);
        let after_name = body.get(name_len..).unwrap_or("");
        let Some(after_equals) = after_name
            .trim_start_matches(is_regex_space)
            .strip_prefix('=')
        else {
            self.directives_done = true;
            return;
        };
        let value_area = after_equals.trim_start_matches(is_regex_space);
        let mut value = value_area.trim_end_matches(is_regex_space);
        // `value` starts `suffix` bytes before the end of the line.
        let mut suffix = value_area.len();
        if value.is_empty() {
            // `(.+?)` takes one character when only blanks follow the `=`.
            value = match after_equals.char_indices().next_back() {
                Some((at, _)) => after_equals.get(at..).unwrap_or(""),
                None => "",
            };
            suffix = value.len();
        }
        if name_len == 0 || value.is_empty() {
            self.directives_done = true;
            return;
        }
        let name = body.get(..name_len).unwrap_or("").to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.directives_done = true;
            return;
        }
        let value_start = range.end - suffix;
        let value_span = value_start..value_start + value.len();
        if self.directives_seen.contains(&name) {
            self.problem(
                range,
                format!("only one {name} parser directive can be used"),
            );
            return;
        }
        match name.as_str() {
            "escape" => match value {
                "\\" => self.escape = '\\',
                "`" => self.escape = '`',
                _ => self.problem(
                    value_span.clone(),
                    format!("invalid escape token '{value}' does not match ` or \\"),
                ),
            },
            "syntax" => self.file.syntax = Some(Text::verbatim(value, value_span)),
            _ => {}
        }
        self.directives_seen.push(name);
    }

    /// `trimContinuationCharacter`: whether the line continues, and where its piece ends. The
    /// regular expression `([^E])E[ \t]*$|^E[ \t]*$` keeps the character before the escape.
    fn continuation(&self, range: Range<usize>) -> (bool, usize) {
        let line = self.slice(range.clone());
        let trimmed = line.trim_end_matches([' ', '\t']);
        if let Some(before) = trimmed.strip_suffix(self.escape) {
            if !before.ends_with(self.escape) {
                return (true, range.start + before.len());
            }
        }
        (false, range.end)
    }

    /// `newNodeFromLine` and `instructions.ParseInstruction` for one logical line; then the
    /// heredoc bodies that follow it.
    fn instruction(&mut self, logical: &Logical, mut span: Span) {
        let line = logical.text.as_str();
        let lead = line.len() - line.trim_start().len();
        let trail = line.trim_end().len();
        if lead >= trail {
            self.problem(span, "a line continuation with no instruction after it");
            return;
        }
        self.instructions_seen += 1;
        span.start = logical.at(lead);
        let keyword_end = line
            .get(lead..trail)
            .and_then(|rest| rest.find(is_separator))
            .map_or(trail, |at| lead + at);
        let rest_start = line.get(keyword_end..trail).map_or(trail, |rest| {
            trail - rest.trim_start_matches(is_separator).len()
        });
        let keyword_word = line.get(lead..keyword_end).unwrap_or("");
        let keyword = Keyword::from_word(keyword_word);
        let keyword_span = logical.span(lead..keyword_end);
        let (flags, args_start) = extract_flags(logical, rest_start..trail, self.escape);
        let args = trim_range(line, args_start..trail);

        let mut context = Context {
            logical,
            span: span.clone(),
            escape: self.escape,
            problems: Vec::new(),
        };
        let mut heredoc_capable = false;
        let body = match keyword {
            Keyword::From => {
                context.check_flags(keyword, &flags);
                let from = context.from(&flags, args.clone());
                for problem in context.problems {
                    self.file.errors.push(problem);
                }
                self.file.stages.push(Stage {
                    from,
                    instructions: Vec::new(),
                });
                return;
            }
            Keyword::Run | Keyword::Cmd | Keyword::Entrypoint | Keyword::Shell => {
                context.check_flags(keyword, &flags);
                let (command, json) = context.command(flags, args.clone());
                if keyword == Keyword::Shell && !json {
                    let message = if args.is_empty() {
                        "SHELL requires at least one argument"
                    } else {
                        "SHELL requires the arguments to be in JSON form"
                    };
                    context.problem(message);
                }
                if keyword == Keyword::Shell
                    && matches!(&command.form, CommandForm::Exec(elements) if elements.is_empty())
                {
                    context.problem("SHELL requires at least one argument");
                }
                heredoc_capable = keyword == Keyword::Run && !json;
                Body::Command(command)
            }
            Keyword::Healthcheck => context.healthcheck(keyword, &flags, args.clone()),
            Keyword::Env => {
                context.check_flags(keyword, &flags);
                Body::Env(context.name_values("ENV", args.clone()))
            }
            Keyword::Label => {
                context.check_flags(keyword, &flags);
                context.name_values("LABEL", args.clone());
                Body::Other(context.rest(rest_start..trail))
            }
            // `parseArg` never parses its flags: they are dropped silently.
            Keyword::Arg => Body::Arg(context.args(args.clone())),
            Keyword::Expose => {
                context.check_flags(keyword, &flags);
                Body::Expose(context.expose(args.clone()))
            }
            Keyword::Copy | Keyword::Add | Keyword::Volume => {
                context.check_flags(keyword, &flags);
                let json = context.list(keyword, args.clone());
                let rest = context.rest(rest_start..trail);
                if keyword == Keyword::Volume {
                    Body::Other(rest)
                } else {
                    heredoc_capable = !json;
                    Body::Files {
                        args: rest,
                        heredocs: Vec::new(),
                    }
                }
            }
            Keyword::Onbuild => {
                context.check_flags(keyword, &flags);
                heredoc_capable = context.onbuild(args.clone());
                Body::Other(context.rest(rest_start..trail))
            }
            Keyword::Workdir | Keyword::User | Keyword::Maintainer | Keyword::StopSignal => {
                // `parseStopSignal` never parses its flags.
                if keyword != Keyword::StopSignal {
                    context.check_flags(keyword, &flags);
                }
                if args.is_empty() {
                    context.problem(format!("{} requires exactly one argument", keyword.name()));
                }
                Body::Other(context.rest(rest_start..trail))
            }
            Keyword::Other => {
                // Only the word's name: `DB_PASSWORD=...` after a continuation that lost its
                // `\` is an unknown instruction whose value must not be quoted.
                let shown = keyword_word.split('=').next().unwrap_or_default();
                context.problem(format!("unknown instruction: {shown}"));
                Body::Other(context.rest(rest_start..trail))
            }
        };
        let mut problems = context.problems;

        let mut heredocs = Vec::new();
        if heredoc_capable && line.contains("<<") {
            for word in heredoc_words(logical) {
                match self.heredoc_body(&word) {
                    Some((body, end)) => {
                        span.end = end;
                        heredocs.push(Heredoc {
                            delimiter: word.delimiter,
                            body,
                            expands: word.expands,
                            strips_tabs: word.strips_tabs,
                            marker: word.marker,
                        });
                    }
                    None => {
                        let end = self.text.len();
                        let body = Text::verbatim(self.slice(self.next..end), self.next..end);
                        span.end = span.end.max(self.text.trim_end().len());
                        self.next = end;
                        problems.push(Problem {
                            span: span.clone(),
                            message: "unterminated heredoc".to_owned(),
                        });
                        heredocs.push(Heredoc {
                            delimiter: word.delimiter,
                            body,
                            expands: word.expands,
                            strips_tabs: word.strips_tabs,
                            marker: word.marker,
                        });
                        break;
                    }
                }
            }
        }
        let body = match body {
            Body::Command(mut command) => {
                command.heredocs = heredocs;
                Body::Command(command)
            }
            Body::Files { args, .. } => Body::Files { args, heredocs },
            other => other,
        };
        let instruction = Instruction {
            keyword,
            keyword_span,
            span: span.clone(),
            body,
        };
        match self.file.stages.last_mut() {
            Some(stage) => stage.instructions.push(instruction),
            None => match instruction.body {
                Body::Arg(args) => self.file.global_args.extend(args),
                _ => problems.push(Problem {
                    span,
                    message: "no build stage in current context".to_owned(),
                }),
            },
        }
        self.file.errors.extend(problems);
    }

    /// The body of one heredoc, from the next line to the line holding only its delimiter
    /// (leading tabs removed first with `<<-`); its end is that line's end. `None` when the
    /// file ends first.
    fn heredoc_body(&mut self, word: &HeredocWord) -> Option<(Text, usize)> {
        let body_start = self.next;
        let mut body_end = body_start;
        let mut lines = Vec::new();
        while let Some(line) = self.next_line() {
            let content = self.slice(line.start..line.content_end);
            let candidate = if word.strips_tabs {
                content.trim_start_matches('\t')
            } else {
                content
            };
            if candidate == word.delimiter {
                let body = if word.strips_tabs {
                    let mut builder = Builder::new(body_start);
                    for line in &lines {
                        let Line { start, end, .. } = *line;
                        let text = self.slice(start..end);
                        let tabs = text.len() - text.trim_start_matches('\t').len();
                        builder.push_slice(self.text, start + tabs..end);
                    }
                    builder.finish()
                } else {
                    Text::verbatim(self.slice(body_start..body_end), body_start..body_end)
                };
                return Some((body, line.content_end));
            }
            body_end = line.end;
            if word.strips_tabs {
                lines.push(line);
            }
        }
        self.next = body_start;
        None
    }
}

/// One instruction's joined lines, and where each piece came from in the file.
#[derive(Debug)]
struct Logical {
    text: String,
    /// (offset in `text`, offset in the file) of each piece, in order.
    pieces: Vec<(usize, usize)>,
    /// Where the instruction starts in the file (for empty texts).
    start: usize,
}

impl Logical {
    fn new(start: usize) -> Self {
        Logical {
            text: String::new(),
            pieces: Vec::new(),
            start,
        }
    }

    fn push(&mut self, file: &str, range: Range<usize>) {
        if let Some(piece) = file.get(range.clone()).filter(|piece| !piece.is_empty()) {
            self.pieces.push((self.text.len(), range.start));
            self.text.push_str(piece);
        }
    }

    /// The file offset of the byte at `at` in the text; past the end, just past the last byte.
    fn at(&self, at: usize) -> usize {
        if at >= self.text.len() {
            return match at.checked_sub(1) {
                Some(last) if last < self.text.len() => self.at(last) + 1,
                _ => self.start,
            };
        }
        let index = self.pieces.partition_point(|&(text, _)| text <= at);
        match index
            .checked_sub(1)
            .and_then(|index| self.pieces.get(index))
        {
            Some(&(text, file)) => file + (at - text),
            None => self.start,
        }
    }

    /// The file span of a range of the text: from its first byte to just past its last.
    fn span(&self, range: Range<usize>) -> Span {
        if range.start >= range.end {
            let at = self.at(range.start);
            return at..at;
        }
        self.at(range.start)..self.at(range.end - 1) + 1
    }

    /// A range of the text as a [`Text`]: verbatim when it lies in one piece.
    fn text(&self, range: Range<usize>) -> Text {
        let mut builder = Builder::new(self.at(range.start));
        if let Some(text) = self.text.get(range.clone()) {
            for (at, ch) in text.char_indices() {
                builder.take(self, range.start + at, ch);
            }
        }
        builder.finish()
    }
}

/// Builds a [`Text`] character by character, each taken from the file or produced by an
/// escape.
struct Builder {
    text: String,
    offsets: Vec<usize>,
    start: usize,
    end: usize,
}

impl Builder {
    fn new(start: usize) -> Self {
        Builder {
            text: String::new(),
            offsets: Vec::new(),
            start,
            end: start,
        }
    }

    /// `ch`, written at byte `at` of the logical line.
    fn take(&mut self, logical: &Logical, at: usize, ch: char) {
        let file = logical.at(at);
        self.text.push(ch);
        self.offsets
            .extend((0..ch.len_utf8()).map(|byte| file + byte));
        self.end = file + ch.len_utf8();
    }

    /// `ch`, produced by an escape written at `written` in the file (`\n`, `\u00e9`).
    fn produce(&mut self, ch: char, written: Span) {
        self.text.push(ch);
        self.offsets
            .extend(std::iter::repeat_n(written.start, ch.len_utf8()));
        self.end = written.end;
    }

    /// The bytes at `range` of the file, as they are.
    fn push_slice(&mut self, file: &str, range: Range<usize>) {
        if let Some(piece) = file.get(range.clone()).filter(|piece| !piece.is_empty()) {
            self.text.push_str(piece);
            self.offsets.extend(range.clone());
            self.end = range.end;
        }
    }

    fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    fn finish(mut self) -> Text {
        let Some(&first) = self.offsets.first() else {
            return Text::verbatim("", self.start..self.start);
        };
        let contiguous = self
            .offsets
            .iter()
            .enumerate()
            .all(|(index, &offset)| offset == first + index)
            && self.end == first + self.text.len();
        if contiguous {
            let span = first..self.end;
            Text::verbatim(self.text, span)
        } else {
            self.offsets.push(self.end);
            Text::mapped(self.text, self.offsets)
        }
    }
}

/// `range` without leading and trailing Unicode white space (Go's `strings.TrimSpace`).
fn trim_range(line: &str, range: Range<usize>) -> Range<usize> {
    let Some(text) = line.get(range.clone()) else {
        return range.end..range.end;
    };
    let start = range.start + (text.len() - text.trim_start().len());
    let end = range.start + text.trim_end().len();
    if start >= end { end..end } else { start..end }
}

/// `extractBuilderFlags`: the `--flag` words after the keyword (quotes removed, escapes
/// applied), and where the arguments start.
fn extract_flags(logical: &Logical, range: Range<usize>, escape: char) -> (Vec<Text>, usize) {
    let line = logical.text.get(..range.end).unwrap_or("");
    let mut flags = Vec::new();
    let mut chars = line
        .get(range.start..)
        .unwrap_or("")
        .char_indices()
        .map(|(at, ch)| (range.start + at, ch))
        .peekable();
    loop {
        // Looking for the start of a word.
        let start = loop {
            match chars.peek() {
                None => return (flags, range.end),
                Some(&(_, ch)) if ch.is_whitespace() => {
                    chars.next();
                }
                Some(&(at, _)) => break at,
            }
        };
        if !line.get(start..).unwrap_or("").starts_with("--") {
            return (flags, start);
        }
        let mut word = Builder::new(logical.at(start));
        let mut blank_ok = false;
        let mut quote: Option<char> = None;
        loop {
            let Some((at, ch)) = chars.next() else {
                if word.text != "--" && (blank_ok || !word.is_empty()) {
                    flags.push(word.finish());
                }
                return (flags, range.end);
            };
            match quote {
                None => {
                    if ch.is_whitespace() {
                        if word.text == "--" {
                            return (flags, at);
                        }
                        if blank_ok || !word.is_empty() {
                            flags.push(word.finish());
                        }
                        break;
                    }
                    if ch == '\'' || ch == '"' {
                        quote = Some(ch);
                        blank_ok = true;
                    } else if ch == escape {
                        if let Some((at, ch)) = chars.next() {
                            word.take(logical, at, ch);
                        }
                    } else {
                        word.take(logical, at, ch);
                    }
                }
                Some(open) => {
                    if ch == open {
                        quote = None;
                    } else if ch == escape {
                        match chars.next() {
                            Some((at, ch)) => word.take(logical, at, ch),
                            None => quote = None,
                        }
                    } else {
                        word.take(logical, at, ch);
                    }
                }
            }
        }
    }
}

/// The kinds of flag `BFlags` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FlagKind {
    Bool,
    String,
    Strings,
}

/// The flags each instruction registers before `BFlags.Parse` in this BuildKit version
/// (`instructions/parse.go`, and `commands_run*.go` for `RUN`).
fn known_flags(keyword: Keyword) -> &'static [(&'static str, FlagKind)] {
    use FlagKind::{Bool, String, Strings};
    match keyword {
        Keyword::From => &[("platform", String)],
        Keyword::Run => &[
            ("mount", Strings),
            ("network", String),
            ("security", String),
            ("device", Strings),
        ],
        Keyword::Copy => &[
            ("chown", String),
            ("from", String),
            ("chmod", String),
            ("link", Bool),
            ("exclude", Strings),
            ("parents", Bool),
        ],
        Keyword::Add => &[
            ("chown", String),
            ("chmod", String),
            ("link", Bool),
            ("keep-git-dir", Bool),
            ("checksum", String),
            ("unpack", Bool),
            ("exclude", Strings),
        ],
        Keyword::Healthcheck => &[
            ("interval", String),
            ("timeout", String),
            ("start-period", String),
            ("start-interval", String),
            ("retries", String),
        ],
        Keyword::Cmd
        | Keyword::Entrypoint
        | Keyword::Env
        | Keyword::Arg
        | Keyword::Expose
        | Keyword::Shell
        | Keyword::Workdir
        | Keyword::User
        | Keyword::Label
        | Keyword::StopSignal
        | Keyword::Volume
        | Keyword::Onbuild
        | Keyword::Maintainer
        | Keyword::Other => &[],
    }
}

/// What one instruction's dispatch needs, and the problems it finds.
struct Context<'a> {
    logical: &'a Logical,
    span: Span,
    escape: char,
    problems: Vec<Problem>,
}

/// How a JSON argument list read.
enum Json {
    /// Not JSON, or not an array: BuildKit takes the shell form.
    No,
    /// An array holding something other than a string: BuildKit refuses it.
    NotStrings,
    Strings(Vec<Text>),
}

impl<'a> Context<'a> {
    fn problem(&mut self, message: impl Into<String>) {
        self.problems.push(Problem {
            span: self.span.clone(),
            message: message.into(),
        });
    }

    fn problem_at(&mut self, span: Span, message: impl Into<String>) {
        self.problems.push(Problem {
            span,
            message: message.into(),
        });
    }

    fn line(&self) -> &'a str {
        &self.logical.text
    }

    fn rest(&self, range: Range<usize>) -> Text {
        self.logical.text(range)
    }

    /// `BFlags.Parse` with the instruction's flags.
    fn check_flags(&mut self, keyword: Keyword, flags: &[Text]) {
        let known = known_flags(keyword);
        let mut used: Vec<&str> = Vec::new();
        for flag in flags {
            let written = flag.text.as_str();
            if written == "--" {
                return;
            }
            let (name, value) = match written.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (written, None),
            };
            let bare = name.get(2..).unwrap_or("");
            let Some(&(_, kind)) = known.iter().find(|(known, _)| *known == bare) else {
                self.problem_at(flag.span.clone(), format!("unknown flag: {name}"));
                continue;
            };
            if used.contains(&bare) && kind != FlagKind::Strings {
                self.problem_at(
                    flag.span.clone(),
                    format!("duplicate flag specified: {name}"),
                );
                continue;
            }
            used.push(bare);
            match (kind, value) {
                (FlagKind::Bool, Some("")) | (FlagKind::String | FlagKind::Strings, None) => {
                    self.problem_at(
                        flag.span.clone(),
                        format!("missing a value on flag: {name}"),
                    );
                }
                (FlagKind::Bool, Some(value))
                    if !matches!(value.to_lowercase().as_str(), "true" | "false") =>
                {
                    self.problem_at(
                        flag.span.clone(),
                        format!("expecting boolean value for flag {name}"),
                    );
                }
                _ => {}
            }
        }
    }

    /// `parseJSON`: the arguments as a JSON array of strings.
    fn json(&self, args: Range<usize>) -> Json {
        read_json_array(self.logical, args)
    }

    /// `parseMaybeJSON` for `RUN`, `CMD`, `ENTRYPOINT`, `SHELL` and healthchecks; and whether
    /// it was the exec form.
    fn command(&mut self, flags: Vec<Text>, args: Range<usize>) -> (Command, bool) {
        let (form, json) = self.command_form(args);
        (
            Command {
                flags,
                form,
                heredocs: Vec::new(),
            },
            json,
        )
    }

    fn command_form(&mut self, args: Range<usize>) -> (CommandForm, bool) {
        if args.is_empty() {
            return (CommandForm::Shell(self.logical.text(args)), false);
        }
        match self.json(args.clone()) {
            Json::Strings(elements) => (CommandForm::Exec(elements), true),
            Json::NotStrings => {
                self.problem(
                    "when using JSON array syntax, arrays must be comprised of strings only",
                );
                (CommandForm::Shell(self.logical.text(args)), false)
            }
            Json::No => (CommandForm::Shell(self.logical.text(args)), false),
        }
    }

    /// `parseMaybeJSONToList` for `COPY`, `ADD`, `VOLUME`, with their argument counts; whether
    /// it was JSON.
    fn list(&mut self, keyword: Keyword, args: Range<usize>) -> bool {
        let (count, json) = match self.json(args.clone()) {
            Json::Strings(elements) => (elements.len(), true),
            Json::NotStrings => {
                self.problem(
                    "when using JSON array syntax, arrays must be comprised of strings only",
                );
                return false;
            }
            Json::No => (
                self.line().get(args).map_or(0, |args| {
                    args.split(is_separator).filter(|w| !w.is_empty()).count()
                }),
                false,
            ),
        };
        match keyword {
            Keyword::Volume if count == 0 => self.problem("VOLUME requires at least one argument"),
            Keyword::Copy | Keyword::Add if count < 2 => self.problem(format!(
                "{} requires at least two arguments, but only one was provided. Destination could not be determined",
                keyword.name()
            )),
            _ => {}
        }
        json
    }

    /// `parseSubCommand` and `parseOnBuild`: whether the trigger can hold heredocs.
    fn onbuild(&mut self, args: Range<usize>) -> bool {
        if args.is_empty() {
            self.problem("ONBUILD requires at least one argument");
            return false;
        }
        let line = self.line();
        let rest = line.get(args.clone()).unwrap_or("");
        let word_len = rest.find(is_separator).unwrap_or(rest.len());
        let trigger = Keyword::from_word(rest.get(..word_len).unwrap_or(""));
        let sub_start = args.start + word_len;
        let sub_start = line.get(sub_start..args.end).map_or(args.end, |sub| {
            args.end - sub.trim_start_matches(is_separator).len()
        });
        match trigger {
            Keyword::Onbuild => {
                self.problem("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
                false
            }
            Keyword::Maintainer | Keyword::From => {
                self.problem(format!(
                    "{} isn't allowed as an ONBUILD trigger",
                    trigger.name()
                ));
                false
            }
            Keyword::Run | Keyword::Copy | Keyword::Add => {
                let (_, sub_args) = extract_flags(self.logical, sub_start..args.end, self.escape);
                let sub_args = trim_range(self.line(), sub_args..args.end);
                !matches!(self.json(sub_args), Json::Strings(_))
            }
            _ => false,
        }
    }

    /// `parseHealthConfig` then `parseHealthcheck`.
    fn healthcheck(&mut self, keyword: Keyword, flags: &[Text], args: Range<usize>) -> Body {
        let line = self.line();
        let rest = line.get(args.clone()).unwrap_or("");
        let type_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        if type_len == 0 {
            self.problem("HEALTHCHECK requires at least one argument");
            return Body::Other(self.logical.text(args));
        }
        let type_range = args.start..args.start + type_len;
        let kind = rest.get(..type_len).unwrap_or("").to_uppercase();
        let command_start = line
            .get(type_range.end..args.end)
            .map_or(args.end, |tail| args.end - tail.trim_start().len());
        let command_args = command_start..args.end;
        if kind == "NONE" {
            // `HEALTHCHECK NONE` never parses its flags.
            if !command_args.is_empty() {
                self.problem("HEALTHCHECK NONE takes no arguments");
            }
            return Body::Healthcheck(Healthcheck::None(self.logical.span(type_range)));
        }
        self.check_flags(keyword, flags);
        if kind != "CMD" {
            let written = rest.get(..type_len).unwrap_or("");
            self.problem(format!("Unknown type {written:?} in HEALTHCHECK (try CMD)"));
        }
        let (form, _) = self.command_form(command_args);
        let empty = match &form {
            CommandForm::Exec(elements) => elements.is_empty(),
            CommandForm::Shell(text) => text.text.is_empty(),
        };
        if empty && kind == "CMD" {
            self.problem("Missing command after HEALTHCHECK CMD");
        }
        let options = flags
            .iter()
            .filter_map(|flag| {
                let equals = flag.text.find('=')?;
                let name = sub_text(flag, 2.min(equals)..equals);
                let value = sub_text(flag, equals + 1..flag.text.len());
                Some((name, value))
            })
            .collect();
        Body::Healthcheck(Healthcheck::Check {
            options,
            command: Command {
                flags: Vec::new(),
                form,
                heredocs: Vec::new(),
            },
        })
    }

    /// `parseNameVal` then `parseKvps`, for `ENV` and `LABEL`.
    fn name_values(&mut self, keyword: &str, args: Range<usize>) -> Vec<(Text, Text)> {
        let words = split_words(self.line(), args.clone(), self.escape);
        let Some(first) = words.first() else {
            self.problem(format!("{keyword} requires at least one argument"));
            return Vec::new();
        };
        let line = self.line();
        let mut pairs = Vec::new();
        if !line.get(first.clone()).unwrap_or("").contains('=') {
            // The legacy `ENV name value with spaces`.
            let rest = line.get(args.clone()).unwrap_or("");
            let Some(separator) = rest.find(is_separator) else {
                self.problem(format!("{keyword} must have two arguments"));
                return Vec::new();
            };
            let value_start = rest.get(separator..).map_or(args.end, |tail| {
                args.end - tail.trim_start_matches(is_separator).len()
            });
            let name = self.unquote(args.start..args.start + separator);
            let value = self.unquote(value_start..args.end);
            pairs.push((name, value));
            return pairs;
        }
        for word in words {
            let written = line.get(word.clone()).unwrap_or("");
            let Some(equals) = written.find('=') else {
                // The word is not quoted: it may be part of a secret value written with a space.
                let _ = written;
                self.problem(format!(
                    "Syntax error - a word of {keyword} has no `=`. Must be of the form: name=value"
                ));
                continue;
            };
            if equals == 0 {
                self.problem(format!("{keyword} names can not be blank"));
                continue;
            }
            let name = self.unquote(word.start..word.start + equals);
            let value = self.unquote(word.start + equals + 1..word.end);
            pairs.push((name, value));
        }
        pairs
    }

    /// `parseNameOrNameVal` then `parseArg`.
    fn args(&mut self, args: Range<usize>) -> Vec<ArgDecl> {
        let words = split_words(self.line(), args, self.escape);
        if words.is_empty() {
            self.problem("ARG requires at least one argument");
        }
        let mut declarations = Vec::new();
        for word in words {
            let written = self.line().get(word.clone()).unwrap_or("");
            match written.find('=') {
                Some(0) => self.problem("ARG names can not be blank"),
                Some(equals) => declarations.push(ArgDecl {
                    name: self.logical.text(word.start..word.start + equals),
                    default: Some(self.unquote(word.start + equals + 1..word.end)),
                }),
                None => declarations.push(ArgDecl {
                    name: self.logical.text(word),
                    default: None,
                }),
            }
        }
        declarations
    }

    /// `parseStringsWhitespaceDelimited` then `parseExpose`.
    fn expose(&mut self, args: Range<usize>) -> Vec<Text> {
        let words = separated_words(self.line(), args);
        if words.is_empty() {
            self.problem("EXPOSE requires at least one argument");
        }
        words.into_iter().map(|word| self.unquote(word)).collect()
    }

    /// `parseStringsWhitespaceDelimited`, `parseBuildStageName` and `parseFrom`.
    fn from(&mut self, flags: &[Text], args: Range<usize>) -> From {
        let words = separated_words(self.line(), args.clone());
        let platform = flags.iter().rev().find_map(|flag| {
            let equals = flag.text.find('=')?;
            (flag.text.get(..equals) == Some("--platform"))
                .then(|| sub_text(flag, equals + 1..flag.text.len()))
        });
        let mut name = None;
        match words.as_slice() {
            [_] => {}
            [_, keyword, stage] if is_as(self.line().get(keyword.clone()).unwrap_or("")) => {
                let written = self.line().get(stage.clone()).unwrap_or("");
                if !is_stage_name(&written.to_lowercase()) {
                    self.problem(format!(
                        "invalid name for build stage: {written:?}, name can't start with a number or contain symbols"
                    ));
                }
                name = Some(self.logical.text(stage.clone()));
            }
            _ => self.problem("FROM requires either one or three arguments"),
        }
        let image = match words.first() {
            Some(word) => self.logical.text(word.clone()),
            None => self.logical.text(args),
        };
        From {
            image,
            name,
            platform,
            span: self.span.clone(),
        }
    }

    /// A word as BuildKit's shell lexer reads it (`processStopOn` with the file's escape),
    /// without expansion; a quote left open is a problem, and the word is then kept as written.
    fn unquote(&mut self, range: Range<usize>) -> Text {
        match unquote(self.logical, range.clone(), self.escape) {
            Ok(text) => text,
            Err(message) => {
                let span = self.logical.span(range.clone());
                self.problem_at(span, message);
                self.logical.text(range)
            }
        }
    }
}

/// `strings.EqualFold(word, "as")`, simple case folding included (`ſ` folds to `s`).
fn is_as(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(
        (chars.next(), chars.next(), chars.next()),
        (Some('a' | 'A'), Some('s' | 'S' | 'ſ'), None)
    )
}

/// `^[a-z][a-z0-9-_.]*$`.
fn is_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|first| first.is_ascii_lowercase())
        && chars.all(|ch| {
            ch.is_ascii_lowercase() || ch.is_ascii_digit() || matches!(ch, '-' | '_' | '.')
        })
}

/// Part of a [`Text`] as a [`Text`], each byte still mapped to where it was written.
fn sub_text(text: &Text, range: Range<usize>) -> Text {
    let range = range.start.min(text.text.len())..range.end.min(text.text.len());
    let Some(part) = text.text.get(range.clone()) else {
        let at = text.span.start;
        return Text::verbatim("", at..at);
    };
    let mut builder = Builder::new(text.span_of(range.start..range.start).start);
    for (at, ch) in part.char_indices() {
        let at = range.start + at;
        let written = text.span_of(at..at + ch.len_utf8());
        builder.text.push(ch);
        let first = written.start;
        let width = ch.len_utf8();
        if written.len() == width {
            builder.offsets.extend((0..width).map(|byte| first + byte));
        } else {
            builder.offsets.extend(std::iter::repeat_n(first, width));
        }
        builder.end = written.end;
    }
    builder.finish()
}

/// `reWhitespace.Split` of a trimmed range: the words between separators.
fn separated_words(line: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let Some(text) = line.get(range.clone()) else {
        return words;
    };
    let mut start = None;
    for (at, ch) in text.char_indices() {
        match (is_separator(ch), start) {
            (true, Some(from)) => {
                words.push(range.start + from..range.start + at);
                start = None;
            }
            (false, None) => start = Some(at),
            _ => {}
        }
    }
    if let Some(from) = start {
        words.push(range.start + from..range.end);
    }
    words
}

/// `parseWords`: words split on white space outside quotes, quotes and escapes kept; an escape
/// at the very end is dropped. Each word is a range of the line.
fn split_words(line: &str, range: Range<usize>, escape: char) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let Some(text) = line.get(range.clone()) else {
        return words;
    };
    let mut chars = text.char_indices().map(|(at, ch)| (range.start + at, ch));
    let mut word: Option<(usize, usize)> = None;
    let mut quote: Option<char> = None;
    while let Some((at, ch)) = chars.next() {
        let (start, mut end) = match word {
            Some(word) => word,
            None if ch.is_whitespace() => continue,
            None => (at, at),
        };
        let after = at + ch.len_utf8();
        match quote {
            None if ch.is_whitespace() => {
                if end > start {
                    words.push(start..end);
                }
                word = None;
                continue;
            }
            None if ch == '\'' || ch == '"' => {
                quote = Some(ch);
                end = after;
            }
            Some(open) if ch == open => {
                quote = None;
                end = after;
            }
            Some(open) if ch == escape && open == '\'' => end = after,
            _ if ch == escape => match chars.next() {
                Some((next, next_ch)) => end = next + next_ch.len_utf8(),
                // An escape at the very end is skipped (and closes a quote).
                None => quote = None,
            },
            _ => end = after,
        }
        word = Some((start, end));
    }
    if let Some((start, end)) = word {
        if end > start {
            words.push(start..end);
        }
    }
    words
}

/// BuildKit's shell lexer on one word (`processStopOn`, `processSingleQuote`,
/// `processDoubleQuote`) without `$` expansion: quotes removed, `E` + character gives the
/// character outside quotes, and inside double quotes only before `"`, `$` or `E`.
fn unquote(logical: &Logical, range: Range<usize>, escape: char) -> Result<Text, &'static str> {
    let text = logical.text.get(range.clone()).unwrap_or("");
    let mut builder = Builder::new(logical.at(range.start));
    let mut chars = text
        .char_indices()
        .map(|(at, ch)| (range.start + at, ch))
        .peekable();
    while let Some((at, ch)) = chars.next() {
        match ch {
            '\'' => loop {
                match chars.next() {
                    None => {
                        return Err(
                            "unexpected end of statement while looking for matching single-quote",
                        );
                    }
                    Some((_, '\'')) => break,
                    Some((at, ch)) => builder.take(logical, at, ch),
                }
            },
            '"' => loop {
                match chars.next() {
                    None => {
                        return Err(
                            "unexpected end of statement while looking for matching double-quote",
                        );
                    }
                    Some((_, '"')) => break,
                    Some((at, ch)) if ch == escape => match chars.peek().copied() {
                        None => {}
                        Some((next, next_ch))
                            if next_ch == '"' || next_ch == '$' || next_ch == escape =>
                        {
                            chars.next();
                            builder.take(logical, next, next_ch);
                        }
                        Some(_) => builder.take(logical, at, ch),
                    },
                    Some((at, ch)) => builder.take(logical, at, ch),
                }
            },
            _ if ch == escape => {
                if let Some((next, next_ch)) = chars.next() {
                    builder.take(logical, next, next_ch);
                }
            }
            _ => builder.take(logical, at, ch),
        }
    }
    Ok(builder.finish())
}

/// A heredoc opened on an instruction's line.
#[derive(Debug)]
struct HeredocWord {
    delimiter: String,
    expands: bool,
    strips_tabs: bool,
    marker: Span,
}

/// `heredocsFromLine`: the line's words as the lexer splits them (escape `\` whatever the
/// file's, quotes and escapes kept, `<<` and the blanks after it kept in the word), each
/// matched against `^(\d*)<<(-?)\s*([^<]*)$`. A quote left open makes the lexer fail, and
/// BuildKit then finds no heredoc on the line.
fn heredoc_words(logical: &Logical) -> Vec<HeredocWord> {
    let line = logical.text.as_str();
    let Some(words) = raw_words(line) else {
        return Vec::new();
    };
    let mut heredocs = Vec::new();
    for word in words {
        let written = line.get(word.clone()).unwrap_or("");
        let digits = written.len()
            - written
                .trim_start_matches(|ch: char| ch.is_ascii_digit())
                .len();
        let Some(after) = written
            .get(digits..)
            .and_then(|rest| rest.strip_prefix("<<"))
        else {
            continue;
        };
        let (strips_tabs, after) = match after.strip_prefix('-') {
            Some(after) => (true, after),
            None => (false, after),
        };
        let name = after.trim_start_matches(is_regex_space);
        if name.is_empty() || name.contains('<') {
            continue;
        }
        // `heredocFromMatch`: the name must lex to one word; quotes in it turn expansion off.
        let Some((delimiter, quoted)) = heredoc_name(name) else {
            continue;
        };
        heredocs.push(HeredocWord {
            delimiter,
            expands: !quoted,
            strips_tabs,
            marker: logical.span(word),
        });
    }
    heredocs
}

/// The lexer's word split with raw quotes and escapes (escape `\`); `None` on an open quote.
fn raw_words(line: &str) -> Option<Vec<Range<usize>>> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = line.char_indices().peekable();
    while let Some((at, ch)) = chars.next() {
        if ch.is_whitespace() {
            if let Some(from) = start.take() {
                words.push(from..at);
            }
            continue;
        }
        start.get_or_insert(at);
        match ch {
            '\\' => {
                chars.next();
            }
            '\'' => loop {
                match chars.next() {
                    None => return None,
                    Some((_, '\'')) => break,
                    Some(_) => {}
                }
            },
            '"' => loop {
                match chars.next() {
                    None => return None,
                    Some((_, '"')) => break,
                    Some((_, '\\')) => {
                        if let Some(&(_, '"' | '$' | '\\')) = chars.peek() {
                            chars.next();
                        }
                    }
                    Some(_) => {}
                }
            },
            '<' => {
                if let Some(&(_, '<')) = chars.peek() {
                    chars.next();
                    while let Some(&(_, '\t' | '\r' | ' ')) = chars.peek() {
                        chars.next();
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        words.push(from..line.len());
    }
    Some(words)
}

/// A heredoc name with quotes and escapes removed, and whether a quote was removed; `None`
/// when it is not exactly one non-empty word.
fn heredoc_name(name: &str) -> Option<(String, bool)> {
    let mut delimiter = String::new();
    let mut quoted = false;
    let mut chars = name.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\'' => {
                quoted = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        ch => delimiter.push(ch),
                    }
                }
            }
            '"' => {
                quoted = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.peek().copied() {
                            Some(next @ ('"' | '$' | '\\')) => {
                                chars.next();
                                delimiter.push(next);
                            }
                            _ => delimiter.push('\\'),
                        },
                        ch => delimiter.push(ch),
                    }
                }
            }
            '\\' => {
                if let Some(next) = chars.next() {
                    delimiter.push(next);
                }
            }
            ch if ch.is_whitespace() => return None,
            ch => delimiter.push(ch),
        }
    }
    (!delimiter.is_empty()).then_some((delimiter, quoted))
}

/// `parseJSON`: Go's `json.Unmarshal` of the arguments into `[]any`, then each element a
/// string. Nesting is followed on a heap stack, so depth costs no recursion.
fn read_json_array(logical: &Logical, range: Range<usize>) -> Json {
    let line = logical.text.as_bytes();
    let end = range.end.min(line.len());
    let mut at = range.start;
    if line.get(at) != Some(&b'[') {
        return Json::No;
    }
    at += 1;
    let mut elements = Vec::new();
    let mut all_strings = true;
    at = skip_json_space(line, at, end);
    if line.get(at) == Some(&b']') && at < end {
        at += 1;
    } else {
        loop {
            at = skip_json_space(line, at, end);
            if at >= end {
                return Json::No;
            }
            if line.get(at) == Some(&b'"') {
                match json_string(logical, at, end) {
                    Some((text, next)) => {
                        elements.push(text);
                        at = next;
                    }
                    None => return Json::No,
                }
            } else {
                match skip_json_value(line, at, end) {
                    Some(next) => {
                        all_strings = false;
                        at = next;
                    }
                    None => return Json::No,
                }
            }
            at = skip_json_space(line, at, end);
            match line.get(at) {
                Some(b',') if at < end => at += 1,
                Some(b']') if at < end => {
                    at += 1;
                    break;
                }
                _ => return Json::No,
            }
        }
    }
    if skip_json_space(line, at, end) != end {
        return Json::No;
    }
    if all_strings {
        Json::Strings(elements)
    } else {
        Json::NotStrings
    }
}

fn skip_json_space(line: &[u8], mut at: usize, end: usize) -> usize {
    while at < end && matches!(line.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// A JSON string starting at the quote at `at`: its value, each character mapped to where it
/// was written (an escape's characters to its backslash), and the offset after it.
fn json_string(logical: &Logical, at: usize, end: usize) -> Option<(Text, usize)> {
    let line = logical.text.get(..end)?;
    let mut builder = Builder::new(logical.at(at + 1));
    let mut chars = line
        .get(at + 1..)?
        .char_indices()
        .map(|(i, ch)| (at + 1 + i, ch));
    loop {
        let (position, ch) = chars.next()?;
        match ch {
            '"' => return Some((builder.finish(), position + 1)),
            '\\' => {
                let (_, kind) = chars.next()?;
                let (produced, last) = match kind {
                    '"' | '\\' | '/' => (kind, position + 1),
                    'b' => ('\u{8}', position + 1),
                    'f' => ('\u{c}', position + 1),
                    'n' => ('\n', position + 1),
                    'r' => ('\r', position + 1),
                    't' => ('\t', position + 1),
                    'u' => {
                        let first = hex4(&mut chars)?;
                        json_unicode(first, position, line, &mut chars)?
                    }
                    _ => return None,
                };
                let written = logical.at(position)..logical.at(last) + 1;
                builder.produce(produced, written);
            }
            ch if (ch as u32) < 0x20 => return None,
            ch => builder.take(logical, position, ch),
        }
    }
}

/// The character of a `\u` escape (its four digits read), combining a surrogate pair as Go
/// does, and a lone surrogate becoming U+FFFD; with the offset of the escape's last byte.
fn json_unicode(
    first: u32,
    position: usize,
    line: &str,
    chars: &mut impl Iterator<Item = (usize, char)>,
) -> Option<(char, usize)> {
    let first_end = position + 5;
    if (0xD800..0xDC00).contains(&first) {
        // A low surrogate escape right after completes the pair.
        let next = line.get(first_end + 1..first_end + 7)?;
        if let Some(digits) = next.strip_prefix("\\u") {
            if let Ok(second) = u32::from_str_radix(digits, 16) {
                if digits.bytes().all(|byte| byte.is_ascii_hexdigit())
                    && (0xDC00..0xE000).contains(&second)
                {
                    for _ in 0..6 {
                        chars.next();
                    }
                    let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                    return Some((char::from_u32(code)?, first_end + 6));
                }
            }
        }
        return Some(('\u{fffd}', first_end));
    }
    Some((char::from_u32(first).unwrap_or('\u{fffd}'), first_end))
}

fn hex4(chars: &mut impl Iterator<Item = (usize, char)>) -> Option<u32> {
    let mut value = 0;
    for _ in 0..4 {
        let (_, digit) = chars.next()?;
        value = value * 16 + digit.to_digit(16)?;
    }
    Some(value)
}

/// Any JSON value at `at` (not a string element of the top array): where it ends.
fn skip_json_value(line: &[u8], mut at: usize, end: usize) -> Option<usize> {
    let mut open: Vec<u8> = Vec::new();
    loop {
        // A value is expected at `at`.
        at = skip_json_space(line, at, end);
        if at >= end {
            return None;
        }
        match *line.get(at)? {
            b'"' => at = skip_json_string(line, at, end)?,
            b'-' | b'0'..=b'9' => at = skip_json_number(line, at, end)?,
            b't' => at = skip_literal(line, at, end, b"true")?,
            b'f' => at = skip_literal(line, at, end, b"false")?,
            b'n' => at = skip_literal(line, at, end, b"null")?,
            bracket @ (b'[' | b'{') => {
                // The top array is one level already.
                if open.len() + 2 > MAX_JSON_DEPTH {
                    return None;
                }
                at = skip_json_space(line, at + 1, end);
                let close = if bracket == b'[' { b']' } else { b'}' };
                if at < end && line.get(at) == Some(&close) {
                    at += 1;
                } else {
                    open.push(bracket);
                    if bracket == b'{' {
                        at = json_key(line, at, end)?;
                    }
                    continue;
                }
            }
            _ => return None,
        }
        // After a value: close what ends here, or go on after a comma.
        loop {
            let Some(&bracket) = open.last() else {
                return Some(at);
            };
            at = skip_json_space(line, at, end);
            if at >= end {
                return None;
            }
            let close = if bracket == b'[' { b']' } else { b'}' };
            match *line.get(at)? {
                b',' => {
                    at += 1;
                    if bracket == b'{' {
                        at = json_key(line, at, end)?;
                    }
                    break;
                }
                byte if byte == close => {
                    open.pop();
                    at += 1;
                }
                _ => return None,
            }
        }
    }
}

/// `"key" :` inside an object: the offset after the colon.
fn json_key(line: &[u8], at: usize, end: usize) -> Option<usize> {
    let at = skip_json_space(line, at, end);
    if line.get(at) != Some(&b'"') {
        return None;
    }
    let at = skip_json_space(line, skip_json_string(line, at, end)?, end);
    (at < end && line.get(at) == Some(&b':')).then_some(at + 1)
}

fn skip_json_string(line: &[u8], at: usize, end: usize) -> Option<usize> {
    let mut at = at + 1;
    while at < end {
        match *line.get(at)? {
            b'"' => return Some(at + 1),
            b'\\' => match *line.get(at + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => at += 2,
                b'u' => {
                    let digits = line.get(at + 2..at + 6)?;
                    if !digits.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    at += 6;
                }
                _ => return None,
            },
            byte if byte < 0x20 => return None,
            _ => at += 1,
        }
    }
    None
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
fn skip_json_number(line: &[u8], mut at: usize, end: usize) -> Option<usize> {
    let byte = |at: usize| {
        if at < end {
            line.get(at).copied()
        } else {
            None
        }
    };
    let digits = |mut at: usize| {
        let start = at;
        while byte(at).is_some_and(|b| b.is_ascii_digit()) {
            at += 1;
        }
        (at > start).then_some(at)
    };
    if byte(at) == Some(b'-') {
        at += 1;
    }
    match byte(at) {
        Some(b'0') => at += 1,
        Some(b'1'..=b'9') => at = digits(at)?,
        _ => return None,
    }
    if byte(at) == Some(b'.') {
        at = digits(at + 1)?;
    }
    if matches!(byte(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(byte(at), Some(b'+' | b'-')) {
            at += 1;
        }
        at = digits(at)?;
    }
    Some(at)
}

fn skip_literal(line: &[u8], at: usize, end: usize, literal: &[u8]) -> Option<usize> {
    let after = at + literal.len();
    (after <= end && line.get(at..after) == Some(literal)).then_some(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parse, and check that every text maps back to the bytes written: verbatim texts are the
    /// bytes at their span; in mapped texts every byte is the byte written at its offset, or was
    /// produced by a JSON escape written there.
    fn read(text: &str) -> Dockerfile {
        let file = parse(text);
        for piece in file.texts() {
            assert!(
                text.get(piece.span.clone()).is_some(),
                "{piece:?} is outside"
            );
            for (at, byte) in piece.text.bytes().enumerate() {
                let written = piece.span_of(at..at + 1).start;
                let source = text.as_bytes()[written];
                assert!(
                    source == byte || source == b'\\',
                    "byte {at} of {:?} comes from {written}",
                    piece.text
                );
            }
        }
        file
    }

    fn only_stage(file: &Dockerfile) -> &Stage {
        assert_eq!(file.stages.len(), 1, "{file:#?}");
        &file.stages[0]
    }

    fn shell(instruction: &Instruction) -> &Text {
        match &instruction.body {
            Body::Command(Command {
                form: CommandForm::Shell(text),
                ..
            }) => text,
            other => panic!("not a shell form: {other:?}"),
        }
    }

    fn exec(instruction: &Instruction) -> Vec<&str> {
        match &instruction.body {
            Body::Command(Command {
                form: CommandForm::Exec(elements),
                ..
            }) => elements
                .iter()
                .map(|element| element.text.as_str())
                .collect(),
            other => panic!("not an exec form: {other:?}"),
        }
    }

    fn messages(file: &Dockerfile) -> Vec<&str> {
        file.errors
            .iter()
            .map(|problem| problem.message.as_str())
            .collect()
    }

    fn keywords(stage: &Stage) -> Vec<Keyword> {
        stage.instructions.iter().map(|i| i.keyword).collect()
    }

    #[test]
    fn continuations_join_lines_and_skip_comment_and_blank_lines_inside() {
        // parser.go `Parse`: inside a continued instruction, comment lines and empty lines are
        // skipped and do not end it; pieces are joined with nothing in between.
        let text = "FROM python:3.12-slim\nRUN pip install \\\n# why\n\n    uvicorn \\\n  && true\nCMD x\n";
        let file = read(text);
        let stage = only_stage(&file);
        assert_eq!(keywords(stage), [Keyword::Run, Keyword::Cmd]);
        let run = &stage.instructions[0];
        let command = shell(run);
        assert_eq!(command.text, "pip install     uvicorn   && true");
        let at = command.text.find("uvicorn").unwrap();
        assert_eq!(&text[command.span_of(at..at + 7)], "uvicorn");
        assert_eq!(
            &text[run.span.clone()],
            &text[22..text.find("\nCMD").unwrap()]
        );
        assert!(file.errors.is_empty(), "{:?}", file.errors);
    }

    #[test]
    fn continuation_rules_follow_the_regular_expression() {
        // `trimContinuationCharacter`: `([^\\])\\[ \t]*$|^\\[ \t]*$`.
        let table = [
            // (instruction lines, shell text of the RUN, keywords after FROM)
            ("RUN a \\  \nb", "a b", 1),
            ("RUN a \\\\\nCMD b", "a \\\\", 2),
            ("RUN a\\\n\\\nb", "ab", 1),
            ("RUN a \\\t\r\nb\r\n", "a b", 1),
        ];
        for (lines, expected, count) in table {
            let text = format!("FROM a\n{lines}");
            let file = read(&text);
            let stage = only_stage(&file);
            assert_eq!(shell(&stage.instructions[0]).text, expected, "{lines:?}");
            assert_eq!(stage.instructions.len(), count, "{lines:?}");
        }
    }

    #[test]
    fn escape_directive_changes_the_continuation_character() {
        let text = "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir c:\\ `\n  && echo done\n";
        let file = read(text);
        assert_eq!(file.escape, '`');
        assert_eq!(
            shell(&only_stage(&file).instructions[0]).text,
            "dir c:\\   && echo done"
        );
    }

    #[test]
    fn directives_are_only_read_at_the_top() {
        // `DirectiveParser.ParseLine`: case-insensitive names, any other line ends them.
        let table: [(&str, char, Option<&str>, &[&str]); 6] = [
            (
                "# SYNTAX = docker/dockerfile:1\n# Escape=`\n",
                '`',
                Some("docker/dockerfile:1"),
                &[],
            ),
            ("# hello\n# escape=`\n", '\\', None, &[]),
            ("\n# escape=`\n", '\\', None, &[]),
            (
                "# escape=`\n# escape=\\\n",
                '`',
                None,
                &["only one escape parser directive can be used"],
            ),
            (
                "# escape=x\n",
                '\\',
                None,
                &["invalid escape token 'x' does not match ` or \\"],
            ),
            ("#check=skip=all\n# escape = ` \n", '`', None, &[]),
        ];
        for (top, escape, syntax, errors) in table {
            let text = format!("{top}FROM a\n");
            let file = read(&text);
            assert_eq!(file.escape, escape, "{top:?}");
            assert_eq!(
                file.syntax.as_ref().map(|s| s.text.as_str()),
                syntax,
                "{top:?}"
            );
            assert_eq!(messages(&file), errors, "{top:?}");
        }
    }

    #[test]
    fn exec_form_is_a_json_array_of_strings() {
        let text = "FROM a\nCMD [\"uvicorn\",\"app.main:app\",\"--host\",\"0.0.0.0\",\"--port\",\"$PORT\"]\n";
        let file = read(text);
        let cmd = only_stage(&file).last(Keyword::Cmd).unwrap();
        assert_eq!(
            exec(cmd),
            [
                "uvicorn",
                "app.main:app",
                "--host",
                "0.0.0.0",
                "--port",
                "$PORT"
            ]
        );
        let Body::Command(Command {
            form: CommandForm::Exec(elements),
            ..
        }) = &cmd.body
        else {
            unreachable!()
        };
        assert_eq!(&text[elements[5].span.clone()], "$PORT");
    }

    #[test]
    fn json_escapes_are_unescaped_and_mapped_to_their_backslash() {
        let text = "FROM a\nENTRYPOINT [\"a\\\"b\", \"\\u00e9\\ud83d\\ude00\", \"x\\ud800\", \\\n \"c\"]\n";
        let file = read(text);
        let entrypoint = &only_stage(&file).instructions[0];
        assert_eq!(exec(entrypoint), ["a\"b", "é😀", "x\u{fffd}", "c"]);
        let Body::Command(Command {
            form: CommandForm::Exec(elements),
            ..
        }) = &entrypoint.body
        else {
            unreachable!()
        };
        assert_eq!(&text[elements[1].span.clone()], "\\u00e9\\ud83d\\ude00");
        // A produced character points at the backslash of its escape.
        let pair = text.find("\\ud83d").unwrap();
        assert_eq!(elements[1].span_of(2..6), pair..pair + 1);
    }

    #[test]
    fn what_is_not_a_json_array_of_strings() {
        // `parseMaybeJSON`: not JSON is the shell form; JSON with a non-string is an error.
        // (line, exec elements or `None` for the shell form, problems)
        type Case<'a> = (&'a str, Option<&'a [&'a str]>, &'a [&'a str]);
        let table: [Case; 6] = [
            ("CMD [uvicorn, app]", None, &[]),
            ("CMD [\"a\"] && b", None, &[]),
            ("CMD [\"a\",]", None, &[]),
            ("CMD []", Some(&[]), &[]),
            (
                "CMD [\"a\", 1, {\"k\": [null, true]}]",
                None,
                &["when using JSON array syntax, arrays must be comprised of strings only"],
            ),
            ("CMD [ \"a\" ,\t\"b\" ]  ", Some(&["a", "b"]), &[]),
        ];
        for (line, elements, errors) in table {
            let text = format!("FROM a\n{line}\n");
            let file = read(&text);
            let cmd = &only_stage(&file).instructions[0];
            match elements {
                Some(elements) => assert_eq!(exec(cmd), elements, "{line}"),
                None => assert_eq!(shell(cmd).text, line[4..].trim_end(), "{line}"),
            }
            assert_eq!(messages(&file), errors, "{line}");
        }
    }

    #[test]
    fn heredocs_take_the_lines_up_to_their_delimiter() {
        let text = "FROM a\nRUN <<EOF\necho \"$HOME\"\nEOF\nRUN <<-\"END\" bash\n\tset -e\n\t\techo x\n\tEND\nCMD [\"x\"]\n";
        let file = read(text);
        let stage = only_stage(&file);
        assert_eq!(keywords(stage), [Keyword::Run, Keyword::Run, Keyword::Cmd]);
        let Body::Command(first) = &stage.instructions[0].body else {
            unreachable!()
        };
        assert_eq!(first.heredocs.len(), 1);
        assert_eq!(first.heredocs[0].delimiter, "EOF");
        assert_eq!(first.heredocs[0].body.text, "echo \"$HOME\"\n");
        assert!(first.heredocs[0].expands);
        assert_eq!(
            &text[stage.instructions[0].span.clone()],
            "RUN <<EOF\necho \"$HOME\"\nEOF"
        );
        let Body::Command(second) = &stage.instructions[1].body else {
            unreachable!()
        };
        let heredoc = &second.heredocs[0];
        assert_eq!(heredoc.delimiter, "END");
        assert!(!heredoc.expands && heredoc.strips_tabs);
        assert_eq!(heredoc.body.text, "set -e\necho x\n");
        assert_eq!(&text[heredoc.body.span_of(7..13)], "echo x");
        assert_eq!(&text[heredoc.marker.clone()], "<<-\"END\"");
        assert!(file.errors.is_empty(), "{:?}", file.errors);
    }

    #[test]
    fn heredoc_words_follow_buildkit() {
        // `heredocsFromLine`: (line after FROM, delimiters found).
        let table: [(&str, &[&str]); 7] = [
            (
                "RUN <<A cat > /a && 3<<'B' cat > /b\na\nA\nb\nB",
                &["A", "B"],
            ),
            ("COPY <<EOF /app/start.sh\n#!/bin/sh\nEOF", &["EOF"]),
            ("RUN cat<<EOF\nCMD x", &[]),
            ("RUN echo \"<<EOF\"\nCMD x", &[]),
            ("RUN << EOF cat\nx\nEOF", &["EOF"]),
            // An unclosed quote makes BuildKit's lexer fail: no heredoc on the line.
            ("RUN <<EOF echo 'open\nCMD x", &[]),
            ("ONBUILD RUN <<EOF\nx\nEOF", &[]),
        ];
        for (lines, delimiters) in table {
            let text = format!("FROM a\n{lines}\n");
            let file = read(&text);
            let stage = only_stage(&file);
            let found: Vec<&str> = match &stage.instructions[0].body {
                Body::Command(Command { heredocs, .. }) | Body::Files { heredocs, .. } => {
                    heredocs.iter().map(|h| h.delimiter.as_str()).collect()
                }
                _ => Vec::new(),
            };
            assert_eq!(found, delimiters, "{lines:?}");
            assert!(file.errors.is_empty(), "{lines:?}: {:?}", file.errors);
            if lines.contains("\nCMD") {
                assert_eq!(stage.instructions.len(), 2, "{lines:?}");
            } else {
                assert_eq!(stage.instructions.len(), 1, "{lines:?}");
            }
        }
    }

    #[test]
    fn an_unterminated_heredoc_takes_the_rest_of_the_file() {
        let text = "FROM a\nRUN <<EOF\necho hi\nCMD x\n";
        let file = read(text);
        let stage = only_stage(&file);
        assert_eq!(stage.instructions.len(), 1);
        assert_eq!(messages(&file), ["unterminated heredoc"]);
        let Body::Command(command) = &stage.instructions[0].body else {
            unreachable!()
        };
        assert_eq!(command.heredocs[0].body.text, "echo hi\nCMD x\n");
    }

    #[test]
    fn from_reads_image_platform_and_stage_name() {
        let text = "ARG PY=3.12\nfrom --platform=$BUILDPLATFORM python:${PY}-slim As Builder\nFROM builder\n";
        let file = read(text);
        assert_eq!(file.global_args[0].name.text, "PY");
        assert_eq!(file.global_args[0].default.as_ref().unwrap().text, "3.12");
        let from = &file.stages[0].from;
        assert_eq!(from.image.text, "python:${PY}-slim");
        assert_eq!(from.name.as_ref().unwrap().text, "Builder");
        assert_eq!(from.platform.as_ref().unwrap().text, "$BUILDPLATFORM");
        assert_eq!(file.stages[0].name().as_deref(), Some("builder"));
        assert!(file.errors.is_empty(), "{:?}", file.errors);
    }

    #[test]
    fn from_problems() {
        let table = [
            (
                "FROM a AS 1st",
                "invalid name for build stage: \"1st\", name can't start with a number or contain symbols",
            ),
            ("FROM a b", "FROM requires either one or three arguments"),
            ("FROM", "FROM requires either one or three arguments"),
            ("FROM --plat=x a", "unknown flag: --plat"),
            ("FROM --platform a", "missing a value on flag: --platform"),
        ];
        for (line, message) in table {
            let file = read(line);
            assert_eq!(messages(&file), [message], "{line}");
        }
    }

    #[test]
    fn stages_named_after_earlier_stages_are_followed() {
        // dockerfile2llb `addState`: an exact match against the lowercased names of earlier
        // stages; a later stage of the same name replaces the earlier one.
        let text = "FROM python:3.12-slim AS Base\nHEALTHCHECK CMD true\nFROM base AS final\nFROM Base\nFROM final\n";
        let file = read(text);
        assert_eq!(
            file.stage_named("base").unwrap().from.image.text,
            "python:3.12-slim"
        );
        assert!(file.stage_named("Base").is_none());
        let chain: Vec<&str> = file
            .ancestry(3)
            .iter()
            .map(|s| s.from.image.text.as_str())
            .collect();
        assert_eq!(chain, ["final", "base", "python:3.12-slim"]);
        // `FROM Base` names no stage: it is an image.
        assert_eq!(file.ancestry(2).len(), 1);
        assert!(file.base_stage(0).is_none());
        assert_eq!(file.final_stage().unwrap().from.image.text, "final");
    }

    #[test]
    fn healthcheck_forms() {
        let text = "FROM alpine\nHEALTHCHECK --interval=30s --timeout=3s --retries=3 \\\n  CMD wget -qO- http://localhost:8000/health || exit 1\n";
        let file = read(text);
        let Body::Healthcheck(Healthcheck::Check { options, command }) =
            &only_stage(&file).instructions[0].body
        else {
            panic!("{file:#?}")
        };
        let options: Vec<(&str, &str)> = options
            .iter()
            .map(|(n, v)| (n.text.as_str(), v.text.as_str()))
            .collect();
        assert_eq!(
            options,
            [("interval", "30s"), ("timeout", "3s"), ("retries", "3")]
        );
        let CommandForm::Shell(shell) = &command.form else {
            panic!()
        };
        assert_eq!(
            shell.text,
            "wget -qO- http://localhost:8000/health || exit 1"
        );
        assert!(file.errors.is_empty());

        let table: [(&str, &[&str]); 6] = [
            ("HEALTHCHECK none", &[]),
            (
                "HEALTHCHECK NONE x",
                &["HEALTHCHECK NONE takes no arguments"],
            ),
            (
                "HEALTHCHECK CMD",
                &["Missing command after HEALTHCHECK CMD"],
            ),
            (
                "HEALTHCHECK CMD []",
                &["Missing command after HEALTHCHECK CMD"],
            ),
            (
                "HEALTHCHECK RUN x",
                &["Unknown type \"RUN\" in HEALTHCHECK (try CMD)"],
            ),
            (
                "HEALTHCHECK --every=1s CMD [\"true\"]",
                &["unknown flag: --every"],
            ),
        ];
        for (line, errors) in table {
            let file = read(&format!("FROM a\n{line}\n"));
            assert_eq!(messages(&file), errors, "{line}");
        }
        let file = read("FROM a\nHEALTHCHECK NONE\n");
        let instruction = &only_stage(&file).instructions[0];
        assert!(
            matches!(instruction.body, Body::Healthcheck(Healthcheck::None(ref span)) if *span == (19..23))
        );
    }

    #[test]
    fn env_values_lose_their_quotes_as_buildkit_reads_them() {
        let table: [(&str, &[(&str, &str)]); 6] = [
            (
                "ENV A=1 B=\"two words\" C='x y' D=a\\ b",
                &[("A", "1"), ("B", "two words"), ("C", "x y"), ("D", "a b")],
            ),
            ("ENV PORT 8000 9000", &[("PORT", "8000 9000")]),
            ("ENV K \"quoted value\"", &[("K", "quoted value")]),
            (
                "ENV E=\"a\\\"b\\n\" F='a\\b'",
                &[("E", "a\"b\\n"), ("F", "a\\b")],
            ),
            (
                "ENV URL=$BASE/api EMPTY=",
                &[("URL", "$BASE/api"), ("EMPTY", "")],
            ),
            ("ENV A=x \\\n    B=y", &[("A", "x"), ("B", "y")]),
        ];
        for (lines, pairs) in table {
            let text = format!("FROM a\n{lines}\n");
            let file = read(&text);
            let Body::Env(read_pairs) = &only_stage(&file).instructions[0].body else {
                panic!()
            };
            let read_pairs: Vec<(&str, &str)> = read_pairs
                .iter()
                .map(|(n, v)| (n.text.as_str(), v.text.as_str()))
                .collect();
            assert_eq!(read_pairs, pairs, "{lines}");
            assert!(file.errors.is_empty(), "{lines}: {:?}", file.errors);
        }
        let table = [
            ("ENV ONLY", "ENV must have two arguments"),
            (
                "ENV A=1 B",
                "Syntax error - a word of ENV has no `=`. Must be of the form: name=value",
            ),
            ("ENV =x", "ENV names can not be blank"),
            (
                "ENV A=\"open",
                "unexpected end of statement while looking for matching double-quote",
            ),
            ("ENV", "ENV requires at least one argument"),
        ];
        for (line, message) in table {
            let file = read(&format!("FROM a\n{line}\n"));
            assert_eq!(messages(&file), [message], "{line}");
        }
    }

    #[test]
    fn args_expose_shell_and_flags() {
        let text = "FROM a\nARG A B=\"2 3\"\nEXPOSE 8000/tcp \"9000\"\nSHELL [\"/bin/sh\",\"-c\"]\nRUN --mount=type=cache,target=/root/.cache --network=\"none\" pip install .\n";
        let file = read(text);
        let stage = only_stage(&file);
        let Body::Arg(args) = &stage.instructions[0].body else {
            panic!()
        };
        assert_eq!(args[0].name.text, "A");
        assert!(args[0].default.is_none());
        assert_eq!(args[1].default.as_ref().unwrap().text, "2 3");
        let Body::Expose(ports) = &stage.instructions[1].body else {
            panic!()
        };
        assert_eq!(
            ports.iter().map(|p| p.text.as_str()).collect::<Vec<_>>(),
            ["8000/tcp", "9000"]
        );
        assert_eq!(exec(&stage.instructions[2]), ["/bin/sh", "-c"]);
        let Body::Command(run) = &stage.instructions[3].body else {
            panic!()
        };
        let flags: Vec<&str> = run.flags.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(
            flags,
            ["--mount=type=cache,target=/root/.cache", "--network=none"]
        );
        assert_eq!(shell(&stage.instructions[3]).text, "pip install .");
        assert!(file.errors.is_empty(), "{:?}", file.errors);
    }

    #[test]
    fn statements_buildkit_refuses() {
        let table: [(&str, &[&str]); 9] = [
            ("", &["file with no instructions"]),
            ("# only a comment\n", &["file with no instructions"]),
            ("ARG A\n", &["dockerfile contains no stages to build"]),
            ("RUN x\nFROM a\n", &["no build stage in current context"]),
            ("FROM a\nRUNN x\n", &["unknown instruction: RUNN"]),
            ("FROM a\nCMD --help\n", &["unknown flag: --help"]),
            (
                "FROM a\nSHELL sh -c\n",
                &["SHELL requires the arguments to be in JSON form"],
            ),
            (
                "FROM a\nCOPY app\n",
                &[
                    "COPY requires at least two arguments, but only one was provided. Destination could not be determined",
                ],
            ),
            (
                "FROM a\nCOPY --link=maybe a b\nRUN --mount=a --network=x --network=y c\n",
                &[
                    "expecting boolean value for flag --link",
                    "duplicate flag specified: --network",
                ],
            ),
        ];
        for (text, errors) in table {
            let file = read(text);
            assert_eq!(messages(&file), errors, "{text:?}");
        }
    }

    #[test]
    fn bom_crlf_and_keyword_case() {
        let text = "\u{feff}from python:3.12-slim\r\nrun echo a \\\r\n  b\r\ncmd [\"python\"]\r\n";
        let file = read(text);
        let stage = only_stage(&file);
        assert_eq!(keywords(stage), [Keyword::Run, Keyword::Cmd]);
        assert_eq!(shell(&stage.instructions[0]).text, "echo a   b");
        assert_eq!(&text[stage.instructions[0].keyword_span.clone()], "run");
        assert_eq!(&text[stage.from.span.clone()], "from python:3.12-slim");
    }

    #[test]
    fn a_line_longer_than_the_scanner_takes_is_refused() {
        let text = format!("FROM a\nRUN echo {}\n", "x".repeat(MAX_LINE));
        let file = read(&text);
        assert_eq!(
            messages(&file),
            ["dockerfile line greater than max allowed size of 65535"]
        );
    }

    #[test]
    fn pathological_inputs_stay_linear() {
        let deep = format!("FROM a\nCMD [\"a\", {}\n", "[".repeat(200_000));
        let quotes = format!("FROM a\nENV A={}\n", "\"".repeat(200_001));
        let continued = format!("FROM a\nRUN {}\n", "x \\\n".repeat(100_000));
        let heredocs = format!(
            "FROM a\nRUN {}\n{}",
            "<<A ".repeat(20_000),
            "x\nA\n".repeat(20_000)
        );
        for text in [deep, quotes, continued, heredocs] {
            let started = std::time::Instant::now();
            let _ = read(&text);
            assert!(started.elapsed().as_secs() < 5, "{} bytes", text.len());
        }
    }
}
