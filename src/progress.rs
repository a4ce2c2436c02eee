//! The one progress line: what a run that takes more than a second is doing (probing a server,
//! judging a directory of thousands of files, waiting for a deploy to come up), on standard
//! error, rewritten in place, and cleared when the run ends.
//!
//! It appears only where a person is watching: standard error is a terminal (and not
//! `TERM=dumb`, which cannot rewrite a line) and the report is the human one. Machine formats,
//! pipes, files and CI logs never see it, so it can never corrupt what a program reads. A run
//! that ends within [`DELAY`] shows nothing at all: a line that flashes and vanishes is noise.
//!
//! A thread of its own draws it, so a probe stuck in a connect still shows its elapsed time
//! ticking; the work only says what it is doing ([`Progress::set`]), from any thread.
//!
//! A run that reads standard input from the terminal (`deploycheck lint -`, the person typing
//! the configuration) stops the line at its first read ([`Progress::input`]): redrawn every
//! 200 ms, it would erase the line being typed.

use std::io::{IsTerminal, Read, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a run goes before its progress line appears.
pub const DELAY: Duration = Duration::from_secs(1);

/// How often the line is redrawn once it shows (the elapsed seconds tick).
const REDRAW: Duration = Duration::from_millis(200);

/// A progress line, or nothing (see the module's documentation for when it shows).
pub struct Progress {
    shown: Option<Shown>,
    /// Standard input is a terminal: reading it stops the line ([`Progress::input`]).
    typed_input: bool,
}

struct Shown {
    shared: Arc<Shared>,
    ticker: Option<JoinHandle<()>>,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

struct State {
    message: String,
    done: bool,
}

impl Progress {
    /// No line, whatever happens.
    pub fn hidden() -> Progress {
        Progress {
            shown: None,
            typed_input: false,
        }
    }

    /// The line for `deploycheck <command>`, on standard error if a person is watching: it is a
    /// terminal, `TERM` is not `dumb`, and the report is the human one (`human`).
    pub fn on_terminal(command: &'static str, human: bool) -> Progress {
        let terminal = std::io::stderr().is_terminal()
            && std::env::var_os("TERM").is_none_or(|term| term != "dumb");
        if !(human && terminal) {
            return Progress::hidden();
        }
        Progress::to(Box::new(std::io::stderr()), command, DELAY)
            .stopped_by_input(std::io::stdin().is_terminal())
    }

    /// Whether reading standard input through [`Progress::input`] stops the line: yes when it
    /// is a terminal, where a person types what is read.
    pub fn stopped_by_input(mut self, typed: bool) -> Progress {
        self.typed_input = typed;
        self
    }

    /// Standard input as the run reads it: when it is typed on the terminal, the first read
    /// clears the line (if it showed) and stops it for the rest of the run.
    pub fn input<'a>(&'a self, stdin: &'a mut dyn Read) -> Input<'a> {
        Input {
            stdin,
            progress: self,
        }
    }

    /// The line written to `sink` once `delay` has passed (the tests' way in).
    pub fn to(sink: Box<dyn Write + Send>, command: &'static str, delay: Duration) -> Progress {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                message: String::new(),
                done: false,
            }),
            wake: Condvar::new(),
        });
        let drawing = Arc::clone(&shared);
        let ticker = std::thread::Builder::new()
            .name("progress".to_owned())
            .spawn(move || draw(&drawing, sink, command, delay))
            .ok();
        Progress {
            shown: ticker.map(|ticker| Shown {
                shared,
                ticker: Some(ticker),
            }),
            typed_input: false,
        }
    }

    /// Say what the run is doing now (one line; shown from the next redraw).
    pub fn set(&self, message: impl Into<String>) {
        if let Some(shown) = &self.shown {
            lock(&shown.shared.state).message = message.into();
        }
    }

    /// Clear the line (if it showed) and stop drawing; also done when dropped.
    pub fn finish(&mut self) {
        self.stop();
        if let Some(ticker) = self.shown.as_mut().and_then(|shown| shown.ticker.take()) {
            let _ = ticker.join();
        }
    }

    /// Tell the drawing thread to clear the line (if it showed) and end, without waiting.
    fn stop(&self) {
        if let Some(shown) = &self.shown {
            lock(&shown.shared.state).done = true;
            shown.shared.wake.notify_all();
        }
    }
}

/// Standard input, stopping the progress line when it is typed ([`Progress::input`]).
pub struct Input<'a> {
    stdin: &'a mut dyn Read,
    progress: &'a Progress,
}

