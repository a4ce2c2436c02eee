//! Secrets are never printed: which keys are secret, where URL passwords sit, and the
//! [`Redactor`] that masks them in the source text before any rendering.
//!
//! Masking happens in the source text only: each secret byte becomes `*`, so spans stay valid,
//! and reporters render [`SourceFile::redacted`]. The tool's own messages and help texts are
//! never searched and rewritten: a message that shows a value builds it masked, per key
//! ([`shown`]). Searching messages for secret strings corrupted them (with
//! `SECRET_KEY=secret`, the help read ``import ****s``) and missed the values the search did
//! not know.

use std::cell::OnceCell;
use std::collections::BTreeSet;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::source::{Parsed, SourceFile};

/// What a masked value is shown as in messages.
pub const MASK: &str = "****";

/// A value (or a piece of one) as output may show it: the mask for a secret, URL passwords
/// masked otherwise. The one rule every message, `show` and `diff` apply.
pub fn shown(value: &str, secret: bool) -> String {
    if secret {
        MASK.to_owned()
    } else {
        mask_url_passwords(value)
    }
}

/// A word that makes a key secret, and how a segment of the key (the upper-cased key split on
/// `_` and other punctuation) must contain it. Whole segments, not substrings: `COMPASS_URL`
/// and `PASSAGE_COUNT` hold `PASS` but are not secrets, while `DB_PASS` and `PASS` are.
enum Word {
    /// The segment is the word: short words that are also pieces of ordinary words.
    Is(&'static str),
    /// The segment is the word, its plural, or ends with it (words glued together without `_`,
    /// as in `DBPASSWORD`, `ACCESSTOKEN` or a camel-case `apiKey` upper-cased).
    Ends(&'static str),
    /// The segment starts with the word (`SECRETS`, `SECRETKEY`, `CREDENTIALS`).
    Starts(&'static str),
}

/// The name forms real projects give their secrets, each here for the keys it catches.
const SECRET_WORDS: &[Word] = &[
    // `DB_PASS`, `SMTP_PASS`, `PASS`: the short form docker images and mail settings use.
    Word::Is("PASS"),
    // `POSTGRES_PWD`, `REDIS_PWD` (alone, `PWD` is the shell's working directory: see
    // `is_secret_name`).
    Word::Is("PWD"),
    // `MYSQL_PASSWD`, the Unix spelling.
    Word::Ends("PASSWD"),
    // `DB_PASSWORD`, `DBPASSWORD`, `SMTP_PASSWORDS`.
    Word::Ends("PASSWORD"),
    // `GPG_PASSPHRASE`, `SSH_KEY_PASSPHRASE`.
    Word::Ends("PASSPHRASE"),
    // `GITHUB_TOKEN`, `ACCESSTOKEN`, `SLACK_TOKENS` (not `TOKENIZER_MODEL`).
    Word::Ends("TOKEN"),
    // `*_SECRET*`: `CLIENT_SECRET`, `SECRET_KEY`, `APP_SECRETS`, `JWT_SECRETKEY`.
    Word::Starts("SECRET"),
    Word::Ends("SECRET"),
    // `GOOGLE_CREDENTIALS`, `AWS_CREDENTIAL_FILE`: service-account JSON, key pairs.
    Word::Starts("CREDENTIAL"),
    // `SENTRY_DSN`, `DATABASE_DSN`: a DSN carries a key or a password in its userinfo.
    Word::Is("DSN"),
    // `FREDAPIKEY`, `apiKey`, `PRIVATEKEY`: `*_API_KEY` and `*_PRIVATE_KEY` glued together.
    Word::Ends("APIKEY"),
    Word::Ends("PRIVATEKEY"),
];

/// Does the key's name say it holds a secret (the built-in forms only; see [`SecretNames`] for
/// the configuration's own)?
pub fn is_secret_name(key: &str) -> bool {
    // camelCase keys (`smtpPass`, `stripeKey`) split where a lower-case letter or digit meets
    // an upper-case one, as `_` splits the others.
    let mut upper = String::with_capacity(key.len() + 4);
    let mut previous_lower = false;
    for c in key.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            upper.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        upper.push(c.to_ascii_uppercase());
    }
    let segments: Vec<&str> = upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|segment| !segment.is_empty())
        .collect();
    // `PWD` alone is the shell's working directory, exported into every environment.
    if segments == ["PWD"] {
        return false;
    }
    let word_fits = |segment: &str| {
        SECRET_WORDS.iter().any(|word| match word {
            Word::Is(word) => segment == *word,
            Word::Ends(word) => segment.ends_with(word) || segment.strip_suffix('S') == Some(*word),
            Word::Starts(word) => segment.starts_with(word),
        })
    };
    // `*_KEY` after another segment: `SECRET_KEY`, `AWS_ACCESS_KEY`, `FRED_API_KEY`,
    // `JWT_PRIVATE_KEY`, `STRIPE_KEYS`; and `KEY` alone. Not a leading `KEY_` (`KEY_PREFIX`,
    // `KEYBOARD_LAYOUT`), which names what the value is the key *of*.
    let key_segment = segments.iter().enumerate().any(|(index, segment)| {
        matches!(*segment, "KEY" | "KEYS") && (index > 0 || segments.len() == 1)
    });
    key_segment || segments.iter().any(|segment| word_fits(segment))
}

/// Which keys are secret by name: the built-in forms ([`is_secret_name`]) and the
/// configuration's `secret-names` globs (`*_CERT`, matched case-insensitively on the whole key).
#[derive(Debug, Clone, Default)]
pub struct SecretNames {
    patterns: Vec<globset::GlobMatcher>,
}

impl SecretNames {
    /// Add one of the configuration's patterns; the error says why it is not a glob.
    pub fn add(&mut self, pattern: &str) -> Result<(), String> {
        let glob = globset::GlobBuilder::new(pattern)
            .case_insensitive(true)
            .build()
            .map_err(|error| format!("invalid glob `{pattern}` in secret-names: {error}"))?;
        self.patterns.push(glob.compile_matcher());
        Ok(())
    }

