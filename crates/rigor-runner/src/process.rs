//! Child processes in their own process group, killed as a group.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

static GUARD: OnceLock<PathBuf> = OnceLock::new();

/// Use `exe __guard` (rigor's own binary) to watch over every child: see [`guard_main`].
pub fn set_guard(exe: PathBuf) {
    let _ = GUARD.set(exe);
}

/// Put the command in a new process group (so its whole tree can be killed) and make sure the
/// group dies with rigor, even when rigor is killed with SIGKILL: the command runs under a guard
/// process that kills its group when its parent (rigor) goes away. Set stdio after this call.
pub fn isolate(cmd: Command) -> Command {
    let mut out = match GUARD.get() {
        Some(guard) => {
            let mut g = Command::new(guard);
            g.arg("__guard").arg(cmd.get_program()).args(cmd.get_args());
            if let Some(dir) = cmd.get_current_dir() {
                g.current_dir(dir);
            }
            for (k, v) in cmd.get_envs() {
                match v {
                    Some(v) => g.env(k, v),
                    None => g.env_remove(k),
                };
            }
            g
        }
        None => cmd,
    };
    out.process_group(0);
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        out.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    out
}

/// The guard: run `argv` as a child in this (new) process group and exit as it does; if the
/// parent dies first, kill the whole group. Returns the exit code to use.
pub fn guard_main(argv: &[std::ffi::OsString]) -> i32 {
    let Some((prog, args)) = argv.split_first() else {
        return 2;
    };
    // SAFETY: plain syscalls.
    let parent = unsafe { libc::getppid() };
    // The guard itself must survive rigor's death long enough to clean up.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, 0);
    }
    if parent == 1 {
        return 137;
    }
    // Descendants that leave the group (setsid, double fork) are re-parented to the guard
    // rather than to init, so the guard can find and kill them when the child ends.
    // SAFETY: plain syscall.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1);
    }
    // rigor asks with SIGUSR2 before it kills the group (a timeout): the guard then kills its
    // child and every descendant it adopted, which a SIGKILL of the group would orphan.
    let asked = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let _ = signal_hook::flag::register(libc::SIGUSR2, Arc::clone(&asked));
    let code = guard_child(prog, args, parent, &asked);
    kill_adopted();
    code
}

/// Run the guarded child; its exit code (128 + signal when killed).
fn guard_child(
    prog: &std::ffi::OsStr,
    args: &[std::ffi::OsString],
    parent: i32,
    asked: &std::sync::atomic::AtomicBool,
) -> i32 {
    let mut child = match Command::new(prog).args(args).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("rigor: cannot start {}: {e}", prog.to_string_lossy());
            return 127;
        }
    };
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    loop {
        match rx.recv_timeout(std::time::Duration::from_millis(20)) {
            Ok(Ok(status)) => {
                use std::os::unix::process::ExitStatusExt;
                return match (status.code(), status.signal()) {
                    (Some(c), _) => c,
                    (None, Some(sig)) => 128 + sig,
                    _ => 1,
                };
            }
            Ok(Err(_)) => return 1,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if asked.load(std::sync::atomic::Ordering::Relaxed) {
                    // SAFETY: plain syscalls on our own child and group.
                    unsafe {
                        libc::kill(pid as i32, libc::SIGKILL);
                    }
                    // Its descendants, in the group or re-parented to us, then the group.
                    kill_adopted();
                    unsafe {
                        libc::kill(0, libc::SIGKILL);
                    }
                }
                // SAFETY: plain syscalls.
                if unsafe { libc::getppid() } != parent {
                    kill_adopted();
                    unsafe {
                        libc::kill(pid as i32, libc::SIGKILL);
                        libc::kill(0, libc::SIGKILL);
                    }
                }
            }
            Err(_) => return 1,
        }
    }
}

/// Kill every process the guard adopted (descendants of its child that left its process group
/// and lost their parent), and reap them, until none is left. The guard's own child is not
/// among them once it has exited.
fn kill_adopted() {
    let me = std::process::id() as i32;
    for _ in 0..200 {
        let adopted = children_of(me);
        if adopted.is_empty() {
            return;
        }
        for pid in adopted {
            // SAFETY: plain syscalls on our own children.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
        // SAFETY: reaping our own children, without blocking.
        while unsafe { libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG) } > 0 {}
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// The processes whose parent is `ppid` (from /proc/PID/stat).
fn children_of(ppid: i32) -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| {
                    // The fields after the command name (which may hold spaces or parens).
                    let rest = &stat[stat.rfind(')')? + 2..];
                    rest.split(' ').nth(1)?.parse::<i32>().ok()
                })
                == Some(ppid)
        })
        .collect()
}

