//! cargo-mutants fixture: some mutants are caught, some are missed.

pub fn clamp(x: i32, low: i32, high: i32) -> i32 {
    if x < low {
        return low;
    }
    if x > high {
        return high;
    }
    x
}

pub fn is_even(n: u32) -> bool {
    n % 2 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps() {
        assert_eq!(clamp(-5, 0, 10), 0);
        assert_eq!(clamp(50, 0, 10), 10);
        assert_eq!(clamp(5, 0, 10), 5);
    }

    #[test]
    fn even() {
        assert!(is_even(2));
    }
}
