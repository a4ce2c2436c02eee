//! Roles: what a setting *is* to the application (its database URL, its signing key, its CORS
//! origins), so that the audit's rules apply to any application, whatever it names its
//! variables. A rule targets a role (`check = { kind = "url", role = "database-url" }`); each
//! configuration binds roles to its own variables.
//!
//! A variable gets its roles, in order of authority, from:
//! 1. the configuration's `[roles]` table (`database-url = "DATABASE__URL"`): a role named
//!    there is bound to exactly the variables listed, and inferred for no other;
//! 2. its type in the Settings class (`PostgresDsn` → `database-url`, `RedisDsn` → `redis-url`,
//!    `SecretStr` → `secret`);
//! 3. its name, after the Settings class's `env_prefix`, against the patterns below; a
//!    sub-field of a nested model takes its parent's context (`hostname` of a `database` model
//!    is a database host);
//! 4. for `secret`, the secret-name rules every output masks by (`*_PASSWORD`, `*_TOKEN`, ...).
//!
//! Inference is conservative: a wrong binding raises findings on a setting that is fine, which
//! is worse than the missed check of no binding. Patterns are whole-name globs (`*` is any run
//! of characters), compared without regard to case.
//!
//! Every role is declared once, in the `roles!` table: its name, its name patterns and what it
//! means. README.md's role table is checked against it by a test.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// Declares [`Role`] with its name, name patterns and documentation from one table.
macro_rules! roles {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $name:literal, names: [$($pattern:literal),* $(,)?];
    )*) => {
        /// What a setting is to the application.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Role {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Role {
            /// Every role, in the order the documentation lists them.
            pub const ALL: &'static [Role] = &[$(Role::$variant),*];

            /// The name rule files and the configuration use.
            pub fn name(self) -> &'static str {
                match self {
                    $(Role::$variant => $name,)*
                }
            }

            /// The name patterns that bind it (after the prefix).
            pub fn patterns(self) -> &'static [&'static str] {
                match self {
                    $(Role::$variant => &[$($pattern),*],)*
                }
            }

            /// What the role is, in one line.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Role::$variant => concat!($($doc),*).trim_ascii(),)*
                }
            }
        }
    };
}

