//! The settings of one rollout: `[rollout]` of rigor.toml with the command line's overrides,
//! checked once (durations, steps, thresholds, both sides).

use super::controller::Plan;
use super::judge::Thresholds;
use super::sides::SideSpec;
use crate::error::{ReleaseError, Result};
use rigor_model::config::{RolloutConfig, RolloutSide};
use rigor_model::duration::parse_duration;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: String,
    pub control: String,
    pub blue: SideSpec,
    pub green: SideSpec,
    pub health_path: String,
    pub health_timeout: Duration,
    pub plan: Plan,
}

fn bad(key: &str, message: String, hint: &str) -> ReleaseError {
    ReleaseError::config(format!("[rollout] {key}"), message, hint)
}

fn duration(key: &str, text: &str) -> Result<Duration> {
    parse_duration(text)
        .map_err(|e| bad(key, e, "write durations like \"30s\", \"2m\" or \"500ms\""))
}

fn side(name: &str, s: &RolloutSide) -> Result<SideSpec> {
    let addr = s.addr.clone().filter(|a| !a.is_empty()).ok_or_else(|| {
        bad(
            &format!("{name}.addr"),
            format!("no address for {name}"),
            &format!("give --{name} HOST:PORT (and --{name}-cmd CMD when rigor should start it), or [rollout.{name}] addr"),
        )
    })?;
    if addr
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse::<u16>().ok())
        .is_none()
    {
        return Err(bad(
            &format!("{name}.addr"),
            format!("`{addr}` is not HOST:PORT"),
            "e.g. 127.0.0.1:9001",
        ));
    }
    Ok(SideSpec {
        addr,
        command: s.command.clone().filter(|c| !c.trim().is_empty()),
    })
}

/// Steps are percentages of traffic on green, increasing, ending at 100.
pub fn check_steps(steps: &[u32]) -> std::result::Result<(), String> {
    if steps.is_empty() {
        return Err("no steps".into());
    }
    if steps.iter().any(|s| *s == 0 || *s > 100) {
        return Err(format!(
            "steps must be percentages in 1..=100, got {steps:?}"
        ));
    }
    if steps.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!("steps must increase, got {steps:?}"));
    }
    if steps.last() != Some(&100) {
        return Err(format!(
            "the last step must be 100 (all traffic on green), got {steps:?}"
        ));
    }
    Ok(())
}

impl Settings {
    pub fn resolve(c: &RolloutConfig) -> Result<Settings> {
        check_steps(&c.steps).map_err(|e| {
            bad(
                "steps",
                e,
                "e.g. steps = [100] (all at once) or [10, 50, 100]",
            )
        })?;
        if !(c.alpha > 0.0 && c.alpha < 0.5) {
            return Err(bad(
                "alpha",
                format!("{} is not in (0, 0.5)", c.alpha),
                "the default is 0.01",
            ));
        }
        if c.max_error_increase < 0.0 || c.max_latency_increase < 0.0 {
            return Err(bad(
                "max_error_increase / max_latency_increase",
                "thresholds cannot be negative".into(),
                "percentage points and percent, e.g. 2 and 10",
            ));
        }
        if !c.health_path.starts_with('/') {
            return Err(bad(
                "health_path",
                format!("`{}` does not start with /", c.health_path),
                "e.g. /health",
            ));
        }
        let interval = duration("interval", &c.interval)?;
        if interval.is_zero() {
            return Err(bad("interval", "must be above zero".into(), "e.g. \"1s\""));
        }
        Ok(Settings {
            listen: c.listen.clone(),
            control: c.control.clone(),
            blue: side("blue", &c.blue)?,
            green: side("green", &c.green)?,
            health_path: c.health_path.clone(),
            health_timeout: duration("health_timeout", &c.health_timeout)?,
            plan: Plan {
                steps: c.steps.clone(),
                step_time: duration("step_time", &c.step_time)?,
                baseline_time: duration("baseline_time", &c.baseline_time)?,
                interval,
                thresholds: Thresholds {
                    alpha: c.alpha,
                    max_error_increase: c.max_error_increase,
                    max_latency_increase: c.max_latency_increase,
                    min_requests: c.min_requests,
                },
                drain_timeout: duration("drain_timeout", &c.drain_timeout)?,
                failure_limit: c.failure_limit.max(1),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn defaults_need_both_sides() {
        let mut c = RolloutConfig::default();
        let e = Settings::resolve(&c).unwrap_err().to_string();
        assert!(
            e.contains("no address for blue") && e.contains("hint"),
            "{e}"
        );
        c.blue.addr = Some("127.0.0.1:9001".into());
        c.green.addr = Some("localhost".into());
        assert!(
            Settings::resolve(&c)
                .unwrap_err()
                .to_string()
                .contains("not HOST:PORT")
        );
        c.green.addr = Some("127.0.0.1:9002".into());
        let s = Settings::resolve(&c).unwrap();
        assert_eq!(s.plan.steps, vec![50, 100]);
        assert_eq!(s.plan.step_time, Duration::from_secs(60));
    }

    #[test]
    fn bad_steps_and_durations_are_named() {
        let mut c = RolloutConfig::default();
        c.blue.addr = Some("127.0.0.1:1".into());
        c.green.addr = Some("127.0.0.1:2".into());
        c.steps = vec![50, 10, 100];
        assert!(
            Settings::resolve(&c)
                .unwrap_err()
                .to_string()
                .contains("[rollout] steps")
        );
        c.steps = vec![100];
        c.step_time = "soon".into();
        assert!(
            Settings::resolve(&c)
                .unwrap_err()
                .to_string()
                .contains("[rollout] step_time")
        );
    }

    proptest! {
        /// Any increasing list of percentages ending at 100 is accepted; reversing a list of
        /// two or more distinct steps never is.
        #[test]
        fn increasing_steps_ending_at_100(mut v in proptest::collection::btree_set(1u32..100, 0..6)) {
            let mut steps: Vec<u32> = std::mem::take(&mut v).into_iter().collect();
            steps.push(100);
            prop_assert!(check_steps(&steps).is_ok());
            if steps.len() > 1 {
                steps.reverse();
                prop_assert!(check_steps(&steps).is_err());
            }
        }
    }
}
