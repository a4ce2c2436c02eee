//! One module per command: `lint` (and `probe`), `verify`, `show`, `diff`, `schema`, `init`,
//! and the documentation commands (`rules`, `explain`, `completions`, `man`).

pub mod diff;
pub mod docs;
pub mod init;
pub mod lint;
pub mod schema;
pub mod show;
pub mod verify;
