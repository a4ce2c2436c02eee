//! What a `python -c` healthcheck imports and which names it uses without binding them.
//!
//! The audit that asked for this (issue 13) lost a service to
//! `python -c "import sys; sys.exit(0 if httpx.get('http://localhost:8000/health').status_code
//! == 200 else 1)"`: `httpx` is never imported, so every run ends in a `NameError`, the
//! container is reported unhealthy and is restarted, while the application itself was fine.
//! Python finds this only when the line runs, inside the deployed container; a static reading
//! finds it before the deployment.
//!
//! The snippet is parsed with tree-sitter-python, the grammar the settings reader already uses
//! (`appsettings::syntax`), walked without recursion (a `-c` string is user input and may nest
//! deeply). The reading is deliberately coarse, in the direction of saying nothing:
//!
//! - A *use* is a name written as `name.attribute` or called as `name(...)`: that is the shape
//!   of the outage, and it leaves out names that only appear as values, where a mistaken report
//!   would be likelier than a real one.
//! - A name is *bound* when any statement of the snippet binds it, anywhere (an import, an
//!   assignment or annotation target, `def`, `class`, a `for`/`with`/`except`/`as` target, a
//!   comprehension variable, a walrus, a lambda or function parameter, a `global`, a `match`
//!   capture). Scopes and order are ignored: a name bound after its use, or in another
//!   function, hides the use. A one-line healthcheck has no scopes worth telling apart, and the
//!   error this misses (use before binding) is not the one that happens.
//! - The builtins are the union of `dir(builtins)` of CPython 3.11.7, 3.12.1 and 3.13.0,
//!   recorded from the real interpreters by `scripts/python_modules.py` into
//!   `python-names.txt` (so `PythonFinalizationError`, new in 3.13, is never reported either).
//! - Whatever can bind names the reader cannot see turns the report of unbound names off:
//!   `from x import *`, `exec`/`eval` of anything but a plain string literal, and calls of
//!   `globals`, `locals` or `vars`. An `exec('...')` of a literal is read as code in its turn
//!   (up to [`MAX_EXEC_DEPTH`] levels), with its ranges mapped back through the string's escapes.
//! - Code that does not parse gives nothing but `parsed: false`: the shell quoting around a
//!   `-c` string is the integrator's to undo, and a report about code we misread would be
//!   wrong twice.
//!
//! `__import__('x')` and `importlib.import_module('x')` with a literal name count as imports of
//! `x` (for the dependency check), though they bind nothing. Only the top-level package of an
//! import matters (`urllib` for `import urllib.request`): that is what a distribution installs.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::OnceLock;

use tree_sitter::{Node, Parser};

/// How many `exec('...')` levels are read as code; deeper ones count as dynamic.
pub const MAX_EXEC_DEPTH: usize = 3;

/// A `-c` string longer than this is not read (a healthcheck is one line; this bounds the work
/// that nested `exec` strings can cause to a few times the input).
pub const MAX_CODE_LEN: usize = 64 * 1024;

/// What a snippet imports and uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    /// Whether the code parsed; when it did not, `imports` and `unbound` are empty.
    pub parsed: bool,
    /// Every import, in source order, with the top-level module name.
    pub imports: Vec<Import>,
    /// Every use (`name.attr`, `name(...)`) of a name that nothing binds and that is no builtin.
    pub unbound: Vec<Use>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The top-level package: `urllib` for `import urllib.request`.
    pub module: String,
    /// Where the imported module's name is written in the code (the dotted name, or the
    /// string literal's content for `__import__('x')`).
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub name: String,
    pub range: Range<usize>,
}

/// Where the code of a `python -c CODE` command starts in its shell words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeWord {
    /// The index of the word that holds the code.
    pub word: usize,
    /// The byte where the code starts in that word: 0 for `-c CODE`, past the option for
    /// `-cCODE` or `-BcCODE`.
    pub start: usize,
}

/// Reads a `python -c` code string.
pub fn snippet(code: &str) -> Snippet {
    if code.len() > MAX_CODE_LEN {
        return Snippet::default();
    }
    let mut reading = Reading::default();
    if !reading.code(code, None, 0) {
        return Snippet::default();
    }
    let unbound = if reading.dynamic {
        Vec::new()
    } else {
        let builtins = &recorded().builtins;
        reading
            .uses
            .into_iter()
            .filter(|used| {
                !reading.bound.contains(&used.name) && !builtins.contains(used.name.as_str())
            })
            .collect()
    };
    Snippet {
        parsed: true,
        imports: reading.imports,
        unbound,
    }
}

