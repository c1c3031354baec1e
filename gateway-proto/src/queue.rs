//! Identify scheduling (protocol.md §7, §8): who may send Identify, and when.
//!
//! Discord allows `max_concurrency` Identify payloads per 5 s window, one per bucket, where a
//! shard's bucket is `shard_id % max_concurrency`, and a daily budget of session starts
//! (`session_start_limit` of `GET /gateway/bot`: `total`, `remaining`, `reset_after`).
//! [`IdentifyScheduler`] turns those rules into a clock-free queue: shards ask with
//! [`request`](IdentifyScheduler::request), the caller takes permits from
//! [`poll_grant`](IdentifyScheduler::poll_grant) and sleeps until
//! [`poll_timeout`](IdentifyScheduler::poll_timeout).
//!
//! Buckets start in order (§7: with 32 shards and `max_concurrency` 16, shards 0–15 together,
//! then 16–31): a bucket grants its lowest waiting shard. Shards ask after their Hello, whose
//! arrival order the network decides, so a starter that knows which shards are coming
//! announces them with [`expect`](IdentifyScheduler::expect). Shards then start in waves of
//! `max_concurrency` consecutive ids: no shard of a wave is granted while a shard of that wave
//! or an earlier one is expected but has not asked yet, for at most one window.
//!
//! It knows nothing of shards' state machines, sockets or tasks: the adapters wrap it in
//! whatever shares it between shards (a mutex in one process, a service across processes).
//!
//! ```
//! use gateway_proto::queue::IdentifyScheduler;
//! use std::time::{Duration, Instant};
//!
//! let start = Instant::now();
//! let mut queue = IdentifyScheduler::new(2);
//! for shard in 0..4 {
//!     queue.request(start, shard);
//! }
//! // Buckets 0 and 1 each grant one shard now...
//! assert_eq!(queue.poll_grant(start), Some(0));
//! assert_eq!(queue.poll_grant(start), Some(1));
//! assert_eq!(queue.poll_grant(start), None);
//! // ...and the next ones one window later.
//! assert_eq!(queue.poll_timeout(), Some(start + Duration::from_secs(5)));
//! assert_eq!(queue.poll_grant(start + Duration::from_secs(5)), Some(2));
//! ```

use std::{
    collections::BTreeSet,
    time::{Duration, Instant},
};

/// The identify window of one bucket (protocol.md §7).
pub const IDENTIFY_WINDOW: Duration = Duration::from_secs(5);

/// How often the session-start budget refills after its first reset (protocol.md §7: per
/// 24 h).
pub const SESSION_START_PERIOD: Duration = Duration::from_secs(24 * 60 * 60);

/// The session-start budget as `GET /gateway/bot` reports it (protocol.md §1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionStartLimit {
    /// Session starts allowed per period.
    pub total: u32,
    /// Session starts left until the reset.
    pub remaining: u32,
    /// Time until `remaining` is refilled to `total`.
    pub reset_after: Duration,
}

/// One `shard_id % max_concurrency` bucket.
#[derive(Clone, Debug, Default)]
struct Bucket {
    /// Shards waiting, granted lowest id first (buckets start in order, §8).
    waiting: BTreeSet<u32>,
    /// Shards announced by `expect` that have not asked yet.
    expected: BTreeSet<u32>,
    /// When this bucket may grant again; `None` if it never granted.
    free_at: Option<Instant>,
}

impl Bucket {
    /// Whether the bucket's next shard waits for `lowest_expected`: the wave of `buckets`
    /// consecutive ids it belongs to, or an earlier one, still misses that shard.
    fn is_held(&self, lowest_expected: Option<u32>, buckets: u32) -> bool {
        match (lowest_expected, self.waiting.first()) {
            (Some(expected), Some(next)) => {
                let wave_end = (next / buckets).saturating_add(1).saturating_mul(buckets);
                expected < wave_end
            }
            _ => false,
        }
    }
}

/// The session-start budget with an absolute reset time.
#[derive(Clone, Copy, Debug)]
struct Budget {
    total: u32,
    remaining: u32,
    reset_at: Instant,
}

