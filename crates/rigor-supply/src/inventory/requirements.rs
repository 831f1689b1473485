//! pip requirements files: pins (`==`, `===`), extras, markers, `--hash` options, `-r`
//! includes (relative to the including file, cycles refused), continuation lines. Anything
//! that does not name one version (ranges, URLs, editables) is reported as unpinned.

use crate::error::{Result, SupplyError};
use crate::model::{Ecosystem, Inventory, Origin, Package, Unpinned, pep503};
use regex::Regex;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const HINT: &str = "a requirement line is `name[extras]==version ; marker --hash=sha256:…`, an option (-r FILE, -c FILE, -e …) or a comment";

/// Options that take a value and do not name packages.
const OPTIONS_WITH_VALUE: [&str; 10] = [
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--no-binary",
    "--only-binary",
    "--use-feature",
    "-c",
];

fn requirement_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$")
            .expect("the requirement pattern compiles")
    })
}

/// Read `path` and the files it includes.
pub fn read(path: &Path, label: &str) -> Result<Inventory> {
    let mut inv = Inventory::default();
    let mut stack = Vec::new();
    read_into(path, label, &mut inv, &mut stack)?;
    Ok(inv)
}

fn read_into(
    path: &Path,
    label: &str,
    inv: &mut Inventory,
    stack: &mut Vec<PathBuf>,
) -> Result<()> {
    let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let text = std::fs::read_to_string(path).map_err(|e| {
        SupplyError::read(
            path,
            e,
            "name an existing requirements file (paths in -r are relative to the including file)",
        )
    })?;
    stack.push(canon);
    for (line_no, line) in logical_lines(&text) {
        let Some(include) = include_target(&line) else {
            parse_line(label, line_no, &line, inv)?;
            continue;
        };
        let target = path.parent().unwrap_or(Path::new(".")).join(include);
        let target_canon = std::fs::canonicalize(&target).unwrap_or_else(|_| target.clone());
        if stack.contains(&target_canon) {
            return Err(SupplyError::malformed(
                label,
                line_no,
                format!("`-r {include}` includes a file that is already being read (a cycle)"),
                "remove the circular -r include",
            ));
        }
        let sub_label = Path::new(label)
            .parent()
            .map(|p| p.join(include).display().to_string())
            .unwrap_or_else(|| include.to_string());
        read_into(&target, &sub_label, inv, stack)?;
    }
    stack.pop();
    Ok(())
}

/// Lines with continuations joined and comments removed, each with its first line number.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = strip_comment(raw);
        let (start, mut acc) = current.take().unwrap_or((i + 1, String::new()));
        if let Some(cont) = line.strip_suffix('\\') {
            acc.push_str(cont);
            acc.push(' ');
            current = Some((start, acc));
            continue;
        }
        acc.push_str(line);
        if !acc.trim().is_empty() {
            out.push((start, acc.trim().to_string()));
        }
    }
    if let Some((start, acc)) = current
        && !acc.trim().is_empty()
    {
        out.push((start, acc.trim().to_string()));
    }
    out
}

/// A `#` at the start or after whitespace starts a comment.
fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'#' && (i == 0 || b[i - 1].is_ascii_whitespace()) {
            return line[..i].trim_end();
        }
    }
    line.trim_end()
}

/// The file of `-r FILE`, `-rFILE`, `--requirement FILE`, `--requirement=FILE`.
fn include_target(line: &str) -> Option<&str> {
    let rest = line
        .strip_prefix("--requirement")
        .or_else(|| line.strip_prefix("-r"))?;
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim();
    (!rest.is_empty()).then_some(rest)
}

fn parse_line(file: &str, line_no: usize, line: &str, inv: &mut Inventory) -> Result<()> {
    if let Some(rest) = line
        .strip_prefix("--editable")
        .or_else(|| line.strip_prefix("-e"))
    {
        let target = rest.trim_start_matches('=').trim();
        inv.unpinned.push(Unpinned {
            name: egg_name(target).unwrap_or_default(),
            requirement: format!("-e {target}"),
            source_file: file.into(),
            line: line_no,
        });
        return Ok(());
    }
    if line.starts_with('-') {
        // Global options (index URLs, -c constraints, --require-hashes …) name no package.
        let opt = line.split([' ', '=']).next().unwrap_or("");
        if OPTIONS_WITH_VALUE.contains(&opt) || opt.starts_with("--") || opt.len() == 2 {
            return Ok(());
        }
    }
    let (spec, hashes) = split_hashes(line);
    let (spec, marker) = match spec.split_once(';') {
        Some((s, m)) => (s.trim(), Some(m.trim().to_string())),
        None => (spec.trim(), None),
    };
    if spec.contains("://") || spec.starts_with('.') || spec.starts_with('/') {
        // `name @ URL`, a bare URL or a local path.
        let name = spec.split_once('@').map(|(n, _)| n.trim()).unwrap_or("");
        inv.unpinned.push(Unpinned {
            name: pep503(name.split('[').next().unwrap_or(name)),
            requirement: spec.to_string(),
            source_file: file.into(),
            line: line_no,
        });
        return Ok(());
    }
    let caps = requirement_re().captures(spec).ok_or_else(|| {
        SupplyError::malformed(
            file,
            line_no,
            format!("`{line}` is not a requirement"),
            HINT,
        )
    })?;
    let name = caps[1].to_string();
    let specifiers = caps.get(3).map_or("", |m| m.as_str()).trim();
    match pinned_version(specifiers) {
        Some(version) => inv.packages.push(Package {
            ecosystem: Ecosystem::PyPI,
            name,
            version,
            source_file: file.into(),
            line: line_no,
            origin: Origin::Registry,
            hashes,
            dependencies: Vec::new(),
            marker,
            licenses: vec![],
        }),
        None => {
            if !specifiers.is_empty() && !specifiers.starts_with(['=', '<', '>', '!', '~', '(']) {
                return Err(SupplyError::malformed(
                    file,
                    line_no,
                    format!("`{specifiers}` after `{name}` is not a version specifier"),
                    HINT,
                ));
            }
            inv.unpinned.push(Unpinned {
                name: pep503(&name),
                requirement: spec.to_string(),
                source_file: file.into(),
                line: line_no,
            })
        }
    }
    Ok(())
}