/// Finds the code of `python -c CODE` in a command's shell words: the interpreter may be
/// `python`, `python3`, `python3.12` or a path to one, after launchers that run it
/// (`exec`, `env`, `uv run`, `poetry run`, `VAR=value`), and may take options before `-c`
/// (`-B`, `-I`, `-W error`, `-X dev`, `-Bc CODE`, `-cCODE`). `None` for anything else, a
/// script or `-m module` included.
pub fn python_c_code(words: &[&str]) -> Option<CodeWord> {
    let interpreter = words.iter().position(|word| is_interpreter(word))?;
    if !words[..interpreter].iter().all(|word| is_launcher(word)) {
        return None;
    }
    let mut index = interpreter + 1;
    while let Some(word) = words.get(index) {
        let cluster = word.strip_prefix('-').filter(|rest| {
            !rest.is_empty() && !rest.starts_with('-') // `-` is stdin, `--x` long options
        })?;
        let mut takes_next = false;
        for (at, option) in cluster.char_indices() {
            let rest = &cluster[at + option.len_utf8()..];
            match option {
                'c' if rest.is_empty() => {
                    return (index + 1 < words.len()).then_some(CodeWord {
                        word: index + 1,
                        start: 0,
                    });
                }
                'c' => {
                    return Some(CodeWord {
                        word: index,
                        start: 1 + at + 1,
                    });
                }
                'W' | 'X' => {
                    takes_next = rest.is_empty();
                    break;
                }
                'b' | 'B' | 'd' | 'E' | 'i' | 'I' | 'O' | 'P' | 'q' | 's' | 'S' | 'u' | 'v'
                | 'x' | 'R' => {}
                // `-m`, `-h`, `-V` and unknown options: no code to read.
                _other => return None,
            }
        }
        index += if takes_next { 2 } else { 1 };
    }
    None
}

fn is_interpreter(word: &str) -> bool {
    let name = word.rsplit('/').next().unwrap_or(word);
    let Some(version) = name.strip_prefix("python") else {
        return false;
    };
    version.is_empty()
        || (version.starts_with(|c: char| c.is_ascii_digit())
            && version.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_launcher(word: &str) -> bool {
    let assignment = word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    assignment
        || word.starts_with('-')
        || matches!(
            word,
            "exec"
                | "env"
                | "command"
                | "uv"
                | "poetry"
                | "pipenv"
                | "pdm"
                | "hatch"
                | "rye"
                | "run"
        )
}

/// The names recorded from real interpreters (see `scripts/python_modules.py`).
pub(crate) struct Recorded {
    pub builtins: HashSet<&'static str>,
    pub stdlib: HashSet<&'static str>,
    /// Top-level module -> the distributions that installed it in the recorded environments.
    pub distributions: HashMap<&'static str, Vec<&'static str>>,
    /// Distributions (PEP 503 names) that another recorded distribution requires.
    pub required: HashSet<&'static str>,
}

const PYTHON_NAMES: &str = include_str!("python-names.txt");

pub(crate) fn recorded() -> &'static Recorded {
    static RECORDED: OnceLock<Recorded> = OnceLock::new();
    RECORDED.get_or_init(|| {
        let mut recorded = Recorded {
            builtins: HashSet::new(),
            stdlib: HashSet::new(),
            distributions: HashMap::new(),
            required: HashSet::new(),
        };
        let mut section = "";
        for line in PYTHON_NAMES.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name;
                continue;
            }
            let mut fields = line.split_whitespace();
            let Some(first) = fields.next() else { continue };
            match section {
                "builtins" => {
                    recorded.builtins.insert(first);
                }
                "stdlib" => {
                    recorded.stdlib.insert(first);
                }
                "distributions" => {
                    recorded
                        .distributions
                        .entry(first)
                        .or_default()
                        .extend(fields);
                }
                "required" => {
                    recorded.required.insert(first);
                }
                // The recording script writes no other section; a test checks the file.
                _unknown => {}
            }
        }
        recorded
    })
}

/// What the walk over one or more (nested `exec`) code strings found.
#[derive(Default)]
struct Reading {
    imports: Vec<Import>,
    bound: HashSet<String>,
    uses: Vec<Use>,
    /// Something may bind names the reader cannot see.
    dynamic: bool,
}

