//! The application's settings schema as deploycheck understands it: what the reader extracted
//! from the `BaseSettings` class, as plain data. Nothing here parses or evaluates; every value
//! that the reader could not evaluate statically is recorded as such ([`ConfigState::Unknown`],
//! [`Constraint::Unknown`], [`FieldType::Unknown`]) so that later stages say "not known" rather
//! than act on a guess.

use std::path::PathBuf;

/// A place in a Python file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
}

/// The settings class the application loads its configuration with.
#[derive(Debug, Clone, PartialEq)]
pub struct AppSettings {
    pub class_name: String,
    pub file: PathBuf,
    /// The line of the `class` statement (1-based).
    pub line: usize,
    pub config: SettingsConfig,
    /// Environment-read fields in pydantic's order: inherited fields first, a redefinition
    /// keeping the place of the field it replaces. Computed fields are not here.
    pub fields: Vec<Field>,
    /// A `@model_validator(mode="before"|"wrap")` (or v1 `@root_validator(pre=True)`) sees the
    /// raw input of every field before pydantic does: no field's type can be judged statically.
    pub validated_by_app_all: bool,
}

/// A `BaseModel` used as a field's type: read from the environment as JSON, or field by field
/// through `env_nested_delimiter`.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedModel {
    pub class_name: String,
    pub declared_at: Location,
    /// Its own `model_config` (only `extra` and the alias options matter for a nested model;
    /// the `env_*` options are the settings class's).
    pub config: SettingsConfig,
    /// Each sub-field's `env_names` holds the keys it is matched by *below* its parent (its name
    /// or aliases, case-folded as the settings class folds), with no prefix: the full name is
    /// the parent's name, the delimiter and this key.
    pub fields: Vec<Field>,
    pub validated_by_app_all: bool,
}

/// How a configuration value came to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigState {
    /// Not set anywhere: pydantic-settings' default.
    Default,
    /// Set to a value the reader evaluated.
    Set(Location),
    /// Set to an expression the reader cannot evaluate (`env_file=BASE_DIR / ".env"`): the value
    /// next to it is the default, and must not be trusted.
    Unknown { at: Location, expression: String },
}

/// A configuration value and how it came to be.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigValue<T> {
    pub value: T,
    pub state: ConfigState,
}

impl<T> ConfigValue<T> {
    pub fn default(value: T) -> Self {
        ConfigValue {
            value,
            state: ConfigState::Default,
        }
    }

    pub fn is_known(&self) -> bool {
        match self.state {
            ConfigState::Default | ConfigState::Set(_) => true,
            ConfigState::Unknown { .. } => false,
        }
    }
}

/// pydantic's `extra`: what happens to input that no field reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// An error at start-up ("Extra inputs are not permitted"): `BaseSettings`' default.
    Forbid,
    /// Dropped silently: `BaseModel`'s default.
    Ignore,
    /// Kept as an extra attribute.
    Allow,
}

/// pydantic-settings' `env_prefix_target`: which names the prefix applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvPrefixTarget {
    /// Field names only (the default): an alias is used as written.
    Variable,
    /// Aliases only.
    Alias,
    /// Both.
    All,
}

/// The options of `model_config` (or a v1 `class Config`, or class keywords) that decide which
/// environment variables are read and how.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsConfig {
    pub env_prefix: ConfigValue<String>,
    pub env_prefix_target: ConfigValue<EnvPrefixTarget>,
    pub case_sensitive: ConfigValue<bool>,
    pub extra: ConfigValue<Extra>,
    pub env_ignore_empty: ConfigValue<bool>,
    pub env_nested_delimiter: ConfigValue<Option<String>>,
    pub env_nested_max_split: ConfigValue<Option<usize>>,
    pub env_parse_none_str: ConfigValue<Option<String>>,
    /// `env_parse_enums`: `None` (the default) validates an `Enum` by value only.
    pub env_parse_enums: ConfigValue<Option<bool>>,
    /// The `.env` files as written (relative paths resolve against the working directory), in
    /// order; later files override earlier ones. Empty for `None` or absent.
    pub env_file: ConfigValue<Vec<String>>,
    /// `validate_by_alias` (default true): aliases name environment variables.
    pub validate_by_alias: ConfigValue<bool>,
    /// `validate_by_name`, or the older `populate_by_name`: the field name is read too when the
    /// field has an alias.
    pub validate_by_name: ConfigValue<bool>,
    /// An `alias_generator` is set: aliases come from code the reader does not run, so the
    /// environment names of fields without an explicit alias are not known.
    pub alias_generator: bool,
}

impl SettingsConfig {
    /// The nested delimiter, when one is set (an empty one splits nothing).
    pub fn nested_delimiter(&self) -> Option<&str> {
        self.env_nested_delimiter
            .value
            .as_deref()
            .filter(|delimiter| !delimiter.is_empty())
    }

    /// `BaseSettings`' defaults (pydantic-settings 2.16.3, `BaseSettings.model_config`).
    pub fn settings_defaults() -> Self {
        SettingsConfig {
            env_prefix: ConfigValue::default(String::new()),
            env_prefix_target: ConfigValue::default(EnvPrefixTarget::Variable),
            case_sensitive: ConfigValue::default(false),
            extra: ConfigValue::default(Extra::Forbid),
            env_ignore_empty: ConfigValue::default(false),
            env_nested_delimiter: ConfigValue::default(None),
            env_nested_max_split: ConfigValue::default(None),
            env_parse_none_str: ConfigValue::default(None),
            env_parse_enums: ConfigValue::default(None),
            env_file: ConfigValue::default(Vec::new()),
            validate_by_alias: ConfigValue::default(true),
            validate_by_name: ConfigValue::default(false),
            alias_generator: false,
        }
    }

