//! The URL of an `http` check: a template with `{value}` where a variable's value goes, checked
//! when the rule file loads ([`UrlTemplate::parse`]) and filled in when the probes run
//! ([`UrlTemplate::fill`]).
//!
//! The value is percent-encoded for the place it stands in, so that it stays one piece of that
//! place whatever it holds:
//! - in the **path**, as one segment's text: everything but RFC 3986's unreserved characters and
//!   the sub-delimiters a segment may hold literally (`! $ & ' ( ) * + , = : @`) is encoded, so
//!   a `/`, `?`, `#` or `%` in the value cannot start another segment, the query or a fragment;
//!   `;` is encoded too, since servers such as Tomcat cut path parameters at it;
//! - in the **query**, as one component of a `name=value` pair: everything but the unreserved
//!   characters is encoded, so `&`, `=`, `+` (a space to form decoders) and `#` stay data.
//!
//! The host never holds the value (the template is refused at load), and a filled URL is
//! parsed back and compared with what was built: a value that would still change the URL's
//! shape (a path segment of `..`, which URL parsers collapse) is refused rather than sent.
//!
//! The template is shown with [`MASK`] where the value goes ([`UrlTemplate::shown`]): no output
//! shows a filled URL.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use url::{Position, Url};

use crate::secret::MASK;

/// Where the value goes in a template.
pub const PLACEHOLDER: &str = "{value}";

/// Encoded in a query component: everything but the unreserved `A-Z a-z 0-9 - . _ ~`.
const QUERY_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Encoded in a path segment: [`QUERY_COMPONENT`] but for the sub-delimiters and `:` `@` that
/// a segment holds as they are (RFC 3986 `pchar`); `;` stays encoded.
const PATH_SEGMENT: &AsciiSet = &QUERY_COMPONENT
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// A piece of a template's path or query.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Text as the URL parser serialized it.
    Text(String),
    /// Where the value goes.
    Value,
}

/// A validated `http` check URL: http or https, a host, no user info, `{value}` at least once,
/// in the path or the query only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlTemplate {
    /// `scheme://host[:port]`.
    origin: String,
    path: Vec<Piece>,
    /// Without the `?`.
    query: Option<Vec<Piece>>,
}

/// The value the URL was filled with cannot stay one piece of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misplaced;

impl UrlTemplate {
    /// Check a template as a rule file writes it. The error is one sentence for the rule
    /// file's diagnostic.
    pub fn parse(template: &str) -> Result<Self, String> {
        let count = template.matches(PLACEHOLDER).count();
        if count == 0 {
            return Err(format!(
                "the URL has no `{PLACEHOLDER}`: nothing of the variable would be sent"
            ));
        }
        // A stand-in every part of a URL keeps as it is (lower-case letters: hosts are
        // lower-cased), and that the template does not hold already.
        let mut marker = String::from("deploycheckvalue");
        while template.contains(&marker) {
            marker.push('x');
        }
        let text = template.replace(PLACEHOLDER, &marker);
        let mut url = Url::parse(&text).map_err(|error| format!("not a URL: {error}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "`{}` URLs cannot be asked, only http and https",
                url.scheme()
            ));
        }
        if url.host_str().is_none_or(|host| host.contains(&marker)) {
            return Err(format!(
                "`{PLACEHOLDER}` can go in the path or the query, not in the host"
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("the URL cannot hold a user name or password".to_owned());
        }
        if url
            .fragment()
            .is_some_and(|fragment| fragment.contains(&marker))
        {
            return Err(format!(
                "`{PLACEHOLDER}` is in the fragment, which is never sent; put it in the path or \
                 the query"
            ));
        }
        url.set_fragment(None);
        let path = pieces(url.path(), &marker);
        let query = url.query().map(|query| pieces(query, &marker));
        let placed = path
            .iter()
            .chain(query.iter().flatten())
            .filter(|piece| **piece == Piece::Value)
            .count();
        if placed != count {
            return Err(format!(
                "`{PLACEHOLDER}` can go in the path or the query only"
            ));
        }
        Ok(UrlTemplate {
            origin: url[..Position::BeforePath].to_owned(),
            path,
            query,
        })
    }

    /// The URL to ask, with `value` encoded for each place it goes.
    pub fn fill(&self, value: &str) -> Result<Url, Misplaced> {
        let path = join(&self.path, &encoded_in_path(value));
        let query = self
            .query
            .as_ref()
            .map(|query| join(query, &encoded_in_query(value)));
        let mut text = format!("{}{path}", self.origin);
        if let Some(query) = &query {
            text.push('?');
            text.push_str(query);
        }
        let url = Url::parse(&text).map_err(|_| Misplaced)?;
        // Parsed back as built: the origin, the path and the query are the ones written.
        let same = url[..Position::BeforePath] == self.origin
            && url.path() == path
            && url.query() == query.as_deref();
        if same { Ok(url) } else { Err(Misplaced) }
    }

    /// The URL as output shows it: [`MASK`] where the value goes.
    pub fn shown(&self) -> String {
        let mut text = format!("{}{}", self.origin, join(&self.path, MASK));
        if let Some(query) = &self.query {
            text.push('?');
            text.push_str(&join(query, MASK));
        }
        text
    }

    /// The scheme is https.
    pub fn is_https(&self) -> bool {
        self.origin.starts_with("https:")
    }

    /// The host (and port, when written) the check asks.
    pub fn host(&self) -> &str {
        self.origin
            .split_once("://")
            .map_or(self.origin.as_str(), |(_, host)| host)
    }
}

/// The value as it is written in a path segment.
pub fn encoded_in_path(value: &str) -> String {
    utf8_percent_encode(value, PATH_SEGMENT).to_string()
}

/// The value as it is written in a query component.
pub fn encoded_in_query(value: &str) -> String {
    utf8_percent_encode(value, QUERY_COMPONENT).to_string()
}

fn pieces(text: &str, marker: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for (index, part) in text.split(marker).enumerate() {
        if index > 0 {
            pieces.push(Piece::Value);
        }
        if !part.is_empty() {
            pieces.push(Piece::Text(part.to_owned()));
        }
    }
    pieces
}

fn join(pieces: &[Piece], value: &str) -> String {
    pieces
        .iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.as_str(),
            Piece::Value => value,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRED: &str =
        "https://api.stlouisfed.org/fred/series?series_id=GNPCA&api_key={value}&file_type=json";

    #[test]
    fn the_value_goes_into_the_query_encoded_as_a_component() {
        let template = UrlTemplate::parse(FRED).expect("valid");
        let url = template.fill("abc123").expect("fills");
        assert_eq!(
            url.as_str(),
            "https://api.stlouisfed.org/fred/series?series_id=GNPCA&api_key=abc123&file_type=json"
        );
        // `&`, `=`, `+`, `#`, space, `%` and non-ASCII stay data of the one parameter.
        let url = template.fill("a&b=c+d#e f%g/é").expect("fills");
        assert_eq!(
            url.query(),
            Some("series_id=GNPCA&api_key=a%26b%3Dc%2Bd%23e%20f%25g%2F%C3%A9&file_type=json")
        );
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs[1], ("api_key".into(), "a&b=c+d#e f%g/é".into()));
        assert_eq!(pairs.len(), 3);
    }

