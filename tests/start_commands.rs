//! The start-command analysis against what the servers did: `fixtures/start-commands/cases.json`
//! lists start commands (shell and exec forms, with their environment), and `recorded.json` what
//! the pinned uvicorn, gunicorn, Hypercorn and fastapi-cli bound or how they failed when run
//! (`scripts/start_commands.py`, re-checked in CI). `analyze` must name the server and the address
//! it listened on, its worker processes, and for each command that exited, the literal value it
//! refused.

use deploycheck::manifest::Text;
use deploycheck::manifest::command::{
    Analysis, CommandLine, Port, Program, Server, Workers, analyze, option_tables,
};
use serde_json::Value;

/// What `{port}` (a free port chosen when recording) stands for here.
const PORT: &str = "43210";

fn read(name: &str) -> Value {
    let path = format!(
        "{}/fixtures/start-commands/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// A case as a file would hold it (a shell command line, or a Dockerfile exec form's words),
/// analysed with the case's environment.
struct Analysed {
    written: String,
    analysis: Analysis,
    /// The exec-form words that hold a `$` and are not a shell's script.
    literal_dollars: usize,
}

fn analyse(case: &Value) -> Analysed {
    let env: Vec<(String, String)> = case["env"]
        .as_object()
        .map(|env| {
            env.iter()
                .map(|(name, value)| {
                    let value = value.as_str().expect("env values are strings");
                    (name.clone(), value.replace("{port}", PORT))
                })
                .collect()
        })
        .unwrap_or_default();
    let lookup = |name: &str| {
        env.iter()
            .find(|(set, _)| set == name)
            .map(|(_, value)| value.clone())
    };
    if let Some(command) = case["shell"].as_str() {
        let text = Text::verbatim(command, 0..command.len());
        return Analysed {
            written: command.to_owned(),
            analysis: analyze(CommandLine::Shell(&text), &lookup),
            literal_dollars: 0,
        };
    }
    let words: Vec<&str> = case["exec"]
        .as_array()
        .expect("a case has `shell` or `exec`")
        .iter()
        .map(|word| word.as_str().expect("exec words are strings"))
        .collect();
    let mut written = String::from("CMD [");
    let mut texts = Vec::new();
    for word in &words {
        written.push('"');
        let start = written.len();
        written.push_str(word);
        texts.push(Text::verbatim(*word, start..written.len()));
        written.push_str("\", ");
    }
    written.push(']');
    let through_shell = words.get(1) == Some(&"-c");
    let literal_dollars = words
        .iter()
        .enumerate()
        .filter(|(index, word)| word.contains('$') && !(through_shell && *index == 2))
        .count();
    Analysed {
        written,
        analysis: analyze(CommandLine::Exec(&texts), &lookup),
        literal_dollars,
    }
}

fn program_name(program: &Program) -> &'static str {
    match program {
        Program::Uvicorn => "uvicorn",
        Program::Gunicorn { .. } => "gunicorn",
        Program::Hypercorn => "hypercorn",
        Program::FastapiRun => "fastapi run",
        Program::FastapiDev => "fastapi dev",
    }
}

/// The processes holding the listening socket: the server and its workers. uvicorn (and
/// `fastapi run`, which is uvicorn.run) serves from one process, or from a supervisor and N
/// workers; its reloader is a supervisor with one server; gunicorn and Hypercorn always run a
/// master (or main process) and N workers.
fn holders(server: &Server) -> u64 {
    let workers = match server.workers.as_ref().map(|workers| &workers.value) {
        None => 1,
        Some(Workers::Number(number)) => u64::from(*number),
        Some(Workers::Variable { name }) => panic!("workers from an unknown ${name}"),
    };
    match server.program {
        Program::Uvicorn | Program::FastapiRun | Program::FastapiDev => {
            if server.reload.is_some() {
                2
            } else if workers > 1 {
                workers + 1
            } else {
                1
            }
        }
        Program::Gunicorn { .. } | Program::Hypercorn => workers + 1,
    }
}

/// What a host name binds (the servers resolve it).
fn resolved(host: &str) -> &str {
    match host {
        "localhost" => "127.0.0.1",
        other => other,
    }
}

/// gunicorn's control socket (`--no-control-socket` turns it off), which is not the server's
/// address.
const GUNICORN_CONTROL_SOCKET: &str = ".gunicorn/gunicorn.ctl";

fn check_case(name: &str, case: &Value, recorded: &Value) {
    let Analysed {
        written,
        analysis,
        literal_dollars,
    } = analyse(case);
    let [server] = analysis.servers.as_slice() else {
        panic!("{name}: not one server: {analysis:#?}");
    };
    let expected_program = case["program"].as_str().unwrap_or_else(|| {
        let first = case["shell"]
            .as_str()
            .map(|command| command.to_owned())
            .unwrap_or_default();
        panic!("{name}: cases name their program ({first})")
    });
    assert_eq!(program_name(&server.program), expected_program, "{name}");
    assert_eq!(
        analysis.unexpanded.len(),
        literal_dollars,
        "{name}: unexpanded {:?}",
        analysis.unexpanded
    );
    for (reference, span) in &analysis.unexpanded {
        assert_eq!(&written[span.clone()], reference, "{name}");
    }

    if let Some(listening) = recorded["listening"].as_array() {
        let addresses: Vec<(String, String)> = listening
            .iter()
            .filter(|entry| entry[1] != GUNICORN_CONTROL_SOCKET)
            .map(|entry| {
                let port = match &entry[2] {
                    Value::String(port) => port.replace("{port}", PORT),
                    Value::Number(port) => port.to_string(),
                    _ => String::new(),
                };
                match entry[0].as_str() {
                    Some("unix") => (format!("unix:{}", entry[1].as_str().unwrap_or("")), port),
                    _ => (entry[1].as_str().unwrap_or("").to_owned(), port),
                }
            })
            .collect();
        let port = match &server.port.value {
            Port::Number(number) => number.to_string(),
            Port::Invalid(text) if text.starts_with("unix:") => String::new(),
            other => panic!("{name}: it listened, and the port reads {other:?}"),
        };
        assert_eq!(
            addresses,
            [(resolved(&server.host.value).to_owned(), port)],
            "{name}: recorded {listening:?}, analysed {server:#?}"
        );
        assert_eq!(
            recorded["holders"].as_u64(),
            Some(holders(server)),
            "{name}: processes holding the socket; analysed {server:#?}"
        );
    } else {
        let code = recorded["exit"].as_i64();
        assert!(
            code.is_some_and(|code| code != 0),
            "{name}: neither listened nor failed: {recorded}"
        );
        let Port::Invalid(text) = &server.port.value else {
            panic!(
                "{name}: the server failed ({}), and the port reads {:?}",
                recorded["error"], server.port.value
            );
        };
        let error = recorded["error"].as_str().unwrap_or_default();
        let named = match server.program {
            // click and argparse quote the value they refuse.
            Program::Uvicorn | Program::Gunicorn { .. } => format!("'{text}'"),
            // Typer validates with pydantic, which does not repeat the value.
            Program::FastapiRun | Program::FastapiDev => "Invalid value for '--port'".to_owned(),
            // Hypercorn takes a bind it cannot split as a host name, which fails to resolve.
            Program::Hypercorn => "Name or service not known".to_owned(),
        };
        assert!(
            error.contains(&named),
            "{name}: the error {error:?} does not say {named:?} ({text:?})"
        );
    }
}

#[test]
fn analysis_agrees_with_what_the_servers_did_on_every_case() {
    let cases = read("cases.json");
    let recorded = read("recorded.json");
    let cases = cases.as_array().expect("a list of cases");
    assert!(cases.len() >= 25, "a thin corpus: {}", cases.len());
    let results = recorded["cases"].as_object().expect("cases");
    assert_eq!(
        results.len(),
        cases.len(),
        "recorded.json is not of cases.json"
    );
    let (mut listened, mut failed) = (0, 0);
    for case in cases {
        let name = case["name"].as_str().expect("a name");
        let result = results
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not recorded: run scripts/start_commands.py"));
        check_case(name, case, result);
        if result["listening"].is_array() {
            listened += 1;
        } else {
            failed += 1;
        }
    }
    assert!(
        listened > 20 && failed >= 4,
        "{listened} listened, {failed} failed"
    );
}

#[test]
fn option_tables_are_the_parsers_of_the_pinned_releases() {
    let recorded = read("recorded.json");
    for table in option_tables() {
        let options = &recorded["options"][table.command];
        let names = |key: &str| -> Vec<String> {
            options[key]
                .as_array()
                .unwrap_or_else(|| panic!("no {key} recorded for {}", table.command))
                .iter()
                .map(|name| name.as_str().unwrap_or_default().to_owned())
                .collect()
        };
        assert_eq!(names("flags"), table.flags, "flags of {}", table.command);
        assert_eq!(names("values"), table.values, "values of {}", table.command);
    }
}
