//! Control characters in keys, values and file names (ESC, BEL, DEL, C1 controls, a lone
//! carriage return, bidirectional overrides) reached the terminal and GitHub's workflow-command
//! parser raw, even with `--color never`: a value could retitle the window, clear the screen,
//! hide text or start another workflow command. Every output must carry them escaped; the
//! colour deploycheck adds itself is the only escape sequence allowed.

mod common;

use common::files::Scratch;
use common::process::{deploycheck, run_within};

/// An input whose findings quote control characters in keys and values, in snippets and
/// messages alike: ESC sequences (clear screen, window title, colour), BEL, DEL, CSI as a C1
/// control, a right-to-left override, and a lone `\r` (a line break for python-dotenv).
const HOSTILE: &str = "ENVIRONMENT=production\n\
    KEY\u{1b}[2JX=1\n\
    KEY\u{1b}[2JX=2\n\
    CORS_ORIGINS=[\"http://localhost\u{1b}]0;pwned\u{7}\", \"http://l\u{202e}ocalhost\"]\n\
    GREETING=${NO\u{7}PE}\rSECOND=${ALSO\u{7f}}\n\
    LOG_LEVEL=\u{9b}31mverbose\n";

/// The file name carries an escape sequence too.
const NAME: &str = "hostile\u{1b}]0;title\u{7}.env";

/// Characters that must not appear raw: C0 controls but line feed and tab, DEL, C1 controls,
/// and the bidirectional marks, embeddings, overrides and isolates. With `colour`, the SGR
/// sequences deploycheck writes itself (`ESC [ digits ; m`) are allowed and skipped.
fn raw_controls(output: &str, colour: bool) -> Vec<(usize, char)> {
    let mut found = Vec::new();
    let mut chars = output.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if colour && c == '\u{1b}' && chars.peek().is_some_and(|&(_, next)| next == '[') {
            chars.next();
            let mut sgr = false;
            while let Some(&(_, next)) = chars.peek() {
                chars.next();
                if next == 'm' {
                    sgr = true;
                    break;
                }
                if !(next.is_ascii_digit() || next == ';') {
                    break;
                }
            }
            if sgr {
                continue;
            }
            found.push((at, c));
            continue;
        }
        let hidden = (c < ' ' && c != '\n' && c != '\t')
            || ('\u{7f}'..='\u{9f}').contains(&c)
            || matches!(
                c,
                '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            );
        if hidden {
            found.push((at, c));
        }
    }
    found
}

/// Run deploycheck in `dir` on the hostile input and return its standard output (and error
/// output, which must be clean too).
fn output_of(dir: &Scratch, args: &[&str]) -> String {
    let mut command = deploycheck();
    command
        .current_dir(dir.path())
        .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"))
        .args(args);
    let run = run_within(command, b"", 20);
    assert!(matches!(run.code, Some(0 | 1)), "{args:?}: {}", run.stderr);
    let stdout = String::from_utf8(run.stdout).expect("UTF-8 output");
    assert_eq!(
        raw_controls(&run.stderr, false),
        [],
        "{args:?}: {}",
        run.stderr
    );
    stdout
}

#[test]
fn control_characters_reach_no_output_raw() {
    let dir = Scratch::new();
    dir.write(NAME, HOSTILE);
    dir.write("other.env", "KEY\u{1b}[2JX=3\nGREETING=plain\n");
    for colour in ["never", "always"] {
        let lint = |format: &str| {
            output_of(
                &dir,
                &[
                    "lint",
                    "--isolated",
                    "--color",
                    colour,
                    "--format",
                    format,
                    NAME,
                ],
            )
        };
        for format in ["human", "github", "json", "sarif", "junit"] {
            let output = lint(format);
            assert_eq!(
                raw_controls(&output, colour == "always"),
                [],
                "lint --format {format} --color {colour}:\n{output}"
            );
            assert!(
                output.contains("duplicate-key") && output.contains("cors-insecure-origin"),
                "{format}: {output}"
            );
        }
        for args in [
            vec!["show", "--isolated", NAME],
            vec![
                "show",
                "--isolated",
                "--format",
                "dotenv",
                "--sources",
                NAME,
            ],
            vec!["diff", "--isolated", NAME, "other.env"],
            vec!["diff", "--isolated", "--format", "json", NAME, "other.env"],
        ] {
            let mut args = args.clone();
            args.extend(["--color", colour]);
            let output = output_of(&dir, &args);
            assert_eq!(raw_controls(&output, false), [], "{args:?}:\n{output}");
        }
    }
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).expect("step summary");
    assert_eq!(raw_controls(&summary, false), [], "{summary}");
    // An error quoting the path.
    let mut command = deploycheck();
    command
        .current_dir(dir.path())
        .args(["lint", "missing\u{1b}[2J.env"]);
    let run = run_within(command, b"", 20);
    assert_eq!(run.code, Some(2));
    assert_eq!(raw_controls(&run.stderr, false), [], "{}", run.stderr);
    assert!(
        run.stderr.contains("missing\\u{1b}[2J.env"),
        "{}",
        run.stderr
    );
}

