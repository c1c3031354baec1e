//! Reconnect backoff: exponential with jitter and a cap. The attempt count resets only
//! when a connection proves healthy (READY or RESUMED), so a gateway that accepts and
//! closes at once cannot drive a hot loop.

use std::time::Duration;

/// Delay before the second attempt; doubles per attempt after that.
pub const BACKOFF_BASE: Duration = Duration::from_secs(1);

/// The longest delay between attempts.
pub const BACKOFF_CAP: Duration = Duration::from_secs(60);

/// Delay before connection attempt number `attempt` (1-based) since the last healthy
/// connection; `jitter` is in `[0, 1)`. The first attempt goes at once; later ones wait
/// `min(cap, base * 2^(attempt-2))`, scaled by a factor in `[0.5, 1)`.
pub fn delay(attempt: u32, jitter: f64) -> Duration {
    if attempt <= 1 {
        return Duration::ZERO;
    }
    let exponent = (attempt - 2).min(16);
    let full = BACKOFF_BASE.saturating_mul(1 << exponent).min(BACKOFF_CAP);
    full.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_attempt_is_immediate_then_doubles_to_the_cap() {
        assert_eq!(delay(0, 0.9), Duration::ZERO);
        assert_eq!(delay(1, 0.9), Duration::ZERO);
        assert_eq!(delay(2, 1.0), Duration::from_secs(1));
        assert_eq!(delay(3, 1.0), Duration::from_secs(2));
        assert_eq!(delay(4, 1.0), Duration::from_secs(4));
        assert_eq!(delay(8, 1.0), Duration::from_secs(60));
        assert_eq!(delay(u32::MAX, 1.0), Duration::from_secs(60));
        assert_eq!(delay(3, 0.0), Duration::from_secs(1));
    }
}
