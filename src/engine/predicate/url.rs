//! URL predicates: scheme, host, and query parameters of a URL setting.

use super::{Judged, Problem};
use crate::host::{is_local_host, is_private_host};
use crate::project::{Driver, SchemeDriver, scheme_driver};
use crate::rules::{HostCheck, UrlCheck};

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
    let url = match crate::secret::parse_client_url(value) {
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
        let mut problem = Problem::new(format!(
            "`{name}` uses the scheme `{scheme}://`, expected `{wanted}://`"
        ));
        problem.span = Some(0..scheme.len().min(value.len()));
        // A secret URL (a DSN whose user name is the key) is not rewritten in the clear.
        problem.suggestion = rewritten(wanted, scheme, judged);
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
    if !check.known_params.is_empty() {
        for param in &params {
            if !check.known_params.iter().any(|known| known == param) {
                let mut problem =
                    Problem::new(format!("`{name}` carries the query parameter `{param}`"));
                let needle = format!("{param}=");
                problem.span = value.find(&needle).map(|at| at..at + needle.len() - 1);
                problems.push(problem);
            }
        }
    }
    if check.driver_scheme {
        problems.extend(driver_problem(scheme, value, judged));
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

/// Does the URL's scheme select a PostgreSQL driver the project installs? Judged only when the
/// project's drivers are known ([`crate::project`]): the help never proposes one it lacks.
fn driver_problem(scheme: &str, value: &str, judged: &Judged) -> Option<Problem> {
    let database = &judged.app.database;
    let installed = database.known_drivers()?;
    let name = &judged.name;
    let detail = match scheme_driver(scheme) {
        SchemeDriver::NotPostgres => return None,
        SchemeDriver::Driver(driver) if installed.contains(&driver) => return None,
        SchemeDriver::Default
            if installed.contains(&Driver::Psycopg2) || installed.contains(&Driver::Psycopg) =>
        {
            return None;
        }
        SchemeDriver::Default => format!(
            "`{name}` uses `{scheme}://`, which selects SQLAlchemy's default driver (psycopg2 up \
             to SQLAlchemy 2.0, psycopg from 2.1), and the project installs neither"
        ),
        SchemeDriver::UnknownDialect => format!(
            "`{name}` uses `{scheme}://`, which is not a dialect SQLAlchemy knows \
             (`NoSuchModuleError: Can't load plugin: sqlalchemy.dialects:postgres`)"
        ),
        SchemeDriver::UnknownDriver => {
            format!("`{name}` uses `{scheme}://`, which names no driver SQLAlchemy has")
        }
        SchemeDriver::Driver(driver) => format!(
            "`{name}` uses `{scheme}://`, which selects {driver}, and the project does not install it"
        ),
    };
    let names: Vec<&str> = installed.iter().map(|d: &Driver| d.name()).collect();
    let source = database
        .source
        .as_ref()
        .map(|source| format!(", by {source}"))
        .unwrap_or_default();
    let wanted = installed[0].scheme();
    let mut problem = Problem::new(format!(
        "{detail}; the project uses {}{source}",
        names.join(", ")
    ));
    problem.span = Some(0..scheme.len().min(value.len()));
    problem.suggestion = Some(match rewritten(wanted, scheme, judged) {
        Some(url) => format!("`{url}`"),
        None => format!("`{wanted}://`"),
    });
    Some(problem)
}

/// The URL with its scheme replaced by `wanted`, as messages may show it: built from the shown
/// value, so that its secrets (URL passwords, interpolated secrets) stay masked. `None` for a
/// secret URL, or one whose scheme is itself masked.
fn rewritten(wanted: &str, scheme: &str, judged: &Judged) -> Option<String> {
    if judged.secret {
        return None;
    }
    let shown = &judged.shown;
    let written = shown.get(..scheme.len())?;
    written
        .eq_ignore_ascii_case(scheme)
        .then(|| format!("{wanted}{}", &shown[scheme.len()..]))
}

/// A bare host name (a URL assembled from parts).
pub(super) fn judge_host(check: &HostCheck, judged: &Judged) -> Vec<Problem> {
    let name = &judged.name;
    let host = judged.value.trim();
    if host.is_empty() {
        return Vec::new();
    }
    let shown = judged.shown_piece(host);
    let mut problems = Vec::new();
    if check.forbid_local_host && is_local_host(host) {
        problems.push(Problem::new(format!(
            "`{name}` is `{shown}`, this machine, not a server the deployment can reach"
        )));
    }
    if let Some(pattern) = check.forbid_hosts.iter().find(|p| glob_match(p, host)) {
        problems.push(Problem::new(format!(
            "`{name}` is `{shown}` (matches `{pattern}`)"
        )));
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
