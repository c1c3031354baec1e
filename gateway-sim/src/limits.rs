//! The gateway's rate limits as small clock-free structures (protocol.md §7): the per-connection
//! command window (4008), the identify buckets (op 9), the session-start budget and the
//! all-members request cooldown (RATE_LIMITED). Each takes `now` from the caller, so unit tests
//! below run without sleeping.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Rolling window of frames received on one connection.
#[derive(Debug)]
pub(crate) struct CommandWindow {
    limit: usize,
    window: Duration,
    stamps: VecDeque<Instant>,
}

impl CommandWindow {
    pub(crate) fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit,
            window,
            stamps: VecDeque::with_capacity(limit + 1),
        }
    }

    /// Counts one frame; `false` when this frame exceeds the limit (more than `limit` frames in
    /// any `window`).
    pub(crate) fn admit(&mut self, now: Instant) -> bool {
        while let Some(&first) = self.stamps.front() {
            if now.saturating_duration_since(first) >= self.window {
                self.stamps.pop_front();
            } else {
                break;
            }
        }
        self.stamps.push_back(now);
        self.stamps.len() <= self.limit
    }
}

/// One identify per bucket `shard_id % max_concurrency` per window.
#[derive(Debug, Default)]
pub(crate) struct IdentifyBuckets {
    last: HashMap<u32, Instant>,
}

impl IdentifyBuckets {
    /// Takes the bucket of `shard_id` if it is free; `Err(wait)` says how long until it is.
    pub(crate) fn try_take(
        &mut self,
        shard_id: u32,
        max_concurrency: u32,
        window: Duration,
        now: Instant,
    ) -> Result<(), Duration> {
        let bucket = shard_id % max_concurrency.max(1);
        if let Some(&last) = self.last.get(&bucket) {
            let elapsed = now.saturating_duration_since(last);
            if elapsed < window {
                return Err(window - elapsed);
            }
        }
        self.last.insert(bucket, now);
        Ok(())
    }
}

/// The session-start budget reported by `/gateway/bot`.
#[derive(Debug)]
pub(crate) struct SessionStarts {
    pub(crate) total: u32,
    remaining: u32,
    reset_after: Duration,
    reset_at: Instant,
}

impl SessionStarts {
    pub(crate) fn new(total: u32, remaining: u32, reset_after: Duration, now: Instant) -> Self {
        Self {
            total,
            remaining,
            reset_after,
            reset_at: now + reset_after,
        }
    }

    fn refresh(&mut self, now: Instant) {
        if now >= self.reset_at {
            self.remaining = self.total;
            self.reset_at = now + self.reset_after;
        }
    }

    /// `(remaining, reset_after)` at `now`.
    pub(crate) fn status(&mut self, now: Instant) -> (u32, Duration) {
        self.refresh(now);
        (self.remaining, self.reset_at.saturating_duration_since(now))
    }

    /// Takes one start; `false` when none is left.
    pub(crate) fn take(&mut self, now: Instant) -> bool {
        self.refresh(now);
        if self.remaining == 0 {
            return false;
        }
        self.remaining -= 1;
        true
    }
}

/// One all-members request per guild per cooldown.
#[derive(Debug, Default)]
pub(crate) struct MemberRequests {
    last: HashMap<u64, Instant>,
}

impl MemberRequests {
    /// Records a request for all members of `guild_id`; `Err(retry_after)` when too soon.
    pub(crate) fn try_take(
        &mut self,
        guild_id: u64,
        cooldown: Duration,
        now: Instant,
    ) -> Result<(), Duration> {
        if let Some(&last) = self.last.get(&guild_id) {
            let elapsed = now.saturating_duration_since(last);
            if elapsed < cooldown {
                return Err(cooldown - elapsed);
            }
        }
        self.last.insert(guild_id, now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn command_window_allows_120_then_refuses_the_121st() {
        let t0 = Instant::now();
        let mut w = CommandWindow::new(120, 60 * S);
        for i in 0..120 {
            assert!(w.admit(t0 + Duration::from_millis(i)), "frame {i}");
        }
        assert!(!w.admit(t0 + S));
    }

    #[test]
    fn command_window_rolls() {
        let t0 = Instant::now();
        let mut w = CommandWindow::new(2, 60 * S);
        assert!(w.admit(t0));
        assert!(w.admit(t0 + 30 * S));
        assert!(!w.admit(t0 + 59 * S));
        let mut w = CommandWindow::new(2, 60 * S);
        assert!(w.admit(t0));
        assert!(w.admit(t0 + 30 * S));
        assert!(w.admit(t0 + 60 * S), "the first frame left the window");
    }

    #[test]
    fn identify_buckets_are_shard_id_mod_max_concurrency() {
        let t0 = Instant::now();
        let mut b = IdentifyBuckets::default();
        assert!(b.try_take(0, 2, 5 * S, t0).is_ok());
        assert!(b.try_take(1, 2, 5 * S, t0).is_ok(), "other bucket");
        assert_eq!(
            b.try_take(2, 2, 5 * S, t0 + S),
            Err(4 * S),
            "shares bucket 0"
        );
        assert!(b.try_take(2, 2, 5 * S, t0 + 5 * S).is_ok());
    }

    #[test]
    fn session_starts_decrement_and_reset() {
        let t0 = Instant::now();
        let mut s = SessionStarts::new(3, 1, 10 * S, t0);
        assert!(s.take(t0));
        assert!(!s.take(t0));
        assert_eq!(s.status(t0 + 10 * S).0, 3);
    }

    #[test]
    fn member_requests_cool_down_per_guild() {
        let t0 = Instant::now();
        let mut m = MemberRequests::default();
        assert!(m.try_take(1, 30 * S, t0).is_ok());
        assert!(m.try_take(2, 30 * S, t0).is_ok());
        assert_eq!(m.try_take(1, 30 * S, t0 + 10 * S), Err(20 * S));
    }
}
