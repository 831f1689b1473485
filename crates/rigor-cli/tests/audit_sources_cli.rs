//! `rigor audit` over the other sources: an installed environment (a tiny fake venv with real
//! METADATA layouts) against the real PyPA snapshot, and `--update` downloading an OSV export
//! from a loopback HTTP server (a zip built in the test; no other network).

mod common;

use common::{advisories, rigor};
use rigor_supply::advisories::zip;
use serde_json::Value;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = rigor(dir).arg("audit").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn json(stdout: &str, stderr: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("no JSON ({e}); stderr:\n{stderr}"))
}

fn ids_of(v: &Value, package: &str) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["package"] == package)
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

/// A venv as pip lays it out: pyvenv.cfg, lib/python3.12/site-packages/*.dist-info/METADATA.
pub fn fake_venv(root: &Path, name: &str) {
    let env = root.join(name);
    let site = env.join("lib/python3.12/site-packages");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(
        env.join("pyvenv.cfg"),
        "home = /usr/bin\nversion = 3.12.3\n",
    )
    .unwrap();
    for (dir, meta) in [
        (
            "urllib3-1.26.4.dist-info",
            "Metadata-Version: 2.1\nName: urllib3\nVersion: 1.26.4\nLicense: MIT\nClassifier: License :: OSI Approved :: MIT License\nRequires-Dist: brotlipy (>=0.6.0) ; extra == 'brotli'\n\nurllib3 is a powerful HTTP client.\n",
        ),
        (
            "requests-2.25.1.dist-info",
            "Metadata-Version: 2.1\nName: requests\nVersion: 2.25.1\nLicense: Apache 2.0\nRequires-Dist: urllib3 (<1.27,>=1.21.1)\nRequires-Dist: idna (<3,>=2.5)\n",
        ),
        (
            "packaging-24.2.dist-info",
            "Metadata-Version: 2.4\nName: packaging\nVersion: 24.2\nLicense-Expression: Apache-2.0 OR BSD-2-Clause\n",
        ),
    ] {
        std::fs::create_dir_all(site.join(dir)).unwrap();
        std::fs::write(site.join(dir).join("METADATA"), meta).unwrap();
    }
}

#[test]
fn an_installed_environment_is_found_and_audited() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fake_venv(dir, ".venv");
    let db = advisories::pypa();
    let db = db.to_str().unwrap();
    // Found in the project without naming it.
    let (code, out, err) = run(dir, &["--db", db, "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let v = json(&out, &err);
    assert_eq!(v["inputs"][0]["kind"], "venv", "{:#}", v["inputs"]);
    let u = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "PYSEC-2023-192")
        .unwrap_or_else(|| panic!("urllib3 1.26.4 has PYSEC-2023-192: {v:#}"));
    assert_eq!(
        u["source_file"],
        ".venv/lib/python3.12/site-packages/urllib3-1.26.4.dist-info/METADATA"
    );
    assert_eq!(u["line"], 3, "the Version: line");
    // The same findings as the equivalent pinned requirements.
    let req = tempfile::tempdir().unwrap();
    std::fs::write(
        req.path().join("requirements.txt"),
        "urllib3==1.26.4\nrequests==2.25.1\npackaging==24.2\n",
    )
    .unwrap();
    let (_, rout, rerr) = run(req.path(), &["--db", db, "--format", "json"]);
    let r = json(&rout, &rerr);
    for p in ["urllib3", "requests", "packaging"] {
        assert_eq!(ids_of(&v, p), ids_of(&r, p), "{p}");
    }
    assert!(!ids_of(&v, "requests").is_empty());
    // Named with --venv from elsewhere, the label is the path given.
    let (code, out, err) = run(
        req.path(),
        &[
            "--db",
            db,
            "--venv",
            dir.join(".venv").to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(json(&out, &err)["summary"]["packages"], 3);
}

#[test]
fn a_broken_metadata_is_located_and_a_non_environment_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fake_venv(dir, "venv");
    let bad = dir.join("venv/lib/python3.12/site-packages/bad-1.dist-info");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("METADATA"), "Metadata-Version: 2.1\nName: bad\n").unwrap();
    let db = advisories::pypa();
    let (code, out, err) = run(dir, &["--db", db.to_str().unwrap()]);
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("bad-1.dist-info/METADATA:1: no `Version:` header"),
        "{err}"
    );
    let empty = dir.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (code, _, err) = run(
        dir,
        &[
            "--db",
            db.to_str().unwrap(),
            "--venv",
            empty.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{err}");
}

/// A loopback HTTP/1.1 server: `/PyPI/all.zip` is the zip, anything else 404; counts requests.
fn serve(zip: Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]).to_string();
            let (status, body): (&str, &[u8]) = if req.starts_with("GET /PyPI/all.zip ") {
                ("200 OK", &zip)
            } else if req.starts_with("GET /broken/") {
                ("200 OK", b"this is not a zip archive")
            } else {
                ("404 Not Found", b"")
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(body);
        }
    });
    (format!("http://{addr}"), hits)
}

/// An OSV export as published: one JSON record per advisory, deflated, at the archive root.
fn export_zip() -> Vec<u8> {
    let record = serde_json::json!({
        "id": "PYSEC-2023-192",
        "modified": "2023-11-08T00:00:00Z",
        "aliases": ["CVE-2023-43804", "GHSA-v845-jxx5-vc9f"],
        "summary": "Cookie request header is not stripped during cross-origin redirects",
        "affected": [{
            "package": {"ecosystem": "PyPI", "name": "urllib3"},
            "ranges": [{"type": "ECOSYSTEM", "events": [
                {"introduced": "0"}, {"fixed": "1.26.17"},
                {"introduced": "2.0.0"}, {"fixed": "2.0.6"}
            ]}]
        }],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"}]
    });
    let other = serde_json::json!({
        "id": "PYSEC-0000-1",
        "modified": "2020-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "not-installed"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]
    });
    zip::write(
        &[
            zip::Entry {
                name: "PYSEC-2023-192.json".into(),
                data: record.to_string().into_bytes(),
            },
            zip::Entry {
                name: "PYSEC-0000-1.json".into(),
                data: other.to_string().into_bytes(),
            },
        ],
        true,
    )
}

