//! Regressions for inputs that took time quadratic in their size. Each runs the binary on an
//! input large enough that the quadratic code takes minutes, under a bound at least 20 times
//! what the linear code needs in a debug build, so a regression fails by timeout rather than
//! hanging the suite. Each test is named after the defect it guards against.

mod common;

use common::files::Scratch;
use common::process::{Finished, deploycheck, run_within};

/// Run deploycheck with `args` within `seconds`.
fn run(args: &[&str], seconds: u64) -> Finished {
    let mut command = deploycheck();
    command.args(args);
    run_within(command, b"", seconds)
}

/// A 1 MiB secret of one repeated character took over 8 minutes, in `show` as in `lint`: the
/// redactor's Aho-Corasick automaton was a DFA, whose construction walks, for every state, a
/// failure chain as long as the secret's period allows. A value of `a://` repeated took as
/// long: finding URL passwords scanned the rest of the text after each `://`. The copy under an
/// innocent name must still be masked.
///
/// The linear code takes about 3 s per run here in a debug build on a loaded machine (1.5 of
/// them building the automaton, unoptimized): 60 s is 20 times that, and a small fraction of
/// the quadratic code's hours.
#[test]
fn a_long_periodic_secret_is_masked_in_linear_time() {
    let scratch = Scratch::new();
    let secret = "a".repeat(1 << 20);
    let links = "a://".repeat(1 << 18);
    let env = scratch.write(
        ".env",
        format!("SECRET_KEY={secret}\nBACKUP={secret}\nLINKS={links}\n"),
    );
    let env = env.to_str().expect("UTF-8 path");
    for args in [
        vec!["lint", "--isolated", env],
        vec!["lint", "--isolated", "--format", "json", env],
        vec!["show", "--isolated", env],
        vec!["show", "--isolated", "--format", "dotenv", env],
    ] {
        let run = run(&args, 60);
        assert!(matches!(run.code, Some(0 | 1)), "{args:?}: {}", run.stderr);
        let stdout = String::from_utf8(run.stdout).expect("UTF-8 output");
        assert!(!stdout.contains("aaaaaaaa"), "{args:?} leaks the secret");
    }
}
