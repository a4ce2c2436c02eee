//! What the answers of a deployed service mean: pure functions over status codes, headers and
//! bodies, so each judgement is tested without a server. The requests themselves are
//! [`super::run`]'s.

use std::time::Duration;

/// The words a health endpoint's status field uses for "fine" (`{"status": "healthy"}`), as
/// the audit's routes and common health libraries answer, compared case-insensitively.
const HEALTHY: &[&str] = &[
    "healthy",
    "alive",
    "ready",
    "ok",
    "up",
    "pass",
    "passing",
    "green",
    "available",
    "live",
    "running",
    "success",
];

/// The words a component's entry uses for "not working" in a readiness body
/// (`{"database": "down"}`).
const DOWN: &[&str] = &[
    "down",
    "error",
    "unhealthy",
    "fail",
    "failed",
    "failing",
    "unavailable",
    "unreachable",
    "not ready",
    "not_ready",
    "disconnected",
    "timeout",
    "critical",
    "red",
];

/// The keys a health body's overall status goes by.
const STATUS_KEYS: &[&str] = &["status", "state", "health", "result"];

/// How a health answer reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// 200, and a JSON status field (if any) that says healthy.
    Healthy,
    /// Not 200, or a status field that does not say healthy: the status and the field's value.
    Unhealthy { status: u16, said: Option<String> },
}

/// Judge a health endpoint's answer: 200, and when the body is a JSON object with a status
/// field, a healthy word in it.
pub fn health(status: u16, body: &[u8]) -> Health {
    let said = json_object(body).and_then(|object| {
        STATUS_KEYS.iter().find_map(|key| match object.get(*key) {
            Some(serde_json::Value::String(text)) => Some(text.clone()),
            Some(serde_json::Value::Bool(value)) => Some(value.to_string()),
            _ => None,
        })
    });
    let healthy_word = said.as_deref().is_none_or(|word| {
        HEALTHY
            .iter()
            .any(|healthy| word.eq_ignore_ascii_case(healthy))
            || word == "true"
    });
    if status == 200 && healthy_word {
        Health::Healthy
    } else {
        Health::Unhealthy { status, said }
    }
}

/// The components a readiness body reports down: `{"database": "down"}`,
/// `{"checks": {"redis": {"status": "error"}}}`, `{"database": false}`; in the body's order,
/// the overall status field left out.
pub fn components_down(body: &[u8]) -> Vec<String> {
    let Some(object) = json_object(body) else {
        return Vec::new();
    };
    let mut down = Vec::new();
    collect_down(&object, "", 0, &mut down);
    down
}

fn collect_down(
    object: &serde_json::Map<String, serde_json::Value>,
    prefix: &str,
    depth: usize,
    down: &mut Vec<String>,
) {
    if depth > 4 {
        return;
    }
    for (key, value) in object {
        if prefix.is_empty() && STATUS_KEYS.contains(&key.as_str()) {
            continue;
        }
        let name = if prefix.is_empty() || matches!(prefix, "checks" | "components" | "details") {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            serde_json::Value::String(text) if is_down_word(text) => down.push(name),
            serde_json::Value::Bool(false) => down.push(name),
            serde_json::Value::Object(inner) => {
                let status = STATUS_KEYS.iter().find_map(|key| inner.get(*key));
                match status {
                    Some(serde_json::Value::String(text)) if is_down_word(text) => down.push(name),
                    Some(serde_json::Value::Bool(false)) => down.push(name),
                    Some(_) => {}
                    None => collect_down(inner, key, depth + 1, down),
                }
            }
            _ => {}
        }
    }
}

fn is_down_word(text: &str) -> bool {
    DOWN.iter()
        .any(|word| text.trim().eq_ignore_ascii_case(word))
}

fn json_object(body: &[u8]) -> Option<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(object)) => Some(object),
        _ => None,
    }
}

/// What a CORS answer allows for one origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cors {
    /// No `Access-Control-Allow-Origin` for it.
    Refused,
    /// Allowed: by name (`reflected` when the header repeats the request's origin) or by `*`,
    /// with or without credentials.
    Allowed { wildcard: bool, credentials: bool },
}

/// Read `Access-Control-Allow-Origin` and `-Credentials` for a request that sent `origin`.
pub fn cors(origin: &str, allow_origin: Option<&str>, allow_credentials: Option<&str>) -> Cors {
    let credentials =
        allow_credentials.is_some_and(|value| value.trim().eq_ignore_ascii_case("true"));
    match allow_origin.map(str::trim) {
        Some("*") => Cors::Allowed {
            wildcard: true,
            credentials,
        },
        Some(allowed) if allowed.eq_ignore_ascii_case(origin) => Cors::Allowed {
            wildcard: false,
            credentials,
        },
        Some(_) | None => Cors::Refused,
    }
}

