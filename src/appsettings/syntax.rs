//! The part of a Python module that a settings class can depend on, lifted out of the
//! tree-sitter tree into plain data: top-level classes (with their bases, class keywords, body
//! and decorators), imports, and simple module-level assignments (type aliases, constants).
//!
//! Everything else (function bodies, control flow, comprehensions) is dropped here, once, so the
//! reader works on owned values with no tree lifetimes. Imports and assignments inside top-level
//! `if` and `try` blocks are kept, because `if TYPE_CHECKING:` and `try: ... except ImportError:`
//! are how real projects import their types; the last binding of a name wins, as it would when
//! every branch ran (a static reader cannot know which one does).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tree_sitter::{Node, Parser};

use super::ReadError;
use crate::source::read::Reader;

/// A Python expression, as far as a settings class needs one. `text` is the source as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub text: String,
    /// 1-based line where the expression starts.
    pub line: usize,
    /// Its bytes in the file (a finding about a value points at it).
    pub span: std::ops::Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Name(String),
    Attribute(Box<Expr>, String),
    Str(String),
    /// A `b"..."` literal: only its presence matters.
    Bytes,
    Int(i64),
    Float(f64),
    Bool(bool),
    None,
    Ellipsis,
    Call {
        function: Box<Expr>,
        positional: Vec<Expr>,
        keywords: Vec<(String, Expr)>,
    },
    Subscript(Box<Expr>, Vec<Expr>),
    /// `a | b`, in an annotation or an expression.
    BitOr(Box<Expr>, Box<Expr>),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    Set(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    /// `-x` on a number (constraints such as `ge=-1`).
    Negative(Box<Expr>),
    /// Anything else: an f-string, arithmetic, a lambda, a comprehension. Not evaluated.
    Other,
}

impl Expr {
    /// The dotted name this expression spells (`a.b.c`), if it is one.
    pub fn dotted(&self) -> Option<Vec<&str>> {
        match &self.kind {
            ExprKind::Name(name) => Some(vec![name.as_str()]),
            ExprKind::Attribute(object, attribute) => {
                let mut parts = object.dotted()?;
                parts.push(attribute.as_str());
                Some(parts)
            }
            ExprKind::Str(_)
            | ExprKind::Bytes
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::None
            | ExprKind::Ellipsis
            | ExprKind::Call { .. }
            | ExprKind::Subscript(..)
            | ExprKind::BitOr(..)
            | ExprKind::List(_)
            | ExprKind::Tuple(_)
            | ExprKind::Set(_)
            | ExprKind::Dict(_)
            | ExprKind::Negative(_)
            | ExprKind::Other => None,
        }
    }

    /// The last part of a dotted name (`Field` for both `Field` and `pydantic.Field`).
    pub fn last_name(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Name(name) => Some(name),
            ExprKind::Attribute(_, attribute) => Some(attribute),
            ExprKind::Str(_)
            | ExprKind::Bytes
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::None
            | ExprKind::Ellipsis
            | ExprKind::Call { .. }
            | ExprKind::Subscript(..)
            | ExprKind::BitOr(..)
            | ExprKind::List(_)
            | ExprKind::Tuple(_)
            | ExprKind::Set(_)
            | ExprKind::Dict(_)
            | ExprKind::Negative(_)
            | ExprKind::Other => None,
        }
    }

    pub fn keyword(&self, name: &str) -> Option<&Expr> {
        match &self.kind {
            ExprKind::Call { keywords, .. } => keywords
                .iter()
                .rev()
                .find(|(keyword, _)| keyword == name)
                .map(|(_, value)| value),
            _not_a_call => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Str(value) => Some(value),
            _not_a_string => None,
        }
    }
}

/// `import a.b as c` binds `c` to module `a.b`; `from .x import y as z` binds `z` to `y` in `.x`.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// The module as written, without leading dots.
    pub module: String,
    /// How many leading dots (0 for an absolute import).
    pub level: usize,
    /// The imported name; `None` when the binding is the module itself.
    pub name: Option<String>,
}

/// What a module-level name is bound to.
#[derive(Debug, Clone, PartialEq)]
pub enum Binding {
    Class(usize),
    Import(Import),
    /// `X = expr`, `X: TypeAlias = expr` or `type X = expr`.
    Assignment(Expr),
}

/// A method's decorators; methods matter only for validators and computed fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Method {
    pub name: String,
    pub decorators: Vec<Expr>,
}

