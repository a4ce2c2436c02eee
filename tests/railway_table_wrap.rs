//! The table reader against tables laid out the way the Railway CLI lays them out: values
//! wrapped by `textwrap` 0.16 with the CLI's options (width of the value column, long words
//! broken, everything else default: optimal fit, Unicode line breaking, hyphen splitting) inside
//! the same box. The layout code below reproduces `fixtures/railway/table.txt` byte for byte,
//! which is what lets thousands of generated values stand in for real output.
#![allow(clippy::disallowed_macros)] // tests may print notices

use std::collections::BTreeMap;

use deploycheck::source::railway::parse_table;
use unicode_width::UnicodeWidthStr;

const MIN_BOX_WIDTH: usize = 20;
const MAX_BOX_WIDTH: usize = 80;
const MIN_KEY_COLUMN_WIDTH: usize = 10;

/// Lay out `variables` as `railway variables` prints them without colour.
fn render_table(service: &str, variables: &BTreeMap<String, String>) -> String {
    let title = format!(" Variables for {service} ");
    let title_width = title.width();
    let widest_value_line = variables
        .values()
        .flat_map(|value| value.split('\n'))
        .map(UnicodeWidthStr::width)
        .max()
        .unwrap_or(0)
        .max(title_width);
    let key_width = variables
        .keys()
        .map(|key| key.width())
        .max()
        .unwrap_or(0)
        .max(MIN_KEY_COLUMN_WIDTH);
    // `║ ` + keys + ` │ ` + values + ` ║`
    let box_width = (key_width + widest_value_line + 7).clamp(MIN_BOX_WIDTH, MAX_BOX_WIDTH);
    let value_width = box_width - 7 - key_width;

    let border = box_width - 2 - title_width;
    let mut table = format!(
        "╔{}{title}{}╗\n",
        "═".repeat(border.div_ceil(2)),
        "═".repeat(border / 2)
    );
    let separator = format!("║{}║\n", "─".repeat(box_width - 2));
    for (index, (key, value)) in variables.iter().enumerate() {
        if index > 0 {
            table.push_str(&separator);
        }
        let options = textwrap::Options::new(value_width).break_words(true);
        for (row, line) in textwrap::wrap(value, options).iter().enumerate() {
            let key_cell = if row == 0 { key.as_str() } else { "" };
            let padding = " ".repeat(value_width.saturating_sub(line.width()));
            table.push_str(&format!("║ {key_cell:<key_width$} │ {line}{padding} ║\n"));
        }
    }
    table.push_str(&format!("╚{}╝\n", "═".repeat(box_width - 2)));
    table
}

fn fixture(name: &str) -> String {
    let path = format!("{}/fixtures/railway/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"))
}

#[test]
fn the_layout_reproduces_the_cli_sample() {
    let variables: BTreeMap<String, String> =
        serde_json::from_str(&fixture("json.json")).expect("flat object of strings");
    assert_eq!(
        render_table("api", &variables).trim_end(),
        fixture("table.txt").trim_end()
    );
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn pick<'item>(&mut self, items: &[&'item str]) -> &'item str {
        items[self.below(items.len())]
    }

    fn text(&mut self, min_length: usize, spread: usize, alphabet: &str) -> String {
        let length = min_length + if spread > 0 { self.below(spread) } else { 0 };
        let alphabet: Vec<char> = alphabet.chars().collect();
        (0..length)
            .map(|_| alphabet[self.below(alphabet.len())])
            .collect()
    }

    fn words(&mut self, min_count: usize, spread: usize) -> String {
        const WORDS: [&str; 34] = [
            "alpha",
            "beta",
            "gamma-ray",
            "delta/epsilon",
            "zeta",
            "eta,",
            "theta.",
            "iota?",
            "kappa!",
            "(lambda)",
            "mu;",
            "nu:",
            "xi",
            "omicron",
            "pi=3",
            "rho&sigma",
            "tau_upsilon",
            "phi",
            "chi",
            "psi",
            "omega",
            "a",
            "I",
            "{x}",
            "[y]",
            "\"q\"",
            "'s'",
            "100%",
            "$5",
            "#tag",
            "@user",
            "x+y",
            "a|b",
            "~home",
        ];
        let count = min_count + self.below(spread);
        (0..count)
            .map(|_| self.pick(&WORDS))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

const ALPHANUMERIC: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const HEX: &str = "0123456789abcdef";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Sentence,
    Url,
    JsonList,
    Token,
    Pem,
    Paragraphs,
    Uuid,
    CompactJson,
    WideCharacters,
}