/// A spawned child that leads its own process group, killed through this handle only while
/// its pid still belongs to it: the leader is not reaped before its group has been killed, so a
/// signal never reaches an unrelated process that reused the pid (pids wrap quickly on a busy
/// machine, and SIGUSR2 ends any process that does not handle it).
#[derive(Debug)]
pub struct Group {
    pid: u32,
    reaped: Mutex<bool>,
}

impl Group {
    pub fn new(pid: u32) -> std::sync::Arc<Group> {
        std::sync::Arc::new(Group {
            pid,
            reaped: Mutex::new(false),
        })
    }

    /// Kill the group (see [`kill_group`]) unless its leader has already been reaped.
    pub fn kill(&self) {
        let reaped = self.reaped.lock().unwrap_or_else(|e| e.into_inner());
        if !*reaped {
            kill_group(self.pid);
        }
    }

    /// Wait for the leader to exit (left a zombie, so its pid stays reserved), kill what is left
    /// of its group, then reap it.
    pub fn wait(&self, child: &mut Child) -> std::io::Result<std::process::ExitStatus> {
        wait_exited(self.pid);
        let mut reaped = self.reaped.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: plain syscall; the group id is still ours while its leader is unreaped.
        unsafe {
            libc::kill(-(self.pid as i32), libc::SIGKILL);
        }
        let status = child.wait();
        *reaped = true;
        status
    }
}

/// Block until `pid` (our child) has exited, without reaping it.
fn wait_exited(pid: u32) {
    loop {
        // SAFETY: a zeroed siginfo_t is a valid out-parameter for waitid.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: waiting on our own child; WNOWAIT leaves it to be reaped by `Child::wait`.
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return;
        }
    }
}

/// Kill a whole process group with SIGKILL. Safe to call on a group that is gone.
///
/// When the group's leader is rigor's guard, it is first asked (SIGUSR2) to kill its child and
/// every descendant it adopted — daemons that left the group —, and given up to half a second to
/// do so; a SIGKILL of the group alone would kill the guard and orphan them.
pub fn kill_group(pgid: u32) {
    if pgid <= 1 {
        return;
    }
    if GUARD.get().is_some() && is_running(pgid as i32) {
        // SAFETY: plain syscall on the group leader, our child.
        unsafe {
            libc::kill(pgid as i32, libc::SIGUSR2);
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
        while is_running(pgid as i32) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
    // SAFETY: plain syscall with a negative pid = process group.
    unsafe {
        libc::kill(-(pgid as i32), libc::SIGKILL);
    }
}

/// A process that exists and has not exited (a zombie has exited).
fn is_running(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let rest = &stat[stat.rfind(')')? + 2..];
            rest.chars().next()
        })
        .is_some_and(|state| state != 'Z' && state != 'X')
}

/// Shared buffer that keeps at most `cap` bytes of the end of a stream.
#[derive(Clone, Default)]
pub struct Tail {
    buf: Arc<Mutex<Vec<u8>>>,
    cap: usize,
}

impl Tail {
    pub fn new(cap: usize) -> Self {
        Self {
            buf: Arc::default(),
            cap,
        }
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

/// (exit code, signal) of a child. Under the guard, a signal shows as exit code 128 + signal,
/// which is turned back into the signal.
pub fn exit_of(status: &std::process::ExitStatus) -> (Option<i32>, Option<i32>) {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), None) if GUARD.get().is_some() && c > 128 && c <= 128 + 64 => {
            (None, Some(c - 128))
        }
        other => other,
    }
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
pub fn run_captured(
    cmd: Command,
    cap: usize,
    on_spawn: impl FnOnce(std::sync::Arc<Group>),
) -> std::io::Result<Finished> {
    let mut cmd = isolate(cmd);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child: Child = cmd.spawn()?;
    let group = Group::new(child.id());
    on_spawn(group.clone());
    let tail = Tail::new(cap);
    let t1 = drain(child.stdout.take().expect("piped"), tail.clone());
    let t2 = drain(child.stderr.take().expect("piped"), tail.clone());
    // A grandchild may keep the pipes open after the child died: its group is killed before the
    // child is reaped, so the drains end.
    let status = group.wait(&mut child)?;
    let _ = t1.join();
    let _ = t2.join();
    let (code, signal) = exit_of(&status);
    Ok(Finished {
        success: status.success(),
        code,
        signal,
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
        let f = run_captured(c, 1000, |group| {
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(300));
                group.kill();
            });
        })
        .unwrap();
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
        assert_eq!(f.signal, Some(libc::SIGKILL));
    }
}
