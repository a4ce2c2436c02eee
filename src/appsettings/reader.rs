//! Reading a settings class statically: the class, its bases (in the same file or imported from
//! the project), its configuration, its fields with their types, defaults, aliases, constraints
//! and validators, and the `BaseModel` classes its fields nest.
//!
//! Names are resolved as Python would resolve them at import time, but without running
//! anything: a module-level name is a class, an import or an assignment (a type alias or a
//! constant). An import is followed when the module is a file of the project (under the root,
//! under `root/src`, or beside the importing package); otherwise it is *external*, and only the
//! names of [`types`](super::types) mean something. An external name the reader does not know is
//! an unknown type, never an error: the reader's only errors are a file it cannot read or parse
//! and a class that is not there.
//!
//! pydantic's rules followed here (pydantic 2.13 and 2.14 with pydantic-settings 2.16.3):
//! - fields come from the reversed MRO, so a base's fields come first and a redefinition keeps
//!   its base's place; configuration is merged key by key in the same order, the class's own
//!   `model_config` (or v1 `class Config`, or class keywords) last;
//! - a field's environment names follow `EnvSettingsSource._extract_field_info`: a validation
//!   alias (or `alias`) replaces the prefixed field name unless `validate_by_name`, the prefix
//!   applies to aliases only under `env_prefix_target` `alias`/`all`, and every name is
//!   lower-cased unless `case_sensitive`;
//! - a field is required when it has neither a default nor a `default_factory`, whatever its
//!   type (`Optional[str]` with no default is required in pydantic 2).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::ReadError;
use super::model::{
    AppSettings, ConfigState, ConfigValue, Constraint, Constraints, EnvPrefixTarget, Extra, Field,
    FieldDefault, FieldType, LiteralValue, Location, NestedModel, Number, SettingsConfig,
};
use super::syntax::{self, Binding, ClassDef, ClassItem, Expr, ExprKind, Import, Module};
use super::types::{self, Generic};
use crate::source::read::Reader;

/// Import chains and aliases longer than this are treated as unresolvable: they only occur in
/// cycles.
const MAX_DEPTH: usize = 32;

/// Read the class `class_name` in `file`, resolving project imports against `root`.
pub fn read_settings(
    root: &Path,
    file: &Path,
    class_name: &str,
    reader: &Reader,
) -> Result<AppSettings, ReadError> {
    let mut project = Project::new(root, reader);
    let module = project.load(file)?;
    let Some(index) = module.class_index(class_name) else {
        return Err(ReadError::ClassNotFound {
            path: file.to_owned(),
            class: class_name.to_owned(),
        });
    };
    let class = ClassRef { module, index };
    let mut stack = Vec::new();
    let model = project.read_model(
        &class,
        SettingsConfig::settings_defaults(),
        None,
        &mut stack,
    );
    Ok(AppSettings {
        class_name: class_name.to_owned(),
        file: file.to_owned(),
        line: class.def().line,
        config: model.config,
        fields: model.fields,
        validated_by_app_all: model.validated_by_app_all,
    })
}

/// A class in a loaded module.
#[derive(Clone)]
pub(crate) struct ClassRef {
    pub module: Rc<Module>,
    pub index: usize,
}

impl ClassRef {
    pub fn def(&self) -> &ClassDef {
        &self.module.classes[self.index]
    }

    pub fn same(&self, other: &ClassRef) -> bool {
        Rc::ptr_eq(&self.module, &other.module) && self.index == other.index
    }

    fn location(&self, line: usize) -> Location {
        Location {
            file: self.module.path.clone(),
            line,
        }
    }
}

/// What a name or dotted name refers to.
#[derive(Clone)]
pub(crate) enum Symbol {
    Class(ClassRef),
    /// A module-level assignment: a type alias or a constant.
    Alias(Rc<Module>, Expr),
    Module(Rc<Module>),
    /// A module outside the project.
    ExternalModule(String),
    /// A name from a module outside the project.
    External {
        module: String,
        name: String,
    },
    /// A builtin type name (`str`, `int`, ...).
    Builtin(String),
    Unresolved,
}

/// The project's modules, loaded on demand and parsed once.
pub(crate) struct Project {
    search_roots: Vec<PathBuf>,
    modules: HashMap<PathBuf, Option<Rc<Module>>>,
    reader: Reader,
}

/// The ancestry of a class, base first (the reversed MRO), and the external classes it ends in.
pub(crate) struct Lineage {
    pub classes: Vec<ClassRef>,
    pub external: Vec<(String, String)>,
}

impl Lineage {
    pub fn derives_from(&self, module_top: &[&str], name: &str) -> bool {
        self.external.iter().any(|(module, external)| {
            external == name
                && module_top.contains(&module.split('.').next().unwrap_or(module.as_str()))
        })
    }
}

/// What the reader extracted from a model class (settings or nested).
struct ModelRead {
    config: SettingsConfig,
    fields: Vec<Field>,
    validated_by_app_all: bool,
}

/// Everything an annotation says about a field besides its type.
#[derive(Default)]
struct TypeFacts {
    optional: bool,
    secret: bool,
    constraints: Constraints,
    validated_by_app: bool,
    /// `Field(...)` calls found in `Annotated` metadata, with the module they are written in.
    field_calls: Vec<Expr>,
}

impl Project {
    pub fn new(root: &Path, reader: &Reader) -> Self {
        Project {
            search_roots: vec![root.to_owned(), root.join("src")],
            modules: HashMap::new(),
            reader: reader.clone(),
        }
    }

    /// Load a module that must be readable (the file named by the user or found by discovery).
    pub fn load(&mut self, path: &Path) -> Result<Rc<Module>, ReadError> {
        if let Some(Some(module)) = self.modules.get(path) {
            return Ok(Rc::clone(module));
        }
        let module = Rc::new(syntax::parse_file(path, &self.reader)?);
        self.modules
            .insert(path.to_owned(), Some(Rc::clone(&module)));
        Ok(module)
    }

    /// Load an imported module; one that cannot be read or parsed is as good as external.
    fn load_imported(&mut self, path: &Path) -> Option<Rc<Module>> {
        if let Some(cached) = self.modules.get(path) {
            return cached.clone();
        }
        let module = syntax::parse_file(path, &self.reader).ok().map(Rc::new);
        self.modules.insert(path.to_owned(), module.clone());
        module
    }

    /// The file of a dotted module under `base`: `a/b.py` or the package `a/b/__init__.py`.
    fn module_file(base: &Path, dotted: &str) -> Option<PathBuf> {
        let mut path = base.to_owned();
        for part in dotted.split('.').filter(|part| !part.is_empty()) {
            path.push(part);
        }
        let file = path.with_extension("py");
        if !dotted.is_empty() && file.is_file() {
            return Some(file);
        }
        let package = path.join("__init__.py");
        package.is_file().then_some(package)
    }

    /// Where an import's module is, if it is in the project.
    fn import_file(&self, from: &Module, import: &Import) -> Option<PathBuf> {
        if import.level > 0 {
            let mut base = from.path.parent()?.to_owned();
            for _ in 1..import.level {
                base = base.parent()?.to_owned();
            }
            return Self::module_file(&base, &import.module);
        }
        let mut bases = self.search_roots.clone();
        // The directory holding the importing file's top-level package, as `python -m` from
        // the project would put on `sys.path` even when the root is somewhere else.
        let mut package_parent = from.path.parent().map(Path::to_owned);
        while let Some(directory) = &package_parent {
            if directory.join("__init__.py").is_file() {
                package_parent = directory.parent().map(Path::to_owned);
            } else {
                break;
            }
        }
        bases.extend(package_parent);
        bases
            .iter()
            .find_map(|base| Self::module_file(base, &import.module))
    }

    fn resolve_import(&mut self, from: &Rc<Module>, import: &Import, depth: usize) -> Symbol {
        let Some(file) = self.import_file(from, import) else {
            if import.level > 0 {
                return Symbol::Unresolved;
            }
            return match &import.name {
                Some(name) => Symbol::External {
                    module: import.module.clone(),
                    name: name.clone(),
                },
                None => Symbol::ExternalModule(import.module.clone()),
            };
        };
        let Some(module) = self.load_imported(&file) else {
            return Symbol::Unresolved;
        };
        match &import.name {
            None => Symbol::Module(module),
            Some(name) => self.member(&module, name, depth + 1),
        }
    }

    /// A name looked up in a module, or a submodule of a package.
    fn member(&mut self, module: &Rc<Module>, name: &str, depth: usize) -> Symbol {
        if module.bindings.contains_key(name) {
            return self.resolve_name(module, name, depth);
        }
        let is_package = module
            .path
            .file_name()
            .is_some_and(|file| file == "__init__.py");
        let submodule = module
            .path
            .parent()
            .filter(|_| is_package)
            .and_then(|directory| Self::module_file(directory, name))
            .and_then(|file| self.load_imported(&file));
        match submodule {
            Some(submodule) => Symbol::Module(submodule),
            None => Symbol::Unresolved,
        }
    }

