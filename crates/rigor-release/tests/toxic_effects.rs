//! What each toxic does to real connections on loopback, measured: a chaos server in process,
//! an echo upstream, and a client.

use rigor_release::chaos::ChaosServer;
use rigor_release::chaos::registry::ProxyRequest;
use serde_json::json;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// An upstream that echoes everything, one thread per connection.
fn echo() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for c in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut c = c;
                let mut buf = vec![0u8; 65536];
                while let Ok(n) = c.read(&mut buf) {
                    if n == 0 || c.write_all(&buf[..n]).is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// An upstream that sends `n` bytes to every client, then closes.
fn source(n: usize) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for c in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut c = c;
                let _ = c.write_all(&vec![7u8; n]);
            });
        }
    });
    addr
}

fn proxy(upstream: &str, toxic: serde_json::Value) -> (ChaosServer, String) {
    let s = ChaosServer::start("127.0.0.1:0").unwrap();
    let listen = s.enter(|r| {
        let p = r
            .create(ProxyRequest {
                name: Some("p".into()),
                upstream: Some(upstream.into()),
                ..Default::default()
            })
            .unwrap();
        if !toxic.is_null() {
            r.add_toxic("p", serde_json::from_value(toxic).unwrap())
                .unwrap();
        }
        p["listen"].as_str().unwrap().to_string()
    });
    (s, listen)
}