/// Where the bytes of a code string are in the outer code: `None` for the outer code itself.
type Offsets<'a> = Option<&'a [usize]>;

fn outer_range(range: Range<usize>, offsets: Offsets) -> Range<usize> {
    match offsets {
        None => range,
        Some(offsets) => {
            let start = offsets.get(range.start).copied().unwrap_or(0);
            let end = match range.end.checked_sub(1).and_then(|last| offsets.get(last)) {
                Some(last) if range.end > range.start => last + 1,
                _empty => start,
            };
            start..end.max(start)
        }
    }
}

impl Reading {
    /// Reads `code`; false when it does not parse.
    fn code(&mut self, code: &str, offsets: Offsets, depth: usize) -> bool {
        let mut parser = Parser::new();
        if parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .is_err()
        {
            return false;
        }
        let Some(tree) = parser.parse(code, None) else {
            return false;
        };
        let root = tree.root_node();
        if root.has_error() {
            return false;
        }
        let mut nested_ok = true;
        let mut cursor = root.walk();
        'walk: loop {
            let node = cursor.node();
            nested_ok &= self.node(node, code, offsets, depth);
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
        nested_ok
    }

    /// Reads one node (its children are walked by the caller); false when an `exec` string in
    /// it does not parse.
    fn node(&mut self, node: Node, code: &str, offsets: Offsets, depth: usize) -> bool {
        let text = |node: Node| &code[node.byte_range()];
        match node.kind() {
            "import_statement" => {
                for name in children_by_field(node, "name") {
                    let (dotted, alias) = match name.kind() {
                        "aliased_import" => (
                            name.child_by_field_name("name"),
                            name.child_by_field_name("alias"),
                        ),
                        _dotted_name => (Some(name), None),
                    };
                    let Some(dotted) = dotted else { continue };
                    let module = top_level(text(dotted));
                    let binding = alias.map_or(module, text);
                    self.bound.insert(binding.to_owned());
                    self.import(module, dotted.byte_range(), offsets);
                }
            }
            "import_from_statement" => {
                if let Some(module) = node
                    .child_by_field_name("module_name")
                    .filter(|module| module.kind() == "dotted_name")
                {
                    self.import(top_level(text(module)), module.byte_range(), offsets);
                }
                for name in children_by_field(node, "name") {
                    let binding = match name.kind() {
                        "aliased_import" => name.child_by_field_name("alias"),
                        _dotted_name => Some(name),
                    };
                    if let Some(binding) = binding {
                        self.bound.insert(text(binding).to_owned());
                    }
                }
                let mut cursor = node.walk();
                if node
                    .children(&mut cursor)
                    .any(|child| child.kind() == "wildcard_import")
                {
                    self.dynamic = true;
                }
            }
            "assignment"
            | "augmented_assignment"
            | "for_statement"
            | "for_in_clause"
            | "type_alias_statement" => self.bind_field(node, "left", code),
            "named_expression" | "function_definition" | "class_definition" => {
                self.bind_field(node, "name", code)
            }
            "as_pattern" | "except_clause" => self.bind_field(node, "alias", code),
            // A parameter list binds its names only: descending into the defaults too would
            // walk a nested lambda's defaults once per level, quadratic in the nesting.
            "parameters" | "lambda_parameters" => self.bind_parameters(node, code),
            "global_statement" | "nonlocal_statement" | "case_pattern" => self.bind_all(node, code),
            "attribute" => {
                if let Some(object) = node
                    .child_by_field_name("object")
                    .filter(|object| object.kind() == "identifier")
                {
                    self.use_name(text(object), object.byte_range(), offsets);
                }
            }
            "call" => return self.call(node, code, offsets, depth),
            _other => {}
        }
        true
    }

