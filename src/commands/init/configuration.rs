//! The configuration `init` writes, as `deploycheck.toml` or as `[tool.deploycheck]` in
//! pyproject.toml: only keys the configuration reader accepts (`config::parse`; the tests load
//! every shape's output with it), each one written with a comment saying what was found and
//! why, and each one that could not be inferred written commented out, with a hint. The text
//! holds names and paths only, never a value read from a .env file.

use crate::rules::Role;

use super::survey::{SettingsFound, Survey};

/// Where the configuration goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// `deploycheck.toml`: keys at the top level.
    File,
    /// `[tool.deploycheck]` in pyproject.toml.
    Pyproject,
}

impl Placement {
    /// The header of a table of the configuration (`roles` → `[roles]` or
    /// `[tool.deploycheck.roles]`).
    fn header(self, table: &str) -> String {
        match self {
            Placement::File => format!("[{table}]"),
            Placement::Pyproject => format!("[tool.deploycheck.{table}]"),
        }
    }
}

/// The widest comment line written.
const WIDTH: usize = 99;

/// A text being written: comments wrapped at [`WIDTH`].
#[derive(Default)]
struct Text(String);

impl Text {
    /// A comment paragraph, wrapped.
    fn comment(&mut self, paragraph: &str) {
        let mut line = String::from("#");
        for word in paragraph.split_whitespace() {
            if line.len() > 1 && line.len() + 1 + word.len() > WIDTH {
                self.line(&line);
                line = String::from("#");
            }
            line.push(' ');
            line.push_str(word);
        }
        self.line(&line);
    }

    /// A line of TOML, or of commented-out TOML, as it is.
    fn line(&mut self, line: &str) {
        self.0.push_str(line);
        self.0.push('\n');
    }

    fn blank(&mut self) {
        self.0.push('\n');
    }
}

