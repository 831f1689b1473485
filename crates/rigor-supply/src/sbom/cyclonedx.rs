//! CycloneDX JSON (specification 1.6, or 1.5): metadata with the project as the described
//! component, one `library` component per package, and the dependency graph.

use super::{Bill, Component, timestamp, uuid};
use crate::model::License;
use serde_json::{Value, json};

/// The specification versions written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spec {
    V1_5,
    V1_6,
}

impl Spec {
    pub fn as_str(self) -> &'static str {
        match self {
            Spec::V1_5 => "1.5",
            Spec::V1_6 => "1.6",
        }
    }
}

fn alg(a: &str) -> Option<&'static str> {
    Some(match a {
        "md5" => "MD5",
        "sha1" => "SHA-1",
        "sha256" => "SHA-256",
        "sha384" => "SHA-384",
        "sha512" => "SHA-512",
        _ => return None,
    })
}

fn component(c: &Component, kind: &str) -> Value {
    let mut v = json!({
        "type": kind,
        "bom-ref": c.purl,
        "name": c.name,
        "version": c.version,
        "purl": c.purl,
    });
    if kind == "library" {
        v["scope"] = json!(c.scope);
    }
    let hashes: Vec<Value> = c
        .hashes
        .iter()
        .filter_map(|(a, d)| alg(a).map(|a| json!({"alg": a, "content": d})))
        .collect();
    if !hashes.is_empty() {
        v["hashes"] = json!(hashes);
    }
    if let Some(l) = licenses(&c.licenses) {
        v["licenses"] = l;
    }
    v
}

/// CycloneDX `licenses`: one SPDX expression alone (the schema allows no mix), else the
/// licences by name.
fn licenses(ls: &[License]) -> Option<Value> {
    if let Some(e) = ls.iter().find_map(|l| match l {
        License::Expression(e) => Some(e),
        License::Name(_) => None,
    }) {
        return Some(json!([{ "expression": e }]));
    }
    let names: Vec<Value> = ls
        .iter()
        .filter_map(|l| match l {
            License::Name(n) => Some(json!({"license": {"name": n}})),
            License::Expression(_) => None,
        })
        .collect();
    (!names.is_empty()).then(|| json!(names))
}

pub fn render(bill: &Bill, spec: Spec) -> String {
    let root_ref = format!("rigor-project:{}", bill.name);
    let projects: Vec<&Component> = bill.components.iter().filter(|c| c.is_project).collect();
    let (root, root_ref) = match projects.first() {
        Some(p) => (component(p, "application"), p.purl.clone()),
        None => (
            json!({"type": "application", "bom-ref": root_ref, "name": bill.name}),
            root_ref,
        ),
    };
    let libraries: Vec<&Component> = bill
        .components
        .iter()
        .filter(|c| !c.is_project || c.purl != root_ref)
        .collect();
    let mut dependencies = Vec::new();
    // Without a graph in the input (requirement files), the project depends on every package.
    let root_deps: Vec<String> = match projects.first() {
        Some(p) => p.depends_on.clone(),
        None => libraries.iter().map(|c| c.purl.clone()).collect(),
    };
    dependencies.push(json!({"ref": root_ref, "dependsOn": root_deps}));
    for c in &libraries {
        dependencies.push(json!({"ref": c.purl, "dependsOn": c.depends_on}));
    }
    let time = timestamp();
    let doc = json!({
        "$schema": format!("http://cyclonedx.org/schema/bom-{}.schema.json", spec.as_str()),
        "bomFormat": "CycloneDX",
        "specVersion": spec.as_str(),
        "serialNumber": format!("urn:uuid:{}", uuid(&format!("{}{}{}", bill.name, time, libraries.len()))),
        "version": 1,
        "metadata": {
            "timestamp": time,
            "tools": {"components": [{"type": "application", "name": "rigor", "version": env!("CARGO_PKG_VERSION")}]},
            "component": root,
        },
        "components": libraries.iter().map(|c| component(c, if c.is_project { "application" } else { "library" })).collect::<Vec<_>>(),
        "dependencies": dependencies,
    });
    let mut doc = doc;
    if !bill.properties.is_empty() {
        doc["metadata"]["properties"] = bill
            .properties
            .iter()
            .map(|(k, v)| json!({"name": k, "value": v}))
            .collect();
    }
    let mut s = serde_json::to_string_pretty(&doc).expect("a bill serialises");
    s.push('\n');
    s
}
