//! `--format json`: deploycheck's own versioned schema (miette's JSON has byte offsets only and
//! no version). Version 1:
//! `{"version":1,"profile":..,"inputs":[{"file","profile"}],"findings":[{"rule","severity",
//! "message","help","file","key","line","column","end_line","end_column"}],
//! "summary":{"errors","warnings","infos"}}`.
//! Lines and columns are 1-based; columns count characters; `end_column` is exclusive.
//! `profile` is the profile every input was judged under, or `null` when they differ; `inputs`
//! (added within version 1) says which input was judged under which.

use std::io::Write;

use serde::Serialize;

use super::{Report, location};
use crate::finding::{Severity, Summary};

/// The schema version; bumped on any incompatible change.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    profile: Option<&'a str>,
    inputs: Vec<JsonInput<'a>>,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonInput<'a> {
    file: &'a str,
    profile: &'a str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    file: &'a str,
    key: Option<&'a str>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let findings = report
        .findings
        .iter()
        .map(|finding| {
            let super::Location {
                line,
                column,
                end_line,
                end_column,
            } = location(report, finding);
            JsonFinding {
                rule: &finding.rule,
                severity: finding.severity,
                message: &finding.message,
                help: finding.help.as_deref(),
                file: &report.sources.get(finding.source).name,
                key: finding.key.as_deref(),
                line,
                column,
                end_line,
                end_column,
            }
        })
        .collect();
    let document = Document {
        version: VERSION,
        profile: report.profile(),
        inputs: report
            .inputs
            .iter()
            .map(|input| JsonInput {
                file: &input.file,
                profile: &input.profile,
            })
            .collect(),
        findings,
        summary: Summary::of(report.findings),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