    #[test]
    fn the_value_goes_into_the_path_encoded_as_a_segment() {
        let template =
            UrlTemplate::parse("https://api.example.com/v1/keys/{value}/check").expect("valid");
        let url = template.fill("ab/c?d#e;f").expect("fills");
        assert_eq!(url.path(), "/v1/keys/ab%2Fc%3Fd%23e%3Bf/check");
        assert_eq!(url.query(), None);
        assert_eq!(url.host_str(), Some("api.example.com"));
        // What a segment holds literally stays as it is.
        let url = template.fill("a+b=c:d@e$f").expect("fills");
        assert_eq!(url.path(), "/v1/keys/a+b=c:d@e$f/check");
        // Part of a segment, and in both places at once.
        let template =
            UrlTemplate::parse("http://127.0.0.1:8080/key-{value}?again={value}").expect("valid");
        let url = template.fill("x y&z").expect("fills");
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8080/key-x%20y&z?again=x%20y%26z"
        );
    }

    #[test]
    fn a_value_that_would_change_the_path_is_refused() {
        let template = UrlTemplate::parse("https://api.example.com/keys/{value}").expect("valid");
        for value in ["..", ".", "%2e%2E"] {
            // `%` is encoded, so only the literal dot segments are left to refuse.
            let filled = template.fill(value);
            if value.contains('%') {
                assert_eq!(filled.expect("fills").path(), "/keys/%252e%252E", "{value}");
            } else {
                assert_eq!(filled, Err(Misplaced), "{value}");
            }
        }
    }

    #[test]
    fn the_shown_url_masks_the_value() {
        let template = UrlTemplate::parse(FRED).expect("valid");
        assert_eq!(
            template.shown(),
            "https://api.stlouisfed.org/fred/series?series_id=GNPCA&api_key=****&file_type=json"
        );
        assert!(template.is_https());
        assert_eq!(template.host(), "api.stlouisfed.org");
        let template = UrlTemplate::parse("http://127.0.0.1:9/{value}#frag").expect("valid");
        assert_eq!(template.shown(), "http://127.0.0.1:9/****");
        assert_eq!(template.host(), "127.0.0.1:9");
    }

    #[test]
    fn templates_that_are_refused() {
        for (template, says) in [
            ("https://api.example.com/?key=abc", "has no `{value}`"),
            ("not a url {value}", "not a URL"),
            (
                "ftp://files.example.com/{value}",
                "`ftp` URLs cannot be asked",
            ),
            ("https://{value}.example.com/", "not in the host"),
            ("https://user:{value}@example.com/", "user name or password"),
            ("https://user@example.com/{value}", "user name or password"),
            ("https://example.com/#{value}", "fragment"),
            ("https://example.com:99999/{value}", "not a URL"),
        ] {
            let error = UrlTemplate::parse(template).expect_err(template);
            assert!(error.contains(says), "{template}: {error}");
        }
    }
}
