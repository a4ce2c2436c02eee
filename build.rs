//! Reads the built-in rule files (`rules/*.toml`) at build time, into the same schema types a
//! user's rule file is read into (`src/rules/schema.rs`), and embeds them serialized with
//! postcard in `OUT_DIR/rules/NAME.postcard`: a run reads the built-in rules without lexing
//! TOML (`src/rules/builtin.rs`). A file that is not valid TOML of the rule-file schema fails
//! the build, with TOML's error (line, column and the line itself). What the schema cannot say
//! (an unknown check kind, a bad pattern) is validated when the rules load, and a test loads
//! them all and compiles every pattern.

use std::io::Write;
use std::path::{Path, PathBuf};

#[path = "src/rules/spanned.rs"]
#[allow(dead_code)]
mod spanned;

#[path = "src/rules/schema.rs"]
#[allow(dead_code)]
mod schema;

fn main() {
    // Cargo reads its instructions from the build script's standard output.
    let mut cargo = std::io::stdout().lock();
    for watched in ["rules", "src/rules/schema.rs", "src/rules/spanned.rs"] {
        writeln!(cargo, "cargo::rerun-if-changed={watched}").expect("stdout is writable");
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let out_dir = out_dir.join("rules");
    std::fs::create_dir_all(&out_dir).expect("OUT_DIR/rules is created");
    let mut files: Vec<PathBuf> = std::fs::read_dir("rules")
        .expect("rules/ is read")
        .map(|entry| entry.expect("rules/ lists").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "toml")
        })
        .collect();
    files.sort();
    for path in files {
        embed(&path, &out_dir);
    }
}

fn embed(path: &Path, out_dir: &Path) {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("{}: cannot read: {error}", path.display()));
    let file: schema::RuleFile = toml::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not a valid rule file: {error}", path.display()));
    let bytes = postcard::to_allocvec(&file).expect("a rule file serializes");
    let name = path.file_name().expect("a file name").to_string_lossy();
    std::fs::write(out_dir.join(format!("{name}.postcard")), bytes)
        .expect("the embedded rule file is written");
}