/// A TOML string (also a key), quoted.
fn quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// A list of names for prose: `A, B and C`.
fn listed(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The configuration for what `survey` found.
pub fn render(survey: &Survey, placement: Placement) -> String {
    let mut text = Text::default();
    if placement == Placement::Pyproject {
        text.line("[tool.deploycheck]");
    }
    let what = match placement {
        Placement::File => "deploycheck's configuration for this project",
        Placement::Pyproject => {
            "deploycheck's configuration for this project (the same keys as deploycheck.toml)"
        }
    };
    text.comment(&format!(
        "{what}, written by `deploycheck init` (deploycheck {}) from what it found here. Each \
         setting says what it was inferred from; what could not be inferred is commented out, \
         with a hint. deploycheck's README, \"Configuration\", describes every key.",
        env!("CARGO_PKG_VERSION")
    ));
    if !survey.deployment.is_empty() {
        let names: Vec<String> = survey
            .deployment
            .iter()
            .map(|(name, _)| name.clone())
            .collect();
        text.line("#");
        text.comment(&format!(
            "Deployment files found: {}. `deploycheck lint .` judges them with the production \
             configuration beside them; they need no setting here.",
            listed(&names)
        ));
    }
    text.blank();
    settings_class(survey, &mut text);
    top_level_hints(survey, &mut text);
    roles(survey, placement, &mut text);
    per_file(survey, placement, &mut text);
    commented_tables(survey, placement, &mut text);
    // One newline at the end, none of the blank lines the sections leave.
    let mut out = text.0.trim_end().to_owned();
    out.push('\n');
    out
}

fn settings_class(survey: &Survey, text: &mut Text) {
    match &survey.settings {
        SettingsFound::One { spec, fields } => {
            text.comment(&format!(
                "The application's pydantic-settings class, the schema of every variable it \
                 reads: the only class deriving from BaseSettings in this project ({fields} \
                 fields)."
            ));
            text.line(&format!("settings = {}", quote(spec)));
        }
        SettingsFound::Unreadable { spec, reason } => {
            let root = format!("{}/", survey.root.display());
            text.comment(&format!(
                "The only class deriving from BaseSettings in this project, which deploycheck \
                 could not read ({}). Name it once it reads, or name another:",
                reason.replace(&root, "")
            ));
            text.line(&format!("# settings = {}", quote(spec)));
        }
        SettingsFound::Several(specs) => {
            text.comment(
                "Several classes derive from BaseSettings in this project, and deploycheck does \
                 not guess which one the application runs with: name it (until then, variables \
                 are judged by their names, and `lint` reports `settings-class-ambiguous`).",
            );
            for spec in specs {
                text.line(&format!("# settings = {}", quote(spec)));
            }
        }
        SettingsFound::None => {
            text.comment(
                "No class derives from BaseSettings in this project: variables are judged by \
                 their names. If the application's pydantic-settings class lives elsewhere, \
                 name it:",
            );
            text.line(&format!(
                "# settings = {}",
                quote("app/core/config.py:Settings")
            ));
        }
    }
    text.blank();
}

fn top_level_hints(survey: &Survey, text: &mut Text) {
    text.comment(
        "The profile of an input whose name says none (`railway variables` output, a plain \
         `.env`); the default is production, since this is a pre-deployment check:",
    );
    text.line(&format!("# profile = {}", quote("production")));
    text.blank();
    text.comment(
        "Exit 1 on findings at or above this severity: error, warning (the default), info or \
         never.",
    );
    text.line(&format!("# fail-on = {}", quote("warning")));
    text.blank();
    text.comment("Rules or tags to leave out (`deploycheck rules` lists them):");
    text.line(&format!("# ignore = [{}]", quote("log-level-debug")));
    text.blank();
    if survey.templates.is_empty() {
        text.comment(
            "No .env.example found. To compare every .env file with one (keys it lacks or adds):",
        );
        text.line(&format!("# example = {}", quote(".env.example")));
    } else {
        text.comment(&format!(
            "Each .env file is compared with the .env.example beside it (found: {}). To turn \
             that off:",
            listed(&survey.templates)
        ));
        text.line("# example = false");
    }
    text.blank();
    let found = if survey.secrets.is_empty() {
        String::new()
    } else {
        format!(" Secret here: {}.", listed(&survey.secrets))
    };
    text.comment(&format!(
        "Keys whose values are masked in every output, besides `SecretStr` fields and names such \
         as *_PASSWORD, *_TOKEN, *_SECRET and *_API_KEY.{found} More:"
    ));
    text.line(&format!("# secret-names = [{}]", quote("SENTRY_DSN")));
    text.blank();
}

fn roles(survey: &Survey, placement: Placement, text: &mut Text) {
    let source = match survey.settings {
        SettingsFound::One { .. } => "from the Settings class",
        SettingsFound::None | SettingsFound::Unreadable { .. } | SettingsFound::Several(_) => {
            "from the names the .env files set"
        }
    };
    if survey.roles.is_empty() {
        text.comment(&format!(
            "No variable has a role the built-in rules judge ({source}). Bind one by name, e.g. \
             the database URL:"
        ));
        text.line(&format!("# {}", placement.header("roles")));
        text.line(&format!("# database-url = {}", quote("DATABASE_URL")));
        text.blank();
        return;
    }
    text.comment(&format!(
        "What each variable is to the application, as deploycheck binds it {source} \
         (`deploycheck schema` shows the same). A role named here binds exactly the variables \
         listed, and is inferred for no other: remove a line to let deploycheck infer that role \
         again. The `secret` role is left to inference, so that a new secret is masked and \
         judged too."
    ));
    text.line(&placement.header("roles"));
    for (role, variables) in &survey.roles {
        for (name, why) in variables {
            text.comment(&format!("{name}: {why}."));
        }
        let names: Vec<String> = variables.iter().map(|(name, _)| quote(name)).collect();
        let value = match names.as_slice() {
            [one] => one.clone(),
            several => format!("[{}]", several.join(", ")),
        };
        text.line(&format!("{} = {value}", role.name()));
    }
    text.blank();
}

fn per_file(survey: &Survey, placement: Placement, text: &mut Text) {
    let files: Vec<_> = survey
        .configurations
        .iter()
        .filter(|file| !file.railway_output)
        .collect();
    if files.is_empty() {
        text.comment(
            "No .env file found. Each is judged by the profile its name says (`.env.staging`: \
             staging); to judge one otherwise:",
        );
        text.line(&format!(
            "# {}",
            placement.header(&format!("per-file.{}", quote(".env.staging")))
        ));
        text.line(&format!("# profile = {}", quote("production")));
        text.blank();
        return;
    }
    text.comment(
        "The profile each .env file is judged by, from its name, as without these tables. Change \
         one to judge that file otherwise (a staging environment that mirrors production).",
    );
    for file in files {
        let pattern = globset::escape(&file.name);
        text.line(&placement.header(&format!("per-file.{}", quote(&pattern))));
        if file.named {
            text.line(&format!(
                "profile = {}  # from its name",
                quote(file.profile)
            ));
        } else {
            text.line(&format!(
                "profile = {}  # its name says no profile; {} if it holds local settings",
                quote(file.profile),
                quote("development")
            ));
        }
        text.blank();
    }
}

/// `[environment]`, `[database]`, `[probe]`, `[verify]`: what could not be inferred, or need not
/// be, commented out.
fn commented_tables(survey: &Survey, placement: Placement, text: &mut Text) {
    let environment: Vec<String> = survey
        .roles
        .get(&Role::Environment)
        .map(|names| names.iter().map(|(name, _)| name.clone()).collect())
        .unwrap_or_default();
    let variable = if environment.is_empty() {
        "the environment variable".to_owned()
    } else {
        listed(&environment)
    };
    text.line(&format!("# {}", placement.header("environment")));
    text.comment(&format!(
        "The value of {variable} the application treats as production. Without it, deploycheck \
         takes it from the field's Literal or Enum choices, and for a plain string flags only \
         development names:"
    ));
    text.line(&format!("# production-value = {}", quote("production")));
    text.blank();

    text.line(&format!("# {}", placement.header("database")));
    match survey.driver_text() {
        Some((drivers, source)) => text.comment(&format!(
            "Found the PostgreSQL driver {drivers} by {source}; deploycheck reads it there on \
             every run. To say it here instead:"
        )),
        None => text.comment(
            "No PostgreSQL driver found (no `postgresql+DRIVER` URL in the Settings class, no \
             SQLAlchemy and driver among the dependencies), so the driver rules do not run. To \
             name it (asyncpg, psycopg, psycopg2 or pg8000):",
        ),
    }
    text.line(&format!(
        "# driver = {}",
        quote(
            survey
                .database
                .known_drivers()
                .and_then(|drivers| drivers.first())
                .map_or("asyncpg", |driver| driver.name())
        )
    ));
    text.comment(
        "The database server's max_connections, to check the pools of every replica against \
         (connections-exceed-server-limit):",
    );
    text.line("# max-connections = 100");
    text.blank();

    text.line(&format!("# {}", placement.header("probe")));
    let replicas = match survey.railway.as_ref().and_then(|railway| {
        railway
            .replicas
            .map(|replicas| (railway.file.clone(), replicas))
    }) {
        Some((file, replicas)) => format!(
            " ({file} says numReplicas = {replicas}, which deploycheck reads there on every run)"
        ),
        None => String::new(),
    };
    text.comment(&format!(
        "For `lint --probe`: instances of the service, whose pools add up on the servers{replicas}, \
         and the time limit of each probe:"
    ));
    text.line("# replicas = 2");
    text.line(&format!("# timeout = {}", quote("5s")));
    text.blank();

    text.line(&format!("# {}", placement.header("verify")));
    let health = match survey
        .railway
        .as_ref()
        .and_then(|railway| Some((railway.file.clone(), railway.healthcheck_path.clone()?)))
    {
        Some((file, path)) => format!(
            "Without health-paths, `deploycheck verify` checks {file}'s healthcheckPath ({path})."
        ),
        None => "Without health-paths, `deploycheck verify` checks /health, /health/liveness and \
                 /health/readiness."
            .to_owned(),
    };
    text.comment(&format!(
        "{health} The origins are the production front ends CORS must allow, besides the \
         configuration's CORS setting:"
    ));
    text.line(&format!("# health-paths = [{}]", quote("/health")));
    text.line(&format!(
        "# origins = [{}]",
        quote("https://app.example.com")
    ));
    text.blank();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_wrap_within_the_width() {
        let mut text = Text::default();
        text.comment(&"word ".repeat(60));
        assert!(text.0.lines().count() > 1);
        assert!(
            text.0
                .lines()
                .all(|line| line.len() <= WIDTH && line.starts_with("# "))
        );
    }

    #[test]
    fn lists_read_as_prose() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(listed(&names(&["A"])), "A");
        assert_eq!(listed(&names(&["A", "B", "C"])), "A, B and C");
    }
}