    pub fn resolve_name(&mut self, module: &Rc<Module>, name: &str, depth: usize) -> Symbol {
        if depth > MAX_DEPTH {
            return Symbol::Unresolved;
        }
        match module.bindings.get(name) {
            Some(Binding::Class(index)) => Symbol::Class(ClassRef {
                module: Rc::clone(module),
                index: *index,
            }),
            Some(Binding::Assignment(expr)) => Symbol::Alias(Rc::clone(module), expr.clone()),
            Some(Binding::Import(import)) => {
                let import = import.clone();
                self.resolve_import(module, &import, depth)
            }
            None if types::is_builtin(name) || name == "None" => Symbol::Builtin(name.to_owned()),
            None => Symbol::Unresolved,
        }
    }

    /// A name or a dotted name (`pydantic.Field`, `config.Base`).
    pub fn resolve(&mut self, module: &Rc<Module>, expr: &Expr) -> Symbol {
        let Some(parts) = expr.dotted() else {
            return Symbol::Unresolved;
        };
        let mut symbol = self.resolve_name(module, parts[0], 0);
        for part in &parts[1..] {
            symbol = match symbol {
                Symbol::Module(inner) => self.member(&inner, part, 1),
                Symbol::ExternalModule(name) => Symbol::External {
                    module: name,
                    name: (*part).to_owned(),
                },
                Symbol::External { module, name } => Symbol::External {
                    module: format!("{module}.{name}"),
                    name: (*part).to_owned(),
                },
                // An attribute of a class (an `Enum` member) or of a value is not a type.
                Symbol::Class(_) | Symbol::Alias(..) | Symbol::Builtin(_) | Symbol::Unresolved => {
                    Symbol::Unresolved
                }
            };
        }
        symbol
    }

    /// The known external name an expression refers to, or a bare name the reader cannot
    /// place (a name used without its import still says what the author meant).
    fn known_name(&mut self, module: &Rc<Module>, expr: &Expr) -> Option<String> {
        match self.resolve(module, expr) {
            Symbol::External { module, name } if types::is_known_module(&module) => Some(name),
            Symbol::Builtin(name) => Some(name),
            Symbol::Unresolved => expr.last_name().map(str::to_owned),
            Symbol::External { .. }
            | Symbol::ExternalModule(_)
            | Symbol::Class(_)
            | Symbol::Alias(..)
            | Symbol::Module(_) => None,
        }
    }

    /// The class's ancestry, base first. Bases are visited right to left so that, for a
    /// diamond, the order is Python's MRO reversed (`D(B, C)`: A, C, B, D).
    pub fn lineage(&mut self, class: &ClassRef) -> Lineage {
        let mut lineage = Lineage {
            classes: Vec::new(),
            external: Vec::new(),
        };
        let mut visiting = Vec::new();
        self.visit(class, &mut lineage, &mut visiting);
        lineage
    }

    fn visit(&mut self, class: &ClassRef, lineage: &mut Lineage, visiting: &mut Vec<ClassRef>) {
        if lineage.classes.iter().any(|seen| seen.same(class))
            || visiting.iter().any(|seen| seen.same(class))
            || visiting.len() > MAX_DEPTH
        {
            return;
        }
        visiting.push(class.clone());
        for base in class.def().bases.iter().rev() {
            // `Generic[T]` and other subscripted bases: the class is what matters.
            let base = match &base.kind {
                ExprKind::Subscript(value, _) => value.as_ref(),
                _not_subscripted => base,
            };
            match self.resolve(&class.module, base) {
                Symbol::Class(parent) => self.visit(&parent, lineage, visiting),
                Symbol::External { module, name } => lineage.external.push((module, name)),
                Symbol::Unresolved => {
                    if let Some(name) = base.last_name() {
                        lineage.external.push((String::new(), name.to_owned()));
                    }
                }
                Symbol::Alias(..)
                | Symbol::Module(_)
                | Symbol::ExternalModule(_)
                | Symbol::Builtin(_) => {}
            }
        }
        visiting.pop();
        lineage.classes.push(class.clone());
    }

    /// Whether the class is a `BaseSettings` (directly or through project bases). An unimported
    /// `BaseSettings` base counts: the file may import it in a way the reader does not follow.
    pub fn is_settings_class(&mut self, class: &ClassRef) -> bool {
        let lineage = self.lineage(class);
        lineage.derives_from(&["pydantic_settings", "pydantic", ""], "BaseSettings")
    }

    fn read_model(
        &mut self,
        class: &ClassRef,
        defaults: SettingsConfig,
        parent_case_sensitive: Option<bool>,
        stack: &mut Vec<ClassRef>,
    ) -> ModelRead {
        stack.push(class.clone());
        let lineage = self.lineage(class);
        let mut entries: HashMap<String, ConfigEntry> = HashMap::new();
        let mut declarations: Vec<Declaration> = Vec::new();
        let mut positions: HashMap<String, usize> = HashMap::new();
        let mut validators = Validators::default();
        let mut computed = Vec::new();
        for ancestor in &lineage.classes {
            self.collect_config(ancestor, &mut entries);
            for item in &ancestor.def().body {
                match item {
                    ClassItem::Annotated {
                        name,
                        line,
                        annotation,
                        value,
                    } => {
                        if name.starts_with('_') || name == "model_config" {
                            continue;
                        }
                        let declaration = Declaration {
                            class: ancestor.clone(),
                            name: name.clone(),
                            line: *line,
                            annotation: annotation.clone(),
                            value: value.clone(),
                        };
                        match positions.get(name) {
                            Some(&position) => declarations[position] = declaration,
                            None => {
                                positions.insert(name.clone(), declarations.len());
                                declarations.push(declaration);
                            }
                        }
                    }
                    ClassItem::Method(method) => {
                        self.collect_validators(ancestor, method, &mut validators, &mut computed)
                    }
                    ClassItem::Assigned { .. } | ClassItem::Class(_) => {}
                }
            }
        }
        let mut config = self.build_config(defaults, &entries);
        let case_sensitive = parent_case_sensitive.unwrap_or(config.case_sensitive.value);
        if parent_case_sensitive.is_some() {
            // A nested model's keys follow its parent's name and the delimiter; its own
            // `env_prefix` (a nested `BaseSettings`) is not applied by the outer source.
            config.env_prefix = ConfigValue::default(String::new());
        }
        let mut fields = Vec::new();
        for declaration in declarations {
            if computed.contains(&declaration.name) {
                continue;
            }
            if let Some(field) =
                self.read_field(&declaration, &config, case_sensitive, &validators, stack)
            {
                fields.push(field);
            }
        }
        stack.pop();
        ModelRead {
            config,
            fields,
            validated_by_app_all: validators.all,
        }
    }

    fn collect_config(&mut self, class: &ClassRef, entries: &mut HashMap<String, ConfigEntry>) {
        let module = &class.module;
        let def = class.def();
        for item in &def.body {
            match item {
                ClassItem::Assigned { name, line, value }
                | ClassItem::Annotated {
                    name,
                    line,
                    value: Some(value),
                    ..
                } if name == "model_config" => {
                    self.config_entries(module, value, *line, entries, 0);
                }
                ClassItem::Class(inner) if inner.name == "Config" => {
                    for attribute in &inner.body {
                        match attribute {
                            ClassItem::Assigned { name, line, value }
                            | ClassItem::Annotated {
                                name,
                                line,
                                value: Some(value),
                                ..
                            } => {
                                entries.insert(
                                    v1_config_name(name).to_owned(),
                                    ConfigEntry::new(module, value, *line),
                                );
                            }
                            ClassItem::Annotated { value: None, .. }
                            | ClassItem::Method(_)
                            | ClassItem::Class(_) => {}
                        }
                    }
                }
                ClassItem::Assigned { .. }
                | ClassItem::Annotated { .. }
                | ClassItem::Method(_)
                | ClassItem::Class(_) => {}
            }
        }
        for (name, value) in &def.keywords {
            entries.insert(name.clone(), ConfigEntry::new(module, value, value.line));
        }
    }

    /// `SettingsConfigDict(...)`, `ConfigDict(...)`, `dict(...)`, a dict literal, or a name
    /// bound to one of those.
    fn config_entries(
        &mut self,
        module: &Rc<Module>,
        value: &Expr,
        line: usize,
        entries: &mut HashMap<String, ConfigEntry>,
        depth: usize,
    ) {
        match &value.kind {
            ExprKind::Call {
                function, keywords, ..
            } if matches!(
                self.known_name(module, function).as_deref(),
                Some("SettingsConfigDict" | "ConfigDict" | "dict")
            ) =>
            {
                for (name, argument) in keywords {
                    entries.insert(name.clone(), ConfigEntry::new(module, argument, line));
                }
            }
            ExprKind::Dict(pairs) => {
                for (key, argument) in pairs {
                    if let Some(name) = key.as_str() {
                        entries.insert(name.to_owned(), ConfigEntry::new(module, argument, line));
                    }
                }
            }
            ExprKind::Name(_) | ExprKind::Attribute(..) if depth < MAX_DEPTH => {
                if let Symbol::Alias(alias_module, alias) = self.resolve(module, value) {
                    self.config_entries(&alias_module, &alias, line, entries, depth + 1);
                    return;
                }
                entries.insert(
                    UNREADABLE_CONFIG.to_owned(),
                    ConfigEntry::new(module, value, line),
                );
            }
            _unreadable => {
                entries.insert(
                    UNREADABLE_CONFIG.to_owned(),
                    ConfigEntry::new(module, value, line),
                );
            }
        }
    }

