//! A concrete next step for each failure, by cause: the install command for a missing
//! requirement, the quarantine command with the test's score, a timeout from measured
//! durations, the formatter's or linter's auto-fix, a snapshot update, a bisect. Some are safe
//! for `--apply` (formatting, lint auto-fix, quarantine with expiry); the rest are advice.

use crate::classify::{Cause, Facts, Verdict};
use crate::evidence::short;
use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fix {
    /// What to do, in words.
    pub action: String,
    /// Commands that do it (shell), if any.
    pub commands: Vec<String>,
    /// What `--apply` would do; None when the fix needs a person.
    pub safe: Option<SafeFix>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SafeFix {
    /// Quarantine the test for `days` (rigor-store's quarantine, with expiry).
    Quarantine { days: f64, reason: String },
    /// Run a formatter or linter's auto-fix in the suite's directory.
    Command { command: String, dir: String },
}

/// Import names whose distribution is named differently.
const DISTRIBUTIONS: &[(&str, &str)] = &[
    ("yaml", "PyYAML"),
    ("cv2", "opencv-python"),
    ("PIL", "Pillow"),
    ("sklearn", "scikit-learn"),
    ("bs4", "beautifulsoup4"),
    ("dateutil", "python-dateutil"),
    ("attr", "attrs"),
    ("jwt", "PyJWT"),
    ("dotenv", "python-dotenv"),
    ("google.protobuf", "protobuf"),
    ("serial", "pyserial"),
    ("magic", "python-magic"),
];

static NO_MODULE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"No module named '?([\w.]+)'?").expect("valid"));
static FROM_MODULE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"from '([\w.]+)'").expect("valid"));
static PORT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)port[ =:]*(\d{2,5})|:(\d{2,5})\b").expect("valid"));

pub struct FixContext<'a> {
    /// The suite's command when it is a `command` suite.
    pub command: Option<&'a str>,
    pub suite_root: &'a str,
    pub quarantine_days: f64,
}

pub fn suggest(f: &Facts, v: &Verdict, key: &rigor_model::TestKey, cx: &FixContext) -> Fix {
    let id = shell_quote(&key.id);
    match v.cause {
        Cause::Flaky => {
            let s = &f.evidence.flaky;
            let reason = format!("flaky (score {:.2}): {}", s.score, f.sig.headline());
            Fix {
                action: format!(
                    "quarantine it for {} days while its non-determinism is fixed (flakiness score {:.2}); it keeps running, its failures stop failing the build",
                    cx.quarantine_days, s.score
                ),
                commands: vec![format!(
                    "rigor flaky quarantine {id} --suite {} --days {} --reason {}",
                    key.suite,
                    cx.quarantine_days,
                    shell_quote(&reason)
                )],
                safe: Some(SafeFix::Quarantine {
                    days: cx.quarantine_days,
                    reason,
                }),
            }
        }
        Cause::Environment => environment(f),
        Cause::Infrastructure => infrastructure(f),
        Cause::TestBug => {
            let at = f
                .sig
                .frames
                .first()
                .map(|fr| format!("{}:{}", fr.file, fr.line))
                .unwrap_or_else(|| f.file.unwrap_or("the test").to_string());
            let action = if let Some(name) = f
                .sig
                .raw_message
                .split("fixture '")
                .nth(1)
                .and_then(|r| r.split('\'').next())
            {
                format!(
                    "define the fixture `{name}` (in the test module or a conftest.py), or install the plugin that provides it"
                )
            } else {
                format!(
                    "fix the test code at {at}: {} {}",
                    f.sig.exception, f.sig.message
                )
            };
            advice(
                action,
                vec![format!("rigor run -E 'test(/{}/)'", regex_escape(&key.id))],
            )
        }
        Cause::Regression => regression(f, key, cx),
        Cause::Unknown => advice(
            "read the failure and label it so that the next ones are recognised".into(),
            vec![format!(
                "rigor triage label {} --as CAUSE --note '…'",
                f.sig.id
            )],
        ),
    }
}