/// `--hash=sha256:…` / `--hash sha256:…` options removed from a line, and their values.
fn split_hashes(line: &str) -> (String, Vec<String>) {
    let mut hashes = Vec::new();
    let mut kept = Vec::new();
    let mut words = line.split_whitespace().peekable();
    while let Some(w) = words.next() {
        if let Some(h) = w.strip_prefix("--hash=") {
            hashes.push(h.to_string());
        } else if w == "--hash" {
            if let Some(h) = words.next() {
                hashes.push(h.to_string());
            }
        } else if w.starts_with("--") {
            // Other per-requirement options (--config-settings …) and their value.
            if !w.contains('=') {
                words.next_if(|n| !n.starts_with('-'));
            }
        } else {
            kept.push(w);
        }
    }
    (kept.join(" "), hashes)
}

/// The one version a specifier set pins: `==V` (no wildcard) or `===V`.
fn pinned_version(specifiers: &str) -> Option<String> {
    let specs = specifiers.trim_start_matches('(').trim_end_matches(')');
    let exact: Vec<&str> = specs
        .split(',')
        .map(str::trim)
        .filter_map(|s| {
            s.strip_prefix("===")
                .or_else(|| s.strip_prefix("=="))
                .map(str::trim)
        })
        .filter(|v| !v.ends_with('*') && !v.is_empty())
        .collect();
    match exact.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

/// The `#egg=name` of an editable URL.
fn egg_name(target: &str) -> Option<String> {
    target
        .split_once("#egg=")
        .map(|(_, n)| pep503(n.split('&').next().unwrap_or(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn pins_hashes_extras_markers_and_includes() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "base.txt", "urllib3==1.26.4  # pinned\n");
        let main = write(
            d.path(),
            "requirements.txt",
            "# comment\n-r base.txt\n--index-url https://example.invalid/simple\n\
             requests[socks]==2.19.0 ; python_version >= \"3.8\" \\\n    --hash=sha256:aaa \\\n    --hash=sha256:bbb\n\
             flask>=1.0\nDjango===1.11.0\nnumpy==1.*\n-e git+https://example.invalid/x.git#egg=My_Pkg\n\
             pkg @ https://example.invalid/pkg.whl\n",
        );
        let inv = read(&main, "requirements.txt").unwrap();
        let names: Vec<_> = inv
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.line))
            .collect();
        assert_eq!(
            names,
            vec![
                ("urllib3", "1.26.4", 1),
                ("requests", "2.19.0", 4),
                ("Django", "1.11.0", 8)
            ]
        );
        assert_eq!(inv.packages[0].source_file, "base.txt");
        assert_eq!(inv.packages[1].hashes, vec!["sha256:aaa", "sha256:bbb"]);
        assert_eq!(
            inv.packages[1].marker.as_deref(),
            Some("python_version >= \"3.8\"")
        );
        let un: Vec<_> = inv
            .unpinned
            .iter()
            .map(|u| (u.name.as_str(), u.line))
            .collect();
        assert_eq!(
            un,
            vec![("flask", 7), ("numpy", 9), ("my-pkg", 10), ("pkg", 11)]
        );
    }

    #[test]
    fn include_cycles_and_missing_files_are_errors() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "a.txt", "-r b.txt\n");
        let b = write(d.path(), "b.txt", "x==1\n-r a.txt\n");
        let e = read(&b, "b.txt").unwrap_err().to_string();
        assert!(e.contains("a cycle"), "{e}");
        let m = write(d.path(), "m.txt", "-r nowhere.txt\n");
        let e = read(&m, "m.txt").unwrap_err().to_string();
        assert!(e.contains("nowhere.txt"), "{e}");
    }

    #[test]
    fn garbage_is_located() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "r.txt", "ok==1\n!!!\n");
        let e = read(&p, "r.txt").unwrap_err().to_string();
        assert!(e.starts_with("r.txt:2:"), "{e}");
        let p = write(d.path(), "r.txt", "ok==1\nname garbage\n");
        let e = read(&p, "r.txt").unwrap_err().to_string();
        assert!(e.starts_with("r.txt:2:"), "{e}");
    }
}
