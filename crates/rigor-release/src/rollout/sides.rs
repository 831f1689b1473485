//! A side's service: an address, and optionally the command that starts it (run by `sh -c`
//! in its own process group, stopped with the whole group).

use crate::error::{ReleaseError, Result};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SideSpec {
    pub addr: String,
    pub command: Option<String>,
}

/// A started service; dropping it stops its process group.
pub struct Service {
    child: Option<Child>,
}

impl Service {
    pub fn start(spec: &SideSpec, name: &str) -> Result<Service> {
        let Some(cmd) = &spec.command else {
            return Ok(Service { child: None });
        };
        use std::os::unix::process::CommandExt;
        let child = Command::new("sh")
            .args(["-c", cmd])
            .env("RIGOR_ROLLOUT_SIDE", name)
            .env("RIGOR_ROLLOUT_ADDR", &spec.addr)
            .stdin(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| ReleaseError::io(format!("start the {name} command `{cmd}`"), e))?;
        Ok(Service { child: Some(child) })
    }

    /// Whether the command ended already (a service that exits at once never gets healthy).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pgid = child.id() as i32;
        // SAFETY: signalling a process group we created.
        unsafe {
            libc::kill(-pgid, libc::SIGTERM);
        }
        let end = Instant::now() + Duration::from_secs(5);
        while Instant::now() < end {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // SAFETY: as above.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
        let _ = child.wait();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.stop();
    }
}
