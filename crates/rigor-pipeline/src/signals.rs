//! Ctrl-C and SIGTERM: the first asks the run to stop (and record what finished), a second one
//! exits at once.

use crate::error::{PipelineError, Result};
use rigor_model::exit::INTERRUPTED;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// The stop flag set by the first Ctrl-C / SIGTERM.
pub fn stop_flag() -> Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let register =
            signal_hook::flag::register_conditional_shutdown(sig, INTERRUPTED, stop.clone())
                .and_then(|_| signal_hook::flag::register(sig, stop.clone()));
        register.map_err(|source| PipelineError::Io {
            action: "install the signal handler for",
            path: format!("signal {sig}"),
            source,
            hint: "this should not happen on Linux or macOS; report it",
        })?;
    }
    Ok(stop)
}
