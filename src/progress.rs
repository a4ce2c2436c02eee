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

use std::io::{IsTerminal, Write};
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
        Progress { shown: None }
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
        let Some(shown) = &mut self.shown else {
            return;
        };
        lock(&shown.shared.state).done = true;
        shown.shared.wake.notify_all();
        if let Some(ticker) = shown.ticker.take() {
            let _ = ticker.join();
        }
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
    fn hidden_progress_takes_messages_and_draws_nothing() {
        let mut progress = Progress::hidden();
        progress.set("anything");
        progress.finish();
        assert!(progress.shown.is_none());
    }
}
