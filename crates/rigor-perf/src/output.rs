//! Writing a rendered output to a file.

use crate::error::PerfError;
use std::path::Path;

/// Write `text` to `path`, creating its directory first.
pub fn write(path: &Path, text: &str) -> Result<(), PerfError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| PerfError::Write {
            path: dir.display().to_string(),
            source,
        })?;
    }
    std::fs::write(path, text).map_err(|source| PerfError::Write {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_the_directory_and_says_where_writing_failed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/out.json");
        write(&path, "{}\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}\n");
        let blocked = path.join("below-a-file.json");
        let err = write(&blocked, "x").unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("cannot write {}", path.display())),
            "{err}"
        );
    }
}
