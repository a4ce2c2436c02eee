//! From what the user wrote ([`super::schema`]) to runtime rules: the *validated* phase.
//!
//! Every mistake becomes an [`Error::RuleFile`] pointing at the offending line of the rule file:
//! an unknown field or check kind, a bad regex or severity, a field that does not apply to the
//! check's kind, an id that is not kebab-case.

use regex::Regex;

use super::spanned::Spanned;

use super::schema;
use super::{
    Check, CheckKind, Condition, ElementCheck, HostCheck, HttpCheck, Origin, Pattern, Predicate,
    Role, Rule, RuleDoc, RuleSet, SecretCheck, Subject, Targets, UrlCheck, UrlTemplate, ValueCheck,
    Variable, VariableType, role,
};
use crate::error::Error;
use crate::finding::Severity;

/// Names that say what is *wanted* rather than what is flagged (ruff's convention).
const FORBIDDEN_ID_PREFIXES: &[&str] = &["avoid-", "use-", "prefer-", "do-not-", "dont-"];

/// Parse and validate one rule file. `path` is how errors name it.
pub fn load(path: &str, text: &str) -> Result<(RuleSet, bool), Error> {
    // Only a file that is TOML with a rule file's tables is quoted in errors.
    crate::tomlfile::check_shape(path, text, crate::tomlfile::FileKind::Rules)?;
    let file: schema::RuleFile = toml::from_str(text).map_err(|error| {
        let span = error.span().unwrap_or(0..0);
        let message = error.message().trim_end();
        let error_at = Error::rule_file(path, text, span, message.to_owned());
        match crate::suggest::unknown_field_help(message) {
            Some(help) => error_at.with_help(help),
            None => error_at,
        }
    })?;
    let context = Context {
        path,
        text,
        built_in: false,
        patterns: Default::default(),
    };
    context.rule_file(file)
}

/// Validate a built-in rule file from the form the build script parsed it into (`text` is the
/// file itself, for the spans). Its patterns are compiled when first used.
pub fn load_built_in(
    path: &str,
    text: &str,
    file: schema::RuleFile,
) -> Result<(RuleSet, bool), Error> {
    let context = Context {
        path,
        text,
        built_in: true,
        patterns: Default::default(),
    };
    context.rule_file(file)
}

struct Context<'a> {
    path: &'a str,
    text: &'a str,
    /// A built-in file: its patterns are known to compile.
    built_in: bool,
    /// The patterns made so far, by source.
    patterns: std::cell::RefCell<std::collections::HashMap<String, Pattern>>,
}

