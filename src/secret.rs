//! Secrets are never printed: which keys are secret, where URLs carry secrets, and the
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

use crate::source::{Entry, Parsed, SourceFile};

/// What a masked value is shown as in messages.
pub const MASK: &str = "****";

/// A value (or a piece of one) as output may show it: the mask for a secret, the secrets it
/// embeds ([`embedded_secret_ranges`]) masked otherwise. The one rule every message, `show`
/// and `diff` apply; [`shown_value`] for a value that may hold interpolated secrets.
pub fn shown(value: &str, secret: bool) -> String {
    shown_value(value, secret, &[])
}

/// [`shown`], with `secret_ranges` of the value masked too: the bytes `${NAME}` copied a
/// secret into ([`crate::source::Entry::secret_ranges`]).
pub fn shown_value(value: &str, secret: bool, secret_ranges: &[Range<usize>]) -> String {
    if secret {
        return MASK.to_owned();
    }
    let mut ranges = embedded_secret_ranges(value);
    ranges.extend(
        secret_ranges
            .iter()
            .filter(|range| value.get((*range).clone()).is_some())
            .cloned(),
    );
    replace_with_mask(value, disjoint(ranges))
}

/// A piece of a value (a list element, a host, a number) as messages may show it. In a value
/// holding interpolated secrets (`secret_ranges`), the piece is placed by its text: the bytes
/// that overlap a secret at any place it occurs are masked; a piece that occurs nowhere (one the
/// check derived, such as a parsed number) is masked whole.
pub fn shown_piece(
    value: &str,
    piece: &str,
    secret: bool,
    secret_ranges: &[Range<usize>],
) -> String {
    if secret || secret_ranges.is_empty() {
        return shown(piece, secret);
    }
    let mut placed = false;
    let mut within = Vec::new();
    for (start, _) in value.match_indices(piece) {
        placed = true;
        let end = start + piece.len();
        within.extend(
            secret_ranges
                .iter()
                .filter(|range| range.start < end && start < range.end)
                .map(|range| range.start.max(start) - start..range.end.min(end) - start),
        );
    }
    if !placed {
        return MASK.to_owned();
    }
    shown_value(piece, false, &disjoint(within))
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

/// Last segments of a name that hold something *about* a secret, not the secret: its
/// address, its file, its lifetime, its size or its kind ([`is_secret_name`]).
const ABOUT_A_SECRET: &[&str] = &[
    "URL",
    "URI",
    "ENDPOINT",
    "HOST",
    "PORT",
    "PATH",
    "FILE",
    "DIR",
    "EXPIRE",
    "EXPIRES",
    "EXPIRY",
    "EXPIRATION",
    "TTL",
    "LIFETIME",
    "TIMEOUT",
    "SECONDS",
    "MINUTES",
    "HOURS",
    "DAYS",
    "LENGTH",
    "ALGORITHM",
    "TYPE",
    "HEADER",
    "NAME",
    "PREFIX",
];

/// Does the key's name say it holds a secret (the built-in forms only; see [`SecretNames`] for
/// the configuration's own)?
pub fn is_secret_name(key: &str) -> bool {
    let word_fits = |segment: &str| {
        SECRET_WORDS.iter().any(|word| match word {
            Word::Is(word) => segment.eq_ignore_ascii_case(word),
            Word::Ends(word) => {
                ends_with_ignore_case(segment, word)
                    || segment
                        .strip_suffix(['S', 's'])
                        .is_some_and(|stem| stem.eq_ignore_ascii_case(word))
            }
            Word::Starts(word) => segment
                .get(..word.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(word)),
        })
    };
    let is_key =
        |segment: &str| segment.eq_ignore_ascii_case("KEY") || segment.eq_ignore_ascii_case("KEYS");
    // One pass over the segments: whether one says "secret", the first, the last, how many.
    let (mut count, mut first, mut last, mut said) = (0, "", "", false);
    for segment in name_segments(key) {
        if count == 0 {
            first = segment;
        }
        // `*_KEY` after another segment: `SECRET_KEY`, `AWS_ACCESS_KEY`, `FRED_API_KEY`,
        // `JWT_PRIVATE_KEY`, `STRIPE_KEYS`. Not a leading `KEY_` (`KEY_PREFIX`,
        // `KEYBOARD_LAYOUT`), which names what the value is the key *of*.
        said |= (count > 0 && is_key(segment)) || word_fits(segment);
        last = segment;
        count += 1;
    }
    // A name that ends by saying what about the secret it holds (where it is, when it
    // expires, how long it is) holds that, not the secret: `TOKEN_URL`,
    // `ACCESS_TOKEN_EXPIRE_MINUTES`, `DB_PASSWORD_FILE`, `PASSWORD_MIN_LENGTH`.
    if ABOUT_A_SECRET
        .iter()
        .any(|word| last.eq_ignore_ascii_case(word))
    {
        return false;
    }
    match count {
        0 => false,
        // `PWD` alone is the shell's working directory, exported into every environment; `KEY`
        // alone is a key.
        1 => !first.eq_ignore_ascii_case("PWD") && (is_key(first) || said),
        _ => said,
    }
}

/// The segments of a key's name, as [`is_secret_name`] judges them: runs of ASCII letters and
/// digits, split where a lower-case letter or digit meets an upper-case one (camelCase keys,
/// `smtpPass`, `stripeKey`, split as `_` splits the others). Slices of the key, in order; no
/// allocation (a lint asks this of every key, several times).
fn name_segments(key: &str) -> impl Iterator<Item = &str> {
    let bytes = key.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() && !bytes[at].is_ascii_alphanumeric() {
            at += 1;
        }
        if at == bytes.len() {
            return None;
        }
        let start = at;
        at += 1;
        while at < bytes.len()
            && bytes[at].is_ascii_alphanumeric()
            && !(bytes[at].is_ascii_uppercase()
                && (bytes[at - 1].is_ascii_lowercase() || bytes[at - 1].is_ascii_digit()))
        {
            at += 1;
        }
        // Both ends are at ASCII bytes (or the end), so on character boundaries.
        Some(&key[start..at])
    })
}

fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text.as_bytes()[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
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

/// Schemes read by browsers and HTTP clients (the WHATWG URL standard): the userinfo ends at
/// the authority's last `@`, and nothing reads a password past the authority. They are the
/// URLs of lists (CORS origins), so a list's delimiters end them too.
const WEB_SCHEMES: &[&str] = &["http", "https", "ws", "wss"];

/// Query parameters that carry a credential, beyond the names that are secret anyway
/// ([`is_secret_name`]: `password`, `token`, `secret`, `api_key`, `access_token`, ...).
/// asyncpg, libpq (`sslpassword` too) and redis-py all take `?password=` as the password.
/// Presigned URLs (Azure SAS `sig`, S3 `X-Amz-Signature`) are bearer credentials too.
const CREDENTIAL_PARAMETERS: &[&str] = &["pwd", "auth", "sig", "signature", "x-amz-signature"];

/// Does a URL query parameter of this name carry a credential?
fn is_credential_parameter(name: &str) -> bool {
    CREDENTIAL_PARAMETERS
        .iter()
        .any(|parameter| name.eq_ignore_ascii_case(parameter))
        || is_secret_name(name)
}

/// The byte ranges of the secrets URLs carry in `text`, wherever they appear (a value may hold
/// several URLs, e.g. a JSON list): each password (`scheme://user:PASSWORD@host`) and the value
/// of each credential query parameter (`?password=...`, `&token=...`), sorted and disjoint.
///
/// A password is masked as every client that may read the URL reads it, the widest reading
/// winning:
/// - SQLAlchemy's `make_url` (2.1) takes the user name up to the first `:` (no `/` before it)
///   and the password from there to the next `@`, across `/ ? # ,` and spaces: base64
///   passwords hold `/`, generated ones any of these;
/// - urllib (redis-py, Celery, asyncpg's own DSN parser) ends the authority at the first
///   `/ ? #` and the userinfo at the authority's last `@`, so a password may hold `@`;
/// - web URLs ([`WEB_SCHEMES`]) are read as browsers read them, and end at a list's delimiters
///   (`"` `'` `,` `]` whitespace); an unescaped `/` in their password is still covered.
///
/// Nothing of the next URL belongs to this one: a URL's text ends where the next `scheme://`
/// begins, and at the end of the line. A query value ends at `&`.
pub fn url_secret_ranges(text: &str) -> Vec<Range<usize>> {
    // Most values hold no `:` at all: no searcher is built for them.
    if !text.as_bytes().contains(&b':') {
        return Vec::new();
    }
    let mut ranges = Vec::new();
    let mut search_from = 0;
    // Where the current line ends, found once per line: searching from each `://` to the end of
    // its line was quadratic in a line of `a://` repeated.
    let mut line_end = 0;
    // Where the next `://` is, found once per separator for the same reason.
    let mut next_separator = text.find("://");
    while let Some(separator) = next_separator.filter(|&at| at >= search_from) {
        let start = separator + 3;
        let scheme = &text[scheme_start(text, separator)..separator];
        let web = WEB_SCHEMES
            .iter()
            .any(|web| scheme.eq_ignore_ascii_case(web));
        if line_end < start {
            line_end = text[start..].find('\n').map_or(text.len(), |at| start + at);
        }
        next_separator = text[start..].find("://").map(|at| start + at);
        let mut end = line_end;
        if let Some(next) = next_separator.filter(|&next| next < line_end) {
            end = scheme_start(text, next).max(start);
        }
        if web {
            end = text[start..end]
                .find(|c: char| matches!(c, '"' | '\'' | ',' | ']') || c.is_whitespace())
                .map_or(end, |at| start + at);
        }
        let url = &text[start..end];
        let shift = |range: Range<usize>| start + range.start..start + range.end;
        ranges.extend(url_password(url, web).map(shift));
        ranges.extend(credential_values(url, web).into_iter().map(shift));
        search_from = start;
    }
    disjoint(ranges)
}

/// Parse a URL as its client reads it. An SQLAlchemy database URL (`postgres...://`, or any
/// `dialect+driver://`) takes its password up to the `@`, unescaped `/ # ? ,` and spaces
/// included, as base64 passwords hold: that password is percent-encoded before the `url` crate,
/// which would otherwise end the authority inside it and reject a URL SQLAlchemy accepts. Any
/// other URL (Redis: redis-py reads it with urllib, which ends the authority at the first
/// `/ ? #` as the `url` crate does) is parsed as written.
pub fn parse_client_url(text: &str) -> Result<url::Url, url::ParseError> {
    let Some(separator) = text.find("://") else {
        return url::Url::parse(text);
    };
    let scheme = text[..separator].to_ascii_lowercase();
    let sqlalchemy = scheme.starts_with("postgres") || scheme.contains('+');
    let start = separator + 3;
    let password = sqlalchemy
        .then(|| url_password(&text[start..], false))
        .flatten()
        .map(|range| start + range.start..start + range.end);
    match password {
        Some(range) if text[range.clone()].contains(|c: char| !is_userinfo_char(c)) => {
            let mut encoded = String::with_capacity(text.len() + 16);
            encoded.push_str(&text[..range.start]);
            for byte in text[range.clone()].bytes() {
                if is_userinfo_char(char::from(byte)) && byte.is_ascii() {
                    encoded.push(char::from(byte));
                } else {
                    encoded.push_str(&format!("%{byte:02X}"));
                }
            }
            encoded.push_str(&text[range.end..]);
            url::Url::parse(&encoded)
        }
        Some(_) | None => url::Url::parse(text),
    }
}

/// Characters a URL's userinfo holds unescaped (RFC 3986 unreserved, sub-delims but `,`, and
/// `%` for what is already escaped).
fn is_userinfo_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '-' | '.'
                | '_'
                | '~'
                | '!'
                | '$'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | '+'
                | ';'
                | '='
                | '%'
        )
}

