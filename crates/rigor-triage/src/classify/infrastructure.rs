//! `infrastructure`: the machine or the network failed the test, not its code — a worker
//! killed by a signal or out of memory, connections refused or reset, DNS failures, a full
//! disk, a port in use, a timeout while setting up, a service that cannot be reached.

use super::{Cause, Facts, Verdict};
use crate::signature::Kind;

/// (needle in the exception or message, lowercase; what it means)
const PATTERNS: &[(&str, &str)] = &[
    ("memoryerror", "the test ran out of memory (MemoryError)"),
    ("out of memory", "the process ran out of memory"),
    (
        "cannot allocate memory",
        "the machine could not allocate memory",
    ),
    (
        "connectionrefusederror",
        "a connection was refused: the service it needs is not listening",
    ),
    (
        "connection refused",
        "a connection was refused: the service it needs is not listening",
    ),
    (
        "connectionreseterror",
        "the connection was reset by the peer",
    ),
    ("connection reset", "the connection was reset by the peer"),
    ("connectionabortederror", "the connection was aborted"),
    (
        "brokenpipeerror",
        "the peer closed the connection (broken pipe)",
    ),
    (
        "name or service not known",
        "a host name could not be resolved (DNS)",
    ),
    (
        "temporary failure in name resolution",
        "a host name could not be resolved (DNS)",
    ),
    (
        "nodename nor servname",
        "a host name could not be resolved (DNS)",
    ),
    ("gaierror", "a host name could not be resolved (DNS)"),
    ("no space left on device", "the disk is full"),
    ("disk quota exceeded", "the disk quota is exhausted"),
    (
        "address already in use",
        "a port it binds is already in use",
    ),
    ("network is unreachable", "the network is unreachable"),
    ("no route to host", "the host is unreachable"),
    (
        "service unavailable",
        "a service answered 503 Service Unavailable",
    ),
    (
        "max retries exceeded",
        "a service could not be reached (retries exhausted)",
    ),
    (
        "too many open files",
        "the process ran out of file descriptors",
    ),
];

/// Signals that mean the process was killed from outside (KILL: usually the OOM killer; TERM,
/// HUP, INT: the job was cancelled or the machine stopped), not crashed by its own code.
const OUTSIDE_SIGNALS: &[(&str, &str)] = &[
    ("signal 9", "SIGKILL — most often the out-of-memory killer"),
    ("signal 15", "SIGTERM — the job or machine was stopped"),
    ("signal 1", "SIGHUP — the session ended"),
    ("signal 2", "SIGINT — interrupted"),
];

pub(super) fn rule(f: &Facts) -> Option<Verdict> {
    let s = f.sig;
    if s.kind == Kind::Process
        && let Some((_, what)) = OUTSIDE_SIGNALS.iter().find(|(sig, _)| s.exception == *sig)
    {
        let who = if f.excerpt.starts_with("the worker process") {
            "the worker process running it"
        } else {
            "the test process"
        };
        return Some(Verdict::new(
            Cause::Infrastructure,
            0.9,
            vec![format!("{who} was killed by {what}")],
        ));
    }
    if s.kind == Kind::Timeout {
        let mut ev = vec![format!(
            "killed by rigor's per-test timeout ({})",
            s.message
        )];
        if let Some(max) = f
            .evidence
            .history
            .iter()
            .filter(|r| !r.outcome.is_failure())
            .map(|r| r.duration_s)
            .reduce(f64::max)
        {
            ev.push(format!(
                "its passing runs took at most {}",
                rigor_model::duration::human(max)
            ));
        }
        return Some(Verdict::new(Cause::Infrastructure, 0.6, ev));
    }
    let hay = format!("{} {}", s.exception, s.raw_message).to_lowercase();
    let hit = PATTERNS
        .iter()
        .find(|(needle, _)| hay.contains(needle))
        .or_else(|| {
            // The pattern may be deeper in the excerpt than the message (a chained exception).
            let ex = f.excerpt.to_lowercase();
            PATTERNS
                .iter()
                .find(|(needle, _)| ex.lines().any(|l| l.starts_with('e') && l.contains(needle)))
        });
    if let Some((_, what)) = hit {
        let mut ev = vec![format!("{what}: `{}`", s.headline())];
        if s.phase.as_deref() == Some("setup") {
            ev.push("it failed while setting up (a fixture), before the test body ran".into());
        }
        return Some(Verdict::new(Cause::Infrastructure, 0.9, ev));
    }
    let setup_timeout = s.phase.as_deref() == Some("setup") && hay.contains("timeout");
    setup_timeout.then(|| {
        Verdict::new(
            Cause::Infrastructure,
            0.75,
            vec![format!("timed out while setting up: `{}`", s.headline())],
        )
    })
}
