//! Railway's config as code (`manifest::railway_config::parse`), the input read as TOML and as
//! JSON.
//!
//! Properties, for each format:
//! - every span (problems, keys, values, the texts of strings and of names, and the span of
//!   each part of a text) lies inside the input, on character boundaries;
//! - each character of a text maps to the bytes that wrote it: itself, or an escape;
//! - reading is deterministic;
//! - problems are in file order;
//! - `effective`, `effective_for_pr` and `instances` do not panic, for every environment the
//!   file names and for none, and what they return points into the input too.

#![no_main]

use deploycheck::manifest::Text;
use deploycheck::manifest::railway_config::{
    Build, ConfigFormat, Deploy, RailwayConfig, Value, parse,
};
use deploycheck_fuzz::{check_span, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    for format in [ConfigFormat::Toml, ConfigFormat::Json] {
        let config = parse(&text, format);
        assert_eq!(
            config,
            parse(&text, format),
            "{format:?}: not deterministic"
        );
        check_config(&text, &config);
        let mut names: Vec<Option<&str>> = vec![None, Some("pr"), Some("no such environment")];
        names.extend(
            config
                .environments
                .iter()
                .map(|(name, _)| Some(name.text.as_str())),
        );
        for name in names {
            let effective = config.effective(name);
            check_build(&text, &effective.build);
            check_deploy(&text, &effective.deploy);
            let effective = config.effective_for_pr(name);
            check_build(&text, &effective.build);
            check_deploy(&text, &effective.deploy);
            if let Some(instances) = config.instances(name) {
                check_value(&text, &instances, "instances");
            }
        }
    }
});

fn check_config(text: &str, config: &RailwayConfig) {
    let mut previous = 0;
    for problem in &config.problems {
        check_span(
            text,
            &problem.span,
            &format!("problem `{}`", problem.message),
        );
        assert!(
            problem.span.start >= previous,
            "problems out of order at {:?}",
            problem.span
        );
        previous = problem.span.start;
    }
    if let Some(schema) = &config.schema {
        check_value(text, schema, "$schema");
    }
    check_build(text, &config.build);
    check_deploy(text, &config.deploy);
    for (name, overrides) in &config.environments {
        check_text(text, name, "environment name");
        check_build(text, &overrides.build);
        check_deploy(text, &overrides.deploy);
    }
}

fn check_build(text: &str, build: &Build) {
    let Build {
        builder,
        build_command,
        dockerfile_path,
        watch_patterns,
        railpack_version,
        nixpacks_config_path,
        nixpacks_plan,
        nixpacks_version,
        build_environment,
    } = build;
    option(text, builder, "builder");
    option(text, build_command, "buildCommand");
    option(text, dockerfile_path, "dockerfilePath");
    texts(text, watch_patterns, "watchPatterns");
    option(text, railpack_version, "railpackVersion");
    option(text, nixpacks_config_path, "nixpacksConfigPath");
    option(text, nixpacks_plan, "nixpacksPlan");
    option(text, nixpacks_version, "nixpacksVersion");
    option(text, build_environment, "buildEnvironment");
}

fn check_deploy(text: &str, deploy: &Deploy) {
    let Deploy {
        start_command,
        pre_deploy_command,
        healthcheck_path,
        healthcheck_timeout,
        num_replicas,
        multi_region_config,
        region,
        restart_policy_type,
        restart_policy_max_retries,
        cron_schedule,
        sleep_application,
        ipv6_egress_enabled,
        overlap_seconds,
        draining_seconds,
        required_mount_path,
        registry_credentials,
        limit_override,
        runtime,
        use_legacy_stacker,
    } = deploy;
    option(text, start_command, "startCommand");
    texts(text, pre_deploy_command, "preDeployCommand");
    option(text, healthcheck_path, "healthcheckPath");
    option(text, healthcheck_timeout, "healthcheckTimeout");
    option(text, num_replicas, "numReplicas");
    if let Some(regions) = multi_region_config {
        check_value(text, regions, "multiRegionConfig");
        for (name, _) in &regions.value {
            check_text(text, name, "region name");
        }
    }
    option(text, region, "region");
    option(text, restart_policy_type, "restartPolicyType");
    option(text, restart_policy_max_retries, "restartPolicyMaxRetries");
    option(text, cron_schedule, "cronSchedule");
    option(text, sleep_application, "sleepApplication");
    option(text, ipv6_egress_enabled, "ipv6EgressEnabled");
    option(text, overlap_seconds, "overlapSeconds");
    option(text, draining_seconds, "drainingSeconds");
    option(text, required_mount_path, "requiredMountPath");
    option(text, registry_credentials, "registryCredentials");
    option(text, limit_override, "limitOverride");
    option(text, runtime, "runtime");
    option(text, use_legacy_stacker, "useLegacyStacker");
}

fn option<T>(text: &str, value: &Option<Value<T>>, what: &str) {
    if let Some(value) = value {
        check_value(text, value, what);
    }
}

fn texts(text: &str, value: &Option<Value<Vec<Text>>>, what: &str) {
    if let Some(value) = value {
        check_value(text, value, what);
        for item in &value.value {
            check_text(text, item, what);
        }
    }
}

fn check_value<T>(text: &str, value: &Value<T>, what: &str) {
    check_span(text, &value.span, &format!("value of {what}"));
    check_span(text, &value.key_span, &format!("key of {what}"));
    if let Some(written) = &value.text {
        check_text(text, written, what);
    }
}

/// A text's span, and the span of each of its characters, inside the input; each character
/// maps to the bytes that wrote it: itself, or an escape (`\n`, `\u0041`) starting with `\`.
fn check_text(text: &str, written: &Text, what: &str) {
    check_span(text, &written.span, &format!("text of {what}"));
    let length = written.text.len();
    check_span(text, &written.span_of(0..length), &format!("all of {what}"));
    for (index, character) in written.text.char_indices() {
        let part = written.span_of(index..index + character.len_utf8());
        check_span(text, &part, &format!("{character:?} of {what}"));
        let bytes = &text[part.clone()];
        assert!(
            bytes == character.encode_utf8(&mut [0; 4]) || bytes.starts_with('\\'),
            "{what}: {character:?} maps to {bytes:?} at {part:?}"
        );
    }
}