/// Where the scheme before the `://` at `separator` starts.
fn scheme_start(text: &str, separator: usize) -> usize {
    // By byte: a scheme is ASCII, and the byte before it may end a multi-byte character.
    text.as_bytes()[..separator]
        .iter()
        .rposition(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
        .map_or(0, |at| at + 1)
}

/// The password of `url` (the text after `scheme://`), as [`url_secret_ranges`] reads it.
fn url_password(url: &str, web: bool) -> Option<Range<usize>> {
    let authority_end = url.find(['/', '?', '#', '\\']).unwrap_or(url.len());
    let (colon, at) = if web {
        // The authority's last `@`; failing that, the first before the query (a password
        // with an unescaped `/`).
        let query = url.find(['?', '#']).unwrap_or(url.len());
        let at = url[..authority_end]
            .rfind('@')
            .or_else(|| url[..query].find('@'))?;
        (url[..authority_end.min(at)].find(':')?, at)
    } else {
        let colon = url.find(':').filter(|&colon| !url[..colon].contains('/'))?;
        let last_in_authority = url[..authority_end].rfind('@').filter(|&at| at > colon);
        let at = match last_in_authority {
            Some(at) => at,
            None => colon + url[colon..].find('@')?,
        };
        (colon, at)
    };
    (at > colon + 1).then_some(colon + 1..at)
}

/// The values of the credential query parameters of `url`. Every `?` may start the query
/// (urllib takes the first, SQLAlchemy the first after a password holding `?`), so a name
/// after any `?` or `&` counts.
fn credential_values(url: &str, web: bool) -> Vec<Range<usize>> {
    let Some(query) = url.find('?') else {
        return Vec::new();
    };
    let mut values = Vec::new();
    for (at, _) in url[query..].match_indices(['?', '&']) {
        let name_start = query + at + 1;
        let Some(equals) = url[name_start..].find('=').map(|at| name_start + at) else {
            continue;
        };
        let name = &url[name_start..equals];
        if name.contains(['?', '&']) || !is_credential_parameter(name) {
            continue;
        }
        let value_start = equals + 1;
        let stops: &[char] = if web { &['&', '#'] } else { &['&'] };
        let value_end = url[value_start..]
            .find(stops)
            .map_or(url.len(), |at| value_start + at);
        if value_end > value_start {
            values.push(value_start..value_end);
        }
    }
    values
}

/// Ranges sorted, overlapping ones joined.
fn disjoint(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|range| range.start);
    let mut joined: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match joined.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => joined.push(range),
        }
    }
    joined
}

/// The secrets a text holds whatever its key, found by their shape: URL secrets
/// ([`url_secret_ranges`]) and PEM bodies ([`pem_body_ranges`]); sorted and disjoint.
pub fn embedded_secret_ranges(text: &str) -> Vec<Range<usize>> {
    let mut ranges = url_secret_ranges(text);
    ranges.extend(pem_body_ranges(text));
    disjoint(ranges)
}

