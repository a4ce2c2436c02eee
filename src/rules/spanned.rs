//! A value and the byte range of the rule file it was written at, read from TOML as `toml`
//! reads `Spanned`, and from the compact form the build script embeds for the built-in rules.
//!
//! The built-in rule files are parsed once, at build time (`build.rs`), into the same
//! [`super::schema`] types, and embedded as postcard bytes: reading them at run time costs no
//! TOML lexing. postcard is not a self-describing format, so a span travels as the tuple
//! `(start, end, value)`; a self-describing format that is human-readable (TOML) gives it the
//! way `toml::Spanned` asks for it.

use std::ops::Range;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Compared, ordered and hashed by its value alone, as `toml::Spanned` is.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    value: T,
    start: usize,
    end: usize,
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Spanned<T> {}

impl<T: PartialOrd> PartialOrd for Spanned<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.value.partial_cmp(&other.value)
    }
}

impl<T: Ord> Ord for Spanned<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.value.cmp(&other.value)
    }
}

impl<T> Spanned<T> {
    pub fn new(span: Range<usize>, value: T) -> Self {
        Spanned {
            value,
            start: span.start,
            end: span.end,
        }
    }

    pub fn span(&self) -> Range<usize> {
        self.start..self.end
    }

    pub fn get_ref(&self) -> &T {
        &self.value
    }

    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let spanned = toml::Spanned::<T>::deserialize(deserializer)?;
            let span = spanned.span();
            Ok(Spanned::new(span, spanned.into_inner()))
        } else {
            let (start, end, value) = <(usize, usize, T)>::deserialize(deserializer)?;
            Ok(Spanned { value, start, end })
        }
    }
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (self.start, self.end, &self.value).serialize(serializer)
    }
}
