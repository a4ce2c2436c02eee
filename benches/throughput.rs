//! How fast `deploycheck lint` reads and judges large inputs, and whether the cost grows
//! linearly with their size.
//!
//! Generates .env files (comments, blank lines, `export`, unquoted, single- and double-quoted
//! and multi-line values, URLs with passwords, secrets, duplicate keys, `${VAR}` references)
//! and `railway variables --json` / `--kv` dumps of 1k to 1M lines, runs each through the
//! library as the binary does (`app::run` with in-memory streams: rules, reading, masking,
//! evaluation, the human report), several times, and prints the median time, the throughput and
//! the time per line relative to the next smaller size (about 1 when the cost is linear).
//! A second table splits the median into reading (parse and mask), evaluation and reporting.
//!
//!     cargo bench --bench throughput                   # every size
//!     cargo bench --bench throughput -- --max-lines 100000
//!     cargo bench --bench throughput -- --format dotenv    # or railway-json, railway-kv
//!
//! No statistics beyond the median: the point is the order of magnitude and the slope.

use std::io::Write;
use std::time::{Duration, Instant};

use clap::Parser;
use deploycheck::app::{self, ExitStatus, Streams};
use deploycheck::cli::Cli;
use deploycheck::engine;
use deploycheck::finding;
use deploycheck::inputs::Loader;
use deploycheck::report::{self, Report};
use deploycheck::rules;
use deploycheck::source::{InputFormat, load};

const SIZES: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];

/// A size step whose time per line grows more than this is reported as non-linear.
const NON_LINEAR: f64 = 1.5;

/// A small deterministic generator (xorshift64*): the same inputs on every run and machine.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn token(&mut self, length: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        (0..length)
            .map(|_| ALPHABET[self.below(ALPHABET.len())] as char)
            .collect()
    }
}