/// The bodies of the PEM blocks in `text`, between `-----BEGIN ...-----` and `-----END `,
/// whatever key holds them: a private key under an innocent name must not print, and a
/// certificate's body says nothing a report needs. The markers stay visible. A block whose
/// other marker is missing (a value cut short) takes the base64 lines next to the marker it has.
pub fn pem_body_ranges(text: &str) -> Vec<Range<usize>> {
    const BEGIN: &str = "-----BEGIN ";
    const END: &str = "-----END ";
    if !text.as_bytes().contains(&b'-') {
        return Vec::new();
    }
    let mut ranges = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find(BEGIN) {
        let begin = from + found;
        let line_end = text[begin..].find('\n').map_or(text.len(), |at| begin + at);
        let label_end = begin + BEGIN.len();
        let body_start = text[label_end..line_end]
            .find("-----")
            .map_or(line_end, |at| label_end + at + "-----".len());
        let next_begin = text[body_start..]
            .find(BEGIN)
            .map_or(text.len(), |at| body_start + at);
        let body_end = match text[body_start..next_begin].find(END) {
            Some(at) => body_start + at,
            None => line_end + base64_lines(&text[line_end..], Direction::Forward),
        };
        if body_end > body_start {
            ranges.push(body_start..body_end);
        }
        from = body_end.max(body_start);
    }
    // An END marker with no BEGIN before it: the base64 lines just above it.
    let closed: BTreeSet<usize> = ranges.iter().map(|range| range.end).collect();
    for (at, _) in text.match_indices(END) {
        if closed.contains(&at) {
            continue;
        }
        let line_start = text[..at].rfind('\n').map_or(0, |newline| newline + 1);
        let run = base64_lines(&text[..line_start], Direction::Backward);
        if run > 0 {
            ranges.push(line_start - run..line_start);
        }
    }
    disjoint(ranges)
}

/// Which way [`base64_lines`] reads from a PEM marker.
#[derive(Clone, Copy)]
enum Direction {
    Forward,
    Backward,
}

/// How many bytes of whole base64 lines `text` has from its start (forward; `text` starts at
/// the line break that ends a marker's line) or up to its end (backward).
fn base64_lines(text: &str, direction: Direction) -> usize {
    // `=` only as padding at the end: `DEBUG=true` is not base64.
    let is_base64_line = |line: &str| {
        let line = line.trim();
        let data = line.trim_end_matches('=');
        !data.is_empty()
            && line.len() - data.len() <= 2
            && data
                .bytes()
                .all(|byte| is_base64_byte(byte) && byte != b'=')
    };
    match direction {
        Direction::Forward => {
            let mut lines = text.split_inclusive('\n');
            let mut length = match lines.next() {
                Some(first) if first.trim().is_empty() => first.len(),
                _ => return 0,
            };
            for line in lines {
                if !is_base64_line(line) {
                    break;
                }
                length += line.len();
            }
            // Up to the end of the last line, not past its line break.
            text[..length].trim_end_matches(['\n', '\r']).len()
        }
        Direction::Backward => text
            .split_inclusive('\n')
            .rev()
            .take_while(|line| is_base64_line(line))
            .map(str::len)
            .sum(),
    }
}

fn is_base64_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/' | b'=')
}

/// Does a key python-dotenv read look like a piece of key material rather than a name: a run of
/// 40 or more base64 characters mixing upper case, lower case and digits? (A PEM body line is
/// 64; names that long are written with `_`, which base64 lacks.)
fn is_base64_run(key: &str) -> bool {
    key.len() >= 40
        && key.bytes().all(is_base64_byte)
        && key.bytes().any(|byte| byte.is_ascii_uppercase())
        && key.bytes().any(|byte| byte.is_ascii_lowercase())
        && key.bytes().any(|byte| byte.is_ascii_digit())
}

/// Does a line assign an ordinary name (`NAME=value`, `export NAME=value`), as opposed to a line
/// of key material (`MIIEv...`, a base64 line ending in `==`, a PEM marker)?
fn is_ordinary_assignment(line: &str) -> bool {
    let line = line.trim_start();
    let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
    let Some((name, value)) = line.split_once('=') else {
        return false;
    };
    let name = name.trim_end();
    let mut chars = name.chars();
    let identifier = chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    // `...Du==` reads as the key `...Du` with the value `=`: base64 padding.
    let padding = !value.is_empty() && value.trim().bytes().all(|byte| byte == b'=');
    identifier && !is_base64_run(name) && !padding
}