/// Grants identify permits: one per bucket per window, within the session-start budget.
///
/// Inputs: [`request`](Self::request), [`cancel`](Self::cancel), [`expect`](Self::expect),
/// [`set_session_start_limit`](Self::set_session_start_limit). Outputs: drain
/// [`poll_grant`](Self::poll_grant) until `None`, then call again at
/// [`poll_timeout`](Self::poll_timeout). A request for a shard already waiting is merged
/// with it; an older `now` than one seen before is treated as that one.
#[derive(Clone, Debug)]
pub struct IdentifyScheduler {
    window: Duration,
    buckets: Vec<Bucket>,
    budget: Option<Budget>,
    /// Until when expected shards may hold their buckets; set when one first does.
    expect_until: Option<Instant>,
    latest_now: Option<Instant>,
}

impl IdentifyScheduler {
    /// A scheduler with `max_concurrency` buckets (at least one), 5 s windows and no known
    /// session-start budget.
    pub fn new(max_concurrency: u32) -> Self {
        let buckets = usize::try_from(max_concurrency.max(1)).unwrap_or(1);
        Self {
            window: IDENTIFY_WINDOW,
            buckets: vec![Bucket::default(); buckets],
            budget: None,
            expect_until: None,
            latest_now: None,
        }
    }

    /// Replaces the window (tests and simulators use short ones).
    #[must_use]
    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// The number of buckets.
    pub fn max_concurrency(&self) -> u32 {
        // The length came from a `u32`.
        u32::try_from(self.buckets.len()).unwrap_or(u32::MAX)
    }

    /// The window of one bucket.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// The bucket of `shard`: `shard % max_concurrency`.
    pub fn bucket_of(&self, shard: u32) -> usize {
        // `usize` holds every `u32` on the targets this crate supports.
        usize::try_from(shard).unwrap_or(usize::MAX) % self.buckets.len()
    }

    /// Sets the session-start budget reported by `GET /gateway/bot` at `now`.
    pub fn set_session_start_limit(&mut self, now: Instant, limit: SessionStartLimit) {
        let now = self.observe(now);
        self.budget = Some(Budget {
            total: limit.total,
            remaining: limit.remaining.min(limit.total),
            reset_at: now + limit.reset_after,
        });
    }

    /// The session-start budget as seen at `now`, if one was set.
    pub fn session_start_limit(&mut self, now: Instant) -> Option<SessionStartLimit> {
        let now = self.observe(now);
        self.refill(now);
        self.budget.map(|budget| SessionStartLimit {
            total: budget.total,
            remaining: budget.remaining,
            reset_after: budget.reset_at.saturating_duration_since(now),
        })
    }

    /// Shard `shard` asks for a permit.
    pub fn request(&mut self, now: Instant, shard: u32) {
        self.observe(now);
        let index = self.bucket_of(shard);
        let bucket = &mut self.buckets[index];
        bucket.expected.remove(&shard);
        bucket.waiting.insert(shard);
    }

    /// Announces that `shard` will [`request`](Self::request) soon (it is starting and has
    /// no session to resume). Until it does, no shard of its wave (`max_concurrency`
    /// consecutive ids) or a later one is granted; the hold lasts at most one window from the
    /// moment it first delays another shard, so a shard that never asks (it resumed, or
    /// cannot connect) delays the start once, by one window.
    pub fn expect(&mut self, shard: u32) {
        let index = self.bucket_of(shard);
        let bucket = &mut self.buckets[index];
        if !bucket.waiting.contains(&shard) {
            bucket.expected.insert(shard);
        }
    }

    /// Withdraws a waiting request or an expectation; returns whether a request was waiting.
    pub fn cancel(&mut self, shard: u32) -> bool {
        let index = self.bucket_of(shard);
        let bucket = &mut self.buckets[index];
        bucket.expected.remove(&shard);
        bucket.waiting.remove(&shard)
    }

    /// Whether `shard` waits for a permit.
    pub fn is_waiting(&self, shard: u32) -> bool {
        self.buckets[self.bucket_of(shard)].waiting.contains(&shard)
    }

