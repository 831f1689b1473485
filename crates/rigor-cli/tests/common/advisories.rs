//! The advisory snapshots of shared/data/advisories, unpacked once per test process.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where the snapshot archives are: `RIGOR_ADVISORIES`, else `shared/data/advisories` beside
/// the repository. Their absence is a failure, not a skip.
fn archives() -> PathBuf {
    let dir = std::env::var("RIGOR_ADVISORIES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/advisories")
        });
    assert!(
        dir.join("rustsec-advisory-db.tar.gz").is_file(),
        "the advisory snapshots are missing at {} (set RIGOR_ADVISORIES to the directory holding rustsec-advisory-db.tar.gz and pypa-advisory-database.tar.gz)",
        dir.display()
    );
    dir
}

/// The unpacked snapshot root, under cargo's target tmp dir: unpacked into a fresh directory
/// then renamed into place, so concurrent test processes never see a half-unpacked copy.
fn unpacked() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let done = base.join("advisories-snapshot");
        if done.join("pypa-advisory-database").is_dir() {
            return done;
        }
        let tmp = tempfile::tempdir_in(base).unwrap().keep();
        for a in [
            "rustsec-advisory-db.tar.gz",
            "pypa-advisory-database.tar.gz",
        ] {
            let st = std::process::Command::new("tar")
                .arg("xzf")
                .arg(archives().join(a))
                .arg("-C")
                .arg(&tmp)
                .status()
                .unwrap();
            assert!(st.success(), "cannot unpack {a}");
        }
        if std::fs::rename(&tmp, &done).is_err() {
            // Another process was first.
            let _ = std::fs::remove_dir_all(&tmp);
        }
        done
    })
}

pub fn rustsec() -> PathBuf {
    unpacked().join("rustsec-advisory-db")
}

pub fn pypa() -> PathBuf {
    unpacked().join("pypa-advisory-database")
}
