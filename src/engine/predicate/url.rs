//! URL predicates: scheme, host, and query parameters of a URL setting.

use super::{Judged, Problem};
use crate::host::{is_local_host, is_private_host};
use crate::rules::UrlCheck;
use crate::secret;

/// A `*` glob, case-insensitive.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let pattern = pattern.to_lowercase();
    let text = text.to_lowercase();
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text.ends_with(last) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

pub(super) fn judge_url(check: &UrlCheck, judged: &Judged) -> Vec<Problem> {
    let name = &judged.name;
    let value = judged.value;
    let url = match url::Url::parse(value) {
        Ok(url) => url,
        Err(error) => {
            return if check.require_host {
                vec![Problem::new(format!(
                    "`{name}` is not a valid URL ({error})"
                ))]
            } else {
                Vec::new()
            };
        }
    };
    let host = url.host_str().unwrap_or("").to_owned();
    if host.is_empty() {
        return if check.require_host {
            vec![Problem::new(format!("`{name}` has no host"))]
        } else {
            Vec::new()
        };
    }
    let mut problems = Vec::new();
    let scheme = url.scheme();
    let exempt = check.exempt_hosts.iter().any(|p| glob_match(p, &host))
        || (check.exempt_private_hosts && is_private_host(&host));
    if !check.schemes.is_empty() && !check.schemes.iter().any(|s| s == scheme) && !exempt {
        let wanted = &check.schemes[0];
        let rewritten = format!("{wanted}{}", &value[scheme.len().min(value.len())..]);
        let mut problem = Problem::new(format!(
            "`{name}` uses the scheme `{scheme}://`, expected `{wanted}://`"
        ));
        problem.span = Some(0..scheme.len().min(value.len()));
        // A secret URL (a DSN whose user name is the key) is not rewritten in the clear.
        problem.suggestion = (!judged.secret).then(|| secret::mask_url_passwords(&rewritten));
        problems.push(problem);
    }
    if check.forbid_local_host && is_local_host(&host) {
        let mut problem = Problem::new(format!(
            "`{name}` points at `{}`, this machine, not a server the deployment can reach",
            judged.shown_piece(&host)
        ));
        problem.span = value.find(&host).map(|at| at..at + host.len());
        problems.push(problem);
    }
    if let Some(pattern) = check.forbid_hosts.iter().find(|p| glob_match(p, &host)) {
        let mut problem = Problem::new(format!(
            "`{name}` points at `{}` (matches `{pattern}`)",
            judged.shown_piece(&host)
        ));
        problem.span = value.find(&host).map(|at| at..at + host.len());
        problems.push(problem);
    }
    let params: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    for param in &check.forbidden_params {
        if params.iter().any(|p| p == param) {
            let mut problem =
                Problem::new(format!("`{name}` carries the query parameter `{param}`"));
            let needle = format!("{param}=");
            problem.span = value.find(&needle).map(|at| at..at + needle.len() - 1);
            problems.push(problem);
        }
    }
    for param in &check.required_params {
        if !params.iter().any(|p| p == param) {
            problems.push(Problem::new(format!(
                "`{name}` lacks the query parameter `{param}`"
            )));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("*.railway.internal", "redis.railway.internal"));
        assert!(!glob_match(
            "*.railway.internal",
            "railway.internal.evil.com"
        ));
        assert!(glob_match("*.proxy.rlwy.net", "roundhouse.proxy.rlwy.net"));
        assert!(glob_match("exact.host", "EXACT.host"));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "ac"));
    }
}