/// The escaping is `\u{1b}` everywhere, and a snippet's underline stays under the characters
/// it points at although the escapes widen the line.
#[test]
fn escaped_snippets_keep_their_underlines_in_place() {
    let dir = Scratch::new();
    dir.write(NAME, HOSTILE);
    let output = output_of(&dir, &["lint", "--isolated", "--color", "never", NAME]);
    assert!(output.contains("`KEY\\u{1b}[2JX` is set again"), "{output}");
    assert!(
        output.starts_with("hostile\\u{1b}]0;title\\u{7}.env:"),
        "{output}"
    );
    let github = output_of(
        &dir,
        &[
            "lint",
            "--isolated",
            "--format",
            "github",
            "--color",
            "never",
            NAME,
        ],
    );
    assert!(
        github.contains("localhost\\u{1b}]0;pwned\\u{7}"),
        "{github}"
    );
    // The lone `\r` is the line break it is for python-dotenv: `SECOND` is on a line of its
    // own (line 6), in the snippet as in the location.
    assert!(
        output.contains(".env:6:8: warning[interpolation-undefined-variable]"),
        "{output}"
    );
    assert!(output.contains(" 6 │ SECOND=${ALSO\\u{7f}}"), "{output}");
    // Under the snippet line of the first origin, the underline starts below `http`.
    let lines: Vec<&str> = output.lines().collect();
    let start = lines
        .iter()
        .position(|line| line.contains("warning[cors-insecure-origin]"))
        .expect("a localhost finding");
    let source = lines[start..]
        .iter()
        .position(|line| line.contains("CORS_ORIGINS=[\"http://localhost\\u{1b}"))
        .map(|offset| start + offset)
        .expect("the snippet line");
    let column_of = |line: &str, needle: &str| {
        line.find(needle)
            .map(|at| line[..at].chars().count())
            .expect("found")
    };
    let text_column = column_of(lines[source], "http://localhost\\u{1b}");
    let underline_column = lines[source + 1]
        .chars()
        .position(|c| c == '─' || c == '┬')
        .expect("an underline");
    assert_eq!(
        underline_column,
        text_column,
        "{}\n{}",
        lines[source],
        lines[source + 1]
    );
    let underline_length = lines[source + 1]
        .chars()
        .filter(|&c| c == '─' || c == '┬')
        .count();
    assert_eq!(
        underline_length,
        "http://localhost\\u{1b}]0;pwned\\u{7}".chars().count()
    );
}

/// `show --format dotenv` writes what python-dotenv reads back unchanged where python-dotenv
/// has an escape for it (`\a \b \f \v \r`), and says so where it has none.
#[test]
fn show_dotenv_quotes_controls_python_dotenv_can_read_back() {
    let dir = Scratch::new();
    dir.write(
        ".env",
        "A=x\u{7}y\u{8}z\u{b}w\u{c}v\nB=\"r\\rs\"\nC=e\u{1b}[2Jx\nD=plain\n",
    );
    let output = output_of(&dir, &["show", "--isolated", "--format", "dotenv", ".env"]);
    assert_eq!(
        output,
        "A=\"x\\ay\\bz\\vw\\fv\"\n\
         B=\"r\\rs\"\n\
         # control characters python-dotenv cannot quote, shown as \\u{..}: this line does not \
         read back to the same value\n\
         C=\"e\\u{1b}[2Jx\"\n\
         D='plain'\n"
    );
}
