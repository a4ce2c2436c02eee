//! One module per command: `lint` (and `probe`), `verify`, `show`, `diff`, `schema`, and the
//! documentation commands (`rules`, `explain`, `completions`, `man`).

pub mod diff;
pub mod docs;
pub mod lint;
pub mod schema;
pub mod show;
pub mod verify;