fn regression(f: &Facts, key: &rigor_model::TestKey, cx: &FixContext) -> Fix {
    if let Some(cmd) = cx.command.and_then(crate::lint::fix_command) {
        return Fix {
            action: format!(
                "run the auto-fix of `{}` and commit the result",
                cx.command.unwrap_or("")
            ),
            commands: vec![cmd.clone()],
            safe: Some(SafeFix::Command {
                command: cmd,
                dir: cx.suite_root.to_string(),
            }),
        };
    }
    let ex = f.excerpt;
    if ex.contains("insta") && (ex.contains("snapshot assertion") || ex.contains("Snapshot")) {
        return advice(
            "if the new output is right, accept the snapshots".into(),
            vec!["cargo insta review".into()],
        );
    }
    if ex.contains("syrupy") || ex.contains("snapshot does not exist") || ex.contains("Snapshot") {
        return advice(
            "if the new output is right, update the snapshots".into(),
            vec![format!(
                "python -m pytest {} --snapshot-update",
                shell_quote(&key.id)
            )],
        );
    }
    let e = f.evidence;
    if let (Some(first), Some(pass)) = (&e.streak_start, &e.last_pass) {
        return advice(
            format!(
                "find the commit that broke it between {} and {}",
                short(pass.commit.as_deref()),
                short(first.commit.as_deref())
            ),
            vec![format!(
                "rigor bisect --test {} --good {} --bad {}",
                shell_quote(&key.id),
                pass.commit.as_deref().unwrap_or("REV"),
                first.commit.as_deref().unwrap_or("REV")
            )],
        );
    }
    let changed: Vec<&str> = e.reach_files.iter().map(String::as_str).collect();
    let target = changed
        .first()
        .map(|c| format!("the change to {c}"))
        .unwrap_or_else(|| "the change".into());
    let mut commands = vec![format!("rigor run -E 'test(/{}/)'", regex_escape(&key.id))];
    if let Some(p) = &e.last_pass
        && let Some(c) = &p.commit
    {
        commands.insert(
            0,
            format!(
                "git diff {} -- {}",
                short(Some(c)),
                changed.first().copied().unwrap_or(".")
            ),
        );
    }
    advice(
        format!("fix or revert {target}: the test passed before it"),
        commands,
    )
}

fn environment(f: &Facts) -> Fix {
    let msg = &f.sig.raw_message;
    if let Some(c) = NO_MODULE.captures(msg) {
        let module = &c[1];
        let dist = DISTRIBUTIONS
            .iter()
            .find(|(m, _)| module == *m || module.starts_with(&format!("{m}.")))
            .map(|(_, d)| d.to_string())
            .unwrap_or_else(|| module.split('.').next().unwrap_or(module).replace('_', "-"));
        return advice(
            format!(
                "install the missing requirement `{dist}` (import `{module}`) and declare it in the project's requirements"
            ),
            vec![format!("python -m pip install {dist}")],
        );
    }
    if let Some(c) = FROM_MODULE.captures(msg) {
        let module = c[1].split('.').next().unwrap_or(&c[1]).to_string();
        return advice(
            format!(
                "install the version of `{module}` the code was written for (the lock file's, or the newest)"
            ),
            vec![
                format!("python -m pip install --upgrade {module}"),
                format!("python -m pip show {module}"),
            ],
        );
    }
    if f.sig.exception == "exit code 127" {
        return advice(
            "install the missing command or put it on PATH".into(),
            Vec::new(),
        );
    }
    advice(
        format!(
            "make the installed set match the project's requirements ({})",
            f.sig.headline()
        ),
        vec!["python -m pip check".into()],
    )
}

fn infrastructure(f: &Facts) -> Fix {
    let s = f.sig;
    let text = format!("{} {}", s.exception, s.raw_message).to_lowercase();
    if s.kind == crate::signature::Kind::Timeout {
        let max = f
            .evidence
            .history
            .iter()
            .filter(|r| !r.outcome.is_failure())
            .map(|r| r.duration_s)
            .reduce(f64::max);
        return match max {
            Some(m) => {
                let secs = (m * 3.0).ceil().max(1.0);
                advice(
                    format!(
                        "raise the timeout to {secs}s (3 × its slowest measured pass, {})",
                        rigor_model::duration::human(m)
                    ),
                    vec![format!(
                        "rigor run --timeout {secs}s   # or [run] timeout = \"{secs}s\" in rigor.toml"
                    )],
                )
            }
            None => advice(
                "raise the timeout (no passing duration is recorded yet) or find what hangs".into(),
                Vec::new(),
            ),
        };
    }
    if text.contains("address already in use") {
        let port = PORT
            .captures(&s.raw_message)
            .and_then(|c| c.get(1).or(c.get(2)))
            .map(|m| m.as_str().to_string());
        let cmd = port
            .map(|p| format!("ss -ltnp 'sport = :{p}'"))
            .unwrap_or_else(|| "ss -ltnp".into());
        return advice(
            "free the port (another process holds it) or let the test bind port 0".into(),
            vec![cmd],
        );
    }
    if s.exception.starts_with("signal") || text.contains("memory") {
        return advice(
            "give the job more memory or run fewer tests at once, then re-run the failed tests"
                .into(),
            vec!["rigor run --jobs 1 -E 'failed()'".into()],
        );
    }
    if text.contains("no space left") || text.contains("quota") {
        return advice(
            "free disk space on the runner (caches, old artifacts), then re-run".into(),
            vec!["df -h".into()],
        );
    }
    advice(
        format!(
            "check that the service it needs is up and reachable ({}), then re-run the failed tests",
            s.headline()
        ),
        vec!["rigor run -E 'failed()'".into()],
    )
}

fn advice(action: String, commands: Vec<String>) -> Fix {
    Fix {
        action,
        commands,
        safe: None,
    }
}

fn shell_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-:=".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn regex_escape(s: &str) -> String {
    regex::escape(s).replace('/', "\\/")
}
