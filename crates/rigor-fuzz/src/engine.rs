//! A small mutation fuzzer for the stable toolchain: starting from a target's seeds, it applies
//! random byte-level mutations (bit flips, structural bytes, insertions, deletions, duplicated
//! ranges — which deepen nesting —, splices of two inputs and tokens that parsers find hard)
//! and runs the target on each, catching panics. Without coverage feedback it keeps a rolling
//! sample of its own mutants so that mutations compound. Deterministic for a given seed.

use crate::{Target, run, seeds};
use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// Largest input tried.
const MAX_LEN: usize = 64 * 1024;
/// Size of the rolling sample of mutants.
const POOL: usize = 256;

/// Tokens that parsers of XML, JSON, TOML, CSV and the selector language find hard.
const TOKENS: &[&[u8]] = &[
    b"<![CDATA[",
    b"]]>",
    b"&amp;",
    b"&#x0;",
    b"&#1114112;",
    b"<!DOCTYPE r [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>",
    b"<!ENTITY x SYSTEM \"file:///etc/passwd\">",
    b"\\u0000",
    b"\\ud800",
    b"\\udcff",
    b"1e999",
    b"-1",
    b"NaN",
    b"-0",
    b"99999999999999999999999",
    b"null",
    b"true",
    b"{}",
    b"[]",
    b"\"\"",
    b"((((((((",
    b"))))",
    b"not ",
    b" and ",
    b" or ",
    b"!!!!!!!!",
    b"/",
    b"%",
    b"\"\\",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"[[[[[[[[",
    b"'''",
    b"= ",
    b",,,,",
];

/// Structural bytes.
const BYTES: &[u8] = b"<>\"'{}[](),:;=\\/\n\t 0123456789-.e&#!|%*";

/// A panic found, with the input that caused it.
#[derive(Debug, Clone)]
pub struct Crash {
    pub input: Vec<u8>,
    pub message: String,
}

/// What a fuzzing session did.
#[derive(Debug, Clone)]
pub struct Report {
    pub target: Target,
    pub executions: u64,
    pub crashes: Vec<Crash>,
    /// The slowest single execution.
    pub slowest: Duration,
    pub elapsed: Duration,
}

/// Fuzz `target` for `budget`, from `seed`. Stops at the first crash.
pub fn fuzz(target: Target, budget: Duration, seed: u64) -> Report {
    let mut rng = Rng(seed ^ 0x9e37_79b9_7f4a_7c15);
    let base: Vec<Vec<u8>> = seeds(target).into_iter().map(<[u8]>::to_vec).collect();
    let mut pool: Vec<Vec<u8>> = base.clone();
    let started = Instant::now();
    let mut report = Report {
        target,
        executions: 0,
        crashes: Vec::new(),
        slowest: Duration::ZERO,
        elapsed: Duration::ZERO,
    };
    let _quiet = QuietPanics::install();
    // The seeds themselves first.
    let mut queue: Vec<Vec<u8>> = base.clone();
    while started.elapsed() < budget {
        let input = queue.pop().unwrap_or_else(|| {
            let parent = &pool[rng.below(pool.len())];
            let other = &pool[rng.below(pool.len())];
            let mut child = parent.clone();
            for _ in 0..=rng.below(4) {
                mutate(&mut child, other, &mut rng);
            }
            child
        });
        let t = Instant::now();
        let outcome = execute(target, &input);
        report.slowest = report.slowest.max(t.elapsed());
        report.executions += 1;
        if let Err(message) = outcome {
            report.crashes.push(Crash { input, message });
            break;
        }
        if report.executions.is_multiple_of(16) {
            if pool.len() < POOL {
                pool.push(input);
            } else {
                let i = base.len() + rng.below(POOL - base.len());
                pool[i] = input;
            }
        }
    }
    report.elapsed = started.elapsed();
    report
}

