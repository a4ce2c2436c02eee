//! The editor schema, `deploycheck.schema.json`: generated from the configuration's own types
//! (`deploycheck::config::json_schema`), committed at the repository root for editors (Even
//! Better TOML / taplo) and SchemaStore.
//!
//! - The committed file is what the types generate today; after changing the configuration,
//!   regenerate it with `DEPLOYCHECK_UPDATE_SCHEMA=1 cargo test --test config_schema`.
//! - The schema accepts every configuration the project ships, and agrees with the real reader
//!   (`config::parse`) on a table of valid and invalid snippets, so it cannot teach an editor to
//!   complain about a file deploycheck accepts, or the reverse, for the shapes it can express.

use std::path::{Path, PathBuf};

const SCHEMA_FILE: &str = "deploycheck.schema.json";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&deploycheck::config::json_schema()).expect("the schema is JSON");
    jsonschema::draft7::new(&schema).expect("the schema is a valid draft-07 schema")
}

/// A TOML table as the JSON value an editor validates.
fn as_json(text: &str) -> serde_json::Value {
    let value: toml::Value = toml::from_str(text).expect("the snippet is TOML");
    serde_json::to_value(value).expect("TOML converts to JSON")
}

/// Every error the schema reports for a TOML text, as text.
fn schema_errors(validator: &jsonschema::Validator, text: &str) -> Vec<String> {
    let instance = as_json(text);
    validator
        .iter_errors(&instance)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect()
}

#[test]
fn committed_schema_is_generated_from_the_configuration_types() {
    let generated = deploycheck::config::json_schema();
    let path = root().join(SCHEMA_FILE);
    if std::env::var_os("DEPLOYCHECK_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("write deploycheck.schema.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{SCHEMA_FILE} is not what the configuration types generate; regenerate it with \
         `DEPLOYCHECK_UPDATE_SCHEMA=1 cargo test --test config_schema` and commit it"
    );
}

#[test]
fn schema_describes_every_top_level_key_the_reader_knows() {
    let schema: serde_json::Value =
        serde_json::from_str(&deploycheck::config::json_schema()).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["additionalProperties"], false);
    let properties = schema["properties"].as_object().unwrap();
    // Exactly the keys the reader knows (the list `tomlfile` checks files against, which its
    // own test holds equal to the configuration type's fields).
    let known = deploycheck::tomlfile::FileKind::Config
        .top_level_keys()
        .expect("the configuration's keys");
    let mut described: Vec<&str> = properties.keys().map(String::as_str).collect();
    let mut known: Vec<&str> = known.to_vec();
    described.sort_unstable();
    known.sort_unstable();
    assert_eq!(described, known);
    // Every key an editor completes has a description to show.
    let missing: Vec<&String> = properties
        .iter()
        .filter(|(_, property)| {
            property.get("description").is_none() && property.get("$ref").is_none()
        })
        .map(|(key, _)| key)
        .collect();
    assert!(
        missing.is_empty(),
        "keys without a description: {missing:?}"
    );
    // The enumerations come from the types the reader uses.
    assert_eq!(properties["fail-on"]["$ref"], "#/definitions/FailOn");
    assert_eq!(
        schema["definitions"]["FailOn"]["enum"],
        serde_json::json!(["error", "warning", "info", "never"])
    );
    let roles = properties["roles"]["properties"].as_object().unwrap();
    assert_eq!(roles.len(), deploycheck::rules::Role::ALL.len());
    assert!(roles.contains_key("database-url"));
}

