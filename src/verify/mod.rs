//! `deploycheck verify URL`: the deployed service checked from outside, as the audit's
//! post-deployment checklist does by hand with curl: the health paths answer healthy, CORS
//! admits the production origins and nothing else, the interactive docs and tracebacks are not
//! exposed, TLS and redirects are right, and the answers come within the latency budget.
//!
//! Like the probes, this is the only async code of its command, inside [`run`], which owns a
//! current-thread tokio runtime: the rest of the program stays synchronous. Requests go to the
//! given URL's host only ([`http`]); a redirect to another host is reported, not followed.
//! Every request has a timeout, and a host that does not answer ends the run with one
//! `verify-unreachable`, not one failure per check. The findings point into a transcript of the
//! requests made (`GET /health -> 200 in 12 ms`), which the report shows as the source; it
//! never holds a body, a header value or the URL's credentials.

pub mod http;
pub mod judge;

use std::time::{Duration, Instant, SystemTime};

use url::Url;

use crate::rules::{Raised, RuleId};
use crate::source::{SourceId, Span};
use http::{Client, Failure, Method, Request, Response};
use judge::{Cors, Health};

/// The health paths checked when neither the configuration nor Railway's `healthcheckPath`
/// names one: the audit's three.
pub const DEFAULT_HEALTH_PATHS: &[&str] = &["/health", "/health/liveness", "/health/readiness"];

/// An origin no application allows on purpose, to see whether CORS admits anyone.
pub const FOREIGN_ORIGIN: &str = "https://deploycheck-foreign-origin.invalid";

/// The paths FastAPI serves its interactive documentation on.
const DOCS_PATHS: &[&str] = &["/docs", "/redoc", "/openapi.json"];

/// Redirects followed within the host, at most.
const MAX_REDIRECTS: usize = 5;

/// A certificate expiring sooner than this is reported.
const CERTIFICATE_WARNING: Duration = Duration::from_secs(14 * 24 * 3600);

/// What to check, and how.
#[derive(Debug, Clone)]
pub struct Plan {
    pub url: Url,
    pub health_paths: Vec<String>,
    /// The production origins CORS must admit.
    pub origins: Vec<String>,
    /// `[verify] paths`: extra paths with what they must answer.
    pub paths: Vec<PathExpectation>,
    pub latency_budget: Option<Duration>,
    /// Requests per health path, for the latency.
    pub requests: usize,
    pub client: http::ClientOptions,
}

/// A path and what it must answer (`[verify] paths`).
#[derive(Debug, Clone, PartialEq)]
pub struct PathExpectation {
    pub path: String,
    pub status: u16,
    /// Top-level JSON fields and the values they must hold.
    pub json: Vec<(String, serde_json::Value)>,
}

/// The result of the checks: findings pointing into the transcript (source 0), and the
/// latency of each health path.
#[derive(Debug, Clone, Default)]
pub struct Verified {
    pub transcript: String,
    pub raised: Vec<Raised>,
    /// Each health path with its median and 95th-percentile latency.
    pub latency: Vec<(String, Duration, Duration)>,
    /// How many times the checks ran (more than one with `--wait`).
    pub attempts: usize,
}

/// Run the checks; with `wait`, again with backoff until `passes` says the findings pass or the
/// time is up, saying on `progress` what it is doing. The last attempt is the result.
pub fn run(
    plan: &Plan,
    wait: Option<Duration>,
    passes: &dyn Fn(&[Raised]) -> bool,
    progress: &crate::progress::Progress,
) -> Result<Verified, http::ClientError> {
    let client = Client::new(plan.client.clone())?;
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            let mut verified = Verified::default();
            let span = verified_line(
                &mut verified.transcript,
                &format!("verify {}", shown(&plan.url)),
            );
            verified.raised.push(Raised::new(
                RuleId::VerifyUnreachable,
                format!("the network runtime could not start: {error}"),
                SourceId(0),
                span,
            ));
            return Ok(verified);
        }
    };
    let started = Instant::now();
    let mut delay = Duration::from_secs(1);
    let mut attempts = 0;
    let verified = loop {
        attempts += 1;
        progress.set(format!(
            "checking {} (attempt {attempts})",
            shown(&plan.url)
        ));
        let mut verified = runtime.block_on(attempt(&client, plan));
        verified.attempts = attempts;
        let Some(wait) = wait else {
            break verified;
        };
        let elapsed = started.elapsed();
        if passes(&verified.raised) || elapsed + delay > wait {
            break verified;
        }
        progress.set(format!(
            "attempt {attempts}: {} finding{}; retrying in {} ({} left)",
            verified.raised.len(),
            if verified.raised.len() == 1 { "" } else { "s" },
            judge::duration_text(delay),
            judge::duration_text(wait.saturating_sub(elapsed)),
        ));
        std::thread::sleep(delay);
        delay = (delay * 2).min(Duration::from_secs(30));
    };
    // A DNS lookup still running on a blocking thread must not hold the exit.
    runtime.shutdown_background();
    Ok(verified)
}

