//! Child processes in their own process group, killed as a group.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Put the command in a new process group (so its whole tree can be killed) and make sure it
/// dies with rigor: children would otherwise outlive a killed rigor in their own group.
pub fn isolate(cmd: &mut Command) -> &mut Command {
    cmd.process_group(0);
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    cmd
}

/// Kill a whole process group with SIGKILL. Safe to call on a group that is gone.
pub fn kill_group(pgid: u32) {
    if pgid > 1 {
        // SAFETY: plain syscall with a negative pid = process group.
        unsafe {
            libc::kill(-(pgid as i32), libc::SIGKILL);
        }
    }
}

/// Shared buffer that keeps at most `cap` bytes of the end of a stream.
#[derive(Clone, Default)]
pub struct Tail {
    buf: Arc<Mutex<Vec<u8>>>,
    cap: usize,
}

impl Tail {
    pub fn new(cap: usize) -> Self {
        Self { buf: Arc::default(), cap }
    }

    fn push(&self, data: &[u8]) {
        let mut b = self.buf.lock().unwrap();
        b.extend_from_slice(data);
        if b.len() > self.cap {
            let cut = b.len() - self.cap;
            b.drain(..cut);
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buf.lock().unwrap()).into_owned()
    }
}

/// Read a stream to its end in a thread, keeping its tail.
pub fn drain(mut r: impl Read + Send + 'static, tail: Tail) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        loop {
            match r.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => tail.push(&chunk[..n]),
            }
        }
    })
}

/// Output and status of a finished one-shot command.
pub struct Finished {
    pub success: bool,
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub output: String,
}

/// Run a command to completion in its own group, capturing stdout and stderr (interleaved by
/// arrival, bounded to `cap` bytes of tail).
pub fn run_captured(mut cmd: Command, cap: usize, on_spawn: impl FnOnce(u32)) -> std::io::Result<Finished> {
    isolate(&mut cmd);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child: Child = cmd.spawn()?;
    on_spawn(child.id());
    let tail = Tail::new(cap);
    let t1 = drain(child.stdout.take().expect("piped"), tail.clone());
    let t2 = drain(child.stderr.take().expect("piped"), tail.clone());
    let status = child.wait()?;
    // A grandchild may keep the pipes open after the child died: don't wait for it forever.
    kill_group(child.id());
    let _ = t1.join();
    let _ = t2.join();
    use std::os::unix::process::ExitStatusExt;
    Ok(Finished {
        success: status.success(),
        code: status.code(),
        signal: status.signal(),
        output: tail.text(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_end() {
        let t = Tail::new(4);
        t.push(b"abc");
        t.push(b"defg");
        assert_eq!(t.text(), "defg");
    }

    #[test]
    fn captures_both_streams_and_status() {
        let mut c = Command::new("sh");
        c.args(["-c", "echo out; echo err >&2; exit 3"]);
        let f = run_captured(c, 1000, |_| {}).unwrap();
        assert!(!f.success);
        assert_eq!(f.code, Some(3));
        assert!(f.output.contains("out") && f.output.contains("err"));
    }

    #[test]
    fn killing_the_group_kills_grandchildren() {
        let mut c = Command::new("sh");
        // The grandchild holds stdout open; killing the group must end it.
        c.args(["-c", "sleep 30 & echo started; wait"]);
        let start = std::time::Instant::now();
        let f = run_captured(c, 1000, |pid| {
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(300));
                kill_group(pid);
            });
        })
        .unwrap();
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
        assert_eq!(f.signal, Some(libc::SIGKILL));
    }
}