    fn call(&mut self, node: Node, code: &str, offsets: Offsets, depth: usize) -> bool {
        let Some(function) = node.child_by_field_name("function") else {
            return true;
        };
        let name = &code[function.byte_range()];
        if function.kind() == "identifier" {
            self.use_name(name, function.byte_range(), offsets);
        }
        let first_argument = node
            .child_by_field_name("arguments")
            .filter(|arguments| arguments.kind() == "argument_list")
            .and_then(|arguments| arguments.named_child(0));
        let literal = first_argument.and_then(|argument| string_literal(argument, code));
        match name {
            "__import__" | "importlib.import_module" => {
                let absolute =
                    literal.filter(|(module, _)| !module.starts_with('.') && !module.is_empty());
                if let Some((module, module_offsets)) = absolute {
                    let top = top_level(&module);
                    let written = outer_range(0..top.len(), Some(&module_offsets));
                    self.import(top, written, offsets);
                }
            }
            "exec" | "eval" => match literal {
                Some((nested, nested_offsets)) if depth < MAX_EXEC_DEPTH => {
                    let composed: Vec<usize> = nested_offsets
                        .iter()
                        .map(|&at| outer_range(at..at + 1, offsets).start)
                        .collect();
                    return self.code(&nested, Some(&composed), depth + 1);
                }
                _unreadable => self.dynamic = true,
            },
            "globals" | "locals" | "vars" => self.dynamic = true,
            _other => {}
        }
        true
    }

    fn import(&mut self, module: &str, range: Range<usize>, offsets: Offsets) {
        let range = outer_range(range.start..range.start + module.len(), offsets);
        self.imports.push(Import {
            module: module.to_owned(),
            range,
        });
    }

    fn use_name(&mut self, name: &str, range: Range<usize>, offsets: Offsets) {
        self.uses.push(Use {
            name: name.to_owned(),
            range: outer_range(range, offsets),
        });
    }

    fn bind_field(&mut self, node: Node, field: &str, code: &str) {
        if let Some(target) = node.child_by_field_name(field) {
            self.bind_all(target, code);
        }
    }

    /// Binds every identifier under `node` (an assignment target `a.b` binds `a` too: a name
    /// wrongly taken as bound only hides a report).
    /// The names a parameter list binds (`a`, `b=1`, `c: int = 2`, `*args`, `**kwargs`).
    fn bind_parameters(&mut self, node: Node, code: &str) {
        let mut cursor = node.walk();
        for parameter in node.named_children(&mut cursor) {
            match parameter.kind() {
                "identifier" => {
                    self.bound.insert(code[parameter.byte_range()].to_owned());
                }
                "default_parameter" | "typed_default_parameter" => {
                    if let Some(name) = parameter.child_by_field_name("name") {
                        self.bind_all(name, code);
                    }
                }
                "typed_parameter" => {
                    if let Some(name) = parameter.named_child(0) {
                        self.bind_all(name, code);
                    }
                }
                _ => self.bind_all(parameter, code),
            }
        }
    }

    fn bind_all(&mut self, node: Node, code: &str) {
        let mut cursor = node.walk();
        let mut descending = true;
        loop {
            let current = cursor.node();
            if descending && current.kind() == "identifier" {
                self.bound.insert(code[current.byte_range()].to_owned());
            }
            if descending && cursor.goto_first_child() {
                continue;
            }
            if cursor.node() == node {
                return;
            }
            if cursor.goto_next_sibling() {
                descending = true;
                continue;
            }
            if !cursor.goto_parent() || cursor.node() == node {
                return;
            }
            descending = false;
        }
    }
}

fn children_by_field<'t>(node: Node<'t>, field: &str) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.children_by_field_name(field, &mut cursor).collect()
}

fn top_level(dotted: &str) -> &str {
    dotted.split('.').next().unwrap_or(dotted).trim()
}