/// The URL as reports show it: without credentials.
pub fn shown(url: &Url) -> String {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

/// Append a line to the transcript and return its span.
fn verified_line(transcript: &mut String, line: &str) -> Span {
    let start = transcript.len();
    // A line is one line: nothing the server sends reaches the transcript, but a path might
    // hold a control character.
    for c in line.chars() {
        transcript.push(if c.is_control() { ' ' } else { c });
    }
    let end = transcript.len();
    transcript.push('\n');
    start..end
}

/// One run of every check.
async fn attempt(client: &Client, plan: &Plan) -> Verified {
    let mut run = Attempt {
        client,
        plan,
        verified: Verified::default(),
        https_checked: false,
    };
    let header = format!("verify {}", shown(&plan.url));
    verified_line(&mut run.verified.transcript, &header);
    if !run.health().await {
        return run.verified;
    }
    run.cors().await;
    run.exposure().await;
    run.redirect_to_https().await;
    run.expected_paths().await;
    run.verified
}

struct Attempt<'a> {
    client: &'a Client,
    plan: &'a Plan,
    verified: Verified,
    https_checked: bool,
}

/// An answer, or why there is none, with the transcript line of the request.
struct Exchange {
    result: Result<Response, Failure>,
    line: Span,
}

impl Attempt<'_> {
    fn raise(&mut self, rule: RuleId, message: String, span: Span) {
        self.verified
            .raised
            .push(Raised::new(rule, message, SourceId(0), span));
    }

    /// Request `path` (following redirects within the host), and write it in the transcript.
    async fn fetch(&mut self, method: Method, path: &str, headers: &[(&str, &str)]) -> Exchange {
        let mut url = match self.plan.url.join(path.trim_start_matches('/')) {
            Ok(url) => url,
            Err(error) => {
                let line = verified_line(
                    &mut self.verified.transcript,
                    &format!("{} {path}: not a path ({error})", method.as_str()),
                );
                return Exchange {
                    result: Err(Failure::Protocol(format!("not a path: {error}"))),
                    line,
                };
            }
        };
        let mut redirects = 0;
        loop {
            let request = Request {
                method,
                url: url.clone(),
                headers: headers
                    .iter()
                    .map(|(name, value)| (name.to_string(), value.to_string()))
                    .collect(),
            };
            let result = self.client.send(&request).await;
            let origin = headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("origin"))
                .map(|(_, value)| format!(" (Origin: {value})"))
                .unwrap_or_default();
            let text = match &result {
                Ok(response) => format!(
                    "{} {}{origin} -> {} in {}",
                    method.as_str(),
                    path_of(&url),
                    response.status,
                    judge::duration_text(response.elapsed)
                ),
                Err(failure) => {
                    format!("{} {}{origin} -> {failure}", method.as_str(), path_of(&url))
                }
            };
            let line = verified_line(&mut self.verified.transcript, &text);
            if let Ok(response) = &result {
                self.inspect(response, &line);
                if (300..400).contains(&response.status) && redirects < MAX_REDIRECTS {
                    if let Some(next) = response
                        .header("location")
                        .and_then(|location| url.join(location).ok())
                    {
                        if same_host(&next, &self.plan.url) {
                            redirects += 1;
                            url = next;
                            continue;
                        }
                        self.raise(
                            RuleId::RedirectToOtherHost,
                            format!(
                                "{} redirects to {}, another host, which verify does not contact",
                                path_of(&url),
                                next.host_str().unwrap_or("another host")
                            ),
                            line.clone(),
                        );
                    }
                }
            }
            return Exchange { result, line };
        }
    }

    /// What every answer is checked for: a traceback; on the first HTTPS answer, the
    /// certificate and HSTS.
    fn inspect(&mut self, response: &Response, line: &Span) {
        if judge::has_traceback(&response.body)
            && !self
                .verified
                .raised
                .iter()
                .any(|raised| raised.rule == RuleId::TracebackExposed)
        {
            self.raise(
                RuleId::TracebackExposed,
                format!(
                    "the answer ({}) carries a Python traceback: debug mode is on",
                    response.status
                ),
                line.clone(),
            );
        }
        if self.https_checked || self.plan.url.scheme() != "https" {
            return;
        }
        self.https_checked = true;
        if let Some(certificate) = &response.certificate {
            let left = certificate
                .not_after
                .duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO);
            if left < CERTIFICATE_WARNING {
                let days = left.as_secs() / (24 * 3600);
                self.raise(
                    RuleId::TlsCertificateExpiring,
                    format!(
                        "the certificate ({}) expires in {days} day{}",
                        certificate.subject,
                        if days == 1 { "" } else { "s" }
                    ),
                    line.clone(),
                );
            }
        }
        if response.header("strict-transport-security").is_none() {
            self.raise(
                RuleId::HstsMissing,
                "the HTTPS answer carries no Strict-Transport-Security header".to_owned(),
                line.clone(),
            );
        }
    }

    /// Every health path answers healthy, within the budget. `false` when the service cannot
    /// be reached at all: nothing else is checked then.
    async fn health(&mut self) -> bool {
        let paths = self.plan.health_paths.clone();
        for (index, path) in paths.iter().enumerate() {
            let mut samples = Vec::with_capacity(self.plan.requests);
            for request in 0..self.plan.requests.max(1) {
                let exchange = self.fetch(Method::Get, path, &[]).await;
                let response = match exchange.result {
                    Ok(response) => response,
                    Err(failure) => {
                        if index == 0 && request == 0 {
                            self.raise(
                                RuleId::VerifyUnreachable,
                                format!("{} cannot be reached: {failure}", shown(&self.plan.url)),
                                exchange.line,
                            );
                            return false;
                        }
                        self.raise(
                            RuleId::HealthCheckFailed,
                            format!("{path} did not answer: {failure}"),
                            exchange.line,
                        );
                        break;
                    }
                };
                samples.push(response.elapsed);
                if request > 0 {
                    continue;
                }
                if let Health::Unhealthy { status, said } =
                    judge::health(response.status, &response.body)
                {
                    let said = said
                        .map(|word| format!(", status `{word}`"))
                        .unwrap_or_default();
                    self.raise(
                        RuleId::HealthCheckFailed,
                        format!("{path} answered {status}{said}, not healthy"),
                        exchange.line.clone(),
                    );
                }
                let down = judge::components_down(&response.body);
                if !down.is_empty() {
                    self.raise(
                        RuleId::ReadinessDependencyDown,
                        format!(
                            "{path} reports {} down",
                            down.iter()
                                .map(|name| format!("`{name}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        exchange.line.clone(),
                    );
                }
            }
            if let (Some(p50), Some(p95)) = (
                judge::percentile(&samples, 50),
                judge::percentile(&samples, 95),
            ) {
                self.verified.latency.push((path.clone(), p50, p95));
                if let Some(budget) = self.plan.latency_budget.filter(|budget| p95 > *budget) {
                    let line = verified_line(
                        &mut self.verified.transcript,
                        &format!(
                            "{path}: {} requests, p50 {}, p95 {}",
                            samples.len(),
                            judge::duration_text(p50),
                            judge::duration_text(p95)
                        ),
                    );
                    self.raise(
                        RuleId::LatencyOverBudget,
                        format!(
                            "{path} answers in {} at the 95th percentile, over the budget of {}",
                            judge::duration_text(p95),
                            judge::duration_text(budget)
                        ),
                        line,
                    );
                }
            }
        }
        true
    }

    /// Preflight and simple requests with each production origin and with a foreign one.
    async fn cors(&mut self) {
        let Some(path) = self.plan.health_paths.first().cloned() else {
            return;
        };
        let mut origins: Vec<(String, bool)> = self
            .plan
            .origins
            .iter()
            .map(|origin| (origin.clone(), true))
            .collect();
        origins.push((FOREIGN_ORIGIN.to_owned(), false));
        for (origin, own) in origins {
            let preflight = self
                .fetch(
                    Method::Options,
                    &path,
                    &[
                        ("Origin", &origin),
                        ("Access-Control-Request-Method", "GET"),
                    ],
                )
                .await;
            let simple = self.fetch(Method::Get, &path, &[("Origin", &origin)]).await;
            let read = |exchange: &Exchange| -> Cors {
                match &exchange.result {
                    Ok(response) => judge::cors(
                        &origin,
                        response.header("access-control-allow-origin"),
                        response.header("access-control-allow-credentials"),
                    ),
                    Err(_) => Cors::Refused,
                }
            };
            let answers = [
                (read(&preflight), preflight.line),
                (read(&simple), simple.line),
            ];
            if own {
                if answers.iter().all(|(cors, _)| *cors == Cors::Refused) {
                    let line = answers[0].1.clone();
                    self.raise(
                        RuleId::CorsRejectsOwnOrigin,
                        format!("CORS does not allow the production origin {origin}"),
                        line,
                    );
                }
                continue;
            }
            let allowed = answers.iter().find_map(|(cors, line)| match cors {
                Cors::Allowed {
                    wildcard,
                    credentials,
                } => Some((*wildcard, *credentials, line.clone())),
                Cors::Refused => None,
            });
            if let Some((wildcard, credentials, line)) = allowed {
                if credentials {
                    self.raise(
                        RuleId::CorsReflectsOrigin,
                        format!(
                            "CORS allows any origin ({}) with credentials: any website can make \
                             authenticated requests and read the answers",
                            if wildcard { "`*`" } else { "reflected" }
                        ),
                        line,
                    );
                } else {
                    self.raise(
                        RuleId::CorsAllowsForeignOrigin,
                        format!(
                            "CORS allows {}: any website can read the answers",
                            if wildcard {
                                "every origin (`*`)".to_owned()
                            } else {
                                format!("the foreign origin {FOREIGN_ORIGIN}")
                            }
                        ),
                        line,
                    );
                }
            }
        }
    }

    /// FastAPI's interactive docs must not answer in production.
    async fn exposure(&mut self) {
        let mut exposed = Vec::new();
        let mut first_line = None;
        for path in DOCS_PATHS {
            let exchange = self.fetch(Method::Get, path, &[]).await;
            if let Ok(response) = &exchange.result {
                if response.status == 200 {
                    exposed.push(*path);
                    first_line.get_or_insert(exchange.line);
                }
            }
        }
        if let Some(line) = first_line {
            self.raise(
                RuleId::ApiDocsExposed,
                format!(
                    "{} answer{} 200: the interactive API docs are public",
                    exposed.join(", "),
                    if exposed.len() == 1 { "s" } else { "" }
                ),
                line,
            );
        }
    }

    /// `http://` on the same host redirects to `https://`: checked for an `https` URL on the
    /// default port (another port's plain-HTTP twin is unknowable), not on loopback.
    async fn redirect_to_https(&mut self) {
        let url = &self.plan.url;
        if url.scheme() != "https" || url.port().is_some() || is_loopback(url) {
            return;
        }
        let Some(path) = self.plan.health_paths.first().cloned() else {
            return;
        };
        let mut plain = url.clone();
        if plain.set_scheme("http").is_err() {
            return;
        }
        let Ok(target) = plain.join(path.trim_start_matches('/')) else {
            return;
        };
        let request = Request {
            method: Method::Get,
            url: target.clone(),
            headers: Vec::new(),
        };
        let result = self.client.send(&request).await;
        let text = match &result {
            Ok(response) => format!("GET {} -> {}", shown(&target), response.status),
            Err(failure) => format!("GET {} -> {failure}", shown(&target)),
        };
        let line = verified_line(&mut self.verified.transcript, &text);
        // Nothing on port 80 is fine: no plain HTTP is served.
        let Ok(response) = result else {
            return;
        };
        if !judge::redirects_to_https(response.status, response.header("location"), &target) {
            self.raise(
                RuleId::HttpNotRedirected,
                format!(
                    "plain http:// answers {} instead of redirecting to https://",
                    response.status
                ),
                line,
            );
        }
    }

    /// `[verify] paths`: each answers its status and JSON fields.
    async fn expected_paths(&mut self) {
        for expectation in self.plan.paths.clone() {
            let exchange = self.fetch(Method::Get, &expectation.path, &[]).await;
            let problem = match &exchange.result {
                Err(failure) => Some(format!("did not answer: {failure}")),
                Ok(response) if response.status != expectation.status => Some(format!(
                    "answered {}, expected {}",
                    response.status, expectation.status
                )),
                Ok(response) => {
                    let body: Option<serde_json::Value> =
                        serde_json::from_slice(&response.body).ok();
                    expectation.json.iter().find_map(|(field, expected)| {
                        let actual = body.as_ref().and_then(|body| body.get(field));
                        (actual != Some(expected)).then(|| match actual {
                            Some(actual) => {
                                format!("has `{field}` = {actual}, expected {expected}")
                            }
                            None => format!("has no `{field}` (expected {expected})"),
                        })
                    })
                }
            };
            if let Some(problem) = problem {
                self.raise(
                    RuleId::VerifyUnexpectedAnswer,
                    format!("{} {problem}", expectation.path),
                    exchange.line,
                );
            }
        }
    }
}

/// A URL's path as the transcript shows it: without its query, which may carry a token.
fn path_of(url: &Url) -> String {
    url.path().to_owned()
}

fn same_host(a: &Url, b: &Url) -> bool {
    a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
}

fn is_loopback(url: &Url) -> bool {
    url.host_str().is_some_and(crate::host::is_loopback_host)
}
