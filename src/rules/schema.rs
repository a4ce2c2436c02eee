//! The rule file format as the user writes it: the *unvalidated* phase.
//!
//! These serde structs mirror the TOML one to one, reject unknown fields, and keep the spans of
//! everything validation may need to complain about. They are never used at run time:
//! [`super::validate`] turns them into [`super::Rule`]s and [`super::Variable`]s.
//!
//! The build script reads the built-in rule files into these same types and embeds them
//! serialized (postcard, see [`super::spanned`]), so the file has no dependency but serde and
//! that module, and every type serializes to what it deserializes from. The two hand-written
//! `Deserialize` impls read a non-self-describing format as the sequence they serialize to.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::spanned::Spanned;

/// One rule file.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleFile {
    #[serde(default)]
    pub settings: Option<Settings>,
    /// The application's settings schema, by variable name.
    #[serde(default)]
    pub variables: BTreeMap<Spanned<String>, Variable>,
    #[serde(default)]
    pub rules: Vec<Spanned<Rule>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// Match keys case-sensitively (pydantic-settings' `case_sensitive=True`).
    pub case_sensitive: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Variable {
    #[serde(rename = "type")]
    pub kind: Option<Spanned<String>>,
    #[serde(default)]
    pub required: bool,
    /// The value the application uses when the variable is absent.
    pub default: Option<String>,
    pub secret: Option<bool>,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Rule {
    pub id: Spanned<String>,
    pub severity: Spanned<String>,
    pub summary: String,
    #[serde(default)]
    pub why: String,
    #[serde(default)]
    pub help: String,
    #[serde(default)]
    pub example: Example,
    pub url: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Overrides the message the check produces; `{key}`, `{value}` and `{detail}` are filled in.
    pub message: Option<String>,
    /// May a suppression silence this rule?
    #[serde(default)]
    pub unsuppressible: bool,
    /// Off unless selected by its id.
    #[serde(default)]
    pub opt_in: bool,
    /// The pack it belongs to; selectable like a tag.
    pub pack: Option<String>,
    pub when: Option<Spanned<Condition>>,
    pub check: Spanned<Checks>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Example {
    #[serde(default)]
    pub bad: String,
    #[serde(default)]
    pub good: String,
}

/// `check = { ... }` or `check = [{ ... }, { ... }]`.
#[derive(Debug)]
pub struct Checks(pub Vec<Spanned<Check>>);

impl Serialize for Checks {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Checks {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if !deserializer.is_human_readable() {
            return Vec::deserialize(deserializer).map(Checks);
        }
        struct ChecksVisitor;
        impl<'de> serde::de::Visitor<'de> for ChecksVisitor {
            type Value = Checks;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a check table or an array of check tables")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Checks, A::Error> {
                let check = Check::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                // The span of a single inline check is that of the `check` value as a whole,
                // which the enclosing `Spanned<Checks>` records.
                Ok(Checks(vec![Spanned::new(0..0, check)]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Checks, A::Error> {
                let mut checks = Vec::new();
                while let Some(check) = seq.next_element::<Spanned<Check>>()? {
                    checks.push(check);
                }
                Ok(Checks(checks))
            }
        }
        deserializer.deserialize_any(ChecksVisitor)
    }
}

/// One predicate. Which fields apply depends on `kind`; validation rejects the others.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Check {
    pub kind: Spanned<String>,
    pub variable: Option<Spanned<String>>,
    pub variables: Option<Vec<Spanned<String>>>,
    /// The variables bound to this role (see `rules::role`).
    pub role: Option<Spanned<String>>,
    /// ...except those also bound to this one.
    pub except_role: Option<Spanned<String>>,
    // equals / one-of / none-of
    pub value: Option<Spanned<String>>,
    pub values: Option<Spanned<Vec<String>>>,
    pub case_sensitive: Option<Spanned<bool>>,
    // bool
    pub is: Option<Spanned<bool>>,
    // int
    pub min: Option<Spanned<i64>>,
    pub max: Option<Spanned<i64>>,
    // regex, raw-contains
    pub pattern: Option<Spanned<String>>,
    // url
    pub schemes: Option<Spanned<Vec<String>>>,
    pub require_host: Option<Spanned<bool>>,
    pub forbid_local_host: Option<Spanned<bool>>,
    pub forbid_hosts: Option<Spanned<Vec<String>>>,
    pub exempt_hosts: Option<Spanned<Vec<String>>>,
    pub exempt_private_hosts: Option<Spanned<bool>>,
    pub forbidden_params: Option<Spanned<Vec<String>>>,
    pub required_params: Option<Spanned<Vec<String>>>,
    pub known_params: Option<Spanned<Vec<String>>>,
    pub driver_scheme: Option<Spanned<bool>>,
    // json-list
    pub element: Option<Spanned<Element>>,
    pub split_invalid: Option<Spanned<bool>>,
    // secret
    pub min_length: Option<Spanned<usize>>,
    pub min_bits: Option<Spanned<f64>>,
    pub min_distinct: Option<Spanned<usize>>,
    pub max_run: Option<Spanned<usize>>,
    pub placeholders: Option<Spanned<Vec<String>>>,
    pub placeholder_patterns: Option<Spanned<Vec<String>>>,
    // http
    /// The URL asked, with `{value}` where the variable's value goes.
    pub url: Option<Spanned<String>>,
    pub expect_status: Option<Spanned<i64>>,
    /// A duration (`5s`, `1500ms`); the probes' timeout when absent.
    pub timeout: Option<Spanned<String>>,
}

/// Per-element checks of a `json-list` (e.g. CORS origins).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Element {
    pub forbid: Option<Vec<String>>,
    /// Elements the other element checks leave alone (another rule judges them, e.g. `*`).
    pub skip: Option<Vec<String>>,
    pub schemes: Option<Vec<String>>,
    #[serde(default)]
    pub forbid_local_host: bool,
    /// Flag anything that is not exactly `scheme://host[:port]`.
    #[serde(default)]
    pub origin_only: bool,
}

/// A `when` condition. Exactly one form per table; validation checks that.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Condition {
    pub profile: Option<Spanned<NameList>>,
    pub variable: Option<Spanned<String>>,
    pub role: Option<Spanned<String>>,
    /// The database URL selects one of these drivers.
    pub driver: Option<Spanned<NameList>>,
    pub equals: Option<String>,
    pub one_of: Option<Vec<String>>,
    pub set: Option<bool>,
    pub matches: Option<Spanned<String>>,
    pub all: Option<Vec<Spanned<Condition>>>,
    pub any: Option<Vec<Spanned<Condition>>>,
    pub not: Option<Box<Spanned<Condition>>>,
}

/// `profile = "production"` or `profile = ["production", "staging"]` (also `driver`).
#[derive(Debug)]
pub struct NameList(pub Vec<String>);

impl Serialize for NameList {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for NameList {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if !deserializer.is_human_readable() {
            return Vec::deserialize(deserializer).map(NameList);
        }
        struct NamesVisitor;
        impl<'de> serde::de::Visitor<'de> for NamesVisitor {
            type Value = NameList;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a name or an array of names")
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<NameList, E> {
                Ok(NameList(vec![value.to_owned()]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<NameList, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(NameList(names))
            }
        }
        deserializer.deserialize_any(NamesVisitor)
    }
}