    fn build_config(
        &mut self,
        defaults: SettingsConfig,
        entries: &HashMap<String, ConfigEntry>,
    ) -> SettingsConfig {
        let mut config = defaults;
        // `model_config = some_call()` or `**options`: any option may be set to anything.
        if let Some(entry) = entries
            .get(UNREADABLE_CONFIG)
            .or_else(|| entries.get(SPLAT_KEYWORD))
        {
            let unknown = || ConfigState::Unknown {
                at: entry.location(),
                expression: entry.value.text.clone(),
            };
            config.env_prefix.state = unknown();
            config.env_prefix_target.state = unknown();
            config.case_sensitive.state = unknown();
            config.extra.state = unknown();
            config.env_ignore_empty.state = unknown();
            config.env_nested_delimiter.state = unknown();
            config.env_nested_max_split.state = unknown();
            config.env_parse_none_str.state = unknown();
            config.env_parse_enums.state = unknown();
            config.env_file.state = unknown();
            config.validate_by_alias.state = unknown();
            config.validate_by_name.state = unknown();
        }
        let set = |target: &mut ConfigState, entry: &ConfigEntry, ok: bool| {
            *target = if ok {
                ConfigState::Set(entry.location())
            } else {
                ConfigState::Unknown {
                    at: entry.location(),
                    expression: entry.value.text.clone(),
                }
            };
        };
        if let Some(entry) = entries.get("env_prefix") {
            let value = self.eval_str(&entry.module, &entry.value);
            set(&mut config.env_prefix.state, entry, value.is_some());
            config.env_prefix.value = value.unwrap_or_default();
        }
        if let Some(entry) = entries.get("env_prefix_target") {
            let value = match self.eval_str(&entry.module, &entry.value).as_deref() {
                Some("variable") => Some(EnvPrefixTarget::Variable),
                Some("alias") => Some(EnvPrefixTarget::Alias),
                Some("all") => Some(EnvPrefixTarget::All),
                Some(_) | None => None,
            };
            set(&mut config.env_prefix_target.state, entry, value.is_some());
            config.env_prefix_target.value = value.unwrap_or(EnvPrefixTarget::Variable);
        }
        for (name, target) in [
            ("case_sensitive", &mut config.case_sensitive),
            ("env_ignore_empty", &mut config.env_ignore_empty),
            ("validate_by_alias", &mut config.validate_by_alias),
        ] {
            if let Some(entry) = entries.get(name) {
                let value = self.eval_bool(&entry.module, &entry.value);
                set(&mut target.state, entry, value.is_some());
                target.value = value.unwrap_or(target.value);
            }
        }
        if let Some(entry) = entries.get("extra") {
            let text = self.eval_str(&entry.module, &entry.value).or_else(|| {
                // `Extra.forbid` (pydantic 1, still accepted with a warning).
                entry.value.last_name().map(str::to_owned)
            });
            let value = match text.as_deref() {
                Some("forbid") => Some(Extra::Forbid),
                Some("ignore") => Some(Extra::Ignore),
                Some("allow") => Some(Extra::Allow),
                Some(_) | None => None,
            };
            set(&mut config.extra.state, entry, value.is_some());
            if let Some(value) = value {
                config.extra.value = value;
            }
        }
        for (name, target) in [
            ("env_nested_delimiter", &mut config.env_nested_delimiter),
            ("env_parse_none_str", &mut config.env_parse_none_str),
        ] {
            if let Some(entry) = entries.get(name) {
                let value = match &entry.value.kind {
                    ExprKind::None => Some(None),
                    _not_none => self.eval_str(&entry.module, &entry.value).map(Some),
                };
                set(&mut target.state, entry, value.is_some());
                target.value = value.flatten();
            }
        }
        if let Some(entry) = entries.get("env_nested_max_split") {
            let value = match &entry.value.kind {
                ExprKind::None => Some(None),
                _not_none => self
                    .eval_int(&entry.module, &entry.value)
                    .and_then(|split| usize::try_from(split).ok())
                    .map(Some),
            };
            set(
                &mut config.env_nested_max_split.state,
                entry,
                value.is_some(),
            );
            config.env_nested_max_split.value = value.flatten();
        }
        if let Some(entry) = entries.get("env_parse_enums") {
            let value = match &entry.value.kind {
                ExprKind::None => Some(None),
                _not_none => self.eval_bool(&entry.module, &entry.value).map(Some),
            };
            set(&mut config.env_parse_enums.state, entry, value.is_some());
            config.env_parse_enums.value = value.flatten();
        }
        if let Some(entry) = entries.get("env_file") {
            let value = self.eval_env_files(&entry.module, &entry.value);
            set(&mut config.env_file.state, entry, value.is_some());
            config.env_file.value = value.unwrap_or_default();
        }
        // pydantic-settings' `_validate_by_name_enabled`: `validate_by_name`, else
        // `populate_by_name`, else whether `validate_by_alias` is false.
        let by_name = entries
            .get("validate_by_name")
            .or_else(|| entries.get("populate_by_name"));
        match by_name {
            Some(entry) => {
                let value = self.eval_bool(&entry.module, &entry.value);
                set(&mut config.validate_by_name.state, entry, value.is_some());
                config.validate_by_name.value = value.unwrap_or(false);
            }
            None => {
                config.validate_by_name.value = !config.validate_by_alias.value;
                config.validate_by_name.state = config.validate_by_alias.state.clone();
            }
        }
        config.alias_generator = entries
            .get("alias_generator")
            .is_some_and(|entry| !matches!(entry.value.kind, ExprKind::None));
        config
    }

    fn collect_validators(
        &mut self,
        class: &ClassRef,
        method: &syntax::Method,
        validators: &mut Validators,
        computed: &mut Vec<String>,
    ) {
        for decorator in &method.decorators {
            let (function, positional) = match &decorator.kind {
                ExprKind::Call {
                    function,
                    positional,
                    ..
                } => (function.as_ref(), positional.as_slice()),
                _bare_decorator => (decorator, &[][..]),
            };
            let Some(name) = self.known_name(&class.module, function) else {
                continue;
            };
            let mode = decorator.keyword("mode").and_then(Expr::as_str);
            let pre = decorator
                .keyword("pre")
                .is_some_and(|pre| matches!(pre.kind, ExprKind::Bool(true)));
            let raw_input = match name.as_str() {
                "field_validator" => matches!(mode, Some("before" | "wrap" | "plain")),
                "validator" => pre,
                "model_validator" => {
                    if matches!(mode, Some("before" | "wrap")) {
                        validators.all = true;
                    }
                    false
                }
                "root_validator" => {
                    if pre {
                        validators.all = true;
                    }
                    false
                }
                "computed_field" => {
                    computed.push(method.name.clone());
                    false
                }
                _other_decorator => false,
            };
            if raw_input {
                for target in positional {
                    match target.as_str() {
                        Some("*") => validators.all_fields = true,
                        Some(field) => validators.fields.push(field.to_owned()),
                        // A list of names built at run time: it may name any field.
                        None => validators.all_fields = true,
                    }
                }
            }
        }
    }

    fn read_field(
        &mut self,
        declaration: &Declaration,
        config: &SettingsConfig,
        case_sensitive: bool,
        validators: &Validators,
        stack: &mut Vec<ClassRef>,
    ) -> Option<Field> {
        let module = Rc::clone(&declaration.class.module);
        let generic = match &declaration.annotation.kind {
            ExprKind::Subscript(base, _) => self.known_name(&module, base),
            _not_subscripted => None,
        };
        if generic.as_deref().and_then(types::generic) == Some(Generic::ClassVar) {
            return None;
        }
        let mut facts = TypeFacts::default();
        let ty = self.field_type(
            &module,
            &declaration.annotation,
            &mut facts,
            stack,
            case_sensitive,
            0,
        );
        let ty = match ty {
            Some(ty) => ty,
            None => {
                facts.optional = true;
                FieldType::Unknown("None".to_owned())
            }
        };
        let mut field_calls = facts.field_calls.clone();
        let mut default = None;
        let mut has_default = false;
        if let Some(value) = &declaration.value {
            let is_field_call = match &value.kind {
                ExprKind::Call { function, .. } => {
                    self.known_name(&module, function).as_deref() == Some("Field")
                }
                _not_a_call => false,
            };
            if is_field_call {
                field_calls.push(value.clone());
            } else if !matches!(value.kind, ExprKind::Ellipsis) {
                default = Some(self.default_of(&module, value));
                has_default = true;
            }
        }
        let mut alias = None;
        for call in &field_calls {
            let ExprKind::Call {
                positional,
                keywords,
                ..
            } = &call.kind
            else {
                continue;
            };
            let default_argument = positional.first().or_else(|| call.keyword("default"));
            let default_argument = default_argument.filter(|argument| {
                !matches!(argument.kind, ExprKind::Ellipsis)
                    && argument
                        .dotted()
                        .is_none_or(|parts| parts.last() != Some(&"PydanticUndefined"))
            });
            if let Some(argument) = default_argument {
                default = Some(self.default_of(&module, argument));
                has_default = true;
            }
            if let Some(factory) = call.keyword("default_factory") {
                default = Some(FieldDefault::Factory(factory.text.clone()));
                has_default = true;
            }
            for (keyword, argument) in keywords {
                match keyword.as_str() {
                    "validation_alias" => alias = Some(argument.clone()),
                    "alias" if alias.is_none() => alias = Some(argument.clone()),
                    _constraint => {
                        self.constraint(&module, keyword, argument, &mut facts.constraints)
                    }
                }
            }
        }
        let env_names = self.env_names(
            &module,
            &declaration.name,
            alias.as_ref(),
            config,
            case_sensitive,
        );
        let validated_by_app = facts.validated_by_app
            || validators.all_fields
            || validators.fields.contains(&declaration.name);
        Some(Field {
            name: declaration.name.clone(),
            env_names,
            ty,
            optional: facts.optional,
            required: !has_default,
            default,
            secret: facts.secret,
            constraints: facts.constraints,
            validated_by_app,
            declared_at: declaration.class.location(declaration.line),
        })
    }