impl Context<'_> {
    fn error(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> Error {
        Error::rule_file(self.path, self.text, span, message)
    }

    fn rule_file(&self, file: schema::RuleFile) -> Result<(RuleSet, bool), Error> {
        let mut set = RuleSet::default();
        let case_sensitive_set = match file.settings.and_then(|s| s.case_sensitive) {
            Some(flag) => {
                set.case_sensitive = *flag.get_ref();
                true
            }
            None => false,
        };
        for (name, variable) in file.variables {
            let variable = self.variable(&name, variable)?;
            set.variables.insert(variable.name.clone(), variable);
        }
        for rule in file.rules {
            let span = rule.span();
            let rule = self.rule(rule.into_inner(), span)?;
            if let Some(earlier) = set.rules.iter().find(|r| r.doc.id == rule.doc.id) {
                let (line, _) = crate::error::line_col(self.text, earlier.origin.span.start);
                return Err(self.error(
                    rule.origin.span.clone(),
                    format!(
                        "rule `{}` is defined twice (first on line {line})",
                        rule.doc.id
                    ),
                ));
            }
            for check in &rule.checks {
                if let (Predicate::Http(_), Targets::Named(names)) =
                    (&check.predicate, &check.targets)
                {
                    set.sent_to_apis.extend(names.iter().cloned());
                }
            }
            set.rules.push(rule);
        }
        Ok((set, case_sensitive_set))
    }

    fn variable(&self, name: &Spanned<String>, raw: schema::Variable) -> Result<Variable, Error> {
        if name.get_ref().is_empty()
            || name
                .get_ref()
                .chars()
                .any(|c| c.is_whitespace() || c == '=')
        {
            return Err(self.error(
                name.span(),
                "a variable name cannot be empty or hold whitespace or `=`",
            ));
        }
        let kind = match &raw.kind {
            None => VariableType::String,
            Some(kind) => VariableType::parse(kind.get_ref()).ok_or_else(|| {
                self.error(
                    kind.span(),
                    format!(
                        "unknown variable type `{}`; expected one of {}",
                        kind.get_ref(),
                        VariableType::NAMES.join(", ")
                    ),
                )
            })?,
        };
        let secret = raw.secret.unwrap_or(kind == VariableType::Secret);
        let roles = role::infer(&role::undeclared_clues(name.get_ref(), secret));
        Ok(Variable {
            required: raw.required,
            default: raw.default,
            secret,
            description: raw.description,
            roles,
            ..Variable::named(name.get_ref(), kind)
        })
    }

    fn rule(&self, raw: schema::Rule, span: std::ops::Range<usize>) -> Result<Rule, Error> {
        let id = raw.id.get_ref();
        if !is_kebab_case(id) {
            return Err(self.error(
                raw.id.span(),
                format!("rule id `{id}` is not kebab-case (lowercase words joined by `-`)"),
            ));
        }
        if let Some(prefix) = FORBIDDEN_ID_PREFIXES.iter().find(|p| id.starts_with(*p)) {
            return Err(self
                .error(
                    raw.id.span(),
                    format!("rule id `{id}` starts with `{prefix}`"),
                )
                .with_help("name what is flagged, e.g. `debug-enabled`, not `avoid-debug`"));
        }
        let severity = Severity::parse(raw.severity.get_ref()).ok_or_else(|| {
            self.error(
                raw.severity.span(),
                format!(
                    "unknown severity `{}`; expected error, warning or info",
                    raw.severity.get_ref()
                ),
            )
        })?;
        if raw.summary.trim().is_empty() {
            return Err(self.error(span.clone(), format!("rule `{id}` has an empty `summary`")));
        }
        let when = raw
            .when
            .map(|condition| self.condition(condition))
            .transpose()?;
        let checks_span = raw.check.span();
        let checks = raw.check.into_inner().0;
        if checks.is_empty() {
            return Err(self.error(checks_span, "`check` is empty"));
        }
        let checks = checks
            .into_iter()
            .map(|check| {
                let span = if check.span() == (0..0) {
                    checks_span.clone()
                } else {
                    check.span()
                };
                self.check(check.into_inner(), span)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Rule {
            doc: RuleDoc {
                id: id.clone(),
                severity,
                summary: raw.summary,
                why: raw.why,
                help: raw.help,
                example_bad: raw.example.bad,
                example_good: raw.example.good,
                url: raw.url,
                tags: raw.tags,
                opt_in: raw.opt_in,
                pack: raw.pack,
            },
            message: raw.message,
            unsuppressible: raw.unsuppressible,
            when,
            checks,
            origin: Origin {
                file: self.path.to_owned(),
                span,
            },
        })
    }

    fn condition(&self, raw: Spanned<schema::Condition>) -> Result<Condition, Error> {
        let span = raw.span();
        let raw = raw.into_inner();
        let forms = [
            raw.profile.is_some(),
            raw.all.is_some(),
            raw.any.is_some(),
            raw.not.is_some(),
            raw.variable.is_some(),
            raw.role.is_some(),
            raw.driver.is_some(),
        ];
        if forms.iter().filter(|present| **present).count() != 1 {
            return Err(self
                .error(
                    span,
                    "a condition needs exactly one of `profile`, `variable`, `role`, `driver`, \
                     `all`, `any`, `not`",
                )
                .with_help("combine several with `all = [{ ... }, { ... }]`"));
        }
        if let Some(profile) = raw.profile {
            return Ok(Condition::Profile(profile.into_inner().0));
        }
        if let Some(drivers) = raw.driver {
            let span = drivers.span();
            let drivers = drivers
                .into_inner()
                .0
                .iter()
                .map(|name| {
                    crate::project::Driver::parse(name).ok_or_else(|| {
                        let known: Vec<&str> = crate::project::Driver::ALL
                            .iter()
                            .map(|d| d.name())
                            .collect();
                        self.error(
                            span.clone(),
                            format!(
                                "unknown driver `{name}`; expected one of {}",
                                known.join(", ")
                            ),
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
            return Ok(Condition::Driver(drivers));
        }
        if let Some(all) = raw.all {
            return Ok(Condition::All(
                all.into_iter()
                    .map(|c| self.condition(c))
                    .collect::<Result<_, _>>()?,
            ));
        }
        if let Some(any) = raw.any {
            return Ok(Condition::Any(
                any.into_iter()
                    .map(|c| self.condition(c))
                    .collect::<Result<_, _>>()?,
            ));
        }
        if let Some(not) = raw.not {
            return Ok(Condition::Not(Box::new(self.condition(*not)?)));
        }
        let variable = match (raw.variable, &raw.role) {
            (Some(variable), _) => Subject::Variable(variable.into_inner()),
            (None, Some(role)) => Subject::Role(self.role(role)?),
            (None, None) => Subject::Variable(String::new()),
        };
        let tests = [
            raw.equals.is_some(),
            raw.one_of.is_some(),
            raw.set.is_some(),
            raw.matches.is_some(),
        ];
        if tests.iter().filter(|present| **present).count() != 1 {
            return Err(self.error(
                span,
                "a `variable` or `role` condition needs exactly one of `equals`, `one-of`, `set`, \
                 `matches`",
            ));
        }
        Ok(if let Some(value) = raw.equals {
            Condition::Equals { variable, value }
        } else if let Some(values) = raw.one_of {
            Condition::OneOf { variable, values }
        } else if let Some(set) = raw.set {
            Condition::Set { variable, set }
        } else {
            let pattern = raw
                .matches
                .unwrap_or_else(|| Spanned::new(0..0, String::new()));
            Condition::Matches {
                variable,
                pattern: self.regex(&pattern)?,
            }
        })
    }

    fn role(&self, name: &Spanned<String>) -> Result<Role, Error> {
        Role::parse(name.get_ref()).ok_or_else(|| {
            let names: Vec<&str> = Role::ALL.iter().map(|role| role.name()).collect();
            let error = self.error(
                name.span(),
                format!(
                    "unknown role `{}`; expected one of {}",
                    name.get_ref(),
                    names.join(", ")
                ),
            );
            match crate::suggest::closest(name.get_ref(), &names) {
                Some(near) => error.with_help(format!("did you mean `{near}`?")),
                None => error,
            }
        })
    }

    /// A user's pattern is compiled now, so that a bad one is an error pointing at it; a
    /// built-in one when a run first uses it (a test compiles them all).
    /// The same pattern written twice in a file is one [`Pattern`], compiled once.
    fn regex(&self, pattern: &Spanned<String>) -> Result<Pattern, Error> {
        if let Some(known) = self.patterns.borrow().get(pattern.get_ref()) {
            return Ok(known.clone());
        }
        let compiled = if self.built_in {
            Pattern::deferred(pattern.get_ref().clone())
        } else {
            Regex::new(pattern.get_ref())
                .map(Pattern::compiled)
                .map_err(|error| {
                    let detail = error.to_string();
                    let last = detail.lines().last().unwrap_or("invalid").trim().to_owned();
                    self.error(pattern.span(), format!("invalid regex: {last}"))
                })?
        };
        self.patterns
            .borrow_mut()
            .insert(pattern.get_ref().clone(), compiled.clone());
        Ok(compiled)
    }

    fn check(&self, raw: schema::Check, span: std::ops::Range<usize>) -> Result<Check, Error> {
        let name = raw.kind.get_ref().as_str();
        let Some(check_kind) = CheckKind::parse(name) else {
            let names: Vec<&str> = CheckKind::ALL.iter().map(|kind| kind.name()).collect();
            let mut error = self.error(
                raw.kind.span(),
                format!(
                    "unknown check kind `{name}`; expected one of {}",
                    names.join(", ")
                ),
            );
            if let Some(near) = crate::suggest::closest(name, &names) {
                error = error.with_help(format!("did you mean `{near}`?"));
            }
            return Err(error);
        };
        let kind = check_kind.name();
        let allowed = check_kind.options();
        for (field, field_span) in present_fields(&raw) {
            if !allowed.contains(&field) {
                return Err(self.error(
                    field_span.unwrap_or_else(|| span.clone()),
                    format!("`{field}` does not apply to a `{kind}` check"),
                ));
            }
        }
        let named: Option<Targets> = match (&raw.variable, &raw.variables, &raw.role) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => {
                return Err(self.error(
                    span.clone(),
                    "give one of `variable`, `variables` or `role`",
                ));
            }
            (Some(one), None, None) => Some(Targets::Named(vec![one.get_ref().clone()])),
            (None, Some(list), None) => Some(Targets::Named(
                list.iter().map(|v| v.get_ref().clone()).collect(),
            )),
            (None, None, Some(role)) => Some(Targets::Role {
                role: self.role(role)?,
                except: raw.except_role.as_ref().map(|r| self.role(r)).transpose()?,
            }),
            (None, None, None) => None,
        };
        if let (Some(except), None) = (&raw.except_role, &raw.role) {
            return Err(self.error(except.span(), "`except-role` needs `role`"));
        }
        let case_sensitive = raw.case_sensitive.as_ref().map(|flag| *flag.get_ref());
        let need_variable = |what: &str| -> Result<Targets, Error> {
            named.clone().ok_or_else(|| {
                self.error(
                    span.clone(),
                    format!("a `{what}` check needs `variable`, `variables` or `role`"),
                )
            })
        };
        let list = |field: &Option<Spanned<Vec<String>>>| -> Vec<String> {
            field
                .as_ref()
                .map(|f| f.get_ref().clone())
                .unwrap_or_default()
        };
        let flag = |field: &Option<Spanned<bool>>| field.as_ref().is_some_and(|f| *f.get_ref());
        let (targets, predicate) = match check_kind {
            CheckKind::Required => (targets_or(named, Targets::Required), Predicate::Required),
            CheckKind::Unset => (need_variable(kind)?, Predicate::Unset),
            CheckKind::Equals => {
                let value = raw
                    .value
                    .as_ref()
                    .ok_or_else(|| self.error(span.clone(), "an `equals` check needs `value`"))?;
                (
                    need_variable(kind)?,
                    Predicate::Value(ValueCheck::Equals {
                        value: value.get_ref().clone(),
                        case_sensitive: case_sensitive.unwrap_or(true),
                    }),
                )
            }
            CheckKind::OneOf | CheckKind::NoneOf => {
                let values = raw
                    .values
                    .as_ref()
                    .ok_or_else(|| {
                        self.error(span.clone(), format!("a `{kind}` check needs `values`"))
                    })?
                    .get_ref()
                    .clone();
                let case_sensitive = case_sensitive.unwrap_or(true);
                let predicate = if check_kind == CheckKind::OneOf {
                    Predicate::Value(ValueCheck::OneOf {
                        values,
                        case_sensitive,
                    })
                } else {
                    Predicate::Value(ValueCheck::NoneOf {
                        values,
                        case_sensitive,
                    })
                };
                (need_variable(kind)?, predicate)
            }
            CheckKind::Bool => (
                targets_or(named, Targets::OfType(VariableType::Bool)),
                Predicate::Value(ValueCheck::Bool {
                    is: raw.is.as_ref().map(|f| *f.get_ref()),
                }),
            ),
            CheckKind::Int => {
                let min = raw.min.as_ref().map(|v| *v.get_ref());
                let max = raw.max.as_ref().map(|v| *v.get_ref());
                if let (Some(low), Some(high), Some(at)) = (min, max, raw.max.as_ref()) {
                    if low > high {
                        return Err(
                            self.error(at.span(), format!("`max` ({high}) is below `min` ({low})"))
                        );
                    }
                }
                (
                    targets_or(named, Targets::OfType(VariableType::Int)),
                    Predicate::Value(ValueCheck::Int { min, max }),
                )
            }
            CheckKind::Matches | CheckKind::NotMatches => {
                let pattern = raw.pattern.as_ref().ok_or_else(|| {
                    self.error(span.clone(), format!("a `{kind}` check needs `pattern`"))
                })?;
                let regex = self.regex(pattern)?;
                let predicate = if check_kind == CheckKind::Matches {
                    Predicate::Value(ValueCheck::Matches(regex))
                } else {
                    Predicate::Value(ValueCheck::NotMatches(regex))
                };
                (need_variable(kind)?, predicate)
            }
            CheckKind::Url => (
                targets_or(named, Targets::OfType(VariableType::Url)),
                Predicate::Value(ValueCheck::Url(UrlCheck {
                    schemes: list(&raw.schemes),
                    require_host: flag(&raw.require_host),
                    forbid_local_host: flag(&raw.forbid_local_host),
                    forbid_hosts: list(&raw.forbid_hosts),
                    exempt_hosts: list(&raw.exempt_hosts),
                    exempt_private_hosts: flag(&raw.exempt_private_hosts),
                    forbidden_params: list(&raw.forbidden_params),
                    required_params: list(&raw.required_params),
                    known_params: list(&raw.known_params),
                    driver_scheme: flag(&raw.driver_scheme),
                })),
            ),
            CheckKind::ProductionValue => (
                need_variable(kind)?,
                Predicate::Value(ValueCheck::ProductionValue),
            ),
            CheckKind::Host => (
                need_variable(kind)?,
                Predicate::Value(ValueCheck::Host(HostCheck {
                    forbid_local_host: flag(&raw.forbid_local_host),
                    forbid_hosts: list(&raw.forbid_hosts),
                })),
            ),
            CheckKind::JsonList => (
                targets_or(named, Targets::OfType(VariableType::JsonList)),
                Predicate::Value(ValueCheck::JsonList {
                    element: raw.element.map(|element| {
                        let element = element.into_inner();
                        ElementCheck {
                            forbid: element.forbid.unwrap_or_default(),
                            skip: element.skip.unwrap_or_default(),
                            schemes: element.schemes.unwrap_or_default(),
                            forbid_local_host: element.forbid_local_host,
                            origin_only: element.origin_only,
                        }
                    }),
                    split_invalid: flag(&raw.split_invalid),
                }),
            ),
            CheckKind::Secret => {
                // One pattern for the whole list (a value matches the alternation when it matches
                // one of them): one compilation instead of one per placeholder. A user's list is
                // first compiled one by one, so that a bad pattern is named alone.
                let placeholder_pattern = match &raw.placeholder_patterns {
                    Some(list) if !list.get_ref().is_empty() => {
                        let whole = |pattern: &str| {
                            Spanned::new(list.span(), format!("(?i)^(?:{pattern})$"))
                        };
                        if !self.built_in {
                            for pattern in list.get_ref() {
                                self.regex(&whole(pattern))?;
                            }
                        }
                        let alternation: Vec<String> = list
                            .get_ref()
                            .iter()
                            .map(|pattern| format!("(?:{pattern})"))
                            .collect();
                        Some(self.regex(&whole(&alternation.join("|")))?)
                    }
                    _ => None,
                };
                (
                    targets_or(named, Targets::OfType(VariableType::Secret)),
                    Predicate::Value(ValueCheck::Secret(SecretCheck {
                        min_length: raw.min_length.as_ref().map(|v| *v.get_ref()),
                        min_bits: raw
                            .min_bits
                            .as_ref()
                            .map(|bits| {
                                let value = *bits.get_ref();
                                if value.is_finite() && value >= 0.0 {
                                    Ok(value)
                                } else {
                                    Err(self.error(
                                        bits.span(),
                                        format!(
                                            "`min-bits` must be a finite number of bits, at \
                                             least 0, not {value}"
                                        ),
                                    ))
                                }
                            })
                            .transpose()?,
                        min_distinct: raw.min_distinct.as_ref().map(|v| *v.get_ref()),
                        max_run: raw.max_run.as_ref().map(|v| *v.get_ref()),
                        placeholders: list(&raw.placeholders)
                            .into_iter()
                            .map(|p| p.to_lowercase())
                            .collect(),
                        placeholder_pattern,
                    })),
                )
            }
            CheckKind::RawContains => {
                let pattern = raw.pattern.as_ref().ok_or_else(|| {
                    self.error(span.clone(), "a `raw-contains` check needs `pattern`")
                })?;
                (
                    targets_or(named, Targets::Every),
                    Predicate::RawContains(self.regex(pattern)?),
                )
            }
            CheckKind::Syntax => (Targets::Input, Predicate::Syntax),
            CheckKind::DuplicateKey => (Targets::Input, Predicate::DuplicateKey),
            CheckKind::Notice => (Targets::Input, Predicate::Notice),
            CheckKind::UnresolvedReference => (Targets::Input, Predicate::UnresolvedReference),
            CheckKind::ExampleMissingKey => (Targets::Input, Predicate::ExampleMissingKey),
            CheckKind::ExampleUndocumentedKey => {
                (Targets::Input, Predicate::ExampleUndocumentedKey)
            }
            CheckKind::ExampleValueCopied => (Targets::Input, Predicate::ExampleValueCopied),
            CheckKind::Suppression => (Targets::Input, Predicate::Suppression),
            CheckKind::Probe => (Targets::Input, Predicate::Probe),
            CheckKind::SettingsClass => (Targets::Input, Predicate::SettingsClass),
            CheckKind::Deployment => (Targets::Input, Predicate::Deployment),
            CheckKind::Verify => (Targets::Input, Predicate::Verify),
            CheckKind::Migrations => (Targets::Input, Predicate::Migrations),
            CheckKind::SharedQuota => {
                let max = raw.max.as_ref().ok_or_else(|| {
                    self.error(
                        span.clone(),
                        "a `shared-quota` check needs `max`, the quota the instances share",
                    )
                })?;
                let targets = named.ok_or_else(|| {
                    self.error(
                        span.clone(),
                        "a `shared-quota` check needs `variable`, `variables` or `role`",
                    )
                })?;
                (
                    targets,
                    Predicate::SharedQuota {
                        max: *max.get_ref(),
                    },
                )
            }
            CheckKind::Http => (
                named.ok_or_else(|| {
                    self.error(
                        span.clone(),
                        "an `http` check needs `variable`, the variable whose value it sends",
                    )
                })?,
                Predicate::Http(self.http(&raw, &span)?),
            ),
        };
        Ok(Check {
            kind: check_kind,
            targets,
            predicate,
        })
    }
}

impl Context<'_> {
    /// An `http` check's URL, expected status and timeout, each checked where it is written.
    fn http(&self, raw: &schema::Check, span: &std::ops::Range<usize>) -> Result<HttpCheck, Error> {
        let url = raw.url.as_ref().ok_or_else(|| {
            self.error(
                span.clone(),
                "an `http` check needs `url`, with `{value}` where the value goes",
            )
        })?;
        let template = UrlTemplate::parse(url.get_ref()).map_err(|message| {
            self.error(url.span(), message)
                .with_help("e.g. `url = \"https://api.example.com/v1/check?api_key={value}\"`")
        })?;
        let status = raw.expect_status.as_ref().ok_or_else(|| {
            self.error(
                span.clone(),
                "an `http` check needs `expect-status`, the status that means the value was \
                 accepted",
            )
        })?;
        let expect_status = u16::try_from(*status.get_ref())
            .ok()
            .filter(|code| (100..=599).contains(code))
            .ok_or_else(|| {
                self.error(
                    status.span(),
                    format!(
                        "`expect-status` {} is not an HTTP status (100 to 599)",
                        status.get_ref()
                    ),
                )
            })?;
        let timeout = raw
            .timeout
            .as_ref()
            .map(|timeout| {
                crate::cli::parse_timeout(timeout.get_ref())
                    .map_err(|reason| self.error(timeout.span(), format!("`timeout`: {reason}")))
            })
            .transpose()?;
        Ok(HttpCheck {
            url: template,
            expect_status,
            timeout,
        })
    }
}

fn targets_or(named: Option<Targets>, default: Targets) -> Targets {
    named.unwrap_or(default)
}

/// The optional fields a check sets, with their spans where known.
fn present_fields(raw: &schema::Check) -> Vec<(&'static str, Option<std::ops::Range<usize>>)> {
    fn span<T>(field: &Option<Spanned<T>>) -> Option<Option<std::ops::Range<usize>>> {
        field.as_ref().map(|f| Some(f.span()))
    }
    let fields = [
        ("variable", span(&raw.variable)),
        (
            "variables",
            raw.variables
                .as_ref()
                .map(|list| list.first().map(|v| v.span())),
        ),
        ("role", span(&raw.role)),
        ("except-role", span(&raw.except_role)),
        ("value", span(&raw.value)),
        ("values", span(&raw.values)),
        ("case-sensitive", span(&raw.case_sensitive)),
        ("is", span(&raw.is)),
        ("min", span(&raw.min)),
        ("max", span(&raw.max)),
        ("pattern", span(&raw.pattern)),
        ("schemes", span(&raw.schemes)),
        ("require-host", span(&raw.require_host)),
        ("forbid-local-host", span(&raw.forbid_local_host)),
        ("forbid-hosts", span(&raw.forbid_hosts)),
        ("exempt-hosts", span(&raw.exempt_hosts)),
        ("exempt-private-hosts", span(&raw.exempt_private_hosts)),
        ("forbidden-params", span(&raw.forbidden_params)),
        ("required-params", span(&raw.required_params)),
        ("known-params", span(&raw.known_params)),
        ("driver-scheme", span(&raw.driver_scheme)),
        ("element", span(&raw.element)),
        ("split-invalid", span(&raw.split_invalid)),
        ("min-length", span(&raw.min_length)),
        ("min-bits", span(&raw.min_bits)),
        ("min-distinct", span(&raw.min_distinct)),
        ("max-run", span(&raw.max_run)),
        ("placeholders", span(&raw.placeholders)),
        ("placeholder-patterns", span(&raw.placeholder_patterns)),
        ("url", span(&raw.url)),
        ("expect-status", span(&raw.expect_status)),
        ("timeout", span(&raw.timeout)),
    ];
    fields
        .into_iter()
        .filter_map(|(name, span)| span.map(|span| (name, span)))
        .collect()
}

/// Lowercase ASCII words of letters and digits joined by single `-`.
pub fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && id.starts_with(|c: char| c.is_ascii_lowercase())
}