    /// How many shards wait.
    pub fn waiting(&self) -> usize {
        self.buckets.iter().map(|bucket| bucket.waiting.len()).sum()
    }

    /// How many announced shards have not asked yet.
    pub fn expected(&self) -> usize {
        self.buckets
            .iter()
            .map(|bucket| bucket.expected.len())
            .sum()
    }

    /// The next shard allowed to identify at `now`, buckets in order, lowest shard first.
    pub fn poll_grant(&mut self, now: Instant) -> Option<u32> {
        let now = self.observe(now);
        self.refill(now);
        if self.budget.is_some_and(|budget| budget.remaining == 0) {
            return None;
        }
        self.expire_expectations(now);
        let window = self.window;
        let (lowest, buckets) = (self.lowest_expected(), self.max_concurrency());
        let free = |bucket: &Bucket| {
            !bucket.waiting.is_empty() && bucket.free_at.is_none_or(|at| at <= now)
        };
        let held = |bucket: &Bucket| bucket.is_held(lowest, buckets);
        if self.expect_until.is_none() && self.buckets.iter().any(|b| free(b) && held(b)) {
            // The hold starts counting the first time it delays a shard.
            self.expect_until = Some(now + window);
        }
        let bucket = self
            .buckets
            .iter_mut()
            .find(|bucket| free(bucket) && !held(bucket))?;
        let shard = bucket.waiting.pop_first()?;
        bucket.free_at = Some(now + window);
        if let Some(budget) = &mut self.budget {
            budget.remaining -= 1;
        }
        Some(shard)
    }

    /// When [`poll_grant`](Self::poll_grant) may return a shard next; `None` while no shard
    /// waits. An instant in the past means "now".
    pub fn poll_timeout(&self) -> Option<Instant> {
        let now = self.latest_now?;
        let (lowest, buckets) = (self.lowest_expected(), self.max_concurrency());
        let bucket_free = self
            .buckets
            .iter()
            .filter(|bucket| !bucket.waiting.is_empty())
            .map(|bucket| {
                let free = bucket.free_at.map_or(now, |at| at.max(now));
                match self.expect_until {
                    Some(until) if bucket.is_held(lowest, buckets) => free.max(until),
                    _ => free,
                }
            })
            .min()?;
        match self.budget {
            Some(budget) if budget.remaining == 0 => Some(bucket_free.max(budget.reset_at)),
            _ => Some(bucket_free),
        }
    }

    /// The lowest shard expected but not asking yet.
    fn lowest_expected(&self) -> Option<u32> {
        self.buckets
            .iter()
            .filter_map(|bucket| bucket.expected.first())
            .min()
            .copied()
    }

    /// Forgets every expectation once the hold's window passed.
    fn expire_expectations(&mut self, now: Instant) {
        if self.expect_until.is_some_and(|until| until <= now) {
            self.expect_until = None;
            for bucket in &mut self.buckets {
                bucket.expected.clear();
            }
        }
    }

    /// Refills the budget once its reset time passed.
    fn refill(&mut self, now: Instant) {
        if let Some(budget) = &mut self.budget {
            if now >= budget.reset_at {
                budget.remaining = budget.total;
                budget.reset_at = now + SESSION_START_PERIOD;
            }
        }
    }