    /// The names pydantic-settings looks up (`_extract_field_info`).
    fn env_names(
        &mut self,
        module: &Rc<Module>,
        field_name: &str,
        alias: Option<&Expr>,
        config: &SettingsConfig,
        case_sensitive: bool,
    ) -> Vec<String> {
        let fold = |name: String| {
            if case_sensitive {
                name
            } else {
                name.to_lowercase()
            }
        };
        let prefix = &config.env_prefix.value;
        let target = config.env_prefix_target.value;
        let mut names = Vec::new();
        let alias = alias.filter(|_| config.validate_by_alias.value);
        let mut has_alias = false;
        if let Some(alias) = alias {
            let Some(heads) = self.alias_heads(module, alias) else {
                return Vec::new();
            };
            has_alias = !heads.is_empty();
            let alias_prefix = match target {
                EnvPrefixTarget::Alias | EnvPrefixTarget::All => prefix.as_str(),
                EnvPrefixTarget::Variable => "",
            };
            names.extend(
                heads
                    .into_iter()
                    .map(|head| fold(format!("{alias_prefix}{head}"))),
            );
        } else if config.alias_generator {
            return Vec::new();
        }
        if !has_alias || config.validate_by_name.value {
            let name_prefix = match target {
                EnvPrefixTarget::Variable | EnvPrefixTarget::All => prefix.as_str(),
                EnvPrefixTarget::Alias => "",
            };
            names.push(fold(format!("{name_prefix}{field_name}")));
        }
        names
    }

    /// The environment names an alias gives: a string, each `AliasChoices` choice, an
    /// `AliasPath`'s first element. `None` when it cannot be evaluated.
    fn alias_heads(&mut self, module: &Rc<Module>, alias: &Expr) -> Option<Vec<String>> {
        if let Some(text) = self.eval_str(module, alias) {
            return Some(vec![text]);
        }
        let ExprKind::Call {
            function,
            positional,
            ..
        } = &alias.kind
        else {
            return None;
        };
        match self.known_name(module, function).as_deref() {
            Some("AliasChoices") => positional
                .iter()
                .map(|choice| {
                    self.eval_str(module, choice)
                        .or_else(|| self.alias_heads(module, choice)?.into_iter().next())
                })
                .collect(),
            Some("AliasPath") => Some(vec![self.eval_str(module, positional.first()?)?]),
            Some(_) | None => None,
        }
    }

    fn constraint(
        &mut self,
        module: &Rc<Module>,
        keyword: &str,
        argument: &Expr,
        constraints: &mut Constraints,
    ) {
        let number = |project: &mut Self| match project.eval_number(module, argument) {
            Some(number) => Constraint::Known(number),
            None => Constraint::Unknown(argument.text.clone()),
        };
        let count = |project: &mut Self| match project
            .eval_int(module, argument)
            .and_then(|count| usize::try_from(count).ok())
        {
            Some(count) => Constraint::Known(count),
            None => Constraint::Unknown(argument.text.clone()),
        };
        match keyword {
            "ge" => constraints.ge = Some(number(self)),
            "gt" => constraints.gt = Some(number(self)),
            "le" => constraints.le = Some(number(self)),
            "lt" => constraints.lt = Some(number(self)),
            "multiple_of" => constraints.multiple_of = Some(number(self)),
            // `min_items`/`max_items` are pydantic 1's names, still accepted with a warning.
            "min_length" | "min_items" => constraints.min_length = Some(count(self)),
            "max_length" | "max_items" => constraints.max_length = Some(count(self)),
            // `regex` is pydantic 1's name.
            "pattern" | "regex" => {
                constraints.pattern = Some(match self.eval_str(module, argument) {
                    Some(pattern) => Constraint::Known(pattern),
                    None => Constraint::Unknown(argument.text.clone()),
                })
            }
            // `description`, `title`, `examples`, `json_schema_extra`, `strict`, ...: nothing
            // about which values the environment may hold.
            _not_a_constraint => {}
        }
    }

    /// The field type an annotation means; `None` for the `None` type itself (which makes the
    /// field optional when it is part of a union).
    fn field_type(
        &mut self,
        module: &Rc<Module>,
        annotation: &Expr,
        facts: &mut TypeFacts,
        stack: &mut Vec<ClassRef>,
        case_sensitive: bool,
        depth: usize,
    ) -> Option<FieldType> {
        if depth > MAX_DEPTH {
            return Some(FieldType::Unknown(annotation.text.clone()));
        }
        let unknown = || Some(FieldType::Unknown(annotation.text.clone()));
        match &annotation.kind {
            ExprKind::None => None,
            // A forward reference: `"Database"`.
            ExprKind::Str(text) => match forward_reference(text) {
                Some(expression) => {
                    self.field_type(module, &expression, facts, stack, case_sensitive, depth + 1)
                }
                None => unknown(),
            },
            ExprKind::BitOr(left, right) => {
                let mut members = Vec::new();
                for side in [left, right] {
                    match self.field_type(module, side, facts, stack, case_sensitive, depth + 1) {
                        Some(FieldType::Union(inner)) => members.extend(inner),
                        Some(member) => members.push(member),
                        None => facts.optional = true,
                    }
                }
                Some(union(members))
            }
            ExprKind::Subscript(base, arguments) => {
                let Some(generic) = self
                    .known_name(module, base)
                    .as_deref()
                    .and_then(types::generic)
                else {
                    // A generic from elsewhere, or a subscripted alias: its parameters matter
                    // in ways the reader does not know.
                    return unknown();
                };
                self.generic_type(
                    module,
                    annotation,
                    generic,
                    arguments,
                    facts,
                    stack,
                    case_sensitive,
                    depth,
                )
            }
            ExprKind::Name(_) | ExprKind::Attribute(..) => {
                match self.resolve(module, annotation) {
                    Symbol::Builtin(name) if name == "None" => None,
                    Symbol::Builtin(name) => Some(
                        self.simple(&name, facts)
                            .unwrap_or(FieldType::Unknown(name)),
                    ),
                    Symbol::External { module: from, name } if types::is_known_module(&from) => {
                        if name == "NoneType" {
                            return None;
                        }
                        match self.simple(&name, facts) {
                            Some(ty) => Some(ty),
                            None => unknown(),
                        }
                    }
                    Symbol::Class(class) => {
                        Some(self.class_type(&class, facts, stack, case_sensitive))
                    }
                    Symbol::Alias(alias_module, alias) => self.field_type(
                        &alias_module,
                        &alias,
                        facts,
                        stack,
                        case_sensitive,
                        depth + 1,
                    ),
                    // Used without an import the reader can follow: a builtin-looking name
                    // still means the builtin.
                    Symbol::Unresolved => match annotation.last_name() {
                        Some("None") => None,
                        Some(name) => match self.simple(name, facts) {
                            Some(ty)
                                if annotation.dotted().is_some_and(|parts| parts.len() == 1) =>
                            {
                                Some(ty)
                            }
                            Some(_) | None => unknown(),
                        },
                        None => unknown(),
                    },
                    Symbol::External { .. } | Symbol::ExternalModule(_) | Symbol::Module(_) => {
                        unknown()
                    }
                }
            }
            ExprKind::Bytes
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Ellipsis
            | ExprKind::Call { .. }
            | ExprKind::List(_)
            | ExprKind::Tuple(_)
            | ExprKind::Set(_)
            | ExprKind::Dict(_)
            | ExprKind::Negative(_)
            | ExprKind::Other => unknown(),
        }
    }

    fn simple(&mut self, name: &str, facts: &mut TypeFacts) -> Option<FieldType> {
        let simple = types::simple_type(name)?;
        facts.secret |= simple.secret;
        merge_constraints(&mut facts.constraints, simple.constraints);
        Some(simple.ty)
    }