roles! {
    /// The deployment environment's name (`production`, `prod`, `development`).
    Environment = "environment", names: [
        "ENVIRONMENT", "*_ENVIRONMENT", "ENV", "*_ENV",
    ];
    /// The framework's debug switch.
    Debug = "debug", names: ["DEBUG", "*_DEBUG"];
    /// The database's connection URL (SQLAlchemy's, libpq's).
    DatabaseUrl = "database-url", names: [
        "DATABASE_URL", "*_DATABASE_URL", "DATABASE_URI", "*_DATABASE_URI", "DATABASE_DSN",
        "*_DATABASE_DSN", "DB_URL", "*_DB_URL", "DB_URI", "*_DB_URI", "DB_DSN", "POSTGRES_URL",
        "*_POSTGRES_URL", "POSTGRES_URI", "POSTGRES_DSN", "*_POSTGRES_DSN", "PG_DSN", "PG_URL",
        "SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_DATABASE_URL", "SQLALCHEMY_URL",
    ];
    /// The database server's host name, when the URL is assembled from parts.
    DatabaseHost = "database-host", names: [
        "POSTGRES_SERVER", "POSTGRES_HOST", "POSTGRES_HOSTNAME", "DB_HOST", "DB_HOSTNAME",
        "DB_SERVER", "DATABASE_HOST", "DATABASE_HOSTNAME", "DATABASE_SERVER", "PGHOST",
        "*_POSTGRES_SERVER", "*_POSTGRES_HOST", "*_DB_HOST", "*_DATABASE_HOST",
    ];
    /// The database server's port, when the URL is assembled from parts.
    DatabasePort = "database-port", names: [
        "POSTGRES_PORT", "DB_PORT", "DATABASE_PORT", "PGPORT", "*_POSTGRES_PORT", "*_DB_PORT",
        "*_DATABASE_PORT",
    ];
    /// The database user, when the URL is assembled from parts.
    DatabaseUser = "database-user", names: [
        "POSTGRES_USER", "POSTGRES_USERNAME", "DB_USER", "DB_USERNAME", "DATABASE_USER",
        "DATABASE_USERNAME", "PGUSER", "*_POSTGRES_USER", "*_DB_USER", "*_DATABASE_USER",
    ];
    /// The database password, when the URL is assembled from parts.
    DatabasePassword = "database-password", names: [
        "POSTGRES_PASSWORD", "POSTGRES_PWD", "POSTGRES_PASS", "DB_PASSWORD", "DB_PASS", "DB_PWD",
        "DATABASE_PASSWORD", "PGPASSWORD", "*_POSTGRES_PASSWORD", "*_POSTGRES_PWD",
        "*_DB_PASSWORD", "*_DATABASE_PASSWORD",
    ];
    /// The database's name, when the URL is assembled from parts.
    DatabaseName = "database-name", names: [
        "POSTGRES_DB", "POSTGRES_DATABASE", "DB_NAME", "DATABASE_NAME", "PGDATABASE",
        "*_POSTGRES_DB", "*_POSTGRES_DATABASE", "*_DB_NAME", "*_DATABASE_NAME",
    ];
    /// Redis' connection URL.
    RedisUrl = "redis-url", names: [
        "REDIS_URL", "*_REDIS_URL", "REDIS_URI", "*_REDIS_URI", "REDIS_DSN", "*_REDIS_DSN",
    ];
    /// Redis' host name, when the URL is assembled from parts.
    RedisHost = "redis-host", names: [
        "REDIS_HOST", "REDIS_HOSTNAME", "REDIS_SERVER", "REDISHOST", "*_REDIS_HOST",
        "*_REDIS_HOSTNAME", "*_REDIS_SERVER",
    ];
    /// Redis' port, when the URL is assembled from parts.
    RedisPort = "redis-port", names: ["REDIS_PORT", "REDISPORT", "*_REDIS_PORT"];
    /// Redis' password, when the URL is assembled from parts.
    RedisPassword = "redis-password", names: [
        "REDIS_PASSWORD", "REDISPASSWORD", "*_REDIS_PASSWORD",
    ];
    /// The origins CORS allows to call the API from a browser.
    CorsOrigins = "cors-origins", names: [
        "CORS_ORIGINS", "*_CORS_ORIGINS", "CORS_ALLOW_ORIGINS", "*_CORS_ALLOW_ORIGINS",
        "CORS_ALLOWED_ORIGINS", "*_CORS_ALLOWED_ORIGINS", "ALLOWED_ORIGINS", "*_ALLOWED_ORIGINS",
    ];
    /// The host names the application answers to (`TrustedHostMiddleware`, Django's).
    AllowedHosts = "allowed-hosts", names: [
        "ALLOWED_HOSTS", "*_ALLOWED_HOSTS", "TRUSTED_HOSTS", "*_TRUSTED_HOSTS",
    ];
    /// A key that signs sessions or tokens (`SECRET_KEY`, a JWT secret).
    SigningKey = "signing-key", names: [
        "SECRET_KEY", "APP_SECRET_KEY", "JWT_SECRET_KEY", "SECRET", "*JWT_SECRET*",
        "*SIGNING_KEY", "SESSION_SECRET", "*_SESSION_SECRET", "SESSION_SECRET_KEY",
    ];
    /// Any secret: a `SecretStr` field, or a name every output masks (`*_PASSWORD`, `*_TOKEN`,
    /// `*_SECRET`, `*_API_KEY`, the configuration's `secret-names`).
    Secret = "secret", names: [];
    /// The logging level's name.
    LogLevel = "log-level", names: [
        "LOG_LEVEL", "*_LOG_LEVEL", "LOGLEVEL", "LOGGING_LEVEL", "*_LOGGING_LEVEL",
    ];
    /// SQLAlchemy's `pool_size`.
    DbPoolSize = "db-pool-size", names: [
        "DB_POOL_SIZE", "*_DB_POOL_SIZE", "DATABASE_POOL_SIZE", "*_DATABASE_POOL_SIZE",
        "POSTGRES_POOL_SIZE", "SQLALCHEMY_POOL_SIZE", "POOL_SIZE",
    ];
    /// SQLAlchemy's `max_overflow`.
    DbMaxOverflow = "db-max-overflow", names: [
        "DB_MAX_OVERFLOW", "*_DB_MAX_OVERFLOW", "DATABASE_MAX_OVERFLOW",
        "*_DATABASE_MAX_OVERFLOW", "POSTGRES_MAX_OVERFLOW", "SQLALCHEMY_MAX_OVERFLOW",
        "MAX_OVERFLOW",
    ];
    /// The size of Redis' connection pool.
    RedisMaxConnections = "redis-max-connections", names: [
        "REDIS_MAX_CONNECTIONS", "*_REDIS_MAX_CONNECTIONS", "REDIS_POOL_SIZE",
        "*_REDIS_POOL_SIZE",
    ];
    /// The public URL of the frontend (links in e-mails, redirects).
    FrontendUrl = "frontend-url", names: [
        "FRONTEND_URL", "*_FRONTEND_URL", "FRONTEND_HOST", "*_FRONTEND_HOST",
        "FRONTEND_BASE_URL", "*_FRONTEND_BASE_URL",
    ];
}