fn configure(dir: &Path, url: &str) {
    std::fs::write(
        dir.join("rigor.toml"),
        format!("[audit]\nexports = [\"PyPI\"]\nexport_url = \"{url}/{{ecosystem}}/all.zip\"\n"),
    )
    .unwrap();
}

#[test]
fn update_downloads_the_osv_export_and_offline_never_asks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("requirements.txt"), "urllib3==1.26.4\n").unwrap();
    let (base, hits) = serve(export_zip());
    configure(dir, &base);
    let cache = dir.join(".rigor/advisories/osv-PyPI");

    // Nothing downloaded yet: a configuration error saying what to do; no request.
    let (code, _, err) = run(dir, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("not downloaded yet") && err.contains("--update"),
        "{err}"
    );
    // --offline refuses --update.
    let (code, _, err) = run(dir, &["--update", "--offline"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "no request so far");
    assert!(!cache.exists());

    let (code, out, err) = run(dir, &["--update", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert!(
        err.contains("downloaded the PyPI export: 2 records"),
        "{err}"
    );
    assert!(
        err.contains("(osv, 2 advisories): updated 20") && err.contains(" days old"),
        "{err}"
    );
    assert!(cache.join("PYSEC-2023-192.json").is_file());
    assert!(cache.join(".downloaded").is_file());
    let v = json(&out, &err);
    assert_eq!(ids_of(&v, "urllib3"), ["PYSEC-2023-192"]);
    assert_eq!(v["findings"][0]["severity"], "high");
    assert_eq!(v["findings"][0]["score"], 8.1);
    assert_eq!(
        v["databases"][0]["updated"].as_str().unwrap(),
        &std::fs::read_to_string(cache.join(".downloaded")).unwrap()[..10]
    );

    // Offline afterwards: the cache is used, the server is not asked.
    let (code, out, err) = run(dir, &["--offline", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(ids_of(&json(&out, &err), "urllib3"), ["PYSEC-2023-192"]);
    assert_eq!(hits.load(Ordering::SeqCst), 1, "offline: no request");

    // A bad download leaves the cached export as it was.
    configure(dir, &format!("{base}/broken"));
    let (code, out, err) = run(dir, &["--update"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("not a usable zip archive"), "{err}");
    assert!(cache.join("PYSEC-2023-192.json").is_file());
    // An export that is not there: the status in the message.
    configure(dir, &format!("{base}/nothing"));
    let (code, _, err) = run(dir, &["--update"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("404"), "{err}");
}

/// A loopback HTTPS server: Debian's `openssl s_server -WWW` serving `root` with a self-signed
/// certificate for 127.0.0.1 made here; returns the base URL, the certificate and the child.
fn serve_https(root: &Path) -> (String, std::path::PathBuf, std::process::Child) {
    let openssl = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(root)
            .output()
            .expect("this test needs Debian's openssl (apt-get install openssl)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "key.pem",
        "-out",
        "cert.pem",
        "-days",
        "2",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
    ]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new("openssl")
        .args([
            "s_server", "-quiet", "-WWW", "-cert", "cert.pem", "-key", "key.pem",
        ])
        .args(["-accept", &format!("127.0.0.1:{port}")])
        .current_dir(root)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl s_server");
    let start = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed().as_secs() < 20,
            "openssl s_server did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    (
        format!("https://127.0.0.1:{port}"),
        root.join("cert.pem"),
        child,
    )
}

#[test]
fn update_over_https_goes_through_curl_and_trusts_only_the_given_ca() {
    assert!(
        std::process::Command::new("curl")
            .arg("--version")
            .output()
            .is_ok(),
        "this test needs curl (apt-get install curl)"
    );
    let www = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(www.path().join("PyPI")).unwrap();
    std::fs::write(www.path().join("PyPI/all.zip"), export_zip()).unwrap();
    let (base, cert, mut server) = serve_https(www.path());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("requirements.txt"), "urllib3==1.26.4\n").unwrap();
    configure(dir, &base);
    let cache = dir.join(".rigor/advisories/osv-PyPI");
    let https = |ca: Option<&Path>| {
        let mut c = rigor(dir);
        c.args(["audit", "--update", "--format", "json"]);
        c.env_remove("RIGOR_CA_BUNDLE").env_remove("CURL_CA_BUNDLE");
        if let Some(ca) = ca {
            c.env("RIGOR_CA_BUNDLE", ca);
        }
        let out = c.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    // The self-signed certificate is not trusted by default: exit 2, nothing cached.
    let (code, out, err) = https(None);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("curl failed") && err.contains("certificate"),
        "{err}"
    );
    assert!(!cache.exists());
    // A CA bundle that is not there: said before curl runs.
    let (code, _, err) = https(Some(&dir.join("missing.pem")));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("RIGOR_CA_BUNDLE") && err.contains("is not a file"),
        "{err}"
    );
    // Trusting it: the export is downloaded over TLS and audited.
    let (code, out, err) = https(Some(&cert));
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("downloaded the PyPI export: 2 records"),
        "{err}"
    );
    assert_eq!(ids_of(&json(&out, &err), "urllib3"), ["PYSEC-2023-192"]);
    assert!(cache.join("PYSEC-2023-192.json").is_file());
}