    #[allow(clippy::too_many_arguments)]
    fn generic_type(
        &mut self,
        module: &Rc<Module>,
        annotation: &Expr,
        generic: Generic,
        arguments: &[Expr],
        facts: &mut TypeFacts,
        stack: &mut Vec<ClassRef>,
        case_sensitive: bool,
        depth: usize,
    ) -> Option<FieldType> {
        let mut element = |project: &mut Self, expr: Option<&Expr>, facts: &mut TypeFacts| {
            let Some(expr) = expr else {
                return FieldType::Unknown("Any".to_owned());
            };
            // An element's optionality is the element's, not the field's.
            let mut inner = TypeFacts::default();
            let ty = project.field_type(module, expr, &mut inner, stack, case_sensitive, depth + 1);
            facts.secret |= inner.secret;
            facts.validated_by_app |= inner.validated_by_app;
            ty.unwrap_or_else(|| FieldType::Unknown("None".to_owned()))
        };
        match generic {
            Generic::Optional => {
                facts.optional = true;
                let inner = arguments.first()?;
                self.field_type(module, inner, facts, stack, case_sensitive, depth + 1)
            }
            Generic::Union => {
                let mut members = Vec::new();
                for argument in arguments {
                    match self.field_type(module, argument, facts, stack, case_sensitive, depth + 1)
                    {
                        Some(FieldType::Union(inner)) => members.extend(inner),
                        Some(member) => members.push(member),
                        None => facts.optional = true,
                    }
                }
                Some(union(members))
            }
            Generic::Annotated => {
                let (inner, metadata) = arguments.split_first()?;
                for item in metadata {
                    self.annotated_metadata(module, item, facts);
                }
                self.field_type(module, inner, facts, stack, case_sensitive, depth + 1)
            }
            Generic::Literal => {
                let mut values = Vec::new();
                for argument in arguments {
                    match literal_value(argument) {
                        Some(LiteralValue::None) => facts.optional = true,
                        Some(value) => values.push(value),
                        None => values.push(LiteralValue::Expression(argument.text.clone())),
                    }
                }
                Some(FieldType::Literal(values))
            }
            // Only reached for a nested `ClassVar`, which pydantic rejects.
            Generic::ClassVar => Some(FieldType::Unknown(annotation.text.clone())),
            Generic::List => Some(FieldType::List(Box::new(element(
                self,
                arguments.first(),
                facts,
            )))),
            Generic::Set => Some(FieldType::Set(Box::new(element(
                self,
                arguments.first(),
                facts,
            )))),
            Generic::Tuple => {
                let repeated =
                    arguments.len() == 2 && matches!(arguments[1].kind, ExprKind::Ellipsis);
                let elements = if repeated {
                    vec![element(self, arguments.first(), facts)]
                } else {
                    arguments
                        .iter()
                        .map(|argument| element(self, Some(argument), facts))
                        .collect()
                };
                Some(FieldType::Tuple { elements, repeated })
            }
            Generic::Dict => {
                let key = element(self, arguments.first(), facts);
                let value = element(self, arguments.get(1), facts);
                Some(FieldType::Dict {
                    key: Box::new(key),
                    value: Box::new(value),
                })
            }
            Generic::Secret => {
                facts.secret = true;
                let inner = arguments.first()?;
                self.field_type(module, inner, facts, stack, case_sensitive, depth + 1)
            }
        }
    }

    /// One item of `Annotated[T, ...]`.
    fn annotated_metadata(&mut self, module: &Rc<Module>, item: &Expr, facts: &mut TypeFacts) {
        let ExprKind::Call {
            function,
            positional,
            keywords,
        } = &item.kind
        else {
            return;
        };
        let Some(name) = self.known_name(module, function) else {
            return;
        };
        match name.as_str() {
            "Field" => facts.field_calls.push(item.clone()),
            "BeforeValidator" | "WrapValidator" | "PlainValidator" => facts.validated_by_app = true,
            "StringConstraints" | "Interval" => {
                for (keyword, argument) in keywords {
                    self.constraint(module, keyword, argument, &mut facts.constraints);
                }
            }
            "Ge" | "Gt" | "Le" | "Lt" | "MultipleOf" | "MinLen" | "MaxLen" => {
                if let Some(argument) = positional.first() {
                    let keyword = match name.as_str() {
                        "Ge" => "ge",
                        "Gt" => "gt",
                        "Le" => "le",
                        "Lt" => "lt",
                        "MultipleOf" => "multiple_of",
                        "MinLen" => "min_length",
                        _max_len => "max_length",
                    };
                    self.constraint(module, keyword, argument, &mut facts.constraints);
                }
            }
            "Len" => {
                if let Some(minimum) = positional.first() {
                    self.constraint(module, "min_length", minimum, &mut facts.constraints);
                }
                if let Some(maximum) = positional.get(1) {
                    self.constraint(module, "max_length", maximum, &mut facts.constraints);
                }
            }
            // `AfterValidator` runs on the typed value: type judgements stay. `Strict`, docs and
            // serializers change nothing about which strings are accepted.
            _other_metadata => {}
        }
    }

    /// A project class used as a type: an `Enum`, a nested `BaseModel`, or unknown.
    fn class_type(
        &mut self,
        class: &ClassRef,
        facts: &mut TypeFacts,
        stack: &mut Vec<ClassRef>,
        case_sensitive: bool,
    ) -> FieldType {
        let name = class.def().name.clone();
        let lineage = self.lineage(class);
        if lineage.derives_from(&["enum", ""], "Enum")
            || lineage.derives_from(&["enum", ""], "StrEnum")
            || lineage.derives_from(&["enum", ""], "IntEnum")
        {
            let mut values = Vec::new();
            for ancestor in &lineage.classes {
                for item in &ancestor.def().body {
                    let member = match item {
                        ClassItem::Assigned { name, value, .. } if !name.starts_with('_') => {
                            Some(value)
                        }
                        ClassItem::Assigned { .. }
                        | ClassItem::Annotated { .. }
                        | ClassItem::Method(_)
                        | ClassItem::Class(_) => None,
                    };
                    if let Some(value) = member {
                        values.push(
                            literal_value(value)
                                .unwrap_or_else(|| LiteralValue::Expression(value.text.clone())),
                        );
                    }
                }
            }
            return FieldType::Enum { name, values };
        }
        if lineage.derives_from(&["pydantic", "pydantic_settings", ""], "BaseModel")
            || lineage.derives_from(&["pydantic_settings", "pydantic", ""], "BaseSettings")
        {
            // A model that contains itself: pydantic accepts it, the environment cannot set it.
            if stack.iter().any(|seen| seen.same(class)) {
                return FieldType::Unknown(name);
            }
            let model = self.read_nested(class, stack, case_sensitive);
            facts.secret |= model.fields.iter().any(|field| field.secret);
            return FieldType::Nested(Box::new(model));
        }
        FieldType::Unknown(name)
    }

    fn read_nested(
        &mut self,
        class: &ClassRef,
        stack: &mut Vec<ClassRef>,
        case_sensitive: bool,
    ) -> NestedModel {
        let model = self.read_model(
            class,
            SettingsConfig::model_defaults(),
            Some(case_sensitive),
            stack,
        );
        NestedModel {
            class_name: class.def().name.clone(),
            declared_at: class.location(class.def().line),
            config: model.config,
            fields: model.fields,
            validated_by_app_all: model.validated_by_app_all,
        }
    }

    fn default_of(&mut self, module: &Rc<Module>, value: &Expr) -> FieldDefault {
        if let Some(literal) = literal_value(value) {
            return FieldDefault::Literal {
                written: value.text.clone(),
                value: Some(literal),
            };
        }
        if is_constant_container(value) {
            return FieldDefault::Literal {
                written: value.text.clone(),
                value: None,
            };
        }
        // A module-level constant is as good as its value.
        let constant = match (&value.kind, self.resolve(module, value)) {
            (ExprKind::Name(_), Symbol::Alias(_, alias)) => literal_value(&alias),
            (_, _) => None,
        };
        if let Some(literal) = constant {
            return FieldDefault::Literal {
                written: value.text.clone(),
                value: Some(literal),
            };
        }
        FieldDefault::Expression(value.text.clone())
    }

    /// A constant, following module-level names (`PREFIX = "APP_"`).
    fn eval_constant(&mut self, module: &Rc<Module>, expr: &Expr, depth: usize) -> Option<Expr> {
        match &expr.kind {
            ExprKind::Name(_) | ExprKind::Attribute(..) if depth < MAX_DEPTH => {
                match self.resolve(module, expr) {
                    Symbol::Alias(alias_module, alias) => {
                        self.eval_constant(&alias_module, &alias, depth + 1)
                    }
                    Symbol::Class(_)
                    | Symbol::Module(_)
                    | Symbol::ExternalModule(_)
                    | Symbol::External { .. }
                    | Symbol::Builtin(_)
                    | Symbol::Unresolved => None,
                }
            }
            _value => Some(expr.clone()),
        }
    }

    fn eval_str(&mut self, module: &Rc<Module>, expr: &Expr) -> Option<String> {
        self.eval_constant(module, expr, 0)?
            .as_str()
            .map(str::to_owned)
    }

    fn eval_bool(&mut self, module: &Rc<Module>, expr: &Expr) -> Option<bool> {
        match self.eval_constant(module, expr, 0)?.kind {
            ExprKind::Bool(value) => Some(value),
            _not_a_bool => None,
        }
    }

    fn eval_int(&mut self, module: &Rc<Module>, expr: &Expr) -> Option<i64> {
        match self.eval_number(module, expr)? {
            Number::Int(value) => Some(value),
            Number::Float(_) => None,
        }
    }