impl Role {
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|role| role.name() == name)
    }

    /// The roles a name gets from the patterns, each with the first of its patterns that
    /// matched.
    fn by_name(name: &str) -> Vec<(Role, &'static str)> {
        // No setting is named with hundreds of characters; a key that long (a mangled input)
        // binds nothing, and the cost stays bounded.
        if name.len() > MAX_NAME_LENGTH {
            return Vec::new();
        }
        let upper = name.to_ascii_uppercase();
        let table = PatternTable::get();
        let mut found: Vec<(Role, usize)> = Vec::new();
        if let Some(hits) = table.exact.get(upper.as_str()) {
            found.extend(hits);
        }
        for (at, _) in upper.match_indices('_') {
            if let Some(hits) = table.underscore_suffix.get(&upper[at..]) {
                found.extend(hits);
            }
        }
        for (role, index, pattern) in &table.other {
            if name_matches(pattern.as_bytes(), upper.as_bytes()) {
                found.push((*role, *index));
            }
        }
        let mut bound: Vec<(Role, &'static str)> = Vec::new();
        for role in Self::ALL {
            let first = found
                .iter()
                .filter(|(hit, _)| hit == role)
                .map(|(_, index)| *index)
                .min();
            if let Some(index) = first {
                bound.push((*role, role.patterns()[index]));
            }
        }
        bound
    }
}

/// The name patterns indexed for one pass over a key: whole names, `*_SUFFIX` forms looked up
/// at each `_` of the key, and the few others matched as globs. Every key of a large input is
/// matched, so this is built once.
struct PatternTable {
    exact: HashMap<&'static str, Vec<(Role, usize)>>,
    underscore_suffix: HashMap<&'static str, Vec<(Role, usize)>>,
    other: Vec<(Role, usize, &'static str)>,
}

impl PatternTable {
    fn get() -> &'static PatternTable {
        static TABLE: OnceLock<PatternTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            let mut table = PatternTable {
                exact: HashMap::new(),
                underscore_suffix: HashMap::new(),
                other: Vec::new(),
            };
            for role in Role::ALL {
                for (index, pattern) in role.patterns().iter().enumerate() {
                    let stars = pattern.matches('*').count();
                    match (stars, pattern.strip_prefix('*')) {
                        (0, _) => table.exact.entry(pattern).or_default().push((*role, index)),
                        (1, Some(suffix)) if suffix.starts_with('_') => table
                            .underscore_suffix
                            .entry(suffix)
                            .or_default()
                            .push((*role, index)),
                        _ => table.other.push((*role, index, pattern)),
                    }
                }
            }
            table
        })
    }
}

/// The longest name the patterns are tried on.
const MAX_NAME_LENGTH: usize = 128;

/// A whole-name glob (`*` is any run of characters), ASCII case-insensitive, without
/// allocating.
fn name_matches(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.iter().position(|&b| b == b'*') {
        None => pattern.eq_ignore_ascii_case(name),
        Some(star) => {
            let (head, rest) = (&pattern[..star], &pattern[star + 1..]);
            if name.len() < head.len() || !name[..head.len()].eq_ignore_ascii_case(head) {
                return false;
            }
            let tail = &name[head.len()..];
            if !rest.contains(&b'*') {
                return tail.len() >= rest.len()
                    && tail[tail.len() - rest.len()..].eq_ignore_ascii_case(rest);
            }
            // `*` matches any run: try every place the rest of the pattern could start.
            (0..=tail.len()).any(|skip| name_matches(rest, &tail[skip..]))
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a variable has a role (what `deploycheck schema` shows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// The configuration's `[roles]` table names it.
    Configured,
    /// Its type in the Settings class (`PostgresDsn`).
    Type(String),
    /// Its name matches this pattern.
    Name(&'static str),
    /// A sub-field of a nested model: the parent's context and the sub-field's name.
    Nested { parent: String, field: String },
    /// Its name is one every output masks as a secret.
    SecretName,
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::Configured => f.write_str("named in [roles]"),
            Why::Type(ty) => write!(f, "its type is `{ty}`"),
            Why::Name(pattern) => write!(f, "its name matches `{pattern}`"),
            Why::Nested { parent, field } => {
                write!(f, "field `{field}` of the `{parent}` settings")
            }
            Why::SecretName => f.write_str("its name is a secret's"),
        }
    }
}

/// A role and why a variable has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub role: Role,
    pub why: Why,
}

/// What a variable is known to be, for inference.
#[derive(Debug, Clone, Default)]
pub struct Clues<'a> {
    /// The name after the Settings class's prefix (or the whole key when no class is known).
    pub stem: &'a str,
    /// For a sub-field of a nested model: the parent field's name.
    pub parent: Option<&'a str>,
    /// The type's name, when it decides a role (`PostgresDsn`, `RedisDsn`, `SecretStr`).
    pub type_name: Option<&'a str>,
    /// Is the value secret (by type or by name)?
    pub secret: bool,
}

