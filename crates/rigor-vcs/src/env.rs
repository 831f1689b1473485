//! Where CI variables come from: the process environment, or a map (tests, embedding).

use std::collections::BTreeMap;

/// A source of environment variables. Empty values count as unset.
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;

    /// The first of `names` that is set.
    fn first(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|n| self.var(n))
    }
}

/// The process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
}

impl Env for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_unset_and_first_takes_the_first_set() {
        let m: BTreeMap<String, String> = [("A", ""), ("B", " b "), ("C", "c")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(m.var("A"), None);
        assert_eq!(m.first(&["A", "B", "C"]).as_deref(), Some("b"));
        assert_eq!(m.first(&["X"]), None);
    }
}