/// Every `deploycheck.toml` and `[tool.deploycheck]` the project ships, and the README's
/// example, pass the schema.
#[test]
fn shipped_configurations_pass_the_schema() {
    let validator = validator();
    let mut checked = 0;
    let mut stack = vec![root().join("fixtures")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy();
            let text = match name.as_ref() {
                "deploycheck.toml" => std::fs::read_to_string(&path).unwrap(),
                "pyproject.toml" => {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let Ok(value) = toml::from_str::<toml::Table>(&text) else {
                        continue;
                    };
                    match value.get("tool").and_then(|tool| tool.get("deploycheck")) {
                        Some(table) => toml::to_string(table).unwrap(),
                        None => continue,
                    }
                }
                _ => continue,
            };
            // Only files the reader accepts are the schema's business.
            if deploycheck::config::parse(Path::new("deploycheck.toml"), text.clone()).is_err() {
                continue;
            }
            let errors = schema_errors(&validator, &text);
            assert!(errors.is_empty(), "{}: {errors:?}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} configurations found");

    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("```toml\n# deploycheck.toml")
        .expect("README's configuration example");
    let block = &readme[start + "```toml\n".len()..];
    let block = &block[..block.find("```").unwrap()];
    deploycheck::config::parse(Path::new("deploycheck.toml"), block.to_owned())
        .expect("README's example is a valid configuration");
    let errors = schema_errors(&validator, block);
    assert!(errors.is_empty(), "README's example: {errors:?}");
}

/// The schema and the reader agree on each snippet: both accept it or both reject it.
#[test]
fn schema_and_reader_agree() {
    let validator = validator();
    let cases: &[(&str, bool)] = &[
        ("", true),
        ("profile = \"production\"\nfail-on = \"warning\"", true),
        ("fail-on = \"never\"", true),
        ("fail-on = \"warnings\"", false),
        ("fial-on = \"warning\"", false),
        ("[severity]\ncors-insecure-origin = \"error\"", true),
        ("[severity]\ncors-insecure-origin = \"fatal\"", false),
        ("example = false", true),
        ("example = \".env.example\"", true),
        ("example = 3", false),
        ("max-input-size = 1048576", true),
        ("max-input-size = \"10MB\"", true),
        ("max-input-size = true", false),
        ("[roles]\ndatabase-url = \"DATABASE__URL\"", true),
        (
            "[roles]\nsigning-key = [\"SECRET_KEY\", \"REFRESH_SECRET\"]",
            true,
        ),
        ("[roles]\ndatabase-uri = \"X\"", false),
        ("[roles]\ndatabase-url = 1", false),
        (
            "[database]\ndriver = \"asyncpg\"\nmax-connections = 100",
            true,
        ),
        ("[database]\ndriver = \"mysql\"", false),
        ("[database]\nmax-connections = 0", false),
        (
            "[probe]\ntimeout = \"5s\"\nca = [\"ca.pem\"]\ninsecure = false\nreplicas = 3",
            true,
        ),
        ("[probe]\nreplicas = 0", false),
        ("[probe]\nretries = 3", false),
        (
            "[per-file.\".env.staging\"]\nprofile = \"production\"\nignore = [\"debug-enabled\"]",
            true,
        ),
        (
            "[per-file.\".env.staging\"]\nseverity = { log-level-debug = \"info\" }",
            true,
        ),
        (
            "[per-file.\".env.staging\"]\nprofiles = \"production\"",
            false,
        ),
        ("[[suppress]]\nkey = \"DEBUG\"\nreason = \"VPN only\"", true),
        ("[[suppress]]\nkey = \"DEBUG\"\nwhy = \"VPN only\"", false),
        ("[[suppress]]\nkey = \"DEBUG\"", false),
        ("[[suppress]]\nreason = \"VPN only\"", false),
        (
            "[[suppress]]\nrule = \"debug-enabled\"\nreason = \"VPN only\"",
            true,
        ),
        (
            "[verify]\nhealth-paths = [\"/health\"]\nrequests = 5\nlatency-budget = \"500ms\"",
            true,
        ),
        ("[verify]\nrequests = 0", false),
        ("[verify]\nrequests = 101", false),
        (
            "[[verify.paths]]\npath = \"/status\"\nstatus = 200\njson = { ok = true }",
            true,
        ),
        ("[[verify.paths]]\nstatus = 200", false),
        ("[environment]\nproduction-value = \"prod\"", true),
        (
            "secret-names = [\"*_CERT\"]\nsettings = \"app/config.py:Settings\"",
            true,
        ),
        ("select = \"all\"", false),
    ];
    for (text, valid) in cases {
        let reader = deploycheck::config::parse(Path::new("deploycheck.toml"), (*text).to_owned());
        assert_eq!(
            reader.is_ok(),
            *valid,
            "the reader on {text:?}: {:?}",
            reader.err()
        );
        let errors = schema_errors(&validator, text);
        assert_eq!(
            errors.is_empty(),
            *valid,
            "the schema on {text:?}: {errors:?}"
        );
    }
}