/// Key material python-dotenv read as something else, as byte ranges of the source text:
/// - the value a quote nothing closed opened ([`crate::source::SyntaxError::unterminated`]):
///   from the quote to the end of its line, and the lines after it, which python-dotenv read as
///   statements of their own, up to a blank line, a comment or an ordinary assignment;
/// - keys that are long base64 runs ([`is_base64_run`]);
/// - PEM bodies ([`pem_body_ranges`]).
fn key_material_ranges(text: &str, parsed: &Parsed) -> Vec<Range<usize>> {
    let mut ranges = pem_body_ranges(text);
    for error in parsed.errors.iter().filter(|error| error.unterminated) {
        let Some(statement) = text.get(error.span.clone()) else {
            continue;
        };
        if let Some(quote) = statement.find(['"', '\'']) {
            ranges.push(error.span.start + quote + 1..error.span.end);
        }
        let mut offset = text[error.span.end..]
            .find('\n')
            .map_or(text.len(), |at| error.span.end + at + 1);
        for line in text[offset..].split_inclusive('\n') {
            let content = line.trim_end_matches(['\n', '\r']);
            let trimmed = content.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || is_ordinary_assignment(content) {
                break;
            }
            let indent = content.len() - content.trim_start().len();
            ranges.push(offset + indent..offset + content.trim_end().len());
            offset += line.len();
        }
    }
    for entry in &parsed.entries {
        if is_base64_run(&entry.key) {
            ranges.push(entry.key_span.clone());
        }
    }
    disjoint(ranges)
}

/// What a key read from key material is called in every output: the mask and its line, so that
/// such keys stay apart (`**** (line 2)`).
fn masked_key(line: usize) -> String {
    format!("{MASK} (line {line})")
}

/// `text` with every URL secret ([`url_secret_ranges`]) replaced by [`MASK`].
pub fn mask_url_secrets(text: &str) -> String {
    replace_with_mask(text, url_secret_ranges(text))
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
    /// The lines of key material python-dotenv read as keys ([`key_material_ranges`]): the same
    /// line read as a key in another input is named masked too ([`Redactor::shown_key`]).
    key_material: BTreeSet<String>,
    matcher: OnceCell<Option<AhoCorasick>>,
}

impl Redactor {
    /// Strings shorter than this are not searched for: masking every `a` would garble the text.
    const MIN_LEN: usize = 4;

    /// Up to this many secrets, [`Redactor::find`] first checks one by one whether any is there.
    const FEW: usize = 16;

    pub fn add(&mut self, secret: &str) {
        if secret.chars().count() >= Self::MIN_LEN && self.secrets.insert(secret.to_owned()) {
            self.matcher = OnceCell::new();
        }
    }

    /// Learn every secret `other` knows (another input's), to mask copies of them here too.
    pub fn absorb(&mut self, other: Redactor) {
        let known = self.secrets.len();
        self.secrets.extend(other.secrets);
        self.key_material.extend(other.key_material);
        if self.secrets.len() != known {
            self.matcher = OnceCell::new();
        }
    }

    /// Mask every known secret wherever it is in a source's text, whatever span holds it.
    pub fn redact(&self, file: &mut SourceFile) {
        let found = self.find(&file.redacted);
        file.redact_all(found);
    }

    /// Register a line of key material: searched for like a secret, and a key never named.
    fn add_key_material(&mut self, line: &str) {
        let line = line.trim();
        self.add(line);
        if !line.is_empty() {
            self.key_material.insert(line.to_owned());
        }
    }

    /// A key as `show` and `diff` may name it: masked ([`masked_key`]) when it is a line of key
    /// material, here or in another input (keys read from key material in this input were
    /// renamed so when it was read; see [`redact_source`]).
    pub fn shown_key(&self, entry: &Entry, file: &SourceFile) -> String {
        if self.key_material.contains(entry.key.trim()) {
            masked_key(file.line_of(entry.key_span.start))
        } else {
            entry.key.clone()
        }
    }

