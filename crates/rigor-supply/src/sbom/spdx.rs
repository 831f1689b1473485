//! SPDX 2.3 JSON: one package per component with its purl as an external reference and its
//! checksums; the document describes the project, which depends on its packages.

use super::{Bill, Component, timestamp, uuid};
use crate::model::License;
use serde_json::{Value, json};

fn algorithm(a: &str) -> Option<&'static str> {
    Some(match a {
        "md5" => "MD5",
        "sha1" => "SHA1",
        "sha256" => "SHA256",
        "sha384" => "SHA384",
        "sha512" => "SHA512",
        _ => return None,
    })
}

/// An SPDX id: letters, digits, `.` and `-` only.
fn spdx_id(i: usize, c: &Component) -> String {
    let clean: String = format!("{}-{}", c.name, c.version)
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ch == '.' || ch == '-' {
                ch
            } else {
                '-'
            }
        })
        .collect();
    format!("SPDXRef-Package-{i}-{clean}")
}

/// SPDX `licenseDeclared`: the declared SPDX expression; a licence known only by a free-text
/// name is not an SPDX expression, so it stays NOASSERTION.
fn declared(ls: &[License]) -> &str {
    ls.iter()
        .find_map(|l| match l {
            License::Expression(e) => Some(e.as_str()),
            License::Name(_) => None,
        })
        .unwrap_or("NOASSERTION")
}

fn package(id: &str, c: &Component) -> Value {
    let mut v = json!({
        "name": c.name,
        "SPDXID": id,
        "versionInfo": c.version,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": declared(&c.licenses),
        "copyrightText": "NOASSERTION",
        "externalRefs": [{
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceType": "purl",
            "referenceLocator": c.purl,
        }],
    });
    let sums: Vec<Value> = c
        .hashes
        .iter()
        .filter_map(|(a, d)| algorithm(a).map(|a| json!({"algorithm": a, "checksumValue": d})))
        .collect();
    if !sums.is_empty() {
        v["checksums"] = json!(sums);
    }
    v
}

pub fn render(bill: &Bill) -> String {
    let time = timestamp();
    let ids: Vec<String> = bill
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| spdx_id(i + 1, c))
        .collect();
    let by_purl = |p: &str| {
        bill.components
            .iter()
            .position(|c| c.purl == p)
            .map(|i| ids[i].clone())
    };
    let root_id = "SPDXRef-Package-0-project".to_string();
    let mut packages = vec![json!({
        "name": bill.name, "SPDXID": root_id, "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false, "licenseConcluded": "NOASSERTION", "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION", "primaryPackagePurpose": "APPLICATION",
    })];
    packages.extend(
        bill.components
            .iter()
            .zip(&ids)
            .map(|(c, id)| package(id, c)),
    );
    let mut rel = vec![
        json!({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": root_id}),
    ];
    let has_graph = bill.components.iter().any(|c| c.is_project);
    for (c, id) in bill.components.iter().zip(&ids) {
        if c.is_project || !has_graph {
            rel.push(json!({"spdxElementId": root_id, "relationshipType": "DEPENDS_ON", "relatedSpdxElement": id}));
        }
        for d in &c.depends_on {
            if let Some(to) = by_purl(d) {
                rel.push(json!({"spdxElementId": id, "relationshipType": "DEPENDS_ON", "relatedSpdxElement": to}));
            }
        }
    }
    let doc = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": bill.name,
        "documentNamespace": format!("https://spdx.org/spdxdocs/{}-{}", bill.name.replace(|c: char| !c.is_ascii_alphanumeric(), "-"), uuid(&format!("{}{}", bill.name, time))),
        "creationInfo": {"created": time, "creators": [format!("Tool: rigor-{}", env!("CARGO_PKG_VERSION"))]},
        "packages": packages,
        "relationships": rel,
    });
    let mut doc = doc;
    if !bill.properties.is_empty() {
        let lines: Vec<String> = bill
            .properties
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        doc["creationInfo"]["comment"] = json!(lines.join("\n"));
    }
    let mut s = serde_json::to_string_pretty(&doc).expect("a bill serialises");
    s.push('\n');
    s
}