    /// Clamps `now` so time never runs backwards inside the scheduler.
    fn observe(&mut self, now: Instant) -> Instant {
        let now = self.latest_now.map_or(now, |latest| latest.max(now));
        self.latest_now = Some(now);
        now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    /// Drives the scheduler on a virtual clock until no shard waits; returns the grants with
    /// their times.
    fn run(queue: &mut IdentifyScheduler, start: Instant) -> Vec<(Instant, u32)> {
        let mut now = start;
        let mut grants = Vec::new();
        while queue.waiting() > 0 {
            while let Some(shard) = queue.poll_grant(now) {
                grants.push((now, shard));
            }
            match queue.poll_timeout() {
                Some(at) if at > now => now = at,
                Some(_) => {}
                None => break,
            }
        }
        grants
    }

    #[test]
    fn n_shards_take_ceil_n_over_max_concurrency_windows_buckets_in_order() {
        for (shards, concurrency) in [(1, 1), (7, 1), (32, 16), (100, 16), (5, 8), (33, 4)] {
            let start = Instant::now();
            let mut queue = IdentifyScheduler::new(concurrency);
            // Requests arrive in any order; grants still follow shard order.
            for shard in (0..shards).rev() {
                queue.request(start, shard);
            }
            let grants = run(&mut queue, start);
            let windows = shards.div_ceil(concurrency);
            assert_eq!(grants.len(), shards as usize);
            for (index, (at, shard)) in grants.iter().enumerate() {
                let window = index as u32 / concurrency;
                assert_eq!(*shard, index as u32, "{shards}/{concurrency}: order");
                assert_eq!(
                    *at,
                    start + IDENTIFY_WINDOW * window,
                    "{shards}/{concurrency}"
                );
            }
            let last = grants.last().map(|(at, _)| *at);
            assert_eq!(last, Some(start + IDENTIFY_WINDOW * (windows - 1)));
        }
    }

    #[test]
    fn one_permit_per_bucket_per_window() {
        let start = Instant::now();
        let mut queue = IdentifyScheduler::new(2);
        queue.request(start, 0);
        assert_eq!(queue.poll_grant(start), Some(0));
        // Shard 2 shares bucket 0: it waits the rest of the window; shard 1 does not.
        queue.request(start + SECOND, 2);
        queue.request(start + SECOND, 1);
        assert_eq!(queue.poll_grant(start + SECOND), Some(1));
        assert_eq!(queue.poll_grant(start + SECOND), None);
        assert_eq!(queue.poll_timeout(), Some(start + IDENTIFY_WINDOW));
        assert_eq!(
            queue.poll_grant(start + IDENTIFY_WINDOW - SECOND / 10),
            None
        );
        assert_eq!(queue.poll_grant(start + IDENTIFY_WINDOW), Some(2));
        assert_eq!(queue.poll_timeout(), None);
    }

    #[test]
    fn a_free_bucket_grants_at_once() {
        let start = Instant::now();
        let mut queue = IdentifyScheduler::new(1);
        queue.request(start, 0);
        assert_eq!(queue.poll_timeout(), Some(start));
        assert_eq!(queue.poll_grant(start), Some(0));
        // Long after the window, the next request is granted at once too.
        let later = start + IDENTIFY_WINDOW * 3;
        queue.request(later, 3);
        assert_eq!(queue.poll_timeout(), Some(later));
        assert_eq!(queue.poll_grant(later), Some(3));
    }

    #[test]
    fn repeated_requests_merge_and_cancel_withdraws() {
        let start = Instant::now();
        let mut queue = IdentifyScheduler::new(1);
        queue.request(start, 4);
        queue.request(start, 4);
        assert_eq!(queue.waiting(), 1);
        assert!(queue.is_waiting(4));
        assert!(queue.cancel(4));
        assert!(!queue.cancel(4));
        assert_eq!(queue.poll_grant(start), None);
        assert_eq!(queue.poll_timeout(), None);
    }

    #[test]
    fn an_exhausted_session_start_budget_waits_for_its_reset() {
        let start = Instant::now();
        let mut queue = IdentifyScheduler::new(4);
        let limit = SessionStartLimit {
            total: 10,
            remaining: 2,
            reset_after: Duration::from_secs(60),
        };
        queue.set_session_start_limit(start, limit);
        for shard in 0..3 {
            queue.request(start, shard);
        }
        assert_eq!(queue.poll_grant(start), Some(0));
        assert_eq!(queue.poll_grant(start), Some(1));
        assert_eq!(queue.poll_grant(start), None, "budget spent");
        assert_eq!(queue.poll_timeout(), Some(start + Duration::from_secs(60)));
        let reset = start + Duration::from_secs(60);
        assert_eq!(queue.poll_grant(reset), Some(2));
        let left = queue.session_start_limit(reset);
        assert_eq!(
            left,
            Some(SessionStartLimit {
                total: 10,
                remaining: 9,
                reset_after: SESSION_START_PERIOD,
            })
        );
    }

    #[test]
    fn time_running_backwards_is_ignored() {
        let start = Instant::now();
        let mut queue = IdentifyScheduler::new(1);
        queue.request(start + IDENTIFY_WINDOW, 0);
        assert_eq!(queue.poll_grant(start + IDENTIFY_WINDOW), Some(0));
        queue.request(start, 1);
        // `start` is older than what was seen: the window still counts from the grant.
        assert_eq!(queue.poll_grant(start), None);
        assert_eq!(queue.poll_timeout(), Some(start + IDENTIFY_WINDOW * 2));
    }

    #[test]
    fn a_wave_starts_together_once_its_expected_shards_asked() {
        let start = Instant::now();
        let mut queue = IdentifyScheduler::new(2);
        for shard in 0..4 {
            queue.expect(shard);
        }
        assert_eq!(queue.expected(), 4);
        // Shards 3, 2 and 1 ask first: all wait for shard 0, the rest of wave 0.
        queue.request(start, 3);
        queue.request(start, 2);
        assert_eq!(queue.poll_grant(start), None);
        assert_eq!(queue.poll_timeout(), Some(start + IDENTIFY_WINDOW));
        let later = start + SECOND / 10;
        queue.request(later, 1);
        assert_eq!(queue.poll_grant(later), None, "shard 1 waits for shard 0");
        queue.request(later, 0);
        assert_eq!(queue.poll_grant(later), Some(0));
        assert_eq!(queue.poll_grant(later), Some(1));
        assert_eq!(queue.expected(), 0);
        // Wave 1, one window later, together.
        assert_eq!(queue.poll_timeout(), Some(later + IDENTIFY_WINDOW));
        assert_eq!(queue.poll_grant(later + IDENTIFY_WINDOW), Some(2));
        assert_eq!(queue.poll_grant(later + IDENTIFY_WINDOW), Some(3));
    }

    #[test]
    fn an_expected_shard_that_never_asks_holds_the_start_one_window() {
        let start = Instant::now();
        let mut queue = IdentifyScheduler::new(1);
        queue.expect(0);
        queue.expect(1);
        queue.request(start, 1);
        assert_eq!(queue.poll_grant(start), None);
        assert_eq!(queue.poll_timeout(), Some(start + IDENTIFY_WINDOW));
        assert_eq!(queue.poll_grant(start + IDENTIFY_WINDOW), Some(1));
        assert_eq!(queue.expected(), 0, "expectations lapse together");
        // A late request of the lapsed shard waits its turn like any other.
        queue.request(start + IDENTIFY_WINDOW, 0);
        assert_eq!(queue.poll_grant(start + IDENTIFY_WINDOW), None);
        assert_eq!(queue.poll_grant(start + IDENTIFY_WINDOW * 2), Some(0));
    }

    #[test]
    fn expectations_hold_their_wave_and_later_ones_only() {
        let start = Instant::now();
        let mut queue = IdentifyScheduler::new(2);
        queue.expect(2);
        queue.expect(5);
        // Wave 0 (shards 0, 1) does not wait for wave 1's shard 2.
        queue.request(start, 1);
        queue.request(start, 0);
        assert_eq!(queue.poll_grant(start), Some(0));
        assert_eq!(queue.poll_grant(start), Some(1));
        // Shard 3 (wave 1) waits for shard 2; shard 2 is then granted with it.
        queue.request(start, 3);
        let next = start + IDENTIFY_WINDOW;
        assert_eq!(queue.poll_grant(next), None);
        queue.request(next, 2);
        assert_eq!(queue.poll_grant(next), Some(2));
        assert_eq!(queue.poll_grant(next), Some(3));
        assert!(!queue.cancel(5), "an expectation is not a request");
        assert_eq!(queue.expected(), 0);
    }

    #[test]
    fn zero_concurrency_means_one_bucket() {
        let queue = IdentifyScheduler::new(0);
        assert_eq!(queue.max_concurrency(), 1);
        assert_eq!(queue.bucket_of(7), 0);
    }
}