    /// Register a value: the whole of it when it is secret, else the secrets it embeds (URL
    /// secrets also as clients decode them, PEM bodies).
    pub fn add_value(&mut self, value: &str, secret: bool) {
        if secret {
            self.add(value);
            for line in value.lines() {
                self.add(line.trim());
            }
        }
        for range in embedded_secret_ranges(value) {
            let secret = &value[range];
            self.add(secret);
            if let Ok(decoded) = percent_encoding::percent_decode_str(secret).decode_utf8() {
                self.add(&decoded);
                // A query value's `+` is a space to parse_qsl.
                self.add(&decoded.replace('+', " "));
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
        // Building the automaton costs more (about 25 µs) than looking for a few secrets one by
        // one in a configuration-sized text, and they are nearly never there: their places are
        // masked already. Few secrets that are absent are not worth an automaton; a bounded
        // number of searches keeps this linear.
        if self.secrets.len() <= Self::FEW
            && !self
                .secrets
                .iter()
                .any(|secret| text.contains(secret.as_str()))
        {
            return Vec::new();
        }
        match self.matcher() {
            Some(matcher) => matcher.find_iter(text).map(|found| found.range()).collect(),
            None => Vec::new(),
        }
    }

    /// An entry's value as `show` and `diff` may print it: [`shown_value`] (interpolated
    /// secrets masked by their ranges), and any known secret copied into it as written
    /// (`BACKUP=<the SECRET_KEY>`) masked as well.
    pub fn shown(&self, entry: &Entry, secret: bool) -> Option<String> {
        let value = entry.value.as_deref()?;
        let mut ranges = entry.secret_ranges.clone();
        ranges.extend(self.find(value));
        Some(shown_value(value, secret, &disjoint(ranges)))
    }
}

/// Mask every secret in a source's text ([`SourceFile::redacted`]) and teach the redactor the
/// secret strings. Keys that python-dotenv read from key material are renamed in `parsed`
/// ([`masked_key`]), so that no output names them, and each entry's interpolated secrets are
/// marked ([`mark_interpolated_secrets`]).
///
/// Four nets, from precise to blunt: key material python-dotenv read as keys or skipped
/// ([`key_material_ranges`]); the value span of every entry whose key is secret (the quotes
/// stay visible), every secret a value embeds (URL password or credential parameter, PEM
/// body), and the default written for a secret name that is not set (`${API_TOKEN:-...}`);
/// any statement python-dotenv skipped that looks like `SECRET_KEY=...`; and finally, once
/// every input is read, every occurrence of a known secret of any input anywhere in the text
/// (`crate::inputs::Loader::mask_repeated_secrets`).
pub fn redact_source(
    file: &mut SourceFile,
    parsed: &mut Parsed,
    is_secret: &dyn Fn(&str) -> bool,
    redactor: &mut Redactor,
) {
    let material = key_material_ranges(&file.text, parsed);
    for range in &material {
        for line in file.text[range.clone()].lines() {
            redactor.add_key_material(line);
        }
    }
    for entry in &mut parsed.entries {
        let key = &entry.key_span;
        // `material` is sorted and disjoint: the first range ending after the key's start is
        // the only one that may overlap it.
        let next = material.partition_point(|range| range.end <= key.start);
        if material
            .get(next)
            .is_some_and(|range| range.start < key.end)
        {
            entry.key = masked_key(file.line_of(key.start));
            for value in [&mut entry.value, &mut entry.raw_value]
                .into_iter()
                .flatten()
            {
                if !value.is_empty() {
                    *value = MASK.to_owned();
                }
            }
        }
    }
    mark_interpolated_secrets(parsed, is_secret);
    let mut spans: Vec<Range<usize>> = material;
    // `${API_TOKEN:-default}` with no API_TOKEN: the default is the token the application gets.
    for reference in &parsed.unresolved {
        let Some(default) = reference.default.as_deref() else {
            continue;
        };
        let written = file.text.get(reference.span.clone()).unwrap_or("");
        if let Some(at) = written.find(":-").filter(|_| is_secret(&reference.name)) {
            redactor.add(default);
            let start = reference.span.start + at + 2;
            spans.push(start..reference.span.end.saturating_sub(1).max(start));
        }
    }
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
        // Mask each embedded secret where it is written: by its place when the value is
        // written verbatim, else by searching for it (long enough to be unambiguous). One found
        // neither way (wrapped over table rows, escaped in JSON) takes the whole value with it.
        let positional = embedded_secret_ranges(written);
        let value = entry.value.as_deref().unwrap_or("");
        for range in embedded_secret_ranges(value) {
            let url_secret = &value[range];
            let placed = positional.iter().any(|r| &written[r.clone()] == url_secret);
            let searched: Vec<usize> = if placed || url_secret.chars().count() < Redactor::MIN_LEN {
                Vec::new()
            } else {
                written
                    .match_indices(url_secret)
                    .map(|(start, _)| start)
                    .collect()
            };
            for start in &searched {
                spans.push(span.start + start..span.start + start + url_secret.len());
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
            url_secret_ranges(content)
                .into_iter()
                .map(|r| offset + r.start..offset + r.end),
        );
        offset += line.len();
    }
    file.redact_all(spans);
}

/// Fill each entry's [`crate::source::Entry::secret_ranges`]: the bytes `${NAME}` copied in
/// from a secret name (a secret key of the file, a secret of the environment, or the default
/// written for one), and those a substituted variable carried from its own substitutions
/// (`A=${SECRET_KEY}`, then `B=x-${A}`). python-dotenv substitutes a key's latest value before
/// the reference, which is the latest entry of that name read so far.
fn mark_interpolated_secrets(parsed: &mut Parsed, is_secret: &dyn Fn(&str) -> bool) {
    // Nothing interpolated, nothing carried (and every `secret_ranges` stays empty).
    if parsed
        .entries
        .iter()
        .all(|entry| entry.substitutions.is_empty())
    {
        return;
    }
    let mut carried: std::collections::HashMap<String, Vec<Range<usize>>> =
        std::collections::HashMap::new();
    for entry in &mut parsed.entries {
        let mut ranges = Vec::new();
        for substitution in &entry.substitutions {
            let range = &substitution.range;
            if is_secret(&substitution.name) {
                ranges.push(range.clone());
            } else if let Some(inner) = carried.get(&substitution.name) {
                ranges.extend(
                    inner
                        .iter()
                        .map(|r| range.start + r.start..range.start + r.end),
                );
            }
        }
        entry.secret_ranges = disjoint(ranges);
        let own = match (&entry.value, is_secret(&entry.key)) {
            (Some(value), true) => std::iter::once(0..value.len()).collect(),
            _ => entry.secret_ranges.clone(),
        };
        // A later assignment replaces what an earlier one carried, empty or not.
        if own.is_empty() {
            carried.remove(&entry.key);
        } else {
            carried.insert(entry.key.clone(), own);
        }
    }
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
            "TOKEN_URL",
            "ACCESS_TOKEN_EXPIRE_MINUTES",
            "REFRESH_TOKEN_TTL",
            "DB_PASSWORD_FILE",
            "PASSWORD_MIN_LENGTH",
            "JWT_SECRET_ALGORITHM",
            "API_KEY_HEADER",
            "AWS_SECRET_NAME",
            "tokenUrl",
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
            mask_url_secrets(url),
            "postgresql+asyncpg://app:****@db.example.com:5432/app?ssl=require"
        );
        assert_eq!(
            mask_url_secrets("redis://:hunter22@redis:6379/0"),
            "redis://:****@redis:6379/0"
        );
        assert_eq!(
            mask_url_secrets("redis://user@redis:6379"),
            "redis://user@redis:6379"
        );
        assert_eq!(
            mask_url_secrets("postgresql://app:Ub9+Base64/Url=@db:5432/app?ssl=require"),
            "postgresql://app:****@db:5432/app?ssl=require"
        );
        assert_eq!(
            mask_url_secrets("https://cdn.example.com/users/@me?x=1"),
            "https://cdn.example.com/users/@me?x=1"
        );
        assert_eq!(
            mask_url_secrets("https://u:pw12@host/@me"),
            "https://u:****@host/@me"
        );
        let list = r#"["https://a:one1@x.com","https://b:two2@y.com"]"#;
        assert_eq!(
            mask_url_secrets(list),
            r#"["https://a:****@x.com","https://b:****@y.com"]"#
        );
    }