    fn eval_number(&mut self, module: &Rc<Module>, expr: &Expr) -> Option<Number> {
        let constant = self.eval_constant(module, expr, 0)?;
        match &constant.kind {
            ExprKind::Int(value) => Some(Number::Int(*value)),
            ExprKind::Float(value) => Some(Number::Float(*value)),
            ExprKind::Negative(inner) => match self.eval_number(module, inner)? {
                Number::Int(value) => Some(Number::Int(-value)),
                Number::Float(value) => Some(Number::Float(-value)),
            },
            _not_a_number => None,
        }
    }

    /// `env_file`: a path, `Path("...")`, or a list or tuple of them; `None` is no file.
    fn eval_env_files(&mut self, module: &Rc<Module>, expr: &Expr) -> Option<Vec<String>> {
        let constant = self.eval_constant(module, expr, 0)?;
        match &constant.kind {
            ExprKind::None => Some(Vec::new()),
            ExprKind::List(items) | ExprKind::Tuple(items) => items
                .iter()
                .map(|item| self.eval_path(module, item))
                .collect(),
            _single => Some(vec![self.eval_path(module, &constant)?]),
        }
    }

    fn eval_path(&mut self, module: &Rc<Module>, expr: &Expr) -> Option<String> {
        if let Some(text) = self.eval_str(module, expr) {
            return Some(text);
        }
        match &expr.kind {
            ExprKind::Call {
                function,
                positional,
                keywords,
            } if keywords.is_empty() && positional.len() == 1 => {
                match self.known_name(module, function).as_deref() {
                    Some("Path" | "PurePath" | "PosixPath") => {
                        self.eval_str(module, &positional[0])
                    }
                    Some(_) | None => None,
                }
            }
            _not_a_path => None,
        }
    }
}

/// A `model_config` that is not a literal: every option may be anything.
const UNREADABLE_CONFIG: &str = "\0unreadable";
/// `SettingsConfigDict(**base)`: the parser keeps a `**` argument under this keyword.
pub(crate) const SPLAT_KEYWORD: &str = "**";

struct ConfigEntry {
    module: Rc<Module>,
    value: Expr,
    line: usize,
}

impl ConfigEntry {
    fn new(module: &Rc<Module>, value: &Expr, line: usize) -> Self {
        ConfigEntry {
            module: Rc::clone(module),
            value: value.clone(),
            line,
        }
    }

    fn location(&self) -> Location {
        Location {
            file: self.module.path.clone(),
            line: self.line,
        }
    }
}

/// pydantic 1's `class Config` names that pydantic 2 renamed.
fn v1_config_name(name: &str) -> &str {
    match name {
        "allow_population_by_field_name" => "populate_by_name",
        other => other,
    }
}

struct Declaration {
    class: ClassRef,
    name: String,
    line: usize,
    annotation: Expr,
    value: Option<Expr>,
}

#[derive(Default)]
struct Validators {
    /// A model validator sees the raw input.
    all: bool,
    /// A field validator on `"*"`.
    all_fields: bool,
    fields: Vec<String>,
}

fn union(mut members: Vec<FieldType>) -> FieldType {
    if members.len() == 1 {
        members.remove(0)
    } else {
        FieldType::Union(members)
    }
}

fn merge_constraints(into: &mut Constraints, from: Constraints) {
    let Constraints {
        ge,
        gt,
        le,
        lt,
        multiple_of,
        min_length,
        max_length,
        pattern,
    } = from;
    into.ge = into.ge.take().or(ge);
    into.gt = into.gt.take().or(gt);
    into.le = into.le.take().or(le);
    into.lt = into.lt.take().or(lt);
    into.multiple_of = into.multiple_of.take().or(multiple_of);
    into.min_length = into.min_length.take().or(min_length);
    into.max_length = into.max_length.take().or(max_length);
    into.pattern = into.pattern.take().or(pattern);
}

/// A scalar constant's value.
fn literal_value(expr: &Expr) -> Option<LiteralValue> {
    Some(match &expr.kind {
        ExprKind::Str(value) => LiteralValue::Str(value.clone()),
        ExprKind::Int(value) => LiteralValue::Int(*value),
        ExprKind::Float(value) => LiteralValue::Float(*value),
        ExprKind::Bool(value) => LiteralValue::Bool(*value),
        ExprKind::None => LiteralValue::None,
        ExprKind::Negative(inner) => match literal_value(inner)? {
            LiteralValue::Int(value) => LiteralValue::Int(-value),
            LiteralValue::Float(value) => LiteralValue::Float(-value),
            LiteralValue::Str(_)
            | LiteralValue::Bool(_)
            | LiteralValue::None
            | LiteralValue::Expression(_) => return None,
        },
        _not_a_scalar => return None,
    })
}

/// A list, tuple, set or dict of constants (`["http://localhost"]`).
fn is_constant_container(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::List(items) | ExprKind::Tuple(items) | ExprKind::Set(items) => items
            .iter()
            .all(|item| literal_value(item).is_some() || is_constant_container(item)),
        ExprKind::Dict(pairs) => pairs.iter().all(|(key, value)| {
            literal_value(key).is_some()
                && (literal_value(value).is_some() || is_constant_container(value))
        }),
        _not_a_container => false,
    }
}

