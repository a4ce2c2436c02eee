//! The `http` checks of rule files: a variable's value (an API key) sent to the API it belongs
//! to, and the answer judged, e.g. FRED answering 400 for a key it does not know.
//!
//! Each check is one GET of its rule's URL with `{value}` filled in (encoded for its place, see
//! [`crate::rules::url_template`]), on `verify`'s HTTP client ([`crate::verify::http`]) with the
//! probes' trust (`--probe-ca`, `--probe-insecure`): one fresh connection to the URL's host and
//! nothing else (no proxy, no redirect followed: a redirect is an answer like any other status),
//! bounded as a whole by the rule's `timeout` or `--probe-timeout`. The checks run at once, beside
//! the PostgreSQL and Redis probes, on the probes' runtime.
//!
//! What a check finds:
//! - another status than `expect-status`: the rule's own finding, with the status and what the
//!   API said (a JSON body's `error_message`, FRED's field, else `message`, `error` or `detail`);
//! - no answer at all (DNS, refused, timed out, TLS): `probe-http-unreachable`, naming the rule
//!   that could not be checked. It is a built-in rule, not the rule's own id, because "the API
//!   rejected the key" and "the API could not be asked" call for different actions, and a CI
//!   without a route to the API can then lower or ignore the second alone; it is an error by
//!   default, as the other probes' unreachable servers are, so a gate never passes because
//!   nothing was asked;
//! - a value that cannot be sent (an unresolved `${{...}}` Railway reference, or one that would
//!   change the URL's path): `probe-skipped`.
//!
//! The value is sent, never shown: the URL is shown with [`crate::secret::MASK`] in its place,
//! and every text that came from elsewhere (the API's message, the client's failure) is
//! masked ([`super::mask`]) for the value as written, and as encoded in a path, a query and a
//! form, before it reaches a finding.

use std::fmt;

use serde_json::Value;

use super::tls::TlsSettings;
use super::{Located, ProbeInput, ProbeOptions, finding_at, insecure_tls_finding, masked, seconds};
use crate::rules::url_template::{self, Misplaced};
use crate::rules::{HttpCheck, Raised, RaisedRule, RuleId};
use crate::verify::http::{Client, Failure, Method, Request, Response};

/// The longest message of an API a finding quotes, in characters.
const MAX_API_MESSAGE: usize = 300;

/// One `http` check to run: its rule, what it asks, and the value it sends.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiCheck {
    /// The id of the rule the check belongs to: its findings carry it.
    pub rule: String,
    pub check: HttpCheck,
    /// The variable's value, where the configuration sets it. Sent, never shown.
    pub value: Located<String>,
    /// The value as written holds a Railway reference (`${{ shared.KEY }}`), which only Railway
    /// resolves: python-dotenv leaves a mangled value, which is not sent.
    pub railway_reference: bool,
}

/// Hides the value.
impl fmt::Debug for ApiCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiCheck")
            .field("rule", &self.rule)
            .field("url", &self.check.url.shown())
            .field("expect_status", &self.check.expect_status)
            .field("timeout", &self.check.timeout)
            .field("key", &self.value.key)
            .field("source", &self.value.source)
            .field("span", &self.value.span)
            .field("railway_reference", &self.railway_reference)
            .finish_non_exhaustive()
    }
}

