//! Tests with every nextest outcome rigor-gate reads: pass, fail (with retries), flaky, ignored.

pub fn add(a: i32, b: i32) -> i32 {
    a + b
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn passes() {
        assert_eq!(add(2, 2), 4);
    }

    #[test]
    fn fails() {
        assert_eq!(add(2, 2), 5, "arithmetic is hard");
    }

    /// Fails on the first attempt, passes on the retry (nextest runs each attempt in a new
    /// process, so the state is a file).
    #[test]
    fn flaky() {
        let marker = std::env::temp_dir().join(format!("rigor-flaky-{}", std::env::var("RIGOR_FLAKY_ID").unwrap_or_default()));
        let first = !marker.exists();
        std::fs::write(&marker, "seen").unwrap();
        assert!(!first, "first attempt fails");
    }

    #[test]
    #[ignore]
    fn ignored() {}

    static _UNUSED: AtomicUsize = AtomicUsize::new(0);
    #[test]
    fn counter() {
        _UNUSED.fetch_add(1, Ordering::SeqCst);
    }
}