impl Read for Input<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if self.progress.typed_input {
            self.progress.stop();
        }
        self.stdin.read(buffer)
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// A poisoned lock only means a drawing thread panicked mid-line; the state is still usable.
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The drawing thread: wait out the delay, then redraw until done; clear the line if it showed.
fn draw(shared: &Shared, mut sink: Box<dyn Write + Send>, command: &str, delay: Duration) {
    let started = Instant::now();
    let mut shown = false;
    let mut state = lock(&shared.state);
    // `done` is checked before each wait: `finish` may come before this thread first waits.
    while !state.done {
        let elapsed = started.elapsed();
        let wait = if elapsed < delay {
            delay - elapsed
        } else {
            REDRAW
        };
        state = shared
            .wake
            .wait_timeout(state, wait)
            .map_or_else(|poisoned| poisoned.into_inner().0, |(guard, _)| guard);
        if state.done {
            break;
        }
        let elapsed = started.elapsed();
        if elapsed < delay || state.message.is_empty() {
            continue;
        }
        // Erase the line, then write it again: a shorter message leaves nothing behind.
        let line = format!(
            "\r\x1b[2Kdeploycheck {command}: {} ({}s)",
            state.message,
            elapsed.as_secs()
        );
        let _ = sink.write_all(line.as_bytes());
        let _ = sink.flush();
        shown = true;
    }
    if shown {
        let _ = sink.write_all(b"\r\x1b[2K");
        let _ = sink.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink the test can read after the progress is done.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn a_run_shorter_than_the_delay_shows_nothing() {
        let sink = Captured::default();
        let mut progress = Progress::to(Box::new(sink.clone()), "lint", Duration::from_secs(5));
        progress.set("probing db.example.com:5432");
        progress.finish();
        assert_eq!(sink.text(), "");
    }

    #[test]
    fn a_long_run_shows_its_line_then_clears_it() {
        let sink = Captured::default();
        let progress = Progress::to(Box::new(sink.clone()), "lint", Duration::ZERO);
        progress.set("probing db.example.com:5432");
        std::thread::sleep(Duration::from_millis(600));
        progress.set("judged 3 of 4 inputs");
        std::thread::sleep(Duration::from_millis(600));
        drop(progress);
        let text = sink.text();
        assert!(
            text.contains("\r\x1b[2Kdeploycheck lint: probing db.example.com:5432 (0s)"),
            "{text:?}"
        );
        assert!(
            text.contains("\r\x1b[2Kdeploycheck lint: judged 3 of 4 inputs ("),
            "{text:?}"
        );
        assert!(text.ends_with("\r\x1b[2K"), "the line is cleared: {text:?}");
        assert!(!text.contains('\n'), "one line, rewritten: {text:?}");
    }

    #[test]
    fn nothing_is_drawn_before_there_is_something_to_say() {
        let sink = Captured::default();
        let progress = Progress::to(Box::new(sink.clone()), "lint", Duration::ZERO);
        std::thread::sleep(Duration::from_millis(500));
        drop(progress);
        assert_eq!(sink.text(), "");
    }

    #[test]
    fn reading_typed_input_stops_the_line() {
        let sink = Captured::default();
        let progress =
            Progress::to(Box::new(sink.clone()), "lint", Duration::ZERO).stopped_by_input(true);
        progress.set("finding the inputs");
        std::thread::sleep(Duration::from_millis(300));
        let mut typed: &[u8] = b"DEBUG=true\n";
        let mut text = String::new();
        progress
            .input(&mut typed)
            .read_to_string(&mut text)
            .expect("read");
        assert_eq!(text, "DEBUG=true\n");
        std::thread::sleep(Duration::from_millis(100));
        let drawn = sink.text();
        assert!(drawn.ends_with("\r\x1b[2K"), "cleared: {drawn:?}");
        // Nothing more is drawn while the person types.
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(sink.text(), drawn);
        drop(progress);
        assert_eq!(sink.text(), drawn);
    }

    #[test]
    fn reading_piped_input_keeps_the_line() {
        let sink = Captured::default();
        let progress = Progress::to(Box::new(sink.clone()), "lint", Duration::ZERO);
        progress.set("judging");
        let mut piped: &[u8] = b"{}";
        std::io::copy(&mut progress.input(&mut piped), &mut std::io::sink()).expect("read");
        std::thread::sleep(Duration::from_millis(500));
        assert!(sink.text().contains("deploycheck lint: judging"));
    }

    #[test]
    fn hidden_progress_takes_messages_and_draws_nothing() {
        let mut progress = Progress::hidden();
        progress.set("anything");
        progress.finish();
        assert!(progress.shown.is_none());
    }
}
