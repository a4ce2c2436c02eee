//! The driver rules against what the drivers did: `fixtures/drivers/params.json` records, for
//! every libpq keyword and asyncpg argument, whether SQLAlchemy with asyncpg, psycopg and
//! psycopg2 rejected it as a URL query parameter (`scripts/driver_params.py`, re-checked in CI).
//! `database-url-unknown-param` must flag exactly what psycopg and psycopg2 both reject, and
//! `database-url-sslmode-param` only what asyncpg rejects, never its own `ssl`.

mod common;

use common::cli;
use serde_json::Value;

fn recording() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/drivers/params.json"
    ))
    .expect("fixtures/drivers/params.json");
    serde_json::from_str(&text).expect("JSON")
}

fn outcome<'a>(recording: &'a Value, param: &str, driver: &str) -> &'a str {
    recording["parameters"][param]["outcomes"][driver]["outcome"]
        .as_str()
        .unwrap_or_else(|| panic!("no outcome for {param} under {driver}"))
}

/// Does linting `SCHEME://...?PARAM=VALUE` raise `rule` on that parameter?
fn flagged(scheme: &str, param: &str, value: &str, rule: &str) -> bool {
    let env = format!(
        "DATABASE_URL={scheme}://app:Kx9vQ2mLp7RtZ4wN@postgres.railway.internal:5432/app?{param}={value}\n"
    );
    let (_, report) = cli::lint_json(&["--isolated", "-"], &env);
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|finding| {
            finding["rule"] == rule
                && finding["message"]
                    .as_str()
                    .is_some_and(|message| message.contains(&format!("`{param}`")))
        })
}

#[test]
fn libpq_parameters_are_flagged_exactly_when_psycopg_and_psycopg2_reject_them() {
    let recording = recording();
    let parameters = recording["parameters"].as_object().expect("parameters");
    assert!(
        parameters.len() > 50,
        "a thin recording: {}",
        parameters.len()
    );
    for (param, entry) in parameters {
        // URL query syntax cannot carry every name; the recording's own value is used.
        let value = entry["value"].as_str().unwrap_or("x");
        let rejected_by_both = outcome(&recording, param, "psycopg") == "rejected"
            && outcome(&recording, param, "psycopg2") == "rejected";
        for scheme in ["postgresql+psycopg", "postgresql+psycopg2"] {
            assert_eq!(
                flagged(scheme, param, value, "database-url-unknown-param"),
                rejected_by_both,
                "{scheme}: `{param}` is {} by psycopg and {} by psycopg2",
                outcome(&recording, param, "psycopg"),
                outcome(&recording, param, "psycopg2"),
            );
        }
    }
}

#[test]
fn the_parameters_flagged_for_asyncpg_are_ones_asyncpg_rejects() {
    let recording = recording();
    let parameters = recording["parameters"].as_object().expect("parameters");
    let mut flagged_count = 0;
    for (param, entry) in parameters {
        let value = entry["value"].as_str().unwrap_or("x");
        if flagged(
            "postgresql+asyncpg",
            param,
            value,
            "database-url-sslmode-param",
        ) {
            flagged_count += 1;
            assert_eq!(
                outcome(&recording, param, "asyncpg"),
                "rejected",
                "`{param}` is flagged for asyncpg but asyncpg accepts it"
            );
        }
    }
    assert_eq!(
        flagged_count, 5,
        "sslmode, sslrootcert, sslcert, sslkey, sslcrl"
    );
    // The help's replacement is what asyncpg accepts.
    assert_eq!(outcome(&recording, "ssl", "asyncpg"), "accepted");
    assert_eq!(outcome(&recording, "ssl", "psycopg"), "rejected");
}