/// Run one input, catching a panic as its message.
pub fn execute(target: Target, input: &[u8]) -> Result<(), String> {
    panic::catch_unwind(AssertUnwindSafe(|| run(target, input))).map_err(|_| {
        LAST_PANIC
            .with(|l| l.borrow_mut().take())
            .unwrap_or_else(|| "panic without a message".into())
    })
}

/// One random mutation of `data`, possibly using `other` (another input).
fn mutate(data: &mut Vec<u8>, other: &[u8], rng: &mut Rng) {
    let len = data.len();
    match rng.below(9) {
        0 if len > 0 => {
            let i = rng.below(len);
            data[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            data[i] = BYTES[rng.below(BYTES.len())];
        }
        2 => {
            let at = rng.below(len + 1);
            let n = 1 + rng.below(8);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            data.splice(at..at, bytes);
        }
        3 if len > 0 => {
            let a = rng.below(len);
            let b = (a + 1 + rng.below(64)).min(len);
            data.drain(a..b);
        }
        4 if len > 0 => {
            // Duplicate a range, often many times: deep nesting and long inputs.
            let a = rng.below(len);
            let b = (a + 1 + rng.below(32)).min(len);
            let piece = data[a..b].to_vec();
            let times = if rng.below(4) == 0 {
                1 + rng.below(500)
            } else {
                1
            };
            let at = rng.below(data.len() + 1);
            let insert: Vec<u8> = piece
                .iter()
                .copied()
                .cycle()
                .take(piece.len() * times)
                .collect();
            data.splice(at..at, insert);
        }
        5 if !other.is_empty() => {
            let cut = rng.below(len + 1);
            let from = rng.below(other.len());
            data.truncate(cut);
            data.extend_from_slice(&other[from..]);
        }
        6 => {
            let at = rng.below(len + 1);
            let token = TOKENS[rng.below(TOKENS.len())];
            data.splice(at..at, token.iter().copied());
        }
        7 if len > 0 => data.truncate(rng.below(len)),
        _ => {
            // A number replaced by an extreme one.
            if let Some(i) = (0..len)
                .map(|k| (k + rng.below(len.max(1))) % len)
                .find(|&i| data[i].is_ascii_digit())
            {
                let extreme: &[u8] = [
                    &b"1e308"[..],
                    b"-9223372036854775809",
                    b"0.0000000000000000001",
                    b"18446744073709551616",
                ][rng.below(4)];
                data.splice(i..i + 1, extreme.iter().copied());
            }
        }
    }
    data.truncate(MAX_LEN);
}

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A panic hook.
type Hook = Box<dyn Fn(&panic::PanicHookInfo<'_>) + Sync + Send + 'static>;

/// While alive, panics are recorded for [`execute`] instead of printed.
struct QuietPanics {
    previous: Option<Hook>,
}

impl QuietPanics {
    fn install() -> QuietPanics {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(|info| {
            LAST_PANIC.with(|l| *l.borrow_mut() = Some(info.to_string()));
        }));
        QuietPanics {
            previous: Some(previous),
        }
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        if let Some(previous) = self.previous.take() {
            panic::set_hook(previous);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_stay_bounded_and_change_the_input() {
        let mut rng = Rng(7);
        let seed = b"<testsuite><testcase name=\"a\"/></testsuite>".to_vec();
        let mut changed = 0;
        for _ in 0..2000 {
            let mut d = seed.clone();
            mutate(&mut d, b"{\"a\": [1, 2]}", &mut rng);
            assert!(d.len() <= MAX_LEN);
            changed += usize::from(d != seed);
        }
        assert!(
            changed > 1500,
            "{changed} of 2000 mutants differ from the seed"
        );
    }

    #[test]
    fn a_panicking_target_is_caught_with_its_message() {
        let _quiet = QuietPanics::install();
        let r = panic::catch_unwind(|| panic!("boom 42")).map_err(|_| {
            LAST_PANIC
                .with(|l| l.borrow_mut().take())
                .unwrap_or_default()
        });
        assert!(r.unwrap_err().contains("boom 42"));
    }
}