/// Does a body carry a Python traceback (Starlette's debug page, a framework's plain-text
/// error)?
pub fn has_traceback(body: &[u8]) -> bool {
    const MARKERS: &[&[u8]] = &[
        b"Traceback (most recent call last)",
        b"<title>Starlette Debugger</title>",
        b"File \"/",
    ];
    MARKERS.iter().take(2).any(|marker| contains(body, marker))
        || (contains(body, MARKERS[2]) && contains(body, b", line "))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Does a plain-HTTP answer send the client to `https://` (a redirect whose `Location`,
/// resolved against the request's URL, is an `https` URL)?
pub fn redirects_to_https(status: u16, location: Option<&str>, request: &url::Url) -> bool {
    (300..400).contains(&status)
        && location
            .and_then(|location| request.join(location).ok())
            .is_some_and(|next| next.scheme() == "https")
}

/// The `p`-th percentile (0-100) of durations, nearest-rank; `None` for none.
pub fn percentile(samples: &[Duration], p: u32) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = (usize::try_from(p).unwrap_or(100) * sorted.len()).div_ceil(100);
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// A duration as a report shows it: `12 ms`, `1.5 s`.
pub fn duration_text(duration: Duration) -> String {
    let millis = duration.as_secs_f64() * 1000.0;
    if millis < 1000.0 {
        format!("{millis:.0} ms")
    } else {
        format!("{:.1} s", millis / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_is_200_and_a_healthy_word() {
        assert_eq!(health(200, br#"{"status": "healthy"}"#), Health::Healthy);
        assert_eq!(health(200, br#"{"status": "OK"}"#), Health::Healthy);
        assert_eq!(health(200, b"ok"), Health::Healthy);
        assert_eq!(health(200, br#"{"uptime": 3}"#), Health::Healthy);
        assert_eq!(
            health(200, br#"{"status": "degraded"}"#),
            Health::Unhealthy {
                status: 200,
                said: Some("degraded".into())
            }
        );
        assert_eq!(
            health(503, br#"{"status": "ready"}"#),
            Health::Unhealthy {
                status: 503,
                said: Some("ready".into())
            }
        );
    }

    #[test]
    fn readiness_names_the_components_down() {
        assert_eq!(
            components_down(br#"{"status": "not ready", "database": "down", "redis": "ok"}"#),
            ["database"]
        );
        assert_eq!(
            components_down(
                br#"{"checks": {"redis": {"status": "error"}, "db": {"status": "ok"}}}"#
            ),
            ["redis"]
        );
        assert_eq!(
            components_down(br#"{"database": false, "cache": true}"#),
            ["database"]
        );
        assert!(components_down(br#"{"status": "ready", "database": "ok"}"#).is_empty());
        assert!(components_down(b"not json").is_empty());
    }

    #[test]
    fn cors_reads_the_allow_headers() {
        let origin = "https://app.example.com";
        assert_eq!(cors(origin, None, None), Cors::Refused);
        assert_eq!(
            cors(origin, Some("https://other.example.com"), None),
            Cors::Refused
        );
        assert_eq!(
            cors(origin, Some(origin), Some("true")),
            Cors::Allowed {
                wildcard: false,
                credentials: true
            }
        );
        assert_eq!(
            cors(origin, Some("*"), None),
            Cors::Allowed {
                wildcard: true,
                credentials: false
            }
        );
    }

    #[test]
    fn tracebacks_are_recognised() {
        assert!(has_traceback(
            b"Traceback (most recent call last):\n  File \"/app/main.py\", line 3"
        ));
        assert!(!has_traceback(br#"{"detail": "Internal Server Error"}"#));
    }

    #[test]
    fn plain_http_must_redirect_to_https() {
        let request = url::Url::parse("http://api.example.com/health").expect("url");
        assert!(redirects_to_https(
            301,
            Some("https://api.example.com/health"),
            &request
        ));
        assert!(redirects_to_https(
            308,
            Some("https://api.example.com/"),
            &request
        ));
        assert!(!redirects_to_https(200, None, &request));
        assert!(!redirects_to_https(302, Some("/login"), &request));
        assert!(!redirects_to_https(301, None, &request));
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let ms = |values: &[u64]| {
            values
                .iter()
                .map(|&v| Duration::from_millis(v))
                .collect::<Vec<_>>()
        };
        let samples = ms(&[10, 20, 30, 40, 500]);
        assert_eq!(percentile(&samples, 50), Some(Duration::from_millis(30)));
        assert_eq!(percentile(&samples, 95), Some(Duration::from_millis(500)));
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(duration_text(Duration::from_millis(1500)), "1.5 s");
    }
}
