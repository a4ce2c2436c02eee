//! The progress line on a real terminal: `script` (util-linux) runs deploycheck with standard
//! input, output and error on a pseudo-terminal, as a person's shell would, and records every
//! byte drawn. Without `script` the test prints a notice and passes, except under CI.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

/// `deploycheck lint -` typed by hand: the configuration is typed after the progress line's
/// delay has passed. The line (redrawn every 200 ms with a carriage return and an erase) must
/// not draw over what is being typed: before this was fixed, it erased the typed line and
/// said "finding the inputs" while deploycheck was waiting for them.
#[test]
fn typed_standard_input_is_not_drawn_over() {
    let binary = env!("CARGO_BIN_EXE_deploycheck");
    let spawned = Command::new("script")
        .args(["-qfec", &format!("{binary} lint -"), "/dev/null"])
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "script (util-linux) is required under CI but is not installed"
            );
            #[allow(clippy::disallowed_macros)]
            {
                eprintln!("notice: script (util-linux) is not installed; skipping this check");
            }
            return;
        }
    };
    let mut typing = child.stdin.take().expect("script's standard input");
    // Past the line's one-second delay, as a person takes to type.
    std::thread::sleep(Duration::from_millis(1600));
    typing.write_all(b"DEBUG=true\n").expect("type a line");
    std::thread::sleep(Duration::from_millis(300));
    // Ctrl-D: the end of the input.
    typing.write_all(b"\x04").expect("type Ctrl-D");
    std::thread::sleep(Duration::from_millis(300));
    drop(typing);
    let output = child.wait_with_output().expect("script runs");
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(
        screen.contains("debug-enabled"),
        "the report is shown: {screen:?}"
    );
    assert!(
        !screen.contains("deploycheck lint:"),
        "no progress line over the typed input: {screen:?}"
    );
    assert_eq!(output.status.code(), Some(1), "{screen:?}");
}
