//! The .env reader: python-dotenv 1.2.4's grammar, with byte spans.
//!
//! (to be written: see `parse`)

use super::Parsed;

/// Options for [`parse`].
#[derive(Debug, Clone, Default)]
pub struct DotenvOptions {
    /// Expand `${VAR}` and `${VAR:-default}` as python-dotenv's `interpolate=True` does.
    pub interpolate: bool,
    /// Names visible to interpolation after the file's own earlier keys (the process
    /// environment, when the user asks for it). Empty by default.
    pub environment: std::collections::BTreeMap<String, String>,
}

/// Parse a .env text exactly as python-dotenv 1.2.4's `dotenv_values` does.
pub fn parse(text: &str, options: &DotenvOptions) -> Parsed {
    let _ = (text, options);
    Parsed::default()
}