/// A string annotation (`"Database"`), parsed as the annotation it spells.
fn forward_reference(text: &str) -> Option<Expr> {
    let source = format!("class Forward:\n    value: {text}\n");
    let module = syntax::parse_source(Path::new("<annotation>"), &source).ok()?;
    match module.classes.first()?.body.first()? {
        ClassItem::Annotated { annotation, .. } => Some(annotation.clone()),
        ClassItem::Assigned { .. } | ClassItem::Method(_) | ClassItem::Class(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Write `files` (relative path, source) into a fresh project and read `file:class`.
    fn read(files: &[(&str, &str)], file: &str, class: &str) -> (tempfile::TempDir, AppSettings) {
        let dir = project(files);
        let settings = read_settings(
            dir.path(),
            &dir.path().join(file),
            class,
            &Reader::default(),
        )
        .unwrap_or_else(|error| panic!("{error}"));
        (dir, settings)
    }

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a scratch directory");
        for (path, source) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("directories");
            std::fs::write(path, source).expect("a source file");
        }
        dir
    }

    fn one(source: &str) -> AppSettings {
        read(&[("config.py", source)], "config.py", "Settings").1
    }

    fn field<'a>(settings: &'a AppSettings, name: &str) -> &'a Field {
        settings
            .fields
            .iter()
            .find(|field| field.name == name)
            .unwrap_or_else(|| panic!("no field {name}: {:?}", settings.fields))
    }

    const HEADER: &str = "from typing import Annotated, Literal, Optional, Union\n\
        from pydantic import AliasChoices, AliasPath, BaseModel, BeforeValidator, Field, \
        AfterValidator, PostgresDsn, RedisDsn, HttpUrl, AnyUrl, SecretStr, EmailStr, \
        field_validator, model_validator, validator, computed_field\n\
        from pydantic_settings import BaseSettings, SettingsConfigDict\n";

    fn with_header(body: &str) -> AppSettings {
        one(&format!("{HEADER}{body}"))
    }

    #[test]
    fn env_names_follow_prefix_alias_and_case() {
        let settings = with_header(
            "class Settings(BaseSettings):\n\
             \x20   model_config = SettingsConfigDict(env_prefix='APP_')\n\
             \x20   database_url: str\n\
             \x20   token: str = Field(alias='API_TOKEN')\n\
             \x20   key: str = Field(validation_alias=AliasChoices('KEY', 'LEGACY_KEY'))\n\
             \x20   nested: str = Field(validation_alias=AliasPath('BLOB', 'inner'))\n",
        );
        let table: &[(&str, &[&str])] = &[
            ("database_url", &["app_database_url"]),
            ("token", &["api_token"]),
            ("key", &["key", "legacy_key"]),
            ("nested", &["blob"]),
        ];
        for (name, expected) in table {
            assert_eq!(field(&settings, name).env_names, *expected, "{name}");
        }
        assert_eq!(settings.config.env_prefix.value, "APP_");
        assert!(matches!(
            settings.config.env_prefix.state,
            ConfigState::Set(_)
        ));
    }

    #[test]
    fn case_sensitive_keeps_names_and_populate_by_name_adds_the_field_name() {
        let settings = with_header(
            "class Settings(BaseSettings):\n\
             \x20   model_config = SettingsConfigDict(case_sensitive=True, env_prefix='App_', \
             populate_by_name=True, env_prefix_target='all')\n\
             \x20   Mode: Literal['dev', 'prod']\n\
             \x20   token: str = Field(alias='TOKEN')\n",
        );
        assert_eq!(field(&settings, "Mode").env_names, ["App_Mode"]);
        assert_eq!(
            field(&settings, "token").env_names,
            ["App_TOKEN", "App_token"]
        );
        assert_eq!(
            field(&settings, "Mode").ty,
            FieldType::Literal(vec![
                LiteralValue::Str("dev".into()),
                LiteralValue::Str("prod".into())
            ])
        );
    }

    #[test]
    fn config_options_are_read_or_marked_unknown() {
        let settings = with_header(
            "BASE_DIR = object()\n\
             class Settings(BaseSettings):\n\
             \x20   model_config = SettingsConfigDict(extra='ignore', env_ignore_empty=True, \
             env_nested_delimiter='__', env_nested_max_split=1, env_parse_none_str='null', \
             env_file=BASE_DIR / '.env')\n\
             \x20   a: int = 1\n",
        );
        let config = &settings.config;
        assert_eq!(config.extra.value, Extra::Ignore);
        assert!(config.env_ignore_empty.value);
        assert_eq!(config.env_nested_delimiter.value.as_deref(), Some("__"));
        assert_eq!(config.env_nested_max_split.value, Some(1));
        assert_eq!(config.env_parse_none_str.value.as_deref(), Some("null"));
        assert!(!config.env_file.is_known(), "{:?}", config.env_file);
        assert!(matches!(config.case_sensitive.state, ConfigState::Default));
    }

    #[test]
    fn defaults_are_forbid_and_no_env_file() {
        let settings = with_header("class Settings(BaseSettings):\n    a: int\n");
        assert_eq!(settings.config.extra.value, Extra::Forbid);
        assert!(settings.config.env_file.value.is_empty());
        assert!(!settings.config.case_sensitive.value);
    }

    #[test]
    fn env_file_forms() {
        let table = [
            ("'.env'", vec![".env"]),
            ("('.env', '.env.prod')", vec![".env", ".env.prod"]),
            ("[Path('.env')]", vec![".env"]),
            ("None", vec![]),
            ("ENV_FILE", vec!["deploy.env"]),
        ];
        for (written, expected) in table {
            let settings = with_header(&format!(
                "from pathlib import Path\nENV_FILE = 'deploy.env'\n\
                 class Settings(BaseSettings):\n\
                 \x20   model_config = SettingsConfigDict(env_file={written})\n"
            ));
            assert_eq!(settings.config.env_file.value, expected, "{written}");
            assert!(settings.config.env_file.is_known(), "{written}");
        }
    }

    #[test]
    fn dict_literal_v1_config_and_class_keywords() {
        let table = [
            "class Settings(BaseSettings):\n    model_config = {'env_prefix': 'X_', 'extra': 'allow'}\n    a: str\n",
            "class Settings(BaseSettings):\n    a: str\n    class Config:\n        env_prefix = 'X_'\n        extra = Extra.allow\n",
            "class Settings(BaseSettings, env_prefix='X_', extra='allow'):\n    a: str\n",
        ];
        for source in table {
            let settings = with_header(&format!("from pydantic import Extra\n{source}"));
            assert_eq!(settings.config.env_prefix.value, "X_", "{source}");
            assert_eq!(settings.config.extra.value, Extra::Allow, "{source}");
            assert_eq!(field(&settings, "a").env_names, ["x_a"]);
        }
    }

    #[test]
    fn an_unreadable_model_config_makes_every_option_unknown() {
        let settings = with_header(
            "class Settings(BaseSettings):\n    model_config = make_config()\n    a: str\n",
        );
        assert!(!settings.config.extra.is_known());
        assert!(!settings.config.env_prefix.is_known());
        let splat = with_header(
            "BASE = {}\nclass Settings(BaseSettings):\n    model_config = SettingsConfigDict(**BASE, extra='ignore')\n",
        );
        assert!(!splat.config.env_prefix.is_known());
        assert!(splat.config.extra.is_known());
    }

    #[test]
    fn types() {
        let settings = with_header(
            "from datetime import timedelta, datetime\nfrom pathlib import Path\n\
             import enum\n\
             class Color(str, enum.Enum):\n    RED = 'red'\n    BLUE = 'blue'\n\
             class Settings(BaseSettings):\n\
             \x20   s: str\n    b: bool\n    i: int\n    f: float\n\
             \x20   l: list[int]\n    st: set[str]\n    t: tuple[int, ...]\n    d: dict[str, int]\n\
             \x20   pg: PostgresDsn\n    email: EmailStr\n    p: Path\n    td: timedelta\n    dt: datetime\n\
             \x20   c: Color\n    u: Union[int, str]\n    n: int | str\n",
        );
        let table = [
            ("s", FieldType::Str),
            ("b", FieldType::Bool),
            ("i", FieldType::Int),
            ("f", FieldType::Float),
            ("l", FieldType::List(Box::new(FieldType::Int))),
            ("st", FieldType::Set(Box::new(FieldType::Str))),
            (
                "t",
                FieldType::Tuple {
                    elements: vec![FieldType::Int],
                    repeated: true,
                },
            ),
            (
                "d",
                FieldType::Dict {
                    key: Box::new(FieldType::Str),
                    value: Box::new(FieldType::Int),
                },
            ),
            ("email", FieldType::Email),
            ("p", FieldType::Path),
            ("td", FieldType::Timedelta),
            ("dt", FieldType::Datetime),
            (
                "c",
                FieldType::Enum {
                    name: "Color".into(),
                    values: vec![
                        LiteralValue::Str("red".into()),
                        LiteralValue::Str("blue".into()),
                    ],
                },
            ),
            ("u", FieldType::Union(vec![FieldType::Int, FieldType::Str])),
            ("n", FieldType::Union(vec![FieldType::Int, FieldType::Str])),
        ];
        for (name, expected) in table {
            assert_eq!(field(&settings, name).ty, expected, "{name}");
        }
        let FieldType::Url(url) = &field(&settings, "pg").ty else {
            panic!("not a URL: {:?}", field(&settings, "pg").ty);
        };
        assert!(url.host_required);
        assert!(
            url.allowed_schemes
                .iter()
                .any(|scheme| scheme == "postgresql+asyncpg")
        );
    }

    #[test]
    fn optional_forms_and_required() {
        let settings = with_header(
            "class Settings(BaseSettings):\n\
             \x20   a: Optional[int]\n    b: int | None = None\n    c: Union[None, str] = 'x'\n\
             \x20   d: int = ...\n    e: str = Field(...)\n    f: str = Field('x')\n\
             \x20   g: list[str] = Field(default_factory=list)\n",
        );
        let table = [
            ("a", true, true),
            ("b", true, false),
            ("c", true, false),
            ("d", false, true),
            ("e", false, true),
            ("f", false, false),
            ("g", false, false),
        ];
        for (name, optional, required) in table {
            let field = field(&settings, name);
            assert_eq!(
                (field.optional, field.required),
                (optional, required),
                "{name}"
            );
        }
        assert_eq!(
            field(&settings, "g").default,
            Some(FieldDefault::Factory("list".into()))
        );
    }

    #[test]
    fn defaults_literal_and_expression() {
        let settings = with_header(
            "import os\nclass Settings(BaseSettings):\n\
             \x20   level: str = 'INFO'\n    port: int = -1\n    origins: list[str] = ['http://a']\n\
             \x20   home: str = os.getcwd()\n",
        );
        assert_eq!(
            field(&settings, "level").default,
            Some(FieldDefault::Literal {
                written: "'INFO'".into(),
                value: Some(LiteralValue::Str("INFO".into()))
            })
        );
        assert_eq!(
            field(&settings, "port").default,
            Some(FieldDefault::Literal {
                written: "-1".into(),
                value: Some(LiteralValue::Int(-1))
            })
        );
        assert!(matches!(
            field(&settings, "origins").default,
            Some(FieldDefault::Literal { value: None, .. })
        ));
        assert_eq!(
            field(&settings, "home").default,
            Some(FieldDefault::Expression("os.getcwd()".into()))
        );
        assert!(!field(&settings, "home").required);
    }

    #[test]
    fn constraints_from_field_annotated_and_types() {
        let settings = with_header(
            "from annotated_types import Ge\nfrom pydantic import PositiveInt, conint\nMAX = 10\n\
             class Settings(BaseSettings):\n\
             \x20   a: int = Field(1, ge=1, le=MAX, multiple_of=2)\n\
             \x20   b: Annotated[str, Field(min_length=3, max_length=8, pattern=r'^\\w+$')] = 'abc'\n\
             \x20   c: Annotated[int, Ge(0)] = 0\n    d: PositiveInt = 1\n    e: int = Field(1, lt=LIMIT)\n",
        );
        let a = &field(&settings, "a").constraints;
        assert_eq!(a.ge, Some(Constraint::Known(Number::Int(1))));
        assert_eq!(a.le, Some(Constraint::Known(Number::Int(10))));
        assert_eq!(a.multiple_of, Some(Constraint::Known(Number::Int(2))));
        let b = &field(&settings, "b").constraints;
        assert_eq!(b.min_length, Some(Constraint::Known(3)));
        assert_eq!(b.max_length, Some(Constraint::Known(8)));
        assert_eq!(b.pattern, Some(Constraint::Known("^\\w+$".into())));
        assert_eq!(
            field(&settings, "c").constraints.ge,
            Some(Constraint::Known(Number::Int(0)))
        );
        assert_eq!(
            field(&settings, "d").constraints.gt,
            Some(Constraint::Known(Number::Int(0)))
        );
        assert_eq!(
            field(&settings, "e").constraints.lt,
            Some(Constraint::Unknown("LIMIT".into()))
        );
    }

    #[test]
    fn secrets_including_nested_ones() {
        let settings = with_header(
            "class Db(BaseModel):\n    password: SecretStr\n\
             class Settings(BaseSettings):\n\
             \x20   key: SecretStr\n    maybe: Optional[SecretStr] = None\n    keys: list[SecretStr] = []\n\
             \x20   db: Db\n    name: str = 'x'\n",
        );
        for (name, secret) in [
            ("key", true),
            ("maybe", true),
            ("keys", true),
            ("db", true),
            ("name", false),
        ] {
            assert_eq!(field(&settings, name).secret, secret, "{name}");
        }
        assert_eq!(field(&settings, "key").ty, FieldType::Str);
    }

    #[test]
    fn validators_mark_what_the_application_sees_first() {
        let settings = with_header(
            "class Settings(BaseSettings):\n\
             \x20   a: list[str] = []\n    b: int = 0\n    c: int = 0\n    d: int = 0\n\
             \x20   e: Annotated[int, BeforeValidator(int)] = 0\n    f: Annotated[int, AfterValidator(abs)] = 0\n\
             \x20   @field_validator('a', 'b', mode='before')\n    @classmethod\n    def split(cls, v):\n        return v\n\
             \x20   @field_validator('c')\n    @classmethod\n    def after(cls, v):\n        return v\n\
             \x20   @validator('d', pre=True)\n    def old(cls, v):\n        return v\n",
        );
        for (name, validated) in [
            ("a", true),
            ("b", true),
            ("c", false),
            ("d", true),
            ("e", true),
            ("f", false),
        ] {
            assert_eq!(field(&settings, name).validated_by_app, validated, "{name}");
        }
        assert!(!settings.validated_by_app_all);
        let all = with_header(
            "class Settings(BaseSettings):\n    a: int\n\
             \x20   @model_validator(mode='before')\n    @classmethod\n    def pre(cls, data):\n        return data\n",
        );
        assert!(all.validated_by_app_all);
    }

    #[test]
    fn computed_fields_private_attributes_and_class_vars_are_not_read() {
        let settings = with_header(
            "from typing import ClassVar\nclass Settings(BaseSettings):\n\
             \x20   host: str = 'db'\n    _cache: dict = {}\n    VERSION: ClassVar[str] = '1'\n\
             \x20   @computed_field\n    @property\n    def url(self) -> str:\n        return self.host\n",
        );
        let names: Vec<&str> = settings
            .fields
            .iter()
            .map(|field| field.name.as_str())
            .collect();
        assert_eq!(names, ["host"]);
    }

    #[test]
    fn unknown_third_party_types_are_unknown_not_errors() {
        let settings = with_header(
            "from decimal import Decimal\nfrom somelib import Thing\nfrom typing import Any\n\
             class Settings(BaseSettings):\n    a: Thing\n    b: Decimal = Decimal('1')\n    c: Any = None\n    d: Mystery\n",
        );
        for name in ["a", "b", "c", "d"] {
            assert!(
                matches!(field(&settings, name).ty, FieldType::Unknown(_)),
                "{name}: {:?}",
                field(&settings, name).ty
            );
        }
    }

    #[test]
    fn nested_models_with_their_own_config() {
        let settings = with_header(
            "from pydantic import ConfigDict\n\
             class Database(BaseModel):\n    model_config = ConfigDict(extra='forbid')\n\
             \x20   hostname: str\n    port: int = Field(5432, alias='PORT')\n\
             class Settings(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='APP_', env_nested_delimiter='__')\n\
             \x20   database: Database\n    other: 'Database | None' = None\n",
        );
        let FieldType::Nested(model) = &field(&settings, "database").ty else {
            panic!("not nested: {:?}", field(&settings, "database").ty);
        };
        assert_eq!(model.class_name, "Database");
        assert_eq!(model.config.extra.value, Extra::Forbid);
        let keys: Vec<&[String]> = model
            .fields
            .iter()
            .map(|field| field.env_names.as_slice())
            .collect();
        assert_eq!(
            keys,
            [&["hostname".to_owned()][..], &["port".to_owned()][..]]
        );
        assert_eq!(field(&settings, "database").env_names, ["app_database"]);
        let other = field(&settings, "other");
        assert!(other.optional);
        assert!(matches!(other.ty, FieldType::Nested(_)), "{:?}", other.ty);
    }

    #[test]
    fn a_model_that_contains_itself_stops() {
        let settings = with_header(
            "class Node(BaseModel):\n    child: Optional['Node'] = None\n\
             class Settings(BaseSettings):\n    root: Node\n",
        );
        let FieldType::Nested(node) = &field(&settings, "root").ty else {
            panic!("not nested");
        };
        assert_eq!(node.fields[0].ty, FieldType::Unknown("Node".into()));
    }

    #[test]
    fn inheritance_in_one_file_overrides_in_place() {
        let settings = with_header(
            "class Base(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='APP_', extra='ignore')\n\
             \x20   a: int = 1\n    b: str = 'x'\n\
             class Settings(Base):\n    model_config = SettingsConfigDict(case_sensitive=True)\n\
             \x20   a: int = 2\n    c: bool = False\n",
        );
        let names: Vec<&str> = settings
            .fields
            .iter()
            .map(|field| field.name.as_str())
            .collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(
            field(&settings, "a").default,
            Some(FieldDefault::Literal {
                written: "2".into(),
                value: Some(LiteralValue::Int(2))
            })
        );
        // Configuration merges key by key: the prefix and `extra` come from the base.
        assert_eq!(field(&settings, "c").env_names, ["APP_c"]);
        assert_eq!(settings.config.extra.value, Extra::Ignore);
    }

    #[test]
    fn bases_and_types_imported_from_the_project() {
        let files = [
            ("app/__init__.py", ""),
            ("app/core/__init__.py", ""),
            (
                "app/core/base.py",
                "from pydantic_settings import BaseSettings, SettingsConfigDict\n\
                 class Base(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='SVC_')\n    debug: bool = False\n",
            ),
            (
                "app/core/types.py",
                "from typing import Literal\nfrom pydantic import BaseModel\n\
                 Environment = Literal['dev', 'prod']\nclass Redis(BaseModel):\n    url: str\n",
            ),
            (
                "app/core/config.py",
                "from app.core.base import Base\nfrom .types import Environment, Redis\nfrom . import types\n\
                 class Settings(Base):\n    env: Environment\n    redis: Redis\n    other: types.Redis\n",
            ),
        ];
        let (_dir, settings) = read(&files, "app/core/config.py", "Settings");
        assert_eq!(field(&settings, "debug").env_names, ["svc_debug"]);
        assert!(
            field(&settings, "debug")
                .declared_at
                .file
                .ends_with("app/core/base.py")
        );
        assert_eq!(field(&settings, "debug").declared_at.line, 4);
        assert!(matches!(field(&settings, "env").ty, FieldType::Literal(_)));
        assert!(matches!(field(&settings, "redis").ty, FieldType::Nested(_)));
        assert!(matches!(field(&settings, "other").ty, FieldType::Nested(_)));
    }

    #[test]
    fn a_src_layout_resolves_absolute_imports() {
        let files = [
            ("src/svc/__init__.py", ""),
            (
                "src/svc/base.py",
                "from pydantic_settings import BaseSettings\nclass Base(BaseSettings):\n    token: str\n",
            ),
            (
                "src/svc/config.py",
                "from svc.base import Base\nclass Settings(Base):\n    port: int = 80\n",
            ),
        ];
        let (_dir, settings) = read(&files, "src/svc/config.py", "Settings");
        let names: Vec<&str> = settings
            .fields
            .iter()
            .map(|field| field.name.as_str())
            .collect();
        assert_eq!(names, ["token", "port"]);
    }

    #[test]
    fn errors_name_the_file() {
        let dir = project(&[
            ("bad.py", "class Settings(BaseSettings:\n    a: int\n"),
            ("ok.py", "x = 1\n"),
        ]);
        let bad = read_settings(
            dir.path(),
            &dir.path().join("bad.py"),
            "Settings",
            &Reader::default(),
        );
        assert!(
            matches!(bad, Err(ReadError::Syntax { line: 1, .. })),
            "{bad:?}"
        );
        let missing = read_settings(
            dir.path(),
            &dir.path().join("ok.py"),
            "Settings",
            &Reader::default(),
        );
        assert!(
            matches!(missing, Err(ReadError::ClassNotFound { .. })),
            "{missing:?}"
        );
        let absent = read_settings(
            dir.path(),
            &dir.path().join("absent.py"),
            "Settings",
            &Reader::default(),
        );
        assert!(
            matches!(absent, Err(ReadError::Unreadable { .. })),
            "{absent:?}"
        );
    }

    #[test]
    fn a_huge_class_reads_in_linear_time() {
        let mut source = String::from(HEADER);
        source.push_str("class Settings(BaseSettings):\n");
        for index in 0..20_000 {
            source.push_str(&format!("    field_{index}: int = Field({index}, ge=0)\n"));
        }
        let started = std::time::Instant::now();
        let settings = one(&source);
        assert_eq!(settings.fields.len(), 20_000);
        // Generous for a debug build on a shared machine; a quadratic step would take minutes.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
    }
}