    /// Regression (issue 11, items 5 and 6): passwords holding `# ? ,` or a space, and
    /// credential query parameters, were printed. Each reading is the one the clients have
    /// (checked against SQLAlchemy 2.1's `make_url` and urllib, which redis-py uses).
    #[test]
    fn url_secrets_are_masked_as_the_clients_read_them() {
        for (url, masked) in [
            // SQLAlchemy: to the first `@` after `user:`, across `/ # ? ,` and spaces.
            (
                "postgresql+asyncpg://app:Ab3/xYzQkLeak9==@db.example.com:5432/app",
                "postgresql+asyncpg://app:****@db.example.com:5432/app",
            ),
            (
                "postgresql+asyncpg://app:Ab3#xYz?Qk,Le ak9@db.example.com:5432/app",
                "postgresql+asyncpg://app:****@db.example.com:5432/app",
            ),
            // urllib (redis-py): to the last `@` of the authority.
            ("redis://:pa@ss@redis:6379/0", "redis://:****@redis:6379/0"),
            (
                "redis://us@er:pw@redis:6379",
                "redis://us@er:****@redis:6379",
            ),
            // Credential parameters, in any position, with or without a userinfo.
            (
                "postgresql+asyncpg://app@db/app?password=Qs1 x&ssl=require",
                "postgresql+asyncpg://app@db/app?password=****&ssl=require",
            ),
            (
                "redis://redis:6379/0?ssl_cert_reqs=none&Password=p%40ss#frag",
                "redis://redis:6379/0?ssl_cert_reqs=none&Password=****",
            ),
            (
                "postgresql://app:pw@db/app?sslpassword=k1&passwd=k2&pwd=k3&secret=k4&token=k5",
                "postgresql://app:****@db/app?sslpassword=****&passwd=****&pwd=****&secret=****&token=****",
            ),
            (
                "redis://h?api_key=k1&apikey=k2&access_token=k3&auth=k4&db=0",
                "redis://h?api_key=****&apikey=****&access_token=****&auth=****&db=0",
            ),
            (
                "https://hooks.example.com/x?token=T0k&v=1#top",
                "https://hooks.example.com/x?token=****&v=1#top",
            ),
            // A password holding `?`: for urllib the query starts there, and its `password`
            // runs to the end.
            (
                "postgresql://app:p?password=x@db/app?password=y",
                "postgresql://app:****",
            ),
            // Not secrets: a parameter named otherwise, a user alone, a path with `@`.
            (
                "postgresql://db/app?passage=1&user=app",
                "postgresql://db/app?passage=1&user=app",
            ),
            ("redis://user@redis:6379", "redis://user@redis:6379"),
            (
                "http://localhost:3000/invite?email=bob@example.com",
                "http://localhost:3000/invite?email=bob@example.com",
            ),
        ] {
            assert_eq!(mask_url_secrets(url), masked, "{url}");
        }
        // Lists: one URL's reading stops where the next URL begins.
        let list = r#"["http://localhost:3000","redis://:pw1@r","https://b:two2@y.com"]"#;
        assert_eq!(
            mask_url_secrets(list),
            r#"["http://localhost:3000","redis://:****@r","https://b:****@y.com"]"#
        );
        assert_eq!(
            mask_url_secrets("http://localhost:3000,https://app.example.com/@team"),
            "http://localhost:3000,https://app.example.com/@team"
        );
    }

