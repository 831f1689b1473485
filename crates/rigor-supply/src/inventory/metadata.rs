//! Core metadata of an installed distribution (`*.dist-info/METADATA`, an email-header
//! document): name, version, licence (`License-Expression`, `License`, licence classifiers) and
//! the requirements (`Requires-Dist`) that hold without extras.

use crate::error::{Result, SupplyError};
use crate::model::License;

/// What rigor takes from one METADATA file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metadata {
    pub name: String,
    pub version: String,
    /// 1-based line of the `Version:` header.
    pub version_line: usize,
    pub licenses: Vec<License>,
    /// Names of the distributions required without any extra (markers other than `extra` are
    /// kept as requirements: they are not evaluated).
    pub requires: Vec<String>,
}

const HINT: &str = "METADATA is a block of `Key: value` headers (Name, Version, …) ended by an empty line; reinstall the package if the file is damaged";

/// The headers in order, continuation lines joined, with the line of each; the body (after the
/// first empty line) is not read.
fn headers(text: &str) -> Vec<(usize, String, String)> {
    let mut out: Vec<(usize, String, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                let cont = line.trim_start();
                let cont = cont.strip_prefix('|').unwrap_or(cont);
                last.2.push('\n');
                last.2.push_str(cont.trim_end());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            out.push((i + 1, k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    out
}

/// The distribution name a `Requires-Dist` value requires, unless it only holds with an extra.
fn requirement_name(value: &str) -> Option<String> {
    let (spec, marker) = value.split_once(';').unwrap_or((value, ""));
    if marker.contains("extra") {
        return None;
    }
    let end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let name = spec[..end].trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// A licence from the classifiers: `License :: OSI Approved :: MIT License` → `MIT License`.
fn classifier_license(value: &str) -> Option<String> {
    let rest = value.strip_prefix("License ::")?;
    let last = rest.rsplit("::").next()?.trim();
    (!last.is_empty() && last != "OSI Approved").then(|| last.to_string())
}

/// The declared licences, best source first: an SPDX `License-Expression` (PEP 639); else the
/// `License` field when it is one short line (not a whole licence text, not `UNKNOWN`); else
/// the licence classifiers.
fn licenses(h: &[(usize, String, String)]) -> Vec<License> {
    if let Some((_, _, v)) = h.iter().find(|(_, k, _)| k == "license-expression")
        && !v.is_empty()
    {
        return vec![License::Expression(v.clone())];
    }
    if let Some((_, _, v)) = h.iter().find(|(_, k, _)| k == "license") {
        let v = v.trim();
        if !v.is_empty()
            && !v.contains('\n')
            && v.len() <= 100
            && !v.eq_ignore_ascii_case("UNKNOWN")
        {
            return vec![License::Name(v.to_string())];
        }
    }
    let mut names = Vec::new();
    for (_, k, v) in h {
        if k == "classifier"
            && let Some(n) = classifier_license(v)
            && !names.contains(&License::Name(n.clone()))
        {
            names.push(License::Name(n));
        }
    }
    names
}

/// Parse a METADATA file (`file` names it in errors).
pub fn parse(file: &str, text: &str) -> Result<Metadata> {
    let h = headers(text);
    let get = |key: &str| h.iter().find(|(_, k, _)| k == key);
    let Some((_, _, name)) = get("name") else {
        return Err(SupplyError::malformed(file, 1, "no `Name:` header", HINT));
    };
    let Some((version_line, _, version)) = get("version") else {
        return Err(SupplyError::malformed(
            file,
            1,
            "no `Version:` header",
            HINT,
        ));
    };
    if name.is_empty() || version.is_empty() {
        let line = if name.is_empty() {
            get("name").map_or(1, |x| x.0)
        } else {
            *version_line
        };
        return Err(SupplyError::malformed(
            file,
            line,
            "an empty Name or Version",
            HINT,
        ));
    }
    Ok(Metadata {
        name: name.clone(),
        version: version.clone(),
        version_line: *version_line,
        licenses: licenses(&h),
        requires: h
            .iter()
            .filter(|(_, k, _)| k == "requires-dist")
            .filter_map(|(_, _, v)| requirement_name(v))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const REQUESTS: &str = "Metadata-Version: 2.1\nName: requests\nVersion: 2.25.1\nSummary: Python HTTP for Humans.\nLicense: Apache 2.0\nClassifier: License :: OSI Approved :: Apache Software License\nRequires-Dist: chardet (<5,>=3.0.2)\nRequires-Dist: idna (<3,>=2.5)\nRequires-Dist: urllib3 (<1.27,>=1.21.1)\nRequires-Dist: certifi>=2017.4.17\nRequires-Dist: pyOpenSSL>=0.14 ; extra == 'security'\nRequires-Dist: win-inet-pton ; (sys_platform == \"win32\" and python_version == \"2.7\") and extra == 'socks'\nRequires-Dist: colorama ; sys_platform == \"win32\"\n\nLicense: not a header, the body\n";

    #[test]
    fn name_version_license_and_requirements() {
        let m = parse("METADATA", REQUESTS).unwrap();
        assert_eq!(m.name, "requests");
        assert_eq!(m.version, "2.25.1");
        assert_eq!(m.version_line, 3);
        assert_eq!(m.licenses, vec![License::Name("Apache 2.0".into())]);
        assert_eq!(
            m.requires,
            vec!["chardet", "idna", "urllib3", "certifi", "colorama"]
        );
    }

    #[test]
    fn license_expression_wins_and_classifiers_fill_in() {
        let m = parse(
            "M",
            "Name: a\nVersion: 1\nLicense: MIT License\nLicense-Expression: MIT OR Apache-2.0\n",
        )
        .unwrap();
        assert_eq!(
            m.licenses,
            vec![License::Expression("MIT OR Apache-2.0".into())]
        );
        let m = parse(
            "M",
            "Name: a\nVersion: 1\nLicense: Copyright (c) 2020\n        |Permission is hereby granted\nClassifier: License :: OSI Approved :: BSD License\nClassifier: License :: OSI Approved :: MIT License\nClassifier: Programming Language :: Python\n",
        )
        .unwrap();
        assert_eq!(
            m.licenses,
            vec![
                License::Name("BSD License".into()),
                License::Name("MIT License".into())
            ]
        );
        let m = parse("M", "Name: a\nVersion: 1\nLicense: UNKNOWN\n").unwrap();
        assert!(m.licenses.is_empty());
    }

    #[test]
    fn missing_headers_are_located_errors() {
        let e = parse("x/METADATA", "Metadata-Version: 2.1\nName: a\n").unwrap_err();
        assert!(e.to_string().contains("x/METADATA:1: no `Version:` header"));
        let e = parse("x/METADATA", "Name: a\nVersion:\n").unwrap_err();
        assert!(e.to_string().starts_with("x/METADATA:2:"), "{e}");
    }

    proptest! {
        /// Metamorphic: the order of unrelated headers and the presence of a body never change
        /// what is read.
        #[test]
        fn order_and_body_do_not_matter(
            name in "[A-Za-z][A-Za-z0-9_.-]{0,12}",
            version in "[0-9]{1,3}(\\.[0-9]{1,3}){0,2}",
            deps in proptest::collection::vec("[a-z][a-z0-9-]{0,8}", 0..5),
            body in "[ -~]{0,40}",
            swap in any::<bool>(),
        ) {
            let mut lines = vec![format!("Name: {name}"), format!("Version: {version}")];
            if swap { lines.swap(0, 1); }
            lines.insert(0, "Metadata-Version: 2.1".into());
            for d in &deps { lines.push(format!("Requires-Dist: {d} (>=1)")); }
            let text = format!("{}\n\nName: {body}\n", lines.join("\n"));
            let m = parse("M", &text).unwrap();
            prop_assert_eq!(m.name, name);
            prop_assert_eq!(m.version, version);
            prop_assert_eq!(m.version_line, if swap { 2 } else { 3 });
            prop_assert_eq!(m.requires, deps);
        }
    }
}
