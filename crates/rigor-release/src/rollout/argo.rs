//! The judge as an HTTP endpoint for Argo Rollouts' web metric provider: `POST /judge` with
//! two samples answers the verdict, so an AnalysisTemplate can use rigor's judge.
//!
//! Request: `{"baseline": SAMPLE, "canary": SAMPLE, "thresholds": {…optional}}` where SAMPLE is
//! `{"latencies_ms": [..], "errors": N, "requests": N}`. Answer: the `rigor.judge/1` verdict
//! with `"pass"` (true unless the canary failed) and `"score"` (1 pass, 0 fail, 0.5
//! inconclusive) for `jsonPath` / `successCondition`.

use super::judge::{self, Outcome, Thresholds, Verdict};
use super::samples::Sample;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
pub struct JudgeRequest {
    pub baseline: Sample,
    pub canary: Sample,
    #[serde(default)]
    pub thresholds: Option<PartialThresholds>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PartialThresholds {
    pub alpha: Option<f64>,
    pub max_error_increase: Option<f64>,
    pub max_latency_increase: Option<f64>,
    pub min_requests: Option<u64>,
}

impl PartialThresholds {
    fn over(&self, t: Thresholds) -> Thresholds {
        Thresholds {
            alpha: self.alpha.unwrap_or(t.alpha),
            max_error_increase: self.max_error_increase.unwrap_or(t.max_error_increase),
            max_latency_increase: self.max_latency_increase.unwrap_or(t.max_latency_increase),
            min_requests: self.min_requests.unwrap_or(t.min_requests),
        }
    }
}

/// Check a sample: counts consistent, latencies finite and non-negative.
pub fn check_sample(name: &str, s: &Sample) -> Result<(), String> {
    if s.errors > s.requests {
        return Err(format!(
            "{name}: errors ({}) exceed requests ({})",
            s.errors, s.requests
        ));
    }
    if s.latencies_ms.iter().any(|x| !x.is_finite() || *x < 0.0) {
        return Err(format!("{name}: latencies must be finite and non-negative"));
    }
    Ok(())
}

/// The verdict document for a request.
pub fn answer(req: &JudgeRequest, defaults: Thresholds) -> Result<Value, String> {
    check_sample("baseline", &req.baseline)?;
    check_sample("canary", &req.canary)?;
    let t = req
        .thresholds
        .as_ref()
        .map(|p| p.over(defaults))
        .unwrap_or(defaults);
    Ok(document(&judge::judge(&req.baseline, &req.canary, &t)))
}

pub fn document(v: &Verdict) -> Value {
    let mut doc = json!({
        "schema": "rigor.judge/1",
        "pass": v.outcome != Outcome::Fail,
        "score": match v.outcome { Outcome::Pass => 1.0, Outcome::Fail => 0.0, Outcome::Inconclusive => 0.5 },
    });
    if let (Value::Object(d), Ok(Value::Object(m))) = (&mut doc, serde_json::to_value(v)) {
        d.extend(m);
    }
    doc
}

pub fn router(defaults: Thresholds) -> Router {
    Router::new()
        .route("/judge", post(judge_route))
        .route("/health", get(|| async { "ok" }))
        .with_state(defaults)
}

async fn judge_route(State(defaults): State<Thresholds>, body: Bytes) -> Response {
    let reply = |code: StatusCode, v: Value| {
        (
            code,
            [(header::CONTENT_TYPE, "application/json")],
            v.to_string(),
        )
            .into_response()
    };
    let req: JudgeRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"error": format!("bad request body: {e}; expected {{\"baseline\": {{\"latencies_ms\": [..], \"errors\": N, \"requests\": N}}, \"canary\": {{..}}}}")}),
            );
        }
    };
    match answer(&req, defaults) {
        Ok(v) => reply(StatusCode::OK, v),
        Err(e) => reply(StatusCode::BAD_REQUEST, json!({ "error": e })),
    }
}

/// Serve the endpoint on `addr` until Ctrl-C / SIGTERM.
pub fn serve(
    addr: &str,
    defaults: Thresholds,
    ready: impl FnOnce(std::net::SocketAddr),
) -> crate::Result<()> {
    let rt = crate::chaos::server::runtime()?;
    rt.block_on(async {
        let l = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| crate::ReleaseError::Listen { addr: addr.into(), source })?;
        ready(l.local_addr().map_err(|e| crate::ReleaseError::io("read the address", e))?);
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        axum::serve(l, router(defaults))
            .with_graceful_shutdown(async move {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending::<()>().await } } => {}
                }
            })
            .await
            .map_err(|e| crate::ReleaseError::io("serve the judge", e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_canary_answers_pass_false() {
        let base = Sample {
            latencies_ms: vec![10.0; 100],
            errors: 0,
            requests: 100,
        };
        let bad = Sample {
            latencies_ms: vec![10.0; 70],
            errors: 30,
            requests: 100,
        };
        let req = JudgeRequest {
            baseline: base.clone(),
            canary: bad,
            thresholds: None,
        };
        let v = answer(&req, Thresholds::default()).unwrap();
        assert_eq!(v["pass"], false);
        assert_eq!(v["outcome"], "fail");
        assert_eq!(v["schema"], "rigor.judge/1");
        let req = JudgeRequest {
            baseline: base.clone(),
            canary: base,
            thresholds: None,
        };
        assert_eq!(answer(&req, Thresholds::default()).unwrap()["pass"], true);
    }

    #[test]
    fn inconsistent_samples_are_refused() {
        let bad = Sample {
            latencies_ms: vec![],
            errors: 5,
            requests: 1,
        };
        let req = JudgeRequest {
            baseline: bad.clone(),
            canary: bad,
            thresholds: None,
        };
        assert!(
            answer(&req, Thresholds::default())
                .unwrap_err()
                .contains("exceed")
        );
    }
}