/// The family a nested model's parent name places its sub-fields in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Database,
    Redis,
}

fn family(parent: &str) -> Option<Family> {
    let parent = parent.to_ascii_uppercase();
    match parent.as_str() {
        "DATABASE" | "DB" | "POSTGRES" | "POSTGRESQL" | "PG" | "SQL" | "SQLALCHEMY" => {
            Some(Family::Database)
        }
        "REDIS" => Some(Family::Redis),
        _ => None,
    }
}

/// The role a sub-field of a database or Redis model has, by its own name.
fn nested_role(family: Family, field: &str) -> Option<Role> {
    let field = field.to_ascii_uppercase();
    let role = match (family, field.as_str()) {
        (Family::Database, "URL" | "URI" | "DSN") => Role::DatabaseUrl,
        (Family::Database, "HOST" | "HOSTNAME" | "SERVER") => Role::DatabaseHost,
        (Family::Database, "PORT") => Role::DatabasePort,
        (Family::Database, "USER" | "USERNAME") => Role::DatabaseUser,
        (Family::Database, "PASSWORD" | "PWD" | "PASS") => Role::DatabasePassword,
        (Family::Database, "NAME" | "DB" | "DATABASE" | "DBNAME") => Role::DatabaseName,
        (Family::Database, "POOL_SIZE") => Role::DbPoolSize,
        (Family::Database, "MAX_OVERFLOW") => Role::DbMaxOverflow,
        (Family::Redis, "URL" | "URI" | "DSN") => Role::RedisUrl,
        (Family::Redis, "HOST" | "HOSTNAME" | "SERVER") => Role::RedisHost,
        (Family::Redis, "PORT") => Role::RedisPort,
        (Family::Redis, "PASSWORD" | "PWD" | "PASS") => Role::RedisPassword,
        (Family::Redis, "MAX_CONNECTIONS" | "POOL_SIZE") => Role::RedisMaxConnections,
        _ => return None,
    };
    Some(role)
}

/// The roles of a variable by its type, its name and its parent (not the configuration's
/// `[roles]`, which [`crate::rules::RuleSet::roles_of`] applies over these).
pub fn infer(clues: &Clues) -> Vec<Binding> {
    let mut bindings: Vec<Binding> = Vec::new();
    let mut add = |role: Role, why: Why| {
        if !bindings.iter().any(|b| b.role == role) {
            bindings.push(Binding { role, why });
        }
    };
    if let Some(ty) = clues.type_name {
        let by_type = match ty {
            "PostgresDsn" | "AsyncPostgresDsn" | "CockroachDsn" => Some(Role::DatabaseUrl),
            "RedisDsn" => Some(Role::RedisUrl),
            "SecretStr" | "SecretBytes" => Some(Role::Secret),
            _ => None,
        };
        if let Some(role) = by_type {
            add(role, Why::Type(ty.to_owned()));
        }
    }
    let nested = clues
        .parent
        .and_then(|parent| family(parent).map(|family| (parent, family)));
    match nested {
        Some((parent, family)) => {
            if let Some(role) = nested_role(family, clues.stem) {
                add(
                    role,
                    Why::Nested {
                        parent: parent.to_owned(),
                        field: clues.stem.to_owned(),
                    },
                );
            }
        }
        None => {
            for (role, pattern) in Role::by_name(clues.stem) {
                add(role, Why::Name(pattern));
            }
        }
    }
    if clues.secret {
        add(Role::Secret, Why::SecretName);
    }
    bindings
}

