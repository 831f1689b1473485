//! Points in time as people read them.

/// `YYYY-MM-DD HH:MM:SS` for seconds since the epoch (UTC), without a date library.
pub fn utc(secs: f64) -> String {
    let s = secs.max(0.0) as i64;
    let (days, rem) = (s.div_euclid(86_400), s.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Stage timings of planning on stderr when `RIGOR_SELECT_TIMING` is set (for the planning
/// benchmarks): `select: WHAT <time since start>`.
pub fn stage(what: &str, start: std::time::Instant) {
    if std::env::var_os("RIGOR_SELECT_TIMING").is_some() {
        eprintln!("select: {what} {:?}", start.elapsed());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_formats_known_instants() {
        assert_eq!(super::utc(0.0), "1970-01-01 00:00:00");
        assert_eq!(super::utc(1_795_000_000.0), "2026-11-18 11:06:40");
        assert_eq!(super::utc(951_782_400.0), "2000-02-29 00:00:00");
    }
}
