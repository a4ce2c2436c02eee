//! The names from pydantic, pydantic-settings, the standard library and `typing` that the reader
//! gives a meaning to. Every other imported name is an unknown type: no judgement on its values.
//!
//! The URL table is pydantic 2.13.4's `pydantic/networks.py`, each type's
//! `_constraints = UrlConstraints(...)` copied as written; the development branch after 2.14
//! has the same lists, and the settings corpus (recorded with pydantic 2.14.4) agrees. `host_required` and `default_host` are kept apart because pydantic fills the
//! default host in before it checks for one: `RedisDsn` requires a host and still accepts
//! `redis://` (it becomes `redis://localhost:6379/0`).

use super::model::{Constraint, Constraints, FieldType, Number, UrlType};

/// Where a name comes from, for the modules whose names the reader knows.
pub fn is_known_module(module: &str) -> bool {
    let top = module.split('.').next().unwrap_or(module);
    matches!(
        top,
        "pydantic"
            | "pydantic_settings"
            | "pydantic_core"
            | "typing"
            | "typing_extensions"
            | "annotated_types"
            | "pathlib"
            | "datetime"
            | "enum"
            | "collections"
            | "builtins"
    )
}

/// A name used as a type with no parameters (`SecretStr`, `PostgresDsn`, `str`).
pub struct SimpleType {
    pub ty: FieldType,
    pub secret: bool,
    pub constraints: Constraints,
}

impl SimpleType {
    fn plain(ty: FieldType) -> Self {
        SimpleType {
            ty,
            secret: false,
            constraints: Constraints::default(),
        }
    }
}

/// A builtin or known library type, by its name.
pub fn simple_type(name: &str) -> Option<SimpleType> {
    let zero = || Some(Constraint::Known(Number::Int(0)));
    let ty = match name {
        "str" | "StrictStr" => FieldType::Str,
        "bytes" | "StrictBytes" => FieldType::Bytes,
        "bool" | "StrictBool" => FieldType::Bool,
        "int" | "StrictInt" => FieldType::Int,
        "float" | "StrictFloat" => FieldType::Float,
        "SecretStr" => {
            return Some(SimpleType {
                secret: true,
                ..SimpleType::plain(FieldType::Str)
            });
        }
        "SecretBytes" => {
            return Some(SimpleType {
                secret: true,
                ..SimpleType::plain(FieldType::Bytes)
            });
        }
        "PositiveInt" | "NegativeInt" | "NonNegativeInt" | "NonPositiveInt" | "PositiveFloat"
        | "NegativeFloat" | "NonNegativeFloat" | "NonPositiveFloat" => {
            let ty = if name.ends_with("Int") {
                FieldType::Int
            } else {
                FieldType::Float
            };
            let mut constraints = Constraints::default();
            match name.trim_end_matches("Int").trim_end_matches("Float") {
                "Positive" => constraints.gt = zero(),
                "Negative" => constraints.lt = zero(),
                "NonNegative" => constraints.ge = zero(),
                _non_positive => constraints.le = zero(),
            }
            return Some(SimpleType {
                ty,
                secret: false,
                constraints,
            });
        }
        "EmailStr" | "NameEmail" => FieldType::Email,
        "Path" | "PurePath" | "PosixPath" | "FilePath" | "DirectoryPath" | "NewPath" => {
            FieldType::Path
        }
        "timedelta" => FieldType::Timedelta,
        "datetime" | "AwareDatetime" | "NaiveDatetime" | "PastDatetime" | "FutureDatetime" => {
            FieldType::Datetime
        }
        "list" | "List" | "Sequence" | "MutableSequence" => {
            FieldType::List(Box::new(FieldType::Unknown("Any".to_owned())))
        }
        "set" | "Set" | "frozenset" | "FrozenSet" | "AbstractSet" | "MutableSet" => {
            FieldType::Set(Box::new(FieldType::Unknown("Any".to_owned())))
        }
        "tuple" | "Tuple" => FieldType::Tuple {
            elements: vec![FieldType::Unknown("Any".to_owned())],
            repeated: true,
        },
        "dict" | "Dict" | "Mapping" | "MutableMapping" => FieldType::Dict {
            key: Box::new(FieldType::Unknown("Any".to_owned())),
            value: Box::new(FieldType::Unknown("Any".to_owned())),
        },
        other => return url_type(other).map(|url| SimpleType::plain(FieldType::Url(url))),
    };
    Some(SimpleType::plain(ty))
}

