//! Advisories about one package that name each other (by id or alias) are one issue: they are
//! grouped by the connected components of the "shares an id" relation.

use crate::advisories::model::Advisory;

/// Groups of advisories sharing an id or alias, transitively; in first-seen order.
pub fn groups<'a>(hits: &[&'a Advisory]) -> Vec<Vec<&'a Advisory>> {
    let n = hits.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let ids = |a: &Advisory| -> Vec<String> {
        std::iter::once(&a.id)
            .chain(&a.aliases)
            .map(|s| s.trim().to_ascii_uppercase())
            .collect()
    };
    let mut owner: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, a) in hits.iter().enumerate() {
        for id in ids(a) {
            match owner.get(&id) {
                Some(&j) => {
                    let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                    if ri != rj {
                        parent[ri.max(rj)] = ri.min(rj);
                    }
                }
                None => {
                    owner.insert(id, i);
                }
            }
        }
    }
    let mut out: Vec<(usize, Vec<&Advisory>)> = Vec::new();
    for (i, a) in hits.iter().enumerate() {
        let r = root(&mut parent, i);
        match out.iter_mut().find(|(k, _)| *k == r) {
            Some((_, g)) => g.push(a),
            None => out.push((r, vec![a])),
        }
    }
    out.into_iter().map(|(_, g)| g).collect()
}

/// The id a merged finding is known by: the database's own ids first.
pub fn primary_id(group: &[&Advisory]) -> String {
    let rank = |id: &str| match id.split('-').next().unwrap_or("") {
        "RUSTSEC" => 0,
        "PYSEC" => 1,
        "GHSA" => 2,
        "CVE" => 3,
        _ => 4,
    };
    group
        .iter()
        .map(|a| a.id.as_str())
        .min_by_key(|id| (rank(id), *id))
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advisories::model::Affected;
    use crate::model::Ecosystem;
    use proptest::prelude::*;

    fn adv(id: &str, aliases: &[&str]) -> Advisory {
        Advisory {
            id: id.into(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            ecosystem: Ecosystem::PyPI,
            package: "p".into(),
            title: String::new(),
            url: None,
            informational: None,
            withdrawn: false,
            cvss: vec![],
            severity_word: None,
            affected: Affected::Osv {
                versions: vec![],
                ranges: vec![],
            },
            file: String::new(),
        }
    }

    #[test]
    fn transitive_aliases_merge() {
        let a = adv("PYSEC-1", &["CVE-1"]);
        let b = adv("GHSA-x", &["cve-1"]);
        let c = adv("OSV-9", &["GHSA-X"]);
        let d = adv("PYSEC-2", &[]);
        let g = groups(&[&c, &d, &a, &b]);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].len(), 3);
        assert_eq!(primary_id(&g[0]), "PYSEC-1");
        assert_eq!(primary_id(&g[1]), "PYSEC-2");
    }

    proptest! {
        // Metamorphic: grouping does not depend on the order of the hits, and every hit is in
        // exactly one group.
        #[test]
        fn grouping_is_order_independent(links in prop::collection::vec((0u8..6, 0u8..6), 1..8), rot in 0usize..8) {
            let advs: Vec<Advisory> = links.iter().enumerate()
                .map(|(i, (x, y))| adv(&format!("ID-{i}"), &[&format!("A-{x}"), &format!("A-{y}")]))
                .collect();
            let refs: Vec<&Advisory> = advs.iter().collect();
            let mut rotated = refs.clone();
            let k = rot % rotated.len();
            rotated.rotate_left(k);
            let norm = |gs: Vec<Vec<&Advisory>>| {
                let mut v: Vec<Vec<String>> = gs.into_iter().map(|g| {
                    let mut ids: Vec<String> = g.iter().map(|a| a.id.clone()).collect();
                    ids.sort();
                    ids
                }).collect();
                v.sort();
                v
            };
            let a = norm(groups(&refs));
            let b = norm(groups(&rotated));
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(a.iter().map(Vec::len).sum::<usize>(), advs.len());
        }
    }
}
