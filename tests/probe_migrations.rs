//! The migrations probe against a real PostgreSQL: `alembic_version` created and set by the test
//! to each state (no table, at head, behind, two heads pending, a revision the code lacks), and
//! compared with the histories of `fixtures/alembic/`; then `lint --probe` on a project, with
//! and without a deployment that runs `alembic upgrade`.

mod common;

use std::path::Path;
use std::time::Duration;

use common::files::Scratch;
use common::probe::{input_with_database, options, probe, rules, the};
use common::servers::{PASSWORD, Postgres};
use deploycheck::engine::migrations::History;
use deploycheck::finding::Severity;
use deploycheck::manifest::alembic;
use deploycheck::probe::{Migrations, ProbeInput};
use deploycheck::source::read::Reader;

/// The history of `fixtures/alembic/<case>`, as the probe gets it.
fn migrations(case: &str, upgrade: Option<&str>) -> Migrations {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/alembic")
        .join(case);
    let project = alembic::find(&dir, &Reader::default()).expect("an Alembic project");
    let history = History::of(&project);
    Migrations {
        graph: history.graph,
        complete: history.complete,
        location: project.version_locations.join(", "),
        version_table: project.version_table.clone(),
        upgrade: upgrade.map(str::to_owned),
    }
}

fn input(url: &str, migrations: Migrations) -> ProbeInput {
    ProbeInput {
        migrations: Some(migrations),
        ..input_with_database(url)
    }
}

/// The findings of the migrations rules alone.
fn migration_findings(findings: &[deploycheck::finding::Finding]) -> Vec<&str> {
    rules(findings)
        .into_iter()
        .filter(|rule| rule.starts_with("probe-migrations"))
        .collect()
}

#[test]
fn each_state_of_alembic_version() {
    let Some((postgres, _)) = Postgres::start(false) else {
        return;
    };
    let timeout = options(Duration::from_secs(10));
    postgres.sql("postgres", "CREATE DATABASE app");
    let url = postgres.url("asyncpg", PASSWORD, "app", "");
    let linear = || migrations("linear", None);

    // Never migrated: no table.
    let findings = probe(&input(&url, linear()), &timeout);
    let missing = the(&findings, "probe-migrations-table-missing");
    assert_eq!(missing.severity, Severity::Info);
    assert!(
        missing.message.contains("no `alembic_version` table")
            && missing.message.contains("all 3 revisions"),
        "{}",
        missing.message
    );
    assert_eq!(missing.key.as_deref(), Some("DATABASE_URL"));

    // An empty table: at base, everything pending.
    postgres.sql(
        "app",
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
    );
    let findings = probe(&input(&url, linear()), &timeout);
    let pending = the(&findings, "probe-migrations-pending");
    assert!(
        pending
            .message
            .contains("would apply 3 revisions (`a1`, `b2`, `c3`)"),
        "{}",
        pending.message
    );

    // At head: nothing to say.
    postgres.sql("app", "INSERT INTO alembic_version VALUES ('c3')");
    let findings = probe(&input(&url, linear()), &timeout);
    assert!(migration_findings(&findings).is_empty(), "{findings:#?}");
    assert!(rules(&findings).contains(&"probe-postgres-info"));

    // Behind by two, and nothing in the deployment runs the upgrade: an error.
    postgres.sql("app", "UPDATE alembic_version SET version_num = 'a1'");
    let findings = probe(&input(&url, linear()), &timeout);
    let pending = the(&findings, "probe-migrations-pending");
    assert_eq!(pending.severity, Severity::Error);
    for part in [
        "database `app` at 127.0.0.1:",
        "is at `a1`",
        "would apply 2 revisions (`b2`, `c3`) up to head `c3`",
        "neither a start command nor Railway's `preDeployCommand`",
    ] {
        assert!(
            pending.message.contains(part),
            "{part}: {}",
            pending.message
        );
    }

    // The same with a pre-deploy command that runs it: information.
    let runs = migrations("linear", Some("`preDeployCommand` in railway.toml"));
    let findings = probe(&input(&url, runs), &timeout);
    let pending = the(&findings, "probe-migrations-pending");
    assert_eq!(pending.severity, Severity::Info);
    assert!(
        pending
            .message
            .ends_with("which `preDeployCommand` in railway.toml runs on deploy"),
        "{}",
        pending.message
    );

    // Two heads: `alembic upgrade heads` applies both branches.
    let findings = probe(&input(&url, migrations("two-heads", None)), &timeout);
    let pending = the(&findings, "probe-migrations-pending");
    assert!(
        pending.message.contains("would apply 2 revisions")
            && pending.message.contains("up to heads `b2`, `c3`"),
        "{}",
        pending.message
    );

    // A revision the code does not have (another branch's, or a rolled-back deploy's).
    postgres.sql("app", "UPDATE alembic_version SET version_num = 'f00d'");
    let findings = probe(&input(&url, linear()), &timeout);
    let unknown = the(&findings, "probe-migrations-unknown-revision");
    assert_eq!(unknown.severity, Severity::Error);
    assert!(
        unknown
            .message
            .contains("is at revision `f00d`, which no script in"),
        "{}",
        unknown.message
    );
    assert_eq!(migration_findings(&findings).len(), 1);

    // Without a history to compare with, the probe reads no version table.
    let findings = probe(&input_with_database(&url), &timeout);
    assert!(migration_findings(&findings).is_empty(), "{findings:#?}");
}