/// What a FastAPI service on Railway sets, so the rules have real values to judge.
const HEADER: &str = "\
# Production settings for the API service
ENVIRONMENT=production
DEBUG=false
LOG_LEVEL=INFO
DATABASE_URL=postgresql+asyncpg://app:Kx9vQ2mLp7RtZ4wN@postgres.railway.internal:5432/railway?ssl=require
REDIS_URL=rediss://default:Vb7nM3kQ9xLp2RtW@redis.railway.internal:6379/0
SECRET_KEY=q7Hk2Lm9Vx4Rt8Zp3Wn6Yb1Jc5Fd0Gs-Ua_Ie7Ko2Pl
CORS_ORIGINS=[\"https://app.example.com\",\"https://admin.example.com\"]
DB_POOL_SIZE=10
DB_MAX_OVERFLOW=20
";

/// A .env file of about `lines` lines.
fn dotenv_input(lines: usize) -> String {
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let mut text = String::from(HEADER);
    let mut written = HEADER.lines().count();
    let mut keys: Vec<String> = Vec::new();
    while written < lines {
        let index = keys.len();
        let key = format!("SERVICE_{index}_SETTING");
        let line = match random.below(20) {
            0 | 1 => format!("# {} section, see the runbook", random.token(12)),
            2 => String::new(),
            3..=5 => format!("{key}={}", random.token(16)),
            6 => format!("export {key}='{} with spaces'", random.token(10)),
            7 => format!(
                "{key}=\"quoted \\\"{}\\\" value\"  # trailing comment",
                random.token(8)
            ),
            8 => {
                // Three physical lines, one value.
                written += 2;
                format!("{key}=\"first {}\nsecond line\nthird\"", random.token(8))
            }
            9 => format!(
                "SERVICE_{index}_URL=https://{}.example.com/api/v1?region=eu",
                random.token(8).to_lowercase()
            ),
            10 => format!(
                "SERVICE_{index}_DATABASE_URL=postgresql://user:{}@db-{index}.internal:5432/app",
                random.token(20)
            ),
            11 | 12 => format!("SERVICE_{index}_SECRET_KEY={}", random.token(40)),
            13 => format!("SERVICE_{index}_API_TOKEN=\"{}\"", random.token(32)),
            14 | 15 if !keys.is_empty() => {
                // A key set again further down: the later one wins.
                let earlier = keys[random.below(keys.len())].clone();
                format!("{earlier}={}", random.token(12))
            }
            16 | 17 if !keys.is_empty() => {
                let earlier = keys[random.below(keys.len())].clone();
                format!("{key}=\"${{{earlier}}}/suffix-${{UNDEFINED_{index}:-default}}\"")
            }
            _ => format!("{key}={}", random.below(100_000)),
        };
        if let Some((name, _)) = line.split_once('=')
            && !line.starts_with('#')
        {
            keys.push(name.trim_start_matches("export ").to_owned());
        }
        text.push_str(&line);
        text.push('\n');
        written += 1;
    }
    text
}

/// Key/value pairs like a Railway service's, sorted as the CLI prints them, with the ids
/// Railway injects.
fn railway_pairs(count: usize) -> Vec<(String, String)> {
    let mut random = Random(0xD1B5_4A32_D192_ED03);
    let mut pairs: Vec<(String, String)> = HEADER
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect();
    for id in ["PROJECT", "ENVIRONMENT", "SERVICE"] {
        pairs.push((
            format!("RAILWAY_{id}_ID"),
            "0f6d3c9a-5b1e-4c7d-9a2f-3e8b7c6d5a4f".to_owned(),
        ));
    }
    pairs.push((
        "RAILWAY_ENVIRONMENT_NAME".to_owned(),
        "production".to_owned(),
    ));
    let mut index = 0;
    while pairs.len() < count {
        let value = match random.below(6) {
            0 => format!("https://{}.up.railway.app", random.token(10).to_lowercase()),
            1 => format!(
                "postgresql://postgres:{}@db-{index}.railway.internal:5432/railway",
                random.token(24)
            ),
            2 => random.token(40),
            3 => format!("{} with \"quotes\" and spaces", random.token(8)),
            _ => random.below(1_000_000).to_string(),
        };
        let suffix = if random.below(4) == 0 {
            "SECRET"
        } else {
            "SETTING"
        };
        pairs.push((format!("SERVICE_{index:07}_{suffix}"), value));
        index += 1;
    }
    pairs.sort();
    pairs
}

/// `railway variables --json`: a pretty-printed object, one line per key.
fn railway_json_input(lines: usize) -> String {
    let pairs = railway_pairs(lines.saturating_sub(2));
    let body: Vec<String> = pairs
        .iter()
        .map(|(key, value)| {
            let value = serde_json::to_string(value).unwrap_or_default();
            format!("  \"{key}\": {value}")
        })
        .collect();
    format!("{{\n{}\n}}\n", body.join(",\n"))
}

/// `railway variables --kv`: `KEY=value` lines, sorted, unquoted.
fn railway_kv_input(lines: usize) -> String {
    let mut text = String::new();
    for (key, value) in railway_pairs(lines) {
        text.push_str(&key);
        text.push('=');
        text.push_str(&value);
        text.push('\n');
    }
    text
}

/// Makes an input of about the given number of lines.
type Generator = fn(usize) -> String;

struct Case {
    format: &'static str,
    lines: usize,
    text: String,
}

struct Measurement {
    total: Duration,
    read: Duration,
    evaluate: Duration,
    report: Duration,
    findings: usize,
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// The whole run, as `deploycheck lint --no-example -` does it (the report goes to memory).
fn run_binary_path(input: &str) -> Duration {
    let cli = Cli::parse_from([
        "deploycheck",
        "lint",
        "--no-example",
        "--color",
        "never",
        "-",
    ]);
    let mut stdin = input.as_bytes();
    let mut stdout: Vec<u8> = Vec::new();
    let mut streams = Streams {
        stdin: &mut stdin,
        stdout: &mut stdout,
        stdout_is_terminal: false,
        stdin_file: None,
    };
    let started = Instant::now();
    let status = app::run(cli, &mut streams);
    let elapsed = started.elapsed();
    assert!(
        matches!(status, Ok(ExitStatus::Success | ExitStatus::Failure)),
        "the generated input could not be judged: {:?}",
        status.err()
    );
    std::hint::black_box(&stdout);
    elapsed
}

/// The same steps one by one, to see which one a size step slows down.
fn run_phases(rules: &rules::RuleSet, input: &str) -> (Duration, Duration, Duration, usize) {
    let mut stdin = input.as_bytes();
    let started = Instant::now();
    let reader = deploycheck::source::read::Reader::default();
    let mut loader = Loader::new(rules, &mut stdin, &reader);
    let layer = loader.load("-", None).expect("the generated input reads");
    let read = started.elapsed();

    let started = Instant::now();
    let engine_input = engine::Input {
        sources: &loader.sources,
        layers: std::slice::from_ref(&layer),
        profile: "production",
        example: None,
        instances: None,
    };
    let merged = engine::Merged::build(rules, std::slice::from_ref(&layer));
    let mut findings = engine::evaluate(rules, &engine_input, &merged);
    let evaluate = started.elapsed();

    let started = Instant::now();
    finding::sort(&mut findings);
    let docs = rules.docs();
    let report = Report {
        sources: &loader.sources,
        findings: &findings,
        inputs: &[],
        rules: &docs,
    };
    let mut out: Vec<u8> = Vec::new();
    let style = report::human::Style {
        color: false,
        width: 100,
    };
    report::human::render(&report, style, &mut out).expect("render to memory");
    std::hint::black_box(&out);
    (read, evaluate, started.elapsed(), findings.len())
}

fn measure(rules: &rules::RuleSet, case: &Case) -> Measurement {
    // Fewer repetitions of the big inputs: their run time is stable enough, and long.
    let repetitions = match case.lines {
        0..=10_000 => 11,
        10_001..=100_000 => 5,
        _ => 3,
    };
    let totals = (0..repetitions)
        .map(|_| run_binary_path(&case.text))
        .collect();
    let mut reads = Vec::new();
    let mut evaluations = Vec::new();
    let mut reports = Vec::new();
    let mut findings = 0;
    for _ in 0..repetitions {
        let (read, evaluate, report, count) = run_phases(rules, &case.text);
        reads.push(read);
        evaluations.push(evaluate);
        reports.push(report);
        findings = count;
    }
    Measurement {
        total: median(totals),
        read: median(reads),
        evaluate: median(evaluations),
        report: median(reports),
        findings,
    }
}

struct Options {
    max_lines: usize,
    formats: Vec<String>,
}

fn options() -> Options {
    let mut options = Options {
        max_lines: usize::MAX,
        formats: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--max-lines" => {
                options.max_lines = args
                    .next()
                    .and_then(|value| value.parse().ok())
                    .unwrap_or(usize::MAX);
            }
            "--format" => options.formats.extend(args.next()),
            // `cargo bench` passes `--bench`; test filters and other flags do not apply.
            _ => {}
        }
    }
    options
}