/// One statement of a class body that the reader looks at.
#[derive(Debug, Clone, PartialEq)]
pub enum ClassItem {
    /// `name: annotation [= value]`
    Annotated {
        name: String,
        line: usize,
        annotation: Expr,
        value: Option<Expr>,
    },
    /// `name = value` (`model_config = ...`, an `Enum` member, a v1 `Config` attribute).
    Assigned {
        name: String,
        line: usize,
        value: Expr,
    },
    Method(Method),
    Class(ClassDef),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClassDef {
    pub name: String,
    pub line: usize,
    pub bases: Vec<Expr>,
    /// `class S(BaseSettings, env_prefix="APP_")`: pydantic reads these as configuration.
    pub keywords: Vec<(String, Expr)>,
    pub body: Vec<ClassItem>,
}

/// A parsed module.
#[derive(Debug)]
pub struct Module {
    pub path: PathBuf,
    /// Every top-level class statement; `bindings` says which one a name refers to.
    pub classes: Vec<ClassDef>,
    pub bindings: HashMap<String, Binding>,
}

impl Module {
    /// The class a module-level name is bound to (the last `class` statement of that name).
    pub fn class_index(&self, name: &str) -> Option<usize> {
        match self.bindings.get(name) {
            Some(Binding::Class(index)) => Some(*index),
            Some(Binding::Import(_)) | Some(Binding::Assignment(_)) | None => None,
        }
    }
}

/// Parse a Python file. A syntax error is an error: a half-understood settings class would
/// give findings about fields that are not there.
pub fn parse_file(path: &Path, reader: &Reader) -> Result<Module, ReadError> {
    let bytes = reader
        .read_bytes(path)
        .map_err(|error| ReadError::Unreadable {
            path: path.to_owned(),
            reason: error.to_string(),
        })?;
    // Python source is UTF-8 unless a coding cookie says otherwise, which settings files never do.
    let source = String::from_utf8(bytes).map_err(|error| ReadError::Unreadable {
        path: path.to_owned(),
        reason: format!(
            "not valid UTF-8 at byte {}",
            error.utf8_error().valid_up_to()
        ),
    })?;
    parse_source(path, &source)
}

pub fn parse_source(path: &Path, source: &str) -> Result<Module, ReadError> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .map_err(|error| ReadError::Unreadable {
            path: path.to_owned(),
            reason: format!("the Python grammar does not load: {error}"),
        })?;
    let tree = parser
        .parse(source, None)
        .ok_or_else(|| ReadError::Unreadable {
            path: path.to_owned(),
            reason: "the parser gave up".to_owned(),
        })?;
    let root = tree.root_node();
    if root.has_error() {
        let (line, column) = first_error(root)
            .map(|node| {
                let position = node.start_position();
                (position.row + 1, position.column + 1)
            })
            .unwrap_or((1, 1));
        return Err(ReadError::Syntax {
            path: path.to_owned(),
            line,
            column,
        });
    }
    let mut module = Module {
        path: path.to_owned(),
        classes: Vec::new(),
        bindings: HashMap::new(),
    };
    let lifter = Lifter { source };
    lifter.statements(root, &mut module);
    Ok(module)
}

/// The first `ERROR` or missing node, depth first, without recursion (a file can nest deeply).
fn first_error(root: Node) -> Option<Node> {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            return Some(node);
        }
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}

struct Lifter<'s> {
    source: &'s str,
}