    /// `BaseModel`'s defaults: as above, but extra input is ignored.
    pub fn model_defaults() -> Self {
        SettingsConfig {
            extra: ConfigValue::default(Extra::Ignore),
            ..SettingsConfig::settings_defaults()
        }
    }
}

/// One field read from the environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    /// The exact environment names pydantic-settings looks up, in its order: `env_prefix` +
    /// name, or each alias (an `AliasChoices` choice, an `AliasPath`'s head), lower-cased unless
    /// `case_sensitive`. Empty when an alias is an expression the reader cannot evaluate, or an
    /// `alias_generator` makes the names unknowable.
    pub env_names: Vec<String>,
    pub ty: FieldType,
    /// `None` is accepted (`Optional[T]`, `T | None`).
    pub optional: bool,
    /// No default and no `default_factory`: pydantic fails at start-up without a value.
    pub required: bool,
    pub default: Option<FieldDefault>,
    /// `SecretStr`/`SecretBytes`, also inside `Optional`, a container or `Annotated`.
    pub secret: bool,
    pub constraints: Constraints,
    /// Code of the application sees the raw value first (a before-, wrap- or plain validator):
    /// its type cannot be judged statically.
    pub validated_by_app: bool,
    pub declared_at: Location,
}

/// A field's default.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldDefault {
    /// A constant: its source text, and its value when it is a scalar.
    Literal {
        written: String,
        value: Option<LiteralValue>,
    },
    /// Any other expression (a call, arithmetic, a name): the field has a default, value unknown.
    Expression(String),
    /// `default_factory=...`, as written.
    Factory(String),
}

/// A Python constant (a `Literal[...]` choice, an `Enum` member's value, a default).
#[derive(Debug, Clone, PartialEq)]
pub enum LiteralValue {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    None,
    /// An expression the reader does not evaluate (`auto()`), as written.
    Expression(String),
}

impl LiteralValue {
    /// The constant as the environment would spell it (`True` → `true`); `None` for `None` and
    /// for an expression the reader did not evaluate.
    pub fn as_env_text(&self) -> Option<String> {
        match self {
            LiteralValue::Str(text) => Some(text.clone()),
            LiteralValue::Int(number) => Some(number.to_string()),
            LiteralValue::Float(number) => Some(number.to_string()),
            LiteralValue::Bool(flag) => Some(flag.to_string()),
            LiteralValue::None | LiteralValue::Expression(_) => None,
        }
    }
}

/// A numeric bound (`ge`, `lt`, `multiple_of`, ...).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}

/// A constraint's value, or the expression it was given as.
#[derive(Debug, Clone, PartialEq)]
pub enum Constraint<T> {
    Known(T),
    Unknown(String),
}

/// pydantic's field constraints, from `Field(...)`, `Annotated` metadata (`annotated_types`,
/// `StringConstraints`) and the `Positive*`/`NonNegative*` types. pydantic 1's `conint()` and
/// friends are not read: such a field's type is unknown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Constraints {
    pub ge: Option<Constraint<Number>>,
    pub gt: Option<Constraint<Number>>,
    pub le: Option<Constraint<Number>>,
    pub lt: Option<Constraint<Number>>,
    pub multiple_of: Option<Constraint<Number>>,
    pub min_length: Option<Constraint<usize>>,
    pub max_length: Option<Constraint<usize>>,
    pub pattern: Option<Constraint<String>>,
}

/// A field's type, as far as a value read from the environment is concerned.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    Str,
    Bytes,
    Bool,
    Int,
    Float,
    /// `Literal[...]`: one of these values.
    Literal(Vec<LiteralValue>),
    /// An `Enum` subclass: one of its members' values.
    Enum {
        name: String,
        values: Vec<LiteralValue>,
    },
    /// JSON in the environment; the element type.
    List(Box<FieldType>),
    Set(Box<FieldType>),
    /// `tuple[a, b]` (`repeated: false`) or `tuple[a, ...]` (one element, `repeated: true`).
    Tuple {
        elements: Vec<FieldType>,
        repeated: bool,
    },
    Dict {
        key: Box<FieldType>,
        value: Box<FieldType>,
    },
    Url(UrlType),
    Email,
    Path,
    Timedelta,
    Datetime,
    Nested(Box<NestedModel>),
    /// Several accepted types (without `None`: that is [`Field::optional`]).
    Union(Vec<FieldType>),
    /// A type the reader does not know (a third-party class, `Any`, `Decimal`): no type
    /// judgement, the name as written.
    Unknown(String),
}

/// A pydantic URL or DSN type, with its constraints as pydantic defines them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlType {
    /// `AnyUrl`, `PostgresDsn`, ...
    pub kind: String,
    /// Empty: any scheme.
    pub allowed_schemes: Vec<String>,
    /// `UrlConstraints.host_required`.
    pub host_required: bool,
    /// `UrlConstraints.default_host`: filled in when the URL has none.
    pub default_host: Option<String>,
    pub max_length: Option<usize>,
}