fn milliseconds(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn main() -> std::io::Result<()> {
    let options = options();
    let mut out = std::io::stdout().lock();
    let started = Instant::now();
    let rules = rules::builtin::load().expect("the built-in rules load");
    writeln!(
        out,
        "built-in rules loaded in {:.2} ms (part of every run below)\n",
        milliseconds(started.elapsed())
    )?;

    let generators: [(InputFormat, Generator); 3] = [
        (InputFormat::Dotenv, dotenv_input),
        (InputFormat::RailwayJson, railway_json_input),
        (InputFormat::RailwayKv, railway_kv_input),
    ];
    let mut cases = Vec::new();
    for (format, generate) in generators {
        let format = format.name();
        if !options.formats.is_empty() && !options.formats.iter().any(|f| f == format) {
            continue;
        }
        for lines in SIZES
            .into_iter()
            .filter(|&lines| lines <= options.max_lines)
        {
            let text = generate(lines);
            // Measured as what it is meant to be, not as a .env file by mistake.
            assert_eq!(
                load::detect(&text).name(),
                format,
                "generated {format} input"
            );
            cases.push(Case {
                format,
                lines: text.lines().count(),
                text,
            });
        }
    }

    writeln!(
        out,
        "{:<13} {:>9} {:>11} {:>9} {:>11} {:>9} {:>9} {:>8}   {:>9} {:>9} {:>9}",
        "input",
        "lines",
        "bytes",
        "findings",
        "median ms",
        "MB/s",
        "ns/line",
        "ratio",
        "read ms",
        "eval ms",
        "report ms"
    )?;
    let mut non_linear = Vec::new();
    let mut previous: Option<(&str, f64)> = None;
    for case in &cases {
        let measurement = measure(&rules, case);
        let seconds = measurement.total.as_secs_f64();
        let per_line = seconds * 1e9 / case.lines as f64;
        let ratio = match previous {
            Some((format, previous_per_line)) if format == case.format => {
                Some(per_line / previous_per_line)
            }
            _ => None,
        };
        if let Some(ratio) = ratio.filter(|&ratio| ratio > NON_LINEAR) {
            non_linear.push(format!(
                "{} at {} lines: {ratio:.2}x the time per line of the size before",
                case.format, case.lines
            ));
        }
        previous = Some((case.format, per_line));
        writeln!(
            out,
            "{:<13} {:>9} {:>11} {:>9} {:>11.2} {:>9.1} {:>9.0} {:>8}   {:>9.2} {:>9.2} {:>9.2}",
            case.format,
            case.lines,
            case.text.len(),
            measurement.findings,
            milliseconds(measurement.total),
            case.text.len() as f64 / seconds / 1e6,
            per_line,
            ratio.map_or_else(|| "-".to_owned(), |ratio| format!("{ratio:.2}")),
            milliseconds(measurement.read),
            milliseconds(measurement.evaluate),
            milliseconds(measurement.report),
        )?;
        out.flush()?;
    }
    writeln!(
        out,
        "\nratio: time per line over that of the size before (1.00 = linear)."
    )?;
    if non_linear.is_empty() {
        writeln!(
            out,
            "No size step above {NON_LINEAR}x: the cost grows linearly."
        )?;
    } else {
        for step in &non_linear {
            writeln!(out, "NON-LINEAR: {step}")?;
        }
    }
    Ok(())
}