    pub fn is_secret(&self, key: &str) -> bool {
        is_secret_name(key) || self.patterns.iter().any(|pattern| pattern.is_match(key))
    }
}

/// The byte ranges of URL passwords (`scheme://user:PASSWORD@host`) in `text`, wherever they
/// appear (a value may hold several URLs, e.g. a JSON list).
///
/// Linear in `text`: every delimiter is looked up among its positions, found once, instead of by
/// scanning the text after each `://` (a value of `a://` repeated then took quadratic time: each
/// scan ran to the end of the text).
pub fn url_password_ranges(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let positions = |accept: fn(u8) -> bool| -> Positions {
        Positions((0..bytes.len()).filter(|&at| accept(bytes[at])).collect())
    };
    // The authority ends at the first character that cannot be in it unescaped; the userinfo
    // ends at the last `@` before that (urllib's reading, which redis-py uses). A password with
    // an unescaped `/`, as base64 ones have, ends the authority early, yet SQLAlchemy reads
    // `user:PASSWORD@` up to the first `@`: when the authority has no `@`, the userinfo runs to
    // the first `@` before the query, and its user part is before the first `/`.
    let url_ends = positions(|byte| {
        matches!(
            byte,
            b'?' | b'#' | b'"' | b'\'' | b',' | b' ' | b'\n' | b']'
        )
    });
    let slashes = positions(|byte| byte == b'/');
    let ats = positions(|byte| byte == b'@');
    let colons = positions(|byte| byte == b':');
    let mut ranges = Vec::new();
    let mut search_from = 0;
    while let Some(found) = text[search_from..].find("://") {
        let authority_start = search_from + found + 3;
        let url_end = url_ends
            .first_in(authority_start..text.len())
            .unwrap_or(text.len());
        let authority_end = slashes
            .first_in(authority_start..url_end)
            .unwrap_or(url_end);
        let userinfo_end = ats
            .last_in(authority_start..authority_end)
            .or_else(|| ats.first_in(authority_start..url_end));
        if let Some(at) = userinfo_end {
            if let Some(colon) = colons.first_in(authority_start..authority_end.min(at)) {
                if at > colon + 1 {
                    ranges.push(colon + 1..at);
                }
            }
        }
        search_from = authority_start;
    }
    ranges
}

/// The sorted offsets of one kind of delimiter in a text.
struct Positions(Vec<usize>);

impl Positions {
    /// The first offset in `range`.
    fn first_in(&self, range: Range<usize>) -> Option<usize> {
        let index = self.0.partition_point(|&at| at < range.start);
        self.0.get(index).copied().filter(|&at| at < range.end)
    }

