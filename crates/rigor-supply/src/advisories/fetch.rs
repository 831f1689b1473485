//! Downloading one file for `rigor audit --update`: `http://` with the HTTP client already in
//! rigor (hyper, following redirects), `https://` through `curl` (rigor links no TLS library).
//! Only ever called for `--update`; `--offline` never gets here.

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

/// How long one download may take.
const TIMEOUT: Duration = Duration::from_secs(600);
/// The largest download accepted (an OSV export of the largest ecosystems is a few hundred MB).
const LIMIT: usize = 2 << 30;

/// The body of `url`, or why not.
pub fn get(url: &str) -> Result<Vec<u8>, String> {
    if url.starts_with("http://") {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        rt.block_on(async {
            tokio::time::timeout(TIMEOUT, get_http(url.to_string()))
                .await
                .map_err(|_| format!("no complete answer within {}s", TIMEOUT.as_secs()))?
        })
    } else if url.starts_with("https://") {
        get_curl(url)
    } else {
        Err("the URL must start with http:// or https://".into())
    }
}

async fn get_http(mut url: String) -> Result<Vec<u8>, String> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    for _ in 0..5 {
        let uri: hyper::Uri = url.parse().map_err(|e| format!("bad URL {url}: {e}"))?;
        let resp = client.get(uri).await.map_err(|e| e.to_string())?;
        let status = resp.status();
        if status.is_redirection()
            && let Some(to) = resp.headers().get(hyper::header::LOCATION)
        {
            let to = to.to_str().map_err(|e| e.to_string())?.to_string();
            if to.starts_with("https://") {
                return get_curl(&to);
            }
            url = if to.starts_with("http://") {
                to
            } else {
                let base = url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
                format!("{base}/{}", to.trim_start_matches('/'))
            };
            continue;
        }
        if !status.is_success() {
            return Err(format!("answered {status}"));
        }
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        if body.len() > LIMIT {
            return Err(format!("more than {LIMIT} bytes"));
        }
        return Ok(body.to_vec());
    }
    Err("more than 5 redirects".into())
}

/// The environment variable naming a PEM file of CA certificates that https downloads trust
/// instead of the system's (a private mirror behind an internal CA).
pub const CA_BUNDLE_ENV: &str = "RIGOR_CA_BUNDLE";

fn get_curl(url: &str) -> Result<Vec<u8>, String> {
    let mut cmd = std::process::Command::new("curl");
    cmd.args(["--fail", "--silent", "--show-error", "--location"])
        .args(["--max-time", &TIMEOUT.as_secs().to_string()])
        .args(["--max-filesize", &LIMIT.to_string()]);
    if let Some(ca) = std::env::var_os(CA_BUNDLE_ENV).filter(|v| !v.is_empty()) {
        if !std::path::Path::new(&ca).is_file() {
            return Err(format!(
                "{CA_BUNDLE_ENV}={} is not a file (a PEM file of CA certificates)",
                ca.to_string_lossy()
            ));
        }
        cmd.arg("--cacert").arg(ca);
    }
    let out = cmd
        .arg(url)
        .output()
        .map_err(|e| {
            format!("https needs curl, which cannot be run ({e}); install curl or serve the export over http")
        })?;
    if !out.status.success() {
        return Err(format!(
            "curl failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A one-shot loopback server answering each connection with the next canned response.
    fn serve(responses: Vec<Vec<u8>>) -> String {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        std::thread::spawn(move || {
            for r in responses {
                let (mut s, _) = l.accept().unwrap();
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                s.write_all(&r).unwrap();
            }
        });
        format!("http://{addr}")
    }

    fn ok(body: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        r.extend(body);
        r
    }

    #[test]
    fn http_follows_a_redirect_and_reports_errors() {
        let base = serve(vec![
            b"HTTP/1.1 302 Found\r\nLocation: /real.zip\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
            ok(b"payload"),
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
        ]);
        assert_eq!(get(&format!("{base}/all.zip")).unwrap(), b"payload");
        let e = get(&format!("{base}/missing.zip")).unwrap_err();
        assert!(e.contains("404"), "{e}");
        assert!(get("ftp://x/all.zip").unwrap_err().contains("http://"));
    }
}
