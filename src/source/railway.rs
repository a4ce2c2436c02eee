//! Readers for `railway variables` output: `--json`, `--kv` and the default table.
//!
//! (to be written)
