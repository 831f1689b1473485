//! The tiers of a tiered run: when each starts, what it planned and how many of its tests
//! failed, and whether the run stops after it.

use crate::outcome::TierRun;
use crate::report::Reporter;
use std::time::Instant;

#[derive(Default)]
pub(super) struct Tiers {
    pub(super) runs: Vec<TierRun>,
    /// The tier of the unit running now.
    current: Option<String>,
    started: Option<Instant>,
    /// The tier after which the run stopped because it failed.
    pub(super) stopped_at: Option<String>,
}

impl Tiers {
    /// Before each unit: a tier starts when the unit's tier differs from the previous unit's.
    pub(super) fn enter(&mut self, tier: &Option<String>, reporter: &mut dyn Reporter) {
        if *tier == self.current {
            return;
        }
        if let Some(name) = tier {
            self.started = Some(Instant::now());
            reporter.tier_start(name);
            self.runs.push(TierRun {
                name: name.clone(),
                planned: 0,
                estimated_s: 0.0,
                wall_s: 0.0,
                failed: 0,
                ran: true,
            });
        }
        self.current = tier.clone();
    }

    /// After a unit: count what it planned and how many of its tests failed the run.
    pub(super) fn count(&mut self, planned: usize, estimated_s: f64, failed: usize) {
        let started = self.started;
        if let Some(t) = self.runs.last_mut() {
            t.planned += planned;
            t.estimated_s += estimated_s;
            t.failed += failed;
            t.wall_s = started.map_or(0.0, |s| s.elapsed().as_secs_f64());
        }
    }

    /// After the last unit of the current tier: if the tier failed, remember where the run
    /// stops and return true.
    pub(super) fn stop_if_failed(&mut self) -> bool {
        if self.current.is_none() {
            return false;
        }
        match self.runs.last() {
            Some(t) if t.failed > 0 => {
                self.stopped_at = Some(t.name.clone());
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::SilentReporter;

    fn tier(name: &str) -> Option<String> {
        Some(name.to_string())
    }

    #[test]
    fn consecutive_units_of_a_tier_count_into_it() {
        let mut t = Tiers::default();
        let r = &mut SilentReporter;
        t.enter(&tier("smoke"), r);
        t.count(2, 1.5, 0);
        t.enter(&tier("smoke"), r);
        t.count(3, 0.5, 1);
        t.enter(&tier("full"), r);
        t.count(10, 8.0, 0);
        let seen: Vec<_> = t
            .runs
            .iter()
            .map(|r| (r.name.as_str(), r.planned, r.estimated_s, r.failed))
            .collect();
        assert_eq!(seen, [("smoke", 5, 2.0, 1), ("full", 10, 8.0, 0)]);
    }

    #[test]
    fn only_a_failed_tier_stops_the_run() {
        let mut t = Tiers::default();
        let r = &mut SilentReporter;
        t.enter(&tier("smoke"), r);
        t.count(2, 1.0, 0);
        assert!(!t.stop_if_failed());
        t.enter(&tier("full"), r);
        t.count(2, 1.0, 2);
        assert!(t.stop_if_failed());
        assert_eq!(t.stopped_at.as_deref(), Some("full"));
    }

    #[test]
    fn an_untiered_run_has_no_tiers_and_never_stops_at_one() {
        let mut t = Tiers::default();
        t.enter(&None, &mut SilentReporter);
        t.count(4, 2.0, 4);
        assert!(t.runs.is_empty());
        assert!(!t.stop_if_failed());
    }
}