#[test]
fn a_version_table_env_py_names_in_its_schema() {
    let Some((postgres, _)) = Postgres::start(false) else {
        return;
    };
    let timeout = options(Duration::from_secs(10));
    let project = Scratch::new();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/alembic/linear");
    copy_dir(&fixture, project.path());
    std::fs::write(
        project.path().join("alembic/env.py"),
        "from alembic import context\n\ncontext.configure(version_table=\"schema_revisions\", \
         version_table_schema=\"meta\")\n",
    )
    .expect("env.py");
    let found = alembic::find(project.path(), &Reader::default()).expect("a project");
    assert_eq!(found.version_table.name, "schema_revisions");
    let history = History::of(&found);
    let migrations = Migrations {
        graph: history.graph,
        complete: history.complete,
        location: found.version_locations.join(", "),
        version_table: found.version_table.clone(),
        upgrade: None,
    };
    let url = postgres.url("asyncpg", PASSWORD, "postgres", "");
    // The default table, in the default schema, is not the one env.py names.
    postgres.sql(
        "postgres",
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY); \
         INSERT INTO alembic_version VALUES ('c3')",
    );
    let findings = probe(&input(&url, migrations.clone()), &timeout);
    let missing = the(&findings, "probe-migrations-table-missing");
    assert!(
        missing.message.contains("no `meta.schema_revisions` table"),
        "{}",
        missing.message
    );
    postgres.sql(
        "postgres",
        "CREATE SCHEMA meta; CREATE TABLE meta.schema_revisions (version_num VARCHAR(32) NOT \
         NULL PRIMARY KEY); INSERT INTO meta.schema_revisions VALUES ('b2')",
    );
    let findings = probe(&input(&url, migrations), &timeout);
    let pending = the(&findings, "probe-migrations-pending");
    assert!(
        pending.message.contains("would apply 1 revision (`c3`)"),
        "{}",
        pending.message
    );
}

