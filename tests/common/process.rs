//! Running the deploycheck binary as a child process under a watchdog: a run that outlives its
//! bound is killed and the test fails, instead of hanging the suite. Output is read while the
//! child runs, so a large report cannot block it on a full pipe.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The binary under test, with nothing from the environment that changes its output.
pub fn deploycheck() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_deploycheck"));
    command
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1");
    command
}

/// How a run ended.
pub struct Finished {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// Run `command` with `stdin` to its end, or kill it after `seconds` and panic.
pub fn run_within(mut command: Command, stdin: &[u8], seconds: u64) -> Finished {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn deploycheck");
    let mut input = child.stdin.take().expect("stdin");
    let stdin = stdin.to_vec();
    // A child that does not read its input (or stops early) breaks the pipe: not an error here.
    let writer = thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = thread::spawn(move || {
        let mut bytes = Vec::new();
        stdout.read_to_end(&mut bytes).map(|_| bytes)
    });
    let mut stderr = child.stderr.take().expect("stderr");
    let error_reader = thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).map(|_| text)
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(seconds) {
            child.kill().ok();
            child.wait().ok();
            panic!("still running after {seconds} s: {command:?}");
        }
        thread::sleep(Duration::from_millis(50));
    };
    writer.join().expect("stdin writer");
    Finished {
        code: status.code(),
        stdout: reader.join().expect("stdout reader").expect("read stdout"),
        stderr: error_reader
            .join()
            .expect("stderr reader")
            .expect("read stderr"),
    }
}