/// The value of a plain string literal (no f-string, no implicit concatenation) and, for each
/// byte of it, the byte of `code` it was written at. `None` for escapes other than the common
/// one-character ones (`\n`, `\t`, `\\`, quotes, a line continuation).
fn string_literal(node: Node, code: &str) -> Option<(String, Vec<usize>)> {
    if node.kind() != "string" {
        return None;
    }
    let mut cursor = node.walk();
    let children: Vec<Node> = node.children(&mut cursor).collect();
    let start = children.first().filter(|c| c.kind() == "string_start")?;
    let end = children.last().filter(|c| c.kind() == "string_end")?;
    let prefix = code[start.byte_range()].to_ascii_lowercase();
    if prefix.contains('f') || prefix.contains('t') {
        return None;
    }
    let raw = prefix.contains('r');
    let content = start.end_byte()..end.start_byte();
    let text = &code[content.clone()];
    let mut value = String::with_capacity(text.len());
    let mut offsets = Vec::with_capacity(text.len() + 1);
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let here = content.start + at;
        if c == '\\' && !raw {
            let (_, escaped) = chars.next()?;
            let decoded = match escaped {
                'n' => Some('\n'),
                't' => Some('\t'),
                'r' => Some('\r'),
                '\\' | '\'' | '"' => Some(escaped),
                '\n' => None,
                _other => return None,
            };
            if let Some(decoded) = decoded {
                value.push(decoded);
                offsets.push(here);
            }
            continue;
        }
        value.push(c);
        offsets.extend(std::iter::repeat_n(here, c.len_utf8()));
    }
    offsets.push(content.end);
    Some((value, offsets))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(snippet: &Snippet) -> (Vec<&str>, Vec<&str>) {
        (
            snippet.imports.iter().map(|i| i.module.as_str()).collect(),
            snippet.unbound.iter().map(|u| u.name.as_str()).collect(),
        )
    }

    #[test]
    fn parameters_bind_their_names_and_not_their_defaults() {
        let found = snippet("f = lambda a, b=1, *c, **d: a.x + b.y + c.z + d.w + e.v");
        let unbound: Vec<&str> = found.unbound.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(unbound, ["e"]);
        // Nested lambdas in defaults: each parameter list is read once.
        let nested = format!("f = {}0", "lambda a=".repeat(2000));
        assert!(snippet(&nested).unbound.is_empty());
    }

    #[test]
    fn imports_and_unbound_names() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            // The audit's outage: httpx is used, never imported.
            (
                "import sys; sys.exit(0 if httpx.get('http://localhost:8000/health').status_code == 200 else 1)",
                &["sys"],
                &["httpx"],
            ),
            (
                "import sys, httpx; sys.exit(0 if httpx.get('http://localhost:8000/health').status_code == 200 else 1)",
                &["sys", "httpx"],
                &[],
            ),
            (
                "import urllib.request as r; r.urlopen('http://x')",
                &["urllib"],
                &[],
            ),
            // `import urllib.request` binds `urllib`, not `request`.
            (
                "import urllib.request; request.urlopen('x')",
                &["urllib"],
                &["request"],
            ),
            ("import a, b as c; a.x(); c.y(); b.z()", &["a", "b"], &["b"]),
            (
                "from urllib.request import urlopen; urlopen('x')",
                &["urllib"],
                &[],
            ),
            ("from x import y as z; z(); y()", &["x"], &["y"]),
            ("from . import x; x.y()", &[], &[]),
            ("__import__('requests').get('x')", &["requests"], &[]),
            (
                "import importlib; importlib.import_module('yaml.loader').x",
                &["importlib", "yaml"],
                &[],
            ),
            ("importlib.import_module('yaml')", &["yaml"], &["importlib"]),
            // Builtins, assignments, loops, comprehensions, lambdas, except and with targets.
            (
                "print(len('x')); exit(0); PythonFinalizationError",
                &[],
                &[],
            ),
            (
                "s = __import__('socket'); s.create_connection(('localhost', 80))",
                &["socket"],
                &[],
            ),
            ("for r in [1]: r.bit_length()", &[], &[]),
            ("[c.upper() for c in 'ab']", &[], &[]),
            ("(lambda u: u.strip())('x')", &[], &[]),
            (
                "try:\n  import httpx\nexcept Exception as e:\n  e.args\n",
                &["httpx"],
                &[],
            ),
            ("with open('f') as f: f.read()", &[], &[]),
            (
                "def check(url): return url.startswith('h')\ncheck('x')",
                &[],
                &[],
            ),
            ("(n := 3).bit_length()", &[], &[]),
            // Only `name.attr` and calls are uses: a bare name is left alone.
            ("x = undefined_value", &[], &[]),
            (
                "requests.get('x'); urllib.request.urlopen('y')",
                &[],
                &["requests", "urllib"],
            ),
            // exec of a literal is read as code; anything else could bind names unseen.
            ("exec('import httpx'); httpx.get('x')", &["httpx"], &[]),
            (
                "exec('import sys\\nsys.exit(httpx.get(1))')",
                &["sys"],
                &["httpx"],
            ),
            ("exec(code); httpx.get('x')", &[], &[]),
            ("from os import *; httpx.get('x')", &["os"], &[]),
            ("globals()['h'] = 1; h.get()", &[], &[]),
        ];
        for (code, imports, unbound) in cases {
            let snippet = snippet(code);
            assert!(snippet.parsed, "{code}");
            assert_eq!(
                names(&snippet),
                (imports.to_vec(), unbound.to_vec()),
                "{code}"
            );
        }
    }

    #[test]
    fn ranges_point_at_the_names() {
        let code = "import sys; sys.exit(0 if httpx.get('u').ok else 1)";
        let read = snippet(code);
        assert_eq!(&code[read.imports[0].range.clone()], "sys");
        assert_eq!(&code[read.unbound[0].range.clone()], "httpx");

        let code = "import os.path; __import__('yaml.x')";
        let read = snippet(code);
        let written: Vec<&str> = read
            .imports
            .iter()
            .map(|i| &code[i.range.clone()])
            .collect();
        assert_eq!(written, ["os", "yaml"]);

        // Through an exec string with an escape before the name.
        let code = r"exec('x=1\nhttpx.get(1)')";
        let read = snippet(code);
        assert_eq!(&code[read.unbound[0].range.clone()], "httpx");
    }

    #[test]
    fn code_that_does_not_parse_gives_nothing() {
        for code in ["import", "httpx.get(", "'unterminated", "exec('import (')"] {
            let snippet = snippet(code);
            assert!(!snippet.parsed, "{code}");
            assert!(snippet.imports.is_empty() && snippet.unbound.is_empty());
        }
        assert!(!snippet(&"x".repeat(MAX_CODE_LEN + 1)).parsed);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let code = format!("{}httpx.get(1){}", "(".repeat(5000), ")".repeat(5000));
        let snippet = snippet(&code);
        if snippet.parsed {
            assert_eq!(names(&snippet).1, ["httpx"]);
        }
        let nested = "exec('exec(\"exec(\\\\'exec(1)\\\\')\")')";
        let snippet = super::snippet(nested);
        assert!(snippet.unbound.is_empty());
    }

    #[test]
    fn finds_the_code_word() {
        type Case<'a> = (&'a [&'a str], Option<(usize, usize)>);
        let cases: &[Case] = &[
            (&["python", "-c", "import x"], Some((2, 0))),
            (&["python3", "-c", "x"], Some((2, 0))),
            (&["python3.12", "-c", "x"], Some((2, 0))),
            (&["/usr/local/bin/python", "-c", "x"], Some((2, 0))),
            (&["/app/.venv/bin/python3", "-B", "-c", "x"], Some((3, 0))),
            (&["python", "-Bc", "x"], Some((2, 0))),
            (&["python", "-cimport x"], Some((1, 2))),
            (&["python", "-Bcimport x"], Some((1, 3))),
            (
                &["python", "-W", "ignore", "-X", "dev", "-c", "x"],
                Some((6, 0)),
            ),
            (&["python", "-Wignore", "-c", "x"], Some((3, 0))),
            (
                &["uv", "run", "--no-sync", "python", "-c", "x"],
                Some((5, 0)),
            ),
            (&["exec", "python", "-c", "x"], Some((3, 0))),
            (&["env", "A=1", "python", "-c", "x"], Some((4, 0))),
            (&["python", "-c"], None),
            (&["python", "-m", "http.client"], None),
            (&["python", "check.py"], None),
            (&["python", "-", "-c"], None),
            (&["python", "--version"], None),
            (&["pythonista", "-c", "x"], None),
            (&["curl", "-f", "python"], None),
            (&["sh", "-c", "python -c x"], None),
            (&[], None),
        ];
        for (words, expected) in cases {
            let found = python_c_code(words).map(|code| (code.word, code.start));
            assert_eq!(found, *expected, "{words:?}");
        }
    }

    #[test]
    fn the_recorded_names_are_read() {
        let recorded = recorded();
        for builtin in [
            "print",
            "len",
            "__import__",
            "ExceptionGroup",
            "PythonFinalizationError",
        ] {
            assert!(recorded.builtins.contains(builtin), "{builtin}");
        }
        for module in [
            "sys",
            "urllib",
            "json",
            "http",
            "socket",
            "tomllib",
            "distutils",
        ] {
            assert!(recorded.stdlib.contains(module), "{module}");
        }
        assert_eq!(recorded.distributions.get("yaml"), Some(&vec!["PyYAML"]));
        assert!(recorded.required.contains("httpx"));
        assert!(!recorded.builtins.contains("httpx"));
    }
}