    #[test]
    fn pem_bodies_are_found_between_their_markers_or_next_to_the_one_there_is() {
        let bodies = |text: &str| -> Vec<String> {
            pem_body_ranges(text)
                .into_iter()
                .map(|range| text[range].to_owned())
                .collect()
        };
        let block = "-----BEGIN PRIVATE KEY-----\nQUJD\nREVG\n-----END PRIVATE KEY-----";
        assert_eq!(bodies(block), ["\nQUJD\nREVG\n"]);
        // Escaped in JSON, on one line.
        let json = r#"{"k":"-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----\n"}"#;
        assert_eq!(bodies(json), [r"\nQUJD\n"]);
        // No END: the base64 lines after BEGIN. No BEGIN: those before END.
        assert_eq!(
            bodies("-----BEGIN PRIVATE KEY-----\nQUJD\nRE/G==\nDEBUG=true\n"),
            ["\nQUJD\nRE/G=="]
        );
        assert_eq!(
            bodies("A=1\nQUJD\nREVG\n-----END PRIVATE KEY-----\n"),
            ["QUJD\nREVG\n"]
        );
        assert_eq!(
            bodies("TLS_KEY=-----BEGIN PRIVATE KEY-----"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn key_material_is_told_from_names() {
        assert!(is_base64_run(
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"
        ));
        for name in [
            "SQLALCHEMY_DATABASE_URI_FOR_THE_REPORTING_REPLICA",
            "AWSAccessKeyIdForProduction",
            "abcdefghijklmnopqrstuvwxyzabcdefghijklmnop",
        ] {
            assert!(!is_base64_run(name), "{name}");
        }
        for line in ["DEBUG=true", "export DB_HOST = db", "a.b-c=1"] {
            assert!(is_ordinary_assignment(line), "{line}");
        }
        for line in [
            "MIIEvQIBADANBgk",
            "VJTUt9Us8cKjMzEfDu==",
            "-----END PRIVATE KEY-----",
        ] {
            assert!(!is_ordinary_assignment(line), "{line}");
        }
    }

    #[test]
    fn interpolated_secrets_are_marked_through_other_variables() {
        let text = "SECRET_KEY=k3y\nA=${SECRET_KEY}\nB=x-${A}\nC=${TOKEN:-t0k}\nD=${B}${HOST}\n";
        let options = crate::source::dotenv::DotenvOptions {
            interpolate: true,
            environment: [("HOST".to_owned(), "h".to_owned())].into(),
        };
        let mut parsed = crate::source::dotenv::parse(text, &options);
        mark_interpolated_secrets(&mut parsed, &is_secret_name);
        let marked: Vec<(&str, Vec<&str>)> = parsed
            .entries
            .iter()
            .map(|entry| {
                let value = entry.value.as_deref().unwrap_or("");
                let ranges = entry.secret_ranges.iter().map(|r| &value[r.clone()]);
                (entry.key.as_str(), ranges.collect())
            })
            .collect();
        assert_eq!(
            marked,
            [
                ("SECRET_KEY", vec![]),
                ("A", vec!["k3y"]),
                ("B", vec!["k3y"]),
                ("C", vec!["t0k"]),
                ("D", vec!["k3y"]),
            ]
        );
        let d = &parsed.entries[4];
        assert_eq!(
            shown_value(d.value.as_deref().unwrap(), false, &d.secret_ranges),
            "x-****h"
        );
        let secret = &d.secret_ranges;
        assert_eq!(shown_piece("x-k3yh", "k3yh", false, secret), "****h");
        assert_eq!(shown_piece("x-k3yh", "42", false, secret), MASK);
        assert_eq!(shown_piece("x-k3yh", "x", false, secret), "x");
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

    /// A scheme right after a multi-byte character (`═ftp://`) panicked slicing inside that
    /// character (found by the `lint` fuzz target).
    #[test]
    fn a_scheme_after_a_multibyte_character_is_read() {
        let text = "PAGE=\u{2550}ftp://user:Pa55word@host/";
        let found: Vec<&str> = url_secret_ranges(text)
            .into_iter()
            .map(|range| &text[range])
            .collect();
        assert_eq!(found, ["Pa55word"]);
        assert_eq!(scheme_start(text, text.find("://").unwrap()), 8);
    }
}
