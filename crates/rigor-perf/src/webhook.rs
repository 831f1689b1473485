//! Alert delivery to a webhook: `POST` JSON with a Slack-compatible `text` field, retried with
//! exponential back-off on a background thread; the caller waits at most a short deadline.
//! `http://` is spoken directly over a TCP socket; `https://` goes through `curl` when present.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Attempts per delivery and the first back-off (doubled each retry).
pub const ATTEMPTS: u32 = 4;
pub const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// Outcome of a delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    Delivered {
        attempts: u32,
        status: u16,
    },
    Failed {
        attempts: u32,
        error: String,
    },
    /// The deadline passed; the background thread may still finish.
    Pending,
}

fn post_http(url: &str, body: &str, timeout: Duration) -> Result<u16, String> {
    let rest = url.strip_prefix("http://").ok_or("not an http:// URL")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let host_port = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let addr = host_port
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("cannot resolve {authority}"))?;
    let mut s = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| format!("connect {authority}: {e}"))?;
    s.set_read_timeout(Some(timeout)).ok();
    s.set_write_timeout(Some(timeout)).ok();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nUser-Agent: rigor-perf\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes())
        .map_err(|e| format!("send: {e}"))?;
    let mut buf = [0u8; 512];
    let mut head = Vec::new();
    while !head.windows(2).any(|w| w == b"\r\n") {
        let n = s.read(&mut buf).map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&head);
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| format!("bad HTTP response: {:?}", line.lines().next().unwrap_or("")))?;
    Ok(status)
}

fn post_curl(url: &str, body: &str, timeout: Duration) -> Result<u16, String> {
    use std::process::{Command, Stdio};
    let mut child = Command::new("curl")
        .args([
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
        ])
        .arg("--max-time")
        .arg(format!("{:.1}", timeout.as_secs_f64()))
        .args(["--data-binary", "@-", url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("https needs curl: {e}"))?;
    child.stdin.take().map(|mut i| i.write_all(body.as_bytes()));
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let code = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse::<u16>()
        .unwrap_or(0);
    if code == 0 {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(code)
}

/// Deliver with retries (blocking). 2xx is success; 4xx other than 429 is not retried.
pub fn deliver(
    url: &str,
    body: &str,
    attempt_timeout: Duration,
    first_backoff: Duration,
) -> Delivery {
    let mut last = String::new();
    let mut backoff = first_backoff;
    for attempt in 1..=ATTEMPTS {
        let r = if url.starts_with("https://") {
            post_curl(url, body, attempt_timeout)
        } else {
            post_http(url, body, attempt_timeout)
        };
        match r {
            Ok(status) if (200..300).contains(&status) => {
                return Delivery::Delivered {
                    attempts: attempt,
                    status,
                };
            }
            Ok(status) if (400..500).contains(&status) && status != 429 => {
                return Delivery::Failed {
                    attempts: attempt,
                    error: format!("HTTP {status}"),
                };
            }
            Ok(status) => last = format!("HTTP {status}"),
            Err(e) => last = e,
        }
        if attempt < ATTEMPTS {
            std::thread::sleep(backoff);
            backoff *= 2;
        }
    }
    Delivery::Failed {
        attempts: ATTEMPTS,
        error: last,
    }
}

/// Deliver on a background thread; wait at most `deadline` for the result.
pub fn deliver_with_deadline(url: &str, body: String, deadline: Duration) -> Delivery {
    let (tx, rx) = mpsc::channel();
    let url = url.to_string();
    let per_attempt = (deadline / 2).clamp(Duration::from_millis(100), Duration::from_secs(5));
    std::thread::spawn(move || {
        let _ = tx.send(deliver(&url, &body, per_attempt, FIRST_BACKOFF));
    });
    let start = Instant::now();
    match rx.recv_timeout(deadline.saturating_sub(start.elapsed())) {
        Ok(d) => d,
        Err(_) => Delivery::Pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A loopback server answering the given statuses in turn; returns the bodies received.
    fn server(statuses: Vec<u16>) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", l.local_addr().unwrap());
        let h = std::thread::spawn(move || {
            let mut bodies = Vec::new();
            for status in statuses {
                let (mut s, _) = l.accept().unwrap();
                let mut data = Vec::new();
                let mut buf = [0u8; 4096];
                loop {
                    let n = s.read(&mut buf).unwrap();
                    data.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&data).to_string();
                    if let Some(i) = text.find("\r\n\r\n") {
                        let len: usize = text
                            .lines()
                            .find_map(|l| l.strip_prefix("Content-Length: "))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        if data.len() >= i + 4 + len {
                            bodies.push(text[i + 4..].to_string());
                            break;
                        }
                    }
                    if n == 0 {
                        break;
                    }
                }
                write!(s, "HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n").unwrap();
            }
            bodies
        });
        (url, h)
    }

    #[test]
    fn retries_until_success() {
        let (url, h) = server(vec![500, 503, 200]);
        let d = deliver(
            &url,
            r#"{"text":"hi"}"#,
            Duration::from_secs(2),
            Duration::from_millis(10),
        );
        assert_eq!(
            d,
            Delivery::Delivered {
                attempts: 3,
                status: 200
            }
        );
        let bodies = h.join().unwrap();
        assert_eq!(bodies.len(), 3);
        assert_eq!(bodies[2], r#"{"text":"hi"}"#);
    }

    #[test]
    fn client_errors_are_not_retried() {
        let (url, h) = server(vec![404]);
        let d = deliver(
            &url,
            "{}",
            Duration::from_secs(2),
            Duration::from_millis(10),
        );
        assert_eq!(
            d,
            Delivery::Failed {
                attempts: 1,
                error: "HTTP 404".into()
            }
        );
        h.join().unwrap();
    }

    #[test]
    fn an_unreachable_hook_does_not_block_long() {
        // a listener that never accepts nor answers
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", l.local_addr().unwrap());
        let t = Instant::now();
        let d = deliver_with_deadline(&url, "{}".into(), Duration::from_millis(400));
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
        assert!(
            matches!(d, Delivery::Pending | Delivery::Failed { .. }),
            "{d:?}"
        );
        drop(l);
    }
}