/// The clues of a key no Settings class declares: its whole name, split at the first `__` into
/// a parent and a field (the delimiter nearly every project uses for nested settings).
pub fn undeclared_clues(key: &str, secret: bool) -> Clues<'_> {
    match key.split_once("__") {
        Some((parent, field)) if !parent.is_empty() && !field.is_empty() => Clues {
            stem: if family(parent).is_some() { field } else { key },
            parent: family(parent).map(|_| parent),
            type_name: None,
            secret,
        },
        Some(_) | None => Clues {
            stem: key,
            parent: None,
            type_name: None,
            secret,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(stem: &str) -> Vec<Role> {
        infer(&Clues {
            stem,
            ..Clues::default()
        })
        .into_iter()
        .map(|b| b.role)
        .collect()
    }

    #[test]
    fn names_bind_the_documented_roles() {
        assert_eq!(roles("ENVIRONMENT"), [Role::Environment]);
        assert_eq!(roles("POLAR_ENV"), [Role::Environment]);
        assert_eq!(roles("env"), [Role::Environment]);
        assert_eq!(roles("BACKEND_CORS_ORIGINS"), [Role::CorsOrigins]);
        assert_eq!(roles("SQLALCHEMY_DATABASE_URI"), [Role::DatabaseUrl]);
        assert_eq!(roles("POSTGRES_SERVER"), [Role::DatabaseHost]);
        assert_eq!(roles("SECRET_KEY"), [Role::SigningKey]);
        assert_eq!(roles("AUTH_JWT_SECRET"), [Role::SigningKey]);
        assert_eq!(roles("LOG_LEVEL"), [Role::LogLevel]);
        assert_eq!(roles("FRONTEND_HOST"), [Role::FrontendUrl]);
    }

    #[test]
    fn names_that_only_look_alike_bind_nothing() {
        for name in [
            "DATABASE_PUBLIC_URL",
            "ENVIRONMENT_NAME",
            "DEBUGGER",
            "STRIPE_SECRET_KEY",
            "SENTRY_DSN",
            "REDIS_TIMEOUT",
            "CORS_ALLOW_CREDENTIALS",
        ] {
            assert_eq!(roles(name), [], "{name}");
        }
    }

    #[test]
    fn a_nested_field_takes_its_parents_context() {
        let clues = undeclared_clues("DATABASE__HOSTNAME", false);
        let bound: Vec<Role> = infer(&clues).into_iter().map(|b| b.role).collect();
        assert_eq!(bound, [Role::DatabaseHost]);
        let clues = undeclared_clues("REDIS__URL", false);
        let bound: Vec<Role> = infer(&clues).into_iter().map(|b| b.role).collect();
        assert_eq!(bound, [Role::RedisUrl]);
        // Another parent: the whole name decides.
        let clues = undeclared_clues("SECURITY__BACKEND_CORS_ORIGINS", false);
        let bound: Vec<Role> = infer(&clues).into_iter().map(|b| b.role).collect();
        assert_eq!(bound, [Role::CorsOrigins]);
        // `hostname` of an unrelated model is nobody's database.
        let clues = undeclared_clues("SMTP__HOST", false);
        assert!(infer(&clues).is_empty());
    }

    #[test]
    fn types_bind_before_names() {
        let bound = infer(&Clues {
            stem: "PRIMARY",
            type_name: Some("PostgresDsn"),
            ..Clues::default()
        });
        assert_eq!(
            bound,
            [Binding {
                role: Role::DatabaseUrl,
                why: Why::Type("PostgresDsn".to_owned())
            }]
        );
    }

    #[test]
    fn globs_match_whole_names_in_any_case() {
        assert!(name_matches(b"*_ENV", b"polar_env"));
        assert!(!name_matches(b"*_ENV", b"ENV"));
        assert!(name_matches(b"*JWT_SECRET*", b"AUTH_JWT_SECRET_KEY"));
        assert!(name_matches(b"*JWT_SECRET*", b"JWT_SECRET"));
        assert!(!name_matches(b"SECRET_KEY", b"STRIPE_SECRET_KEY"));
        assert!(name_matches(
            b"*_CORS_ORIGINS",
            b"SECURITY__BACKEND_CORS_ORIGINS"
        ));
    }

    #[test]
    fn names_are_unique_and_parse_back() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.name()), Some(*role));
            assert!(!role.summary().is_empty());
        }
    }
}
