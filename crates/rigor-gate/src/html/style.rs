//! The page's look: its style sheet, the colours of outcomes and verdicts, and times in UTC.

use crate::model::Verdict;
use rigor_model::Outcome;

/// The page's style sheet (inline: the page loads nothing).
pub const STYLE: &str = "body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1f2328;max-width:1100px}\
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #d8dee4;padding-bottom:4px}\
table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #d8dee4;padding:3px 8px;text-align:left;vertical-align:top}\
th{background:#f6f8fa}.pass{color:#1a7f37}.fail{color:#cf222e;font-weight:bold}.warn{color:#9a6700}.skip{color:#6e7781}\
pre{background:#f6f8fa;padding:8px;overflow-x:auto;font-size:12px;max-height:260px}.chart{max-width:100%;height:auto;display:block;margin:6px 0}\
.muted{color:#6e7781}.trends{display:flex;flex-wrap:wrap;gap:12px}";

/// The colour of a test outcome.
pub fn outcome_color(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed | Outcome::Xfailed => "#2e9d5b",
        Outcome::Flaky | Outcome::Xpassed => "#e0a100",
        Outcome::Failed | Outcome::Error | Outcome::Timeout => "#d1343b",
        Outcome::Skipped => "#9aa3ad",
    }
}

/// The colour of a gate verdict.
pub fn verdict_color(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "#2e9d5b",
        Verdict::Fail => "#d1343b",
        Verdict::Warn => "#e0a100",
        Verdict::Skip => "#c4c9cf",
    }
}

/// An epoch time as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn fmt_time(epoch: f64) -> String {
    // UTC date-time without a date library: civil-from-days (H. Hinnant)
    let secs = epoch.max(0.0) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