fn roundtrip_ms(listen: &str) -> f64 {
    let mut c = TcpStream::connect(listen).unwrap();
    c.set_nodelay(true).unwrap();
    let start = Instant::now();
    c.write_all(b"x").unwrap();
    let mut b = [0u8; 1];
    c.read_exact(&mut b).unwrap();
    start.elapsed().as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[test]
fn latency_adds_its_setting_at_the_median() {
    let up = echo();
    let (_plain_s, plain) = proxy(&up, serde_json::Value::Null);
    let (_s, slow) = proxy(
        &up,
        json!({"type": "latency", "attributes": {"latency": 200}}),
    );
    let base = median((0..15).map(|_| roundtrip_ms(&plain)).collect());
    let with = median((0..15).map(|_| roundtrip_ms(&slow)).collect());
    let added = with - base;
    // The bench (bench/chaos.sh) holds the 5 % goal on an idle machine; here other builds and
    // tests share the cores, which only ever delays wake-ups: 5 % below, 15 % above.
    assert!((190.0..=230.0).contains(&added), "added {added:.2} ms");
}

#[test]
fn jitter_spreads_the_delay_within_its_band() {
    let (_s, slow) = proxy(
        &echo(),
        json!({"type": "latency", "attributes": {"latency": 60, "jitter": 30}}),
    );
    let v: Vec<f64> = (0..30).map(|_| roundtrip_ms(&slow)).collect();
    let (lo, hi) = (
        v.iter().cloned().fold(f64::MAX, f64::min),
        v.iter().cloned().fold(0.0, f64::max),
    );
    assert!(lo >= 29.0, "{v:?}");
    assert!(hi - lo > 10.0, "no spread: {v:?}");
}

#[test]
fn upstream_latency_applies_to_the_request_direction() {
    let up = echo();
    let (_s, slow) = proxy(
        &up,
        json!({"type": "latency", "stream": "upstream", "attributes": {"latency": 80}}),
    );
    let ms = roundtrip_ms(&slow);
    assert!((78.0..200.0).contains(&ms), "{ms:.2} ms");
}

#[test]
fn bandwidth_limits_the_rate() {
    let n = 200_000;
    let (_s, listen) = proxy(
        &source(n),
        json!({"type": "bandwidth", "attributes": {"rate": 400}}),
    );
    let mut c = TcpStream::connect(&listen).unwrap();
    let start = Instant::now();
    let mut got = Vec::new();
    c.read_to_end(&mut got).unwrap();
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(got.len(), n);
    let rate = n as f64 / 1000.0 / secs;
    assert!((360.0..=440.0).contains(&rate), "{rate:.1} KB/s");
}

#[test]
fn reset_peer_resets_the_connection_after_its_timeout() {
    let (_s, listen) = proxy(
        &echo(),
        json!({"type": "reset_peer", "attributes": {"timeout": 200}}),
    );
    let mut c = TcpStream::connect(&listen).unwrap();
    let start = Instant::now();
    let mut b = [0u8; 16];
    let err = c.read(&mut b).unwrap_err();
    let ms = start.elapsed().as_millis();
    assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    assert!((190..400).contains(&ms), "{ms} ms");
}

#[test]
fn timeout_holds_the_data_then_closes() {
    let (_s, listen) = proxy(
        &echo(),
        json!({"type": "timeout", "attributes": {"timeout": 300}}),
    );
    let mut c = TcpStream::connect(&listen).unwrap();
    c.write_all(b"hello").unwrap();
    let start = Instant::now();
    let mut got = Vec::new();
    c.read_to_end(&mut got).unwrap();
    let ms = start.elapsed().as_millis();
    assert!(got.is_empty(), "data passed: {got:?}");
    assert!((290..600).contains(&ms), "{ms} ms");
}

#[test]
fn limit_data_closes_after_its_bytes() {
    let (_s, listen) = proxy(
        &source(10_000),
        json!({"type": "limit_data", "attributes": {"bytes": 1234}}),
    );
    let mut c = TcpStream::connect(&listen).unwrap();
    let mut got = Vec::new();
    let _ = c.read_to_end(&mut got);
    assert_eq!(got.len(), 1234);
}

#[test]
fn slicer_cuts_the_data_into_small_delayed_pieces() {
    let (_s, listen) = proxy(
        &source(2_000),
        json!({"type": "slicer", "attributes": {"average_size": 100, "size_variation": 20, "delay": 2000}}),
    );
    let mut c = TcpStream::connect(&listen).unwrap();
    let start = Instant::now();
    let (mut total, mut reads) = (0, 0);
    let mut b = [0u8; 4096];
    loop {
        let n = c.read(&mut b).unwrap();
        if n == 0 {
            break;
        }
        assert!(n <= 240, "a read of {n} bytes");
        total += n;
        reads += 1;
    }
    assert_eq!(total, 2_000);
    assert!(reads >= 10, "{reads} reads");
    assert!(start.elapsed() >= Duration::from_millis(2 * 14));
}

#[test]
fn slow_close_delays_the_end_of_the_stream() {
    let (_s, listen) = proxy(
        &source(10),
        json!({"type": "slow_close", "attributes": {"delay": 300}}),
    );
    let mut c = TcpStream::connect(&listen).unwrap();
    let start = Instant::now();
    let mut got = Vec::new();
    c.read_to_end(&mut got).unwrap();
    let ms = start.elapsed().as_millis();
    assert_eq!(got.len(), 10);
    assert!((290..600).contains(&ms), "{ms} ms");
}

#[test]
fn toxicity_zero_spares_every_connection() {
    let (_s, listen) = proxy(
        &echo(),
        json!({"type": "latency", "toxicity": 0.0, "attributes": {"latency": 500}}),
    );
    for _ in 0..5 {
        assert!(roundtrip_ms(&listen) < 100.0);
    }
}

#[test]
fn a_toxic_added_later_reaches_open_connections_and_removal_releases_them() {
    let (s, listen) = proxy(&echo(), serde_json::Value::Null);
    let mut c = TcpStream::connect(&listen).unwrap();
    c.write_all(b"a").unwrap();
    let mut b = [0u8; 1];
    c.read_exact(&mut b).unwrap();
    s.enter(|r| {
        r.add_toxic(
            "p",
            serde_json::from_value(json!({"type": "latency", "attributes": {"latency": 150}}))
                .unwrap(),
        )
        .unwrap()
    });
    let start = Instant::now();
    c.write_all(b"b").unwrap();
    c.read_exact(&mut b).unwrap();
    assert!(start.elapsed() >= Duration::from_millis(145));
    s.enter(|r| r.delete_toxic("p", "latency_downstream").unwrap());
    let start = Instant::now();
    c.write_all(b"c").unwrap();
    c.read_exact(&mut b).unwrap();
    assert!(start.elapsed() < Duration::from_millis(100));
}