    /// The last offset in `range`.
    fn last_in(&self, range: Range<usize>) -> Option<usize> {
        let index = self.0.partition_point(|&at| at < range.end);
        index
            .checked_sub(1)
            .map(|index| self.0[index])
            .filter(|&at| at >= range.start)
    }
}

/// `text` with every URL password replaced by [`MASK`].
pub fn mask_url_passwords(text: &str) -> String {
    replace_with_mask(text, url_password_ranges(text))
}

/// `text` with each (sorted, disjoint) range replaced by [`MASK`].
fn replace_with_mask(text: &str, ranges: Vec<Range<usize>>) -> String {
    if ranges.is_empty() {
        return text.to_owned();
    }
    let mut masked = String::with_capacity(text.len());
    let mut last = 0;
    for range in ranges {
        masked.push_str(&text[last..range.start]);
        masked.push_str(MASK);
        last = range.end;
    }
    masked.push_str(&text[last..]);
    masked
}

/// Knows every secret string of a run, to mask copies of it in the source text that no span
/// names (a comment quoting an old key, the same value under an innocent name).
///
/// All secrets are searched for at once (Aho-Corasick, leftmost-longest), so masking a text
/// costs its length, however many secrets a large input holds. It searches inputs only, never
/// the tool's messages.
///
/// The automaton is an NFA, never the crate's DFA: the DFA fills every state's transitions by
/// walking its failure chain, which for a periodic secret (1 MiB of `a`) is as long as the
/// state is deep, so building it took time quadratic in the secret's length (over 8 minutes).
/// The NFA's construction and search are linear.
#[derive(Debug, Default, Clone)]
pub struct Redactor {
    secrets: BTreeSet<String>,
    matcher: OnceCell<Option<AhoCorasick>>,
}

impl Redactor {
    /// Strings shorter than this are not searched for: masking every `a` would garble the text.
    const MIN_LEN: usize = 4;

    pub fn add(&mut self, secret: &str) {
        if secret.chars().count() >= Self::MIN_LEN && self.secrets.insert(secret.to_owned()) {
            self.matcher = OnceCell::new();
        }
    }

    /// Register a value: the whole of it when it is secret, else its URL passwords.
    pub fn add_value(&mut self, value: &str, secret: bool) {
        if secret {
            self.add(value);
            for line in value.lines() {
                self.add(line.trim());
            }
        }
        for range in url_password_ranges(value) {
            let password = &value[range];
            self.add(password);
            if let Ok(decoded) = percent_encoding::percent_decode_str(password).decode_utf8() {
                self.add(&decoded);
            }
        }
    }

    fn matcher(&self) -> Option<&AhoCorasick> {
        self.matcher
            .get_or_init(|| {
                if self.secrets.is_empty() {
                    return None;
                }
                // The contiguous NFA is the smaller and faster one; it holds fewer states than
                // the noncontiguous one, which takes over past its limit.
                [
                    AhoCorasickKind::ContiguousNFA,
                    AhoCorasickKind::NoncontiguousNFA,
                ]
                .into_iter()
                .find_map(|kind| {
                    AhoCorasick::builder()
                        .match_kind(MatchKind::LeftmostLongest)
                        .kind(Some(kind))
                        .build(&self.secrets)
                        .ok()
                })
            })
            .as_ref()
    }

