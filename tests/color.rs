//! `--color auto` on a terminal: `NO_COLOR` and `TERM=dumb` both turn colour off. The
//! environment is the process's, so this file holds one test and nothing else runs beside it.

use deploycheck::app::use_color;
use deploycheck::cli::ColorChoice;

/// Set (or remove) the variables for the rest of the test.
fn environment(no_color: Option<&str>, term: Option<&str>) {
    for (name, value) in [("NO_COLOR", no_color), ("TERM", term)] {
        // SAFETY: the only test in this binary, so no other thread reads the environment.
        unsafe {
            match value {
                Some(value) => std::env::set_var(name, value),
                None => std::env::remove_var(name),
            }
        }
    }
}

#[test]
fn auto_colour_needs_a_terminal_without_no_color_or_term_dumb() {
    environment(None, Some("xterm-256color"));
    assert!(use_color(ColorChoice::Auto, true));
    assert!(!use_color(ColorChoice::Auto, false));
    environment(None, None);
    assert!(use_color(ColorChoice::Auto, true), "no TERM at all");
    environment(None, Some("dumb"));
    assert!(!use_color(ColorChoice::Auto, true), "TERM=dumb");
    assert!(use_color(ColorChoice::Always, true), "--color always wins");
    environment(Some("1"), Some("xterm"));
    assert!(!use_color(ColorChoice::Auto, true), "NO_COLOR");
    environment(Some(""), Some("xterm"));
    assert!(
        use_color(ColorChoice::Auto, true),
        "an empty NO_COLOR is unset"
    );
}
