//! Heartbeat schedule, zombie detection and latency (protocol.md §3).
//!
//! The first heartbeat falls at `interval * jitter` after Hello, then one every
//! `interval`. If a heartbeat is due while the previous one was never acknowledged, the
//! connection is a zombie. This module owns only that bookkeeping; sending, closing
//! and the timer table belong to the machine.

use std::time::{Duration, Instant};

/// How many recent round trips [`Latency`] keeps.
pub const LATENCY_SAMPLES: usize = 5;

/// Heartbeat round-trip times of the current connection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Latency {
    recent: [Duration; LATENCY_SAMPLES],
    len: usize,
    next: usize,
    total: Duration,
    count: u32,
    sent: Option<Instant>,
    received: Option<Instant>,
}

impl Latency {
    /// Mean of every acknowledged round trip on this connection.
    pub fn average(&self) -> Option<Duration> {
        (self.count > 0).then(|| self.total / self.count)
    }

    /// The most recent round trips, newest first.
    pub fn recent(&self) -> impl Iterator<Item = Duration> + '_ {
        (0..self.len)
            .map(move |i| self.recent[(self.next + LATENCY_SAMPLES - 1 - i) % LATENCY_SAMPLES])
    }

    /// Number of acknowledged heartbeats on this connection.
    pub fn heartbeats(&self) -> u32 {
        self.count
    }

    /// When the last heartbeat was sent.
    pub fn sent(&self) -> Option<Instant> {
        self.sent
    }

    /// When the last acknowledgement arrived.
    pub fn received(&self) -> Option<Instant> {
        self.received
    }

    fn record(&mut self, rtt: Duration, now: Instant) {
        self.recent[self.next] = rtt;
        self.next = (self.next + 1) % LATENCY_SAMPLES;
        self.len = (self.len + 1).min(LATENCY_SAMPLES);
        self.total += rtt;
        self.count += 1;
        self.received = Some(now);
    }
}

/// What the heartbeat timer asks for when it fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Beat {
    /// Send a heartbeat now.
    Send,
    /// The last heartbeat was never acknowledged: the connection is a zombie.
    Zombie,
}

/// Heartbeat state of one connection.
#[derive(Clone, Debug)]
pub(crate) struct Heartbeater {
    interval: Duration,
    next_due: Instant,
    awaiting_ack: bool,
    /// When the oldest scheduled heartbeat still without an ACK went out. Each gets a
    /// whole interval for its ACK before the connection counts as a zombie ("no ACK
    /// between two of your heartbeats", protocol.md §3, with heartbeats an interval
    /// apart): a heartbeat sent late, or one the server asked for, may be followed by the
    /// next scheduled one sooner than any ACK can arrive. Requested ones do not set it.
    unacked_since: Option<Instant>,
    pub(crate) latency: Latency,
}

impl Heartbeater {
    /// Starts after Hello; `jitter` is in `[0, 1)`.
    pub(crate) fn new(interval: Duration, jitter: f64, now: Instant) -> Self {
        Self {
            interval,
            next_due: now + interval.mul_f64(jitter.clamp(0.0, 1.0)),
            awaiting_ack: false,
            unacked_since: None,
            latency: Latency::default(),
        }
    }

    pub(crate) fn interval(&self) -> Duration {
        self.interval
    }

    pub(crate) fn next_due(&self) -> Instant {
        self.next_due
    }

    /// The timer fired at `now`.
    pub(crate) fn on_due(&self, now: Instant) -> Beat {
        match self.unacked_since {
            Some(sent) if now.saturating_duration_since(sent) >= self.interval => Beat::Zombie,
            _ => Beat::Send,
        }
    }

    /// A heartbeat went out at `now`; `scheduled` says whether it was the timer's (which
    /// moves the schedule) or one the server asked for (which does not, §3).
    pub(crate) fn on_sent(&mut self, now: Instant, scheduled: bool) {
        self.awaiting_ack = true;
        self.latency.sent = Some(now);
        if scheduled {
            self.unacked_since.get_or_insert(now);
            // Keep the cadence; if the caller was late, do not fire a burst to catch up.
            self.next_due += self.interval;
            if self.next_due <= now {
                self.next_due = now + self.interval;
            }
        }
    }

    /// Heartbeat ACK at `now`: returns the round trip if a heartbeat was outstanding.
    pub(crate) fn on_ack(&mut self, now: Instant) -> Option<Duration> {
        self.unacked_since = None;
        if !self.awaiting_ack {
            return None;
        }
        self.awaiting_ack = false;
        let rtt = now.saturating_duration_since(self.latency.sent?);
        self.latency.record(rtt, now);
        Some(rtt)
    }
}