    /// The byte ranges of every known secret in `text` (longest match first, no overlaps).
    pub fn find(&self, text: &str) -> Vec<Range<usize>> {
        match self.matcher() {
            Some(matcher) => matcher.find_iter(text).map(|found| found.range()).collect(),
            None => Vec::new(),
        }
    }

    /// A value as `show` and `diff` may print it: [`shown`], and any known secret copied into
    /// it (`BACKUP=<the SECRET_KEY>`) masked as well.
    pub fn shown(&self, value: &str, secret: bool) -> String {
        let shown = shown(value, secret);
        let copies = self.find(&shown);
        replace_with_mask(&shown, copies)
    }
}

/// Mask every secret in a source's text ([`SourceFile::redacted`]) and teach the redactor the
/// secret strings, so that later sources are masked for them too.
///
/// Three nets, from precise to blunt: the value span of every entry whose key is secret (the
/// quotes stay visible) and every URL password; any statement python-dotenv skipped that looks
/// like `SECRET_KEY=...`; and finally every occurrence of a known secret anywhere in the text.
pub fn redact_source(
    file: &mut SourceFile,
    parsed: &Parsed,
    is_secret: &dyn Fn(&str) -> bool,
    redactor: &mut Redactor,
) {
    let mut spans: Vec<Range<usize>> = Vec::new();
    for entry in &parsed.entries {
        let secret = is_secret(&entry.key);
        for value in [&entry.value, &entry.raw_value].into_iter().flatten() {
            redactor.add_value(value, secret);
        }
        let Some(span) = entry.value_span.clone() else {
            continue;
        };
        let Some(written) = file.text.get(span.clone()) else {
            continue;
        };
        if secret {
            spans.push(inside_quotes(written, span.clone()));
            continue;
        }
        // Mask each URL password where it is written: by its place in the URL when the value is
        // written verbatim, else by searching for it (long enough to be unambiguous). One found
        // neither way (wrapped over table rows, escaped in JSON) takes the whole value with it.
        let positional = url_password_ranges(written);
        let value = entry.value.as_deref().unwrap_or("");
        for range in url_password_ranges(value) {
            let password = &value[range];
            let placed = positional.iter().any(|r| &written[r.clone()] == password);
            let searched: Vec<usize> = if placed || password.chars().count() < Redactor::MIN_LEN {
                Vec::new()
            } else {
                written
                    .match_indices(password)
                    .map(|(start, _)| start)
                    .collect()
            };
            for start in &searched {
                spans.push(span.start + start..span.start + start + password.len());
            }
            if !placed && searched.is_empty() {
                spans.push(inside_quotes(written, span.clone()));
            }
        }
        spans.extend(
            positional
                .into_iter()
                .map(|r| span.start + r.start..span.start + r.end),
        );
    }
    // Statements python-dotenv skipped, and lines an unclosed quote swallowed, still show in
    // snippets: mask anything there that looks like a secret assignment.
    let mut offset = 0;
    for line in file.text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let statement = content.trim_start();
        let statement = statement.strip_prefix("export ").unwrap_or(statement);
        if let Some(equals) = statement.find('=') {
            let key = statement[..equals]
                .trim()
                .trim_matches(|c| c == '\'' || c == '"');
            if !key.is_empty() && is_secret(key) {
                let value_start = offset + (content.len() - statement.len()) + equals + 1;
                let value_end = offset + content.len();
                if value_end > value_start {
                    redactor.add(content[value_start - offset..].trim());
                    spans.push(value_start..value_end);
                }
            }
        }
        spans.extend(
            url_password_ranges(content)
                .into_iter()
                .map(|r| offset + r.start..offset + r.end),
        );
        offset += line.len();
    }
    file.redact_all(spans);
    let elsewhere = redactor.find(&file.redacted);
    file.redact_all(elsewhere);
}