/// `lint --probe` on a project: the history found beside the inputs, the database from
/// `.env.production`, and whether `railway.toml` runs the upgrade.
#[test]
fn lint_probe_judges_the_project_and_its_deployment() {
    let Some((postgres, _)) = Postgres::start(false) else {
        return;
    };
    postgres.sql(
        "postgres",
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY); \
         INSERT INTO alembic_version VALUES ('a1')",
    );
    let project = Scratch::new();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/alembic/linear");
    copy_dir(&fixture, project.path());
    let url = postgres.url("asyncpg", PASSWORD, "postgres", "");
    std::fs::write(
        project.path().join(".env.production"),
        format!("ENVIRONMENT=production\nDATABASE_URL={url}\n"),
    )
    .expect(".env.production");
    let dir = project.path().display().to_string();
    let lint = || -> Vec<serde_json::Value> {
        let (_, report) = common::cli::lint_json(
            &["--isolated", "--probe", "--probe-timeout", "10s", &dir],
            "",
        );
        report["findings"].as_array().expect("findings").clone()
    };
    let pending = |findings: &[serde_json::Value]| -> serde_json::Value {
        the(findings, "probe-migrations-pending").clone()
    };

    let findings = lint();
    let finding = pending(&findings);
    assert_eq!(finding["severity"], "error", "{finding:#}");
    assert_eq!(finding["key"], "DATABASE_URL");
    assert!(
        finding["file"]
            .as_str()
            .is_some_and(|file| file.ends_with(".env.production")),
        "{finding:#}"
    );
    assert!(!finding.to_string().contains(PASSWORD), "{finding:#}");

    std::fs::write(
        project.path().join("railway.toml"),
        "[deploy]\nstartCommand = \"uvicorn app.main:app --host 0.0.0.0 --port $PORT\"\n\
         preDeployCommand = \"alembic upgrade heads\"\nhealthcheckPath = \"/health\"\n",
    )
    .expect("railway.toml");
    let findings = lint();
    let finding = pending(&findings);
    assert_eq!(finding["severity"], "info", "{finding:#}");
    assert!(
        finding["message"]
            .as_str()
            .is_some_and(|m| m.contains("which `preDeployCommand` in")),
        "{finding:#}"
    );

    // A start command that runs it counts too.
    std::fs::write(
        project.path().join("railway.toml"),
        "[deploy]\nstartCommand = \"alembic upgrade head && uvicorn app.main:app --host 0.0.0.0 \
         --port $PORT\"\nhealthcheckPath = \"/health\"\n",
    )
    .expect("railway.toml");
    let findings = lint();
    let finding = pending(&findings);
    assert_eq!(finding["severity"], "info", "{finding:#}");
    assert!(
        finding["message"]
            .as_str()
            .is_some_and(|m| m.contains("which startCommand in")),
        "{finding:#}"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read the fixture") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).expect("a directory");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("a copy");
        }
    }
}

#[test]
fn several_revisions_in_alembic_version_and_a_role_that_cannot_read_it() {
    let Some((postgres, _)) = Postgres::start(false) else {
        return;
    };
    let timeout = options(Duration::from_secs(10));
    postgres.sql("postgres", "CREATE DATABASE app");
    let url = postgres.url("asyncpg", PASSWORD, "app", "");
    let two_heads = || migrations("two-heads", None);
    postgres.sql(
        "app",
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
    );

    // Both heads applied, one row each (what `alembic upgrade heads` leaves): nothing pending.
    postgres.sql("app", "INSERT INTO alembic_version VALUES ('b2'), ('c3')");
    let findings = probe(&input(&url, two_heads()), &timeout);
    assert!(migration_findings(&findings).is_empty(), "{findings:#?}");

    // One branch applied: the other one's revision alone is pending.
    postgres.sql(
        "app",
        "DELETE FROM alembic_version WHERE version_num = 'c3'",
    );
    let findings = probe(&input(&url, two_heads()), &timeout);
    let pending = the(&findings, "probe-migrations-pending");
    assert!(
        pending.message.contains("is at `b2`")
            && pending.message.contains("would apply 1 revision (`c3`)"),
        "{}",
        pending.message
    );

    // A role that may connect but not read the table: a finding that says so, not a failure.
    let reader_password = "r3ader pw";
    postgres.sql(
        "app",
        &format!("CREATE ROLE reader LOGIN PASSWORD '{reader_password}'"),
    );
    let reader_url = url.replacen(
        &format!("postgres:{}@", common::servers::encode(PASSWORD)),
        &format!("reader:{}@", common::servers::encode(reader_password)),
        1,
    );
    assert_ne!(reader_url, url);
    let findings = probe(&input(&reader_url, two_heads()), &timeout);
    assert!(migration_findings(&findings).is_empty(), "{findings:#?}");
    let skipped = the(&findings, "probe-skipped");
    assert!(
        skipped.message.contains("`alembic_version` cannot be read")
            && skipped.message.contains("permission denied"),
        "{}",
        skipped.message
    );
    assert!(
        rules(&findings).contains(&"probe-postgres-info"),
        "{findings:#?}"
    );
    let all = format!("{findings:?}");
    assert!(!all.contains("r3ader"), "{all}");
}
