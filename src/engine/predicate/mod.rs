//! Value predicates: does one effective value hold? One module per family: [`scalar`]
//! (equality, lists of values, pydantic booleans and integers, patterns), [`url`], [`json_list`]
//! and [`secret`] strength. Each returns the `Problem`s it found; the engine turns them into
//! findings.

pub mod json_list;
pub mod scalar;
pub mod secret;
pub mod url;

use super::Assignment;
use crate::rules::ValueCheck;
use crate::source::Span;

/// A problem one check found, before it becomes a [`Finding`].
pub(crate) struct Problem {
    pub detail: String,
    /// A narrower place than the value as a whole (a query parameter, a list element).
    pub span: Option<Span>,
    pub suggestion: Option<String>,
}

impl Problem {
    pub fn new(detail: impl Into<String>) -> Self {
        Problem {
            detail: detail.into(),
            span: None,
            suggestion: None,
        }
    }
}

/// The value a check judges, and where it came from.
pub(crate) struct Judged<'a> {
    /// The name shown in messages: as written in the input, else as declared.
    pub name: String,
    pub value: &'a str,
    pub assignment: Option<Assignment<'a>>,
    /// The value as messages may show it: the mask for a secret, else the secrets it embeds
    /// (URL passwords, interpolated secrets) masked.
    pub shown: String,
    /// Is the key secret? Then no part of the value may reach a message either (a list
    /// element, a parsed number, a rewritten URL).
    pub secret: bool,
    /// The bytes of the value that `${NAME}` copied a secret into: no piece shows them.
    pub secret_ranges: &'a [std::ops::Range<usize>],
    /// The variable as declared, if it is.
    pub variable: Option<&'a crate::rules::Variable>,
    /// What the project says about itself (production value, drivers).
    pub app: &'a crate::rules::AppFacts,
}

impl Judged<'_> {
    /// A piece of the value (a list element, a host, a number) as messages may show it.
    pub fn shown_piece(&self, piece: &str) -> String {
        crate::secret::shown_piece(self.value, piece, self.secret, self.secret_ranges)
    }
}

/// Run a value predicate.
pub(crate) fn judge(check: &ValueCheck, judged: &Judged) -> Vec<Problem> {
    match check {
        ValueCheck::Equals {
            value,
            case_sensitive,
        } => scalar::judge_equals(value, *case_sensitive, judged),
        ValueCheck::OneOf {
            values,
            case_sensitive,
        } => scalar::judge_one_of(values, *case_sensitive, judged),
        ValueCheck::NoneOf {
            values,
            case_sensitive,
        } => scalar::judge_none_of(values, *case_sensitive, judged),
        ValueCheck::Bool { is } => scalar::judge_bool(*is, judged),
        ValueCheck::Int { min, max } => scalar::judge_int(*min, *max, judged),
        ValueCheck::Matches(pattern) => scalar::judge_matches(pattern, true, judged),
        ValueCheck::NotMatches(pattern) => scalar::judge_matches(pattern, false, judged),
        ValueCheck::Url(check) => url::judge_url(check, judged),
        ValueCheck::JsonList {
            element,
            split_invalid,
        } => json_list::judge_list(element.as_ref(), *split_invalid, judged),
        ValueCheck::Secret(check) => secret::judge_secret(check, judged),
        ValueCheck::ProductionValue => scalar::judge_production(judged),
        ValueCheck::Host(check) => url::judge_host(check, judged),
    }
}