/// The span without the quotes around it, if it is quoted.
fn inside_quotes(written: &str, span: Range<usize>) -> Range<usize> {
    let bytes = written.as_bytes();
    if bytes.len() >= 2 && matches!(bytes[0], b'"' | b'\'') && bytes[bytes.len() - 1] == bytes[0] {
        span.start + 1..span.end - 1
    } else {
        span
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for key in [
            "SECRET_KEY",
            "DB_PASSWORD",
            "github_token",
            "FRED_API_KEY",
            "SENTRY_DSN",
            "JWT_PRIVATE_KEY",
            "AWS_ACCESS_KEY",
            "DB_PASS",
            "PASS",
            "smtp_pass",
            "POSTGRES_PWD",
            "REDIS_PWD",
            "MYSQL_PASSWD",
            "GPG_PASSPHRASE",
            "SLACK_BOT_TOKEN",
            "ACCESSTOKEN",
            "CLIENT_SECRET",
            "APP_SECRETS",
            "SECRET",
            "JWT_SECRETKEY",
            "STRIPE_API_KEY",
            "apiKey",
            "SSH_PRIVATE_KEY",
            "GOOGLE_CREDENTIALS",
            "DATABASE_DSN",
            "DBPASSWORD",
            "KEY",
            "db.password",
        ] {
            assert!(is_secret_name(key), "{key}");
        }
        for key in [
            "DEBUG",
            "DATABASE_URL",
            "KEYBOARD_LAYOUT",
            "LOG_LEVEL",
            "PASSAGE_COUNT",
            "COMPASS_URL",
            "BYPASS_CACHE",
            "PWD",
            "OLDPWD",
            "TOKENIZER_MODEL",
            "KEY_PREFIX",
            "MONKEY_PATCH",
        ] {
            assert!(!is_secret_name(key), "{key}");
        }
    }

    #[test]
    fn configured_secret_names_add_globs_case_insensitively() {
        let mut names = SecretNames::default();
        for pattern in ["*_CERT", "stripe_*"] {
            names.add(pattern).expect("a valid glob");
        }
        for key in ["TLS_CERT", "tls_cert", "STRIPE_ACCOUNT", "DB_PASS"] {
            assert!(names.is_secret(key), "{key}");
        }
        for key in ["CERT_PATH", "DEBUG"] {
            assert!(!names.is_secret(key), "{key}");
        }
        assert!(names.add("[unclosed").is_err());
    }

    #[test]
    fn url_passwords_are_found_and_masked() {
        let url = "postgresql+asyncpg://app:s3cr%40t@db.example.com:5432/app?ssl=require";
        assert_eq!(
            mask_url_passwords(url),
            "postgresql+asyncpg://app:****@db.example.com:5432/app?ssl=require"
        );
        assert_eq!(
            mask_url_passwords("redis://:hunter22@redis:6379/0"),
            "redis://:****@redis:6379/0"
        );
        assert_eq!(
            mask_url_passwords("redis://user@redis:6379"),
            "redis://user@redis:6379"
        );
        assert_eq!(
            mask_url_passwords("postgresql://app:Ub9+Base64/Url=@db:5432/app?ssl=require"),
            "postgresql://app:****@db:5432/app?ssl=require"
        );
        assert_eq!(
            mask_url_passwords("https://cdn.example.com/users/@me?x=1"),
            "https://cdn.example.com/users/@me?x=1"
        );
        assert_eq!(
            mask_url_passwords("https://u:pw12@host/@me"),
            "https://u:****@host/@me"
        );
        let list = r#"["https://a:one1@x.com","https://b:two2@y.com"]"#;
        assert_eq!(
            mask_url_passwords(list),
            r#"["https://a:****@x.com","https://b:****@y.com"]"#
        );
    }

    #[test]
    fn redactor_finds_decoded_passwords_too() {
        let mut redactor = Redactor::default();
        redactor.add_value("postgresql://app:s3cr%40t@db/app", false);
        let text = "login s3cr@t failed; s3cr%40t";
        let found: Vec<&str> = redactor
            .find(text)
            .into_iter()
            .map(|range| &text[range])
            .collect();
        assert_eq!(found, ["s3cr@t", "s3cr%40t"]);
    }
}
