//! The Settings-class reader (`appsettings`): the input as a project's `config.py`, searched
//! for `BaseSettings` subclasses ([`find_settings_classes`]) and each one read
//! ([`read_settings`]), as `lint` does with a project's settings module. A class named
//! `Settings` is read whether found or not, so a class the search misses is read too.
//!
//! Properties: reading ends (no panic, no hang, whatever the syntax), in a model or in a
//! [`ReadError`](deploycheck::appsettings::ReadError) that renders; every line the model
//! points at (the class, its fields, the configuration's settings, nested models and their
//! fields) is a line of the file; a field read from the environment has a name.

#![no_main]

use std::path::{Path, PathBuf};

use deploycheck::appsettings::{
    AppSettings, ConfigState, Field, FieldType, find_settings_classes, read_settings,
};
use deploycheck::source::read::Reader;
use deploycheck_fuzz::text;
use libfuzzer_sys::fuzz_target;

/// The project directory this thread writes its `config.py` into, made once.
fn project() -> PathBuf {
    thread_local! {
        static ROOT: PathBuf = {
            let root = std::env::temp_dir().join(format!(
                "deploycheck-fuzz-settings-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::create_dir_all(&root).expect("a scratch project directory");
            root
        };
    }
    ROOT.with(Clone::clone)
}

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let root = project();
    let file = root.join("config.py");
    std::fs::write(&file, &text).expect("the scratch config.py is written");
    // Python counts a final line without a line break as a line; one past it is where a
    // construct at the very end starts.
    let lines = text.lines().count() + 1;
    let reader = Reader::default();
    let mut classes = find_settings_classes(&root, &reader);
    classes.push((file.clone(), "Settings".to_owned()));
    for (path, class) in classes {
        match read_settings(&root, &path, &class, &reader) {
            Ok(settings) => check_settings(&settings, &file, lines),
            Err(error) => {
                let _ = error.to_string();
            }
        }
    }
});

fn check_line(what: &str, file: &Path, at_file: &Path, line: usize, lines: usize) {
    if at_file == file {
        assert!(
            (1..=lines).contains(&line),
            "{what} is at line {line}; the file has {lines}"
        );
    }
}

fn check_settings(settings: &AppSettings, file: &Path, lines: usize) {
    check_line(
        &format!("class `{}`", settings.class_name),
        file,
        &settings.file,
        settings.line,
        lines,
    );
    let config = &settings.config;
    for (what, state) in [
        ("env_prefix", &config.env_prefix.state),
        ("case_sensitive", &config.case_sensitive.state),
        ("extra", &config.extra.state),
    ] {
        if let ConfigState::Set(at) | ConfigState::Unknown { at, .. } = state {
            check_line(what, file, &at.file, at.line, lines);
        }
    }
    check_fields(&settings.fields, file, lines, 0);
}

fn check_fields(fields: &[Field], file: &Path, lines: usize, depth: usize) {
    assert!(depth < 64, "nested models 64 deep");
    for field in fields {
        assert!(!field.name.is_empty(), "a field without a name");
        let at = &field.declared_at;
        check_line(
            &format!("field `{}`", field.name),
            file,
            &at.file,
            at.line,
            lines,
        );
        if let FieldType::Nested(model) = &field.ty {
            let at = &model.declared_at;
            check_line(
                &format!("model `{}`", model.class_name),
                file,
                &at.file,
                at.line,
                lines,
            );
            check_fields(&model.fields, file, lines, depth + 1);
        }
    }
}
