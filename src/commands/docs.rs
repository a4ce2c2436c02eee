//! The documentation commands: `rules`, `explain`, `completions`, `man`.

use std::path::Path;

use crate::cli::{Cli, CompletionsArgs, ExplainArgs, ListFormat, ManArgs, RulesArgs};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::report::placeholders_in_words as words;
use crate::rules;
use crate::settings::configured_rules;
use crate::source::read::Reader;
use crate::streams::Streams;
use crate::suggest::closest;

pub fn list_rules(
    args: RulesArgs,
    streams: &mut Streams,
    reader: &Reader,
) -> Result<ExitStatus, Error> {
    let (rules, _) = configured_rules(&args.rules, None, reader)?;
    let out = &mut *streams.stdout;
    match args.format {
        ListFormat::Human => {
            let width = rules
                .rules
                .iter()
                .map(|r| r.doc.id.len())
                .max()
                .unwrap_or(0);
            for rule in &rules.rules {
                let production = if rule_is_production_only(rule) {
                    " (production)"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "{:<width$}  {:<7}  {}{production}",
                    rule.doc.id,
                    rule.doc.severity.as_str(),
                    words(&rule.doc.summary)
                )?;
            }
        }
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = rules
                .rules
                .iter()
                .map(|rule| {
                    serde_json::json!({
                        "id": rule.doc.id,
                        "severity": rule.doc.severity,
                        "summary": words(&rule.doc.summary),
                        "why": words(&rule.doc.why),
                        "help": words(&rule.doc.help),
                        "example": {
                            "bad": words(&rule.doc.example_bad),
                            "good": words(&rule.doc.example_good),
                        },
                        "url": rule.doc.url,
                        "tags": rule.doc.tags,
                        "defined_in": rule.origin.file,
                    })
                })
                .collect();
            crate::report::json::write_pretty(out, &list)?;
        }
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

fn rule_is_production_only(rule: &rules::Rule) -> bool {
    fn mentions_production(condition: &rules::Condition) -> bool {
        match condition {
            rules::Condition::Profile(names) => names.iter().all(|n| n == "production"),
            rules::Condition::All(all) => all.iter().any(mentions_production),
            rules::Condition::Equals { .. }
            | rules::Condition::OneOf { .. }
            | rules::Condition::Set { .. }
            | rules::Condition::Matches { .. }
            | rules::Condition::Driver(_)
            | rules::Condition::Any(_)
            | rules::Condition::Not(_) => false,
        }
    }
    rule.when.as_ref().is_some_and(mentions_production)
}

pub fn explain(
    args: ExplainArgs,
    streams: &mut Streams,
    reader: &Reader,
) -> Result<ExitStatus, Error> {
    let (rules, _) = configured_rules(&args.rules, None, reader)?;
    let Some(rule) = rules.rule(&args.id) else {
        let ids: Vec<&str> = rules.rules.iter().map(|r| r.doc.id.as_str()).collect();
        let help = match closest(&args.id, &ids) {
            Some(near) => format!("did you mean `{near}`? `deploycheck rules` lists them all"),
            None => "`deploycheck rules` lists them all".to_owned(),
        };
        return Err(Error::UnknownRule {
            id: args.id,
            help: Some(help),
        });
    };
    let doc = &rule.doc;
    let out = &mut *streams.stdout;
    writeln!(out, "{} ({})", doc.id, doc.severity)?;
    writeln!(out)?;
    writeln!(out, "{}", words(&doc.summary))?;
    if !doc.tags.is_empty() {
        writeln!(out, "Tags: {}", doc.tags.join(", "))?;
    }
    if rule_is_production_only(rule) {
        writeln!(out, "Applies to: the production profile")?;
    }
    writeln!(out, "Defined in: {}", rule.origin.file)?;
    for (heading, body) in [
        ("Why is this bad?", &doc.why),
        ("Example", &doc.example_bad),
        ("Use instead", &doc.example_good),
        ("How to fix", &doc.help),
    ] {
        if body.trim().is_empty() {
            continue;
        }
        writeln!(out, "\n{heading}")?;
        for line in words(body.trim()).lines() {
            writeln!(out, "    {line}")?;
        }
    }
    if let Some(url) = &doc.url {
        writeln!(out, "\nSee also: {url}")?;
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// The command line as clap knows it, with the name it is installed under, for the generators.
fn command_definition() -> clap::Command {
    let mut command = <Cli as clap::CommandFactory>::command()
        .bin_name("deploycheck")
        // `help` is a flag on every page; a `deploycheck-help` page would only repeat them.
        .disable_help_subcommand(true);
    // Resolves the subcommands' full names (`deploycheck lint`), which both generators print.
    command.build();
    command
}

pub fn completions(args: CompletionsArgs, streams: &mut Streams) -> Result<ExitStatus, Error> {
    use clap_complete::Generator;
    let command = command_definition();
    // `try_generate`, not `generate`: the latter panics when the write fails (a closed pipe).
    args.shell.try_generate(&command, streams.stdout)?;
    streams.stdout.flush()?;
    Ok(ExitStatus::Success)
}

/// A page whose footer names the program and its version (a subcommand has no version of its
/// own, so clap_mangen would print only the subcommand's name there).
fn manual_page(command: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(command).source(format!("deploycheck {}", env!("CARGO_PKG_VERSION")))
}

pub fn man(args: ManArgs, streams: &mut Streams) -> Result<ExitStatus, Error> {
    let command = command_definition();
    let Some(dir) = args.out_dir else {
        manual_page(command).render(streams.stdout)?;
        streams.stdout.flush()?;
        return Ok(ExitStatus::Success);
    };
    let cannot_write = |path: &Path, error: std::io::Error| Error::Unwritable {
        path: path.display().to_string(),
        reason: error.to_string(),
    };
    std::fs::create_dir_all(&dir).map_err(|error| cannot_write(&dir, error))?;
    let mut pages = vec![command.clone()];
    pages.extend(
        command
            .get_subcommands()
            .filter(|subcommand| !subcommand.is_hide_set())
            .cloned(),
    );
    for page in pages {
        let man = manual_page(page);
        let path = dir.join(man.get_filename());
        let mut rendered = Vec::new();
        man.render(&mut rendered)?;
        std::fs::write(&path, rendered).map_err(|error| cannot_write(&path, error))?;
        writeln!(streams.stdout, "{}", path.display())?;
    }
    streams.stdout.flush()?;
    Ok(ExitStatus::Success)
}