const KINDS: [Kind; 9] = [
    Kind::Sentence,
    Kind::Url,
    Kind::JsonList,
    Kind::Token,
    Kind::Pem,
    Kind::Paragraphs,
    Kind::Uuid,
    Kind::CompactJson,
    Kind::WideCharacters,
];

fn generate(generator: &mut Generator, kind: Kind) -> String {
    match kind {
        Kind::Sentence => generator.words(1, 25),
        Kind::Url => {
            let scheme = generator.pick(&["postgresql", "redis", "https", "amqp", "mongodb+srv"]);
            let user = generator.text(3, 10, ALPHANUMERIC);
            let password = generator.text(10, 40, ALPHANUMERIC);
            let host = generator.text(3, 12, "abcdefghij-");
            let domain = generator.text(3, 8, "abcxyz");
            let port = generator.below(65535);
            let segments = generator.below(4);
            let path = (0..segments)
                .map(|_| generator.text(1, 12, "abcdef-_.0123"))
                .collect::<Vec<_>>()
                .join("/");
            let query = if generator.below(2) == 0 {
                format!("?sslmode=require&x={}", generator.text(0, 30, ALPHANUMERIC))
            } else {
                String::new()
            };
            format!("{scheme}://{user}:{password}@{host}.{domain}.internal:{port}/{path}{query}")
        }
        Kind::JsonList => {
            let count = 1 + generator.below(5);
            let items = (0..count)
                .map(|_| {
                    let name = generator.text(2, 15, "abcdefghijklmnop-");
                    format!("\"https://{name}.example.com\"")
                })
                .collect::<Vec<_>>();
            format!("[{}]", items.join(","))
        }
        Kind::Token => generator.text(1, 200, ALPHANUMERIC),
        Kind::Pem => {
            let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
            for _ in 0..1 + generator.below(6) {
                pem.push_str(&generator.text(64, 0, BASE64));
                pem.push('\n');
            }
            pem.push_str(&generator.text(4, 60, BASE64));
            pem.push_str("\n-----END PRIVATE KEY-----");
            pem
        }
        Kind::Paragraphs => {
            let count = 2 + generator.below(4);
            (0..count)
                .map(|_| generator.words(1, 12))
                .collect::<Vec<_>>()
                .join("\n")
        }
        Kind::Uuid => format!(
            "{}-{}-{}-{}",
            generator.text(8, 0, HEX),
            generator.text(4, 0, HEX),
            generator.text(4, 60, HEX),
            generator.text(12, 0, HEX)
        ),
        Kind::CompactJson => {
            let count = 1 + generator.below(6);
            let fields = (0..count)
                .map(|index| {
                    let value = if generator.below(2) == 0 {
                        generator.text(1, 20, "0123456789")
                    } else {
                        format!("\"{}\"", generator.text(0, 20, ALPHANUMERIC))
                    };
                    format!("\"k{index}\":{value}")
                })
                .collect::<Vec<_>>();
            format!("{{{}}}", fields.join(","))
        }
        Kind::WideCharacters => {
            let count = 1 + generator.below(12);
            let separator = if generator.below(2) == 0 { " " } else { "" };
            (0..count)
                .map(|_| {
                    generator.pick(&["日本語", "テスト", "😀", "café", "naïve", "数据库", "a"])
                })
                .collect::<Vec<_>>()
                .join(separator)
        }
    }
}

#[derive(Debug, Default)]
struct Tally {
    values: usize,
    exact: usize,
    /// Values that came back with more newlines than they had: a wrap taken for a newline.
    invented_newlines: usize,
    first_miss: Option<(String, String)>,
}