/// Run every check of `input` at once.
pub(crate) async fn probe(
    input: &ProbeInput,
    options: &ProbeOptions,
    tls: &TlsSettings,
) -> Vec<Raised> {
    let checks = input
        .api_checks
        .iter()
        .map(|check| run(check, options, tls));
    futures_util::future::join_all(checks)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// One check: its request and the findings its answer (or its failure) makes.
async fn run(check: &ApiCheck, options: &ProbeOptions, tls: &TlsSettings) -> Vec<Raised> {
    let located = &check.value;
    let template = &check.check.url;
    let shown = template.shown();
    if check.railway_reference || located.value.contains("${{") {
        return vec![skipped(
            check,
            "its value is a Railway reference (`${{...}}`) that Railway resolves when it \
             deploys; check the resolved values with `railway variables --json | deploycheck \
             probe -`",
        )];
    }
    let url = match template.fill(&located.value) {
        Ok(url) => url,
        Err(Misplaced) => {
            return vec![skipped(
                check,
                &format!("its value cannot be placed in {shown} without changing the URL's path"),
            )];
        }
    };
    let mut findings = Vec::new();
    if tls.insecure && template.is_https() {
        findings.push(insecure_tls_finding(
            located,
            &format!("{} (rule `{}`)", template.host(), check.rule),
        ));
    }
    // The rule's own bound, else `--probe-timeout`.
    let timeout = check.check.timeout.unwrap_or(options.timeout);
    let client = Client::for_probes(tls, timeout);
    let secrets = sent_forms(&located.value);
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    match client.send(&Request::new(Method::Get, url)).await {
        Ok(response) if response.status == check.check.expect_status => {}
        Ok(response) => {
            let message = rejected_message(check, &shown, &response, &secrets);
            findings.push(
                Raised::new(
                    RaisedRule::Declared(check.rule.clone()),
                    message,
                    located.source,
                    located.span.clone(),
                )
                .with_key(located.key.clone()),
            );
        }
        Err(failure) => {
            let reason = match failure {
                Failure::Timeout => format!("no complete answer within {}", seconds(timeout)),
                other => masked(&other.to_string(), &secrets)
                    .unwrap_or_else(|| failure_head(&other).to_owned()),
            };
            findings.push(finding_at(
                located,
                RuleId::ProbeHttpUnreachable,
                format!(
                    "`{}` could not be checked by the rule `{}`: GET {shown} failed: {reason}",
                    located.key, check.rule
                ),
            ));
        }
    }
    findings
}

/// The `probe-skipped` warning for a check that was not run, saying why.
fn skipped(check: &ApiCheck, why: &str) -> Raised {
    finding_at(
        &check.value,
        RuleId::ProbeSkipped,
        format!(
            "`{}` was not checked by the rule `{}`: {why}",
            check.value.key, check.rule
        ),
    )
}

/// The rule's finding for an answer other than the expected one: the status, and what the API
/// said about it.
fn rejected_message(
    check: &ApiCheck,
    shown: &str,
    response: &Response,
    secrets: &[&str],
) -> String {
    let redirect = if (300..400).contains(&response.status) {
        " (a redirect, which is not followed)"
    } else {
        ""
    };
    let mut message = format!(
        "`{}` was not accepted: GET {shown} answered {}{redirect}, not {}",
        check.value.key,
        status_text(response.status),
        status_text(check.check.expect_status),
    );
    if let Some(said) = api_message(&response.body) {
        match quoted(&said, secrets) {
            Some(said) => {
                message.push_str("; the API says: ");
                message.push_str(&said);
            }
            None => message.push_str(
                "; what the API says is not quoted: the value is too short to be masked in it",
            ),
        }
    }
    message
}

/// `400 Bad Request`, or the number alone for a status without a standard reason.
fn status_text(status: u16) -> String {
    match hyper::StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason())
    {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

/// What a JSON error body says: FRED's `error_message`, else the `message`, `error` (a string,
/// or an object with a `message`) or `detail` most APIs use. Anything else says nothing.
fn api_message(body: &[u8]) -> Option<String> {
    let document: Value = serde_json::from_slice(body).ok()?;
    let object = document.as_object()?;
    ["error_message", "message", "error", "detail"]
        .iter()
        .find_map(|field| match object.get(*field)? {
            Value::String(text) => Some(text.clone()),
            Value::Object(inner) => inner.get("message")?.as_str().map(str::to_owned),
            _ => None,
        })
        .filter(|text| !text.trim().is_empty())
}

/// A text the API wrote, as a finding may quote it: the value masked in every form it was sent
/// in, on one line, control characters escaped, at most [`MAX_API_MESSAGE`] characters; `None`
/// when the value is too short to be masked in it ([`super::masked`]).
fn quoted(text: &str, secrets: &[&str]) -> Option<String> {
    let masked = masked(text, secrets)?;
    let one_line: String = masked
        .chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let escaped = crate::report::escape_controls(one_line.trim());
    let mut shown: String = escaped.chars().take(MAX_API_MESSAGE).collect();
    if escaped.chars().nth(MAX_API_MESSAGE).is_some() {
        shown.push('…');
    }
    Some(shown)
}

/// What failed, without the details that [`super::masked`] could not show.
fn failure_head(failure: &Failure) -> &'static str {
    match failure {
        Failure::Dns(_) => "DNS lookup failed",
        Failure::Refused => "connection refused",
        Failure::Connect(_) => "cannot connect",
        Failure::Timeout => "no complete response within the timeout",
        Failure::Tls(_) => "TLS handshake failed",
        Failure::Protocol(_) => "HTTP exchange failed",
        Failure::Request(_) => "the request cannot be made",
    }
}

/// The value as written and as it may come back from the API: encoded in a path, a query, a
/// form (spaces as `+`).
fn sent_forms(value: &str) -> Vec<String> {
    let mut forms = vec![
        value.to_owned(),
        url_template::encoded_in_path(value),
        url_template::encoded_in_query(value),
        url::form_urlencoded::byte_serialize(value.as_bytes()).collect(),
    ];
    forms.sort();
    forms.dedup();
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_message_comes_from_the_usual_fields() {
        let fred = br#"{"error_code":400,"error_message":"Bad Request.  The value for variable api_key is not registered."}"#;
        assert_eq!(
            api_message(fred).as_deref(),
            Some("Bad Request.  The value for variable api_key is not registered.")
        );
        assert_eq!(
            api_message(br#"{"message":"invalid key"}"#).as_deref(),
            Some("invalid key")
        );
        assert_eq!(
            api_message(br#"{"error":{"code":401,"message":"revoked"}}"#).as_deref(),
            Some("revoked")
        );
        assert_eq!(
            api_message(br#"{"detail":"Not authenticated"}"#).as_deref(),
            Some("Not authenticated")
        );
        // FastAPI's validation errors, text, HTML and empty strings say nothing.
        assert_eq!(api_message(br#"{"detail":[{"loc":["query"]}]}"#), None);
        assert_eq!(api_message(b"<html>Bad Request</html>"), None);
        assert_eq!(api_message(br#"{"message":"  "}"#), None);
        assert_eq!(api_message(br#"["message"]"#), None);
    }

    #[test]
    fn a_quoted_message_is_masked_one_line_and_bounded() {
        let value = "k3y/with space";
        let forms = sent_forms(value);
        let forms: Vec<&str> = forms.iter().map(String::as_str).collect();
        let text =
            format!("key {value} or k3y%2Fwith%20space or k3y%2Fwith+space\nunknown\u{1b}[2J");
        let quoted = quoted(&text, &forms).expect("a long value is masked");
        assert_eq!(
            quoted, "key **** or **** or **** unknown\\u{1b}[2J",
            "{quoted}"
        );
        let long = "x".repeat(MAX_API_MESSAGE + 50);
        let quoted = super::quoted(&long, &[]).expect("no value");
        assert_eq!(quoted.chars().count(), MAX_API_MESSAGE + 1);
        assert!(quoted.ends_with('…'));
    }

    #[test]
    fn a_short_value_is_not_masked_into_a_text_but_the_text_withheld() {
        // Masked letter by letter, "B****d Request" would show that the key is `a`.
        for value in ["a", "on", "é"] {
            let forms = sent_forms(value);
            let forms: Vec<&str> = forms.iter().map(String::as_str).collect();
            let said = "Bad Request. The value for variable api_key is not registered \
                        (connection to the key store), café";
            assert_eq!(quoted(said, &forms), None, "{value}");
            let failure = Failure::Protocol("connection reset by peer at the café".into());
            assert_eq!(
                masked(&failure.to_string(), &forms).map(|_| ()),
                None,
                "{value}"
            );
        }
        // A short value that does not occur leaves the text as it is.
        assert_eq!(
            quoted("not registered", &["zq"]).as_deref(),
            Some("not registered")
        );
    }

    #[test]
    fn statuses_are_named() {
        assert_eq!(status_text(400), "400 Bad Request");
        assert_eq!(status_text(200), "200 OK");
        assert_eq!(status_text(599), "599");
    }
}
