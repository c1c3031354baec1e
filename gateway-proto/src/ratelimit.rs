//! The outbound command limiter (protocol.md §7): at most 120 frames per rolling 60 s
//! per connection, counting every frame sent, with slots kept for heartbeats so that a
//! burst of user commands can never starve them.
//!
//! Why reserve: a connection whose heartbeat is late is closed by the gateway, and one
//! that exceeds 120 frames is closed with 4008. Heartbeats are the one frame that must
//! go out on time, so user commands (and Identify/Resume) may use only
//! `120 - reserved` slots, where `reserved` covers every heartbeat the interval can
//! produce in a window plus one server-requested heartbeat.

use std::{
    collections::VecDeque,
    time::{Duration, Instant},
};

/// Frames allowed per window.
pub const FRAMES_PER_WINDOW: usize = 120;

/// The rolling window.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Extra time a sent frame keeps its slot beyond the window. The gateway counts frames when
/// it receives them, and a burst can reach it later than it left: without a margin, a slot
/// freed exactly one window after an early frame of a burst can put the gateway's count at
/// 121 and close the connection with 4008.
pub const SEND_MARGIN: Duration = Duration::from_secs(1);

/// How long a sent frame holds its slot with the default 60 s window: the window plus
/// [`SEND_MARGIN`].
pub const SLOT_HOLD: Duration = WINDOW.saturating_add(SEND_MARGIN);

/// Heartbeat interval assumed before Hello tells the real one (Discord's usual value).
const DEFAULT_INTERVAL: Duration = Duration::from_millis(41_250);

/// A snapshot of the limiter, for statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RatelimiterState {
    /// Command slots usable right now.
    pub available: usize,
    /// Command slots per window (frames per window minus the heartbeat reserve).
    pub max: usize,
    /// When the next command slot frees up, if none is available now.
    pub next_free: Option<Instant>,
}

/// Send times of the current connection's frames within the window.
#[derive(Clone, Debug)]
pub(crate) struct CommandRatelimiter {
    sent: VecDeque<Instant>,
    reserved: usize,
    /// The rolling window as this side counts it: the gateway's (60 s unless the config
    /// says otherwise) plus [`SEND_MARGIN`].
    window: Duration,
}

impl CommandRatelimiter {
    pub(crate) fn new(window: Duration) -> Self {
        let mut limiter = Self {
            sent: VecDeque::new(),
            reserved: 0,
            window: window + SEND_MARGIN,
        };
        limiter.set_interval(DEFAULT_INTERVAL);
        limiter
    }

    /// Sizes the heartbeat reserve for `interval`: every heartbeat a window can hold,
    /// plus one requested by the server. At least one command slot always remains.
    pub(crate) fn set_interval(&mut self, interval: Duration) {
        let interval_ms = interval.as_millis().max(1);
        let per_window = self.window.as_millis().div_ceil(interval_ms);
        let reserved = usize::try_from(per_window).unwrap_or(FRAMES_PER_WINDOW) + 1;
        self.reserved = reserved.min(FRAMES_PER_WINDOW - 1);
    }

    fn prune(&mut self, now: Instant) {
        while let Some(&oldest) = self.sent.front() {
            if now.saturating_duration_since(oldest) >= self.window {
                self.sent.pop_front();
            } else {
                break;
            }
        }
    }

    fn command_max(&self) -> usize {
        FRAMES_PER_WINDOW - self.reserved
    }

    /// Whether a command (not a heartbeat) may be sent at `now`.
    pub(crate) fn can_send_command(&mut self, now: Instant) -> bool {
        self.prune(now);
        self.sent.len() < self.command_max()
    }

    /// Whether a heartbeat may be sent at `now` (it may use the reserve).
    pub(crate) fn can_send_heartbeat(&mut self, now: Instant) -> bool {
        self.prune(now);
        self.sent.len() < FRAMES_PER_WINDOW
    }

    /// When the next command slot frees up (`now` if one is free).
    pub(crate) fn next_command_slot(&mut self, now: Instant) -> Instant {
        self.prune(now);
        let max = self.command_max();
        if self.sent.len() < max {
            return now;
        }
        // The slot frees when enough old frames leave the window for the count to drop
        // below `max`: that is the frame at index `len - max`.
        self.sent
            .get(self.sent.len() - max)
            .map_or(now, |&at| at + self.window)
    }

    /// When the next frame of any kind may go (for heartbeats).
    pub(crate) fn next_frame_slot(&mut self, now: Instant) -> Instant {
        self.prune(now);
        if self.sent.len() < FRAMES_PER_WINDOW {
            return now;
        }
        self.sent.front().map_or(now, |&at| at + self.window)
    }

    /// A frame was sent at `now`.
    pub(crate) fn record(&mut self, now: Instant) {
        // Prune here too: with the limiter off nothing else asks for slots, and the send
        // times would otherwise pile up for the life of the connection.
        self.prune(now);
        self.sent.push_back(now);
    }

    pub(crate) fn state(&mut self, now: Instant) -> RatelimiterState {
        self.prune(now);
        let max = self.command_max();
        let available = max.saturating_sub(self.sent.len());
        let next_free = (available == 0).then(|| self.next_command_slot(now));
        RatelimiterState {
            available,
            max,
            next_free,
        }
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.sent.capacity() * std::mem::size_of::<Instant>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_window_frees_slots_after_that_window() {
        let start = Instant::now();
        let window = Duration::from_secs(2);
        let mut limiter = CommandRatelimiter::new(window);
        limiter.set_interval(Duration::from_secs(1));
        // (2 s + 1 s margin) / 1 s heartbeats + 1 requested: 4 frames kept for heartbeats.
        assert_eq!(limiter.state(start).max, FRAMES_PER_WINDOW - 4);
        while limiter.can_send_command(start) {
            limiter.record(start);
        }
        assert_eq!(
            limiter.next_command_slot(start),
            start + window + SEND_MARGIN
        );
        assert!(!limiter.can_send_command(start + window));
        assert!(limiter.can_send_command(start + window + SEND_MARGIN));
    }
}
