//! OSV ecosystem exports (`<ecosystem>/all.zip`, one JSON record per advisory) kept in
//! `[audit] cache`: each export is unpacked into `<cache>/osv-<ecosystem>/`, with a
//! `.downloaded` file saying when and from where, so that its age can be shown.

use super::{fetch, zip};
use crate::error::{Result, SupplyError};
use std::path::{Path, PathBuf};

/// Where OSV publishes its exports; `{ecosystem}` is replaced by the ecosystem's name.
pub const DEFAULT_URL: &str =
    "https://osv-vulnerabilities.storage.googleapis.com/{ecosystem}/all.zip";

/// The file recording a download: `YYYY-MM-DD HH:MM:SS URL`.
pub const STAMP: &str = ".downloaded";

/// The cache directory of one ecosystem's export (`crates.io` → `osv-crates.io`).
pub fn dir(cache: &Path, ecosystem: &str) -> PathBuf {
    let safe: String = ecosystem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    cache.join(format!("osv-{safe}"))
}

/// The URL of one ecosystem's export from the template.
pub fn url(template: &str, ecosystem: &str) -> String {
    template.replace("{ecosystem}", ecosystem)
}

/// When an export directory was downloaded (`YYYY-MM-DD HH:MM:SS`), from its stamp.
pub fn downloaded(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(STAMP)).ok()?;
    let when = text.get(..19)?;
    (when.len() == 19).then(|| when.to_string())
}

/// Download the export of `ecosystem` from `url` into its directory under `cache`, replacing
/// what was there only when the new archive is complete. One line for people.
pub fn update(cache: &Path, ecosystem: &str, url: &str, now: &str) -> Result<String> {
    let target = dir(cache, ecosystem);
    let fail = |message: String, hint: &str| SupplyError::Update {
        path: url.to_string(),
        message,
        hint: hint.into(),
    };
    let body = fetch::get(url).map_err(|e| {
        fail(
            e,
            "check the URL ([audit] export_url) and the network; run with --offline to audit with what is cached",
        )
    })?;
    let entries = zip::read(&body).map_err(|e| {
        fail(
            format!("the download is not a usable zip archive: {e}"),
            "an OSV export is a zip of JSON records; check [audit] export_url",
        )
    })?;
    let records: Vec<&zip::Entry> = entries
        .iter()
        .filter(|e| e.name.ends_with(".json"))
        .collect();
    if records.is_empty() {
        return Err(fail(
            format!(
                "the archive ({} entries) holds no *.json record",
                entries.len()
            ),
            "an OSV export is a zip of JSON records; check [audit] export_url",
        ));
    }
    let fresh = cache.join(format!(".incoming-{}", std::process::id()));
    write_records(&fresh, &records, url, now).map_err(|e| SupplyError::Write {
        path: fresh.display().to_string(),
        source: e,
    })?;
    replace(&fresh, &target).map_err(|e| SupplyError::Write {
        path: target.display().to_string(),
        source: e,
    })?;
    Ok(format!(
        "downloaded the {ecosystem} export: {} records ({:.1} MB) into {}",
        records.len(),
        body.len() as f64 / 1e6,
        target.display()
    ))
}

/// Unpack the records flat into `dir` (only their file names are used, so no entry can write
/// outside it) and stamp it.
fn write_records(dir: &Path, records: &[&zip::Entry], url: &str, now: &str) -> std::io::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    for r in records {
        let name = r.name.rsplit(['/', '\\']).next().unwrap_or(&r.name);
        if name.starts_with('.') || name.is_empty() {
            continue;
        }
        std::fs::write(dir.join(name), &r.data)?;
    }
    std::fs::write(dir.join(STAMP), format!("{now} {url}\n"))
}

fn replace(fresh: &Path, target: &Path) -> std::io::Result<()> {
    if target.exists() {
        std::fs::remove_dir_all(target)?;
    }
    std::fs::rename(fresh, target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_and_urls() {
        let c = Path::new("/c");
        assert_eq!(dir(c, "crates.io"), Path::new("/c/osv-crates.io"));
        assert_eq!(dir(c, "Debian:12"), Path::new("/c/osv-Debian_12"));
        assert_eq!(
            url("http://h/{ecosystem}/all.zip", "PyPI"),
            "http://h/PyPI/all.zip"
        );
    }

    #[test]
    fn records_are_unpacked_flat_and_stamped() {
        let t = tempfile::tempdir().unwrap();
        let recs = [
            zip::Entry {
                name: "../../evil/A.json".into(),
                data: b"{}".to_vec(),
            },
            zip::Entry {
                name: "B.json".into(),
                data: b"{}".to_vec(),
            },
        ];
        let refs: Vec<&zip::Entry> = recs.iter().collect();
        let d = t.path().join("x");
        write_records(&d, &refs, "http://h/all.zip", "2026-11-28 10:00:00").unwrap();
        assert!(d.join("A.json").is_file() && d.join("B.json").is_file());
        assert!(!t.path().join("evil").exists());
        assert_eq!(downloaded(&d).as_deref(), Some("2026-11-28 10:00:00"));
    }
}