impl<'s> Lifter<'s> {
    fn text(&self, node: Node) -> &'s str {
        &self.source[node.byte_range()]
    }

    fn named_children<'t>(&self, node: Node<'t>) -> Vec<Node<'t>> {
        let mut cursor = node.walk();
        node.named_children(&mut cursor)
            .filter(|child| child.kind() != "comment")
            .collect()
    }

    /// Module-level statements, descending into `if`/`try` blocks.
    fn statements(&self, block: Node, module: &mut Module) {
        for statement in self.named_children(block) {
            match statement.kind() {
                "class_definition" => self.class_statement(statement, module),
                "decorated_definition" => {
                    let definition = statement
                        .child_by_field_name("definition")
                        .filter(|definition| definition.kind() == "class_definition");
                    if let Some(definition) = definition {
                        self.class_statement(definition, module);
                    }
                }
                "import_statement" => self.import(statement, module),
                "import_from_statement" => self.import_from(statement, module),
                "expression_statement" => {
                    for child in self.named_children(statement) {
                        let assigned = Some(child)
                            .filter(|child| child.kind() == "assignment")
                            .and_then(|child| self.assignment(child));
                        if let Some((name, _, Some(value))) = assigned {
                            module.bindings.insert(name, Binding::Assignment(value));
                        }
                    }
                }
                "type_alias_statement" => {
                    if let (Some(left), Some(right)) = (
                        statement.child_by_field_name("left"),
                        statement.child_by_field_name("right"),
                    ) {
                        let name = self.text(left).trim().to_owned();
                        module
                            .bindings
                            .insert(name, Binding::Assignment(self.type_expr(right)));
                    }
                }
                "if_statement" | "try_statement" => self.branches(statement, module),
                // Functions, loops, `with` and expressions bind nothing a settings class reads.
                _not_a_binding => {}
            }
        }
    }

    /// Every branch of an `if` or `try`, in source order.
    fn branches(&self, node: Node, module: &mut Module) {
        for child in self.named_children(node) {
            match child.kind() {
                "block" => self.statements(child, module),
                "elif_clause" | "else_clause" | "except_clause" | "finally_clause" => {
                    self.branches(child, module)
                }
                // Conditions and exception patterns bind nothing.
                _condition => {}
            }
        }
    }

    fn class_statement(&self, node: Node, module: &mut Module) {
        let class = self.class_def(node);
        module
            .bindings
            .insert(class.name.clone(), Binding::Class(module.classes.len()));
        module.classes.push(class);
    }

    fn class_def(&self, node: Node) -> ClassDef {
        let name = node
            .child_by_field_name("name")
            .map(|name| self.text(name).to_owned())
            .unwrap_or_default();
        let mut bases = Vec::new();
        let mut keywords = Vec::new();
        if let Some(arguments) = node.child_by_field_name("superclasses") {
            for argument in self.named_children(arguments) {
                if argument.kind() == "keyword_argument" {
                    if let (Some(keyword), Some(value)) = (
                        argument.child_by_field_name("name"),
                        argument.child_by_field_name("value"),
                    ) {
                        keywords.push((self.text(keyword).to_owned(), self.expr(value)));
                    }
                } else {
                    bases.push(self.expr(argument));
                }
            }
        }
        let mut body = Vec::new();
        if let Some(block) = node.child_by_field_name("body") {
            for statement in self.named_children(block) {
                self.class_item(statement, &[], &mut body);
            }
        }
        ClassDef {
            name,
            line: node.start_position().row + 1,
            bases,
            keywords,
            body,
        }
    }

    fn class_item(&self, statement: Node, decorators: &[Expr], body: &mut Vec<ClassItem>) {
        match statement.kind() {
            "expression_statement" => {
                for child in self.named_children(statement) {
                    if child.kind() != "assignment" {
                        continue;
                    }
                    let line = child.start_position().row + 1;
                    match self.assignment(child) {
                        Some((name, Some(annotation), value)) => body.push(ClassItem::Annotated {
                            name,
                            line,
                            annotation,
                            value,
                        }),
                        Some((name, None, Some(value))) => {
                            body.push(ClassItem::Assigned { name, line, value })
                        }
                        Some((_, None, None)) | None => {}
                    }
                }
            }
            "function_definition" => {
                let name = statement
                    .child_by_field_name("name")
                    .map(|name| self.text(name).to_owned())
                    .unwrap_or_default();
                body.push(ClassItem::Method(Method {
                    name,
                    decorators: decorators.to_vec(),
                }));
            }
            "class_definition" => body.push(ClassItem::Class(self.class_def(statement))),
            "decorated_definition" => {
                let decorators: Vec<Expr> = self
                    .named_children(statement)
                    .into_iter()
                    .filter(|child| child.kind() == "decorator")
                    .filter_map(|decorator| self.named_children(decorator).first().copied())
                    .map(|expression| self.expr(expression))
                    .collect();
                if let Some(definition) = statement.child_by_field_name("definition") {
                    self.class_item(definition, &decorators, body);
                }
            }
            // Docstrings, `pass`, conditionals in a class body: not fields.
            _not_a_member => {}
        }
    }

    /// `name [: type] [= value]` with a single identifier on the left.
    fn assignment(&self, node: Node) -> Option<(String, Option<Expr>, Option<Expr>)> {
        let left = node.child_by_field_name("left")?;
        if left.kind() != "identifier" {
            return None;
        }
        let annotation = node
            .child_by_field_name("type")
            .map(|annotation| self.type_expr(annotation));
        let value = node.child_by_field_name("right").map(|value| {
            // `a = b = 1`: the value is the innermost right-hand side.
            let mut value = value;
            while value.kind() == "assignment" {
                match value.child_by_field_name("right") {
                    Some(inner) => value = inner,
                    None => break,
                }
            }
            self.expr(value)
        });
        Some((self.text(left).to_owned(), annotation, value))
    }

    fn import(&self, node: Node, module: &mut Module) {
        let mut cursor = node.walk();
        for name in node.children_by_field_name("name", &mut cursor) {
            match name.kind() {
                "aliased_import" => {
                    if let (Some(dotted), Some(alias)) = (
                        name.child_by_field_name("name"),
                        name.child_by_field_name("alias"),
                    ) {
                        module.bindings.insert(
                            self.text(alias).to_owned(),
                            Binding::Import(Import {
                                module: self.text(dotted).to_owned(),
                                level: 0,
                                name: None,
                            }),
                        );
                    }
                }
                // `import a.b` binds `a`; `a.b.X` is then resolved through attribute access.
                _dotted_name => {
                    let dotted = self.text(name);
                    let top = dotted.split('.').next().unwrap_or(dotted).trim();
                    module.bindings.insert(
                        top.to_owned(),
                        Binding::Import(Import {
                            module: top.to_owned(),
                            level: 0,
                            name: None,
                        }),
                    );
                }
            }
        }
    }

    fn import_from(&self, node: Node, module: &mut Module) {
        let Some(module_name) = node.child_by_field_name("module_name") else {
            return;
        };
        let (from, level) = if module_name.kind() == "relative_import" {
            let mut level = 0;
            let mut from = String::new();
            for child in self.named_children(module_name) {
                match child.kind() {
                    "import_prefix" => {
                        level = self.text(child).chars().filter(|c| *c == '.').count()
                    }
                    _dotted_name => from = self.text(child).to_owned(),
                }
            }
            (from, level)
        } else {
            (self.text(module_name).to_owned(), 0)
        };
        let mut cursor = node.walk();
        for name in node.children_by_field_name("name", &mut cursor) {
            let (imported, local) = match name.kind() {
                "aliased_import" => match (
                    name.child_by_field_name("name"),
                    name.child_by_field_name("alias"),
                ) {
                    (Some(imported), Some(alias)) => (self.text(imported), self.text(alias)),
                    (Some(_), None) | (None, Some(_)) | (None, None) => continue,
                },
                _dotted_name => (self.text(name), self.text(name)),
            };
            module.bindings.insert(
                local.to_owned(),
                Binding::Import(Import {
                    module: from.clone(),
                    level,
                    name: Some(imported.to_owned()),
                }),
            );
        }
    }

    /// A `type` node (an annotation): the grammar has type-only shapes for `A[B]`, `A | B`, `a.B`.
    fn type_expr(&self, node: Node) -> Expr {
        let text = self.text(node).to_owned();
        let line = node.start_position().row + 1;
        let kind = match node.kind() {
            "type" => match self.named_children(node).first() {
                Some(inner) => return self.type_expr(*inner),
                None => ExprKind::Other,
            },
            "generic_type" => {
                let children = self.named_children(node);
                match children.as_slice() {
                    [base, parameters] => ExprKind::Subscript(
                        Box::new(Expr {
                            kind: ExprKind::Name(self.text(*base).to_owned()),
                            text: self.text(*base).to_owned(),
                            line,
                            span: base.byte_range(),
                        }),
                        self.named_children(*parameters)
                            .into_iter()
                            .map(|parameter| self.type_expr(parameter))
                            .collect(),
                    ),
                    _unexpected => ExprKind::Other,
                }
            }
            "union_type" => {
                let children = self.named_children(node);
                match children.as_slice() {
                    [left, right] => ExprKind::BitOr(
                        Box::new(self.type_expr(*left)),
                        Box::new(self.type_expr(*right)),
                    ),
                    _unexpected => ExprKind::Other,
                }
            }
            "member_type" => {
                let children = self.named_children(node);
                match children.as_slice() {
                    [object, attribute] => ExprKind::Attribute(
                        Box::new(self.type_expr(*object)),
                        self.text(*attribute).to_owned(),
                    ),
                    _unexpected => ExprKind::Other,
                }
            }
            _expression => return self.expr(node),
        };
        Expr {
            kind,
            text,
            line,
            span: node.byte_range(),
        }
    }

    fn expr(&self, node: Node) -> Expr {
        let text = self.text(node).to_owned();
        let line = node.start_position().row + 1;
        let kind = match node.kind() {
            "identifier" => ExprKind::Name(text.clone()),
            "attribute" => match (
                node.child_by_field_name("object"),
                node.child_by_field_name("attribute"),
            ) {
                (Some(object), Some(attribute)) => ExprKind::Attribute(
                    Box::new(self.expr(object)),
                    self.text(attribute).to_owned(),
                ),
                (Some(_), None) | (None, Some(_)) | (None, None) => ExprKind::Other,
            },
            "string" => self.string(node),
            "concatenated_string" => {
                let mut joined = String::new();
                let mut constant = true;
                for part in self.named_children(node) {
                    match self.string(part) {
                        ExprKind::Str(value) => joined.push_str(&value),
                        _not_a_plain_string => constant = false,
                    }
                }
                if constant {
                    ExprKind::Str(joined)
                } else {
                    ExprKind::Other
                }
            }
            "integer" => parse_int(&text).map_or(ExprKind::Other, ExprKind::Int),
            "float" => text
                .replace('_', "")
                .parse()
                .map_or(ExprKind::Other, ExprKind::Float),
            "true" => ExprKind::Bool(true),
            "false" => ExprKind::Bool(false),
            "none" => ExprKind::None,
            "ellipsis" => ExprKind::Ellipsis,
            "call" => match (
                node.child_by_field_name("function"),
                node.child_by_field_name("arguments"),
            ) {
                (Some(function), Some(arguments)) if arguments.kind() == "argument_list" => {
                    let mut positional = Vec::new();
                    let mut keywords = Vec::new();
                    for argument in self.named_children(arguments) {
                        if argument.kind() == "keyword_argument" {
                            if let (Some(keyword), Some(value)) = (
                                argument.child_by_field_name("name"),
                                argument.child_by_field_name("value"),
                            ) {
                                keywords.push((self.text(keyword).to_owned(), self.expr(value)));
                            }
                        } else if argument.kind() == "dictionary_splat" {
                            // `f(**options)`: any keyword may be set; the reader must know.
                            if let Some(inner) = self.named_children(argument).first() {
                                keywords.push(("**".to_owned(), self.expr(*inner)));
                            }
                        } else {
                            positional.push(self.expr(argument));
                        }
                    }
                    ExprKind::Call {
                        function: Box::new(self.expr(function)),
                        positional,
                        keywords,
                    }
                }
                // `f(x for x in y)` and broken calls: not something a setting is built from.
                (Some(_), Some(_)) | (Some(_), None) | (None, Some(_)) | (None, None) => {
                    ExprKind::Other
                }
            },
            "subscript" => match node.child_by_field_name("value") {
                Some(value) => {
                    let mut cursor = node.walk();
                    let mut indices: Vec<Expr> = node
                        .children_by_field_name("subscript", &mut cursor)
                        .map(|index| self.expr(index))
                        .collect();
                    // `X[a, b]` may come as one tuple index: flatten it, as Python's typing does.
                    let flattened = match indices.as_slice() {
                        [only] if !only.text.trim_start().starts_with('(') => match &only.kind {
                            ExprKind::Tuple(items) => Some(items.clone()),
                            _not_a_tuple => None,
                        },
                        _several => None,
                    };
                    if let Some(items) = flattened {
                        indices = items;
                    }
                    ExprKind::Subscript(Box::new(self.expr(value)), indices)
                }
                None => ExprKind::Other,
            },
            "binary_operator" => match (
                node.child_by_field_name("left"),
                node.child_by_field_name("operator"),
                node.child_by_field_name("right"),
            ) {
                (Some(left), Some(operator), Some(right)) if self.text(operator) == "|" => {
                    ExprKind::BitOr(Box::new(self.expr(left)), Box::new(self.expr(right)))
                }
                (_, _, _) => ExprKind::Other,
            },
            "unary_operator" => match (
                node.child_by_field_name("operator"),
                node.child_by_field_name("argument"),
            ) {
                (Some(operator), Some(argument)) if self.text(operator) == "-" => {
                    ExprKind::Negative(Box::new(self.expr(argument)))
                }
                (_, _) => ExprKind::Other,
            },
            "parenthesized_expression" => match self.named_children(node).as_slice() {
                [inner] => return self.expr(*inner),
                _not_one_expression => ExprKind::Other,
            },
            "list" => ExprKind::List(self.items(node)),
            "tuple" | "expression_list" => ExprKind::Tuple(self.items(node)),
            "set" => ExprKind::Set(self.items(node)),
            "dictionary" => ExprKind::Dict(
                self.named_children(node)
                    .into_iter()
                    .filter(|pair| pair.kind() == "pair")
                    .filter_map(|pair| {
                        Some((
                            self.expr(pair.child_by_field_name("key")?),
                            self.expr(pair.child_by_field_name("value")?),
                        ))
                    })
                    .collect(),
            ),
            "type" | "generic_type" | "union_type" | "member_type" => {
                return self.type_expr(node);
            }
            _not_evaluated => ExprKind::Other,
        };
        Expr {
            kind,
            text,
            line,
            span: node.byte_range(),
        }
    }

    fn items(&self, node: Node) -> Vec<Expr> {
        self.named_children(node)
            .into_iter()
            .map(|item| self.expr(item))
            .collect()
    }

    /// A string literal's value; an f-string with interpolations is not a constant.
    fn string(&self, node: Node) -> ExprKind {
        if node.kind() != "string" {
            return ExprKind::Other;
        }
        let mut prefix = String::new();
        let mut value = String::new();
        for child in self.named_children(node) {
            match child.kind() {
                "string_start" => {
                    prefix = self
                        .text(child)
                        .trim_end_matches(['"', '\''])
                        .to_ascii_lowercase();
                }
                "string_content" => value.push_str(self.text(child)),
                "interpolation" => return ExprKind::Other,
                _string_end => {}
            }
        }
        if prefix.contains('b') {
            return ExprKind::Bytes;
        }
        if prefix.contains('r') {
            ExprKind::Str(value)
        } else {
            ExprKind::Str(unescape(&value))
        }
    }
}