/// What a subscripted generic is (`list[int]`, `Optional[str]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generic {
    Optional,
    Union,
    Annotated,
    Literal,
    ClassVar,
    List,
    Set,
    Tuple,
    Dict,
    Secret,
}

pub fn generic(name: &str) -> Option<Generic> {
    Some(match name {
        "Optional" => Generic::Optional,
        "Union" => Generic::Union,
        "Annotated" => Generic::Annotated,
        "Literal" => Generic::Literal,
        "ClassVar" | "Final" => Generic::ClassVar,
        "list" | "List" | "Sequence" | "MutableSequence" => Generic::List,
        "set" | "Set" | "frozenset" | "FrozenSet" | "AbstractSet" | "MutableSet" => Generic::Set,
        "tuple" | "Tuple" => Generic::Tuple,
        "dict" | "Dict" | "Mapping" | "MutableMapping" => Generic::Dict,
        "Secret" => Generic::Secret,
        _not_generic => return None,
    })
}

/// Names that need no import.
pub fn is_builtin(name: &str) -> bool {
    matches!(
        name,
        "str"
            | "bytes"
            | "bool"
            | "int"
            | "float"
            | "list"
            | "set"
            | "frozenset"
            | "tuple"
            | "dict"
    )
}

fn url_type(name: &str) -> Option<UrlType> {
    let (schemes, host_required, default_host, max_length): (&[&str], bool, Option<&str>, _) =
        match name {
            "AnyUrl" => (&[], false, None, None),
            "AnyHttpUrl" => (&["http", "https"], false, None, None),
            "HttpUrl" => (&["http", "https"], false, None, Some(2083)),
            "AnyWebsocketUrl" => (&["ws", "wss"], false, None, None),
            "WebsocketUrl" => (&["ws", "wss"], false, None, Some(2083)),
            "FileUrl" => (&["file"], false, None, None),
            "FtpUrl" => (&["ftp"], false, None, None),
            "PostgresDsn" => (
                &[
                    "postgres",
                    "postgresql",
                    "postgresql+asyncpg",
                    "postgresql+pg8000",
                    "postgresql+psycopg",
                    "postgresql+psycopg2",
                    "postgresql+psycopg2cffi",
                    "postgresql+py-postgresql",
                    "postgresql+pygresql",
                ],
                true,
                None,
                None,
            ),
            "CockroachDsn" => (
                &["cockroachdb", "cockroachdb+psycopg2", "cockroachdb+asyncpg"],
                true,
                None,
                None,
            ),
            "AmqpDsn" => (&["amqp", "amqps"], false, None, None),
            "RedisDsn" => (&["redis", "rediss"], true, Some("localhost"), None),
            "MongoDsn" => (&["mongodb", "mongodb+srv"], false, None, None),
            "KafkaDsn" => (&["kafka"], false, Some("localhost"), None),
            "NatsDsn" => (
                &["nats", "tls", "ws", "wss"],
                false,
                Some("localhost"),
                None,
            ),
            "MySQLDsn" => (
                &[
                    "mysql",
                    "mysql+mysqlconnector",
                    "mysql+aiomysql",
                    "mysql+asyncmy",
                    "mysql+mysqldb",
                    "mysql+pymysql",
                    "mysql+cymysql",
                    "mysql+pyodbc",
                ],
                true,
                None,
                None,
            ),
            "MariaDBDsn" => (
                &["mariadb", "mariadb+mariadbconnector", "mariadb+pymysql"],
                false,
                None,
                None,
            ),
            "ClickHouseDsn" => (
                &[
                    "clickhouse+native",
                    "clickhouse+asynch",
                    "clickhouse+http",
                    "clickhouse",
                    "clickhouses",
                    "clickhousedb",
                ],
                false,
                Some("localhost"),
                None,
            ),
            "SnowflakeDsn" => (&["snowflake"], true, None, None),
            _not_a_url_type => return None,
        };
    Some(UrlType {
        kind: name.to_owned(),
        allowed_schemes: schemes.iter().map(|scheme| (*scheme).to_owned()).collect(),
        host_required,
        default_host: default_host.map(str::to_owned),
        max_length,
    })
}
