//! Decisions people made (`rigor triage label SIGNATURE --as CAUSE`), kept in the history's
//! `triage` area, and how later failures inherit them: the same signature, or one whose
//! normalised tokens are similar enough (Jaccard similarity of the token sets).

use crate::classify::{Cause, Verdict};
use crate::signature::Signature;
use rigor_store::values;
use rigor_store::{Migration, Store};
use serde::Serialize;
use std::collections::BTreeSet;

/// Ordered schema steps of the `triage` area. Never edit a released step; append.
pub const MIGRATIONS: &[Migration] = &[r#"
CREATE TABLE triage_labels (
    id          INTEGER PRIMARY KEY,
    signature   TEXT NOT NULL,
    headline    TEXT NOT NULL,
    tokens      TEXT NOT NULL,
    cause       TEXT NOT NULL,
    note        TEXT,
    created_at  REAL NOT NULL
);
CREATE INDEX triage_labels_by_signature ON triage_labels (signature);
"#];

/// Default similarity a signature needs to inherit a label it does not match exactly.
pub const DEFAULT_THRESHOLD: f64 = 0.75;

#[derive(Debug, Clone, Serialize)]
pub struct Label {
    pub signature: String,
    pub headline: String,
    #[serde(skip)]
    pub tokens: Vec<String>,
    pub cause: Cause,
    pub note: Option<String>,
    pub created_at: f64,
}

/// A label a failure inherited, and how similar their signatures are (1 = the same).
#[derive(Debug, Clone, Serialize)]
pub struct LabelMatch {
    pub signature: String,
    pub similarity: f64,
    pub note: Option<String>,
}

pub fn migrate(store: &mut Store) -> crate::Result<()> {
    Ok(store.migrate_area("triage", MIGRATIONS)?)
}

pub fn add(
    store: &Store,
    sig: &Signature,
    cause: Cause,
    note: Option<&str>,
    now: f64,
) -> crate::Result<()> {
    store.with_sql(|db| {
        db.exec(
            "INSERT INTO triage_labels (signature, headline, tokens, cause, note, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &values![&sig.id, sig.headline(), sig.tokens().join(" "), cause.as_str(), note, now],
        )
    })?;
    Ok(())
}

/// The newest label of each signature.
pub fn all(store: &Store) -> crate::Result<Vec<Label>> {
    Ok(store.with_sql(|db| {
        db.query(
            "SELECT signature, headline, tokens, cause, note, created_at FROM triage_labels l
             WHERE id = (SELECT MAX(id) FROM triage_labels m WHERE m.signature = l.signature)
             ORDER BY id",
            &[],
        )?
        .iter()
        .map(|r| {
            Ok(Label {
                signature: r.get(0)?,
                headline: r.get(1)?,
                tokens: r
                    .get::<String>(2)?
                    .split(' ')
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect(),
                cause: Cause::parse(&r.get::<String>(3)?).unwrap_or(Cause::Unknown),
                note: r.get(4)?,
                created_at: r.get(5)?,
            })
        })
        .collect()
    })?)
}

/// Jaccard similarity of two token sets: |A ∩ B| / |A ∪ B| (1 for two empty sets).
pub fn similarity(a: &[String], b: &[String]) -> f64 {
    let a: BTreeSet<&String> = a.iter().collect();
    let b: BTreeSet<&String> = b.iter().collect();
    let union = a.union(&b).count();
    if union == 0 {
        return 1.0;
    }
    a.intersection(&b).count() as f64 / union as f64
}

/// The label a signature inherits: its own, else the most similar one at or above `threshold`.
pub fn inherit(labels: &[Label], sig: &Signature, threshold: f64) -> Option<(Verdict, LabelMatch)> {
    let tokens = sig.tokens();
    let best = labels
        .iter()
        .map(|l| {
            let s = if l.signature == sig.id {
                1.0
            } else {
                similarity(&l.tokens, &tokens)
            };
            (l, s)
        })
        .filter(|(_, s)| *s >= threshold)
        .max_by(|a, b| {
            a.1.total_cmp(&b.1)
                .then_with(|| a.0.created_at.total_cmp(&b.0.created_at))
        })?;
    let (l, s) = best;
    let mut ev = vec![if l.signature == sig.id {
        format!(
            "labelled `{}` by a person on {} (signature {})",
            l.cause,
            rigor_model::time::utc(l.created_at),
            l.signature
        )
    } else {
        format!(
            "similar ({:.0} %) to signature {} labelled `{}` on {}: {}",
            s * 100.0,
            l.signature,
            l.cause,
            rigor_model::time::utc(l.created_at),
            l.headline
        )
    }];
    if let Some(n) = &l.note {
        ev.push(format!("note: {n}"));
    }
    let verdict = Verdict::new(l.cause, if s >= 1.0 { 1.0 } else { 0.95 * s }, ev);
    Some((
        verdict,
        LabelMatch {
            signature: l.signature.clone(),
            similarity: s,
            note: l.note.clone(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn toks(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn a_label_is_stored_and_inherited_exactly_or_by_similarity() {
        let mut store = Store::in_memory().unwrap();
        migrate(&mut store).unwrap();
        let sig = Signature::of(
            "[call] x\nE       ConnectionError: cannot reach db.internal port 5432\n\ntests/test_db.py:3: ConnectionError",
        );
        add(
            &store,
            &sig,
            Cause::Infrastructure,
            Some("db restarts nightly"),
            1.0,
        )
        .unwrap();
        let labels = all(&store).unwrap();
        let (v, m) = inherit(&labels, &sig, DEFAULT_THRESHOLD).unwrap();
        assert_eq!(
            (v.cause, m.similarity, v.confidence),
            (Cause::Infrastructure, 1.0, 1.0)
        );
        let near = Signature::of(
            "[call] x\nE       ConnectionError: cannot reach db.internal port 6543 now\n\ntests/test_db.py:9: ConnectionError",
        );
        assert_ne!(near.id, sig.id);
        let (v, m) = inherit(&labels, &near, DEFAULT_THRESHOLD).unwrap();
        assert!(
            m.similarity >= DEFAULT_THRESHOLD && m.similarity < 1.0,
            "{m:?}"
        );
        assert!(v.evidence[0].starts_with("similar ("), "{:?}", v.evidence);
        let far = Signature::of("[call] x\nE       KeyError: 'user'\n\nsrc/app.py:9: KeyError");
        assert!(inherit(&labels, &far, DEFAULT_THRESHOLD).is_none());
    }

    #[test]
    fn the_newest_label_of_a_signature_wins() {
        let mut store = Store::in_memory().unwrap();
        migrate(&mut store).unwrap();
        let sig = Signature::of("exit code 1\nboom");
        add(&store, &sig, Cause::Flaky, None, 1.0).unwrap();
        add(&store, &sig, Cause::Regression, None, 2.0).unwrap();
        let labels = all(&store).unwrap();
        assert_eq!(labels.len(), 1);
        assert_eq!(labels[0].cause, Cause::Regression);
    }

    proptest! {
        /// Similarity is symmetric, in [0, 1], and 1 exactly for equal sets.
        #[test]
        fn similarity_is_a_proper_measure(a in proptest::collection::vec("[a-d]{1,2}", 0..8), b in proptest::collection::vec("[a-d]{1,2}", 0..8)) {
            let s = similarity(&a, &b);
            prop_assert!((0.0..=1.0).contains(&s));
            prop_assert_eq!(s, similarity(&b, &a));
            let sa: BTreeSet<_> = a.iter().collect();
            let sb: BTreeSet<_> = b.iter().collect();
            prop_assert_eq!(s == 1.0, sa == sb);
            prop_assert_eq!(similarity(&a, &a), 1.0);
        }
    }

    #[test]
    fn similarity_of_known_sets() {
        assert_eq!(similarity(&toks("a b c"), &toks("a b d")), 0.5);
    }
}