fn parse_int(text: &str) -> Option<i64> {
    let digits = text.replace('_', "").to_ascii_lowercase();
    if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(octal) = digits.strip_prefix("0o") {
        i64::from_str_radix(octal, 8).ok()
    } else if let Some(binary) = digits.strip_prefix("0b") {
        i64::from_str_radix(binary, 2).ok()
    } else {
        digits.parse().ok()
    }
}

/// The escapes that appear in settings strings (patterns, env names, defaults). An escape
/// Python would not recognise is kept as written, as Python keeps it.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('\\') => out.push('\\'),
            Some('\'') => out.push('\''),
            Some('"') => out.push('"'),
            Some('\n') => {}
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(source: &str) -> Module {
        parse_source(Path::new("m.py"), source).unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn imports_bind_what_python_binds() {
        let parsed = module(
            "import os\nimport a.b\nimport c.d as e\nfrom .x import y as z\nfrom ..p import q\n\
             try:\n    from typing import Annotated\nexcept ImportError:\n    from typing_extensions import Annotated\n",
        );
        let table = [
            ("os", "os", 0, None),
            ("a", "a", 0, None),
            ("e", "c.d", 0, None),
            ("z", "x", 1, Some("y")),
            ("q", "p", 2, Some("q")),
            ("Annotated", "typing_extensions", 0, Some("Annotated")),
        ];
        for (local, from, level, name) in table {
            assert_eq!(
                parsed.bindings.get(local),
                Some(&Binding::Import(Import {
                    module: from.to_owned(),
                    level,
                    name: name.map(str::to_owned)
                })),
                "{local}"
            );
        }
    }

    #[test]
    fn strings_are_evaluated_and_f_strings_are_not() {
        let parsed = module("A = 'a\\tb'\nB = r'\\d+'\nC = 'x' 'y'\nD = f'{A}'\nE = b'x'\n");
        let value = |name: &str| match parsed.bindings.get(name) {
            Some(Binding::Assignment(expr)) => expr.kind.clone(),
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(value("A"), ExprKind::Str("a\tb".into()));
        assert_eq!(value("B"), ExprKind::Str("\\d+".into()));
        assert_eq!(value("C"), ExprKind::Str("xy".into()));
        assert_eq!(value("D"), ExprKind::Other);
        assert_eq!(value("E"), ExprKind::Bytes);
    }

    #[test]
    fn a_syntax_error_is_located() {
        let error = parse_source(Path::new("m.py"), "x = 1\ndef f(:\n    pass\n")
            .expect_err("a syntax error");
        assert!(
            matches!(error, ReadError::Syntax { line: 2, .. }),
            "{error:?}"
        );
    }
}