/// Render many generated tables, read them back, and tally by (kind, narrow column).
fn round_trip(seed: u64, tables: usize) -> BTreeMap<(Kind, bool), Tally> {
    let mut generator = Generator(seed);
    let mut tallies: BTreeMap<(Kind, bool), Tally> = BTreeMap::new();
    for round in 0..tables {
        // Most keys are short; every fourth table has a long key, down to a 3-column value.
        let key_length = 10
            + if round % 4 == 0 {
                generator.below(62)
            } else {
                generator.below(16)
            };
        let narrow = key_length + 7 + 24 > MAX_BOX_WIDTH;
        let mut generated = BTreeMap::new();
        for index in 0..6 {
            let kind = KINDS[generator.below(KINDS.len())];
            let key = format!("K{index}_{}", "X".repeat(key_length - 3));
            generated.insert(key, (kind, generate(&mut generator, kind)));
        }
        let variables: BTreeMap<String, String> = generated
            .iter()
            .map(|(key, (_, value))| (key.clone(), value.clone()))
            .collect();
        let table = render_table("api", &variables);
        let parsed =
            parse_table(&table).unwrap_or_else(|error| panic!("round {round}: {error}\n{table}"));
        let keys: Vec<&String> = parsed.entries.iter().map(|entry| &entry.key).collect();
        assert_eq!(keys, variables.keys().collect::<Vec<_>>(), "round {round}");
        for entry in &parsed.entries {
            let (kind, expected) = &generated[&entry.key];
            let got = entry.value.clone().unwrap_or_default();
            let tally = tallies.entry((*kind, narrow)).or_default();
            tally.values += 1;
            if got == *expected {
                tally.exact += 1;
            } else {
                tally
                    .first_miss
                    .get_or_insert_with(|| (expected.clone(), got.clone()));
            }
            if got.matches('\n').count() > expected.matches('\n').count() {
                tally.invented_newlines += 1;
            }
        }
    }
    tallies
}

#[test]
fn generated_tables_read_back() {
    let tallies = round_trip(0x9e37_79b9_7f4a_7c15, 1500);
    let summary: Vec<String> = tallies
        .iter()
        .map(|((kind, narrow), tally)| {
            format!(
                "{kind:?}{}: {}/{}",
                if *narrow { " (narrow)" } else { "" },
                tally.exact,
                tally.values
            )
        })
        .collect();
    let summary = summary.join(", ");
    println!("{summary}");

    for ((kind, narrow), tally) in &tallies {
        // In a column of 24 or more, only newlines inside prose (and a few wide-character
        // breaks) are guesses; every other kind of value comes back exactly.
        let rate = tally.exact as f64 / tally.values as f64;
        let minimum = match (kind, narrow) {
            (Kind::Paragraphs, false) => 0.65,
            (Kind::WideCharacters, false) => 0.95,
            (_, false) => 1.0,
            // Columns under 24 characters (keys over 49) wrap nearly every word: only the
            // absence of panics and of errors is asserted, above.
            (_, true) => 0.0,
        };
        assert!(
            rate >= minimum,
            "{kind:?} (narrow: {narrow}): {}/{} exact, first miss: {:?}\n{summary}",
            tally.exact,
            tally.values,
            tally.first_miss
        );
        if !narrow {
            assert_eq!(
                tally.invented_newlines, 0,
                "{kind:?}: a wrap was read as a newline, e.g. {:?}",
                tally.first_miss
            );
        }
    }
}

#[test]
fn a_narrow_box_is_never_wrapped() {
    // Short values: the box is sized to them, so every continuation row is a newline.
    let mut variables = BTreeMap::new();
    variables.insert(
        "MOTD".to_owned(),
        "line one\nline two\n\nline four".to_owned(),
    );
    variables.insert("PATHS".to_owned(), "/usr/\nbin".to_owned());
    let table = render_table("web", &variables);
    assert!(table.lines().next().expect("top border").width() < MAX_BOX_WIDTH);
    let parsed = parse_table(&table).expect("valid");
    let values: BTreeMap<&str, &str> = parsed
        .entries
        .iter()
        .map(|entry| {
            (
                entry.key.as_str(),
                entry.value.as_deref().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(values["MOTD"], "line one\nline two\n\nline four");
    assert_eq!(values["PATHS"], "/usr/\nbin");
}
