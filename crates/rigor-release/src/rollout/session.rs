//! One rollout from start to end: start the sides, check their health, serve the proxy and
//! the control API, run the controller, hand the report to the caller (who records it), then
//! keep serving the side that won until a signal, or stop at once.

use super::control;
use super::controller::{self, Control, Decision, Report};
use super::health;
use super::proxy::{self, Router};
use super::samples::Side;
use super::settings::Settings;
use super::sides::Service;
use crate::error::{ReleaseError, Result};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// After the decision: keep serving until Ctrl-C / SIGTERM, or end at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    Serve,
    Exit,
}

async fn bind(addr: &str) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| ReleaseError::Listen {
            addr: addr.into(),
            source,
        })
}

/// The whole rollout. `on_decision` gets the report as soon as the decision is taken (while
/// the proxy still serves).
pub fn run(
    s: &Settings,
    after: After,
    on_decision: &mut dyn FnMut(&Report) -> Result<()>,
) -> Result<Report> {
    let rt = crate::chaos::server::runtime()?;
    rt.block_on(async {
        let mut blue = Service::start(&s.blue, "blue")?;
        let mut green = Service::start(&s.green, "green")?;
        health::wait_healthy(&s.blue.addr, &s.health_path, s.health_timeout)
            .await
            .map_err(|e| ReleaseError::Refused {
                what: format!("blue ({}) is not healthy: {e}", s.blue.addr),
                hint: format!(
                    "the current version must answer GET {} with 2xx before a rollout",
                    s.health_path
                ),
            })?;
        let proxy_l = bind(&s.listen).await?;
        let control_l = bind(&s.control).await?;
        let router = Router::new(s.blue.addr.clone(), s.green.addr.clone());
        let ctl = Arc::new(Control::new(&s.blue.addr, &s.green.addr, &s.plan.steps));
        let (stop_tx, stop_rx) = watch::channel(false);
        tokio::spawn(proxy::serve(proxy_l, router.clone(), stop_rx.clone()));
        let app = control::router(ctl.clone());
        let mut control_stop = stop_rx.clone();
        tokio::spawn(async move {
            let _ = axum::serve(control_l, app)
                .with_graceful_shutdown(async move {
                    let _ = control_stop.changed().await;
                })
                .await;
        });
        eprintln!(
            "rigor rollout: proxy on http://{}, control on http://{}; blue {} → green {}",
            s.listen, s.control, s.blue.addr, s.green.addr
        );
        let report =
            match health::wait_healthy(&s.green.addr, &s.health_path, s.health_timeout).await {
                Ok(_) => controller::run(&s.plan, &router, &ctl).await,
                Err(e) => unhealthy_green(&s.green.addr, &e, &ctl),
            };
        on_decision(&report)?;
        match report.decision {
            Decision::Promoted => blue.stop(),
            Decision::RolledBack => green.stop(),
        }
        if after == After::Serve {
            eprintln!("rigor rollout: serving {} (Ctrl-C stops)", winner(&report));
            wait_for_signal().await;
        }
        let _ = stop_tx.send(true);
        let left = match report.decision {
            Decision::Promoted => Side::Green,
            Decision::RolledBack => Side::Blue,
        };
        router.drain(left, s.plan.drain_timeout).await;
        if let Some(status) = blue.exited().or(green.exited()) {
            eprintln!("rigor rollout: a side's command ended early ({status})");
        }
        Ok(report)
    })
}

fn winner(r: &Report) -> &'static str {
    match r.decision {
        Decision::Promoted => "green",
        Decision::RolledBack => "blue",
    }
}

fn unhealthy_green(addr: &str, e: &str, ctl: &Control) -> Report {
    let reason = format!("green ({addr}) never became healthy: {e}");
    ctl.status.lock().unwrap_or_else(|p| p.into_inner()).reason = Some(reason.clone());
    Report {
        decision: Decision::RolledBack,
        manual: false,
        reason,
        analyses: Vec::new(),
        green_exposure_s: 0.0,
        drained: true,
    }
}

async fn wait_for_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async {
            match term.as_mut() {
                Some(t) => { t.recv().await; }
                None => std::future::pending::<()>().await,
            }
        } => {}
    }
}
