//! The RustSec advisory database: `crates/<name>/RUSTSEC-*.md`, each a Markdown file whose
//! TOML front matter sits in a fenced ```toml block (older advisories: a plain `.toml` file).

use super::model::{Advisory, Affected};
use crate::error::{Result, SupplyError, line_of, toml_line};
use crate::model::Ecosystem;
use semver::VersionReq;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct Doc {
    advisory: Head,
    #[serde(default)]
    versions: Versions,
}

#[derive(Deserialize)]
struct Head {
    id: String,
    package: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    cvss: Option<String>,
    #[serde(default)]
    informational: Option<String>,
    #[serde(default)]
    withdrawn: Option<toml::Value>,
}

#[derive(Deserialize, Default)]
struct Versions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

const HINT: &str = "a RustSec advisory is Markdown with a ```toml front matter holding [advisory] (id, package …) and [versions] (patched, unaffected)";

/// Read every advisory under `root/crates` (the `rust/` tree is about the toolchain, not crates).
pub fn load(root: &Path) -> Result<Vec<Advisory>> {
    let crates = root.join("crates");
    let mut files = Vec::new();
    for dir in read_dir_sorted(&crates)? {
        if dir.is_dir() {
            files.extend(read_dir_sorted(&dir)?.into_iter().filter(|f| {
                f.extension().is_some_and(|e| e == "md" || e == "toml")
                    && f.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("RUSTSEC-"))
            }));
        }
    }
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).map_err(|e| {
                SupplyError::read(f, e, "the advisory files must be readable UTF-8")
            })?;
            parse(&f.display().to_string(), &text)
        })
        .collect()
}

pub(crate) fn read_dir_sorted(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| SupplyError::read(dir, e, "give the database's root directory"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    v.sort();
    Ok(v)
}

/// The TOML front matter of an advisory, the line it starts on and the offset where the
/// Markdown after it starts.
fn front_matter<'a>(file: &str, text: &'a str) -> Result<(&'a str, usize, usize)> {
    if file.ends_with(".toml") {
        return Ok((text, 0, text.len()));
    }
    let start = text
        .find("```toml")
        .ok_or_else(|| SupplyError::malformed(file, 1, "no ```toml front matter", HINT))?;
    let body_start = start + text[start..].find('\n').unwrap_or(text.len() - start) + 1;
    let body_start = body_start.min(text.len());
    let end = text[body_start..].find("```").ok_or_else(|| {
        SupplyError::malformed(
            file,
            line_of(text, start),
            "the ```toml front matter is not closed",
            HINT,
        )
    })?;
    Ok((
        &text[body_start..body_start + end],
        line_of(text, body_start) - 1,
        body_start + end + 3,
    ))
}

/// Parse one advisory file's text.
pub fn parse(file: &str, text: &str) -> Result<Advisory> {
    let (toml_text, line0, rest) = front_matter(file, text)?;
    let doc: Doc = toml::from_str(toml_text).map_err(|e| {
        SupplyError::malformed(
            file,
            line0 + toml_line(toml_text, &e),
            e.message().to_string(),
            HINT,
        )
    })?;
    let reqs = |list: &[String], key: &str| -> Result<Vec<VersionReq>> {
        list.iter()
            .map(|r| {
                VersionReq::parse(r).map_err(|e| {
                    let line = toml_text
                        .find(r.as_str())
                        .map(|o| line0 + line_of(toml_text, o))
                        .unwrap_or(line0 + 1);
                    SupplyError::malformed(
                        file,
                        line,
                        format!("versions.{key}: `{r}` is not a semver requirement: {e}"),
                        "requirements look like \">= 1.2.3, < 1.3.0\"",
                    )
                })
            })
            .collect()
    };
    let a = doc.advisory;
    // A Markdown advisory's title is its first heading after the front matter.
    let title = a.title.clone().unwrap_or_else(|| {
        text[rest.min(text.len())..]
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .unwrap_or("")
            .trim()
            .to_string()
    });
    Ok(Advisory {
        id: a.id,
        aliases: a.aliases,
        ecosystem: Ecosystem::Crates,
        package: a.package,
        title,
        url: a.url,
        informational: a.informational.map(|s| s.trim().to_string()),
        withdrawn: a.withdrawn.is_some(),
        cvss: a.cvss.into_iter().collect(),
        severity_word: None,
        affected: Affected::Semver {
            patched: reqs(&doc.versions.patched, "patched")?,
            unaffected: reqs(&doc.versions.unaffected, "unaffected")?,
        },
        file: file.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "```toml\n# a comment\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"demo\"\ndate = \"2099-01-01\"\naliases = [\"CVE-2099-1\"]\ncvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"\n\n[versions]\npatched = [\">= 1.2.3, < 1.3.0\", \">= 1.3.4\"]\nunaffected = [\"<= 0.1.2\"]\n```\n\n# Demo overflow\n\nText.\n";

    #[test]
    fn reads_front_matter_and_title() {
        let a = parse("x.md", SAMPLE).unwrap();
        assert_eq!(a.id, "RUSTSEC-2099-0001");
        assert_eq!(a.package, "demo");
        assert_eq!(a.title, "Demo overflow");
        assert_eq!(a.aliases, vec!["CVE-2099-1"]);
        assert!(!a.withdrawn);
        assert_eq!(a.fixed_in(), vec![">=1.2.3, <1.3.0", ">=1.3.4"]);
    }

    #[test]
    fn bad_requirement_is_located() {
        let bad = SAMPLE.replace(">= 1.3.4", ">= one");
        let e = parse("x.md", &bad).unwrap_err().to_string();
        assert!(e.starts_with("x.md:11:"), "{e}");
        assert!(e.contains("`>= one`"), "{e}");
    }

    #[test]
    fn missing_front_matter_is_an_error() {
        let e = parse("x.md", "# nothing\n").unwrap_err().to_string();
        assert!(e.contains("x.md:1: no ```toml front matter"), "{e}");
    }

    #[test]
    fn withdrawn_and_informational_are_read() {
        let t = SAMPLE.replace(
            "date = \"2099-01-01\"\n",
            "date = \"2099-01-01\"\nwithdrawn = \"2099-02-02\"\ninformational = \"unsound\"\n",
        );
        let a = parse("x.md", &t).unwrap();
        assert!(a.withdrawn);
        assert_eq!(a.informational.as_deref(), Some("unsound"));
    }
}
